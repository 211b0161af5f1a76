/**
 * The SoupBinTCP server: TCP connections, one {@linkcode ServerSession} each, the batching of
 * journal writes and socket writes, heartbeats and timeouts.
 *
 * @module
 */
import type { LoginRejectCode } from "../codec/packets.ts";
import {
  ServerSession,
  type ServerSessionEnd,
} from "../session/server_session.ts";
import type { WriteBuffer } from "../session/write_buffer.ts";
import { describeClose, SoupBinTcpSocket } from "../net/soupbintcp_socket.ts";
import type { Exchange } from "./exchange.ts";
import type { JournalFile } from "./journal.ts";

/** The server's clock: milliseconds for timers, nanoseconds since midnight for messages. */
export interface Clock {
  /** Milliseconds, for heartbeats and timeouts. */
  nowMs(): number;
  /** Nanoseconds since midnight of the trading day (JST), for OUCH timestamps. */
  nowNs(): number;
}

/** Nanoseconds in a day. */
const DAY_NS = 86_400_000_000_000;

/** The real clock: OUCH timestamps are nanoseconds since midnight JST (UTC+9). */
export const SYSTEM_CLOCK: Clock = {
  nowMs: () => performance.now(),
  nowNs: () => {
    const ms = performance.timeOrigin + performance.now() + 9 * 3_600_000;
    return Math.round((ms % 86_400_000) * 1e6) % DAY_NS;
  },
};

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
}

/** How to run a {@linkcode OuchServer}. */
export interface ServerOptions {
  /** The address to listen on. @default {"127.0.0.1"} */
  hostname?: string;
  /** The port; 0 picks a free one. @default {15000} */
  port?: number;
  /** The trading day. */
  exchange: Exchange;
  /** The journal, or `null` to run without one. */
  journal: JournalFile | null;
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
 * Everything that happens in one turn of the event loop is handled as one batch: the journal
 * gets one write (and one flush), then every connection with something to send gets one
 * write. A connection that sends a malformed packet or message, or reads too slowly, is
 * closed alone; the server and every other session carry on.
 */
export class OuchServer {
  readonly #listener: Deno.TcpListener;
  readonly #connections = new Set<Connection>();
  readonly #byAccount = new Map<string, Connection>();
  readonly #touched = new Set<Connection>();
  readonly #options: Required<
    Omit<ServerOptions, "observer" | "hostname" | "port">
  >;
  readonly #observer: ServerObserver;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #accepting: Promise<void>;
  #exchange: Exchange;
  #journal: JournalFile | null;
  #flushScheduled = false;
  #nextId = 1;
  #closed = false;

  private constructor(listener: Deno.TcpListener, options: ServerOptions) {
    this.#listener = listener;
    this.#exchange = options.exchange;
    this.#journal = options.journal;
    this.#observer = options.observer ?? {};
    this.#options = {
      exchange: options.exchange,
      journal: options.journal,
      clock: options.clock ?? SYSTEM_CLOCK,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
      idleTimeoutMs: options.idleTimeoutMs ?? 15000,
      loginTimeoutMs: options.loginTimeoutMs ?? 5000,
      writeTimeoutMs: options.writeTimeoutMs ?? 10000,
      maxPacketLength: options.maxPacketLength ?? 1024,
      tickMs: options.tickMs ?? 100,
    };
    this.#timer = setInterval(() => this.tick(), this.#options.tickMs);
    this.#accepting = this.#accept();
    // Anything the exchange did before the server started (recovery, new accounts) is
    // journaled now, before any client can be sent it.
    this.flush();
  }

  /**
   * Starts listening.
   *
   * @param options Address, exchange, journal and limits.
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

  /** The current trading day. */
  get exchange(): Exchange {
    return this.#exchange;
  }

  /** The current journal, or `null`. */
  get journal(): JournalFile | null {
    return this.#journal;
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
   * Runs an operator action on the exchange (open, close, halt…) and sends what it produced.
   *
   * @param action Receives the exchange and the current time in nanoseconds.
   * @returns What the action returned.
   */
  run<T>(action: (exchange: Exchange, timestamp: number) => T): T {
    try {
      return action(this.#exchange, this.#options.clock.nowNs());
    } finally {
      this.#schedule();
    }
  }

  /**
   * Ends the trading day: every session is sent what is left and End of Session, and closed;
   * the journal is closed. Then `next` starts the following day's exchange and journal.
   *
   * @param next Makes the next day's exchange and journal.
   */
  async rollDay(
    next: () => Promise<{ exchange: Exchange; journal: JournalFile | null }>,
  ) {
    await this.#endSessions();
    await this.#journal?.close();
    const day = await next();
    this.#exchange = day.exchange;
    this.#journal = day.journal;
    this.flush();
  }

  /**
   * Checks heartbeats, login and idle timeouts and stuck writes. Runs on a timer; tests may
   * call it directly.
   */
  tick(): void {
    const now = this.#options.clock.nowMs();
    for (const connection of this.#connections) {
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
   * Writes the journal for everything done since the last flush, then lets every affected
   * connection send. Normally scheduled automatically once per turn of the event loop.
   */
  flush(): void {
    this.#flushScheduled = false;
    const exchange = this.#exchange;
    const bytes = exchange.takeJournal();
    if (bytes !== null) {
      this.#journal?.append(bytes);
      exchange.releaseJournal(bytes);
    }
    for (const account of exchange.publish()) {
      const connection = this.#byAccount.get(account);
      if (connection !== undefined) this.#touched.add(connection);
    }
    for (const connection of this.#touched) connection.kick();
    this.#touched.clear();
  }

  /**
   * Shuts down gracefully: End of Session to every session, connections closed, the journal
   * flushed and closed, the listener closed.
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
    await this.#endSessions();
    await this.#accepting;
    await this.#journal?.close();
  }

  async #endSessions(): Promise<void> {
    this.flush();
    for (const connection of this.#connections) connection.session.endSession();
    this.flush();
    await Promise.all(
      [...this.#connections].map((connection) => connection.closed),
    );
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  async #accept(): Promise<void> {
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await this.#listener.accept();
      } catch {
        return; // the listener was closed
      }
      if (this.#closed) {
        conn.close();
        continue;
      }
      try {
        conn.setNoDelay(true);
      } catch {
        // not fatal
      }
      const remote = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
      const connection = new Connection(this.#nextId++, remote, conn, this);
      this.#connections.add(connection);
      this.#observer.connected?.(connection.id, remote);
      connection.read().catch(() => {});
    }
  }

  /** @internal Builds the session of a new connection. */
  newSession(connection: Connection): ServerSession {
    const clock = this.#options.clock;
    return new ServerSession(
      {
        login: (request) => {
          const decision = this.#exchange.login(request);
          if (decision.accept) {
            connection.account = request.username;
            this.#byAccount.set(request.username, connection);
            this.#observer.loggedIn?.(
              connection.id,
              request.username,
              decision.session,
              request.requestedSequenceNumber === 0 ||
                request.requestedSequenceNumber > decision.log.length + 1
                ? decision.log.length + 1
                : request.requestedSequenceNumber,
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
            connection.account!,
            message,
            clock.nowNs(),
          );
        },
        end: (end) => {
          connection.ending = describeEnd(end);
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
    this.#schedule();
  }

  /** @internal A connection's socket is closed: forget it and cancel on disconnect. */
  closedConnection(connection: Connection, reason: string): void {
    if (!this.#connections.delete(connection)) return;
    this.#touched.delete(connection);
    const account = connection.account;
    if (account !== undefined && this.#byAccount.get(account) === connection) {
      this.#byAccount.delete(account);
      this.#exchange.disconnect(account, this.#options.clock.nowNs());
      this.#schedule();
    }
    this.#observer.disconnected?.(connection.id, account, reason);
  }

  #drop(connection: Connection, reason: string): void {
    connection.ending = reason;
    connection.abort();
  }
}

function describeEnd(end: ServerSessionEnd): string {
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
