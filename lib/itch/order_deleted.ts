/**
 * Order Deleted `D` (13 bytes, official §4.9): an order left the book other than by
 * execution; all its remaining shares are gone.
 *
 * @module
 */

import { readUint64 } from "../codec/_binary.ts";
import {
  checkMessage,
  checkRoom,
  isVersion16,
  putId64Field,
  putNanoseconds,
  readNanoseconds,
} from "./_fields.ts";
import type { OrderDeleted } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Order Deleted, type byte included. */
export const ORDER_DELETED_LENGTH = 13;
/** Type byte of Order Deleted: `D`. */
export const ORDER_DELETED_TYPE = 0x44;
/** Offset of each Order Deleted field from the type byte. */
export const ORDER_DELETED_OFFSETS: Readonly<
  Record<Exclude<keyof OrderDeleted, "type"> | "messageType", number>
> = Object.freeze({ messageType: 0, nanoseconds: 1, orderNumber: 5 });

const T = "orderDeleted";

/**
 * Writes an Order Deleted into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version (this message is the same in both).
 * @returns The number of bytes written: `ORDER_DELETED_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999 or `orderNumber` is not a
 * bigint from 0 to 2^64 - 1.
 * @throws {RangeError} If `target` has fewer than 13 bytes free at `at`, or the version is
 * unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeOrderDeleted } from "./order_deleted.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(13);
 * encodeOrderDeleted({ type: "orderDeleted", nanoseconds: 9, orderNumber: 202611280000000001n }, target);
 * assert.equal(toHex(target), "44" + "00000009" + "02cfd1e2bbe32001");
 * ```
 */
export function encodeOrderDeleted(
  msg: OrderDeleted,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  isVersion16(options);
  checkRoom(target, at, ORDER_DELETED_LENGTH, T);
  target[at] = ORDER_DELETED_TYPE;
  putNanoseconds(target, at, msg.nanoseconds, T);
  putId64Field(target, at + 5, msg.orderNumber, T, "orderNumber");
  return ORDER_DELETED_LENGTH;
}

/**
 * Reads an Order Deleted from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 13 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version (this message is the same in both).
 * @returns The message. The Order Number is read exactly, whatever its value.
 * @throws {ItchDecodeError} If `bytes` is not 13 bytes long, does not start with `D`, or the
 * nanoseconds are 10^9 or more.
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeOrderDeleted } from "./order_deleted.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeOrderDeleted(fromHex("44 00000009 02cfd1e2bbe32001")), {
 *   type: "orderDeleted", nanoseconds: 9, orderNumber: 202611280000000001n,
 * });
 * ```
 */
export function decodeOrderDeleted(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): OrderDeleted {
  isVersion16(options);
  checkMessage(bytes, ORDER_DELETED_LENGTH, ORDER_DELETED_TYPE, T);
  return {
    type: "orderDeleted",
    nanoseconds: readNanoseconds(bytes, T),
    orderNumber: readUint64(bytes, 5),
  };
}
