/**
 * End of Snapshot `G` (9 bytes, Japannext's `jnx_itch.c` dissector): the last message of a
 * snapshot, carrying the feed sequence number the snapshot is current to. A client applies
 * the snapshot, then the real-time feed from that number plus 1.
 *
 * @module
 */

import {
  checkMessage,
  checkRoom,
  isVersion16,
  putSequenceField,
  readSequenceField,
} from "./_fields.ts";
import type { EndOfSnapshot } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of End of Snapshot, type byte included. */
export const END_OF_SNAPSHOT_LENGTH = 9;
/** Type byte of End of Snapshot: `G`. */
export const END_OF_SNAPSHOT_TYPE = 0x47;
/** Offset of each End of Snapshot field from the type byte. */
export const END_OF_SNAPSHOT_OFFSETS: Readonly<
  Record<Exclude<keyof EndOfSnapshot, "type"> | "messageType", number>
> = Object.freeze({ messageType: 0, sequenceNumber: 1 });

const T = "endOfSnapshot";

/**
 * Writes an End of Snapshot into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version (this message is the same in both).
 * @returns The number of bytes written: `END_OF_SNAPSHOT_LENGTH`.
 * @throws {ItchEncodeError} If `sequenceNumber` is not a safe non-negative integer.
 * @throws {RangeError} If `target` has fewer than 9 bytes free at `at`, or the version is
 * unknown.
 *
 * @example Current to message 1000
 * ```ts
 * import { encodeEndOfSnapshot } from "./end_of_snapshot.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(9);
 * encodeEndOfSnapshot({ type: "endOfSnapshot", sequenceNumber: 1000 }, target);
 * assert.equal(toHex(target), "47" + "00000000000003e8");
 * ```
 */
export function encodeEndOfSnapshot(
  msg: EndOfSnapshot,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  isVersion16(options);
  checkRoom(target, at, END_OF_SNAPSHOT_LENGTH, T);
  target[at] = END_OF_SNAPSHOT_TYPE;
  putSequenceField(target, at + 1, msg.sequenceNumber, T, "sequenceNumber");
  return END_OF_SNAPSHOT_LENGTH;
}

/**
 * Reads an End of Snapshot from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 9 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version (this message is the same in both).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is not 9 bytes long, does not start with `G`, or the
 * sequence number is above `Number.MAX_SAFE_INTEGER`.
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeEndOfSnapshot } from "./end_of_snapshot.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeEndOfSnapshot(fromHex("47 00000000000003e8")), {
 *   type: "endOfSnapshot",
 *   sequenceNumber: 1000,
 * });
 * ```
 */
export function decodeEndOfSnapshot(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): EndOfSnapshot {
  isVersion16(options);
  checkMessage(bytes, END_OF_SNAPSHOT_LENGTH, END_OF_SNAPSHOT_TYPE, T);
  return {
    type: "endOfSnapshot",
    sequenceNumber: readSequenceField(bytes, 1, T, "sequenceNumber"),
  };
}
