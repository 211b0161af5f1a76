/**
 * What the matcher keeps per order beyond what the book keeps, as 32-byte rows indexed by
 * the order's handle in the {@linkcode OrderStore}: numbers in one buffer seen through
 * typed arrays, and one shared string reference per order for the Client Reference.
 *
 * @module
 */

/** `log2` of the int32 slots per row. */
const DATA_SHIFT = 3;
/** The current Order Token (the uint32's bits). */
const TOKEN = 0;
/** Index of the account in the matcher's account list. */
const ACCOUNT = 1;
/** Index of the orderbook in the matcher's venue list. */
const VENUE = 2;
/** The packed one-byte fields, see `_fields.ts`. */
const ATTRIBUTES = 3;
/**
 * Order Number, an unsigned 64-bit integer in slots 4 and 5: index
 * `(order << (DATA_SHIFT - 1)) + ORDER_NUMBER` of `orderNumbers`. Kept whole rather than
 * as the day's counter: reading it back makes one bigint, where `base + BigInt(counter)`
 * from a double makes two and costs three times as much (measured).
 */
const ORDER_NUMBER = 2;
/** Quantity executed over the order's life, a double in slots 6 and 7, like `ORDER_NUMBER`. */
const EXECUTED = 3;

/**
 * The row layout, for the matcher, which copies what it uses into constants of its own:
 * V8 folds a module's own constants into the code it compiles, but loads exported and
 * imported bindings at run time.
 */
export const DATA_LAYOUT = Object.freeze({
  DATA_SHIFT,
  TOKEN,
  ACCOUNT,
  VENUE,
  ATTRIBUTES,
  ORDER_NUMBER,
  EXECUTED,
});

/** Bytes per row. */
const ROW_BYTES = 4 << DATA_SHIFT;
/**
 * The matcher's rows of the orders. Fields are public to the folder. They grow by
 * doubling into new arrays, like the store's rows.
 */
export class OrderData {
  /** The rows. */
  rows: Int32Array;
  /** The same memory as `rows`, as doubles. */
  numbers: Float64Array;
  /** The same memory as `rows`, as unsigned 64-bit integers (Order Numbers). */
  orderNumbers: BigUint64Array;
  /** The Client Reference of each order, shared with equal neighbours. */
  clientReference: string[];

  constructor(capacity: number) {
    const buffer = new ArrayBuffer(capacity * ROW_BYTES);
    this.rows = new Int32Array(buffer);
    this.numbers = new Float64Array(buffer);
    this.orderNumbers = new BigUint64Array(buffer);
    this.clientReference = new Array<string>(capacity).fill("");
  }

  /** Takes a copy of exported rows and references (a snapshot's). */
  importState(rows: Int32Array, clientReference: readonly string[]): void {
    if (
      rows.length % (ROW_BYTES / 4) !== 0 ||
      rows.length / (ROW_BYTES / 4) !== clientReference.length
    ) {
      throw new RangeError(
        "Cannot restore the order data: its rows and references do not match",
      );
    }
    const buffer = new ArrayBuffer(rows.byteLength);
    this.rows = new Int32Array(buffer);
    this.rows.set(rows);
    this.numbers = new Float64Array(buffer);
    this.orderNumbers = new BigUint64Array(buffer);
    this.clientReference = clientReference.slice();
  }

  /** Makes room for handle `order` (handles grow one at a time from 0). */
  ensure(order: number): void {
    const capacity = this.rows.length >>> DATA_SHIFT;
    if (order < capacity) return;
    let grown = capacity * 2;
    while (grown <= order) grown *= 2;
    const buffer = new ArrayBuffer(grown * ROW_BYTES);
    const rows = new Int32Array(buffer);
    rows.set(this.rows);
    this.rows = rows;
    this.numbers = new Float64Array(buffer);
    this.orderNumbers = new BigUint64Array(buffer);
    const old = this.clientReference;
    const references = new Array<string>(grown);
    for (let i = 0; i < capacity; i++) references[i] = old[i]!;
    references.fill("", capacity);
    this.clientReference = references;
  }
}
