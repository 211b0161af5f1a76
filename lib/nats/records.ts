/**
 * The body of one log or command message: opaque records, each prefixed with its length as a
 * big-endian uint32.
 *
 * @module
 */

/** Bytes of the length prefix in front of every record. */
export const RECORD_PREFIX_LENGTH = 4;

/**
 * Encodes `records` back to back, each after its length (uint32, big-endian).
 *
 * @param records The records, any length from 0 bytes up; none is copied twice.
 * @returns One buffer of `4 × records.length + Σ record.length` bytes.
 *
 * @example Two records
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeRecords } from "./records.ts";
 *
 * const bytes = encodeRecords([new Uint8Array([7]), new Uint8Array([])]);
 * assert.deepEqual([...bytes], [0, 0, 0, 1, 7, 0, 0, 0, 0]);
 * ```
 */
export function encodeRecords(records: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const record of records) length += RECORD_PREFIX_LENGTH + record.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const record of records) {
    view.setUint32(at, record.length);
    out.set(record, at + RECORD_PREFIX_LENGTH);
    at += RECORD_PREFIX_LENGTH + record.length;
  }
  return out;
}

/**
 * Splits a body written by {@linkcode encodeRecords} back into its records.
 *
 * @param input The body.
 * @returns The records, as plain `Uint8Array` views into the body's memory.
 * @throws {SyntaxError} When a length prefix is cut off or runs past the end.
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecords, encodeRecords } from "./records.ts";
 *
 * const records = decodeRecords(encodeRecords([new Uint8Array([1, 2]), new Uint8Array([3])]));
 * assert.deepEqual(records.map((r) => [...r]), [[1, 2], [3]]);
 * ```
 */
export function decodeRecords(input: Uint8Array): Uint8Array[] {
  // A plain Uint8Array view, also when the transport hands a Node.js Buffer.
  const bytes = Object.getPrototypeOf(input) === Uint8Array.prototype
    ? input
    : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < RECORD_PREFIX_LENGTH) {
      throw new SyntaxError(
        `Cannot decode records as a length prefix needs 4 bytes: ${
          bytes.length - at
        } bytes are left at offset ${at}`,
      );
    }
    const length = view.getUint32(at);
    const start = at + RECORD_PREFIX_LENGTH;
    if (bytes.length - start < length) {
      throw new SyntaxError(
        `Cannot decode records as the record at offset ${at} needs ${length} bytes: ${
          bytes.length - start
        } bytes are left`,
      );
    }
    records.push(bytes.subarray(start, start + length));
    at = start + length;
  }
  return records;
}

/**
 * Groups `records` into consecutive runs whose encoded size stays within `maxBytes` (a run
 * holds at least one record).
 *
 * @param records The records.
 * @param maxBytes The bound on one run's encoded size.
 * @returns The runs, in order; `[]` for no records.
 * @throws {RangeError} When one record alone is larger than `maxBytes`.
 *
 * @example Three records of 6 encoded bytes, at most 12 bytes a run
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitRecords } from "./records.ts";
 *
 * const r = new Uint8Array(2);
 * assert.deepEqual(splitRecords([r, r, r], 12).map((run) => run.length), [2, 1]);
 * ```
 */
export function splitRecords(
  records: readonly Uint8Array[],
  maxBytes: number,
): Uint8Array[][] {
  const runs: Uint8Array[][] = [];
  let run: Uint8Array[] = [];
  let size = 0;
  for (const record of records) {
    const bytes = RECORD_PREFIX_LENGTH + record.length;
    if (bytes > maxBytes) {
      throw new RangeError(
        `Cannot split records as one record must fit in ${maxBytes} bytes: it needs ${bytes}`,
      );
    }
    if (size + bytes > maxBytes && run.length > 0) {
      runs.push(run);
      run = [];
      size = 0;
    }
    run.push(record);
    size += bytes;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
