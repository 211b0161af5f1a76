/**
 * Fail-over with real processes: two engine processes (`_engine_process.ts`), a paced gateway
 * in this process, and `nats-server` on a single node or a 3-node R3 cluster. Slow (about
 * 20–40 s each), so they run only under `deno task test:cluster` (`OUCH_NATS_CLUSTER=1`).
 *
 * Every scenario ends with the same checks: the log read through `LogReader` holds exactly one
 * `out:cN` per command sent, in order (no loss, no duplicate, across the fail-over); in the raw
 * stream, nothing of an older epoch follows a newer fence; every batch any engine saw
 * acknowledged is in the stream at its acknowledged sequence, with its epoch and first record.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  ensureVenue,
  LogReader,
  type VenueNames,
  venueNames,
} from "../../lib/nats/mod.ts";
import {
  connectTest,
  type NatsCluster,
  startNats,
  startNatsCluster,
} from "./_nats_harness.ts";
import { batchTexts, readLog, readRawLog } from "./_log_check.ts";
import {
  type EngineProcess,
  spawnEngine,
  startGateway,
} from "./_engine_spawn.ts";

const CLUSTER = Deno.env.get("OUCH_NATS_CLUSTER") === "1";
const IGNORE_REASON = "(slow: runs under deno task test:cluster)";

type Action = "kill -9 engine" | "SIGSTOP engine" | "kill -9 stream leader";

async function scenario(
  nats: NatsCluster,
  action: Action,
): Promise<Record<string, number | string>> {
  const prefix = "f";
  const names = venueNames(prefix);
  const replicas = nats.nodes.length;
  const nc = await connectTest(nats.servers);
  const engines: EngineProcess[] = [];
  const figures: Record<string, number | string> = {};
  try {
    await ensureVenue(nc, { names, replicas });
    const spawn = (id: string) => {
      const engine = spawnEngine(id, {
        servers: nats.servers,
        names,
        prefix,
        replicas,
      });
      engines.push(engine);
      return engine;
    };
    const e1 = spawn("e1");
    await e1.waitFor((e) => e.ev === "active");
    const e2 = spawn("e2");
    await e2.waitFor((e) => e.ev === "started");
    const gateway = startGateway(nc, names);
    const acks = (engine: EngineProcess, after = 0) =>
      engine.events.filter((e) => e.ev === "ack" && e.t >= after).length;
    await waitUntil(() => acks(e1) >= 50, "e1 acknowledged 50 batches");

    if (action === "kill -9 engine") {
      const t0 = Date.now();
      await e1.kill();
      const up = await e2.waitFor((e) => e.ev === "active");
      figures.takeoverMs = up.t - t0;
      await waitUntil(() => acks(e2) >= 50, "e2 acknowledged 50 batches");
    } else if (action === "SIGSTOP engine") {
      e1.signal("SIGUSR1"); // flood: hundreds of appends in flight
      await e1.waitFor((e) => e.ev === "flood");
      await new Promise((resolve) => setTimeout(resolve, 300));
      const t0 = Date.now();
      e1.signal("SIGSTOP");
      const up = await e2.waitFor((e) => e.ev === "active");
      figures.takeoverMs = up.t - t0;
      await waitUntil(() => acks(e2) >= 50, "e2 acknowledged 50 batches");
      const tCont = Date.now();
      e1.signal("SIGCONT");
      const code = await e1.exited;
      const noticed = e1.events.find((e) =>
        e.ev === "fenced" || e.ev === "lost"
      )!;
      const exit = e1.events.find((e) => e.ev === "exit")!;
      figures.zombie =
        `${noticed.ev} with ${noticed.pending} appends pending: ${exit.lateAccepted} had landed before the fence at ${up.fence}, ${exit.refused} refused`;
      assert.ok(code === 3 || code === 4, `zombie exit code ${code}`);
      assert.ok(noticed.pending! >= 100, "the zombie had many appends pending");
      assert.equal(
        exit.refused! + exit.lateAccepted!,
        noticed.pending,
        "every pending append settled",
      );
      assert.ok(
        exit.lateMaxSeq! < up.fence!,
        `zombie appends acknowledged late all precede the fence: ${exit.lateMaxSeq}`,
      );
      // Acknowledgements it reads after SIGCONT are for writes that landed before the fence.
      assert.deepEqual(
        e1.events.filter((e) => e.ev === "ack" && e.seq! > up.fence!),
        [],
        "no write of the zombie acknowledged after the new fence",
      );
      figures.zombieLateAcks = e1.events.filter((e) =>
        e.ev === "ack" && e.t >= tCont
      ).length;
    } else {
      const leader = await nats.streamLeader(names.logStream);
      figures.killedNode = leader.name;
      const t0 = Date.now();
      await leader.kill();
      await waitUntil(
        () => acks(e1, t0) + acks(e2, t0) >= 100,
        "100 batches acknowledged after the leader's death",
        120_000,
      ).catch((error) => {
        throw new Error(
          `${error.message}; gateway sent ${gateway.sent}; ${
            engines.map((e) =>
              `${e.id}: ${JSON.stringify(e.events.slice(-3))} ${
                e.stderr().slice(-1000)
              }`
            ).join("; ")
          }`,
        );
      });
      const times = [...e1.events, ...e2.events]
        .filter((e) => e.ev === "ack")
        .map((e) => e.t)
        .sort((a, b) => a - b);
      let stall = 0;
      for (let i = 1; i < times.length; i++) {
        if (times[i]! >= t0) stall = Math.max(stall, times[i]! - times[i - 1]!);
      }
      figures.stallMs = stall;
      if (Deno.env.get("OUCH_ENGINE_TRACE") === "1") {
        for (const e of [...e1.events, ...e2.events]) {
          if (e.ev === "status" && e.t >= t0 - 2_000) {
            // deno-lint-ignore no-console
            console.log(e.t - t0, JSON.stringify(e));
          }
        }
      }
      figures.newLeader = (await nats.streamLeader(names.logStream)).name;
    }

    const sent = await gateway.stop();
    figures.commands = sent;
    const lastSeq = await waitForOutput(nc, names, `out:c${sent}`);
    const { entries } = await readLog(nc, names, lastSeq);
    assert.deepEqual(
      batchTexts(entries).filter((r) => !r.startsWith("fill:")),
      Array.from({ length: sent }, (_, i) => `out:c${i + 1}`),
      "exactly one output per command, in command order",
    );
    const raw = await readRawLog(nc, names);
    let epoch = 0;
    for (const entry of raw) {
      if (entry.fence && entry.epoch > epoch) epoch = entry.epoch;
      assert.ok(
        entry.epoch >= epoch,
        `message ${entry.seq} of epoch ${entry.epoch} follows the fence of epoch ${epoch}`,
      );
    }
    const bySeq = new Map(raw.map((e) => [e.seq, e]));
    for (const engine of engines) {
      for (const ack of engine.events.filter((e) => e.ev === "ack")) {
        const stored = bySeq.get(ack.seq!);
        assert.equal(stored?.epoch, ack.epoch, `acknowledged seq ${ack.seq}`);
        assert.equal(
          stored?.records[0],
          ack.first,
          `acknowledged seq ${ack.seq}`,
        );
      }
    }
    figures.logMessages = raw.length;
    figures.epochs = epoch;
    return figures;
  } finally {
    await Promise.all(engines.map((e) => e.kill()));
    await nc.close();
  }
}

/** Follows the log until a batch holds `record`; returns that batch's sequence. */
async function waitForOutput(
  nc: NatsConnection,
  names: VenueNames,
  record: string,
  timeoutMs = 120_000,
): Promise<number> {
  const reader = await LogReader.open(nc, { names });
  const timer = setTimeout(() => reader.close(), timeoutMs);
  try {
    for await (const entry of reader) {
      if (entry.type === "batch" && batchTexts([entry]).includes(record)) {
        return entry.seq;
      }
    }
    throw new Error(`Timed out waiting for ${record} in the log`);
  } finally {
    clearTimeout(timer);
    await reader.close();
  }
}

async function waitUntil(
  condition: () => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function report(name: string, figures: Record<string, number | string>) {
  // deno-lint-ignore no-console
  console.log(`${name}: ${JSON.stringify(figures)}`);
}

for (
  const [label, start] of [["single node", startNats], [
    "R3 cluster",
    startNatsCluster,
  ]] as const
) {
  const actions: Action[] = label === "single node"
    ? ["kill -9 engine", "SIGSTOP engine"]
    : ["kill -9 engine", "SIGSTOP engine", "kill -9 stream leader"];
  for (const action of actions) {
    const name = `engine fail-over on ${label}: ${action} ${
      CLUSTER ? "" : IGNORE_REASON
    }`.trim();
    Deno.test({
      name,
      ignore: !CLUSTER,
      fn: async () => {
        await using nats = await start();
        report(`${label}, ${action}`, await scenario(nats, action));
      },
    });
  }
}
