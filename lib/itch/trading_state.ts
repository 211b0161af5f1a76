/**
 * Trading State `H` (14 bytes, official §4.5): an orderbook trades (`T`) or is suspended
 * (`V`). Before the start of system hours a spin sends it for every orderbook that trades;
 * an orderbook absent from the spin is suspended.
 *
 * @module
 */

import { TRADING_STATE_SET } from "./_codes.ts";
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
import type { TradingState, TradingStateCode } from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";

/** Total length of Trading State, type byte included. */
export const TRADING_STATE_LENGTH = 14;
/** Type byte of Trading State: `H`. */
export const TRADING_STATE_TYPE = 0x48;
/** Offset of each Trading State field from the type byte. */
export const TRADING_STATE_OFFSETS: Readonly<
  Record<Exclude<keyof TradingState, "type"> | "messageType", number>
> = Object.freeze({
  messageType: 0,
  nanoseconds: 1,
  orderbookId: 5,
  group: 9,
  tradingState: 13,
});

const T = "tradingState";

/**
 * Writes a Trading State into `target` at `at`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The number of bytes written: `TRADING_STATE_LENGTH`.
 * @throws {ItchEncodeError} If `nanoseconds` is not 0..999999999, the Orderbook Id is not
 * valid in the version, `group` is not printable ASCII of at most 4 characters, or
 * `tradingState` is neither `T` nor `V`.
 * @throws {RangeError} If `target` has fewer than 14 bytes free at `at`, or the version is
 * unknown.
 *
 * @example A halt
 * ```ts
 * import { encodeTradingState } from "./trading_state.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(14);
 * encodeTradingState({
 *   type: "tradingState", nanoseconds: 1, orderbookId: "7203", group: "DAY", tradingState: "V",
 * }, target);
 * assert.equal(toHex(target), "48" + "00000001" + "37323033" + "44415920" + "56");
 * ```
 */
export function encodeTradingState(
  msg: TradingState,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  const v16 = isVersion16(options);
  checkRoom(target, at, TRADING_STATE_LENGTH, T);
  target[at] = TRADING_STATE_TYPE;
  putNanoseconds(target, at, msg.nanoseconds, T);
  putOrderbookId(target, at + 5, msg.orderbookId, v16, T);
  putAlphaField(target, at + 9, 4, msg.group, T, "group");
  putCodeField(
    target,
    at + 13,
    msg.tradingState,
    TRADING_STATE_SET,
    T,
    "tradingState",
  );
  return TRADING_STATE_LENGTH;
}

/**
 * Reads a Trading State from `bytes`, which must hold exactly the message.
 *
 * @param bytes The 14 bytes of the message (a view is fine; nothing is copied).
 * @param options The ITCH version: Orderbook Id as Alpha (1.7) or a uint32 (1.6).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is not 14 bytes long, does not start with `H`, or a
 * field is not valid (nanoseconds 10^9 or more, an Alpha byte that is not printable ASCII, a
 * state other than `T` or `V`).
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeTradingState } from "./trading_state.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeTradingState(fromHex("48 00000001 37323033 44415920 54")), {
 *   type: "tradingState", nanoseconds: 1, orderbookId: "7203", group: "DAY", tradingState: "T",
 * });
 * ```
 */
export function decodeTradingState(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): TradingState {
  const v16 = isVersion16(options);
  checkMessage(bytes, TRADING_STATE_LENGTH, TRADING_STATE_TYPE, T);
  return {
    type: "tradingState",
    nanoseconds: readNanoseconds(bytes, T),
    orderbookId: readOrderbookId(bytes, 5, v16, T),
    group: readAlphaField(bytes, 9, 4, T, "group"),
    tradingState: readCodeField(
      bytes,
      13,
      TRADING_STATE_SET,
      T,
      "tradingState",
    ) as TradingStateCode,
  };
}
