import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import {
  type CommandBatch,
  CommandPublisher,
  CommandReader,
  ensureVenue,
  venueNames,
} from "../../lib/nats/mod.ts";
import { connectTest, startNats } from "./_nats_harness.ts";
import { utf8 } from "./_log_check.ts";

const names = venueNames("c");
const text = (b: CommandBatch) =>
  b.commands.map((c) => new TextDecoder().decode(c));

async function readCommands(
  reader: CommandReader,
  count: number,
): Promise<CommandBatch[]> {
  const out: CommandBatch[] = [];
  for await (const batch of reader) {
    out.push(batch);
    if (out.length === count) break;
  }
  await reader.close();
  return out;
}

Deno.test("CommandPublisher.send() sends one message per turn of the event loop, in order across gateways", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const g1 = new CommandPublisher(nc, { names, gatewayId: "g1" });
    const g2 = new CommandPublisher(nc, { names, gatewayId: "g2" });
    g1.send(utf8("a1"));
    g1.send(utf8("a2"));
    g1.send(utf8("a3"));
    assert.equal(g1.pending, 3);
    assert.equal(g1.queuedBytes, 3 * 6);
    await g1.flushed();
    assert.equal(g1.lastSeq, 1);
    g2.send(utf8("b1"));
    await g2.flushed();
    g1.send(utf8("a4"));
    await g1.flushed();
    assert.equal(g1.pending, 0);
    g1.close();
    g2.close();
    assert.throws(() => g1.send(utf8("late")), {
      name: "JetStreamUnavailableError",
      message: /publisher is closed/,
    });

    const batches = await readCommands(
      await CommandReader.open(nc, { names }),
      3,
    );
    assert.deepEqual(
      batches.map((b) => ({ ...b, commands: text(b) })),
      [
        {
          seq: 1,
          subject: "c.cmd.g1",
          first: 0,
          count: 3,
          commands: ["a1", "a2", "a3"],
        },
        { seq: 2, subject: "c.cmd.g2", first: 0, count: 1, commands: ["b1"] },
        { seq: 3, subject: "c.cmd.g1", first: 0, count: 1, commands: ["a4"] },
      ],
    );
  } finally {
    await nc.close();
  }
});

Deno.test("CommandPublisher gathers what arrives while a message is in flight into the next one, bounded by bytes", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const g = new CommandPublisher(nc, {
      names,
      gatewayId: "g",
      maxMessageBytes: 30,
    });
    g.send(utf8("first")); // goes alone at the end of this turn
    await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (let i = 0; i < 7; i++) g.send(utf8(`n${i}`)); // 6 bytes each: 5 fit in 30
    await g.flushed();
    g.close();
    assert.throws(
      () => new CommandPublisher(nc, { names, gatewayId: "bad.id" }),
      { name: "RangeError", message: /current id is "bad.id"/ },
    );
    const big = new CommandPublisher(nc, {
      names,
      gatewayId: "g",
      maxMessageBytes: 8,
    });
    assert.throws(() => big.send(new Uint8Array(5)), {
      name: "RangeError",
      message: /must fit in 8 bytes: it needs 9/,
    });
    big.close();

    const batches = await readCommands(
      await CommandReader.open(nc, { names }),
      3,
    );
    assert.deepEqual(batches.map(text), [
      ["first"],
      ["n0", "n1", "n2", "n3", "n4"],
      ["n5", "n6"],
    ]);
  } finally {
    await nc.close();
  }
});

Deno.test("CommandPublisher.sendEncoded() writes commands in place; with send() they keep their order and bytes while the queue grows past its first buffer", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const g = new CommandPublisher(nc, {
      names,
      gatewayId: "g",
      maxMessageBytes: 25_000,
    });
    g.send(utf8("first")); // goes alone at the end of this turn
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Then 3,000 commands of 20 bytes (24 with the prefix), 72 KB.
    const expected = ["first"];
    for (let i = 0; i < 3_000; i++) {
      const command = `c${String(i).padStart(19, "0")}`;
      expected.push(command);
      if (i % 2 === 0) g.send(utf8(command));
      else {
        g.sendEncoded(20, (bytes, at) => bytes.set(utf8(command), at));
      }
    }
    // "first" may be acknowledged already (it went at the end of the first turn).
    assert.ok(g.pending === 3_000 || g.pending === 3_001, `${g.pending}`);
    assert.equal(g.queuedBytes, (g.pending - 3_000) * 9 + 3_000 * 24);
    assert.throws(() => g.sendEncoded(30_000, () => {}), {
      name: "RangeError",
      message: /must fit in 25000 bytes: it needs 30004/,
    });
    await g.flushed();
    assert.equal(g.pending, 0);
    assert.equal(g.queuedBytes, 0);
    g.close();
    // 1 + 1,041 + 1,041 + 918: 1,041 × 24 = 24,984 bytes fit in 25,000.
    const batches = await readCommands(
      await CommandReader.open(nc, { names }),
      4,
    );
    assert.deepEqual(batches.map((b) => b.commands.length), [
      1,
      1_041,
      1_041,
      918,
    ]);
    assert.deepEqual(batches.flatMap(text), expected);
  } finally {
    await nc.close();
  }
});

Deno.test("CommandReader.open() resumes from a cursor without repeating or skipping a command", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const g = new CommandPublisher(nc, { names, gatewayId: "g" });
    for (const group of [["a", "b", "c"], ["d", "e"], ["f"]]) {
      for (const c of group) g.send(utf8(c));
      await g.flushed();
    }
    g.close();
    const cases: [{ seq: number; done: number }, string[][], number][] = [
      [{ seq: 0, done: 0 }, [["a", "b", "c"], ["d", "e"], ["f"]], 0],
      [{ seq: 1, done: 2 }, [["c"], ["d", "e"], ["f"]], 2],
      [{ seq: 1, done: 3 }, [["d", "e"], ["f"]], 0],
      [{ seq: 2, done: 1 }, [["e"], ["f"]], 1],
      [{ seq: 3, done: 1 }, [], 0],
    ];
    const jsm = await jetstreamManager(nc);
    assert.equal(
      (await jsm.streams.info(names.commandStream)).state.messages,
      3,
    );
    for (const [from, expected, first] of cases) {
      const reader = await CommandReader.open(nc, { names, from });
      const got = expected.length === 0
        ? []
        : await readCommands(reader, expected.length);
      if (expected.length === 0) await reader.close();
      assert.deepEqual(got.map(text), expected, JSON.stringify(from));
      assert.equal(got[0]?.first ?? 0, first);
    }
  } finally {
    await nc.close();
  }
});

Deno.test("CommandPublisher gathers the commands of several callbacks of one turn (input from several sessions) into one message", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const g1 = new CommandPublisher(nc, { names, gatewayId: "g1" });
    // Two timers due at once run in one turn, each as its own task (microtasks between).
    await new Promise<void>((done) => {
      setTimeout(() => g1.send(utf8("s1")), 0);
      setTimeout(() => {
        g1.send(utf8("s2"));
        done();
      }, 0);
    });
    await g1.flushed();
    assert.equal(g1.lastSeq, 1);
    g1.close();
    const [batch] = await readCommands(
      await CommandReader.open(nc, { names }),
      1,
    );
    assert.deepEqual(text(batch!), ["s1", "s2"]);
  } finally {
    await nc.close();
  }
});
