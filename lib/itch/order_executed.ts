/**
 * Order Executed `E` (25 bytes, official §4.8): an order on the book traded, in whole or in
 * part. The execution price is the resting order's price; several `E` for one order add up.
 *
 * @module
 */

import { readUint32, readUint64 } from "../codec/_binary.ts";
import {
  checkMessage,
  checkRoom,
  isVersion16,
  putId64Field,
  putNanoseconds,
  putUint32Field,
  readNanoseconds,
} from "./_fields.ts";
import type { ItchOrderExecuted } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Order Executed, type byte included. */
export const ITCH_ORDER_EXECUTED_LENGTH = 25;
/** Type byte of Order Executed: `E`. */
export const ITCH_ORDER_EXECUTED_TYPE = 0x45;
/** Offset of each Order Executed field from the type byte. */
export const ITCH_ORDER_EXECUTED_OFFSETS: Readonly<
  Record<Exclude<keyof ItchOrderExecuted, "type"> | "messageType", number>
> = Object.freeze({
  messageType: 0,
  nanoseconds: 1,
  orderNumber: 5,
  executedQuantity: 13,
  matchNumber: 17,
});

const T = "orderExecuted";

/**
 * Writes an Order Executed into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version (this message is the same in both).
 * @returns The number of bytes written: `ITCH_ORDER_EXECUTED_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999, an Order or Match Number
 * is not a bigint from 0 to 2^64 - 1, or `executedQuantity` is not a uint32.
 * @throws {RangeError} If `target` has fewer than 25 bytes free at `at`, or the version is
 * unknown.
 *
 * @example 40 shares of the day's first order, in the day's third match
 * ```ts
 * import { encodeItchOrderExecuted } from "./order_executed.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(25);
 * encodeItchOrderExecuted({
 *   type: "orderExecuted", nanoseconds: 7, orderNumber: 202611280000000001n,
 *   executedQuantity: 40, matchNumber: 202611280000000003n,
 * }, target);
 * assert.equal(
 *   toHex(target),
 *   "45" + "00000007" + "02cfd1e2bbe32001" + "00000028" + "02cfd1e2bbe32003",
 * );
 * ```
 */
export function encodeItchOrderExecuted(
  msg: ItchOrderExecuted,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  isVersion16(options);
  checkRoom(target, at, ITCH_ORDER_EXECUTED_LENGTH, T);
  target[at] = ITCH_ORDER_EXECUTED_TYPE;
  putNanoseconds(target, at, msg.nanoseconds, T);
  putId64Field(target, at + 5, msg.orderNumber, T, "orderNumber");
  putUint32Field(target, at + 13, msg.executedQuantity, T, "executedQuantity");
  putId64Field(target, at + 17, msg.matchNumber, T, "matchNumber");
  return ITCH_ORDER_EXECUTED_LENGTH;
}

/**
 * Reads an Order Executed from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 25 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version (this message is the same in both).
 * @returns The message. Order and Match Numbers are read exactly, whatever their value.
 * @throws {ItchDecodeError} If `bytes` is not 25 bytes long, does not start with `E`, or the
 * nanoseconds are 10^9 or more.
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeItchOrderExecuted } from "./order_executed.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = fromHex("45 00000007 02cfd1e2bbe32001 00000028 02cfd1e2bbe32003");
 * assert.deepEqual(decodeItchOrderExecuted(bytes), {
 *   type: "orderExecuted", nanoseconds: 7, orderNumber: 202611280000000001n,
 *   executedQuantity: 40, matchNumber: 202611280000000003n,
 * });
 * ```
 */
export function decodeItchOrderExecuted(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): ItchOrderExecuted {
  isVersion16(options);
  checkMessage(bytes, ITCH_ORDER_EXECUTED_LENGTH, ITCH_ORDER_EXECUTED_TYPE, T);
  return {
    type: "orderExecuted",
    nanoseconds: readNanoseconds(bytes, T),
    orderNumber: readUint64(bytes, 5),
    executedQuantity: readUint32(bytes, 13),
    matchNumber: readUint64(bytes, 17),
  };
}
