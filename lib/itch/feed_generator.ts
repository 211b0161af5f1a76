/**
 * The ITCH feed of a trading day, made from the matcher's order-level market events by the
 * rules M3–M9 of `jnx-itch.md`.
 *
 * @module
 */

import type { MarketEvent } from "../matcher/market_event.ts";
import {
  encodeOrderAdded,
  ORDER_ADDED_LENGTH,
  ORDER_ADDED_TYPE,
} from "./order_added.ts";
import { encodeOrderbookDirectory } from "./orderbook_directory.ts";
import { encodePriceTickSize } from "./price_tick_size.ts";
import { encodeShortSellingState } from "./short_selling_state.ts";
import { encodeTradingState } from "./trading_state.ts";
import {
  type ItchSystemEventCode,
  type ItchVersion,
  NANOSECONDS_PER_SECOND,
  NO_REFERENCE_PRICE,
} from "./messages.ts";
import { ITCH_ORDER_EXECUTED_LENGTH } from "./order_executed.ts";
import { ORDER_DELETED_LENGTH } from "./order_deleted.ts";
import { ITCH_ORDER_REPLACED_LENGTH } from "./order_replaced.ts";
import { ITCH_SYSTEM_EVENT_LENGTH } from "./system_event.ts";
import { TIMESTAMP_SECONDS_LENGTH } from "./timestamp_seconds.ts";
import { TRADING_STATE_LENGTH } from "./trading_state.ts";
import { SHORT_SELLING_STATE_LENGTH } from "./short_selling_state.ts";

/** One band of a tick size table: from `priceStart` up, prices are multiples of `tickSize`. */
export interface TickSizeBand {
  /** The tick size, in tenths. */
  readonly tickSize: number;
  /** The lowest price of the band, in tenths. */
  readonly priceStart: number;
}

/** A tick size table: its id and its bands, lowest first. */
export interface FeedTickTable {
  readonly tickTableId: number;
  readonly bands: readonly TickSizeBand[];
}

/** One orderbook's reference data, as the Orderbook Directory and the spins announce it. */
export interface FeedOrderbook {
  /** Orderbook Id: printable ASCII of at most 4 characters; in v1.6 a decimal uint32. */
  readonly orderbookId: string;
  /** ISIN, at most 12 characters (may be `""`: blank). */
  readonly isin: string;
  /** Group, e.g. `"DAY"`. */
  readonly group: string;
  readonly roundLotSize: number;
  /** A `tickTableId` of the reference data's tick tables. */
  readonly tickTableId: number;
  /** The reference (base) price in tenths, or `null` for none (sent as `0x7FFFFFFF`). */
  readonly referencePrice: number | null;
  readonly upperPriceLimit: number;
  readonly lowerPriceLimit: number;
  /**
   * Whether the orderbook is halted at the start of the day (left out of the `H` spin).
   *
   * @default {false}
   */
  readonly halted?: boolean;
  /**
   * Whether the short-sell price restriction is in effect at the start of the day (`Y 1` in
   * the spin).
   *
   * @default {false}
   */
  readonly shortSellRestricted?: boolean;
}

/** The reference data of a day's feed (K17): tick tables and orderbooks, in sending order. */
export interface FeedReferenceData {
  readonly tickTables: readonly FeedTickTable[];
  readonly orderbooks: readonly FeedOrderbook[];
}

/**
 * Where the feed goes, message by message, numbered from 1 in call order. `message` is a
 * view into the generator's reused buffer, valid only during the call: copy what you keep
 * (`lib/session`'s `MessageLog.append` does).
 */
export interface FeedSink {
  append(message: Uint8Array): unknown;
}

/** Options of a {@linkcode FeedGenerator}. */
export interface FeedGeneratorOptions {
  /**
   * ITCH version: Orderbook Id as Alpha (`"1.7"`) or as a uint32 (`"1.6"`).
   *
   * @default {"1.7"}
   */
  version?: ItchVersion;
}

/** Options of {@linkcode FeedGenerator.startOfDay}. */
export interface StartOfDayOptions {
  /**
   * Whether the market is open at the start (the matcher's `open` option): then `S S` and
   * `S Q` end the start of day; otherwise they come with the first open.
   *
   * @default {true}
   */
  open?: boolean;
}

/** An orderbook as the generator writes it. */
interface Book {
  /** The Orderbook Id's 4 bytes on the wire, as a uint32. */
  readonly id: number;
  /** The group's 4 bytes on the wire, as a uint32. */
  readonly group: number;
}

/** A blank (system-wide) group: four spaces. */
const BLANK_GROUP = 0x20202020;
/** Bytes of the scratch buffer: the longest message the generator writes is 45 bytes. */
const SCRATCH_LENGTH = 64;

/**
 * Turns a trading day into ITCH messages, M3–M9:
 *
 * - {@linkcode FeedGenerator.startOfDay}: `T`, `S O`, every `L` of the tick tables, every
 *   `R`, one reference-price `A` (Order Number 0) per orderbook, the `H T` spin (orderbooks
 *   not halted), the `Y 1` spin (orderbooks with the short-sell restriction on), then `S S`
 *   and `S Q` if the market is open.
 * - {@linkcode FeedGenerator.marketEvent}: `bookAdd` → `A`; `bookExecute` → `E` of the
 *   resting order; `bookDelete` → `D`; `bookReplace` → `U` (original and new Order Number,
 *   new open quantity and price); `tradingState` → `H V` or `H T`; `shortSellState` → `Y`;
 *   `marketState` open → `S S`, `S Q`, closed → `S M`, `S E`.
 * - {@linkcode FeedGenerator.endOfDay}: `S C`, last.
 *
 * Every message's time is split (official §4.1): a `T` with the seconds goes before the first
 * message of every second that differs from the latest `T`, and each message carries the
 * nanoseconds since it. Deterministic: the same calls give the same bytes, so a feed
 * rebuilt from the journal after a crash is byte-identical (M11). Nothing reveals an account
 * (M9). Pure: no clock, no I/O.
 *
 * @example A day with one resting order
 * ```ts
 * import { FeedGenerator } from "./feed_generator.ts";
 * import { decodeItch } from "./message.ts";
 * import assert from "node:assert/strict";
 *
 * const sent: Uint8Array[] = [];
 * const feed = new FeedGenerator({ append: (m) => sent.push(m.slice()) }, {
 *   tickTables: [{ tickTableId: 1, bands: [{ tickSize: 1, priceStart: 0 }] }],
 *   orderbooks: [{
 *     orderbookId: "7203", isin: "JP3633400001", group: "DAY", roundLotSize: 100,
 *     tickTableId: 1, referencePrice: 28_000, upperPriceLimit: 33_000, lowerPriceLimit: 23_000,
 *   }],
 * });
 * feed.startOfDay(32_400_000_000_000);
 * feed.marketEvent({
 *   type: "bookAdd", timestamp: 32_401_000_000_500, orderbookId: "7203",
 *   orderNumber: 202611280000000001n, side: "B", price: 28_000, quantity: 100, account: 0,
 * });
 * const types = sent.map((m) => String.fromCharCode(m[0]!)).join("");
 * assert.equal(types, "TSLRAHSSTA");
 * assert.deepEqual(decodeItch(sent[8]!), { type: "timestampSeconds", seconds: 32_401 });
 * assert.equal(feed.sequenceNumber, 10);
 * ```
 */
export class FeedGenerator {
  readonly #sink: FeedSink;
  readonly #reference: FeedReferenceData;
  readonly #options: { version: ItchVersion };
  readonly #books = new Map<string, Book>();
  readonly #scratch = new Uint8Array(SCRATCH_LENGTH);
  /** The scratch buffer as a DataView: big-endian writes, 64-bit ones from bigints. */
  readonly #view = new DataView(this.#scratch.buffer, 0, SCRATCH_LENGTH);
  /** `#views[n]` is the first `n` bytes of the scratch buffer. */
  readonly #views: Uint8Array[];
  #sequence = 0;
  /** The seconds of the latest `T`, `-1` before the first. */
  #seconds = -1;
  #state: "new" | "started" | "ended" = "new";
  #open = false;

  /**
   * Creates a generator for one trading day.
   *
   * @param sink Receives every message.
   * @param referenceData The tick tables and orderbooks, in the order the directory sends
   * them.
   * @param options The ITCH version.
   * @throws {ItchEncodeError} If a field of the reference data does not fit its message (an
   * Orderbook Id not valid in the version, an ISIN over 12 characters, a number not a uint32).
   * @throws {RangeError} If an orderbook is listed twice, names a tick table that is not
   * given, a tick table id is listed twice or has no band, or the version is unknown.
   */
  constructor(
    sink: FeedSink,
    referenceData: FeedReferenceData,
    options: FeedGeneratorOptions = {},
  ) {
    this.#sink = sink;
    this.#reference = referenceData;
    this.#options = { version: options.version ?? "1.7" };
    this.#views = Array.from(
      { length: SCRATCH_LENGTH + 1 },
      (_, n) => this.#scratch.subarray(0, n),
    );
    const tables = new Set<number>();
    for (const table of referenceData.tickTables) {
      if (tables.has(table.tickTableId)) {
        throw new RangeError(
          `Cannot create feed generator as tick table ${table.tickTableId} is listed twice`,
        );
      }
      if (table.bands.length === 0) {
        throw new RangeError(
          `Cannot create feed generator as tick table ${table.tickTableId} has no band`,
        );
      }
      tables.add(table.tickTableId);
      for (const band of table.bands) {
        encodePriceTickSize(
          {
            type: "priceTickSize",
            nanoseconds: 0,
            tickTableId: table.tickTableId,
            ...band,
          },
          this.#scratch,
          0,
          this.#options,
        );
      }
    }
    for (const book of referenceData.orderbooks) {
      if (this.#books.has(book.orderbookId)) {
        throw new RangeError(
          `Cannot create feed generator as orderbook ${
            JSON.stringify(book.orderbookId)
          } is listed twice`,
        );
      }
      if (!tables.has(book.tickTableId)) {
        throw new RangeError(
          `Cannot create feed generator as orderbook ${
            JSON.stringify(book.orderbookId)
          } names tick table ${book.tickTableId}, which is not given`,
        );
      }
      encodeOrderbookDirectory(
        directoryOf(book, 0),
        this.#scratch,
        0,
        this.#options,
      );
      encodeOrderAdded(referenceOf(book, 0), this.#scratch, 0, this.#options);
      this.#books.set(book.orderbookId, {
        id: this.#view.getUint32(18),
        group: this.#view.getUint32(22),
      });
    }
  }

  /** The sequence number of the latest message: how many messages the day has so far. */
  get sequenceNumber(): number {
    return this.#sequence;
  }

  /** Whether the market is open, as the feed last said. */
  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * Sends the start of day (M3). Call it once, before any event.
   *
   * @param timestamp Nanoseconds since midnight of the day the session started.
   * @param options Whether the market is open at the start.
   * @throws {TypeError} If the day has already started.
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   */
  startOfDay(timestamp: number, options: StartOfDayOptions = {}): void {
    if (this.#state !== "new") {
      throw new TypeError(
        "Cannot start the day as it has already started",
      );
    }
    const ns = this.#time(timestamp);
    this.#state = "started";
    this.#systemEvent(ns, "O");
    const version = this.#options;
    const scratch = this.#scratch;
    for (const table of this.#reference.tickTables) {
      for (const band of table.bands) {
        const length = encodePriceTickSize(
          {
            type: "priceTickSize",
            nanoseconds: ns,
            tickTableId: table.tickTableId,
            tickSize: band.tickSize,
            priceStart: band.priceStart,
          },
          scratch,
          0,
          version,
        );
        this.#emit(length);
      }
    }
    const books = this.#reference.orderbooks;
    for (const book of books) {
      this.#emit(
        encodeOrderbookDirectory(directoryOf(book, ns), scratch, 0, version),
      );
    }
    for (const book of books) {
      this.#emit(encodeOrderAdded(referenceOf(book, ns), scratch, 0, version));
    }
    for (const book of books) {
      if (book.halted === true) continue;
      this.#emit(encodeTradingState(
        {
          type: "tradingState",
          nanoseconds: ns,
          orderbookId: book.orderbookId,
          group: book.group,
          tradingState: "T",
        },
        scratch,
        0,
        version,
      ));
    }
    for (const book of books) {
      if (book.shortSellRestricted !== true) continue;
      this.#emit(encodeShortSellingState(
        {
          type: "shortSellingState",
          nanoseconds: ns,
          orderbookId: book.orderbookId,
          group: book.group,
          shortSellingState: "1",
        },
        scratch,
        0,
        version,
      ));
    }
    if (options.open ?? true) this.#opens(ns);
  }

  /**
   * Sends the ITCH messages of one market event (M4–M8), in the event's second.
   *
   * @param event The event, as the matcher reported it.
   * @throws {TypeError} If the day has not started or has ended, or the event type is
   * unknown.
   * @throws {RangeError} If the event's orderbook is not in the reference data or its
   * timestamp is not a non-negative safe integer.
   *
   * @example A replace that keeps the order on the book is one `U`
   * ```ts
   * import { FeedGenerator } from "./feed_generator.ts";
   * import { decodeItch } from "./message.ts";
   * import assert from "node:assert/strict";
   *
   * const sent: Uint8Array[] = [];
   * const feed = new FeedGenerator({ append: (m) => sent.push(m.slice()) }, {
   *   tickTables: [{ tickTableId: 1, bands: [{ tickSize: 1, priceStart: 0 }] }],
   *   orderbooks: [{
   *     orderbookId: "1", isin: "", group: "DAY", roundLotSize: 1, tickTableId: 1,
   *     referencePrice: null, upperPriceLimit: 0x7ffffffe, lowerPriceLimit: 1,
   *   }],
   * });
   * feed.startOfDay(0);
   * sent.length = 0;
   * feed.marketEvent({
   *   type: "bookReplace", timestamp: 5, orderbookId: "1", originalOrderNumber: 7n,
   *   orderNumber: 9n, side: "S", oldPrice: 100, oldQuantity: 10, price: 100, quantity: 4,
   *   account: 3, keepsPriority: true,
   * });
   * assert.deepEqual(sent.map((m) => decodeItch(m)), [{
   *   type: "orderReplaced", nanoseconds: 5, originalOrderNumber: 7n, newOrderNumber: 9n,
   *   quantity: 4, price: 100,
   * }]);
   * ```
   */
  marketEvent(event: MarketEvent): void {
    if (this.#state !== "started") this.#failState("report a market event");
    switch (event.type) {
      case "bookAdd": {
        const book = this.#book(event.orderbookId);
        const ns = this.#time(event.timestamp);
        const v = this.#view;
        v.setUint8(0, ORDER_ADDED_TYPE);
        v.setUint32(1, ns);
        v.setBigUint64(5, event.orderNumber);
        v.setUint8(13, event.side === "B" ? 0x42 : 0x53);
        v.setUint32(14, event.quantity);
        v.setUint32(18, book.id);
        v.setUint32(22, book.group);
        v.setUint32(26, event.price);
        this.#emit(ORDER_ADDED_LENGTH);
        return;
      }
      case "bookExecute": {
        this.#book(event.orderbookId);
        const ns = this.#time(event.timestamp);
        const v = this.#view;
        v.setUint8(0, 0x45);
        v.setUint32(1, ns);
        v.setBigUint64(5, event.orderNumber);
        v.setUint32(13, event.quantity);
        v.setBigUint64(17, event.matchNumber);
        this.#emit(ITCH_ORDER_EXECUTED_LENGTH);
        return;
      }
      case "bookDelete": {
        this.#book(event.orderbookId);
        const ns = this.#time(event.timestamp);
        const v = this.#view;
        v.setUint8(0, 0x44);
        v.setUint32(1, ns);
        v.setBigUint64(5, event.orderNumber);
        this.#emit(ORDER_DELETED_LENGTH);
        return;
      }
      case "bookReplace": {
        this.#book(event.orderbookId);
        const ns = this.#time(event.timestamp);
        const v = this.#view;
        v.setUint8(0, 0x55);
        v.setUint32(1, ns);
        v.setBigUint64(5, event.originalOrderNumber);
        v.setBigUint64(13, event.orderNumber);
        v.setUint32(21, event.quantity);
        v.setUint32(25, event.price);
        this.#emit(ITCH_ORDER_REPLACED_LENGTH);
        return;
      }
      case "tradingState":
        this.#bookState(
          0x48,
          event.orderbookId,
          event.timestamp,
          event.halted ? 0x56 : 0x54,
          TRADING_STATE_LENGTH,
        );
        return;
      case "shortSellState":
        this.#bookState(
          0x59,
          event.orderbookId,
          event.timestamp,
          event.restricted ? 0x31 : 0x30,
          SHORT_SELLING_STATE_LENGTH,
        );
        return;
      case "marketState": {
        const ns = this.#time(event.timestamp);
        if (event.open) this.#opens(ns);
        else {
          this.#systemEvent(ns, "M");
          this.#systemEvent(ns, "E");
          this.#open = false;
        }
        return;
      }
      default:
        throw new TypeError(
          `Cannot report a market event as its type is unknown: current type is ${
            JSON.stringify((event as { type?: unknown }).type)
          }`,
        );
    }
  }

  /**
   * Sends `S C`, the day's last message. Close the market first (the matcher's `close`
   * deletes the resting orders and reports the `marketState` that sends `S M`, `S E`).
   *
   * @param timestamp Nanoseconds since midnight of the day the session started.
   * @throws {TypeError} If the day has not started, has ended, or the market is open.
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   */
  endOfDay(timestamp: number): void {
    if (this.#state !== "started") this.#failState("end the day");
    if (this.#open) {
      throw new TypeError(
        "Cannot end the day as the market is open: close it first",
      );
    }
    this.#systemEvent(this.#time(timestamp), "C");
    this.#state = "ended";
  }

  #failState(action: string): never {
    throw new TypeError(
      `Cannot ${action} as the day ${
        this.#state === "new" ? "has not started" : "has ended"
      }`,
    );
  }

  #book(orderbookId: string): Book {
    const book = this.#books.get(orderbookId);
    if (book !== undefined) return book;
    throw new RangeError(
      `Cannot report a market event as orderbook ${
        JSON.stringify(orderbookId)
      } is not in the reference data`,
    );
  }

  #opens(ns: number): void {
    this.#systemEvent(ns, "S");
    this.#systemEvent(ns, "Q");
    this.#open = true;
  }

  /** Writes `H` or `Y` of one orderbook with the state byte `state`. */
  #bookState(
    type: number,
    orderbookId: string,
    timestamp: number,
    state: number,
    length: number,
  ): void {
    const book = this.#book(orderbookId);
    const ns = this.#time(timestamp);
    const v = this.#view;
    v.setUint8(0, type);
    v.setUint32(1, ns);
    v.setUint32(5, book.id);
    v.setUint32(9, book.group);
    v.setUint8(13, state);
    this.#emit(length);
  }

  #systemEvent(ns: number, code: ItchSystemEventCode): void {
    const v = this.#view;
    v.setUint8(0, 0x53);
    v.setUint32(1, ns);
    v.setUint32(5, BLANK_GROUP);
    v.setUint8(9, code.charCodeAt(0));
    this.#emit(ITCH_SYSTEM_EVENT_LENGTH);
  }

  /**
   * Sends the `T` that `timestamp`'s second needs, if any, and returns its nanoseconds. Call
   * it before writing the message into the scratch buffer.
   */
  #time(timestamp: number): number {
    if (!(Number.isSafeInteger(timestamp) && timestamp >= 0)) {
      throw new RangeError(
        `Cannot write the feed as timestamp must be a non-negative safe integer: current value is ${timestamp}`,
      );
    }
    const seconds = Math.floor(timestamp / NANOSECONDS_PER_SECOND);
    if (seconds !== this.#seconds) {
      this.#seconds = seconds;
      const v = this.#view;
      v.setUint8(0, 0x54);
      v.setUint32(1, seconds);
      this.#emit(TIMESTAMP_SECONDS_LENGTH);
    }
    return timestamp - seconds * NANOSECONDS_PER_SECOND;
  }

  #emit(length: number): void {
    this.#sequence++;
    this.#sink.append(this.#views[length]!);
  }
}

/** The Orderbook Directory of `book`. */
function directoryOf(book: FeedOrderbook, nanoseconds: number) {
  return {
    type: "orderbookDirectory",
    nanoseconds,
    orderbookId: book.orderbookId,
    isin: book.isin,
    group: book.group,
    roundLotSize: book.roundLotSize,
    tickTableId: book.tickTableId,
    priceDecimals: 1,
    upperPriceLimit: book.upperPriceLimit,
    lowerPriceLimit: book.lowerPriceLimit,
  } as const;
}

/** The reference price message of `book`: Order Number 0, side `B`, quantity 0. */
function referenceOf(book: FeedOrderbook, nanoseconds: number) {
  return {
    type: "orderAdded",
    nanoseconds,
    orderNumber: 0n,
    side: "B",
    quantity: 0,
    orderbookId: book.orderbookId,
    group: book.group,
    price: book.referencePrice ?? NO_REFERENCE_PRICE,
  } as const;
}
