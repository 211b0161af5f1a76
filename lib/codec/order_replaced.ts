/**
 * Order Replaced `U` (52 bytes, spec §4.3): outbound, sent by the exchange inside Sequenced Data.
 *
 * @module
 */

import {
  CHARS,
  failAlpha,
  failAlphaByte,
  failChar,
  failCode,
  failCodeByte,
  putAlpha4,
  readAlpha4,
} from "./_ascii.ts";
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
import { ORDER_STATE_SET } from "./_codes.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { readOrderbookId, writeOrderbookId } from "./_orderbook_id.ts";
import { isVersion111 } from "./_version.ts";
import type { OrderReplaced, OrderState } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Order Replaced, type byte included. */
export const ORDER_REPLACED_LENGTH = 52;
/** Type byte of Order Replaced: `U`. */
export const ORDER_REPLACED_TYPE = 0x55;
/** Offset of each Order Replaced field from the type byte (spec §4.3). */
export const ORDER_REPLACED_OFFSETS: Readonly<
  Record<Exclude<keyof OrderReplaced, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    timestamp: 1,
    replacementOrderToken: 9,
    buySellIndicator: 13,
    quantity: 14,
    orderbookId: 18,
    group: 22,
    price: 26,
    timeInForce: 30,
    display: 34,
    orderNumber: 35,
    minimumQuantity: 43,
    orderState: 47,
    previousOrderToken: 48,
  },
);

const T = "orderReplaced";

/**
 * Writes an Order Replaced into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (Orderbook ID layout).
 * @returns The number of bytes written: `ORDER_REPLACED_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, a safe non-negative
 * timestamp, a bigint Order Number from 0 to 2^64 - 1, printable ASCII and Alpha width,
 * one-character fields, members of the closed code sets, or under v1.11, a canonical
 * decimal Orderbook ID.
 * @throws {RangeError} If `target` has fewer than 52 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeOrderReplaced } from "./order_replaced.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(52);
 * const written = encodeOrderReplaced({
 *   type: "orderReplaced", timestamp: 32_400_000_000_002, replacementOrderToken: 2,
 *   buySellIndicator: "B", quantity: 200, orderbookId: "1", group: "DAY", price: 23010,
 *   timeInForce: 99999, display: "P", orderNumber: 202611280000000001n, minimumQuantity: 0,
 *   orderState: "L", previousOrderToken: 1,
 * }, target);
 * assert.equal(written, 52);
 * assert.equal(
 *   toHex(target),
 *   "5500001d77b67da0020000000242000000c83120202044415920000059e20001" +
 *   "869f5002cfd1e2bbe32001000000004c00000001",
 * );
 * ```
 */
export function encodeOrderReplaced(
  msg: OrderReplaced,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  const v111 = isVersion111(options);
  checkRoom(target, at, ORDER_REPLACED_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = ORDER_REPLACED_TYPE;
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
  const replacementOrderToken = msg.replacementOrderToken;
  if ((replacementOrderToken >>> 0) !== replacementOrderToken) {
    failUint32(T, "replacementOrderToken", replacementOrderToken);
  }
  target[at + 9] = replacementOrderToken >>> 24;
  target[at + 10] = replacementOrderToken >>> 16;
  target[at + 11] = replacementOrderToken >>> 8;
  target[at + 12] = replacementOrderToken;
  const buySellIndicator = msg.buySellIndicator;
  const buySellIndicatorCode =
    typeof buySellIndicator === "string" && buySellIndicator.length === 1
      ? buySellIndicator.charCodeAt(0)
      : -1;
  if (buySellIndicatorCode < 0x20 || buySellIndicatorCode > 0x7e) {
    failChar(T, "buySellIndicator", buySellIndicator);
  }
  target[at + 13] = buySellIndicatorCode;
  const quantity = msg.quantity;
  if ((quantity >>> 0) !== quantity) failUint32(T, "quantity", quantity);
  target[at + 14] = quantity >>> 24;
  target[at + 15] = quantity >>> 16;
  target[at + 16] = quantity >>> 8;
  target[at + 17] = quantity;
  writeOrderbookId(target, at + 18, msg.orderbookId, v111, T);
  const group = msg.group;
  if (!putAlpha4(target, at + 22, group)) failAlpha(T, "group", group, 4);
  const price = msg.price;
  if ((price >>> 0) !== price) failUint32(T, "price", price);
  target[at + 26] = price >>> 24;
  target[at + 27] = price >>> 16;
  target[at + 28] = price >>> 8;
  target[at + 29] = price;
  const timeInForce = msg.timeInForce;
  if ((timeInForce >>> 0) !== timeInForce) {
    failUint32(T, "timeInForce", timeInForce);
  }
  target[at + 30] = timeInForce >>> 24;
  target[at + 31] = timeInForce >>> 16;
  target[at + 32] = timeInForce >>> 8;
  target[at + 33] = timeInForce;
  const display = msg.display;
  const displayCode = typeof display === "string" && display.length === 1
    ? display.charCodeAt(0)
    : -1;
  if (displayCode < 0x20 || displayCode > 0x7e) failChar(T, "display", display);
  target[at + 34] = displayCode;
  const orderNumber = msg.orderNumber;
  if (!putUint64(target, at + 35, orderNumber)) {
    failId64(T, "orderNumber", orderNumber);
  }
  const minimumQuantity = msg.minimumQuantity;
  if ((minimumQuantity >>> 0) !== minimumQuantity) {
    failUint32(T, "minimumQuantity", minimumQuantity);
  }
  target[at + 43] = minimumQuantity >>> 24;
  target[at + 44] = minimumQuantity >>> 16;
  target[at + 45] = minimumQuantity >>> 8;
  target[at + 46] = minimumQuantity;
  const orderState = msg.orderState;
  const orderStateCode =
    typeof orderState === "string" && orderState.length === 1
      ? orderState.charCodeAt(0)
      : 0;
  if (ORDER_STATE_SET.flags[orderStateCode] !== 1) {
    failCode(T, "orderState", orderState, ORDER_STATE_SET);
  }
  target[at + 47] = orderStateCode;
  const previousOrderToken = msg.previousOrderToken;
  if ((previousOrderToken >>> 0) !== previousOrderToken) {
    failUint32(T, "previousOrderToken", previousOrderToken);
  }
  target[at + 48] = previousOrderToken >>> 24;
  target[at + 49] = previousOrderToken >>> 16;
  target[at + 50] = previousOrderToken >>> 8;
  target[at + 51] = previousOrderToken;
  return ORDER_REPLACED_LENGTH;
}

/**
 * Reads an Order Replaced from `bytes`, which must hold exactly the message, type byte
 * first.
 *
 * Multi-byte Alpha fields lose their trailing spaces only; one-byte fields are kept as-is.
 * One-byte business fields (side, display, capacity, classification, cash margin type)
 * may be any printable ASCII: the exchange, not the codec, rejects bad values.
 *
 * @param bytes The 52 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (Orderbook ID layout).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 52 bytes long, does not start with `U`, an
 * Alpha byte is not printable ASCII, a code is not a member of its set, or the timestamp
 * is above `Number.MAX_SAFE_INTEGER`. The Order Number is read exactly, whatever its value.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeOrderReplaced, encodeOrderReplaced } from "./order_replaced.ts";
 * import type { OrderReplaced } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: OrderReplaced = {
 *   type: "orderReplaced", timestamp: 32_400_000_000_002, replacementOrderToken: 2,
 *   buySellIndicator: "B", quantity: 200, orderbookId: "1", group: "DAY", price: 23010,
 *   timeInForce: 99999, display: "P", orderNumber: 202611280000000001n, minimumQuantity: 0,
 *   orderState: "L", previousOrderToken: 1,
 * };
 * const bytes = new Uint8Array(52);
 * encodeOrderReplaced(msg, bytes);
 * assert.deepEqual(decodeOrderReplaced(bytes), msg);
 * ```
 */
export function decodeOrderReplaced(
  bytes: Uint8Array,
  options: CodecOptions = {},
): OrderReplaced {
  const v111 = isVersion111(options);
  checkMessage(bytes, ORDER_REPLACED_LENGTH, ORDER_REPLACED_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const timestampHigh =
    ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>> 0;
  if (timestampHigh > MAX_SAFE_HIGH) failUint64Bytes(b, 1, T, "timestamp");
  const timestamp = timestampHigh * TWO_32 +
    (((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0);
  const replacementOrderToken =
    ((b[9]! << 24) | (b[10]! << 16) | (b[11]! << 8) | b[12]!) >>> 0;
  const buySellIndicatorCode = b[13]!;
  if (buySellIndicatorCode < 0x20 || buySellIndicatorCode > 0x7e) {
    failAlphaByte(b, 13, T, "buySellIndicator");
  }
  const quantity =
    ((b[14]! << 24) | (b[15]! << 16) | (b[16]! << 8) | b[17]!) >>> 0;
  const orderbookId = readOrderbookId(b, 18, v111, T);
  const group = readAlpha4(b, 22, T, "group");
  const price = ((b[26]! << 24) | (b[27]! << 16) | (b[28]! << 8) | b[29]!) >>>
    0;
  const timeInForce =
    ((b[30]! << 24) | (b[31]! << 16) | (b[32]! << 8) | b[33]!) >>> 0;
  const displayCode = b[34]!;
  if (displayCode < 0x20 || displayCode > 0x7e) {
    failAlphaByte(b, 34, T, "display");
  }
  const orderNumber = readUint64(b, 35);
  const minimumQuantity =
    ((b[43]! << 24) | (b[44]! << 16) | (b[45]! << 8) | b[46]!) >>> 0;
  const orderStateCode = b[47]!;
  if (ORDER_STATE_SET.flags[orderStateCode] !== 1) {
    failCodeByte(orderStateCode, 47, ORDER_STATE_SET, T, "orderState");
  }
  const previousOrderToken =
    ((b[48]! << 24) | (b[49]! << 16) | (b[50]! << 8) | b[51]!) >>> 0;
  return {
    type: "orderReplaced",
    timestamp,
    replacementOrderToken,
    buySellIndicator: CHARS[buySellIndicatorCode]!,
    quantity,
    orderbookId,
    group,
    price,
    timeInForce,
    display: CHARS[displayCode]!,
    orderNumber,
    minimumQuantity,
    orderState: CHARS[orderStateCode] as OrderState,
    previousOrderToken,
  };
}
