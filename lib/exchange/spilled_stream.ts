/**
 * An account's stream in bounded memory: messages are stored as SoupBinTCP Sequenced Data
 * packets in small chunks; the newest chunks stay in memory (what sessions are about to
 * send), older ones go to a {@linkcode ChunkStore} (a file, injected by the edge) and come
 * back through a small cache shared by every stream when a client replays them.
 *
 * @module
 */
import { PACKET_TYPE_SEQUENCED_DATA } from "../codec/packets.ts";
import type { WriteBuffer } from "../session/write_buffer.ts";
import { type BytesVisitor, checkReadRange } from "../session/message_log.ts";
import type { AccountStream } from "./account_streams.ts";

/** Where full chunks go and come back from. */
export interface ChunkStore {
  /**
   * Stores a chunk.
   *
   * @param chunk Its bytes (copied before this returns).
   * @returns A handle to read it back with.
   */
  write(chunk: Uint8Array): number;
  /**
   * Reads a chunk back.
   *
   * @param handle What {@linkcode ChunkStore.write} returned.
   * @param into Exactly the chunk's length.
   */
  read(handle: number, into: Uint8Array): void;
}

/** Bytes per chunk: small, so that finding a message by scanning its chunk is quick. */
export const CHUNK_BYTES = 64 * 1024;
/** Chunks each stream keeps in memory, the one being filled included. */
export const CHUNKS_KEPT = 4;
/** Chunks read back from the store that are kept, over every stream. */
export const CHUNKS_CACHED = 64;
const HEADER = 3;

/** Chunks read back from a store, the least recently used dropped first. */
export class ChunkCache {
  readonly #chunks = new Map<number, Uint8Array>();
  readonly #store: ChunkStore;
  readonly #size: number;

  /**
   * @param store The store the chunks are read from.
   * @param size How many chunks to keep. @default {CHUNKS_CACHED}
   */
  constructor(store: ChunkStore, size = CHUNKS_CACHED) {
    this.#store = store;
    this.#size = size;
  }

  /** The store. */
  get store(): ChunkStore {
    return this.#store;
  }

  /** A chunk by handle and length, read back when not cached. */
  get(handle: number, length: number): Uint8Array {
    const chunks = this.#chunks;
    let chunk = chunks.get(handle);
    if (chunk !== undefined) {
      chunks.delete(handle);
      chunks.set(handle, chunk);
      return chunk;
    }
    chunk = new Uint8Array(length);
    this.#store.read(handle, chunk);
    chunks.set(handle, chunk);
    if (chunks.size > this.#size) {
      chunks.delete(chunks.keys().next().value!);
    }
    return chunk;
  }
}

/**
 * One account's stream whose old chunks live in a {@linkcode ChunkStore}. Memory per
 * stream: {@linkcode CHUNKS_KEPT} chunks and a few numbers per chunk stored.
 *
 * @example Old messages come back from the store
 * ```ts
 * import { ChunkCache, SpilledStream } from "./spilled_stream.ts";
 * import assert from "node:assert/strict";
 *
 * const stored: Uint8Array[] = [];
 * const cache = new ChunkCache({
 *   write: (chunk) => stored.push(chunk.slice()) - 1,
 *   read: (handle, into) => into.set(stored[handle]!),
 * });
 * const stream = new SpilledStream(cache);
 * const message = new Uint8Array(1000).fill(0x41);
 * for (let i = 0; i < 500; i++) stream.append(message);
 * assert.ok(stored.length > 0);
 * assert.equal(stream.length, 500);
 * assert.deepEqual(stream.message(1), message);
 * ```
 */
export class SpilledStream implements AccountStream {
  readonly #cache: ChunkCache;
  /** First sequence number of each chunk. */
  #firsts: number[] = [1];
  /** Used bytes of each chunk. */
  #lengths: number[] = [0];
  /** Each chunk in memory, or `undefined` once stored. */
  #chunks: (Uint8Array | undefined)[] = [new Uint8Array(CHUNK_BYTES)];
  /** Each stored chunk's handle, `-1` while in memory. */
  #handles: number[] = [-1];
  #count = 0;
  /** The chunk being filled, as a DataView: {@linkcode SpilledStream.view}. */
  #view = new DataView(this.#chunks[0]!.buffer);
  /** The longest message {@linkcode SpilledStream.reserve} made room for, `-1` for none. */
  #reserved = -1;
  /** Where the last lookup of `message` or `copyTo` ended (the sessions' replays). */
  readonly #cursor = new Cursor();
  /**
   * Where the last walk of `forEachMessage` or `forEachPacketRun` ended: a reader of its own
   * (the ITCH feed's MoldUDP64 reads the log as the SoupBinTCP sessions do), so that neither
   * sends the other back to the start of a chunk.
   */
  readonly #walker = new Cursor();

  /**
   * @param cache Where old chunks go and come back from.
   */
  constructor(cache: ChunkCache) {
    this.#cache = cache;
  }

  /** The number of messages, which is also the last sequence number. */
  get length(): number {
    return this.#count;
  }

  /**
   * Appends a copy of an OUCH message.
   *
   * @param message The message, type byte first.
   * @returns Its sequence number.
   */
  append(message: Uint8Array): number {
    return this.appendFrom(message, 0, message.length);
  }

  /**
   * Appends a copy of the OUCH message at `start` to `end` of `bytes`.
   *
   * @param bytes The bytes holding the message.
   * @param start Where it starts.
   * @param end Where it ends.
   * @returns Its sequence number.
   * @throws {RangeError} When the message is empty or longer than 65,534 bytes.
   */
  appendFrom(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    if (length < 1 || length > 0xfffe) {
      throw new RangeError(
        `Cannot append a message of ${length} bytes as it must be 1 to 65534 bytes`,
      );
    }
    let last = this.#chunks.length - 1;
    let used = this.#lengths[last]!;
    let chunk = this.#chunks[last]!;
    if (used + HEADER + length > chunk.length) {
      chunk = this.#newChunk(length);
      last++;
      used = 0;
    }
    chunk[used] = (length + 1) >> 8;
    chunk[used + 1] = (length + 1) & 0xff;
    chunk[used + 2] = PACKET_TYPE_SEQUENCED_DATA;
    if (length <= 256) {
      for (let i = 0; i < length; i++) {
        chunk[used + HEADER + i] = bytes[start + i]!;
      }
    } else {
      chunk.set(bytes.subarray(start, end), used + HEADER);
    }
    this.#lengths[last] = used + HEADER + length;
    return ++this.#count;
  }

  /**
   * The chunk being filled, as a DataView: after {@linkcode SpilledStream.reserve}, the
   * message goes into it at the offset that returned.
   */
  get view(): DataView {
    return this.#view;
  }

  /** The chunk being filled: {@linkcode SpilledStream.view}'s bytes. */
  get chunk(): Uint8Array {
    return this.#chunks[this.#chunks.length - 1]!;
  }

  /**
   * Makes room for a message of at most `maxLength` bytes, to be written in place (no copy):
   * write it into {@linkcode SpilledStream.view} (or {@linkcode SpilledStream.chunk}) at the
   * returned offset, then {@linkcode SpilledStream.commit}.
   *
   * @param maxLength The longest the message can be (1 to 65,534 bytes).
   * @returns The offset in the chunk being filled where the message goes.
   * @throws {RangeError} When `maxLength` cannot fit a SoupBinTCP packet.
   *
   * @example A message written in place
   * ```ts
   * import { ChunkCache, SpilledStream } from "./spilled_stream.ts";
   * import assert from "node:assert/strict";
   *
   * const stream = new SpilledStream(new ChunkCache({ write: () => 0, read: () => {} }));
   * const at = stream.reserve(2);
   * stream.view.setUint16(at, 0x4142);
   * assert.equal(stream.commit(2), 1);
   * assert.deepEqual(stream.message(1), new Uint8Array([0x41, 0x42]));
   * ```
   */
  reserve(maxLength: number): number {
    if (!(maxLength >= 1 && maxLength <= 0xfffe)) {
      throw new RangeError(
        `Cannot reserve a message of ${maxLength} bytes as it must be 1 to 65534 bytes`,
      );
    }
    const last = this.#chunks.length - 1;
    let used = this.#lengths[last]!;
    if (used + HEADER + maxLength > this.#chunks[last]!.length) {
      this.#newChunk(maxLength);
      used = 0;
    }
    this.#reserved = maxLength;
    return used + HEADER;
  }

  /**
   * Stores the message written at the reserved offset (framing it as a Sequenced Data
   * packet) and numbers it.
   *
   * @param length The length of the message written.
   * @returns Its sequence number.
   * @throws {RangeError} When nothing was reserved or `length` exceeds the reservation.
   */
  commit(length: number): number {
    if (!(length >= 1 && length <= this.#reserved)) {
      throw new RangeError(
        `Cannot commit a message of ${length} bytes: ${this.#reserved} bytes are reserved`,
      );
    }
    const last = this.#chunks.length - 1;
    const chunk = this.#chunks[last]!;
    const used = this.#lengths[last]!;
    chunk[used] = (length + 1) >> 8;
    chunk[used + 1] = (length + 1) & 0xff;
    chunk[used + 2] = PACKET_TYPE_SEQUENCED_DATA;
    this.#lengths[last] = used + HEADER + length;
    this.#reserved = -1;
    return ++this.#count;
  }

  /**
   * A view of one stored message. A message of a stored chunk is a view into the cache:
   * valid until the next read of this or another stream.
   *
   * @param sequenceNumber From 1 to `length`.
   * @returns The message bytes, type byte first.
   * @throws {RangeError} When no message has that number.
   */
  message(sequenceNumber: number): Uint8Array {
    if (!(sequenceNumber >= 1 && sequenceNumber <= this.#count)) {
      throw new RangeError(
        `Cannot read message ${sequenceNumber}: the log holds 1 to ${this.#count}`,
      );
    }
    const chunk = this.#locate(sequenceNumber, this.#cursor);
    const at = this.#cursor.at;
    const length = ((chunk[at]! << 8) | chunk[at + 1]!) - 1;
    return chunk.subarray(at + HEADER, at + HEADER + length);
  }

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
  copyTo(from: number, output: WriteBuffer, maxBytes: number): number {
    const cursor = this.#cursor;
    let next = Math.max(1, from);
    const last = this.#count;
    while (next <= last) {
      const chunk = this.#locate(next, cursor);
      const index = cursor.chunk;
      const used = this.#lengths[index]!;
      const first = cursor.at;
      let at = first;
      let seq = next;
      const budget = maxBytes - output.length;
      if (used - first <= budget) {
        // The rest of the chunk fits: no walk of its packets.
        at = used;
        seq = index + 1 < this.#firsts.length
          ? this.#firsts[index + 1]!
          : last + 1;
      } else {
        while (at < used && seq <= last) {
          const end = at + 2 + ((chunk[at]! << 8) | chunk[at + 1]!);
          if (end - first > budget && (at > first || output.length > 0)) {
            break;
          }
          at = end;
          seq++;
        }
      }
      if (at === first) break;
      output.append(chunk.subarray(first, at));
      cursor.seq = seq;
      cursor.at = at;
      next = seq;
      if (at < used || output.length >= maxBytes) break;
    }
    return next;
  }

  /**
   * Calls `visit` with each stored message from `from` to `to`, in order, as the bytes that
   * hold it and its start and end in them (no view is made: copy what you keep; bytes of a
   * stored chunk are valid until the next read of this or another stream).
   *
   * @param from The first sequence number.
   * @param to The last sequence number.
   * @param visit Takes the bytes, the message's start and its end.
   * @throws {RangeError} When `from` to `to` is not within 1 to `length`.
   */
  forEachMessage(
    from: number,
    to: number,
    visit: BytesVisitor,
  ): void {
    checkReadRange(from, to, this.#count);
    const cursor = this.#walker;
    let n = from;
    while (n <= to) {
      const chunk = this.#locate(n, cursor);
      const used = this.#lengths[cursor.chunk]!;
      let at = cursor.at;
      while (at < used && n <= to) {
        const end = at + 2 + ((chunk[at]! << 8) | chunk[at + 1]!);
        visit(chunk, at + HEADER, end);
        at = end;
        n++;
      }
      cursor.seq = n;
      cursor.at = at;
    }
  }

  /**
   * Calls `visit` with the stored messages from `from` to `to` as runs of whole SoupBinTCP
   * Sequenced Data packets (uint16 length of 1 + the message, `S`, the message), in order: one
   * call per chunk the messages span, not one per message (bytes of a stored chunk are valid
   * until the next read of this or another stream).
   *
   * @param from The first sequence number.
   * @param to The last sequence number.
   * @param visit Takes the bytes and the run's start and end in them.
   * @throws {RangeError} When `from` to `to` is not within 1 to `length`.
   *
   * @example A run of two packets
   * ```ts
   * import { ChunkCache, SpilledStream } from "./spilled_stream.ts";
   * import assert from "node:assert/strict";
   *
   * const stream = new SpilledStream(new ChunkCache({ write: () => 0, read: () => {} }));
   * stream.append(new Uint8Array([0x41]));
   * stream.append(new Uint8Array([0x42, 7]));
   * const runs: number[][] = [];
   * stream.forEachPacketRun(1, 2, (bytes, start, end) => runs.push([...bytes.subarray(start, end)]));
   * assert.deepEqual(runs, [[0, 2, 0x53, 0x41, 0, 3, 0x53, 0x42, 7]]);
   * ```
   */
  forEachPacketRun(
    from: number,
    to: number,
    visit: BytesVisitor,
  ): void {
    checkReadRange(from, to, this.#count);
    const firsts = this.#firsts;
    const cursor = this.#walker;
    let n = from;
    while (n <= to) {
      const chunk = this.#locate(n, cursor);
      const index = cursor.chunk;
      const used = this.#lengths[index]!;
      const first = cursor.at;
      const lastInChunk = index + 1 < firsts.length
        ? firsts[index + 1]! - 1
        : this.#count;
      let at = first;
      if (to >= lastInChunk) {
        at = used;
        n = lastInChunk + 1;
      } else {
        while (n <= to) {
          at += 2 + ((chunk[at]! << 8) | chunk[at + 1]!);
          n++;
        }
      }
      cursor.seq = n;
      cursor.at = at;
      visit(chunk, first, at);
    }
  }

  /**
   * Starts a chunk for a message of `length` bytes (spilling the oldest kept one) and returns
   * it.
   */
  #newChunk(length: number): Uint8Array {
    this.#spill();
    const chunk = new Uint8Array(Math.max(CHUNK_BYTES, HEADER + length));
    this.#chunks.push(chunk);
    this.#firsts.push(this.#count + 1);
    this.#lengths.push(0);
    this.#handles.push(-1);
    this.#view = new DataView(chunk.buffer);
    return chunk;
  }

  /** Stores the oldest chunk still in memory beyond the kept ones. */
  #spill(): void {
    const oldest = this.#chunks.length - CHUNKS_KEPT;
    if (oldest < 0) return;
    const chunk = this.#chunks[oldest];
    if (chunk === undefined) return;
    this.#handles[oldest] = this.#cache.store.write(
      chunk.subarray(0, this.#lengths[oldest]!),
    );
    this.#chunks[oldest] = undefined;
  }

  /** Finds a message: sets `cursor` to it and returns its chunk's bytes. */
  #locate(sequenceNumber: number, cursor: Cursor): Uint8Array {
    const firsts = this.#firsts;
    let index: number;
    if (
      cursor.seq <= sequenceNumber &&
      (cursor.chunk === firsts.length - 1 ||
        sequenceNumber < firsts[cursor.chunk + 1]!)
    ) {
      index = cursor.chunk;
    } else {
      let low = 0;
      let high = firsts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >>> 1;
        if (firsts[middle]! <= sequenceNumber) low = middle;
        else high = middle - 1;
      }
      index = low;
      cursor.chunk = index;
      cursor.seq = firsts[index]!;
      cursor.at = 0;
    }
    const chunk = this.#chunks[index] ??
      this.#cache.get(this.#handles[index]!, this.#lengths[index]!);
    let at = cursor.at;
    let seq = cursor.seq;
    while (seq < sequenceNumber) {
      at += 2 + ((chunk[at]! << 8) | chunk[at + 1]!);
      seq++;
    }
    cursor.seq = seq;
    cursor.at = at;
    return chunk;
  }
}

/** A position in a stream: a chunk, the sequence number of a message in it, its offset. */
class Cursor {
  chunk = 0;
  seq = 1;
  at = 0;
}
