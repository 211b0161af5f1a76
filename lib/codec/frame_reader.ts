/**
 * Re-frames a SoupBinTCP byte stream into packets, whatever the chunking.
 *
 * @module
 */

import { SoupBinTcpError } from "./errors.ts";

/** Options of `FrameReader`. */
export interface FrameReaderOptions {
  /**
   * Largest value accepted in a packet's length field (the type byte plus the payload),
   * from 1 to 65535. A larger declared length is refused before any of its body is
   * buffered, which bounds the memory a peer can make the reader hold.
   *
   * @default {65535}
   */
  maxLength?: number;
}

/** Called once per complete packet; `payload` is a view valid only during the call. */
export type FrameListener = (type: number, payload: Uint8Array) => void;

/**
 * Splits a SoupBinTCP stream into packets: `[length: uint16 BE][type][payload]`.
 *
 * `push()` parses each chunk in place and hands every complete packet to a callback as a
 * view, so the hot path copies nothing per packet. Only an incomplete packet at the end of
 * a chunk is copied, into an internal buffer of `maxLength + 2` bytes allocated once; the
 * next chunk completes it by copying just the bytes it still needs.
 *
 * Error offsets are positions in the stream: the number of bytes pushed into this reader
 * since its construction before the offending length field.
 *
 * After `push()` throws (a bad length, or an error thrown by the callback) the reader's
 * state is undefined and it must be discarded: every later `push()` throws a `TypeError`.
 * Calling `push()` again from inside the callback throws the same way.
 *
 * @example Usage
 * ```ts
 * import { FrameReader } from "./frame_reader.ts";
 * import assert from "node:assert/strict";
 *
 * const reader = new FrameReader();
 * const types: number[] = [];
 * reader.push(new Uint8Array([0, 1, 0x48, 0, 2]), (type) => types.push(type));
 * assert.deepEqual(types, [0x48]);
 * assert.equal(reader.pendingBytes, 2);
 * reader.push(new Uint8Array([0x4a, 0x41]), (type, payload) => types.push(type, payload[0]!));
 * assert.deepEqual(types, [0x48, 0x4a, 0x41]);
 * assert.equal(reader.pendingBytes, 0);
 * ```
 */
export class FrameReader {
  readonly #maxLength: number;
  readonly #buffer: Uint8Array;
  #pending = 0;
  #position = 0;
  #busy = false;

  /**
   * Constructs a reader.
   *
   * @param options The largest length field accepted.
   * @throws {RangeError} If `maxLength` is not an integer from 1 to 65535.
   */
  constructor(options: FrameReaderOptions = {}) {
    const maxLength = options.maxLength ?? 0xffff;
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 0xffff) {
      throw new RangeError(
        `Cannot construct FrameReader as maxLength must be an integer from 1 to 65535: current value is ${maxLength}`,
      );
    }
    this.#maxLength = maxLength;
    this.#buffer = new Uint8Array(maxLength + 2);
  }

  /**
   * The largest length field accepted.
   *
   * @example Usage
   * ```ts
   * import { FrameReader } from "./frame_reader.ts";
   * import assert from "node:assert/strict";
   *
   * assert.equal(new FrameReader().maxLength, 65535);
   * assert.equal(new FrameReader({ maxLength: 100 }).maxLength, 100);
   * ```
   */
  get maxLength(): number {
    return this.#maxLength;
  }

  /**
   * The number of bytes of an incomplete packet held until the next chunk: at most
   * `maxLength + 1`.
   *
   * @example Usage
   * ```ts
   * import { FrameReader } from "./frame_reader.ts";
   * import assert from "node:assert/strict";
   *
   * const reader = new FrameReader();
   * reader.readFrames(new Uint8Array([0, 3, 0x55]));
   * assert.equal(reader.pendingBytes, 3);
   * ```
   */
  get pendingBytes(): number {
    return this.#pending;
  }

  /**
   * Adds `chunk` to the stream and calls `onFrame` for every packet it completes, in order.
   *
   * `payload` (the bytes after the type byte) is a view into `chunk` or into the reader's
   * own buffer: it is valid only during the call, so copy it (`payload.slice()`) to keep
   * it. `chunk` itself is not kept after `push()` returns, so the caller may reuse it.
   *
   * @param chunk The next bytes of the stream, of any length.
   * @param onFrame Called with the type byte and the payload of each complete packet.
   * @throws {SoupBinTcpError} If a length field is 0 or above `maxLength`, as soon as the
   * length field is complete and before its body is buffered. `offset` is the position of
   * the length field in the stream.
   * @throws {TypeError} If an earlier `push()` threw, or `push()` is called from `onFrame`.
   *
   * @example Splitting a chunk
   * ```ts
   * import { FrameReader } from "./frame_reader.ts";
   * import { fromHex } from "./hex.ts";
   * import assert from "node:assert/strict";
   *
   * const reader = new FrameReader();
   * const seen: string[] = [];
   * reader.push(fromHex("0001 52 0003 55 6869"), (type, payload) => {
   *   seen.push(`${String.fromCharCode(type)}:${payload.length}`);
   * });
   * assert.deepEqual(seen, ["R:0", "U:2"]);
   * assert.throws(() => new FrameReader().push(fromHex("0000"), () => {}), {
   *   name: "SoupBinTcpError",
   *   message: /current length is 0/,
   * });
   * ```
   */
  push(chunk: Uint8Array, onFrame: FrameListener): void {
    if (this.#busy) {
      throw new TypeError(
        "Cannot push a chunk as the reader failed or is inside onFrame: discard the reader after an error",
      );
    }
    this.#busy = true;
    const length = chunk.length;
    let at = 0;
    if (this.#pending > 0) {
      at = this.#completePending(chunk, onFrame);
      if (at < 0) {
        this.#position += length;
        this.#busy = false;
        return;
      }
    }
    const maxLength = this.#maxLength;
    const buffer = chunk.buffer;
    const byteOffset = chunk.byteOffset;
    while (length - at >= 2) {
      const size = (chunk[at]! << 8) | chunk[at + 1]!;
      if (size === 0 || size > maxLength) {
        this.#failLength(size, this.#position + at);
      }
      const end = at + 2 + size;
      if (end > length) break;
      // A constructed view is cheaper than `subarray()`, which looks up a species.
      onFrame(
        chunk[at + 2]!,
        new Uint8Array(buffer, byteOffset + at + 3, size - 1),
      );
      at = end;
    }
    if (at < length) {
      this.#buffer.set(chunk.subarray(at), 0);
      this.#pending = length - at;
    }
    this.#position += length;
    this.#busy = false;
  }

  /**
   * Completes the pending packet from the start of `chunk`.
   *
   * @returns Where the rest of `chunk` starts, or -1 if `chunk` did not complete it.
   */
  #completePending(chunk: Uint8Array, onFrame: FrameListener): number {
    const buffer = this.#buffer;
    let pending = this.#pending;
    let at = 0;
    if (pending === 1) {
      if (chunk.length === 0) return -1;
      buffer[1] = chunk[0]!;
      pending = 2;
      at = 1;
      const size = (buffer[0]! << 8) | buffer[1]!;
      if (size === 0 || size > this.#maxLength) {
        this.#failLength(size, this.#position - 1);
      }
    }
    const total = 2 + ((buffer[0]! << 8) | buffer[1]!);
    const take = Math.min(total - pending, chunk.length - at);
    buffer.set(chunk.subarray(at, at + take), pending);
    pending += take;
    at += take;
    if (pending < total) {
      this.#pending = pending;
      return -1;
    }
    this.#pending = 0;
    onFrame(buffer[2]!, buffer.subarray(3, total));
    return at;
  }

  #failLength(size: number, offset: number): never {
    throw new SoupBinTcpError(
      `Cannot read packet as its length must be from 1 to ${this.#maxLength}: current length is ${size}`,
      offset,
      { messageType: "packet", field: "length" },
    );
  }

  /**
   * Adds `chunk` to the stream and returns the packets it completes, with copied payloads.
   * A convenience for tests and cold paths; `push()` copies nothing.
   *
   * @param chunk The next bytes of the stream.
   * @returns Each completed packet's type byte and a copy of its payload, in order.
   * @throws {SoupBinTcpError} As `push()`.
   *
   * @example Usage
   * ```ts
   * import { FrameReader } from "./frame_reader.ts";
   * import assert from "node:assert/strict";
   *
   * const reader = new FrameReader();
   * assert.deepEqual(reader.readFrames(new Uint8Array([0, 2, 0x4a])), []);
   * assert.deepEqual(reader.readFrames(new Uint8Array([0x53, 0, 1, 0x5a])), [
   *   { type: 0x4a, payload: new Uint8Array([0x53]) },
   *   { type: 0x5a, payload: new Uint8Array(0) },
   * ]);
   * ```
   */
  readFrames(chunk: Uint8Array): { type: number; payload: Uint8Array }[] {
    const frames: { type: number; payload: Uint8Array }[] = [];
    this.push(chunk, (type, payload) => {
      frames.push({ type, payload: payload.slice() });
    });
    return frames;
  }
}
