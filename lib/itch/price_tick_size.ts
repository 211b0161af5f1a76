/**
 * Price Tick Size `L` (17 bytes, official §4.3): one band of a tick size table, sent before
 * the Orderbook Directory messages.
 *
 * @module
 */

import { readUint32 } from "../codec/_binary.ts";
import {
  checkMessage,
  checkRoom,
  isVersion16,
  putNanoseconds,
  putUint32Field,
  readNanoseconds,
} from "./_fields.ts";
import type { PriceTickSize } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Price Tick Size, type byte included. */
export const PRICE_TICK_SIZE_LENGTH = 17;
/** Type byte of Price Tick Size: `L`. */
export const PRICE_TICK_SIZE_TYPE = 0x4c;
/** Offset of each Price Tick Size field from the type byte. */
export const PRICE_TICK_SIZE_OFFSETS: Readonly<
  Record<Exclude<keyof PriceTickSize, "type"> | "messageType", number>
> = Object.freeze({
  messageType: 0,
  nanoseconds: 1,
  tickTableId: 5,
  tickSize: 9,
  priceStart: 13,
});

const T = "priceTickSize";

/**
 * Writes a Price Tick Size into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version (this message is the same in both).
 * @returns The number of bytes written: `PRICE_TICK_SIZE_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999 or another field is not a
 * uint32.
 * @throws {RangeError} If `target` has fewer than 17 bytes free at `at`, or the version is
 * unknown.
 *
 * @example Table 1 from 0: a tick of 1 yen (10 tenths)
 * ```ts
 * import { encodePriceTickSize } from "./price_tick_size.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(17);
 * encodePriceTickSize({
 *   type: "priceTickSize", nanoseconds: 0, tickTableId: 1, tickSize: 10, priceStart: 0,
 * }, target);
 * assert.equal(toHex(target), "4c" + "00000000" + "00000001" + "0000000a" + "00000000");
 * ```
 */
export function encodePriceTickSize(
  msg: PriceTickSize,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  isVersion16(options);
  checkRoom(target, at, PRICE_TICK_SIZE_LENGTH, T);
  target[at] = PRICE_TICK_SIZE_TYPE;
  putNanoseconds(target, at, msg.nanoseconds, T);
  putUint32Field(target, at + 5, msg.tickTableId, T, "tickTableId");
  putUint32Field(target, at + 9, msg.tickSize, T, "tickSize");
  putUint32Field(target, at + 13, msg.priceStart, T, "priceStart");
  return PRICE_TICK_SIZE_LENGTH;
}

/**
 * Reads a Price Tick Size from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 17 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version (this message is the same in both).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is not 17 bytes long, does not start with `L`, or the
 * nanoseconds are 10^9 or more.
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodePriceTickSize } from "./price_tick_size.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodePriceTickSize(fromHex("4c 00000000 00000003 00000005 00002710")), {
 *   type: "priceTickSize", nanoseconds: 0, tickTableId: 3, tickSize: 5, priceStart: 10_000,
 * });
 * ```
 */
export function decodePriceTickSize(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): PriceTickSize {
  isVersion16(options);
  checkMessage(bytes, PRICE_TICK_SIZE_LENGTH, PRICE_TICK_SIZE_TYPE, T);
  return {
    type: "priceTickSize",
    nanoseconds: readNanoseconds(bytes, T),
    tickTableId: readUint32(bytes, 5),
    tickSize: readUint32(bytes, 9),
    priceStart: readUint32(bytes, 13),
  };
}
