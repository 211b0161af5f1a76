/**
 * A growable output buffer that packets are encoded into in place, and that hands its bytes
 * to the transport in one piece (one write per batch).
 *
 * @module
 */

const DEFAULT_CAPACITY = 64 * 1024;

/**
 * Bytes waiting to be written to one connection.
 *
 * Encode in place with {@linkcode WriteBuffer.reserve}, {@linkcode WriteBuffer.bytes} and
 * {@linkcode WriteBuffer.commit}; hand everything to the transport with
 * {@linkcode WriteBuffer.take}. The view `take()` returns stays valid until it is given back
 * with {@linkcode WriteBuffer.release}, so one write can be in flight while the next batch
 * is encoded into the other buffer.
 *
 * @example Encode two bytes and take them
 * ```ts
 * import { WriteBuffer } from "./write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const output = new WriteBuffer();
 * const at = output.reserve(2);
 * output.bytes[at] = 0x00;
 * output.bytes[at + 1] = 0x01;
 * output.commit(2);
 * const taken = output.take();
 * assert.deepEqual(taken, new Uint8Array([0, 1]));
 * assert.equal(output.length, 0);
 * output.release(taken!);
 * ```
 */
export class WriteBuffer {
  #bytes: Uint8Array;
  #length = 0;
  #spare: Uint8Array | undefined;
  #reserved = 0;

  /**
   * Constructs an empty buffer.
   *
   * @param capacity Initial capacity in bytes; it grows as needed.
   */
  constructor(capacity: number = DEFAULT_CAPACITY) {
    this.#bytes = new Uint8Array(capacity);
  }

  /** Bytes waiting to be taken. */
  get length(): number {
    return this.#length;
  }

  /**
   * The current backing array. Write at the offset {@linkcode WriteBuffer.reserve} returned;
   * read this property again after every `reserve`, which may replace the array.
   */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /**
   * Makes room for `size` more bytes.
   *
   * @param size The most bytes the next write will need.
   * @returns The offset in {@linkcode WriteBuffer.bytes} to write at.
   */
  reserve(size: number): number {
    const needed = this.#length + size;
    if (needed > this.#bytes.length) {
      let capacity = this.#bytes.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#reserved = size;
    return this.#length;
  }

  /**
   * Keeps `size` bytes written at the reserved offset.
   *
   * @param size The bytes actually written; at most what was reserved.
   * @throws {RangeError} When `size` is more than was reserved.
   */
  commit(size: number): void {
    if (size > this.#reserved) {
      throw new RangeError(
        `Cannot commit ${size} bytes as only ${this.#reserved} were reserved`,
      );
    }
    this.#length += size;
    this.#reserved = 0;
  }

  /**
   * Drops every byte from `length` on: undoes what was written since {@linkcode
   * WriteBuffer.length} was `length`.
   *
   * @param length The length to go back to.
   * @throws {RangeError} When `length` is negative or more than the bytes waiting.
   *
   * @example Undo a half-written record
   * ```ts
   * import { WriteBuffer } from "./write_buffer.ts";
   * import assert from "node:assert/strict";
   *
   * const output = new WriteBuffer();
   * output.append(new Uint8Array([1, 2]));
   * const mark = output.length;
   * output.append(new Uint8Array([3]));
   * output.truncate(mark);
   * assert.deepEqual(output.take(), new Uint8Array([1, 2]));
   * ```
   */
  truncate(length: number): void {
    if (!(length >= 0 && length <= this.#length)) {
      throw new RangeError(
        `Cannot truncate to ${length} bytes: ${this.#length} bytes are waiting`,
      );
    }
    this.#length = length;
    this.#reserved = 0;
  }

  /**
   * Appends a copy of `bytes`.
   *
   * @param bytes The bytes to append.
   */
  append(bytes: Uint8Array): void {
    const at = this.reserve(bytes.length);
    this.#bytes.set(bytes, at);
    this.commit(bytes.length);
  }

  /**
   * Takes every waiting byte for one write.
   *
   * @returns A view of the waiting bytes, or `null` when there are none. It stays valid until
   * passed to {@linkcode WriteBuffer.release}.
   */
  take(): Uint8Array | null {
    if (this.#length === 0) return null;
    const taken = this.#bytes.subarray(0, this.#length);
    const spare = this.#spare;
    this.#spare = undefined;
    this.#bytes = spare !== undefined && spare.length >= DEFAULT_CAPACITY
      ? spare
      // Sized by this write, not by the old capacity: a buffer that once grew to 1 MiB
      // (a busy turn) must not make every later small turn allocate 1 MiB again (taken
      // views that are never released, e.g. batches held until durable).
      : new Uint8Array(
        Math.max(DEFAULT_CAPACITY, Math.min(this.#length, 1 << 20)),
      );
    this.#length = 0;
    return taken;
  }

  /**
   * Gives back a view that {@linkcode WriteBuffer.take} returned once it has been written, so
   * that its memory is reused.
   *
   * @param taken The view returned by `take()`.
   */
  release(taken: Uint8Array): void {
    if (taken.buffer !== this.#bytes.buffer && taken.byteOffset === 0) {
      this.#spare = new Uint8Array(taken.buffer, 0, taken.buffer.byteLength);
    }
  }
}
