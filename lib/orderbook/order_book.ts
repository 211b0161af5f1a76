/**
 * A limit order book with price-time priority.
 *
 * @module
 */

import { LAYOUT, type Rows, rowsOf } from "./_rows.ts";
import { type BookSide, OrderStore } from "./order_store.ts";

// Local copies of the row layout (see `LAYOUT`).
const {
  BUY,
  KEY,
  LEVEL,
  LEVEL_BOOK,
  LEVEL_COUNT,
  LEVEL_HEAD,
  LEVEL_PRICE,
  LEVEL_QUANTITY,
  LEVEL_SHIFT,
  LEVEL_TAIL,
  NEXT,
  NONE,
  NOT_RESTING,
  ORDER_SHIFT,
  PREV,
  PRICE,
  QUANTITY,
  RELEASED,
  SIDE,
} = LAYOUT;

/** Index of a level's quantity in `Rows.levelTotals`. */
function totalAt(level: number): number {
  return (level << (LEVEL_SHIFT - 1)) + LEVEL_QUANTITY;
}

/** Width of the price band whose levels a book finds without searching. */
const INDEX_SIZE = 4096;

/**
 * Receives what happens in an {@linkcode OrderBook}, synchronously and in order. The book
 * has already applied each change when it calls the listener; read the orders' fields
 * from the {@linkcode OrderStore}. A listener must not call into the book that notifies
 * it or another book of its store, nor create orders in the store; it may release an
 * order that left the book.
 *
 * The listener is an object with four methods rather than a function of event objects,
 * so that the book allocates nothing per event.
 */
export interface BookListener {
  /** `order` now rests at the back of the level at its price. */
  add(order: number): void;
  /**
   * `incoming` traded `quantity` with `resting`, at `price` (the resting order's price).
   * Both quantities are already reduced: `restingQuantity` is what is left of `resting`,
   * and at 0 it has left the book (and may be released here).
   */
  match(
    resting: number,
    incoming: number,
    quantity: number,
    price: number,
    restingQuantity: number,
  ): void;
  /** `order` lost `canceled` of its open quantity; it left the book if its quantity is 0. */
  cancel(order: number, canceled: number): void;
  /**
   * `order` now has its new price and quantity instead of `previousPrice` and
   * `previousQuantity`. If it still rests it kept its place; otherwise it is off the
   * book, and the `match` and `add` events that follow enter it again (none follow when
   * its quantity is 0).
   */
  replace(order: number, previousPrice: number, previousQuantity: number): void;
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

/** The state of one {@linkcode OrderBook} besides its store's: see {@linkcode OrderBook.exportState}. */
export interface OrderBookState {
  /** Bid level rows, ascending price. */
  bids: number[];
  /** Ask level rows, descending price. */
  asks: number[];
  /** The level at each price of the index's band. */
  index: Int32Array;
  /** The first price of the band. */
  base: number;
  /** Resting orders. */
  size: number;
}

/**
 * One limit order book: bids and asks in price-time priority, over the orders of an
 * {@linkcode OrderStore}.
 *
 * Each side is an array of price levels sorted so that the best level is last: the best
 * price is O(1), and a level is created or dropped by shifting the (short) array of
 * levels, never the orders. A level within 2,048 ticks of the price the book started at
 * (or restarted at, once empty) is found through a price-indexed table; one outside that
 * band by binary search. Within a level, orders form a FIFO list linked through the
 * store, so adding, trading, reducing and removing an order is O(1) however many orders
 * the level holds. Levels are rows of typed arrays, reused once empty; no operation
 * allocates, except when the store's arrays grow.
 *
 * Trades print at the resting order's price. Matching stops at the first resting order
 * whose non-zero self-match key equals the incoming order's.
 *
 * @example Fill the best ask first, at the resting price
 * ```ts
 * import assert from "node:assert/strict";
 * import { OrderBook, OrderStore } from "./mod.ts";
 *
 * const store = new OrderStore();
 * const fills: string[] = [];
 * const book = new OrderBook({
 *   add() {},
 *   match(resting, incoming, quantity, price) {
 *     fills.push(`${incoming}x${resting} ${quantity}@${price}`);
 *   },
 *   cancel() {},
 *   replace() {},
 * }, store);
 * const high = store.create("sell", 10_100, 100);
 * const low = store.create("sell", 10_000, 50);
 * book.add(high);
 * book.add(low);
 * const buy = store.create("buy", 10_100, 120);
 * book.enter(buy);
 * assert.deepEqual(fills, [`${buy}x${low} 50@10000`, `${buy}x${high} 70@10100`]);
 * assert.equal(store.quantity(buy), 0);
 * assert.deepEqual(book.depth("sell", 5), [{ price: 10_100, quantity: 30, orders: 1 }]);
 * ```
 */
export class OrderBook {
  readonly #listener: BookListener;
  readonly #store: OrderStore;
  readonly #c: Rows;
  /** This book's id in the store, to tell its own levels. */
  readonly #id: number;
  /** Bid levels, ascending price: best (highest) last. */
  readonly #bids: number[] = [];
  /** Ask levels, descending price: best (lowest) last. */
  readonly #asks: number[] = [];
  /**
   * The level at each price of `[#base, #base + INDEX_SIZE)`, `NONE` where there is
   * none (a price holds a bid level or an ask level, never both), so that finding a
   * level in the band around the touch costs no search.
   */
  readonly #index: Int32Array = new Int32Array(INDEX_SIZE).fill(NONE);
  #base = 0;
  #size = 0;

  /**
   * Creates an empty book.
   *
   * @param listener Receives every change, synchronously.
   * @param store Where the book's orders live; a new store by default. Several books
   *   may share one.
   * @throws {TypeError} If `store` is not an {@linkcode OrderStore}.
   */
  constructor(listener: BookListener, store: OrderStore = new OrderStore()) {
    this.#listener = listener;
    this.#store = store;
    this.#c = rowsOf(store);
    this.#id = this.#c.books++;
  }

  /**
   * The book's own state (its level lists and price index; the orders and levels are in
   * its store's state), for an engine snapshot. Arrays are views: copy or encode them
   * before the book changes again.
   *
   * @returns The state.
   *
   * @example A book restored on a restored store
   * ```ts
   * import assert from "node:assert/strict";
   * import { OrderBook, OrderStore } from "./mod.ts";
   *
   * const listener = { add() {}, match() {}, cancel() {}, replace() {} };
   * const store = new OrderStore();
   * const book = new OrderBook(listener, store);
   * book.enter(store.create("buy", 100, 5));
   * const copyStore = new OrderStore();
   * const copy = new OrderBook(listener, copyStore);
   * copyStore.importState(structuredClone(store.exportState()));
   * copy.importState(structuredClone(book.exportState()));
   * assert.deepEqual(copy.depth("buy", 1), [{ price: 100, quantity: 5, orders: 1 }]);
   * ```
   */
  exportState(): OrderBookState {
    return {
      bids: this.#bids.slice(),
      asks: this.#asks.slice(),
      index: this.#index.subarray(0),
      base: this.#base,
      size: this.#size,
    };
  }

  /**
   * Replaces the book's state with a copy of one from {@linkcode OrderBook.exportState}.
   *
   * @param state The state.
   * @throws {RangeError} When the price index is not the book's size.
   */
  importState(state: OrderBookState): void {
    if (state.index.length !== INDEX_SIZE) {
      throw new RangeError(
        `Cannot restore the order book: its price index has ${state.index.length} slots, not ${INDEX_SIZE}`,
      );
    }
    this.#bids.length = 0;
    this.#bids.push(...state.bids);
    this.#asks.length = 0;
    this.#asks.push(...state.asks);
    this.#index.set(state.index);
    this.#base = state.base;
    this.#size = state.size;
  }

  /** The store the book's orders live in. */
  get store(): OrderStore {
    return this.#store;
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
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * assert.equal(book.best("buy"), undefined);
   * book.add(book.store.create("buy", 990, 10));
   * book.add(book.store.create("buy", 1000, 10));
   * assert.equal(book.best("buy"), 1000);
   * ```
   */
  best(side: BookSide): number | undefined {
    const levels = side === "buy" ? this.#bids : this.#asks;
    const n = levels.length;
    return n === 0
      ? undefined
      : this.#c.levels[(levels[n - 1]! << LEVEL_SHIFT) + LEVEL_PRICE];
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
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(book.store.create("sell", 1000, 10));
   * assert.equal(book.crosses("buy", 1000), true);
   * assert.equal(book.crosses("buy", 999), false);
   * assert.equal(book.crosses("sell", 1), false);
   * ```
   */
  crosses(side: BookSide, price: number): boolean {
    return this.#crosses(side === "buy", price);
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
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(book.store.create("sell", 1000, 10, 7));
   * book.add(book.store.create("sell", 1000, 20, 8));
   * book.add(book.store.create("sell", 1010, 40, 0));
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
    const c = this.#c;
    const rows = c.orders;
    const levelRows = c.levels;
    const isBuy = side === "buy";
    const levels = isBuy ? this.#asks : this.#bids;
    const key = selfMatchKey | 0;
    let total = 0;
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i]!;
      const levelPrice = levelRows[(level << LEVEL_SHIFT) + LEVEL_PRICE]!;
      if (isBuy ? levelPrice > price : levelPrice < price) break;
      if (key === 0) {
        total += c.levelTotals[totalAt(level)]!;
      } else {
        let o = levelRows[(level << LEVEL_SHIFT) + LEVEL_HEAD]!;
        while (o !== NONE) {
          const at = o << ORDER_SHIFT;
          if (rows[at + KEY] === key) return total;
          total += rows[at + QUANTITY]!;
          if (total >= atLeast) return total;
          o = rows[at + NEXT]!;
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
   * @param order The incoming order: a live order of the store that does not rest.
   * @returns The resting order self-match prevention stopped at, or `-1`.
   * @throws {RangeError} If `order` is not a live order of the store, or rests.
   *
   * @example Match without resting the remainder
   * ```ts
   * import assert from "node:assert/strict";
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * const store = book.store;
   * book.add(store.create("buy", 1000, 10));
   * const sell = store.create("sell", 990, 25);
   * assert.equal(book.match(sell), -1);
   * assert.equal(store.quantity(sell), 15);
   * assert.equal(book.size, 0);
   * ```
   */
  match(order: number): number {
    const c = this.#c;
    if (c.levelOf(order) !== NOT_RESTING) {
      this.#refuseIncoming(c, order, "match");
    }
    return this.#match(c, order);
  }

  /** {@linkcode OrderBook.match} once `order` is known to be a valid incoming order. */
  #match(c: Rows, order: number): number {
    let rows = c.orders;
    const self = order << ORDER_SHIFT;
    const isBuy = rows[self + SIDE] === BUY;
    const levels = isBuy ? this.#asks : this.#bids;
    const key = rows[self + KEY]!;
    const limit = rows[self + PRICE]!;
    const listener = this.#listener;
    let remaining = rows[self + QUANTITY]!;
    while (remaining > 0) {
      const n = levels.length;
      if (n === 0) return NONE;
      const level = levels[n - 1]!;
      const levelAt = level << LEVEL_SHIFT;
      const levelRows = c.levels;
      const price = levelRows[levelAt + LEVEL_PRICE]!;
      if (isBuy ? price > limit : price < limit) return NONE;
      const resting = levelRows[levelAt + LEVEL_HEAD]!;
      const at = resting << ORDER_SHIFT;
      if (key !== 0 && rows[at + KEY] === key) return resting;
      const open = rows[at + QUANTITY]!;
      const quantity = open < remaining ? open : remaining;
      remaining -= quantity;
      rows[at + QUANTITY] = open - quantity;
      rows[self + QUANTITY] = remaining;
      c.levelTotals[totalAt(level)]! -= quantity;
      if (open === quantity) this.#unlink(c, resting, level, levels);
      listener.match(resting, order, quantity, price, open - quantity);
      // The listener cannot create orders, but reload in case the rows moved anyway.
      rows = c.orders;
    }
    return NONE;
  }

  /**
   * Rests an order at the back of its price level without matching it.
   *
   * @param order A live order of the store; it must not rest, must have a positive
   *   quantity and must not cross the opposite side (call {@linkcode OrderBook.match}
   *   first).
   * @throws {RangeError} If `order` is not a live order of the store, already rests,
   *   has no quantity, or crosses the book.
   *
   * @example Orders at one price queue in arrival order
   * ```ts
   * import assert from "node:assert/strict";
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * const first = book.store.create("buy", 1000, 10);
   * const second = book.store.create("buy", 1000, 5);
   * book.add(first);
   * book.add(second);
   * assert.deepEqual([...book.orders("buy")], [first, second]);
   * ```
   */
  add(order: number): void {
    const c = this.#c;
    if (c.levelOf(order) !== NOT_RESTING) this.#refuseIncoming(c, order, "add");
    const self = order << ORDER_SHIFT;
    const quantity = c.orders[self + QUANTITY]!;
    if (!(quantity > 0)) {
      throw new RangeError(
        `Cannot add order ${order} as its quantity must be positive: current quantity is ${quantity}`,
      );
    }
    const price = c.orders[self + PRICE]!;
    if (this.#crosses(c.orders[self + SIDE] === BUY, price)) {
      throw new RangeError(
        `Cannot add order ${order} as its price ${price} crosses the opposite side`,
      );
    }
    this.#add(c, order);
  }

  /**
   * {@linkcode OrderBook.add} once `order` is known to be a valid order that does not
   * rest, has a positive quantity and does not cross.
   */
  #add(c: Rows, order: number): void {
    const rows = c.orders;
    const self = order << ORDER_SHIFT;
    const quantity = rows[self + QUANTITY]!;
    const isBuy = rows[self + SIDE] === BUY;
    const price = rows[self + PRICE]!;
    const level = this.#levelAt(
      c,
      isBuy ? this.#bids : this.#asks,
      isBuy,
      price,
    );
    const levelRows = c.levels;
    const levelAt = level << LEVEL_SHIFT;
    const last = levelRows[levelAt + LEVEL_TAIL]!;
    rows[self + PREV] = last;
    rows[self + NEXT] = NONE;
    if (last === NONE) levelRows[levelAt + LEVEL_HEAD] = order;
    else rows[(last << ORDER_SHIFT) + NEXT] = order;
    levelRows[levelAt + LEVEL_TAIL] = order;
    levelRows[levelAt + LEVEL_COUNT]!++;
    c.levelTotals[totalAt(level)]! += quantity;
    rows[self + LEVEL] = level;
    this.#size++;
    this.#listener.add(order);
  }

  /**
   * Matches an incoming order, then rests what is left of it unless self-match
   * prevention stopped it.
   *
   * @param order The incoming order: a live order of the store that does not rest.
   * @returns The resting order self-match prevention stopped at, or `-1`.
   * @throws {RangeError} If `order` is not a live order of the store, or rests.
   *
   * @example The remainder rests
   * ```ts
   * import assert from "node:assert/strict";
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.enter(book.store.create("sell", 1000, 10));
   * book.enter(book.store.create("buy", 1000, 15));
   * assert.deepEqual(book.depth("buy", 5), [{ price: 1000, quantity: 5, orders: 1 }]);
   * assert.deepEqual(book.depth("sell", 5), []);
   * ```
   */
  enter(order: number): number {
    const c = this.#c;
    if (c.levelOf(order) !== NOT_RESTING) {
      this.#refuseIncoming(c, order, "enter");
    }
    const stopper = this.#match(c, order);
    // Matching stopped short of the limit only for self-match prevention, so what is
    // left does not cross.
    if (stopper === NONE && c.orders[(order << ORDER_SHIFT) + QUANTITY]! > 0) {
      this.#add(c, order);
    }
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
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * const order = book.store.create("sell", 1000, 100);
   * book.add(order);
   * assert.equal(book.cancel(order, 40), 60);
   * assert.equal(book.cancel(order, 40), 0);
   * assert.equal(book.cancel(order), 40);
   * assert.equal(book.size, 0);
   * ```
   */
  cancel(order: number, quantity = 0): number {
    const c = this.#c;
    const level = this.#levelOf(c, order);
    if (level === NONE) return 0;
    const rows = c.orders;
    const self = order << ORDER_SHIFT;
    const open = rows[self + QUANTITY]!;
    if (!(quantity >= 0 && quantity < open)) return 0;
    const canceled = open - quantity;
    rows[self + QUANTITY] = quantity;
    c.levelTotals[totalAt(level)]! -= canceled;
    if (quantity === 0) {
      this.#unlink(
        c,
        order,
        level,
        rows[self + SIDE] === BUY ? this.#bids : this.#asks,
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
   * @param price The new limit, a 32-bit signed integer.
   * @param quantity The new open quantity, a non-negative 32-bit signed integer.
   * @returns The resting order self-match prevention stopped at, or `-1`.
   * @throws {RangeError} If `order` does not rest on this book, or `price` or `quantity`
   *   is out of range.
   *
   * @example A larger quantity loses priority
   * ```ts
   * import assert from "node:assert/strict";
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * const first = book.store.create("buy", 1000, 10);
   * const second = book.store.create("buy", 1000, 10);
   * book.add(first);
   * book.add(second);
   * book.replace(first, 1000, 5);
   * assert.deepEqual([...book.orders("buy")], [first, second]);
   * book.replace(first, 1000, 20);
   * assert.deepEqual([...book.orders("buy")], [second, first]);
   * ```
   */
  replace(order: number, price: number, quantity: number): number {
    const c = this.#c;
    const level = this.#levelOf(c, order);
    if (level === NONE) {
      throw new RangeError(
        `Cannot replace order ${order} as it does not rest on this book`,
      );
    }
    if ((price | 0) !== price || (quantity | 0) !== quantity || quantity < 0) {
      throw new RangeError(
        `Cannot replace order ${order} as price and quantity must be 32-bit integers: current values are ${price} and ${quantity}`,
      );
    }
    const rows = c.orders;
    const self = order << ORDER_SHIFT;
    const previousPrice = rows[self + PRICE]!;
    const previousQuantity = rows[self + QUANTITY]!;
    if (
      quantity > 0 && price === previousPrice && quantity <= previousQuantity
    ) {
      c.levelTotals[totalAt(level)]! -= previousQuantity - quantity;
      rows[self + QUANTITY] = quantity;
      this.#listener.replace(order, previousPrice, previousQuantity);
      return NONE;
    }
    c.levelTotals[totalAt(level)]! -= previousQuantity;
    this.#unlink(
      c,
      order,
      level,
      rows[self + SIDE] === BUY ? this.#bids : this.#asks,
    );
    rows[self + PRICE] = price;
    rows[self + QUANTITY] = quantity;
    this.#listener.replace(order, previousPrice, previousQuantity);
    if (quantity === 0) return NONE;
    const stopper = this.#match(c, order);
    if (stopper === NONE && rows[self + QUANTITY]! > 0) this.#add(c, order);
    return stopper;
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
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * book.add(book.store.create("buy", 990, 10));
   * book.add(book.store.create("buy", 1000, 10));
   * book.add(book.store.create("buy", 1000, 5));
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
    const c = this.#c;
    const all = side === "buy" ? this.#bids : this.#asks;
    const out: LevelSummary[] = [];
    for (let i = all.length - 1; i >= 0 && out.length < levels; i--) {
      const level = all[i]!;
      const at = level << LEVEL_SHIFT;
      out.push({
        price: c.levels[at + LEVEL_PRICE]!,
        quantity: c.levelTotals[totalAt(level)]!,
        orders: c.levels[at + LEVEL_COUNT]!,
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
   * import { OrderBook } from "./mod.ts";
   *
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} });
   * const high = book.store.create("sell", 1010, 10);
   * const low = book.store.create("sell", 1000, 10);
   * book.add(high);
   * book.add(low);
   * assert.deepEqual([...book.orders("sell")], [low, high]);
   * ```
   */
  *orders(side: BookSide): IterableIterator<number> {
    const c = this.#c;
    const levels = side === "buy" ? this.#bids : this.#asks;
    for (let i = levels.length - 1; i >= 0; i--) {
      let o = c.levels[(levels[i]! << LEVEL_SHIFT) + LEVEL_HEAD]!;
      while (o !== NONE) {
        yield o;
        o = c.orders[(o << ORDER_SHIFT) + NEXT]!;
      }
    }
  }

  #crosses(isBuy: boolean, price: number): boolean {
    const levelRows = this.#c.levels;
    if (isBuy) {
      const asks = this.#asks;
      const n = asks.length;
      return n !== 0 &&
        levelRows[(asks[n - 1]! << LEVEL_SHIFT) + LEVEL_PRICE]! <= price;
    }
    const bids = this.#bids;
    const n = bids.length;
    return n !== 0 &&
      levelRows[(bids[n - 1]! << LEVEL_SHIFT) + LEVEL_PRICE]! >= price;
  }

  /** Throws the error for an `order` that cannot be entered, matched or added. */
  #refuseIncoming(c: Rows, order: number, action: string): never {
    if (c.levelOf(order) !== RELEASED) {
      throw new RangeError(
        `Cannot ${action} order ${order} as it ${
          action === "add" ? "already rests" : "rests on a book"
        }`,
      );
    }
    throw new RangeError(
      `Cannot ${action} order ${order} as it is not a live order of the store`,
    );
  }

  /** The level `order` rests in on this book, or `NONE`. */
  #levelOf(c: Rows, order: number): number {
    const level = c.levelOf(order);
    if (level < 0) return NONE;
    return c.levels[(level << LEVEL_SHIFT) + LEVEL_BOOK] === this.#id
      ? level
      : NONE;
  }

  /** Finds or creates the level at `price` (the best level is checked first). */
  #levelAt(
    c: Rows,
    levels: number[],
    isBuy: boolean,
    price: number,
  ): number {
    const slot = price - this.#base;
    if (slot >= 0 && slot < INDEX_SIZE) {
      const level = this.#index[slot]!;
      if (level !== NONE) return level;
    } else if (this.#bids.length === 0 && this.#asks.length === 0) {
      // An empty book: center the index on the new price.
      this.#base = price - (INDEX_SIZE >>> 1);
    }
    // Sort key: the price for bids, minus the price for asks; the best level is last.
    const levelRows = c.levels;
    const sign = isBuy ? 1 : -1;
    const key = sign * price;
    const n = levels.length;
    if (n !== 0) {
      const best = levels[n - 1]!;
      const bestKey = sign * levelRows[(best << LEVEL_SHIFT) + LEVEL_PRICE]!;
      if (bestKey === key) return best;
      if (bestKey < key) return this.#insertLevel(c, levels, n, price);
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = (levels[mid]! << LEVEL_SHIFT) + LEVEL_PRICE;
      if (sign * levelRows[at]! < key) lo = mid + 1;
      else hi = mid;
    }
    if (
      lo < n && levelRows[(levels[lo]! << LEVEL_SHIFT) + LEVEL_PRICE] === price
    ) {
      return levels[lo]!;
    }
    return this.#insertLevel(c, levels, lo, price);
  }

  #insertLevel(
    c: Rows,
    levels: number[],
    at: number,
    price: number,
  ): number {
    const level = c.allocateLevel(this.#id, price);
    const slot = price - this.#base;
    if (slot >= 0 && slot < INDEX_SIZE) this.#index[slot] = level;
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
  #unlink(c: Rows, order: number, level: number, levels: number[]): void {
    const rows = c.orders;
    const levelRows = c.levels;
    const self = order << ORDER_SHIFT;
    const levelAt = level << LEVEL_SHIFT;
    const prev = rows[self + PREV]!;
    const next = rows[self + NEXT]!;
    if (prev === NONE) levelRows[levelAt + LEVEL_HEAD] = next;
    else rows[(prev << ORDER_SHIFT) + NEXT] = next;
    if (next === NONE) levelRows[levelAt + LEVEL_TAIL] = prev;
    else rows[(next << ORDER_SHIFT) + PREV] = prev;
    rows[self + PREV] = NONE;
    rows[self + NEXT] = NONE;
    rows[self + LEVEL] = NOT_RESTING;
    this.#size--;
    if (--levelRows[levelAt + LEVEL_COUNT]! === 0) {
      this.#dropLevel(c, level, levels);
    }
  }

  #dropLevel(c: Rows, level: number, levels: number[]): void {
    const n = levels.length;
    if (levels[n - 1] !== level) {
      let i = levels.indexOf(level);
      for (; i < n - 1; i++) levels[i] = levels[i + 1]!;
    }
    levels.pop();
    const slot = c.levels[(level << LEVEL_SHIFT) + LEVEL_PRICE]! - this.#base;
    if (slot >= 0 && slot < INDEX_SIZE) this.#index[slot] = NONE;
    c.releaseLevel(level);
  }
}
