/**
 * Orderbook Directory `R` (45 bytes, official §4.4): one orderbook's reference data, sent at
 * the start of each trading day after the Price Tick Size messages.
 *
 * @module
 */

import { readUint32 } from "../codec/_binary.ts";
import {
  checkMessage,
  checkRoom,
  isVersion16,
  putAlphaField,
  putNanoseconds,
  putOrderbookId,
  putUint32Field,
  readAlphaField,
  readNanoseconds,
  readOrderbookId,
} from "./_fields.ts";
import type { OrderbookDirectory } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Orderbook Directory, type byte included. */
export const ORDERBOOK_DIRECTORY_LENGTH = 45;
/** Type byte of Orderbook Directory: `R`. */
export const ORDERBOOK_DIRECTORY_TYPE = 0x52;
/** Offset of each Orderbook Directory field from the type byte. */
export const ORDERBOOK_DIRECTORY_OFFSETS: Readonly<
  Record<Exclude<keyof OrderbookDirectory, "type"> | "messageType", number>
> = Object.freeze({
  messageType: 0,
  nanoseconds: 1,
  orderbookId: 5,
  isin: 9,
  group: 21,
  roundLotSize: 25,
  tickTableId: 29,
  priceDecimals: 33,
  upperPriceLimit: 37,
  lowerPriceLimit: 41,
});

const T = "orderbookDirectory";

/**
 * Writes an Orderbook Directory into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The number of bytes written: `ORDERBOOK_DIRECTORY_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999, the Orderbook Id is not
 * valid in the version, `isin` or `group` is too long or not printable ASCII, or a number
 * is not a uint32.
 * @throws {RangeError} If `target` has fewer than 45 bytes free at `at`, or the version is
 * unknown.
 *
 * @example Toyota in v1.7
 * ```ts
 * import { encodeOrderbookDirectory } from "./orderbook_directory.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(45);
 * encodeOrderbookDirectory({
 *   type: "orderbookDirectory", nanoseconds: 0, orderbookId: "7203", isin: "JP3633400001",
 *   group: "DAY", roundLotSize: 100, tickTableId: 3, priceDecimals: 1,
 *   upperPriceLimit: 33_000, lowerPriceLimit: 23_000,
 * }, target);
 * assert.equal(
 *   toHex(target),
 *   "52" + "00000000" + "37323033" + "4a5033363333343030303031" + "44415920" + "00000064" +
 *     "00000003" + "00000001" + "000080e8" + "000059d8",
 * );
 * ```
 */
export function encodeOrderbookDirectory(
  msg: OrderbookDirectory,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  const v16 = isVersion16(options);
  checkRoom(target, at, ORDERBOOK_DIRECTORY_LENGTH, T);
  target[at] = ORDERBOOK_DIRECTORY_TYPE;
  putNanoseconds(target, at, msg.nanoseconds, T);
  putOrderbookId(target, at + 5, msg.orderbookId, v16, T);
  putAlphaField(target, at + 9, 12, msg.isin, T, "isin");
  putAlphaField(target, at + 21, 4, msg.group, T, "group");
  putUint32Field(target, at + 25, msg.roundLotSize, T, "roundLotSize");
  putUint32Field(target, at + 29, msg.tickTableId, T, "tickTableId");
  putUint32Field(target, at + 33, msg.priceDecimals, T, "priceDecimals");
  putUint32Field(target, at + 37, msg.upperPriceLimit, T, "upperPriceLimit");
  putUint32Field(target, at + 41, msg.lowerPriceLimit, T, "lowerPriceLimit");
  return ORDERBOOK_DIRECTORY_LENGTH;
}

/**
 * Reads an Orderbook Directory from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 45 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is not 45 bytes long, does not start with `R`, or a
 * field is not valid (nanoseconds 10^9 or more, an Alpha byte that is not printable ASCII).
 * @throws {RangeError} If the version is unknown.
 *
 * @example The same orderbook in v1.6
 * ```ts
 * import { decodeOrderbookDirectory } from "./orderbook_directory.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = fromHex(
 *   "52 00000000 00001c23 4a5033363333343030303031 44415920 00000064 00000003 00000001" +
 *     " 000080e8 000059d8",
 * );
 * assert.deepEqual(decodeOrderbookDirectory(bytes, { version: "1.6" }), {
 *   type: "orderbookDirectory", nanoseconds: 0, orderbookId: "7203", isin: "JP3633400001",
 *   group: "DAY", roundLotSize: 100, tickTableId: 3, priceDecimals: 1,
 *   upperPriceLimit: 33_000, lowerPriceLimit: 23_000,
 * });
 * ```
 */
export function decodeOrderbookDirectory(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): OrderbookDirectory {
  const v16 = isVersion16(options);
  checkMessage(bytes, ORDERBOOK_DIRECTORY_LENGTH, ORDERBOOK_DIRECTORY_TYPE, T);
  return {
    type: "orderbookDirectory",
    nanoseconds: readNanoseconds(bytes, T),
    orderbookId: readOrderbookId(bytes, 5, v16, T),
    isin: readAlphaField(bytes, 9, 12, T, "isin"),
    group: readAlphaField(bytes, 21, 4, T, "group"),
    roundLotSize: readUint32(bytes, 25),
    tickTableId: readUint32(bytes, 29),
    priceDecimals: readUint32(bytes, 33),
    upperPriceLimit: readUint32(bytes, 37),
    lowerPriceLimit: readUint32(bytes, 41),
  };
}
