/**
 * CPU time per MoldUDP64-sized datagram (1,420 bytes to 127.0.0.1, a sink in another process
 * reading them) of the feed's two senders, in the same run, rounds alternating: `sendmmsg(2)`
 * through libc (one call per turn, turns of 1 and of 16 datagrams) and `node:dgram` (one
 * `socket.send` per datagram, as the feed sent before). CPU is this process's user + system
 * time from `/proc/self/stat` (every thread: `node:dgram` sends on others), over the datagrams
 * sent; the event loop gets a turn after each batch, as the server gives it, and the same
 * turns without a send are measured too (subtract them for the sends' own cost).
 *
 * Run: `deno run -A bench/mold_send_bench.ts [--count N] [--rounds N]` (Linux). The last line
 * is one JSON object.
 *
 * @module
 */
import dgram from "node:dgram";
import { setImmediate } from "node:timers";
import { openDatagramSender } from "../lib/feeds/datagram_sender.ts";

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
} else {
  await main();
}

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

function cpuMicros(): number {
  const stat = Deno.readTextFileSync("/proc/self/stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 1e4; // ticks of 10 ms
}

async function main(): Promise<void> {
  const count = flag("--count", 100_000);
  const rounds = flag("--rounds", 3);
  const sink = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--sink"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const lines = sink.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await lines.read()).value ?? "";
  const port = Number(text.trim());
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
  await sink.stdin.close();
  let received = "";
  for (;;) {
    const { value, done } = await lines.read();
    if (done) break;
    received += value;
  }
  await sink.status;
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
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
    sinkReceived: Number(received.trim()),
  }));
}
