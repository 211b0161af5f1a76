/**
 * Rebuilds every orderbook from an ITCH feed: the orders by Order Number, the price levels
 * in priority order, trades, trading and short-sell states, the system state and the
 * directory.
 *
 * @module
 */

import { putUint64 } from "../codec/_binary.ts";
import { ItchBookError, ItchDecodeError } from "./errors.ts";
import { isVersion16, orderbookIdOfKey, orderbookKey } from "./_fields.ts";
import {
  ABSENT,
  PAIR_A,
  PAIR_B,
  PAIR_EMPTY,
  PAIR_SHIFT,
  PAIR_VALUE,
  pairHome,
  PairTable,
} from "./_pair_table.ts";
import { decodeItch } from "./message.ts";
import {
  type ItchMessage,
  type ItchSide,
  type ItchSystemEventCode,
  type ItchVersion,
  NANOSECONDS_PER_SECOND,
  NO_REFERENCE_PRICE,
  type OrderbookDirectory,
  type PriceTickSize,
  type ShortSellingStateCode,
  type TradingStateCode,
} from "./messages.ts";

/** Options of a {@linkcode BookBuilder}. */
export interface BookBuilderOptions {
  /**
   * ITCH version of the feed: Orderbook Id as Alpha (`"1.7"`) or as a uint32 (`"1.6"`).
   *
   * @default {"1.7"}
   */
  version?: ItchVersion;
  /**
   * How many trades {@linkcode BookBuilder.trades} keeps per orderbook.
   *
   * @default {100}
   */
  tradeHistory?: number;
}

/** One aggregated price level. */
export interface BookLevel {
  /** Price in tenths. */
  readonly price: number;
  /** Total open quantity at the price. */
  readonly quantity: number;
  /** Number of orders at the price. */
  readonly orders: number;
}

/** The levels of one orderbook, best first. */
export interface BookDepth {
  readonly orderbookId: string;
  /** Bids, highest price first. */
  readonly bids: BookLevel[];
  /** Asks, lowest price first. */
  readonly asks: BookLevel[];
}

/** One order on the book. */
export interface BookOrder {
  readonly orderNumber: bigint;
  /** Price in tenths. */
  readonly price: number;
  /** Open quantity. */
  readonly quantity: number;
}

/** One trade, from an Order Executed: it prints at the resting order's price. */
export interface BookTrade {
  readonly matchNumber: bigint;
  /** The resting order. */
  readonly orderNumber: bigint;
  /** The resting order's side. */
  readonly side: ItchSide;
  /** Price in tenths. */
  readonly price: number;
  readonly quantity: number;
  /** Nanoseconds since midnight of the day the session started. */
  readonly timestamp: number;
}

/** An orderbook's directory entry and state. */
export interface OrderbookState {
  readonly orderbookId: string;
  readonly isin: string;
  readonly group: string;
  readonly roundLotSize: number;
  readonly tickTableId: number;
  readonly priceDecimals: number;
  readonly upperPriceLimit: number;
  readonly lowerPriceLimit: number;
  /** The latest reference price (Order Added with Order Number 0), `null` for none. */
  readonly referencePrice: number | null;
  /**
   * `T` after an `H T`; `V` (suspended) until then, as the venue says of an orderbook absent
   * from the trading state spin.
   */
  readonly tradingState: TradingStateCode;
  /** `1` after a `Y 1`; `0` until then. */
  readonly shortSellingState: ShortSellingStateCode;
  /** The price of the latest trade, `null` before the first. */
  readonly lastPrice: number | null;
  /** Shares traded today. */
  readonly tradedQuantity: number;
  /** Trades today. */
  readonly tradeCount: number;
}

// Order rows: 8 int32 slots each.
const ORDER_SHIFT = 3;
const O_PRICE = 0;
const O_QUANTITY = 1;
const O_PREV = 2;
const O_NEXT = 3;
const O_LEVEL = 4;
const O_HIGH = 5;
const O_LOW = 6;

// Level rows: 8 int32 slots each; the total quantity is a double in slots 6 and 7.
const LEVEL_SHIFT = 3;
const L_PRICE = 0;
const L_COUNT = 1;
const L_HEAD = 2;
const L_TAIL = 3;
/** Book index times 2 plus the side (0 buy, 1 sell). */
const L_BOOK_SIDE = 4;
/** Position of the level in its book side's (unordered) list. */
const L_POSITION = 5;
/** Index of the total in the double view: `(level << 2) + L_TOTAL`. */
const L_TOTAL = 3;

const NONE = -1;
const BUY = 0;
const SELL = 1;
/** Up to this many orderbooks, a book is found by a scan rather than a `Map`. */
const SCANNED_BOOKS = 16;

/** Entries of the builder's level cache (a power of two). */
const LEVEL_CACHE = 1 << 10;

/** The level cache's entry for a book side and price. */
function levelSlot(bookSide: number, price: number): number {
  return Math.imul(price ^ Math.imul(bookSide, 0x85ebca6b), 0x9e3779b1) >>> 22;
}

// Kept trades: 8 doubles each.
const TRADE_SIZE = 8;

/** Reads a big-endian uint32 at `at` as an int32 (the same 32 bits). */
function read32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

/** The uint64 with these halves. */
function bigintOf(high: number, low: number): bigint {
  return (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);
}

/** One orderbook: directory, states, levels, trades. */
class Book {
  readonly index: number;
  readonly key: number;
  directory: OrderbookDirectory;
  referencePrice: number | null = null;
  tradingState: TradingStateCode = "V";
  shortSellingState: ShortSellingStateCode = "0";
  /** The levels of each side (`BUY`, `SELL`), in no order: sorted only when read. */
  readonly levels: [number[], number[]] = [[], []];
  lastPrice = -1;
  tradedQuantity = 0;
  tradeCount = 0;
  /** Kept trades (`TRADE_SIZE` doubles each), allocated with the first. */
  trades: Float64Array | null = null;
  tradeNext = 0;

  constructor(index: number, key: number, directory: OrderbookDirectory) {
    this.index = index;
    this.key = key;
    this.directory = directory;
  }
}

/**
 * A book builder: applies ITCH messages, decoded ({@linkcode BookBuilder.apply}) or straight
 * from bytes ({@linkcode BookBuilder.applyMessage}, {@linkcode BookBuilder.applyFrames}, which
 * make no object per order message), to per-orderbook order maps and price levels in
 * priority order.
 *
 * Rules (M5–M8 and the official text): `A`/`F` puts an order at the back of its price level
 * (Order Number 0: the orderbook's reference price instead); `E` takes the executed quantity
 * off the order and records a trade at the order's price, removing the order at 0; `D`
 * removes it; `U` gives it its new Order Number, open quantity and price, keeping its place
 * when the price is unchanged and the quantity did not increase (the matcher's rule, K9) and
 * sending it to the back of the new price's level otherwise. `H` and `Y` set the states (an
 * orderbook is suspended until an `H T`, as the venue says of one absent from the spin), `S`
 * the system state of its group (`""`: system-wide), `R` and `L` the directory, `T` the
 * seconds, `G` the sequence number a snapshot is current to.
 *
 * A message that does not fit the book (an unknown order or orderbook, an Order Number
 * added twice, an execution above the open quantity) throws {@linkcode ItchBookError} and
 * changes nothing.
 *
 * @example Add, execute, look
 * ```ts
 * import { BookBuilder } from "./book_builder.ts";
 * import { encodeItch } from "./message.ts";
 * import assert from "node:assert/strict";
 *
 * const builder = new BookBuilder();
 * builder.apply({
 *   type: "orderbookDirectory", nanoseconds: 0, orderbookId: "7203", isin: "JP3633400001",
 *   group: "DAY", roundLotSize: 100, tickTableId: 1, priceDecimals: 1,
 *   upperPriceLimit: 33_000, lowerPriceLimit: 23_000,
 * });
 * builder.apply({
 *   type: "orderAdded", nanoseconds: 1, orderNumber: 11n, side: "S", quantity: 300,
 *   orderbookId: "7203", group: "DAY", price: 28_000,
 * });
 * builder.applyMessage(encodeItch({
 *   type: "orderExecuted", nanoseconds: 2, orderNumber: 11n, executedQuantity: 100,
 *   matchNumber: 5n,
 * }));
 * assert.deepEqual(builder.depth("7203").asks, [{ price: 28_000, quantity: 200, orders: 1 }]);
 * assert.equal(builder.orderbook("7203")?.lastPrice, 28_000);
 * assert.deepEqual(builder.trades("7203").map((t) => t.matchNumber), [5n]);
 * ```
 */
export class BookBuilder {
  readonly #v16: boolean;
  readonly #options: { version: ItchVersion };
  readonly #tradeHistory: number;

  #orders = new Int32Array(1024 << ORDER_SHIFT);
  #orderTop = 0;
  #orderFree = NONE;
  #orderCount = 0;

  #levels = new Int32Array(256 << LEVEL_SHIFT);
  #totals = new Float64Array(this.#levels.buffer);
  #levelTop = 0;
  #levelFree = NONE;

  /** Order Number halves → order row. */
  readonly #orderIndex = new PairTable(1024);
  /** (book and side, price) → level row. */
  readonly #levelIndex = new PairTable(256);
  /**
   * Recent levels, direct-mapped by `levelSlot(bookSide, price)`: an entry is trusted only
   * when the level row still has that book side and price and holds orders.
   */
  readonly #levelCache = new Int32Array(LEVEL_CACHE).fill(NONE);

  readonly #books: Book[] = [];
  /** The books' keys, by index, for the scan of a few books. */
  readonly #bookKeys: number[] = [];
  readonly #byKey = new Map<number, Book>();
  /**
   * Book indexes plus one (0: none), direct-mapped by the top 6 bits of the key times a
   * constant: an entry is trusted only when `#bookKeys` has the key at that index.
   */
  readonly #bookCache = new Int32Array(64);
  readonly #tickSizes: PriceTickSize[] = [];
  readonly #systemEvents = new Map<string, ItchSystemEventCode>();
  #seconds = 0;
  #nanoseconds = 0;
  #endOfSnapshot: number | null = null;
  /** Scratch for splitting a bigint into its halves. */
  readonly #split = new Uint8Array(8);

  /**
   * Creates an empty builder.
   *
   * @param options The ITCH version and the trade history size.
   * @throws {RangeError} If the version is unknown or `tradeHistory` is not a non-negative
   * integer.
   */
  constructor(options: BookBuilderOptions = {}) {
    this.#v16 = isVersion16(options);
    this.#options = { version: this.#v16 ? "1.6" : "1.7" };
    const history = options.tradeHistory ?? 100;
    if (!Number.isSafeInteger(history) || history < 0) {
      throw new RangeError(
        `Cannot create book builder as tradeHistory must be a non-negative integer: current value is ${history}`,
      );
    }
    this.#tradeHistory = history;
  }

  // -------------------------------------------------------------------------------------
  // Applying messages

  /**
   * Applies one decoded message.
   *
   * @param message The message.
   * @throws {ItchBookError} If it does not fit the book; nothing changes then.
   * @throws {TypeError} If its type is unknown.
   */
  apply(message: ItchMessage): void {
    switch (message.type) {
      case "timestampSeconds":
        this.#seconds = message.seconds;
        this.#nanoseconds = 0;
        return;
      case "orderAdded":
      case "orderAddedWithAttributes": {
        const book = this.#bookOf(
          orderbookKey(message.orderbookId, this.#v16),
          message.type,
        );
        this.#splitNumber(message.orderNumber);
        const high = read32(this.#split, 0);
        const low = read32(this.#split, 4);
        this.#added(
          book,
          high,
          low,
          message.side === "B" ? BUY : SELL,
          message.quantity,
          message.price,
          message.type,
        );
        break;
      }
      case "orderExecuted": {
        this.#splitNumber(message.matchNumber);
        const matchHigh = read32(this.#split, 0);
        const matchLow = read32(this.#split, 4);
        this.#splitNumber(message.orderNumber);
        this.#executed(
          read32(this.#split, 0),
          read32(this.#split, 4),
          message.executedQuantity,
          matchHigh,
          matchLow,
          message.nanoseconds,
        );
        break;
      }
      case "orderDeleted":
        this.#splitNumber(message.orderNumber);
        this.#deleted(read32(this.#split, 0), read32(this.#split, 4));
        break;
      case "orderReplaced": {
        this.#splitNumber(message.newOrderNumber);
        const newHigh = read32(this.#split, 0);
        const newLow = read32(this.#split, 4);
        this.#splitNumber(message.originalOrderNumber);
        this.#replaced(
          read32(this.#split, 0),
          read32(this.#split, 4),
          newHigh,
          newLow,
          message.quantity,
          message.price,
        );
        break;
      }
      case "systemEvent":
        this.#systemEvents.set(message.group, message.eventCode);
        break;
      case "priceTickSize":
        this.#tickSizes.push({ ...message, nanoseconds: 0 });
        break;
      case "orderbookDirectory":
        this.#directory(message);
        break;
      case "tradingState":
        this.#bookOf(
          orderbookKey(message.orderbookId, this.#v16),
          message.type,
        ).tradingState = message.tradingState;
        break;
      case "shortSellingState":
        this.#bookOf(
          orderbookKey(message.orderbookId, this.#v16),
          message.type,
        ).shortSellingState = message.shortSellingState;
        break;
      case "endOfSnapshot":
        this.#endOfSnapshot = message.sequenceNumber;
        return;
      default:
        throw new TypeError(
          `Cannot apply message as its type is unknown: current type is ${
            JSON.stringify((message as { type?: unknown }).type)
          }`,
        );
    }
    this.#nanoseconds = message.nanoseconds;
  }

  /**
   * Applies one encoded message. `A`, `E`, `D`, `U` and `T` are read straight from the bytes;
   * the rest are decoded first.
   *
   * @param bytes Exactly one message, type byte first.
   * @throws {ItchDecodeError} If the message is malformed.
   * @throws {ItchBookError} If it does not fit the book; nothing changes then.
   */
  applyMessage(bytes: Uint8Array): void {
    this.#applyAt(bytes, 0, bytes.length);
  }

  /**
   * Applies a run of messages each framed as a uint16 big-endian length and the message:
   * the layout of a SoupBin file (the ITCH log) and of a MoldUDP64 datagram's message blocks.
   * `A`, `E`, `D`, `U` and `T` that fit the book are applied by a hot loop with no call per
   * message; any other message, and any that is malformed or does not fit, is applied (or
   * refused, changing nothing) exactly as {@linkcode BookBuilder.applyMessage} would.
   *
   * @param frames The framed messages.
   * @param start Offset of the first frame.
   * @param end Offset just past the last frame.
   * @returns How many messages were applied.
   * @throws {ItchDecodeError} If a frame is cut short or a message is malformed; the messages
   * before it stay applied.
   * @throws {ItchBookError} If a message does not fit the book; the messages before it stay
   * applied.
   *
   * @example A two-message log
   * ```ts
   * import { BookBuilder } from "./book_builder.ts";
   * import { fromHex } from "../codec/hex.ts";
   * import assert from "node:assert/strict";
   *
   * const builder = new BookBuilder();
   * assert.equal(builder.applyFrames(fromHex("0005 5400007e90 000a 530000000520202020 4f")), 2);
   * assert.equal(builder.timestamp, 32_400_000_000_005);
   * assert.equal(builder.systemState(), "O");
   * ```
   */
  applyFrames(frames: Uint8Array, start = 0, end = frames.length): number {
    const fast = Number.isInteger(start) && Number.isInteger(end) &&
      start >= 0 && end <= frames.length;
    let at = start;
    let count = 0;
    while (true) {
      if (fast) {
        at = this.#applyFast(frames, at, end);
        count += this.#fastApplied;
      }
      if (at >= end) return count;
      if (end - at < 2) failFrame(at, "a length", end - at);
      const length = (frames[at]! << 8) | frames[at + 1]!;
      if (end - at - 2 < length) {
        failFrame(at + 2, `${length} bytes`, end - at - 2);
      }
      this.#applyAt(frames, at + 2, length);
      at += 2 + length;
      count++;
    }
  }

  /** How many messages the latest `#applyFast` applied. */
  #fastApplied = 0;

  // The hot loop of `applyFrames`: `A`, `E`, `D`, `U` and `T` in their common cases, with the
  // tables in locals and the order index probed inline, so that a message costs no call but
  // for a level that appears or empties. It stops, having changed nothing for it, at the
  // first frame it does not take: a cut frame, another message type, a message that is
  // malformed or does not fit the book (the careful path then applies it or throws the
  // error), a reference price, or a message that needs a table to grow.
  #applyFast(b: Uint8Array, start: number, end: number): number {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const orders = this.#orders;
    let levels = this.#levels;
    let totals = this.#totals;
    const index = this.#orderIndex;
    const slots = index.slots;
    const mask = index.mask;
    const shift = index.shift;
    let size = index.size;
    const levelIndex = this.#levelIndex;
    const books = this.#books;
    const keys = this.#bookKeys;
    const bookCount = keys.length;
    const history = this.#tradeHistory;
    const orderRows = orders.length >> ORDER_SHIFT;
    let orderTop = this.#orderTop;
    let orderFree = this.#orderFree;
    let orderCount = this.#orderCount;
    const levelCache = this.#levelCache;
    let seconds = this.#seconds;
    let nanoseconds = this.#nanoseconds;
    const bookCache = this.#bookCache;
    let at = start;
    let applied = 0;
    loop: while (end - at >= 2) {
      const length = v.getUint16(at);
      if (end - at - 2 < length) break;
      const m = at + 2;
      const type = b[m];
      if (type === 0x54) {
        if (length !== 5) break;
        seconds = v.getUint32(m + 1);
        nanoseconds = 0;
        at = m + length;
        applied++;
        continue;
      }
      // The length each message type must have; 0: not taken here.
      const expected = type === 0x41
        ? 30
        : type === 0x45
        ? 25
        : type === 0x44
        ? 13
        : type === 0x55
        ? 29
        : 0;
      if (expected === 0 || length !== expected) break;
      const ns = v.getUint32(m + 1);
      if (ns >= NANOSECONDS_PER_SECOND) break;
      const high = v.getInt32(m + 5);
      const low = v.getInt32(m + 9);
      if (type === 0x41) {
        const sideByte = b[m + 13];
        if (sideByte !== 0x42 && sideByte !== 0x53) break;
        // As int32: 0 and anything above 2^31 - 1 are refused by the careful path.
        const quantity = v.getInt32(m + 14);
        const price = v.getInt32(m + 26);
        if ((high | low) === 0 || quantity <= 0 || price < 0) break;
        const key = v.getUint32(m + 18);
        const cachedBook = Math.imul(key, 0x9e3779b1) >>> 26;
        let bookIndex = bookCache[cachedBook]! - 1;
        if (bookIndex < 0 || keys[bookIndex] !== key) {
          bookIndex = -1;
          if (bookCount <= SCANNED_BOOKS) {
            for (let i = 0; i < bookCount; i++) {
              if (keys[i] === key) {
                bookIndex = i;
                break;
              }
            }
          } else {
            bookIndex = this.#byKey.get(key)?.index ?? -1;
          }
          if (bookIndex < 0) break;
          bookCache[cachedBook] = bookIndex + 1;
        }
        if (orderFree === NONE && orderTop >= orderRows) break;
        if ((size + 1) * 2 > mask + 1) break;
        let slot = pairHome(high, low, shift);
        let s = slot << PAIR_SHIFT;
        while (slots[s + PAIR_VALUE] !== PAIR_EMPTY) {
          if (slots[s + PAIR_B] === low && slots[s + PAIR_A] === high) {
            break loop;
          }
          slot = (slot + 1) & mask;
          s = slot << PAIR_SHIFT;
        }
        let order: number;
        if (orderFree !== NONE) {
          order = orderFree;
          orderFree = orders[(order << ORDER_SHIFT) + O_NEXT]!;
        } else {
          order = orderTop++;
        }
        orderCount++;
        slots[s + PAIR_A] = high;
        slots[s + PAIR_B] = low;
        slots[s + PAIR_VALUE] = order + 1;
        size++;
        const o = order << ORDER_SHIFT;
        orders[o + O_QUANTITY] = quantity;
        orders[o + O_HIGH] = high;
        orders[o + O_LOW] = low;
        // Placed at the back of its level.
        const side = sideByte === 0x42 ? BUY : SELL;
        const bookSide = (bookIndex << 1) | side;
        const cached = levelSlot(bookSide, price);
        let level = levelCache[cached]!;
        if (
          level === NONE ||
          levels[(level << LEVEL_SHIFT) + L_PRICE] !== price ||
          levels[(level << LEVEL_SHIFT) + L_BOOK_SIDE] !== bookSide ||
          levels[(level << LEVEL_SHIFT) + L_COUNT] === 0
        ) {
          level = levelIndex.get(bookSide, price);
          if (level === ABSENT) {
            level = this.#newLevel(books[bookIndex]!, side, price);
            levels = this.#levels;
            totals = this.#totals;
          }
          levelCache[cached] = level;
        }
        const l = level << LEVEL_SHIFT;
        const tail = levels[l + L_TAIL]!;
        orders[o + O_PRICE] = price;
        orders[o + O_LEVEL] = level;
        orders[o + O_PREV] = tail;
        orders[o + O_NEXT] = NONE;
        if (tail === NONE) levels[l + L_HEAD] = order;
        else orders[(tail << ORDER_SHIFT) + O_NEXT] = order;
        levels[l + L_TAIL] = order;
        levels[l + L_COUNT]!++;
        totals[(level << 2) + L_TOTAL]! += quantity;
      } else {
        let slot = pairHome(high, low, shift);
        let s = slot << PAIR_SHIFT;
        let entry = slots[s + PAIR_VALUE]!;
        while (
          entry !== PAIR_EMPTY &&
          (slots[s + PAIR_B] !== low || slots[s + PAIR_A] !== high)
        ) {
          slot = (slot + 1) & mask;
          s = slot << PAIR_SHIFT;
          entry = slots[s + PAIR_VALUE]!;
        }
        if (entry === PAIR_EMPTY) break;
        const order = entry - 1;
        const o = order << ORDER_SHIFT;
        const open = orders[o + O_QUANTITY]!;
        const level = orders[o + O_LEVEL]!;
        // What the message does besides: its entry leaves the index (`D`, a full `E`, a
        // renaming `U`), it leaves its level (`D`, a full `E`, a `U` losing its place), its
        // row is freed (`D`, a full `E`) or it joins the back of a level (such a `U`).
        let unindex = type === 0x44;
        let unlink = unindex;
        let free = unindex;
        let place = false;
        let newPrice = 0;
        let newQuantity = 0;
        if (type === 0x45) {
          const quantity = v.getInt32(m + 13);
          if (quantity <= 0 || quantity > open) break;
          const bookSide = levels[(level << LEVEL_SHIFT) + L_BOOK_SIDE]!;
          const book = books[bookSide >> 1]!;
          const price = orders[o + O_PRICE]!;
          book.lastPrice = price;
          book.tradedQuantity += quantity;
          book.tradeCount++;
          if (history > 0) {
            let trades = book.trades;
            if (trades === null) {
              trades = book.trades = new Float64Array(history * TRADE_SIZE);
            }
            const next = book.tradeNext;
            const t = next * TRADE_SIZE;
            trades[t] = v.getUint32(m + 17);
            trades[t + 1] = v.getUint32(m + 21);
            trades[t + 2] = high >>> 0;
            trades[t + 3] = low >>> 0;
            trades[t + 4] = bookSide & 1;
            trades[t + 5] = price;
            trades[t + 6] = quantity;
            trades[t + 7] = seconds * NANOSECONDS_PER_SECOND + ns;
            book.tradeNext = next + 1 === history ? 0 : next + 1;
          }
          if (quantity === open) {
            unindex = unlink = free = true;
          } else {
            orders[o + O_QUANTITY] = open - quantity;
            totals[(level << 2) + L_TOTAL]! -= quantity;
          }
        } else if (type === 0x55) {
          const newHigh = v.getInt32(m + 13);
          const newLow = v.getInt32(m + 17);
          newQuantity = v.getInt32(m + 21);
          newPrice = v.getInt32(m + 25);
          if (newQuantity <= 0 || newPrice < 0) break;
          if (newHigh !== high || newLow !== low) {
            if ((size + 1) * 2 > mask + 1) break;
            let to = pairHome(newHigh, newLow, shift);
            let n = to << PAIR_SHIFT;
            while (slots[n + PAIR_VALUE] !== PAIR_EMPTY) {
              if (
                slots[n + PAIR_B] === newLow && slots[n + PAIR_A] === newHigh
              ) {
                break loop;
              }
              to = (to + 1) & mask;
              n = to << PAIR_SHIFT;
            }
            // Filling an empty slot moves no entry: `slot` still holds the old number.
            slots[n + PAIR_A] = newHigh;
            slots[n + PAIR_B] = newLow;
            slots[n + PAIR_VALUE] = order + 1;
            size++;
            unindex = true;
            orders[o + O_HIGH] = newHigh;
            orders[o + O_LOW] = newLow;
          }
          if (newPrice === orders[o + O_PRICE] && newQuantity <= open) {
            orders[o + O_QUANTITY] = newQuantity;
            totals[(level << 2) + L_TOTAL]! -= open - newQuantity;
          } else {
            unlink = place = true;
          }
        }
        if (unindex) {
          // Backward-shift deletion of the entry in `slot` (as `PairTable.deleteAt`).
          let hole = slot;
          let scan = hole;
          while (true) {
            scan = (scan + 1) & mask;
            const at = scan << PAIR_SHIFT;
            if (slots[at + PAIR_VALUE] === PAIR_EMPTY) break;
            const home = pairHome(
              slots[at + PAIR_A]!,
              slots[at + PAIR_B]!,
              shift,
            );
            if (
              hole <= scan
                ? hole < home && home <= scan
                : hole < home || home <= scan
            ) {
              continue;
            }
            const to = hole << PAIR_SHIFT;
            slots[to + PAIR_A] = slots[at + PAIR_A]!;
            slots[to + PAIR_B] = slots[at + PAIR_B]!;
            slots[to + PAIR_VALUE] = slots[at + PAIR_VALUE]!;
            hole = scan;
          }
          slots[(hole << PAIR_SHIFT) + PAIR_VALUE] = PAIR_EMPTY;
          size--;
        }
        if (unlink) {
          // Out of its level with all its (old) quantity, dropping an emptied level.
          const bookSide = levels[(level << LEVEL_SHIFT) + L_BOOK_SIDE]!;
          const l = level << LEVEL_SHIFT;
          const prev = orders[o + O_PREV]!;
          const next = orders[o + O_NEXT]!;
          if (prev === NONE) levels[l + L_HEAD] = next;
          else orders[(prev << ORDER_SHIFT) + O_NEXT] = next;
          if (next === NONE) levels[l + L_TAIL] = prev;
          else orders[(next << ORDER_SHIFT) + O_PREV] = prev;
          totals[(level << 2) + L_TOTAL]! -= open;
          if (--levels[l + L_COUNT]! === 0) this.#dropLevel(level);
          if (free) {
            orders[o + O_NEXT] = orderFree;
            orderFree = order;
            orderCount--;
          } else if (place) {
            // At the back of the new price's level with the new quantity.
            orders[o + O_QUANTITY] = newQuantity;
            const cached = levelSlot(bookSide, newPrice);
            let to = levelCache[cached]!;
            if (
              to === NONE ||
              levels[(to << LEVEL_SHIFT) + L_PRICE] !== newPrice ||
              levels[(to << LEVEL_SHIFT) + L_BOOK_SIDE] !== bookSide ||
              levels[(to << LEVEL_SHIFT) + L_COUNT] === 0
            ) {
              to = levelIndex.get(bookSide, newPrice);
              if (to === ABSENT) {
                to = this.#newLevel(
                  books[bookSide >> 1]!,
                  bookSide & 1,
                  newPrice,
                );
                levels = this.#levels;
                totals = this.#totals;
              }
              levelCache[cached] = to;
            }
            const t = to << LEVEL_SHIFT;
            const tail = levels[t + L_TAIL]!;
            orders[o + O_PRICE] = newPrice;
            orders[o + O_LEVEL] = to;
            orders[o + O_PREV] = tail;
            orders[o + O_NEXT] = NONE;
            if (tail === NONE) levels[t + L_HEAD] = order;
            else orders[(tail << ORDER_SHIFT) + O_NEXT] = order;
            levels[t + L_TAIL] = order;
            levels[t + L_COUNT]!++;
            totals[(to << 2) + L_TOTAL]! += newQuantity;
          }
        }
      }
      nanoseconds = ns;
      at = m + length;
      applied++;
    }
    this.#orderTop = orderTop;
    this.#orderFree = orderFree;
    this.#orderCount = orderCount;
    this.#seconds = seconds;
    this.#nanoseconds = nanoseconds;
    index.size = size;
    this.#fastApplied = applied;
    return at;
  }

  // The four order messages are read here, byte by byte (a helper call per field would not
  // be inlined into a function this size); a malformed one, and every other message, goes
  // through the decoder, which says what is wrong with it.
  #applyAt(b: Uint8Array, at: number, length: number): void {
    switch (b[at]) {
      case 0x41: {
        const nanoseconds =
          ((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) |
            b[at + 4]!) >>> 0;
        const side = b[at + 13];
        if (
          length !== 30 || nanoseconds >= NANOSECONDS_PER_SECOND ||
          (side !== 0x42 && side !== 0x53)
        ) {
          break;
        }
        const key = ((b[at + 18]! << 24) | (b[at + 19]! << 16) |
          (b[at + 20]! << 8) | b[at + 21]!) >>> 0;
        this.#added(
          this.#bookOf(key, "orderAdded"),
          (b[at + 5]! << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) |
            b[at + 8]!,
          (b[at + 9]! << 24) | (b[at + 10]! << 16) | (b[at + 11]! << 8) |
            b[at + 12]!,
          side === 0x42 ? BUY : SELL,
          ((b[at + 14]! << 24) | (b[at + 15]! << 16) | (b[at + 16]! << 8) |
            b[at + 17]!) >>> 0,
          ((b[at + 26]! << 24) | (b[at + 27]! << 16) | (b[at + 28]! << 8) |
            b[at + 29]!) >>> 0,
          "orderAdded",
        );
        this.#nanoseconds = nanoseconds;
        return;
      }
      case 0x45: {
        const nanoseconds =
          ((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) |
            b[at + 4]!) >>> 0;
        if (length !== 25 || nanoseconds >= NANOSECONDS_PER_SECOND) break;
        this.#executed(
          (b[at + 5]! << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) |
            b[at + 8]!,
          (b[at + 9]! << 24) | (b[at + 10]! << 16) | (b[at + 11]! << 8) |
            b[at + 12]!,
          ((b[at + 13]! << 24) | (b[at + 14]! << 16) | (b[at + 15]! << 8) |
            b[at + 16]!) >>> 0,
          (b[at + 17]! << 24) | (b[at + 18]! << 16) | (b[at + 19]! << 8) |
            b[at + 20]!,
          (b[at + 21]! << 24) | (b[at + 22]! << 16) | (b[at + 23]! << 8) |
            b[at + 24]!,
          nanoseconds,
        );
        this.#nanoseconds = nanoseconds;
        return;
      }
      case 0x44: {
        const nanoseconds =
          ((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) |
            b[at + 4]!) >>> 0;
        if (length !== 13 || nanoseconds >= NANOSECONDS_PER_SECOND) break;
        this.#deleted(
          (b[at + 5]! << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) |
            b[at + 8]!,
          (b[at + 9]! << 24) | (b[at + 10]! << 16) | (b[at + 11]! << 8) |
            b[at + 12]!,
        );
        this.#nanoseconds = nanoseconds;
        return;
      }
      case 0x55: {
        const nanoseconds =
          ((b[at + 1]! << 24) | (b[at + 2]! << 16) | (b[at + 3]! << 8) |
            b[at + 4]!) >>> 0;
        if (length !== 29 || nanoseconds >= NANOSECONDS_PER_SECOND) break;
        this.#replaced(
          (b[at + 5]! << 24) | (b[at + 6]! << 16) | (b[at + 7]! << 8) |
            b[at + 8]!,
          (b[at + 9]! << 24) | (b[at + 10]! << 16) | (b[at + 11]! << 8) |
            b[at + 12]!,
          (b[at + 13]! << 24) | (b[at + 14]! << 16) | (b[at + 15]! << 8) |
            b[at + 16]!,
          (b[at + 17]! << 24) | (b[at + 18]! << 16) | (b[at + 19]! << 8) |
            b[at + 20]!,
          ((b[at + 21]! << 24) | (b[at + 22]! << 16) | (b[at + 23]! << 8) |
            b[at + 24]!) >>> 0,
          ((b[at + 25]! << 24) | (b[at + 26]! << 16) | (b[at + 27]! << 8) |
            b[at + 28]!) >>> 0,
        );
        this.#nanoseconds = nanoseconds;
        return;
      }
      case 0x54:
        if (length !== 5) break;
        this.#seconds = read32(b, at + 1) >>> 0;
        this.#nanoseconds = 0;
        return;
    }
    this.apply(decodeItch(b.subarray(at, at + length), this.#options));
  }

  // -------------------------------------------------------------------------------------
  // Reading the state

  /** Nanoseconds since midnight of the latest message: the latest `T` and its nanoseconds. */
  get timestamp(): number {
    return this.#seconds * NANOSECONDS_PER_SECOND + this.#nanoseconds;
  }

  /** The seconds of the latest `T` (0 before the first). */
  get seconds(): number {
    return this.#seconds;
  }

  /** The nanoseconds of the latest message after its `T`. */
  get nanoseconds(): number {
    return this.#nanoseconds;
  }

  /** The sequence number of the latest End of Snapshot applied, `null` if none. */
  get endOfSnapshot(): number | null {
    return this.#endOfSnapshot;
  }

  /** Orders on all books. */
  get orderCount(): number {
    return this.#orderCount;
  }

  /** The orderbooks of the directory, in the order they were announced. */
  get orderbooks(): string[] {
    return this.#books.map((book) => book.directory.orderbookId);
  }

  /** The tick size bands announced, in order (nanoseconds set to 0). */
  get tickSizes(): readonly PriceTickSize[] {
    return this.#tickSizes;
  }

  /**
   * The latest System Event code of a group.
   *
   * @param group `""` (the default) for system-wide events.
   * @returns The code, or `undefined` if none was seen.
   */
  systemState(group = ""): ItchSystemEventCode | undefined {
    return this.#systemEvents.get(group);
  }

  /** Every group's latest System Event code, system-wide (`""`) first when seen first. */
  get systemStates(): ReadonlyMap<string, ItchSystemEventCode> {
    return this.#systemEvents;
  }

  /**
   * An orderbook's directory entry and state.
   *
   * @param orderbookId The orderbook.
   * @returns A fresh object, or `undefined` for an orderbook not in the directory.
   */
  orderbook(orderbookId: string): OrderbookState | undefined {
    const book = this.#byKey.get(orderbookKey(orderbookId, this.#v16));
    if (book === undefined) return undefined;
    const { type: _type, nanoseconds: _ns, ...directory } = book.directory;
    return {
      ...directory,
      referencePrice: book.referencePrice,
      tradingState: book.tradingState,
      shortSellingState: book.shortSellingState,
      lastPrice: book.lastPrice < 0 ? null : book.lastPrice,
      tradedQuantity: book.tradedQuantity,
      tradeCount: book.tradeCount,
    };
  }

  /**
   * The price levels of an orderbook, best first.
   *
   * @param orderbookId The orderbook.
   * @param levels How many levels per side at most.
   * @returns The depth; both sides empty for an orderbook not in the directory.
   */
  depth(orderbookId: string, levels = Infinity): BookDepth {
    const book = this.#byKey.get(orderbookKey(orderbookId, this.#v16));
    if (book === undefined) return { orderbookId, bids: [], asks: [] };
    return {
      orderbookId,
      bids: this.#levelsOf(this.#sorted(book, BUY), levels),
      asks: this.#levelsOf(this.#sorted(book, SELL), levels),
    };
  }

  /**
   * The orders of one side in priority order: best price first, oldest first within a price.
   *
   * @param orderbookId The orderbook.
   * @param side `B` or `S`.
   * @returns Fresh objects; empty for an orderbook not in the directory.
   */
  orders(orderbookId: string, side: ItchSide): BookOrder[] {
    const book = this.#byKey.get(orderbookKey(orderbookId, this.#v16));
    if (book === undefined) return [];
    const out: BookOrder[] = [];
    for (const level of this.#sorted(book, side === "B" ? BUY : SELL)) {
      this.#ordersOf(level, out);
    }
    return out;
  }

  /**
   * The orders at one price, oldest first.
   *
   * @param orderbookId The orderbook.
   * @param side `B` or `S`.
   * @param price The price in tenths.
   * @returns Fresh objects; empty when no order rests there.
   */
  levelOrders(orderbookId: string, side: ItchSide, price: number): BookOrder[] {
    const book = this.#byKey.get(orderbookKey(orderbookId, this.#v16));
    const out: BookOrder[] = [];
    if (book === undefined || !Number.isInteger(price)) return out;
    const level = this.#levelIndex.get(
      (book.index << 1) | (side === "B" ? BUY : SELL),
      price | 0,
    );
    if (level !== ABSENT) this.#ordersOf(level, out);
    return out;
  }

  /**
   * The latest trades of an orderbook, oldest first.
   *
   * @param orderbookId The orderbook.
   * @returns At most `tradeHistory` trades; empty for an orderbook not in the directory.
   */
  trades(orderbookId: string): BookTrade[] {
    const book = this.#byKey.get(orderbookKey(orderbookId, this.#v16));
    const out: BookTrade[] = [];
    const trades = book?.trades;
    if (book === undefined || trades === null || trades === undefined) {
      return out;
    }
    const history = this.#tradeHistory;
    const kept = Math.min(book.tradeCount, history);
    const first = book.tradeCount < history ? 0 : book.tradeNext;
    for (let k = 0; k < kept; k++) {
      const at = ((first + k) % history) * TRADE_SIZE;
      out.push({
        matchNumber: bigintOf(trades[at]!, trades[at + 1]!),
        orderNumber: bigintOf(trades[at + 2]!, trades[at + 3]!),
        side: trades[at + 4] === BUY ? "B" : "S",
        price: trades[at + 5]!,
        quantity: trades[at + 6]!,
        timestamp: trades[at + 7]!,
      });
    }
    return out;
  }

  /** The levels of one side of `book`, best first. */
  #sorted(book: Book, side: number): number[] {
    const rows = this.#levels;
    const sign = side === BUY ? -1 : 1;
    return book.levels[side as 0 | 1].slice().sort((x, y) =>
      sign *
      (rows[(x << LEVEL_SHIFT) + L_PRICE]! -
        rows[(y << LEVEL_SHIFT) + L_PRICE]!)
    );
  }

  #levelsOf(levels: readonly number[], most: number): BookLevel[] {
    const out: BookLevel[] = [];
    const rows = this.#levels;
    for (let i = 0; i < levels.length && out.length < most; i++) {
      const level = levels[i]!;
      const at = level << LEVEL_SHIFT;
      out.push({
        price: rows[at + L_PRICE]!,
        quantity: this.#totals[(level << 2) + L_TOTAL]!,
        orders: rows[at + L_COUNT]!,
      });
    }
    return out;
  }

  #ordersOf(level: number, out: BookOrder[]): void {
    const rows = this.#orders;
    let order = this.#levels[(level << LEVEL_SHIFT) + L_HEAD]!;
    while (order !== NONE) {
      const at = order << ORDER_SHIFT;
      out.push({
        orderNumber: bigintOf(rows[at + O_HIGH]!, rows[at + O_LOW]!),
        price: rows[at + O_PRICE]!,
        quantity: rows[at + O_QUANTITY]!,
      });
      order = rows[at + O_NEXT]!;
    }
  }

  // -------------------------------------------------------------------------------------
  // Book changes

  #splitNumber(value: bigint): void {
    if (!putUint64(this.#split, 0, value)) {
      throw new TypeError(
        `Cannot apply message as an Order or Match Number must be a bigint from 0 to 2^64 - 1: current value is ${
          String(value)
        }`,
      );
    }
  }

  #directory(message: OrderbookDirectory): void {
    const key = orderbookKey(message.orderbookId, this.#v16);
    const directory = { ...message, nanoseconds: 0 };
    const book = this.#byKey.get(key);
    if (book !== undefined) {
      book.directory = directory;
      return;
    }
    const created = new Book(this.#books.length, key, directory);
    this.#books.push(created);
    this.#bookKeys.push(key);
    this.#byKey.set(key, created);
  }

  #bookOf(key: number, messageType: string): Book {
    const keys = this.#bookKeys;
    const n = keys.length;
    if (n <= SCANNED_BOOKS) {
      for (let i = 0; i < n; i++) {
        if (keys[i] === key) return this.#books[i]!;
      }
    } else {
      const book = this.#byKey.get(key);
      if (book !== undefined) return book;
    }
    throw new ItchBookError(
      `Cannot apply ${messageType} as orderbook ${
        JSON.stringify(key < 0 ? "?" : orderbookIdOfKey(key, this.#v16))
      } has no directory entry`,
      { messageType, field: "orderbookId" },
    );
  }

  #added(
    book: Book,
    high: number,
    low: number,
    side: number,
    quantity: number,
    price: number,
    messageType: string,
  ): void {
    if (high === 0 && low === 0) {
      book.referencePrice = price === NO_REFERENCE_PRICE ? null : price;
      return;
    }
    if (quantity === 0 || quantity > 0x7fffffff || price > 0x7fffffff) {
      failBook(
        messageType,
        quantity === 0 || quantity > 0x7fffffff ? "quantity" : "price",
        `order ${
          bigintOf(high, low)
        } must have a quantity from 1 to 2147483647 and a price of at most 2147483647: current quantity is ${quantity}, price ${price}`,
      );
    }
    const order = this.#newOrder();
    if (this.#orderIndex.add(high, low, order) !== ABSENT) {
      this.#freeOrder(order);
      failBook(
        messageType,
        "orderNumber",
        `order ${bigintOf(high, low)} is already on the book`,
      );
    }
    const rows = this.#orders;
    const at = order << ORDER_SHIFT;
    rows[at + O_QUANTITY] = quantity;
    rows[at + O_HIGH] = high;
    rows[at + O_LOW] = low;
    this.#place(book, side, order, price);
  }

  #executed(
    high: number,
    low: number,
    quantity: number,
    matchHigh: number,
    matchLow: number,
    nanoseconds: number,
  ): void {
    const index = this.#orderIndex;
    const slot = index.find(high, low);
    if (slot === ABSENT) this.#failMissing("orderExecuted", high, low);
    const order = index.valueAt(slot);
    const rows = this.#orders;
    const at = order << ORDER_SHIFT;
    const open = rows[at + O_QUANTITY]!;
    if (quantity === 0 || quantity > open) {
      failBook(
        "orderExecuted",
        "executedQuantity",
        `its executed quantity must be from 1 to the ${open} open of order ${
          bigintOf(high, low)
        }: current quantity is ${quantity}`,
      );
    }
    const level = rows[at + O_LEVEL]!;
    const bookSide = this.#levels[(level << LEVEL_SHIFT) + L_BOOK_SIDE]!;
    const book = this.#books[bookSide >> 1]!;
    const price = rows[at + O_PRICE]!;
    book.lastPrice = price;
    book.tradedQuantity += quantity;
    book.tradeCount++;
    const history = this.#tradeHistory;
    if (history > 0) {
      let trades = book.trades;
      if (trades === null) {
        trades = book.trades = new Float64Array(history * TRADE_SIZE);
      }
      const t = book.tradeNext * TRADE_SIZE;
      trades[t] = matchHigh >>> 0;
      trades[t + 1] = matchLow >>> 0;
      trades[t + 2] = high >>> 0;
      trades[t + 3] = low >>> 0;
      trades[t + 4] = bookSide & 1;
      trades[t + 5] = price;
      trades[t + 6] = quantity;
      trades[t + 7] = this.#seconds * NANOSECONDS_PER_SECOND + nanoseconds;
      book.tradeNext = book.tradeNext + 1 === history ? 0 : book.tradeNext + 1;
    }
    if (quantity === open) {
      index.deleteAt(slot);
      this.#unlink(order);
      this.#freeOrder(order);
      return;
    }
    rows[at + O_QUANTITY] = open - quantity;
    this.#totals[(level << 2) + L_TOTAL]! -= quantity;
  }

  #deleted(high: number, low: number): void {
    const order = this.#orderIndex.delete(high, low);
    if (order === ABSENT) this.#failMissing("orderDeleted", high, low);
    this.#unlink(order);
    this.#freeOrder(order);
  }

  #replaced(
    high: number,
    low: number,
    newHigh: number,
    newLow: number,
    quantity: number,
    price: number,
  ): void {
    const order = this.#orderIndex.get(high, low);
    if (order === ABSENT) this.#failMissing("orderReplaced", high, low);
    const renamed = high !== newHigh || low !== newLow;
    if (renamed && this.#orderIndex.get(newHigh, newLow) !== ABSENT) {
      failBook(
        "orderReplaced",
        "newOrderNumber",
        `order ${bigintOf(newHigh, newLow)} is already on the book`,
      );
    }
    if (quantity > 0x7fffffff || price > 0x7fffffff) {
      failBook(
        "orderReplaced",
        quantity > 0x7fffffff ? "quantity" : "price",
        `quantity and price must be at most 2147483647: current quantity is ${quantity}, price ${price}`,
      );
    }
    if (quantity === 0) {
      this.#deleted(high, low);
      return;
    }
    const rows = this.#orders;
    const at = order << ORDER_SHIFT;
    if (renamed) {
      this.#orderIndex.delete(high, low);
      this.#orderIndex.add(newHigh, newLow, order);
      rows[at + O_HIGH] = newHigh;
      rows[at + O_LOW] = newLow;
    }
    const open = rows[at + O_QUANTITY]!;
    const level = rows[at + O_LEVEL]!;
    if (price === rows[at + O_PRICE] && quantity <= open) {
      rows[at + O_QUANTITY] = quantity;
      this.#totals[(level << 2) + L_TOTAL]! -= open - quantity;
      return;
    }
    const bookSide = this.#levels[(level << LEVEL_SHIFT) + L_BOOK_SIDE]!;
    this.#unlink(order);
    rows[at + O_QUANTITY] = quantity;
    this.#place(this.#books[bookSide >> 1]!, bookSide & 1, order, price);
  }

  #failMissing(messageType: string, high: number, low: number): never {
    failBook(
      messageType,
      messageType === "orderReplaced" ? "originalOrderNumber" : "orderNumber",
      `order ${bigintOf(high, low)} is not on the book`,
    );
  }

  // -------------------------------------------------------------------------------------
  // Levels

  /** Puts `order` (quantity set) at the back of the level at `price`. */
  #place(book: Book, side: number, order: number, price: number): void {
    const levelRows = this.#levels;
    const bookSide = (book.index << 1) | side;
    const cached = levelSlot(bookSide, price);
    let level = this.#levelCache[cached]!;
    if (
      level === NONE || levelRows[(level << LEVEL_SHIFT) + L_PRICE] !== price ||
      levelRows[(level << LEVEL_SHIFT) + L_BOOK_SIDE] !== bookSide ||
      levelRows[(level << LEVEL_SHIFT) + L_COUNT] === 0
    ) {
      level = this.#levelIndex.get(bookSide, price);
      if (level === ABSENT) level = this.#newLevel(book, side, price);
      this.#levelCache[cached] = level;
    }
    const rows = this.#orders;
    const at = order << ORDER_SHIFT;
    const levelAt = level << LEVEL_SHIFT;
    const tail = this.#levels[levelAt + L_TAIL]!;
    rows[at + O_PRICE] = price;
    rows[at + O_LEVEL] = level;
    rows[at + O_PREV] = tail;
    rows[at + O_NEXT] = NONE;
    const levels = this.#levels;
    if (tail === NONE) levels[levelAt + L_HEAD] = order;
    else rows[(tail << ORDER_SHIFT) + O_NEXT] = order;
    levels[levelAt + L_TAIL] = order;
    levels[levelAt + L_COUNT]!++;
    this.#totals[(level << 2) + L_TOTAL]! += rows[at + O_QUANTITY]!;
  }

  /** Takes `order` out of its level with all its quantity, dropping an emptied level. */
  #unlink(order: number): void {
    const rows = this.#orders;
    const levelRows = this.#levels;
    const at = order << ORDER_SHIFT;
    const level = rows[at + O_LEVEL]!;
    const levelAt = level << LEVEL_SHIFT;
    const prev = rows[at + O_PREV]!;
    const next = rows[at + O_NEXT]!;
    if (prev === NONE) levelRows[levelAt + L_HEAD] = next;
    else rows[(prev << ORDER_SHIFT) + O_NEXT] = next;
    if (next === NONE) levelRows[levelAt + L_TAIL] = prev;
    else rows[(next << ORDER_SHIFT) + O_PREV] = prev;
    this.#totals[(level << 2) + L_TOTAL]! -= rows[at + O_QUANTITY]!;
    if (--levelRows[levelAt + L_COUNT]! === 0) this.#dropLevel(level);
  }

  /** A new, empty level of one side of `book`. */
  #newLevel(book: Book, side: number, price: number): number {
    let level = this.#levelFree;
    if (level !== NONE) {
      this.#levelFree = this.#levels[(level << LEVEL_SHIFT) + L_HEAD]!;
    } else {
      level = this.#levelTop++;
      if ((level << LEVEL_SHIFT) >= this.#levels.length) {
        const grown = new Int32Array(this.#levels.length * 2);
        grown.set(this.#levels);
        this.#levels = grown;
        this.#totals = new Float64Array(grown.buffer);
      }
    }
    const bookSide = (book.index << 1) | side;
    const list = book.levels[side as 0 | 1];
    const at = level << LEVEL_SHIFT;
    const levels = this.#levels;
    levels[at + L_PRICE] = price;
    levels[at + L_COUNT] = 0;
    levels[at + L_HEAD] = NONE;
    levels[at + L_TAIL] = NONE;
    levels[at + L_BOOK_SIDE] = bookSide;
    levels[at + L_POSITION] = list.length;
    this.#totals[(level << 2) + L_TOTAL] = 0;
    list.push(level);
    this.#levelIndex.add(bookSide, price, level);
    return level;
  }

  /** Forgets an emptied level. */
  #dropLevel(level: number): void {
    const levels = this.#levels;
    const at = level << LEVEL_SHIFT;
    const bookSide = levels[at + L_BOOK_SIDE]!;
    this.#levelIndex.delete(bookSide, levels[at + L_PRICE]!);
    const list = this.#books[bookSide >> 1]!.levels[(bookSide & 1) as 0 | 1];
    const last = list.pop()!;
    if (last !== level) {
      const position = levels[at + L_POSITION]!;
      list[position] = last;
      levels[(last << LEVEL_SHIFT) + L_POSITION] = position;
    }
    levels[at + L_HEAD] = this.#levelFree;
    this.#levelFree = level;
  }

  // -------------------------------------------------------------------------------------
  // Order rows

  #newOrder(): number {
    this.#orderCount++;
    const free = this.#orderFree;
    if (free !== NONE) {
      this.#orderFree = this.#orders[(free << ORDER_SHIFT) + O_NEXT]!;
      return free;
    }
    const order = this.#orderTop++;
    if ((order << ORDER_SHIFT) >= this.#orders.length) {
      const grown = new Int32Array(this.#orders.length * 2);
      grown.set(this.#orders);
      this.#orders = grown;
    }
    return order;
  }

  #freeOrder(order: number): void {
    this.#orders[(order << ORDER_SHIFT) + O_NEXT] = this.#orderFree;
    this.#orderFree = order;
    this.#orderCount--;
  }
}

/** Throws the `ItchBookError` of a message that does not fit the book. */
function failBook(messageType: string, field: string, reason: string): never {
  throw new ItchBookError(`Cannot apply ${messageType} as ${reason}`, {
    messageType,
    field,
  });
}

/** Throws the `ItchDecodeError` of a frame cut short. */
function failFrame(offset: number, what: string, left: number): never {
  throw new ItchDecodeError(
    `Cannot read ITCH frame as it needs ${what}: ${left} bytes are left`,
    offset,
    { messageType: "itchFrame" },
  );
}
