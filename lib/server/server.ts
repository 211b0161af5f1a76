/**
 * The SoupBinTCP server: TCP connections, one {@linkcode ServerSession} each, heartbeats and
 * timeouts, and coalesced socket writes. It is an edge of the exchange core: logins,
 * logouts and inbound messages go to the {@linkcode Exchange} as commands, and it subscribes
 * to the core to wake the sessions whose accounts have new durable messages.
 *
 * @module
 */
import { type Clock, SYSTEM_CLOCK } from "../clock/clock.ts";
import type { LoginThrottle } from "../accounts/login_throttle.ts";
import type { LoginRejectCode } from "../codec/packets.ts";
import type {
  Exchange,
  RecordBatch,
  SessionHandle,
  Subscriber,
} from "../exchange/mod.ts";
import {
  describeSessionEnd,
  firstSequenceNumber,
  ServerSession,
} from "../session/server_session.ts";
import { WriteBuffer } from "../session/write_buffer.ts";
import { acceptLoop } from "../net/accept_loop.ts";
import { describeClose, SoupBinTcpSocket } from "../net/soupbintcp_socket.ts";

export { type Clock, SYSTEM_CLOCK } from "../clock/clock.ts";

/**
 * What the server needs of the core it serves: the {@linkcode Exchange} itself, or a
 * gateway's stand-in that forwards commands to a remote engine and follows its records
 * (`lib/nats/gateway.ts`).
 */
export type SessionCore =
  & Pick<
    Exchange,
    "subscribe" | "flush" | "drain" | "login" | "handleMessage" | "logout"
  >
  & { readonly streams: { readonly touched: Iterable<number> } };

/** What happens to connections, for the console and the debug display. */
export interface ServerObserver {
  connected?(id: number, remote: string): void;
  loggedIn?(
    id: number,
    account: string,
    session: string,
    nextSequenceNumber: number,
  ): void;
  loginRejected?(id: number, username: string, code: LoginRejectCode): void;
  disconnected?(id: number, account: string | undefined, reason: string): void;
  /** A connection was closed because of what it sent or how it read. */
  protocolError?(id: number, account: string | undefined, reason: string): void;
  /**
   * `accept()` failed (a connection reset before it was accepted, the descriptor limit …);
   * the listener carries on and tries again in `retryMs`.
   */
  acceptError?(reason: string, retryMs: number): void;
}

/** How to run a {@linkcode OuchServer}. */
export interface ServerOptions {
  /** The address to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** The port; 0 picks a free one. @default {15000} */
  port?: number;
  /** The exchange core the sessions trade on. */
  exchange: SessionCore;
  /**
   * The host name of this server's sessions: an account has at most one session per host
   * (K14, K23). @default {"ouch"}
   */
  host?: string;
  /** Observes connections. */
  observer?: ServerObserver;
  /** @default {SYSTEM_CLOCK} */
  clock?: Clock;
  /** Server Heartbeat after this much quiet. @default {1000} */
  heartbeatIntervalMs?: number;
  /** Close a session after this long without client traffic. @default {15000} */
  idleTimeoutMs?: number;
  /** Close a connection that has not logged in after this long. @default {5000} */
  loginTimeoutMs?: number;
  /** Close a connection whose socket accepts nothing for this long. @default {10000} */
  writeTimeoutMs?: number;
  /** Largest packet length accepted from a client. @default {1024} */
  maxPacketLength?: number;
  /** How often heartbeats and timeouts are checked. @default {100} */
  tickMs?: number;
  /**
   * Refuses logins from an address or for an account that failed too often (shared with
   * the process's other listeners). @default {no throttling}
   */
  loginThrottle?: LoginThrottle;
}

/** A connection as the operator sees it. */
export interface ConnectionStatus {
  readonly id: number;
  readonly remote: string;
  readonly account: string | undefined;
  readonly state: string;
  /** The sequence number of the next message this client will be sent. */
  readonly nextSequenceNumber: number;
  /** Sequenced messages waiting to be sent to it. */
  readonly backlog: number;
}

/** Output per connection to encode before waiting for the socket. */
const HIGH_WATER = 256 * 1024;
const READ_BUFFER = 64 * 1024;

/**
 * Serves SoupBinTCP sessions for an {@linkcode Exchange}.
 *
 * Everything that happens in one turn of the event loop is handled as one batch: the
 * exchange writes the turn's records to its durable log once, then every connection with
 * something to send gets one write. A connection that sends a malformed packet or message,
 * or reads too slowly, is closed alone; the server and every other session carry on. When
 * the trading day ends, every session is sent End of Session and closed.
 */
export class OuchServer implements Subscriber {
  readonly #listener: Deno.TcpListener;
  readonly #connections = new Set<Connection>();
  /** Logged-in connections by account id. */
  readonly #byAccount = new Map<number, Connection>();
  readonly #handles = new Map<Connection, SessionHandle>();
  readonly #touched = new Set<Connection>();
  readonly #options: Required<
    Omit<
      ServerOptions,
      "observer" | "hostname" | "port" | "exchange" | "loginThrottle"
    >
  >;
  readonly #throttle: LoginThrottle | undefined;
  readonly #observer: ServerObserver;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #accepting: Promise<void>;
  readonly #exchange: SessionCore;
  readonly #unsubscribe: () => void;
  #flushScheduled = false;
  #readingPaused = false;
  #acceptErrors = 0;
  #nextId = 1;
  #closed = false;

  private constructor(listener: Deno.TcpListener, options: ServerOptions) {
    this.#listener = listener;
    this.#exchange = options.exchange;
    this.#observer = options.observer ?? {};
    this.#throttle = options.loginThrottle;
    this.#options = {
      host: options.host ?? "ouch",
      clock: options.clock ?? SYSTEM_CLOCK,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
      idleTimeoutMs: options.idleTimeoutMs ?? 15000,
      loginTimeoutMs: options.loginTimeoutMs ?? 5000,
      writeTimeoutMs: options.writeTimeoutMs ?? 10000,
      maxPacketLength: options.maxPacketLength ?? 1024,
      tickMs: options.tickMs ?? 100,
    };
    this.#unsubscribe = this.#exchange.subscribe(this);
    this.#timer = setInterval(() => this.tick(), this.#options.tickMs);
    this.#accepting = this.#accept();
  }

  /**
   * Starts listening.
   *
   * @param options Address, exchange and limits.
   * @returns The running server.
   */
  static start(options: ServerOptions): OuchServer {
    const listener = Deno.listen({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 15000,
      transport: "tcp",
    });
    return new OuchServer(listener, options);
  }

  /** The address the server listens on. */
  get address(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /**
   * The open connections.
   *
   * @returns One status per connection, oldest first.
   */
  connections(): ConnectionStatus[] {
    return [...this.#connections].map((connection) => ({
      id: connection.id,
      remote: connection.remote,
      account: connection.account,
      state: connection.session.state,
      nextSequenceNumber: connection.session.nextSequenceNumber,
      backlog: connection.session.backlog,
    }));
  }

  /**
   * Stops or resumes reading every connection's input, as when the journal cannot be written:
   * nothing new is processed, the clients see silence (sessions stay alive on the server's
   * heartbeats and their idle timeout is suspended), and what they sent waits in the
   * sockets' buffers until reading resumes. Connections accepted meanwhile wait too.
   *
   * @param paused Whether to stop reading.
   */
  pauseReading(paused: boolean): void {
    if (this.#readingPaused === paused) return;
    this.#readingPaused = paused;
    const now = this.#options.clock.nowMs();
    for (const connection of this.#connections) {
      connection.session.excuseSilence(now);
      connection.pause(paused);
    }
  }

  /**
   * Checks heartbeats, login and idle timeouts and stuck writes. Runs on a timer; tests may
   * call it directly.
   */
  tick(): void {
    const now = this.#options.clock.nowMs();
    for (const connection of this.#connections) {
      if (this.#readingPaused) connection.session.excuseSilence(now);
      connection.session.tick(now);
      if (connection.writeStalledSince(now) >= this.#options.writeTimeoutMs) {
        this.#observer.protocolError?.(
          connection.id,
          connection.account,
          `slow reader: the socket accepted nothing for ${this.#options.writeTimeoutMs} ms with ${connection.session.backlog} messages waiting`,
        );
        this.#drop(connection, "slow reader");
        continue;
      }
      if (connection.output.length > 0) this.#touched.add(connection);
    }
    this.flush();
  }

  /**
   * Has the exchange write what it has to its log (and deliver it once durable), then lets
   * every affected connection send. Normally scheduled automatically once per turn of the
   * event loop.
   */
  flush(): void {
    this.#flushScheduled = false;
    this.#exchange.flush();
    for (const connection of this.#touched) connection.kick();
    this.#touched.clear();
  }

  /**
   * Wakes the sessions of the accounts whose streams grew: a {@linkcode Subscriber} call.
   *
   * @param _batch The batch, already in the streams.
   */
  delivered(_batch: RecordBatch): void {
    for (const account of this.#exchange.streams.touched) {
      const connection = this.#byAccount.get(account);
      if (connection !== undefined) connection.kick();
    }
  }

  /** The trading day ended: End of Session to every session, and close it. */
  dayEnded(): void {
    for (const connection of this.#connections) connection.session.endSession();
    this.#handles.clear();
    this.#byAccount.clear();
    this.#scheduleFlush();
  }

  /**
   * Shuts down gracefully: what the exchange has is delivered, End of Session goes to every
   * session, connections are closed (each a session end for the exchange), the listener is
   * closed. The exchange and its log stay open: their owner closes them.
   */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    await this.#exchange.drain();
    this.flush();
    for (const connection of this.#connections) connection.session.endSession();
    this.flush();
    await Promise.all(
      [...this.#connections].map((connection) => connection.closed),
    );
    await this.#accepting;
    this.#unsubscribe();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** How many times `accept()` failed while the listener was open (issue #11 item 1). */
  get acceptErrors(): number {
    return this.#acceptErrors;
  }

  #accept(): Promise<void> {
    return acceptLoop(this.#listener, {
      closed: () => this.#closed,
      error: (error, retryMs) => {
        this.#acceptErrors++;
        this.#observer.acceptError?.(
          error instanceof Error ? error.message : String(error),
          retryMs,
        );
      },
      connection: (conn) => {
        if (this.#closed) {
          conn.close();
          return;
        }
        let remote = "unknown";
        try {
          conn.setNoDelay(true);
          remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
        } catch {
          // a connection reset at once: its reads will end it
        }
        const connection = new Connection(this.#nextId++, remote, conn, this);
        this.#connections.add(connection);
        this.#observer.connected?.(connection.id, remote);
        if (this.#readingPaused) connection.pause(true);
        connection.read().catch(() => {});
      },
    });
  }

  /** @internal Builds the session of a new connection. */
  newSession(connection: Connection): ServerSession {
    const clock = this.#options.clock;
    return new ServerSession(
      {
        login: (request) => {
          const throttle = this.#throttle;
          const address = addressOf(connection.remote);
          const nowMs = clock.nowMs();
          if (
            throttle !== undefined &&
            !throttle.allowed(address, request.username, nowMs)
          ) {
            // Answered as a wrong password: a guesser learns nothing.
            this.#observer.loginRejected?.(
              connection.id,
              request.username,
              "A",
            );
            return { accept: false, code: "A" };
          }
          const decision = this.#exchange.login(
            request,
            this.#options.host,
            clock.nowNs(),
          );
          throttle?.record(
            address,
            request.username,
            decision.accept || decision.code !== "A",
            nowMs,
          );
          if (decision.accept) {
            connection.account = request.username;
            this.#handles.set(connection, decision.handle);
            this.#byAccount.set(decision.handle.account, connection);
            this.#observer.loggedIn?.(
              connection.id,
              request.username,
              decision.session,
              firstSequenceNumber(
                request.requestedSequenceNumber,
                decision.sequenced,
              ),
            );
          } else {
            this.#observer.loginRejected?.(
              connection.id,
              request.username,
              decision.code,
            );
          }
          return decision;
        },
        message: (message) => {
          this.#exchange.handleMessage(
            this.#handles.get(connection)!,
            message,
            clock.nowNs(),
          );
        },
        end: (end) => {
          connection.ending = describeSessionEnd(end);
          connection.closeAfterWrite();
        },
      },
      connection.output,
      clock.nowMs(),
      {
        heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
        idleTimeoutMs: this.#options.idleTimeoutMs,
        loginTimeoutMs: this.#options.loginTimeoutMs,
        maxPacketLength: this.#options.maxPacketLength,
      },
    );
  }

  /** @internal Feeds bytes read from a connection to its session. */
  received(connection: Connection, bytes: Uint8Array): void {
    try {
      connection.session.receive(bytes, this.#options.clock.nowMs());
    } catch (error) {
      const reason = error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
      this.#observer.protocolError?.(connection.id, connection.account, reason);
      connection.ending = reason;
      connection.closeAfterWrite();
    }
    this.touch(connection);
  }

  /** @internal The time in milliseconds on the server's clock. */
  nowMs(): number {
    return this.#options.clock.nowMs();
  }

  /** @internal Marks a connection as having something to write at the next flush. */
  touch(connection: Connection): void {
    this.#touched.add(connection);
    this.#scheduleFlush();
  }

  /** @internal A connection's socket is closed: forget it; its session ends. */
  closedConnection(connection: Connection, reason: string): void {
    if (!this.#connections.delete(connection)) return;
    this.#touched.delete(connection);
    const handle = this.#handles.get(connection);
    if (handle !== undefined) {
      this.#handles.delete(connection);
      if (this.#byAccount.get(handle.account) === connection) {
        this.#byAccount.delete(handle.account);
      }
      this.#exchange.logout(handle, this.#options.clock.nowNs());
    }
    this.#observer.disconnected?.(connection.id, connection.account, reason);
  }

  #drop(connection: Connection, reason: string): void {
    connection.ending = reason;
    connection.abort();
  }
}

/** The address part of `host:port` (an IPv6 host keeps its colons). */
function addressOf(remote: string): string {
  const colon = remote.lastIndexOf(":");
  return colon < 0 ? remote : remote.slice(0, colon);
}

/** One TCP connection: its session on a {@linkcode SoupBinTcpSocket}. */
class Connection {
  readonly id: number;
  readonly remote: string;
  readonly session: ServerSession;
  readonly closed: Promise<void>;
  account: string | undefined;
  ending: string | undefined;
  readonly #socket: SoupBinTcpSocket;

  constructor(
    id: number,
    remote: string,
    conn: Deno.TcpConn,
    server: OuchServer,
  ) {
    this.id = id;
    this.remote = remote;
    this.#socket = new SoupBinTcpSocket(conn, {
      receive: (chunk) => server.received(this, chunk),
      // The session copies from the account's log only what fits under the mark.
      beforeWrite: (maxBytes) => this.session.pump(maxBytes),
      closed: (reason) =>
        server.closedConnection(
          this,
          this.ending ?? describeClose(reason, "the client"),
        ),
    }, {
      readBufferSize: READ_BUFFER,
      highWaterBytes: HIGH_WATER,
      clock: () => server.nowMs(),
      // Every write waits for the server's flush, which journals first.
      schedule: () => server.touch(this),
    });
    this.closed = this.#socket.closed.then(() => {});
    this.session = server.newSession(this);
  }

  /** Where the session writes its packets. */
  get output(): WriteBuffer {
    return this.#socket.output;
  }

  /** Stops or resumes reading. */
  pause(paused: boolean): void {
    if (paused) this.#socket.pause();
    else this.#socket.resume();
  }

  /** Reads until the socket closes, feeding the session. */
  read(): Promise<void> {
    this.#socket.start();
    return this.closed;
  }

  /** How long a write has been waiting for the socket, or 0. */
  writeStalledSince(nowMs: number): number {
    return this.#socket.writeStalledMs(nowMs);
  }

  /** Starts writing what the session has, unless a write is already under way. */
  kick(): void {
    this.#socket.flush();
  }

  /**
   * Closes the socket once what is left has been written. The write waits for the next
   * flush, so that the responses to messages read in this batch are journaled and sent first.
   */
  closeAfterWrite(): void {
    this.#socket.end(this.ending ?? "closed");
  }

  /** Closes the socket at once, dropping unsent output. */
  abort(): void {
    this.#socket.close(this.ending ?? "closed");
  }
}
