/**
 * NATS log benchmark: `LogWriter` append throughput and acknowledgement latency for batches of
 * K records of 52 bytes (an Enter Order's size), on a single JetStream node and on a 3-node R3
 * cluster (file storage, loopback, every process on this machine), and `LogReader` throughput
 * reading them back. Each figure has a baseline from the same run: the same batches through
 * an in-memory queue in this process (encode, enqueue, dequeue on the next turn, decode,
 * acknowledge), with the same window of 256 unacknowledged batches; and a serial run (window
 * 1: each append waits for the acknowledgement of the one before) for the unloaded latency.
 * The baseline runs first and last, to show the drift of a shared machine.
 *
 * Run: `deno task bench:nats` (two to three minutes); `-- --quick` runs shorter. The last line
 * is one JSON object.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import {
  decodeRecords,
  encodeRecords,
  ensureVenue,
  LogReader,
  logTail,
  LogWriter,
  venueNames,
} from "../lib/nats/mod.ts";
import {
  connectTest,
  type NatsCluster,
  startNats,
  startNatsCluster,
} from "../tests/nats/_nats_harness.ts";

const QUICK = Deno.args.includes("--quick");
const RECORD_BYTES = 52;
const WINDOW = 256;
const SIZES = [1, 16, 128];
const RECORDS_PER_RUN = QUICK ? 100_000 : 400_000;
const MAX_BATCHES = QUICK ? 10_000 : 40_000;
/** Batches of the serial run (window 1: each append waits for the previous acknowledgement). */
const SERIAL_BATCHES = QUICK ? 1_000 : 3_000;

interface Figures {
  target: string;
  k: number;
  window: number;
  batches: number;
  appendRecordsPerSec: number;
  appendBatchesPerSec: number;
  ackP50Ms: number;
  ackP99Ms: number;
  readRecordsPerSec: number;
}

function batchesFor(k: number): number {
  return Math.min(MAX_BATCHES, Math.ceil(RECORDS_PER_RUN / k));
}

function makeBatch(k: number, n: number): Uint8Array[] {
  return Array.from({ length: k }, (_, i) => {
    const record = new Uint8Array(RECORD_BYTES);
    new DataView(record.buffer).setUint32(0, n * k + i);
    return record;
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ??
    0;
}

/** Runs `batches` appends with at most WINDOW unacknowledged; returns latencies and time. */
async function drive(
  batches: number,
  k: number,
  window: number,
  append: (records: Uint8Array[], n: number) => Promise<unknown>,
): Promise<{ ms: number; latencies: number[] }> {
  const latencies: number[] = new Array(batches);
  const prepared = Array.from(
    { length: Math.min(batches, 64) },
    (_, n) => makeBatch(k, n),
  );
  let inFlight = 0;
  let done = 0;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    const pump = () => {
      while (inFlight < window && next < batches) {
        const n = next++;
        inFlight++;
        const sent = performance.now();
        append(prepared[n % prepared.length]!, n).then(() => {
          latencies[n] = performance.now() - sent;
          inFlight--;
          if (++done === batches) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
  return { ms: performance.now() - start, latencies };
}

async function baseline(k: number, window = WINDOW): Promise<Figures> {
  const batches = window === 1 ? SERIAL_BATCHES : batchesFor(k);
  const queue: { body: Uint8Array; ack: () => void }[] = [];
  const stored: Uint8Array[] = [];
  let scheduled = false;
  // The next turn of the event loop without setTimeout's clamping.
  const channel = new MessageChannel();
  const drain = () => {
    scheduled = false;
    for (const item of queue.splice(0)) {
      stored.push(item.body);
      decodeRecords(item.body);
      item.ack();
    }
  };
  channel.port1.onmessage = drain;
  const { ms, latencies } = await drive(batches, k, window, (records) => {
    const { promise, resolve } = Promise.withResolvers<void>();
    queue.push({ body: encodeRecords(records), ack: resolve });
    if (!scheduled) {
      scheduled = true;
      channel.port2.postMessage(0);
    }
    return promise;
  });
  channel.port1.close();
  channel.port2.close();
  const readStart = performance.now();
  let read = 0;
  for (const body of stored) read += decodeRecords(body).length;
  const readMs = performance.now() - readStart;
  return summarize(
    "in-memory queue",
    k,
    window,
    batches,
    ms,
    latencies,
    read,
    readMs,
  );
}

async function onNats(
  cluster: NatsCluster,
  target: string,
  prefix: string,
  k: number,
  window = WINDOW,
): Promise<Figures> {
  const names = venueNames(prefix);
  const nc: NatsConnection = await connectTest(cluster.servers, "bench");
  try {
    await ensureVenue(nc, { names, replicas: cluster.nodes.length });
    const batches = window === 1 ? SERIAL_BATCHES : batchesFor(k);
    const writer = await LogWriter.open(nc, {
      names,
      epoch: 1,
      after: (await logTail(nc, names)).seq,
    });
    const { ms, latencies } = await drive(
      batches,
      k,
      window,
      (records, n) => writer.append(records, { seq: n + 1, done: 1 }),
    );
    writer.close();
    const last = (await logTail(nc, names)).seq;
    const reader = await LogReader.open(nc, { names });
    let readStart = 0;
    let read = 0;
    for await (const entry of reader) {
      if (readStart === 0) readStart = performance.now(); // after the consumer exists
      if (entry.type === "batch") read += entry.records.length;
      if (reader.position >= last) break;
    }
    const readMs = performance.now() - readStart;
    await reader.close();
    return summarize(
      target,
      k,
      window,
      batches,
      ms,
      latencies,
      read,
      readMs,
    );
  } finally {
    await nc.close();
  }
}

function summarize(
  target: string,
  k: number,
  window: number,
  batches: number,
  ms: number,
  latencies: number[],
  read: number,
  readMs: number,
): Figures {
  const sorted = latencies.slice().sort((a, b) => a - b);
  return {
    target,
    k,
    window,
    batches,
    appendRecordsPerSec: Math.round((batches * k) / (ms / 1000)),
    appendBatchesPerSec: Math.round(batches / (ms / 1000)),
    ackP50Ms: Number(percentile(sorted, 0.5).toFixed(2)),
    ackP99Ms: Number(percentile(sorted, 0.99).toFixed(2)),
    readRecordsPerSec: Math.round(read / (readMs / 1000)),
  };
}

const results: Figures[] = [];
const print = (f: Figures) => {
  results.push(f);
  // deno-lint-ignore no-console
  console.log(
    `${f.target.padEnd(16)} K=${String(f.k).padStart(3)} window ${
      String(f.window).padStart(3)
    }  ${String(f.batches).padStart(6)} batches  append ${
      f.appendRecordsPerSec.toLocaleString("en-US").padStart(11)
    } records/s (${
      f.appendBatchesPerSec.toLocaleString("en-US").padStart(7)
    } batches/s)  ack p50 ${f.ackP50Ms.toFixed(2).padStart(7)} ms  p99 ${
      f.ackP99Ms.toFixed(2).padStart(7)
    } ms  read ${
      f.readRecordsPerSec.toLocaleString("en-US").padStart(11)
    } records/s`,
  );
};

for (const k of SIZES) print(await baseline(k));
print(await baseline(16, 1));
for (
  const [target, start] of [
    ["single node", startNats],
    ["R3 cluster", startNatsCluster],
  ] as const
) {
  const cluster = await start();
  try {
    for (const [i, k] of SIZES.entries()) {
      print(await onNats(cluster, target, `b${i}`, k));
    }
    print(await onNats(cluster, target, "serial", 16, 1));
  } finally {
    await cluster.close();
  }
}
for (const k of SIZES) print(await baseline(k));
print(await baseline(16, 1));
// deno-lint-ignore no-console
console.log(
  JSON.stringify({ window: WINDOW, recordBytes: RECORD_BYTES, results }),
);
