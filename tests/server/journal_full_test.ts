import assert from "node:assert/strict";
import { openJournal } from "../../lib/server/journal_file.ts";
import { enter, startServer, TestClient, testExchange } from "./_harness.ts";

Deno.test("ouch server on a full disk: acknowledges nothing unjournaled, stops reading, then resumes by itself with every order", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-journal-full-" });
  let full = false;
  const opened = await openJournal(dir, "20261125", {
    now: 1795564800,
    fresh: false,
    fsync: "batch",
    segmentSize: 64 * 1024,
    fault: (operation) => {
      if (full && operation === "create") {
        throw new Error("No space left on device (os error 28)");
      }
    },
  });
  const journal = opened.journal;
  const server = startServer({
    exchange: testExchange({ log: journal }),
  });
  journal.onProblem = () => server.pauseReading(journal.blocked);
  const client = await TestClient.connect(server);
  try {
    await client.login("alice", "pw-a");
    await client.messages(1);
    // Let segment 2 be prepared, then fill the disk: segment 3 cannot be created.
    await new Promise((resolve) => setTimeout(resolve, 200));
    full = true;
    let token = 1;
    // Orders of about 100 journal bytes each until the journal is stuck.
    while (!journal.blocked && token < 5000) {
      await client.send(
        enter(token++, { quantity: 100, orderbookId: "1", price: 23000 }),
      );
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    assert.ok(journal.blocked, "the journal never filled segment 2");
    assert.match(journal.problem!, /cannot create segment .*\.0003\.journal/);
    const sent = token - 1;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const acknowledged = client.received.length - 1;
    assert.ok(acknowledged < sent, `${acknowledged} of ${sent}`);
    // Sent while stuck: not read, not acknowledged.
    await client.send(
      enter(token++, { quantity: 100, orderbookId: "1", price: 23000 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(client.received.length - 1, acknowledged);
    full = false;
    const messages = await client.messages(token, 20_000);
    assert.equal(messages.length, token);
    assert.equal(
      messages.slice(1).every((message) => message.type === "orderAccepted"),
      true,
    );
    assert.equal(journal.blocked, false);
  } finally {
    await client.close();
    await server.shutdown();
    await journal.close();
  }
  const names = (await Array.fromAsync(Deno.readDir(dir)))
    .map((entry) => entry.name).filter((name) => name.endsWith(".journal"))
    .sort();
  assert.deepEqual(
    names.map((name) => name.slice(-12)),
    ["0001.journal", "0002.journal", "0003.journal"],
  );
  const reopened = await openJournal(dir, "20261125", {
    now: 1795564800,
    fresh: false,
    fsync: "none",
    segmentSize: 64 * 1024,
  });
  await reopened.journal.close();
  await Deno.remove(dir, { recursive: true });
});
