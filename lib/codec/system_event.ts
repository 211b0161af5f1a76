/**
 * System Event `S` (10 bytes, spec §4.1): outbound, sent by the exchange inside Sequenced Data.
 *
 * @module
 */

import { CHARS, failCode, failCodeByte } from "./_ascii.ts";
import {
  failUint64,
  failUint64Bytes,
  MAX_SAFE_HIGH,
  TWO_32,
} from "./_binary.ts";
import { SYSTEM_EVENT_SET } from "./_codes.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { isVersion111 } from "./_version.ts";
import type { SystemEvent, SystemEventCode } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of System Event, type byte included. */
export const SYSTEM_EVENT_LENGTH = 10;
/** Type byte of System Event: `S`. */
export const SYSTEM_EVENT_TYPE = 0x53;
/** Offset of each System Event field from the type byte (spec §4.1). */
export const SYSTEM_EVENT_OFFSETS: Readonly<
  Record<Exclude<keyof SystemEvent, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    timestamp: 1,
    eventCode: 9,
  },
);

const T = "systemEvent";

/**
 * Writes a System Event into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (this message is the same in both versions).
 * @returns The number of bytes written: `SYSTEM_EVENT_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, safe non-negative
 * 8-byte integers, or members of the closed code sets.
 * @throws {RangeError} If `target` has fewer than 10 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeSystemEvent } from "./system_event.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(10);
 * const written = encodeSystemEvent({
 *   type: "systemEvent", timestamp: 32_400_000_000_000, eventCode: "S",
 * }, target);
 * assert.equal(written, 10);
 * assert.equal(
 *   toHex(target),
 *   "5300001d77b67da00053",
 * );
 * ```
 */
export function encodeSystemEvent(
  msg: SystemEvent,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  isVersion111(options);
  checkRoom(target, at, SYSTEM_EVENT_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = SYSTEM_EVENT_TYPE;
  const timestamp = msg.timestamp;
  if (!(timestamp >= 0 && Number.isSafeInteger(timestamp))) {
    failUint64(T, "timestamp", timestamp);
  }
  const timestampHigh = Math.floor(timestamp / TWO_32);
  target[at + 1] = timestampHigh >>> 24;
  target[at + 2] = timestampHigh >>> 16;
  target[at + 3] = timestampHigh >>> 8;
  target[at + 4] = timestampHigh;
  target[at + 5] = timestamp >>> 24;
  target[at + 6] = timestamp >>> 16;
  target[at + 7] = timestamp >>> 8;
  target[at + 8] = timestamp;
  const eventCode = msg.eventCode;
  const eventCodeCode = typeof eventCode === "string" && eventCode.length === 1
    ? eventCode.charCodeAt(0)
    : 0;
  if (SYSTEM_EVENT_SET.flags[eventCodeCode] !== 1) {
    failCode(T, "eventCode", eventCode, SYSTEM_EVENT_SET);
  }
  target[at + 9] = eventCodeCode;
  return SYSTEM_EVENT_LENGTH;
}

/**
 * Reads a System Event from `bytes`, which must hold exactly the message, type byte first.
 *
 * @param bytes The 10 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (this message is the same in both versions).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 10 bytes long, does not start with `S`, a
 * code is not a member of its set, or an 8-byte value is above `Number.MAX_SAFE_INTEGER`.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeSystemEvent, encodeSystemEvent } from "./system_event.ts";
 * import type { SystemEvent } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: SystemEvent = {
 *   type: "systemEvent", timestamp: 32_400_000_000_000, eventCode: "S",
 * };
 * const bytes = new Uint8Array(10);
 * encodeSystemEvent(msg, bytes);
 * assert.deepEqual(decodeSystemEvent(bytes), msg);
 * ```
 */
export function decodeSystemEvent(
  bytes: Uint8Array,
  options: CodecOptions = {},
): SystemEvent {
  isVersion111(options);
  checkMessage(bytes, SYSTEM_EVENT_LENGTH, SYSTEM_EVENT_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const timestampHigh =
    ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>> 0;
  if (timestampHigh > MAX_SAFE_HIGH) failUint64Bytes(b, 1, T, "timestamp");
  const timestamp = timestampHigh * TWO_32 +
    (((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0);
  const eventCodeCode = b[9]!;
  if (SYSTEM_EVENT_SET.flags[eventCodeCode] !== 1) {
    failCodeByte(eventCodeCode, 9, SYSTEM_EVENT_SET, T, "eventCode");
  }
  return {
    type: "systemEvent",
    timestamp,
    eventCode: CHARS[eventCodeCode] as SystemEventCode,
  };
}
