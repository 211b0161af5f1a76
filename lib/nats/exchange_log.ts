/**
 * The exchange core on JetStream: {@linkcode JetStreamLog} is the core's `DurableLog` backed
 * by a fenced {@linkcode LogWriter} (the active engine's side), and {@linkcode followRecords}
 * feeds the records a {@linkcode LogReader} reads to the core's subscribers in another
 * process (a gateway's `AccountStreams` and `MarketData`), so that every process sees the
 * same sequenced messages the engine delivered.
 *
 * One core batch (the framed records of one turn) is one `LogWriter.append`: one record when
 * it is small, or pieces of at most {@linkcode BATCH_PIECE_BYTES}, cut between its framed
 * records where it can, and inside a record larger than that (a cancel on disconnect of
 * thousands of orders is one record); the writer may spread them over several log messages,
 * the reader reassembles those before yielding them, and a follower joins the pieces back
 * into the batch ({@linkcode joinPieces}).
 *
 * @module
 */
import {
  deliver,
  type DurableLog,
  RecordBatch,
  type Subscriber,
} from "../exchange/mod.ts";
import type { LogReader } from "./log_reader.ts";
import type { CommandCursor, LogAck, LogWriter } from "./log_writer.ts";

/** The most bytes of one piece of a core batch. */
export const BATCH_PIECE_BYTES = 64 * 1024;

/**
 * Cuts a core batch (framed records: a big-endian uint32 body length, the body, a 4-byte
 * CRC) into pieces of at most `maxBytes`, between its records where it can; a record larger
 * than that is cut into pieces of its own (join them with {@linkcode joinPieces}). The pieces
 * are copies: the core reuses its bytes.
 *
 * @param batch The framed records of one turn.
 * @param maxBytes The bound on one piece.
 * @returns The pieces, in order; one copy of `batch` when it fits.
 *
 * @example Three 10-byte records, at most 20 bytes a piece
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitBatch } from "./exchange_log.ts";
 *
 * const frame = [0, 0, 0, 2, 1, 2, 0, 0, 0, 0];
 * const pieces = splitBatch(new Uint8Array([...frame, ...frame, ...frame]), 20);
 * assert.deepEqual(pieces.map((piece) => piece.length), [20, 10]);
 * // A 30-byte record in pieces of at most 20 bytes.
 * const big = [0, 0, 0, 22, ...new Array(22).fill(1), 0, 0, 0, 0];
 * assert.deepEqual(splitBatch(new Uint8Array(big), 20).map((piece) => piece.length), [20, 10]);
 * ```
 */
export function splitBatch(batch: Uint8Array, maxBytes: number): Uint8Array[] {
  if (batch.length <= maxBytes) return [batch.slice()];
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const pieces: Uint8Array[] = [];
  let start = 0;
  let at = 0;
  while (at + 4 <= batch.length) {
    const end = Math.min(batch.length, at + 8 + view.getUint32(at));
    if (end - start > maxBytes && at > start) {
      pieces.push(batch.slice(start, at));
      start = at;
    }
    // A record larger than a piece: cut it where it must.
    while (end - start > maxBytes) {
      pieces.push(batch.slice(start, start + maxBytes));
      start += maxBytes;
    }
    at = end;
  }
  pieces.push(batch.slice(start));
  return pieces;
}

/**
 * The core batch a log entry holds: its pieces ({@linkcode splitBatch}) joined.
 *
 * @param pieces The entry's records.
 * @returns The batch's bytes (the one piece itself when there is only one).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinPieces } from "./exchange_log.ts";
 *
 * assert.deepEqual([...joinPieces([new Uint8Array([1, 2]), new Uint8Array([3])])], [1, 2, 3]);
 * ```
 */
export function joinPieces(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    joined.set(piece, at);
    at += piece.length;
  }
  return joined;
}

/**
 * {@linkcode joinPieces} without a copy when it can: pieces that lie in one buffer as one log
 * message holds them (each after the previous one's end and a 4-byte length) are moved
 * together in place, over those lengths; other pieces (a batch over several log messages)
 * are copied. A follower joins every batch: a fresh array per batch cost more than the
 * rest of reading it (page faults on a new 256 KB array each time).
 *
 * @param pieces The entry's records, views that nothing reads afterwards: their bytes move.
 * @returns The batch's bytes.
 *
 * @example Pieces of one message, joined in their own buffer
 * ```ts
 * import assert from "node:assert/strict";
 * import { closePieces } from "./exchange_log.ts";
 *
 * const message = new Uint8Array([0, 0, 0, 2, 1, 2, 0, 0, 0, 1, 3, 0, 0, 0, 2, 4, 5]);
 * const pieces = [message.subarray(4, 6), message.subarray(10, 11), message.subarray(15, 17)];
 * const batch = closePieces(pieces);
 * assert.deepEqual([...batch], [1, 2, 3, 4, 5]);
 * assert.equal(batch.buffer, message.buffer);
 * ```
 */
export function closePieces(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const first = pieces[0]!;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.buffer !== first.buffer || piece.byteOffset !== end + 4) {
      return joinPieces(pieces);
    }
    end = piece.byteOffset + piece.length;
  }
  const bytes = new Uint8Array(first.buffer);
  let at = first.byteOffset + first.length;
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    bytes.copyWithin(at, piece.byteOffset, piece.byteOffset + piece.length);
    at += piece.length;
  }
  return bytes.subarray(first.byteOffset, at);
}

/**
 * A `DurableLog` on a fenced JetStream log writer: each appended batch is durable once the
 * writer's promise settles (acknowledged, in order, after this writer's epoch fence). When
 * the writer fails (fenced by a successor, or JetStream unreachable for too long), the
 * batch's promise never settles, so the core delivers nothing from then on, and `failed` is
 * told once: the engine steps down.
 *
 * @example Wiring an exchange to the log (needs a NATS server, so not run here)
 * ```ts ignore
 * const writer = await LogWriter.open(nc, { names, epoch, after });
 * const exchange = new Exchange({ users, day, timestamp: 0,
 *   log: new JetStreamLog(writer, () => commands.cursor, stepDown) });
 * ```
 */
export class JetStreamLog implements DurableLog {
  readonly #writer: LogWriter;
  readonly #cursor: () => CommandCursor;
  readonly #failed: (error: Error) => void;
  #failure: Error | undefined;
  #landed: Promise<LogAck> | undefined;

  /**
   * @param writer The active engine's writer.
   * @param cursor The command-stream position each batch reflects: recorded with it, so
   *   that a successor resumes consuming commands right after it.
   * @param failed Told once, with the writer's error, when a batch cannot be made durable.
   */
  constructor(
    writer: LogWriter,
    cursor: () => CommandCursor,
    failed: (error: Error) => void,
  ) {
    this.#writer = writer;
    this.#cursor = cursor;
    this.#failed = failed;
  }

  /**
   * Where the last appended batch landed, once it is durable (rejects with the writer's
   * error when it cannot be); `undefined` before the first append. A snapshot taken right
   * after a flush reflects the log up to this batch.
   */
  get landed(): Promise<LogAck> | undefined {
    return this.#landed;
  }

  /** Why batches stopped becoming durable, once they did. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Appends one batch (copied: the core reuses its bytes), cut by {@linkcode splitBatch}.
   *
   * @param batch The framed records of one turn.
   * @returns Resolves once the batch is acknowledged by JetStream; never settles when it
   *   cannot be. The first batch that cannot be closes the writer, so that no later batch
   *   lands after the hole.
   */
  append(batch: Uint8Array): Promise<void> {
    const landed = this.#writer.append(
      splitBatch(batch, BATCH_PIECE_BYTES),
      this.#cursor(),
    );
    this.#landed = landed;
    return landed.then(
      () => undefined,
      (error: unknown) => {
        if (this.#failure === undefined) {
          this.#failure = error instanceof Error
            ? error
            : new Error(String(error));
          this.#writer.close();
          this.#failed(this.#failure);
        }
        return new Promise<void>(() => {});
      },
    );
  }
}

/** What {@linkcode followRecords} has read so far. */
export interface FollowProgress {
  /** The stream sequence of the last log message read. */
  readonly position: number;
  /** Core batches delivered to the subscribers. */
  readonly batches: number;
}

/**
 * Follows the log and delivers every core batch in it to `subscribers`, in log order, in the
 * order `deliver` documents (day start, batch, day end). Fences and messages of fenced
 * writers never reach the subscribers: the reader drops them.
 *
 * @param reader The log reader; closing it ends the loop.
 * @param subscribers The subscribers, in the order they are served.
 * @param progress Called after each delivered batch.
 * @param readsEvents Asked before each batch whether any subscriber reads the market events
 *   (a gateway whose market nobody reads any more says no): only then are they decoded, and
 *   checked, before the batch is delivered. @default {() => true}
 * @returns Resolves when the reader is closed.
 * @throws {RecordError} When a batch in the log is not well-formed records: the follower
 *   stops rather than show a client anything it cannot check.
 */
export async function followRecords(
  reader: LogReader,
  subscribers: readonly Subscriber[],
  progress?: (progress: FollowProgress) => void,
  readsEvents: () => boolean = () => true,
): Promise<void> {
  let batches = 0;
  for await (const entry of reader) {
    if (entry.type !== "batch") continue;
    if (entry.records.length === 0) continue;
    // Views, not copies, of the message bytes: the log message's bytes never change once
    // its pieces are moved together.
    const batch = new RecordBatch(closePieces(entry.records), undefined, true);
    // Check every record before anyone sees any of them: the frames and the OUCH messages
    // (all that the account streams read), and the market events (decoded once, here, for
    // the market data and the feeds, when anyone reads them); commands are decoded only by
    // those who need one.
    batch.check();
    if (readsEvents()) void batch.events;
    deliver(subscribers, batch);
    batches++;
    progress?.({ position: entry.seq, batches });
  }
}
