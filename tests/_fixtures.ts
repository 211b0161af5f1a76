/**
 * Messages shared by the tests.
 *
 * @module
 */
import type { EnterOrder } from "../lib/codec/messages.ts";

/** Spec §9's worked example: the seed's first order, token 1, Buy 100 of "1" at 2300.0. */
export const SEED_ORDER: EnterOrder = {
  type: "enterOrder",
  orderToken: 1,
  clientReference: "Lenny",
  buySellIndicator: "B",
  quantity: 100,
  orderbookId: "1",
  group: "DAY",
  price: 23000,
  timeInForce: 99999,
  firmId: 0,
  display: " ",
  capacity: "P",
  minimumQuantity: 0,
  orderClassification: "1",
  cashMarginType: "1",
};

/** A Day buy of 100 at 2300.0 on orderbook "1" with `orderToken`, changed by `fields`. */
export function enterOrder(
  orderToken: number,
  fields: Partial<Omit<EnterOrder, "type" | "orderToken">> = {},
): EnterOrder {
  return { ...SEED_ORDER, clientReference: "test", orderToken, ...fields };
}
