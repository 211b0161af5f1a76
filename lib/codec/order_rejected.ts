/**
 * Order Rejected `J` (14 bytes, spec §4.7): outbound, sent by the exchange inside Sequenced Data.
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
import { REJECTED_REASON_SET } from "./_codes.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { isVersion111 } from "./_version.ts";
import type { OrderRejected, OrderRejectedReason } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Order Rejected, type byte included. */
export const ORDER_REJECTED_LENGTH = 14;
/** Type byte of Order Rejected: `J`. */
export const ORDER_REJECTED_TYPE = 0x4a;
/** Offset of each Order Rejected field from the type byte (spec §4.7). */
export const ORDER_REJECTED_OFFSETS: Readonly<
  Record<Exclude<keyof OrderRejected, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    timestamp: 1,
    orderToken: 9,
    orderRejectedReason: 13,
  },
);

const T = "orderRejected";

/**
 * Writes an Order Rejected into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (this message is the same in both versions).
 * @returns The number of bytes written: `ORDER_REJECTED_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, safe non-negative
 * 8-byte integers, or members of the closed code sets.
 * @throws {RangeError} If `target` has fewer than 14 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeOrderRejected } from "./order_rejected.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(14);
 * const written = encodeOrderRejected({
 *   type: "orderRejected", timestamp: 32_400_000_000_006, orderToken: 4,
 *   orderRejectedReason: "X",
 * }, target);
 * assert.equal(written, 14);
 * assert.equal(
 *   toHex(target),
 *   "4a00001d77b67da0060000000458",
 * );
 * ```
 */
export function encodeOrderRejected(
  msg: OrderRejected,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  isVersion111(options);
  checkRoom(target, at, ORDER_REJECTED_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = ORDER_REJECTED_TYPE;
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
  const orderRejectedReason = msg.orderRejectedReason;
  const orderRejectedReasonCode =
    typeof orderRejectedReason === "string" && orderRejectedReason.length === 1
      ? orderRejectedReason.charCodeAt(0)
      : 0;
  if (REJECTED_REASON_SET.flags[orderRejectedReasonCode] !== 1) {
    failCode(
      T,
      "orderRejectedReason",
      orderRejectedReason,
      REJECTED_REASON_SET,
    );
  }
  target[at + 13] = orderRejectedReasonCode;
  return ORDER_REJECTED_LENGTH;
}

/**
 * Reads an Order Rejected from `bytes`, which must hold exactly the message, type byte
 * first.
 *
 * @param bytes The 14 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (this message is the same in both versions).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 14 bytes long, does not start with `J`, a
 * code is not a member of its set, or an 8-byte value is above `Number.MAX_SAFE_INTEGER`.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeOrderRejected, encodeOrderRejected } from "./order_rejected.ts";
 * import type { OrderRejected } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: OrderRejected = {
 *   type: "orderRejected", timestamp: 32_400_000_000_006, orderToken: 4,
 *   orderRejectedReason: "X",
 * };
 * const bytes = new Uint8Array(14);
 * encodeOrderRejected(msg, bytes);
 * assert.deepEqual(decodeOrderRejected(bytes), msg);
 * ```
 */
export function decodeOrderRejected(
  bytes: Uint8Array,
  options: CodecOptions = {},
): OrderRejected {
  isVersion111(options);
  checkMessage(bytes, ORDER_REJECTED_LENGTH, ORDER_REJECTED_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const timestampHigh =
    ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>> 0;
  if (timestampHigh > MAX_SAFE_HIGH) failUint64Bytes(b, 1, T, "timestamp");
  const timestamp = timestampHigh * TWO_32 +
    (((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0);
  const orderToken =
    ((b[9]! << 24) | (b[10]! << 16) | (b[11]! << 8) | b[12]!) >>> 0;
  const orderRejectedReasonCode = b[13]!;
  if (REJECTED_REASON_SET.flags[orderRejectedReasonCode] !== 1) {
    failCodeByte(
      orderRejectedReasonCode,
      13,
      REJECTED_REASON_SET,
      T,
      "orderRejectedReason",
    );
  }
  return {
    type: "orderRejected",
    timestamp,
    orderToken,
    orderRejectedReason: CHARS[orderRejectedReasonCode] as OrderRejectedReason,
  };
}
