/**
 * Order Replaced `U` (29 bytes, official §4.10): an order on the book was replaced; the new
 * Order Number is used from now on. `quantity` is the new displayed (open) quantity.
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
import type { ItchOrderReplaced } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Order Replaced, type byte included. */
export const ITCH_ORDER_REPLACED_LENGTH = 29;
/** Type byte of Order Replaced: `U`. */
export const ITCH_ORDER_REPLACED_TYPE = 0x55;
/** Offset of each Order Replaced field from the type byte. */
export const ITCH_ORDER_REPLACED_OFFSETS: Readonly<
  Record<Exclude<keyof ItchOrderReplaced, "type"> | "messageType", number>
> = Object.freeze({
  messageType: 0,
  nanoseconds: 1,
  originalOrderNumber: 5,
  newOrderNumber: 13,
  quantity: 21,
  price: 25,
});

const T = "orderReplaced";

/**
 * Writes an Order Replaced into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version (this message is the same in both).
 * @returns The number of bytes written: `ITCH_ORDER_REPLACED_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999, an Order Number is not a
 * bigint from 0 to 2^64 - 1, or `quantity` or `price` is not a uint32.
 * @throws {RangeError} If `target` has fewer than 29 bytes free at `at`, or the version is
 * unknown.
 *
 * @example Order 1 becomes order 3: 40 at 2300.0
 * ```ts
 * import { encodeItchOrderReplaced } from "./order_replaced.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(29);
 * encodeItchOrderReplaced({
 *   type: "orderReplaced", nanoseconds: 0, originalOrderNumber: 202611280000000001n,
 *   newOrderNumber: 202611280000000003n, quantity: 40, price: 23_000,
 * }, target);
 * assert.equal(
 *   toHex(target),
 *   "55" + "00000000" + "02cfd1e2bbe32001" + "02cfd1e2bbe32003" + "00000028" + "000059d8",
 * );
 * ```
 */
export function encodeItchOrderReplaced(
  msg: ItchOrderReplaced,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  isVersion16(options);
  checkRoom(target, at, ITCH_ORDER_REPLACED_LENGTH, T);
  target[at] = ITCH_ORDER_REPLACED_TYPE;
  putNanoseconds(target, at, msg.nanoseconds, T);
  putId64Field(
    target,
    at + 5,
    msg.originalOrderNumber,
    T,
    "originalOrderNumber",
  );
  putId64Field(target, at + 13, msg.newOrderNumber, T, "newOrderNumber");
  putUint32Field(target, at + 21, msg.quantity, T, "quantity");
  putUint32Field(target, at + 25, msg.price, T, "price");
  return ITCH_ORDER_REPLACED_LENGTH;
}

/**
 * Reads an Order Replaced from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 29 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version (this message is the same in both).
 * @returns The message. Order Numbers are read exactly, whatever their value.
 * @throws {ItchDecodeError} If `bytes` is not 29 bytes long, does not start with `U`, or the
 * nanoseconds are 10^9 or more.
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeItchOrderReplaced } from "./order_replaced.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = fromHex("55 00000000 02cfd1e2bbe32001 02cfd1e2bbe32003 00000028 000059d8");
 * assert.equal(decodeItchOrderReplaced(bytes).newOrderNumber, 202611280000000003n);
 * ```
 */
export function decodeItchOrderReplaced(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): ItchOrderReplaced {
  isVersion16(options);
  checkMessage(bytes, ITCH_ORDER_REPLACED_LENGTH, ITCH_ORDER_REPLACED_TYPE, T);
  return {
    type: "orderReplaced",
    nanoseconds: readNanoseconds(bytes, T),
    originalOrderNumber: readUint64(bytes, 5),
    newOrderNumber: readUint64(bytes, 13),
    quantity: readUint32(bytes, 21),
    price: readUint32(bytes, 25),
  };
}
