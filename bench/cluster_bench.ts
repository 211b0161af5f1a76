/**
 * Cluster benchmark: the load generator through 2 gateways (`ouch gateway`) to 1 active engine
 * (`ouch engine`, with a second one standing by) on (a) a single-node NATS server and (b) a
 * 3-node R3 NATS cluster, against `ouch server` (journal on, its default `--fsync`) in the same
 * run. Every process shares the machine.
 *
 * The load is what a user would run against mirrored hosts: two generators at once, one per
 * gateway (each logs in on its own gateway, with the other as the mirror to fail over to), two
 * sessions each. Against `ouch server` the two generators both use its one port. Measured:
 *
 * - throughput: a fixed count of Enter Orders (no crossing), the two generators' Accepted
 *   orders over the longer of their two runs, and the CPU time (user + system, from
 *   `/proc`) that the setup's processes (engines, gateways, NATS nodes; the server) used per
 *   1,000 of them, a figure that depends far less on the machine's other load;
 * - latency at a paced 5,000 orders/s (2,500 per generator): Enter write to Accepted read,
 *   p50/p90/p99/max, each the worse of the two generators' (an upper bound of the percentile
 *   of all orders).
 *
 * Each measurement follows a warm-up of the same kind on the same processes (not reported). The
 * three setups are started once and measured in alternating rounds (server, single node, R3;
 * then again); the best round of each is reported, with every round's figures, and the
 * median over the rounds of each round's throughput ratio to the server's in that round (the
 * fairest figure on a shared machine, whose load changes between rounds).
 *
 * Run: `deno task bench:cluster` (a few minutes). The last line is one JSON object.
 * `-- --rounds N` (default 2), `-- --count N` (orders per throughput run, default 100,000),
 * `-- --quick` (one round, 30,000 orders, 3 s paced), `-- --profile DIR` (the active engine
 * and the first gateway run with `--cpu-prof` into DIR/single and DIR/r3, written when they
 * stop), `-- --only single|r3` (skip the other NATS setup), `-- --main PATH` (run that
 * checkout's `main.ts`: a baseline measured the same way), `-- --hops` (after each paced
 * run on NATS, the engine's hop from the streams' own timestamps: a command message stored ->
 * the log message whose `Ouch-Cmd` cursor first covers it stored; the rest of a client's
 * latency is the gateways' and the client's; and, for the throughput run, each process's CPU
 * per 1,000 orders with its system part, and how many orders a command and a log message
 * carried). An engine's snapshot (every 1,000,000 records
 * by default: about once in a two-round run) is printed when it lands, as it stalls the
 * engine and loads NATS for that round.
 *
 * @module
 */
import {
  type LoadOptions,
  type LoadReport,
  runLoad,
} from "../lib/client/load.ts";
import {
  type NatsCluster,
  startNats,
  startNatsCluster,
} from "../tests/nats/_nats_harness.ts";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { HEADER_COMMAND, venueNames } from "../lib/nats/names.ts";

const ARGS = Deno.args;
const QUICK = ARGS.includes("--quick");
const flag = (name: string): string | undefined => {
  const at = ARGS.indexOf(name);
  return at >= 0 ? ARGS[at + 1] : undefined;
};
/** `--main PATH`: run another checkout's `main.ts` (a baseline measured by this bench). */
const MAIN = flag("--main") ?? new URL("../main.ts", import.meta.url).pathname;
const ROUNDS = Number(flag("--rounds") ?? (QUICK ? 1 : 2));
const COUNT = Number(flag("--count") ?? (QUICK ? 30_000 : 100_000));
const PACED_MS = QUICK ? 3_000 : 5_000;
const RATE = 5_000;
const PROFILE = flag("--profile");
const ONLY = flag("--only");
const VERBOSE = ARGS.includes("--verbose");
const HOPS = ARGS.includes("--hops");
/** Sessions per generator; two generators. */
const SESSIONS = 2;
/** Accounts used per measurement (warm-ups included): fresh accounts, no history to replay. */
const PER_ROUND = 4 * 2 * SESSIONS;
const ACCOUNT_COUNT = PER_ROUND * ROUNDS;
const ACCOUNT_FLAGS = Array.from(
  { length: ACCOUNT_COUNT },
  (_, i) => ["--user", `b${i + 1}:pw`],
).flat();

interface Process {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function spawn(
  args: string[],
  pattern: RegExp,
  v8: string[] = [],
): Promise<Process> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--max-semi-space-size=64",
      ...v8,
      MAIN,
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) {
      throw new Error(`The process exited before printing ${pattern}: ${text}`);
    }
    text += value;
  }
  const port = Number(text.match(pattern)![1] ?? 0);
  const draining = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      if (VERBOSE) {
        // deno-lint-ignore no-console
        console.error(`[${args[0]}] ${value.trimEnd()}`);
      } else {
        // A snapshot pauses the engine and loads NATS: say when one lands in a run.
        for (const line of value.split("\n")) {
          if (/snapshot at record/.test(line)) {
            // deno-lint-ignore no-console
            console.error(`[${args[0]}] ${line.trim()}`);
          }
        }
      }
    }
  })();
  return {
    port,
    pid: child.pid,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      await draining;
    },
  };
}

/** One setup under test: the ports of its OUCH hosts, and how to stop it. */
interface Setup {
  name: "server" | "single" | "r3";
  ports: [number, number];
  stop(): Promise<void>;
  /** The NATS server URLs (not for `server`). */
  nats?: string[];
  /** Its processes (engines, gateways, NATS nodes; the server), for their CPU time. */
  pids(): number[];
}

async function startServer(directory: string): Promise<Setup> {
  const server = await spawn([
    "server",
    ...ACCOUNT_FLAGS,
    "--port",
    "0",
    "--no-http",
    "--display",
    "quiet",
    "--journal",
    directory,
  ], /listening on 127\.0\.0\.1:(\d+)/);
  return {
    name: "server",
    ports: [server.port, server.port],
    stop: () => server.stop(),
    pids: () => [server.pid],
  };
}

async function startCluster(
  name: "single" | "r3",
  nats: NatsCluster,
): Promise<Setup> {
  const replicas = name === "single" ? "1" : "3";
  const common = [
    ...ACCOUNT_FLAGS,
    "--nats",
    nats.servers.join(","),
    "--replicas",
    replicas,
  ];
  const profile = (file: string) =>
    PROFILE === undefined ? [] : [
      "--cpu-prof",
      `--cpu-prof-dir=${PROFILE}/${name}`,
      `--cpu-prof-name=${file}.cpuprofile`,
    ];
  const processes: Process[] = [];
  const stop = async () => {
    for (const process of processes.reverse()) await process.stop();
    await nats.close();
  };
  try {
    // The first engine takes the lease (it is active before the second one starts).
    processes.push(
      await spawn(
        ["engine", ...common, "--id", "e1"],
        /engine e1: active()/,
        profile("engine"),
      ),
    );
    processes.push(
      await spawn(
        ["engine", ...common, "--id", "e2"],
        /engine e2: standing by()/,
      ),
    );
    const gw1 = await spawn(
      ["gateway", ...common, "--host-id", "gw1", "--port", "0"],
      /listening on 127\.0\.0\.1:(\d+)/,
      profile("gateway"),
    );
    processes.push(gw1);
    const gw2 = await spawn(
      ["gateway", ...common, "--host-id", "gw2", "--port", "0"],
      /listening on 127\.0\.0\.1:(\d+)/,
    );
    processes.push(gw2);
    return {
      name,
      ports: [gw1.port, gw2.port],
      stop,
      nats: nats.servers,
      pids: () => [
        ...processes.map((p) => p.pid),
        ...nats.nodes.map((node) => node.pid),
      ],
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What two generators at once measured. */
interface Measured {
  /** CPU time (user + system) of the setup's processes per 1,000 orders. */
  cpuMsPer1000?: number;
  ordersPerSecond: number;
  orders: number;
  latency: { p50: number; p90: number; p99: number; max: number };
}

/** Runs two generators at once, one per host, `SESSIONS` fresh accounts each. */
async function measure(
  setup: Setup,
  first: number,
  options: Partial<LoadOptions>,
): Promise<Measured> {
  const [a, b] = setup.ports;
  const run = (index: number, hosts: number[]) =>
    runLoad({
      hosts: hosts.map((port) => ({ hostname: "127.0.0.1", port })),
      accounts: Array.from({ length: SESSIONS }, (_, i) => ({
        username: `b${first + index * SESSIONS + i}`,
        password: "pw",
      })),
      mix: { enter: 100, cancel: 0, replace: 0 },
      crossPercent: 0,
      window: 1000,
      ...options,
    });
  const reports = await Promise.all([
    run(0, a === b ? [a] : [a, b]),
    run(1, a === b ? [b] : [b, a]),
  ]);
  for (const report of reports) {
    if (!report.ok || report.failovers.length > 0) {
      throw new Error(
        `The load run on ${setup.name} failed: ${
          [...report.errors, ...report.failovers].join("; ")
        } ${JSON.stringify(report.outcomes)}`,
      );
    }
  }
  return combine(reports);
}

/**
 * Both generators' figures as one: their Accepted orders over the longer of their runs, and
 * each percentile as the worse of the two generators' exact ones (the merged percentile is at
 * or below it).
 */
export function combine(reports: readonly LoadReport[]): Measured {
  const orders = reports.reduce((sum, r) => sum + r.received.accepted, 0);
  const runMs = Math.max(...reports.map((r) => r.runMs));
  const worst = (key: "p50" | "p90" | "p99" | "max") =>
    Math.max(...reports.map((r) => r.latency[key]));
  return {
    orders,
    ordersPerSecond: orders / (runMs / 1000),
    latency: {
      p50: worst("p50"),
      p90: worst("p90"),
      p99: worst("p99"),
      max: worst("max"),
    },
  };
}

interface Round {
  throughput: Measured;
  paced: Measured;
}

async function round(setup: Setup, index: number): Promise<Round> {
  const base = 1 + index * PER_ROUND;
  await measure(setup, base, { count: Math.ceil(COUNT / 4) });
  const each = HOPS
    ? await Promise.all(setup.pids().map((pid) => cpuMs([pid])))
    : [];
  const eachSystem = HOPS
    ? await Promise.all(setup.pids().map((pid) => cpuMs([pid], true)))
    : [];
  const counting = HOPS && setup.nats !== undefined
    ? await connect({ servers: setup.nats })
    : undefined;
  const seqsBefore = counting === undefined
    ? undefined
    : await lastSeqs(counting);
  const cpuBefore = await cpuMs(setup.pids());
  const throughput = await measure(setup, base + 2 * SESSIONS, {
    count: COUNT,
  });
  throughput.cpuMsPer1000 = (await cpuMs(setup.pids()) - cpuBefore) /
    (throughput.orders / 1000);
  if (counting !== undefined && seqsBefore !== undefined) {
    // What each NATS message carries: per-message costs are paid once per this many orders.
    const seqsAfter = await lastSeqs(counting);
    await counting.close();
    const per = (i: 0 | 1) =>
      (throughput.orders / Math.max(1, seqsAfter[i] - seqsBefore[i])).toFixed(
        1,
      );
    // deno-lint-ignore no-console
    console.log(
      `${setup.name} throughput: ${
        seqsAfter[0] - seqsBefore[0]
      } command messages (${per(0)} orders each), ${
        seqsAfter[1] - seqsBefore[1]
      } log messages (${per(1)} orders each) for ${throughput.orders} orders`,
    );
  }
  if (HOPS) {
    const used = await Promise.all(
      setup.pids().map(async (pid, i) => await cpuMs([pid]) - each[i]!),
    );
    const system = await Promise.all(
      setup.pids().map(async (pid, i) =>
        await cpuMs([pid], true) - eachSystem[i]!
      ),
    );
    // deno-lint-ignore no-console
    console.log(
      `${setup.name} CPU ms per 1,000 orders by process (${
        setup.name === "server"
          ? "server"
          : "engine, standby, gateway 1, gateway 2, NATS nodes"
      }): ${
        used.map((ms) => (ms / (throughput.orders / 1000)).toFixed(1)).join(" ")
      } (of which system: ${
        system.map((ms) => (ms / (throughput.orders / 1000)).toFixed(1)).join(
          " ",
        )
      })`,
    );
  }
  await measure(setup, base + 4 * SESSIONS, { durationMs: 1000, rate: RATE });
  const nc = HOPS && setup.nats !== undefined
    ? await connect({ servers: setup.nats })
    : undefined;
  const before = nc === undefined ? undefined : await lastSeqs(nc);
  const paced = await measure(setup, base + 6 * SESSIONS, {
    durationMs: PACED_MS,
    rate: RATE,
  });
  if (nc !== undefined && before !== undefined) {
    await engineHop(nc, before, setup.name);
    await nc.close();
  }
  return { throughput, paced };
}

/** The CPU time (user + system, or system only, ms) the processes have used so far. */
async function cpuMs(
  pids: readonly number[],
  systemOnly = false,
): Promise<number> {
  const tick = 10; // USER_HZ is 100 on Linux
  let total = 0;
  for (const pid of pids) {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) in parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += ((systemOnly ? 0 : Number(fields[11])) + Number(fields[12])) *
      tick;
  }
  return total;
}

/** The last sequences of the command and log streams. */
async function lastSeqs(nc: NatsConnection): Promise<[number, number]> {
  const names = venueNames();
  const jsm = await jetstreamManager(nc);
  const command = await jsm.streams.info(names.commandStream);
  const log = await jsm.streams.info(names.logStream);
  return [command.state.last_seq, log.state.last_seq];
}

/** The stored timestamps (ns) of a stream's messages after `after`, up to its last one. */
async function stored(
  nc: NatsConnection,
  stream: string,
  after: number,
  last: number,
): Promise<{ seq: number; ns: number; cursor: string | undefined }[]> {
  const found: { seq: number; ns: number; cursor: string | undefined }[] = [];
  if (last <= after) return found;
  const consumer = await jetstream(nc).consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: after + 1,
  });
  const messages = await consumer.consume({ max_messages: 10_000 });
  for await (const msg of messages) {
    found.push({
      seq: msg.seq,
      ns: msg.info.timestampNanos,
      cursor: msg.headers?.get(HEADER_COMMAND),
    });
    if (msg.seq >= last) break;
  }
  return found;
}

/** Prints the engine hop's percentiles for the messages after `before`. */
async function engineHop(
  nc: NatsConnection,
  before: [number, number],
  name: string,
): Promise<void> {
  const names = venueNames();
  const after = await lastSeqs(nc);
  const commands = await stored(nc, names.commandStream, before[0], after[0]);
  const logs = await stored(nc, names.logStream, before[1], after[1]);
  const at = new Map(commands.map((c) => [c.seq, c.ns]));
  const hops: number[] = [];
  let covered = before[0];
  for (const log of logs) {
    const cursor = Number(log.cursor?.split(".")[0] ?? 0);
    // Every command message up to the cursor's is covered by this log message.
    for (let seq = covered + 1; seq <= cursor; seq++) {
      const ns = at.get(seq);
      if (ns !== undefined) hops.push((log.ns - ns) / 1e6);
    }
    covered = Math.max(covered, cursor);
  }
  hops.sort((a, b) => a - b);
  const pick = (q: number) =>
    ms(hops[Math.min(hops.length - 1, Math.floor(q * hops.length))] ?? 0);
  // deno-lint-ignore no-console
  console.log(
    `${name} engine hop (command stored -> its log batch stored), ${hops.length} command messages in ${logs.length} log messages: p50 ${
      pick(0.5)
    } p90 ${pick(0.9)} p99 ${pick(0.99)} p999 ${pick(0.999)} max ${pick(1)} ms`,
  );
}

async function main(): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "ouch-cluster-bench-" });
  if (PROFILE !== undefined) {
    await Deno.mkdir(`${PROFILE}/single`, { recursive: true });
    await Deno.mkdir(`${PROFILE}/r3`, { recursive: true });
  }
  const setups: Setup[] = [];
  const results = new Map<Setup["name"], Round[]>();
  try {
    setups.push(await startServer(directory));
    if (ONLY !== "r3") {
      setups.push(await startCluster("single", await startNats()));
    }
    if (ONLY !== "single") {
      setups.push(await startCluster("r3", await startNatsCluster()));
    }
    for (let i = 0; i < ROUNDS; i++) {
      for (const setup of setups) {
        const result = await round(setup, i);
        const list = results.get(setup.name) ?? [];
        list.push(result);
        results.set(setup.name, list);
        progress(setup.name, i, result, results.get("server")?.[i]);
      }
    }
  } finally {
    for (const setup of setups) await setup.stop();
    await Deno.remove(directory, { recursive: true });
  }
  report(results);
}

const ms = (value: number) => Math.round(value * 1000) / 1000;

function progress(
  name: string,
  index: number,
  result: Round,
  server: Round | undefined,
): void {
  const { p50, p90, p99, max } = result.paced.latency;
  const ratio = server === undefined || name === "server"
    ? ""
    : ` (${
      (result.throughput.ordersPerSecond / server.throughput.ordersPerSecond)
        .toFixed(2)
    }x the server's this round)`;
  // deno-lint-ignore no-console
  console.log(
    `round ${index + 1} ${name.padEnd(6)}: ${
      Math.round(result.throughput.ordersPerSecond)
    } orders/s${ratio}, ${
      Math.round(result.throughput.cpuMsPer1000 ?? 0)
    } ms CPU per 1,000 orders; at ${RATE}/s p50 ${ms(p50)} p90 ${ms(p90)} p99 ${
      ms(p99)
    } max ${ms(max)} ms`,
  );
}

/** The median of each round's throughput ratio to the server's in the same round. */
function roundRatio(
  rounds: readonly Round[],
  server: readonly Round[],
): number {
  const ratios = rounds.map((r, i) =>
    r.throughput.ordersPerSecond / server[i]!.throughput.ordersPerSecond
  ).sort((a, b) => a - b);
  const middle = Math.floor(ratios.length / 2);
  const median = ratios.length % 2 === 1
    ? ratios[middle]!
    : (ratios[middle - 1]! + ratios[middle]!) / 2;
  return Math.round(median * 100) / 100;
}

/** The best round: highest throughput, and separately the paced run with the lowest p99. */
function best(rounds: readonly Round[]): Round {
  const throughput = rounds.map((r) => r.throughput).sort((x, y) =>
    y.ordersPerSecond - x.ordersPerSecond
  )[0]!;
  const paced = rounds.map((r) => r.paced).sort((x, y) =>
    x.latency.p99 - y.latency.p99
  )[0]!;
  return { throughput, paced };
}

function report(results: Map<Setup["name"], Round[]>): void {
  const server = best(results.get("server")!);
  const names = (["single", "r3"] as const).filter((n) => results.has(n));
  const row = (label: string, cells: (string | number)[]) =>
    `${label.padEnd(30)}${cells.map((c) => String(c).padStart(16)).join("")}`;
  const lines = [
    row(
      "",
      ["ouch server", ...names.flatMap((n) => [n, `${n}/server`])],
    ),
  ];
  const bests = new Map(names.map((n) => [n, best(results.get(n)!)]));
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  lines.push(row(`Enter→Accepted (/s)`, [
    Math.round(server.throughput.ordersPerSecond),
    ...names.flatMap((n) => [
      Math.round(bests.get(n)!.throughput.ordersPerSecond),
      ratio(
        bests.get(n)!.throughput.ordersPerSecond,
        server.throughput.ordersPerSecond,
      ),
    ]),
  ]));
  for (const key of ["p50", "p90", "p99", "max"] as const) {
    lines.push(row(`${key} at ${RATE}/s (ms)`, [
      ms(server.paced.latency[key]),
      ...names.flatMap((n) => [
        ms(bests.get(n)!.paced.latency[key]),
        ratio(bests.get(n)!.paced.latency[key], server.paced.latency[key]),
      ]),
    ]));
  }
  for (const n of names) {
    lines.push(
      `${n}: median of the rounds' throughput ratios to the same round's server: ${
        roundRatio(results.get(n)!, results.get("server")!).toFixed(2)
      }`,
    );
  }
  // deno-lint-ignore no-console
  console.log(lines.join("\n"));
  const figures = (r: Round) => ({
    ordersPerSecond: Math.round(r.throughput.ordersPerSecond),
    cpuMsPer1000: Math.round(r.throughput.cpuMsPer1000 ?? 0),
    orders: r.throughput.orders,
    paced: {
      rate: RATE,
      orders: r.paced.orders,
      p50: ms(r.paced.latency.p50),
      p90: ms(r.paced.latency.p90),
      p99: ms(r.paced.latency.p99),
      max: ms(r.paced.latency.max),
    },
  });
  // deno-lint-ignore no-console
  console.log(JSON.stringify({
    rounds: ROUNDS,
    count: COUNT,
    server: figures(server),
    ...Object.fromEntries(names.map((n) => [n, {
      ...figures(bests.get(n)!),
      ratio: Math.round(
        bests.get(n)!.throughput.ordersPerSecond /
          server.throughput.ordersPerSecond * 100,
      ) / 100,
      roundRatio: roundRatio(results.get(n)!, results.get("server")!),
    }])),
    allRounds: Object.fromEntries(
      [...results].map(([n, rounds]) => [n, rounds.map(figures)]),
    ),
  }));
}

if (import.meta.main) await main();
