import assert from "node:assert/strict";
import type { OuchServer } from "../../lib/server/server.ts";
import { type ServerProcess, spawnServer } from "../server/_process.ts";
import { enter, TestClient } from "../server/_harness.ts";
import {
  decode,
  type Decoded,
  SoupBinReader,
  splitSoupBinFile,
} from "./_itch_decoder.ts";

function at(port: number): OuchServer {
  return { address: { port } } as unknown as OuchServer;
}

async function ports(
  server: ServerProcess,
): Promise<{ feed: number; snapshot: number }> {
  const feed = await server.waitFor(/itch feed listening on 127\.0\.0\.1:\d+/);
  const snapshot = await server.waitFor(
    /itch snapshot listening on 127\.0\.0\.1:\d+/,
  );
  return {
    feed: Number(feed.split(":").pop()),
    snapshot: Number(snapshot.split(":").pop()),
  };
}

/** Reads the snapshot channel to its End of Session. */
async function snapshot(
  port: number,
): Promise<{ messages: Decoded[]; g: number }> {
  const reader = await SoupBinReader.open(port, "demo9", "demo", 1);
  await reader.until(
    () => reader.read.endOfSession,
    "the snapshot's End of Session",
  );
  await reader.closedByServer();
  const messages = reader.read.messages.map((m) => decode(m));
  const last = messages.at(-1)!;
  assert.equal(last.type, "G");
  return { messages, g: Number(last.sequenceNumber) };
}

/** Reads the feed from `from` until `count` messages came. */
async function feed(
  port: number,
  from: number,
  count: number,
): Promise<Uint8Array[]> {
  const reader = await SoupBinReader.open(port, "demo8", "demo", from);
  await reader.until(
    () => reader.read.messages.length >= count,
    `${count} feed messages`,
  );
  assert.equal(reader.read.first, from);
  await reader.close();
  return reader.read.messages.slice(0, count);
}

const hex = (m: Uint8Array) =>
  [...m].map((b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("ITCH over SoupBinTCP from a real server: the day decodes with an independent decoder, replays from the middle, the snapshot joins live with no gap, the log file holds the same messages, and after kill -9 the feed resumes byte-identical", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-itch-" });
  const log = `${dir}/itch.bin`;
  let server = await spawnServer([
    "--journal",
    `${dir}/journal`,
    "--itch-log",
    log,
  ]);
  const clients: TestClient[] = [];
  try {
    let { feed: feedPort, snapshot: snapshotPort } = await ports(server);
    const alice = await TestClient.connect(at(server.port));
    await alice.login("demo1", "demo", 1);
    const bob = await TestClient.connect(at(server.port));
    await bob.login("demo2", "demo", 1);
    clients.push(alice, bob);
    await alice.send(
      enter(1, { orderbookId: "1", price: 20000, quantity: 300 }),
      enter(2, { orderbookId: "1", price: 20010, quantity: 100 }),
    );
    await alice.messages(3);
    await bob.send(
      enter(1, {
        orderbookId: "1",
        buySellIndicator: "S",
        price: 20000,
        quantity: 200,
      }),
    );
    await bob.until(
      () =>
        bob.received.filter((r) => r.message.type === "orderExecuted")
          .length === 2,
      "two fills",
    );
    await alice.send({ type: "cancelOrder", orderToken: 1, quantity: 0 });
    await alice.until(
      () => alice.received.some((r) => r.message.type === "orderCanceled"),
      "cancel",
    );

    // The snapshot: the state so far, then G with the feed sequence it equals.
    const first = await snapshot(snapshotPort);
    const n = first.g;
    const types = first.messages.map((m) => m.type).join("");
    assert.match(
      types,
      /^TL+R+A+H+Y+S+G$/,
      "no resting order: alice's were filled or canceled",
    );

    // The whole day so far, read by the independent decoder.
    const day = await feed(feedPort, 1, n);
    const decoded = day.map((m) => decode(m));
    const accepted = alice.received.filter((r) =>
      r.message.type === "orderAccepted"
    )
      .map((r) => (r.message as { orderNumber: bigint }).orderNumber);
    const fills = alice.received.filter((r) =>
      r.message.type === "orderExecuted"
    )
      .map((r) =>
        r.message as { matchNumber: bigint; executedQuantity: number }
      );
    const events = decoded.filter((m) =>
      "ADEU".includes(m.type) && m.orderNumber !== 0n
    );
    assert.deepEqual(
      events.map((
        m,
      ) => [
        m.type,
        m.orderNumber ?? null,
        m.quantity ?? null,
        m.price ?? null,
        m.matchNumber ?? null,
      ]),
      [
        ["A", accepted[0], 300, 20000, null],
        ["A", accepted[1], 100, 20010, null],
        // Bob's sell takes the best bid (20010) first, then 100 of the 20000.
        ["E", accepted[1], 100, null, fills[0]!.matchNumber],
        ["E", accepted[0], 100, null, fills[1]!.matchNumber],
        ["D", accepted[0], null, null, null],
      ],
    );
    assert.equal(decoded[0]!.type, "T");
    assert.deepEqual([decoded[1]!.type, decoded[1]!.event], ["S", "O"]);

    // Replay from the middle: the same bytes at the same numbers.
    const middle = Math.floor(n / 2);
    const tail = await feed(feedPort, middle, n - middle + 1);
    assert.deepEqual(tail.map(hex), day.slice(middle - 1).map(hex));

    // Snapshot then live: the next message is G + 1, nothing missing, nothing twice.
    const live = await SoupBinReader.open(feedPort, "demo8", "demo", n + 1);
    await live.until(() => live.read.first === n + 1, "login");
    await alice.send(
      enter(3, { orderbookId: "2", price: 30000, quantity: 100 }),
    );
    await live.until(
      () => live.read.messages.some((m) => m[0] === 0x41),
      "the new order on the live feed",
    );
    await live.close();
    const liveDecoded = live.read.messages.map((m) => decode(m));
    assert.deepEqual(liveDecoded.map((m) => m.type).filter((t) => t !== "T"), [
      "A",
    ]);
    const total = n + live.read.messages.length;

    // The log file: the same messages at the same sequence numbers.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const file = splitSoupBinFile(await Deno.readFile(log));
    assert.equal(file.length, total);
    assert.deepEqual(file.slice(0, n).map(hex), day.map(hex));
    assert.deepEqual(file.slice(n).map(hex), live.read.messages.map(hex));

    // kill -9, restart on the journal: the first messages are byte-identical.
    // Killed before the clients close: their disconnects would cancel (and feed) more.
    assert.equal((await server.stop("SIGKILL")).signal, "SIGKILL");
    await Promise.all(clients.map((c) => c.close()));
    clients.length = 0;
    server = await spawnServer([
      "--journal",
      `${dir}/journal`,
      "--itch-log",
      log,
    ]);
    await server.waitFor(/recovered \d+ records/);
    ({ feed: feedPort, snapshot: snapshotPort } = await ports(server));
    const again = await feed(feedPort, 1, total);
    assert.deepEqual(again.map(hex), [...day, ...live.read.messages].map(hex));
    const fileAgain = splitSoupBinFile(await Deno.readFile(log));
    assert.deepEqual(fileAgain.map(hex), file.map(hex));
    // And a client resumes where it was: from total + 1, live.
    const resumed = await SoupBinReader.open(
      feedPort,
      "demo8",
      "demo",
      total + 1,
    );
    const carol = await TestClient.connect(at(server.port));
    clients.push(carol);
    await carol.login("demo3", "demo", 1);
    await carol.send(
      enter(1, {
        orderbookId: "3",
        buySellIndicator: "S",
        price: 50000,
        quantity: 100,
      }),
    );
    await resumed.until(
      () => resumed.read.messages.some((m) => m[0] === 0x41),
      "carol's order",
    );
    assert.equal(resumed.read.first, total + 1);
    await resumed.close();
    const resumedDecoded = resumed.read.messages.map((m) => decode(m));
    const order = resumedDecoded.find((m) => m.type === "A")!;
    assert.deepEqual(
      [order.orderbook, order.side, order.price, order.quantity],
      ["3", "S", 50000, 100],
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with --protocol 1.11 the feed and the snapshot are ITCH 1.6: Orderbook IDs as uint32", async () => {
  const server = await spawnServer(["--no-journal", "--protocol", "1.11"]);
  const clients: TestClient[] = [];
  try {
    const { feed: feedPort, snapshot: snapshotPort } = await ports(server);
    const alice = await TestClient.connect(at(server.port));
    clients.push(alice);
    await alice.login("demo1", "demo", 1);
    await alice.send(
      enter(1, { orderbookId: "1", price: 10000, quantity: 100 }),
    );
    await alice.messages(2);
    const reader = await SoupBinReader.open(snapshotPort, "demo9", "demo", 1);
    await reader.until(() => reader.read.endOfSession, "the snapshot");
    await reader.closedByServer();
    const snap = reader.read.messages.map((m) => decode(m, "1.6"));
    assert.deepEqual(
      snap.filter((m) => m.type === "H").map((m) => [m.orderbook, m.state]),
      ["0", "1", "2", "3", "7203", "6758", "9984", "8306"].map((
        id,
      ) => [id, "T"]),
    );
    const g = Number(snap.at(-1)!.sequenceNumber);
    const day = await feed(feedPort, 1, g);
    const directory = day.map((m) => decode(m, "1.6")).filter((m) =>
      m.type === "R"
    );
    assert.deepEqual(directory.map((m) => m.orderbook), [
      "0",
      "1",
      "2",
      "3",
      "7203",
      "6758",
      "9984",
      "8306",
    ]);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
});
