/**
 * SoupBinTCP 3.00 packets (spec §2) to and from bytes.
 *
 * A packet is `[length: uint16 BE][type: 1 byte][payload]`, the length counting the type
 * byte and the payload. Encoders write whole packets; decoders take the type byte and the
 * payload that `FrameReader` hands over, and check the packet against its direction.
 *
 * Padding (K2): Numeric sequence numbers are written right-justified and space-padded on
 * the left, 20 wide; Alpha fields (username, password, session) are written left-justified
 * and space-padded on the right. Both are read leniently: spaces are trimmed on both sides,
 * zero padding is accepted, a blank Numeric field reads as 0, and the Alpha fields of Login
 * Request may also be NUL-terminated or NUL-padded.
 *
 * Error offsets of the packet decoders count from the start of the packet: the length field
 * is at 0, the type byte at 2 and the payload from 3, as in the tables of spec §2.
 *
 * @module
 */

import { CHARS, failAlpha, failCode, putAlpha } from "./_ascii.ts";
import { failUint64 } from "./_binary.ts";
import { LOGIN_REJECT_SET } from "./_codes.ts";
import { checkRoom, describeByte, failEncode } from "./_fail.ts";
import { SoupBinTcpError } from "./errors.ts";
import { encodeMessageInto } from "./message.ts";
import type { InboundMessage, OutboundMessage } from "./messages.ts";
import type { CodecOptions } from "./options.ts";
import {
  type ClientPacket,
  LOGIN_ACCEPTED_PAYLOAD_LENGTH,
  LOGIN_REJECTED_PAYLOAD_LENGTH,
  LOGIN_REQUEST_PAYLOAD_LENGTH,
  type LoginAcceptedPacket,
  type LoginRejectCode,
  type LoginRequestPacket,
  PACKET_TYPE_CLIENT_HEARTBEAT,
  PACKET_TYPE_DEBUG,
  PACKET_TYPE_END_OF_SESSION,
  PACKET_TYPE_LOGIN_ACCEPTED,
  PACKET_TYPE_LOGIN_REJECTED,
  PACKET_TYPE_LOGIN_REQUEST,
  PACKET_TYPE_LOGOUT_REQUEST,
  PACKET_TYPE_SEQUENCED_DATA,
  PACKET_TYPE_SERVER_HEARTBEAT,
  PACKET_TYPE_UNSEQUENCED_DATA,
  PASSWORD_LENGTH,
  SEQUENCE_NUMBER_LENGTH,
  type ServerPacket,
  SESSION_LENGTH,
  type SoupBinTcpPacket,
  USERNAME_LENGTH,
} from "./packets.ts";

/** Bytes before the payload: the 2-byte length and the type byte. */
export const PACKET_HEADER_LENGTH = 3;
/** Largest payload a packet can carry: the length field is a uint16 that counts the type. */
export const MAX_PAYLOAD_LENGTH = 0xffff - 1;

const SPACE = 0x20;
const NUL = 0x00;

/** The packet each type byte stands for, in spec order. */
const PACKET_NAMES: ReadonlyMap<number, string> = new Map([
  [PACKET_TYPE_DEBUG, "Debug"],
  [PACKET_TYPE_LOGIN_REQUEST, "Login Request"],
  [PACKET_TYPE_LOGIN_ACCEPTED, "Login Accepted"],
  [PACKET_TYPE_LOGIN_REJECTED, "Login Rejected"],
  [PACKET_TYPE_SEQUENCED_DATA, "Sequenced Data"],
  [PACKET_TYPE_UNSEQUENCED_DATA, "Unsequenced Data"],
  [PACKET_TYPE_SERVER_HEARTBEAT, "Server Heartbeat"],
  [PACKET_TYPE_CLIENT_HEARTBEAT, "Client Heartbeat"],
  [PACKET_TYPE_LOGOUT_REQUEST, "Logout Request"],
  [PACKET_TYPE_END_OF_SESSION, "End of Session"],
]);
const CLIENT_TYPES = [
  PACKET_TYPE_DEBUG,
  PACKET_TYPE_LOGIN_REQUEST,
  PACKET_TYPE_UNSEQUENCED_DATA,
  PACKET_TYPE_CLIENT_HEARTBEAT,
  PACKET_TYPE_LOGOUT_REQUEST,
];
const SERVER_TYPES = [
  PACKET_TYPE_DEBUG,
  PACKET_TYPE_LOGIN_ACCEPTED,
  PACKET_TYPE_LOGIN_REJECTED,
  PACKET_TYPE_SEQUENCED_DATA,
  PACKET_TYPE_SERVER_HEARTBEAT,
  PACKET_TYPE_END_OF_SESSION,
];
const PACKET_KINDS = [
  "debug",
  "loginRequest",
  "loginAccepted",
  "loginRejected",
  "sequencedData",
  "unsequencedData",
  "serverHeartbeat",
  "clientHeartbeat",
  "logoutRequest",
  "endOfSession",
];

// ---------------------------------------------------------------------------------------
// Encoding

function putHeader(
  target: Uint8Array,
  at: number,
  payloadLength: number,
  type: number,
): void {
  const length = payloadLength + 1;
  target[at] = length >>> 8;
  target[at + 1] = length;
  target[at + 2] = type;
}

/** The largest value of a 20-digit Numeric field. */
const MAX_NUMERIC = 99_999_999_999_999_999_999n;

function putNumeric(
  target: Uint8Array,
  at: number,
  value: number | bigint,
  packet: string,
  field: string,
): void {
  if (
    typeof value === "bigint"
      ? !(value >= 0n && value <= MAX_NUMERIC)
      : !(value >= 0 && Number.isSafeInteger(value))
  ) {
    failUint64(packet, field, value);
  }
  const digits = String(value);
  const pad = SEQUENCE_NUMBER_LENGTH - digits.length;
  for (let i = 0; i < pad; i++) target[at + i] = SPACE;
  for (let i = 0; i < digits.length; i++) {
    target[at + pad + i] = digits.charCodeAt(i);
  }
}

function putField(
  target: Uint8Array,
  at: number,
  width: number,
  value: string,
  packet: string,
  field: string,
): void {
  if (!putAlpha(target, at, width, value)) {
    failAlpha(packet, field, value, width);
  }
}

function checkData(message: unknown, packet: string): number {
  if (!(message instanceof Uint8Array)) {
    failEncode(packet, "message", message, "a Uint8Array");
  }
  if (message.length > MAX_PAYLOAD_LENGTH) {
    failEncode(
      packet,
      "message",
      message,
      `bytes of length at most ${MAX_PAYLOAD_LENGTH}`,
    );
  }
  return message.length;
}

/**
 * Writes a whole SoupBinTCP packet (length, type and payload) into `target` at `at`.
 *
 * Sequence numbers are written right-justified and space-padded on the left, 20 wide;
 * username, password and sessions left-justified and space-padded on the right (K2). The
 * `message` of a data packet is copied as-is: it is not checked to be a valid OUCH message.
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param packet The packet.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the first length byte.
 * @returns The number of bytes written, `PACKET_HEADER_LENGTH` plus the payload length.
 * @throws {OuchEncodeError} If `packet.type` is unknown, an Alpha field is not printable
 * ASCII or too wide, a sequence number is not a safe non-negative integer, the reject
 * reason code is not `A` or `S`, or the debug text or data message is longer than 65534.
 * @throws {RangeError} If `target` has too few bytes free at `at`.
 *
 * @example Login Accepted
 * ```ts
 * import { encodePacketInto } from "./soupbintcp.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(40);
 * const written = encodePacketInto({ type: "loginAccepted", session: "S1", sequenceNumber: 42 }, target);
 * assert.equal(written, 33);
 * assert.equal(
 *   new TextDecoder().decode(target.subarray(2, 33)),
 *   "A" + "S1".padEnd(10) + "42".padStart(20),
 * );
 * ```
 */
export function encodePacketInto(
  packet: SoupBinTcpPacket,
  target: Uint8Array,
  at = 0,
): number {
  const kind = packet.type;
  switch (kind) {
    case "debug": {
      const text = packet.text;
      if (typeof text !== "string" || text.length > MAX_PAYLOAD_LENGTH) {
        failAlpha(kind, "text", text, MAX_PAYLOAD_LENGTH);
      }
      checkRoom(target, at, PACKET_HEADER_LENGTH + text.length, kind);
      putHeader(target, at, text.length, PACKET_TYPE_DEBUG);
      if (!putAlpha(target, at + 3, text.length, text)) {
        failAlpha(kind, "text", text, MAX_PAYLOAD_LENGTH);
      }
      return PACKET_HEADER_LENGTH + text.length;
    }
    case "loginRequest": {
      checkRoom(target, at, 3 + LOGIN_REQUEST_PAYLOAD_LENGTH, kind);
      putHeader(
        target,
        at,
        LOGIN_REQUEST_PAYLOAD_LENGTH,
        PACKET_TYPE_LOGIN_REQUEST,
      );
      putField(
        target,
        at + 3,
        USERNAME_LENGTH,
        packet.username,
        kind,
        "username",
      );
      putField(
        target,
        at + 9,
        PASSWORD_LENGTH,
        packet.password,
        kind,
        "password",
      );
      putField(
        target,
        at + 19,
        SESSION_LENGTH,
        packet.requestedSession,
        kind,
        "requestedSession",
      );
      putNumeric(
        target,
        at + 29,
        packet.requestedSequenceNumber,
        kind,
        "requestedSequenceNumber",
      );
      return 3 + LOGIN_REQUEST_PAYLOAD_LENGTH;
    }
    case "loginAccepted": {
      checkRoom(target, at, 3 + LOGIN_ACCEPTED_PAYLOAD_LENGTH, kind);
      putHeader(
        target,
        at,
        LOGIN_ACCEPTED_PAYLOAD_LENGTH,
        PACKET_TYPE_LOGIN_ACCEPTED,
      );
      putField(target, at + 3, SESSION_LENGTH, packet.session, kind, "session");
      putNumeric(
        target,
        at + 13,
        packet.sequenceNumber,
        kind,
        "sequenceNumber",
      );
      return 3 + LOGIN_ACCEPTED_PAYLOAD_LENGTH;
    }
    case "loginRejected": {
      const code = packet.rejectReasonCode;
      const byte = typeof code === "string" && code.length === 1
        ? code.charCodeAt(0)
        : 0;
      if (LOGIN_REJECT_SET.flags[byte] !== 1) {
        failCode(kind, "rejectReasonCode", code, LOGIN_REJECT_SET);
      }
      checkRoom(target, at, 3 + LOGIN_REJECTED_PAYLOAD_LENGTH, kind);
      putHeader(
        target,
        at,
        LOGIN_REJECTED_PAYLOAD_LENGTH,
        PACKET_TYPE_LOGIN_REJECTED,
      );
      target[at + 3] = byte;
      return 3 + LOGIN_REJECTED_PAYLOAD_LENGTH;
    }
    case "sequencedData":
    case "unsequencedData": {
      const message = packet.message;
      const length = checkData(message, kind);
      checkRoom(target, at, PACKET_HEADER_LENGTH + length, kind);
      putHeader(
        target,
        at,
        length,
        kind === "sequencedData"
          ? PACKET_TYPE_SEQUENCED_DATA
          : PACKET_TYPE_UNSEQUENCED_DATA,
      );
      target.set(message, at + PACKET_HEADER_LENGTH);
      return PACKET_HEADER_LENGTH + length;
    }
    case "serverHeartbeat":
      return putEmpty(target, at, PACKET_TYPE_SERVER_HEARTBEAT, kind);
    case "clientHeartbeat":
      return putEmpty(target, at, PACKET_TYPE_CLIENT_HEARTBEAT, kind);
    case "logoutRequest":
      return putEmpty(target, at, PACKET_TYPE_LOGOUT_REQUEST, kind);
    case "endOfSession":
      return putEmpty(target, at, PACKET_TYPE_END_OF_SESSION, kind);
    default:
      return failPacketKind(packet);
  }
}

function putEmpty(
  target: Uint8Array,
  at: number,
  type: number,
  kind: string,
): number {
  checkRoom(target, at, PACKET_HEADER_LENGTH, kind);
  putHeader(target, at, 0, type);
  return PACKET_HEADER_LENGTH;
}

function failPacketKind(packet: unknown): never {
  const kind = typeof packet === "object" && packet !== null
    ? (packet as { type?: unknown }).type
    : packet;
  failEncode(
    "packet",
    "type",
    kind,
    `one of ${PACKET_KINDS.map((name) => JSON.stringify(name)).join(", ")}`,
  );
}

/** The number of bytes `packet` takes on the wire, or -1 if its type is unknown. */
function packetLength(packet: SoupBinTcpPacket): number {
  switch (packet.type) {
    case "debug":
      return typeof packet.text === "string"
        ? PACKET_HEADER_LENGTH + packet.text.length
        : PACKET_HEADER_LENGTH;
    case "loginRequest":
      return PACKET_HEADER_LENGTH + LOGIN_REQUEST_PAYLOAD_LENGTH;
    case "loginAccepted":
      return PACKET_HEADER_LENGTH + LOGIN_ACCEPTED_PAYLOAD_LENGTH;
    case "loginRejected":
      return PACKET_HEADER_LENGTH + LOGIN_REJECTED_PAYLOAD_LENGTH;
    case "sequencedData":
    case "unsequencedData":
      return packet.message instanceof Uint8Array
        ? PACKET_HEADER_LENGTH + packet.message.length
        : PACKET_HEADER_LENGTH;
    case "serverHeartbeat":
    case "clientHeartbeat":
    case "logoutRequest":
    case "endOfSession":
      return PACKET_HEADER_LENGTH;
    default:
      return -1;
  }
}

/**
 * Encodes a whole SoupBinTCP packet into fresh bytes.
 *
 * @param packet The packet.
 * @returns A new `Uint8Array` holding the length, the type and the payload.
 * @throws {OuchEncodeError} As `encodePacketInto`.
 *
 * @example Heartbeat and Unsequenced Data
 * ```ts
 * import { encodePacket } from "./soupbintcp.ts";
 * import { fromHex, toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toHex(encodePacket({ type: "clientHeartbeat" })), "000152");
 * const cancel = fromHex("58 00000002 00000000");
 * assert.equal(
 *   toHex(encodePacket({ type: "unsequencedData", message: cancel })),
 *   "000a55580000000200000000",
 * );
 * ```
 */
export function encodePacket(packet: SoupBinTcpPacket): Uint8Array {
  const length = packetLength(packet);
  if (length < 0) failPacketKind(packet);
  const bytes = new Uint8Array(length);
  encodePacketInto(packet, bytes, 0);
  return bytes;
}

function outboundLength(type: string): number {
  switch (type) {
    case "orderAccepted":
      return 65;
    case "orderExecuted":
      return 30;
    case "orderCanceled":
      return 18;
    case "orderReplaced":
      return 52;
    case "orderRejected":
      return 14;
    case "orderAiqCanceled":
      return 27;
    case "systemEvent":
      return 10;
    default:
      return -1;
  }
}

function inboundLength(type: string): number {
  switch (type) {
    case "enterOrder":
      return 48;
    case "replaceOrder":
      return 26;
    case "cancelOrder":
      return 9;
    default:
      return -1;
  }
}

/**
 * Writes a Sequenced Data packet holding `msg` into `target` at `at`: the 3-byte header,
 * then the OUCH message encoded in place, with no intermediate buffer. This is the server's
 * hot path.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg An outbound message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the first length byte.
 * @param options The protocol version (Orderbook ID layout).
 * @returns The number of bytes written: 3 plus the message length.
 * @throws {OuchEncodeError} If `msg` is not an outbound message (field `type`) or a field
 * breaks its rule.
 * @throws {RangeError} If `target` has too few bytes free at `at`.
 *
 * @example Usage
 * ```ts
 * import { encodeSequencedInto } from "./soupbintcp.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(13);
 * const written = encodeSequencedInto(
 *   { type: "systemEvent", timestamp: 32_400_000_000_000, eventCode: "S" },
 *   target,
 * );
 * assert.equal(written, 13);
 * assert.equal(toHex(target), "000b535300001d77b67da00053");
 * ```
 */
export function encodeSequencedInto(
  msg: OutboundMessage,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  const length = outboundLength(msg.type);
  if (length < 0) {
    failEncode("sequencedData", "type", msg.type, "an outbound message type");
  }
  checkRoom(target, at, PACKET_HEADER_LENGTH + length, "sequencedData");
  putHeader(target, at, length, PACKET_TYPE_SEQUENCED_DATA);
  return PACKET_HEADER_LENGTH +
    encodeMessageInto(msg, target, at + PACKET_HEADER_LENGTH, options);
}

/**
 * Writes an Unsequenced Data packet holding `msg` into `target` at `at`: the 3-byte
 * header, then the OUCH message encoded in place, with no intermediate buffer. This is the
 * client's hot path.
 *
 * On error, bytes of `target` from `at` may have been partly written.
 *
 * @param msg An inbound message.
 * @param target The buffer to write into.
 * @param at Offset in `target` of the first length byte.
 * @param options The protocol version (Orderbook ID layout).
 * @returns The number of bytes written: 3 plus the message length.
 * @throws {OuchEncodeError} If `msg` is not an inbound message (field `type`) or a field
 * breaks its rule.
 * @throws {RangeError} If `target` has too few bytes free at `at`.
 *
 * @example Spec §9's 51-byte packet
 * ```ts
 * import { encodeUnsequencedInto } from "./soupbintcp.ts";
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * const target = new Uint8Array(51);
 * const written = encodeUnsequencedInto({
 *   type: "enterOrder", orderToken: 1, clientReference: "Lenny", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0,
 *   orderClassification: "1", cashMarginType: "1",
 * }, target);
 * assert.equal(written, 51);
 * assert.equal(toHex(target.subarray(0, 4)), "0031554f");
 * ```
 */
export function encodeUnsequencedInto(
  msg: InboundMessage,
  target: Uint8Array,
  at = 0,
  options: CodecOptions = {},
): number {
  const length = inboundLength(msg.type);
  if (length < 0) {
    failEncode("unsequencedData", "type", msg.type, "an inbound message type");
  }
  checkRoom(target, at, PACKET_HEADER_LENGTH + length, "unsequencedData");
  putHeader(target, at, length, PACKET_TYPE_UNSEQUENCED_DATA);
  return PACKET_HEADER_LENGTH +
    encodeMessageInto(msg, target, at + PACKET_HEADER_LENGTH, options);
}

// ---------------------------------------------------------------------------------------
// Decoding

function fail(
  message: string,
  offset: number,
  messageType: string,
  field?: string,
): never {
  throw new SoupBinTcpError(
    message,
    offset,
    field === undefined ? { messageType } : { messageType, field },
  );
}

function checkPayloadLength(
  payload: Uint8Array,
  expected: number,
  packet: string,
): void {
  if (payload.length !== expected) {
    fail(
      `Cannot decode ${packet} as its payload must be ${expected} bytes: current length is ${payload.length}`,
      PACKET_HEADER_LENGTH + Math.min(payload.length, expected),
      packet,
    );
  }
}

function failPacketType(type: number, direction: "client" | "server"): never {
  const allowed = direction === "client" ? CLIENT_TYPES : SERVER_TYPES;
  const name = PACKET_NAMES.get(type);
  const sender = direction === "client" ? "server" : "client";
  const rule = allowed.map((byte) => JSON.stringify(CHARS[byte])).join(", ");
  fail(
    `Cannot decode ${direction} packet as its type must be one of ${rule}: current type is ${
      describeByte(type)
    }${name === undefined ? "" : `, ${name}, which only a ${sender} sends`}`,
    2,
    `${direction}Packet`,
    "type",
  );
}

function readDebug(payload: Uint8Array): { type: "debug"; text: string } {
  let text = "";
  for (let i = 0; i < payload.length; i++) {
    const byte = payload[i]!;
    if (byte < SPACE || byte > 0x7e) {
      failByte(payload, i, "debug", "text", "printable ASCII");
    }
    text += CHARS[byte]!;
  }
  return { type: "debug", text };
}

function failByte(
  payload: Uint8Array,
  at: number,
  packet: string,
  field: string,
  rule: string,
): never {
  const offset = PACKET_HEADER_LENGTH + at;
  fail(
    `Cannot decode ${packet} field ${field} as ${rule}: current byte is ${
      describeByte(payload[at]!)
    } at offset ${offset}`,
    offset,
    packet,
    field,
  );
}

/** Reads a lenient Alpha field: printable ASCII, trimmed of spaces on both sides. */
function readText(
  payload: Uint8Array,
  at: number,
  width: number,
  packet: string,
  field: string,
  nulTerminated: boolean,
): string {
  let end = at + width;
  if (nulTerminated) {
    const nul = payload.indexOf(NUL, at);
    if (nul >= 0 && nul < end) {
      for (let i = nul; i < end; i++) {
        const byte = payload[i]!;
        if (byte !== NUL && byte !== SPACE) {
          failByte(
            payload,
            i,
            packet,
            field,
            "text padded with NUL after its NUL terminator",
          );
        }
      }
      end = nul;
    }
  }
  for (let i = at; i < end; i++) {
    const byte = payload[i]!;
    if (byte < SPACE || byte > 0x7e) {
      failByte(payload, i, packet, field, "printable ASCII");
    }
  }
  let start = at;
  while (start < end && payload[start] === SPACE) start++;
  while (end > start && payload[end - 1] === SPACE) end--;
  let text = "";
  for (let i = start; i < end; i++) text += CHARS[payload[i]!]!;
  return text;
}

/** Reads a lenient Numeric field: digits, spaces trimmed on both sides, blank = 0. */
function readNumeric(
  payload: Uint8Array,
  at: number,
  packet: string,
  field: string,
): number;
function readNumeric(
  payload: Uint8Array,
  at: number,
  packet: string,
  field: string,
  exact: true,
): number | bigint;
function readNumeric(
  payload: Uint8Array,
  at: number,
  packet: string,
  field: string,
  exact = false,
): number | bigint {
  let start = at;
  let end = at + SEQUENCE_NUMBER_LENGTH;
  while (start < end && payload[start] === SPACE) start++;
  while (end > start && payload[end - 1] === SPACE) end--;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = payload[i]! - 0x30;
    if (digit < 0 || digit > 9) {
      failByte(payload, i, packet, field, "Numeric digits");
    }
    value = value * 10 + digit;
    if (value > Number.MAX_SAFE_INTEGER) {
      let text = "";
      for (let j = start; j < end; j++) text += CHARS[payload[j]!]!;
      // Up to 20 digits, read exactly: every digit is checked first.
      if (exact && /^[0-9]+$/.test(text)) return BigInt(text);
      if (exact) {
        for (let j = i + 1; j < end; j++) {
          const rest = payload[j]! - 0x30;
          if (rest < 0 || rest > 9) {
            failByte(payload, j, packet, field, "Numeric digits");
          }
        }
      }
      fail(
        `Cannot decode ${packet} field ${field} as a safe integer: current text is ${
          JSON.stringify(text)
        }`,
        PACKET_HEADER_LENGTH + start,
        packet,
        field,
      );
    }
  }
  return value;
}

function readLoginRequest(payload: Uint8Array): LoginRequestPacket {
  const packet = "loginRequest";
  checkPayloadLength(payload, LOGIN_REQUEST_PAYLOAD_LENGTH, packet);
  return {
    type: "loginRequest",
    username: readText(payload, 0, USERNAME_LENGTH, packet, "username", true),
    password: readText(payload, 6, PASSWORD_LENGTH, packet, "password", true),
    requestedSession: readText(
      payload,
      16,
      SESSION_LENGTH,
      packet,
      "requestedSession",
      true,
    ),
    requestedSequenceNumber: readNumeric(
      payload,
      26,
      packet,
      "requestedSequenceNumber",
      true,
    ),
  };
}

function readLoginAccepted(payload: Uint8Array): LoginAcceptedPacket {
  const packet = "loginAccepted";
  checkPayloadLength(payload, LOGIN_ACCEPTED_PAYLOAD_LENGTH, packet);
  return {
    type: "loginAccepted",
    session: readText(payload, 0, SESSION_LENGTH, packet, "session", false),
    sequenceNumber: readNumeric(payload, 10, packet, "sequenceNumber"),
  };
}

function readLoginRejectCode(payload: Uint8Array): LoginRejectCode {
  const packet = "loginRejected";
  checkPayloadLength(payload, LOGIN_REJECTED_PAYLOAD_LENGTH, packet);
  const byte = payload[0]!;
  if (LOGIN_REJECT_SET.flags[byte] !== 1) {
    fail(
      `Cannot decode ${packet} field rejectReasonCode as ${LOGIN_REJECT_SET.rule}: current value is ${
        describeByte(byte)
      }`,
      PACKET_HEADER_LENGTH,
      packet,
      "rejectReasonCode",
    );
  }
  return CHARS[byte] as LoginRejectCode;
}

/**
 * Decodes a packet a client sends: Debug `+`, Login Request `L`, Unsequenced Data `U`,
 * Client Heartbeat `R` or Logout Request `O`.
 *
 * Login Request fields are read leniently: Alpha fields are trimmed of spaces on both
 * sides and may be NUL-terminated (the bytes after the NUL must be NUL or spaces); the
 * sequence number is trimmed, may be zero-padded, and reads as 0 when blank. The `message`
 * of Unsequenced Data is `payload` itself, not a copy, and is not decoded.
 *
 * @param type The packet type byte.
 * @param payload The bytes after the type byte.
 * @returns The packet.
 * @throws {SoupBinTcpError} If the type is unknown or only a server sends it, a fixed-size
 * packet has the wrong payload length, a text byte is not printable ASCII, the sequence
 * number holds a non-digit or exceeds `Number.MAX_SAFE_INTEGER`. Offsets count from the
 * start of the packet (type byte at 2).
 *
 * @example Login Request with a NUL-terminated password
 * ```ts
 * import { decodeClientPacket } from "./soupbintcp.ts";
 * import assert from "node:assert/strict";
 *
 * const payload = new TextEncoder().encode(
 *   "alice secret\0\0\0\0" + " ".repeat(10) + "00000000000000000001",
 * );
 * assert.deepEqual(decodeClientPacket(0x4c, payload), {
 *   type: "loginRequest",
 *   username: "alice",
 *   password: "secret",
 *   requestedSession: "",
 *   requestedSequenceNumber: 1,
 * });
 * assert.throws(() => decodeClientPacket(0x41, payload), {
 *   name: "SoupBinTcpError",
 *   message: /Login Accepted, which only a server sends/,
 * });
 * ```
 */
export function decodeClientPacket(
  type: number,
  payload: Uint8Array,
): ClientPacket {
  switch (type) {
    case PACKET_TYPE_UNSEQUENCED_DATA:
      return { type: "unsequencedData", message: payload };
    case PACKET_TYPE_CLIENT_HEARTBEAT:
      checkPayloadLength(payload, 0, "clientHeartbeat");
      return { type: "clientHeartbeat" };
    case PACKET_TYPE_LOGIN_REQUEST:
      return readLoginRequest(payload);
    case PACKET_TYPE_LOGOUT_REQUEST:
      checkPayloadLength(payload, 0, "logoutRequest");
      return { type: "logoutRequest" };
    case PACKET_TYPE_DEBUG:
      return readDebug(payload);
    default:
      return failPacketType(type, "client");
  }
}

/**
 * Decodes a packet a server sends: Debug `+`, Login Accepted `A`, Login Rejected `J`,
 * Sequenced Data `S`, Server Heartbeat `H` or End of Session `Z`.
 *
 * Login Accepted is read leniently: the session is trimmed of spaces on both sides; the
 * sequence number is trimmed, may be zero-padded, and reads as 0 when blank. The `message`
 * of Sequenced Data is `payload` itself, not a copy, and is not decoded.
 *
 * @param type The packet type byte.
 * @param payload The bytes after the type byte.
 * @returns The packet.
 * @throws {SoupBinTcpError} If the type is unknown or only a client sends it, a fixed-size
 * packet has the wrong payload length, a text byte is not printable ASCII, the reject
 * reason code is not `A` or `S`, or the sequence number holds a non-digit or exceeds
 * `Number.MAX_SAFE_INTEGER`. Offsets count from the start of the packet (type byte at 2).
 *
 * @example Sequenced Data is a view
 * ```ts
 * import { decodeServerPacket } from "./soupbintcp.ts";
 * import assert from "node:assert/strict";
 *
 * const payload = new Uint8Array([0x53, 0, 0, 0, 0, 0, 0, 0, 1, 0x45]);
 * const packet = decodeServerPacket(0x53, payload);
 * assert.equal(packet.type, "sequencedData");
 * assert.ok(packet.type === "sequencedData" && packet.message === payload);
 * assert.deepEqual(decodeServerPacket(0x4a, new Uint8Array([0x41])), {
 *   type: "loginRejected",
 *   rejectReasonCode: "A",
 * });
 * ```
 */
export function decodeServerPacket(
  type: number,
  payload: Uint8Array,
): ServerPacket {
  switch (type) {
    case PACKET_TYPE_SEQUENCED_DATA:
      return { type: "sequencedData", message: payload };
    case PACKET_TYPE_SERVER_HEARTBEAT:
      checkPayloadLength(payload, 0, "serverHeartbeat");
      return { type: "serverHeartbeat" };
    case PACKET_TYPE_LOGIN_ACCEPTED:
      return readLoginAccepted(payload);
    case PACKET_TYPE_LOGIN_REJECTED:
      return {
        type: "loginRejected",
        rejectReasonCode: readLoginRejectCode(payload),
      };
    case PACKET_TYPE_END_OF_SESSION:
      checkPayloadLength(payload, 0, "endOfSession");
      return { type: "endOfSession" };
    case PACKET_TYPE_DEBUG:
      return readDebug(payload);
    default:
      return failPacketType(type, "server");
  }
}
