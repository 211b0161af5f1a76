/**
 * The load generator behind `ouch client --load`: several sessions sending a mix of Enter,
 * Cancel and Replace orders as fast as possible or at a steady rate, measuring the round
 * trip of every Enter Order and checking that every order got exactly one final outcome.
 *
 * @module
 */

import {
  CANCEL_ORDER_OFFSETS,
  encodeUnsequencedInto,
  ENTER_ORDER_OFFSETS,
  ORDER_ACCEPTED_OFFSETS,
  ORDER_AIQ_CANCELED_OFFSETS,
  ORDER_CANCELED_OFFSETS,
  ORDER_EXECUTED_OFFSETS,
  ORDER_REJECTED_OFFSETS,
  ORDER_REPLACED_OFFSETS,
  PACKET_HEADER_LENGTH,
  type ProtocolVersion,
  REPLACE_ORDER_OFFSETS,
  TIME_IN_FORCE_DAY,
  TIME_IN_FORCE_IMMEDIATE,
} from "../codec/mod.ts";
import { ClientSession } from "../session/client_session.ts";
import { WriteBuffer } from "../session/write_buffer.ts";
import {
  type HistogramBucket,
  latencyHistogram,
  type LatencySummary,
  summarizeLatency,
} from "./latency.ts";
import { OutcomeChecker, type OutcomeReport } from "./outcome_checker.ts";

/** An account the load generator logs in with; one session each. */
export interface LoadAccount {
  readonly username: string;
  readonly password: string;
}

/** The shares of each kind of order, in percent of the messages sent. */
export interface LoadMix {
  readonly enter: number;
  readonly cancel: number;
  readonly replace: number;
}

/** What {@linkcode runLoad} does. */
export interface LoadOptions {
  /** @default {"127.0.0.1"} */
  hostname?: string;
  /** @default {15000} */
  port?: number;
  /** One session per account. */
  accounts: readonly LoadAccount[];
  /** @default {"1.12"} */
  version?: ProtocolVersion;
  /**
   * Messages to send over all sessions (Enter, Cancel and Replace; the cancels that clean
   * up at the end are extra). Ignored with `durationMs`.
   *
   * @default {10000}
   */
  count?: number;
  /** Send for this long instead of a count. */
  durationMs?: number;
  /**
   * Messages per second over all sessions; 0 sends as fast as the window allows.
   *
   * @default {0}
   */
  rate?: number;
  /**
   * The most Enter Orders per session waiting for their Accepted or Rejected.
   *
   * @default {1000}
   */
  window?: number;
  /**
   * Percentages of Enter, Cancel and Replace. A Cancel or Replace needs a resting order of
   * the session; without one an Enter is sent instead.
   *
   * @default {{ enter: 90, cancel: 7, replace: 3 }}
   */
  mix?: LoadMix;
  /**
   * Percentage of Enter Orders that cross: Immediate orders priced through the whole
   * opposite side. The others are Day orders that rest without crossing.
   *
   * @default {10}
   */
  crossPercent?: number;
  /** @default {"7203"} */
  orderbookId?: string;
  /** Seed of the random choices. @default {1} */
  seed?: number;
  /**
   * How long to wait at the end for the last answers and final outcomes, and the longest
   * silence from the server while answers are due.
   *
   * @default {10000}
   */
  drainTimeoutMs?: number;
  /** Called every `progressIntervalMs` while the load runs. */
  progress?: (progress: LoadProgress) => void;
  /** @default {200} */
  progressIntervalMs?: number;
  /** Stops sending when aborted; the run still drains and reports. */
  signal?: AbortSignal;
}

/** Where a load run is. */
export interface LoadProgress {
  readonly elapsedMs: number;
  /** Messages sent so far (cleanup cancels excluded). */
  readonly sent: number;
  /** Enter Orders answered so far. */
  readonly answered: number;
  /** The share done, 0 to 1, by count or by time. */
  readonly fraction: number;
  /** `run` while sending, `drain` while waiting for the last answers and outcomes. */
  readonly phase: "run" | "drain";
}

/** The result of {@linkcode runLoad}. */
export interface LoadReport {
  readonly sessions: number;
  readonly accounts: readonly string[];
  /** From the first send to the last answer of an Enter sent while running, in ms. */
  readonly runMs: number;
  /** The whole run, login and drain included, in ms. */
  readonly totalMs: number;
  readonly sent: {
    readonly enter: number;
    readonly cancel: number;
    readonly replace: number;
    /** Enter, Cancel and Replace while running. */
    readonly total: number;
    /** Cancels sent at the end for the orders still resting. */
    readonly cleanup: number;
  };
  readonly received: {
    readonly accepted: number;
    readonly rejected: number;
    readonly replaced: number;
    readonly canceled: number;
    readonly aiqCanceled: number;
    readonly executed: number;
    readonly systemEvent: number;
    /** Messages of an earlier run on the same accounts, replayed at login or canceled. */
    readonly history: number;
    readonly total: number;
  };
  readonly throughput: {
    /** Messages sent per second of `runMs`. */
    readonly messagesPerSecond: number;
    /** Enter Orders per second of `runMs`. */
    readonly entersPerSecond: number;
  };
  /** Round trip from the write of each Enter to the read of its Accepted or Rejected. */
  readonly latency: LatencySummary;
  readonly histogram: readonly HistogramBucket[];
  readonly outcomes: OutcomeReport;
  /** Problems with a session (connection lost, login refused, timeouts). */
  readonly errors: readonly string[];
  /** `true` when every order got exactly one final outcome and nothing failed. */
  readonly ok: boolean;
}

const ENTER_LENGTH = PACKET_HEADER_LENGTH + 48;
const REPLACE_LENGTH = PACKET_HEADER_LENGTH + 26;
const CANCEL_LENGTH = PACKET_HEADER_LENGTH + 9;
/**
 * Orders rest on either side of 2800.0 at whole yen (`LEVEL` tenths apart), up to
 * `SPREAD_LEVELS` levels away: valid prices of the default orderbook 7203 (reference price
 * 2,800, limits 2,300 to 3,300, tick 0.5) and of any orderbook without rules.
 */
const MID_PRICE = 28000;
const LEVEL = 10;
const SPREAD_LEVELS = 50;
const FLAG_CANCEL = 1;
const FLAG_REPLACE = 2;
const FLAG_IMMEDIATE = 4;
const READ_BUFFER = 256 * 1024;
const TICK_MS = 1;
const HEARTBEAT_TICK_MS = 250;

/**
 * Runs a load test against an OUCH server and reports throughput, latency and outcomes.
 *
 * Each account gets one session; the count and the rate are split evenly between them. A
 * session logs in (finding the highest token its account already used today, so that a
 * second run on the same server works), then sends: as fast as possible with at most
 * `window` unanswered Enter Orders, or paced to `rate`. Each message is encoded from a
 * template straight into the session's write buffer, and all of one turn of the event loop
 * go out in one write. Enter Orders are Day orders that rest on either side of 2800.0
 * without crossing, or (`crossPercent`) Immediate orders priced through the opposite side;
 * Cancels cancel a resting order in full; Replaces move one to another price and a total
 * quantity of 100 to 500 (K9: a total below what the order executed cancels it with `U`,
 * one equal to it leaves it dead; both are final outcomes).
 *
 * When the count is sent (or the time is up, or `signal` aborts), the session waits for
 * every Enter to be answered and every Replace to be settled, cancels every order still
 * resting, waits for those to end, and logs out. The report counts what was sent and
 * received, the run's throughput, the latency percentiles and histogram, and the outcome
 * check of `OutcomeChecker`.
 *
 * @param options Server, accounts, amount, rate and mix.
 * @returns The report; `ok` is `false` when any order broke a rule or a session failed.
 * @throws {RangeError} For options out of range (no accounts, a mix that does not add up
 * to 100, a negative rate).
 * @throws {Deno.errors.ConnectionRefused} Or another connection error, when a session
 * cannot connect.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const config = resolve(options);
  const startedAt = performance.now();
  const sessions = config.accounts.map((account, i) =>
    new LoadSession(account, i, config)
  );
  try {
    await Promise.all(sessions.map((session) => session.start()));
  } catch (error) {
    await Promise.all(sessions.map((session) => session.close()));
    throw error;
  }
  const runner = new Runner(sessions, config);
  try {
    await runner.run();
  } finally {
    runner.stopTimers();
    await Promise.all(sessions.map((session) => session.close()));
  }
  return report(sessions, runner, performance.now() - startedAt);
}

interface Config {
  hostname: string;
  port: number;
  accounts: readonly LoadAccount[];
  version: ProtocolVersion;
  count: number;
  durationMs: number | undefined;
  rate: number;
  window: number;
  mix: LoadMix;
  crossPercent: number;
  orderbookId: string;
  seed: number;
  drainTimeoutMs: number;
  progress: ((progress: LoadProgress) => void) | undefined;
  progressIntervalMs: number;
  signal: AbortSignal | undefined;
}

function resolve(options: LoadOptions): Config {
  const accounts = options.accounts;
  if (accounts.length === 0) {
    throw new RangeError("Cannot run a load test without an account");
  }
  const mix = options.mix ?? { enter: 90, cancel: 7, replace: 3 };
  if (
    [mix.enter, mix.cancel, mix.replace].some((share) => !(share >= 0)) ||
    Math.abs(mix.enter + mix.cancel + mix.replace - 100) > 1e-9
  ) {
    throw new RangeError(
      `Cannot use the mix ${mix.enter}:${mix.cancel}:${mix.replace} as the shares must add up to 100`,
    );
  }
  const rate = options.rate ?? 0;
  if (!(rate >= 0)) {
    throw new RangeError(`Cannot send at rate ${rate}: it must be 0 or more`);
  }
  const window = options.window ?? 1000;
  if (!(window >= 1)) {
    throw new RangeError(`Cannot use window ${window}: it must be 1 or more`);
  }
  const crossPercent = options.crossPercent ?? 10;
  if (!(crossPercent >= 0 && crossPercent <= 100)) {
    throw new RangeError(
      `Cannot use ${crossPercent}% crossing orders: it must be from 0 to 100`,
    );
  }
  return {
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 15000,
    accounts,
    version: options.version ?? "1.12",
    count: options.count ?? 10000,
    durationMs: options.durationMs,
    rate,
    window,
    mix,
    crossPercent,
    orderbookId: options.orderbookId ?? "7203",
    seed: options.seed ?? 1,
    drainTimeoutMs: options.drainTimeoutMs ?? 10000,
    progress: options.progress,
    progressIntervalMs: options.progressIntervalMs ?? 200,
    signal: options.signal,
  };
}

/** Drives the sessions: pacing, the time limit, progress, heartbeats and the drain. */
class Runner {
  readonly #sessions: LoadSession[];
  readonly #config: Config;
  #pacer: ReturnType<typeof setInterval> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #progress: ReturnType<typeof setInterval> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #startedAt = 0;
  runEndedAt = 0;

  constructor(sessions: LoadSession[], config: Config) {
    this.#sessions = sessions;
    this.#config = config;
  }

  get startedAt(): number {
    return this.#startedAt;
  }

  async run(): Promise<void> {
    const config = this.#config;
    const sessions = this.#sessions;
    const stop = () => {
      for (const session of sessions) session.stopSending();
    };
    config.signal?.addEventListener("abort", stop);
    this.#startedAt = performance.now();
    const total = sessions.length;
    for (const [i, session] of sessions.entries()) {
      const quota = config.durationMs !== undefined
        ? Infinity
        : Math.floor(config.count / total) +
          (i < config.count % total ? 1 : 0);
      session.begin(quota, config.rate / total, this.#startedAt);
    }
    if (config.signal?.aborted) stop();
    if (config.durationMs !== undefined) {
      this.#deadline = setTimeout(stop, config.durationMs);
    }
    if (config.rate > 0) {
      this.#pacer = setInterval(() => {
        const now = performance.now();
        for (const session of sessions) session.pace(now);
      }, TICK_MS);
    }
    this.#heartbeat = setInterval(() => {
      const now = performance.now();
      for (const session of sessions) session.tick(now);
    }, HEARTBEAT_TICK_MS);
    if (config.progress !== undefined) {
      const report = config.progress;
      this.#progress = setInterval(
        () => report(this.#snapshot()),
        config.progressIntervalMs,
      );
    }
    try {
      await Promise.all(sessions.map((session) => session.ranOut));
      this.runEndedAt = Math.max(
        ...sessions.map((session) => session.runEndedAt),
      );
      clearInterval(this.#pacer);
      await Promise.all(sessions.map((session) => session.drained));
    } finally {
      config.signal?.removeEventListener("abort", stop);
      config.progress?.(this.#snapshot());
    }
  }

  stopTimers(): void {
    clearInterval(this.#pacer);
    clearInterval(this.#heartbeat);
    clearInterval(this.#progress);
    clearTimeout(this.#deadline);
  }

  #snapshot(): LoadProgress {
    const now = performance.now();
    let sent = 0;
    let answered = 0;
    let running = false;
    for (const session of this.#sessions) {
      sent += session.sentTotal;
      answered += session.answered;
      running ||= session.running;
    }
    const elapsedMs = now - this.#startedAt;
    const config = this.#config;
    const fraction = config.durationMs !== undefined
      ? Math.min(1, elapsedMs / config.durationMs)
      : config.count === 0
      ? 1
      : Math.min(1, sent / config.count);
    return {
      elapsedMs,
      sent,
      answered,
      fraction: running ? fraction : 1,
      phase: running ? "run" : "drain",
    };
  }
}

/** A small, fast, seeded generator (mulberry32): uniform in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function put32(target: Uint8Array, at: number, value: number): void {
  target[at] = value >>> 24;
  target[at + 1] = value >>> 16;
  target[at + 2] = value >>> 8;
  target[at + 3] = value;
}

function get32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) |
    bytes[at + 3]!) >>> 0;
}

const ENTER = { ...ENTER_ORDER_OFFSETS };
const REPLACE = { ...REPLACE_ORDER_OFFSETS };
const CANCEL = { ...CANCEL_ORDER_OFFSETS };
const H = PACKET_HEADER_LENGTH;
const A_TOKEN = ORDER_ACCEPTED_OFFSETS.orderToken;
const A_QUANTITY = ORDER_ACCEPTED_OFFSETS.quantity;
const A_STATE = ORDER_ACCEPTED_OFFSETS.orderState;
const J_TOKEN = ORDER_REJECTED_OFFSETS.orderToken;
const U_TOKEN = ORDER_REPLACED_OFFSETS.replacementOrderToken;
const U_QUANTITY = ORDER_REPLACED_OFFSETS.quantity;
const U_STATE = ORDER_REPLACED_OFFSETS.orderState;
const U_PREVIOUS = ORDER_REPLACED_OFFSETS.previousOrderToken;
const E_TOKEN = ORDER_EXECUTED_OFFSETS.orderToken;
const E_QUANTITY = ORDER_EXECUTED_OFFSETS.executedQuantity;
const C_TOKEN = ORDER_CANCELED_OFFSETS.orderToken;
const C_QUANTITY = ORDER_CANCELED_OFFSETS.decrementQuantity;
const C_REASON = ORDER_CANCELED_OFFSETS.orderCanceledReason;
const D_TOKEN = ORDER_AIQ_CANCELED_OFFSETS.orderToken;
const D_QUANTITY = ORDER_AIQ_CANCELED_OFFSETS.decrementQuantity;
const LIVE = 0x4c; // "L"

/** One session of the load: its socket, templates, orders and counters. */
class LoadSession {
  readonly account: LoadAccount;
  readonly #config: Config;
  readonly #random: () => number;
  readonly #enterTemplate = new Uint8Array(ENTER_LENGTH);
  readonly #replaceTemplate = new Uint8Array(REPLACE_LENGTH);
  readonly #cancelTemplate = new Uint8Array(CANCEL_LENGTH);
  readonly checker = new OutcomeChecker(1 << 14);
  #socket: Deno.TcpConn | undefined;
  #session: ClientSession | undefined;
  #output = new WriteBuffer(1 << 20);
  #reading: Promise<void> = Promise.resolve();
  #writing: Promise<void> | undefined;
  #flushScheduled = false;
  readonly #flush = () => this.#startWrite();
  readonly #onMessage = (bytes: Uint8Array) => this.#message(bytes);

  // Tokens on the wire are `base + local`; the arrays are indexed by the local token.
  #base = 0;
  #historyEnd = 0;
  #historyToken = 0;
  #loggedIn = Promise.withResolvers<void>();
  #next = 1;
  #stampFrom = 1;
  #sentAt = new Float64Array(1 << 14);
  #side = new Uint8Array(1 << 14);
  #flags = new Uint8Array(1 << 14);
  #poolAt = new Int32Array(1 << 14);
  #pool = new Int32Array(1 << 14);
  #poolSize = 0;
  #latencies = new Float64Array(1 << 14);
  #latencyCount = 0;

  #phase: "login" | "run" | "settle" | "cleanup" | "done" = "login";
  #quota = 0;
  #ratePerMs = 0;
  #beganAt = 0;
  #pendingReplaces = 0;
  #lastReadAt = 0;
  #now = 0;
  readonly #ranOut = Promise.withResolvers<void>();
  readonly #drained = Promise.withResolvers<void>();
  runEndedAt = 0;
  readonly errors: string[] = [];

  sent = { enter: 0, cancel: 0, replace: 0, cleanup: 0 };
  received = emptyReceived();

  constructor(account: LoadAccount, index: number, config: Config) {
    this.account = account;
    this.#config = config;
    this.#random = random(config.seed * 7919 + index + 1);
    const codec = { version: config.version };
    encodeUnsequencedInto(
      {
        type: "enterOrder",
        orderToken: 0,
        clientReference: "load",
        buySellIndicator: "B",
        quantity: 100,
        orderbookId: config.orderbookId,
        group: "DAY",
        price: MID_PRICE,
        timeInForce: TIME_IN_FORCE_DAY,
        firmId: 0,
        display: " ",
        capacity: "P",
        minimumQuantity: 0,
        orderClassification: "1",
        cashMarginType: "1",
      },
      this.#enterTemplate,
      0,
      codec,
    );
    encodeUnsequencedInto(
      {
        type: "replaceOrder",
        existingOrderToken: 0,
        replacementOrderToken: 0,
        quantity: 100,
        price: MID_PRICE,
        timeInForce: TIME_IN_FORCE_DAY,
        display: " ",
        minimumQuantity: 0,
      },
      this.#replaceTemplate,
      0,
      codec,
    );
    encodeUnsequencedInto(
      { type: "cancelOrder", orderToken: 0, quantity: 0 },
      this.#cancelTemplate,
      0,
      codec,
    );
  }

  /** Resolves when the session stopped sending and every Enter was answered. */
  get ranOut(): Promise<void> {
    return this.#ranOut.promise;
  }

  /** Resolves when every order has ended (or the drain timed out). */
  get drained(): Promise<void> {
    return this.#drained.promise;
  }

  get running(): boolean {
    return this.#phase === "run";
  }

  get sentTotal(): number {
    return this.sent.enter + this.sent.cancel + this.sent.replace;
  }

  get answered(): number {
    return this.checker.answered;
  }

  latencies(): Float64Array {
    return this.#latencies.subarray(0, this.#latencyCount);
  }

  /**
   * Connects and logs in. An account with messages today is logged in twice: first for new
   * messages only, to learn how many there are, then from message 1 to read the highest
   * token it used, so that this run's tokens start above it.
   */
  async start(): Promise<void> {
    const next = await this.#login(0);
    if (next > 1) {
      await this.#logout();
      this.#historyEnd = next - 1;
      this.#loggedIn = Promise.withResolvers<void>();
      await this.#login(1);
      if (this.#historyEnd > 0) await this.#loggedIn.promise;
    }
    this.#base = this.#historyToken;
  }

  /** Starts sending. */
  begin(quota: number, rate: number, now: number): void {
    this.#quota = quota;
    this.#ratePerMs = rate / 1000;
    this.#beganAt = now;
    this.#lastReadAt = now;
    this.#phase = "run";
    if (quota === 0) {
      this.stopSending();
      return;
    }
    if (rate === 0) this.#pump();
  }

  /** Sends what the pace allows by `now`. */
  pace(now: number): void {
    if (this.#phase !== "run") return;
    const due = Math.min(
      this.#quota,
      Math.floor((now - this.#beganAt) * this.#ratePerMs) + 1,
    );
    const window = this.#config.window;
    const checker = this.checker;
    let sent = this.sentTotal;
    while (
      sent < due && checker.enteredCount - checker.answered < window
    ) {
      this.#sendOne();
      sent++;
    }
    if (sent >= this.#quota) this.stopSending();
    this.#schedule();
  }

  /** Heartbeats, and the stall check while answers are due. */
  tick(now: number): void {
    const session = this.#session;
    if (session === undefined || this.#phase === "done") return;
    session.tick(now);
    this.#schedule();
    const waiting = this.#phase !== "run" ||
      this.checker.enteredCount > this.checker.answered;
    if (waiting && now - this.#lastReadAt > this.#config.drainTimeoutMs) {
      this.errors.push(
        `${this.account.username}: nothing received for ${this.#config.drainTimeoutMs} ms while answers were due`,
      );
      this.#finish();
    }
  }

  /** Stops sending new orders and goes on to the drain. */
  stopSending(): void {
    if (this.#phase !== "run") return;
    this.#phase = "settle";
    this.#advance();
  }

  /** Logs out and closes the socket. */
  async close(): Promise<void> {
    this.#finish();
    if (this.#socket !== undefined) await this.#logout();
    await this.#reading;
    await this.#writing;
  }

  async #login(requestedSequenceNumber: number): Promise<number> {
    const socket = await Deno.connect({
      hostname: this.#config.hostname,
      port: this.#config.port,
    });
    socket.setNoDelay(true);
    const accepted = Promise.withResolvers<number>();
    const output = new WriteBuffer(1 << 20);
    const session = new ClientSession(
      {
        loginAccepted: (_, sequenceNumber) => accepted.resolve(sequenceNumber),
        loginRejected: (code) =>
          accepted.reject(
            new Error(
              `Cannot log in as "${this.account.username}": login rejected with code ${code}`,
            ),
          ),
        message: this.#onMessage,
        endOfSession: () => {
          this.errors.push(
            `${this.account.username}: the server ended the session`,
          );
          this.#finish();
        },
      },
      output,
      performance.now(),
      { version: this.#config.version },
    );
    this.#socket = socket;
    this.#session = session;
    this.#output = output;
    session.login({
      username: this.account.username,
      password: this.account.password,
      requestedSequenceNumber,
    });
    this.#schedule();
    this.#reading = this.#read(socket, session);
    this.#reading.then(() =>
      accepted.reject(
        new Error(
          `Cannot log in as "${this.account.username}": the server closed the connection`,
        ),
      )
    );
    return await accepted.promise;
  }

  async #logout(): Promise<void> {
    const session = this.#session;
    const socket = this.#socket;
    if (session === undefined || socket === undefined) return;
    session.logout();
    this.#schedule();
    const timer = setTimeout(() => this.#closeSocket(), 2000);
    await this.#reading;
    clearTimeout(timer);
    await this.#writing;
    this.#closeSocket();
  }

  #closeSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    try {
      socket?.close();
    } catch {
      // already closed
    }
  }

  async #read(socket: Deno.TcpConn, session: ClientSession): Promise<void> {
    const buffer = new Uint8Array(READ_BUFFER);
    try {
      while (true) {
        const count = await socket.read(buffer);
        if (count === null) break;
        const now = performance.now();
        this.#now = now;
        this.#lastReadAt = now;
        session.receive(buffer.subarray(0, count), now);
        this.#afterRead();
      }
    } catch (error) {
      if (this.#socket === socket && this.#phase !== "done") {
        this.errors.push(
          `${this.account.username}: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
      }
    }
    if (this.#socket === socket) {
      this.#closeSocket();
      if (this.#phase !== "done" && this.#phase !== "login") {
        this.errors.push(
          `${this.account.username}: the connection closed during the run`,
        );
        this.#finish();
      }
    }
  }

  #afterRead(): void {
    switch (this.#phase) {
      case "run":
        if (this.#ratePerMs === 0) this.#pump();
        break;
      case "settle":
      case "cleanup":
        this.#advance();
        break;
    }
  }

  #pump(): void {
    const window = this.#config.window;
    const checker = this.checker;
    const quota = this.#quota;
    let sent = this.sentTotal;
    while (sent < quota && checker.enteredCount - checker.answered < window) {
      this.#sendOne();
      sent++;
    }
    this.#schedule();
    if (sent >= quota) this.stopSending();
  }

  #sendOne(): void {
    const mix = this.#config.mix;
    const choice = this.#random() * 100;
    if (choice >= mix.enter && this.#poolSize > 0) {
      const at = Math.floor(this.#random() * this.#poolSize);
      const order = this.#pool[at]!;
      this.#poolRemove(order);
      if (choice < mix.enter + mix.cancel) {
        this.#sendCancel(order);
        this.sent.cancel++;
      } else {
        this.#sendReplace(order);
        this.sent.replace++;
      }
      return;
    }
    this.#sendEnter();
  }

  #sendEnter(): void {
    const token = this.#claim();
    const random = this.#random;
    const sell = random() < 0.5;
    const cross = random() * 100 < this.#config.crossPercent;
    const quantity = 100 * (1 + Math.floor(random() * 5));
    const price = cross
      ? (sell
        ? MID_PRICE - SPREAD_LEVELS * LEVEL
        : MID_PRICE + SPREAD_LEVELS * LEVEL)
      : this.#restingPrice(sell);
    this.checker.entered(token);
    this.#side[token] = sell ? 1 : 0;
    this.#flags[token] = cross ? FLAG_IMMEDIATE : 0;
    const output = this.#output;
    const at = output.reserve(ENTER_LENGTH);
    const bytes = output.bytes;
    bytes.set(this.#enterTemplate, at);
    const m = at + H;
    put32(bytes, m + ENTER.orderToken, this.#base + token);
    bytes[m + ENTER.buySellIndicator] = sell ? 0x53 : 0x42;
    put32(bytes, m + ENTER.quantity, quantity);
    put32(bytes, m + ENTER.price, price);
    put32(
      bytes,
      m + ENTER.timeInForce,
      cross ? TIME_IN_FORCE_IMMEDIATE : TIME_IN_FORCE_DAY,
    );
    output.commit(ENTER_LENGTH);
    this.sent.enter++;
  }

  #sendReplace(order: number): void {
    const token = this.#claim();
    this.checker.replacing(order, token);
    this.#flags[order]! |= FLAG_REPLACE;
    this.#pendingReplaces++;
    const quantity = 100 * (1 + Math.floor(this.#random() * 5));
    const price = this.#restingPrice(this.#side[order] === 1);
    const output = this.#output;
    const at = output.reserve(REPLACE_LENGTH);
    const bytes = output.bytes;
    bytes.set(this.#replaceTemplate, at);
    const m = at + H;
    put32(
      bytes,
      m + REPLACE.existingOrderToken,
      this.#base + this.checker.currentToken(order),
    );
    put32(bytes, m + REPLACE.replacementOrderToken, this.#base + token);
    put32(bytes, m + REPLACE.quantity, quantity);
    put32(bytes, m + REPLACE.price, price);
    output.commit(REPLACE_LENGTH);
  }

  #sendCancel(order: number): void {
    this.#flags[order]! |= FLAG_CANCEL;
    const output = this.#output;
    const at = output.reserve(CANCEL_LENGTH);
    const bytes = output.bytes;
    bytes.set(this.#cancelTemplate, at);
    put32(
      bytes,
      at + H + CANCEL.orderToken,
      this.#base + this.checker.currentToken(order),
    );
    output.commit(CANCEL_LENGTH);
  }

  #restingPrice(sell: boolean): number {
    const offset = (1 + Math.floor(this.#random() * SPREAD_LEVELS)) * LEVEL;
    return sell ? MID_PRICE + offset : MID_PRICE - offset;
  }

  /** Takes the next local token, growing the per-token arrays as needed. */
  #claim(): number {
    const token = this.#next++;
    if (token >= this.#sentAt.length) {
      const size = this.#sentAt.length * 2;
      const sentAt = new Float64Array(size);
      sentAt.set(this.#sentAt);
      this.#sentAt = sentAt;
      const side = new Uint8Array(size);
      side.set(this.#side);
      this.#side = side;
      const flags = new Uint8Array(size);
      flags.set(this.#flags);
      this.#flags = flags;
      const poolAt = new Int32Array(size);
      poolAt.set(this.#poolAt);
      this.#poolAt = poolAt;
      const pool = new Int32Array(size);
      pool.set(this.#pool);
      this.#pool = pool;
    }
    return token;
  }

  #poolAdd(order: number): void {
    this.#poolAt[order] = this.#poolSize;
    this.#pool[this.#poolSize++] = order;
  }

  #poolRemove(order: number): void {
    const at = this.#poolAt[order]!;
    if (at < 0 || this.#pool[at] !== order) return;
    const last = this.#pool[--this.#poolSize]!;
    this.#pool[at] = last;
    this.#poolAt[last] = at;
    this.#poolAt[order] = -1;
  }

  #recordLatency(token: number): void {
    if (this.#latencyCount === this.#latencies.length) {
      const grown = new Float64Array(this.#latencies.length * 2);
      grown.set(this.#latencies);
      this.#latencies = grown;
    }
    this.#latencies[this.#latencyCount++] = this.#now - this.#sentAt[token]!;
  }

  /** Handles one sequenced message; `bytes` is a view valid only during the call. */
  #message(bytes: Uint8Array): void {
    this.received.total++;
    if (this.#phase === "login") {
      this.#history(bytes);
      return;
    }
    const base = this.#base;
    const checker = this.checker;
    switch (bytes[0]) {
      case 0x41: { // Order Accepted
        const token = get32(bytes, A_TOKEN) - base;
        if (token <= 0) break;
        this.received.accepted++;
        const live = bytes[A_STATE] === LIVE;
        if (checker.accepted(token, get32(bytes, A_QUANTITY), live)) {
          this.#recordLatency(token);
          if (
            checker.isLive(token) &&
            (this.#flags[token]! & FLAG_IMMEDIATE) === 0
          ) {
            this.#poolAdd(token);
          }
        }
        return;
      }
      case 0x4a: { // Order Rejected
        const token = get32(bytes, J_TOKEN) - base;
        if (token <= 0) break;
        this.received.rejected++;
        if (checker.rejected(token)) this.#recordLatency(token);
        return;
      }
      case 0x55: { // Order Replaced
        const token = get32(bytes, U_TOKEN) - base;
        if (token <= 0) break;
        this.received.replaced++;
        const order = checker.replaced(
          token,
          get32(bytes, U_PREVIOUS) - base,
          get32(bytes, U_QUANTITY),
          bytes[U_STATE] === LIVE,
        );
        if (order === 0) return;
        if ((this.#flags[order]! & FLAG_REPLACE) !== 0) {
          this.#flags[order]! &= ~FLAG_REPLACE;
          this.#pendingReplaces--;
        }
        if (checker.isLive(order)) {
          if (this.#phase === "run") this.#poolAdd(order);
        } else {
          this.#ended(order);
        }
        return;
      }
      case 0x45: { // Order Executed
        const token = get32(bytes, E_TOKEN) - base;
        if (token <= 0) break;
        this.received.executed++;
        const order = checker.executed(token, get32(bytes, E_QUANTITY));
        if (order !== 0 && !checker.isLive(order)) this.#ended(order);
        return;
      }
      case 0x43: { // Order Canceled
        const token = get32(bytes, C_TOKEN) - base;
        if (token <= 0) break;
        this.received.canceled++;
        const order = checker.canceled(
          token,
          get32(bytes, C_QUANTITY),
          String.fromCharCode(bytes[C_REASON]!),
        );
        if (order !== 0 && !checker.isLive(order)) this.#ended(order);
        return;
      }
      case 0x44: { // Order AIQ Canceled
        const token = get32(bytes, D_TOKEN) - base;
        if (token <= 0) break;
        this.received.aiqCanceled++;
        const order = checker.aiqCanceled(token, get32(bytes, D_QUANTITY));
        if (order !== 0 && !checker.isLive(order)) this.#ended(order);
        return;
      }
      case 0x53: // System Event
        this.received.systemEvent++;
        return;
      default:
        checker.violation(
          `a message of unknown type 0x${bytes[0]?.toString(16) ?? "??"}`,
        );
        return;
    }
    this.received.history++;
  }

  /** A message replayed at login: remember the highest token the account used. */
  #history(bytes: Uint8Array): void {
    this.received.history++;
    const type = bytes[0];
    const token = type === 0x41
      ? get32(bytes, A_TOKEN)
      : type === 0x4a
      ? get32(bytes, J_TOKEN)
      : type === 0x55
      ? get32(bytes, U_TOKEN)
      : 0;
    if (token > this.#historyToken) this.#historyToken = token;
    if (this.received.history >= this.#historyEnd) this.#loggedIn.resolve();
  }

  /** An order ended: take it out of the pool and settle a pending replace. */
  #ended(order: number): void {
    this.#poolRemove(order);
    if ((this.#flags[order]! & FLAG_REPLACE) !== 0) {
      this.#flags[order]! &= ~FLAG_REPLACE;
      this.#pendingReplaces--;
    }
  }

  /** Moves through the drain: wait for answers, cancel what rests, wait for the ends. */
  #advance(): void {
    const checker = this.checker;
    if (this.#phase === "settle") {
      if (
        checker.enteredCount > checker.answered || this.#pendingReplaces > 0
      ) {
        return;
      }
      this.runEndedAt = this.#lastReadAt > this.#beganAt
        ? this.#lastReadAt
        : performance.now();
      this.#ranOut.resolve();
      this.#phase = "cleanup";
      for (let order = 1; order < this.#next; order++) {
        if (checker.orderOf(order) !== order || !checker.isLive(order)) {
          continue;
        }
        if ((this.#flags[order]! & FLAG_CANCEL) !== 0) continue;
        this.#sendCancel(order);
        this.sent.cleanup++;
      }
      this.#poolSize = 0;
      this.#schedule();
    }
    if (this.#phase === "cleanup" && checker.live === 0) this.#finish();
  }

  #finish(): void {
    if (this.#phase === "done") return;
    if (this.runEndedAt === 0) this.runEndedAt = performance.now();
    this.#phase = "done";
    this.#ranOut.resolve();
    this.#drained.resolve();
  }

  #schedule(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flush);
  }

  #startWrite(): void {
    this.#flushScheduled = false;
    if (this.#writing !== undefined || this.#socket === undefined) return;
    if (this.#output.length === 0) return;
    this.#writing = this.#write(this.#socket, this.#output);
  }

  async #write(socket: Deno.TcpConn, output: WriteBuffer): Promise<void> {
    try {
      while (true) {
        const bytes = output.take();
        if (bytes === null) break;
        const now = performance.now();
        const sentAt = this.#sentAt;
        for (let token = this.#stampFrom; token < this.#next; token++) {
          sentAt[token] = now;
        }
        this.#stampFrom = this.#next;
        let at = 0;
        while (at < bytes.length) at += await socket.write(bytes.subarray(at));
        output.release(bytes);
      }
    } catch {
      // The read loop reports the closed connection.
    } finally {
      this.#writing = undefined;
    }
  }
}

/** Zeroed counts of the messages received, by kind. */
function emptyReceived(): {
  -readonly [K in keyof LoadReport["received"]]: number;
} {
  return {
    accepted: 0,
    rejected: 0,
    replaced: 0,
    canceled: 0,
    aiqCanceled: 0,
    executed: 0,
    systemEvent: 0,
    history: 0,
    total: 0,
  };
}

function report(
  sessions: readonly LoadSession[],
  runner: Runner,
  totalMs: number,
): LoadReport {
  const sent = { enter: 0, cancel: 0, replace: 0, total: 0, cleanup: 0 };
  const received = emptyReceived();
  let latencyCount = 0;
  for (const session of sessions) {
    sent.enter += session.sent.enter;
    sent.cancel += session.sent.cancel;
    sent.replace += session.sent.replace;
    sent.cleanup += session.sent.cleanup;
    for (const key of Object.keys(received) as (keyof typeof received)[]) {
      received[key] += session.received[key];
    }
    latencyCount += session.latencies().length;
  }
  sent.total = sent.enter + sent.cancel + sent.replace;
  const latencies = new Float64Array(latencyCount);
  let at = 0;
  for (const session of sessions) {
    latencies.set(session.latencies(), at);
    at += session.latencies().length;
  }
  const canceled: Record<string, number> = {};
  const violations: string[] = [];
  const outcomes = {
    entered: 0,
    accepted: 0,
    rejected: 0,
    unanswered: 0,
    executed: 0,
    aiqCanceled: 0,
    replacedToZero: 0,
    deadOnArrival: 0,
    open: 0,
    violationCount: 0,
  };
  for (const session of sessions) {
    const one = session.checker.report();
    for (const key of Object.keys(outcomes) as (keyof typeof outcomes)[]) {
      outcomes[key] += one[key];
    }
    for (const [reason, count] of Object.entries(one.canceled)) {
      canceled[reason] = (canceled[reason] ?? 0) + count;
    }
    for (const violation of one.violations) {
      if (violations.length < 20) {
        violations.push(`${session.account.username}: ${violation}`);
      }
    }
  }
  const errors = sessions.flatMap((session) => session.errors);
  const runMs = Math.max(0, runner.runEndedAt - runner.startedAt);
  const seconds = runMs / 1000;
  return {
    sessions: sessions.length,
    accounts: sessions.map((session) => session.account.username),
    runMs,
    totalMs,
    sent,
    received,
    throughput: {
      messagesPerSecond: seconds > 0 ? sent.total / seconds : 0,
      entersPerSecond: seconds > 0 ? sent.enter / seconds : 0,
    },
    latency: summarizeLatency(latencies),
    histogram: latencyHistogram(latencies),
    outcomes: { ...outcomes, canceled, violations },
    errors,
    ok: outcomes.violationCount === 0 && errors.length === 0,
  };
}
