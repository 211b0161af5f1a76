/**
 * How every edge consumes what the exchange core produced: {@linkcode Subscriber}, fed
 * {@linkcode RecordBatch}es once they are durable, and told when a trading day starts and
 * ends.
 *
 * @module
 */
import type { MarketEvent } from "../matcher/market_event.ts";
import {
  checkRecords,
  type Command,
  COMMAND_CODES,
  type DayConfig,
  decodeBody,
  decodeEvents,
  decodeRecords,
  forEachMessage,
  FRAME_LENGTH,
  type MessageVisitor,
  type OutputRecord,
  readUint32,
} from "./record.ts";

/**
 * A batch of records as delivered: the bytes the durable log holds, with ways to read them.
 * The records of a day's start are always the first of their batch, and a day's end the
 * last record of its batch.
 *
 * The bytes are valid only during delivery: a subscriber that keeps anything copies it.
 *
 * @example A batch read back from its bytes
 * ```ts
 * import { RecordBatch } from "./subscriber.ts";
 * import { encodeRecords } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const batch = new RecordBatch(encodeRecords([{
 *   timestamp: 7, command: { type: "halt", orderbookId: "7203" }, messages: [],
 *   events: [{ type: "tradingState", timestamp: 7, orderbookId: "7203", halted: true }],
 * }]));
 * assert.equal(batch.records.length, 1);
 * assert.deepEqual(batch.events.map((event) => event.type), ["tradingState"]);
 * assert.equal(batch.startsDay, undefined);
 * assert.equal(batch.endsDay, false);
 * ```
 */
export class RecordBatch {
  /** The framed records, back to back. */
  readonly bytes: Uint8Array;
  #events: readonly MarketEvent[] | undefined;
  #records: readonly OutputRecord[] | undefined;
  #endsDay: boolean | undefined;
  readonly #views: boolean;

  /**
   * Wraps a batch.
   *
   * @param bytes The framed records.
   * @param events The batch's market events in order, when the caller has them already
   *   (the core hands over the matcher's own objects); read from the bytes otherwise.
   * @param views Whether the decoded records' message bytes are views into `bytes` rather
   *   than copies: for bytes that nothing changes afterwards (a message read from NATS).
   *   @default {false}
   */
  constructor(
    bytes: Uint8Array,
    events?: readonly MarketEvent[],
    views = false,
  ) {
    this.bytes = bytes;
    this.#events = events;
    this.#views = views;
  }

  /**
   * The records, decoded (and checked) on first use.
   *
   * @throws {RecordError} When the bytes are not well-formed records.
   */
  get records(): readonly OutputRecord[] {
    return this.#records ??= decodeRecords(this.bytes, this.#views);
  }

  /**
   * Every market event of the batch, in order: read from the records when they are decoded
   * already, otherwise from the bytes alone, skipping commands and OUCH messages (CRCs are
   * not checked again: bytes from outside the process are {@linkcode RecordBatch.check}ed
   * first).
   *
   * @throws {RecordError} When an event item is malformed.
   */
  get events(): readonly MarketEvent[] {
    return this.#events ??= this.#records === undefined
      ? decodeEvents(this.bytes)
      : this.#records.flatMap((record) => record.events);
  }

  /**
   * Checks every record's frame, CRC, layout and OUCH message items without building
   * objects (`checkRecords` in `record.ts`): for bytes read from outside the process, before
   * anyone sees any of them.
   *
   * @throws {RecordError} When the bytes are not well-formed records.
   */
  check(): void {
    checkRecords(this.bytes);
  }

  /**
   * The records whose command is of one kind, decoded; the others are skipped unread.
   *
   * @param type The command kind.
   * @returns Those records, in order.
   * @throws {RecordError} When one of them is malformed.
   */
  recordsOf(type: Command["type"]): OutputRecord[] {
    if (this.#records !== undefined) {
      return this.#records.filter((record) => record.command.type === type);
    }
    const code = COMMAND_CODES[type];
    const bytes = this.bytes;
    const found: OutputRecord[] = [];
    let at = 0;
    while (at + FRAME_LENGTH <= bytes.length) {
      const end = at + 4 + readUint32(bytes, at);
      if (bytes[at + 4] === code) {
        found.push(decodeBody(bytes, at + 4, end, at, this.#views));
      }
      at = end + 4;
    }
    return found;
  }

  /** The configuration of the day the batch starts, if its first record starts one. */
  get startsDay(): DayConfig | undefined {
    const bytes = this.bytes;
    if (bytes.length < 9 || bytes[4] !== COMMAND_CODES.startDay) {
      return undefined;
    }
    const record = decodeBody(bytes, 4, 4 + readUint32(bytes, 0), 0);
    return record.command.type === "startDay" ? record.command.day : undefined;
  }

  /** Whether the batch's last record ends the day (found once, then remembered). */
  get endsDay(): boolean {
    return this.#endsDay ??= this.#findEndsDay();
  }

  #findEndsDay(): boolean {
    let at = 0;
    let kind = -1;
    const bytes = this.bytes;
    while (at + 4 < bytes.length) {
      kind = bytes[at + 4]!;
      at += 8 + readUint32(bytes, at);
    }
    return kind === COMMAND_CODES.endDay;
  }

  /**
   * Visits every OUCH message without building objects.
   *
   * @param visit Called per message with its account id, sequence number, and where its
   *   bytes are in `bytes` (valid during the call only).
   */
  forEachMessage(visit: MessageVisitor): void {
    forEachMessage(this.bytes, visit);
  }
}

/**
 * Receives what the exchange core produced, in order. Every edge (the OUCH server, the web
 * page, the console, a market-data feed, a gateway to another process) is one. A subscriber
 * must not call back into the exchange during a call; it queues the follow-up instead.
 *
 * Order of calls for a day: `dayStarted`, then `delivered` for each batch (the first holds
 * the day's start record), then `dayEnded` after the batch holding the day's end.
 */
export interface Subscriber {
  /** A trading day started; its start record is durable. */
  dayStarted?(day: DayConfig): void;
  /** A batch of records is durable. */
  delivered?(batch: RecordBatch): void;
  /** The trading day ended; its end record is durable. */
  dayEnded?(): void;
}

/**
 * Feeds a batch to subscribers in the order documented on {@linkcode Subscriber}.
 *
 * @param subscribers The subscribers, in the order they are served.
 * @param batch The batch.
 */
export function deliver(
  subscribers: readonly Subscriber[],
  batch: RecordBatch,
): void {
  const day = batch.startsDay;
  if (day !== undefined) {
    for (const subscriber of subscribers) subscriber.dayStarted?.(day);
  }
  for (const subscriber of subscribers) subscriber.delivered?.(batch);
  if (batch.endsDay) {
    for (const subscriber of subscribers) subscriber.dayEnded?.();
  }
}
