/**
 * The single active writer of a venue's log: appends batches of output records to the log
 * stream, pipelined with a bound on the bytes in flight, each message chained to the one
 * before it so that nothing can land between them.
 *
 * @module
 */
import {
  headers,
  type MsgHdrs,
  type NatsConnection,
  nuid,
} from "@nats-io/transport-node";
import {
  AckPublisher,
  ERR_WRONG_LAST_MSG_ID,
  ERR_WRONG_LAST_SEQUENCE,
  type PublishResult,
} from "./_ack_publisher.ts";
import { FencedError, JetStreamUnavailableError } from "./errors.ts";
import {
  HEADER_COMMAND,
  HEADER_EPOCH,
  HEADER_EXPECTED_LAST_MSG_ID,
  HEADER_EXPECTED_LAST_SEQUENCE,
  HEADER_FENCE,
  HEADER_MSG_ID,
  HEADER_PART,
  type VenueNames,
  venueNames,
} from "./names.ts";
import { encodeRecords, splitRecords } from "./records.ts";

/**
 * A position in the command stream: every command of the messages before `seq` is processed,
 * and the first `done` commands of message `seq`. `{ seq: 0, done: 0 }` is the start.
 */
export interface CommandCursor {
  /** Command-stream sequence of the message being (or last) processed. */
  readonly seq: number;
  /** How many of its commands are processed. */
  readonly done: number;
}

/** Where an appended batch landed. */
export interface LogAck {
  /** Stream sequence of the batch's (last) message. */
  readonly seq: number;
  /** Stream sequence of its first message (differs from `seq` when it was split). */
  readonly firstSeq: number;
}

/** Options for {@linkcode LogWriter.open}. */
export interface LogWriterOptions {
  /** This writer's epoch: larger than every epoch in the log so far. */
  epoch: number;
  /** The log's last stream sequence that this writer's state reflects; the fence goes right after it. */
  after: number;
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Bound on the bytes of unacknowledged messages. @default 2_097_152 */
  maxBytesInFlight?: number;
  /** Bound on one message's body; a larger batch is split over several messages. @default 262_144 */
  maxMessageBytes?: number;
  /** How long to wait for one acknowledgement before re-sending. @default 2_000 */
  ackTimeoutMs?: number;
  /** How long to keep re-sending before giving up with `JetStreamUnavailableError`. @default 60_000 */
  giveUpMs?: number;
  /** Identifies this writer in message ids. @default a fresh NUID */
  writerId?: string;
}

interface Batch {
  readonly resolve: (ack: LogAck) => void;
  readonly reject: (error: Error) => void;
  readonly firstSeq: number;
}

interface Piece {
  readonly seq: number;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs;
  readonly batch: Batch | undefined;
  attempt: number;
  inFlight: boolean;
  acked: boolean;
}

/**
 * Appends output-record batches after an epoch fence.
 *
 * {@linkcode LogWriter.open} publishes the fence (header `Ouch-Fence`) expecting the stream's
 * last sequence to be `after`: it fails with {@linkcode FencedError} when anything else was
 * written since. Every later message expects the sequence **and** the message id of the one
 * before it, so a stalled old writer can get nothing accepted after the fence, however many
 * publishes it had in flight. A message that is not acknowledged in time is re-sent with the
 * same `Nats-Msg-Id` (JetStream answers a re-sent message that had landed with its original
 * sequence); re-sending goes one message at a time from the first unacknowledged one, so the
 * stream order is the append order. When the first unacknowledged message is refused for its
 * expected sequence or id, another writer has fenced this one: every pending and later
 * `append` rejects with {@linkcode FencedError}.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const writer = await LogWriter.open(nc, { epoch: 2, after: reader.position });
 * const ack = await writer.append([record], { seq: 41, done: 3 });
 * ```
 */
export class LogWriter {
  readonly #names: VenueNames;
  readonly #epoch: number;
  readonly #writerId: string;
  readonly #maxBytesInFlight: number;
  readonly #maxMessageBytes: number;
  readonly #giveUpMs: number;
  readonly #publisher: AckPublisher;
  readonly #queue: Piece[] = [];
  #count = 0;
  #tailSeq: number;
  #tailId: string;
  #sent = 0; // pieces at the head of #queue that were sent at least once
  #inFlightBytes = 0;
  #inFlight = 0;
  #recovering = false;
  #recoverLeft = 0;
  #recoverDeadline = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failure: Error | undefined;
  #fenceSeq: number;
  #idle: (() => void)[] = [];

  private constructor(
    publisher: AckPublisher,
    options: LogWriterOptions,
    fenceSeq: number,
    fenceId: string,
    writerId: string,
  ) {
    this.#publisher = publisher;
    this.#names = options.names ?? venueNames();
    this.#epoch = options.epoch;
    this.#writerId = writerId;
    this.#maxBytesInFlight = options.maxBytesInFlight ?? 2 * 1024 * 1024;
    this.#maxMessageBytes = options.maxMessageBytes ?? 256 * 1024;
    this.#giveUpMs = options.giveUpMs ?? 60_000;
    this.#tailSeq = fenceSeq;
    this.#tailId = fenceId;
    this.#fenceSeq = fenceSeq;
  }

  /**
   * Publishes this epoch's fence right after stream sequence `after` and returns the writer.
   *
   * @param nc A connection.
   * @param options The epoch, the sequence to follow, and limits.
   * @returns The writer, its fence acknowledged.
   * @throws {FencedError} When the log's last sequence is not `after` (catch up and try again).
   * @throws {JetStreamUnavailableError} When no acknowledgement came within `giveUpMs`.
   * @throws {RangeError} When `epoch` is not a positive integer or `after` is below 1.
   */
  static async open(
    nc: NatsConnection,
    options: LogWriterOptions,
  ): Promise<LogWriter> {
    if (!Number.isSafeInteger(options.epoch) || options.epoch < 1) {
      throw new RangeError(
        `Cannot open a log writer as the epoch must be a positive integer: current epoch is ${options.epoch}`,
      );
    }
    if (!Number.isSafeInteger(options.after) || options.after < 1) {
      throw new RangeError(
        `Cannot open a log writer as it must follow the genesis message (sequence 1 or later): current sequence is ${options.after}`,
      );
    }
    const names = options.names ?? venueNames();
    const writerId = options.writerId ?? nuid.next();
    const publisher = new AckPublisher(nc, options.ackTimeoutMs ?? 2_000);
    const fenceId = `fence.${options.epoch}.${writerId}`;
    const h = headers();
    h.set(HEADER_MSG_ID, fenceId);
    h.set(HEADER_EXPECTED_LAST_SEQUENCE, String(options.after));
    h.set(HEADER_EPOCH, String(options.epoch));
    h.set(HEADER_FENCE, "1");
    const deadline = performance.now() + (options.giveUpMs ?? 60_000);
    let pause = 50;
    while (true) {
      const result = await publisher.publish(
        names.logSubject,
        new TextEncoder().encode(writerId),
        h,
      );
      if (result.kind === "ack") {
        if (result.seq !== options.after + 1) {
          publisher.close();
          throw new FencedError(
            `Cannot fence epoch ${options.epoch} after sequence ${options.after}: the fence landed at ${result.seq}`,
            options.epoch,
          );
        }
        return new LogWriter(publisher, options, result.seq, fenceId, writerId);
      }
      if (isFenced(result)) {
        publisher.close();
        throw new FencedError(
          `Cannot fence epoch ${options.epoch} after sequence ${options.after}: ${result.description}`,
          options.epoch,
        );
      }
      if (performance.now() + pause > deadline) {
        publisher.close();
        throw new JetStreamUnavailableError(
          `Cannot fence epoch ${options.epoch}: ${describe(result)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 1_000);
    }
  }

  /** This writer's epoch. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Stream sequence of this writer's fence. */
  get fenceSeq(): number {
    return this.#fenceSeq;
  }

  /** Bytes sent and not yet acknowledged. */
  get bytesInFlight(): number {
    return this.#inFlightBytes;
  }

  /** Messages appended and not yet acknowledged (sent or waiting for room). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Why the writer stopped, once it has (`FencedError` or `JetStreamUnavailableError`). */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Appends one batch: `records` in one message, or several when they exceed
   * `maxMessageBytes` (readers then deliver the batch only once its last part is read).
   * Batches are acknowledged in append order. Sending waits while `maxBytesInFlight` are
   * unacknowledged; the promise resolves when the whole batch is durable.
   *
   * @param records The batch (opaque bytes each); at least one record.
   * @param cursor The command position the batch reflects, stored in header `Ouch-Cmd`.
   * @returns Where the batch landed.
   * @throws {FencedError} When a newer writer fenced this one.
   * @throws {JetStreamUnavailableError} When JetStream stayed unreachable for `giveUpMs`.
   * @throws {RangeError} When there is no record, or one record exceeds `maxMessageBytes`.
   */
  append(
    records: readonly Uint8Array[],
    cursor: CommandCursor,
  ): Promise<LogAck> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (records.length === 0) {
      return Promise.reject(
        new RangeError("Cannot append a batch as it has no record"),
      );
    }
    let runs: Uint8Array[][];
    try {
      runs = splitRecords(records, this.#maxMessageBytes);
    } catch (error) {
      return Promise.reject(error);
    }
    const { promise, resolve, reject } = Promise.withResolvers<LogAck>();
    const batch: Batch = { resolve, reject, firstSeq: this.#tailSeq + 1 };
    const command = `${cursor.seq}.${cursor.done}`;
    for (const [index, run] of runs.entries()) {
      const seq = ++this.#tailSeq;
      const id = `${this.#epoch}.${this.#writerId}.${++this.#count}`;
      const h = headers();
      h.set(HEADER_MSG_ID, id);
      h.set(HEADER_EXPECTED_LAST_SEQUENCE, String(seq - 1));
      h.set(HEADER_EXPECTED_LAST_MSG_ID, this.#tailId);
      h.set(HEADER_EPOCH, String(this.#epoch));
      h.set(HEADER_COMMAND, command);
      if (runs.length > 1) h.set(HEADER_PART, `${index}/${runs.length}`);
      this.#tailId = id;
      this.#queue.push({
        seq,
        data: encodeRecords(run),
        headers: h,
        batch: index === runs.length - 1 ? batch : undefined,
        attempt: 0,
        inFlight: false,
        acked: false,
      });
    }
    this.#pump();
    return promise;
  }

  /** Resolves once everything appended so far is acknowledged (or the writer failed). */
  flushed(): Promise<void> {
    if (this.#queue.length === 0 || this.#failure !== undefined) {
      return Promise.resolve();
    }
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idle.push(resolve);
    return promise;
  }

  /** Stops: pending batches reject, and the reply subscription closes. */
  close(): void {
    this.#fail(
      new JetStreamUnavailableError("Cannot append: the writer is closed"),
    );
  }

  #pump(): void {
    if (this.#failure !== undefined) return;
    if (this.#recovering) {
      this.#recover();
      return;
    }
    while (this.#sent < this.#queue.length) {
      const piece = this.#queue[this.#sent]!;
      if (
        this.#inFlightBytes > 0 &&
        this.#inFlightBytes + piece.data.length > this.#maxBytesInFlight
      ) {
        return;
      }
      this.#sent++;
      this.#send(piece);
    }
  }

  #send(piece: Piece): void {
    const attempt = ++piece.attempt;
    piece.inFlight = true;
    this.#inFlight++;
    this.#inFlightBytes += piece.data.length;
    this.#publisher.publish(this.#names.logSubject, piece.data, piece.headers)
      .then((result) => this.#onResult(piece, attempt, result));
  }

  #onResult(piece: Piece, attempt: number, result: PublishResult): void {
    if (piece.inFlight && attempt === piece.attempt) {
      piece.inFlight = false;
      this.#inFlight--;
      this.#inFlightBytes -= piece.data.length;
    }
    if (this.#failure !== undefined || piece.acked) return;
    if (
      !this.#recovering && result.kind !== "ack" && attempt !== piece.attempt
    ) {
      return; // a late answer to a send that recovery has already repeated
    }
    if (result.kind === "ack") {
      if (result.seq !== piece.seq) {
        this.#fail(
          new FencedError(
            `Cannot append as the log moved: message ${
              piece.headers.get(HEADER_MSG_ID)
            } landed at ${result.seq}, not ${piece.seq}`,
            this.#epoch,
          ),
        );
        return;
      }
      piece.acked = true;
      this.#settle();
      return;
    }
    if (this.#recovering) {
      if (attempt !== piece.attempt) return;
      if (isFenced(result) && piece === this.#queue[0]) {
        this.#fail(
          new FencedError(
            `Cannot append as the log moved: ${result.description}`,
            this.#epoch,
          ),
        );
        return;
      }
      this.#scheduleRetry(result);
      return;
    }
    this.#startRecovery();
  }

  #settle(): void {
    while (this.#queue[0]?.acked === true) {
      const piece = this.#queue.shift()!;
      this.#sent--;
      if (this.#recovering && this.#recoverLeft > 0) this.#recoverLeft--;
      piece.batch?.resolve({ seq: piece.seq, firstSeq: piece.batch.firstSeq });
    }
    if (this.#recovering && this.#recoverLeft === 0) {
      this.#recovering = false;
    }
    if (this.#queue.length === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
    this.#pump();
  }

  #startRecovery(): void {
    this.#recovering = true;
    this.#recoverLeft = this.#sent;
    this.#recoverDeadline = performance.now() + this.#giveUpMs;
    this.#recover();
  }

  /** Re-sends the first unacknowledged message once nothing is in flight. */
  #recover(): void {
    if (this.#inFlight > 0 || this.#retryTimer !== undefined) return;
    const head = this.#queue[0];
    if (head === undefined) {
      this.#recovering = false;
      return;
    }
    if (this.#sent === 0) this.#sent = 1;
    if (this.#recoverLeft === 0) this.#recoverLeft = 1;
    this.#send(head);
  }

  #scheduleRetry(result: PublishResult): void {
    if (this.#retryTimer !== undefined) return;
    if (performance.now() > this.#recoverDeadline) {
      this.#fail(
        new JetStreamUnavailableError(`Cannot append: ${describe(result)}`),
      );
      return;
    }
    const pause = result.kind === "timeout" ? 0 : 100;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#recover();
    }, pause);
  }

  #fail(error: Error): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    for (const piece of this.#queue) piece.batch?.reject(error);
    this.#queue.length = 0;
    this.#sent = 0;
    this.#publisher.close();
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}

function isFenced(result: PublishResult): result is PublishResult & {
  kind: "error";
  description: string;
} {
  return result.kind === "error" &&
    (result.errCode === ERR_WRONG_LAST_SEQUENCE ||
      result.errCode === ERR_WRONG_LAST_MSG_ID);
}

function describe(result: PublishResult): string {
  switch (result.kind) {
    case "ack":
      return `acknowledged at ${result.seq}`;
    case "timeout":
      return "no acknowledgement in time";
    case "error":
      return `${result.code} ${result.description}`;
    case "unavailable":
      return `unavailable (${result.description})`;
  }
}
