/**
 * The ITCH feed's cost to the server: `ouch server` (journal on) driven over loopback by the
 * load generator, Enter → Accepted throughput with 4 pipelined sessions, measured in the same
 * run on three servers: the feed off (`--itch-port off --snapshot-port off`); the feed on with
 * one SoupBinTCP subscriber reading it and MoldUDP64 on (to a UDP sink); and the same with a
 * second SoupBinTCP subscriber that logs in and never reads (dropped as a slow reader).
 *
 * The headline is issue #13's figure: feed-on over feed-off throughput in the same run (the
 * bound is 0.85). Each round runs every server once, back to back, in alternating order
 * (off, on, stalled, then stalled, on, off, ...), after a warm-up of each; the headline is
 * the median over the rounds of each round's on/off pair, with the pairs' spread (min-max).
 * Many short rounds, because the machine's speed moves during a run: a pair shares its
 * moment, and the median of many pairs moves less than the best or the median of each side.
 *
 * The readers (the subscribers and the UDP sink) run in a process of their own and read
 * everything as it comes, in batches, as a high-rate subscriber would: the SoupBinTCP
 * subscriber reads up to 1 MiB at a time and waits a millisecond after a read that did not
 * fill it (so one wake-up takes what a millisecond brought, not a few hundred bytes), and
 * answers with heartbeats; the MoldUDP64 sink takes many datagrams per `recvmmsg(2)` call
 * (through FFI on a non-blocking socket; `node:dgram` without it) and checks that each
 * sender's sequence numbers are contiguous (`mold.gaps` must be 0: a sink that lost data
 * would flatter the feed). One timer drives both: a tick every millisecond while feed
 * comes, backing off to every 32 ms while none does (a Deno timer's wake-up costs CPU too).
 * (Under Deno 2.9.6, 6 s of about 5,000 datagrams a second cost a `node:dgram` receiver
 * 4.7 s of CPU, and it kept 5,289 of the 30,780; `recvmmsg(2)` 0.29 s, and kept them all.)
 * They are cheap on purpose: here they share the server's two cores
 * (with `--pin` the load generator's), so what they spend is taken from the server's
 * throughput, while a real subscriber runs on a machine of its own. Their CPU per order is
 * reported (`readerMicrosPerOrder`), as is the load generator's (`generatorMicrosPerOrder`).
 *
 * Besides throughput it reports each server's CPU time (user + system, from
 * `/proc/PID/stat`) per order, which contention on a shared machine moves much less than
 * throughput: feed off over feed on is the throughput ratio the server would reach with a
 * core of its own; and the same for the server's main thread alone. After each run it waits
 * until the readers have received no feed for 250 ms before the next (so that no run pays
 * for the feed of another) and reports how long they kept receiving (`feedBehindMs`).
 *
 * Run: `deno task bench:feed` (about a minute: 10 rounds of 200,000 orders per server;
 * `-- --quick` for 2 rounds of 100,000, `-- --rounds N` for more rounds, `--count N` for
 * orders per run, `--pin` for the servers on a core of their own, `--main PATH` to run
 * another checkout's `main.ts`, a baseline measured the same way: run the two alternately
 * under the bench lock, `--no-stalled` to leave out the stalled reader, `--cpu-prof DIR`
 * for the servers' CPU profiles, `--baseline PATH` to run another checkout's feed-off and
 * feed-on servers in the same rounds).
 * The last line is one JSON object.
 *
 * @module
 */
import { type LoadReport, runLoad } from "../lib/client/load.ts";
import { openDatagramReceiver } from "../lib/feeds/datagram_receiver.ts";

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
  : 200_000;
const roundsFlag = Deno.args.indexOf("--rounds");
const ROUNDS = roundsFlag >= 0
  ? Number(Deno.args[roundsFlag + 1])
  : QUICK
  ? 2
  : 10;
/**
 * `--pin`: every server on CPU 1, this process (the load generator) and the readers on CPU 0
 * (`taskset`), so that the servers' CPU time is theirs alone and the readers take nothing
 * from them.
 */
const PIN = Deno.args.includes("--pin");
/** Orders each server takes before the rounds (its JIT warmed up), or `--count` if fewer. */
const WARM_UP = 100_000;
/** After a run: the readers are asked what they have had every `POLL_MS`, ms ... */
const POLL_MS = 50;
/** ... until nothing new has come for `QUIET_MS`, ms. */
const QUIET_MS = 250;
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

/** What a SoupBinTCP reader has read. */
interface ReaderCounts {
  /** Bytes read, heartbeats included. */
  bytes: number;
  /** Bytes read less the reads that were one server heartbeat alone. */
  dataBytes: number;
  /** `conn.read` calls that returned bytes. */
  reads: number;
  /** The most bytes one read returned. */
  maxReadBytes: number;
  /** Reads that filled the whole buffer (read again at once). */
  fullReads: number;
}

/** The reading subscriber's buffer: far more than a millisecond of feed (~25 KB). */
const READ_BUFFER_BYTES = 1 << 20;
/**
 * How long a reader waits after a read that did not fill its buffer, ms: the readers'
 * process wakes once per `READ_PAUSE_MS` while feed comes.
 */
const READ_PAUSE_MS = 1;
/**
 * ... and at least once per `IDLE_PAUSE_MS` while none does (the MoldUDP64 sink's 8 MiB
 * receive buffer holds ~300 ms of feed; a SoupBinTCP reader that gets bytes brings the
 * ticks back to `READ_PAUSE_MS` at once).
 */
const IDLE_PAUSE_MS = 32;

/** The readers' process's one clock (see {@linkcode ticker}). */
interface Ticker {
  /** Resolves at the next tick. */
  next(): Promise<void>;
  stop(): void;
}

/**
 * The readers' process's one clock: at each tick it takes what the MoldUDP64 sink has
 * received (`receive`) and wakes the SoupBinTCP readers waiting for their next read; a
 * tick every `READ_PAUSE_MS` while there is something to do, backing off to every
 * `IDLE_PAUSE_MS` while there is not (a reader asking for the next tick brings it back at
 * once). One timer for every reader, because a Deno timer's wake-up costs CPU here: a
 * timer every 1 ms alone took 2.6 % of a core, every 8 ms 1.4 %.
 */
function ticker(receive: () => number): Ticker {
  let waiting: (() => void)[] = [];
  let pause = READ_PAUSE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    const taken = receive();
    const woken = waiting;
    waiting = [];
    for (const wake of woken) wake();
    pause = taken > 0 || woken.length > 0
      ? READ_PAUSE_MS
      : Math.min(pause * 2, IDLE_PAUSE_MS);
    timer = setTimeout(tick, pause);
  };
  timer = setTimeout(tick, pause);
  return {
    next: () =>
      new Promise<void>((wake) => {
        waiting.push(wake);
        if (pause > READ_PAUSE_MS) {
          clearTimeout(timer);
          pause = READ_PAUSE_MS;
          timer = setTimeout(tick, pause);
        }
      }),
    stop: () => clearTimeout(timer),
  };
}

/**
 * A SoupBinTCP reader of the feed; `read: false` never reads after its login. The reading
 * one reads everything as it comes, in batches: after a read that did not fill its 1 MiB
 * buffer it waits for `clock`'s next tick (a millisecond) before the next read, so that
 * the kernel gathers what arrives meanwhile (the socket's receive buffer, at least `net.ipv4.tcp_rmem`'s 128 KiB default
 * and grown by the kernel, holds several milliseconds of feed); it sends a heartbeat every
 * 500 ms while data comes.
 */
async function subscriber(
  port: number,
  user: string,
  read: boolean,
  clock: Ticker,
): Promise<{ counts: () => ReaderCounts; close(): void }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const login = "L" + user.padEnd(6) + "demo".padEnd(10) + "".padEnd(10) +
    "1".padStart(20);
  await conn.write(
    new Uint8Array([0, login.length, ...new TextEncoder().encode(login)]),
  );
  const counts: ReaderCounts = {
    bytes: 0,
    dataBytes: 0,
    reads: 0,
    maxReadBytes: 0,
    fullReads: 0,
  };
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  let lastBeat = Date.now();
  if (read) {
    (async () => {
      try {
        while (true) {
          const n = await conn.read(buffer);
          if (n === null) return;
          counts.bytes += n;
          counts.reads++;
          if (n > counts.maxReadBytes) counts.maxReadBytes = n;
          // A server heartbeat alone (length 1, "H") is not feed.
          if (n !== 3 || buffer[2] !== 0x48 || buffer[1] !== 1) {
            counts.dataBytes += n;
          }
          if (Date.now() - lastBeat > 500) {
            lastBeat = Date.now();
            await conn.write(new Uint8Array([0, 1, 0x52]));
          }
          if (n === buffer.length) counts.fullReads++;
          else await clock.next();
        }
      } catch {
        // closed
      }
    })();
  }
  return {
    counts: () => counts,
    close: () => {
      try {
        conn.close();
      } catch {
        // closed
      }
    },
  };
}

/** What the MoldUDP64 sink has received, over every sender. */
interface SinkCounts {
  /** `recvmmsg`, or `node:dgram` and why. */
  receiver: string;
  datagrams: number;
  /** Messages in them (heartbeats and End of Session carry none). */
  messages: number;
  /** Senders (feed-on servers) seen, by UDP port. */
  sources: number;
  /** Messages missing: a datagram whose sequence number is past the next expected one. */
  gaps: number;
  /** Datagrams that repeat or go back (a sequence number before the next expected one). */
  behind: number;
  /** Datagrams shorter than MoldUDP64's 20-byte header, or cut by the receiver. */
  malformed: number;
}

/**
 * A MoldUDP64 sink for every feed-on server: counts datagrams and messages and checks, per
 * sender (its UDP port), that each datagram's sequence number is the next expected one
 * (the first expected is 1: the sink is open before the servers start). A sink that lost
 * datagrams would flatter the feed, so gaps are counted and reported. Read with
 * `recvmmsg(2)` at each of the readers' ticks (a 4 MiB receive buffer, doubled by the
 * kernel, holds far more than the 32 ms between two idle ticks).
 */
async function moldSink(): Promise<
  {
    port: number;
    counts: () => SinkCounts;
    receive: () => number;
    close(): Promise<void>;
  }
> {
  const next = new Map<number, bigint>();
  const counts: SinkCounts = {
    receiver: "",
    datagrams: 0,
    messages: 0,
    sources: 0,
    gaps: 0,
    behind: 0,
    malformed: 0,
  };
  const receiver = await openDatagramReceiver({
    receiveBufferBytes: 4 << 20,
    pollMs: 0, // read at the readers' ticks
    onError: () => counts.malformed++,
    onDatagram: (datagram, sourcePort) => {
      counts.datagrams++;
      if (datagram.length < 20) {
        counts.malformed++;
        return;
      }
      const view = new DataView(
        datagram.buffer,
        datagram.byteOffset,
        datagram.byteLength,
      );
      const sequence = view.getBigUint64(10);
      const count = view.getUint16(18);
      let expected = next.get(sourcePort);
      if (expected === undefined) {
        expected = 1n;
        counts.sources++;
        next.set(sourcePort, expected);
      }
      if (count === 0xffff) return; // End of Session
      if (sequence > expected) counts.gaps += Number(sequence - expected);
      else if (sequence < expected && count > 0) counts.behind++;
      counts.messages += count;
      const after = sequence + BigInt(count);
      next.set(sourcePort, after > expected ? after : expected);
    },
  });
  counts.receiver = receiver.kind;
  return {
    port: receiver.port,
    counts: () => counts,
    receive: () => receiver.receive(),
    close: () => receiver.close(),
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
 * generator nothing: a MoldUDP64 sink (its port printed first), then, once told the feed
 * ports on standard input, one reading SoupBinTCP subscriber per port and one stalled
 * one on the last. `count` prints what they have had so far; `stop` prints everything
 * and ends.
 */
async function subscriberProcess(): Promise<void> {
  const sink = await moldSink();
  const clock = ticker(sink.receive);
  // deno-lint-ignore no-console
  console.log(`sink ${sink.port}`);
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  const readers: { counts: () => ReaderCounts; close(): void }[] = [];
  for await (const chunk of lines) {
    for (const line of chunk.split("\n").filter((l) => l !== "")) {
      if (line === "count") {
        // Heartbeats left out: what moves is feed still arriving.
        // deno-lint-ignore no-console
        console.log(
          `count ${
            JSON.stringify({
              messages: sink.counts().messages,
              bytes: readers.reduce((sum, r) => sum + r.counts().dataBytes, 0),
            })
          }`,
        );
        continue;
      }
      if (line === "stop") {
        // deno-lint-ignore no-console
        console.log(
          JSON.stringify({
            mold: sink.counts(),
            readers: readers.map((r) => r.counts()),
          }),
        );
        readers.forEach((reader) => reader.close());
        clock.stop();
        await sink.close();
        return;
      }
      const [port, read] = line.split(" ");
      readers.push(
        await subscriber(
          Number(port),
          read === "read" ? "demo16" : "demo15",
          read === "read",
          clock,
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
   * Waits until the readers have received no feed (heartbeats aside) for `QUIET_MS`,
   * asking every `POLL_MS`.
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
      const at = performance.now() - start;
      if (now !== last) {
        if (last !== "") changed = at;
        last = now;
      } else if (at - changed >= QUIET_MS) {
        return changed;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
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
  const readerCpu = table();
  const generatorCpu: number[] = [];
  let counts: { mold: SinkCounts; readers: ReaderCounts[] } | undefined;
  try {
    for (const [, server] of servers) {
      await measure(server.port, Math.min(COUNT, WARM_UP));
    }
    await caughtUp();
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating order (off, on, on, off, ...): neither comes first more often, so a
      // machine that speeds up or slows down during the run favours neither.
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const [name, server] of order) {
        const before = cpuSeconds(server.pid);
        const beforeMain = cpuSeconds(server.pid, true);
        const beforeSystem = cpuSeconds(server.pid, false, "system");
        const beforeReader = cpuSeconds(child.pid);
        const beforeGenerator = cpuSeconds(Deno.pid);
        results[name]!.push(
          (await measure(server.port, COUNT)).throughput.entersPerSecond,
        );
        generatorCpu.push(
          (cpuSeconds(Deno.pid) - beforeGenerator) / COUNT * 1e6,
        );
        // The feed may still be sending what the run made (it runs in later turns than order
        // entry): the next run starts once the readers have had everything, and the
        // server's CPU time is read then, so no run pays for another's feed.
        const behind = await caughtUp();
        if (name !== "off" && name !== "baseOff") lag[name]!.push(behind);
        readerCpu[name]!.push(
          (cpuSeconds(child.pid) - beforeReader) / COUNT * 1e6,
        );
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
  const micros = (values: number[]) => Number(median(values).toFixed(2));
  /** Each round's throughput on over off: a pair run back to back. */
  const pairRatios = results.on!.map((on, i) => ratio(on, results.off![i]!));
  const stalledPairRatios = results.stalled!.map((stalled, i) =>
    ratio(stalled, results.off![i]!)
  );
  const mold = counts!.mold;
  const subscriberReads = counts!.readers[0]!;
  const summary = {
    main: MAIN,
    orders: COUNT,
    rounds: ROUNDS,
    pinned: PIN,
    /**
     * Issue #13's figure: feed-on over feed-off throughput in the same run, the median of
     * the rounds' pairs (each pair run back to back, in alternating order), with the
     * pairs' spread; the bound is 0.85.
     */
    headline: {
      ratio: Number(median(pairRatios).toFixed(3)),
      min: Math.min(...pairRatios),
      max: Math.max(...pairRatios),
      pairs: pairRatios.length,
    },
    /** Each round's throughput on over off (`headline` is their median). */
    roundRatios: pairRatios,
    feedOff: best(results.off!),
    feedOn: best(results.on!),
    feedOnWithStalledReader: best(results.stalled!),
    /** Best on over best off (the pre-r23 headline: the most exposed to noise). */
    feedOnRatio: Number((best(results.on!) / best(results.off!)).toFixed(3)),
    stalledRatio: Number(
      (best(results.stalled!) / best(results.off!)).toFixed(3),
    ),
    medianOnRatio: ratio(median(results.on!), median(results.off!)),
    /** The median over rounds of each round's on / off (= `headline.ratio`). */
    medianRoundRatio: Number(median(pairRatios).toFixed(3)),
    /** Each round's throughput with a stalled reader over the same round's feed off. */
    stalledRoundRatios: stalledPairRatios,
    /** The server's CPU time (user + system) per Enter (and its cancel at logout), µs. */
    cpuMicrosPerOrder: {
      off: micros(cpu.off!),
      on: micros(cpu.on!),
      stalled: micros(cpu.stalled!),
    },
    /** Feed off over feed on: the throughput ratio a server alone on its core would reach. */
    cpuRatio: ratio(median(cpu.off!), median(cpu.on!)),
    /** Each round's CPU per order off over on (adjacent runs share the machine's state). */
    roundCpuRatios: cpu.on!.map((on, i) => ratio(cpu.off![i]!, on)),
    /**
     * The kernel's part of it (system time), µs per order: on loopback a send also runs the
     * receiving side's network stack.
     */
    systemMicrosPerOrder: {
      off: micros(systemCpu.off!),
      on: micros(systemCpu.on!),
      stalled: micros(systemCpu.stalled!),
    },
    /** The same for the server's main thread alone (order entry and the feed), µs per order. */
    mainThreadMicrosPerOrder: {
      off: micros(mainCpu.off!),
      on: micros(mainCpu.on!),
      stalled: micros(mainCpu.stalled!),
    },
    mainThreadRatio: ratio(median(mainCpu.off!), median(mainCpu.on!)),
    /**
     * The subscriber process's CPU time (user + system) per order during each server's
     * runs (the run and its catch-up), median, µs: reading that server's SoupBinTCP feed
     * and MoldUDP64 datagrams (`off`: polling an idle sink and socket).
     */
    readerMicrosPerOrder: {
      off: micros(readerCpu.off!),
      on: micros(readerCpu.on!),
      stalled: micros(readerCpu.stalled!),
    },
    /** This process's CPU time per order during the runs (the load generator), median, µs. */
    generatorMicrosPerOrder: micros(generatorCpu),
    /**
     * After each run, how long the readers kept receiving feed (ms, median; asked every
     * `POLL_MS`): how far the feed was behind order entry.
     */
    feedBehindMs: {
      on: Math.round(median(lag.on!)),
      stalled: Math.round(median(lag.stalled!)),
    },
    subscriberBytes: subscriberReads.bytes,
    /** The `on` server's SoupBinTCP reader: reads, the largest, and reads that filled 1 MiB. */
    subscriberReads: {
      reads: subscriberReads.reads,
      maxReadBytes: subscriberReads.maxReadBytes,
      fullReads: subscriberReads.fullReads,
    },
    moldDatagrams: mold.datagrams,
    /** The MoldUDP64 sink over every feed-on server: `gaps` must be 0. */
    mold,
    /**
     * With `--baseline`: the other checkout's servers in the same rounds, and each round's
     * CPU per order of this tree's feed-on server over the baseline's.
     */
    baseline: BASELINE === undefined ? null : {
      main: BASELINE,
      headline: {
        ratio: Number(
          median(results.baseOn!.map((on, i) => on / results.baseOff![i]!))
            .toFixed(3),
        ),
      },
      cpuMicrosPerOrder: {
        off: micros(cpu.baseOff!),
        on: micros(cpu.baseOn!),
      },
      readerMicrosPerOrder: { on: micros(readerCpu.baseOn!) },
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
  const { headline } = summary;
  // deno-lint-ignore no-console
  console.log(
    `Issue #13's figure, feed on (1 SoupBinTCP reader + MoldUDP64) over feed off, Enter→Accepted/s with 4 sessions and the journal on, in the same run: ${headline.ratio} (median of ${headline.pairs} back-to-back pairs; pairs ${headline.min}-${headline.max}; bound 0.85)${
      STALLED
        ? `; plus a stalled reader ${
          Number(median(stalledPairRatios).toFixed(3))
        }`
        : ""
    }; best runs ${summary.feedOff} off, ${summary.feedOn} on; server CPU per order ${summary.cpuMicrosPerOrder.off} µs off, ${summary.cpuMicrosPerOrder.on} µs on (${summary.cpuRatio}); readers ${summary.readerMicrosPerOrder.on} µs, load generator ${summary.generatorMicrosPerOrder} µs per order${
      mold.gaps > 0 || mold.malformed > 0
        ? `; THE MOLDUDP64 SINK MISSED ${mold.gaps} MESSAGES (${mold.malformed} bad datagrams): the feed-on figures are flattered`
        : ""
    }`,
  );
  // deno-lint-ignore no-console
  console.log(JSON.stringify(summary));
}
