/**
 * The sequenced outbound messages of one account for one session (trading day), kept so that
 * a client can replay from any sequence number: the {@linkcode PacketStream} a
 * {@linkcode ServerSession} sends from, and {@linkcode MessageLog}, its store in memory.
 *
 * @module
 */
import { PACKET_TYPE_SEQUENCED_DATA } from "../codec/packets.ts";
import type { WriteBuffer } from "./write_buffer.ts";

/** Takes bytes of a log and a start and end in them: a message, or a run of packets. */
export type BytesVisitor = (
  bytes: Uint8Array,
  start: number,
  end: number,
) => void;

/**
 * Checks that messages `from` to `to` are in a log of `count` messages (`to` may be
 * `from - 1`: none).
 *
 * @param from The first sequence number.
 * @param to The last sequence number.
 * @param count The log's length.
 * @throws {RangeError} When they are not.
 *
 * @example Usage
 * ```ts
 * import { checkReadRange } from "./message_log.ts";
 * import assert from "node:assert/strict";
 *
 * checkReadRange(1, 2, 2);
 * assert.throws(() => checkReadRange(2, 3, 2), /the log holds 1 to 2/);
 * ```
 */
export function checkReadRange(from: number, to: number, count: number): void {
  if (from >= 1 && to <= count && from <= to + 1) return;
  throw new RangeError(
    `Cannot read messages ${from} to ${to}: the log holds 1 to ${count}`,
  );
}

/**
 * An account's sequenced messages as a session sends them: every message in it may be sent
 * (it is durable), numbered from 1, each already framed as a SoupBinTCP Sequenced Data
 * packet. Kept small so that a store on disk can take the place of the one in memory.
 */
export interface PacketStream {
  /** The number of messages, which is also the last sequence number. */
  readonly length: number;
  /**
   * Copies Sequenced Data packets from `from` onwards into `output`, stopping before the one
   * that would take `output` past `maxBytes` (at least one packet is copied when any
   * remain).
   *
   * @param from The first sequence number to copy.
   * @param output Where the packets go.
   * @param maxBytes The size `output` should not exceed.
   * @returns The sequence number after the last one copied.
   */
  copyTo(from: number, output: WriteBuffer, maxBytes: number): number;
}

const CHUNK_SIZE = 1 << 20;
/** Bytes of the SoupBinTCP header (length and type) in front of every stored message. */
const HEADER = 3;

/**
 * An append-only store of one account's Sequenced Data packets, numbered from 1.
 *
 * Each message is stored already framed as a SoupBinTCP Sequenced Data packet, back to back in
 * 1 MiB chunks, so that sending a run of messages to a session is one copy. Messages are
 * encoded in place: {@linkcode MessageLog.reserve}, write the OUCH message into
 * {@linkcode MessageLog.chunk} at the returned offset, then {@linkcode MessageLog.commit}.
 *
 * What is appended is sendable: the exchange core appends a message only once the durable
 * log holds it, which makes the log write-ahead.
 *
 * @example Append a message and copy it out as a packet
 * ```ts
 * import { MessageLog } from "./message_log.ts";
 * import { WriteBuffer } from "./write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const log = new MessageLog();
 * assert.equal(log.append(new Uint8Array([0x53, 0x45])), 1);
 * const output = new WriteBuffer();
 * assert.equal(log.copyTo(1, output, 1024), 2);
 * assert.deepEqual(output.take(), new Uint8Array([0x00, 0x03, 0x53, 0x53, 0x45]));
 * ```
 */
export class MessageLog implements PacketStream {
  #chunks: Uint8Array[] = [new Uint8Array(CHUNK_SIZE)];
  #used = 0;
  /** Start of each packet: chunk index * CHUNK_SIZE + offset, by sequence number - 1. */
  #starts = new Float64Array(1024);
  #count = 0;
  #reserved = -1;
  /** The last chunk as a DataView: {@linkcode MessageLog.view}. */
  #view = new DataView(this.#chunks[0]!.buffer);

  /** The number of messages, which is also the last sequence number. */
  get length(): number {
    return this.#count;
  }

  /** The sequence number the next message will get. */
  get nextSequenceNumber(): number {
    return this.#count + 1;
  }

  /** The chunk to encode into after {@linkcode MessageLog.reserve}. */
  get chunk(): Uint8Array {
    return this.#chunks[this.#chunks.length - 1]!;
  }

  /**
   * {@linkcode MessageLog.chunk} as a DataView, to encode into after
   * {@linkcode MessageLog.reserve} (big-endian fields, 64-bit ones from bigints).
   *
   * @example A message written in place
   * ```ts
   * import { MessageLog } from "./message_log.ts";
   * import assert from "node:assert/strict";
   *
   * const log = new MessageLog();
   * const at = log.reserve(9);
   * log.view.setUint8(at, 0x44);
   * log.view.setBigUint64(at + 1, 2n ** 63n + 5n);
   * assert.equal(log.commit(9), 1);
   * assert.deepEqual(log.message(1), new Uint8Array([0x44, 0x80, 0, 0, 0, 0, 0, 0, 5]));
   * ```
   */
  get view(): DataView {
    return this.#view;
  }

  /**
   * Makes room for a message of at most `maxLength` bytes.
   *
   * @param maxLength The longest the message can be (at most 65,534 bytes).
   * @returns The offset in {@linkcode MessageLog.chunk} where the OUCH message goes.
   * @throws {RangeError} When `maxLength` cannot fit a SoupBinTCP packet.
   */
  reserve(maxLength: number): number {
    if (maxLength < 1 || maxLength > 0xfffe) {
      throw new RangeError(
        `Cannot reserve a message of ${maxLength} bytes as it must be 1 to 65534 bytes`,
      );
    }
    if (this.#used + HEADER + maxLength > CHUNK_SIZE) {
      const chunk = new Uint8Array(Math.max(CHUNK_SIZE, HEADER + maxLength));
      this.#chunks.push(chunk);
      this.#view = new DataView(chunk.buffer);
      this.#used = 0;
    }
    this.#reserved = maxLength;
    return this.#used + HEADER;
  }

  /**
   * Stores the message written at the reserved offset and numbers it.
   *
   * @param length The length of the OUCH message written.
   * @returns Its sequence number.
   * @throws {RangeError} When nothing was reserved or `length` exceeds the reservation.
   */
  commit(length: number): number {
    if (length < 1 || length > this.#reserved) {
      throw new RangeError(
        `Cannot commit a message of ${length} bytes: ${this.#reserved} bytes are reserved`,
      );
    }
    const chunk = this.chunk;
    const at = this.#used;
    chunk[at] = (length + 1) >> 8;
    chunk[at + 1] = (length + 1) & 0xff;
    chunk[at + 2] = PACKET_TYPE_SEQUENCED_DATA;
    if (this.#count === this.#starts.length) {
      const grown = new Float64Array(this.#starts.length * 2);
      grown.set(this.#starts);
      this.#starts = grown;
    }
    this.#starts[this.#count++] = (this.#chunks.length - 1) * CHUNK_SIZE + at;
    this.#used = at + HEADER + length;
    this.#reserved = -1;
    return this.#count;
  }

  /**
   * Appends a copy of an encoded OUCH message.
   *
   * @param message The OUCH message, type byte first.
   * @returns Its sequence number.
   */
  append(message: Uint8Array): number {
    const at = this.reserve(message.length);
    this.chunk.set(message, at);
    return this.commit(message.length);
  }

  /**
   * Appends a copy of the OUCH message at `start` to `end` of `bytes`, without making a view
   * of it.
   *
   * @param bytes The bytes holding the message.
   * @param start Where the message starts.
   * @param end Where it ends.
   * @returns Its sequence number.
   */
  appendFrom(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    const at = this.reserve(length);
    const chunk = this.chunk;
    if (length <= 256) {
      for (let i = 0; i < length; i++) chunk[at + i] = bytes[start + i]!;
    } else {
      chunk.set(bytes.subarray(start, end), at);
    }
    return this.commit(length);
  }

  /**
   * A view of one stored OUCH message (without its SoupBinTCP header).
   *
   * @param sequenceNumber From 1 to {@linkcode MessageLog.length}.
   * @returns The message bytes, valid as long as the log.
   * @throws {RangeError} When no message has that number.
   */
  message(sequenceNumber: number): Uint8Array {
    if (!(sequenceNumber >= 1 && sequenceNumber <= this.#count)) {
      throw new RangeError(
        `Cannot read message ${sequenceNumber}: the log holds 1 to ${this.#count}`,
      );
    }
    const start = this.#starts[sequenceNumber - 1]!;
    const chunk = this.#chunks[Math.floor(start / CHUNK_SIZE)]!;
    const at = start % CHUNK_SIZE;
    const length = ((chunk[at]! << 8) | chunk[at + 1]!) - 1;
    return chunk.subarray(at + HEADER, at + HEADER + length);
  }

  /**
   * Calls `visit` with each stored message from `from` to `to`, in order, as the bytes that
   * hold it and its start and end in them (no view is made: copy what you keep).
   *
   * @param from The first sequence number.
   * @param to The last sequence number.
   * @param visit Takes the bytes, the message's start and its end.
   * @throws {RangeError} When `from` to `to` is not within 1 to {@linkcode MessageLog.length}.
   *
   * @example Usage
   * ```ts
   * import { MessageLog } from "./message_log.ts";
   * import assert from "node:assert/strict";
   *
   * const log = new MessageLog();
   * log.append(new Uint8Array([0x41, 1]));
   * log.append(new Uint8Array([0x44, 2, 3]));
   * const seen: number[][] = [];
   * log.forEachMessage(1, 2, (bytes, start, end) => seen.push([...bytes.subarray(start, end)]));
   * assert.deepEqual(seen, [[0x41, 1], [0x44, 2, 3]]);
   * ```
   */
  forEachMessage(
    from: number,
    to: number,
    visit: BytesVisitor,
  ): void {
    checkReadRange(from, to, this.#count);
    const starts = this.#starts;
    const chunks = this.#chunks;
    for (let n = from; n <= to; n++) {
      const start = starts[n - 1]!;
      const chunk = chunks[Math.floor(start / CHUNK_SIZE)]!;
      const at = start % CHUNK_SIZE;
      const length = ((chunk[at]! << 8) | chunk[at + 1]!) - 1;
      visit(chunk, at + HEADER, at + HEADER + length);
    }
  }

  /**
   * Calls `visit` with the messages from `from` to `to` as runs of whole SoupBinTCP Sequenced
   * Data packets (uint16 length of 1 + the message, `S`, the message), in order: one call per
   * chunk the messages span, not one per message.
   *
   * @param from The first sequence number.
   * @param to The last sequence number.
   * @param visit Takes the bytes and the run's start and end in them.
   * @throws {RangeError} When `from` to `to` is not within 1 to {@linkcode MessageLog.length}.
   *
   * @example Usage
   * ```ts
   * import { MessageLog } from "./message_log.ts";
   * import assert from "node:assert/strict";
   *
   * const log = new MessageLog();
   * log.append(new Uint8Array([0x41]));
   * log.append(new Uint8Array([0x44, 2]));
   * const runs: number[][] = [];
   * log.forEachPacketRun(1, 2, (bytes, start, end) => runs.push([...bytes.subarray(start, end)]));
   * assert.deepEqual(runs, [[0, 2, 0x53, 0x41, 0, 3, 0x53, 0x44, 2]]);
   * ```
   */
  forEachPacketRun(
    from: number,
    to: number,
    visit: BytesVisitor,
  ): void {
    checkReadRange(from, to, this.#count);
    const starts = this.#starts;
    const chunks = this.#chunks;
    let n = from;
    while (n <= to) {
      // Messages of one chunk are back to back: the run ends at the chunk's last one asked.
      const index = Math.floor(starts[n - 1]! / CHUNK_SIZE);
      const base = index * CHUNK_SIZE;
      let last = n;
      if (Math.floor(starts[to - 1]! / CHUNK_SIZE) === index) last = to;
      else {
        while (last < to && starts[last]! < base + CHUNK_SIZE) last++;
      }
      const chunk = chunks[index]!;
      const at = starts[last - 1]! - base;
      visit(
        chunk,
        starts[n - 1]! - base,
        at + 2 + ((chunk[at]! << 8) | chunk[at + 1]!),
      );
      n = last + 1;
    }
  }

  /**
   * Copies Sequenced Data packets from `from` onwards into `output`, stopping before the one
   * that would take `output` past `maxBytes` (at least one packet is copied when any remain).
   *
   * @param from The first sequence number to copy.
   * @param output Where the packets go.
   * @param maxBytes The size `output` should not exceed.
   * @returns The sequence number after the last one copied.
   */
  copyTo(from: number, output: WriteBuffer, maxBytes: number): number {
    let next = Math.max(1, from);
    const last = this.#count;
    while (next <= last) {
      const start = this.#starts[next - 1]!;
      const chunkIndex = Math.floor(start / CHUNK_SIZE);
      const chunk = this.#chunks[chunkIndex]!;
      const first = start % CHUNK_SIZE;
      // Extend the run while the packets stay in this chunk and under the byte budget.
      let run = next;
      let end = first + HEADER + ((chunk[first]! << 8) | chunk[first + 1]!) - 1;
      const budget = maxBytes - output.length;
      if (end - first > budget && output.length > 0) break;
      while (run < last) {
        const nextStart = this.#starts[run]!;
        if (Math.floor(nextStart / CHUNK_SIZE) !== chunkIndex) break;
        const at = nextStart % CHUNK_SIZE;
        const nextEnd = at + HEADER + ((chunk[at]! << 8) | chunk[at + 1]!) - 1;
        if (nextEnd - first > budget) break;
        end = nextEnd;
        run++;
      }
      output.append(chunk.subarray(first, end));
      next = run + 1;
      if (output.length >= maxBytes) break;
    }
    return next;
  }
}
