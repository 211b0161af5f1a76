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
import { prepareState, StateReader, StateWriter } from "./_state_codec.ts";
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
 * A snapshot's contents made ready to encode over several turns: see
 * {@linkcode captureSnapshot}.
 */
export interface SnapshotCapture {
  /** The contents, sharing no mutable memory with the engine. */
  readonly contents: SnapshotContents;
  /** The bytes the snapshot will take (exact for ASCII text). */
  readonly size: number;
}

/** Bytes checked by the CRC between two yields of {@linkcode encodeSnapshotSteps}. */
const CRC_STEP = 1 << 20;

/**
 * Copies a snapshot's contents out of the engine, so that they can be encoded later, a
 * piece at a time, while the engine carries on ({@linkcode encodeSnapshotSteps}). The
 * copy costs a copy of the state's typed arrays and arrays (no encoding).
 *
 * @param contents The position, the last record's CRC and the state (views of the
 *   engine's memory allowed).
 * @returns The copy.
 * @throws {TypeError} When the state holds something a snapshot cannot.
 *
 * @example The copy does not follow the engine
 * ```ts
 * import { captureSnapshot, encodeSnapshot, encodeSnapshotSteps } from "./snapshot.ts";
 * import assert from "node:assert/strict";
 *
 * const rows = new Int32Array([1, 2, 3]);
 * const capture = captureSnapshot({ position: 7, lastRecordCrc: 42, state: { rows } });
 * const before = encodeSnapshot({ position: 7, lastRecordCrc: 42, state: { rows } });
 * rows[0] = 9;
 * const steps = encodeSnapshotSteps(capture);
 * let step = steps.next();
 * while (step.done !== true) step = steps.next();
 * assert.deepEqual(step.value, before);
 * assert.equal(capture.size, before.length);
 * ```
 */
export function captureSnapshot(contents: SnapshotContents): SnapshotCapture {
  const { state, size } = prepareState(contents.state, true);
  return {
    contents: { ...contents, state },
    size: HEADER + size + 4,
  };
}

/**
 * Encodes a captured snapshot a piece at a time: each `yield` is a point where the caller
 * may let other work run (a few thousand values or 256 KiB of the state, or 1 MiB of its
 * CRC, between two). The bytes are those {@linkcode encodeSnapshot} gives.
 *
 * @param capture From {@linkcode captureSnapshot}.
 * @returns The generator; its return value is the snapshot (a view of its own buffer).
 * @throws {TypeError} When the state holds something a snapshot cannot.
 */
export function* encodeSnapshotSteps(
  capture: SnapshotCapture,
): Generator<void, Uint8Array, void> {
  const { contents } = capture;
  const writer = new StateWriter(capture.size);
  writer.raw(new TextEncoder().encode(MAGIC));
  writer.raw(new Uint8Array([LITTLE ? 1 : 2, 0, 0, 0]));
  writer.raw(new Uint8Array(8));
  writer.uint32(contents.lastRecordCrc);
  writer.uint32(0);
  yield* writer.steps(contents.state);
  writer.uint32(0);
  const bytes = writer.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setFloat64(12, contents.position);
  const length = bytes.length - HEADER - 4;
  view.setUint32(24, length);
  let crc = 0;
  for (let at = HEADER; at < HEADER + length; at += CRC_STEP) {
    yield;
    crc = crc32(bytes, at, Math.min(at + CRC_STEP, HEADER + length), crc);
  }
  view.setUint32(bytes.length - 4, crc);
  return bytes;
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
  const { size } = prepareState(contents.state, false);
  const steps = encodeSnapshotSteps({ contents, size: HEADER + size + 4 });
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
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
