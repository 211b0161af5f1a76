import assert from "node:assert/strict";
import { ItchPublisher } from "../../lib/feeds/itch_publisher.ts";
import { ItchTcpServer } from "../../lib/feeds/itch_tcp_server.ts";
import { BookBuilder } from "../../lib/itch/mod.ts";
import {
  enter,
  startServer,
  TestClient,
  testExchange,
} from "../server/_harness.ts";
import { decode, SoupBinReader } from "./_itch_decoder.ts";

Deno.test("ItchPublisher builds the snapshot's books only when asked, in slices with booksCurrent()", async () => {
  const exchange = testExchange();
  const publisher = new ItchPublisher();
  exchange.subscribe(publisher);
  const server = startServer({ exchange });
  const alice = await TestClient.connect(server);
  try {
    await alice.login("alice", "pw-a", 1);
    await alice.send(
      ...Array.from(
        { length: 100 },
        (_, i) => enter(i + 1, { price: 10000 + i }),
      ),
    );
    await alice.messages(101);
    await exchange.drain();
    const length = publisher.log.length;
    // Nothing applied yet: the books wait for a reader.
    assert.equal(publisher.booksBehind, length);
    let turns = 0;
    const counting = setInterval(() => turns++, 0);
    const current = publisher.booksCurrent(10);
    assert.equal(publisher.booksBehind, length - 10); // one slice now, the rest later
    await current;
    clearInterval(counting);
    assert.ok(publisher.booksBehind <= 10);
    assert.ok(turns >= 3, `caught up in ${turns} turns`);
    // books finishes synchronously, and equals a builder fed the whole log.
    const reference = new BookBuilder();
    for (let n = 1; n <= length; n++) {
      reference.applyMessage(publisher.log.message(n));
    }
    assert.deepEqual(
      publisher.books.orders("1", "B"),
      reference.orders("1", "B"),
    );
    assert.equal(publisher.booksBehind, 0);
    assert.equal(publisher.books.orders("1", "B").length, 100);
  } finally {
    await alice.close();
    await server.shutdown();
  }
});

Deno.test("a snapshot login behind a long backlog waits for the books to catch up in slices while order entry goes on, then gets the state at its G", async () => {
  const exchange = testExchange();
  const publisher = new ItchPublisher();
  exchange.subscribe(publisher);
  const server = startServer({ exchange });
  const snapshots = ItchTcpServer.start({
    publisher,
    authenticate: (user, password) => exchange.authenticate(user, password),
    port: 0,
    mode: "snapshot",
    catchUpSlice: 5,
  });
  const alice = await TestClient.connect(server);
  try {
    await alice.login("alice", "pw-a", 1);
    await alice.send(
      ...Array.from(
        { length: 300 },
        (_, i) => enter(i + 1, { price: 10000 + i }),
      ),
    );
    await alice.messages(301);
    await exchange.drain();
    assert.ok(publisher.booksBehind > 300);
    const reading = SoupBinReader.open(
      snapshots.address.port,
      "carol",
      "pw-c",
      1,
    );
    // Orders go on while the snapshot waits: each is answered.
    for (let i = 301; i <= 320; i++) {
      await alice.send(enter(i, { price: 9000 + i }));
      await alice.messages(i + 1);
    }
    const reader = await reading;
    await reader.until(() => reader.read.endOfSession, "the snapshot");
    await reader.close();
    const messages = reader.read.messages;
    const g = decode(messages.at(-1)!);
    assert.equal(g.type, "G");
    const sequence = Number(g.sequenceNumber);
    // The snapshot's orders are the feed's up to G, in the books' order.
    const reference = new BookBuilder();
    for (let n = 1; n <= sequence; n++) {
      reference.applyMessage(publisher.log.message(n));
    }
    const rebuilt = new BookBuilder();
    for (const message of messages) rebuilt.applyMessage(message);
    assert.deepEqual(rebuilt.orders("1", "B"), reference.orders("1", "B"));
    assert.ok(rebuilt.orders("1", "B").length >= 300);
  } finally {
    await alice.close();
    await snapshots.shutdown();
    await server.shutdown();
  }
});

Deno.test("a snapshot reader whose bytes waited for the catch-up and turn out malformed is closed alone", async () => {
  const exchange = testExchange();
  const publisher = new ItchPublisher();
  exchange.subscribe(publisher);
  const server = startServer({ exchange });
  const closed: string[] = [];
  const snapshots = ItchTcpServer.start({
    publisher,
    authenticate: (user, password) => exchange.authenticate(user, password),
    port: 0,
    mode: "snapshot",
    catchUpSlice: 5,
    observer: { disconnected: (_id, _user, reason) => closed.push(reason) },
  });
  const alice = await TestClient.connect(server);
  try {
    await alice.login("alice", "pw-a", 1);
    await alice.send(
      ...Array.from(
        { length: 50 },
        (_, i) => enter(i + 1, { price: 10000 + i }),
      ),
    );
    await alice.messages(51);
    await exchange.drain();
    assert.ok(publisher.booksBehind > 5);
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: snapshots.address.port,
    });
    // A packet of unknown type "Z" where a Login Request must come.
    await conn.write(new Uint8Array([0, 1, 0x5a]));
    const buffer = new Uint8Array(1024);
    while ((await conn.read(buffer)) !== null) {
      // until the server closes it
    }
    conn.close();
    assert.equal(closed.length, 1);
    assert.match(closed[0]!, /Z|unknown|packet/i);
    // The server carries on: a good reader gets its snapshot.
    const reader = await SoupBinReader.open(
      snapshots.address.port,
      "carol",
      "pw-c",
      1,
    );
    await reader.until(() => reader.read.endOfSession, "the snapshot");
    await reader.close();
    assert.equal(decode(reader.read.messages.at(-1)!).type, "G");
  } finally {
    await alice.close();
    await snapshots.shutdown();
    await server.shutdown();
  }
});
