import assert from "node:assert/strict";
import { ItchPublisher } from "../../lib/feeds/itch_publisher.ts";
import { ItchTcpServer } from "../../lib/feeds/itch_tcp_server.ts";
import { answerMoldUdp64Request } from "../../lib/itch/mod.ts";
import {
  enter,
  startServer,
  TestClient,
  testExchange,
} from "../server/_harness.ts";
import { SoupBinReader } from "./_itch_decoder.ts";

const hex = (m: Uint8Array) =>
  [...m].map((b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("a publisher that spills its log to a store keeps the same feed: every message, replay from 1 over SoupBinTCP, and MoldUDP64 answers for old messages", async () => {
  const exchange = testExchange();
  const inMemory = new ItchPublisher();
  const spilled = new ItchPublisher();
  const stored: Uint8Array[] = [];
  spilled.spillTo({
    write: (chunk) => stored.push(chunk.slice()) - 1,
    read: (handle, into) => into.set(stored[handle]!),
  });
  exchange.subscribe(inMemory);
  exchange.subscribe(spilled);
  const server = startServer({ exchange });
  const feed = ItchTcpServer.start({
    publisher: spilled,
    authenticate: (user, password) => exchange.authenticate(user, password),
    port: 0,
  });
  const alice = await TestClient.connect(server);
  try {
    await alice.login("alice", "pw-a", 1);
    // About 16,000 messages of ~33 bytes: several 64 KiB chunks, most of them stored.
    let token = 1;
    for (let round = 0; round < 8; round++) {
      const batch = Array.from(
        { length: 1000 },
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
      await alice.messages(1 + 2000 * (round + 1));
    }
    await exchange.drain();
    const length = inMemory.log.length;
    assert.ok(length > 16_000, String(length));
    assert.equal(spilled.log.length, length);
    assert.ok(stored.length >= 2, `${stored.length} chunks stored`);
    const all = (log: ItchPublisher["log"]) => {
      const messages: string[] = [];
      log.forEachMessage(
        1,
        log.length,
        (bytes, start, end) => messages.push(hex(bytes.subarray(start, end))),
      );
      return messages;
    };
    const expected = all(inMemory.log);
    assert.deepEqual(all(spilled.log), expected);
    assert.equal(hex(spilled.log.message(2)), expected[1]);
    // A reader replays the whole day from 1.
    const reader = await SoupBinReader.open(
      feed.address.port,
      "bob",
      "pw-b",
      1,
    );
    await reader.until(
      () => reader.read.messages.length === length,
      "the replay",
    );
    await reader.close();
    assert.deepEqual(reader.read.messages.map(hex), expected);
    // A re-request for old messages is answered from the store.
    const request = {
      type: "request" as const,
      session: spilled.session!,
      sequenceNumber: 100,
      messageCount: 30,
    };
    assert.deepEqual(
      answerMoldUdp64Request(request, spilled.log, {
        session: spilled.session!,
      }),
      answerMoldUdp64Request(request, inMemory.log, {
        session: inMemory.session!,
      }),
    );
    assert.throws(() => spilled.log.forEachMessage(0, 1, () => {}), {
      name: "RangeError",
      message: `Cannot read messages 0 to 1: the log holds 1 to ${length}`,
    });
  } finally {
    await alice.close();
    await feed.shutdown();
    await server.shutdown();
  }
});
