/**
 * Daily price limits (K17) derived from a reference price with the Tokyo Stock Exchange's
 * table (`jnx-ouch.md` §12). Prices are integer tenths.
 *
 * @module
 */

/** The largest price the protocol can carry: 214,748,364.6 in tenths. */
const MAX_PRICE = 0x7ffffffe;

/**
 * Below these bases (yen) the limit is the value of the same position in
 * `SMALL_LIMITS` (yen). From 1,000 yen up the table repeats every decade, see
 * `DECADE_STEPS`.
 */
const SMALL_BASES = [100, 200, 500, 700, 1_000];
const SMALL_LIMITS = [30, 50, 80, 100, 150];
/**
 * Within each decade `d` from 1,000 yen up: below `1.5 d` the limit is `0.3 d`, below `2 d`
 * it is `0.4 d`, and so on; the last step reaches the next decade.
 */
const DECADE_STEPS: readonly [number, number][] = [
  [1.5, 0.3],
  [2, 0.4],
  [3, 0.5],
  [5, 0.7],
  [7, 1],
  [10, 1.5],
];

/**
 * Returns the daily price limit (the allowed move either way) for a base price, by the TSE
 * table: base below 100 yen → 30 yen, below 200 → 50, below 500 → 80, below 700 → 100,
 * below 1,000 → 150, below 1,500 → 300, below 2,000 → 400, below 3,000 → 500, below 5,000 →
 * 700, below 7,000 → 1,000, below 10,000 → 1,500, and from there the same pattern every
 * decade (below 15,000 → 3,000 … below 2,000,000 → 400,000, then beyond the published table
 * as §12 asks: below 3,000,000 → 500,000 and so on).
 *
 * @param referencePrice The base price in tenths, above 0.
 * @returns The limit in tenths.
 * @throws {RangeError} If the price is not an integer from 1 to 2,147,483,646.
 *
 * @example Toyota at 2,800 yen may move 500 yen either way
 * ```ts
 * import assert from "node:assert/strict";
 * import { dailyPriceLimit } from "./price_limits.ts";
 *
 * assert.equal(dailyPriceLimit(28_000), 5_000);
 * assert.equal(dailyPriceLimit(29_999), 5_000);
 * assert.equal(dailyPriceLimit(30_000), 7_000);
 * assert.equal(dailyPriceLimit(999), 300);
 * ```
 */
export function dailyPriceLimit(referencePrice: number): number {
  checkPrice(referencePrice);
  const yen = referencePrice / 10;
  for (let i = 0; i < SMALL_BASES.length; i++) {
    if (yen < SMALL_BASES[i]!) return SMALL_LIMITS[i]! * 10;
  }
  for (let decade = 1_000;; decade *= 10) {
    for (const [below, limit] of DECADE_STEPS) {
      if (yen < below * decade) return Math.round(limit * decade * 10);
    }
  }
}

/**
 * Returns the lower and upper daily price limits around a reference price: the reference
 * price minus and plus {@linkcode dailyPriceLimit}, the lower never below 0.1 and the upper
 * never above 214,748,364.6.
 *
 * @param referencePrice The base price in tenths, above 0.
 * @returns The limits in tenths, both inclusive.
 * @throws {RangeError} If the price is not an integer from 1 to 2,147,483,646.
 *
 * @example Limits of the default instruments
 * ```ts
 * import assert from "node:assert/strict";
 * import { priceLimits } from "./price_limits.ts";
 *
 * assert.deepEqual(priceLimits(28_000), { lower: 23_000, upper: 33_000 });
 * assert.deepEqual(priceLimits(18_000), { lower: 14_000, upper: 22_000 });
 * assert.deepEqual(priceLimits(200), { lower: 1, upper: 500 });
 * ```
 */
export function priceLimits(
  referencePrice: number,
): { lower: number; upper: number } {
  const limit = dailyPriceLimit(referencePrice);
  return {
    lower: Math.max(1, referencePrice - limit),
    upper: Math.min(MAX_PRICE, referencePrice + limit),
  };
}

function checkPrice(price: number): void {
  if (!Number.isInteger(price) || price < 1 || price > MAX_PRICE) {
    throw new RangeError(
      `Cannot derive price limits as the reference price must be an integer from 1 to 2147483646 tenths: current value is ${price}`,
    );
  }
}
