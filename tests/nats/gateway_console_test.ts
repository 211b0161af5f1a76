/**
 * The operator console and the display of `ouch gateway` processes: operator actions go to
 * the engine through the command stream; questions are answered from the gateway's copy of
 * the log. About 3 s (one nats-server, one engine, two gateways): in the main suite.
 *
 * @module
 */
import assert from "node:assert/strict";
import { enterOrder } from "../_fixtures.ts";
import { TestClient } from "../server/_harness.ts";
import { runMain, type ServerProcess } from "../server/_process.ts";
import {
  connectClient,
  spawnEngineProcess,
  spawnGatewayProcess,
} from "./_cluster_processes.ts";
import { startNats } from "./_nats_harness.ts";

const ACCOUNTS = ["--user", "alice:pw-a", "--user", "bob:pw-b"];

Deno.test("ouch gateway's console: halt, resume and cancel go to the engine through the log and reach every host; book, sessions and accounts answer from the gateway; bad lines are refused; quit stops it; --display shows the market", async () => {
  await using nats = await startNats();
  const servers = nats.servers.join(",");
  const processes: ServerProcess[] = [];
  const clients: TestClient[] = [];
  try {
    const venue = { servers, prefix: "con", accounts: ACCOUNTS, replicas: 1 };
    const engine = await spawnEngineProcess(venue, "e1");
    processes.push(engine);
    const gw1 = await spawnGatewayProcess(venue, "gw1", [], { console: true });
    processes.push(gw1);
    const gw2 = await spawnGatewayProcess(venue, "gw2", ["--display", "debug"]);
    processes.push(gw2);
    await engine.waitFor(/engine e1: active/);
    await gw1.waitFor(/gateway gw1: trading day/);
    await gw2.waitFor(/gateway gw2: trading day/);

    const connect = async (port: number, name: string) => {
      const client = await connectClient(port, name, `pw-${name[0]}`);
      clients.push(client);
      return client;
    };
    const alice = await connect(gw1.port, "alice");
    const bob = await connect(gw2.port, "bob");
    await alice.send(enterOrder(1, { price: 1000, quantity: 300 }));
    await alice.messages(2);
    await bob.send(enterOrder(1, { price: 990, quantity: 200 }));
    await bob.messages(2);

    // Questions, from the gateway's copy of the log.
    await gw1.type("book 1");
    await gw1.waitFor(/ 1 +300 +100\.0 \|\n +1 +200 +99\.0 \|/);
    await gw1.type("accounts");
    await gw1.waitFor(/alice +connected here messages 2/);
    await gw1.waitFor(/bob +not here +messages 2/);
    await gw1.type("sessions");
    await gw1.waitFor(/#\d+ 127\.0\.0\.1:\d+ alice active next 3/);

    // Bad lines are refused, nothing is sent.
    await gw1.type("halt 99");
    await gw1.waitFor(/Cannot halt unknown orderbook "99"/);
    await gw1.type("cancel nobody");
    await gw1.waitFor(/cancel: unknown account "nobody": nothing sent/);
    await gw1.type("frobnicate");
    await gw1.waitFor(/frobnicate/);

    // An operator action goes through the log: bob, on the other host, sees the halt.
    await gw1.type("halt 1");
    await gw1.waitFor(
      /halt 1 sent to the engine \(command stream sequence \d+\)/,
    );
    await bob.send(enterOrder(2, { price: 995 }));
    await bob.messages(3);
    const rejected = bob.received.at(-1)!.message;
    assert.equal(rejected.type, "orderRejected");
    assert.equal(
      rejected.type === "orderRejected" && rejected.orderRejectedReason,
      "H",
    );
    await gw1.type("resume 1");
    await gw1.waitFor(/resume 1 sent to the engine/);
    await gw1.type("cancel bob");
    await gw1.waitFor(/cancel bob sent to the engine/);
    await bob.messages(4);
    const canceled = bob.received.at(-1)!.message;
    assert.equal(canceled.type, "orderCanceled");
    assert.equal(
      canceled.type === "orderCanceled" && canceled.orderCanceledReason,
      "S",
    );

    // The display of gw2 (debug: every message of every account, from the log).
    await gw2.waitFor(
      /alice +-> #2 orderAccepted .*orderToken=1 .*quantity=300 .*price=100\.0/,
    );
    await gw2.waitFor(/bob +-> #3 orderRejected .*orderRejectedReason=H/);
    await gw2.waitFor(/bob +-> #4 orderCanceled .*orderCanceledReason=S/);
    // quit stops the gateway, with exit code 0.
    await gw1.type("quit");
    const status = await gw1.stop(null);
    assert.equal(status.code, 0);
    processes.splice(processes.indexOf(gw1), 1);

    // The engine serves no clients: a gateway's flags are refused.
    const refused = await runMain(["engine", "--nats", servers, "--port", "1"]);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /Cannot use --port with ouch engine: it serves no clients \(give it to ouch gateway\)/,
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    for (const process of processes.reverse()) await process.stop();
  }
});

Deno.test("ouch gateway --protocol: a host meant for OUCH 1.11 serves the engine's 1.11 day; one started with 1.12 stops with exit 1 and says why", async () => {
  await using nats = await startNats();
  const servers = nats.servers.join(",");
  const processes: ServerProcess[] = [];
  try {
    const venue = { servers, prefix: "pv", accounts: ACCOUNTS, replicas: 1 };
    const engine = await spawnEngineProcess(venue, "e1", [
      "--protocol",
      "1.11",
    ]);
    processes.push(engine);
    const gateway = (version: string, id: string) =>
      spawnGatewayProcess(venue, id, ["--protocol", version]);
    const right = await gateway("1.11", "gw1");
    processes.push(right);
    const wrong = await gateway("1.12", "gw2");
    await engine.waitFor(/engine e1: active/);
    await right.waitFor(/gateway gw1: trading day \d+/);
    await wrong.waitFor(
      /gateway gw2: cannot serve: the engine's trading day \d+ is OUCH 1\.11, and this gateway was started with --protocol 1\.12/,
    );
    const status = await wrong.stop(null);
    assert.equal(status.code, 1);
    assert.doesNotMatch(wrong.output(), /gateway gw2: trading day/);
  } finally {
    for (const process of processes.reverse()) await process.stop();
  }
});
