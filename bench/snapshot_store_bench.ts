/**
 * What a snapshot costs the engine: `ouch server` writes it to a file next to the journal,
 * `ouch engine` to the venue's JetStream object store.
 *
 * First where the time of taking one goes, on an exchange of `--orders` resting orders
 * (default 200,000: ~20 MB, the size `bench:cluster`'s engine snapshots at 1,000,000
 * records): `Exchange.snapshot()` whole (the synchronous snapshot), its parts (copying the
 * state out: `Exchange.captureSnapshot()`; encoding and CRC: `encodeSnapshotSteps` run
 * through; the CRC alone), and with `--ref DIR` (another checkout, say main before a
 * change) that checkout's `Exchange.snapshot()` on the same orders.
 *
 * Then the stall: the event loop's longest gap (a `setTimeout(0)` chain: while it is
 * stalled, no command is applied) and the time until stored, for the `Snapshotter` as
 * `ouch server` and `ouch engine` run it (copied in one turn, encoded in slices of ~5 ms
 * between timers), and with `--ref` for that checkout's way (`snapshot()` then the store),
 * each on the file store and the object store, alternated in one run.
 *
 * Then what a snapshot saves: an `ActiveEngine` on single-node NATS is fed `--commands`
 * orders (default 100,000) through the command stream, storing one snapshot after 80 % of
 * them; successors (without followers, as `ouch engine` runs) are started on that log
 * alternately with the snapshot store and without it, and their recovery times (reading
 * the log and rebuilding the day) compared, with the time reading the whole log alone takes.
 *
 * Run: `deno task bench:snapshot` (`-- --orders N`, `-- --commands N`, `-- --ref DIR`,
 * `-- --rounds N` of the stall, default 5). Needs `/usr/sbin/nats-server`. The last line is
 * one JSON object.
 *
 * @module
 */
import { encodeMessage } from "../lib/codec/mod.ts";
import {
  crc32,
  encodeSnapshotSteps,
  Exchange,
  type SessionHandle,
  Snapshotter,
} from "../lib/exchange/mod.ts";
import { SYSTEM_CLOCK } from "../lib/clock/clock.ts";
import {
  ActiveEngine,
  CommandPublisher,
  encodeGatewayCommand,
  ensureVenue,
  readLogState,
  SnapshotStore,
  venueNames,
} from "../lib/nats/mod.ts";
import { writeSnapshot } from "../lib/server/snapshot_file.ts";
import { enterOrder } from "../tests/_fixtures.ts";
import { connectTest, startNats } from "../tests/nats/_nats_harness.ts";

const ACCOUNTS = 16;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
}
const orders = flag("--orders", 200_000);
const commands = flag("--commands", 100_000);
const ROUNDS = flag("--rounds", 5);
const refAt = Deno.args.indexOf("--ref");
const ref = refAt >= 0 ? Deno.args[refAt + 1] : undefined;

/** Runs `work` while sampling the event loop; returns its duration and the longest gap. */
async function measured(
  work: () => Promise<unknown>,
): Promise<{ ms: number; maxGapMs: number }> {
  let running = true;
  let maxGap = 0;
  let last = performance.now();
  const sampler = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const t = performance.now();
      maxGap = Math.max(maxGap, t - last);
      last = t;
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 0));
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  running = false;
  await sampler;
  return { ms, maxGapMs: maxGap };
}

const users = new Map(
  Array.from({ length: ACCOUNTS }, (_, i) => [`demo${i + 1}`, "demo"]),
);

/** What the bench needs of an `Exchange`, ours or `--ref`'s. */
interface BenchExchange {
  login: Exchange["login"];
  handleMessage(handle: SessionHandle, message: Uint8Array, at: number): void;
  flush(): void;
  drain(): Promise<void>;
  snapshot(): Uint8Array;
  readonly position: number;
}

/** An exchange with `orders` resting orders (on ticks, within the price limits, paced). */
async function build(
  make: typeof Exchange,
  encode: typeof encodeMessage,
): Promise<{ exchange: BenchExchange; more: () => void }> {
  const exchange: BenchExchange = new make({
    users,
    log: null,
    schedule: () => {},
    day: { tradingDate: "20261125", created: 1795564800 },
    timestamp: 0,
  });
  const handles: SessionHandle[] = [];
  for (const username of users.keys()) {
    const result = exchange.login(
      {
        type: "loginRequest",
        username,
        password: "demo",
        requestedSession: "",
        requestedSequenceNumber: 1,
      },
      "bench",
      0,
    );
    if (!result.accept) throw new Error(`login of ${username} refused`);
    handles.push(result.handle);
  }
  let i = 0;
  const one = () => {
    const buy = i % 2 === 0;
    exchange.handleMessage(
      handles[i % ACCOUNTS]!,
      encode(enterOrder(Math.floor(i / ACCOUNTS) + 1, {
        clientReference: "bench",
        buySellIndicator: buy ? "B" : "S",
        orderbookId: "7203",
        price: buy ? 27000 - (i % 300) * 10 : 28000 + (i % 300) * 10,
      })),
      // A millisecond apart: no account meets its flow control.
      1000 + i * 1_000_000,
    );
    i++;
  };
  for (let n = 0; n < orders; n++) {
    one();
    if (n % 64 === 63) exchange.flush();
  }
  exchange.flush();
  await exchange.drain();
  return { exchange, more: () => (one(), exchange.flush()) };
}

function timed(work: () => unknown): number {
  const t = performance.now();
  work();
  return performance.now() - t;
}

const ours = await build(Exchange, encodeMessage);
const exchange = ours.exchange as Exchange;
const theirs = ref === undefined ? undefined : await build(
  (await import(`${ref}/lib/exchange/mod.ts`)).Exchange,
  (await import(`${ref}/lib/codec/mod.ts`)).encodeMessage,
);

// Where the time of taking a snapshot goes (alternated with --ref's snapshot()).
const parts = {
  snapshotMs: [] as number[],
  captureMs: [] as number[],
  encodeAndCrcMs: [] as number[],
  crcMs: [] as number[],
  refSnapshotMs: [] as number[],
};
let bytes: Uint8Array = new Uint8Array();
for (let i = 0; i < ROUNDS; i++) {
  parts.snapshotMs.push(timed(() => bytes = exchange.snapshot()));
  let capture: ReturnType<Exchange["captureSnapshot"]> | undefined;
  parts.captureMs.push(timed(() => capture = exchange.captureSnapshot()));
  parts.encodeAndCrcMs.push(timed(() => {
    const steps = encodeSnapshotSteps(capture!);
    while (steps.next().done !== true);
  }));
  parts.crcMs.push(timed(() => crc32(bytes)));
  if (theirs !== undefined) {
    parts.refSnapshotMs.push(timed(() => theirs.exchange.snapshot()));
  }
}

await using nats = await startNats();
const nc = await connectTest(nats.servers);
const directory = await Deno.makeTempDir({ prefix: "ouch-snapbench-" });
const store = await SnapshotStore.open(nc, { names: venueNames("bench") });
type Put = (position: number, bytes: Uint8Array) => Promise<unknown>;
const stores: Record<string, Put> = {
  file: (position, bytes) => writeSnapshot(directory, "bench", position, bytes),
  objectStore: (position, bytes) =>
    store.put({ seq: position, epoch: 1, bytes }),
};
const stalls: Record<string, { ms: number; maxGapMs: number }[]> = {};
const reported: number[] = [];
let recovery: Record<string, number> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, put] of Object.entries(stores)) {
      // Ours: as `ouch server` and `ouch engine` take it.
      ours.more();
      const snapshotter = new Snapshotter({
        exchange,
        cadence: { records: 1, seconds: 0 },
        now: 0,
        elapsed: () => performance.now(),
        pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
        put: async (_day, position, bytes) => {
          await put(position, await bytes);
          return name;
        },
        report: (event) => {
          if ("error" in event) throw new Error(event.error);
          reported.push(event.ms);
        },
      });
      ours.more();
      (stalls[name] ??= []).push(
        await measured(() => {
          if (!snapshotter.tick(0)) throw new Error("no snapshot taken");
          return snapshotter.writing!;
        }),
      );
      if (theirs !== undefined) {
        theirs.more();
        (stalls[`${name}Ref`] ??= []).push(
          await measured(() => {
            const bytes = theirs.exchange.snapshot();
            return put(theirs.exchange.position, bytes);
          }),
        );
      }
    }
  }
  recovery = await recoveries(nc);
} finally {
  await nc.close();
  await Deno.remove(directory, { recursive: true });
}
const summary = {
  orders,
  snapshotMb: bytes.length / 1e6,
  take: Object.fromEntries(
    Object.entries(parts).filter(([, values]) => values.length > 0).map((
      [key, values],
    ) => [`${key}Median`, median(values)]),
  ),
  stall: Object.fromEntries(
    Object.entries(stalls).map(([key, runs]) => [key, {
      msMedian: median(runs.map((r) => r.ms)),
      maxGapMsMedian: median(runs.map((r) => r.maxGapMs)),
      maxGapMsWorst: Math.max(...runs.map((r) => r.maxGapMs)),
    }]),
  ),
  snapshotterReportedMsWorst: Math.max(...reported),
  recovery,
};
// deno-lint-ignore no-console
console.log(JSON.stringify(summary));

/** Recovery times of successors with and without the snapshot, alternated. */
async function recoveries(
  nc: Parameters<typeof SnapshotStore.open>[0],
): Promise<Record<string, number>> {
  const names = venueNames("recovery");
  await ensureVenue(nc, { names });
  const store = await SnapshotStore.open(nc, { names });
  const base = {
    users,
    day: { session: "2026112501", tradingDate: "20261125", created: 1 },
    clock: SYSTEM_CLOCK,
    names,
    hostCheckMs: 0,
    // As `ouch engine` runs: the gateways keep the streams.
    followers: false,
  };
  let epoch = 1;
  const writer = await ActiveEngine.start(nc, {
    ...base,
    epoch: epoch++,
    snapshots: {
      store,
      cadence: { records: Math.floor(commands * 0.8), seconds: 0 },
    },
  });
  const gateway = new CommandPublisher(nc, { gatewayId: "gw", names });
  const tokens = new Array<number>(ACCOUNTS).fill(0);
  for (const username of users.keys()) {
    gateway.send(encodeGatewayCommand({
      type: "login",
      host: "gw",
      username,
      password: "demo",
      requestedSession: "",
    }));
  }
  for (let i = 0; i < commands; i++) {
    const who = i % ACCOUNTS;
    const buy = i % 2 === 0;
    gateway.send(encodeGatewayCommand({
      type: "message",
      host: "gw",
      account: `demo${who + 1}`,
      message: encodeMessage(enterOrder(++tokens[who]!, {
        buySellIndicator: buy ? "B" : "S",
        orderbookId: "7203",
        price: buy ? 22000 - (i % 500) : 24000 + (i % 500),
      })),
    }));
    if (i % 1000 === 999) {
      await gateway.flushed();
      while (writer.applied < i + ACCOUNTS - 1000) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }
  await gateway.flushed();
  while (writer.applied < commands + ACCOUNTS || writer.snapshotting) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  await writer.stop();
  gateway.close();
  const withSnapshot: number[] = [];
  const fullReplay: number[] = [];
  const readOnly: number[] = [];
  let records = 0;
  let replayed = 0;
  let read = 0;
  for (let round = 0; round < 3; round++) {
    for (const useSnapshot of [true, false]) {
      const engine = await ActiveEngine.start(nc, {
        ...base,
        epoch: epoch++,
        ...(useSnapshot
          ? { snapshots: { store, cadence: { records: 0, seconds: 0 } } }
          : {}),
      });
      const { ms } = engine.recovery;
      (useSnapshot ? withSnapshot : fullReplay).push(ms);
      if (useSnapshot) ({ records, replayed, read } = engine.recovery);
      await engine.stop();
    }
    const t = performance.now();
    await readLogState(nc, names);
    readOnly.push(performance.now() - t);
  }
  return {
    records,
    replayedFromSnapshot: replayed,
    readFromSnapshot: read,
    fromSnapshotMsMedian: median(withSnapshot),
    fullReplayMsMedian: median(fullReplay),
    readingTheLogMsMedian: median(readOnly),
  };
}
