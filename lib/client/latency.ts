/**
 * Latency statistics for the load generator: percentiles, a summary, a log-scale histogram
 * drawn with text, and durations in readable units. No I/O.
 *
 * @module
 */

/** Percentiles and extremes of a set of latencies, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** One bar of a latency histogram: samples from `fromMs` (inclusive) to `toMs` (exclusive). */
export interface HistogramBucket {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
}

/**
 * The nearest-rank percentile of sorted samples: the smallest sample such that at least
 * `p` percent of the samples are at or below it.
 *
 * @param sorted The samples in ascending order.
 * @param p The percentile, from 0 to 100.
 * @returns The sample, or `NaN` when there are none.
 * @throws {RangeError} If `p` is outside 0..100.
 *
 * @example Percentiles of ten samples
 * ```ts
 * import { percentile } from "./latency.ts";
 * import assert from "node:assert/strict";
 *
 * const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
 * assert.equal(percentile(sorted, 50), 5);
 * assert.equal(percentile(sorted, 90), 9);
 * assert.equal(percentile(sorted, 99), 10);
 * assert.equal(percentile(sorted, 0), 1);
 * ```
 */
export function percentile(
  sorted: ArrayLike<number>,
  p: number,
): number {
  if (!(p >= 0 && p <= 100)) {
    throw new RangeError(
      `Cannot take percentile ${p} as it must be from 0 to 100`,
    );
  }
  if (sorted.length === 0) return NaN;
  // The epsilon keeps 99.9% of 1000 at rank 999 despite 99.9 not being exact in binary.
  const rank = Math.max(1, Math.ceil((p * sorted.length) / 100 - 1e-9));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/**
 * Summarizes latencies: count, minimum, mean, p50, p90, p99, p99.9 and maximum.
 *
 * @param samples The latencies in milliseconds, in any order; they are not changed.
 * @returns The summary; every statistic is `NaN` when there are no samples.
 *
 * @example A summary
 * ```ts
 * import { summarizeLatency } from "./latency.ts";
 * import assert from "node:assert/strict";
 *
 * const summary = summarizeLatency(Float64Array.from([0.3, 0.1, 0.2, 0.4]));
 * assert.equal(summary.count, 4);
 * assert.equal(summary.p50, 0.2);
 * assert.equal(summary.max, 0.4);
 * assert.ok(Math.abs(summary.mean - 0.25) < 1e-12);
 * ```
 */
export function summarizeLatency(
  samples: Float64Array | readonly number[],
): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const sample of sorted) total += sample;
  const count = sorted.length;
  return {
    count,
    min: count === 0 ? NaN : sorted[0]!,
    mean: count === 0 ? NaN : total / count,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: count === 0 ? NaN : sorted[count - 1]!,
  };
}

/**
 * Counts latencies into buckets that double in width: [1 µs, 2 µs), [2 µs, 4 µs), … with
 * everything below 1 µs in the first. Only the range from the first to the last non-empty
 * bucket is returned.
 *
 * @param samples The latencies in milliseconds.
 * @returns The buckets in ascending order; `[]` without samples.
 *
 * @example Three samples
 * ```ts
 * import { latencyHistogram } from "./latency.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(latencyHistogram([0.005, 0.006, 0.02]), [
 *   { fromMs: 0.004, toMs: 0.008, count: 2 },
 *   { fromMs: 0.008, toMs: 0.016, count: 0 },
 *   { fromMs: 0.016, toMs: 0.032, count: 1 },
 * ]);
 * ```
 */
export function latencyHistogram(
  samples: Float64Array | readonly number[],
): HistogramBucket[] {
  const counts: number[] = [];
  for (const sample of samples) {
    const micros = sample * 1000;
    const bucket = micros < 1 ? 0 : Math.floor(Math.log2(micros));
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  const first = counts.findIndex((count) => count !== undefined);
  if (first < 0) return [];
  const buckets: HistogramBucket[] = [];
  for (let i = first; i < counts.length; i++) {
    buckets.push({
      fromMs: i === 0 ? 0 : 2 ** i / 1000,
      toMs: 2 ** (i + 1) / 1000,
      count: counts[i] ?? 0,
    });
  }
  return buckets;
}

/**
 * Draws a histogram as text, one line per bucket: its range, a bar scaled to the largest
 * bucket, the count and the share of all samples.
 *
 * @param buckets The buckets, as from {@linkcode latencyHistogram}.
 * @param width The length of the longest bar in characters.
 * @returns One line per bucket.
 *
 * @example Two buckets
 * ```ts
 * import { renderHistogram } from "./latency.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(renderHistogram([
 *   { fromMs: 0.016, toMs: 0.032, count: 3 },
 *   { fromMs: 0.032, toMs: 0.064, count: 1 },
 * ], 4), [
 *   "    16 µs –     32 µs │████│ 3 (75.0%)",
 *   "    32 µs –     64 µs │█   │ 1 (25.0%)",
 * ]);
 * ```
 */
export function renderHistogram(
  buckets: readonly HistogramBucket[],
  width = 40,
): string[] {
  let total = 0;
  let largest = 0;
  for (const bucket of buckets) {
    total += bucket.count;
    largest = Math.max(largest, bucket.count);
  }
  return buckets.map((bucket) => {
    const length = largest === 0
      ? 0
      : Math.round((bucket.count / largest) * width);
    const bar = "█".repeat(length).padEnd(width);
    const share = total === 0 ? 0 : (bucket.count / total) * 100;
    return `${formatDuration(bucket.fromMs).padStart(9)} – ${
      formatDuration(bucket.toMs).padStart(9)
    } │${bar}│ ${bucket.count} (${share.toFixed(1)}%)`;
  });
}

/**
 * Shows a duration in milliseconds in a readable unit: whole microseconds below 1 ms
 * (`250 µs`), milliseconds with two decimals below 1 s (`1.25 ms`), seconds with two
 * decimals above (`2.50 s`).
 *
 * @param ms The duration in milliseconds.
 * @returns The text; `-` for `NaN`.
 *
 * @example Units
 * ```ts
 * import { formatDuration } from "./latency.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDuration(0.25), "250 µs");
 * assert.equal(formatDuration(1.25), "1.25 ms");
 * assert.equal(formatDuration(2500), "2.50 s");
 * ```
 */
export function formatDuration(ms: number): string {
  if (Number.isNaN(ms)) return "-";
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
