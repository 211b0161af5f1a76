/**
 * Where the exchange core writes its records before anyone sees them.
 *
 * @module
 */

/**
 * A durable, append-only log of record batches: today's journal file, or a log on a message
 * broker. The core appends one batch per turn of the event loop (the framed records of every
 * command of the turn, see `record.ts`) and delivers the batch's records to its subscribers
 * only once the log says the batch is durable: write-ahead.
 *
 * Batches must become durable in the order they were appended. The bytes passed to
 * {@linkcode DurableLog.append} stay unchanged until the batch is durable and are reused
 * afterwards: a log that keeps them longer must copy them.
 *
 * On NATS JetStream (`lib/nats`), one batch is one record of a `LogWriter.append([batch],
 * cursor)`: the writer acknowledges appends in order and is fenced, so its promise is the
 * durability point; a `LogReader` in another process hands each batch to
 * `decodeRecords` (or a `RecordBatch`) and on to its own `AccountStreams` and
 * `MarketData`. A day's start is always the first record of its batch and its end the last.
 *
 * @example A log in memory, durable at once
 * ```ts
 * import type { DurableLog } from "./durable_log.ts";
 * import assert from "node:assert/strict";
 *
 * const batches: Uint8Array[] = [];
 * const log: DurableLog = { append: (batch) => void batches.push(batch.slice()) };
 * assert.equal(log.append(new Uint8Array([1, 2])), undefined);
 * assert.equal(batches.length, 1);
 * ```
 */
export interface DurableLog {
  /**
   * Appends one batch.
   *
   * @param batch The framed records of the batch.
   * @returns `undefined` when the batch is durable on return (a journal file written
   *   synchronously), or a promise that settles once it is durable (an acknowledged publish).
   *   A failure (thrown or rejected) means the batch may not be durable: the exchange stops
   *   delivering.
   */
  append(batch: Uint8Array): PromiseLike<void> | void;
}
