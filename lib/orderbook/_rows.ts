/**
 * The storage behind an {@linkcode OrderStore} and the books that share it: every order
 * is a 32-byte row of one `Int32Array`, and every price level a 32-byte row of another,
 * addressed by an integer index. A resting order is eight numbers in an array the
 * garbage collector never traces, not a JavaScript object, and everything the book
 * touches for it sits in one cache line. Released rows are kept on free lists and reused.
 *
 * Private to `lib/orderbook/`.
 *
 * @module
 */

/** The end of a list, and the link of an order or level that has none. */
const NONE = -1;
/** `LEVEL` of an order that exists but does not rest. */
const NOT_RESTING = -1;
/** `LEVEL` of a released order row (and what `levelOf` says of a row never handed out). */
const RELEASED = -2;

/** Side codes in the `SIDE` slot. */
const BUY = 0;
const SELL = 1;

/** `log2` of the int32 slots per order row. */
const ORDER_SHIFT = 3;
/** Limit price. */
const PRICE = 0;
/** Open quantity. */
const QUANTITY = 1;
/** Self-match prevention key (the uint32's bits), `0` for none. */
const KEY = 2;
/** Older order of the same level, or `NONE`. */
const PREV = 3;
/** Newer order of the same level, or `NONE`; for a released row, the next free row. */
const NEXT = 4;
/** The level the order rests in, `NOT_RESTING` or `RELEASED`. */
const LEVEL = 5;
/** `BUY` or `SELL`. */
const SIDE = 6;

/** `log2` of the int32 slots per level row. */
const LEVEL_SHIFT = 3;
/** Price of the level. */
const LEVEL_PRICE = 0;
/** Number of orders in the level. */
const LEVEL_COUNT = 1;
/** Oldest order; for a free level, the next free level. */
const LEVEL_HEAD = 2;
/** Newest order. */
const LEVEL_TAIL = 3;
/** Id of the book the level belongs to, `NONE` when free. */
const LEVEL_BOOK = 4;
/**
 * Total open quantity of the level, which may exceed 32 bits: a double in slots 6 and 7,
 * so index `(level << (LEVEL_SHIFT - 1)) + LEVEL_QUANTITY` of `levelTotals`.
 */
const LEVEL_QUANTITY = 3;

/** Bytes per order row. */
const ROW_BYTES = 4 << ORDER_SHIFT;
/** Bytes per level row. */
const LEVEL_BYTES = 4 << LEVEL_SHIFT;
/** Most order rows a store can hold: 2^26 rows of 32 bytes, 2 GiB. */
const MAX_ROWS = 1 << 26;

/**
 * The row layout, for the other files of the folder. They copy what they use into
 * constants of their own (`const { PRICE } = LAYOUT`): V8 folds a module's own
 * constants into the code it compiles, but loads exported and imported bindings at run
 * time, which costs several times the work of the access itself on the hot paths.
 */
export const LAYOUT = Object.freeze({
  NONE,
  NOT_RESTING,
  RELEASED,
  BUY,
  SELL,
  ORDER_SHIFT,
  PRICE,
  QUANTITY,
  KEY,
  PREV,
  NEXT,
  LEVEL,
  SIDE,
  LEVEL_SHIFT,
  LEVEL_PRICE,
  LEVEL_COUNT,
  LEVEL_HEAD,
  LEVEL_TAIL,
  LEVEL_BOOK,
  LEVEL_QUANTITY,
  MAX_ROWS,
});

/**
 * The whole state of an order store, as {@linkcode Rows.exportState} gives it: the order
 * rows, the level rows (quantities as doubles in the same memory) and the counters.
 */
export interface OrderStoreState {
  orders: Int32Array;
  top: number;
  free: number;
  live: number;
  levels: Int32Array;
  levelTop: number;
  levelFree: number;
  books: number;
}

/**
 * The order and level rows of a store and its books, with their free lists. Fields are
 * public to the folder; outside it, use the classes.
 *
 * The rows grow by doubling into a new array. (A resizable `ArrayBuffer` would grow in
 * place, but V8 compiles access to typed arrays over one into slower code.)
 */
export class Rows {
  /** Order rows. */
  orders: Int32Array;
  /** Rows ever handed out; rows at and above it were never used. */
  top = 0;
  /** First released row, or `NONE`. */
  free = NONE;
  /** Rows handed out and not released. */
  live = 0;

  /** Level rows. */
  levels: Int32Array;
  /** The same memory as `levels`, as doubles, for `LEVEL_QUANTITY`. */
  levelTotals: Float64Array;
  levelTop = 0;
  levelFree = NONE;

  /** Ids handed to books, so that a book can tell its own levels. */
  books = 0;

  constructor(capacity: number, levelCapacity: number) {
    this.orders = newOrders(capacity);
    const levels = new ArrayBuffer(levelCapacity * LEVEL_BYTES);
    this.levels = new Int32Array(levels);
    this.levelTotals = new Float64Array(levels);
  }

  /** The rows and counters, as views (see `OrderStore.exportState`). */
  exportState(): OrderStoreState {
    return {
      orders: this.orders.subarray(0),
      top: this.top,
      free: this.free,
      live: this.live,
      levels: this.levels.subarray(0),
      levelTop: this.levelTop,
      levelFree: this.levelFree,
      books: this.books,
    };
  }

  /** Takes a copy of exported rows and counters. */
  importState(state: OrderStoreState): void {
    const { orders, levels } = state;
    if (
      orders.length === 0 || orders.length % (ROW_BYTES / 4) !== 0 ||
      levels.length === 0 || levels.length % (LEVEL_BYTES / 4) !== 0 ||
      state.top > orders.length / (ROW_BYTES / 4) ||
      state.levelTop > levels.length / (LEVEL_BYTES / 4)
    ) {
      throw new RangeError(
        "Cannot restore the order store: its rows are not whole rows or its counters pass them",
      );
    }
    this.orders = orders.slice();
    this.top = state.top;
    this.free = state.free;
    this.live = state.live;
    const buffer = new ArrayBuffer(levels.byteLength);
    this.levels = new Int32Array(buffer);
    this.levels.set(levels);
    this.levelTotals = new Float64Array(buffer);
    this.levelTop = state.levelTop;
    this.levelFree = state.levelFree;
    this.books = state.books;
  }

  /** Hands out an order row that does not rest, growing the rows when all are used. */
  allocate(side: number, price: number, quantity: number, key: number): number {
    let order = this.free;
    let rows = this.orders;
    if (order !== NONE) {
      this.free = rows[(order << ORDER_SHIFT) + NEXT]!;
    } else {
      if ((this.top << ORDER_SHIFT) === rows.length) rows = this.#grow();
      order = this.top++;
    }
    const at = order << ORDER_SHIFT;
    rows[at + PRICE] = price;
    rows[at + QUANTITY] = quantity;
    rows[at + KEY] = key;
    rows[at + PREV] = NONE;
    rows[at + NEXT] = NONE;
    rows[at + LEVEL] = NOT_RESTING;
    rows[at + SIDE] = side;
    this.live++;
    return order;
  }

  /** Puts a row that does not rest back on the free list. */
  release(order: number): void {
    const rows = this.orders;
    const at = order << ORDER_SHIFT;
    rows[at + LEVEL] = RELEASED;
    rows[at + NEXT] = this.free;
    this.free = order;
    this.live--;
  }

  /** The `LEVEL` slot of `order`, or `RELEASED` for anything that is not a row. */
  levelOf(order: number): number {
    if (!(order >= 0 && order < this.top && (order | 0) === order)) {
      return RELEASED;
    }
    return this.orders[(order << ORDER_SHIFT) + LEVEL]!;
  }

  /** Hands out an empty level of book `book` at `price`. */
  allocateLevel(book: number, price: number): number {
    let level = this.levelFree;
    if (level !== NONE) {
      this.levelFree = this.levels[(level << LEVEL_SHIFT) + LEVEL_HEAD]!;
    } else {
      if ((this.levelTop << LEVEL_SHIFT) === this.levels.length) {
        this.#growLevels();
      }
      level = this.levelTop++;
    }
    const rows = this.levels;
    const at = level << LEVEL_SHIFT;
    rows[at + LEVEL_PRICE] = price;
    rows[at + LEVEL_COUNT] = 0;
    rows[at + LEVEL_HEAD] = NONE;
    rows[at + LEVEL_TAIL] = NONE;
    rows[at + LEVEL_BOOK] = book;
    this.levelTotals[(level << (LEVEL_SHIFT - 1)) + LEVEL_QUANTITY] = 0;
    return level;
  }

  /** Puts an empty level back on the free list. */
  releaseLevel(level: number): void {
    const at = level << LEVEL_SHIFT;
    this.levels[at + LEVEL_BOOK] = NONE;
    this.levels[at + LEVEL_HEAD] = this.levelFree;
    this.levelFree = level;
  }

  #grow(): Int32Array {
    const rows = this.orders.length >>> ORDER_SHIFT;
    if (rows >= MAX_ROWS) {
      throw new RangeError(
        `Cannot create order as the store is full: current size is ${rows} orders`,
      );
    }
    const grown = newOrders(Math.min(rows * 2, MAX_ROWS));
    grown.set(this.orders);
    return this.orders = grown;
  }

  #growLevels(): void {
    const buffer = new ArrayBuffer(this.levels.byteLength * 2);
    const levels = new Int32Array(buffer);
    levels.set(this.levels);
    this.levels = levels;
    this.levelTotals = new Float64Array(buffer);
  }
}

/** Order rows for `capacity` orders; rows at and above `top` are never read. */
function newOrders(capacity: number): Int32Array {
  return new Int32Array(capacity * ROW_BYTES / 4);
}

const registry = new WeakMap<object, Rows>();

/** Records the rows of a new store. */
export function register(store: object, rows: Rows): void {
  registry.set(store, rows);
}

/**
 * The rows of a store.
 *
 * @throws {TypeError} If `store` is not an `OrderStore`.
 */
export function rowsOf(store: object): Rows {
  const rows = registry.get(store);
  if (rows === undefined) {
    throw new TypeError(
      "Cannot use order store as it is not an OrderStore",
    );
  }
  return rows;
}
