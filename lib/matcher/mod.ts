/**
 * The matching engine: decoded inbound OUCH messages, tagged with their account and the
 * time, go in; the outbound OUCH messages for each account come out, in order, by the
 * rules of `docs/exchange_rules.md`. Pure: no clock, no I/O, deterministic.
 *
 * @example Enter, trade, look at the book
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matcher } from "./mod.ts";
 * import type { EnterOrder, OutboundMessage } from "../codec/messages.ts";
 *
 * const sent: [string | null, OutboundMessage][] = [];
 * const matcher = new Matcher((account, message) => sent.push([account, message]));
 * const sell: EnterOrder = {
 *   type: "enterOrder", orderToken: 1, clientReference: "ref", buySellIndicator: "S",
 *   quantity: 300, orderbookId: "7203", group: "DAY", price: 23_000,
 *   timeInForce: 99999, firmId: 0, display: " ", capacity: "P",
 *   minimumQuantity: 0, orderClassification: "1", cashMarginType: "1",
 * };
 * matcher.handle("alice", sell, 100);
 * matcher.handle("bob", { ...sell, buySellIndicator: "B", quantity: 100, price: 23_010 }, 200);
 * assert.deepEqual(sent.slice(2), [
 *   ["alice", {
 *     type: "orderExecuted", timestamp: 200, orderToken: 1, executedQuantity: 100,
 *     executionPrice: 23_000, liquidityIndicator: "A", matchNumber: 1,
 *   }],
 *   ["bob", {
 *     type: "orderExecuted", timestamp: 200, orderToken: 1, executedQuantity: 100,
 *     executionPrice: 23_000, liquidityIndicator: "R", matchNumber: 1,
 *   }],
 * ]);
 * assert.deepEqual(matcher.depth("7203", 1)?.asks, [{ price: 23_000, quantity: 200, orders: 1 }]);
 * assert.equal(matcher.nextToken("bob"), 2);
 * ```
 *
 * @module
 */

export {
  DEFAULT_ORDERBOOKS,
  type Depth,
  type DepthLevel,
  type MarketEvent,
  Matcher,
  type MatcherListener,
  type MatcherOptions,
  type OpenOrder,
  type Trade,
} from "./matcher.ts";
