/**
 * Recovery benchmark: a journal of 10 million records written by the exchange core driven
 * directly (a generator in this file, not the load generator: the same records a server
 * writes for logged-in sessions, without sockets), then recovered the way `ouch server`
 * recovers it (the account streams' older messages in the scratch file, as the server keeps
 * them), in fresh processes: from the newest snapshot plus the tail, and by a full
 * replay. Each phase runs in its own Deno process, so each peak RSS (`VmHWM`) is its own.
 *
 * The writer takes a snapshot every 1,000,000 records (the server's default cadence), so at
 * 10 million records the last is at 9 million and the tail is a whole cadence: the worst
 * case, a crash just before the next snapshot.
 *
 * Run: `deno task bench:recovery` (a few minutes). `-- --records N` for another size.
 * The last line is one JSON object.
 *
 * @module
 */
import { encodeMessage } from "../lib/codec/mod.ts";
import type { InboundMessage } from "../lib/codec/messages.ts";
import { Exchange, type SessionHandle } from "../lib/exchange/mod.ts";
import { openJournal } from "../lib/server/journal_file.ts";
import { listSnapshots, writeSnapshot } from "../lib/server/snapshot_file.ts";
import { journalName } from "../lib/server/journal_file.ts";
import { StreamFile } from "../lib/server/stream_file.ts";

const SELF = new URL(import.meta.url).pathname;
const DATE = "20261125";
const ACCOUNTS = 16;
const SNAPSHOT_EVERY = 1_000_000;
const BATCH = 64;

function memory(): { rssMb: number; peakMb: number; heapMb: number } {
  const status = Deno.readTextFileSync("/proc/self/status");
  const kb = (key: string) =>
    Number(status.match(new RegExp(`${key}:\\s+(\\d+) kB`))?.[1] ?? 0);
  return {
    rssMb: kb("VmRSS") / 1024,
    peakMb: kb("VmHWM") / 1024,
    heapMb: Deno.memoryUsage().heapUsed / 1048576,
  };
}

function users(): Map<string, string> {
  return new Map(
    Array.from({ length: ACCOUNTS }, (_, i) => [`demo${i + 1}`, "demo"]),
  );
}

/** A seeded xorshift: the same day every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

async function write(directory: string, count: number): Promise<void> {
  const opened = await openJournal(directory, DATE, {
    fresh: true,
    fsync: "none",
    now: 1795564800,
  });
  const streamFile = StreamFile.open(directory);
  const exchange = new Exchange({
    users: users(),
    streamStore: streamFile,
    log: opened.journal,
    schedule: () => {},
    day: { tradingDate: DATE, created: Number(opened.session) },
    timestamp: 0,
  });
  const handles: SessionHandle[] = [];
  for (const name of users().keys()) {
    const result = exchange.login(
      {
        type: "loginRequest",
        username: name,
        password: "demo",
        requestedSession: "",
        requestedSequenceNumber: 1,
      },
      "bench",
      0,
    );
    if (!result.accept) throw new Error(`login of ${name} refused`);
    handles.push(result.handle);
  }
  const next = random(12345);
  const tokens = new Array<number>(ACCOUNTS).fill(0);
  const open: number[][] = Array.from({ length: ACCOUNTS }, () => []);
  const started = performance.now();
  let time = 1_000_000;
  let snapshots = 0;
  let snapshotMs = 0;
  let snapshotBytes = 0;
  while (exchange.position < count) {
    for (let i = 0; i < BATCH; i++) {
      const who = Math.floor(next() * ACCOUNTS);
      const mine = open[who]!;
      let message: InboundMessage;
      if (mine.length > 50 && next() < 0.45) {
        const at = Math.floor(next() * mine.length);
        const token = mine[at]!;
        mine[at] = mine[mine.length - 1]!;
        mine.pop();
        message = { type: "cancelOrder", orderToken: token, quantity: 0 };
      } else {
        const buy = next() < 0.5;
        const token = ++tokens[who]!;
        mine.push(token);
        // Mostly passive around 2300.0; one in ten crosses.
        const offset = 1 + Math.floor(next() * 40);
        const cross = next() < 0.1;
        message = {
          type: "enterOrder",
          orderToken: token,
          clientReference: "bench",
          buySellIndicator: buy ? "B" : "S",
          quantity: 100 * (1 + Math.floor(next() * 5)),
          orderbookId: "7203",
          group: "DAY",
          price: buy === cross ? 23000 + offset : 23000 - offset,
          timeInForce: 99999,
          firmId: 0,
          display: " ",
          capacity: "P",
          minimumQuantity: 0,
          orderClassification: "1",
          cashMarginType: "1",
        };
      }
      exchange.handleMessage(handles[who]!, encodeMessage(message), time);
      time += 1000;
    }
    exchange.flush();
    const position = exchange.position;
    if (position < count && Math.floor(position / SNAPSHOT_EVERY) > snapshots) {
      snapshots++;
      const t = performance.now();
      const bytes = exchange.snapshot();
      snapshotMs = Math.max(snapshotMs, performance.now() - t);
      snapshotBytes = bytes.length;
      await writeSnapshot(
        directory,
        journalName(DATE, opened.session),
        position,
        bytes,
      );
    }
    // Let the journal prepare its next segment in the background.
    if (position % 8192 < BATCH) {
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  await exchange.drain();
  await opened.journal.close();
  streamFile.close();
  const seconds = (performance.now() - started) / 1000;
  // deno-lint-ignore no-console
  console.log(JSON.stringify({
    phase: "write",
    records: exchange.position,
    seconds,
    snapshots,
    snapshotMaxMs: snapshotMs,
    snapshotMb: snapshotBytes / 1e6,
    ...memory(),
  }));
}

async function recover(directory: string, useSnapshot: boolean): Promise<void> {
  const started = performance.now();
  const opened = await openJournal(directory, DATE, {
    fresh: false,
    fsync: "none",
  });
  const records = opened.records!;
  const snapshots = useSnapshot
    ? await listSnapshots(directory, journalName(DATE, opened.session))
    : [];
  const snapshot = snapshots[0] === undefined
    ? undefined
    : await Deno.readFile(snapshots[0].path);
  const streamFile = StreamFile.open(directory);
  const exchange = Exchange.recover(records, {
    users: users(),
    streamStore: streamFile,
    log: null,
    timestamp: 0,
    ...(snapshot === undefined ? {} : { snapshot }),
  });
  await exchange.drain();
  const seconds = (performance.now() - started) / 1000;
  const stream = exchange.stream("demo1")!;
  await opened.journal.close();
  streamFile.close();
  // deno-lint-ignore no-console
  console.log(JSON.stringify({
    phase: useSnapshot ? "recover from snapshot" : "recover by full replay",
    records: records.length,
    from: snapshots[0]?.position ?? 0,
    seconds,
    demo1Messages: stream.length,
    ...memory(),
  }));
}

async function child(args: string[]): Promise<Record<string, unknown>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--max-semi-space-size=64", SELF, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) throw new Error(`${args[0]} failed: ${text}`);
  const result = JSON.parse(text.split("\n").at(-1)!);
  // deno-lint-ignore no-console
  console.log(text.split("\n").at(-1));
  return result;
}

const [mode, directory, arg] = Deno.args;
if (mode === "write") {
  await write(directory!, Number(arg));
} else if (mode === "recover") {
  await recover(directory!, arg === "snapshot");
} else {
  const at = Deno.args.indexOf("--records");
  const count = at >= 0 ? Number(Deno.args[at + 1]) : 10_000_000;
  const dir = await Deno.makeTempDir({ prefix: "ouch-recovery-bench-" });
  try {
    const written = await child(["write", dir, String(count)]);
    const fromSnapshot = await child(["recover", dir, "snapshot"]);
    const full = await child(["recover", dir, "full"]);
    let bytes = 0;
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".journal")) {
        bytes += (await Deno.stat(`${dir}/${entry.name}`)).size;
      }
    }
    // deno-lint-ignore no-console
    console.log(JSON.stringify({
      records: written.records,
      journalMb: bytes / 1e6,
      writerPeakMb: written.peakMb,
      snapshot: {
        seconds: fromSnapshot.seconds,
        peakMb: fromSnapshot.peakMb,
        ratio: Number(fromSnapshot.peakMb) / Number(written.peakMb),
      },
      fullReplay: {
        seconds: full.seconds,
        peakMb: full.peakMb,
        ratio: Number(full.peakMb) / Number(written.peakMb),
      },
    }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
