/**
 * `ouch engine` and `ouch gateway` as real processes on a single-node NATS server: two
 * engines (one active, one standing by), two gateways, real OUCH clients; then kill -9 of the
 * active engine. Runs under `deno task test:cluster` (`OUCH_NATS_CLUSTER=1`): about 15 s.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { OuchServer } from "../../lib/server/server.ts";
import { enterOrder } from "../_fixtures.ts";
import { type Received, TestClient } from "../server/_harness.ts";
import {
  runMain,
  type ServerProcess,
  spawnServer,
} from "../server/_process.ts";
import { connectTest, startNats, startNatsCluster } from "./_nats_harness.ts";
import { keepClientsAlive } from "./_cluster_processes.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import { venueNames } from "../../lib/nats/mod.ts";

const CLUSTER = Deno.env.get("OUCH_NATS_CLUSTER") === "1";
const ACCOUNTS = ["--user", "alice:pw-a", "--user", "bob:pw-b"];

function spawnGateway(
  servers: string,
  id: string,
  replicas: number,
): Promise<ServerProcess> {
  return spawnServer([
    ...ACCOUNTS,
    "--nats",
    servers,
    "--prefix",
    "cli",
    "--replicas",
    String(replicas),
  ], {
    command: ["gateway", "--host-id", id, "--port", "0"],
  });
}

/** Something `TestClient.connect` can connect to. */
function at(port: number): OuchServer {
  return { address: { port } } as unknown as OuchServer;
}

function lines(received: Received[]): string[] {
  return received.map(({ sequenceNumber, message }) =>
    `${sequenceNumber} ${message.type}${
      "orderToken" in message ? ` ${message.orderToken}` : ""
    }`
  );
}

for (const replicas of [1, 3]) {
  Deno.test({
    name: `ouch engine + ouch gateway processes on ${
      replicas === 1
        ? "a single NATS node"
        : "a 3-node R3 NATS cluster (and kill -9 of the log's stream leader)"
    }: mirrored hosts; kill -9 of the active engine, the standby takes over within 10 s and trading goes on; kill -9 of a gateway ends its sessions (cancel on disconnect across hosts); ouch admin halts and ends the day through the log`,
    ignore: !CLUSTER,
    async fn() {
      await using nats = replicas === 1
        ? await startNats()
        : await startNatsCluster();
      const servers = nats.servers.join(",");
      const processes: ServerProcess[] = [];
      const clients: TestClient[] = [];
      // Client Heartbeats, so that no session idles out during a long fail-over.
      const stopHeartbeats = keepClientsAlive(clients);
      try {
        const engines = await Promise.all(
          ["e1", "e2"].map((id) => spawnEngine(servers, id, replicas)),
        );
        processes.push(...engines.map((e) => e.process));
        const gw1 = await spawnGateway(servers, "gw1", replicas);
        processes.push(gw1);
        const gw2 = await spawnGateway(servers, "gw2", replicas);
        processes.push(gw2);
        const first = await Promise.race(
          engines.map((e) =>
            e.process.waitFor(/engine (e\d): active/).then(() => e)
          ),
        );
        const other = engines.find((e) => e !== first)!;

        const connect = async (port: number, name: string) => {
          for (let i = 0;; i++) {
            const client = await TestClient.connect(at(port));
            await client.login(name, `pw-${name[0]}`);
            // "S" until the gateway has followed the day's start.
            if (client.loginResult !== "S" || i === 100) {
              clients.push(client);
              return client;
            }
            await client.close();
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        };
        const alice1 = await connect(gw1.port, "alice");
        const alice2 = await connect(gw2.port, "alice");
        const bob = await connect(gw2.port, "bob");
        await alice1.send(enterOrder(1));
        await bob.send(enterOrder(1, { buySellIndicator: "S", quantity: 40 }));
        await alice1.messages(3);
        await alice2.messages(3);
        assert.deepEqual(lines(alice1.received), [
          "1 systemEvent",
          "2 orderAccepted 1",
          "3 orderExecuted 1",
        ]);
        assert.deepEqual(alice2.received, alice1.received);

        const killed = performance.now();
        await first.process.stop("SIGKILL");
        await other.process.waitFor(/engine e\d: active, epoch 2/, 15_000);
        const takeOver = performance.now() - killed;
        assert.ok(takeOver < 10_000, `took over after ${takeOver} ms`);
        // deno-lint-ignore no-console
        console.log(`take-over after kill -9: ${Math.round(takeOver)} ms`);
        await alice2.send(enterOrder(2));
        await alice1.messages(4, 10_000);
        await alice2.messages(4);
        assert.deepEqual(lines(alice1.received).slice(3), [
          "4 orderAccepted 2",
        ]);
        assert.deepEqual(alice2.received, alice1.received);
        // Resting orders are still cancelable through the new engine.
        await alice1.send({ type: "cancelOrder", orderToken: 1, quantity: 0 });
        await alice2.messages(5, 10_000);
        assert.deepEqual(lines(alice2.received).slice(4), [
          "5 orderCanceled 1",
        ]);

        // kill -9 of a gateway: after 5 s without its beats the engine ends its sessions;
        // bob, on no other host, gets cancel on disconnect; alice, still on gw1, does not.
        await bob.send(enterOrder(2, { buySellIndicator: "S", price: 25000 }));
        await bob.messages(4);
        const gatewayKilled = performance.now();
        await gw2.stop("SIGKILL");
        processes.splice(processes.indexOf(gw2), 1);
        await other.process.waitFor(/host "gw2" down/, 15_000);
        const hostDown = performance.now() - gatewayKilled;
        // deno-lint-ignore no-console
        console.log(
          `gateway kill -9 to its sessions ended: ${Math.round(hostDown)} ms`,
        );
        const bob1 = await connect(gw1.port, "bob");
        await bob1.messages(5, 10_000);
        assert.deepEqual(lines(bob1.received), [
          "1 systemEvent",
          "2 orderAccepted 1",
          "3 orderExecuted 1",
          "4 orderAccepted 2",
          "5 orderCanceled 2",
        ]);
        assert.deepEqual(bob1.received.slice(0, 4), bob.received);
        assert.equal(alice1.received.length, 5);

        if (replicas === 3) {
          // kill -9 of the node leading the record log: the log moves to another leader and
          // trading goes on.
          const leader = await nats.streamLeader(venueNames("cli").logStream);
          const sent = performance.now();
          await leader.kill();
          await alice1.send(enterOrder(4, { price: 20000 }));
          await alice1.messages(6, 30_000);
          const stall = performance.now() - sent;
          // deno-lint-ignore no-console
          console.log(
            `stream leader kill -9 to the next answer: ${Math.round(stall)} ms`,
          );
          assert.deepEqual(lines(alice1.received).slice(5), [
            "6 orderAccepted 4",
          ]);
        }

        // Operator actions go through the log like orders, from ouch admin.
        const admin = async (...words: string[]) => {
          const result = await runMain([
            "admin",
            "--nats",
            servers,
            "--prefix",
            "cli",
            ...words,
          ]);
          assert.equal(result.code, 0, result.stderr);
          assert.match(
            result.stdout,
            /admin: .* sent \(command stream sequence \d+\)/,
          );
        };
        await admin("halt", "1");
        // Token 5: above every token alice used (4 on R3), or the venue ignores the order.
        await alice1.send(enterOrder(5));
        const before = alice1.received.length;
        await alice1.messages(before + 1, 30_000);
        assert.deepEqual(lines(alice1.received).slice(before), [
          `${before + 1} orderRejected 5`,
        ]);
        await admin("endday");
        await alice1.until(() => alice1.ended, "End of Session", 10_000);
        await bob1.until(() => bob1.ended, "End of Session", 10_000);
        const usage = await runMain(["admin", "--nats", servers, "halt"]);
        assert.equal(usage.code, 2);
        assert.match(usage.stderr, /halt needs an orderbook ID/);
      } catch (error) {
        // What each process said, to tell which one waited on what.
        for (const [index, process] of processes.entries()) {
          // deno-lint-ignore no-console
          console.log(`--- process ${index + 1}:\n${process.output()}`);
        }
        const nc = await connectTest(
          nats.nodes.filter((n) => n.running).map((n) => n.url),
          "diagnosis",
        );
        try {
          const jsm = await jetstreamManager(nc, { timeout: 5000 });
          const names = venueNames("cli");
          for (const stream of [names.commandStream, names.logStream]) {
            const info = await jsm.streams.info(stream);
            // deno-lint-ignore no-console
            console.log(
              `${stream}: last ${info.state.last_seq} at ${info.state.last_ts}, leader ${info.cluster?.leader}`,
            );
            for await (const c of jsm.consumers.list(stream)) {
              // deno-lint-ignore no-console
              console.log(
                `  consumer ${c.name} from ${c.config.opt_start_seq}: delivered ${
                  JSON.stringify(c.delivered)
                }, pending ${c.num_pending}, waiting ${c.num_waiting}`,
              );
            }
          }
        } catch (e) {
          // deno-lint-ignore no-console
          console.log(`cannot read the streams: ${e}`);
        } finally {
          await nc.close();
        }
        throw error;
      } finally {
        stopHeartbeats();
        await Promise.all(clients.map((client) => client.close()));
        for (const process of processes.reverse()) await process.stop();
      }
    },
  });
}

/** An engine process: it prints no listening line, so it is waited for by its first line. */
async function spawnEngine(servers: string, id: string, replicas: number) {
  const process = await spawnServer(
    [
      ...ACCOUNTS,
      "--nats",
      servers,
      "--prefix",
      "cli",
      "--replicas",
      String(replicas),
    ],
    { command: ["engine", "--id", id], ready: /engine e\d: standing by/ },
  );
  return { id, process };
}
