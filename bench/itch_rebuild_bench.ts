/**
 * The client's ITCH decode + book rebuild against another checkout's, in the same run:
 * `BookBuilder.applyFrames` over the ITCH bench's day (`_itch_day.ts`, the SoupBin file of
 * `deno task bench:itch`) from an empty builder each iteration, this checkout's builder and
 * `--ref DIR`'s alternated round by round (which goes first alternates too), so that the
 * machine's speed, which moves from minute to minute, weighs on both alike.
 *
 * Each round runs `--iterations` passes of each builder and reports, per builder, the median
 * and the fastest pass (wall time, ns per message) and the process CPU time per message over
 * the round (`process.cpuUsage`, user + system); the summary gives the medians over the
 * rounds, the fastest pass, M messages/s, and the ratio ref / ours (above 1: ours is faster).
 * Without `--ref`, only this checkout's builder runs.
 *
 * Run: `deno task bench:itch-rebuild -- --ref ../ouch-main` (`--rounds N`,
 * `--iterations N`, `--warmup N`).
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { BookBuilder } from "../lib/itch/book_builder.ts";
import { framesOf, makeDay } from "./_itch_day.ts";

interface Builder {
  applyFrames(frames: Uint8Array): number;
  readonly orderCount: number;
}
type BuilderClass = new () => Builder;

const { values } = parseArgs({
  // `deno task bench:itch-rebuild -- --ref DIR` passes the `--` on.
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    ref: { type: "string" },
    rounds: { type: "string", default: "7" },
    iterations: { type: "string", default: "40" },
    warmup: { type: "string", default: "40" },
  },
});
const rounds = Number(values.rounds);
const iterations = Number(values.iterations);
const warmup = Number(values.warmup);
for (const [name, value] of [["rounds", rounds], ["iterations", iterations]]) {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new RangeError(
      `Cannot run the bench as --${name} must be a positive integer: current value is ${value}`,
    );
  }
}

const day = makeDay();
const file = framesOf(day.log);
const count = day.log.length;

const sides: { name: string; builder: BuilderClass }[] = [
  { name: "ours", builder: BookBuilder },
];
if (values.ref !== undefined) {
  const url = new URL(
    `file://${values.ref.replace(/\/$/, "")}/lib/itch/book_builder.ts`,
  );
  const module = await import(url.href);
  sides.push({ name: "ref", builder: module.BookBuilder as BuilderClass });
}

// The same day gives the same book through both builders.
const orderCounts = sides.map(({ builder }) => {
  const b = new builder();
  if (b.applyFrames(file) !== count) {
    throw new Error("Cannot run the bench as a builder skipped messages");
  }
  return b.orderCount;
});
if (orderCounts.some((n) => n !== orderCounts[0] || n === 0)) {
  throw new Error(
    `Cannot run the bench as the builders disagree: order counts ${orderCounts}`,
  );
}

/** Results are summed here so that no pass can be optimized away. */
let sink = 0;

function pass(builder: BuilderClass): void {
  const b = new builder();
  sink += b.applyFrames(file);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

for (let i = 0; i < warmup; i++) for (const side of sides) pass(side.builder);

const fmt = (ns: number) => ns.toFixed(1).padStart(6);
const results = sides.map(() => ({
  medians: [] as number[],
  mins: [] as number[],
  cpus: [] as number[],
}));
// deno-lint-ignore no-console
console.log(
  `${count} messages a pass, ${rounds} rounds of ${iterations} passes each; ns per message`,
);
for (let round = 0; round < rounds; round++) {
  const order = sides.map((_, k) => k);
  if (round % 2 === 1) order.reverse();
  const line: string[] = [];
  for (const k of order) {
    const times: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      pass(sides[k]!.builder);
      times.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    const r = results[k]!;
    r.medians.push(median(times) * 1e6 / count);
    r.mins.push(Math.min(...times) * 1e6 / count);
    r.cpus.push((cpu.user + cpu.system) * 1e3 / iterations / count);
    line.push(
      `${sides[k]!.name}: median ${fmt(r.medians.at(-1)!)} min ${
        fmt(r.mins.at(-1)!)
      } cpu ${fmt(r.cpus.at(-1)!)}`,
    );
  }
  // deno-lint-ignore no-console
  console.log(`round ${round + 1}  ${line.join("  |  ")}`);
}

// deno-lint-ignore no-console
console.log("\nsummary (medians over rounds; min = fastest pass):");
for (let k = 0; k < sides.length; k++) {
  const r = results[k]!;
  const med = median(r.medians);
  // deno-lint-ignore no-console
  console.log(
    `${sides[k]!.name.padEnd(4)}  median ${fmt(med)} ns/msg (${
      (1e3 / med).toFixed(2)
    } M msgs/s)  min ${fmt(Math.min(...r.mins))} ns/msg (${
      (1e3 / Math.min(...r.mins)).toFixed(2)
    } M msgs/s)  cpu ${fmt(median(r.cpus))} ns/msg`,
  );
}
if (sides.length === 2) {
  const [ours, ref] = results as [typeof results[0], typeof results[0]];
  const ratios = (a: number[], b: number[]) =>
    median(a.map((x, i) => x / b[i]!)).toFixed(2);
  // deno-lint-ignore no-console
  console.log(
    `ref / ours: median ${ratios(ref.medians, ours.medians)}×, min ${
      (Math.min(...ref.mins) / Math.min(...ours.mins)).toFixed(2)
    }×, cpu ${ratios(ref.cpus, ours.cpus)}× (per-round ratios, median)`,
  );
}
if (sink < 0) throw new Error("unreachable");
