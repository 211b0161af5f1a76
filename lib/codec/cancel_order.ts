/**
 * Cancel Order `X` (9 bytes, spec §3.3): inbound, sent by a client inside Unsequenced Data.
 *
 * @module
 */

import { failUint32 } from "./_binary.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { isVersion111 } from "./_version.ts";
import type { CancelOrder } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Cancel Order, type byte included. */
export const CANCEL_ORDER_LENGTH = 9;
/** Type byte of Cancel Order: `X`. */
export const CANCEL_ORDER_TYPE = 0x58;
/** Offset of each Cancel Order field from the type byte (spec §3.3). */
export const CANCEL_ORDER_OFFSETS: Readonly<
  Record<Exclude<keyof CancelOrder, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    orderToken: 1,
    quantity: 5,
  },
);

const T = "cancelOrder";

/**
 * Writes a Cancel Order into `target` at `at`.
 *
 * Fields are checked against the wire format only, never against exchange rules.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (this message is the same in both versions).
 * @returns The number of bytes written: `CANCEL_ORDER_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range.
 * @throws {RangeError} If `target` has fewer than 9 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeCancelOrder } from "./cancel_order.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(9);
 * const written = encodeCancelOrder({
 *   type: "cancelOrder", orderToken: 2, quantity: 0,
 * }, target);
 * assert.equal(written, 9);
 * assert.equal(
 *   toHex(target),
 *   "580000000200000000",
 * );
 * ```
 */
export function encodeCancelOrder(
  msg: CancelOrder,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  isVersion111(options);
  checkRoom(target, at, CANCEL_ORDER_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = CANCEL_ORDER_TYPE;
  const orderToken = msg.orderToken;
  if ((orderToken >>> 0) !== orderToken) {
    failUint32(T, "orderToken", orderToken);
  }
  target[at + 1] = orderToken >>> 24;
  target[at + 2] = orderToken >>> 16;
  target[at + 3] = orderToken >>> 8;
  target[at + 4] = orderToken;
  const quantity = msg.quantity;
  if ((quantity >>> 0) !== quantity) failUint32(T, "quantity", quantity);
  target[at + 5] = quantity >>> 24;
  target[at + 6] = quantity >>> 16;
  target[at + 7] = quantity >>> 8;
  target[at + 8] = quantity;
  return CANCEL_ORDER_LENGTH;
}

/**
 * Reads a Cancel Order from `bytes`, which must hold exactly the message, type byte first.
 *
 * @param bytes The 9 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (this message is the same in both versions).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 9 bytes long, or does not start with `X`.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeCancelOrder, encodeCancelOrder } from "./cancel_order.ts";
 * import type { CancelOrder } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: CancelOrder = {
 *   type: "cancelOrder", orderToken: 2, quantity: 0,
 * };
 * const bytes = new Uint8Array(9);
 * encodeCancelOrder(msg, bytes);
 * assert.deepEqual(decodeCancelOrder(bytes), msg);
 * ```
 */
export function decodeCancelOrder(
  bytes: Uint8Array,
  options: CodecOptions = {},
): CancelOrder {
  isVersion111(options);
  checkMessage(bytes, CANCEL_ORDER_LENGTH, CANCEL_ORDER_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const orderToken = ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>>
    0;
  const quantity = ((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0;
  return {
    type: "cancelOrder",
    orderToken,
    quantity,
  };
}
