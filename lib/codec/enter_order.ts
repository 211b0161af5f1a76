/**
 * Enter Order `O` (48 bytes, spec §3.1): inbound, sent by a client inside Unsequenced Data.
 *
 * @module
 */

import {
  CHARS,
  failAlpha,
  failAlphaByte,
  failChar,
  putAlpha,
  putAlpha4,
  readAlpha10,
  readAlpha4,
} from "./_ascii.ts";
import { failUint32 } from "./_binary.ts";
import { checkMessage, checkRoom } from "./_fail.ts";
import { readOrderbookId, writeOrderbookId } from "./_orderbook_id.ts";
import { isVersion111 } from "./_version.ts";
import type { EnterOrder } from "./messages.ts";
import type { CodecOptions } from "./options.ts";

/** Total length of Enter Order, type byte included. */
export const ENTER_ORDER_LENGTH = 48;
/** Type byte of Enter Order: `O`. */
export const ENTER_ORDER_TYPE = 0x4f;
/** Offset of each Enter Order field from the type byte (spec §3.1). */
export const ENTER_ORDER_OFFSETS: Readonly<
  Record<Exclude<keyof EnterOrder, "type"> | "messageType", number>
> = Object.freeze(
  {
    messageType: 0,
    orderToken: 1,
    clientReference: 5,
    buySellIndicator: 15,
    quantity: 16,
    orderbookId: 20,
    group: 24,
    price: 28,
    timeInForce: 32,
    firmId: 36,
    display: 40,
    capacity: 41,
    minimumQuantity: 42,
    orderClassification: 46,
    cashMarginType: 47,
  },
);

const T = "enterOrder";

/**
 * Writes an Enter Order into `target` at `at`.
 *
 * Fields are checked against the wire format only: a price of 0 or a quantity above
 * `MAX_QUANTITY` is written, so that the exchange can reject it.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (Orderbook ID layout).
 * @returns The number of bytes written: `ENTER_ORDER_LENGTH`.
 * @throws {OuchEncodeError} If a field breaks its rule: uint32 range, printable ASCII and
 * Alpha width, one-character fields, or under v1.11, a canonical decimal Orderbook ID.
 * @throws {RangeError} If `target` has fewer than 48 bytes free at `at`, or `options.version`
 * is unknown.
 *
 * @example Spec §9's worked example
 * ```ts
 * import { encodeEnterOrder } from "./enter_order.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(48);
 * const written = encodeEnterOrder({
 *   type: "enterOrder", orderToken: 1, clientReference: "Lenny", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0,
 *   orderClassification: "1", cashMarginType: "1",
 * }, target);
 * assert.equal(written, 48);
 * assert.equal(
 *   toHex(target),
 *   "4f000000014c656e6e79202020202042000000643120202044415920000059d8" +
 *   "0001869f000000002050000000003131",
 * );
 * ```
 */
export function encodeEnterOrder(
  msg: EnterOrder,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  const v111 = isVersion111(options);
  checkRoom(target, at, ENTER_ORDER_LENGTH, T);
  // Fields in offset order, each checked then written in place (see _binary.ts for why).
  target[at] = ENTER_ORDER_TYPE;
  const orderToken = msg.orderToken;
  if ((orderToken >>> 0) !== orderToken) {
    failUint32(T, "orderToken", orderToken);
  }
  target[at + 1] = orderToken >>> 24;
  target[at + 2] = orderToken >>> 16;
  target[at + 3] = orderToken >>> 8;
  target[at + 4] = orderToken;
  const clientReference = msg.clientReference;
  if (!putAlpha(target, at + 5, 10, clientReference)) {
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
  target[at + 15] = buySellIndicatorCode;
  const quantity = msg.quantity;
  if ((quantity >>> 0) !== quantity) failUint32(T, "quantity", quantity);
  target[at + 16] = quantity >>> 24;
  target[at + 17] = quantity >>> 16;
  target[at + 18] = quantity >>> 8;
  target[at + 19] = quantity;
  writeOrderbookId(target, at + 20, msg.orderbookId, v111, T);
  const group = msg.group;
  if (!putAlpha4(target, at + 24, group)) failAlpha(T, "group", group, 4);
  const price = msg.price;
  if ((price >>> 0) !== price) failUint32(T, "price", price);
  target[at + 28] = price >>> 24;
  target[at + 29] = price >>> 16;
  target[at + 30] = price >>> 8;
  target[at + 31] = price;
  const timeInForce = msg.timeInForce;
  if ((timeInForce >>> 0) !== timeInForce) {
    failUint32(T, "timeInForce", timeInForce);
  }
  target[at + 32] = timeInForce >>> 24;
  target[at + 33] = timeInForce >>> 16;
  target[at + 34] = timeInForce >>> 8;
  target[at + 35] = timeInForce;
  const firmId = msg.firmId;
  if ((firmId >>> 0) !== firmId) failUint32(T, "firmId", firmId);
  target[at + 36] = firmId >>> 24;
  target[at + 37] = firmId >>> 16;
  target[at + 38] = firmId >>> 8;
  target[at + 39] = firmId;
  const display = msg.display;
  const displayCode = typeof display === "string" && display.length === 1
    ? display.charCodeAt(0)
    : -1;
  if (displayCode < 0x20 || displayCode > 0x7e) failChar(T, "display", display);
  target[at + 40] = displayCode;
  const capacity = msg.capacity;
  const capacityCode = typeof capacity === "string" && capacity.length === 1
    ? capacity.charCodeAt(0)
    : -1;
  if (capacityCode < 0x20 || capacityCode > 0x7e) {
    failChar(T, "capacity", capacity);
  }
  target[at + 41] = capacityCode;
  const minimumQuantity = msg.minimumQuantity;
  if ((minimumQuantity >>> 0) !== minimumQuantity) {
    failUint32(T, "minimumQuantity", minimumQuantity);
  }
  target[at + 42] = minimumQuantity >>> 24;
  target[at + 43] = minimumQuantity >>> 16;
  target[at + 44] = minimumQuantity >>> 8;
  target[at + 45] = minimumQuantity;
  const orderClassification = msg.orderClassification;
  const orderClassificationCode =
    typeof orderClassification === "string" && orderClassification.length === 1
      ? orderClassification.charCodeAt(0)
      : -1;
  if (orderClassificationCode < 0x20 || orderClassificationCode > 0x7e) {
    failChar(T, "orderClassification", orderClassification);
  }
  target[at + 46] = orderClassificationCode;
  const cashMarginType = msg.cashMarginType;
  const cashMarginTypeCode =
    typeof cashMarginType === "string" && cashMarginType.length === 1
      ? cashMarginType.charCodeAt(0)
      : -1;
  if (cashMarginTypeCode < 0x20 || cashMarginTypeCode > 0x7e) {
    failChar(T, "cashMarginType", cashMarginType);
  }
  target[at + 47] = cashMarginTypeCode;
  return ENTER_ORDER_LENGTH;
}

/**
 * Reads an Enter Order from `bytes`, which must hold exactly the message, type byte first.
 *
 * Multi-byte Alpha fields lose their trailing spaces only; one-byte fields are kept as-is.
 * One-byte business fields (side, display, capacity, classification, cash margin type)
 * may be any printable ASCII: the exchange, not the codec, rejects bad values.
 *
 * @param bytes The 48 bytes of the message (a view is fine; nothing is copied).
 * @param options The protocol version (Orderbook ID layout).
 * @returns The message.
 * @throws {OuchDecodeError} If `bytes` is not 48 bytes long, does not start with `O`, or an
 * Alpha byte is not printable ASCII.
 * @throws {RangeError} If `options.version` is unknown.
 *
 * @example Round trip
 * ```ts
 * import { decodeEnterOrder, encodeEnterOrder } from "./enter_order.ts";
 * import type { EnterOrder } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: EnterOrder = {
 *   type: "enterOrder", orderToken: 1, clientReference: "Lenny", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0,
 *   orderClassification: "1", cashMarginType: "1",
 * };
 * const bytes = new Uint8Array(48);
 * encodeEnterOrder(msg, bytes);
 * assert.deepEqual(decodeEnterOrder(bytes), msg);
 * ```
 */
export function decodeEnterOrder(
  bytes: Uint8Array,
  options: CodecOptions = {},
): EnterOrder {
  const v111 = isVersion111(options);
  checkMessage(bytes, ENTER_ORDER_LENGTH, ENTER_ORDER_TYPE, T);
  // Fields in offset order, so the first bad field is the one reported.
  const b = bytes;
  const orderToken = ((b[1]! << 24) | (b[2]! << 16) | (b[3]! << 8) | b[4]!) >>>
    0;
  const clientReference = readAlpha10(b, 5, T, "clientReference");
  const buySellIndicatorCode = b[15]!;
  if (buySellIndicatorCode < 0x20 || buySellIndicatorCode > 0x7e) {
    failAlphaByte(b, 15, T, "buySellIndicator");
  }
  const quantity =
    ((b[16]! << 24) | (b[17]! << 16) | (b[18]! << 8) | b[19]!) >>> 0;
  const orderbookId = readOrderbookId(b, 20, v111, T);
  const group = readAlpha4(b, 24, T, "group");
  const price = ((b[28]! << 24) | (b[29]! << 16) | (b[30]! << 8) | b[31]!) >>>
    0;
  const timeInForce =
    ((b[32]! << 24) | (b[33]! << 16) | (b[34]! << 8) | b[35]!) >>> 0;
  const firmId = ((b[36]! << 24) | (b[37]! << 16) | (b[38]! << 8) | b[39]!) >>>
    0;
  const displayCode = b[40]!;
  if (displayCode < 0x20 || displayCode > 0x7e) {
    failAlphaByte(b, 40, T, "display");
  }
  const capacityCode = b[41]!;
  if (capacityCode < 0x20 || capacityCode > 0x7e) {
    failAlphaByte(b, 41, T, "capacity");
  }
  const minimumQuantity =
    ((b[42]! << 24) | (b[43]! << 16) | (b[44]! << 8) | b[45]!) >>> 0;
  const orderClassificationCode = b[46]!;
  if (orderClassificationCode < 0x20 || orderClassificationCode > 0x7e) {
    failAlphaByte(b, 46, T, "orderClassification");
  }
  const cashMarginTypeCode = b[47]!;
  if (cashMarginTypeCode < 0x20 || cashMarginTypeCode > 0x7e) {
    failAlphaByte(b, 47, T, "cashMarginType");
  }
  return {
    type: "enterOrder",
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
    minimumQuantity,
    orderClassification: CHARS[orderClassificationCode]!,
    cashMarginType: CHARS[cashMarginTypeCode]!,
  };
}
