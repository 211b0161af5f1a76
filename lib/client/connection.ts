/**
 * A client connection to an OUCH server over TCP: login, sending with one write per turn of
 * the event loop, heartbeats, and reconnection with replay when the link drops.
 *
 * @module
 */

import {
  decodeOutbound,
  type InboundMessage,
  type LoginRejectCode,
  type OutboundMessage,
  type ProtocolVersion,
} from "../codec/mod.ts";
import { ClientSession } from "../session/client_session.ts";
import { WriteBuffer } from "../session/write_buffer.ts";

/** How to reach and log in to the server, and how to behave when the link drops. */
export interface OuchConnectionOptions {
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** @default {15000} */
  port?: number;
  username: string;
  password: string;
  /** @default {"1.12"} */
  version?: ProtocolVersion;
  /**
   * The first sequence number asked for at the first login: 1 replays the day's messages
   * of the account, 0 asks for new ones only.
   *
   * @default {1}
   */
  requestedSequenceNumber?: number;
  /**
   * Reconnect when the link drops.
   *
   * @default {true}
   */
  reconnect?: boolean;
  /** The first pause before reconnecting; it doubles after each failed attempt. @default {100} */
  initialBackoffMs?: number;
  /** The longest pause between attempts. @default {5000} */
  maxBackoffMs?: number;
  /**
   * On a reconnect, a Login Rejected `S` (session not available) is retried for this long
   * after the link dropped, since the server may not have seen the old connection close yet.
   *
   * @default {15000}
   */
  busyRetryMs?: number;
  /** @default {1000} */
  heartbeatIntervalMs?: number;
  /** Treat the link as dead after this long without hearing from the server. @default {15000} */
  serverTimeoutMs?: number;
  /** How long {@linkcode OuchConnection.logout} waits for the server to close. @default {2000} */
  logoutTimeoutMs?: number;
}

/** Something that happened on a connection. */
export type ConnectionEvent =
  | {
    readonly type: "loginAccepted";
    readonly session: string;
    readonly sequenceNumber: number;
    readonly reconnect: boolean;
  }
  | {
    readonly type: "loginRejected";
    readonly code: LoginRejectCode;
    readonly reconnect: boolean;
  }
  | {
    readonly type: "message";
    readonly sequenceNumber: number;
    readonly message: OutboundMessage;
  }
  | {
    readonly type: "disconnected";
    readonly reason: string;
    readonly retryInMs: number;
  }
  | { readonly type: "endOfSession" };

/** Why a connection ended for good. */
export interface ConnectionEnd {
  /**
   * `logout` after {@linkcode OuchConnection.logout}, `closed` after
   * {@linkcode OuchConnection.close}, `endOfSession` after the server's End of Session,
   * `loginRejected` for a refused login, `failed` when the link dropped for good (a protocol
   * error, or reconnecting turned off).
   */
  readonly reason:
    | "logout"
    | "closed"
    | "endOfSession"
    | "loginRejected"
    | "failed";
  /** A description of the failure, for `failed`. */
  readonly detail?: string;
}

/** Receives a connection's events; it must not throw. */
export type ConnectionListener = (event: ConnectionEvent) => void;

const TICK_MS = 100;
const READ_BUFFER = 64 * 1024;

/**
 * One client session with an OUCH server that survives dropped links.
 *
 * {@linkcode OuchConnection.open} connects and sends the Login Request; the answer arrives
 * as a `loginAccepted` or `loginRejected` event. Messages passed to `send()` are encoded at
 * once and written together at the end of the current turn of the event loop, in one
 * write. Messages sent while the link is down are kept and sent after the next login.
 *
 * When the link drops (the socket closes or fails, or the server is silent for
 * `serverTimeoutMs`), the connection reconnects after 100 ms, doubling the pause up to 5 s,
 * for as long as it is not closed, and logs in asking for the session of the first login
 * and the sequence number after the last message received, so that every message arrives
 * exactly once and in order across the gap.
 */
export class OuchConnection {
  readonly #options:
    & Required<Omit<OuchConnectionOptions, "hostname" | "port">>
    & { hostname: string; port: number };
  readonly #listener: ConnectionListener;
  readonly #done = Promise.withResolvers<ConnectionEnd>();
  #socket: Deno.TcpConn | undefined;
  #session: ClientSession | undefined;
  #output = new WriteBuffer(4096);
  #reading: Promise<void> = Promise.resolve();
  #writing: Promise<void> | undefined;
  #flushScheduled = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #connecting: Promise<void> | undefined;
  #pending: InboundMessage[] = [];
  #waiters = new Set<() => void>();
  #sessionId = "";
  #next: number;
  #loggedIn = false;
  #backoffMs: number;
  #droppedAt = 0;
  #retryBusy = false;
  #ending: ConnectionEnd | undefined;
  #closing: "logout" | "closed" | undefined;
  #finished = false;
  #dropReason: string | undefined;

  private constructor(
    options: OuchConnectionOptions,
    listener: ConnectionListener,
  ) {
    this.#options = {
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 15000,
      username: options.username,
      password: options.password,
      version: options.version ?? "1.12",
      requestedSequenceNumber: options.requestedSequenceNumber ?? 1,
      reconnect: options.reconnect ?? true,
      initialBackoffMs: options.initialBackoffMs ?? 100,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      busyRetryMs: options.busyRetryMs ?? 15000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
      serverTimeoutMs: options.serverTimeoutMs ?? 15000,
      logoutTimeoutMs: options.logoutTimeoutMs ?? 2000,
    };
    this.#listener = listener;
    this.#next = this.#options.requestedSequenceNumber;
    this.#backoffMs = this.#options.initialBackoffMs;
  }

  /**
   * Connects and sends the Login Request.
   *
   * @param options Server address, account and reconnection behaviour.
   * @param listener Receives the login result, messages and link changes.
   * @returns The connection, logging in.
   * @throws {Deno.errors.ConnectionRefused} Or another connection error, when the first
   * connection cannot be made; nothing is retried then.
   */
  static async open(
    options: OuchConnectionOptions,
    listener: ConnectionListener,
  ): Promise<OuchConnection> {
    const connection = new OuchConnection(options, listener);
    const socket = await Deno.connect({
      hostname: connection.#options.hostname,
      port: connection.#options.port,
    });
    connection.#attach(socket);
    return connection;
  }

  /** `host:port` of the server. */
  get address(): string {
    return `${this.#options.hostname}:${this.#options.port}`;
  }

  /** The account. */
  get username(): string {
    return this.#options.username;
  }

  /** Whether a login is in force, so that sends go out at once. */
  get active(): boolean {
    return this.#loggedIn && this.#session?.state === "active";
  }

  /** The session id from the first Login Accepted, or `""` before. */
  get session(): string {
    return this.#sessionId;
  }

  /** The sequence number of the next message expected: asked for on reconnect. */
  get nextSequenceNumber(): number {
    return this.#next;
  }

  /** Resolves once the connection has ended for good, with the reason. */
  get done(): Promise<ConnectionEnd> {
    return this.#done.promise;
  }

  /**
   * Sends one OUCH message: written at the end of this turn of the event loop, or after the
   * next login while the link is down.
   *
   * @param message The message.
   * @throws {TypeError} When the connection has ended or is logging out.
   * @throws {OuchEncodeError} When the message cannot be encoded.
   */
  send(message: InboundMessage): void {
    if (this.#finished || this.#closing !== undefined) {
      throw new TypeError(
        "Cannot send a message as the connection is closed",
      );
    }
    if (!this.active) {
      this.#pending.push(message);
      return;
    }
    this.#session!.send(message);
    this.#schedule();
  }

  /**
   * Waits until the next event or `ms` milliseconds, whichever comes first.
   *
   * @param ms The longest wait.
   * @returns When either happened.
   */
  wait(ms: number): Promise<void> {
    if (this.#finished) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.#waiters.add(wake);
    });
  }

  /**
   * Logs out: sends a Logout Request and waits for the server to close the link (at most
   * `logoutTimeoutMs`), or stops reconnecting when the link is down.
   *
   * @returns How the connection ended.
   */
  async logout(): Promise<ConnectionEnd> {
    if (this.#finished) return this.done;
    if (this.#closing === undefined) this.#closing = "logout";
    const session = this.#session;
    if (
      this.#socket !== undefined && session !== undefined &&
      (session.state === "active" || session.state === "loggingIn")
    ) {
      session.logout();
      this.#schedule();
      const timer = setTimeout(
        () => this.#closeSocket(),
        this.#options.logoutTimeoutMs,
      );
      await this.#reading;
      clearTimeout(timer);
    } else {
      this.#closeSocket();
    }
    await this.#settle();
    return this.done;
  }

  /**
   * Closes the link at once, without a Logout Request, and stops reconnecting.
   *
   * @returns How the connection ended.
   */
  async close(): Promise<ConnectionEnd> {
    if (this.#closing === undefined) this.#closing = "closed";
    this.#closeSocket();
    await this.#settle();
    return this.done;
  }

  /** Waits for the socket loops and any reconnect in progress, then finishes. */
  async #settle(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#connecting;
    this.#closeSocket();
    await this.#reading;
    await this.#writing;
    this.#finish(this.#ending ?? { reason: this.#closing ?? "closed" });
  }

  #attach(socket: Deno.TcpConn): void {
    try {
      socket.setNoDelay(true);
    } catch {
      // not fatal
    }
    const reconnect = this.#sessionId !== "";
    const output = new WriteBuffer(4096);
    const session = new ClientSession(
      {
        loginAccepted: (id, sequenceNumber) => {
          if (this.#sessionId === "") this.#sessionId = id;
          this.#next = sequenceNumber;
          this.#loggedIn = true;
          this.#backoffMs = this.#options.initialBackoffMs;
          this.#emit({
            type: "loginAccepted",
            session: id,
            sequenceNumber,
            reconnect,
          });
          const pending = this.#pending;
          this.#pending = [];
          for (const message of pending) session.send(message);
          this.#schedule();
        },
        loginRejected: (code) => {
          if (
            reconnect && code === "S" &&
            performance.now() - this.#droppedAt < this.#options.busyRetryMs
          ) {
            this.#retryBusy = true;
            return;
          }
          this.#ending = { reason: "loginRejected" };
          this.#emit({ type: "loginRejected", code, reconnect });
        },
        message: (bytes, sequenceNumber) => {
          this.#next = sequenceNumber + 1;
          this.#emit({
            type: "message",
            sequenceNumber,
            message: decodeOutbound(bytes, { version: this.#options.version }),
          });
        },
        endOfSession: () => {
          this.#ending = { reason: "endOfSession" };
          this.#emit({ type: "endOfSession" });
        },
      },
      output,
      performance.now(),
      {
        version: this.#options.version,
        heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
        serverTimeoutMs: this.#options.serverTimeoutMs,
      },
    );
    this.#socket = socket;
    this.#session = session;
    this.#output = output;
    this.#loggedIn = false;
    session.login({
      username: this.#options.username,
      password: this.#options.password,
      requestedSession: this.#sessionId,
      requestedSequenceNumber: this.#next,
    });
    this.#schedule();
    this.#timer = setInterval(() => {
      if (session.tick(performance.now()) === "serverTimeout") {
        this.#dropReason =
          `nothing from the server for ${this.#options.serverTimeoutMs} ms`;
        this.#closeSocket();
      }
      this.#schedule();
    }, TICK_MS);
    this.#reading = this.#read(socket, session);
  }

  async #read(socket: Deno.TcpConn, session: ClientSession): Promise<void> {
    const buffer = new Uint8Array(READ_BUFFER);
    let reason = "the server closed the connection";
    let fatal: string | undefined;
    try {
      while (true) {
        const count = await socket.read(buffer);
        if (count === null) break;
        try {
          session.receive(buffer.subarray(0, count), performance.now());
        } catch (error) {
          fatal = `protocol error: ${
            error instanceof Error ? error.message : String(error)
          }`;
          break;
        }
      }
    } catch (error) {
      reason = `read failed: ${
        error instanceof Error ? error.message : String(error)
      }`;
    }
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#socket === socket) this.#closeSocket();
    await this.#writing;
    this.#socketEnded(fatal, this.#dropReason ?? reason);
  }

  #socketEnded(fatal: string | undefined, reason: string): void {
    this.#dropReason = undefined;
    this.#loggedIn = false;
    if (this.#closing !== undefined || this.#finished) return;
    if (fatal !== undefined) {
      this.#finish({ reason: "failed", detail: fatal });
      return;
    }
    if (this.#ending !== undefined) {
      this.#finish(this.#ending);
      return;
    }
    if (!this.#options.reconnect) {
      this.#finish({ reason: "failed", detail: reason });
      return;
    }
    const busy = this.#retryBusy;
    this.#retryBusy = false;
    if (!busy) this.#droppedAt = performance.now();
    this.#retry(busy ? "the session is not available yet" : reason);
  }

  #retry(reason: string): void {
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs);
    this.#emit({ type: "disconnected", reason, retryInMs: delay });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connecting = this.#reconnect();
    }, delay);
  }

  async #reconnect(): Promise<void> {
    let socket: Deno.TcpConn;
    try {
      socket = await Deno.connect({
        hostname: this.#options.hostname,
        port: this.#options.port,
      });
    } catch (error) {
      if (this.#closing === undefined) {
        this.#retry(
          `connect failed: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
      }
      return;
    }
    if (this.#closing !== undefined) {
      socket.close();
      return;
    }
    this.#attach(socket);
  }

  #closeSocket(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    try {
      socket.close();
    } catch {
      // already closed
    }
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      // #write awaits before it can finish when there is something to write, so that
      // its `finally` always runs after this assignment.
      if (
        this.#writing === undefined && this.#socket !== undefined &&
        this.#output.length > 0
      ) {
        this.#writing = this.#write(this.#socket, this.#output);
      }
    });
  }

  async #write(socket: Deno.TcpConn, output: WriteBuffer): Promise<void> {
    try {
      while (true) {
        const bytes = output.take();
        if (bytes === null) break;
        let at = 0;
        while (at < bytes.length) at += await socket.write(bytes.subarray(at));
        output.release(bytes);
      }
    } catch {
      // The read loop sees the failure and reconnects.
      if (this.#socket === socket) this.#closeSocket();
    } finally {
      this.#writing = undefined;
      if (this.#output.length > 0 && this.#socket !== undefined) {
        this.#schedule();
      }
    }
  }

  #emit(event: ConnectionEvent): void {
    this.#listener(event);
    for (const wake of [...this.#waiters]) wake();
  }

  #finish(end: ConnectionEnd): void {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#timer);
    clearTimeout(this.#retryTimer);
    for (const wake of [...this.#waiters]) wake();
    this.#done.resolve(end);
  }
}
