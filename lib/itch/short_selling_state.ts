/**
 * Short Selling Price Restriction State `Y` (14 bytes, official §4.6): the short-sell price
 * restriction of an orderbook is off (`0`) or in effect (`1`). Before the start of system
 * hours a spin sends it for every orderbook with the restriction in effect; an orderbook
 * absent from the spin has none.
 *
 * @module
 */

import { SHORT_SELLING_SET } from "./_codes.ts";
import {
  checkMessage,
  checkRoom,
  isVersion16,
  putAlphaField,
  putCodeField,
  putNanoseconds,
  putOrderbookId,
  readAlphaField,
  readCodeField,
  readNanoseconds,
  readOrderbookId,
} from "./_fields.ts";
import type { ShortSellingState, ShortSellingStateCode } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Short Selling Price Restriction State, type byte included. */
export const SHORT_SELLING_STATE_LENGTH = 14;
/** Type byte of Short Selling Price Restriction State: `Y`. */
export const SHORT_SELLING_STATE_TYPE = 0x59;
/** Offset of each Short Selling Price Restriction State field from the type byte. */
export const SHORT_SELLING_STATE_OFFSETS: Readonly<
  Record<Exclude<keyof ShortSellingState, "type"> | "messageType", number>
> = Object.freeze({
  messageType: 0,
  nanoseconds: 1,
  orderbookId: 5,
  group: 9,
  shortSellingState: 13,
});

const T = "shortSellingState";

/**
 * Writes a Short Selling Price Restriction State into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The number of bytes written: `SHORT_SELLING_STATE_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999, the Orderbook Id is not
 * valid in the version, `group` is not printable ASCII of at most 4 characters, or
 * `shortSellingState` is neither `0` nor `1`.
 * @throws {RangeError} If `target` has fewer than 14 bytes free at `at`, or the version is
 * unknown.
 *
 * @example The restriction comes into effect, v1.6
 * ```ts
 * import { encodeShortSellingState } from "./short_selling_state.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(14);
 * encodeShortSellingState({
 *   type: "shortSellingState", nanoseconds: 2, orderbookId: "7203", group: "DAY",
 *   shortSellingState: "1",
 * }, target, 0, { version: "1.6" });
 * assert.equal(toHex(target), "59" + "00000002" + "00001c23" + "44415920" + "31");
 * ```
 */
export function encodeShortSellingState(
  msg: ShortSellingState,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  const v16 = isVersion16(options);
  checkRoom(target, at, SHORT_SELLING_STATE_LENGTH, T);
  target[at] = SHORT_SELLING_STATE_TYPE;
  putNanoseconds(target, at, msg.nanoseconds, T);
  putOrderbookId(target, at + 5, msg.orderbookId, v16, T);
  putAlphaField(target, at + 9, 4, msg.group, T, "group");
  putCodeField(
    target,
    at + 13,
    msg.shortSellingState,
    SHORT_SELLING_SET,
    T,
    "shortSellingState",
  );
  return SHORT_SELLING_STATE_LENGTH;
}

/**
 * Reads a Short Selling Price Restriction State from `bytes`, which must hold exactly the
 * message.
 *
 * @param bytes The 14 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is not 14 bytes long, does not start with `Y`, or a
 * field is not valid (nanoseconds 10^9 or more, an Alpha byte that is not printable ASCII, a
 * state other than `0` or `1`).
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeShortSellingState } from "./short_selling_state.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeShortSellingState(fromHex("59 00000002 37323033 44415920 30")), {
 *   type: "shortSellingState", nanoseconds: 2, orderbookId: "7203", group: "DAY",
 *   shortSellingState: "0",
 * });
 * ```
 */
export function decodeShortSellingState(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): ShortSellingState {
  const v16 = isVersion16(options);
  checkMessage(bytes, SHORT_SELLING_STATE_LENGTH, SHORT_SELLING_STATE_TYPE, T);
  return {
    type: "shortSellingState",
    nanoseconds: readNanoseconds(bytes, T),
    orderbookId: readOrderbookId(bytes, 5, v16, T),
    group: readAlphaField(bytes, 9, 4, T, "group"),
    shortSellingState: readCodeField(
      bytes,
      13,
      SHORT_SELLING_SET,
      T,
      "shortSellingState",
    ) as ShortSellingStateCode,
  };
}
