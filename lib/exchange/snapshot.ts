/**
 * Engine snapshots as bytes: what {@linkcode Exchange.snapshot} writes and
 * `Exchange.recover` reads.
 *
 * Layout: the magic `OUCHSNP1` (8 bytes); the host's byte order (1 byte: 1 little-endian,
 * 2 big-endian) and 3 zero bytes; the journal position (the number of the day's records the
 * state follows, a float64); the CRC-32 field of the record at that position (the last
 * one the state includes, u32), so a snapshot is never applied to another journal; the
 * state's length (u32); the state (see `_state_codec.ts`); the CRC-32 of the state (u32).
 * Numbers in the header are big-endian.
 *
 * @module
 */
import { StateReader, StateWriter } from "./_state_codec.ts";
import { crc32 } from "./record.ts";

const MAGIC = "OUCHSNP1";
const HEADER = 28;
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A snapshot that cannot be used: damaged, of another engine, or of another journal. */
export class SnapshotError extends Error {
  /**
   * Constructs a snapshot error.
   *
   * @param message What is wrong, in the form `Cannot <action>: <state>`.
   */
  constructor(message: string) {
    super(message);
    this.name = "SnapshotError";
  }
}

/** A snapshot read back: where in the journal it is, and its state. */
export interface SnapshotContents {
  /** How many of the day's records the state follows. */
  position: number;
  /** The CRC-32 field of the record at `position` (the last one included). */
  lastRecordCrc: number;
  /** The state tree. */
  state: unknown;
}

/**
 * Encodes a snapshot.
 *
 * @param contents The position, the last record's CRC and the state.
 * @returns Fresh bytes.
 *
 * @example Round trip
 * ```ts
 * import { decodeSnapshot, encodeSnapshot } from "./snapshot.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeSnapshot({ position: 7, lastRecordCrc: 42, state: { a: [1n, "x"] } });
 * assert.deepEqual(decodeSnapshot(bytes), { position: 7, lastRecordCrc: 42, state: { a: [1n, "x"] } });
 * bytes[bytes.length - 9]! ^= 1;
 * assert.throws(() => decodeSnapshot(bytes), { name: "SnapshotError", message: /CRC/ });
 * ```
 */
export function encodeSnapshot(contents: SnapshotContents): Uint8Array {
  const writer = new StateWriter();
  writer.raw(new TextEncoder().encode(MAGIC));
  writer.raw(new Uint8Array([LITTLE ? 1 : 2, 0, 0, 0]));
  writer.raw(new Uint8Array(8));
  writer.uint32(contents.lastRecordCrc);
  writer.uint32(0);
  writer.value(contents.state);
  writer.uint32(0);
  const bytes = writer.bytes.slice();
  const view = new DataView(bytes.buffer);
  view.setFloat64(12, contents.position);
  const length = bytes.length - HEADER - 4;
  view.setUint32(24, length);
  view.setUint32(bytes.length - 4, crc32(bytes, HEADER, HEADER + length));
  return bytes;
}

/**
 * Reads only a snapshot's position from its header (no check of its state: that is
 * {@linkcode decodeSnapshot}'s job), to tell how many records it spares a recovery.
 *
 * @param bytes The snapshot.
 * @returns The number of the day's records its state follows.
 * @throws {SnapshotError} When it does not start like a snapshot.
 *
 * @example Usage
 * ```ts
 * import { encodeSnapshot, snapshotPosition } from "./snapshot.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(snapshotPosition(encodeSnapshot({ position: 7, lastRecordCrc: 1, state: 0 })), 7);
 * assert.throws(() => snapshotPosition(new Uint8Array(40)), { name: "SnapshotError" });
 * ```
 */
export function snapshotPosition(bytes: Uint8Array): number {
  if (
    bytes.length < HEADER + 4 ||
    new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC
  ) {
    throw new SnapshotError(
      `Cannot read the snapshot: it does not start with "${MAGIC}" (${bytes.length} bytes)`,
    );
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .getFloat64(12);
}

/**
 * Decodes a snapshot and checks it.
 *
 * @param bytes The snapshot.
 * @returns Its position, last record CRC and state.
 * @throws {SnapshotError} When it is not a snapshot, was written on a host of the other
 *   byte order, is cut short, or fails its CRC check.
 */
export function decodeSnapshot(bytes: Uint8Array): SnapshotContents {
  const position = snapshotPosition(bytes);
  if (bytes[8] !== (LITTLE ? 1 : 2)) {
    throw new SnapshotError(
      "Cannot read the snapshot: it was written on a host of the other byte order",
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lastRecordCrc = view.getUint32(20);
  const length = view.getUint32(24);
  if (HEADER + length + 4 !== bytes.length) {
    throw new SnapshotError(
      `Cannot read the snapshot: its state is ${length} bytes, the file holds ${
        bytes.length - HEADER - 4
      }`,
    );
  }
  const expected = view.getUint32(HEADER + length);
  if (crc32(bytes, HEADER, HEADER + length) !== expected) {
    throw new SnapshotError("Cannot read the snapshot: its CRC check fails");
  }
  if (!Number.isSafeInteger(position) || position < 1) {
    throw new SnapshotError(
      `Cannot read the snapshot: its position ${position} is not a record count`,
    );
  }
  const reader = new StateReader(bytes, HEADER, HEADER + length);
  let state: unknown;
  try {
    state = reader.value();
  } catch (error) {
    throw new SnapshotError(
      `Cannot read the snapshot: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  if (!reader.done) {
    throw new SnapshotError("Cannot read the snapshot: bytes follow its state");
  }
  return { position, lastRecordCrc, state };
}
