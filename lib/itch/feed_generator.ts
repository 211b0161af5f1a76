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

/**
 * Where the feed goes when it is written in place, each message once: a log's chunk being
 * filled (`lib/session`'s `MessageLog`, `lib/exchange`'s `SpilledStream`). For every
 * message the generator calls {@linkcode FeedWriter.reserve}, writes the message into
 * {@linkcode FeedWriter.view} at the offset it returned, then calls
 * {@linkcode FeedWriter.commit}; messages are numbered from 1 in commit order.
 */
export interface FeedWriter {
  /**
   * Makes room for a message of `maxLength` bytes.
   *
   * @returns The offset in {@linkcode FeedWriter.view} where the message goes.
   */
  reserve(maxLength: number): number;
  /** The bytes to write into after {@linkcode FeedWriter.reserve}. */
  readonly view: DataView;
  /** Stores the message of `length` bytes written at the reserved offset. */
  commit(length: number): unknown;
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

/** An event of one orderbook. */
type OrderbookEvent = Exclude<MarketEvent, { type: "marketState" }>;

/** A blank (system-wide) group: four spaces. */
const BLANK_GROUP = 0x20202020;
/** Bytes of the scratch buffer: the longest message the generator writes is 45 bytes. */
const SCRATCH_LENGTH = 64;
/** Nanoseconds in a second, a number. */
const SECOND = NANOSECONDS_PER_SECOND;

/** A {@linkcode FeedSink} as a {@linkcode FeedWriter}: messages written in a scratch buffer. */
class AppendWriter implements FeedWriter {
  readonly view: DataView;
  readonly #sink: FeedSink;
  /** `#views[n]` is the first `n` bytes of the scratch buffer. */
  readonly #views: Uint8Array[];

  constructor(sink: FeedSink) {
    const scratch = new Uint8Array(SCRATCH_LENGTH);
    this.view = new DataView(scratch.buffer);
    this.#sink = sink;
    this.#views = Array.from(
      { length: SCRATCH_LENGTH + 1 },
      (_, n) => scratch.subarray(0, n),
    );
  }

  reserve(): number {
    return 0;
  }

  commit(length: number): void {
    this.#sink.append(this.#views[length]!);
  }
}

/** Whether `sink` is written in place. */
function isWriter(sink: FeedSink | FeedWriter): sink is FeedWriter {
  const writer = sink as Partial<FeedWriter>;
  return typeof writer.reserve === "function" &&
    typeof writer.commit === "function" && writer.view instanceof DataView;
}

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
 * nanoseconds since it. The sink is either a {@linkcode FeedSink}, handed each message, or a
 * {@linkcode FeedWriter} (a log), each message written into it in place. Deterministic: the same calls give the same bytes, so a feed
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
  readonly #out: FeedWriter;
  readonly #reference: FeedReferenceData;
  readonly #options: { version: ItchVersion };
  readonly #books = new Map<string, Book>();
  /** The orderbook of the latest event, and its id (`#book`'s cache). */
  #lastId: string | undefined;
  #lastBook: Book = { id: 0, group: 0 };
  /** Where the reference data's messages are encoded before they are written. */
  readonly #scratch = new Uint8Array(SCRATCH_LENGTH);
  readonly #view = new DataView(this.#scratch.buffer, 0, SCRATCH_LENGTH);
  #sequence = 0;
  /** The seconds of the latest `T`, `-1` before the first. */
  #seconds = -1;
  /** The latest `T`'s second as nanoseconds, and the next second's: no `T` in between. */
  #secondAt = Infinity;
  #nextSecondAt = -Infinity;
  #state: "new" | "started" | "ended" = "new";
  #open = false;

  /**
   * Creates a generator for one trading day.
   *
   * @param sink Receives every message, or has each written into it in place.
   * @param referenceData The tick tables and orderbooks, in the order the directory sends
   * them.
   * @param options The ITCH version.
   * @throws {ItchEncodeError} If a field of the reference data does not fit its message (an
   * Orderbook Id not valid in the version, an ISIN over 12 characters, a number not a uint32).
   * @throws {RangeError} If an orderbook is listed twice, names a tick table that is not
   * given, a tick table id is listed twice or has no band, or the version is unknown.
   */
  constructor(
    sink: FeedSink | FeedWriter,
    referenceData: FeedReferenceData,
    options: FeedGeneratorOptions = {},
  ) {
    this.#out = isWriter(sink) ? sink : new AppendWriter(sink);
    this.#reference = referenceData;
    this.#options = { version: options.version ?? "1.7" };
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
        this.#emitScratch(length);
      }
    }
    const books = this.#reference.orderbooks;
    for (const book of books) {
      this.#emitScratch(
        encodeOrderbookDirectory(directoryOf(book, ns), scratch, 0, version),
      );
    }
    for (const book of books) {
      this.#emitScratch(
        encodeOrderAdded(referenceOf(book, ns), scratch, 0, version),
      );
    }
    for (const book of books) {
      if (book.halted === true) continue;
      this.#emitScratch(encodeTradingState(
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
      this.#emitScratch(encodeShortSellingState(
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
        const at = this.#begin(event, ORDER_ADDED_TYPE, ORDER_ADDED_LENGTH);
        const book = this.#lastBook;
        const v = this.#out.view;
        v.setBigUint64(at + 5, event.orderNumber);
        v.setUint8(at + 13, event.side === "B" ? 0x42 : 0x53);
        v.setUint32(at + 14, event.quantity);
        v.setUint32(at + 18, book.id);
        v.setUint32(at + 22, book.group);
        v.setUint32(at + 26, event.price);
        this.#commit(ORDER_ADDED_LENGTH);
        return;
      }
      case "bookExecute": {
        const at = this.#begin(event, 0x45, ITCH_ORDER_EXECUTED_LENGTH);
        const v = this.#out.view;
        v.setBigUint64(at + 5, event.orderNumber);
        v.setUint32(at + 13, event.quantity);
        v.setBigUint64(at + 17, event.matchNumber);
        this.#commit(ITCH_ORDER_EXECUTED_LENGTH);
        return;
      }
      case "bookDelete": {
        const at = this.#begin(event, 0x44, ORDER_DELETED_LENGTH);
        this.#out.view.setBigUint64(at + 5, event.orderNumber);
        this.#commit(ORDER_DELETED_LENGTH);
        return;
      }
      case "bookReplace": {
        const at = this.#begin(event, 0x55, ITCH_ORDER_REPLACED_LENGTH);
        const v = this.#out.view;
        v.setBigUint64(at + 5, event.originalOrderNumber);
        v.setBigUint64(at + 13, event.orderNumber);
        v.setUint32(at + 21, event.quantity);
        v.setUint32(at + 25, event.price);
        this.#commit(ITCH_ORDER_REPLACED_LENGTH);
        return;
      }
      case "tradingState":
        this.#bookState(
          event,
          0x48,
          event.halted ? 0x56 : 0x54,
          TRADING_STATE_LENGTH,
        );
        return;
      case "shortSellState":
        this.#bookState(
          event,
          0x59,
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
    if (orderbookId === this.#lastId) return this.#lastBook;
    const book = this.#books.get(orderbookId);
    if (book !== undefined) {
      this.#lastId = orderbookId;
      this.#lastBook = book;
      return book;
    }
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
    event: OrderbookEvent,
    type: number,
    state: number,
    length: number,
  ): void {
    const at = this.#begin(event, type, length);
    const book = this.#lastBook;
    const v = this.#out.view;
    v.setUint32(at + 5, book.id);
    v.setUint32(at + 9, book.group);
    v.setUint8(at + 13, state);
    this.#commit(length);
  }

  /**
   * Starts the message of an orderbook's event: checks the orderbook (then
   * `#lastBook`), sends the `T` the event's second needs, reserves `length` bytes and writes
   * the type and the nanoseconds.
   *
   * @returns The message's offset in the writer's view.
   */
  #begin(event: OrderbookEvent, type: number, length: number): number {
    this.#book(event.orderbookId);
    const ns = this.#time(event.timestamp);
    const out = this.#out;
    const at = out.reserve(length);
    const v = out.view;
    v.setUint8(at, type);
    v.setUint32(at + 1, ns);
    return at;
  }

  #systemEvent(ns: number, code: ItchSystemEventCode): void {
    const out = this.#out;
    const at = out.reserve(ITCH_SYSTEM_EVENT_LENGTH);
    const v = out.view;
    v.setUint8(at, 0x53);
    v.setUint32(at + 1, ns);
    v.setUint32(at + 5, BLANK_GROUP);
    v.setUint8(at + 9, code.charCodeAt(0));
    this.#commit(ITCH_SYSTEM_EVENT_LENGTH);
  }

  /**
   * Sends the `T` that `timestamp`'s second needs, if any, and returns its nanoseconds. Call
   * it before reserving the message's bytes. Within the latest `T`'s second, no division.
   */
  #time(timestamp: number): number {
    if (
      timestamp >= this.#secondAt && timestamp < this.#nextSecondAt &&
      Number.isInteger(timestamp)
    ) {
      return timestamp - this.#secondAt;
    }
    return this.#newSecond(timestamp);
  }

  /** {@linkcode FeedGenerator.#time} for a timestamp outside the latest `T`'s second. */
  #newSecond(timestamp: number): number {
    if (!(Number.isSafeInteger(timestamp) && timestamp >= 0)) {
      throw new RangeError(
        `Cannot write the feed as timestamp must be a non-negative safe integer: current value is ${timestamp}`,
      );
    }
    const seconds = Math.floor(timestamp / SECOND);
    if (seconds !== this.#seconds) {
      this.#seconds = seconds;
      const out = this.#out;
      const at = out.reserve(TIMESTAMP_SECONDS_LENGTH);
      const v = out.view;
      v.setUint8(at, 0x54);
      v.setUint32(at + 1, seconds);
      this.#commit(TIMESTAMP_SECONDS_LENGTH);
    }
    this.#secondAt = seconds * SECOND;
    this.#nextSecondAt = this.#secondAt + SECOND;
    return timestamp - this.#secondAt;
  }

  /** Numbers and stores the message written at the reserved offset. */
  #commit(length: number): void {
    this.#sequence++;
    this.#out.commit(length);
  }

  /** Writes the first `length` bytes of the scratch buffer as a message. */
  #emitScratch(length: number): void {
    const out = this.#out;
    const at = out.reserve(length);
    const v = out.view;
    const scratch = this.#scratch;
    for (let i = 0; i < length; i++) v.setUint8(at + i, scratch[i]!);
    this.#commit(length);
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
