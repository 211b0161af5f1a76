import assert from "node:assert/strict";
import {
  AccountStreams,
  checkFrame,
  crc32,
  encodeRecords,
  Exchange,
  MarketData,
  type RecordBatch,
  RecordError,
} from "../../lib/exchange/mod.ts";
import {
  ensureVenue,
  FencedError,
  type FollowProgress,
  followRecords,
  JetStreamLog,
  LogReader,
  logTail,
  LogWriter,
  type VenueNames,
  venueNames,
} from "../../lib/nats/mod.ts";
import { closePieces } from "../../lib/nats/exchange_log.ts";
import type { NatsConnection } from "@nats-io/transport-node";
import { encodeMessage } from "../../lib/codec/mod.ts";
import { enterOrder } from "../_fixtures.ts";
import { connectTest, startNats } from "./_nats_harness.ts";

const names = venueNames("x");
const USERS = new Map([["alice", "pw-a"], ["bob", "pw-b"]]);
const DAY = { session: "2026112501", tradingDate: "20261125", created: 1 };

/**
 * An exchange whose durable log is a fresh epoch-1 writer on `venue`'s log; `failures` collects
 * the writer's errors and `failed` resolves at the first.
 */
async function engineOnLog(nc: NatsConnection, venue: VenueNames) {
  await ensureVenue(nc, { names: venue });
  const tail = await logTail(nc, venue);
  const writer = await LogWriter.open(nc, {
    names: venue,
    epoch: 1,
    after: tail.seq,
  });
  const failures: Error[] = [];
  const failed = Promise.withResolvers<void>();
  const engine = new Exchange({
    users: USERS,
    day: DAY,
    timestamp: 0,
    log: new JetStreamLog(
      writer,
      () => ({ seq: 1, done: 0 }),
      (error) => {
        failures.push(error);
        failed.resolve();
      },
    ),
  });
  return { writer, engine, failures, failed };
}

/** Follows the log until `batches` core batches were delivered, then closes the reader. */
async function follow(
  reader: LogReader,
  subscribers: Parameters<typeof followRecords>[1],
  batches: number,
): Promise<FollowProgress> {
  let last: FollowProgress = { position: 0, batches: 0 };
  const done = followRecords(reader, subscribers, (progress) => {
    last = progress;
    if (progress.batches >= batches) void reader.close();
  });
  await done;
  return last;
}

Deno.test("JetStreamLog + followRecords: a follower's account streams and market data equal the engine's, byte for byte", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const tail = await logTail(nc, names);
    const writer = await LogWriter.open(nc, {
      names,
      epoch: 1,
      after: tail.seq,
    });
    let done = 0;
    const engine = new Exchange({
      users: USERS,
      day: DAY,
      timestamp: 0,
      log: new JetStreamLog(writer, () => ({ seq: done, done: 0 }), (error) => {
        throw error;
      }),
    });
    const engineBatches: RecordBatch[] = [];
    engine.subscribe({ delivered: (batch) => void engineBatches.push(batch) });
    for (let i = 1; i <= 20; i++) {
      done = i;
      engine.submit("alice", enterOrder(i, { price: 23000 + i }), 1_000 + i);
      engine.submit(
        "bob",
        enterOrder(i, {
          buySellIndicator: "S",
          price: 23000 + i,
          quantity: 40,
        }),
        2_000 + i,
      );
      await engine.drain();
    }
    const batches = engineBatches.length;
    assert.equal(batches, 20);
    writer.close();

    const streams = new AccountStreams();
    const market = new MarketData();
    const reader = await LogReader.open(nc, { names });
    const progress = await follow(reader, [streams, market], batches);
    assert.equal(progress.batches, batches);
    for (const name of ["alice", "bob"]) {
      const id = engine.accountId(name)!;
      const original = engine.stream(name)!;
      const copy = streams.stream(id);
      // System Event S, then per order Accepted and an Executed on each side.
      assert.equal(original.length, 41);
      assert.equal(copy.length, original.length, name);
      for (let seq = 1; seq <= original.length; seq++) {
        assert.deepEqual(
          copy.message(seq),
          original.message(seq),
          `${name} ${seq}`,
        );
      }
    }
    assert.deepEqual(market.depth("1"), engine.market.depth("1"));
    assert.deepEqual(market.trades("1"), engine.market.trades("1"));
    assert.equal(market.trades("1").length, 20);
  } finally {
    await nc.close();
  }
});

Deno.test("JetStreamLog: once a successor fences the log, the old engine's batches are refused and no follower delivers them", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const tail = await logTail(nc, names);
    const stopped = Promise.withResolvers<Error>();
    const old = await LogWriter.open(nc, { names, epoch: 1, after: tail.seq });
    const zombie = new Exchange({
      users: USERS,
      day: DAY,
      timestamp: 0,
      log: new JetStreamLog(old, () => ({ seq: 1, done: 0 }), stopped.resolve),
    });
    const delivered: number[] = [];
    zombie.subscribe({
      delivered: (b) => void delivered.push(b.records.length),
    });
    zombie.submit("alice", enterOrder(1), 1_000);
    await zombie.drain();
    assert.deepEqual(delivered, [4]); // start of day, two accounts, the order

    // A successor fences right after what it read.
    const successor = await LogWriter.open(nc, {
      names,
      epoch: 2,
      after: (await logTail(nc, names)).seq,
    });
    zombie.submit("alice", enterOrder(2), 2_000);
    zombie.flush();
    const error = await stopped.promise;
    assert.ok(
      error instanceof FencedError,
      `expected a FencedError, got ${error}`,
    );
    assert.match(error.message, /wrong last sequence/);
    assert.deepEqual(delivered, [4]);
    successor.close();
    old.close();

    const streams = new AccountStreams();
    const reader = await LogReader.open(nc, { names });
    const progress = await follow(reader, [streams], 1);
    assert.equal(progress.batches, 1);
    assert.equal(streams.stream(0).length, 2); // System Event S, Order Accepted of token 1
    assert.deepEqual(
      streams.stream(0).message(2),
      zombie.stream("alice")!.message(2),
    );
  } finally {
    await nc.close();
  }
});

Deno.test("JetStreamLog: a turn's batch larger than a log message (5,000 orders) is cut between records, and a follower's stream equals the engine's", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    const { writer, engine, failures, failed } = await engineOnLog(nc, names);
    const sizes: number[] = [];
    engine.subscribe({
      delivered: (batch) => void sizes.push(batch.bytes.length),
    });
    await engine.drain();
    for (let i = 1; i <= 5000; i++) {
      engine.submit("alice", enterOrder(i, { price: 20000 + (i % 100) }), i);
    }
    // A batch that cannot be made durable never settles: stop waiting once it failed.
    await Promise.race([engine.drain(), failed.promise]);
    assert.deepEqual(failures, []);
    // One turn, one core batch, larger than the writer's 256 KiB messages.
    assert.equal(sizes.length, 2);
    assert.ok(sizes[1]! > 256 * 1024, `the batch has ${sizes[1]} bytes`);
    writer.close();

    const streams = new AccountStreams();
    const reader = await LogReader.open(nc, { names });
    const id = engine.accountId("alice")!;
    let pieces = 0;
    await followRecords(reader, [streams], (progress) => {
      pieces = progress.batches;
      if ((streams.stream(id)?.length ?? 0) >= 5001) void reader.close();
    });
    // The batch crossed several log messages and was delivered whole.
    assert.equal(pieces, 2);
    assert.ok((await logTail(nc, names)).seq > 3);
    const original = engine.stream("alice")!;
    const copy = streams.stream(id);
    assert.equal(copy.length, 5001);
    for (let seq = 1; seq <= original.length; seq++) {
      assert.deepEqual(copy.message(seq), original.message(seq), `${seq}`);
    }
  } finally {
    await nc.close();
  }
});

Deno.test("JetStreamLog: one record larger than a log message (a cancel on disconnect of 6,000 orders) is cut inside the record, and a follower's stream equals the engine's", async () => {
  const venue = venueNames("xbig");
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    const { writer, engine, failures, failed } = await engineOnLog(nc, venue);
    const records: number[] = [];
    engine.subscribe({
      delivered: (batch) => {
        for (let at = 0; at < batch.bytes.length;) {
          const end = checkFrame(batch.bytes, at);
          records.push(end - at);
          at = end;
        }
      },
    });
    await engine.drain();
    const login = engine.login(
      {
        type: "loginRequest",
        username: "alice",
        password: "pw-a",
        requestedSession: "",
        requestedSequenceNumber: 0,
      },
      "h",
      1,
    );
    assert.ok(login.accept);
    for (let i = 1; i <= 6000; i++) {
      engine.handleMessage(
        login.handle,
        encodeMessage(enterOrder(i, { price: 20000 + (i % 100) })),
        i + 1,
      );
      if (i % 500 === 0) {
        await Promise.race([engine.drain(), failed.promise]);
      }
    }
    // The session ends: every resting order is canceled, in one record.
    engine.logout(login.handle, 9000);
    await Promise.race([engine.drain(), failed.promise]);
    assert.deepEqual(failures, []);
    assert.ok(
      Math.max(...records) > 256 * 1024,
      `the largest record has ${Math.max(...records)} bytes`,
    );
    writer.close();

    const streams = new AccountStreams();
    const reader = await LogReader.open(nc, { names: venue });
    const id = engine.accountId("alice")!;
    const original = engine.stream("alice")!;
    await followRecords(reader, [streams], () => {
      if ((streams.stream(id)?.length ?? 0) >= original.length) {
        void reader.close();
      }
    });
    const copy = streams.stream(id);
    assert.equal(copy.length, original.length);
    assert.equal(original.length, 1 + 6000 + 6000);
    for (let seq = 1; seq <= original.length; seq++) {
      assert.deepEqual(copy.message(seq), original.message(seq), `${seq}`);
    }
  } finally {
    await nc.close();
  }
});

/** The venue made, and an epoch-1 writer after the log's end. */
async function freshWriter(nc: NatsConnection): Promise<LogWriter> {
  await ensureVenue(nc, { names });
  return await LogWriter.open(nc, {
    names,
    epoch: 1,
    after: (await logTail(nc, names)).seq,
  });
}

/** One record (an `open` with one OUCH message of account 3 and one market event). */
function oneRecord(sequenceNumber: number): Uint8Array {
  return encodeRecords([{
    timestamp: 5,
    command: { type: "open" },
    messages: [{ account: 3, sequenceNumber, message: new Uint8Array([0x53]) }],
    events: [{ type: "marketState", timestamp: 5, open: true }],
  }]);
}

for (
  const [what, damage, message] of [
    [
      "a record whose CRC fails",
      (bytes: Uint8Array) => void (bytes[bytes.length - 5] = 0x54),
      /CRC/,
    ],
    [
      "an OUCH message item with sequence number 0 (its CRC right)",
      (bytes: Uint8Array) => {
        // The item's sequence number is the 4 bytes before the 1-byte message, which is
        // right before the market event item (3 + 1 bytes) and the CRC.
        const seqAt = bytes.length - 4 - 4 - 1 - 4;
        assert.deepEqual([...bytes.subarray(seqAt, seqAt + 4)], [0, 0, 0, 2]);
        bytes.fill(0, seqAt, seqAt + 4);
        new DataView(bytes.buffer).setUint32(
          bytes.length - 4,
          crc32(bytes, 4, bytes.length - 4),
        );
      },
      /sequence number 0/,
    ],
  ] as const
) {
  Deno.test(`followRecords: ${what} stops the follower before any subscriber sees any of its batch`, async () => {
    await using nats = await startNats();
    const nc = await connectTest(nats.servers);
    try {
      const writer = await freshWriter(nc);
      const bad = oneRecord(2);
      damage(bad);
      await writer.append([oneRecord(1)], { seq: 1, done: 0 });
      // The bad record second in its batch, after a good one.
      await writer.append([oneRecord(1).subarray(0), bad], { seq: 2, done: 0 });
      writer.close();
      const streams = new AccountStreams();
      const market = new MarketData();
      const seen: number[] = [];
      const reader = await LogReader.open(nc, { names });
      try {
        await assert.rejects(
          followRecords(reader, [streams, market, {
            delivered: (batch) => void seen.push(batch.bytes.length),
          }]),
          (error: unknown) =>
            error instanceof RecordError && message.test(error.message),
        );
      } finally {
        await reader.close();
      }
      // Only the first batch: one message of account 3, one market state.
      assert.deepEqual(seen, [oneRecord(1).length]);
      assert.equal(streams.stream(3).length, 1);
    } finally {
      await nc.close();
    }
  });
}

Deno.test("followRecords: the market events are decoded and checked only when a subscriber reads them", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    const writer = await freshWriter(nc);
    // The market state's flag (the byte before the CRC) is 7: a frame, CRC and layout that
    // check, and an event that does not decode.
    const bad = oneRecord(2);
    assert.equal(bad[bad.length - 5], 1);
    bad[bad.length - 5] = 7;
    new DataView(bad.buffer).setUint32(
      bad.length - 4,
      crc32(bad, 4, bad.length - 4),
    );
    await writer.append([oneRecord(1)], { seq: 1, done: 0 });
    await writer.append([bad], { seq: 2, done: 0 });
    writer.close();
    // Read by someone: the follower stops before delivering the batch.
    const seen: number[] = [];
    let reader = await LogReader.open(nc, { names });
    try {
      await assert.rejects(
        followRecords(reader, [{
          delivered: (batch) => void seen.push(batch.events.length),
        }]),
        (error: unknown) =>
          error instanceof RecordError && /flag/.test(error.message),
      );
    } finally {
      await reader.close();
    }
    assert.deepEqual(seen, [1]);
    // Read by nobody (the account streams only): both batches are delivered.
    const streams = new AccountStreams();
    reader = await LogReader.open(nc, { names });
    const asked: boolean[] = [];
    await followRecords(reader, [streams], (progress) => {
      if (progress.batches === 2) void reader.close();
    }, () => {
      asked.push(false);
      return false;
    });
    assert.equal(streams.stream(3).length, 2);
    assert.deepEqual(asked, [false, false]);
  } finally {
    await nc.close();
  }
});

Deno.test("closePieces: the pieces of one log message are moved together in their buffer; pieces that are not laid out so are copied, and the one piece of a batch is itself", () => {
  // As a log message holds them: a 4-byte length before each piece.
  const message = new Uint8Array([
    ...[0, 0, 0, 3, 1, 2, 3],
    ...[0, 0, 0, 1, 4],
    ...[0, 0, 0, 2, 5, 6],
  ]);
  const inPlace = closePieces([
    message.subarray(4, 7),
    message.subarray(11, 12),
    message.subarray(16, 18),
  ]);
  assert.deepEqual([...inPlace], [1, 2, 3, 4, 5, 6]);
  assert.equal(inPlace.buffer, message.buffer);
  assert.equal(inPlace.byteOffset, 4);

  // A gap other than 4 bytes, and pieces of two messages: copies, the pieces untouched.
  const spaced = new Uint8Array([9, 1, 2, 9, 9, 9, 3]);
  const pieces = [spaced.subarray(1, 3), spaced.subarray(6, 7)];
  const copied = closePieces(pieces);
  assert.deepEqual([...copied], [1, 2, 3]);
  assert.notEqual(copied.buffer, spaced.buffer);
  assert.deepEqual([...spaced], [9, 1, 2, 9, 9, 9, 3]);
  const other = new Uint8Array([0, 0, 0, 1, 7]);
  const two = closePieces([spaced.subarray(1, 3), other.subarray(4)]);
  assert.deepEqual([...two], [1, 2, 7]);
  assert.deepEqual([...other], [0, 0, 0, 1, 7]);

  const one = message.subarray(4, 7);
  assert.equal(closePieces([one]), one);
});
