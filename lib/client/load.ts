/**
 * The load generator behind `ouch client --load`: the I/O around {@linkcode LoadGenerator}.
 * Each account gets a session on a socket driver; timers pace the run, send heartbeats and
 * report progress; everything else (what to send, what the answers mean, the report) is the
 * generator's.
 *
 * @module
 */

import type { ProtocolVersion } from "../codec/mod.ts";
import {
  describeClose,
  type SocketCloseReason,
  SoupBinTcpSocket,
} from "../net/soupbintcp_socket.ts";
import { ClientSession } from "../session/client_session.ts";
import { WriteBuffer } from "../session/write_buffer.ts";
import { formatHost, type HostAddress } from "./hosts.ts";
import {
  LoadGenerator,
  type LoadPlan,
  type LoadProgress,
  type LoadReport,
} from "./load_generator.ts";

export type { LoadMix, LoadProgress, LoadReport } from "./load_generator.ts";

/** An account the load generator logs in with; one session each. */
export interface LoadAccount {
  readonly username: string;
  readonly password: string;
}

/**
 * What {@linkcode runLoad} does: the plan of the load (see `LoadPlan`: count or duration,
 * rate, window, mix, crossing orders, orderbook, seed, drain timeout), and where and how
 * it runs.
 */
export interface LoadOptions extends Omit<LoadPlan, "accounts" | "failover"> {
  /** The server's address, when `hosts` is not given. @default {"127.0.0.1"} */
  hostname?: string;
  /** The server's port, when `hosts` is not given. @default {15000} */
  port?: number;
  /**
   * Mirrored OUCH hosts of the accounts (JNX §3), in order. Every session logs in to the
   * first; with two or more, a session whose link is lost moves to the next host (see
   * {@linkcode runLoad}). Replaces `hostname` and `port`.
   *
   * @default {[{ hostname, port }]}
   */
  hosts?: readonly HostAddress[];
  /**
   * A link is given up after this long without a byte from the server (which heartbeats
   * every second): the session fails, or with several `hosts` moves to the next.
   *
   * @default {15000, or 5000 with several hosts}
   */
  serverTimeoutMs?: number;
  /** One session per account. */
  accounts: readonly LoadAccount[];
  /** Called every `progressIntervalMs` while the load runs. */
  progress?: (progress: LoadProgress) => void;
  /** @default {200} */
  progressIntervalMs?: number;
  /**
   * Stops sending when aborted (Ctrl-C); the run still drains, cancels what rests and
   * reports, marked as interrupted.
   */
  signal?: AbortSignal;
}

const READ_BUFFER = 256 * 1024;
/** The most output bytes a session encodes before waiting for its socket. */
const HIGH_WATER = 1 << 20;
const PACE_MS = 1;
const HEARTBEAT_TICK_MS = 250;
const LOGOUT_TIMEOUT_MS = 2000;
/** The first pause before a fail-over attempt; it doubles after each failed one. */
const FAILOVER_BACKOFF_MS = 50;
const FAILOVER_MAX_BACKOFF_MS = 1000;
/** A link is dead after this long without a byte from the server (it heartbeats each second). */
const SERVER_TIMEOUT_MS = 15_000;
/** The same with a mirrored host to move to. */
const FAILOVER_SERVER_TIMEOUT_MS = 5_000;
/** A session fails when no host has taken its login for this long after a lost link. */
const FAILOVER_LIMIT_MS = 10_000;

/**
 * Runs a load test against an OUCH server and reports throughput, latency and outcomes.
 *
 * Each account gets one session; the count and the rate are split evenly between them. A
 * session logs in (finding the highest token its account already used today, so that a
 * second run on the same server works), then sends what {@linkcode LoadGenerator} decides:
 * after each batch of responses, and with a rate on a 1 ms pace. Each message is encoded
 * straight into the session's write buffer, and all of one turn of the event loop go out in
 * one write. When the count is sent (or the time is up, or `signal` aborts), the sessions
 * drain, cancel what still rests, and log out.
 *
 * With two or more `hosts` (mirrored OUCH hosts), a session whose link is lost during the
 * run (the socket closes, or the host is silent for `serverTimeoutMs`) does not fail: it
 * moves to the next host (50 ms, doubling to 1 s, around the list, for at most 10 s),
 * logs in to the same session at the next sequence number it expects,
 * and sends again every message the server has not answered yet, before anything new
 * (JNX §6; a repeat the server has already handled is ignored, K4). The answers arrive
 * once each, at their sequence numbers, so the outcome check still sees every order end
 * exactly once. With one host a lost link fails the session, as before. The first login
 * goes to the first host that takes it.
 *
 * @param options Server, accounts, amount, rate and mix.
 * @returns The report; `ok` is `false` when any order broke a rule or a session failed,
 * `interrupted` is `true` when `signal` stopped it.
 * @throws {RangeError} For options out of range (no accounts, a mix that does not add up
 * to 100, a negative rate).
 * @throws {Deno.errors.ConnectionRefused} Or another connection error, when a session
 * cannot connect.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const hosts = options.hosts ?? [{
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 15000,
  }];
  if (hosts.length === 0) {
    throw new RangeError("Cannot run a load test on an empty list of hosts");
  }
  const generator = new LoadGenerator({
    ...options,
    accounts: options.accounts.map((account) => account.username),
    failover: hosts.length > 1,
  });
  const startedAt = performance.now();
  const finished = Promise.withResolvers<void>();
  const check = () => {
    if (generator.finished) finished.resolve();
  };
  const target = {
    hosts,
    version: options.version ?? "1.12",
    serverTimeoutMs: options.serverTimeoutMs ??
      (hosts.length > 1 ? FAILOVER_SERVER_TIMEOUT_MS : SERVER_TIMEOUT_MS),
  };
  const sessions = options.accounts.map((account, i) =>
    new LoadConnection(i, account, target, generator, check)
  );
  try {
    await Promise.all(sessions.map((session) => session.login()));
  } catch (error) {
    await Promise.all(sessions.map((session) => session.close()));
    throw error;
  }
  const sendAll = (now: number) => {
    for (const session of sessions) session.send(now);
    check();
  };
  const timers: ReturnType<typeof setTimeout>[] = [];
  const intervals: ReturnType<typeof setInterval>[] = [];
  const signal = options.signal;
  const interrupt = () => {
    const now = performance.now();
    generator.interrupt(now);
    sendAll(now);
  };
  const deadline = () => {
    const now = performance.now();
    generator.tick(now);
    sendAll(now);
    const left = generator.timeLeftMs(now);
    if (left > 0 && left < Infinity) {
      timers.push(setTimeout(deadline, Math.max(1, left)));
    }
  };
  try {
    const now = performance.now();
    generator.start(now);
    sendAll(now);
    signal?.addEventListener("abort", interrupt);
    if (signal?.aborted) interrupt();
    const left = generator.timeLeftMs(now);
    if (left < Infinity) timers.push(setTimeout(deadline, left));
    if ((options.rate ?? 0) > 0) {
      intervals.push(setInterval(() => {
        const now = performance.now();
        generator.tick(now);
        sendAll(now);
      }, PACE_MS));
    }
    intervals.push(setInterval(() => {
      const now = performance.now();
      generator.tick(now);
      for (const session of sessions) session.tick(now);
      sendAll(now);
    }, HEARTBEAT_TICK_MS));
    const progress = options.progress;
    if (progress !== undefined) {
      intervals.push(
        setInterval(
          () => progress(generator.progress(performance.now())),
          options.progressIntervalMs ?? 200,
        ),
      );
    }
    await finished.promise;
  } finally {
    for (const timer of timers) clearTimeout(timer);
    for (const interval of intervals) clearInterval(interval);
    signal?.removeEventListener("abort", interrupt);
    options.progress?.(generator.progress(performance.now()));
    await Promise.all(sessions.map((session) => session.close()));
  }
  return generator.report(performance.now() - startedAt);
}

/** Where the sessions connect, and the protocol version. */
interface Target {
  readonly hosts: readonly HostAddress[];
  readonly version: ProtocolVersion;
  readonly serverTimeoutMs: number;
}

/** One session's connection: the login, its socket driver and its session. */
class LoadConnection {
  readonly #index: number;
  readonly #account: LoadAccount;
  readonly #target: Target;
  readonly #generator: LoadGenerator;
  readonly #changed: () => void;
  #socket: SoupBinTcpSocket | undefined;
  #session: ClientSession | undefined;
  #now = 0;
  #replayed = 0;
  #replayEnd = 0;
  #replay: PromiseWithResolvers<void> | undefined;
  #running = false;
  #closing = false;
  /** The host in use (an index into the target's hosts). */
  #host = 0;
  /** The session id of the first login, asked for again at a fail-over. */
  #sessionId = "";
  /** The sequence number of the next message expected. */
  #nextSequence = 0;
  /** Whether a lost link is being replaced: nothing new is sent meanwhile. */
  #failingOver = false;
  /** The fail-over attempt in progress, and the timer of the next one. */
  #attempt: Promise<void> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** How many messages the last fail-over sent again. */
  #resent = 0;

  constructor(
    index: number,
    account: LoadAccount,
    target: Target,
    generator: LoadGenerator,
    changed: () => void,
  ) {
    this.#index = index;
    this.#account = account;
    this.#target = target;
    this.#generator = generator;
    this.#changed = changed;
  }

  /**
   * Connects and logs in. An account with messages today is logged in twice: first for new
   * messages only, to learn how many there are, then from message 1 so that the generator
   * reads the highest token it used and this run's tokens start above it.
   */
  async login(): Promise<void> {
    const next = await this.#openFirst();
    if (next > 1) {
      await this.#logout();
      const replay = Promise.withResolvers<void>();
      replay.promise.catch(() => {}); // awaited below, unless the login fails first
      this.#replay = replay;
      this.#replayed = 0;
      this.#replayEnd = next - 1;
      await this.#open(1, false);
      await replay.promise;
    }
    this.#running = true;
  }

  /** Sends what the generator has for this session now. */
  send(now: number): void {
    const socket = this.#socket;
    if (socket === undefined || !socket.open || this.#failingOver) {
      return;
    }
    if (this.#generator.send(this.#index, now, socket.output, HIGH_WATER) > 0) {
      socket.requestFlush();
    }
  }

  /** Heartbeats, and a server silent too long closes the link (then: fail-over). */
  tick(now: number): void {
    const socket = this.#socket;
    if (socket === undefined || !socket.open) return;
    if (this.#session?.tick(now) === "serverTimeout") {
      socket.close(
        `nothing from the server for ${this.#target.serverTimeoutMs} ms`,
      );
      return;
    }
    socket.requestFlush();
  }

  /** Logs out and closes the socket, and stops a fail-over in progress. */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#retryTimer);
    await this.#attempt;
    await this.#logout();
  }

  /** The first login: each host in turn until one takes it; the last one's error. */
  async #openFirst(): Promise<number> {
    const hosts = this.#target.hosts;
    for (let i = 0;; i++) {
      this.#host = i;
      try {
        return await this.#open(0, false);
      } catch (error) {
        if (i + 1 >= hosts.length) throw error;
        await this.#dropSocket("login failed");
      }
    }
  }

  /** Closes the socket of a failed login attempt. */
  async #dropSocket(detail: string): Promise<void> {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#socket = undefined;
    this.#session = undefined;
    socket.close(detail);
    await socket.closed;
  }

  /**
   * Connects to the current host and logs in.
   *
   * @param requestedSequenceNumber What to ask for.
   * @param failover Whether this replaces a lost link during the run: then the login asks
   * for the first login's session, and once accepted the unanswered messages go first.
   * @returns The sequence number of Login Accepted.
   */
  async #open(
    requestedSequenceNumber: number,
    failover: boolean,
  ): Promise<number> {
    const { hostname, port } = this.#target.hosts[this.#host]!;
    const version = this.#target.version;
    const conn = await Deno.connect({ hostname, port });
    const username = this.#account.username;
    const accepted = Promise.withResolvers<number>();
    const index = this.#index;
    const generator = this.#generator;
    const socket = new SoupBinTcpSocket(conn, {
      receive: (chunk, now) => {
        this.#now = now;
        session.receive(chunk, now);
        if (this.#running) {
          this.send(now);
          this.#changed();
        }
      },
      beforeWrite: () => {
        if (this.#running) generator.written(index, performance.now());
      },
      drain: () => this.send(performance.now()),
      closed: (reason) => {
        const error = new Error(
          `Cannot log in as "${username}": the server closed the connection`,
        );
        accepted.reject(error);
        if (!this.#running) this.#replay?.reject(error);
        this.#closed(socket, reason);
      },
    }, { readBufferSize: READ_BUFFER, output: new WriteBuffer(1 << 20) });
    const session = new ClientSession(
      {
        loginAccepted: (id, sequenceNumber) => {
          if (this.#sessionId === "") this.#sessionId = id;
          if (!failover) this.#nextSequence = sequenceNumber;
          accepted.resolve(sequenceNumber);
        },
        loginRejected: (code) =>
          accepted.reject(
            new Error(
              `Cannot log in as "${username}": login rejected with code ${code}`,
            ),
          ),
        message: (bytes, sequenceNumber) => {
          // Never twice: what was received before a fail-over is not applied again.
          if (sequenceNumber < this.#nextSequence) return;
          this.#nextSequence = sequenceNumber + 1;
          generator.receive(index, bytes, this.#now);
          if (!this.#running && ++this.#replayed >= this.#replayEnd) {
            this.#replay?.resolve();
          }
        },
        endOfSession: () => {
          generator.failed(index, "the server ended the session", this.#now);
          this.#changed();
        },
      },
      socket.output,
      performance.now(),
      { version, serverTimeoutMs: this.#target.serverTimeoutMs },
    );
    this.#socket = socket;
    this.#session = session;
    session.login({
      username,
      password: this.#account.password,
      requestedSequenceNumber,
      ...(failover ? { requestedSession: this.#sessionId } : {}),
    });
    socket.requestFlush();
    socket.start();
    const next = await accepted.promise;
    if (failover) {
      // JNX §6: first everything the lost link may not have delivered, in order.
      this.#resent = generator.unanswered(index);
      generator.resend(index, socket.output);
      socket.requestFlush();
    }
    return next;
  }

  #closed(socket: SoupBinTcpSocket, reason: SocketCloseReason): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#session = undefined;
    if (this.#closing || !this.#running) return;
    const detail = reason.type === "eof"
      ? ""
      : ` (${describeClose(reason, "the server")})`;
    if (this.#target.hosts.length > 1 && reason.type !== "protocol") {
      if (!this.#failingOver) this.#startFailover(detail);
      return;
    }
    this.#generator.failed(
      this.#index,
      `the connection closed during the run${detail}`,
      performance.now(),
    );
    this.#changed();
  }

  /** Moves to the next host until one takes the login, or the time is up. */
  #startFailover(detail: string): void {
    this.#failingOver = true;
    const lostAt = performance.now();
    const from = formatHost(this.#target.hosts[this.#host]!);
    let backoff = FAILOVER_BACKOFF_MS;
    const schedule = () => {
      const delay = backoff;
      backoff = Math.min(backoff * 2, FAILOVER_MAX_BACKOFF_MS);
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        if (!this.#closing) this.#attempt = attempt();
      }, delay);
    };
    const attempt = async (): Promise<void> => {
      this.#host = (this.#host + 1) % this.#target.hosts.length;
      const requested = this.#nextSequence;
      try {
        await this.#open(requested, true);
      } catch (error) {
        await this.#dropSocket("login failed");
        if (this.#closing) return;
        if (performance.now() - lostAt >= FAILOVER_LIMIT_MS) {
          this.#failingOver = false;
          this.#generator.failed(
            this.#index,
            `the connection closed during the run${detail} and no host took the login again within ${FAILOVER_LIMIT_MS} ms (last ${
              formatHost(this.#target.hosts[this.#host]!)
            }: ${error instanceof Error ? error.message : String(error)})`,
            performance.now(),
          );
          this.#changed();
          return;
        }
        schedule();
        return;
      }
      if (this.#socket === undefined) {
        if (!this.#closing) schedule(); // lost again while logging in
        return;
      }
      this.#failingOver = false;
      this.#generator.failedOver(
        this.#index,
        `${from} lost${detail}, logged in to ${
          formatHost(this.#target.hosts[this.#host]!)
        } after ${
          Math.round(performance.now() - lostAt)
        } ms at message ${requested}, ${this.#resent} unanswered messages sent again`,
      );
      this.send(performance.now());
      this.#changed();
    };
    schedule();
  }

  async #logout(): Promise<void> {
    const socket = this.#socket;
    const session = this.#session;
    if (socket === undefined || session === undefined) return;
    session.logout();
    socket.requestFlush();
    const timer = setTimeout(
      () => socket.close("no answer to the Logout Request"),
      LOGOUT_TIMEOUT_MS,
    );
    await socket.closed;
    clearTimeout(timer);
  }
}
