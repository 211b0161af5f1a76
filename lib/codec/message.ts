/**
 * Any OUCH message to and from bytes, dispatched by its `type` or its type byte.
 *
 * @module
 */

import { describeByte, failDecode, failEncode } from "./_fail.ts";
import { decodeCancelOrder, encodeCancelOrder } from "./cancel_order.ts";
import { decodeEnterOrder, encodeEnterOrder } from "./enter_order.ts";
import {
  type InboundMessage,
  MESSAGE_LENGTHS,
  type OuchMessage,
  type OutboundMessage,
} from "./messages.ts";
import type { CodecOptions } from "./options.ts";
import {
  decodeOrderAiqCanceled,
  encodeOrderAiqCanceled,
} from "./order_aiq_canceled.ts";
import { decodeOrderAccepted, encodeOrderAccepted } from "./order_accepted.ts";
import { decodeOrderCanceled, encodeOrderCanceled } from "./order_canceled.ts";
import { decodeOrderExecuted, encodeOrderExecuted } from "./order_executed.ts";
import { decodeOrderRejected, encodeOrderRejected } from "./order_rejected.ts";
import { decodeOrderReplaced, encodeOrderReplaced } from "./order_replaced.ts";
import { decodeReplaceOrder, encodeReplaceOrder } from "./replace_order.ts";
import { decodeSystemEvent, encodeSystemEvent } from "./system_event.ts";

const MESSAGE_TYPES = Object.keys(MESSAGE_LENGTHS);
const INBOUND_RULE = 'one of "O", "U", "X"';
const OUTBOUND_RULE = 'one of "S", "A", "U", "C", "D", "E", "J"';

/**
 * Writes any OUCH message into `target` at `at`, choosing the encoder by `msg.type`.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg The message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the type byte.
 * @param options The protocol version (Orderbook ID layout).
 * @returns The number of bytes written: `MESSAGE_LENGTHS[msg.type]`.
 * @throws {OuchEncodeError} If `msg.type` is not one of the ten message types (field
 * `type`), or a field breaks its rule.
 * @throws {RangeError} If `target` has too few bytes free at `at`.
 *
 * @example Usage
 * ```ts
 * import { encodeMessageInto } from "./message.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(16);
 * const written = encodeMessageInto({ type: "cancelOrder", orderToken: 2, quantity: 0 }, target, 4);
 * assert.equal(written, 9);
 * assert.equal(toHex(target.subarray(4, 13)), "580000000200000000");
 * ```
 */
export function encodeMessageInto(
  msg: OuchMessage,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  switch (msg.type) {
    case "enterOrder":
      return encodeEnterOrder(msg, target, at, options);
    case "replaceOrder":
      return encodeReplaceOrder(msg, target, at, options);
    case "cancelOrder":
      return encodeCancelOrder(msg, target, at, options);
    case "systemEvent":
      return encodeSystemEvent(msg, target, at, options);
    case "orderAccepted":
      return encodeOrderAccepted(msg, target, at, options);
    case "orderReplaced":
      return encodeOrderReplaced(msg, target, at, options);
    case "orderCanceled":
      return encodeOrderCanceled(msg, target, at, options);
    case "orderAiqCanceled":
      return encodeOrderAiqCanceled(msg, target, at, options);
    case "orderExecuted":
      return encodeOrderExecuted(msg, target, at, options);
    case "orderRejected":
      return encodeOrderRejected(msg, target, at, options);
    default:
      return failMessageType(msg);
  }
}

function failMessageType(msg: unknown): never {
  const type = typeof msg === "object" && msg !== null
    ? (msg as { type?: unknown }).type
    : msg;
  failEncode(
    "message",
    "type",
    type,
    `one of ${MESSAGE_TYPES.map((name) => JSON.stringify(name)).join(", ")}`,
  );
}

/**
 * Encodes any OUCH message into fresh bytes.
 *
 * @param msg The message.
 * @param options The protocol version (Orderbook ID layout).
 * @returns A new `Uint8Array` holding exactly the message.
 * @throws {OuchEncodeError} If `msg.type` is unknown or a field breaks its rule.
 *
 * @example Spec §9's worked example, in both versions
 * ```ts
 * import { encodeMessage } from "./message.ts";
 * import type { EnterOrder } from "./messages.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const order: EnterOrder = {
 *   type: "enterOrder", orderToken: 1, clientReference: "Lenny", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0,
 *   orderClassification: "1", cashMarginType: "1",
 * };
 * assert.equal(toHex(encodeMessage(order).subarray(20, 24)), "31202020");
 * assert.equal(toHex(encodeMessage(order, { version: "1.11" }).subarray(20, 24)), "00000001");
 * ```
 */
export function encodeMessage(
  msg: OuchMessage,
  options: CodecOptions = {},
): Uint8Array {
  const type = msg.type;
  if (!Object.hasOwn(MESSAGE_LENGTHS, type)) failMessageType(msg);
  const bytes = new Uint8Array(MESSAGE_LENGTHS[type]);
  encodeMessageInto(msg, bytes, 0, options);
  return bytes;
}

function failTypeByte(
  bytes: Uint8Array,
  direction: "inbound" | "outbound",
): never {
  const messageType = `${direction}Message`;
  if (bytes.length === 0) {
    failDecode(
      `Cannot decode ${direction} message as it must start with a type byte: current length is 0`,
      0,
      messageType,
      "messageType",
    );
  }
  const byte = bytes[0]!;
  const other = direction === "inbound"
    ? OUTBOUND_BYTES.includes(byte) ? ", an outbound message type" : ""
    : INBOUND_BYTES.includes(byte)
    ? ", an inbound message type"
    : "";
  failDecode(
    `Cannot decode ${direction} message as its type byte must be ${
      direction === "inbound" ? INBOUND_RULE : OUTBOUND_RULE
    }: current byte is ${describeByte(byte)}${other}`,
    0,
    messageType,
    "messageType",
  );
}

const INBOUND_BYTES = [0x4f, 0x55, 0x58];
const OUTBOUND_BYTES = [0x53, 0x41, 0x55, 0x43, 0x44, 0x45, 0x4a];

/**
 * Decodes a message a client sends (the payload of an Unsequenced Data packet): Enter
 * Order `O`, Replace Order `U` (26 bytes) or Cancel Order `X`.
 *
 * @param bytes Exactly one message, type byte first (a view is fine; nothing is copied).
 * @param options The protocol version (Orderbook ID layout).
 * @returns The message.
 * @throws {OuchDecodeError} If the type byte is not `O`, `U` or `X` (offset 0, naming the
 * byte as a character and in hex), or the message is malformed.
 *
 * @example Usage
 * ```ts
 * import { decodeInbound } from "./message.ts";
 * import { fromHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeInbound(fromHex("58 00000002 00000000")), {
 *   type: "cancelOrder",
 *   orderToken: 2,
 *   quantity: 0,
 * });
 * assert.throws(() => decodeInbound(fromHex("51")), { name: "OuchDecodeError", message: /"Q" \(0x51\)/ });
 * ```
 */
export function decodeInbound(
  bytes: Uint8Array,
  options: CodecOptions = {},
): InboundMessage {
  switch (bytes[0]) {
    case 0x4f:
      return decodeEnterOrder(bytes, options);
    case 0x55:
      return decodeReplaceOrder(bytes, options);
    case 0x58:
      return decodeCancelOrder(bytes, options);
    default:
      return failTypeByte(bytes, "inbound");
  }
}

/**
 * Decodes a message the exchange sends (the payload of a Sequenced Data packet): System
 * Event `S`, Order Accepted `A`, Order Replaced `U` (52 bytes), Order Canceled `C`, Order
 * AIQ Canceled `D`, Order Executed `E` or Order Rejected `J`.
 *
 * @param bytes Exactly one message, type byte first (a view is fine; nothing is copied).
 * @param options The protocol version (Orderbook ID layout).
 * @returns The message.
 * @throws {OuchDecodeError} If the type byte is unknown (offset 0, naming the byte as a
 * character and in hex), or the message is malformed.
 *
 * @example Usage
 * ```ts
 * import { decodeOutbound } from "./message.ts";
 * import { fromHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeOutbound(fromHex("53 00001d77b67da000 53")), {
 *   type: "systemEvent",
 *   timestamp: 32_400_000_000_000,
 *   eventCode: "S",
 * });
 * ```
 */
export function decodeOutbound(
  bytes: Uint8Array,
  options: CodecOptions = {},
): OutboundMessage {
  switch (bytes[0]) {
    case 0x41:
      return decodeOrderAccepted(bytes, options);
    case 0x45:
      return decodeOrderExecuted(bytes, options);
    case 0x43:
      return decodeOrderCanceled(bytes, options);
    case 0x55:
      return decodeOrderReplaced(bytes, options);
    case 0x4a:
      return decodeOrderRejected(bytes, options);
    case 0x44:
      return decodeOrderAiqCanceled(bytes, options);
    case 0x53:
      return decodeSystemEvent(bytes, options);
    default:
      return failTypeByte(bytes, "outbound");
  }
}
