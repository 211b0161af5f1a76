/**
 * The order record an {@linkcode OrderBook} keeps, and the side type.
 *
 * @module
 */

import type { PriceLevel } from "./price_level.ts";

/** The side of an order in the book: `"buy"` rests as a bid, `"sell"` as an ask. */
export type BookSide = "buy" | "sell";

/**
 * One order as the book sees it: identity, side, limit price, open quantity and the
 * links that put it in the FIFO queue of its price level.
 *
 * The book links the order itself (an intrusive doubly linked list), so a resting order
 * costs one object and removing it is O(1) however deep its level is. Extend this class
 * to carry more fields: the book never copies orders. While an order rests, change its
 * price and quantity only through {@linkcode OrderBook.cancel} and
 * {@linkcode OrderBook.replace}; `prev`, `next` and `level` belong to the book.
 *
 * @example Create an order
 * ```ts
 * import assert from "node:assert/strict";
 * import { Order } from "./order.ts";
 *
 * const order = new Order(1, "buy", 10_000, 100);
 * assert.equal(order.resting, false);
 * assert.equal(order.selfMatchKey, 0);
 * ```
 */
export class Order {
  /** The caller's identifier, reported back unchanged; the book never reads it. */
  declare readonly id: number;
  /** The side. */
  declare readonly side: BookSide;
  /** Limit price as an integer (tenths, ticks, …). */
  declare price: number;
  /** Open quantity: what is still on the book, or still to trade for an incoming order. */
  declare quantity: number;
  /**
   * Self-match prevention key: an incoming order stops matching at the first resting
   * order with the same non-zero key. `0` never stops.
   */
  declare readonly selfMatchKey: number;
  /** The older order of the same level, or `null`; managed by the book. */
  declare prev: Order | null;
  /** The newer order of the same level, or `null`; managed by the book. */
  declare next: Order | null;
  /** The level the order rests in, or `null` when it does not rest; managed by the book. */
  declare level: PriceLevel | null;

  /**
   * Creates an order that does not rest yet.
   *
   * @param id The caller's identifier.
   * @param side `"buy"` or `"sell"`.
   * @param price Limit price, a safe integer.
   * @param quantity Quantity, a non-negative safe integer.
   * @param selfMatchKey Self-match prevention key, `0` for none.
   * @throws {TypeError} If `side` is neither `"buy"` nor `"sell"`.
   * @throws {RangeError} If `price`, `quantity` or `selfMatchKey` is not an integer in range.
   */
  constructor(
    id: number,
    side: BookSide,
    price: number,
    quantity: number,
    selfMatchKey = 0,
  ) {
    if (side !== "buy" && side !== "sell") {
      throw new TypeError(
        `Cannot create order as side must be "buy" or "sell": current side is "${side}"`,
      );
    }
    if (!Number.isSafeInteger(price)) {
      throw new RangeError(
        `Cannot create order as price must be a safe integer: current price is ${price}`,
      );
    }
    if (!Number.isSafeInteger(quantity) || quantity < 0) {
      throw new RangeError(
        `Cannot create order as quantity must be a non-negative safe integer: current quantity is ${quantity}`,
      );
    }
    if (!Number.isSafeInteger(selfMatchKey)) {
      throw new RangeError(
        `Cannot create order as self-match key must be a safe integer: current key is ${selfMatchKey}`,
      );
    }
    this.id = id;
    this.side = side;
    this.price = price;
    this.quantity = quantity;
    this.selfMatchKey = selfMatchKey;
    this.prev = null;
    this.next = null;
    this.level = null;
  }

  /** Whether the order currently rests on a book. */
  get resting(): boolean {
    return this.level !== null;
  }
}
