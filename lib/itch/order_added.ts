/**
 * Order Added `A` (30 bytes, official §4.7.1): an order now rests on the book. With Order
 * Number 0 it is a reference price message instead: `price` is the orderbook's reference
 * price (`0x7FFFFFFF` for none) and side and quantity mean nothing.
 *
 * @module
 */

import { ADDED_OFFSETS, putAddedFields, readAddedFields } from "./_added.ts";
import { checkMessage, checkRoom, isVersion16 } from "./_fields.ts";
import type { OrderAdded } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Order Added, type byte included. */
export const ORDER_ADDED_LENGTH = 30;
/** Type byte of Order Added: `A`. */
export const ORDER_ADDED_TYPE = 0x41;
/** Offset of each Order Added field from the type byte. */
export const ORDER_ADDED_OFFSETS: Readonly<
  Record<Exclude<keyof OrderAdded, "type"> | "messageType", number>
> = ADDED_OFFSETS;

const T = "orderAdded";

/**
 * Writes an Order Added into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The number of bytes written: `ORDER_ADDED_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999, `orderNumber` is not a
 * bigint from 0 to 2^64 - 1, `side` is neither `B` nor `S`, a number is not a uint32, the
 * Orderbook Id is not valid in the version, or `group` is not printable ASCII of at most 4
 * characters.
 * @throws {RangeError} If `target` has fewer than 30 bytes free at `at`, or the version is
 * unknown.
 *
 * @example A buy of 100 at 2300.0, in v1.7 and v1.6
 * ```ts
 * import { encodeOrderAdded } from "./order_added.ts";
 * import type { OrderAdded } from "./messages.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: OrderAdded = {
 *   type: "orderAdded", nanoseconds: 123_456_789, orderNumber: 202611280000000001n,
 *   side: "B", quantity: 100, orderbookId: "7203", group: "DAY", price: 23_000,
 * };
 * const target = new Uint8Array(30);
 * encodeOrderAdded(msg, target);
 * assert.equal(
 *   toHex(target),
 *   "41" + "075bcd15" + "02cfd1e2bbe32001" + "42" + "00000064" + "37323033" + "44415920" +
 *     "000059d8",
 * );
 * encodeOrderAdded(msg, target, 0, { version: "1.6" });
 * assert.equal(toHex(target.subarray(18, 22)), "00001c23");
 * ```
 */
export function encodeOrderAdded(
  msg: OrderAdded,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  const v16 = isVersion16(options);
  checkRoom(target, at, ORDER_ADDED_LENGTH, T);
  target[at] = ORDER_ADDED_TYPE;
  putAddedFields(msg, target, at, v16, T);
  return ORDER_ADDED_LENGTH;
}

/**
 * Reads an Order Added from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 30 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The message. The Order Number is read exactly, whatever its value.
 * @throws {ItchDecodeError} If `bytes` is not 30 bytes long, does not start with `A`, or a
 * field is not valid (nanoseconds 10^9 or more, a side other than `B` or `S`, an Alpha byte
 * that is not printable ASCII).
 * @throws {RangeError} If the version is unknown.
 *
 * @example A reference price message: Order Number 0
 * ```ts
 * import { decodeOrderAdded } from "./order_added.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = fromHex("41 00000000 0000000000000000 42 00000000 37323033 44415920 00006d60");
 * assert.deepEqual(decodeOrderAdded(bytes), {
 *   type: "orderAdded", nanoseconds: 0, orderNumber: 0n, side: "B", quantity: 0,
 *   orderbookId: "7203", group: "DAY", price: 28_000,
 * });
 * ```
 */
export function decodeOrderAdded(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): OrderAdded {
  const v16 = isVersion16(options);
  checkMessage(bytes, ORDER_ADDED_LENGTH, ORDER_ADDED_TYPE, T);
  return { type: "orderAdded", ...readAddedFields(bytes, v16, T) };
}
