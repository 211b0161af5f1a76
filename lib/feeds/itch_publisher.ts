/**
 * The day's ITCH feed, made from the exchange core's output records: one sequence of
 * messages (M2) that the SoupBinTCP feed, the snapshot channel, MoldUDP64 and the log file
 * all carry.
 *
 * @module
 */
import {
  type AccountStream,
  ChunkCache,
  type ChunkStore,
  type DayConfig,
  type JsonObject,
  type RecordBatch,
  SpilledStream,
  type Subscriber,
} from "../exchange/mod.ts";
import {
  BookBuilder,
  FeedGenerator,
  type FeedOrderbook,
  type FeedReferenceData,
  type FeedTickTable,
  type FeedWriter,
  type ItchVersion,
} from "../itch/mod.ts";
import { Matcher, type MatcherOptions } from "../matcher/mod.ts";
import { MessageLog } from "../session/message_log.ts";

/** Who hears about the feed as it grows: the transports. */
export interface ItchFeedListener {
  /** A new day's feed starts (its log is empty, and fills with the start of day next). */
  dayStarted?(session: string): void;
  /** Messages up to `last` (a sequence number) are in the log. */
  appended?(last: number): void;
  /** The day's last message (`S C`) is in the log. */
  dayEnded?(): void;
}

/** Where the feed's messages are kept besides memory: the `--itch-log` file. */
export interface ItchFeedFile {
  /**
   * A new day starts: forget the previous day's messages.
   *
   * @param previous The session of the day before, when this process had one.
   */
  reset(previous?: string): void;
  /** Appends one message (a view valid during the call). */
  append(message: Uint8Array): void;
  /** Makes what was appended durable enough for a reader (one write per batch). */
  flush(): void;
  close(): void;
}

/**
 * The ITCH version of an OUCH version (M1): 1.7 with 1.12, 1.6 with 1.11.
 *
 * @param ouch The OUCH version of the day.
 * @returns The ITCH version.
 */
export function itchVersionOf(ouch: string): ItchVersion {
  return ouch === "1.11" ? "1.6" : "1.7";
}

/**
 * The feed's reference data of a day (K17), from the day's recorded configuration alone: the
 * instruments and tick tables the matcher of that day uses, so a process fed only records
 * announces the same directory as the server.
 *
 * @param day The day's configuration, as its start record holds it.
 * @returns The tick tables the orderbooks use (by id) and the orderbooks in configuration
 *   order, halted ones flagged.
 *
 * @example The built-in orderbooks of a day
 * ```ts
 * import { referenceDataOf } from "./itch_publisher.ts";
 * import assert from "node:assert/strict";
 *
 * const data = referenceDataOf({
 *   session: "1795564800", tradingDate: "20261125", created: 1795564800, version: "1.12",
 *   orderbooks: ["1"], open: true, halted: ["1"], matcher: {},
 * });
 * assert.deepEqual(data.tickTables, [{ tickTableId: 0, bands: [{ tickSize: 1, priceStart: 0 }] }]);
 * assert.equal(data.orderbooks[0]?.halted, true);
 * assert.equal(data.orderbooks[0]?.referencePrice, null);
 * ```
 */
export function referenceDataOf(day: DayConfig): FeedReferenceData {
  const matcher = new Matcher({ message() {}, market() {} }, {
    ...(day.matcher as JsonObject),
    tradingDate: day.tradingDate,
    orderbooks: day.orderbooks,
    open: day.open,
    tradeHistory: 0,
  } as MatcherOptions);
  const used = new Set<number>();
  const orderbooks: FeedOrderbook[] = day.orderbooks.map((id) => {
    const instrument = matcher.instrument(id)!;
    used.add(instrument.tickTable);
    const limited = instrument.upperLimit !== 0;
    return {
      orderbookId: id,
      isin: instrument.isin,
      group: instrument.group,
      roundLotSize: instrument.roundLot,
      tickTableId: instrument.tickTable,
      referencePrice: instrument.referencePrice === 0
        ? null
        : instrument.referencePrice,
      // No limits: the whole price range (ITCH has no "none").
      upperPriceLimit: limited ? instrument.upperLimit : 0x7ffffffe,
      lowerPriceLimit: limited ? instrument.lowerLimit : 1,
      halted: day.halted.includes(id),
      shortSellRestricted: matcher.isShortSellRestricted(id),
    };
  });
  const tickTables: FeedTickTable[] = [...used].sort((a, b) => a - b).map((
    id,
  ) => ({
    tickTableId: id,
    bands: matcher.tickTables.get(id)!.map((band) => ({
      tickSize: band.tick,
      priceStart: band.from,
    })),
  }));
  return { tickTables, orderbooks };
}

/**
 * The day's messages as the publisher keeps them: in memory ({@linkcode MessageLog}) or with
 * older chunks on disk ({@linkcode SpilledStream}).
 */
export type FeedLog = AccountStream & FeedWriter & {
  append(message: Uint8Array): number;
  /** The bytes of {@linkcode FeedWriter.view}. */
  readonly chunk: Uint8Array;
  forEachMessage(
    from: number,
    to: number,
    visit: (bytes: Uint8Array, start: number, end: number) => void,
  ): void;
  /** The messages as runs of SoupBinTCP Sequenced Data packets, one call per run. */
  forEachPacketRun(
    from: number,
    to: number,
    visit: (bytes: Uint8Array, start: number, end: number) => void,
  ): void;
};

/**
 * A subscriber of the exchange core that turns its output records into the day's ITCH feed
 * (`FeedGenerator`, M3–M9) and keeps it: every message in {@linkcode ItchPublisher.log}
 * (numbered from 1, framed for SoupBinTCP) and in the optional log file. The book builder
 * the snapshot channel answers from is brought up to date from the log when it is asked for
 * ({@linkcode ItchPublisher.books}, or in slices with
 * {@linkcode ItchPublisher.booksCurrent}), not message by message: a day without snapshot
 * readers never pays for it. The start of day takes its time from the day's start record, the end
 * of day from its end record (closing the market first, `S M` `S E`, if it is open), so the
 * feed is a function of the records alone: regenerated from a replayed journal it is
 * byte-identical (M11).
 *
 * The day's messages are held in memory (about 35 bytes each), or, after
 * {@linkcode ItchPublisher.spillTo}, the newest in memory and the rest on disk, like the OUCH
 * account streams; the log file holds them on disk too.
 *
 * @example One order's day
 * ```ts
 * import { ItchPublisher } from "./itch_publisher.ts";
 * import { Exchange } from "../exchange/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const exchange = new Exchange({
 *   users: new Map([["demo1", "demo"]]),
 *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
 *   timestamp: 34_200_000_000_000,
 * });
 * const feed = new ItchPublisher();
 * exchange.subscribe(feed);
 * exchange.submit("demo1", {
 *   type: "enterOrder", orderToken: 1, clientReference: "", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0, orderClassification: "1",
 *   cashMarginType: "1",
 * }, 34_200_000_000_500);
 * await exchange.drain();
 * const types = Array.from({ length: feed.log.length }, (_, i) =>
 *   String.fromCharCode(feed.log.message(i + 1)[0]!)).join("");
 * assert.match(types, /^TSL+R+A+H+SSA$/);
 * assert.equal(feed.books.depth("1").bids[0]?.quantity, 100);
 * ```
 */
export class ItchPublisher implements Subscriber {
  #log: FeedLog = new MessageLog();
  #cache: ChunkCache | undefined;
  #books = new BookBuilder();
  /** How many of the log's messages the books hold. */
  #booksAt = 0;
  #catchingUp: Promise<void> | undefined;
  #generator: FeedGenerator | undefined;
  #session: string | undefined;
  #version: ItchVersion = "1.7";
  #ended = false;
  readonly #file: ItchFeedFile | undefined;
  readonly #listeners = new Set<ItchFeedListener>();

  /**
   * Makes a publisher.
   *
   * @param options The log file, if any.
   */
  constructor(options: { file?: ItchFeedFile } = {}) {
    this.#file = options.file;
  }

  /** The day's messages so far, from 1. */
  get log(): FeedLog {
    return this.#log;
  }

  /**
   * The books as the feed so far builds them (the snapshot's source), brought up to date
   * with the log first (synchronously: see {@linkcode booksCurrent} for a long backlog).
   */
  get books(): BookBuilder {
    this.#catchUp(Infinity);
    return this.#books;
  }

  /** How many of the log's messages are not in the books yet. */
  get booksBehind(): number {
    return this.#log.length - this.#booksAt;
  }

  /**
   * Brings the books within `slice` messages of the log, applying at most `slice` messages
   * per macrotask so that order entry goes on meanwhile; concurrent callers share one
   * catch-up. Then {@linkcode books} finishes synchronously.
   *
   * @param slice The most messages applied per turn of the event loop.
   * @returns When the books are within `slice` messages of the log.
   */
  booksCurrent(slice = 50_000): Promise<void> {
    this.#catchingUp ??= (async () => {
      try {
        while (this.booksBehind > slice) {
          this.#catchUp(slice);
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      } finally {
        this.#catchingUp = undefined;
      }
    })();
    return this.#catchingUp;
  }

  #catchUp(max: number): void {
    const log = this.#log;
    const books = this.#books;
    const last = Math.min(log.length, this.#booksAt + max);
    for (let n = this.#booksAt + 1; n <= last; n++) {
      books.applyMessage(log.message(n));
    }
    this.#booksAt = last;
  }

  /** The session id of the day (M12), `undefined` before the first day. */
  get session(): string | undefined {
    return this.#session;
  }

  /** The ITCH version of the day. */
  get version(): ItchVersion {
    return this.#version;
  }

  /** Whether the day's feed has ended (`S C` sent). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Keeps the days' logs in bounded memory from the next day on (the first, if it has not
   * started): older chunks of messages go to `store` and come back through a small cache
   * when a reader replays them (as the OUCH account streams do).
   *
   * @param store Where older chunks go: the server's scratch file.
   */
  spillTo(store: ChunkStore): void {
    this.#cache = new ChunkCache(store);
  }

  /**
   * Adds a listener.
   *
   * @param listener Told of new days, messages and the end of day.
   * @returns A function that removes it.
   */
  listen(listener: ItchFeedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Runs the batch's market events through the generator.
   *
   * @param batch The delivered batch.
   */
  delivered(batch: RecordBatch): void {
    const before = this.#log.length;
    const day = batch.startsDay;
    let events = batch.events;
    if (day !== undefined) {
      const start = batch.records[0]!;
      this.#startDay(day, start.timestamp);
      // The halts the day starts with are the start record's events: the spin says them.
      events = events.slice(start.events.length);
    }
    const generator = this.#generator;
    if (generator === undefined || this.#ended) return;
    for (const event of events) generator.marketEvent(event);
    if (batch.endsDay) {
      const timestamp = batch.records.at(-1)!.timestamp;
      if (generator.isOpen) {
        generator.marketEvent({ type: "marketState", timestamp, open: false });
      }
      generator.endOfDay(timestamp);
      this.#ended = true;
    }
    this.#file?.flush();
    const last = this.#log.length;
    if (last > before) {
      for (const listener of this.#listeners) listener.appended?.(last);
    }
    if (this.#ended) {
      for (const listener of this.#listeners) listener.dayEnded?.();
    }
  }

  /** Closes the log file. */
  close(): void {
    this.#file?.close();
  }

  #startDay(day: DayConfig, timestamp: number): void {
    const previous = this.#session;
    this.#version = itchVersionOf(day.version);
    this.#log = this.#cache === undefined
      ? new MessageLog()
      : new SpilledStream(this.#cache);
    this.#books = new BookBuilder({ version: this.#version });
    this.#booksAt = 0;
    this.#session = day.session;
    this.#ended = false;
    this.#file?.reset(previous);
    const log = this.#log;
    const file = this.#file;
    // Each message is written once, into the log's chunk; the file copies it from there.
    let reserved = 0;
    const generator = new FeedGenerator(
      file === undefined ? log : {
        reserve: (maxLength) => reserved = log.reserve(maxLength),
        get view() {
          return log.view;
        },
        commit: (length) => {
          file.append(log.chunk.subarray(reserved, reserved + length));
          return log.commit(length);
        },
      },
      referenceDataOf(day),
      { version: this.#version },
    );
    this.#generator = generator;
    for (const listener of this.#listeners) {
      listener.dayStarted?.(day.session);
    }
    generator.startOfDay(timestamp, { open: day.open });
  }
}

/**
 * The `--itch-log` file: the day's feed as a SoupBin file (u16 big-endian length, then the
 * message), the format Japannext's `jnx_bits` reads. Rewritten from the start of each day,
 * so after a restart it holds the regenerated feed, byte-identical to before (M11); when a
 * day ends and the next starts in the same process, the ended day's file is kept as
 * `FILE.SESSION`.
 */
export class ItchLogFile implements ItchFeedFile {
  readonly #file: Deno.FsFile;
  readonly #path: string;
  #buffer = new Uint8Array(64 * 1024);
  #used = 0;

  private constructor(file: Deno.FsFile, path: string) {
    this.#file = file;
    this.#path = path;
  }

  /**
   * Opens (creates, truncates) the file.
   *
   * @param path The file.
   * @returns The log file.
   */
  static open(path: string): ItchLogFile {
    return new ItchLogFile(
      Deno.openSync(path, {
        write: true,
        create: true,
        truncate: true,
      }),
      path,
    );
  }

  /**
   * Empties the file, keeping a copy of the day before as `FILE.SESSION`.
   *
   * @param previous The session of the day before, if any.
   */
  reset(previous?: string): void {
    this.flush();
    if (previous !== undefined) {
      Deno.copyFileSync(this.#path, `${this.#path}.${previous}`);
    }
    this.#used = 0;
    this.#file.truncateSync(0);
    this.#file.seekSync(0, Deno.SeekMode.Start);
  }

  /**
   * Adds one message.
   *
   * @param message The message.
   */
  append(message: Uint8Array): void {
    const need = this.#used + 2 + message.length;
    if (need > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(need, this.#buffer.length * 2));
      grown.set(this.#buffer.subarray(0, this.#used));
      this.#buffer = grown;
    }
    const b = this.#buffer;
    b[this.#used] = message.length >> 8;
    b[this.#used + 1] = message.length & 0xff;
    b.set(message, this.#used + 2);
    this.#used = need;
  }

  /** Writes what was appended. */
  flush(): void {
    let at = 0;
    while (at < this.#used) {
      at += this.#file.writeSync(this.#buffer.subarray(at, this.#used));
    }
    this.#used = 0;
  }

  /** Writes what is left and closes. */
  close(): void {
    this.flush();
    this.#file.close();
  }
}
