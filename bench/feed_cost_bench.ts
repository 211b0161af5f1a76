/**
 * The ITCH feed's own CPU per order as the server runs it, measured in one process with
 * rounds alternating: an exchange (its account streams spilling to a scratch file, as with a
 * journal) alone, against the same exchange with its `ItchPublisher` (the day's log spilling
 * to the same scratch file), a MoldUDP64 feed to a UDP sink and an `ItchTcpServer` with one
 * SoupBinTCP subscriber reading the whole day. The sink and the subscriber run in a process
 * of their own, so this process's CPU (user + system, `getrusage` through `process.cpuUsage`, every thread) is the
 * server's alone. The load: pairs of Enter Orders that trade, in turns of 40 orders (a drain
 * and a turn of the event loop after each), as `bench:mold-send -- --feed`. After each run it
 * waits until the subscriber has received every byte of the day's feed and the sink every
 * datagram (the feed-off run waits as long), so a run pays for its own feed only.
 *
 * `--baseline DIR` runs another checkout's exchange and feed (`DIR/lib/...`, imported
 * dynamically) in the same rounds: each round is this tree without and with the feed, then
 * the baseline's without and with, back to back (every other round in the reverse order). The feed's cost of a tree is the median over
 * rounds of (CPU per order with the feed − without) in that round; the difference of the two
 * trees' costs is the median of the rounds' differences.
 *
 * `--replay` takes the exchange out of the measure: its batches of one run of `--count` orders
 * are recorded once (turn by turn), then each run hands them, turn by turn, to a fresh
 * publisher with its MoldUDP64 feed and SoupBinTCP subscriber ("on"), or to no subscriber
 * ("off": the batches and the turns alone). The feed's cost is then measured against a few tenths of a
 * µs per order of turns rather than the exchange's 4-7 µs, so the machine's noise, which
 * scales with what is measured, is that much smaller; what the feed does to the rest of the
 * server (its caches, garbage collection) is left out.
 *
 * `--no-mold` leaves MoldUDP64 out of the "on" runs: the cost of the rest of the feed (the
 * generator, the day's log and its spill, the SoupBinTCP subscriber) alone.
 *
 * Run: `deno task bench:feed-cost [--count N] [--rounds N] [--baseline DIR] [--pin] [--replay]
 * [--no-mold]` (Linux; `--pin`: this process on CPU 1, the readers on CPU 0, with `taskset`). Add `--cpu-prof`
 * after `deno run` for a profile. The last line is one JSON object.
 *
 * @module
 */
import dgram from "node:dgram";
import process from "node:process";
import { setImmediate } from "node:timers";
import type * as ExchangeModule from "../lib/exchange/mod.ts";
import type * as FeedsModule from "../lib/feeds/mod.ts";
import type * as StreamFileModule from "../lib/server/stream_file.ts";
import { enterOrder } from "../tests/_fixtures.ts";
import { type RecordedBatch, recordTurns } from "./_record_turns.ts";

const flag = (name: string, fallback: number): number => {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const option = (name: string): string | undefined => {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Deno.args[at + 1] : undefined;
};

if (Deno.args[0] === "--reader") {
  await readerMain();
} else {
  await main();
}

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/** This process's CPU time, user + system, every thread (`getrusage`, µs). */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/**
 * The reader process: a UDP sink (its port printed first), then per line on standard input
 * `connect PORT` (a SoupBinTCP subscriber from sequence number 1, reading everything; the
 * one before is closed), `count` (prints `datagrams bytes`), `stop`.
 */
async function readerMain(): Promise<void> {
  const sink = dgram.createSocket("udp4");
  let datagrams = 0;
  sink.on("message", () => datagrams++);
  await new Promise<void>((resolve) =>
    sink.bind(0, "127.0.0.1", () => resolve())
  );
  const encoder = new TextEncoder();
  const say = (line: string) =>
    Deno.stdout.writeSync(encoder.encode(line + "\n"));
  say(String(sink.address().port));
  let conn: Deno.TcpConn | undefined;
  let bytes = 0;
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let text = "";
  for await (const chunk of lines) {
    text += chunk;
    for (;;) {
      const newline = text.indexOf("\n");
      if (newline < 0) break;
      const [command, port] = text.slice(0, newline).split(" ");
      text = text.slice(newline + 1);
      if (command === "count") {
        say(`${datagrams} ${bytes}`);
      } else if (command === "connect") {
        try {
          conn?.close();
        } catch {
          // closed by the server
        }
        bytes = 0;
        datagrams = 0;
        const socket = await Deno.connect({
          hostname: "127.0.0.1",
          port: Number(port),
        });
        conn = socket;
        const login = "L" + "demo1".padEnd(6) + "demo".padEnd(10) +
          "".padEnd(10) + "1".padStart(20);
        await socket.write(
          new Uint8Array([0, login.length, ...encoder.encode(login)]),
        );
        (async () => {
          const buffer = new Uint8Array(1 << 16);
          let beat = Date.now();
          try {
            for (;;) {
              const n = await socket.read(buffer);
              if (n === null) return;
              bytes += n;
              if (Date.now() - beat > 500) {
                beat = Date.now();
                await socket.write(new Uint8Array([0, 1, 0x52]));
              }
            }
          } catch {
            // closed
          }
        })();
        say("connected");
      } else if (command === "stop") {
        try {
          conn?.close();
        } catch {
          // closed by the server
        }
        sink.close();
        return;
      }
    }
  }
}

/** One checkout's modules. */
interface Tree {
  name: string;
  exchange: typeof ExchangeModule;
  feeds: typeof FeedsModule;
  streamFile: typeof StreamFileModule;
}

async function loadTree(name: string, root: string): Promise<Tree> {
  const base = new URL(root.endsWith("/") ? root : root + "/", "file:///");
  return {
    name,
    exchange: await import(new URL("lib/exchange/mod.ts", base).href),
    feeds: await import(new URL("lib/feeds/mod.ts", base).href),
    streamFile: await import(new URL("lib/server/stream_file.ts", base).href),
  };
}

async function main(): Promise<void> {
  const count = flag("--count", 200_000);
  const rounds = flag("--rounds", 6);
  const baselineRoot = option("--baseline");
  const pin = Deno.args.includes("--pin");
  const replay = Deno.args.includes("--replay");
  const noMold = Deno.args.includes("--no-mold");
  if (pin) {
    const pinned = await new Deno.Command("taskset", {
      args: ["-a", "-p", "-c", "1", String(Deno.pid)],
      stdout: "null",
    }).output();
    if (!pinned.success) throw new Error("taskset failed: --pin needs taskset");
  }
  const here = new URL("..", import.meta.url).pathname;
  const trees = [await loadTree("tree", here)];
  if (baselineRoot !== undefined) {
    trees.push(await loadTree("baseline", await Deno.realPath(baselineRoot)));
  }
  const readerArgs = [
    "run",
    "-A",
    new URL(import.meta.url).pathname,
    "--reader",
  ];
  const reader = new Deno.Command(pin ? "taskset" : Deno.execPath(), {
    args: pin ? ["-c", "0", Deno.execPath(), ...readerArgs] : readerArgs,
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const lines = reader.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const writer = reader.stdin.getWriter();
  let pending = "";
  const readLine = async (): Promise<string> => {
    while (!pending.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("The reader process exited");
      pending += value;
    }
    const at = pending.indexOf("\n");
    const line = pending.slice(0, at);
    pending = pending.slice(at + 1);
    return line;
  };
  const ask = async (line: string): Promise<string> => {
    await writer.write(new TextEncoder().encode(line + "\n"));
    return await readLine();
  };
  const sinkPort = Number(await readLine());
  const scratch = await Deno.makeTempDir({ prefix: "feed_cost_bench_" });

  // Pairs that trade: a sell, then a buy at a price of 2300.0 to 2300.9.
  const order = (token: number) =>
    enterOrder(token, {
      clientReference: "",
      buySellIndicator: token % 2 === 0 ? "B" : "S",
      price: 23000 + (token % 10),
    });

  const start = 34_200_000_000_000;
  const newExchange = (tree: Tree, streamFile: ExchangeModule.ChunkStore) =>
    new tree.exchange.Exchange({
      users: new Map([["demo1", "demo"]]),
      day: { session: "2026112501", tradingDate: "20261125", created: 0 },
      timestamp: start,
      streamStore: streamFile,
    });

  /** --replay: the exchange's batches of one run of `count` orders, turn by turn. */
  let turns: RecordedBatch[][] = [[]];
  if (replay) {
    const tree = trees[0]!;
    await Deno.mkdir(`${scratch}/record`);
    const streamFile = tree.streamFile.StreamFile.open(`${scratch}/record`);
    turns = await recordTurns(
      newExchange(tree, streamFile),
      count,
      order,
      start,
    );
    streamFile.close();
  }

  /** One run: CPU µs per order, and the feed's datagrams and SoupBinTCP bytes. */
  const run = async (tree: Tree, feed: boolean, n: number) => {
    const directory = `${scratch}/${tree.name}-${feed ? "on" : "off"}`;
    await Deno.mkdir(directory, { recursive: true });
    const streamFile = tree.streamFile.StreamFile.open(directory);
    const exchange = replay ? undefined : newExchange(tree, streamFile);
    let publisher: FeedsModule.ItchPublisher | undefined;
    let mold: FeedsModule.MoldFeed | undefined;
    let tcp: FeedsModule.ItchTcpServer | undefined;
    if (feed) {
      publisher = new tree.feeds.ItchPublisher();
      publisher.spillTo(streamFile);
      if (exchange === undefined) {
        // The start of day, before the measure as with an exchange.
        for (const batch of turns[0]!) {
          publisher.delivered(
            new tree.exchange.RecordBatch(batch.bytes, batch.events),
          );
        }
      } else {
        exchange.subscribe(publisher);
        await exchange.drain();
      }
      mold = noMold ? undefined : tree.feeds.MoldFeed.start({
        publisher,
        destination: { hostname: "127.0.0.1", port: sinkPort },
        requestPort: null,
      });
      tcp = tree.feeds.ItchTcpServer.start({
        publisher,
        authenticate: () => true,
        port: 0,
      });
      await ask(`connect ${tcp.address.port}`);
    }
    const before = cpuMicros();
    if (exchange === undefined) {
      // The same turns, with the feed or without (the turns alone).
      // Each batch made and delivered as the exchange does (deliver() reads its start and
      // end of day whether or not anyone listens), to the publisher or to nobody.
      const { deliver, RecordBatch } = tree.exchange;
      const subscribers = publisher === undefined ? [] : [publisher];
      const last = Math.min(turns.length - 1, Math.ceil(n / 40));
      for (let t = 1; t <= last; t++) {
        for (const batch of turns[t]!) {
          deliver(subscribers, new RecordBatch(batch.bytes, batch.events));
        }
        await nextTurn();
      }
    } else {
      for (let token = 1; token <= n; token++) {
        exchange.submit("demo1", order(token), start + token * 1000);
        if (token % 40 === 0) {
          await exchange.drain();
          await nextTurn();
        }
      }
      await exchange.drain();
    }
    // Until the subscriber and the sink have had everything (the same wait without a feed).
    let last = "";
    for (let quiet = 0; quiet < 2;) {
      await sleep(50);
      const now = await ask("count");
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
    const micros = (cpuMicros() - before) / n;
    const [datagrams, bytes] = last.split(" ").map(Number);
    await mold?.stop();
    await tcp?.shutdown();
    publisher?.close();
    streamFile.close();
    return {
      micros,
      datagrams: feed ? datagrams! : 0,
      bytes: feed ? bytes! : 0,
    };
  };

  const results: Record<string, number[]> = {};
  let traffic = { datagrams: 0, bytes: 0 };
  for (let round = 0; round <= rounds; round++) {
    const n = round === 0 ? count / 10 : count; // round 0 warms up
    const line: string[] = [];
    // Every other round in the reverse order (ABBA), so that a drift of the machine's speed
    // during a round does not fall on one kind of run.
    const order = trees.flatMap((tree) =>
      [false, true].map((feed) => ({ tree, feed }))
    );
    if (round % 2 === 0) order.reverse();
    for (const { tree, feed } of order) {
      const result = await run(tree, feed, n);
      if (round === 0) continue;
      if (feed && tree.name === "tree") {
        traffic = { datagrams: result.datagrams, bytes: result.bytes };
      }
      const key = `${tree.name} ${feed ? "on" : "off"}`;
      (results[key] ??= []).push(result.micros);
      line.push(`${key} ${result.micros.toFixed(3)}`);
    }
    if (round === 0) continue;
    const costs = trees.map((tree) =>
      (results[`${tree.name} on`]!.at(-1)! -
        results[`${tree.name} off`]!.at(-1)!).toFixed(3)
    );
    // deno-lint-ignore no-console
    console.log(
      `round ${round} (µs CPU per order): ${line.join(", ")}; feed cost ${
        costs.join(" / ")
      }`,
    );
  }
  await ask("stop").catch(() => "");
  await writer.close().catch(() => {});
  await reader.status;
  await Deno.remove(scratch, { recursive: true });

  const cost = (name: string) =>
    results[`${name} on`]!.map((on, i) => on - results[`${name} off`]![i]!);
  const fixed = (value: number) => Number(value.toFixed(3));
  const summary: Record<string, unknown> = {
    count,
    rounds,
    mode: replay ? "replay" : "exchange",
    mold: !noMold,
    cpuMicrosPerOrder: Object.fromEntries(
      Object.entries(results).map(([key, values]) => [
        key,
        fixed(median(values)),
      ]),
    ),
    feedCostPerOrder: { tree: fixed(median(cost("tree"))) },
    lastRunFeed: traffic,
  };
  if (baselineRoot !== undefined) {
    (summary.feedCostPerOrder as Record<string, number>).baseline = fixed(
      median(cost("baseline")),
    );
    const tree = cost("tree");
    const baseline = cost("baseline");
    summary.treeMinusBaseline = fixed(
      median(tree.map((value, i) => value - baseline[i]!)),
    );
    summary.treeMinusBaselineRounds = tree.map((value, i) =>
      fixed(value - baseline[i]!)
    );
  }
  // deno-lint-ignore no-console
  console.log(JSON.stringify(summary));
}
