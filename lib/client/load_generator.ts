/**
 * The load generator's logic without I/O: the mix, rate or window pacing, order choice from
 * the seed, token assignment, tracking of open orders, latency recording, the outcome check,
 * progress and the report. Time and the server's responses come in as arguments; what to
 * send goes out as SoupBinTCP packets appended to a buffer. `runLoad` (`load.ts`) connects
 * it to sockets.
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
  type OutboundMessage,
  PACKET_HEADER_LENGTH,
  type ProtocolVersion,
  REPLACE_ORDER_OFFSETS,
  TIME_IN_FORCE_DAY,
  TIME_IN_FORCE_IMMEDIATE,
} from "../codec/mod.ts";
import { PAGE_TOKEN_BASE } from "../matcher/mod.ts";
import type { WriteBuffer } from "../session/write_buffer.ts";
import {
  type HistogramBucket,
  latencyHistogram,
  type LatencySummary,
  summarizeLatency,
} from "./latency.ts";
import { OutcomeChecker, type OutcomeReport } from "./outcome_checker.ts";
import { ResendLog } from "./resend_log.ts";

/** The shares of each kind of order, in percent of the messages sent. */
export interface LoadMix {
  readonly enter: number;
  readonly cancel: number;
  readonly replace: number;
}

/** What a {@linkcode LoadGenerator} sends, how much and how fast. */
export interface LoadPlan {
  /** The accounts' names, one session each, in session order. */
  accounts: readonly string[];
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
   * Percentages of Enter, Cancel and Replace. A Cancel or Replace needs an order of the
   * session that may be resting (a Day order sent, not known to have ended, with no Cancel
   * or Replace of its own on the way); without one an Enter is sent instead.
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
   * The longest silence from the server while answers are due; the session then fails.
   *
   * @default {10000}
   */
  drainTimeoutMs?: number;
  /**
   * Keep a copy of every message sent until the server answers it, so that
   * {@linkcode LoadGenerator.resend} can send the unanswered ones again after a fail-over
   * to a mirrored host (JNX §6).
   *
   * @default {false}
   */
  failover?: boolean;
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

/** The result of a load run. */
export interface LoadReport {
  readonly sessions: number;
  readonly accounts: readonly string[];
  /** From the first send to the last answer of an Enter sent while running, in ms. */
  readonly runMs: number;
  /** The whole run, login and drain included, in ms. */
  readonly totalMs: number;
  /** `true` when the run was stopped early (Ctrl-C): the report covers what was sent. */
  readonly interrupted: boolean;
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
  /**
   * The fail-overs to a mirrored host, one line each: the account, the hosts, how long it
   * took and how many unanswered messages were sent again. Not errors.
   */
  readonly failovers: readonly string[];
  /** `true` when every order got exactly one final outcome and nothing failed. */
  readonly ok: boolean;
}

interface Config {
  accounts: readonly string[];
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
  failover: boolean;
}

function resolve(plan: LoadPlan): Config {
  const accounts = plan.accounts;
  if (accounts.length === 0) {
    throw new RangeError("Cannot run a load test without an account");
  }
  const mix = plan.mix ?? { enter: 90, cancel: 7, replace: 3 };
  if (
    [mix.enter, mix.cancel, mix.replace].some((share) => !(share >= 0)) ||
    Math.abs(mix.enter + mix.cancel + mix.replace - 100) > 1e-9
  ) {
    throw new RangeError(
      `Cannot use the mix ${mix.enter}:${mix.cancel}:${mix.replace} as the shares must add up to 100`,
    );
  }
  const rate = plan.rate ?? 0;
  if (!(rate >= 0)) {
    throw new RangeError(`Cannot send at rate ${rate}: it must be 0 or more`);
  }
  const window = plan.window ?? 1000;
  if (!(window >= 1)) {
    throw new RangeError(`Cannot use window ${window}: it must be 1 or more`);
  }
  const crossPercent = plan.crossPercent ?? 10;
  if (!(crossPercent >= 0 && crossPercent <= 100)) {
    throw new RangeError(
      `Cannot use ${crossPercent}% crossing orders: it must be from 0 to 100`,
    );
  }
  const count = plan.count ?? 10000;
  if (!(count >= 0)) {
    throw new RangeError(`Cannot send ${count} messages: it must be 0 or more`);
  }
  const durationMs = plan.durationMs;
  if (durationMs !== undefined && !(durationMs >= 0)) {
    throw new RangeError(
      `Cannot run for ${durationMs} ms: it must be 0 or more`,
    );
  }
  return {
    accounts,
    version: plan.version ?? "1.12",
    count,
    durationMs,
    rate,
    window,
    mix,
    crossPercent,
    orderbookId: plan.orderbookId ?? "7203",
    seed: plan.seed ?? 1,
    drainTimeoutMs: plan.drainTimeoutMs ?? 10000,
    failover: plan.failover ?? false,
  };
}

/**
 * The load of every session of a run, without I/O.
 *
 * The owner feeds it what happens and asks it what to send:
 *
 * 1. Before {@linkcode LoadGenerator.start}, {@linkcode LoadGenerator.receive} takes the
 *    messages replayed at login: the account's highest token so far, so that this run's
 *    tokens start above it (a second run on the same server works).
 * 2. {@linkcode LoadGenerator.start} starts the run; {@linkcode LoadGenerator.send} appends
 *    what a session may send now to its output (Enter, Cancel and Replace as the mix, the
 *    window and the pace allow; at the end the cleanup cancels), and
 *    {@linkcode LoadGenerator.written} stamps the time it goes on the wire.
 * 3. {@linkcode LoadGenerator.receive} applies each response; {@linkcode LoadGenerator.tick}
 *    lets time pass (the pace, the time limit, a silent server). The owner calls `send`
 *    again after each batch of responses and each tick.
 * 4. When the count is sent (or the time is up, or {@linkcode LoadGenerator.interrupt}), a
 *    session waits for every Enter to be answered and every Replace to be settled, then
 *    cancels every order still resting and waits for those to end.
 *    {@linkcode LoadGenerator.finished} turns `true` once every session is done, and
 *    {@linkcode LoadGenerator.report} sums up.
 *
 * Each session gets an even share of the count and of the rate. With a rate, the pace
 * advances only with `tick()`: `send()` between ticks sends only what a tick made due and
 * the window held back. Enter Orders are Day orders that rest on either side of 2800.0
 * without crossing, or (`crossPercent`) Immediate orders priced through the opposite side;
 * Cancels cancel an order in full; Replaces move one to another price and a total
 * quantity (K9: a total below what the order executed cancels it with `U`, one equal to
 * it leaves it dead; both are final outcomes).
 *
 * @example One session, one Enter, answered
 * ```ts
 * import { LoadGenerator } from "./load_generator.ts";
 * import { WriteBuffer } from "../session/write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const load = new LoadGenerator({ accounts: ["demo1"], count: 1, crossPercent: 0 });
 * const output = new WriteBuffer();
 * load.start(0);
 * assert.equal(load.send(0, 0, output), 1);
 * assert.equal(output.length, 51); // one Enter Order in an Unsequenced Data packet
 * load.receive(0, { type: "orderRejected", timestamp: 0, orderToken: 1, orderRejectedReason: "R" }, 0.25);
 * assert.equal(load.finished, true);
 * const report = load.report(1);
 * assert.deepEqual([report.sent.enter, report.outcomes.rejected, report.latency.max], [1, 1, 0.25]);
 * ```
 */
export class LoadGenerator {
  readonly #config: Config;
  readonly #sessions: SessionLoad[];
  #startedAt = 0;
  #started = false;
  #interrupted = false;

  /**
   * Plans a run.
   *
   * @param plan Accounts, amount, pace and mix.
   * @throws {RangeError} For a plan out of range (no accounts, a mix that does not add up
   * to 100, a negative rate, a window below 1).
   */
  constructor(plan: LoadPlan) {
    const config = resolve(plan);
    this.#config = config;
    this.#sessions = config.accounts.map((name, i) =>
      new SessionLoad(name, i, config)
    );
  }

  /** The number of sessions. */
  get sessions(): number {
    return this.#sessions.length;
  }

  /** Whether every session is done: drained, or failed. */
  get finished(): boolean {
    return this.#sessions.every((session) => session.phase === "done");
  }

  /** Whether any session is still sending its share. */
  get running(): boolean {
    return this.#sessions.some((session) => session.phase === "run");
  }

  /**
   * Starts sending; the count and the rate are split evenly between the sessions.
   *
   * @param nowMs The current time in milliseconds.
   */
  start(nowMs: number): void {
    if (this.#started) return;
    this.#started = true;
    this.#startedAt = nowMs;
    const config = this.#config;
    const total = this.#sessions.length;
    for (const [i, session] of this.#sessions.entries()) {
      const quota = config.durationMs !== undefined
        ? Infinity
        : Math.floor(config.count / total) +
          (i < config.count % total ? 1 : 0);
      session.begin(quota, config.rate / total, nowMs);
    }
    if (config.durationMs === 0) this.#stopAll(nowMs);
  }

  /**
   * Appends what a session may send now to `output`, as SoupBinTCP Unsequenced Data
   * packets: while running, as many messages as its share, the window and the pace allow;
   * once it has drained, the cancels of the orders still resting.
   *
   * @param session The session's index.
   * @param nowMs The current time in milliseconds.
   * @param output Where the packets go, usually the socket's output.
   * @param maxBytes Stop once `output` holds this many bytes (back-pressure).
   * @returns How many messages were appended.
   */
  send(
    session: number,
    nowMs: number,
    output: WriteBuffer,
    maxBytes: number = Infinity,
  ): number {
    return this.#session(session).send(nowMs, output, maxBytes);
  }

  /**
   * Notes that what a session's `send()` appended so far is going on the wire now: the
   * start of each Enter's round trip.
   *
   * @param session The session's index.
   * @param nowMs The current time in milliseconds.
   */
  written(session: number, nowMs: number): void {
    this.#session(session).written(nowMs);
  }

  /**
   * Appends the messages of a session the server has not answered yet to `output`, oldest
   * first, to be sent again after a fail-over (JNX §6; needs `failover` in the plan). The
   * answer to a message settles every message sent before it, since the server handles a
   * session's messages in order; a repeat the server already handled is ignored (K4).
   *
   * @param session The session's index.
   * @param output The new connection's output.
   * @returns How many bytes were appended (0 without `failover`).
   */
  resend(session: number, output: WriteBuffer): number {
    return this.#session(session).resend(output);
  }

  /**
   * How many messages of a session wait for an answer and would be sent again (0 without
   * `failover`).
   *
   * @param session The session's index.
   * @returns The count.
   */
  unanswered(session: number): number {
    return this.#session(session).unanswered;
  }

  /**
   * Notes a fail-over of a session to another host, for the report.
   *
   * @param session The session's index.
   * @param description What happened; the report prefixes the account.
   */
  failedOver(session: number, description: string): void {
    const load = this.#session(session);
    load.failovers.push(`${load.name}: ${description}`);
  }

  /**
   * Applies a message the server sent a session: decoded, or the bytes of the OUCH message
   * (read at fixed offsets, without decoding everything). Before `start()` it is a message
   * replayed at login.
   *
   * @param session The session's index.
   * @param message The sequenced message; bytes are read during the call only.
   * @param nowMs The time it was read, in milliseconds.
   */
  receive(
    session: number,
    message: OutboundMessage | Uint8Array,
    nowMs: number,
  ): void {
    const load = this.#session(session);
    if (message instanceof Uint8Array) load.receiveBytes(message, nowMs);
    else load.receiveMessage(message, nowMs);
  }

  /**
   * Lets time pass: advances the pace, stops sending when the time is up, and fails a
   * session whose server has been silent for `drainTimeoutMs` while answers are due.
   *
   * @param nowMs The current time in milliseconds.
   */
  tick(nowMs: number): void {
    if (!this.#started) return;
    const durationMs = this.#config.durationMs;
    if (durationMs !== undefined && nowMs - this.#startedAt >= durationMs) {
      this.#stopAll(nowMs);
    }
    for (const session of this.#sessions) session.tick(nowMs);
  }

  /**
   * How long until the time limit of a `durationMs` run.
   *
   * @param nowMs The current time in milliseconds.
   * @returns Milliseconds, 0 once it is reached, `Infinity` for a run by count.
   */
  timeLeftMs(nowMs: number): number {
    const durationMs = this.#config.durationMs;
    if (durationMs === undefined) return Infinity;
    return Math.max(0, this.#startedAt + durationMs - nowMs);
  }

  /**
   * Stops sending early (Ctrl-C): every session drains and cleans up as at the end of a
   * run, and the report says it was interrupted.
   *
   * @param nowMs The current time in milliseconds.
   */
  interrupt(nowMs: number): void {
    if (this.finished) return;
    this.#interrupted = true;
    this.#stopAll(nowMs);
  }

  /**
   * Ends a session that cannot go on (its connection closed, the server ended the session,
   * the login failed), with an error in the report.
   *
   * @param session The session's index.
   * @param description What happened; the report prefixes the account.
   * @param nowMs The current time in milliseconds.
   */
  failed(session: number, description: string, nowMs: number): void {
    this.#session(session).fail(description, nowMs);
  }

  /**
   * Where the run is, for a progress bar.
   *
   * @param nowMs The current time in milliseconds.
   * @returns Messages sent and answered, the share done and the phase.
   */
  progress(nowMs: number): LoadProgress {
    let sent = 0;
    let answered = 0;
    let running = false;
    for (const session of this.#sessions) {
      sent += session.sentTotal;
      answered += session.checker.answered;
      running ||= session.phase === "run";
    }
    const elapsedMs = this.#started ? nowMs - this.#startedAt : 0;
    const config = this.#config;
    const fraction = config.durationMs !== undefined
      ? config.durationMs === 0 ? 1 : Math.min(1, elapsedMs / config.durationMs)
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

  /**
   * Sums up the run: what was sent and received, the throughput, the latency percentiles
   * and histogram, and the outcome check of every session.
   *
   * @param totalMs The whole run with login and drain, measured by the owner.
   * @returns The report; `ok` is `false` when any order broke a rule or a session failed.
   */
  report(totalMs: number): LoadReport {
    const sessions = this.#sessions;
    const sent = { enter: 0, cancel: 0, replace: 0, total: 0, cleanup: 0 };
    const received = emptyReceived();
    let latencyCount = 0;
    let runEndedAt = this.#startedAt;
    for (const session of sessions) {
      sent.enter += session.sent.enter;
      sent.cancel += session.sent.cancel;
      sent.replace += session.sent.replace;
      sent.cleanup += session.sent.cleanup;
      for (const key of Object.keys(received) as (keyof typeof received)[]) {
        received[key] += session.received[key];
      }
      latencyCount += session.latencies().length;
      runEndedAt = Math.max(runEndedAt, session.runEndedAt);
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
          violations.push(`${session.name}: ${violation}`);
        }
      }
    }
    const errors = sessions.flatMap((session) => session.errors);
    const failovers = sessions.flatMap((session) => session.failovers);
    const runMs = this.#started ? Math.max(0, runEndedAt - this.#startedAt) : 0;
    const seconds = runMs / 1000;
    return {
      sessions: sessions.length,
      accounts: sessions.map((session) => session.name),
      runMs,
      totalMs,
      interrupted: this.#interrupted,
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
      failovers,
      ok: outcomes.violationCount === 0 && errors.length === 0,
    };
  }

  #stopAll(nowMs: number): void {
    for (const session of this.#sessions) session.stopSending(nowMs);
  }

  #session(index: number): SessionLoad {
    const session = this.#sessions[index];
    if (session === undefined) {
      throw new RangeError(
        `Cannot find session ${index}: there are ${this.#sessions.length}`,
      );
    }
    return session;
  }
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
const INITIAL_TOKENS = 1 << 14;

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

/** `larger` with `old` copied to its start. */
function grown<T extends Float64Array | Int32Array | Uint8Array>(
  old: T,
  larger: T,
): T {
  larger.set(old);
  return larger;
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

type Phase = "login" | "run" | "settle" | "cleanup" | "done";

/**
 * One session's load: templates, tokens, the pool of orders a Cancel or Replace may pick,
 * counters and the outcome check. Tokens on the wire are `base + local`; the arrays are
 * indexed by the local token.
 */
class SessionLoad {
  readonly name: string;
  readonly checker = new OutcomeChecker(INITIAL_TOKENS);
  readonly errors: string[] = [];
  readonly failovers: string[] = [];
  readonly sent = { enter: 0, cancel: 0, replace: 0, cleanup: 0 };
  readonly received = emptyReceived();
  phase: Phase = "login";
  runEndedAt = 0;
  readonly #config: Config;
  readonly #random: () => number;
  readonly #enterTemplate = new Uint8Array(ENTER_LENGTH);
  readonly #replaceTemplate = new Uint8Array(REPLACE_LENGTH);
  readonly #cancelTemplate = new Uint8Array(CANCEL_LENGTH);
  #base = 0;
  #historyToken = 0;
  #next = 1;
  #stampFrom = 1;
  #sentAt = new Float64Array(INITIAL_TOKENS);
  #side = new Uint8Array(INITIAL_TOKENS);
  #flags = new Uint8Array(INITIAL_TOKENS);
  #poolAt = new Int32Array(INITIAL_TOKENS);
  #pool = new Int32Array(INITIAL_TOKENS);
  #poolSize = 0;
  #latencies = new Float64Array(INITIAL_TOKENS);
  #latencyCount = 0;
  /** With `failover`: the unanswered packets, and where each token's packet ends in it. */
  readonly #resend: ResendLog | undefined;
  #packetEnd = new Float64Array(0);
  #cancelEnd = new Float64Array(0);
  #quota = 0;
  #ratePerMs = 0;
  #beganAt = 0;
  #pacedAt = 0;
  #pendingReplaces = 0;
  #lastReadAt = 0;
  /** The next order the cleanup looks at, once the session drained. */
  #cleanupFrom = 0;

  constructor(name: string, index: number, config: Config) {
    this.name = name;
    this.#config = config;
    this.#random = random(config.seed * 7919 + index + 1);
    if (config.failover) {
      this.#resend = new ResendLog();
      this.#packetEnd = new Float64Array(INITIAL_TOKENS);
      this.#cancelEnd = new Float64Array(INITIAL_TOKENS);
    }
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

  get sentTotal(): number {
    return this.sent.enter + this.sent.cancel + this.sent.replace;
  }

  resend(output: WriteBuffer): number {
    return this.#resend?.copyTo(output) ?? 0;
  }

  get unanswered(): number {
    return this.#resend?.packets ?? 0;
  }

  /** With `failover`, keeps the packet just committed at `at` until it is answered. */
  #keep(output: WriteBuffer, at: number, length: number): number {
    return this.#resend!.append(output.bytes.subarray(at, at + length));
  }

  /** The answer to the packet that ends at `end` (0: none) settles it and all before. */
  #settle(end: number | undefined): void {
    if (end !== undefined && end > 0) this.#resend?.settle(end);
  }

  latencies(): Float64Array {
    return this.#latencies.subarray(0, this.#latencyCount);
  }

  begin(quota: number, rate: number, nowMs: number): void {
    if (this.phase !== "login") return;
    this.#base = this.#historyToken;
    this.#quota = quota;
    this.#ratePerMs = rate / 1000;
    this.#beganAt = nowMs;
    this.#pacedAt = nowMs;
    this.#lastReadAt = nowMs;
    this.phase = "run";
    if (quota === 0) this.stopSending(nowMs);
  }

  send(nowMs: number, output: WriteBuffer, maxBytes: number): number {
    if (this.phase === "run") return this.#sendRun(nowMs, output, maxBytes);
    if (this.phase === "cleanup") return this.#sendCleanup(output, maxBytes);
    return 0;
  }

  written(nowMs: number): void {
    const sentAt = this.#sentAt;
    const next = this.#next;
    for (let token = this.#stampFrom; token < next; token++) {
      sentAt[token] = nowMs;
    }
    this.#stampFrom = next;
  }

  tick(nowMs: number): void {
    if (this.phase === "done" || this.phase === "login") return;
    this.#pacedAt = nowMs;
    const waiting = this.phase !== "run" ||
      this.checker.enteredCount > this.checker.answered;
    const timeout = this.#config.drainTimeoutMs;
    if (waiting && nowMs - this.#lastReadAt > timeout) {
      this.fail(
        `nothing received for ${timeout} ms while answers were due`,
        nowMs,
      );
    }
  }

  stopSending(nowMs: number): void {
    if (this.phase !== "run") return;
    this.phase = "settle";
    this.#advance(nowMs);
  }

  fail(description: string, nowMs: number): void {
    if (this.phase === "done") return;
    this.errors.push(`${this.name}: ${description}`);
    this.#finish(nowMs);
  }

  #sendRun(nowMs: number, output: WriteBuffer, maxBytes: number): number {
    const quota = this.#quota;
    const ratePerMs = this.#ratePerMs;
    const due = ratePerMs === 0 ? quota : Math.min(
      quota,
      Math.floor((this.#pacedAt - this.#beganAt) * ratePerMs) + 1,
    );
    const window = this.#config.window;
    const checker = this.checker;
    let sent = this.sentTotal;
    const first = sent;
    while (
      sent < due && checker.enteredCount - checker.answered < window &&
      output.length < maxBytes
    ) {
      this.#sendOne(nowMs, output);
      sent++;
    }
    if (sent >= quota) this.stopSending(nowMs);
    return sent - first;
  }

  #sendOne(nowMs: number, output: WriteBuffer): void {
    const mix = this.#config.mix;
    const choice = this.#random() * 100;
    if (choice >= mix.enter && this.#poolSize > 0) {
      const at = Math.floor(this.#random() * this.#poolSize);
      const order = this.#pool[at]!;
      this.#poolRemove(order);
      if (choice < mix.enter + mix.cancel) {
        this.#sendCancel(order, output);
        this.sent.cancel++;
      } else {
        this.#sendReplace(order, nowMs, output);
        this.sent.replace++;
      }
      return;
    }
    this.#sendEnter(nowMs, output);
  }

  #sendEnter(nowMs: number, output: WriteBuffer): void {
    const token = this.#claim(nowMs);
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
    // A Day order may rest: a Cancel or Replace may pick it from now on, before its
    // Accepted, since the server handles this session's messages in order.
    if (!cross) this.#poolAdd(token);
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
    if (this.#resend !== undefined) {
      this.#packetEnd[token] = this.#keep(output, at, ENTER_LENGTH);
    }
    this.sent.enter++;
  }

  #sendReplace(order: number, nowMs: number, output: WriteBuffer): void {
    const token = this.#claim(nowMs);
    this.checker.replacing(order, token);
    this.#flags[order]! |= FLAG_REPLACE;
    this.#pendingReplaces++;
    const quantity = 100 * (1 + Math.floor(this.#random() * 5));
    const price = this.#restingPrice(this.#side[order] === 1);
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
    if (this.#resend !== undefined) {
      this.#packetEnd[token] = this.#keep(output, at, REPLACE_LENGTH);
    }
  }

  #sendCancel(order: number, output: WriteBuffer): void {
    this.#flags[order]! |= FLAG_CANCEL;
    const at = output.reserve(CANCEL_LENGTH);
    const bytes = output.bytes;
    bytes.set(this.#cancelTemplate, at);
    put32(
      bytes,
      at + H + CANCEL.orderToken,
      this.#base + this.checker.currentToken(order),
    );
    output.commit(CANCEL_LENGTH);
    if (this.#resend !== undefined) {
      this.#cancelEnd[order] = this.#keep(output, at, CANCEL_LENGTH);
    }
  }

  /** Cancels every order still live without a cancel of its own, as room allows. */
  #sendCleanup(output: WriteBuffer, maxBytes: number): number {
    const checker = this.checker;
    const next = this.#next;
    let order = this.#cleanupFrom;
    let count = 0;
    for (; order < next && output.length < maxBytes; order++) {
      if (checker.orderOf(order) !== order || !checker.isLive(order)) continue;
      if ((this.#flags[order]! & FLAG_CANCEL) !== 0) continue;
      this.#sendCancel(order, output);
      this.sent.cleanup++;
      count++;
    }
    this.#cleanupFrom = order;
    return count;
  }

  #restingPrice(sell: boolean): number {
    const offset = (1 + Math.floor(this.#random() * SPREAD_LEVELS)) * LEVEL;
    return sell ? MID_PRICE + offset : MID_PRICE - offset;
  }

  /** Takes the next local token, growing the per-token arrays as needed. */
  #claim(nowMs: number): number {
    const token = this.#next++;
    if (token >= this.#sentAt.length) {
      const size = this.#sentAt.length * 2;
      this.#sentAt = grown(this.#sentAt, new Float64Array(size));
      this.#side = grown(this.#side, new Uint8Array(size));
      this.#flags = grown(this.#flags, new Uint8Array(size));
      this.#poolAt = grown(this.#poolAt, new Int32Array(size));
      this.#pool = grown(this.#pool, new Int32Array(size));
      if (this.#resend !== undefined) {
        this.#packetEnd = grown(this.#packetEnd, new Float64Array(size));
        this.#cancelEnd = grown(this.#cancelEnd, new Float64Array(size));
      }
    }
    this.#sentAt[token] = nowMs;
    return token;
  }

  #poolAdd(order: number): void {
    this.#poolAt[order] = this.#poolSize;
    this.#pool[this.#poolSize++] = order;
  }

  #poolRemove(order: number): void {
    const at = this.#poolAt[order]!;
    if (at < 0 || at >= this.#poolSize || this.#pool[at] !== order) return;
    const last = this.#pool[--this.#poolSize]!;
    this.#pool[at] = last;
    this.#poolAt[last] = at;
    this.#poolAt[order] = -1;
  }

  #recordLatency(token: number, nowMs: number): void {
    if (this.#latencyCount === this.#latencies.length) {
      this.#latencies = grown(
        this.#latencies,
        new Float64Array(this.#latencies.length * 2),
      );
    }
    this.#latencies[this.#latencyCount++] = nowMs - this.#sentAt[token]!;
  }

  /** A message replayed at login: remember the highest token the account used. */
  #history(token: number): void {
    this.received.history++;
    // The web page's tokens are a range of their own: this run's tokens stay below it.
    if (token > this.#historyToken && token < PAGE_TOKEN_BASE) {
      this.#historyToken = token;
    }
  }

  receiveBytes(bytes: Uint8Array, nowMs: number): void {
    this.#applyBytes(bytes, nowMs);
    if (this.phase === "settle" || this.phase === "cleanup") {
      this.#advance(nowMs);
    }
  }

  receiveMessage(message: OutboundMessage, nowMs: number): void {
    this.#applyMessage(message, nowMs);
    if (this.phase === "settle" || this.phase === "cleanup") {
      this.#advance(nowMs);
    }
  }

  #applyBytes(bytes: Uint8Array, nowMs: number): void {
    this.received.total++;
    const type = bytes[0];
    if (this.phase === "login") {
      this.#history(
        type === 0x41
          ? get32(bytes, A_TOKEN)
          : type === 0x4a
          ? get32(bytes, J_TOKEN)
          : type === 0x55
          ? get32(bytes, U_TOKEN)
          : 0,
      );
      return;
    }
    this.#lastReadAt = nowMs;
    const base = this.#base;
    switch (type) {
      case 0x41: // Order Accepted
        this.#accepted(
          get32(bytes, A_TOKEN) - base,
          get32(bytes, A_QUANTITY),
          bytes[A_STATE] === LIVE,
          nowMs,
        );
        return;
      case 0x4a: // Order Rejected
        this.#rejected(get32(bytes, J_TOKEN) - base, nowMs);
        return;
      case 0x55: // Order Replaced
        this.#replaced(
          get32(bytes, U_TOKEN) - base,
          get32(bytes, U_PREVIOUS) - base,
          get32(bytes, U_QUANTITY),
          bytes[U_STATE] === LIVE,
        );
        return;
      case 0x45: // Order Executed
        this.#executed(
          get32(bytes, E_TOKEN) - base,
          get32(bytes, E_QUANTITY),
        );
        return;
      case 0x43: // Order Canceled
        this.#canceled(
          get32(bytes, C_TOKEN) - base,
          get32(bytes, C_QUANTITY),
          String.fromCharCode(bytes[C_REASON]!),
        );
        return;
      case 0x44: // Order AIQ Canceled
        this.#aiqCanceled(
          get32(bytes, D_TOKEN) - base,
          get32(bytes, D_QUANTITY),
        );
        return;
      case 0x53: // System Event
        this.received.systemEvent++;
        return;
      default:
        this.checker.violation(
          `a message of unknown type 0x${type?.toString(16) ?? "??"}`,
        );
    }
  }

  #applyMessage(message: OutboundMessage, nowMs: number): void {
    this.received.total++;
    if (this.phase === "login") {
      this.#history(
        message.type === "orderAccepted" || message.type === "orderRejected"
          ? message.orderToken
          : message.type === "orderReplaced"
          ? message.replacementOrderToken
          : 0,
      );
      return;
    }
    this.#lastReadAt = nowMs;
    const base = this.#base;
    switch (message.type) {
      case "orderAccepted":
        this.#accepted(
          message.orderToken - base,
          message.quantity,
          message.orderState === "L",
          nowMs,
        );
        return;
      case "orderRejected":
        this.#rejected(message.orderToken - base, nowMs);
        return;
      case "orderReplaced":
        this.#replaced(
          message.replacementOrderToken - base,
          message.previousOrderToken - base,
          message.quantity,
          message.orderState === "L",
        );
        return;
      case "orderExecuted":
        this.#executed(
          message.orderToken - base,
          message.executedQuantity,
        );
        return;
      case "orderCanceled":
        this.#canceled(
          message.orderToken - base,
          message.decrementQuantity,
          message.orderCanceledReason,
        );
        return;
      case "orderAiqCanceled":
        this.#aiqCanceled(
          message.orderToken - base,
          message.decrementQuantity,
        );
        return;
      case "systemEvent":
        this.received.systemEvent++;
        return;
    }
  }

  // Each handler takes the local token; 0 or less is a token of an earlier run, one above
  // the highest this run registered is another client's (the web page's range).

  #accepted(token: number, quantity: number, live: boolean, nowMs: number) {
    if (!this.#mine(token)) return this.#earlier();
    this.received.accepted++;
    this.#settle(this.#packetEnd[token]);
    const checker = this.checker;
    if (checker.accepted(token, quantity, live)) {
      this.#recordLatency(token, nowMs);
      if (!checker.isLive(token)) this.#ended(token);
    }
  }

  #rejected(token: number, nowMs: number) {
    if (!this.#mine(token)) return this.#earlier();
    this.received.rejected++;
    this.#settle(this.#packetEnd[token]);
    if (this.checker.rejected(token)) {
      this.#recordLatency(token, nowMs);
      this.#ended(token);
    }
  }

  #replaced(token: number, previous: number, quantity: number, live: boolean) {
    if (!this.#mine(token)) return this.#earlier();
    this.received.replaced++;
    this.#settle(this.#packetEnd[token]);
    const checker = this.checker;
    const order = checker.replaced(token, previous, quantity, live);
    if (order === 0) return;
    if (this.#settleReplace(order) && checker.isLive(order)) {
      if (this.phase === "run") this.#poolAdd(order);
    }
    if (!checker.isLive(order)) this.#ended(order);
  }

  #executed(token: number, quantity: number) {
    if (!this.#mine(token)) return this.#earlier();
    this.received.executed++;
    const order = this.checker.executed(token, quantity);
    if (order !== 0 && !this.checker.isLive(order)) this.#ended(order);
  }

  #canceled(token: number, quantity: number, reason: string) {
    if (!this.#mine(token)) return this.#earlier();
    this.received.canceled++;
    const order = this.checker.canceled(token, quantity, reason);
    if (reason === "U" && order > 0) this.#settle(this.#cancelEnd[order]);
    if (order !== 0 && !this.checker.isLive(order)) this.#ended(order);
  }

  #aiqCanceled(token: number, quantity: number) {
    if (!this.#mine(token)) return this.#earlier();
    this.received.aiqCanceled++;
    const order = this.checker.aiqCanceled(token, quantity);
    if (order !== 0 && !this.checker.isLive(order)) this.#ended(order);
  }

  /** Whether a local token is one this run sent (not an earlier run's, nor the page's). */
  #mine(token: number): boolean {
    return token > 0 && token <= this.checker.highestToken;
  }

  /** A message about an order of an earlier run on the account, or the web page's. */
  #earlier(): void {
    this.received.history++;
  }

  /** Clears a pending replace of `order`; returns whether there was one. */
  #settleReplace(order: number): boolean {
    if ((this.#flags[order]! & FLAG_REPLACE) === 0) return false;
    this.#flags[order]! &= ~FLAG_REPLACE;
    this.#pendingReplaces--;
    return true;
  }

  /** An order ended (or was refused): out of the pool, and no replace pending. */
  #ended(order: number): void {
    this.#poolRemove(order);
    this.#settleReplace(order);
  }

  /** Moves through the drain: wait for answers, then for the cleanup to end every order. */
  #advance(nowMs: number): void {
    const checker = this.checker;
    if (this.phase === "settle") {
      if (
        checker.enteredCount > checker.answered || this.#pendingReplaces > 0
      ) {
        return;
      }
      this.runEndedAt = this.#lastReadAt > this.#beganAt
        ? this.#lastReadAt
        : nowMs;
      this.phase = "cleanup";
      this.#cleanupFrom = 1;
      this.#poolSize = 0;
    }
    if (this.phase === "cleanup" && checker.live === 0) this.#finish(nowMs);
  }

  #finish(nowMs: number): void {
    if (this.phase === "done") return;
    if (this.runEndedAt === 0) this.runEndedAt = nowMs;
    this.phase = "done";
  }
}
