/**
 * The orders of one or more {@linkcode OrderBook}s, kept as integer handles.
 *
 * @module
 */

import { LAYOUT, type OrderStoreState, register, Rows } from "./_rows.ts";

export type { OrderStoreState };

// Local copies of the row layout (see `LAYOUT`).
const {
  BUY,
  KEY,
  LEVEL,
  MAX_ROWS,
  NOT_RESTING,
  ORDER_SHIFT,
  PRICE,
  QUANTITY,
  RELEASED,
  SELL,
  SIDE,
} = LAYOUT;

/** The side of an order in the book: `"buy"` rests as a bid, `"sell"` as an ask. */
export type BookSide = "buy" | "sell";

const MIN_CAPACITY = 16;
const MAX_INT32 = 0x7fff_ffff;
const MIN_INT32 = -0x8000_0000;

function checkRange(
  value: number,
  min: number,
  max: number,
  what: string,
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      `Cannot create order as ${what} must be an integer in ${min}..${max}: current ${what} is ${value}`,
    );
  }
}

/**
 * Where orders live: each order is an integer handle to a 32-byte row of an `Int32Array`
 * (side, price, open quantity, self-match key and the links of its level's FIFO queue),
 * so a resting order costs no JavaScript object and the garbage collector has nothing
 * per order to trace. Handles are 0, 1, 2 … in creation order,
 * except that released handles are reused first, the last released first.
 *
 * Create orders here, then {@linkcode OrderBook.enter} them into a book built on this
 * store; several books may share one store, so that handles are unique across them.
 * Change a resting order's price and quantity only through its book. Release an order
 * once it neither rests nor is being entered; until then its handle stays valid and its
 * fields readable, whatever happened to it. The field readers do not check the handle:
 * for one that is not live they return a meaningless value.
 *
 * Prices and quantities are 32-bit integers, self-match keys unsigned 32-bit integers.
 *
 * @example Create, read, release
 * ```ts
 * import assert from "node:assert/strict";
 * import { OrderStore } from "./mod.ts";
 *
 * const store = new OrderStore();
 * const order = store.create("buy", 10_000, 100);
 * assert.equal(store.side(order), "buy");
 * assert.equal(store.price(order), 10_000);
 * assert.equal(store.quantity(order), 100);
 * assert.equal(store.selfMatchKey(order), 0);
 * assert.equal(store.resting(order), false);
 * store.release(order);
 * assert.equal(store.size, 0);
 * assert.equal(store.create("sell", 1, 1), order, "the handle is reused");
 * ```
 */
export class OrderStore {
  readonly #c: Rows;

  /**
   * Creates an empty store.
   *
   * @param capacity How many orders to make room for up front; the store grows by
   *   doubling when it needs more, up to 2^26 (67,108,864) orders.
   * @throws {RangeError} If `capacity` is not an integer in 1..2^26.
   */
  constructor(capacity = 1024) {
    if (
      !Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_ROWS
    ) {
      throw new RangeError(
        `Cannot create order store as capacity must be an integer in 1..${MAX_ROWS}: current capacity is ${capacity}`,
      );
    }
    const rows = Math.max(MIN_CAPACITY, capacity);
    this.#c = new Rows(rows, MIN_CAPACITY);
    register(this, this.#c);
  }

  /** Number of orders created and not released. */
  get size(): number {
    return this.#c.live;
  }

  /**
   * The store's whole state (every row, the free lists), for an engine snapshot: restored
   * by {@linkcode OrderStore.importState} into another store, that store hands out the
   * same handles from then on. The arrays are views of the store's own: copy or encode
   * them before the store changes again.
   *
   * @returns The state.
   *
   * @example A copy hands out the same handles
   * ```ts
   * import assert from "node:assert/strict";
   * import { OrderStore } from "./order_store.ts";
   *
   * const store = new OrderStore();
   * store.release(store.create("buy", 10, 5));
   * store.create("sell", 11, 6);
   * const copy = new OrderStore();
   * copy.importState(structuredClone(store.exportState()));
   * assert.equal(copy.size, 1);
   * assert.equal(copy.create("buy", 1, 1), store.create("buy", 1, 1));
   * ```
   */
  exportState(): OrderStoreState {
    return this.#c.exportState();
  }

  /**
   * Replaces the store's state with a copy of one from {@linkcode OrderStore.exportState}.
   * Books on the store must be restored too ({@linkcode OrderBook.importState}).
   *
   * @param state The state.
   * @throws {RangeError} When the arrays are not whole rows or the counters pass them.
   */
  importState(state: OrderStoreState): void {
    this.#c.importState(state);
  }

  /**
   * Creates an order that does not rest yet.
   *
   * @param side `"buy"` or `"sell"`.
   * @param price Limit price, a 32-bit signed integer.
   * @param quantity Quantity, a non-negative 32-bit signed integer.
   * @param selfMatchKey Self-match prevention key, an unsigned 32-bit integer; an
   *   incoming order stops matching at the first resting order with the same non-zero
   *   key. `0` never stops.
   * @returns The order's handle, a non-negative integer.
   * @throws {TypeError} If `side` is neither `"buy"` nor `"sell"`.
   * @throws {RangeError} If `price`, `quantity` or `selfMatchKey` is out of range.
   *
   * @example A bad side is refused
   * ```ts
   * import assert from "node:assert/strict";
   * import { type BookSide, OrderStore } from "./mod.ts";
   *
   * const store = new OrderStore();
   * assert.throws(() => store.create("hold" as BookSide, 1, 1), TypeError);
   * assert.throws(() => store.create("buy", 1.5, 1), RangeError);
   * ```
   */
  create(
    side: BookSide,
    price: number,
    quantity: number,
    selfMatchKey = 0,
  ): number {
    if ((price | 0) !== price) checkRange(price, MIN_INT32, MAX_INT32, "price");
    if ((quantity | 0) !== quantity || quantity < 0) {
      checkRange(quantity, 0, MAX_INT32, "quantity");
    }
    if ((selfMatchKey >>> 0) !== selfMatchKey) {
      checkRange(selfMatchKey, 0, 0xffff_ffff, "self-match key");
    }
    let code: number;
    if (side === "buy") code = BUY;
    else if (side === "sell") code = SELL;
    else {
      throw new TypeError(
        `Cannot create order as side must be "buy" or "sell": current side is "${side}"`,
      );
    }
    return this.#c.allocate(code, price, quantity, selfMatchKey);
  }

  /**
   * Releases an order that does not rest, so that its handle can be reused. Its fields
   * must not be read afterwards.
   *
   * @param order The order.
   * @throws {RangeError} If `order` is unknown, already released or rests on a book.
   *
   * @example A resting order cannot be released
   * ```ts
   * import assert from "node:assert/strict";
   * import { OrderBook, OrderStore } from "./mod.ts";
   *
   * const store = new OrderStore();
   * const book = new OrderBook({ add() {}, match() {}, cancel() {}, replace() {} }, store);
   * const order = store.create("buy", 100, 10);
   * book.add(order);
   * assert.throws(() => store.release(order), RangeError);
   * book.cancel(order);
   * store.release(order);
   * assert.throws(() => store.release(order), RangeError);
   * ```
   */
  release(order: number): void {
    const c = this.#c;
    const level = c.levelOf(order);
    if (level === RELEASED) {
      throw new RangeError(
        `Cannot release order ${order} as it is not a live order of this store`,
      );
    }
    if (level !== NOT_RESTING) {
      throw new RangeError(`Cannot release order ${order} as it rests`);
    }
    c.release(order);
  }

  /**
   * Tells whether a handle is a live order of this store: created and not released.
   *
   * @param order The handle.
   * @returns Whether the order exists.
   *
   * @example Released and unknown handles
   * ```ts
   * import assert from "node:assert/strict";
   * import { OrderStore } from "./mod.ts";
   *
   * const store = new OrderStore();
   * const order = store.create("sell", 100, 1);
   * assert.equal(store.has(order), true);
   * store.release(order);
   * assert.equal(store.has(order), false);
   * assert.equal(store.has(-1), false);
   * assert.equal(store.has(0.5), false);
   * ```
   */
  has(order: number): boolean {
    return this.#c.levelOf(order) !== RELEASED;
  }

  /**
   * The side of an order.
   *
   * @param order A live order.
   * @returns `"buy"` or `"sell"`.
   */
  side(order: number): BookSide {
    return this.#c.orders[(order << ORDER_SHIFT) + SIDE] === BUY
      ? "buy"
      : "sell";
  }

  /**
   * The limit price of an order.
   *
   * @param order A live order.
   * @returns The price.
   */
  price(order: number): number {
    return this.#c.orders[(order << ORDER_SHIFT) + PRICE]!;
  }

  /**
   * The open quantity of an order: what rests on the book, or what is still to trade
   * for an incoming order. `0` once it traded in full or was canceled.
   *
   * @param order A live order.
   * @returns The quantity.
   */
  quantity(order: number): number {
    return this.#c.orders[(order << ORDER_SHIFT) + QUANTITY]!;
  }

  /**
   * The self-match prevention key of an order.
   *
   * @param order A live order.
   * @returns The key, `0` for none.
   */
  selfMatchKey(order: number): number {
    return this.#c.orders[(order << ORDER_SHIFT) + KEY]! >>> 0;
  }

  /**
   * Tells whether an order rests on a book.
   *
   * @param order A live order.
   * @returns Whether it rests.
   */
  resting(order: number): boolean {
    return this.#c.orders[(order << ORDER_SHIFT) + LEVEL]! >= 0;
  }
}
