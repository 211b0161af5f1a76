/**
 * A limit order book: price-time priority over integer prices, O(1) best price and O(1)
 * order removal however deep a level is, aggregated depth, and one listener for events.
 * It knows nothing of OUCH; `lib/matcher/` applies the exchange rules on top of it.
 *
 * @example Enter, trade, read depth
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BookListener, Order, OrderBook } from "./mod.ts";
 *
 * const trades: [number, number, number][] = [];
 * const listener: BookListener = {
 *   add() {},
 *   match(resting, _incoming, quantity) {
 *     trades.push([resting.id, resting.price, quantity]);
 *   },
 *   cancel() {},
 *   replace() {},
 * };
 * const book = new OrderBook(listener);
 * book.enter(new Order(1, "sell", 23_000, 100));
 * book.enter(new Order(2, "buy", 23_010, 40));
 * assert.deepEqual(trades, [[1, 23_000, 40]]);
 * assert.deepEqual(book.depth("sell", 10), [{ price: 23_000, quantity: 60, orders: 1 }]);
 * ```
 *
 * @module
 */

export { type BookSide, Order } from "./order.ts";
export {
  type BookListener,
  type LevelSummary,
  OrderBook,
} from "./order_book.ts";
export { PriceLevel } from "./price_level.ts";
