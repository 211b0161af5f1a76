/**
 * Takes an exchange's snapshots at a cadence (every so many records, or every so many
 * seconds when records came) and hands each to a store, one at a time: `ouch server`
 * writes them next to its journal, `ouch engine` to the venue's object store. No clock of
 * its own: the time comes with each tick, and the pause is measured with an injected one.
 *
 * @module
 */
import type { Exchange } from "./exchange.ts";
import type { DayConfig } from "./record.ts";

/** What became of a snapshot: stored (and how long taking it stalled the engine), or not. */
export type SnapshotEvent =
  | { written: string; position: number; ms: number; bytes: number }
  | { error: string };

/** When a {@linkcode Snapshotter} takes snapshots. */
export interface SnapshotCadence {
  /** A snapshot once this many records were written since the last; 0 for never. */
  records: number;
  /** A snapshot once this many seconds passed since the last, if records came; 0 for never. */
  seconds: number;
}

/**
 * Stores a snapshot somewhere.
 *
 * @param day The day it is of.
 * @param position The number of the day's records it follows.
 * @param bytes The snapshot.
 * @returns Where it went (a path, an object's name), once it is stored.
 */
export type SnapshotPut = (
  day: DayConfig,
  position: number,
  bytes: Uint8Array,
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
 *   put: (day, position) => Promise.resolve(`${day.session}.${position}`),
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
 *   [`2026112501.${position}`, position],
 * ]);
 * ```
 */
export class Snapshotter {
  readonly #put: SnapshotPut;
  readonly #exchange: Exchange;
  readonly #cadence: SnapshotCadence;
  readonly #report: (event: SnapshotEvent) => void;
  readonly #elapsed: () => number;
  #session = "";
  #lastPosition = 0;
  #lastAt = 0;
  #writing: Promise<void> | undefined;

  /**
   * Watches an exchange.
   *
   * @param options The exchange, the cadence, where snapshots go, who hears of each, the
   *   time now and the clock that measures the pause.
   */
  constructor(options: SnapshotterOptions) {
    this.#put = options.put;
    this.#exchange = options.exchange;
    this.#cadence = options.cadence;
    this.#report = options.report;
    this.#elapsed = options.elapsed;
    this.#lastAt = options.now;
    this.#session = options.exchange.session;
    this.#lastPosition = options.exchange.position;
  }

  /** A snapshot being stored, if any. */
  get writing(): Promise<void> | undefined {
    return this.#writing;
  }

  /**
   * Takes a snapshot when the cadence says so (and none is being stored).
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
    const bytes = exchange.snapshot();
    const taken = exchange.position;
    const ms = this.#elapsed() - started;
    this.#lastPosition = taken;
    this.#lastAt = now;
    this.#writing = this.#put(day, taken, bytes).then(
      (where) =>
        this.#report({
          written: where,
          position: taken,
          ms,
          bytes: bytes.length,
        }),
      (error) =>
        this.#report({
          error: `Cannot write the snapshot at record ${taken}: ${
            error instanceof Error ? error.message : String(error)
          }`,
        }),
    ).finally(() => this.#writing = undefined);
    return true;
  }
}
