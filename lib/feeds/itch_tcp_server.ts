/**
 * The ITCH feed over SoupBinTCP (`--itch-port`) and the snapshot channel
 * (`--snapshot-port`), on the shared socket driver.
 *
 * @module
 */
import { type Clock, SYSTEM_CLOCK } from "../clock/clock.ts";
import { encodeItch, snapshotMessages } from "../itch/mod.ts";
import { acceptLoop } from "../net/accept_loop.ts";
import { describeClose, SoupBinTcpSocket } from "../net/soupbintcp_socket.ts";
import { MessageLog } from "../session/message_log.ts";
import {
  describeSessionEnd,
  firstSequenceNumber,
  ServerSession,
} from "../session/server_session.ts";
import type { ItchPublisher } from "./itch_publisher.ts";

/** What an {@linkcode ItchTcpServer} reports about its connections. */
export interface ItchServerObserver {
  loggedIn?(id: number, username: string, nextSequenceNumber: number): void;
  disconnected?(id: number, username: string | undefined, reason: string): void;
}

/** How to run an {@linkcode ItchTcpServer}. */
export interface ItchTcpServerOptions {
  /** The feed it serves. */
  publisher: ItchPublisher;
  /**
   * Whether a username and password may log in (M13: any OUCH account's), given the peer's
   * IP address (for a failed-login throttle).
   */
  authenticate(username: string, password: string, address: string): boolean;
  /**
   * `feed`: the day's messages from the requested sequence number, then live, then End of
   * Session at the end of the day. `snapshot`: the state so far, `G`, End of Session.
   *
   * @default {"feed"}
   */
  mode?: "feed" | "snapshot";
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** 0 picks a free port. */
  port: number;
  /** @default {SYSTEM_CLOCK} */
  clock?: Clock;
  /** @default {1000} */
  heartbeatIntervalMs?: number;
  /** @default {15000} */
  idleTimeoutMs?: number;
  /** @default {5000} */
  loginTimeoutMs?: number;
  /**
   * A reader whose socket takes nothing for this long is dropped (alone: the feed is read
   * from the day's log, nothing waits for it).
   *
   * @default {10000}
   */
  writeTimeoutMs?: number;
  /** Output bytes per connection encoded ahead of the socket. @default {262144} */
  highWaterBytes?: number;
  /** How often heartbeats and timeouts are checked. @default {100} */
  tickMs?: number;
  /**
   * Snapshot mode: a login waits while the snapshot's books are more than this many messages
   * behind the feed, and they catch up this many per turn of the event loop (order entry
   * goes on meanwhile).
   *
   * @default {50000}
   */
  catchUpSlice?: number;
  observer?: ItchServerObserver;
}

/**
 * Serves the ITCH feed over SoupBinTCP 3.00: login with any account's credentials (M13),
 * session id of the day (M12), every ITCH message one Sequenced Data packet numbered as in
 * the feed (M2), replay from any sequence number of the day, heartbeats, End of Session at
 * the end of the day. Each connection pulls from the day's log as its socket takes bytes,
 * so a slow reader costs the others and order entry nothing; one whose socket stalls for
 * `writeTimeoutMs` is dropped. In `snapshot` mode a login gets the state so far
 * (`snapshotMessages`: `T`, `L`, `R`, reference prices, `H`, `Y`, `S`, every resting order
 * as `A`), then `G` with the feed sequence number it equals, then End of Session.
 */
export class ItchTcpServer {
  readonly #listener: Deno.TcpListener;
  readonly #publisher: ItchPublisher;
  readonly #options: Required<
    Omit<ItchTcpServerOptions, "observer" | "hostname" | "port" | "publisher">
  >;
  readonly #observer: ItchServerObserver;
  readonly #connections = new Set<FeedConnection>();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #accepting: Promise<void>;
  readonly #unlisten: () => void;
  #nextId = 1;
  #closed = false;
  #kickScheduled = false;

  private constructor(
    listener: Deno.TcpListener,
    options: ItchTcpServerOptions,
  ) {
    this.#listener = listener;
    this.#publisher = options.publisher;
    this.#observer = options.observer ?? {};
    this.#options = {
      authenticate: options.authenticate,
      mode: options.mode ?? "feed",
      clock: options.clock ?? SYSTEM_CLOCK,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1000,
      idleTimeoutMs: options.idleTimeoutMs ?? 15000,
      loginTimeoutMs: options.loginTimeoutMs ?? 5000,
      writeTimeoutMs: options.writeTimeoutMs ?? 10000,
      highWaterBytes: options.highWaterBytes ?? 256 * 1024,
      tickMs: options.tickMs ?? 100,
      catchUpSlice: options.catchUpSlice ?? SNAPSHOT_CATCH_UP_SLICE,
    };
    this.#unlisten = this.#publisher.listen({
      appended: () => this.#scheduleKick(),
      dayStarted: () => this.#endAll(),
      dayEnded: () => {
        if (this.#options.mode === "feed") this.#endAll();
      },
    });
    this.#timer = setInterval(() => this.tick(), this.#options.tickMs);
    this.#accepting = this.#accept();
  }

  /**
   * Listens and serves.
   *
   * @param options The feed, the credentials check, the address and the limits.
   * @returns The running server.
   */
  static start(options: ItchTcpServerOptions): ItchTcpServer {
    const listener = Deno.listen({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port,
      transport: "tcp",
    });
    return new ItchTcpServer(listener, options);
  }

  /** The address it listens on. */
  get address(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /** How many connections are open. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Heartbeats, timeouts and slow readers; runs every `tickMs`. */
  tick(): void {
    const now = this.#options.clock.nowMs();
    for (const connection of this.#connections) {
      connection.session.tick(now);
      if (
        connection.socket.writeStalledMs(now) >= this.#options.writeTimeoutMs
      ) {
        connection.ending =
          `slow reader: the socket accepted nothing for ${this.#options.writeTimeoutMs} ms`;
        connection.socket.close(connection.ending);
        continue;
      }
      connection.socket.flush();
    }
  }

  /** Stops listening, ends every session (End of Session) and waits for them to close. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#unlisten();
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    this.#endAll();
    await Promise.all([...this.#connections].map((c) => c.socket.closed));
    await this.#accepting;
  }

  #endAll(): void {
    for (const connection of this.#connections) {
      connection.session.endSession();
      connection.socket.flush();
    }
  }

  #scheduleKick(): void {
    if (this.#kickScheduled) return;
    this.#kickScheduled = true;
    queueMicrotask(() => {
      this.#kickScheduled = false;
      for (const connection of this.#connections) connection.socket.flush();
    });
  }

  #accept(): Promise<void> {
    // Accept errors (a reset before accept, the descriptor limit) are survived.
    return acceptLoop(this.#listener, {
      closed: () => this.#closed,
      error: () => {},
      connection: (conn) => {
        if (this.#closed) conn.close();
        else this.#connections.add(this.#connect(conn));
      },
    });
  }

  #receive(connection: FeedConnection, chunk: Uint8Array, nowMs: number): void {
    connection.session.receive(chunk, nowMs);
    if (
      (this.#options.mode === "snapshot" || this.#publisher.ended) &&
      connection.session.state === "active"
    ) {
      connection.session.endSession();
    }
    connection.socket.requestFlush();
  }

  #connect(conn: Deno.TcpConn): FeedConnection {
    const clock = this.#options.clock;
    const id = this.#nextId++;
    const connection = {} as FeedConnection;
    connection.id = id;
    let address = "unknown";
    try {
      address = conn.remoteAddr.hostname;
    } catch {
      // a connection reset at once: its reads will end it
    }
    connection.socket = new SoupBinTcpSocket(conn, {
      // A reader that logs in after the day ended gets the day and End of Session.
      receive: (chunk, nowMs) => {
        // A snapshot reader waits, without stopping order entry, while the books catch up
        // with a long backlog of the log; its bytes are taken in order afterwards.
        if (
          this.#options.mode === "snapshot" &&
          (connection.waiting !== undefined ||
            this.#publisher.booksBehind > this.#options.catchUpSlice)
        ) {
          const copy = chunk.slice();
          const waiting = (connection.waiting ??
            this.#publisher.booksCurrent(this.#options.catchUpSlice)).then(
              () => {
                if (connection.waiting === waiting) {
                  connection.waiting = undefined;
                }
                if (!this.#connections.has(connection)) return;
                this.#receive(connection, copy, clock.nowMs());
              },
            ).catch((error: unknown) => {
              // Malformed input (or books that cannot be built) closes this reader only.
              connection.socket.close(
                error instanceof Error ? error.message : String(error),
              );
            });
          connection.waiting = waiting;
          return;
        }
        this.#receive(connection, chunk, nowMs);
      },
      beforeWrite: (maxBytes) => connection.session.pump(maxBytes),
      closed: (reason) => {
        this.#connections.delete(connection);
        this.#observer.disconnected?.(
          id,
          connection.username,
          connection.ending ?? describeClose(reason, "the client"),
        );
      },
    }, {
      highWaterBytes: this.#options.highWaterBytes,
      clock: () => clock.nowMs(),
    });
    connection.session = new ServerSession(
      {
        login: (request) => {
          const publisher = this.#publisher;
          const session = publisher.session;
          if (
            !this.#options.authenticate(
              request.username,
              request.password,
              address,
            )
          ) {
            return { accept: false, code: "A" };
          }
          if (
            session === undefined ||
            (request.requestedSession !== "" &&
              request.requestedSession.trim() !== session)
          ) {
            return { accept: false, code: "S" };
          }
          connection.username = request.username;
          if (this.#options.mode === "snapshot") {
            const sequence = publisher.log.length;
            const snapshot = new MessageLog();
            const version = { version: publisher.version };
            for (const message of snapshotMessages(publisher.books, sequence)) {
              snapshot.append(encodeItch(message, version));
            }
            this.#observer.loggedIn?.(id, request.username, 1);
            return {
              accept: true,
              session,
              stream: snapshot,
              sequenced: 0,
            };
          }
          const log = publisher.log;
          this.#observer.loggedIn?.(
            id,
            request.username,
            firstSequenceNumber(request.requestedSequenceNumber, log.length),
          );
          return { accept: true, session, stream: log, sequenced: log.length };
        },
        message: () => {
          // Nothing is read from a feed reader but its login, heartbeats and logout.
        },
        end: (end) => {
          connection.ending ??= describeSessionEnd(end);
          connection.socket.end(connection.ending);
        },
      },
      connection.socket.output,
      clock.nowMs(),
      {
        heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
        idleTimeoutMs: this.#options.idleTimeoutMs,
        loginTimeoutMs: this.#options.loginTimeoutMs,
      },
    );
    connection.socket.start();
    return connection;
  }
}

/**
 * A snapshot reader's login waits while the books are more than this many messages behind
 * the log, and they catch up this many per turn of the event loop.
 */
const SNAPSHOT_CATCH_UP_SLICE = 50_000;

interface FeedConnection {
  id: number;
  socket: SoupBinTcpSocket;
  session: ServerSession;
  username: string | undefined;
  ending: string | undefined;
  /** A snapshot reader's bytes wait for the books to catch up. */
  waiting?: Promise<void> | undefined;
}
