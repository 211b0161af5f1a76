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
export interface LoadOptions extends Omit<LoadPlan, "accounts"> {
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** @default {15000} */
  port?: number;
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
 * @param options Server, accounts, amount, rate and mix.
 * @returns The report; `ok` is `false` when any order broke a rule or a session failed,
 * `interrupted` is `true` when `signal` stopped it.
 * @throws {RangeError} For options out of range (no accounts, a mix that does not add up
 * to 100, a negative rate).
 * @throws {Deno.errors.ConnectionRefused} Or another connection error, when a session
 * cannot connect.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const generator = new LoadGenerator({
    ...options,
    accounts: options.accounts.map((account) => account.username),
  });
  const startedAt = performance.now();
  const finished = Promise.withResolvers<void>();
  const check = () => {
    if (generator.finished) finished.resolve();
  };
  const target = {
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 15000,
    version: options.version ?? "1.12",
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
  readonly hostname: string;
  readonly port: number;
  readonly version: ProtocolVersion;
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
    const next = await this.#open(0);
    if (next > 1) {
      await this.#logout();
      const replay = Promise.withResolvers<void>();
      replay.promise.catch(() => {}); // awaited below, unless the login fails first
      this.#replay = replay;
      this.#replayed = 0;
      this.#replayEnd = next - 1;
      await this.#open(1);
      await replay.promise;
    }
    this.#running = true;
  }

  /** Sends what the generator has for this session now. */
  send(now: number): void {
    const socket = this.#socket;
    if (socket === undefined || !socket.open) return;
    if (this.#generator.send(this.#index, now, socket.output, HIGH_WATER) > 0) {
      socket.requestFlush();
    }
  }

  /** Heartbeats. */
  tick(now: number): void {
    const socket = this.#socket;
    if (socket === undefined || !socket.open) return;
    this.#session?.tick(now);
    socket.requestFlush();
  }

  /** Logs out and closes the socket. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#logout();
  }

  async #open(requestedSequenceNumber: number): Promise<number> {
    const { hostname, port, version } = this.#target;
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
        loginAccepted: (_, sequenceNumber) => accepted.resolve(sequenceNumber),
        loginRejected: (code) =>
          accepted.reject(
            new Error(
              `Cannot log in as "${username}": login rejected with code ${code}`,
            ),
          ),
        message: (bytes) => {
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
      { version },
    );
    this.#socket = socket;
    this.#session = session;
    session.login({
      username,
      password: this.#account.password,
      requestedSequenceNumber,
    });
    socket.requestFlush();
    socket.start();
    return await accepted.promise;
  }

  #closed(socket: SoupBinTcpSocket, reason: SocketCloseReason): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#session = undefined;
    if (this.#closing || !this.#running) return;
    const detail = reason.type === "eof"
      ? ""
      : ` (${describeClose(reason, "the server")})`;
    this.#generator.failed(
      this.#index,
      `the connection closed during the run${detail}`,
      performance.now(),
    );
    this.#changed();
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
