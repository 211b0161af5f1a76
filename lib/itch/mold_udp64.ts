/**
 * MoldUDP64 1.00 datagrams (Nasdaq), the one-to-many transport of the ITCH feed: downstream
 * packets (session, sequence number of the first message, message count, then each message
 * as a uint16 length and its bytes), heartbeats (count 0), end of session (count `0xFFFF`),
 * and the request packet a client sends to the re-request server.
 *
 * Sequence numbers are the feed's (M2), from 1; they are `number`s, and a datagram whose
 * 8-byte sequence number is above `Number.MAX_SAFE_INTEGER` is refused, never rounded.
 *
 * @module
 */

import { readUint16 } from "../codec/_binary.ts";
import {
  checkRoom,
  putAlphaField,
  putSequenceField,
  readAlphaField,
  readSequenceField,
} from "./_fields.ts";
import { ItchDecodeError, ItchEncodeError, MoldUdp64Error } from "./errors.ts";

/** Bytes of the header of every MoldUDP64 packet: session, sequence number, count. */
export const MOLD_UDP64_HEADER_LENGTH = 20;
/** Bytes of a request packet: session, sequence number, requested count. */
export const MOLD_UDP64_REQUEST_LENGTH = 20;
/** Width of the session field. */
export const MOLD_UDP64_SESSION_LENGTH = 10;
/** Message count of a heartbeat. */
export const MOLD_UDP64_HEARTBEAT_COUNT = 0;
/** Message count of an end of session. */
export const MOLD_UDP64_END_OF_SESSION_COUNT = 0xffff;
/** The most messages one downstream packet can count (`0xFFFF` means end of session). */
export const MOLD_UDP64_MAX_MESSAGE_COUNT = 0xfffe;
/**
 * The most bytes of message blocks (uint16 length + message, all messages) a datagram
 * carries after its header: nassau's limit, which keeps a datagram within one Ethernet
 * frame.
 */
export const MOLD_UDP64_MAX_PAYLOAD = 1400;
/** Offset of each header field. */
export const MOLD_UDP64_OFFSETS = Object.freeze({
  session: 0,
  sequenceNumber: 10,
  messageCount: 18,
  messages: 20,
});

/** A downstream packet holding one or more messages. */
export interface MoldUdp64Downstream {
  readonly type: "downstream";
  /** The session, without its right padding. */
  readonly session: string;
  /** The sequence number of the first message. */
  readonly sequenceNumber: number;
  /** The messages, in order (decoded: views into the datagram, not copies). */
  readonly messages: readonly Uint8Array[];
}

/** A heartbeat: no messages; `sequenceNumber` is the next message's. */
export interface MoldUdp64Heartbeat {
  readonly type: "heartbeat";
  readonly session: string;
  readonly sequenceNumber: number;
}

/** End of session: no more messages; `sequenceNumber` is one past the last. */
export interface MoldUdp64EndOfSession {
  readonly type: "endOfSession";
  readonly session: string;
  readonly sequenceNumber: number;
}

/** Any packet a MoldUDP64 server sends. */
export type MoldUdp64Packet =
  | MoldUdp64Downstream
  | MoldUdp64Heartbeat
  | MoldUdp64EndOfSession;

/** A request for `messageCount` messages from `sequenceNumber` on (client to server). */
export interface MoldUdp64Request {
  readonly type: "request";
  readonly session: string;
  readonly sequenceNumber: number;
  readonly messageCount: number;
}

const PACKET = "moldUdp64Packet";
const REQUEST = "moldUdp64Request";

/**
 * Writes the 20-byte header at `at`.
 *
 * @throws {ItchEncodeError} If the session is not printable ASCII of at most 10 characters or
 * the sequence number is not a safe non-negative integer.
 */
function putHeader(
  target: Uint8Array,
  at: number,
  session: string,
  sequenceNumber: number,
  count: number,
  what: string,
): void {
  putAlphaField(target, at, 10, session, what, "session");
  putSequenceField(target, at + 10, sequenceNumber, what, "sequenceNumber");
  target[at + 18] = count >>> 8;
  target[at + 19] = count;
}

/**
 * The number of bytes {@linkcode encodeMoldUdp64Into} writes for `packet`.
 *
 * @param packet The packet.
 * @returns The datagram's length: 20 plus, for a downstream packet, 2 + length per message.
 *
 * @example A heartbeat is a bare header
 * ```ts
 * import { moldUdp64Length } from "./mold_udp64.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(moldUdp64Length({ type: "heartbeat", session: "S", sequenceNumber: 1 }), 20);
 * ```
 */
export function moldUdp64Length(packet: MoldUdp64Packet): number {
  if (packet.type !== "downstream") return MOLD_UDP64_HEADER_LENGTH;
  let length = MOLD_UDP64_HEADER_LENGTH;
  for (const message of packet.messages) length += 2 + message.length;
  return length;
}

/**
 * Writes a MoldUDP64 packet into `target` at `at`. The 1,400-byte payload limit is the
 * packer's and the request server's rule, not the format's: this writes any packet whose
 * message blocks fit a datagram.
 *
 * @param packet The packet.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the first byte.
 * @returns The number of bytes written.
 * @throws {ItchEncodeError} If the session is not printable ASCII of at most 10 characters,
 * the sequence number is not a safe non-negative integer, a downstream packet has no
 * message or more than 65,534, or a message is empty or longer than 65,535 bytes.
 * @throws {RangeError} If `target` has too few bytes free at `at`.
 *
 * @example A heartbeat and an end of session
 * ```ts
 * import { encodeMoldUdp64Into } from "./mold_udp64.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(20);
 * encodeMoldUdp64Into({ type: "heartbeat", session: "1689192121", sequenceNumber: 5 }, target);
 * assert.equal(toHex(target), "31363839313932313231" + "0000000000000005" + "0000");
 * encodeMoldUdp64Into({ type: "endOfSession", session: "1689192121", sequenceNumber: 5 }, target);
 * assert.equal(toHex(target.subarray(18)), "ffff");
 * ```
 */
export function encodeMoldUdp64Into(
  packet: MoldUdp64Packet,
  target: Uint8Array,
  at = 0,
): number {
  const length = checkPacket(packet);
  checkRoom(target, at, length, PACKET);
  const count = packet.type === "heartbeat"
    ? MOLD_UDP64_HEARTBEAT_COUNT
    : packet.type === "endOfSession"
    ? MOLD_UDP64_END_OF_SESSION_COUNT
    : packet.messages.length;
  putHeader(target, at, packet.session, packet.sequenceNumber, count, PACKET);
  if (packet.type !== "downstream") return length;
  let offset = at + MOLD_UDP64_HEADER_LENGTH;
  for (const message of packet.messages) {
    target[offset] = message.length >>> 8;
    target[offset + 1] = message.length;
    target.set(message, offset + 2);
    offset += 2 + message.length;
  }
  return length;
}

/** Checks the type, count and message lengths of `packet`; returns its length. */
function checkPacket(packet: MoldUdp64Packet): number {
  const type = packet?.type;
  if (type === "heartbeat" || type === "endOfSession") {
    return MOLD_UDP64_HEADER_LENGTH;
  }
  if (type !== "downstream") {
    throw new ItchEncodeError(
      `Cannot encode ${PACKET} field type as one of "downstream", "heartbeat", "endOfSession": current value is ${
        JSON.stringify(type) ?? String(type)
      }`,
      { messageType: PACKET, field: "type", value: type },
    );
  }
  const messages = packet.messages;
  if (
    !Array.isArray(messages) || messages.length === 0 ||
    messages.length > MOLD_UDP64_MAX_MESSAGE_COUNT
  ) {
    const count = Array.isArray(messages) ? messages.length : messages;
    throw new ItchEncodeError(
      `Cannot encode ${PACKET} field messages as 1 to ${MOLD_UDP64_MAX_MESSAGE_COUNT} messages: current count is ${count}`,
      { messageType: PACKET, field: "messages", value: count },
    );
  }
  for (const message of messages) {
    if (
      !(message instanceof Uint8Array) || message.length === 0 ||
      message.length > 0xffff
    ) {
      const length = message instanceof Uint8Array ? message.length : message;
      throw new ItchEncodeError(
        `Cannot encode ${PACKET} field messages as each message must be 1 to 65535 bytes: current length is ${length}`,
        { messageType: PACKET, field: "messages", value: length },
      );
    }
  }
  return moldUdp64Length(packet);
}

/**
 * Encodes a MoldUDP64 packet into fresh bytes.
 *
 * @param packet The packet.
 * @returns A new `Uint8Array` holding exactly the datagram.
 * @throws {ItchEncodeError} As {@linkcode encodeMoldUdp64Into}.
 *
 * @example Two messages from sequence number 7
 * ```ts
 * import { encodeMoldUdp64 } from "./mold_udp64.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const datagram = encodeMoldUdp64({
 *   type: "downstream", session: "S1", sequenceNumber: 7,
 *   messages: [new Uint8Array([0x54, 0, 0, 0x7e, 0x90]), new Uint8Array([0x47])],
 * });
 * assert.equal(
 *   toHex(datagram),
 *   "53312020202020202020" + "0000000000000007" + "0002" +
 *     "0005" + "5400007e90" + "0001" + "47",
 * );
 * ```
 */
export function encodeMoldUdp64(packet: MoldUdp64Packet): Uint8Array {
  const bytes = new Uint8Array(checkPacket(packet));
  encodeMoldUdp64Into(packet, bytes, 0);
  return bytes;
}

/** Runs `read`, turning its `ItchDecodeError` into a `MoldUdp64Error`. */
function asMold<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ItchDecodeError)) throw error;
    const options = error.field === undefined
      ? { messageType: error.messageType ?? PACKET, cause: error }
      : {
        messageType: error.messageType ?? PACKET,
        field: error.field,
        cause: error,
      };
    throw new MoldUdp64Error(error.message, error.offset, options);
  }
}

/** Reads the session and the sequence number of a header. */
function readHeader(
  bytes: Uint8Array,
  what: string,
): { session: string; sequenceNumber: number } {
  return asMold(() => ({
    session: readAlphaField(bytes, 0, 10, what, "session"),
    sequenceNumber: readSequenceField(bytes, 10, what, "sequenceNumber"),
  }));
}

/**
 * Reads a datagram a MoldUDP64 server sends.
 *
 * @param bytes The whole datagram.
 * @returns The packet. A downstream packet's messages are views into `bytes`: copy what you
 * keep once the transport reuses its buffer.
 * @throws {MoldUdp64Error} If the datagram is shorter than 20 bytes, its session is not
 * printable ASCII, its sequence number is above `Number.MAX_SAFE_INTEGER`, a heartbeat or end
 * of session has bytes after its header, or the message blocks do not match the count (a
 * block cut short, an empty message, bytes left over).
 *
 * @example A downstream packet with one message
 * ```ts
 * import { decodeMoldUdp64 } from "./mold_udp64.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const packet = decodeMoldUdp64(
 *   fromHex("31363839313932313231 0000000000000007 0001 0005 5400007e90"),
 * );
 * assert.equal(packet.type, "downstream");
 * assert.equal(packet.sequenceNumber, 7);
 * assert.deepEqual(packet.type === "downstream" && [...packet.messages[0]!], [0x54, 0, 0, 0x7e, 0x90]);
 * ```
 */
export function decodeMoldUdp64(bytes: Uint8Array): MoldUdp64Packet {
  if (bytes.length < MOLD_UDP64_HEADER_LENGTH) {
    throw new MoldUdp64Error(
      `Cannot decode ${PACKET} as it must be at least ${MOLD_UDP64_HEADER_LENGTH} bytes: current length is ${bytes.length}`,
      bytes.length,
      { messageType: PACKET },
    );
  }
  const { session, sequenceNumber } = readHeader(bytes, PACKET);
  const count = readUint16(bytes, 18);
  if (
    count === MOLD_UDP64_HEARTBEAT_COUNT ||
    count === MOLD_UDP64_END_OF_SESSION_COUNT
  ) {
    const type = count === 0 ? "heartbeat" : "endOfSession";
    if (bytes.length !== MOLD_UDP64_HEADER_LENGTH) {
      throw new MoldUdp64Error(
        `Cannot decode ${PACKET} as a ${
          count === 0 ? "heartbeat" : "end of session"
        } has no message blocks: ${
          bytes.length - MOLD_UDP64_HEADER_LENGTH
        } bytes follow the header`,
        MOLD_UDP64_HEADER_LENGTH,
        { messageType: PACKET, field: "messages" },
      );
    }
    return { type, session, sequenceNumber };
  }
  const messages: Uint8Array[] = [];
  let at = MOLD_UDP64_HEADER_LENGTH;
  for (let i = 0; i < count; i++) {
    if (bytes.length - at < 2) {
      failBlock(
        `message ${i + 1} of ${count} has no length: ${
          bytes.length - at
        } bytes are left`,
        at,
      );
    }
    const length = readUint16(bytes, at);
    if (length === 0) failBlock(`message ${i + 1} of ${count} is empty`, at);
    if (bytes.length - at - 2 < length) {
      failBlock(
        `message ${i + 1} of ${count} needs ${length} bytes: ${
          bytes.length - at - 2
        } bytes are left`,
        at + 2,
      );
    }
    messages.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (at !== bytes.length) {
    failBlock(
      `${count} messages end at byte ${at}: ${
        bytes.length - at
      } bytes are left over`,
      at,
    );
  }
  return { type: "downstream", session, sequenceNumber, messages };
}

function failBlock(state: string, offset: number): never {
  throw new MoldUdp64Error(
    `Cannot decode ${PACKET} as its message blocks must match its count: ${state}`,
    offset,
    { messageType: PACKET, field: "messages" },
  );
}

/**
 * Writes a request packet into `target` at `at`.
 *
 * @param request The request.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the first byte.
 * @returns The number of bytes written: `MOLD_UDP64_REQUEST_LENGTH`.
 * @throws {ItchEncodeError} If the session is not printable ASCII of at most 10 characters,
 * the sequence number is not a safe non-negative integer, or the count is not a uint16.
 * @throws {RangeError} If `target` has fewer than 20 bytes free at `at`.
 *
 * @example Ask for messages 100 to 149
 * ```ts
 * import { encodeMoldUdp64RequestInto } from "./mold_udp64.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(20);
 * encodeMoldUdp64RequestInto(
 *   { type: "request", session: "1689192121", sequenceNumber: 100, messageCount: 50 },
 *   target,
 * );
 * assert.equal(toHex(target), "31363839313932313231" + "0000000000000064" + "0032");
 * ```
 */
export function encodeMoldUdp64RequestInto(
  request: MoldUdp64Request,
  target: Uint8Array,
  at = 0,
): number {
  checkRoom(target, at, MOLD_UDP64_REQUEST_LENGTH, REQUEST);
  const count = request.messageCount;
  if (!(Number.isInteger(count) && count >= 0 && count <= 0xffff)) {
    throw new ItchEncodeError(
      `Cannot encode ${REQUEST} field messageCount as a uint16: current value is ${count}`,
      { messageType: REQUEST, field: "messageCount", value: count },
    );
  }
  putHeader(
    target,
    at,
    request.session,
    request.sequenceNumber,
    count,
    REQUEST,
  );
  return MOLD_UDP64_REQUEST_LENGTH;
}

/**
 * Reads a request packet a client sends to the re-request server.
 *
 * @param bytes The whole datagram.
 * @returns The request.
 * @throws {MoldUdp64Error} If the datagram is not 20 bytes long, its session is not printable
 * ASCII, or its sequence number is above `Number.MAX_SAFE_INTEGER`.
 *
 * @example Usage
 * ```ts
 * import { decodeMoldUdp64Request } from "./mold_udp64.ts";
 * import { fromHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeMoldUdp64Request(fromHex("31363839313932313231 0000000000000064 0032")), {
 *   type: "request", session: "1689192121", sequenceNumber: 100, messageCount: 50,
 * });
 * ```
 */
export function decodeMoldUdp64Request(bytes: Uint8Array): MoldUdp64Request {
  if (bytes.length !== MOLD_UDP64_REQUEST_LENGTH) {
    throw new MoldUdp64Error(
      `Cannot decode ${REQUEST} as it must be ${MOLD_UDP64_REQUEST_LENGTH} bytes: current length is ${bytes.length}`,
      Math.min(bytes.length, MOLD_UDP64_REQUEST_LENGTH),
      { messageType: REQUEST },
    );
  }
  const { session, sequenceNumber } = readHeader(bytes, REQUEST);
  return {
    type: "request",
    session,
    sequenceNumber,
    messageCount: readUint16(bytes, 18),
  };
}
