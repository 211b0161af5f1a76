/**
 * CPU time per MoldUDP64-sized datagram (1,420 bytes to 127.0.0.1, a sink in another process
 * reading them) of the feed's two senders, in the same run, rounds alternating: `sendmmsg(2)`
 * through libc (one call per turn, turns of 1 and of 16 datagrams) and `node:dgram` (one
 * `socket.send` per datagram, as the feed sent before). CPU is this process's user + system
 * time from `getrusage` (`process.cpuUsage`, every thread: `node:dgram` sends on others), over the datagrams
 * sent; the event loop gets a turn after each batch, as the server gives it, and the same
 * turns without a send are measured too (subtract them for the sends' own cost).
 *
 * With `--feed`, the whole MoldUDP64 feed instead, per order: an exchange in this process with
 * its ITCH publisher takes orders (pairs that trade, in turns of 40 orders), with no MoldUDP64
 * feed, with one on `sendmmsg(2)` and with one on `node:dgram`, alternated; the feed's cost
 * per order on each path is its CPU per order less that without a feed.
 *
 * With `--feed --replay`, the MoldUDP64 feed's own cost per order, the exchange out of the
 * measure: the batches of one run of `--count` orders are recorded once (turn by turn), then
 * each run hands them, turn by turn, to a fresh `ItchPublisher` with a `MoldFeed` ("on") or
 * without ("off"); the feed's cost is the median over rounds of on − off. `--baseline DIR`
 * runs another checkout's publisher and feed (`DIR/lib/...`) in the same rounds (every other
 * round in the reverse order) and prints the ratio of the two costs.
 *
 * With `--packer`, the packer and the sender alone, per message: a day's log of SoupBinTCP
 * packets of 32-byte messages (an Order Added's size) handed to `MoldUdp64Packer.addPackets`
 * 40 at a time, one `flush` of the sender and a turn of the event loop after each (full
 * datagrams of 41 messages, as under load), against the turns alone; `--baseline DIR` runs
 * another checkout's packer and sender (`DIR/lib/...`, imported dynamically) in the same
 * rounds, alternated, and prints the ratio of the two trees' costs.
 *
 * Run: `deno run -A bench/mold_send_bench.ts [--count N] [--rounds N] [--feed [--replay
 * [--baseline DIR]] | --packer [--baseline DIR]]` (Linux). The last line is one JSON object.
 *
 * @module
 */
import dgram from "node:dgram";
import process from "node:process";
import { setImmediate } from "node:timers";
import { openDatagramSender } from "../lib/feeds/datagram_sender.ts";
import { MoldFeed } from "../lib/feeds/mold_feed.ts";
import { ItchPublisher } from "../lib/feeds/itch_publisher.ts";
import { Exchange } from "../lib/exchange/mod.ts";
import { enterOrder } from "../tests/_fixtures.ts";
import { recordTurns } from "./_record_turns.ts";

const flag = (name: string, fallback: number): number => {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};

if (Deno.args[0] === "--sink") {
  const socket = dgram.createSocket("udp4");
  let received = 0;
  socket.on("message", () => received++);
  socket.bind(0, "127.0.0.1", () => {
    Deno.stdout.writeSync(
      new TextEncoder().encode(`${socket.address().port}\n`),
    );
  });
  // Until stdin closes: then the count, and out.
  for await (const _ of Deno.stdin.readable) { /* nothing to read */ }
  Deno.stdout.writeSync(new TextEncoder().encode(`${received}\n`));
  socket.close();
} else if (Deno.args.includes("--feed") && Deno.args.includes("--replay")) {
  await replayMain();
} else if (Deno.args.includes("--feed")) {
  await feedMain();
} else if (Deno.args.includes("--packer")) {
  await packerMain();
} else {
  await main();
}

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** This process's CPU time, user + system, every thread (`getrusage`, µs). */
function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** A sink process reading datagrams on a port of its own; `stop` returns how many came. */
async function startSink(): Promise<{ port: number; stop(): Promise<number> }> {
  const sink = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--sink"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const lines = sink.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await lines.read()).value ?? "";
  return {
    port: Number(text.trim()),
    stop: async () => {
      await sink.stdin.close();
      let received = "";
      for (;;) {
        const { value, done } = await lines.read();
        if (done) break;
        received += value;
      }
      await sink.status;
      return Number(received.trim());
    },
  };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** A checkout's modules, imported from its root. */
interface Tree {
  name: string;
  exchange: typeof import("../lib/exchange/mod.ts");
  feeds: typeof import("../lib/feeds/mod.ts");
  packer: typeof import("../lib/itch/mold_packer.ts");
  sender: typeof import("../lib/feeds/datagram_sender.ts");
}

/** This tree, and with `--baseline DIR` the checkout at `DIR`. */
async function loadTrees(): Promise<Tree[]> {
  const load = async (name: string, root: string): Promise<Tree> => {
    const base = new URL(`file://${root.replace(/\/?$/, "/")}`);
    const module = (path: string) => import(new URL(path, base).href);
    return {
      name,
      exchange: await module("lib/exchange/mod.ts"),
      feeds: await module("lib/feeds/mod.ts"),
      packer: await module("lib/itch/mold_packer.ts"),
      sender: await module("lib/feeds/datagram_sender.ts"),
    };
  };
  const trees = [await load("tree", new URL("..", import.meta.url).pathname)];
  const at = Deno.args.indexOf("--baseline");
  if (at >= 0) {
    trees.push(await load("baseline", await Deno.realPath(Deno.args[at + 1]!)));
  }
  return trees;
}

async function replayMain(): Promise<void> {
  const count = flag("--count", 300_000);
  const rounds = flag("--rounds", 8);
  const trees = await loadTrees();
  const sink = await startSink();
  // Pairs that trade: a sell, then a buy at a price of 2300.0 to 2300.9.
  const order = (token: number) =>
    enterOrder(token, {
      clientReference: "",
      buySellIndicator: token % 2 === 0 ? "B" : "S",
      price: 23000 + (token % 10),
    });
  // The exchange's batches, turn by turn (turn 0: the start of the day).
  const start = 34_200_000_000_000;
  const turns = await recordTurns(
    new Exchange({
      users: new Map([["demo1", "demo"]]),
      day: { session: "2026112501", tradingDate: "20261125", created: 0 },
      timestamp: start,
    }),
    count,
    order,
    start,
  );
  const run = async (tree: Tree, feed: boolean, n: number) => {
    const { deliver, RecordBatch } = tree.exchange;
    const publisher = new tree.feeds.ItchPublisher();
    for (const batch of turns[0]!) {
      deliver([publisher], new RecordBatch(batch.bytes, batch.events));
    }
    const mold = feed
      ? tree.feeds.MoldFeed.start({
        publisher,
        destination: { hostname: "127.0.0.1", port: sink.port },
        requestPort: null,
      })
      : undefined;
    if (mold !== undefined && mold.transport !== "sendmmsg") {
      throw new Error(
        `Cannot measure sendmmsg: the feed uses ${mold.transport}`,
      );
    }
    await nextTurn();
    const before = cpuMicros();
    const last = Math.min(turns.length - 1, Math.ceil(n / 40));
    for (let t = 1; t <= last; t++) {
      for (const batch of turns[t]!) {
        deliver([publisher], new RecordBatch(batch.bytes, batch.events));
      }
      await nextTurn();
    }
    // The last partly filled datagram goes within a few milliseconds (the same wait off).
    await new Promise((resolve) => setTimeout(resolve, 20));
    const micros = (cpuMicros() - before) / n;
    await mold?.stop();
    publisher.close();
    return micros;
  };
  const results: Record<string, number[]> = {};
  for (let round = 0; round <= rounds; round++) {
    const n = round === 0 ? count / 10 : count; // round 0 warms up
    const order = trees.flatMap((tree) =>
      [false, true].map((feed) => ({ tree, feed }))
    );
    if (round % 2 === 0) order.reverse();
    for (const { tree, feed } of order) {
      const micros = await run(tree, feed, n);
      if (round === 0) continue;
      const name = `${tree.name} ${feed ? "on" : "off"}`;
      (results[name] ??= []).push(micros);
      // deno-lint-ignore no-console
      console.log(
        `round ${round} ${name}: ${micros.toFixed(3)} µs CPU per order`,
      );
    }
  }
  const received = await sink.stop();
  const cost = (tree: string) =>
    results[`${tree} on`]!.map((on, i) => on - results[`${tree} off`]![i]!);
  const summary: Record<string, unknown> = {
    count,
    rounds,
    mode: "replay",
    cpuMicrosPerOrder: Object.fromEntries(
      Object.entries(results).map((
        [name, values],
      ) => [name, Number(median(values).toFixed(3))]),
    ),
    moldCostPerOrder: Object.fromEntries(
      trees.map((
        tree,
      ) => [tree.name, Number(median(cost(tree.name)).toFixed(3))]),
    ),
    sinkReceived: received,
  };
  if (trees.length > 1) {
    summary.treeOverBaseline = Number(
      (median(cost("tree")) / median(cost("baseline"))).toFixed(3),
    );
    summary.treeMinusBaselineRounds = cost("tree").map((value, i) =>
      Number((value - cost("baseline")[i]!).toFixed(3))
    );
  }
  // deno-lint-ignore no-console
  console.log(JSON.stringify(summary));
}

async function feedMain(): Promise<void> {
  const count = flag("--count", 200_000);
  const rounds = flag("--rounds", 5);
  const sink = await startSink();
  const kinds = ["no feed", "sendmmsg", "node:dgram"] as const;
  const results: Record<string, number[]> = {};
  // Pairs that trade: a sell, then a buy at a price of 2300.0 to 2300.9.
  const order = (token: number) =>
    enterOrder(token, {
      clientReference: "",
      buySellIndicator: token % 2 === 0 ? "B" : "S",
      price: 23000 + (token % 10),
    });
  for (let round = 0; round <= rounds; round++) {
    for (const kind of kinds) {
      const start = 34_200_000_000_000;
      const exchange = new Exchange({
        users: new Map([["demo1", "demo"]]),
        day: { session: "2026112501", tradingDate: "20261125", created: 0 },
        timestamp: start,
      });
      const publisher = new ItchPublisher();
      exchange.subscribe(publisher);
      const mold = kind === "no feed" ? null : MoldFeed.start({
        publisher,
        destination: { hostname: "127.0.0.1", port: sink.port },
        requestPort: null,
        sender: { transport: kind === "sendmmsg" ? "auto" : "node:dgram" },
      });
      if (mold !== null && mold.transport.startsWith(kind) === false) {
        throw new Error(
          `Cannot measure ${kind}: the feed uses ${mold.transport}`,
        );
      }
      const n = round === 0 ? count / 10 : count; // round 0 warms up
      const before = cpuMicros();
      for (let token = 1; token <= n; token++) {
        exchange.submit("demo1", order(token), start + token * 1000);
        if (token % 40 === 0) {
          await exchange.drain();
          await nextTurn();
        }
      }
      await exchange.drain();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const micros = (cpuMicros() - before) / n;
      await mold?.stop();
      publisher.close();
      if (round === 0) continue;
      (results[kind] ??= []).push(micros);
      // deno-lint-ignore no-console
      console.log(
        `round ${round} ${kind}: ${micros.toFixed(3)} µs CPU per order`,
      );
    }
  }
  const received = await sink.stop();
  const off = results["no feed"]!;
  const cost = (kind: string) =>
    Number(median(results[kind]!.map((on, i) => on - off[i]!)).toFixed(3));
  // deno-lint-ignore no-console
  console.log(JSON.stringify({
    count,
    rounds,
    cpuMicrosPerOrder: Object.fromEntries(
      kinds.map((kind) => [kind, Number(median(results[kind]!).toFixed(3))]),
    ),
    moldCostPerOrder: {
      sendmmsg: cost("sendmmsg"),
      nodeDgram: cost("node:dgram"),
    },
    sinkReceived: received,
  }));
}

async function packerMain(): Promise<void> {
  const count = flag("--count", 1_000_000);
  const rounds = flag("--rounds", 5);
  const trees = await loadTrees();
  const perTurn = 40;
  // The day's log: SoupBinTCP Sequenced Data packets of 32-byte messages.
  const packet = 3 + 32;
  const log = new Uint8Array(count * packet);
  for (let i = 0; i < count; i++) {
    const p = i * packet;
    log[p + 1] = 33;
    log[p + 2] = 0x53;
    log[p + 3] = 0x41;
    for (let k = 1; k < 32; k++) log[p + 3 + k] = (i * 7 + k) & 0xff;
  }
  const sink = await startSink();
  const destination = { hostname: "127.0.0.1", port: sink.port };
  const kinds = [
    { name: "the turns alone", tree: trees[0]!, transport: "none" },
    ...trees.map((tree) => ({
      name: `${tree.name} sendmmsg`,
      tree,
      transport: "auto",
    })),
    { name: "tree node:dgram", tree: trees[0]!, transport: "node:dgram" },
  ] as const;
  const results: Record<string, number[]> = {};
  let sentDatagrams = 0;
  for (let round = 0; round <= rounds; round++) {
    // Every other round in the reverse order.
    const order = round % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) {
      const sender = kind.tree.sender.openDatagramSender({
        destination,
        transport: kind.transport === "node:dgram" ? "node:dgram" : "auto",
      });
      await sender.ready();
      const packer = new kind.tree.packer.MoldUdp64Packer(
        kind.tree.name === "tree"
          ? sender
          : (datagram: Uint8Array) => sender.queue(datagram),
        { session: "2026112501" },
      );
      const send = kind.transport !== "none";
      const n = round === 0 ? count / 10 : count; // round 0 warms up
      const before = cpuMicros();
      for (let i = 0; i < n; i += perTurn) {
        if (send) {
          packer.addPackets(log, i * packet, (i + perTurn) * packet);
          sender.flush();
        }
        await nextTurn();
      }
      if (send) {
        packer.flush();
        sender.flush();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      const micros = (cpuMicros() - before) / n;
      await sender.close();
      if (send) sentDatagrams += Math.ceil(n / 41);
      if (round === 0) continue;
      (results[kind.name] ??= []).push(micros);
      // deno-lint-ignore no-console
      console.log(
        `round ${round} ${kind.name} (${sender.kind}): ${
          micros.toFixed(3)
        } µs CPU per message`,
      );
    }
  }
  const received = await sink.stop();
  const turns = results["the turns alone"]!;
  const cost = (name: string) => results[name]!.map((on, i) => on - turns[i]!);
  const summary: Record<string, unknown> = {
    count,
    rounds,
    messagesPerDatagram: 41,
    cpuMicrosPerMessage: Object.fromEntries(
      Object.entries(results).map((
        [name, values],
      ) => [name, Number(median(values).toFixed(3))]),
    ),
    costMicrosPerMessage: Object.fromEntries(
      kinds.slice(1).map((kind) => [
        kind.name,
        Number(median(cost(kind.name)).toFixed(3)),
      ]),
    ),
    sinkReceived: received,
    sent: sentDatagrams,
  };
  if (trees.length > 1) {
    const tree = cost("tree sendmmsg");
    const baseline = cost("baseline sendmmsg");
    summary.treeOverBaseline = Number(
      median(tree.map((value, i) => value / baseline[i]!)).toFixed(3),
    );
  }
  // deno-lint-ignore no-console
  console.log(JSON.stringify(summary));
}

async function main(): Promise<void> {
  const count = flag("--count", 100_000);
  const rounds = flag("--rounds", 3);
  const sink = await startSink();
  const port = sink.port;
  const destination = { hostname: "127.0.0.1", port };
  const datagram = new Uint8Array(1420).fill(0x41);
  const kinds = [
    { name: "the turns alone, 1 a turn", transport: "none", batch: 1 },
    { name: "the turns alone, 16 a turn", transport: "none", batch: 16 },
    { name: "sendmmsg, 1 a turn", transport: "auto", batch: 1 },
    { name: "sendmmsg, 16 a turn", transport: "auto", batch: 16 },
    { name: "node:dgram, 1 a turn", transport: "node:dgram", batch: 1 },
    { name: "node:dgram, 16 a turn", transport: "node:dgram", batch: 16 },
  ] as const;
  const results: Record<string, number[]> = {};
  for (let round = 0; round < rounds + 1; round++) {
    for (const kind of kinds) {
      const sender = openDatagramSender({
        destination,
        transport: kind.transport === "none" ? "auto" : kind.transport,
      });
      const send = kind.transport !== "none";
      await sender.ready();
      const n = round === 0 ? count / 10 : count; // round 0 warms up
      const before = cpuMicros();
      for (let i = 0; i < n; i += kind.batch) {
        if (send) {
          for (let k = 0; k < kind.batch; k++) sender.queue(datagram.slice());
          sender.flush();
        }
        await nextTurn();
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const micros = (cpuMicros() - before) / n;
      await sender.close();
      if (round === 0) continue;
      (results[kind.name] ??= []).push(micros);
      // deno-lint-ignore no-console
      console.log(
        `round ${round} ${kind.name} (${sender.kind}): ${
          micros.toFixed(2)
        } µs CPU per datagram`,
      );
    }
  }
  const received = await sink.stop();
  const medians = Object.fromEntries(
    Object.entries(results).map((
      [name, values],
    ) => [name, Number(median(values).toFixed(2))]),
  );
  // deno-lint-ignore no-console
  console.log(JSON.stringify({
    count,
    rounds,
    cpuMicrosPerDatagram: medians,
    sinkReceived: received,
  }));
}
