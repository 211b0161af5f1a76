/**
 * What a snapshot costs the engine: `ouch server` writes it to a file next to the journal,
 * `ouch engine` to the venue's JetStream object store. Both take it the same way (the
 * synchronous `Exchange.snapshot()`: that is the engine's pause); this measures what storing
 * it adds on top, as the longest gap of the event loop (a `setTimeout(0)` chain: while it
 * is stalled, no command is applied) and the time until stored, alternating the two stores
 * in the same run on the same snapshot.
 *
 * Then what a snapshot saves: an `ActiveEngine` on single-node NATS is fed `--commands`
 * orders (default 100,000) through the command stream, storing one snapshot after 80 % of
 * them; successors (without followers, as `ouch engine` runs) are started on that log
 * alternately with the snapshot store and without it, and their recovery times (reading
 * the log and rebuilding the day) compared, with the time reading the whole log alone takes.
 *
 * Run: `deno task bench:snapshot` (`-- --orders N` resting orders, default 200,000). Needs
 * `/usr/sbin/nats-server`. The last line is one JSON object.
 *
 * @module
 */
import { encodeMessage } from "../lib/codec/mod.ts";
import { Exchange, type SessionHandle } from "../lib/exchange/mod.ts";
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
const ROUNDS = 5;

function flag(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
}
const orders = flag("--orders", 200_000);
const commands = flag("--commands", 100_000);

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
const exchange = new Exchange({
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
for (let i = 0; i < orders; i++) {
  const buy = i % 2 === 0;
  exchange.handleMessage(
    handles[i % ACCOUNTS]!,
    encodeMessage(enterOrder(Math.floor(i / ACCOUNTS) + 1, {
      clientReference: "bench",
      buySellIndicator: buy ? "B" : "S",
      orderbookId: "7203",
      price: buy ? 22000 - (i % 500) : 24000 + (i % 500),
    })),
    1000 + i,
  );
  if (i % 64 === 63) exchange.flush();
}
exchange.flush();
await exchange.drain();

const takeMs: number[] = [];
let bytes: Uint8Array = new Uint8Array();
for (let i = 0; i < ROUNDS; i++) {
  const t = performance.now();
  bytes = exchange.snapshot();
  takeMs.push(performance.now() - t);
}

await using nats = await startNats();
const nc = await connectTest(nats.servers);
const directory = await Deno.makeTempDir({ prefix: "ouch-snapbench-" });
const store = await SnapshotStore.open(nc, { names: venueNames("bench") });
const file: { ms: number; maxGapMs: number }[] = [];
const object: { ms: number; maxGapMs: number }[] = [];
let recovery: Record<string, number> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    file.push(
      await measured(() => writeSnapshot(directory, "bench", round + 1, bytes)),
    );
    object.push(
      await measured(() => store.put({ seq: round + 1, epoch: 1, bytes })),
    );
  }
  recovery = await recoveries(nc);
} finally {
  await nc.close();
  await Deno.remove(directory, { recursive: true });
}
const summary = {
  orders,
  snapshotMb: bytes.length / 1e6,
  takeMsMedian: median(takeMs),
  file: {
    msMedian: median(file.map((r) => r.ms)),
    maxGapMsMedian: median(file.map((r) => r.maxGapMs)),
    maxGapMsWorst: Math.max(...file.map((r) => r.maxGapMs)),
  },
  objectStore: {
    msMedian: median(object.map((r) => r.ms)),
    maxGapMsMedian: median(object.map((r) => r.maxGapMs)),
    maxGapMsWorst: Math.max(...object.map((r) => r.maxGapMs)),
  },
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
