/**
 * The web page on gateways (issue #14: gateways take `--http`): two gateways and an engine on
 * a single-node NATS, each gateway's `WebServer` on its `GatewayPages`, pages driven over
 * their WebSocket as the browser drives them.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/transport-node";
import { PAGE_TOKEN_BASE as P } from "../../lib/matcher/mod.ts";
import {
  ActiveEngine,
  CommandPublisher,
  encodeGatewayCommand,
  ensureVenue,
  venueNames,
} from "../../lib/nats/mod.ts";
import { TestClient } from "../server/_harness.ts";
import {
  type PageClient,
  pageEnter,
  type Received,
} from "../web/_web_harness.ts";
import { startGatewayHost } from "./_gateway_host.ts";
import { connectTest, startNats, until } from "./_nats_harness.ts";

const names = venueNames("gp");
const USERS = new Map([["alice", "pw-a"], ["bob", "pw-b"]]);
const DAY = { session: "2026112501", tradingDate: "20261125", created: 1 };
let now = 0;
const clock = { nowMs: () => performance.now(), nowNs: () => ++now };

/** An OUCH host with its web page, as `ouch gateway --http` makes it. */
function startGateway(nc: NatsConnection, host: string) {
  return startGatewayHost(nc, { host, names, users: USERS, web: true });
}

/** A page's sequenced messages so far, as "sequence type token" lines. */
function responses(page: PageClient): string[] {
  return page.received.filter((m) => m.type === "responses").flatMap((m) =>
    m.items.map((item: Received) => {
      const message = item.message;
      const token = message.replacementOrderToken ?? message.orderToken;
      return `${item.sequenceNumber} ${message.type}${
        token === undefined ? "" : ` ${token}`
      }`;
    })
  );
}

/** The newest `orders` message's orders as "token open executed" lines. */
function orders(page: PageClient): string[] {
  const last = page.received.findLast((m) => m.type === "orders");
  return (last?.orders ?? []).map((order: Received) =>
    `${order.orderToken} ${order.openQuantity} ${order.executedQuantity}`
  );
}

Deno.test("Web pages on two gateways: log in, trade, replace and cancel through the engine; the market, responses and open orders come from the log; tokens of two gateways' pages never collide (a page whose token the engine raised is told the one it got); operator actions; a page's end cancels nothing", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  await ensureVenue(nc, { names });
  let engine = await ActiveEngine.start(nc, {
    epoch: 1,
    users: USERS,
    day: DAY,
    clock,
    names,
  });
  const gw1 = await startGateway(nc, "gw1");
  const gw2 = await startGateway(nc, "gw2");
  const pages: PageClient[] = [];
  const clients: TestClient[] = [];
  const page = async (gateway: typeof gw1, user: string, password: string) => {
    const client = await gateway.page();
    pages.push(client);
    assert.equal((await client.login(user, password)).ok, true);
    return client;
  };
  try {
    await until(
      "the day on both hosts",
      () => gw1.core.day !== undefined && gw2.core.day !== undefined,
    );
    // A wrong password is refused at the gateway.
    const stranger = await gw1.page();
    pages.push(stranger);
    const refused = await stranger.login("alice", "nope");
    assert.equal(refused.ok, false);
    assert.equal(
      refused.error,
      'Cannot log in as "alice": wrong username or password',
    );

    const alice1 = await page(gw1, "alice", "pw-a");
    const bob = await page(gw2, "bob", "pw-b");
    // The page's session reaches the engine as a session of host gw1/web#N.
    await until("the page sessions", () => engine.exchange.sessions === 2);

    const ack = await alice1.request(pageEnter({ quantity: 100 }), "ack");
    assert.equal(ack.orderToken, P);
    await alice1.next("orders", (m) => m.orders.length === 1);
    assert.deepEqual(orders(alice1), [`${P} 100 0`]);
    // bob's page, on the other gateway, sees alice's bid in the depth, and sells into it.
    await bob.next("depth", (m) => m.bids[0]?.quantity === 100);
    await bob.request(
      pageEnter({ buySellIndicator: "S", quantity: 40 }),
      "ack",
    );
    await alice1.next("orders", (m) => m.orders[0]?.openQuantity === 60);
    assert.deepEqual(orders(alice1), [`${P} 60 40`]);
    await bob.next("trades", (m) => m.trades[0]?.quantity === 40);

    // A replace asks for the open quantity: the total of the chain goes to the engine.
    const replaced = await alice1.request(
      {
        type: "replace",
        existingOrderToken: P,
        quantity: 30,
        price: "2300.0",
        timeInForce: 99999,
        display: " ",
        minimumQuantity: 0,
      },
      "ack",
    );
    assert.equal(replaced.orderToken, P + 1);
    assert.match(replaced.text, /Quantity 70 = 30 open \+ 40 already executed/);
    await alice1.next("orders", (m) => m.orders[0]?.orderToken === P + 1);
    assert.deepEqual(orders(alice1), [`${P + 1} 30 40`]);

    // alice's page on the other gateway picks the next token from the log.
    const alice2 = await page(gw2, "alice", "pw-a");
    assert.deepEqual(orders(alice2), [`${P + 1} 30 40`]);
    const ack2 = await alice2.request(pageEnter({ price: "2290.0" }), "ack");
    assert.equal(ack2.orderToken, P + 2);
    await alice1.next("orders", (m) => m.orders.length === 2);

    // Both gateways' pages enter in the same turn with the same token: the engine raises
    // the later one, so both orders are accepted, and that page learns its order's token.
    const from1 = alice1.received.length;
    const from2 = alice2.received.length;
    alice1.send(pageEnter({ price: "2280.0" }));
    alice2.send(pageEnter({ price: "2270.0" }));
    assert.equal(
      (await alice1.next("ack", () => true, from1)).orderToken,
      P + 3,
    );
    assert.equal(
      (await alice2.next("ack", () => true, from2)).orderToken,
      P + 3,
    );
    await alice1.next("orders", (m) => m.orders.length === 4);
    const tokens = orders(alice1).map((line) => Number(line.split(" ")[0]));
    assert.deepEqual(tokens, [P + 1, P + 2, P + 3, P + 4]);
    assert.deepEqual(
      engine.exchange.openOrders("alice").map((o) => o.orderToken),
      tokens,
    );
    // The page whose order the engine raised is told the token it got, before the responses
    // about it, so that it shows them against its own order; the other page is told nothing.
    await alice2.next("orders", (m) => m.orders.length === 4, from2);
    const told = (page: PageClient, from: number) =>
      page.received.slice(from).filter((m) => m.type === "token");
    await until(
      "the raised page told",
      () => told(alice1, from1).length + told(alice2, from2).length === 1,
    );
    const [raised, from, price] = told(alice1, from1).length === 1
      ? [alice1, from1, 22800]
      : [alice2, from2, 22700];
    assert.deepEqual(told(raised, from), [{
      type: "token",
      sent: P + 3,
      got: P + 4,
      text: `Order #${P + 3} went in as #${
        P + 4
      }: a page of alice elsewhere took #${P + 3} at the same moment`,
    }]);
    assert.equal(
      engine.exchange.openOrders("alice").find((o) => o.orderToken === P + 4)
        ?.price,
      price,
      "the raised page's order is the one with its price",
    );
    const toldAt = raised.received.findIndex((m) => m.type === "token");
    const acceptedAt = raised.received.findIndex((m) =>
      m.type === "responses" &&
      m.items.some((item: Received) =>
        item.message.type === "orderAccepted" &&
        item.message.orderToken === P + 4
      )
    );
    assert.ok(
      toldAt >= 0 && toldAt < acceptedAt,
      `told at ${toldAt}, accepted at ${acceptedAt}`,
    );

    // A cancel.
    await alice2.request({ type: "cancel", orderToken: P + 4 }, "ack");
    await alice1.next("orders", (m) => m.orders.length === 3);

    // The account's sequence on the page is the OUCH stream every host gives.
    const ouch = await TestClient.connect(gw2.server);
    clients.push(ouch);
    await ouch.login("alice", "pw-a", 1);
    const stream = engine.exchange.stream("alice")!;
    await ouch.messages(stream.length);
    await until(
      "alice's responses on the page",
      () => responses(alice1).length === stream.length,
    );
    assert.deepEqual(responses(alice1), [
      "1 systemEvent",
      `2 orderAccepted ${P}`,
      `3 orderExecuted ${P}`,
      `4 orderReplaced ${P + 1}`,
      `5 orderAccepted ${P + 2}`,
      `6 orderAccepted ${P + 3}`,
      `7 orderAccepted ${P + 4}`,
      `8 orderCanceled ${P + 4}`,
    ]);
    assert.deepEqual(responses(alice2).slice(-4), responses(alice1).slice(-4));

    // Operator actions go to the engine; every page sees the state.
    const halted = await alice1.request(
      { type: "operator", action: "halt", orderbookId: "1" },
      "ack",
    );
    assert.equal(halted.text, "Orderbook 1 halted");
    await bob.next("state", (m) => m.halted.includes("1"));
    assert.equal(engine.exchange.isHalted("1"), true);
    const again = await alice1.request(
      { type: "operator", action: "resume", orderbookId: "1" },
      "ack",
    );
    assert.equal(again.text, "Orderbook 1 resumed");
    await until("resumed", () => !engine.exchange.isHalted("1"));

    // Pages' ends cancel nothing; the OUCH session's end then is alice's last: canceled.
    await alice1.close();
    await alice2.close();
    await until("pages ended", () => engine.exchange.sessions === 2);
    assert.equal(engine.exchange.openOrders("alice").length, 3);
    await ouch.logout();
    await until(
      "cancel on disconnect",
      () => engine.exchange.openOrders("alice").length === 0,
    );

    // The day ends (ouch admin endday) and the next engine starts the next day: bob's page
    // gets the next day's snapshot, and stays a session there: it trades on the new day.
    const admin = new CommandPublisher(nc, { gatewayId: "admin", names });
    admin.send(encodeGatewayCommand({ type: "endDay" }));
    await admin.flushed();
    admin.close();
    await until("the day's end", () => gw2.core.day === undefined);
    await engine.stop();
    engine = await ActiveEngine.start(nc, {
      epoch: 2,
      users: USERS,
      day: { ...DAY, session: "2026112601", tradingDate: "20261126" },
      clock,
      names,
    });
    const next = await bob.next("snapshot", (m) => m.session === "2026112601");
    assert.equal(next.open, true);
    await until(
      "bob's page on the new day",
      () => engine.exchange.sessions === 1,
    );
    const day2 = await bob.request(pageEnter({ quantity: 7 }), "ack");
    assert.equal(day2.orderToken, P);
    await bob.next("orders", (m) => m.orders[0]?.openQuantity === 7);
    assert.deepEqual(
      engine.exchange.openOrders("bob").map((
        o,
      ) => [o.orderToken, o.openQuantity]),
      [[P, 7]],
    );
  } finally {
    await Promise.all(pages.map((client) => client.close()));
    await Promise.all(clients.map((client) => client.close()));
    await gw1.stop();
    await gw2.stop();
    await engine.stop();
    await nc.close();
  }
});
