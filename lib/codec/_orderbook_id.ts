// Private: the Orderbook ID field, whose 4 bytes are Alpha in v1.12 and a uint32 in v1.11 (K1).
import { failAlpha, putAlpha4, readAlpha4 } from "./_ascii.ts";
import { put32, readUint32 } from "./_binary.ts";
import { failEncode } from "./_fail.ts";

const FIELD = "orderbookId";
const SLOTS = 1024;
const numberKeys = new Float64Array(SLOTS).fill(-1);
const numberValues: string[] = new Array<string>(SLOTS).fill("");

/**
 * Reads the Orderbook ID at `at`: 4-byte Alpha, or under v1.11 the uint32 N as `String(N)`.
 *
 * @throws {OuchDecodeError} Under v1.12, if a byte is not printable ASCII.
 */
export function readOrderbookId(
  bytes: Uint8Array,
  at: number,
  v111: boolean,
  messageType: string,
): string {
  if (!v111) return readAlpha4(bytes, at, messageType, FIELD);
  const key = readUint32(bytes, at);
  const slot = Math.imul(key, 0x9e3779b1) >>> 22;
  if (numberKeys[slot] === key) return numberValues[slot]!;
  const text = String(key);
  numberKeys[slot] = key;
  numberValues[slot] = text;
  return text;
}

/**
 * Writes the Orderbook ID at `at`.
 *
 * @throws {OuchEncodeError} Under v1.12, if `value` is not printable ASCII of at most 4
 * characters; under v1.11, if it is not a canonical decimal (`/^(0|[1-9][0-9]*)$/`) of at
 * most 4294967295.
 */
export function writeOrderbookId(
  target: Uint8Array,
  at: number,
  value: string,
  v111: boolean,
  messageType: string,
): void {
  if (!v111) {
    if (!putAlpha4(target, at, value)) {
      failAlpha(messageType, FIELD, value, 4);
    }
    return;
  }
  const number = parseCanonicalUint32(value);
  if (number < 0) {
    failEncode(
      messageType,
      FIELD,
      value,
      "a canonical decimal uint32 under version 1.11",
    );
  }
  put32(target, at, number);
}

/** Parses `/^(0|[1-9][0-9]*)$/` up to 4294967295; returns -1 for anything else. */
export function parseCanonicalUint32(value: unknown): number {
  if (typeof value !== "string") return -1;
  const length = value.length;
  if (length === 0 || length > 10) return -1;
  if (value.charCodeAt(0) === 0x30) return length === 1 ? 0 : -1;
  let number = 0;
  for (let i = 0; i < length; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number <= 0xffffffff ? number : -1;
}
