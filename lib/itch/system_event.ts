/**
 * System Event `S` (10 bytes, official §4.2): start and end of messages, system hours and
 * market hours, system-wide (blank group) or for one group.
 *
 * @module
 */

import { SYSTEM_EVENT_SET } from "./_codes.ts";
import {
  checkMessage,
  checkRoom,
  isVersion16,
  putAlphaField,
  putCodeField,
  putNanoseconds,
  readAlphaField,
  readCodeField,
  readNanoseconds,
} from "./_fields.ts";
import type { ItchSystemEvent, ItchSystemEventCode } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of System Event, type byte included. */
export const ITCH_SYSTEM_EVENT_LENGTH = 10;
/** Type byte of System Event: `S`. */
export const ITCH_SYSTEM_EVENT_TYPE = 0x53;
/** Offset of each System Event field from the type byte. */
export const ITCH_SYSTEM_EVENT_OFFSETS: Readonly<
  Record<Exclude<keyof ItchSystemEvent, "type"> | "messageType", number>
> = Object.freeze({ messageType: 0, nanoseconds: 1, group: 5, eventCode: 9 });

const T = "systemEvent";

/**
 * Writes a System Event into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version (this message is the same in both).
 * @returns The number of bytes written: `ITCH_SYSTEM_EVENT_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999, `group` is not printable
 * ASCII of at most 4 characters, or `eventCode` is not `O`, `S`, `Q`, `M`, `E` or `C`.
 * @throws {RangeError} If `target` has fewer than 10 bytes free at `at`, or the version is
 * unknown.
 *
 * @example Start of Messages, system-wide
 * ```ts
 * import { encodeItchSystemEvent } from "./system_event.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(10);
 * encodeItchSystemEvent({ type: "systemEvent", nanoseconds: 5, group: "", eventCode: "O" }, target);
 * assert.equal(toHex(target), "53" + "00000005" + "20202020" + "4f");
 * ```
 */
export function encodeItchSystemEvent(
  msg: ItchSystemEvent,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  isVersion16(options);
  checkRoom(target, at, ITCH_SYSTEM_EVENT_LENGTH, T);
  target[at] = ITCH_SYSTEM_EVENT_TYPE;
  putNanoseconds(target, at, msg.nanoseconds, T);
  putAlphaField(target, at + 5, 4, msg.group, T, "group");
  putCodeField(target, at + 9, msg.eventCode, SYSTEM_EVENT_SET, T, "eventCode");
  return ITCH_SYSTEM_EVENT_LENGTH;
}

/**
 * Reads a System Event from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 10 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version (this message is the same in both).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is not 10 bytes long, does not start with `S`, or a
 * field is not valid (nanoseconds 10^9 or more, a group byte that is not printable ASCII, an
 * unknown event code).
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeItchSystemEvent } from "./system_event.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeItchSystemEvent(fromHex("53 00000005 20202020 51")), {
 *   type: "systemEvent", nanoseconds: 5, group: "", eventCode: "Q",
 * });
 * ```
 */
export function decodeItchSystemEvent(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): ItchSystemEvent {
  isVersion16(options);
  checkMessage(bytes, ITCH_SYSTEM_EVENT_LENGTH, ITCH_SYSTEM_EVENT_TYPE, T);
  return {
    type: "systemEvent",
    nanoseconds: readNanoseconds(bytes, T),
    group: readAlphaField(bytes, 5, 4, T, "group"),
    eventCode: readCodeField(
      bytes,
      9,
      SYSTEM_EVENT_SET,
      T,
      "eventCode",
    ) as ItchSystemEventCode,
  };
}
