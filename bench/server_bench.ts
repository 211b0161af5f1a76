/**
 * Server benchmark: `ouch server` (journal on, default `--fsync batch`) driven over loopback by
 * the load generator, against a peer measured in the same run: a bare SoupBinTCP responder in
 * another Deno process that acknowledges every order without matching or journaling, i.e. the
 * transport's ceiling.
 *
 * Two measurements, each on both: Enter → Accepted throughput with 4 pipelined sessions, and
 * round-trip latency at a paced 10,000 orders/s. Each follows a warm-up run on the same process
 * (the JIT compiles the hot paths), which is not reported.
 *
 * Run: `deno task bench:server` (about a minute). The last line is one JSON object.
 * `-- --fsync batch` (or `none`) runs the server in that journal mode instead of the default;
 * `-- --quick` runs shorter.
 *
 * @module
 */
import {
  type LoadOptions,
  type LoadReport,
  runLoad,
} from "../lib/client/load.ts";
import { encodeMessage, FrameReader } from "../lib/codec/mod.ts";
import { decodeInbound } from "../lib/codec/message.ts";
import { encodePacket } from "../lib/codec/soupbintcp.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const QUICK = Deno.args.includes("--quick");
const THROUGHPUT_COUNT = QUICK ? 100_000 : 800_000;
const PACED_MS = QUICK ? 3_000 : 10_000;
const FSYNC_AT = Deno.args.indexOf("--fsync");
const FSYNC = FSYNC_AT >= 0 ? Deno.args[FSYNC_AT + 1] ?? "" : "interval";

if (Deno.args[0] === "--peer") {
  await peer();
} else {
  await main();
}

interface Process {
  port: number;
  stop(): Promise<void>;
}

async function spawn(args: string[], pattern: RegExp): Promise<Process> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
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
  const port = Number(text.match(pattern)![1]);
  const draining = (async () => {
    while (!(await reader.read()).done) {
      // discard the rest of its output
    }
  })();
  return {
    port,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await draining;
    },
  };
}

function accounts(first: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    username: `demo${first + i}`,
    password: "demo",
  }));
}

async function measure(
  port: number,
  options: Partial<LoadOptions>,
): Promise<LoadReport> {
  const report = await runLoad({
    hostname: "127.0.0.1",
    port,
    accounts: accounts(1, 4),
    mix: { enter: 100, cancel: 0, replace: 0 },
    crossPercent: 0,
    window: 1000,
    ...options,
  });
  if (!report.ok) {
    throw new Error(
      `The load run failed: ${report.errors.join("; ")} ${
        JSON.stringify(report.outcomes)
      }`,
    );
  }
  return report;
}

async function main(): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "ouch-bench-" });
  const ours = await spawn([
    "run",
    "-A",
    "--v8-flags=--max-semi-space-size=64",
    MAIN,
    "server",
    "--port",
    "0",
    "--no-http",
    "--display",
    "quiet",
    "--journal",
    directory,
    "--fsync",
    FSYNC,
  ], /listening on 127\.0\.0\.1:(\d+)/);
  const bare = await spawn(
    ["run", "-A", "--v8-flags=--max-semi-space-size=64", SELF, "--peer"],
    /peer listening on 127\.0\.0\.1:(\d+)/,
  );
  const runs = {} as Record<
    "ours" | "peer",
    { throughput: LoadReport; paced: LoadReport }
  >;
  try {
    for (const [name, server] of [["ours", ours], ["peer", bare]] as const) {
      await measure(server.port, {
        accounts: accounts(1, 4),
        count: THROUGHPUT_COUNT / 4,
      });
      const throughput = await measure(server.port, {
        accounts: accounts(5, 4),
        count: THROUGHPUT_COUNT,
      });
      await measure(server.port, {
        accounts: accounts(9, 4),
        durationMs: 1000,
        rate: 10_000,
      });
      const paced = await measure(server.port, {
        accounts: accounts(13, 4),
        durationMs: PACED_MS,
        rate: 10_000,
      });
      runs[name] = { throughput, paced };
    }
  } finally {
    await ours.stop();
    await bare.stop();
    await Deno.remove(directory, { recursive: true });
  }
  const t = { ours: runs.ours.throughput, peer: runs.peer.throughput };
  const p = { ours: runs.ours.paced, peer: runs.peer.paced };
  const ms = (value: number) => Math.round(value * 1000) / 1000;
  const row = (
    label: string,
    a: string | number,
    b: string | number,
    ratio: string,
  ) =>
    `${label.padEnd(34)}${String(a).padStart(14)}${String(b).padStart(14)}${
      ratio.padStart(10)
    }`;
  const lines = [
    row(`journal --fsync ${FSYNC}`, "ouch server", "bare peer", "ratio"),
    row(
      "Enter→Accepted, 4 sessions (/s)",
      Math.round(t.ours.throughput.entersPerSecond),
      Math.round(t.peer.throughput.entersPerSecond),
      (t.ours.throughput.entersPerSecond / t.peer.throughput.entersPerSecond)
        .toFixed(2),
    ),
    ...(["p50", "p90", "p99", "p999", "max"] as const).map((key) =>
      row(
        `latency ${key} at 10,000/s (ms)`,
        ms(p.ours.latency[key]),
        ms(p.peer.latency[key]),
        (p.ours.latency[key] / p.peer.latency[key]).toFixed(2),
      )
    ),
  ];
  // deno-lint-ignore no-console
  console.log(lines.join("\n"));
  // deno-lint-ignore no-console
  console.log(JSON.stringify({
    fsync: FSYNC,
    throughput: {
      sessions: 4,
      orders: t.ours.sent.enter,
      ouch: Math.round(t.ours.throughput.entersPerSecond),
      peer: Math.round(t.peer.throughput.entersPerSecond),
      ratio: Math.round(
        t.ours.throughput.entersPerSecond /
          t.peer.throughput.entersPerSecond * 100,
      ) / 100,
    },
    paced: {
      rate: 10_000,
      orders: p.ours.sent.enter,
      ouch: {
        p50: ms(p.ours.latency.p50),
        p90: ms(p.ours.latency.p90),
        p99: ms(p.ours.latency.p99),
        p999: ms(p.ours.latency.p999),
        max: ms(p.ours.latency.max),
      },
      peer: {
        p50: ms(p.peer.latency.p50),
        p90: ms(p.peer.latency.p90),
        p99: ms(p.peer.latency.p99),
        p999: ms(p.peer.latency.p999),
        max: ms(p.peer.latency.max),
      },
    },
  }));
}

/**
 * The bare peer: accepts any login and answers every Enter Order with an Order Accepted and
 * every Cancel Order with an Order Canceled, one write per read, with no matching and no
 * journal.
 */
async function peer(): Promise<void> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // deno-lint-ignore no-console
  console.log(`peer listening on 127.0.0.1:${listener.addr.port}`);
  for await (const conn of listener) {
    conn.setNoDelay(true);
    serve(conn).catch(() => {});
  }
}

async function serve(conn: Deno.TcpConn): Promise<void> {
  const reader = new FrameReader();
  const buffer = new Uint8Array(65536);
  let output = new Uint8Array(1 << 20);
  let at = 0;
  let orderNumber = 202611280000000000n; // the venue's form (K11)
  const open = new Map<number, number>();
  const put = (bytes: Uint8Array) => {
    if (at + bytes.length > output.length) {
      const grown = new Uint8Array(output.length * 2);
      grown.set(output.subarray(0, at));
      output = grown;
    }
    output.set(bytes, at);
    at += bytes.length;
  };
  const sequenced = (message: Parameters<typeof encodeMessage>[0]) =>
    put(
      encodePacket({ type: "sequencedData", message: encodeMessage(message) }),
    );
  try {
    while (true) {
      const count = await conn.read(buffer);
      if (count === null) break;
      reader.push(buffer.subarray(0, count), (type, payload) => {
        if (type === 0x4c) {
          put(
            encodePacket({
              type: "loginAccepted",
              session: "PEER",
              sequenceNumber: 1,
            }),
          );
          return;
        }
        if (type !== 0x55) return;
        const message = decodeInbound(payload);
        if (message.type === "enterOrder") {
          open.set(message.orderToken, message.quantity);
          sequenced({
            type: "orderAccepted",
            timestamp: 0,
            orderToken: message.orderToken,
            clientReference: message.clientReference,
            buySellIndicator: message.buySellIndicator,
            quantity: message.quantity,
            orderbookId: message.orderbookId,
            group: message.group,
            price: message.price,
            timeInForce: message.timeInForce,
            firmId: message.firmId,
            display: message.display,
            capacity: message.capacity,
            orderNumber: ++orderNumber,
            minimumQuantity: message.minimumQuantity,
            orderState: "L",
            orderClassification: message.orderClassification,
            cashMarginType: message.cashMarginType,
          });
        } else if (message.type === "cancelOrder") {
          const left = open.get(message.orderToken);
          if (left === undefined || message.quantity >= left) return;
          open.delete(message.orderToken);
          sequenced({
            type: "orderCanceled",
            timestamp: 0,
            orderToken: message.orderToken,
            decrementQuantity: left - message.quantity,
            orderCanceledReason: "U",
          });
        }
      });
      let written = 0;
      while (written < at) {
        written += await conn.write(output.subarray(written, at));
      }
      at = 0;
    }
  } finally {
    conn.close();
  }
}
