/**
 * A limit order book with price-time priority.
 *
 * @module
 */

import { type BookSide, Order } from "./order.ts";
import { PriceLevel } from "./price_level.ts";

/**
 * Receives what happens in an {@linkcode OrderBook}, synchronously and in order. The book
 * has already applied each change when it calls the listener. A listener must not call
 * back into the book that notifies it.
 *
 * The listener is an object with four methods rather than a function of event objects,
 * so that the book allocates nothing per event.
 */
export interface BookListener<O extends Order = Order> {
  /** `order` now rests at the back of the level at `order.price`. */
  add(order: O): void;
  /**
   * `incoming` traded `quantity` with `resting`, at `resting.price`. Both quantities are
   * already reduced; a `resting` order whose quantity reached 0 has left the book.
   */
  match(resting: O, incoming: O, quantity: number): void;
  /** `order` lost `canceled` of its open quantity; it left the book if `order.quantity` is 0. */
  cancel(order: O, canceled: number): void;
  /**
   * `order` now has `order.price` and `order.quantity` instead of `previousPrice` and
   * `previousQuantity`. If `order.resting` is true it kept its place; otherwise it is off
   * the book, and the `match` and `add` events that follow enter it again (none follow
   * when its quantity is 0).
   */
  replace(order: O, previousPrice: number, previousQuantity: number): void;
}

/** The aggregate of one price level, as {@linkcode OrderBook.depth} reports it. */
export interface LevelSummary {
  /** Price of the level. */
  readonly price: number;
  /** Total open quantity at the price. */
  readonly quantity: number;
  /** Number of orders at the price. */
  readonly orders: number;
}

const MAX_POOLED_LEVELS = 1024;

/**
 * One limit order book: bids and asks in price-time priority.
 *
 * Each side is an array of {@linkcode PriceLevel}s sorted so that the best level is last:
 * the best price is O(1), a level is found by binary search and created or dropped by
 * shifting the (short) array of levels, never the orders. Within a level, orders form an
 * intrusive FIFO list, so adding, trading, reducing and removing an order is O(1) however
 * many orders the level holds. Emptied levels are pooled and reused.
 *
 * Trades print at the resting order's price. Matching stops at the first resting order
 * whose non-zero {@linkcode Order.selfMatchKey} equals the incoming order's.
 *
 * @example Fill the best ask first, at the resting price
 * ```ts
 * import assert from "node:assert/strict";
 * import { Order, OrderBook } from "./mod.ts";
 *
 * const fills: string[] = [];
 * const book = new OrderBook({
 *   add() {},
 *   match(resting, incoming, quantity) {
 *     fills.push(`${incoming.id}x${resting.id} ${quantity}@${resting.price}`);
 *   },
 *   cancel() {},
 *   replace() {},
 * });
 * book.add(new Order(1, "sell", 10_100, 100));
 * book.add(new Order(2, "sell", 10_000, 50));
 * const buy = new Order(3, "buy", 10_100, 120);
 * book.enter(buy);
 * assert.deepEqual(fills, ["3x2 50@10000", "3x1 70@10100"]);
 * assert.equal(buy.quantity, 0);
 * assert.deepEqual(book.depth("sell", 5), [{ price: 10_100, quantity: 30, orders: 1 }]);
 * ```
 */
export class OrderBook<O extends Order = Order> {
  readonly #listener: BookListener<O>;
  /** Bids, ascending price: best (highest) last. */
  readonly #bids: PriceLevel[] = [];
  /** Asks, descending price: best (lowest) last. */
  readonly #asks: PriceLevel[] = [];
  readonly #pool: PriceLevel[] = [];
  #size = 0;

  /**
   * Creates an empty book.
   *
   * @param listener Receives every change, synchronously.
   */
  constructor(listener: BookListener<O>) {
    this.#listener = listener;
  }

  /** Number of resting orders on both sides. */
  get size(): number {
    return this.#size;
  }

  /**
   * Returns the best price of a side.
   *
   * @param side The side to look at.
   * @returns The highest bid or lowest ask, or `undefined` when the side is empty.
   *
   * @example Best bid
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * assert.equal(book.best("buy"), undefined);
   * book.add(new Order(1, "buy", 990, 10));
   * book.add(new Order(2, "buy", 1000, 10));
   * assert.equal(book.best("buy"), 1000);
   * ```
   */
  best(side: BookSide): number | undefined {
    const levels = side === "buy" ? this.#bids : this.#asks;
    return levels.length === 0 ? undefined : levels[levels.length - 1]!.price;
  }

  /**
   * Tells whether an incoming order would meet the opposite side: a buy at `price` when
   * the best ask is at or below it, a sell when the best bid is at or above it.
   * Self-match prevention is not considered.
   *
   * @param side The incoming order's side.
   * @param price The incoming order's limit.
   * @returns Whether the best opposite price is at or better than `price`.
   *
   * @example A buy at the ask crosses
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(new Order(1, "sell", 1000, 10));
   * assert.equal(book.crosses("buy", 1000), true);
   * assert.equal(book.crosses("buy", 999), false);
   * assert.equal(book.crosses("sell", 1), false);
   * ```
   */
  crosses(side: BookSide, price: number): boolean {
    if (side === "buy") {
      const asks = this.#asks;
      return asks.length !== 0 && asks[asks.length - 1]!.price <= price;
    }
    const bids = this.#bids;
    return bids.length !== 0 && bids[bids.length - 1]!.price >= price;
  }

  /**
   * Returns how much an incoming order could trade at once: the opposite side's quantity
   * in priority order while its price is at or better than `price`, up to the first
   * resting order with the same non-zero `selfMatchKey`. Stops counting once the total
   * reaches `atLeast`, so the answer is then only known to be at least that much.
   *
   * @param side The incoming order's side.
   * @param price The incoming order's limit.
   * @param selfMatchKey The incoming order's self-match key, `0` for none.
   * @param atLeast Stop once this much is found.
   * @returns The executable quantity, capped at the first total reaching `atLeast`.
   *
   * @example Self-match prevention bounds what can trade
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(new Order(1, "sell", 1000, 10, 7));
   * book.add(new Order(2, "sell", 1000, 20, 8));
   * book.add(new Order(3, "sell", 1010, 40, 0));
   * assert.equal(book.executableQuantity("buy", 1010, 0), 70);
   * assert.equal(book.executableQuantity("buy", 1000, 0), 30);
   * assert.equal(book.executableQuantity("buy", 1010, 8), 10);
   * ```
   */
  executableQuantity(
    side: BookSide,
    price: number,
    selfMatchKey: number,
    atLeast = Number.POSITIVE_INFINITY,
  ): number {
    const isBuy = side === "buy";
    const levels = isBuy ? this.#asks : this.#bids;
    let total = 0;
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i]!;
      if (isBuy ? level.price > price : level.price < price) break;
      if (selfMatchKey === 0) {
        total += level.quantity;
      } else {
        for (let order = level.first; order !== null; order = order.next) {
          if (order.selfMatchKey === selfMatchKey) return total;
          total += order.quantity;
          if (total >= atLeast) return total;
        }
      }
      if (total >= atLeast) return total;
    }
    return total;
  }

  /**
   * Trades an incoming order against the opposite side in price-time priority, while the
   * best opposite price is at or better than its limit: each fill prints at the resting
   * price, reduces both quantities and emits `match`. The incoming order is not added.
   *
   * @param order The incoming order; it must not rest.
   * @returns The resting order self-match prevention stopped at, or `null`.
   * @throws {RangeError} If `order` rests on a book.
   *
   * @example Match without resting the remainder
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(new Order(1, "buy", 1000, 10));
   * const sell = new Order(2, "sell", 990, 25);
   * assert.equal(book.match(sell), null);
   * assert.equal(sell.quantity, 15);
   * assert.equal(book.size, 0);
   * ```
   */
  match(order: O): O | null {
    if (order.level !== null) {
      throw new RangeError(
        `Cannot match order ${order.id} as it rests on a book`,
      );
    }
    const isBuy = order.side === "buy";
    const levels = isBuy ? this.#asks : this.#bids;
    const key = order.selfMatchKey;
    const limit = order.price;
    const listener = this.#listener;
    while (order.quantity > 0) {
      const n = levels.length;
      if (n === 0) return null;
      const level = levels[n - 1]!;
      if (isBuy ? level.price > limit : level.price < limit) return null;
      const resting = level.first as O;
      if (key !== 0 && resting.selfMatchKey === key) return resting;
      const quantity = resting.quantity < order.quantity
        ? resting.quantity
        : order.quantity;
      resting.quantity -= quantity;
      order.quantity -= quantity;
      level.quantity -= quantity;
      if (resting.quantity === 0) this.#unlink(resting, level, levels);
      listener.match(resting, order, quantity);
    }
    return null;
  }

  /**
   * Rests an order at the back of its price level without matching it.
   *
   * @param order The order; it must not rest, must have a positive quantity and must not
   *   cross the opposite side (call {@linkcode OrderBook.match} first).
   * @throws {RangeError} If `order` already rests, has no quantity, or crosses the book.
   *
   * @example Orders at one price queue in arrival order
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(new Order(1, "buy", 1000, 10));
   * book.add(new Order(2, "buy", 1000, 5));
   * assert.deepEqual([...book.orders("buy")].map((o) => o.id), [1, 2]);
   * ```
   */
  add(order: O): void {
    if (order.level !== null) {
      throw new RangeError(`Cannot add order ${order.id} as it already rests`);
    }
    if (!(order.quantity > 0)) {
      throw new RangeError(
        `Cannot add order ${order.id} as its quantity must be positive: current quantity is ${order.quantity}`,
      );
    }
    const isBuy = order.side === "buy";
    if (this.crosses(order.side, order.price)) {
      throw new RangeError(
        `Cannot add order ${order.id} as its price ${order.price} crosses the opposite side`,
      );
    }
    const levels = isBuy ? this.#bids : this.#asks;
    const level = this.#levelAt(
      levels,
      isBuy ? order.price : -order.price,
      order.price,
    );
    const last = level.last;
    order.prev = last;
    order.next = null;
    if (last === null) level.first = order;
    else last.next = order;
    level.last = order;
    level.quantity += order.quantity;
    level.count++;
    order.level = level;
    this.#size++;
    this.#listener.add(order);
  }

  /**
   * Matches an incoming order, then rests what is left of it unless self-match
   * prevention stopped it.
   *
   * @param order The incoming order; it must not rest.
   * @returns The resting order self-match prevention stopped at, or `null`.
   * @throws {RangeError} If `order` already rests.
   *
   * @example The remainder rests
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.enter(new Order(1, "sell", 1000, 10));
   * book.enter(new Order(2, "buy", 1000, 15));
   * assert.deepEqual(book.depth("buy", 5), [{ price: 1000, quantity: 5, orders: 1 }]);
   * assert.deepEqual(book.depth("sell", 5), []);
   * ```
   */
  enter(order: O): O | null {
    const stopper = this.match(order);
    if (stopper === null && order.quantity > 0) this.add(order);
    return stopper;
  }

  /**
   * Reduces a resting order's open quantity to `quantity`, keeping its time priority;
   * `0` removes it. A quantity at or above the open quantity, or an order that does not
   * rest on this book, changes nothing.
   *
   * @param order The resting order.
   * @param quantity The new open quantity.
   * @returns The quantity removed, `0` when nothing changed.
   *
   * @example Reduce, then remove
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * const order = new Order(1, "sell", 1000, 100);
   * book.add(order);
   * assert.equal(book.cancel(order, 40), 60);
   * assert.equal(book.cancel(order, 40), 0);
   * assert.equal(book.cancel(order), 40);
   * assert.equal(book.size, 0);
   * ```
   */
  cancel(order: O, quantity = 0): number {
    const level = order.level;
    if (level === null || level.owner !== this) return 0;
    if (!(quantity >= 0 && quantity < order.quantity)) return 0;
    const canceled = order.quantity - quantity;
    order.quantity = quantity;
    level.quantity -= canceled;
    if (quantity === 0) {
      this.#unlink(
        order,
        level,
        order.side === "buy" ? this.#bids : this.#asks,
      );
    }
    this.#listener.cancel(order, canceled);
    return canceled;
  }

  /**
   * Changes a resting order's price and quantity. It keeps its place when the price is
   * unchanged and the quantity does not increase. Otherwise it leaves the book and enters
   * again at the new price like a new order: it trades if it crosses, and the rest goes
   * to the back of its level unless self-match prevention stopped it. Quantity `0`
   * removes the order.
   *
   * @param order The resting order.
   * @param price The new limit.
   * @param quantity The new open quantity.
   * @returns The resting order self-match prevention stopped at, or `null`.
   * @throws {RangeError} If `order` does not rest on this book, or `price` or `quantity`
   *   is not a non-negative safe integer.
   *
   * @example A larger quantity loses priority
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * const first = new Order(1, "buy", 1000, 10);
   * book.add(first);
   * book.add(new Order(2, "buy", 1000, 10));
   * book.replace(first, 1000, 5);
   * assert.deepEqual([...book.orders("buy")].map((o) => o.id), [1, 2]);
   * book.replace(first, 1000, 20);
   * assert.deepEqual([...book.orders("buy")].map((o) => o.id), [2, 1]);
   * ```
   */
  replace(order: O, price: number, quantity: number): O | null {
    const level = order.level;
    if (level === null || level.owner !== this) {
      throw new RangeError(
        `Cannot replace order ${order.id} as it does not rest on this book`,
      );
    }
    if (
      !Number.isSafeInteger(price) || !Number.isSafeInteger(quantity) ||
      quantity < 0
    ) {
      throw new RangeError(
        `Cannot replace order ${order.id} as price and quantity must be safe integers: current values are ${price} and ${quantity}`,
      );
    }
    const previousPrice = order.price;
    const previousQuantity = order.quantity;
    if (
      quantity > 0 && price === previousPrice && quantity <= previousQuantity
    ) {
      level.quantity -= previousQuantity - quantity;
      order.quantity = quantity;
      this.#listener.replace(order, previousPrice, previousQuantity);
      return null;
    }
    level.quantity -= previousQuantity;
    this.#unlink(order, level, order.side === "buy" ? this.#bids : this.#asks);
    order.price = price;
    order.quantity = quantity;
    this.#listener.replace(order, previousPrice, previousQuantity);
    return quantity === 0 ? null : this.enter(order);
  }

  /**
   * Returns the aggregated top of one side.
   *
   * @param side The side.
   * @param levels How many levels at most.
   * @returns Up to `levels` levels, best first.
   * @throws {RangeError} If `levels` is not a non-negative integer.
   *
   * @example Two bid levels
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(new Order(1, "buy", 990, 10));
   * book.add(new Order(2, "buy", 1000, 10));
   * book.add(new Order(3, "buy", 1000, 5));
   * assert.deepEqual(book.depth("buy", 10), [
   *   { price: 1000, quantity: 15, orders: 2 },
   *   { price: 990, quantity: 10, orders: 1 },
   * ]);
   * ```
   */
  depth(side: BookSide, levels: number): LevelSummary[] {
    if (!Number.isSafeInteger(levels) || levels < 0) {
      throw new RangeError(
        `Cannot read depth as levels must be a non-negative integer: current value is ${levels}`,
      );
    }
    const all = side === "buy" ? this.#bids : this.#asks;
    const out: LevelSummary[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < levels; i--) {
      const level = all[i]!;
      out.push({
        price: level.price,
        quantity: level.quantity,
        orders: level.count,
      });
    }
    return out;
  }

  /**
   * Iterates the resting orders of one side in priority order: best price first, oldest
   * first within a price. Do not change the book while iterating.
   *
   * @param side The side.
   * @returns The orders in the order they would trade.
   *
   * @example Price before time
   * ```ts
   * import assert from "node:assert/strict";
   * import { Order, OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(new Order(1, "sell", 1010, 10));
   * book.add(new Order(2, "sell", 1000, 10));
   * assert.deepEqual([...book.orders("sell")].map((o) => o.id), [2, 1]);
   * ```
   */
  *orders(side: BookSide): IterableIterator<O> {
    const levels = side === "buy" ? this.#bids : this.#asks;
    for (let i = levels.length - 1; i >= 0; i--) {
      for (let order = levels[i]!.first; order !== null; order = order.next) {
        yield order as O;
      }
    }
  }

  /** Finds or creates the level with sort key `key` (the best level is checked first). */
  #levelAt(levels: PriceLevel[], key: number, price: number): PriceLevel {
    const n = levels.length;
    if (n !== 0) {
      const best = levels[n - 1]!;
      if (best.key === key) return best;
      if (best.key < key) return this.#insertLevel(levels, n, key, price);
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (levels[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo < n && levels[lo]!.key === key) return levels[lo]!;
    return this.#insertLevel(levels, lo, key, price);
  }

  #insertLevel(
    levels: PriceLevel[],
    at: number,
    key: number,
    price: number,
  ): PriceLevel {
    const level = this.#pool.pop() ?? new PriceLevel();
    level.key = key;
    level.price = price;
    level.owner = this;
    let i = levels.length;
    levels.push(level);
    while (i > at) {
      levels[i] = levels[i - 1]!;
      i--;
    }
    levels[at] = level;
    return level;
  }

  /** Takes `order` out of `level` (whose quantity the caller already adjusted). */
  #unlink(order: Order, level: PriceLevel, levels: PriceLevel[]): void {
    const prev = order.prev;
    const next = order.next;
    if (prev === null) level.first = next;
    else prev.next = next;
    if (next === null) level.last = prev;
    else next.prev = prev;
    order.prev = null;
    order.next = null;
    order.level = null;
    this.#size--;
    if (--level.count === 0) this.#dropLevel(level, levels);
  }

  #dropLevel(level: PriceLevel, levels: PriceLevel[]): void {
    const n = levels.length;
    if (levels[n - 1] !== level) {
      let lo = 0;
      let hi = n;
      const key = level.key;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (levels[mid]!.key < key) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < n - 1; i++) levels[i] = levels[i + 1]!;
    }
    levels.pop();
    level.first = null;
    level.last = null;
    level.quantity = 0;
    level.owner = null;
    if (this.#pool.length < MAX_POOLED_LEVELS) this.#pool.push(level);
  }
}
