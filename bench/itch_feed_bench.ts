/**
 * The ITCH feed's cost to the server: `ouch server` (journal on) driven over loopback by the
 * load generator, Enter → Accepted throughput with 4 pipelined sessions, measured in the same
 * run on three servers: the feed off (`--itch-port off --snapshot-port off`); the feed on with
 * one SoupBinTCP subscriber reading it and MoldUDP64 on (to a UDP socket of this process);
 * and the same with a second SoupBinTCP subscriber that logs in and never reads (dropped
 * as a slow reader). The subscribers and the UDP sink run in a process of their own. Runs
 * alternate between the servers after a warm-up of each; the best of each is reported.
 *
 * Besides throughput (best and median of the rounds) it reports each server's CPU time (user +
 * system, from `/proc/PID/stat`) per order, which contention on a shared machine moves much
 * less than throughput: feed off over feed on is the throughput ratio the server would reach
 * with a core of its own; and the same for the server's main thread alone. After each run it
 * waits until the readers have received nothing for 300 ms before the next (so that no run
 * pays for the feed of another) and reports how long they kept receiving (`feedBehindMs`).
 *
 * Run: `deno task bench:feed` (about a minute; `-- --quick` for less, `-- --rounds N` for more
 * rounds, `--count N` for orders per run, `--pin` for the servers on a core of their own,
 * `--main PATH` to run another checkout's `main.ts`, a baseline measured the same way: run
 * the two alternately under the bench lock, `--no-stalled` to leave out the stalled reader,
 * `--cpu-prof DIR` for the servers' CPU profiles, `--baseline PATH` to run another checkout's
 * feed-off and feed-on servers in the same rounds).
 * The last line is one JSON object.
 *
 * @module
 */
import dgram from "node:dgram";
import { type LoadReport, runLoad } from "../lib/client/load.ts";

const flag = (name: string): string | undefined => {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Deno.args[at + 1] : undefined;
};
/** `--main PATH`: run another checkout's `main.ts` (a baseline measured by this bench). */
const MAIN = flag("--main") ?? new URL("../main.ts", import.meta.url).pathname;
/**
 * `--baseline PATH`: besides this tree's servers, a feed-off and a feed-on server of another
 * checkout's `main.ts` (`baseOff`, `baseOn`), in the same rounds: the two trees compared in
 * one run, each round's servers back to back.
 */
const BASELINE = flag("--baseline");
/** `--no-stalled`: skip the server with a stalled reader (a third less time per round). */
const STALLED = !Deno.args.includes("--no-stalled");
/** `--cpu-prof DIR`: each server writes a V8 CPU profile into `DIR/off`, `DIR/on`, `DIR/stalled`. */
const PROFILE = flag("--cpu-prof");
const QUICK = Deno.args.includes("--quick");
const countFlag = Deno.args.indexOf("--count");
const COUNT = countFlag >= 0
  ? Number(Deno.args[countFlag + 1])
  : QUICK
  ? 100_000
  : 400_000;
const roundsFlag = Deno.args.indexOf("--rounds");
const ROUNDS = roundsFlag >= 0
  ? Number(Deno.args[roundsFlag + 1])
  : QUICK
  ? 1
  : 2;
/**
 * `--pin`: every server on CPU 1, this process (the load generator) and the readers on CPU 0
 * (`taskset`), so that the servers' CPU time is theirs alone and the readers take nothing
 * from them.
 */
const PIN = Deno.args.includes("--pin");
const TICKS = 100; // clock ticks per second of /proc/PID/stat (USER_HZ on Linux)

/**
 * CPU seconds (user + system) a process has used so far, or (`thread`) its main thread alone
 * (the JavaScript that runs order entry and the feed alike; the rest is V8's helper threads,
 * mostly the garbage collector's, and Deno's I/O threads).
 */
function cpuSeconds(
  pid: number,
  thread = false,
  which: "all" | "system" = "all",
): number {
  const stat = Deno.readTextFileSync(
    thread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`,
  );
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const system = Number(fields[12]);
  return (which === "system" ? system : Number(fields[11]) + system) / TICKS;
}

interface Server {
  pid: number;
  port: number;
  itchPort: number | null;
  stop(): Promise<void>;
}

async function spawn(
  name: string,
  args: string[],
  main = MAIN,
): Promise<Server> {
  const deno = [
    Deno.execPath(),
    "run",
    "-A",
    "--v8-flags=--max-semi-space-size=64",
    ...(PROFILE === undefined
      ? []
      : ["--cpu-prof", `--cpu-prof-dir=${PROFILE}/${name}`]),
  ];
  const command = PIN ? ["taskset", "-c", "1", ...deno] : deno;
  const child = new Deno.Command(command[0]!, {
    args: [
      ...command.slice(1),
      main,
      "server",
      "--port",
      "0",
      "--no-http",
      "--display",
      "quiet",
      ...args,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/journal: [^\n]*\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The server exited: ${text}`);
    text += value;
  }
  // Market-data lines follow the journal line in the same write or soon after.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const draining = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      text += value;
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const port = Number(text.match(/listening on 127\.0\.0\.1:(\d+)/)![1]);
  const itch = text.match(/itch feed listening on 127\.0\.0\.1:(\d+)/);
  return {
    pid: child.pid,
    port,
    itchPort: itch === null ? null : Number(itch[1]),
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await draining;
    },
  };
}

/** A SoupBinTCP reader of the feed; `read: false` never reads after its login. */
async function subscriber(
  port: number,
  user: string,
  read: boolean,
): Promise<{ bytes: () => number; close(): void }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const login = "L" + user.padEnd(6) + "demo".padEnd(10) + "".padEnd(10) +
    "1".padStart(20);
  await conn.write(
    new Uint8Array([0, login.length, ...new TextEncoder().encode(login)]),
  );
  let bytes = 0;
  const buffer = new Uint8Array(1 << 16);
  let lastBeat = Date.now();
  if (read) {
    (async () => {
      try {
        while (true) {
          const n = await conn.read(buffer);
          if (n === null) return;
          bytes += n;
          if (Date.now() - lastBeat > 500) {
            lastBeat = Date.now();
            await conn.write(new Uint8Array([0, 1, 0x52]));
          }
        }
      } catch {
        // closed
      }
    })();
  }
  return {
    bytes: () => bytes,
    close: () => {
      try {
        conn.close();
      } catch {
        // closed
      }
    },
  };
}

let account = 1;
async function measure(port: number, count: number): Promise<LoadReport> {
  const accounts = Array.from(
    { length: 4 },
    () => ({ username: `demo${(account++ % 16) + 1}`, password: "demo" }),
  );
  const report = await runLoad({
    hostname: "127.0.0.1",
    port,
    accounts,
    mix: { enter: 100, cancel: 0, replace: 0 },
    crossPercent: 0,
    count,
    window: 1000,
  });
  if (!report.ok) {
    throw new Error(`The load run failed: ${report.errors.join("; ")}`);
  }
  return report;
}

if (Deno.args[0] === "--subscriber") {
  await subscriberProcess();
} else {
  await main();
}

/**
 * The subscribers, in a process of their own so that reading the feed costs the load
 * generator nothing: a UDP sink for MoldUDP64 (its port printed first), then, once told the
 * feed ports on standard input, one reading SoupBinTCP subscriber per port and one stalled
 * one on the last.
 */
async function subscriberProcess(): Promise<void> {
  const sink = dgram.createSocket("udp4");
  await new Promise<void>((resolve) =>
    sink.bind(0, "127.0.0.1", () => resolve())
  );
  let datagrams = 0;
  sink.on("message", () => datagrams++);
  // deno-lint-ignore no-console
  console.log(`sink ${sink.address().port}`);
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  const readers: { bytes: () => number; close(): void }[] = [];
  for await (const chunk of lines) {
    for (const line of chunk.split("\n").filter((l) => l !== "")) {
      if (line === "count") {
        // deno-lint-ignore no-console
        console.log(
          `count ${
            JSON.stringify({
              datagrams,
              bytes: readers.reduce((sum, r) => sum + r.bytes(), 0),
            })
          }`,
        );
        continue;
      }
      if (line === "stop") {
        // deno-lint-ignore no-console
        console.log(
          JSON.stringify({ datagrams, bytes: readers.map((r) => r.bytes()) }),
        );
        readers.forEach((reader) => reader.close());
        sink.close();
        return;
      }
      const [port, read] = line.split(" ");
      readers.push(
        await subscriber(
          Number(port),
          read === "read" ? "demo16" : "demo15",
          read === "read",
        ),
      );
      // deno-lint-ignore no-console
      console.log(`subscribed ${port}`);
    }
  }
}

async function main(): Promise<void> {
  if (PIN) {
    const pinned = await new Deno.Command("taskset", {
      args: ["-a", "-p", "-c", "0", String(Deno.pid)],
      stdout: "null",
    }).output();
    if (!pinned.success) throw new Error("taskset failed: --pin needs taskset");
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--subscriber"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const until = async (pattern: RegExp) => {
    while (!pattern.test(text)) {
      const { value, done } = await out.read();
      if (done) throw new Error(`The subscriber process exited: ${text}`);
      text += value;
    }
    return text.match(pattern)!;
  };
  const sinkPort = Number((await until(/sink (\d+)/))[1]);
  const input = child.stdin.getWriter();
  const say = (line: string) =>
    input.write(new TextEncoder().encode(line + "\n"));
  const dirs = await Promise.all(
    [0, 1, 2, 3, 4].map(() => Deno.makeTempDir({ prefix: "ouch-feed-bench-" })),
  );
  const off = await spawn("off", [
    "--journal",
    dirs[0]!,
    "--itch-port",
    "off",
    "--snapshot-port",
    "off",
  ]);
  const on = await spawn("on", [
    "--journal",
    dirs[1]!,
    "--mold",
    `127.0.0.1:${sinkPort}`,
  ]);
  const stalled = STALLED
    ? await spawn("stalled", [
      "--journal",
      dirs[2]!,
      "--mold",
      `127.0.0.1:${sinkPort}`,
    ])
    : undefined;
  const servers = [["off", off], ["on", on]] as [string, Server][];
  const readers: [number | null, string][] = [[on.itchPort, "read"]];
  if (stalled !== undefined) {
    servers.push(["stalled", stalled]);
    readers.push([stalled.itchPort, "read"], [stalled.itchPort, "stall"]);
  }
  if (BASELINE !== undefined) {
    const baseOff = await spawn("baseOff", [
      "--journal",
      dirs[3]!,
      "--itch-port",
      "off",
      "--snapshot-port",
      "off",
    ], BASELINE);
    const baseOn = await spawn("baseOn", [
      "--journal",
      dirs[4]!,
      "--mold",
      `127.0.0.1:${sinkPort}`,
    ], BASELINE);
    servers.push(["baseOff", baseOff], ["baseOn", baseOn]);
    readers.push([baseOn.itchPort, "read"]);
  }
  for (const [port, mode] of readers) {
    await say(`${port} ${mode}`);
    await until(new RegExp(`subscribed ${port}[\\s\\S]*$`));
    text = "";
  }
  /**
   * Waits until the readers have received nothing new for 300 ms.
   *
   * @returns When they last received something, ms from the call.
   */
  const caughtUp = async (): Promise<number> => {
    const start = performance.now();
    let last = "";
    let changed = 0;
    while (true) {
      text = "";
      await say("count");
      const now = (await until(/count (\{.*\})/))[1]!;
      if (now === last) return changed;
      if (last !== "") changed = performance.now() - start;
      last = now;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };
  const names = ["off", "on", "stalled", "baseOff", "baseOn"];
  const table = () =>
    Object.fromEntries(names.map((name) => [name, [] as number[]]));
  const lag = table();
  const results = table();
  const cpu = table();
  const mainCpu = table();
  const systemCpu = table();
  let counts = { datagrams: 0, bytes: [0] };
  try {
    for (const [, server] of servers) {
      await measure(server.port, COUNT / 4);
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, server] of servers) {
        const before = cpuSeconds(server.pid);
        const beforeMain = cpuSeconds(server.pid, true);
        const beforeSystem = cpuSeconds(server.pid, false, "system");
        results[name]!.push(
          (await measure(server.port, COUNT)).throughput.entersPerSecond,
        );
        // The feed may still be sending what the run made (it runs in later turns than order
        // entry): the next run starts once the readers have had everything, and the
        // server's CPU time is read then, so no run pays for another's feed.
        const behind = await caughtUp();
        if (name !== "off") lag[name]!.push(behind);
        cpu[name]!.push((cpuSeconds(server.pid) - before) / COUNT * 1e6);
        systemCpu[name]!.push(
          (cpuSeconds(server.pid, false, "system") - beforeSystem) / COUNT *
            1e6,
        );
        mainCpu[name]!.push(
          (cpuSeconds(server.pid, true) - beforeMain) / COUNT * 1e6,
        );
      }
    }
  } finally {
    text = "";
    await say("stop");
    counts = JSON.parse((await until(/\{.*\}/))[0]);
    await input.close();
    await child.status;
    await Promise.all(servers.map(([, server]) => server.stop()));
    await Promise.all(dirs.map((dir) => Deno.remove(dir, { recursive: true })));
  }
  const best = (values: number[]) => Math.round(Math.max(...values));
  const median = (values: number[]) => {
    if (values.length === 0) return NaN;
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1
      ? sorted[middle]!
      : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
  const summary = {
    main: MAIN,
    orders: COUNT,
    rounds: ROUNDS,
    pinned: PIN,
    feedOff: best(results.off!),
    feedOn: best(results.on!),
    feedOnWithStalledReader: best(results.stalled!),
    feedOnRatio: Number((best(results.on!) / best(results.off!)).toFixed(3)),
    stalledRatio: Number(
      (best(results.stalled!) / best(results.off!)).toFixed(3),
    ),
    medianOnRatio: ratio(median(results.on!), median(results.off!)),
    /** The median over rounds of each round's on / off (adjacent runs share the machine's state). */
    medianRoundRatio: Number(
      median(results.on!.map((on, i) => on / results.off![i]!)).toFixed(3),
    ),
    /** The server's CPU time (user + system) per Enter (and its cancel at logout), µs. */
    cpuMicrosPerOrder: {
      off: Number(median(cpu.off!).toFixed(2)),
      on: Number(median(cpu.on!).toFixed(2)),
      stalled: Number(median(cpu.stalled!).toFixed(2)),
    },
    /** Feed off over feed on: the throughput ratio a server alone on its core would reach. */
    cpuRatio: ratio(median(cpu.off!), median(cpu.on!)),
    /** Each round's CPU per order off over on (adjacent runs share the machine's state). */
    roundCpuRatios: cpu.on!.map((on, i) => ratio(cpu.off![i]!, on)),
    /** Each round's throughput on over off. */
    roundRatios: results.on!.map((on, i) => ratio(on, results.off![i]!)),
    /**
     * The kernel's part of it (system time), µs per order: on loopback a send also runs the
     * receiving side's network stack.
     */
    systemMicrosPerOrder: {
      off: Number(median(systemCpu.off!).toFixed(2)),
      on: Number(median(systemCpu.on!).toFixed(2)),
      stalled: Number(median(systemCpu.stalled!).toFixed(2)),
    },
    /** The same for the server's main thread alone (order entry and the feed), µs per order. */
    mainThreadMicrosPerOrder: {
      off: Number(median(mainCpu.off!).toFixed(2)),
      on: Number(median(mainCpu.on!).toFixed(2)),
      stalled: Number(median(mainCpu.stalled!).toFixed(2)),
    },
    mainThreadRatio: ratio(median(mainCpu.off!), median(mainCpu.on!)),
    /**
     * After each run, how long the readers kept receiving (ms, median; a poll every 300 ms):
     * how far the feed was behind order entry.
     */
    feedBehindMs: {
      on: Math.round(median(lag.on!)),
      stalled: Math.round(median(lag.stalled!)),
    },
    subscriberBytes: counts.bytes[0],
    moldDatagrams: counts.datagrams,
    /**
     * With `--baseline`: the other checkout's servers in the same rounds, and each round's
     * CPU per order of this tree's feed-on server over the baseline's.
     */
    baseline: BASELINE === undefined ? null : {
      main: BASELINE,
      cpuMicrosPerOrder: {
        off: Number(median(cpu.baseOff!).toFixed(2)),
        on: Number(median(cpu.baseOn!).toFixed(2)),
      },
      cpuRatio: ratio(median(cpu.baseOff!), median(cpu.baseOn!)),
      roundCpuRatios: cpu.baseOn!.map((on, i) => ratio(cpu.baseOff![i]!, on)),
      roundRatios: results.baseOn!.map((on, i) =>
        ratio(on, results.baseOff![i]!)
      ),
      onOverBaselineOn: cpu.on!.map((on, i) => ratio(on, cpu.baseOn![i]!)),
      offOverBaselineOff: cpu.off!.map((off, i) =>
        ratio(off, cpu.baseOff![i]!)
      ),
    },
  };
  // deno-lint-ignore no-console
  console.log(
    `Enter→Accepted/s, 4 sessions, journal on: feed off ${summary.feedOff}, feed on (1 SoupBinTCP reader + MoldUDP64) ${summary.feedOn} (${summary.feedOnRatio}), plus a stalled reader ${summary.feedOnWithStalledReader} (${summary.stalledRatio}); median ratio ${summary.medianOnRatio}, median of the rounds' ratios ${summary.medianRoundRatio}; server CPU per order ${summary.cpuMicrosPerOrder.off} µs off, ${summary.cpuMicrosPerOrder.on} µs on (${summary.cpuRatio})`,
  );
  // deno-lint-ignore no-console
  console.log(JSON.stringify(summary));
}
