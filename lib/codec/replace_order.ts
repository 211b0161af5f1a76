/**
 * Replace Order `U` (26 bytes, spec §3.2): inbound, sent by a client inside Unsequenced Data.
 *
 * @module
 */

import { CHARS, failAlphaByte, failChar } from "./_ascii.ts";
import { failUint32 } from "./_binary.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { isVersion111 } from "./_version.ts";
import type { ReplaceOrder } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Replace Order, type byte included. */
export const REPLACE_ORDER_LENGTH = 26;
/** Type byte of Replace Order: `U`. */
export const REPLACE_ORDER_TYPE = 0x55;
/** Offset of each Replace Order field from the type byte (spec §3.2). */
export const REPLACE_ORDER_OFFSETS: Readonly<
  Record<Exclude<keyof ReplaceOrder, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    existingOrderToken: 1,
    replacementOrderToken: 5,
    quantity: 9,
    price: 13,
    timeInForce: 17,
    display: 21,
    minimumQuantity: 22,
  },
);

const T = "replaceOrder";

/**
 * Writes a Replace Order into `target` at `at`.
 *
 * Fields are checked against the wire format only, never against exchange rules.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (this message is the same in both versions).
 * @returns The number of bytes written: `REPLACE_ORDER_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, printable ASCII and
 * Alpha width, or one-character fields.
 * @throws {RangeError} If `target` has fewer than 26 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeReplaceOrder } from "./replace_order.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(26);
 * const written = encodeReplaceOrder({
 *   type: "replaceOrder", existingOrderToken: 1, replacementOrderToken: 2,
 *   quantity: 200, price: 23010, timeInForce: 99999, display: "P", minimumQuantity: 0,
 * }, target);
 * assert.equal(written, 26);
 * assert.equal(
 *   toHex(target),
 *   "550000000100000002000000c8000059e20001869f5000000000",
 * );
 * ```
 */
export function encodeReplaceOrder(
  msg: ReplaceOrder,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  isVersion111(options);
  checkRoom(target, at, REPLACE_ORDER_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = REPLACE_ORDER_TYPE;
  const existingOrderToken = msg.existingOrderToken;
  if ((existingOrderToken >>> 0) !== existingOrderToken) {
    failUint32(T, "existingOrderToken", existingOrderToken);
  }
  target[at + 1] = existingOrderToken >>> 24;
  target[at + 2] = existingOrderToken >>> 16;
  target[at + 3] = existingOrderToken >>> 8;
  target[at + 4] = existingOrderToken;
  const replacementOrderToken = msg.replacementOrderToken;
  if ((replacementOrderToken >>> 0) !== replacementOrderToken) {
    failUint32(T, "replacementOrderToken", replacementOrderToken);
  }
  target[at + 5] = replacementOrderToken >>> 24;
  target[at + 6] = replacementOrderToken >>> 16;
  target[at + 7] = replacementOrderToken >>> 8;
  target[at + 8] = replacementOrderToken;
  const quantity = msg.quantity;
  if ((quantity >>> 0) !== quantity) failUint32(T, "quantity", quantity);
  target[at + 9] = quantity >>> 24;
  target[at + 10] = quantity >>> 16;
  target[at + 11] = quantity >>> 8;
  target[at + 12] = quantity;
  const price = msg.price;
  if ((price >>> 0) !== price) failUint32(T, "price", price);
  target[at + 13] = price >>> 24;
  target[at + 14] = price >>> 16;
  target[at + 15] = price >>> 8;
  target[at + 16] = price;
  const timeInForce = msg.timeInForce;
  if ((timeInForce >>> 0) !== timeInForce) {
    failUint32(T, "timeInForce", timeInForce);
  }
  target[at + 17] = timeInForce >>> 24;
  target[at + 18] = timeInForce >>> 16;
  target[at + 19] = timeInForce >>> 8;
  target[at + 20] = timeInForce;
  const display = msg.display;
  const displayCode = typeof display === "string" && display.length === 1
    ? display.charCodeAt(0)
    : -1;
  if (displayCode < 0x20 || displayCode > 0x7e) failChar(T, "display", display);
  target[at + 21] = displayCode;
  const minimumQuantity = msg.minimumQuantity;
  if ((minimumQuantity >>> 0) !== minimumQuantity) {
    failUint32(T, "minimumQuantity", minimumQuantity);
  }
  target[at + 22] = minimumQuantity >>> 24;
  target[at + 23] = minimumQuantity >>> 16;
  target[at + 24] = minimumQuantity >>> 8;
  target[at + 25] = minimumQuantity;
  return REPLACE_ORDER_LENGTH;
}

/**
 * Reads a Replace Order from `bytes`, which must hold exactly the message, type byte first.
 * One-byte business fields (side, display, capacity, classification, cash margin type)
 * may be any printable ASCII: the exchange, not the codec, rejects bad values.
 *
 * @param bytes The 26 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (this message is the same in both versions).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 26 bytes long, does not start with `U`, or an
 * Alpha byte is not printable ASCII.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeReplaceOrder, encodeReplaceOrder } from "./replace_order.ts";
 * import type { ReplaceOrder } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: ReplaceOrder = {
 *   type: "replaceOrder", existingOrderToken: 1, replacementOrderToken: 2,
 *   quantity: 200, price: 23010, timeInForce: 99999, display: "P", minimumQuantity: 0,
 * };
 * const bytes = new Uint8Array(26);
 * encodeReplaceOrder(msg, bytes);
 * assert.deepEqual(decodeReplaceOrder(bytes), msg);
 * ```
 */
export function decodeReplaceOrder(
  bytes: Uint8Array,
  options: CodecOptions = {},
): ReplaceOrder {
  isVersion111(options);
  checkMessage(bytes, REPLACE_ORDER_LENGTH, REPLACE_ORDER_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const existingOrderToken =
    ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>> 0;
  const replacementOrderToken =
    ((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0;
  const quantity = ((b[9]! << 24) | (b[10]! << 16) | (b[11]! << 8) | b[12]!) >>>
    0;
  const price = ((b[13]! << 24) | (b[14]! << 16) | (b[15]! << 8) | b[16]!) >>>
    0;
  const timeInForce =
    ((b[17]! << 24) | (b[18]! << 16) | (b[19]! << 8) | b[20]!) >>> 0;
  const displayCode = b[21]!;
  if (displayCode < 0x20 || displayCode > 0x7e) {
    failAlphaByte(b, 21, T, "display");
  }
  const minimumQuantity =
    ((b[22]! << 24) | (b[23]! << 16) | (b[24]! << 8) | b[25]!) >>> 0;
  return {
    type: "replaceOrder",
    existingOrderToken,
    replacementOrderToken,
    quantity,
    price,
    timeInForce,
    display: CHARS[displayCode]!,
    minimumQuantity,
  };
}
