import assert from "node:assert/strict";
import { ItchPublisher } from "../../lib/feeds/itch_publisher.ts";
import { ItchTcpServer } from "../../lib/feeds/itch_tcp_server.ts";
import {
  enter,
  startServer,
  TestClient,
  testExchange,
} from "../server/_harness.ts";
import { SoupBinReader } from "./_itch_decoder.ts";

Deno.test("a stalled ITCH feed reader is dropped alone: order entry and a reading subscriber carry on", async () => {
  const exchange = testExchange();
  const publisher = new ItchPublisher();
  exchange.subscribe(publisher);
  const server = startServer({ exchange });
  const dropped: string[] = [];
  const feed = ItchTcpServer.start({
    publisher,
    authenticate: (user, password) => exchange.authenticate(user, password),
    port: 0,
    writeTimeoutMs: 300,
    highWaterBytes: 16 * 1024,
    tickMs: 20,
    observer: {
      disconnected: (_id, user, reason) => dropped.push(`${user}: ${reason}`),
    },
  });
  // The stalled reader logs in and never reads.
  const stalled = await Deno.connect({
    hostname: "127.0.0.1",
    port: feed.address.port,
  });
  const login = "L" + "bob".padEnd(6) + "pw-b".padEnd(10) + "".padEnd(10) +
    "1".padStart(20);
  await stalled.write(
    new Uint8Array([0, login.length, ...new TextEncoder().encode(login)]),
  );
  const healthy = await SoupBinReader.open(
    feed.address.port,
    "carol",
    "pw-c",
    1,
  );
  const alice = await TestClient.connect(server);
  try {
    await alice.login("alice", "pw-a", 1);
    let token = 1;
    let sent = 0;
    // Enter and cancel orders until the stalled reader is dropped: every Enter is answered.
    while (!dropped.some((line) => line.startsWith("bob:"))) {
      const batch = Array.from(
        { length: 500 },
        () => enter(token++, { price: 10000 + (token % 100) }),
      );
      await alice.send(
        ...batch,
        ...batch.map((order) => ({
          type: "cancelOrder" as const,
          orderToken: order.orderToken,
          quantity: 0,
        })),
      );
      sent += 1000;
      await alice.messages(1 + sent);
      assert.ok(sent < 2_000_000, "the stalled reader was never dropped");
    }
    assert.match(
      dropped.find((line) => line.startsWith("bob:"))!,
      /slow reader: the socket accepted nothing for 300 ms/,
    );
    // The healthy reader has every message of the feed so far.
    await exchange.drain();
    await healthy.until(
      () => healthy.read.messages.length === publisher.log.length,
      "the healthy reader",
    );
    assert.equal(healthy.closed, false);
    assert.equal(feed.connectionCount, 1);
  } finally {
    stalled.close();
    await alice.close();
    await healthy.close();
    await feed.shutdown();
    await server.shutdown();
  }
});
