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

/** One emitted message with its account. */
export type Sent = [string | null, OutboundMessage];

/** A matcher that records everything it emits. */
export function recording(options: MatcherOptions = {}): {
  matcher: Matcher;
  sent: Sent[];
  market: MarketEvent[];
  take: () => Sent[];
} {
  const sent: Sent[] = [];
  const market: MarketEvent[] = [];
  const matcher = new Matcher(
    (account, message) => sent.push([account, message]),
    {
      onMarket: (event) => market.push(event),
      ...options,
    },
  );
  return { matcher, sent, market, take: () => sent.splice(0) };
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

/** The Order Accepted an Enter Order gets. */
export function accepted(
  order: EnterOrder,
  timestamp: number,
  orderNumber: number,
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
    orderNumber,
    minimumQuantity: order.minimumQuantity,
    orderState: "L",
    orderClassification: order.orderClassification,
    cashMarginType: order.cashMarginType,
  };
}

/** An Order Executed. */
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
    matchNumber,
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
