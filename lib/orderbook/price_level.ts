/**
 * One price level of a book side: a FIFO queue of orders with its aggregates.
 *
 * @module
 */

import type { Order } from "./order.ts";

/**
 * A price level: the orders resting at one price on one side, oldest first, linked
 * through their `prev`/`next` fields, with the total open quantity and order count kept
 * up to date. Levels belong to their {@linkcode OrderBook}; read them, never change them.
 *
 * @example A level as the book reports it
 * ```ts
 * import assert from "node:assert/strict";
 * import { Order, OrderBook } from "./mod.ts";
 *
 * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
 * const order = new Order(1, "sell", 10_100, 30);
 * book.add(order);
 * assert.equal(order.level?.price, 10_100);
 * assert.equal(order.level?.quantity, 30);
 * assert.equal(order.level?.count, 1);
 * ```
 */
export class PriceLevel {
  /** The price of every order in the level. */
  price = 0;
  /** Sort key: `price` for bids, `-price` for asks, so the best level sorts last. */
  key = 0;
  /** Total open quantity of the level. */
  quantity = 0;
  /** Number of orders in the level. */
  count = 0;
  /** The oldest order, first to trade. */
  first: Order | null = null;
  /** The newest order. */
  last: Order | null = null;
  /** The book the level belongs to, so that a book can tell its own orders. */
  owner: object | null = null;
}
