/**
 * Timestamp – Seconds `T` (5 bytes, official §4.1): the seconds since midnight (JST) of the
 * day the trading session started. Every other message carries only the nanoseconds since
 * the latest `T`, and a `T` comes before the first message of every second that has one.
 *
 * @module
 */

import { readUint32 } from "../codec/_binary.ts";
import {
  checkMessage,
  checkRoom,
  isVersion16,
  putUint32Field,
} from "./_fields.ts";
import type { TimestampSeconds } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Timestamp – Seconds, type byte included. */
export const TIMESTAMP_SECONDS_LENGTH = 5;
/** Type byte of Timestamp – Seconds: `T`. */
export const TIMESTAMP_SECONDS_TYPE = 0x54;
/** Offset of each Timestamp – Seconds field from the type byte. */
export const TIMESTAMP_SECONDS_OFFSETS: Readonly<
  Record<Exclude<keyof TimestampSeconds, "type"> | "messageType", number>
> = Object.freeze({ messageType: 0, seconds: 1 });

const T = "timestampSeconds";

/**
 * Writes a Timestamp – Seconds into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version (this message is the same in both).
 * @returns The number of bytes written: `TIMESTAMP_SECONDS_LENGTH`.
 * @throws {ItchEncodeError} If `seconds` is not a uint32.
 * @throws {RangeError} If `target` has fewer than 5 bytes free at `at`, or the version is
 * unknown.
 *
 * @example 09:00:00
 * ```ts
 * import { encodeTimestampSeconds } from "./timestamp_seconds.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(5);
 * assert.equal(encodeTimestampSeconds({ type: "timestampSeconds", seconds: 32_400 }, target), 5);
 * assert.equal(toHex(target), "5400007e90");
 * ```
 */
export function encodeTimestampSeconds(
  msg: TimestampSeconds,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  isVersion16(options);
  checkRoom(target, at, TIMESTAMP_SECONDS_LENGTH, T);
  target[at] = TIMESTAMP_SECONDS_TYPE;
  putUint32Field(target, at + 1, msg.seconds, T, "seconds");
  return TIMESTAMP_SECONDS_LENGTH;
}

/**
 * Reads a Timestamp – Seconds from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 5 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version (this message is the same in both).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is not 5 bytes long or does not start with `T`.
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeTimestampSeconds } from "./timestamp_seconds.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeTimestampSeconds(fromHex("54 00007e90")), {
 *   type: "timestampSeconds",
 *   seconds: 32_400,
 * });
 * ```
 */
export function decodeTimestampSeconds(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): TimestampSeconds {
  isVersion16(options);
  checkMessage(bytes, TIMESTAMP_SECONDS_LENGTH, TIMESTAMP_SECONDS_TYPE, T);
  return { type: "timestampSeconds", seconds: readUint32(bytes, 1) };
}
