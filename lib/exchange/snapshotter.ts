/**
 * Takes an exchange's snapshots at a cadence (every so many records, or every so many
 * seconds when records came) and hands each to a store, one at a time: `ouch server`
 * writes them next to its journal, `ouch engine` to the venue's object store. No clock or
 * timer of its own: the time comes with each tick, the pause is measured with an injected
 * clock, and the turns the encoding is spread over are given by an injected `pause`.
 *
 * A snapshot is taken in two parts. In the turn it is due, the exchange's state is copied
 * (`Exchange.captureSnapshot`: a copy of its arrays, no encoding) and handed to the store
 * as a promise of its bytes; then it is encoded and checked a slice at a time, each slice
 * at most about `sliceMs` long, with a `pause` between slices in which the engine carries
 * on. Nothing reads the live state after the first turn, so the snapshot is of exactly its
 * position, whatever the engine did in between.
 *
 * @module
 */
import type { Exchange } from "./exchange.ts";
import type { DayConfig } from "./record.ts";
import { encodeSnapshotSteps, SnapshotError } from "./snapshot.ts";

/**
 * What became of a snapshot: stored (with `ms`, the longest the engine stood still for it:
 * the copy, or the longest slice of its encoding, over `slices` slices), or not.
 */
export type SnapshotEvent =
  | {
    written: string;
    position: number;
    ms: number;
    bytes: number;
    slices: number;
  }
  | { error: string };

/** When a {@linkcode Snapshotter} takes snapshots. */
export interface SnapshotCadence {
  /** A snapshot once this many records were written since the last; 0 for never. */
  records: number;
  /** A snapshot once this many seconds passed since the last, if records came; 0 for never. */
  seconds: number;
}

/**
 * Stores a snapshot somewhere. Called in the turn the snapshot is taken, before it is
 * encoded: whatever the store must note of the engine at the snapshot's position (the log
 * sequence its last record landed at, say), it reads before its first `await`.
 *
 * @param day The day it is of.
 * @param position The number of the day's records it follows.
 * @param bytes The snapshot, once encoded; rejects with a {@linkcode SnapshotError} when it
 *   was abandoned ({@linkcode Snapshotter.abandon}, or the day ended), and then nothing may
 *   be stored.
 * @returns Where it went (a path, an object's name), once it is stored.
 */
export type SnapshotPut = (
  day: DayConfig,
  position: number,
  bytes: Promise<Uint8Array>,
) => Promise<string>;

/** How to build a {@linkcode Snapshotter}. */
export interface SnapshotterOptions {
  /** The exchange to take snapshots of. */
  exchange: Exchange;
  /** When. */
  cadence: SnapshotCadence;
  /** Where each goes. */
  put: SnapshotPut;
  /** Told of each snapshot stored, or why not. */
  report: (event: SnapshotEvent) => void;
  /** The time now, in milliseconds from the origin `tick` uses. */
  now: number;
  /** A clock in milliseconds to measure how long taking a snapshot stalls the engine. */
  elapsed: () => number;
  /**
   * Lets the engine run between two slices of the encoding: an edge passes a timer of 0
   * ms, so that commands and I/O waiting are served.
   *
   * @default {() => Promise.resolve()} (no turn passes: the encoding runs to its end)
   */
  pause?: () => Promise<void>;
  /** How long one slice of the encoding runs before a pause, in milliseconds. @default {5} */
  sliceMs?: number;
}

/** A snapshot being encoded. */
interface Job {
  abandoned: string | undefined;
}

/**
 * Takes the exchange's snapshots at a cadence, one at a time. Call
 * {@linkcode Snapshotter.tick} every second or so, and after work.
 *
 * @example A snapshot once a record came
 * ```ts
 * import { Exchange } from "./exchange.ts";
 * import { type SnapshotEvent, Snapshotter } from "./snapshotter.ts";
 * import assert from "node:assert/strict";
 *
 * const exchange = new Exchange({
 *   users: new Map([["demo1", "demo"]]),
 *   log: null,
 *   timestamp: 0,
 *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
 * });
 * const events: SnapshotEvent[] = [];
 * const snapshotter = new Snapshotter({
 *   exchange,
 *   cadence: { records: 1, seconds: 0 },
 *   put: async (day, position, bytes) => `${day.session}.${position}.${(await bytes).length > 0}`,
 *   report: (event) => void events.push(event),
 *   now: 0,
 *   elapsed: () => 0,
 * });
 * assert.equal(snapshotter.tick(0), false); // nothing new since it started
 * exchange.login({
 *   type: "loginRequest", username: "demo1", password: "demo", requestedSession: "",
 *   requestedSequenceNumber: 1,
 * }, "ouch", 1);
 * assert.equal(snapshotter.tick(0), true);
 * await snapshotter.writing;
 * const position = exchange.position;
 * assert.deepEqual(events.map((e) => "written" in e && [e.written, e.position]), [
 *   [`2026112501.${position}.true`, position],
 * ]);
 * ```
 */
export class Snapshotter {
  readonly #put: SnapshotPut;
  readonly #exchange: Exchange;
  readonly #cadence: SnapshotCadence;
  readonly #report: (event: SnapshotEvent) => void;
  readonly #elapsed: () => number;
  readonly #pause: () => Promise<void>;
  readonly #sliceMs: number;
  #session = "";
  #lastPosition = 0;
  #lastAt = 0;
  #writing: Promise<void> | undefined;
  #job: Job | undefined;

  /**
   * Watches an exchange.
   *
   * @param options The exchange, the cadence, where snapshots go, who hears of each, the
   *   time now, the clock that measures the pause, and how to spread the encoding.
   */
  constructor(options: SnapshotterOptions) {
    this.#put = options.put;
    this.#exchange = options.exchange;
    this.#cadence = options.cadence;
    this.#report = options.report;
    this.#elapsed = options.elapsed;
    this.#pause = options.pause ?? (() => Promise.resolve());
    this.#sliceMs = options.sliceMs ?? 5;
    this.#lastAt = options.now;
    this.#session = options.exchange.session;
    this.#lastPosition = options.exchange.position;
  }

  /** A snapshot being encoded or stored, if any. */
  get writing(): Promise<void> | undefined {
    return this.#writing;
  }

  /**
   * Abandons the snapshot being encoded, if any: it stops at its next pause, nothing is
   * stored, and the report says why. (One already encoded and being stored goes on.)
   *
   * @param why Why, for the report.
   * @returns Once the abandoned snapshot (or the one being stored) is done with.
   */
  abandon(why: string): Promise<void> {
    if (this.#job !== undefined) this.#job.abandoned ??= why;
    return this.#writing ?? Promise.resolve();
  }

  /**
   * Takes a snapshot when the cadence says so (and none is being stored): copies the
   * state in this turn, and encodes and stores it over the next ones.
   *
   * @param now Milliseconds, from any fixed origin.
   * @returns Whether one was taken.
   */
  tick(now: number): boolean {
    const exchange = this.#exchange;
    const day = exchange.day;
    if (day === undefined || this.#writing !== undefined) return false;
    if (exchange.session !== this.#session) {
      // A new day: count from its start.
      this.#session = exchange.session;
      this.#lastPosition = 0;
      this.#lastAt = now;
    }
    const position = exchange.position;
    const since = position - this.#lastPosition;
    const { records, seconds } = this.#cadence;
    const due = since > 0 &&
      ((records > 0 && since >= records) ||
        (seconds > 0 && now - this.#lastAt >= seconds * 1000));
    if (!due) return false;
    const started = this.#elapsed();
    const capture = exchange.captureSnapshot();
    const taken = exchange.position;
    const stall = { longest: this.#elapsed() - started, slices: 0, bytes: 0 };
    this.#lastPosition = taken;
    this.#lastAt = now;
    const job: Job = { abandoned: undefined };
    this.#job = job;
    const bytes = this.#encode(encodeSnapshotSteps(capture), job, day, stall);
    // The store may fail before it waits for the bytes: their rejection is its to see.
    bytes.catch(() => {});
    this.#writing = this.#put(day, taken, bytes).then(
      (where) =>
        this.#report({
          written: where,
          position: taken,
          ms: stall.longest,
          bytes: stall.bytes,
          slices: stall.slices,
        }),
      (error) =>
        this.#report({
          error: `Cannot write the snapshot at record ${taken}: ${
            error instanceof Error ? error.message : String(error)
          }`,
        }),
    ).finally(() => {
      this.#writing = undefined;
      this.#job = undefined;
    });
    return true;
  }

  /** Runs the encoding in slices of about `sliceMs`, pausing between them. */
  async #encode(
    steps: Generator<void, Uint8Array, void>,
    job: Job,
    day: DayConfig,
    stall: { longest: number; slices: number; bytes: number },
  ): Promise<Uint8Array> {
    const sliceMs = this.#sliceMs;
    for (;;) {
      await this.#pause();
      if (job.abandoned === undefined && this.#exchange.day !== day) {
        job.abandoned = "the day ended";
      }
      if (job.abandoned !== undefined) {
        steps.return(new Uint8Array());
        throw new SnapshotError(
          `Cannot finish the snapshot: it was abandoned as ${job.abandoned}`,
        );
      }
      const started = this.#elapsed();
      stall.slices++;
      for (;;) {
        const step = steps.next();
        const ms = this.#elapsed() - started;
        if (step.done === true || ms >= sliceMs) {
          stall.longest = Math.max(stall.longest, ms);
        }
        if (step.done === true) {
          stall.bytes = step.value.length;
          return step.value;
        }
        if (ms >= sliceMs) break;
      }
    }
  }
}
