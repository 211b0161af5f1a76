import assert from "node:assert/strict";
import {
  formatDuration,
  latencyHistogram,
  percentile,
  renderHistogram,
  summarizeLatency,
} from "../../lib/client/latency.ts";

Deno.test("percentile() takes the nearest rank", () => {
  const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(percentile(sorted, 50), 500);
  assert.equal(percentile(sorted, 90), 900);
  assert.equal(percentile(sorted, 99), 990);
  assert.equal(percentile(sorted, 99.9), 999);
  assert.equal(percentile(sorted, 100), 1000);
  assert.equal(percentile([7], 99.9), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile(sorted, 101), { name: "RangeError" });
  assert.throws(() => percentile(sorted, NaN), RangeError);
});

Deno.test("summarizeLatency() sorts a copy and reports every percentile", () => {
  const samples = Float64Array.from(
    { length: 1000 },
    (_, i) => (1000 - i) / 100,
  );
  const summary = summarizeLatency(samples);
  assert.ok(Math.abs(summary.mean - 5.005) < 1e-9);
  assert.deepEqual({ ...summary, mean: 0 }, {
    count: 1000,
    min: 0.01,
    mean: 0,
    p50: 5,
    p90: 9,
    p99: 9.9,
    p999: 9.99,
    max: 10,
  });
  assert.equal(samples[0], 10, "the input is not sorted in place");
  const empty = summarizeLatency([]);
  assert.equal(empty.count, 0);
  assert.ok(Number.isNaN(empty.p99));
});

Deno.test("latencyHistogram() doubles its buckets from 1 µs", () => {
  assert.deepEqual(
    latencyHistogram([0.0005, 0.0015, 0.003, 0.003, 1.5]).map((
      b,
    ) => [b.fromMs, b.toMs, b.count]),
    [
      [0, 0.002, 2],
      [0.002, 0.004, 2],
      [0.004, 0.008, 0],
      [0.008, 0.016, 0],
      [0.016, 0.032, 0],
      [0.032, 0.064, 0],
      [0.064, 0.128, 0],
      [0.128, 0.256, 0],
      [0.256, 0.512, 0],
      [0.512, 1.024, 0],
      [1.024, 2.048, 1],
    ],
  );
  assert.deepEqual(latencyHistogram([]), []);
  const total = latencyHistogram(
    Float64Array.from({ length: 500 }, (_, i) => i / 100),
  )
    .reduce((sum, bucket) => sum + bucket.count, 0);
  assert.equal(total, 500);
});

Deno.test("renderHistogram() scales bars to the largest bucket", () => {
  const lines = renderHistogram([
    { fromMs: 0.128, toMs: 0.256, count: 10 },
    { fromMs: 0.256, toMs: 0.512, count: 30 },
    { fromMs: 0.512, toMs: 1.024, count: 0 },
  ], 6);
  assert.deepEqual(lines, [
    "   128 µs –    256 µs │██    │ 10 (25.0%)",
    "   256 µs –    512 µs │██████│ 30 (75.0%)",
    "   512 µs –   1.02 ms │      │ 0 (0.0%)",
  ]);
});

Deno.test("formatDuration() picks µs, ms or s", () => {
  assert.equal(formatDuration(0.0004), "0 µs");
  assert.equal(formatDuration(0.999), "999 µs");
  assert.equal(formatDuration(16.384), "16.38 ms");
  assert.equal(formatDuration(999.99), "999.99 ms");
  assert.equal(formatDuration(61_000), "61.00 s");
  assert.equal(formatDuration(NaN), "-");
});
