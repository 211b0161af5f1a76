/**
 * A client connection to an OUCH server over TCP: login, sending with one write per turn of
 * the event loop, heartbeats, and reconnection with replay when the link drops, on the
 * shared socket driver (`lib/net`).
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
import {
  describeClose,
  type SocketCloseReason,
  SoupBinTcpSocket,
} from "../net/soupbintcp_socket.ts";
import { ClientSession } from "../session/client_session.ts";
import { WriteBuffer } from "../session/write_buffer.ts";
import { formatHost, type HostAddress } from "./hosts.ts";
import {
  type UnansweredMessage,
  UnansweredMessages,
} from "./unanswered_messages.ts";

/** How to reach and log in to the server, and how to behave when the link drops. */
export interface OuchConnectionOptions {
  /** The server's address, when `hosts` is not given. @default {"127.0.0.1"} */
  hostname?: string;
  /** The server's port, when `hosts` is not given. @default {15000} */
  port?: number;
  /**
   * Mirrored OUCH hosts of the account (JNX §3), in order: the first connection goes to
   * the first that accepts it, and each lost link moves to the next (after the last, the
   * first again). Replaces `hostname` and `port`.
   *
   * @default {[{ hostname, port }]}
   */
  hosts?: readonly HostAddress[];
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
  /**
   * Opens the TCP connection for each attempt: the first and every reconnect, to the host
   * the attempt names.
   *
   * @default {Deno.connect to the attempt's host}
   */
  connect?: (attempt: ConnectAttempt) => Promise<Deno.Conn>;
}

/** Which attempt {@linkcode OuchConnectionOptions.connect} is asked to open. */
export interface ConnectAttempt {
  /** `false` for the first connection, `true` for a reconnect. */
  readonly reconnect: boolean;
  /** Failed attempts since the last login, 0 for the first try. */
  readonly failures: number;
  /** The host to connect to: one of the `hosts`, in turn. */
  readonly host: HostAddress;
}

/** Something that happened on a connection. */
export type ConnectionEvent =
  | {
    readonly type: "loginAccepted";
    /** `host:port` of the host that accepted it. */
    readonly address: string;
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
    /** `host:port` of the host the next attempt goes to. */
    readonly next: string;
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
 *
 * Mirrored hosts (JNX §3 and §6, issue #14): with several `hosts`, a lost link moves to
 * the next host. Every message sent stays in {@linkcode OuchConnection.unanswered} until
 * the server answers it, and after each reconnect (to another host or the same one) the
 * client sends all of them again, in order, right after Login Accepted: it cannot tell
 * what the old link delivered, and JNX §6 makes every inbound message benign to repeat (a
 * token the server has already seen, or a cancel of an order already gone, is ignored,
 * K4). The answers they get arrive once, at their sequence numbers; a message whose
 * sequence number was already received is never passed on, so nothing is seen twice.
 */
export class OuchConnection {
  readonly #options: Required<
    Omit<OuchConnectionOptions, "hostname" | "port" | "hosts" | "connect">
  >;
  readonly #hosts: readonly HostAddress[];
  #host = 0;
  readonly #connect: (attempt: ConnectAttempt) => Promise<Deno.Conn>;
  readonly #listener: ConnectionListener;
  readonly #done = Promise.withResolvers<ConnectionEnd>();
  readonly #unanswered = new UnansweredMessages();
  #socket: SoupBinTcpSocket | undefined;
  #session: ClientSession | undefined;
  #socketClosed: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #connecting: Promise<void> | undefined;
  #waiters = new Set<() => void>();
  #sessionId = "";
  #next: number;
  #loggedIn = false;
  #backoffMs: number;
  #failures = 0;
  #droppedAt = 0;
  #retryBusy = false;
  #ending: ConnectionEnd | undefined;
  #closing: "logout" | "closed" | undefined;
  #finished = false;

  private constructor(
    options: OuchConnectionOptions,
    listener: ConnectionListener,
  ) {
    this.#hosts = options.hosts ?? [{
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 15000,
    }];
    if (this.#hosts.length === 0) {
      throw new RangeError("Cannot connect to an empty list of hosts");
    }
    this.#options = {
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
    this.#connect = options.connect ??
      (({ host }) =>
        Deno.connect({ hostname: host.hostname, port: host.port }));
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
   * @throws {RangeError} For an empty list of hosts.
   * @throws {Deno.errors.ConnectionRefused} Or another connection error, when no host
   * accepts the first connection (each is tried once, in order); the error is the last
   * host's.
   */
  static async open(
    options: OuchConnectionOptions,
    listener: ConnectionListener,
  ): Promise<OuchConnection> {
    const connection = new OuchConnection(options, listener);
    const hosts = connection.#hosts;
    for (let i = 0;; i++) {
      try {
        connection.#attach(
          await connection.#connect({
            reconnect: false,
            failures: i,
            host: hosts[i]!,
          }),
        );
        connection.#host = i;
        return connection;
      } catch (error) {
        if (i + 1 >= hosts.length) throw error;
      }
    }
  }

  /** `host:port` of the host in use, or of the next attempt while the link is down. */
  get address(): string {
    return formatHost(this.#hosts[this.#host]!);
  }

  /** The account. */
  get username(): string {
    return this.#options.username;
  }

  /** Whether a login is in force, so that sends go out at once. */
  get active(): boolean {
    return this.#loggedIn && this.#session?.state === "active" &&
      this.#socket?.open === true;
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
   * The messages sent and not answered yet, oldest first, written or still waiting for a
   * login (see `UnansweredMessages` for what answers what).
   *
   * @returns A snapshot.
   */
  unanswered(): UnansweredMessage[] {
    return this.#unanswered.list();
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
      this.#unanswered.add(message, false);
      return;
    }
    this.#session!.send(message);
    this.#unanswered.add(message, true);
    this.#socket!.requestFlush();
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
    const socket = this.#socket;
    const session = this.#session;
    if (
      socket !== undefined && session !== undefined &&
      (session.state === "active" || session.state === "loggingIn")
    ) {
      session.logout();
      socket.requestFlush();
      const timer = setTimeout(
        () => socket.close("no answer to the Logout Request"),
        this.#options.logoutTimeoutMs,
      );
      await socket.closed;
      clearTimeout(timer);
    } else {
      this.#closeSocket("logout");
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
    this.#closeSocket("closed");
    await this.#settle();
    return this.done;
  }

  /** Waits for the socket and any reconnect in progress, then finishes. */
  async #settle(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    await this.#connecting;
    this.#closeSocket(this.#closing ?? "closed");
    await this.#socketClosed;
    this.#finish(this.#ending ?? { reason: this.#closing ?? "closed" });
  }

  #attach(conn: Deno.Conn): void {
    const reconnect = this.#sessionId !== "";
    const socket = new SoupBinTcpSocket(conn, {
      receive: (chunk, nowMs) => session.receive(chunk, nowMs),
      closed: (reason) => this.#socketEnded(socket, reason),
    }, { readBufferSize: READ_BUFFER, output: new WriteBuffer(4096) });
    const session = new ClientSession(
      {
        loginAccepted: (id, sequenceNumber) => {
          if (this.#sessionId === "") this.#sessionId = id;
          this.#next = sequenceNumber;
          this.#loggedIn = true;
          this.#backoffMs = this.#options.initialBackoffMs;
          this.#failures = 0;
          this.#emit({
            type: "loginAccepted",
            address: this.address,
            session: id,
            sequenceNumber,
            reconnect,
          });
          for (const message of this.#unanswered.takeUnwritten()) {
            session.send(message);
          }
          socket.requestFlush();
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
          // Never twice: a host that starts below the number asked for repeats nothing.
          if (sequenceNumber < this.#next) return;
          this.#next = sequenceNumber + 1;
          const message = decodeOutbound(bytes, {
            version: this.#options.version,
          });
          this.#unanswered.answer(message);
          this.#emit({ type: "message", sequenceNumber, message });
        },
        endOfSession: () => {
          this.#ending = { reason: "endOfSession" };
          this.#emit({ type: "endOfSession" });
        },
      },
      socket.output,
      performance.now(),
      {
        version: this.#options.version,
        heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
        serverTimeoutMs: this.#options.serverTimeoutMs,
      },
    );
    this.#socket = socket;
    this.#session = session;
    this.#socketClosed = socket.closed;
    this.#loggedIn = false;
    session.login({
      username: this.#options.username,
      password: this.#options.password,
      requestedSession: this.#sessionId,
      requestedSequenceNumber: this.#next,
    });
    socket.requestFlush();
    socket.start();
    this.#timer = setInterval(() => {
      if (session.tick(performance.now()) === "serverTimeout") {
        socket.close(
          `nothing from the server for ${this.#options.serverTimeoutMs} ms`,
        );
        return;
      }
      socket.requestFlush();
    }, TICK_MS);
  }

  /** The socket closed: finish, or reconnect. */
  #socketEnded(socket: SoupBinTcpSocket, reason: SocketCloseReason): void {
    if (this.#socket === socket) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#socket = undefined;
    }
    this.#loggedIn = false;
    if (this.#closing !== undefined || this.#finished) return;
    if (reason.type === "protocol") {
      this.#finish({
        reason: "failed",
        detail: `protocol error: ${
          reason.error instanceof Error
            ? reason.error.message
            : String(reason.error)
        }`,
      });
      return;
    }
    if (this.#ending !== undefined) {
      this.#finish(this.#ending);
      return;
    }
    const text = describeClose(reason, "the server");
    if (!this.#options.reconnect) {
      this.#finish({ reason: "failed", detail: text });
      return;
    }
    const busy = this.#retryBusy;
    this.#retryBusy = false;
    if (!busy) {
      this.#droppedAt = performance.now();
      // JNX §6: what the lost link may not have delivered goes again after the next login.
      this.#unanswered.rewind();
    }
    this.#retry(busy ? "the session is not available yet" : text);
  }

  #retry(reason: string): void {
    this.#host = (this.#host + 1) % this.#hosts.length;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, this.#options.maxBackoffMs);
    this.#emit({
      type: "disconnected",
      reason,
      retryInMs: delay,
      next: this.address,
    });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connecting = this.#reconnect();
    }, delay);
  }

  async #reconnect(): Promise<void> {
    let conn: Deno.Conn;
    try {
      conn = await this.#connect({
        reconnect: true,
        failures: this.#failures,
        host: this.#hosts[this.#host]!,
      });
    } catch (error) {
      this.#failures++;
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
      conn.close();
      return;
    }
    this.#attach(conn);
  }

  #closeSocket(detail: string): void {
    this.#socket?.close(detail);
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
