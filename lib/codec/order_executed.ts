/**
 * Order Executed `E` (30 bytes, spec §4.6): outbound, sent by the exchange inside Sequenced Data.
 *
 * @module
 */

import { CHARS, failCode, failCodeByte } from "./_ascii.ts";
import {
  failId64,
  failUint32,
  failUint64,
  failUint64Bytes,
  MAX_SAFE_HIGH,
  putUint64,
  readUint64,
  TWO_32,
} from "./_binary.ts";
import { LIQUIDITY_SET } from "./_codes.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { isVersion111 } from "./_version.ts";
import type { LiquidityIndicator, OrderExecuted } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Order Executed, type byte included. */
export const ORDER_EXECUTED_LENGTH = 30;
/** Type byte of Order Executed: `E`. */
export const ORDER_EXECUTED_TYPE = 0x45;
/** Offset of each Order Executed field from the type byte (spec §4.6). */
export const ORDER_EXECUTED_OFFSETS: Readonly<
  Record<Exclude<keyof OrderExecuted, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    timestamp: 1,
    orderToken: 9,
    executedQuantity: 13,
    executionPrice: 17,
    liquidityIndicator: 21,
    matchNumber: 22,
  },
);

const T = "orderExecuted";

/**
 * Writes an Order Executed into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (this message is the same in both versions).
 * @returns The number of bytes written: `ORDER_EXECUTED_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, a safe non-negative
 * timestamp, a bigint Match Number from 0 to 2^64 - 1, or members of the closed code sets.
 * @throws {RangeError} If `target` has fewer than 30 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeOrderExecuted } from "./order_executed.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(30);
 * const written = encodeOrderExecuted({
 *   type: "orderExecuted", timestamp: 32_400_000_000_005, orderToken: 1,
 *   executedQuantity: 100, executionPrice: 23000, liquidityIndicator: "A",
 *   matchNumber: 202611280000000001n,
 * }, target);
 * assert.equal(written, 30);
 * assert.equal(
 *   toHex(target),
 *   "4500001d77b67da0050000000100000064000059d84102cfd1e2bbe32001",
 * );
 * ```
 */
export function encodeOrderExecuted(
  msg: OrderExecuted,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  isVersion111(options);
  checkRoom(target, at, ORDER_EXECUTED_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = ORDER_EXECUTED_TYPE;
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
  const executedQuantity = msg.executedQuantity;
  if ((executedQuantity >>> 0) !== executedQuantity) {
    failUint32(T, "executedQuantity", executedQuantity);
  }
  target[at + 13] = executedQuantity >>> 24;
  target[at + 14] = executedQuantity >>> 16;
  target[at + 15] = executedQuantity >>> 8;
  target[at + 16] = executedQuantity;
  const executionPrice = msg.executionPrice;
  if ((executionPrice >>> 0) !== executionPrice) {
    failUint32(T, "executionPrice", executionPrice);
  }
  target[at + 17] = executionPrice >>> 24;
  target[at + 18] = executionPrice >>> 16;
  target[at + 19] = executionPrice >>> 8;
  target[at + 20] = executionPrice;
  const liquidityIndicator = msg.liquidityIndicator;
  const liquidityIndicatorCode =
    typeof liquidityIndicator === "string" && liquidityIndicator.length === 1
      ? liquidityIndicator.charCodeAt(0)
      : 0;
  if (LIQUIDITY_SET.flags[liquidityIndicatorCode] !== 1) {
    failCode(T, "liquidityIndicator", liquidityIndicator, LIQUIDITY_SET);
  }
  target[at + 21] = liquidityIndicatorCode;
  const matchNumber = msg.matchNumber;
  if (!putUint64(target, at + 22, matchNumber)) {
    failId64(T, "matchNumber", matchNumber);
  }
  return ORDER_EXECUTED_LENGTH;
}

/**
 * Reads an Order Executed from `bytes`, which must hold exactly the message, type byte
 * first.
 *
 * @param bytes The 30 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (this message is the same in both versions).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 30 bytes long, does not start with `E`, a
 * code is not a member of its set, or the timestamp is above `Number.MAX_SAFE_INTEGER`. The
 * Match Number is read exactly, whatever its value.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeOrderExecuted, encodeOrderExecuted } from "./order_executed.ts";
 * import type { OrderExecuted } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: OrderExecuted = {
 *   type: "orderExecuted", timestamp: 32_400_000_000_005, orderToken: 1,
 *   executedQuantity: 100, executionPrice: 23000, liquidityIndicator: "A",
 *   matchNumber: 202611280000000001n,
 * };
 * const bytes = new Uint8Array(30);
 * encodeOrderExecuted(msg, bytes);
 * assert.deepEqual(decodeOrderExecuted(bytes), msg);
 * ```
 */
export function decodeOrderExecuted(
  bytes: Uint8Array,
  options: CodecOptions = {},
): OrderExecuted {
  isVersion111(options);
  checkMessage(bytes, ORDER_EXECUTED_LENGTH, ORDER_EXECUTED_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const timestampHigh =
    ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>> 0;
  if (timestampHigh > MAX_SAFE_HIGH) failUint64Bytes(b, 1, T, "timestamp");
  const timestamp = timestampHigh * TWO_32 +
    (((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0);
  const orderToken =
    ((b[9]! << 24) | (b[10]! << 16) | (b[11]! << 8) | b[12]!) >>> 0;
  const executedQuantity =
    ((b[13]! << 24) | (b[14]! << 16) | (b[15]! << 8) | b[16]!) >>> 0;
  const executionPrice =
    ((b[17]! << 24) | (b[18]! << 16) | (b[19]! << 8) | b[20]!) >>> 0;
  const liquidityIndicatorCode = b[21]!;
  if (LIQUIDITY_SET.flags[liquidityIndicatorCode] !== 1) {
    failCodeByte(
      liquidityIndicatorCode,
      21,
      LIQUIDITY_SET,
      T,
      "liquidityIndicator",
    );
  }
  const matchNumber = readUint64(b, 22);
  return {
    type: "orderExecuted",
    timestamp,
    orderToken,
    executedQuantity,
    executionPrice,
    liquidityIndicator: CHARS[liquidityIndicatorCode] as LiquidityIndicator,
    matchNumber,
  };
}
