/**
 * The ITCH feed served by `ouch gateway` processes: made from the record log, so two gateways
 * serve the same messages at the same sequence numbers, byte for byte, and the snapshot
 * channel joins it. About 2 s (one nats-server, one engine, three gateways): in the main suite.
 *
 * @module
 */
import assert from "node:assert/strict";
import { enterOrder } from "../_fixtures.ts";
import { TestClient } from "../server/_harness.ts";
import type { ServerProcess } from "../server/_process.ts";
import { decode, SoupBinReader } from "../feeds/_itch_decoder.ts";
import {
  connectClient,
  spawnEngineProcess,
  spawnGatewayProcess,
} from "./_cluster_processes.ts";
import { freePorts, startNats } from "./_nats_harness.ts";

const ACCOUNTS = ["--user", "alice:pw-a", "--user", "bob:pw-b"];

const hex = (m: Uint8Array) =>
  [...m].map((b) => b.toString(16).padStart(2, "0")).join("");

Deno.test({
  name:
    "ouch gateway --itch-port --snapshot-port: two gateways serve the same ITCH feed byte for byte, made from the record log (a gateway started late too); the snapshot joins it; a gateway without the flags serves none",
  async fn() {
    await using nats = await startNats();
    const servers = nats.servers.join(",");
    const processes: ServerProcess[] = [];
    const clients: TestClient[] = [];
    try {
      const venue = {
        servers,
        prefix: "feed",
        accounts: ACCOUNTS,
        replicas: 1,
      };
      const engine = await spawnEngineProcess(venue, "e1");
      processes.push(engine);
      const [itch1, snap1, itch2, snap2] = freePorts(4) as [
        number,
        number,
        number,
        number,
      ];
      const gateway = async (id: string, feed: string[]) => {
        const process = await spawnGatewayProcess(venue, id, feed);
        processes.push(process);
        return process;
      };
      const gw1 = await gateway("gw1", [
        "--itch-port",
        String(itch1),
        "--snapshot-port",
        String(snap1),
      ]);
      const gw2 = await gateway("gw2", [
        "--itch-port",
        String(itch2),
        "--snapshot-port",
        String(snap2),
      ]);
      const gw3 = await gateway("gw3", []);
      await gw1.waitFor(/gateway gw1: itch snapshot listening on /);
      await gw2.waitFor(/gateway gw2: itch feed listening on /);
      await engine.waitFor(/engine e1: active/);
      await gw1.waitFor(/gateway gw1: trading day/);
      await gw2.waitFor(/gateway gw2: trading day/);
      assert.doesNotMatch(gw3.output(), /itch/);

      const connect = async (port: number, name: string) => {
        const client = await connectClient(port, name, `pw-${name[0]}`);
        clients.push(client);
        return client;
      };
      const alice = await connect(gw1.port, "alice");
      const bob = await connect(gw2.port, "bob");
      // Resting orders, a trade, a cancel.
      await alice.send(
        enterOrder(1, { price: 1000 }),
        enterOrder(2, { price: 1001 }),
        enterOrder(3, { price: 999 }),
      );
      await alice.messages(4);
      await bob.send(
        enterOrder(1, { buySellIndicator: "S", quantity: 40, price: 1001 }),
      );
      await bob.messages(3);
      await alice.send({ type: "cancelOrder", orderToken: 3, quantity: 0 });
      await alice.messages(6);

      // Both gateways' feeds from 1: the same bytes.
      const read = async (port: number, user: string, password: string) => {
        const reader = await SoupBinReader.open(port, user, password, 1);
        return reader;
      };
      const one = await read(itch1, "alice", "pw-a");
      const two = await read(itch2, "bob", "pw-b");
      const deleted = (r: SoupBinReader) =>
        r.read.messages.some((m) => m[0] === 0x44);
      await one.until(() => deleted(one), "gw1's Order Deleted");
      await two.until(() => deleted(two), "gw2's Order Deleted");
      await new Promise((resolve) => setTimeout(resolve, 300));
      await one.close();
      await two.close();
      assert.equal(one.read.session, two.read.session);
      assert.deepEqual(one.read.messages.map(hex), two.read.messages.map(hex));
      const types = one.read.messages.map((m) => decode(m).type);
      for (const type of ["T", "S", "L", "R", "A", "H", "E", "D"]) {
        assert.ok(types.includes(type), `${type} in ${types.join("")}`);
      }
      // A gateway started after the trading rebuilds the same feed from the log.
      const [late] = freePorts(1) as [number];
      const gw4 = await gateway("gw4", ["--itch-port", String(late)]);
      await gw4.waitFor(/gateway gw4: itch feed listening on /);
      const four = await read(late, "bob", "pw-b");
      await four.until(() => deleted(four), "gw4's Order Deleted");
      await new Promise((resolve) => setTimeout(resolve, 300));
      await four.close();
      assert.deepEqual(four.read.messages.map(hex), one.read.messages.map(hex));
      // The snapshot of gw2: alice's two bids left (1,000 and 999 canceled), bob's sell
      // filled 40 of 1,001; G equals the feed so far.
      const snapshot = await read(snap2, "alice", "pw-a");
      await snapshot.until(() => snapshot.read.endOfSession, "the snapshot");
      await snapshot.close();
      const g = decode(snapshot.read.messages.at(-1)!);
      assert.equal(g.type, "G");
      assert.equal(Number(g.sequenceNumber), one.read.messages.length);
      const resting = snapshot.read.messages.map((m) => decode(m)).filter((m) =>
        m.type === "A" && m.orderNumber !== 0n
      );
      assert.deepEqual(
        resting.map((m) => [m.side, m.quantity, m.price]),
        [["B", 60, 1001], ["B", 100, 1000]],
      );
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      for (const process of processes.reverse()) await process.stop();
    }
  },
});
