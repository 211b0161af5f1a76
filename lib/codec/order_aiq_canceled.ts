/**
 * Order AIQ Canceled `D` (27 bytes, spec §4.5): outbound, sent by the exchange inside Sequenced Data.
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
import { CANCELED_REASON_SET, LIQUIDITY_SET } from "./_codes.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { isVersion111 } from "./_version.ts";
import type {
  LiquidityIndicator,
  OrderAiqCanceled,
  OrderCanceledReason,
} from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Order AIQ Canceled, type byte included. */
export const ORDER_AIQ_CANCELED_LENGTH = 27;
/** Type byte of Order AIQ Canceled: `D`. */
export const ORDER_AIQ_CANCELED_TYPE = 0x44;
/** Offset of each Order AIQ Canceled field from the type byte (spec §4.5). */
export const ORDER_AIQ_CANCELED_OFFSETS: Readonly<
  Record<Exclude<keyof OrderAiqCanceled, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    timestamp: 1,
    orderToken: 9,
    decrementQuantity: 13,
    orderCanceledReason: 17,
    quantityPreventedFromTrading: 18,
    executionPrice: 22,
    liquidityIndicator: 26,
  },
);

const T = "orderAiqCanceled";

/**
 * Writes an Order AIQ Canceled into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (this message is the same in both versions).
 * @returns The number of bytes written: `ORDER_AIQ_CANCELED_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, safe non-negative
 * 8-byte integers, or members of the closed code sets.
 * @throws {RangeError} If `target` has fewer than 27 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeOrderAiqCanceled } from "./order_aiq_canceled.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(27);
 * const written = encodeOrderAiqCanceled({
 *   type: "orderAiqCanceled", timestamp: 32_400_000_000_004, orderToken: 3,
 *   decrementQuantity: 100, orderCanceledReason: "O", quantityPreventedFromTrading: 100,
 *   executionPrice: 23000, liquidityIndicator: "R",
 * }, target);
 * assert.equal(written, 27);
 * assert.equal(
 *   toHex(target),
 *   "4400001d77b67da00400000003000000644f00000064000059d852",
 * );
 * ```
 */
export function encodeOrderAiqCanceled(
  msg: OrderAiqCanceled,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  isVersion111(options);
  checkRoom(target, at, ORDER_AIQ_CANCELED_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = ORDER_AIQ_CANCELED_TYPE;
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
  const quantityPreventedFromTrading = msg.quantityPreventedFromTrading;
  if ((quantityPreventedFromTrading >>> 0) !== quantityPreventedFromTrading) {
    failUint32(T, "quantityPreventedFromTrading", quantityPreventedFromTrading);
  }
  target[at + 18] = quantityPreventedFromTrading >>> 24;
  target[at + 19] = quantityPreventedFromTrading >>> 16;
  target[at + 20] = quantityPreventedFromTrading >>> 8;
  target[at + 21] = quantityPreventedFromTrading;
  const executionPrice = msg.executionPrice;
  if ((executionPrice >>> 0) !== executionPrice) {
    failUint32(T, "executionPrice", executionPrice);
  }
  target[at + 22] = executionPrice >>> 24;
  target[at + 23] = executionPrice >>> 16;
  target[at + 24] = executionPrice >>> 8;
  target[at + 25] = executionPrice;
  const liquidityIndicator = msg.liquidityIndicator;
  const liquidityIndicatorCode =
    typeof liquidityIndicator === "string" && liquidityIndicator.length === 1
      ? liquidityIndicator.charCodeAt(0)
      : 0;
  if (LIQUIDITY_SET.flags[liquidityIndicatorCode] !== 1) {
    failCode(T, "liquidityIndicator", liquidityIndicator, LIQUIDITY_SET);
  }
  target[at + 26] = liquidityIndicatorCode;
  return ORDER_AIQ_CANCELED_LENGTH;
}

/**
 * Reads an Order AIQ Canceled from `bytes`, which must hold exactly the message, type byte
 * first.
 *
 * @param bytes The 27 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (this message is the same in both versions).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 27 bytes long, does not start with `D`, a
 * code is not a member of its set, or an 8-byte value is above `Number.MAX_SAFE_INTEGER`.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeOrderAiqCanceled, encodeOrderAiqCanceled } from "./order_aiq_canceled.ts";
 * import type { OrderAiqCanceled } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: OrderAiqCanceled = {
 *   type: "orderAiqCanceled", timestamp: 32_400_000_000_004, orderToken: 3,
 *   decrementQuantity: 100, orderCanceledReason: "O", quantityPreventedFromTrading: 100,
 *   executionPrice: 23000, liquidityIndicator: "R",
 * };
 * const bytes = new Uint8Array(27);
 * encodeOrderAiqCanceled(msg, bytes);
 * assert.deepEqual(decodeOrderAiqCanceled(bytes), msg);
 * ```
 */
export function decodeOrderAiqCanceled(
  bytes: Uint8Array,
  options: CodecOptions = {},
): OrderAiqCanceled {
  isVersion111(options);
  checkMessage(bytes, ORDER_AIQ_CANCELED_LENGTH, ORDER_AIQ_CANCELED_TYPE, T);
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
  const quantityPreventedFromTrading =
    ((b[18]! << 24) | (b[19]! << 16) | (b[20]! << 8) | b[21]!) >>> 0;
  const executionPrice =
    ((b[22]! << 24) | (b[23]! << 16) | (b[24]! << 8) | b[25]!) >>> 0;
  const liquidityIndicatorCode = b[26]!;
  if (LIQUIDITY_SET.flags[liquidityIndicatorCode] !== 1) {
    failCodeByte(
      liquidityIndicatorCode,
      26,
      LIQUIDITY_SET,
      T,
      "liquidityIndicator",
    );
  }
  return {
    type: "orderAiqCanceled",
    timestamp,
    orderToken,
    decrementQuantity,
    orderCanceledReason: CHARS[orderCanceledReasonCode] as OrderCanceledReason,
    quantityPreventedFromTrading,
    executionPrice,
    liquidityIndicator: CHARS[liquidityIndicatorCode] as LiquidityIndicator,
  };
}
