import assert from "node:assert/strict";
import type { OuchServer } from "../../lib/server/server.ts";
import { readJournal } from "../../lib/exchange/journal_reader.ts";
import { decodeRecords } from "../../lib/exchange/record.ts";
import { spawnServer } from "./_process.ts";
import { enter, TestClient, types } from "./_harness.ts";

/** A TestClient needs only the server's port. */
function at(port: number): OuchServer {
  return { address: { port } } as unknown as OuchServer;
}

async function login(
  port: number,
  user: string,
  sequence = 1,
): Promise<TestClient> {
  const client = await TestClient.connect(at(port));
  await client.login(user, "demo", sequence);
  return client;
}

Deno.test("ouch server killed with SIGKILL mid-run restarts on its journal with every acknowledged order and sequence intact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-recovery-" });
  const clients: TestClient[] = [];
  let server = await spawnServer(["--journal", dir]);
  let session = "";
  try {
    const alice = await login(server.port, "demo1");
    const bob = await login(server.port, "demo2");
    const carol = await login(server.port, "demo3");
    clients.push(alice, bob, carol);
    session = (alice.loginResult as { session: string }).session;
    // Alice rests 40 buys at distinct prices; Bob sells into the top 5.
    await alice.send(
      ...Array.from(
        { length: 40 },
        (_, i) => enter(i + 1, { price: 20000 + i * 10, quantity: 100 }),
      ),
    );
    await alice.messages(41); // System Event S (K24) and 40 Accepted
    await bob.send(
      enter(1, { buySellIndicator: "S", price: 20350, quantity: 450 }),
    );
    await bob.until(
      () =>
        bob.received.filter((r) => r.message.type === "orderExecuted")
          .length === 5,
      "five fills",
    );
    // Carol streams orders on another book while the server is killed.
    let token = 1;
    const streaming = (async () => {
      while (!carol.closed && token < 100_000) {
        const batch = Array.from(
          { length: 50 },
          () =>
            enter(token++, { orderbookId: "7203", price: 1000 + (token % 50) }),
        );
        try {
          await carol.send(...batch);
        } catch {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    await carol.until(() => carol.received.length >= 500, "carol's stream");
    const killed = await server.stop("SIGKILL");
    assert.equal(killed.signal, "SIGKILL");
    await streaming;
    await Promise.all(clients.map((client) => client.closedByServer()));
    const before = new Map(
      [["demo1", alice], ["demo2", bob], ["demo3", carol]].map((
        [name, client],
      ) => [
        name as string,
        (client as TestClient).received.slice(),
      ]),
    );
    await Promise.all(clients.map((client) => client.close()));
    clients.length = 0;

    server = await spawnServer(["--journal", dir]);
    await server.waitFor(/recovered \d+ records/);
    for (const [name, acknowledged] of before) {
      const again = await login(server.port, name);
      clients.push(again);
      assert.deepEqual(
        again.loginResult,
        { session, sequenceNumber: 1 },
        "the same session",
      );
      await again.messages(acknowledged.length);
      // Every message the client saw before the kill comes back identical, with its number.
      assert.deepEqual(
        again.received.slice(0, acknowledged.length),
        acknowledged,
        name,
      );
    }
    // Alice's 35 untouched orders still rest, and her tokens continue.
    const alice2 = clients[0]!;
    const seen = alice2.received.length;
    await alice2.send(enter(1, { price: 1 }), enter(41, { price: 19990 }));
    await alice2.messages(seen + 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(
      alice2.received.length,
      seen + 1,
      "token 1 is still used: ignored",
    );
    const accepted = alice2.received[seen]!.message;
    assert.equal(accepted.type, "orderAccepted");
    // Order numbers continue after every order acknowledged before the kill.
    const numbers = [...before.values()].flat().map((r) => r.message)
      .filter((m) => m.type === "orderAccepted").map((m) => m.orderNumber);
    assert.ok(
      accepted.type === "orderAccepted" &&
        numbers.every((number) => accepted.orderNumber > number),
      "order numbers continue",
    );
    // Dave sweeps Alice's orders: 35 untouched, the one Bob filled in part (50 left) and the
    // new one: they were all still on the book.
    const dave = await login(server.port, "demo4");
    clients.push(dave);
    await dave.send(
      enter(1, {
        buySellIndicator: "S",
        price: 1,
        quantity: 100_000,
        timeInForce: 0,
      }),
    );
    await dave.until(
      () => dave.received.some((r) => r.message.type === "orderCanceled"),
      "the rest of the IOC canceled",
    );
    const fills = dave.received.filter((r) =>
      r.message.type === "orderExecuted"
    );
    assert.equal(fills.length, 37);
    assert.equal(
      fills.reduce(
        (n, r) =>
          n +
          (r.message.type === "orderExecuted" ? r.message.executedQuantity : 0),
        0,
      ),
      35 * 100 + 50 + 100,
    );
    assert.deepEqual(types(dave.received.map((r) => r.message)).slice(-1), [
      "canceled:I",
    ]);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await server.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ouch server cuts a torn last journal record off and reports it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-torn-" });
  let server = await spawnServer(["--journal", dir, "--fsync", "none"]);
  try {
    const alice = await login(server.port, "demo1");
    await alice.send(enter(1), enter(2));
    await alice.messages(2);
    await server.stop("SIGKILL");
    await alice.close();
    const file = `${dir}/${
      (await Array.fromAsync(Deno.readDir(dir)))
        .map((entry) => entry.name).find((name) =>
          name.endsWith(".0001.journal")
        )
    }`;
    // Half a record where the data ends: a length that promises more than was written.
    const end = readJournal(await Deno.readFile(file)).validLength;
    const handle = await Deno.open(file, { write: true });
    await handle.seek(end, Deno.SeekMode.Start);
    await handle.write(new Uint8Array([0, 0, 0, 40, 0x4d, 1, 2]));
    handle.close();
    server = await spawnServer(["--journal", dir]);
    await server.waitFor(
      /cut off a torn last record: the last record at byte \d+ fails its CRC/,
    );
    // The torn bytes were zeroed; the restart wrote its record where they were.
    const after = readJournal(await Deno.readFile(file));
    assert.equal(after.tornTail, undefined);
    const restart = after.records.find((_, i) =>
      after.records.slice(0, i).reduce((n, r) => n + r.length, 0) === end
    )!;
    assert.deepEqual(decodeRecords(restart)[0]!.command, { type: "restart" });
    const again = await login(server.port, "demo1");
    // Both accepted orders survived; a crash ends no session, so nothing was canceled.
    assert.deepEqual(types(await again.messages(3)), [
      "system:S",
      "orderAccepted",
      "orderAccepted",
    ]);
    await again.close();
  } finally {
    await server.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ouch server --fresh starts a new session with a later session id (K16); the old one is refused with S", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-fresh-" });
  let server = await spawnServer(["--journal", dir]);
  try {
    const before = Math.floor(Date.now() / 1000);
    const first = await login(server.port, "demo1");
    const session = (first.loginResult as { session: string }).session;
    // K16: the Unix time in seconds at which the day's session was created.
    assert.match(session, /^\d{10}$/);
    assert.ok(Math.abs(Number(session) - before) <= 60, session);
    await first.close();
    await server.stop();
    server = await spawnServer(["--journal", dir, "--fresh"]);
    const fresh = await login(server.port, "demo1");
    const next = (fresh.loginResult as { session: string }).session;
    assert.match(next, /^\d{10}$/);
    assert.ok(Number(next) > Number(session), `${next} after ${session}`);
    await fresh.close();
    const old = await TestClient.connect(at(server.port));
    await old.login("demo1", "demo", 1, session);
    assert.equal(old.loginResult, "S");
    await old.close();
    assert.equal(
      (await Deno.readDir(dir)[Symbol.asyncIterator]().next()).done,
      false,
    );
  } finally {
    await server.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
