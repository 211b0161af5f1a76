/**
 * The server side of one SoupBinTCP 3.00 connection, without I/O.
 *
 * @module
 */
import { SoupBinTcpError } from "../codec/errors.ts";
import { FrameReader } from "../codec/frame_reader.ts";
import type { LoginRejectCode, LoginRequestPacket } from "../codec/packets.ts";
import { PACKET_TYPE_UNSEQUENCED_DATA } from "../codec/packets.ts";
import { decodeClientPacket, encodePacketInto } from "../codec/soupbintcp.ts";
import type { PacketStream } from "./message_log.ts";
import type { WriteBuffer } from "./write_buffer.ts";

/** What the owner of a session answers to a Login Request. */
export type LoginDecision =
  | {
    readonly accept: true;
    /** The session (trading day) id sent in Login Accepted. */
    readonly session: string;
    /** The account's sequenced messages; the session replays and streams from it. */
    readonly stream: PacketStream;
    /**
     * How many messages the account has been sequenced so far, sendable or not yet: a
     * Requested Sequence Number of 0, or beyond this plus 1, starts after them.
     */
    readonly sequenced: number;
  }
  | { readonly accept: false; readonly code: LoginRejectCode };

/** Why a session ended. */
export type ServerSessionEnd =
  | { readonly reason: "logout" }
  | { readonly reason: "loginRejected"; readonly code: LoginRejectCode }
  | { readonly reason: "loginTimeout"; readonly afterMs: number }
  | { readonly reason: "idleTimeout"; readonly afterMs: number }
  | { readonly reason: "endOfSession" };

/** Receives what a {@linkcode ServerSession} reads. It must not call back into the session. */
export interface ServerSessionHandler {
  /** A Login Request arrived; answer whether to accept it. */
  login(request: LoginRequestPacket): LoginDecision;
  /** An inbound OUCH message arrived; `message` is a view valid only during the call. */
  message(message: Uint8Array): void;
  /** The session ended; the owner should write what is left in the output and close. */
  end(end: ServerSessionEnd): void;
}

/** Timing and size limits of a {@linkcode ServerSession}. */
export interface ServerSessionOptions {
  /** Send a Server Heartbeat after this long without sending anything. @default {1000} */
  heartbeatIntervalMs?: number;
  /** End the session after this long without receiving anything once logged in. @default {15000} */
  idleTimeoutMs?: number;
  /** End the connection if no Login Request arrives within this time. @default {15000} */
  loginTimeoutMs?: number;
  /** Largest packet length field accepted; longer packets are a protocol error. @default {1024} */
  maxPacketLength?: number;
}

/** The state of a {@linkcode ServerSession}. */
export type ServerSessionState = "awaitingLogin" | "active" | "ended";

const SCRATCH_PACKET_SIZE = 64;

/**
 * Says why a session ended, for a log line or a close reason.
 *
 * @param end How it ended.
 * @returns For example `no client traffic for 15000 ms` or `login rejected (A)`.
 *
 * @example
 * ```ts
 * import { describeSessionEnd } from "./server_session.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeSessionEnd({ reason: "loginRejected", code: "A" }), "login rejected (A)");
 * ```
 */
export function describeSessionEnd(end: ServerSessionEnd): string {
  switch (end.reason) {
    case "logout":
      return "logout";
    case "loginRejected":
      return `login rejected (${end.code})`;
    case "loginTimeout":
      return `no Login Request within ${Math.round(end.afterMs)} ms`;
    case "idleTimeout":
      return `no client traffic for ${Math.round(end.afterMs)} ms`;
    case "endOfSession":
      return "end of session";
  }
}

/**
 * The first sequence number a session sends after its Login Request (K2): `0` asks for no
 * replay and a number beyond the stream (a 20-digit one included) for the next new message;
 * otherwise the number asked for.
 *
 * @param requested The Login Request's Requested Sequence Number.
 * @param sequenced How many messages the account's stream holds.
 * @returns The number of the first Sequenced Data packet the session sends.
 *
 * @example
 * ```ts
 * import { firstSequenceNumber } from "./server_session.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(firstSequenceNumber(0, 5), 6);
 * assert.equal(firstSequenceNumber(3, 5), 3);
 * assert.equal(firstSequenceNumber(99_999_999_999_999_999_999n, 5), 6);
 * ```
 */
export function firstSequenceNumber(
  requested: number | bigint,
  sequenced: number,
): number {
  return requested === 0 || requested > sequenced + 1
    ? sequenced + 1
    : Number(requested);
}

/**
 * The server side of one SoupBinTCP connection: login, sequenced streaming with replay,
 * heartbeats, timeouts and logout.
 *
 * Feed it bytes with {@linkcode ServerSession.receive} and the time with
 * {@linkcode ServerSession.tick}; it writes packets into the {@linkcode WriteBuffer} it was
 * given. Sequenced messages are never copied in directly: they are appended to the account's
 * {@linkcode PacketStream}, and {@linkcode ServerSession.pump} copies whatever the client has
 * not been sent yet. Malformed input throws {@linkcode SoupBinTcpError}; the owner then closes
 * this one connection.
 *
 * @example Log in and receive one message
 * ```ts
 * import { ServerSession } from "./server_session.ts";
 * import { MessageLog } from "./message_log.ts";
 * import { WriteBuffer } from "./write_buffer.ts";
 * import { encodePacket } from "../codec/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const log = new MessageLog();
 * log.append(new Uint8Array([0x53, 0, 0, 0, 0, 0, 0, 0, 1, 0x53])); // System Event
 * const output = new WriteBuffer();
 * const session = new ServerSession({
 *   login: () => ({ accept: true, session: "S1", stream: log, sequenced: log.length }),
 *   message: () => {},
 *   end: () => {},
 * }, output, 0);
 * session.receive(encodePacket({
 *   type: "loginRequest",
 *   username: "demo1",
 *   password: "demo",
 *   requestedSession: "",
 *   requestedSequenceNumber: 1,
 * }), 0);
 * session.pump(1 << 20);
 * assert.equal(session.state, "active");
 * assert.equal(session.nextSequenceNumber, 2);
 * assert.equal(output.length, 33 + 13); // Login Accepted + one Sequenced Data packet
 * ```
 */
export class ServerSession {
  readonly #handler: ServerSessionHandler;
  readonly #output: WriteBuffer;
  readonly #reader: FrameReader;
  readonly #heartbeatIntervalMs: number;
  readonly #idleTimeoutMs: number;
  readonly #loginTimeoutMs: number;
  readonly #onFrame: (type: number, payload: Uint8Array) => void;
  #state: ServerSessionState = "awaitingLogin";
  /** Set once End of Session is written: nothing may follow it. */
  #finished = false;
  #stream: PacketStream | undefined;
  #username = "";
  #next = 1;
  #connectedAt: number;
  #lastReceivedAt: number;
  #lastSentAt: number;
  #now: number;
  #offset = 0;

  /**
   * Constructs the session of a connection that has just been accepted.
   *
   * @param handler Receives logins, inbound messages and the end of the session.
   * @param output Where packets for the client are written.
   * @param nowMs The current time in milliseconds.
   * @param options Timing and size limits.
   */
  constructor(
    handler: ServerSessionHandler,
    output: WriteBuffer,
    nowMs: number,
    options: ServerSessionOptions = {},
  ) {
    this.#handler = handler;
    this.#output = output;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 15000;
    this.#loginTimeoutMs = options.loginTimeoutMs ?? 15000;
    this.#reader = new FrameReader({
      maxLength: options.maxPacketLength ?? 1024,
    });
    this.#onFrame = (type, payload) => this.#frame(type, payload);
    this.#connectedAt = nowMs;
    this.#lastReceivedAt = nowMs;
    this.#lastSentAt = nowMs;
    this.#now = nowMs;
  }

  /** Where the session is: waiting for a Login Request, logged in, or ended. */
  get state(): ServerSessionState {
    return this.#state;
  }

  /** The logged-in username, or `""` before login. */
  get username(): string {
    return this.#username;
  }

  /** The sequence number of the next message this client will be sent. */
  get nextSequenceNumber(): number {
    return this.#next;
  }

  /** How many logged messages the client has not been sent yet. */
  get backlog(): number {
    return this.#stream === undefined
      ? 0
      : Math.max(0, this.#stream.length - this.#next + 1);
  }

  /**
   * Reads bytes from the client.
   *
   * @param chunk The bytes read; they are not kept after the call returns.
   * @param nowMs The current time in milliseconds.
   * @throws {SoupBinTcpError} For a malformed packet, an unknown or misdirected packet type,
   * data before login or a second login. The session is then ended; close the connection.
   */
  receive(chunk: Uint8Array, nowMs: number): void {
    if (this.#state === "ended") return;
    this.#lastReceivedAt = nowMs;
    this.#now = nowMs;
    try {
      this.#reader.push(chunk, this.#onFrame);
    } catch (error) {
      this.#state = "ended";
      throw error;
    }
    this.#offset += chunk.length;
  }

  /**
   * Counts as client traffic for the idle timeout: the server holds the client's input
   * unread (while its journal cannot be written), so the client's heartbeats are not seen.
   *
   * @param nowMs The current time in milliseconds.
   */
  excuseSilence(nowMs: number): void {
    this.#lastReceivedAt = nowMs;
  }

  /**
   * Lets time pass: sends a heartbeat after a quiet second and ends the session after the
   * login or idle timeout.
   *
   * @param nowMs The current time in milliseconds.
   */
  tick(nowMs: number): void {
    this.#now = nowMs;
    if (this.#state === "awaitingLogin") {
      if (nowMs - this.#connectedAt >= this.#loginTimeoutMs) {
        this.#end({
          reason: "loginTimeout",
          afterMs: nowMs - this.#connectedAt,
        });
      }
      return;
    }
    if (this.#state !== "active") return;
    if (nowMs - this.#lastReceivedAt >= this.#idleTimeoutMs) {
      this.#end({
        reason: "idleTimeout",
        afterMs: nowMs - this.#lastReceivedAt,
      });
      return;
    }
    if (nowMs - this.#lastSentAt >= this.#heartbeatIntervalMs) {
      this.#write({ type: "serverHeartbeat" });
    }
  }

  /**
   * Copies the logged messages the client has not been sent yet into the output, up to
   * `maxBytes` of output. A session the client ended (logout, timeout, bad input) still
   * drains what its stream holds, so that the answers to messages read before the end go out
   * before the connection closes; after End of Session nothing more is sent.
   *
   * @param maxBytes Stop before the output grows beyond this many bytes.
   * @returns How many messages are still waiting.
   */
  pump(maxBytes: number): number {
    const stream = this.#stream;
    if (stream === undefined || this.#finished) return 0;
    if (this.#next <= stream.length) {
      this.#next = stream.copyTo(this.#next, this.#output, maxBytes);
      this.#lastSentAt = this.#now;
    }
    return Math.max(0, stream.length - this.#next + 1);
  }

  /**
   * Ends the session from the server side: sends what is left of the log, then End of
   * Session.
   */
  endSession(): void {
    if (this.#state === "ended") return;
    if (this.#state === "active") {
      this.pump(Number.MAX_SAFE_INTEGER);
      this.#write({ type: "endOfSession" });
    }
    this.#finished = true;
    this.#end({ reason: "endOfSession" });
  }

  #frame(type: number, payload: Uint8Array): void {
    if (this.#state === "ended") return;
    if (type === PACKET_TYPE_UNSEQUENCED_DATA && this.#state === "active") {
      if (payload.length === 0) {
        throw new SoupBinTcpError(
          "Cannot read Unsequenced Data as it must carry an OUCH message: the payload is empty",
          this.#offset,
          { messageType: "unsequencedData" },
        );
      }
      this.#handler.message(payload);
      return;
    }
    const packet = decodeClientPacket(type, payload);
    switch (packet.type) {
      case "loginRequest":
        if (this.#state !== "awaitingLogin") {
          throw new SoupBinTcpError(
            `Cannot accept a second Login Request: "${this.#username}" is already logged in`,
            this.#offset,
            { messageType: "loginRequest" },
          );
        }
        this.#login(packet);
        return;
      case "debug":
        return;
      default:
        if (this.#state !== "active") {
          throw new SoupBinTcpError(
            `Cannot accept ${packet.type} before login: the first packet must be a Login Request`,
            this.#offset,
            { messageType: packet.type },
          );
        }
        if (packet.type === "logoutRequest") this.#end({ reason: "logout" });
        // A Client Heartbeat needs nothing more: receiving it already reset the idle clock.
    }
  }

  #login(request: LoginRequestPacket): void {
    const decision = this.#handler.login(request);
    if (!decision.accept) {
      this.#write({ type: "loginRejected", rejectReasonCode: decision.code });
      this.#end({ reason: "loginRejected", code: decision.code });
      return;
    }
    const sequenced = decision.sequenced;
    this.#next = firstSequenceNumber(
      request.requestedSequenceNumber,
      sequenced,
    );
    this.#stream = decision.stream;
    this.#username = request.username;
    this.#state = "active";
    this.#write({
      type: "loginAccepted",
      session: decision.session,
      sequenceNumber: this.#next,
    });
  }

  #write(packet: Parameters<typeof encodePacketInto>[0]): void {
    const at = this.#output.reserve(SCRATCH_PACKET_SIZE);
    this.#output.commit(encodePacketInto(packet, this.#output.bytes, at));
    this.#lastSentAt = this.#now;
  }

  #end(end: ServerSessionEnd): void {
    this.#state = "ended";
    this.#handler.end(end);
  }
}
