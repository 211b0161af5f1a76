/**
 * Follows a venue's log from any stream sequence with an ordered consumer and yields its
 * batches and fences in order, enforcing epochs.
 *
 * @module
 */
import type { MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import type { JsMsg } from "@nats-io/jetstream";
import { OrderedFeed } from "./_ordered_feed.ts";
import {
  HEADER_COMMAND,
  HEADER_EPOCH,
  HEADER_FENCE,
  HEADER_MSG_ID,
  HEADER_PART,
  type VenueNames,
  venueNames,
} from "./names.ts";
import { decodeRecords } from "./records.ts";
import type { CommandCursor } from "./log_writer.ts";

/** A batch of output records, delivered once all its parts are read. */
export interface LogBatch {
  readonly type: "batch";
  /** Stream sequence of its (last) message. */
  readonly seq: number;
  /** Stream sequence of its first message. */
  readonly firstSeq: number;
  /** The epoch of the writer that appended it. */
  readonly epoch: number;
  /** The command position it reflects. */
  readonly cursor: CommandCursor;
  /** The records, in append order. */
  readonly records: Uint8Array[];
}

/** A new writer's epoch fence. */
export interface LogFence {
  readonly type: "fence";
  /** Its stream sequence. */
  readonly seq: number;
  /** The epoch that starts here. */
  readonly epoch: number;
}

/** A message the epoch rule (or its shape) kept from the caller; only its place is told. */
export interface LogDropped {
  readonly type: "dropped";
  /** Its stream sequence. */
  readonly seq: number;
  /** Why: `"stale epoch"`, `"stale fence"`, `"orphan part"`, `"foreign"`, `"unreadable"`. */
  readonly reason: string;
}

/** What a {@linkcode LogReader} yields. */
export type LogEntry = LogBatch | LogFence | LogDropped;

/** Options for {@linkcode LogReader.open}. */
export interface LogReaderOptions {
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Start after this stream sequence (0 reads from the beginning). @default 0 */
  after?: number;
  /** The epoch in force at `after`, if known (e.g. from a snapshot). @default 0 */
  epoch?: number;
  /** Messages the ordered consumer asks for at once. @default 10_000 */
  maxMessages?: number;
  /**
   * How long one pull request lives; the server heartbeats at half of it, and two missed
   * heartbeats make the ordered consumer recreate itself (after a node failure). @default 2_000
   */
  expiresMs?: number;
  /** How long creating the consumer is retried. @default 60_000 */
  retryMs?: number;
}

interface PartialBatch {
  readonly epoch: number;
  readonly count: number;
  readonly firstSeq: number;
  readonly records: Uint8Array[];
  next: number;
}

/**
 * Reads the log in stream order and applies the epoch rule: a fence with a larger epoch than
 * any seen starts that epoch; a batch (or fence) of a smaller epoch is dropped, so nothing a
 * fenced writer managed to write after a newer fence ever reaches a caller. A batch split
 * over several messages is delivered when its last part arrives, and dropped if a fence
 * comes first. Dropped messages are yielded as `dropped` entries (no content) so that the
 * caller always knows the position. The ordered consumer recreates itself after a reconnect or a node failure and
 * carries on from the next sequence.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const reader = await LogReader.open(nc, { after: 0 });
 * for await (const entry of reader) {
 *   if (entry.type === "batch") apply(entry.records);
 * }
 * ```
 */
export class LogReader implements AsyncIterable<LogEntry> {
  readonly #feed: OrderedFeed;
  #position: number;
  #epoch: number;
  #lastMsgId = "";
  #cursor: CommandCursor = { seq: 0, done: 0 };
  #dropped = 0;
  #partial: PartialBatch | undefined;

  private constructor(feed: OrderedFeed, after: number, epoch: number) {
    this.#feed = feed;
    this.#position = after;
    this.#epoch = epoch;
  }

  /**
   * Starts an ordered consumer on the log after stream sequence `after`.
   *
   * @param nc A connection.
   * @param options Where to start, and tuning.
   * @returns The reader; iterate it once.
   * @throws {Error} The last JetStream error when no consumer could be made within `retryMs`.
   */
  static async open(
    nc: NatsConnection,
    options: LogReaderOptions = {},
  ): Promise<LogReader> {
    const names = options.names ?? venueNames();
    const after = options.after ?? 0;
    const feed = await OrderedFeed.open(nc, names.logStream, after + 1, {
      maxMessages: options.maxMessages ?? 10_000,
      expiresMs: options.expiresMs ?? 2_000,
      retryMs: options.retryMs ?? 60_000,
    });
    return new LogReader(feed, after, options.epoch ?? 0);
  }

  /** Stream sequence of the last message read (of any kind, dropped ones included). */
  get position(): number {
    return this.#position;
  }

  /** `Nats-Msg-Id` of the last message read ("" before the first). */
  get lastMsgId(): string {
    return this.#lastMsgId;
  }

  /** The newest epoch seen. */
  get epoch(): number {
    return this.#epoch;
  }

  /** The command position of the last batch delivered. */
  get cursor(): CommandCursor {
    return this.#cursor;
  }

  /** Messages dropped: stale epochs, orphaned or abandoned parts, foreign messages. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Stops the consumer; iteration ends. */
  async close(): Promise<void> {
    await this.#feed.close();
  }

  /** How many times a stalled consumer was replaced (after a node failure). */
  get restarts(): number {
    return this.#feed.restarts;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<LogEntry> {
    for await (const msg of this.#feed) {
      const entry = this.#read(msg);
      if (entry !== undefined) yield entry;
    }
  }

  #read(msg: JsMsg): LogEntry | undefined {
    const seq = msg.seq;
    this.#position = seq;
    const h: MsgHdrs | undefined = msg.headers;
    this.#lastMsgId = h?.get(HEADER_MSG_ID) ?? "";
    const epoch = Number(h?.get(HEADER_EPOCH) ?? "");
    if (h === undefined || !Number.isSafeInteger(epoch) || epoch < 0) {
      return this.#drop(seq, "foreign");
    }
    if (h.get(HEADER_FENCE) === "1") {
      if (epoch <= this.#epoch && !(epoch === 0 && seq === 1)) {
        return this.#drop(seq, "stale fence");
      }
      this.#epoch = epoch;
      this.#abandonPartial();
      return { type: "fence", seq, epoch };
    }
    if (epoch < this.#epoch) {
      return this.#drop(seq, "stale epoch");
    }
    if (epoch > this.#epoch) {
      // Started mid-epoch without knowing it: the first batch tells.
      this.#epoch = epoch;
      this.#abandonPartial();
    }
    const cursor = parseCursor(h.get(HEADER_COMMAND));
    if (cursor === undefined) {
      return this.#drop(seq, "foreign");
    }
    let records: Uint8Array[];
    try {
      records = decodeRecords(msg.data);
    } catch {
      return this.#drop(seq, "unreadable");
    }
    const part = h.get(HEADER_PART);
    if (part === "") {
      this.#abandonPartial();
      this.#cursor = cursor;
      return { type: "batch", seq, firstSeq: seq, epoch, cursor, records };
    }
    const [index, count] = part.split("/").map(Number) as [number, number];
    if (index === 0) {
      this.#abandonPartial();
      this.#partial = { epoch, count, firstSeq: seq, records, next: 1 };
    } else if (
      this.#partial !== undefined && this.#partial.epoch === epoch &&
      this.#partial.next === index && this.#partial.count === count
    ) {
      this.#partial.records.push(...records);
      this.#partial.next++;
    } else {
      return this.#drop(seq, "orphan part");
    }
    if (this.#partial.next < count) return undefined;
    const done = this.#partial;
    this.#partial = undefined;
    this.#cursor = cursor;
    return {
      type: "batch",
      seq,
      firstSeq: done.firstSeq,
      epoch,
      cursor,
      records: done.records,
    };
  }

  #drop(seq: number, reason: string): LogDropped {
    this.#dropped++;
    return { type: "dropped", seq, reason };
  }

  #abandonPartial(): void {
    if (this.#partial === undefined) return;
    this.#dropped += this.#partial.next;
    this.#partial = undefined;
  }
}

/**
 * Reads an `Ouch-Cmd` header: the command cursor a batch reflects.
 *
 * @param value The header, `SEQ.DONE`.
 * @returns The cursor, or `undefined` when it is not one.
 *
 * @example Usage
 * ```ts
 * import { parseCursor } from "./log_reader.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseCursor("12.3"), { seq: 12, done: 3 });
 * assert.equal(parseCursor("12"), undefined);
 * ```
 */
export function parseCursor(value: string): CommandCursor | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(value);
  if (match === null) return undefined;
  return { seq: Number(match[1]), done: Number(match[2]) };
}
