import type {
  EnterOrder,
  OrderAccepted,
  OrderCanceledReason,
  OutboundMessage,
  ReplaceOrder,
} from "../../lib/codec/messages.ts";
import {
  type MarketEvent,
  Matcher,
  type MatcherOptions,
} from "../../lib/matcher/mod.ts";

/** The trading date of the tests' matchers. */
export const TRADING_DATE = "20261128";

/** The `n`th Order or Match Number of {@linkcode TRADING_DATE}: `202611280000000000 + n`. */
export function dayNumber(n: number): bigint {
  return 202611280000000000n + BigInt(n);
}

/** One emitted message with its account id (`ALL_ACCOUNTS` for every account). */
export type Sent = [number, OutboundMessage];

/** One thing a matcher produced: an OUCH message with its account, or a market event. */
export type Output = Sent | MarketEvent;

/** Whether an output is an OUCH message (rather than a market event). */
export function isSent(output: Output): output is Sent {
  return Array.isArray(output);
}

/**
 * A matcher that records everything it emits, OUCH messages and market events in one list
 * in call order. `take()` returns and clears the OUCH messages only, `takeMarket()` the
 * market events only, `takeAll()` both; each clears the whole list.
 */
export function recording(options: Partial<MatcherOptions> = {}): {
  matcher: Matcher;
  take: () => Sent[];
  takeMarket: () => MarketEvent[];
  takeAll: () => Output[];
} {
  const log: Output[] = [];
  const matcher = new Matcher({
    message: (account, message) => log.push([account, message]),
    market: (event) => log.push(event),
  }, { tradingDate: TRADING_DATE, ...options });
  return {
    matcher,
    take: () => log.splice(0).filter(isSent),
    takeMarket: () =>
      log.splice(0).filter((output): output is MarketEvent => !isSent(output)),
    takeAll: () => log.splice(0),
  };
}

/** A valid Day buy of 100 at 1000.0 on orderbook "1"; override any field. */
export function enter(fields: Partial<EnterOrder> = {}): EnterOrder {
  return {
    type: "enterOrder",
    orderToken: 1,
    clientReference: "ref",
    buySellIndicator: "B",
    quantity: 100,
    orderbookId: "1",
    group: "DAY",
    price: 10_000,
    timeInForce: 99999,
    firmId: 0,
    display: " ",
    capacity: "P",
    minimumQuantity: 0,
    orderClassification: "1",
    cashMarginType: "1",
    ...fields,
  };
}

/** A valid Day sell of `quantity` at `price` on orderbook "1"; override any other field. */
export function sell(
  orderToken: number,
  price: number,
  quantity: number,
  fields: Partial<EnterOrder> = {},
): EnterOrder {
  return enter({
    orderToken,
    buySellIndicator: "S",
    price,
    quantity,
    ...fields,
  });
}

/** A Replace Order to a Day order with normal display. */
export function replace(
  existingOrderToken: number,
  replacementOrderToken: number,
  quantity: number,
  price: number,
  fields: Partial<ReplaceOrder> = {},
): ReplaceOrder {
  return {
    type: "replaceOrder",
    existingOrderToken,
    replacementOrderToken,
    quantity,
    price,
    timeInForce: 99999,
    display: " ",
    minimumQuantity: 0,
    ...fields,
  };
}

/**
 * The Order Accepted an Enter Order gets; `orderNumber` is the day's counter, `orderState`
 * `D` for an Immediate order that executes nothing.
 */
export function accepted(
  order: EnterOrder,
  timestamp: number,
  orderNumber: number,
  orderState: "L" | "D" = "L",
): OrderAccepted {
  return {
    type: "orderAccepted",
    timestamp,
    orderToken: order.orderToken,
    clientReference: order.clientReference,
    buySellIndicator: order.buySellIndicator,
    quantity: order.quantity,
    orderbookId: order.orderbookId,
    group: order.group,
    price: order.price,
    timeInForce: order.timeInForce,
    firmId: order.firmId,
    display: order.display,
    capacity: order.capacity,
    orderNumber: dayNumber(orderNumber),
    minimumQuantity: order.minimumQuantity,
    orderState,
    orderClassification: order.orderClassification,
    cashMarginType: order.cashMarginType,
  };
}

/** An Order Executed; `matchNumber` is the day's counter. */
export function executed(
  timestamp: number,
  orderToken: number,
  executedQuantity: number,
  executionPrice: number,
  liquidityIndicator: "A" | "R",
  matchNumber: number,
): OutboundMessage {
  return {
    type: "orderExecuted",
    timestamp,
    orderToken,
    executedQuantity,
    executionPrice,
    liquidityIndicator,
    matchNumber: dayNumber(matchNumber),
  };
}

/** An Order Canceled. */
export function canceled(
  timestamp: number,
  orderToken: number,
  decrementQuantity: number,
  orderCanceledReason: OrderCanceledReason,
): OutboundMessage {
  return {
    type: "orderCanceled",
    timestamp,
    orderToken,
    decrementQuantity,
    orderCanceledReason,
  };
}

/**
 * The Order Replaced of a Day buy on orderbook "1" (override with `fields`); `n` is the
 * Order Number's counter, the state `D` when `quantity` is 0.
 */
export function replacedMessage(
  timestamp: number,
  previousOrderToken: number,
  replacementOrderToken: number,
  quantity: number,
  price: number,
  n: number,
  fields: Partial<OutboundMessage & { type: "orderReplaced" }> = {},
): OutboundMessage {
  return {
    type: "orderReplaced",
    timestamp,
    replacementOrderToken,
    buySellIndicator: "B",
    quantity,
    orderbookId: "1",
    group: "DAY",
    price,
    timeInForce: 99999,
    display: " ",
    orderNumber: dayNumber(n),
    minimumQuantity: 0,
    orderState: quantity === 0 ? "D" : "L",
    previousOrderToken,
    ...fields,
  };
}
