/**
 * Text forms shared by the edges: one-line OUCH messages, prices in tenths, timestamps in
 * nanoseconds since midnight, and JSON with exact 64-bit numbers. Pure.
 *
 * @example A price and a timestamp
 * ```ts
 * import { formatPrice, formatTimestamp } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatPrice(23_005), "2300.5");
 * assert.equal(formatTimestamp(32_400_000_000_000), "09:00:00.000000000");
 * ```
 *
 * @module
 */
export * from "./format.ts";
