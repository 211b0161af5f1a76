/**
 * Order Accepted `A` (65 bytes, spec §4.2): outbound, sent by the exchange inside Sequenced Data.
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
  putAlpha,
  putAlpha4,
  readAlpha10,
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
import type { OrderAccepted, OrderState } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Order Accepted, type byte included. */
export const ORDER_ACCEPTED_LENGTH = 65;
/** Type byte of Order Accepted: `A`. */
export const ORDER_ACCEPTED_TYPE = 0x41;
/** Offset of each Order Accepted field from the type byte (spec §4.2). */
export const ORDER_ACCEPTED_OFFSETS: Readonly<
  Record<Exclude<keyof OrderAccepted, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    timestamp: 1,
    orderToken: 9,
    clientReference: 13,
    buySellIndicator: 23,
    quantity: 24,
    orderbookId: 28,
    group: 32,
    price: 36,
    timeInForce: 40,
    firmId: 44,
    display: 48,
    capacity: 49,
    orderNumber: 50,
    minimumQuantity: 58,
    orderState: 62,
    orderClassification: 63,
    cashMarginType: 64,
  },
);

const T = "orderAccepted";

/**
 * Writes an Order Accepted into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (Orderbook ID layout).
 * @returns The number of bytes written: `ORDER_ACCEPTED_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, a safe non-negative
 * timestamp, a bigint Order Number from 0 to 2^64 - 1, printable ASCII and Alpha width,
 * one-character fields, members of the closed code sets, or under v1.11, a canonical
 * decimal Orderbook ID.
 * @throws {RangeError} If `target` has fewer than 65 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeOrderAccepted } from "./order_accepted.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(65);
 * const written = encodeOrderAccepted({
 *   type: "orderAccepted", timestamp: 32_400_000_000_001, orderToken: 1,
 *   clientReference: "Lenny", buySellIndicator: "B", quantity: 100, orderbookId: "1",
 *   group: "DAY", price: 23000, timeInForce: 99999, firmId: 0, display: " ",
 *   capacity: "P", orderNumber: 202611280000000001n, minimumQuantity: 0, orderState: "L",
 *   orderClassification: "1", cashMarginType: "1",
 * }, target);
 * assert.equal(written, 65);
 * assert.equal(
 *   toHex(target),
 *   "4100001d77b67da001000000014c656e6e792020202020420000006431202020" +
 *   "44415920000059d80001869f00000000205002cfd1e2bbe32001000000004c31" +
 *   "31",
 * );
 * ```
 */
export function encodeOrderAccepted(
  msg: OrderAccepted,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  const v111 = isVersion111(options);
  checkRoom(target, at, ORDER_ACCEPTED_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = ORDER_ACCEPTED_TYPE;
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
  const clientReference = msg.clientReference;
  if (!putAlpha(target, at + 13, 10, clientReference)) {
    failAlpha(T, "clientReference", clientReference, 10);
  }
  const buySellIndicator = msg.buySellIndicator;
  const buySellIndicatorCode =
    typeof buySellIndicator === "string" && buySellIndicator.length === 1
      ? buySellIndicator.charCodeAt(0)
      : -1;
  if (buySellIndicatorCode < 0x20 || buySellIndicatorCode > 0x7e) {
    failChar(T, "buySellIndicator", buySellIndicator);
  }
  target[at + 23] = buySellIndicatorCode;
  const quantity = msg.quantity;
  if ((quantity >>> 0) !== quantity) failUint32(T, "quantity", quantity);
  target[at + 24] = quantity >>> 24;
  target[at + 25] = quantity >>> 16;
  target[at + 26] = quantity >>> 8;
  target[at + 27] = quantity;
  writeOrderbookId(target, at + 28, msg.orderbookId, v111, T);
  const group = msg.group;
  if (!putAlpha4(target, at + 32, group)) failAlpha(T, "group", group, 4);
  const price = msg.price;
  if ((price >>> 0) !== price) failUint32(T, "price", price);
  target[at + 36] = price >>> 24;
  target[at + 37] = price >>> 16;
  target[at + 38] = price >>> 8;
  target[at + 39] = price;
  const timeInForce = msg.timeInForce;
  if ((timeInForce >>> 0) !== timeInForce) {
    failUint32(T, "timeInForce", timeInForce);
  }
  target[at + 40] = timeInForce >>> 24;
  target[at + 41] = timeInForce >>> 16;
  target[at + 42] = timeInForce >>> 8;
  target[at + 43] = timeInForce;
  const firmId = msg.firmId;
  if ((firmId >>> 0) !== firmId) failUint32(T, "firmId", firmId);
  target[at + 44] = firmId >>> 24;
  target[at + 45] = firmId >>> 16;
  target[at + 46] = firmId >>> 8;
  target[at + 47] = firmId;
  const display = msg.display;
  const displayCode = typeof display === "string" && display.length === 1
    ? display.charCodeAt(0)
    : -1;
  if (displayCode < 0x20 || displayCode > 0x7e) failChar(T, "display", display);
  target[at + 48] = displayCode;
  const capacity = msg.capacity;
  const capacityCode = typeof capacity === "string" && capacity.length === 1
    ? capacity.charCodeAt(0)
    : -1;
  if (capacityCode < 0x20 || capacityCode > 0x7e) {
    failChar(T, "capacity", capacity);
  }
  target[at + 49] = capacityCode;
  const orderNumber = msg.orderNumber;
  if (!putUint64(target, at + 50, orderNumber)) {
    failId64(T, "orderNumber", orderNumber);
  }
  const minimumQuantity = msg.minimumQuantity;
  if ((minimumQuantity >>> 0) !== minimumQuantity) {
    failUint32(T, "minimumQuantity", minimumQuantity);
  }
  target[at + 58] = minimumQuantity >>> 24;
  target[at + 59] = minimumQuantity >>> 16;
  target[at + 60] = minimumQuantity >>> 8;
  target[at + 61] = minimumQuantity;
  const orderState = msg.orderState;
  const orderStateCode =
    typeof orderState === "string" && orderState.length === 1
      ? orderState.charCodeAt(0)
      : 0;
  if (ORDER_STATE_SET.flags[orderStateCode] !== 1) {
    failCode(T, "orderState", orderState, ORDER_STATE_SET);
  }
  target[at + 62] = orderStateCode;
  const orderClassification = msg.orderClassification;
  const orderClassificationCode =
    typeof orderClassification === "string" && orderClassification.length === 1
      ? orderClassification.charCodeAt(0)
      : -1;
  if (orderClassificationCode < 0x20 || orderClassificationCode > 0x7e) {
    failChar(T, "orderClassification", orderClassification);
  }
  target[at + 63] = orderClassificationCode;
  const cashMarginType = msg.cashMarginType;
  const cashMarginTypeCode =
    typeof cashMarginType === "string" && cashMarginType.length === 1
      ? cashMarginType.charCodeAt(0)
      : -1;
  if (cashMarginTypeCode < 0x20 || cashMarginTypeCode > 0x7e) {
    failChar(T, "cashMarginType", cashMarginType);
  }
  target[at + 64] = cashMarginTypeCode;
  return ORDER_ACCEPTED_LENGTH;
}

/**
 * Reads an Order Accepted from `bytes`, which must hold exactly the message, type byte
 * first.
 *
 * Multi-byte Alpha fields lose their trailing spaces only; one-byte fields are kept as-is.
 * One-byte business fields (side, display, capacity, classification, cash margin type)
 * may be any printable ASCII: the exchange, not the codec, rejects bad values.
 *
 * @param bytes The 65 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (Orderbook ID layout).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 65 bytes long, does not start with `A`, an
 * Alpha byte is not printable ASCII, a code is not a member of its set, or the timestamp
 * is above `Number.MAX_SAFE_INTEGER`. The Order Number is read exactly, whatever its value.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeOrderAccepted, encodeOrderAccepted } from "./order_accepted.ts";
 * import type { OrderAccepted } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: OrderAccepted = {
 *   type: "orderAccepted", timestamp: 32_400_000_000_001, orderToken: 1,
 *   clientReference: "Lenny", buySellIndicator: "B", quantity: 100, orderbookId: "1",
 *   group: "DAY", price: 23000, timeInForce: 99999, firmId: 0, display: " ",
 *   capacity: "P", orderNumber: 202611280000000001n, minimumQuantity: 0, orderState: "L",
 *   orderClassification: "1", cashMarginType: "1",
 * };
 * const bytes = new Uint8Array(65);
 * encodeOrderAccepted(msg, bytes);
 * assert.deepEqual(decodeOrderAccepted(bytes), msg);
 * ```
 */
export function decodeOrderAccepted(
  bytes: Uint8Array,
  options: CodecOptions = {},
): OrderAccepted {
  const v111 = isVersion111(options);
  checkMessage(bytes, ORDER_ACCEPTED_LENGTH, ORDER_ACCEPTED_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const timestampHigh =
    ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>> 0;
  if (timestampHigh > MAX_SAFE_HIGH) failUint64Bytes(b, 1, T, "timestamp");
  const timestamp = timestampHigh * TWO_32 +
    (((b[5]! << 24) | (b[6]! << 16) | (b[7]! << 8) | b[8]!) >>> 0);
  const orderToken =
    ((b[9]! << 24) | (b[10]! << 16) | (b[11]! << 8) | b[12]!) >>> 0;
  const clientReference = readAlpha10(b, 13, T, "clientReference");
  const buySellIndicatorCode = b[23]!;
  if (buySellIndicatorCode < 0x20 || buySellIndicatorCode > 0x7e) {
    failAlphaByte(b, 23, T, "buySellIndicator");
  }
  const quantity =
    ((b[24]! << 24) | (b[25]! << 16) | (b[26]! << 8) | b[27]!) >>> 0;
  const orderbookId = readOrderbookId(b, 28, v111, T);
  const group = readAlpha4(b, 32, T, "group");
  const price = ((b[36]! << 24) | (b[37]! << 16) | (b[38]! << 8) | b[39]!) >>>
    0;
  const timeInForce =
    ((b[40]! << 24) | (b[41]! << 16) | (b[42]! << 8) | b[43]!) >>> 0;
  const firmId = ((b[44]! << 24) | (b[45]! << 16) | (b[46]! << 8) | b[47]!) >>>
    0;
  const displayCode = b[48]!;
  if (displayCode < 0x20 || displayCode > 0x7e) {
    failAlphaByte(b, 48, T, "display");
  }
  const capacityCode = b[49]!;
  if (capacityCode < 0x20 || capacityCode > 0x7e) {
    failAlphaByte(b, 49, T, "capacity");
  }
  const orderNumber = readUint64(b, 50);
  const minimumQuantity =
    ((b[58]! << 24) | (b[59]! << 16) | (b[60]! << 8) | b[61]!) >>> 0;
  const orderStateCode = b[62]!;
  if (ORDER_STATE_SET.flags[orderStateCode] !== 1) {
    failCodeByte(orderStateCode, 62, ORDER_STATE_SET, T, "orderState");
  }
  const orderClassificationCode = b[63]!;
  if (orderClassificationCode < 0x20 || orderClassificationCode > 0x7e) {
    failAlphaByte(b, 63, T, "orderClassification");
  }
  const cashMarginTypeCode = b[64]!;
  if (cashMarginTypeCode < 0x20 || cashMarginTypeCode > 0x7e) {
    failAlphaByte(b, 64, T, "cashMarginType");
  }
  return {
    type: "orderAccepted",
    timestamp,
    orderToken,
    clientReference,
    buySellIndicator: CHARS[buySellIndicatorCode]!,
    quantity,
    orderbookId,
    group,
    price,
    timeInForce,
    firmId,
    display: CHARS[displayCode]!,
    capacity: CHARS[capacityCode]!,
    orderNumber,
    minimumQuantity,
    orderState: CHARS[orderStateCode] as OrderState,
    orderClassification: CHARS[orderClassificationCode]!,
    cashMarginType: CHARS[cashMarginTypeCode]!,
  };
}
