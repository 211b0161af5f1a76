// Private: Alpha fields (printable ASCII, left-justified, space-padded on the right).
//
// Decoding builds no string for a 4- or 10-byte field it has seen recently: small
// direct-mapped caches map the field's bytes (as uint32 keys) to the string decoded from
// them. Only validated bytes ever enter a cache, and each cache has a fixed size, so the
// caches change no result and cannot grow.
import { readUint16, readUint32 } from "./_binary.ts";
import { describeByte, failDecode, failEncode } from "./_fail.ts";

/** `CHARS[b]` is the one-character string of byte `b`. */
export const CHARS: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => String.fromCharCode(byte),
);

const SPACE = 0x20;
const TILDE = 0x7e;

/** A closed set of one-byte codes, as a lookup table plus the text for error messages. */
export interface CodeSet {
  /** `flags[b] === 1` when byte `b` is a member. */
  readonly flags: Uint8Array;
  /** The members quoted, e.g. `one of "L", "D"`. */
  readonly rule: string;
}

/** Builds the `CodeSet` of single-character `codes`. */
export function codeSet(codes: readonly string[]): CodeSet {
  const flags = new Uint8Array(256);
  for (const code of codes) flags[code.charCodeAt(0)] = 1;
  return {
    flags,
    rule: `one of ${codes.map((code) => JSON.stringify(code)).join(", ")}`,
  };
}

/**
 * Builds a string from bytes `start..end` (already checked). Up to 10 bytes, one
 * `String.fromCharCode` call builds it with no intermediate strings.
 */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  const b = bytes;
  const s = start;
  switch (end - start) {
    case 0:
      return "";
    case 1:
      return CHARS[b[s]!]!;
    case 2:
      return String.fromCharCode(b[s]!, b[s + 1]!);
    case 3:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
      );
    case 6:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
      );
    case 7:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
      );
    case 8:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
      );
    case 9:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
      );
    case 10:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
        b[s + 9]!,
      );
    default: {
      let text = "";
      for (let i = start; i < end; i++) text += CHARS[b[i]!]!;
      return text;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Decoding

/** Throws the error for a byte of an Alpha field that is not printable ASCII. */
export function failAlphaByte(
  bytes: Uint8Array,
  at: number,
  messageType: string,
  field: string,
): never {
  failDecode(
    `Cannot decode ${messageType} field ${field} as printable ASCII: current byte is ${
      describeByte(bytes[at]!)
    } at offset ${at}`,
    at,
    messageType,
    field,
  );
}

/** Throws the error for a byte that is not a member of `set`. */
export function failCodeByte(
  byte: number,
  at: number,
  set: CodeSet,
  messageType: string,
  field: string,
): never {
  failDecode(
    `Cannot decode ${messageType} field ${field} as ${set.rule}: current value is ${
      describeByte(byte)
    }`,
    at,
    messageType,
    field,
  );
}

/**
 * Reads a multi-byte Alpha field and trims its trailing spaces only.
 *
 * @throws {OuchDecodeError} If a byte is not printable ASCII.
 */
export function readAlpha(
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
      failAlphaByte(bytes, i, messageType, field);
    }
  }
  while (end > at && bytes[end - 1] === SPACE) end--;
  return latin1(bytes, at, end);
}

const ALPHA4_SLOTS = 1024;
const alpha4Keys = new Float64Array(ALPHA4_SLOTS).fill(-1);
const alpha4Values: string[] = new Array<string>(ALPHA4_SLOTS).fill("");

/**
 * Reads a 4-byte Alpha field (Orderbook ID, Group) through a cache keyed by its uint32.
 *
 * @throws {OuchDecodeError} If a byte is not printable ASCII.
 */
export function readAlpha4(
  bytes: Uint8Array,
  at: number,
  messageType: string,
  field: string,
): string {
  const key = readUint32(bytes, at);
  const slot = Math.imul(key, 0x9e3779b1) >>> 22;
  if (alpha4Keys[slot] === key) return alpha4Values[slot]!;
  return readAlpha4Slow(bytes, at, key, slot, messageType, field);
}

function readAlpha4Slow(
  bytes: Uint8Array,
  at: number,
  key: number,
  slot: number,
  messageType: string,
  field: string,
): string {
  const text = readAlpha(bytes, at, 4, messageType, field);
  alpha4Keys[slot] = key;
  alpha4Values[slot] = text;
  return text;
}

const ALPHA10_SLOTS = 4096;
const alpha10Keys = new Float64Array(3 * ALPHA10_SLOTS).fill(-1);
const alpha10Values: string[] = new Array<string>(ALPHA10_SLOTS).fill("");

/**
 * Reads a 10-byte Alpha field (Client Reference) through a cache keyed by its bytes.
 *
 * @throws {OuchDecodeError} If a byte is not printable ASCII.
 */
export function readAlpha10(
  bytes: Uint8Array,
  at: number,
  messageType: string,
  field: string,
): string {
  const a = readUint32(bytes, at);
  const b = readUint32(bytes, at + 4);
  const c = readUint16(bytes, at + 8);
  const slot = Math.imul(a ^ Math.imul(b ^ c, 0x85ebca6b), 0x9e3779b1) >>> 20;
  const k = 3 * slot;
  if (
    alpha10Keys[k] === a && alpha10Keys[k + 1] === b && alpha10Keys[k + 2] === c
  ) {
    return alpha10Values[slot]!;
  }
  return readAlpha10Slow(bytes, at, a, b, c, slot, messageType, field);
}

function readAlpha10Slow(
  bytes: Uint8Array,
  at: number,
  a: number,
  b: number,
  c: number,
  slot: number,
  messageType: string,
  field: string,
): string {
  const text = readAlpha(bytes, at, 10, messageType, field);
  const k = 3 * slot;
  alpha10Keys[k] = a;
  alpha10Keys[k + 1] = b;
  alpha10Keys[k + 2] = c;
  alpha10Values[slot] = text;
  return text;
}

// ---------------------------------------------------------------------------------------
// Encoding: small checks that encoders call in their own body, then throw with `fail*`.

/**
 * Writes `value` left-justified in `width` bytes, padded on the right with spaces.
 *
 * @returns `false`, having written part of the field, if `value` is longer than `width` or
 * not printable ASCII.
 */
export function putAlpha(
  target: Uint8Array,
  at: number,
  width: number,
  value: string,
): boolean {
  if (typeof value !== "string") return false;
  const length = value.length;
  if (length > width) return false;
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code < SPACE || code > TILDE) return false;
    target[at + i] = code;
  }
  for (let i = length; i < width; i++) target[at + i] = SPACE;
  return true;
}

const ALPHA4_CODES_LIMIT = 4096;
const alpha4Codes = new Map<string, number>();

/**
 * Writes a 4-byte Alpha field (Orderbook ID, Group) like `putAlpha`, through a cache that
 * maps recently written strings to their four bytes as a uint32. The cache holds only valid
 * strings and is cleared when it reaches 4096 entries.
 *
 * @returns `false`, having written part of the field, if `value` is not valid.
 */
export function putAlpha4(
  target: Uint8Array,
  at: number,
  value: string,
): boolean {
  const code = alpha4Codes.get(value);
  if (code === undefined) return putAlpha4Slow(target, at, value);
  target[at] = code >>> 24;
  target[at + 1] = code >>> 16;
  target[at + 2] = code >>> 8;
  target[at + 3] = code;
  return true;
}

function putAlpha4Slow(target: Uint8Array, at: number, value: string): boolean {
  if (!putAlpha(target, at, 4, value)) return false;
  if (alpha4Codes.size >= ALPHA4_CODES_LIMIT) alpha4Codes.clear();
  alpha4Codes.set(value, readUint32(target, at));
  return true;
}

/** Throws the error for a one-byte Alpha field that is not one printable ASCII character. */
export function failChar(
  messageType: string,
  field: string,
  value: unknown,
): never {
  failEncode(
    messageType,
    field,
    value,
    "exactly one printable ASCII character",
  );
}

/** Throws the error for a code that is not a member of `set`. */
export function failCode(
  messageType: string,
  field: string,
  value: unknown,
  set: CodeSet,
): never {
  failEncode(messageType, field, value, set.rule);
}

/** Throws the error for a multi-byte Alpha field that is too long or not printable ASCII. */
export function failAlpha(
  messageType: string,
  field: string,
  value: unknown,
  width: number,
): never {
  failEncode(
    messageType,
    field,
    value,
    `printable ASCII of at most ${width} characters`,
  );
}
