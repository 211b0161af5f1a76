import assert from "node:assert/strict";
import type { OuchServer } from "../../lib/server/server.ts";
import {
  listSnapshots,
  snapshotName,
  SNAPSHOTS_KEPT,
  Snapshotter,
  writeSnapshot,
} from "../../lib/server/snapshot_file.ts";
import { spawnServer } from "./_process.ts";
import { enter, TestClient, testExchange } from "./_harness.ts";

Deno.test("writeSnapshot() writes atomically, lists newest first and keeps the newest two", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-snapshot-" });
  try {
    const journal = "20261125-1795564800";
    for (const position of [5, 50, 20]) {
      await writeSnapshot(dir, journal, position, new Uint8Array([position]));
    }
    await writeSnapshot(dir, "20261125-1795564801", 7, new Uint8Array([7]));
    assert.deepEqual(await listSnapshots(dir, journal), [
      { path: `${dir}/${snapshotName(journal, 50)}`, position: 50 },
      { path: `${dir}/${snapshotName(journal, 20)}`, position: 20 },
    ]);
    assert.equal(SNAPSHOTS_KEPT, 2);
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.deepEqual(names.sort(), [
      "20261125-1795564800.000000000020.snapshot",
      "20261125-1795564800.000000000050.snapshot",
      "20261125-1795564801.000000000007.snapshot",
    ]);
    assert.deepEqual(
      await Deno.readFile(`${dir}/${snapshotName(journal, 50)}`),
      new Uint8Array([50]),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Snapshotter.tick() takes a snapshot every N records or S seconds, one at a time", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-snapshot-" });
  try {
    const exchange = testExchange({ schedule: (task) => task() });
    const events: string[] = [];
    const snapshotter = new Snapshotter({
      directory: dir,
      exchange,
      cadence: { records: 3, seconds: 60 },
      now: 0,
      report: (event) =>
        events.push("error" in event ? event.error : String(event.position)),
    });
    const start = exchange.position; // the day's start and its 3 accounts
    assert.equal(start, 4);
    assert.equal(snapshotter.tick(1_000), false, "nothing new since it began");
    exchange.submit("alice", enter(1), 1);
    exchange.submit("alice", enter(2), 2);
    assert.equal(snapshotter.tick(2_000), false, "2 records of 3");
    exchange.submit("alice", enter(3), 3);
    assert.equal(snapshotter.tick(3_000), true);
    assert.equal(snapshotter.tick(3_001), false, "one is being written");
    await snapshotter.writing;
    assert.deepEqual(events, ["7"]);
    exchange.submit("alice", enter(4), 4);
    assert.equal(snapshotter.tick(62_999), false, "1 record, 59.999 s");
    assert.equal(snapshotter.tick(63_000), true, "1 record, 60 s");
    await snapshotter.writing;
    assert.equal(snapshotter.tick(200_000), false, "nothing new");
    assert.deepEqual(events, ["7", "8"]);
    assert.deepEqual(
      (await listSnapshots(dir, "20261125-2026112501")).map((s) => s.position),
      [8, 7],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function at(port: number): OuchServer {
  return { address: { port } } as unknown as OuchServer;
}

async function login(port: number, user: string): Promise<TestClient> {
  const client = await TestClient.connect(at(port));
  await client.login(user, "demo", 1);
  return client;
}

Deno.test("ouch server killed with SIGKILL after a snapshot recovers from it and the tail, and from the journal alone when the snapshot is damaged", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-snapshot-kill-" });
  const clients: TestClient[] = [];
  const flags = [
    "--journal",
    dir,
    "--snapshot-records",
    "100",
    "--snapshot-seconds",
    "0",
  ];
  let server = await spawnServer(flags);
  try {
    const alice = await login(server.port, "demo1");
    const bob = await login(server.port, "demo2");
    clients.push(alice, bob);
    // The day's start, 16 accounts, 2 sessions, 100 orders: a snapshot past record 100.
    await alice.send(
      ...Array.from(
        { length: 100 },
        (_, i) => enter(i + 1, { price: 20000 + i * 10, quantity: 100 }),
      ),
    );
    await alice.messages(101);
    const deadline = Date.now() + 20_000;
    let snapshots: { path: string; position: number }[] = [];
    while (Date.now() < deadline) {
      snapshots = [];
      for await (const entry of Deno.readDir(dir)) {
        if (entry.name.endsWith(".snapshot")) {
          snapshots.push({ path: `${dir}/${entry.name}`, position: 0 });
        }
      }
      if (snapshots.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(snapshots.length, 1, "one snapshot was written");
    // The tail: fills and orders after the snapshot (fewer than 100 records).
    await bob.send(
      enter(1, { buySellIndicator: "S", price: 20950, quantity: 450 }),
      ...Array.from(
        { length: 30 },
        (_, i) =>
          enter(i + 2, { orderbookId: "7203", price: 1000 + i, quantity: 100 }),
      ),
    );
    await bob.messages(1 + 1 + 5 + 30);
    await alice.messages(101 + 5);
    const killed = await server.stop("SIGKILL");
    assert.equal(killed.signal, "SIGKILL");
    await Promise.all(clients.map((client) => client.closedByServer()));
    const before = [alice.received.slice(), bob.received.slice()];
    await Promise.all(clients.map((client) => client.close()));
    clients.length = 0;

    const check = async () => {
      const again = [
        await login(server.port, "demo1"),
        await login(server.port, "demo2"),
      ];
      clients.push(...again);
      for (const [i, client] of again.entries()) {
        await client.messages(before[i]!.length);
        // Every message seen before the kill comes back identical, with its number.
        assert.deepEqual(client.received, before[i]);
      }
      // Tokens carry on: alice's token 100 is used (ignored), 101 is new; Order Numbers
      // continue after every one given before the kill.
      const alice2 = again[0]!;
      const seen = alice2.received.length;
      await alice2.send(enter(100, { price: 1 }), enter(101, { price: 2 }));
      await alice2.messages(seen + 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const added = alice2.received.slice(seen).map((r) => r.message);
      assert.equal(added.length, 1);
      const accepted = added[0]!;
      assert.ok(
        accepted.type === "orderAccepted" && accepted.orderToken === 101,
      );
      const numbers = before.flat().map((r) => r.message).flatMap((m) =>
        m.type === "orderAccepted" ? [m.orderNumber] : []
      );
      assert.ok(numbers.every((n) => accepted.orderNumber > n));
      await Promise.all(clients.map((client) => client.close()));
      clients.length = 0;
    };

    server = await spawnServer(flags);
    const line = await server.waitFor(
      /recovered (\d+) records from the snapshot at record (\d+), replayed (\d+)/,
    );
    const [, total, position, replayed] = line.match(/(\d+)\D+(\d+)\D+(\d+)/)!;
    assert.ok(Number(position) >= 100, line);
    assert.ok(Number(replayed) >= 30, line);
    assert.equal(Number(total), Number(position) + Number(replayed));
    await check();
    await server.stop("SIGKILL");

    // Damage the snapshot: the restart says so and replays the whole journal.
    const [newest] = snapshots;
    const bytes = await Deno.readFile(newest!.path);
    bytes[bytes.length - 100]! ^= 0xff;
    await Deno.writeFile(newest!.path, bytes);
    // Alice's two orders of check() are in the journal now: they come back too.
    server = await spawnServer(flags);
    await server.waitFor(/snapshot: cannot use .*CRC check fails/);
    await server.waitFor(/recovered \d+ records, a full replay/);
    const alice3 = await login(server.port, "demo1");
    clients.push(alice3);
    await alice3.messages(before[0]!.length + 1);
    assert.deepEqual(
      alice3.received.slice(0, before[0]!.length),
      before[0],
    );
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
