import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  ActiveEngine,
  CommandPublisher,
  encodeGatewayCommand,
  ensureVenue,
  venueNames,
} from "../../lib/nats/mod.ts";
import { encodeMessage } from "../../lib/codec/mod.ts";
import { enterOrder } from "../_fixtures.ts";
import { type Received, TestClient } from "../server/_harness.ts";
import { startGatewayHost } from "./_gateway_host.ts";
import { connectTest, startNats, until } from "./_nats_harness.ts";

const names = venueNames("g");
const USERS = new Map([["alice", "pw-a"], ["bob", "pw-b"]]);
const DAY = { session: "2026112501", tradingDate: "20261125", created: 1 };
let now = 0;
const clock = { nowMs: () => performance.now(), nowNs: () => ++now };

function startGateway(nc: NatsConnection, host: string) {
  return startGatewayHost(nc, { host, names, users: USERS });
}

/** The messages as "sequence type token" lines. */
function lines(received: Received[]): string[] {
  return received.map(({ sequenceNumber, message }) => {
    const token = "orderToken" in message ? ` ${message.orderToken}` : "";
    const reason = message.type === "orderCanceled"
      ? ` ${message.orderCanceledReason}`
      : "";
    return `${sequenceNumber} ${message.type}${token}${reason}`;
  });
}

Deno.test("Two gateways and an engine on NATS: an account on both hosts gets the same messages at the same sequence numbers; its orders are canceled only when its last session anywhere ends", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  await ensureVenue(nc, { names });
  const engine = await ActiveEngine.start(nc, {
    epoch: 1,
    users: USERS,
    day: DAY,
    clock,
    names,
  });
  const gw1 = await startGateway(nc, "gw1");
  const gw2 = await startGateway(nc, "gw2");
  const clients: TestClient[] = [];
  const connect = async (gateway: typeof gw1) => {
    const client = await TestClient.connect(gateway.server);
    clients.push(client);
    return client;
  };
  try {
    await until(
      "the day on both hosts",
      () => gw1.core.day !== undefined && gw2.core.day !== undefined,
    );
    const alice1 = await (await connect(gw1)).login("alice", "pw-a");
    const alice2 = await (await connect(gw2)).login("alice", "pw-a");
    const bob = await (await connect(gw2)).login("bob", "pw-b");
    assert.deepEqual(alice1.loginResult, {
      session: "2026112501",
      sequenceNumber: 1,
    });
    assert.deepEqual(alice2.loginResult, alice1.loginResult);
    // Refused at the gateway: a wrong password, a second session on the same host.
    assert.equal(
      (await (await connect(gw1)).login("alice", "nope")).loginResult,
      "A",
    );
    assert.equal(
      (await (await connect(gw1)).login("alice", "pw-a")).loginResult,
      "S",
    );
    assert.equal(
      (await (await connect(gw2)).login("bob", "pw-b", 1, "2026112502"))
        .loginResult,
      "S",
    );

    await alice1.send(enterOrder(1, { quantity: 300 }));
    await alice1.messages(2);
    await bob.send(enterOrder(1, { buySellIndicator: "S", quantity: 100 }));
    await alice2.send(enterOrder(2, { price: 22000 })); // through the other host
    await alice1.messages(4);
    await alice2.messages(4);
    await bob.messages(3);
    assert.deepEqual(lines(alice1.received), [
      "1 systemEvent",
      "2 orderAccepted 1",
      "3 orderExecuted 1",
      "4 orderAccepted 2",
    ]);
    assert.deepEqual(lines(alice2.received), lines(alice1.received));
    assert.deepEqual(alice2.received, alice1.received);
    assert.deepEqual(lines(bob.received), [
      "1 systemEvent",
      "2 orderAccepted 1",
      "3 orderExecuted 1",
    ]);

    // A malformed message closes that session alone, at the gateway.
    await alice1.raw(new Uint8Array([0, 2, 0x55, 0x51]));
    await alice1.closedByServer();
    await bob.send(enterOrder(2, { buySellIndicator: "S", price: 25000 }));
    await bob.messages(4);
    assert.equal(engine.exchange.openOrders("alice").length, 2);
    // alice's last session ends (on gw2): the engine cancels her orders (K13, K23).
    await alice2.logout();
    await alice2.closedByServer();
    await until(
      "cancels",
      () => engine.exchange.openOrders("alice").length === 0,
    );
    const stream = gw1.core.streams.stream(engine.exchange.accountId("alice")!);
    await until("cancels on gw1", () => stream.length === 6);
    assert.deepEqual(engine.exchange.stream("alice")!.length, 6);
    for (let seq = 1; seq <= 6; seq++) {
      assert.deepEqual(
        stream.message(seq),
        engine.exchange.stream("alice")!.message(seq),
      );
      assert.deepEqual(
        gw2.core.streams.stream(0).message(seq),
        engine.exchange.stream("alice")!.message(seq),
      );
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await gw1.stop();
    await gw2.stop();
    await engine.stop();
    await nc.close();
  }
});

Deno.test("A gateway started under a host id whose previous process died (within the engine's host timeout) first ends the sessions that process left at the engine: cancel on disconnect for accounts with none left; logins then work", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  await ensureVenue(nc, { names });
  const engine = await ActiveEngine.start(nc, {
    epoch: 1,
    users: USERS,
    day: DAY,
    clock,
    names,
  });
  // What a killed gw1 left: alice's OUCH session with a resting order, bob's page.
  const old = new CommandPublisher(nc, { gatewayId: "gw1", names });
  const login = (host: string, username: string) =>
    encodeGatewayCommand({
      type: "login",
      host,
      username,
      password: USERS.get(username)!,
      requestedSession: "",
    });
  old.send(login("gw1", "alice"));
  old.send(login("gw1/web#1", "bob"));
  old.send(encodeGatewayCommand({
    type: "message",
    host: "gw1",
    account: "alice",
    message: encodeMessage(enterOrder(1)),
  }));
  await old.flushed();
  old.close();
  const clients: TestClient[] = [];
  let gw1: Awaited<ReturnType<typeof startGateway>> | undefined;
  let beating: ReturnType<typeof setInterval> | undefined;
  try {
    await until("the old sessions", () => engine.exchange.sessions === 2);
    await until(
      "alice's order",
      () => engine.exchange.openOrders("alice").length === 1,
    );
    gw1 = await startGateway(nc, "gw1");
    // The new process beats under the same name, as ouch gateway does every second: the
    // engine's host timeout never ends the old sessions.
    const host = gw1;
    beating = setInterval(() => host.core.beat(), 200);
    await until("the old sessions ended", () => engine.exchange.sessions === 0);
    assert.equal(engine.exchange.openOrders("alice").length, 0);
    await until("the day on gw1", () => gw1!.core.day !== undefined);
    const alice = await TestClient.connect(gw1.server);
    clients.push(alice);
    await alice.login("alice", "pw-a");
    assert.deepEqual(alice.loginResult, {
      session: "2026112501",
      sequenceNumber: 1,
    });
    await until("alice's new session", () => engine.exchange.sessions === 1);
    await alice.messages(3);
    assert.deepEqual(lines(alice.received), [
      "1 systemEvent",
      "2 orderAccepted 1",
      "3 orderCanceled 1 L",
    ]);
  } finally {
    clearInterval(beating);
    await Promise.all(clients.map((client) => client.close()));
    await gw1?.stop();
    await engine.stop();
    await nc.close();
  }
});
