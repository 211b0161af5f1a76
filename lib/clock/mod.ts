/**
 * The edges' real clock ({@linkcode SYSTEM_CLOCK}) and the {@linkcode Clock} interface that
 * tests replace with a fake one.
 *
 * @example A fake clock
 * ```ts
 * import type { Clock } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const clock: Clock = { nowMs: () => 0, nowNs: () => 32_400_000_000_000 };
 * assert.equal(clock.nowNs(), 9 * 3_600_000_000_000);
 * ```
 *
 * @module
 */
export * from "./clock.ts";
