/**
 * Any ITCH message to and from bytes, dispatched by its `type` or its type byte.
 *
 * @module
 */

import { describeByte } from "../codec/_fail.ts";
import { failDecode, failEncode } from "./_fields.ts";
import { decodeEndOfSnapshot, encodeEndOfSnapshot } from "./end_of_snapshot.ts";
import {
  ITCH_MESSAGE_LENGTHS,
  ITCH_MESSAGE_TYPE_CODES,
  type ItchMessage,
} from "./messages.ts";
import type { ItchCodecOptions } from "./options.ts";
import { decodeOrderAdded, encodeOrderAdded } from "./order_added.ts";
import {
  decodeOrderAddedWithAttributes,
  encodeOrderAddedWithAttributes,
} from "./order_added_with_attributes.ts";
import { decodeOrderDeleted, encodeOrderDeleted } from "./order_deleted.ts";
import {
  decodeItchOrderExecuted,
  encodeItchOrderExecuted,
} from "./order_executed.ts";
import {
  decodeItchOrderReplaced,
  encodeItchOrderReplaced,
} from "./order_replaced.ts";
import {
  decodeOrderbookDirectory,
  encodeOrderbookDirectory,
} from "./orderbook_directory.ts";
import { decodePriceTickSize, encodePriceTickSize } from "./price_tick_size.ts";
import {
  decodeShortSellingState,
  encodeShortSellingState,
} from "./short_selling_state.ts";
import {
  decodeItchSystemEvent,
  encodeItchSystemEvent,
} from "./system_event.ts";
import {
  decodeTimestampSeconds,
  encodeTimestampSeconds,
} from "./timestamp_seconds.ts";
import { decodeTradingState, encodeTradingState } from "./trading_state.ts";

const MESSAGE_TYPES = Object.keys(ITCH_MESSAGE_LENGTHS);
const TYPE_BYTE_RULE = `one of ${
  Object.values(ITCH_MESSAGE_TYPE_CODES).map((code) => JSON.stringify(code))
    .join(", ")
}`;

/**
 * Writes any ITCH message into `target` at `at`, choosing the encoder by `msg.type`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The ITCH version (Orderbook Id layout).
 * @returns The number of bytes written: `ITCH_MESSAGE_LENGTHS[msg.type]`.
 * @throws {ItchEncodeError} If `msg.type` is not one of the twelve message types (field
 * `type`), or a field breaks its rule.
 * @throws {RangeError} If `target` has too few bytes free at `at`, or the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { encodeItchInto } from "./message.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(16);
 * const written = encodeItchInto(
 *   { type: "orderDeleted", nanoseconds: 0, orderNumber: 1n },
 *   target,
 *   2,
 * );
 * assert.equal(written, 13);
 * assert.equal(toHex(target.subarray(2, 15)), "44" + "00000000" + "0000000000000001");
 * ```
 */
export function encodeItchInto(
  msg: ItchMessage,
  target: Uint8Array,
  at = 0,
  options: ItchCodecOptions = {},
): number {
  switch (msg.type) {
    case "timestampSeconds":
      return encodeTimestampSeconds(msg, target, at, options);
    case "systemEvent":
      return encodeItchSystemEvent(msg, target, at, options);
    case "priceTickSize":
      return encodePriceTickSize(msg, target, at, options);
    case "orderbookDirectory":
      return encodeOrderbookDirectory(msg, target, at, options);
    case "tradingState":
      return encodeTradingState(msg, target, at, options);
    case "shortSellingState":
      return encodeShortSellingState(msg, target, at, options);
    case "orderAdded":
      return encodeOrderAdded(msg, target, at, options);
    case "orderAddedWithAttributes":
      return encodeOrderAddedWithAttributes(msg, target, at, options);
    case "orderExecuted":
      return encodeItchOrderExecuted(msg, target, at, options);
    case "orderDeleted":
      return encodeOrderDeleted(msg, target, at, options);
    case "orderReplaced":
      return encodeItchOrderReplaced(msg, target, at, options);
    case "endOfSnapshot":
      return encodeEndOfSnapshot(msg, target, at, options);
    default:
      return failMessageType(msg);
  }
}

function failMessageType(msg: unknown): never {
  const type = typeof msg === "object" && msg !== null
    ? (msg as { type?: unknown }).type
    : msg;
  failEncode(
    "itchMessage",
    "type",
    type,
    `one of ${MESSAGE_TYPES.map((name) => JSON.stringify(name)).join(", ")}`,
  );
}

/**
 * Encodes any ITCH message into fresh bytes.
 *
 * @param msg The message.
 * @param options The ITCH version (Orderbook Id layout).
 * @returns A new `Uint8Array` holding exactly the message.
 * @throws {ItchEncodeError} If `msg.type` is unknown or a field breaks its rule.
 * @throws {RangeError} If the version is unknown.
 *
 * @example The Orderbook Id in both versions
 * ```ts
 * import { encodeItch } from "./message.ts";
 * import type { TradingState } from "./messages.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const msg: TradingState = {
 *   type: "tradingState", nanoseconds: 0, orderbookId: "1", group: "DAY", tradingState: "T",
 * };
 * assert.equal(toHex(encodeItch(msg).subarray(5, 9)), "31202020");
 * assert.equal(toHex(encodeItch(msg, { version: "1.6" }).subarray(5, 9)), "00000001");
 * ```
 */
export function encodeItch(
  msg: ItchMessage,
  options: ItchCodecOptions = {},
): Uint8Array {
  const type = msg?.type;
  if (typeof type !== "string" || !Object.hasOwn(ITCH_MESSAGE_LENGTHS, type)) {
    failMessageType(msg);
  }
  const bytes = new Uint8Array(ITCH_MESSAGE_LENGTHS[type]);
  encodeItchInto(msg, bytes, 0, options);
  return bytes;
}

/**
 * Decodes one ITCH message (the payload of a SoupBinTCP Sequenced Data packet, a MoldUDP64
 * message block or a record of a SoupBin file).
 *
 * @param bytes Exactly one message, type byte first (a view is fine; nothing is copied).
 * @param options The ITCH version (Orderbook Id layout).
 * @returns The message.
 * @throws {ItchDecodeError} If `bytes` is empty, the type byte is unknown (offset 0, naming
 * the byte as a character and in hex), or the message is malformed.
 * @throws {RangeError} If the version is unknown.
 *
 * @example Usage
 * ```ts
 * import { decodeItch } from "./message.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeItch(fromHex("54 00007e90")), {
 *   type: "timestampSeconds",
 *   seconds: 32_400,
 * });
 * assert.throws(() => decodeItch(fromHex("50 00")), {
 *   name: "ItchDecodeError",
 *   message: /"P" \(0x50\)/,
 * });
 * ```
 */
export function decodeItch(
  bytes: Uint8Array,
  options: ItchCodecOptions = {},
): ItchMessage {
  switch (bytes[0]) {
    case 0x54:
      return decodeTimestampSeconds(bytes, options);
    case 0x41:
      return decodeOrderAdded(bytes, options);
    case 0x45:
      return decodeItchOrderExecuted(bytes, options);
    case 0x44:
      return decodeOrderDeleted(bytes, options);
    case 0x55:
      return decodeItchOrderReplaced(bytes, options);
    case 0x53:
      return decodeItchSystemEvent(bytes, options);
    case 0x48:
      return decodeTradingState(bytes, options);
    case 0x59:
      return decodeShortSellingState(bytes, options);
    case 0x4c:
      return decodePriceTickSize(bytes, options);
    case 0x52:
      return decodeOrderbookDirectory(bytes, options);
    case 0x46:
      return decodeOrderAddedWithAttributes(bytes, options);
    case 0x47:
      return decodeEndOfSnapshot(bytes, options);
    default:
      return failTypeByte(bytes);
  }
}

function failTypeByte(bytes: Uint8Array): never {
  if (bytes.length === 0) {
    failDecode(
      "Cannot decode ITCH message as it must start with a type byte: current length is 0",
      0,
      "itchMessage",
      "messageType",
    );
  }
  failDecode(
    `Cannot decode ITCH message as its type byte must be ${TYPE_BYTE_RULE}: current byte is ${
      describeByte(bytes[0]!)
    }`,
    0,
    "itchMessage",
    "messageType",
  );
}
