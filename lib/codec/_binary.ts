// Private: big-endian integers read and written byte by byte on a Uint8Array.
//
// Indices are relative to the Uint8Array itself, so a subarray view needs no byteOffset
// arithmetic. This is several times faster than building a DataView per message, which
// alone costs about as much as decoding a whole message. The message codecs write the same
// byte arithmetic out in their own bodies: V8 inlines at most ~920 bytes of helper
// bytecode into one function, and 17 helper calls per message exceed that.
import { failDecode, failEncode } from "./_fail.ts";

/** 2 ** 32, the weight of the high half of an 8-byte field. */
export const TWO_32 = 4294967296;
/** Largest high half of a safe 64-bit integer: `Number.MAX_SAFE_INTEGER` is 2 ** 53 - 1. */
export const MAX_SAFE_HIGH = 0x1fffff;

/** 2 ** 64 - 1, the largest value of an 8-byte identifier (Order Number, Match Number). */
export const MAX_UINT64 = 0xffff_ffff_ffff_ffffn;

/** Reads a big-endian uint16 at `at`. */
export function readUint16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/** Reads a big-endian uint32 at `at`. */
export function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) |
    bytes[at + 3]!) >>> 0;
}

/** Throws the error for an 8-byte field above `Number.MAX_SAFE_INTEGER`. */
export function failUint64Bytes(
  bytes: Uint8Array,
  at: number,
  messageType: string,
  field: string,
): never {
  let hex = "";
  for (let i = at; i < at + 8; i++) {
    hex += bytes[i]!.toString(16).padStart(2, "0");
  }
  failDecode(
    `Cannot decode ${messageType} field ${field} as a safe integer: current value is 0x${hex}`,
    at,
    messageType,
    field,
  );
}

// 8-byte identifiers are bigints. Measured (deno bench, 1000 values): composing a bigint from
// two uint32 reads with `BigInt(high) * 2n ** 32n + BigInt(low)` costs about as much as a
// shared DataView's getBigUint64, and much less than a DataView per message; writing
// through one shared 8-byte DataView costs 8 ns a value against 45 ns for `>> 32n` and
// `& 0xffffffffn`, which allocate two bigints.
const SCRATCH = new DataView(new ArrayBuffer(8));
const SCRATCH_BYTES = new Uint8Array(SCRATCH.buffer);

/** Reads a big-endian unsigned 8-byte integer at `at`, exactly, as a bigint. */
export function readUint64(bytes: Uint8Array, at: number): bigint {
  const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) |
    (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) |
    (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0;
  return BigInt(high) * 4294967296n + BigInt(low);
}

/**
 * Writes `value`, a bigint checked to be in `0..MAX_UINT64`, big-endian at `at`.
 * Returns `false`, writing nothing, when it is not.
 */
export function putUint64(
  target: Uint8Array,
  at: number,
  value: bigint,
): boolean {
  if (!(typeof value === "bigint" && value >= 0n && value <= MAX_UINT64)) {
    return false;
  }
  SCRATCH.setBigUint64(0, value);
  const b = SCRATCH_BYTES;
  target[at] = b[0]!;
  target[at + 1] = b[1]!;
  target[at + 2] = b[2]!;
  target[at + 3] = b[3]!;
  target[at + 4] = b[4]!;
  target[at + 5] = b[5]!;
  target[at + 6] = b[6]!;
  target[at + 7] = b[7]!;
  return true;
}

/** Throws the error for an 8-byte identifier that is not a bigint in `0..MAX_UINT64`. */
export function failId64(
  messageType: string,
  field: string,
  value: unknown,
): never {
  failEncode(messageType, field, value, "a bigint from 0 to 2^64 - 1");
}

/** Writes the low 32 bits of `value` big-endian at `at`. */
export function put32(target: Uint8Array, at: number, value: number): void {
  target[at] = value >>> 24;
  target[at + 1] = value >>> 16;
  target[at + 2] = value >>> 8;
  target[at + 3] = value;
}

/** Throws the error for a uint32 field whose value is not an integer 0..4294967295. */
export function failUint32(
  messageType: string,
  field: string,
  value: unknown,
): never {
  failEncode(messageType, field, value, "a uint32");
}

/** Throws the error for an 8-byte field whose value is not a safe non-negative integer. */
export function failUint64(
  messageType: string,
  field: string,
  value: unknown,
): never {
  failEncode(messageType, field, value, "a safe non-negative integer");
}
