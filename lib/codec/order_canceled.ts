/**
 * Order Canceled `C` (18 bytes, spec §4.4): outbound, sent by the exchange inside Sequenced Data.
 *
 * @module
 */

import { CHARS, failCode, failCodeByte } from "./_ascii.ts";
import {
  failUint32,
  failUint64,
  failUint64Bytes,
  MAX_SAFE_HIGH,
  TWO_32,
} from "./_binary.ts";
import { CANCELED_REASON_SET } from "./_codes.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { isVersion111 } from "./_version.ts";
import type { OrderCanceled, OrderCanceledReason } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Order Canceled, type byte included. */
export const ORDER_CANCELED_LENGTH = 18;
/** Type byte of Order Canceled: `C`. */
export const ORDER_CANCELED_TYPE = 0x43;
/** Offset of each Order Canceled field from the type byte (spec §4.4). */
export const ORDER_CANCELED_OFFSETS: Readonly<
  Record<Exclude<keyof OrderCanceled, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    timestamp: 1,
    orderToken: 9,
    decrementQuantity: 13,
    orderCanceledReason: 17,
  },
);

const T = "orderCanceled";

/**
 * Writes an Order Canceled into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (this message is the same in both versions).
 * @returns The number of bytes written: `ORDER_CANCELED_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, safe non-negative
 * 8-byte integers, or members of the closed code sets.
 * @throws {RangeError} If `target` has fewer than 18 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeOrderCanceled } from "./order_canceled.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(18);
 * const written = encodeOrderCanceled({
 *   type: "orderCanceled", timestamp: 32_400_000_000_003, orderToken: 2,
 *   decrementQuantity: 200, orderCanceledReason: "U",
 * }, target);
 * assert.equal(written, 18);
 * assert.equal(
 *   toHex(target),
 *   "4300001d77b67da00300000002000000c855",
 * );
 * ```
 */
export function encodeOrderCanceled(
  msg: OrderCanceled,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  isVersion111(options);
  checkRoom(target, at, ORDER_CANCELED_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = ORDER_CANCELED_TYPE;
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
  const orderToken = msg.orderToken;
  if ((orderToken >>> 0) !== orderToken) {
    failUint32(T, "orderToken", orderToken);
  }
  target[at + 9] = orderToken >>> 24;
  target[at + 10] = orderToken >>> 16;
  target[at + 11] = orderToken >>> 8;
  target[at + 12] = orderToken;
  const decrementQuantity = msg.decrementQuantity;
  if ((decrementQuantity >>> 0) !== decrementQuantity) {
    failUint32(T, "decrementQuantity", decrementQuantity);
  }
  target[at + 13] = decrementQuantity >>> 24;
  target[at + 14] = decrementQuantity >>> 16;
  target[at + 15] = decrementQuantity >>> 8;
  target[at + 16] = decrementQuantity;
  const orderCanceledReason = msg.orderCanceledReason;
  const orderCanceledReasonCode =
    typeof orderCanceledReason === "string" && orderCanceledReason.length === 1
      ? orderCanceledReason.charCodeAt(0)
      : 0;
  if (CANCELED_REASON_SET.flags[orderCanceledReasonCode] !== 1) {
    failCode(
      T,
      "orderCanceledReason",
      orderCanceledReason,
      CANCELED_REASON_SET,
    );
  }
  target[at + 17] = orderCanceledReasonCode;
  return ORDER_CANCELED_LENGTH;
}

/**
 * Reads an Order Canceled from `bytes`, which must hold exactly the message, type byte
 * first.
 *
 * @param bytes The 18 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (this message is the same in both versions).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 18 bytes long, does not start with `C`, a
 * code is not a member of its set, or an 8-byte value is above `Number.MAX_SAFE_INTEGER`.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeOrderCanceled, encodeOrderCanceled } from "./order_canceled.ts";
 * import type { OrderCanceled } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: OrderCanceled = {
 *   type: "orderCanceled", timestamp: 32_400_000_000_003, orderToken: 2,
 *   decrementQuantity: 200, orderCanceledReason: "U",
 * };
 * const bytes = new Uint8Array(18);
 * encodeOrderCanceled(msg, bytes);
 * assert.deepEqual(decodeOrderCanceled(bytes), msg);
 * ```
 */
export function decodeOrderCanceled(
  bytes: Uint8Array,
  options: CodecOptions = {},
): OrderCanceled {
  isVersion111(options);
  checkMessage(bytes, ORDER_CANCELED_LENGTH, ORDER_CANCELED_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const timestampHigh =
    ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>> 0;
  if (timestampHigh > MAX_SAFE_HIGH) failUint64Bytes(b, 1, T, "timestamp");
  const timestamp = timestampHigh * TWO_32 +
    (((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0);
  const orderToken =
    ((b[9]! << 24) | (b[10]! << 16) | (b[11]! << 8) | b[12]!) >>> 0;
  const decrementQuantity =
    ((b[13]! << 24) | (b[14]! << 16) | (b[15]! << 8) | b[16]!) >>> 0;
  const orderCanceledReasonCode = b[17]!;
  if (CANCELED_REASON_SET.flags[orderCanceledReasonCode] !== 1) {
    failCodeByte(
      orderCanceledReasonCode,
      17,
      CANCELED_REASON_SET,
      T,
      "orderCanceledReason",
    );
  }
  return {
    type: "orderCanceled",
    timestamp,
    orderToken,
    decrementQuantity,
    orderCanceledReason: CHARS[orderCanceledReasonCode] as OrderCanceledReason,
  };
}
