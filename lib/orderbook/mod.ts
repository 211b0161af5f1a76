/**
 * A limit order book: price-time priority over integer prices, O(1) best price and O(1)
 * order removal however deep a level is, aggregated depth, and one listener for events.
 * Orders are integer handles into an {@linkcode OrderStore} of typed arrays, so resting
 * orders cost no JavaScript objects. It knows nothing of OUCH; `lib/matcher/` applies
 * the exchange rules on top of it.
 *
 * @example Enter, trade, read depth
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BookListener, OrderBook, OrderStore } from "./mod.ts";
 *
 * const store = new OrderStore();
 * const trades: [number, number, number][] = [];
 * const listener: BookListener = {
 *   add() {},
 *   match(resting, _incoming, quantity, price) {
 *     trades.push([resting, price, quantity]);
 *   },
 *   cancel() {},
 *   replace() {},
 * };
 * const book = new OrderBook(listener, store);
 * const sell = store.create("sell", 23_000, 100);
 * book.enter(sell);
 * book.enter(store.create("buy", 23_010, 40));
 * assert.deepEqual(trades, [[sell, 23_000, 40]]);
 * assert.deepEqual(book.depth("sell", 10), [{ price: 23_000, quantity: 60, orders: 1 }]);
 * ```
 *
 * @module
 */

export {
  type BookSide,
  OrderStore,
  type OrderStoreState,
} from "./order_store.ts";
export {
  type BookListener,
  type LevelSummary,
  OrderBook,
  type OrderBookState,
} from "./order_book.ts";
