import assert from "node:assert/strict";
import { headers } from "@nats-io/transport-node";
import {
  ensureVenue,
  FencedError,
  HEADER_COMMAND,
  HEADER_EPOCH,
  HEADER_MSG_ID,
  type LogAck,
  LogReader,
  logTail,
  LogWriter,
  venueNames,
} from "../../lib/nats/mod.ts";
import { connectTest, startNats } from "./_nats_harness.ts";
import { startProxy } from "./_proxy.ts";
import { batchTexts, readLog, readRawLog, utf8 } from "./_log_check.ts";
import { jetstream } from "@nats-io/jetstream";

const names = venueNames("t");

Deno.test("LogWriter.append() lands batches in order after the fence; LogReader yields them with their sequences", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    assert.deepEqual(await logTail(nc, names), { seq: 1, msgId: "fence.0" });
    const writer = await LogWriter.open(nc, { names, epoch: 1, after: 1 });
    assert.equal(writer.fenceSeq, 2);
    const acks: Promise<LogAck>[] = [];
    for (let i = 0; i < 300; i++) {
      acks.push(
        writer.append([utf8(`r${i}a`), utf8(`r${i}b`)], {
          seq: i + 1,
          done: 2,
        }),
      );
    }
    const landed = await Promise.all(acks);
    assert.deepEqual(
      landed.map((a) => a.seq),
      Array.from({ length: 300 }, (_, i) => 3 + i),
    );
    assert.equal(writer.pending, 0);
    assert.equal(writer.bytesInFlight, 0);
    writer.close();

    const { entries, dropped } = await readLog(nc, names, 302);
    assert.equal(dropped, 0);
    assert.deepEqual(entries.slice(0, 3), [
      { type: "fence", seq: 1, epoch: 0 },
      { type: "fence", seq: 2, epoch: 1 },
      {
        type: "batch",
        seq: 3,
        firstSeq: 3,
        epoch: 1,
        cursor: { seq: 1, done: 2 },
        records: [utf8("r0a"), utf8("r0b")],
      },
    ]);
    assert.deepEqual(
      batchTexts(entries),
      Array.from({ length: 300 }, (_, i) => [`r${i}a`, `r${i}b`]).flat(),
    );

    // Following from the middle yields only what comes after.
    const reader = await LogReader.open(nc, { names, after: 301, epoch: 1 });
    for await (const entry of reader) {
      assert.equal(entry.type, "batch");
      assert.equal(entry.seq, 302);
      break;
    }
    assert.deepEqual(reader.cursor, { seq: 300, done: 2 });
    await reader.close();
  } finally {
    await nc.close();
  }
});

Deno.test("LogWriter.append() splits a large batch; the reader delivers it whole, or not at all after a fence", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const writer = await LogWriter.open(nc, {
      names,
      epoch: 1,
      after: 1,
      maxMessageBytes: 1_000,
    });
    const big = Array.from({ length: 10 }, (_, i) => utf8(`${i}`.repeat(300)));
    const ack = await writer.append(big, { seq: 7, done: 1 });
    assert.deepEqual(ack, { seq: 6, firstSeq: 3 }); // 3 records of 304 bytes fit in 1,000
    assert.equal(writer.failure, undefined);
    await assert.rejects(
      writer.append([new Uint8Array(997)], { seq: 8, done: 1 }),
      { name: "RangeError", message: /must fit in 1000 bytes: it needs 1001/ },
    );
    await assert.rejects(writer.append([], { seq: 8, done: 1 }), {
      name: "RangeError",
      message: /no record/,
    });
    writer.close();

    // An abandoned first part (a writer that died mid-batch), then a newer fence.
    const js = jetstream(nc);
    const h = headers();
    h.set(HEADER_MSG_ID, "x.1");
    h.set(HEADER_EPOCH, "1");
    h.set(HEADER_COMMAND, "9.1");
    h.set("Ouch-Part", "0/2");
    await js.publish(names.logSubject, utf8("\u0000\u0000\u0000\u0001z"), {
      headers: h,
    });
    const next = await LogWriter.open(nc, { names, epoch: 2, after: 7 });
    await next.append([utf8("after")], { seq: 9, done: 1 });
    next.close();

    const { entries, dropped } = await readLog(nc, names, 9);
    const batches = entries.filter((e) => e.type === "batch");
    assert.equal(batches.length, 2);
    assert.deepEqual(batches[0], {
      type: "batch",
      seq: 6,
      firstSeq: 3,
      epoch: 1,
      cursor: { seq: 7, done: 1 },
      records: big,
    });
    assert.deepEqual(batchTexts([batches[1]!]), ["after"]);
    assert.equal(dropped, 1); // the abandoned part
  } finally {
    await nc.close();
  }
});

Deno.test("LogWriter.open() refuses to fence when the log moved past `after`", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const first = await LogWriter.open(nc, { names, epoch: 1, after: 1 });
    await first.append([utf8("a")], { seq: 1, done: 1 });
    await assert.rejects(
      LogWriter.open(nc, { names, epoch: 2, after: 2 }),
      (error) =>
        error instanceof FencedError && error.epoch === 2 &&
        /after sequence 2: wrong last sequence: 3/.test(error.message),
    );
    await assert.rejects(LogWriter.open(nc, { names, epoch: 0, after: 2 }), {
      name: "RangeError",
      message: /epoch must be a positive integer: current epoch is 0/,
    });
    await assert.rejects(LogWriter.open(nc, { names, epoch: 3, after: 0 }), {
      name: "RangeError",
      message: /genesis message/,
    });
    // The first writer is still the writer: nothing else landed.
    assert.deepEqual(await first.append([utf8("b")], { seq: 2, done: 1 }), {
      seq: 4,
      firstSeq: 4,
    });
    first.close();
  } finally {
    await nc.close();
  }
});

Deno.test("LogWriter: a stalled writer with 200 publishes in flight gets none accepted after a newer fence", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  await using proxy = startProxy(nats.nodes[0]!.port);
  const zombieNc = await connectTest(
    `nats://127.0.0.1:${proxy.port}`,
    "zombie",
  );
  try {
    await ensureVenue(nc, { names });
    const zombie = await LogWriter.open(zombieNc, {
      names,
      epoch: 1,
      after: 1,
      ackTimeoutMs: 60_000,
    });
    const before = await zombie.append([utf8("z-acked")], { seq: 1, done: 1 });
    assert.equal(before.seq, 3);

    // The zombie stalls with 200 batches on the wire.
    proxy.pause();
    const stalled = Array.from(
      { length: 200 },
      (_, i) => zombie.append([utf8(`z${i}`)], { seq: i + 2, done: 1 }),
    );
    const outcomes = Promise.allSettled(stalled);

    // A new writer fences after what it read, then writes enough that the zombie's
    // predicted sequences line up with the stream again (the trap of sequence-only chains).
    const writer = await LogWriter.open(nc, { names, epoch: 2, after: 3 });
    for (let i = 0; i < 20; i++) {
      await writer.append([utf8(`w${i}`)], { seq: 100 + i, done: 1 });
    }
    proxy.resume();
    const settled = await outcomes;
    assert.equal(settled.filter((s) => s.status === "fulfilled").length, 0);
    assert.ok(zombie.failure instanceof FencedError);
    for (const s of settled) {
      assert.equal(s.status, "rejected");
      assert.equal((s as PromiseRejectedResult).reason, zombie.failure);
    }
    await writer.append([utf8("w-last")], { seq: 200, done: 1 });
    writer.close();

    const raw = await readRawLog(nc, names);
    const fence = raw.find((e) => e.fence && e.epoch === 2)!;
    assert.equal(fence.seq, 4);
    assert.deepEqual(
      raw.filter((e) => e.seq > fence.seq && e.epoch !== 2),
      [],
      "no message of epoch 1 after the epoch-2 fence",
    );
    assert.equal(raw.length, 25);
    const { entries } = await readLog(nc, names, raw.length);
    assert.deepEqual(batchTexts(entries), [
      "z-acked",
      ...Array.from({ length: 20 }, (_, i) => `w${i}`),
      "w-last",
    ]);
  } finally {
    await zombieNc.close();
    await nc.close();
  }
});

Deno.test("LogReader drops what an old epoch wrote after a newer fence", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const old = await LogWriter.open(nc, { names, epoch: 1, after: 1 });
    await old.append([utf8("old-1")], { seq: 1, done: 1 });
    old.close();
    const current = await LogWriter.open(nc, { names, epoch: 2, after: 3 });
    current.close();
    // A writer without the chain (not this module's) slips an epoch-1 batch in, and a stale fence.
    const js = jetstream(nc);
    for (
      const [id, fence] of [["rogue.1", false], ["rogue.2", true]] as const
    ) {
      const h = headers();
      h.set(HEADER_MSG_ID, id);
      h.set(HEADER_EPOCH, "1");
      if (fence) h.set("Ouch-Fence", "1");
      else h.set(HEADER_COMMAND, "2.1");
      await js.publish(names.logSubject, new Uint8Array([0, 0, 0, 1, 0x72]), {
        headers: h,
      });
    }
    const next = await LogWriter.open(nc, { names, epoch: 3, after: 6 });
    await next.append([utf8("new")], { seq: 2, done: 1 });
    next.close();

    const { entries, dropped } = await readLog(nc, names, 8);
    assert.deepEqual(entries.map((e) => `${e.type}@${e.seq}`), [
      "fence@1",
      "fence@2",
      "batch@3",
      "fence@4",
      "dropped@5",
      "dropped@6",
      "fence@7",
      "batch@8",
    ]);
    assert.equal(dropped, 2);
    assert.deepEqual(batchTexts(entries), ["old-1", "new"]);
  } finally {
    await nc.close();
  }
});

Deno.test("LogWriter and LogReader carry on across a kill -9 and restart of the node", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  const readerNc = await connectTest(nats.servers, "reader");
  try {
    await ensureVenue(nc, { names });
    const writer = await LogWriter.open(nc, {
      names,
      epoch: 1,
      after: 1,
      ackTimeoutMs: 1_000,
    });
    const reader = await LogReader.open(readerNc, { names });
    const got: string[] = [];
    const seqs: number[] = [];
    const reading = (async () => {
      for await (const entry of reader) {
        if (entry.type !== "batch") continue;
        seqs.push(entry.seq);
        got.push(...batchTexts([entry]));
        if (got.length === 200) break;
      }
    })();
    const acks: Promise<LogAck>[] = [];
    for (let i = 0; i < 100; i++) {
      acks.push(writer.append([utf8(`a${i}`)], { seq: i + 1, done: 1 }));
    }
    await Promise.all(acks);
    await nats.nodes[0]!.kill();
    for (let i = 100; i < 200; i++) {
      acks.push(writer.append([utf8(`a${i}`)], { seq: i + 1, done: 1 }));
    }
    await nats.nodes[0]!.restart();
    const landed = await Promise.all(acks);
    assert.deepEqual(
      landed.map((a) => a.seq),
      Array.from({ length: 200 }, (_, i) => 3 + i),
    );
    await reading;
    await reader.close();
    writer.close();
    assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => `a${i}`));
    assert.deepEqual(seqs, Array.from({ length: 200 }, (_, i) => 3 + i));
  } finally {
    await readerNc.close();
    await nc.close();
  }
});

Deno.test("LogWriter after an idle node restart: its chain is refused, and a new fence repairs the log", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    // A 1 s duplicate window stands for the default 2 min of silence.
    await ensureVenue(nc, { names, duplicateWindowMs: 1_000 });
    const writer = await LogWriter.open(nc, { names, epoch: 1, after: 1 });
    assert.equal(
      (await writer.append([utf8("a")], { seq: 1, done: 1 })).seq,
      3,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await nats.nodes[0]!.restart();
    await nats.waitReady();
    // The restarted node no longer knows the last message id.
    await assert.rejects(
      writer.append([utf8("b")], { seq: 2, done: 1 }),
      (error) =>
        error instanceof FencedError &&
        /wrong last msg ID: $/.test(error.message),
    );
    const tail = await logTail(nc, names);
    assert.equal(tail.seq, 3);
    const next = await LogWriter.open(nc, { names, epoch: 2, after: tail.seq });
    assert.equal(next.fenceSeq, 4);
    assert.equal((await next.append([utf8("b")], { seq: 2, done: 1 })).seq, 5);
    next.close();
    const { entries } = await readLog(nc, names, 5);
    assert.deepEqual(batchTexts(entries), ["a", "b"]);
  } finally {
    await nc.close();
  }
});

Deno.test("LogWriter re-sends unacknowledged batches with the same id: each lands once, in order", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  await using proxy = startProxy(nats.nodes[0]!.port);
  const slowNc = await connectTest(`nats://127.0.0.1:${proxy.port}`, "slow");
  try {
    await ensureVenue(nc, { names });
    const writer = await LogWriter.open(slowNc, {
      names,
      epoch: 1,
      after: 1,
      ackTimeoutMs: 200,
    });
    // Acknowledgements are held back: every publish times out, some several times.
    proxy.pause();
    const acks = Array.from(
      { length: 50 },
      (_, i) => writer.append([utf8(`r${i}`)], { seq: i + 1, done: 1 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    proxy.resume();
    const landed = await Promise.all(acks);
    assert.deepEqual(
      landed.map((a) => a.seq),
      Array.from({ length: 50 }, (_, i) => 3 + i),
    );
    writer.close();
    const raw = await readRawLog(nc, names);
    assert.equal(raw.length, 52);
    assert.deepEqual(
      raw.slice(2).map((e) => e.records[0]),
      Array.from({ length: 50 }, (_, i) => `r${i}`),
    );
  } finally {
    await slowNc.close();
    await nc.close();
  }
});
