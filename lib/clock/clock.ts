/**
 * The real clock of the edges: milliseconds for timers, and OUCH timestamps (nanoseconds
 * since midnight, Japan time) for the commands they give the exchange core, which takes
 * time only as arguments.
 *
 * @module
 */

/** A clock: milliseconds for timers, nanoseconds since midnight for messages. */
export interface Clock {
  /** Milliseconds, for heartbeats and timeouts. */
  nowMs(): number;
  /** Nanoseconds since midnight of the trading day (JST), for OUCH timestamps. */
  nowNs(): number;
}

/** Nanoseconds in a day. */
const DAY_NS = 86_400_000_000_000;

/**
 * The real clock: OUCH timestamps are nanoseconds since midnight JST (UTC+9).
 *
 * @example Within a day
 * ```ts
 * import { SYSTEM_CLOCK } from "./clock.ts";
 * import assert from "node:assert/strict";
 *
 * const ns = SYSTEM_CLOCK.nowNs();
 * assert.ok(Number.isSafeInteger(ns) && ns >= 0 && ns < 86_400_000_000_000);
 * ```
 */
export const SYSTEM_CLOCK: Clock = {
  nowMs: () => performance.now(),
  nowNs: () => {
    const ms = performance.timeOrigin + performance.now() + 9 * 3_600_000;
    return Math.round((ms % 86_400_000) * 1e6) % DAY_NS;
  },
};
