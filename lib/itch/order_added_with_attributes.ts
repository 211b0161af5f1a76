/**
 * Order Added with Attributes `F` (35 bytes, official §4.7.2): as Order Added, for an order
 * with market-specific attributes (a DLP order, Order Type `Q`). Decoded; the simulator
 * never sends it (M5).
 *
 * @module
 */

import { ADDED_OFFSETS, putAddedFields, readAddedFields } from "./_added.ts";
import { ORDER_TYPE_SET } from "./_codes.ts";
import {
  checkMessage,
  checkRoom,
  isVersion16,
  putAlphaField,
  putCodeField,
  readAlphaField,
  readCodeField,
} from "./_fields.ts";
import type { ItchOrderType, OrderAddedWithAttributes } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Order Added with Attributes, type byte included. */
export const ORDER_ADDED_WITH_ATTRIBUTES_LENGTH = 35;
/** Type byte of Order Added with Attributes: `F`. */
export const ORDER_ADDED_WITH_ATTRIBUTES_TYPE = 0x46;
/** Offset of each Order Added with Attributes field from the type byte. */
export const ORDER_ADDED_WITH_ATTRIBUTES_OFFSETS: Readonly<
  Record<
    Exclude<keyof OrderAddedWithAttributes, "type"> | "messageType",
    number
  >
> = Object.freeze({ ...ADDED_OFFSETS, attribution: 30, orderType: 34 });

const T = "orderAddedWithAttributes";

/**
 * Writes an Order Added with Attributes into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The number of bytes written: `ORDER_ADDED_WITH_ATTRIBUTES_LENGTH`.
 * @throws {ItchEncodeError} As Order Added, or if `attribution` is not printable ASCII of at
 * most 4 characters or `orderType` is not `Q`.
 * @throws {RangeError} If `target` has fewer than 35 bytes free at `at`, or the version is
 * unknown.
 *
 * @example A DLP sell
 * ```ts
 * import { encodeOrderAddedWithAttributes } from "./order_added_with_attributes.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(35);
 * encodeOrderAddedWithAttributes({
 *   type: "orderAddedWithAttributes", nanoseconds: 0, orderNumber: 202611280000000002n,
 *   side: "S", quantity: 100, orderbookId: "7203", group: "DAY", price: 23_000,
 *   attribution: "", orderType: "Q",
 * }, target);
 * assert.equal(toHex(target.subarray(0, 14)), "46" + "00000000" + "02cfd1e2bbe32002" + "53");
 * assert.equal(toHex(target.subarray(30)), "20202020" + "51");
 * ```
 */
export function encodeOrderAddedWithAttributes(
  msg: OrderAddedWithAttributes,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  const v16 = isVersion16(options);
  checkRoom(target, at, ORDER_ADDED_WITH_ATTRIBUTES_LENGTH, T);
  target[at] = ORDER_ADDED_WITH_ATTRIBUTES_TYPE;
  putAddedFields(msg, target, at, v16, T);
  putAlphaField(target, at + 30, 4, msg.attribution, T, "attribution");
  putCodeField(target, at + 34, msg.orderType, ORDER_TYPE_SET, T, "orderType");
  return ORDER_ADDED_WITH_ATTRIBUTES_LENGTH;
}

/**
 * Reads an Order Added with Attributes from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 35 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is not 35 bytes long, does not start with `F`, or a
 * field is not valid (as Order Added, an attribution byte that is not printable ASCII, an
 * order type other than `Q`).
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeOrderAddedWithAttributes } from "./order_added_with_attributes.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = fromHex(
 *   "46 00000000 02cfd1e2bbe32002 53 00000064 37323033 44415920 000059d8 20202020 51",
 * );
 * assert.equal(decodeOrderAddedWithAttributes(bytes).orderType, "Q");
 * assert.equal(decodeOrderAddedWithAttributes(bytes).attribution, "");
 * ```
 */
export function decodeOrderAddedWithAttributes(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): OrderAddedWithAttributes {
  const v16 = isVersion16(options);
  checkMessage(
    bytes,
    ORDER_ADDED_WITH_ATTRIBUTES_LENGTH,
    ORDER_ADDED_WITH_ATTRIBUTES_TYPE,
    T,
  );
  return {
    type: "orderAddedWithAttributes",
    ...readAddedFields(bytes, v16, T),
    attribution: readAlphaField(bytes, 30, 4, T, "attribution"),
    orderType: readCodeField(
      bytes,
      34,
      ORDER_TYPE_SET,
      T,
      "orderType",
    ) as ItchOrderType,
  };
}
