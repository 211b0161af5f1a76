/**
 * The robust OUCH client (JNX §6) on real mirrored hosts: `ouch client --load --port G1,G2`
 * streams orders through two `ouch gateway` processes in front of an `ouch engine`; the
 * gateway it is on is killed (-9) mid-run. Runs under `deno task test:cluster`
 * (`OUCH_NATS_CLUSTER=1`): about 15 s.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { OuchServer } from "../../lib/server/server.ts";
import { TestClient } from "../server/_harness.ts";
import type { ServerProcess } from "../server/_process.ts";
import {
  spawnEngineProcess,
  spawnGatewayProcess,
} from "./_cluster_processes.ts";
import { startNats } from "./_nats_harness.ts";

const CLUSTER = Deno.env.get("OUCH_NATS_CLUSTER") === "1";
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ACCOUNTS = ["--user", "alice:pw-a", "--user", "bob:pw-b"];

function at(port: number): OuchServer {
  return { address: { port } } as unknown as OuchServer;
}

/** Every sequenced message of an account, replayed from 1 on a host, as hex with its number. */
async function replay(port: number, count: number): Promise<string[]> {
  const client = await TestClient.connect(at(port));
  try {
    await client.login("alice", "pw-a", 1);
    await client.messages(count);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return client.received.map(({ sequenceNumber, message }) =>
      `${sequenceNumber} ${
        JSON.stringify(
          message,
          (_k, v) => typeof v === "bigint" ? String(v) : v,
        )
      }`
    );
  } finally {
    await client.close();
  }
}

Deno.test({
  name:
    "ouch client --load --port G1,G2 on two ouch gateway processes: kill -9 of the gateway it is on, it moves to the mirror, logs in at the next number and re-sends what had no answer; every order gets exactly one final outcome and the account's sequence is gapless and the same on every surviving host",
  ignore: !CLUSTER,
  async fn() {
    await using nats = await startNats();
    const servers = nats.servers.join(",");
    const processes: ServerProcess[] = [];
    let client: Deno.ChildProcess | undefined;
    try {
      const venue = { servers, prefix: "cg", accounts: ACCOUNTS, replicas: 1 };
      const engine = await spawnEngineProcess(venue, "e1");
      processes.push(engine);
      const gateway = async (id: string) => {
        const process = await spawnGatewayProcess(venue, id);
        processes.push(process);
        return process;
      };
      const gw1 = await gateway("gw1");
      const gw2 = await gateway("gw2");
      await engine.waitFor(/engine e1: active/);
      await gw1.waitFor(/gateway gw1: trading day/);
      await gw2.waitFor(/gateway gw2: trading day/);

      client = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          MAIN,
          "client",
          "--load",
          "--port",
          `${gw1.port},${gw2.port}`,
          "--user",
          "alice",
          "--password",
          "pw-a",
          "--count",
          "4000",
          "--rate",
          "1000",
          "--json",
        ],
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const output = client.output();
      // The client is on gw1, the first host of its list; about 1,500 orders in, gw1 dies.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await gw1.stop("SIGKILL");
      const { code, stdout, stderr } = await output;
      client = undefined;
      const text = new TextDecoder().decode(stdout).trim();
      const report = JSON.parse(text.split("\n").at(-1)!);
      assert.equal(code, 0, new TextDecoder().decode(stderr) + text);
      assert.equal(report.ok, true, JSON.stringify(report.errors));
      assert.equal(report.outcomes.unanswered, 0);
      assert.deepEqual(report.outcomes.violations, []);
      assert.equal(report.outcomes.open, 0);
      assert.equal(report.sent.total, 4000);
      assert.equal(report.failovers.length, 1, JSON.stringify(report));
      assert.match(report.failovers[0], /alice/);
      // Every message the client counted is in the account's stream once, numbered 1..N
      // with no gap, and a second surviving host (started now, rebuilt from the log) sends
      // exactly the same stream.
      const total = report.received.total;
      const onGw2 = await replay(gw2.port, total);
      assert.equal(onGw2.length, total);
      onGw2.forEach((line, i) => assert.ok(line.startsWith(`${i + 1} `), line));
      const gw3 = await gateway("gw3");
      await gw3.waitFor(/gateway gw3: trading day/);
      assert.deepEqual(await replay(gw3.port, total), onGw2);
    } finally {
      if (client !== undefined) {
        try {
          client.kill("SIGKILL");
        } catch {
          // gone
        }
        await client.output();
      }
      for (const process of processes.reverse()) await process.stop();
    }
  },
});
