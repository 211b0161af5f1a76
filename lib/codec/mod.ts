/**
 * Wire codec of the Japannext PTS OUCH simulator: the ten OUCH v1.12 / v1.11 messages and
 * the SoupBinTCP 3.00 packets that carry them, to and from bytes.
 *
 * Messages and packets are plain readonly objects tagged by `type`. Every encoder writes
 * into a buffer the caller owns (`encodeXInto` or `encodeX(msg, target, at)`) and returns
 * the bytes written; `encodeMessage` and `encodePacket` return fresh bytes. Decoders read
 * from views without copying. `FrameReader` re-frames a TCP stream into packets.
 *
 * The codec checks the wire format only (lengths, type bytes, uint32 ranges, safe 64-bit
 * timestamps, printable ASCII, Alpha widths, closed code sets); exchange rules such as the
 * maximum price belong to the matcher. Order and Match Numbers are unsigned 64-bit values
 * that exceed 2^53 at a real venue (`202307130000000093`), so they are `bigint`s, read and
 * written exactly. Malformed input throws `OuchDecodeError` or
 * `SoupBinTcpError`; values that do not fit throw `OuchEncodeError`.
 *
 * @example Client to server and back
 * ```ts
 * import {
 *   decodeClientPacket,
 *   decodeInbound,
 *   type EnterOrder,
 *   encodeUnsequencedInto,
 *   FrameReader,
 * } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const order: EnterOrder = {
 *   type: "enterOrder", orderToken: 1, clientReference: "Lenny", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "7203", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0,
 *   orderClassification: "1", cashMarginType: "1",
 * };
 * const wire = new Uint8Array(51);
 * encodeUnsequencedInto(order, wire);
 *
 * const received: EnterOrder[] = [];
 * const reader = new FrameReader();
 * for (const chunk of [wire.subarray(0, 10), wire.subarray(10)]) {
 *   reader.push(chunk, (type, payload) => {
 *     const packet = decodeClientPacket(type, payload);
 *     if (packet.type === "unsequencedData") {
 *       const msg = decodeInbound(packet.message);
 *       if (msg.type === "enterOrder") received.push(msg);
 *     }
 *   });
 * }
 * assert.deepEqual(received, [order]);
 * ```
 *
 * @module
 */

export * from "./messages.ts";
export * from "./packets.ts";
export * from "./errors.ts";
export * from "./options.ts";
export * from "./enter_order.ts";
export * from "./replace_order.ts";
export * from "./cancel_order.ts";
export * from "./system_event.ts";
export * from "./order_accepted.ts";
export * from "./order_replaced.ts";
export * from "./order_canceled.ts";
export * from "./order_aiq_canceled.ts";
export * from "./order_executed.ts";
export * from "./order_rejected.ts";
export * from "./message.ts";
export * from "./soupbintcp.ts";
export * from "./frame_reader.ts";
export * from "./hex.ts";
export * from "./price.ts";
