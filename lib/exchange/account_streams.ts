/**
 * Every account's sequenced OUCH messages of the day, rebuilt from delivered records.
 *
 * @module
 */
import { MessageLog, type PacketStream } from "../session/message_log.ts";
import type { DayConfig } from "./record.ts";
import type { RecordBatch, Subscriber } from "./subscriber.ts";
import {
  ChunkCache,
  type ChunkStore,
  SpilledStream,
} from "./spilled_stream.ts";

/** One account's stream: what a session sends from, and single messages by number. */
export interface AccountStream extends PacketStream {
  /**
   * A view of one stored OUCH message.
   *
   * @param sequenceNumber From 1 to `length`.
   * @returns The message bytes (type byte first), valid as long as the stream.
   * @throws {RangeError} When no message has that number.
   */
  message(sequenceNumber: number): Uint8Array;
}

const EMPTY: readonly number[] = Object.freeze([]);

/**
 * The streams of every account, built from records as they are delivered: a stream holds
 * only durable messages, so a session that sends from it never sends a message the log
 * could lose (the publish watermark is the delivery itself). A client can replay its
 * account's stream from any sequence number.
 *
 * Each stream is behind the small {@linkcode PacketStream} interface, so that a store on
 * disk can replace the one in memory.
 *
 * @example Streams from a batch of records
 * ```ts
 * import { AccountStreams } from "./account_streams.ts";
 * import { encodeRecords } from "./record.ts";
 * import { RecordBatch } from "./subscriber.ts";
 * import assert from "node:assert/strict";
 *
 * const streams = new AccountStreams();
 * streams.delivered(new RecordBatch(encodeRecords([{
 *   timestamp: 1, command: { type: "open" }, events: [],
 *   messages: [{ account: 2, sequenceNumber: 1, message: new Uint8Array([0x53, 0x45]) }],
 * }])));
 * assert.equal(streams.stream(2).length, 1);
 * assert.deepEqual(streams.stream(2).message(1), new Uint8Array([0x53, 0x45]));
 * assert.deepEqual(streams.touched, [2]);
 * assert.equal(streams.stream(0).length, 0);
 * ```
 */
export class AccountStreams implements Subscriber {
  #logs: (MessageLog | SpilledStream | undefined)[] = [];
  readonly #cache: ChunkCache | undefined;
  #day: DayConfig | undefined;
  #touched: number[] = [];
  #seen: Uint8Array = new Uint8Array(64);
  readonly #append = (
    account: number,
    sequenceNumber: number,
    bytes: Uint8Array,
    start: number,
    end: number,
  ) => {
    let log = this.#logs[account];
    if (log === undefined) {
      log = this.#newLog();
      this.#logs[account] = log;
    }
    if (sequenceNumber !== log.length + 1) {
      throw new RangeError(
        `Cannot append message ${sequenceNumber} to the stream of account ${account}: it holds ${log.length}`,
      );
    }
    log.appendFrom(bytes, start, end);
    if (account >= this.#seen.length) {
      const grown = new Uint8Array(
        Math.max(account + 1, this.#seen.length * 2),
      );
      grown.set(this.#seen);
      this.#seen = grown;
    }
    if (this.#seen[account] === 0) {
      this.#seen[account] = 1;
      this.#touched.push(account);
    }
  };

  /**
   * Makes the streams.
   *
   * @param store Where the streams' older messages go (see `spilled_stream.ts`), so that
   *   memory is bounded by a few chunks per account and a shared cache, not by the day's
   *   messages; without it every message stays in memory. @default {undefined}
   */
  constructor(store?: ChunkStore) {
    this.#cache = store === undefined ? undefined : new ChunkCache(store);
  }

  #newLog(): MessageLog | SpilledStream {
    return this.#cache === undefined
      ? new MessageLog()
      : new SpilledStream(this.#cache);
  }

  /**
   * The stream of an account; empty for an account without messages.
   *
   * @param account The account id.
   * @returns Its stream.
   */
  stream(account: number): AccountStream {
    let log = this.#logs[account];
    if (log === undefined) {
      log = this.#newLog();
      this.#logs[account] = log;
    }
    return log;
  }

  /** The accounts whose streams grew with the last delivered batch, in first-touch order. */
  get touched(): readonly number[] {
    return this.#touched.length === 0 ? EMPTY : this.#touched;
  }

  /**
   * A new day: every stream starts empty. Sessions of the day before keep their streams.
   * Told again of the day it has, nothing happens: the exchange tells it as soon as the day
   * starts, before the day's start is delivered, so that logins get the day's streams.
   *
   * @param day The day's configuration.
   */
  dayStarted(day: DayConfig): void {
    const current = this.#day;
    if (
      current !== undefined && current.session === day.session &&
      current.created === day.created &&
      current.tradingDate === day.tradingDate
    ) return;
    this.#day = day;
    this.#logs = [];
  }

  /**
   * Appends the batch's messages to their accounts' streams.
   *
   * @param batch The batch.
   * @throws {RangeError} When a message's sequence number does not follow its stream's.
   */
  delivered(batch: RecordBatch): void {
    for (const account of this.#touched) this.#seen[account] = 0;
    this.#touched = [];
    batch.forEachMessage(this.#append);
  }
}
