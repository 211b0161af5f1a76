// Private: field readers and writers shared by the ITCH message codecs, each checking its
// rule and throwing the layer's typed errors. Byte arithmetic and ASCII tables come from
// the OUCH codec's helpers, which throw nothing of their own.
import { type CodeSet, latin1, putAlpha } from "../codec/_ascii.ts";
import {
  MAX_SAFE_HIGH,
  put32,
  putUint64,
  readUint32,
  TWO_32,
} from "../codec/_binary.ts";
import { checkRoom, describeByte, describeValue } from "../codec/_fail.ts";
import { parseCanonicalUint32 } from "../codec/_orderbook_id.ts";
import { ItchDecodeError, ItchEncodeError } from "./errors.ts";
import { NANOSECONDS_PER_SECOND } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

export { checkRoom, readUint32 };

const SPACE = 0x20;
const TILDE = 0x7e;

/**
 * Tells whether `options` select the v1.6 layout (Orderbook Id as a uint32).
 *
 * @throws {RangeError} If `version` is neither `"1.7"` nor `"1.6"`.
 */
export function isVersion16(options: ItchCodecOptions): boolean {
  const version = options.version;
  if (version === undefined || version === "1.7") return false;
  if (version === "1.6") return true;
  throw new RangeError(
    `Cannot select ITCH version as one of "1.7", "1.6": current version is ${
      JSON.stringify(version) ?? String(version)
    }`,
  );
}

// ---------------------------------------------------------------------------------------
// Errors

/** Throws the `ItchEncodeError` for a field whose value breaks `rule`. */
export function failEncode(
  messageType: string,
  field: string,
  value: unknown,
  rule: string,
): never {
  throw new ItchEncodeError(
    `Cannot encode ${messageType} field ${field} as ${rule}: current value is ${
      describeValue(value)
    }`,
    { messageType, field, value },
  );
}

/** Throws an `ItchDecodeError`. */
export function failDecode(
  message: string,
  offset: number,
  messageType: string,
  field?: string,
): never {
  throw new ItchDecodeError(
    message,
    offset,
    field === undefined ? { messageType } : { messageType, field },
  );
}

/**
 * Checks that `bytes` is exactly one `messageType` message: its length first, then its type
 * byte.
 *
 * @throws {ItchDecodeError} On a wrong length (offset: the first missing or extra byte) or a
 * wrong type byte (offset 0).
 */
export function checkMessage(
  bytes: Uint8Array,
  length: number,
  typeByte: number,
  messageType: string,
): void {
  if (bytes.length !== length) {
    failDecode(
      `Cannot decode ${messageType} as it must be ${length} bytes: current length is ${bytes.length}`,
      Math.min(bytes.length, length),
      messageType,
    );
  }
  if (bytes[0] !== typeByte) {
    failDecode(
      `Cannot decode ${messageType} as its type byte must be ${
        describeByte(typeByte)
      }: current byte is ${describeByte(bytes[0]!)}`,
      0,
      messageType,
      "messageType",
    );
  }
}

// ---------------------------------------------------------------------------------------
// Integers

/** Writes a uint32 field. @throws {ItchEncodeError} If `value` is not an integer 0..2^32 - 1. */
export function putUint32Field(
  target: Uint8Array,
  at: number,
  value: number,
  messageType: string,
  field: string,
): void {
  if ((value >>> 0) !== value) {
    failEncode(messageType, field, value, "a uint32");
  }
  put32(target, at, value);
}

/** The rule of the nanoseconds field. */
const NANOSECONDS_RULE = "an integer from 0 to 999999999";

/** Writes the nanoseconds field at offset 1. @throws {ItchEncodeError} Outside 0..999999999. */
export function putNanoseconds(
  target: Uint8Array,
  at: number,
  value: number,
  messageType: string,
): void {
  if (!((value >>> 0) === value && value < NANOSECONDS_PER_SECOND)) {
    failEncode(messageType, "nanoseconds", value, NANOSECONDS_RULE);
  }
  put32(target, at + 1, value);
}

/** Reads the nanoseconds field at offset 1. @throws {ItchDecodeError} If it is 10^9 or more. */
export function readNanoseconds(
  bytes: Uint8Array,
  messageType: string,
): number {
  const value = readUint32(bytes, 1);
  if (value >= NANOSECONDS_PER_SECOND) {
    failDecode(
      `Cannot decode ${messageType} field nanoseconds as ${NANOSECONDS_RULE}: current value is ${value}`,
      1,
      messageType,
      "nanoseconds",
    );
  }
  return value;
}

/** Writes an 8-byte identifier. @throws {ItchEncodeError} If not a bigint in 0..2^64 - 1. */
export function putId64Field(
  target: Uint8Array,
  at: number,
  value: bigint,
  messageType: string,
  field: string,
): void {
  if (!putUint64(target, at, value)) {
    failEncode(messageType, field, value, "a bigint from 0 to 2^64 - 1");
  }
}

/** Writes an 8-byte sequence number. @throws {ItchEncodeError} If not a safe non-negative integer. */
export function putSequenceField(
  target: Uint8Array,
  at: number,
  value: number,
  messageType: string,
  field: string,
): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    failEncode(messageType, field, value, "a safe non-negative integer");
  }
  put32(target, at, Math.floor(value / TWO_32));
  put32(target, at + 4, value >>> 0);
}

/**
 * Reads an 8-byte sequence number as a number.
 *
 * @throws {ItchDecodeError} Or `fail`'s error, if it is above `Number.MAX_SAFE_INTEGER`.
 */
export function readSequenceField(
  bytes: Uint8Array,
  at: number,
  messageType: string,
  field: string,
  fail: typeof failDecode = failDecode,
): number {
  const high = readUint32(bytes, at);
  if (high > MAX_SAFE_HIGH) {
    let hex = "";
    for (let i = at; i < at + 8; i++) {
      hex += bytes[i]!.toString(16).padStart(2, "0");
    }
    fail(
      `Cannot decode ${messageType} field ${field} as a safe integer: current value is 0x${hex}`,
      at,
      messageType,
      field,
    );
  }
  return high * TWO_32 + readUint32(bytes, at + 4);
}

// ---------------------------------------------------------------------------------------
// Alpha and codes

/** Writes an Alpha field, space-padded. @throws {ItchEncodeError} If too long or not printable ASCII. */
export function putAlphaField(
  target: Uint8Array,
  at: number,
  width: number,
  value: string,
  messageType: string,
  field: string,
): void {
  if (!putAlpha(target, at, width, value)) {
    failEncode(
      messageType,
      field,
      value,
      `printable ASCII of at most ${width} characters`,
    );
  }
}

/**
 * Reads an Alpha field and trims its trailing spaces only.
 *
 * @throws {ItchDecodeError} If a byte is not printable ASCII.
 */
export function readAlphaField(
  bytes: Uint8Array,
  at: number,
  width: number,
  messageType: string,
  field: string,
): string {
  let end = at + width;
  for (let i = at; i < end; i++) {
    const byte = bytes[i]!;
    if (byte < SPACE || byte > TILDE) {
      failDecode(
        `Cannot decode ${messageType} field ${field} as printable ASCII: current byte is ${
          describeByte(byte)
        } at offset ${i}`,
        i,
        messageType,
        field,
      );
    }
  }
  while (end > at && bytes[end - 1] === SPACE) end--;
  return latin1(bytes, at, end);
}

/** Writes a one-byte code. @throws {ItchEncodeError} If `value` is not a member of `set`. */
export function putCodeField(
  target: Uint8Array,
  at: number,
  value: string,
  set: CodeSet,
  messageType: string,
  field: string,
): void {
  const code = typeof value === "string" && value.length === 1
    ? value.charCodeAt(0)
    : 0;
  if (set.flags[code] !== 1) failEncode(messageType, field, value, set.rule);
  target[at] = code;
}

/** Reads a one-byte code. @throws {ItchDecodeError} If the byte is not a member of `set`. */
export function readCodeField(
  bytes: Uint8Array,
  at: number,
  set: CodeSet,
  messageType: string,
  field: string,
): string {
  const code = bytes[at]!;
  if (set.flags[code] !== 1) {
    failDecode(
      `Cannot decode ${messageType} field ${field} as ${set.rule}: current value is ${
        describeByte(code)
      }`,
      at,
      messageType,
      field,
    );
  }
  return String.fromCharCode(code);
}

// ---------------------------------------------------------------------------------------
// Orderbook Id: 4-byte Alpha in v1.7, a uint32 in v1.6

/**
 * The four wire bytes of an Orderbook Id as a uint32, which identifies the orderbook in
 * either version; `-1` if `value` is not valid in the version.
 */
export function orderbookKey(value: string, v16: boolean): number {
  if (v16) return parseCanonicalUint32(value);
  if (typeof value !== "string" || value.length > 4) return -1;
  let key = 0;
  for (let i = 0; i < 4; i++) {
    const code = i < value.length ? value.charCodeAt(i) : SPACE;
    if (code < SPACE || code > TILDE) return -1;
    key = key * 256 + code;
  }
  return key;
}

/**
 * Writes the Orderbook Id.
 *
 * @throws {ItchEncodeError} In v1.7, if `value` is not printable ASCII of at most 4
 * characters; in v1.6, if it is not a canonical decimal (`/^(0|[1-9][0-9]*)$/`) of at most
 * 4294967295.
 */
export function putOrderbookId(
  target: Uint8Array,
  at: number,
  value: string,
  v16: boolean,
  messageType: string,
): void {
  const key = orderbookKey(value, v16);
  if (key < 0) {
    failEncode(
      messageType,
      "orderbookId",
      value,
      v16
        ? "a canonical decimal uint32 under version 1.6"
        : "printable ASCII of at most 4 characters",
    );
  }
  put32(target, at, key);
}

/**
 * Reads the Orderbook Id: 4-byte Alpha, or in v1.6 the uint32 N as `String(N)`.
 *
 * @throws {ItchDecodeError} In v1.7, if a byte is not printable ASCII.
 */
export function readOrderbookId(
  bytes: Uint8Array,
  at: number,
  v16: boolean,
  messageType: string,
): string {
  if (v16) return String(readUint32(bytes, at));
  return readAlphaField(bytes, at, 4, messageType, "orderbookId");
}

/** The Orderbook Id whose wire bytes are `key` (see {@linkcode orderbookKey}). */
export function orderbookIdOfKey(key: number, v16: boolean): string {
  if (v16) return String(key);
  const bytes = new Uint8Array(4);
  put32(bytes, 0, key);
  let end = 4;
  while (end > 0 && bytes[end - 1] === SPACE) end--;
  return latin1(bytes, 0, end);
}
