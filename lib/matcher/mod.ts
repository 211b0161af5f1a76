/**
 * The matching engine: decoded inbound OUCH messages, tagged with their account id and the
 * time, go in; the outbound OUCH messages for each account and the order-level market
 * events come out, in order, by the rules of `docs/exchange_rules.md`. Pure: no clock, no
 * I/O, deterministic.
 *
 * @example Enter, trade, look at the book
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matcher, type MarketEvent } from "./mod.ts";
 * import type { EnterOrder, OutboundMessage } from "../codec/messages.ts";
 *
 * const sent: [number, OutboundMessage][] = [];
 * const events: MarketEvent[] = [];
 * const matcher = new Matcher({
 *   message: (account, message) => sent.push([account, message]),
 *   market: (event) => events.push(event),
 * }, { tradingDate: "20261128" });
 * const sell: EnterOrder = {
 *   type: "enterOrder", orderToken: 1, clientReference: "ref", buySellIndicator: "S",
 *   quantity: 300, orderbookId: "7203", group: "DAY", price: 28_000,
 *   timeInForce: 99999, firmId: 0, display: " ", capacity: "P",
 *   minimumQuantity: 0, orderClassification: "1", cashMarginType: "1",
 * };
 * const alice = 0;
 * const bob = 1;
 * matcher.handle(alice, sell, 100);
 * matcher.handle(bob, { ...sell, buySellIndicator: "B", quantity: 100, price: 28_010 }, 200);
 * assert.deepEqual(sent.slice(2), [
 *   [alice, {
 *     type: "orderExecuted", timestamp: 200, orderToken: 1, executedQuantity: 100,
 *     executionPrice: 28_000, liquidityIndicator: "A", matchNumber: 202611280000000001n,
 *   }],
 *   [bob, {
 *     type: "orderExecuted", timestamp: 200, orderToken: 1, executedQuantity: 100,
 *     executionPrice: 28_000, liquidityIndicator: "R", matchNumber: 202611280000000001n,
 *   }],
 * ]);
 * assert.deepEqual(events.map((event) => event.type), ["bookAdd", "bookExecute"]);
 * assert.deepEqual(matcher.depth("7203", 1)?.asks, [{ price: 28_000, quantity: 200, orders: 1 }]);
 * assert.equal(matcher.nextToken(bob), 2);
 * ```
 *
 @module
 */

export {
  ALL_ACCOUNTS,
  DEFAULT_ORDERBOOKS,
  type Depth,
  type DepthLevel,
  Matcher,
  type MatcherAccountState,
  type MatcherOptions,
  type MatcherOutput,
  type MatcherRules,
  type MatcherState,
  type MatcherVenueState,
  type OpenOrder,
  PAGE_TOKEN_BASE,
  resolveOrderbooks,
  type Trade,
} from "./matcher.ts";
export {
  type AccountLimits,
  checkAccountLimits,
  MAX_THROTTLE,
} from "./account_limits.ts";
export {
  DEFAULT_INSTRUMENTS,
  type Instrument,
  type InstrumentSpec,
  resolveInstrument,
} from "./instrument.ts";
export { dailyPriceLimit, priceLimits } from "./price_limits.ts";
export {
  checkTickTable,
  TICK_TABLES,
  type TickBand,
  tickSize,
  type TickTable,
} from "./tick_table.ts";
export type {
  BookAddEvent,
  BookDeleteEvent,
  BookExecuteEvent,
  BookReplaceEvent,
  FeedSide,
  MarketEvent,
  MarketStateEvent,
  ShortSellStateEvent,
  TradingStateEvent,
} from "./market_event.ts";
