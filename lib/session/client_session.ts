/**
 * The client side of one SoupBinTCP 3.00 connection, without I/O.
 *
 * @module
 */
import { SoupBinTcpError } from "../codec/errors.ts";
import { FrameReader } from "../codec/frame_reader.ts";
import type { InboundMessage } from "../codec/messages.ts";
import type { CodecOptions } from "../codec/options.ts";
import type { ClientPacket, LoginRejectCode } from "../codec/packets.ts";
import { PACKET_TYPE_SEQUENCED_DATA } from "../codec/packets.ts";
import {
  decodeServerPacket,
  encodePacketInto,
  encodeUnsequencedInto,
} from "../codec/soupbintcp.ts";
import type { WriteBuffer } from "./write_buffer.ts";

/** Receives what a {@linkcode ClientSession} reads. It must not call back into the session. */
export interface ClientSessionHandler {
  /** The server accepted the login; `sequenceNumber` numbers the next Sequenced Data. */
  loginAccepted(session: string, sequenceNumber: number): void;
  /** The server refused the login. */
  loginRejected(code: LoginRejectCode): void;
  /** A sequenced OUCH message arrived; `message` is a view valid only during the call. */
  message(message: Uint8Array, sequenceNumber: number): void;
  /** The server sent End of Session. */
  endOfSession(): void;
  /** The server sent a Debug packet. */
  debug?(text: string): void;
}

/** What a client asks for when it logs in. */
export interface ClientLogin {
  /** Up to 6 ASCII characters. */
  username: string;
  /** Up to 10 ASCII characters. */
  password: string;
  /** The session to join; `""` for the current one. @default {""} */
  requestedSession?: string;
  /** The next sequence number wanted; `0` for new messages only. @default {1} */
  requestedSequenceNumber?: number | bigint;
}

/** Timing limits of a {@linkcode ClientSession}. */
export interface ClientSessionOptions {
  /** Send a Client Heartbeat after this long without sending anything. @default {1000} */
  heartbeatIntervalMs?: number;
  /** Treat the link as dead after this long without receiving anything. @default {15000} */
  serverTimeoutMs?: number;
  /** The protocol version of the OUCH messages sent. @default {"1.12"} */
  version?: CodecOptions["version"];
}

/** The state of a {@linkcode ClientSession}. */
export type ClientSessionState =
  | "idle"
  | "loggingIn"
  | "active"
  | "loggingOut"
  | "ended";

/**
 * The client side of one SoupBinTCP connection: login, Unsequenced Data out, Sequenced Data
 * in with numbering, heartbeats, logout.
 *
 * @example Log in and send an order
 * ```ts
 * import { ClientSession } from "./client_session.ts";
 * import { WriteBuffer } from "./write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const output = new WriteBuffer();
 * const session = new ClientSession({
 *   loginAccepted: () => {},
 *   loginRejected: () => {},
 *   message: () => {},
 *   endOfSession: () => {},
 * }, output, 0);
 * session.login({ username: "demo1", password: "demo" });
 * assert.equal(output.length, 49); // Login Request
 * session.send({ type: "cancelOrder", orderToken: 1, quantity: 0 });
 * assert.equal(output.length, 49 + 12); // plus Unsequenced Data
 * ```
 */
export class ClientSession {
  readonly #handler: ClientSessionHandler;
  readonly #output: WriteBuffer;
  readonly #reader = new FrameReader();
  readonly #heartbeatIntervalMs: number;
  readonly #serverTimeoutMs: number;
  readonly #codec: CodecOptions;
  readonly #onFrame: (type: number, payload: Uint8Array) => void;
  #state: ClientSessionState = "idle";
  #session = "";
  #next = 1;
  #lastReceivedAt: number;
  #lastSentAt: number;
  #now: number;

  /**
   * Constructs the session of a connection that has just been opened.
   *
   * @param handler Receives login results, sequenced messages and End of Session.
   * @param output Where packets for the server are written.
   * @param nowMs The current time in milliseconds.
   * @param options Timing limits and protocol version.
   */
  constructor(
    handler: ClientSessionHandler,
    output: WriteBuffer,
    nowMs: number,
    options: ClientSessionOptions = {},
  ) {
    this.#handler = handler;
    this.#output = output;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1000;
    this.#serverTimeoutMs = options.serverTimeoutMs ?? 15000;
    this.#codec = { version: options.version ?? "1.12" };
    this.#onFrame = (type, payload) => this.#frame(type, payload);
    this.#lastReceivedAt = nowMs;
    this.#lastSentAt = nowMs;
    this.#now = nowMs;
  }

  /** Where the session is. */
  get state(): ClientSessionState {
    return this.#state;
  }

  /** The session id from Login Accepted, or `""` before. */
  get session(): string {
    return this.#session;
  }

  /** The sequence number the next Sequenced Data message will have: ask for it on reconnect. */
  get nextSequenceNumber(): number {
    return this.#next;
  }

  /**
   * Writes a Login Request.
   *
   * @param login Credentials, session and the first sequence number wanted.
   * @throws {TypeError} When a login was already sent.
   * @throws {RangeError} When a field cannot be encoded (see the codec's `OuchEncodeError`).
   */
  login(login: ClientLogin): void {
    if (this.#state !== "idle") {
      throw new TypeError(`Cannot log in as the session is ${this.#state}`);
    }
    this.#write({
      type: "loginRequest",
      username: login.username,
      password: login.password,
      requestedSession: login.requestedSession ?? "",
      requestedSequenceNumber: login.requestedSequenceNumber ?? 1,
    });
    this.#state = "loggingIn";
  }

  /**
   * Writes one OUCH message in an Unsequenced Data packet.
   *
   * @param message The message to send.
   * @throws {RangeError} When a field cannot be encoded (see the codec's `OuchEncodeError`).
   */
  send(message: InboundMessage): void {
    const at = this.#output.reserve(64);
    this.#output.commit(
      encodeUnsequencedInto(message, this.#output.bytes, at, this.#codec),
    );
    this.#lastSentAt = this.#now;
  }

  /**
   * Writes a Logout Request. Sequenced messages already on their way are still delivered
   * until the server closes the connection.
   */
  logout(): void {
    if (this.#state === "ended" || this.#state === "loggingOut") return;
    this.#write({ type: "logoutRequest" });
    this.#state = this.#state === "active" ? "loggingOut" : "ended";
  }

  /**
   * Reads bytes from the server.
   *
   * @param chunk The bytes read; they are not kept after the call returns.
   * @param nowMs The current time in milliseconds.
   * @throws {SoupBinTcpError} For a malformed packet or a packet a server may not send.
   */
  receive(chunk: Uint8Array, nowMs: number): void {
    this.#lastReceivedAt = nowMs;
    this.#now = nowMs;
    this.#reader.push(chunk, this.#onFrame);
  }

  /**
   * Lets time pass: sends a Client Heartbeat after a quiet interval.
   *
   * @param nowMs The current time in milliseconds.
   * @returns `"serverTimeout"` when the server has been silent too long, else `"ok"`.
   */
  tick(nowMs: number): "ok" | "serverTimeout" {
    this.#now = nowMs;
    if (this.#state === "ended" || this.#state === "idle") return "ok";
    if (nowMs - this.#lastReceivedAt >= this.#serverTimeoutMs) {
      return "serverTimeout";
    }
    if (
      this.#state === "active" &&
      nowMs - this.#lastSentAt >= this.#heartbeatIntervalMs
    ) {
      this.#write({ type: "clientHeartbeat" });
    }
    return "ok";
  }

  #frame(type: number, payload: Uint8Array): void {
    if (
      type === PACKET_TYPE_SEQUENCED_DATA &&
      (this.#state === "active" || this.#state === "loggingOut")
    ) {
      if (payload.length === 0) {
        throw new SoupBinTcpError(
          "Cannot read Sequenced Data as it must carry an OUCH message: the payload is empty",
          0,
          { messageType: "sequencedData" },
        );
      }
      this.#handler.message(payload, this.#next++);
      return;
    }
    const packet = decodeServerPacket(type, payload);
    switch (packet.type) {
      case "debug":
        this.#handler.debug?.(packet.text);
        return;
      case "serverHeartbeat":
        return;
      case "loginAccepted":
        this.#expect("loggingIn", packet.type);
        this.#session = packet.session;
        this.#next = packet.sequenceNumber;
        this.#state = "active";
        this.#handler.loginAccepted(packet.session, packet.sequenceNumber);
        return;
      case "loginRejected":
        this.#expect("loggingIn", packet.type);
        this.#state = "ended";
        this.#handler.loginRejected(packet.rejectReasonCode);
        return;
      case "endOfSession":
        this.#state = "ended";
        this.#handler.endOfSession();
        return;
      case "sequencedData":
        this.#expect("active", packet.type);
    }
  }

  #expect(state: ClientSessionState, packet: string): void {
    if (this.#state !== state) {
      throw new SoupBinTcpError(
        `Cannot accept ${packet} while the session is ${this.#state}`,
        0,
        { messageType: packet },
      );
    }
  }

  #write(packet: ClientPacket): void {
    const at = this.#output.reserve(64);
    this.#output.commit(encodePacketInto(packet, this.#output.bytes, at));
    this.#lastSentAt = this.#now;
  }
}
