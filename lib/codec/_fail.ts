// Private: builds and throws the codec's errors, kept out of the hot functions.
import { OuchDecodeError, OuchEncodeError } from "./errors.ts";

/** Shows any value in an error message: strings quoted, numbers as written. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function":
      return "a function";
    default:
      if (value === null) return "null";
      return Array.isArray(value) ? "an array" : "an object";
  }
}

/** Shows one byte as a quoted character and in hex, e.g. `"Q" (0x51)`. */
export function describeByte(byte: number): string {
  const hex = byte.toString(16).padStart(2, "0");
  const char = byte >= 0x20 && byte <= 0x7e
    ? JSON.stringify(String.fromCharCode(byte))
    : `"\\u00${hex}"`;
  return `${char} (0x${hex})`;
}

/** Throws the `OuchEncodeError` for a field whose value breaks `rule`. */
export function failEncode(
  messageType: string,
  field: string,
  value: unknown,
  rule: string,
): never {
  throw new OuchEncodeError(
    `Cannot encode ${messageType} field ${field} as ${rule}: current value is ${
      describeValue(value)
    }`,
    { messageType, field, value },
  );
}

/** Throws the `RangeError` for a target too small or an offset out of range. */
export function failRoom(
  target: Uint8Array,
  at: number,
  length: number,
  what: string,
): never {
  if (!Number.isInteger(at) || at < 0 || at > target.length) {
    throw new RangeError(
      `Cannot encode ${what} as its offset must be an integer from 0 to ${target.length}: current offset is ${at}`,
    );
  }
  throw new RangeError(
    `Cannot encode ${what} as it needs ${length} bytes: ${
      target.length - at
    } bytes are free at offset ${at}`,
  );
}

/**
 * Checks that `target` has `length` bytes free at `at`.
 *
 * @throws {RangeError} If `at` is not an integer in `0..target.length` or there is no room.
 */
export function checkRoom(
  target: Uint8Array,
  at: number,
  length: number,
  what: string,
): void {
  if (at >= 0 && at <= target.length - length && Number.isInteger(at)) return;
  failRoom(target, at, length, what);
}

/** Throws an `OuchDecodeError`. */
export function failDecode(
  message: string,
  offset: number,
  messageType: string,
  field?: string,
): never {
  throw new OuchDecodeError(
    message,
    offset,
    field === undefined ? { messageType } : { messageType, field },
  );
}

/**
 * Checks that `bytes` is exactly one `messageType` message: its length and its type byte.
 *
 * @throws {OuchDecodeError} On a wrong length (offset: the first missing or extra byte) or a
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
