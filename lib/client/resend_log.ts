/**
 * The bytes of the packets a load session sent that the server has not answered yet, for
 * sending them again after a fail-over (JNX §6). No I/O.
 *
 * @module
 */

import type { WriteBuffer } from "../session/write_buffer.ts";

/**
 * An append-only log of sent packets, addressed by absolute byte offsets since the start,
 * of which only the part after the last answered packet is kept.
 *
 * The server handles one session's messages in order, so the answer to a packet settles
 * every packet before it too: {@linkcode ResendLog.settle} takes the end offset of the
 * answered packet, and everything up to it is dropped. {@linkcode ResendLog.copyTo} writes
 * the rest, in order, to be sent again; a repeat the server has already handled is
 * ignored there (K4).
 *
 * @example Two packets, the first answered
 * ```ts
 * import { ResendLog } from "./resend_log.ts";
 * import { WriteBuffer } from "../session/write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const log = new ResendLog();
 * const first = log.append(new Uint8Array([1, 2, 3]));
 * log.append(new Uint8Array([4, 5]));
 * log.settle(first);
 * assert.equal(log.packets, 1);
 * const output = new WriteBuffer();
 * assert.equal(log.copyTo(output), 2);
 * assert.deepEqual([...output.bytes.subarray(0, output.length)], [4, 5]);
 * ```
 */
export class ResendLog {
  #bytes = new Uint8Array(4096);
  /** The absolute offset of `#bytes[0]`. */
  #base = 0;
  /** The absolute offset of the first byte not settled. */
  #start = 0;
  /** The absolute offset after the last byte. */
  #end = 0;
  /** The end offset of every packet kept, from `#first` on. */
  #ends: number[] = [];
  #first = 0;

  /** How many packets wait for an answer. */
  get packets(): number {
    return this.#ends.length - this.#first;
  }

  /** How many bytes wait for an answer. */
  get pending(): number {
    return this.#end - this.#start;
  }

  /**
   * Appends a sent packet.
   *
   * @param packet Its bytes; copied.
   * @returns The absolute offset of its end, for {@linkcode ResendLog.settle}.
   */
  append(packet: Uint8Array): number {
    const used = this.#end - this.#base;
    if (used + packet.length > this.#bytes.length) this.#make(packet.length);
    this.#bytes.set(packet, this.#end - this.#base);
    this.#end += packet.length;
    this.#ends.push(this.#end);
    return this.#end;
  }

  /**
   * Drops every packet that ends at or before `end`: they are answered.
   *
   * @param end The end offset of the answered packet; an offset at or below an earlier
   * one changes nothing.
   */
  settle(end: number): void {
    if (end <= this.#start) return;
    this.#start = Math.min(end, this.#end);
    const ends = this.#ends;
    let first = this.#first;
    while (first < ends.length && ends[first]! <= this.#start) first++;
    if (first === ends.length) {
      this.#ends = [];
      first = 0;
    } else if (first > 1024 && first * 2 > ends.length) {
      this.#ends = ends.slice(first);
      first = 0;
    }
    this.#first = first;
  }

  /**
   * Appends the packets not answered yet to `output`, oldest first.
   *
   * @param output Where they go, usually the new connection's output.
   * @returns How many bytes were appended.
   */
  copyTo(output: WriteBuffer): number {
    const length = this.pending;
    if (length === 0) return 0;
    const at = output.reserve(length);
    const from = this.#start - this.#base;
    output.bytes.set(this.#bytes.subarray(from, from + length), at);
    output.commit(length);
    return length;
  }

  /** Room for `more` bytes: drops what is settled, and grows when that is not enough. */
  #make(more: number): void {
    const kept = this.#end - this.#start;
    let size = this.#bytes.length;
    while (kept + more > size / 2) size *= 2;
    const from = this.#start - this.#base;
    const bytes = size === this.#bytes.length
      ? this.#bytes
      : new Uint8Array(size);
    if (bytes === this.#bytes) {
      bytes.copyWithin(0, from, from + kept);
    } else {
      bytes.set(this.#bytes.subarray(from, from + kept));
    }
    this.#bytes = bytes;
    this.#base = this.#start;
  }
}
