/**
 * Test helper: outbound messages about the orders of `tests/_fixtures.ts`.
 *
 * @module
 */
import type {
  OrderAccepted,
  OrderCanceled,
  OrderCanceledReason,
} from "../../lib/codec/messages.ts";
import { enterOrder } from "../_fixtures.ts";

/** The Order Accepted of `enterOrder(token)`, live, changed by `fields`. */
export function accepted(
  token: number,
  fields: Partial<Omit<OrderAccepted, "type" | "orderToken">> = {},
): OrderAccepted {
  const { type: _, ...order } = enterOrder(token);
  return {
    ...order,
    type: "orderAccepted",
    timestamp: 0,
    orderNumber: 202611280000000000n + BigInt(token),
    orderState: "L",
    ...fields,
  };
}

/** An Order Canceled of `quantity` for `token`. */
export function canceled(
  token: number,
  quantity: number,
  reason: OrderCanceledReason = "U",
): OrderCanceled {
  return {
    type: "orderCanceled",
    timestamp: 0,
    orderToken: token,
    decrementQuantity: quantity,
    orderCanceledReason: reason,
  };
}
