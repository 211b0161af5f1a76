import assert from "node:assert/strict";
import fc from "fast-check";
import { toHex } from "../../lib/codec/hex.ts";
import {
  type DatagramWriter,
  MoldUdp64Packer,
} from "../../lib/itch/mold_packer.ts";
import {
  decodeMoldUdp64,
  type MoldUdp64Downstream,
} from "../../lib/itch/mold_udp64.ts";

/** A packer whose datagrams are decoded as they come. */
function packer(
  options: Partial<ConstructorParameters<typeof MoldUdp64Packer>[1]> = {},
): { packer: MoldUdp64Packer; sent: Uint8Array[] } {
  const sent: Uint8Array[] = [];
  return {
    packer: new MoldUdp64Packer((datagram) => sent.push(datagram), {
      session: "1689192121",
      ...options,
    }),
    sent,
  };
}

function downstream(datagram: Uint8Array): MoldUdp64Downstream {
  const packet = decodeMoldUdp64(datagram);
  assert.equal(packet.type, "downstream");
  return packet as MoldUdp64Downstream;
}

/** A message of `length` bytes whose bytes say which it is. */
function message(n: number, length: number): Uint8Array {
  return new Uint8Array(length).fill(n & 0xff);
}

/**
 * A message of `length` bytes whose bytes say which it is and where in it they are (so that
 * a byte copied to the wrong place, or left out, shows).
 */
function patterned(n: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let k = 0; k < length; k++) bytes[k] = (n * 31 + k * 7 + 1) & 0xff;
  return bytes;
}

Deno.test("MoldUdp64Packer sends a datagram of exactly 1,400 bytes of payload at once", () => {
  const { packer: p, sent } = packer();
  // 40 messages of 33 bytes: 40 × (2 + 33) = 1,400 bytes of blocks.
  for (let i = 0; i < 40; i++) p.add(message(i, 33));
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.length, 20 + 1_400);
  const packet = downstream(sent[0]!);
  assert.equal(packet.sequenceNumber, 1);
  assert.equal(packet.messages.length, 40);
  assert.equal(p.pendingCount, 0);
  assert.equal(p.flush(), false);
});

Deno.test("MoldUdp64Packer starts a new datagram for the message one byte over 1,400", () => {
  const { packer: p, sent } = packer();
  for (let i = 0; i < 39; i++) p.add(message(i, 33)); // 1,365 bytes of blocks
  p.add(message(39, 34)); // 36 more: 1,401
  assert.equal(sent.length, 1);
  assert.equal(downstream(sent[0]!).messages.length, 39);
  assert.equal(sent[0]!.length, 20 + 1_365);
  assert.equal(p.pendingCount, 1);
  assert.equal(p.flush(), true);
  const second = downstream(sent[1]!);
  assert.equal(second.sequenceNumber, 40);
  assert.deepEqual(second.messages.map((m) => m.length), [34]);
});

Deno.test("MoldUdp64Packer sends a datagram that has no room left for a one-byte message", () => {
  const { packer: p, sent } = packer();
  // 1,398 bytes of blocks: a 1-byte message needs 3 more, past 1,400.
  p.add(message(0, 698));
  assert.equal(sent.length, 0);
  p.add(message(1, 696));
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.length, 20 + 1_398);
  // 1,397 bytes: a 1-byte message still fits.
  p.add(message(2, 697));
  p.add(message(3, 696));
  assert.equal(sent.length, 1);
  p.add(message(4, 1));
  assert.equal(sent.length, 2);
  assert.equal(sent[1]!.length, 20 + 1_400);
});

Deno.test("MoldUdp64Packer.add() refuses a message that alone exceeds the payload, adding nothing", () => {
  const { packer: p, sent } = packer();
  p.add(message(0, 10));
  for (const length of [1_399, 5_000, 0]) {
    assert.throws(() => p.add(message(1, length)), {
      name: "ItchEncodeError",
      message:
        `Cannot encode moldUdp64Packet field messages as a message must be 1 to 1398 bytes to fit 1400 bytes of payload: current length is ${length}`,
      messageType: "moldUdp64Packet",
      field: "messages",
      value: length,
    });
  }
  assert.equal(p.nextSequenceNumber, 2);
  assert.equal(sent.length, 0);
  // The largest message that fits goes out alone, after what was waiting.
  p.add(message(2, 1_398));
  assert.deepEqual(sent.map((d) => downstream(d).messages.length), [1, 1]);
  assert.deepEqual(sent.map((d) => downstream(d).sequenceNumber), [1, 2]);
  assert.equal(sent[1]!.length, 1_420);
});

Deno.test("MoldUdp64Packer sends a datagram when it reaches maxMessageCount", () => {
  const { packer: p, sent } = packer({ maxMessageCount: 3 });
  for (let i = 0; i < 7; i++) p.add(message(i, 5));
  assert.deepEqual(sent.map((d) => downstream(d).messages.length), [3, 3]);
  assert.deepEqual(sent.map((d) => downstream(d).sequenceNumber), [1, 4]);
  p.flush();
  assert.deepEqual(downstream(sent[2]!).messages.map((m) => m[0]), [6]);
});

Deno.test("MoldUdp64Packer counts up to 65,534 messages when the payload allows it", () => {
  const { packer: p, sent } = packer({
    maxPayload: 65_515,
    maxMessageCount: 65_534,
  });
  for (let i = 0; i < 21_838; i++) p.add(message(i, 1)); // 3 bytes each: 65,514
  assert.equal(sent.length, 1);
  assert.equal(downstream(sent[0]!).messages.length, 21_838);
});

Deno.test("MoldUdp64Packer.heartbeat() and endOfSession() flush first and carry the next sequence number", () => {
  const { packer: p, sent } = packer({ nextSequenceNumber: 41 });
  p.heartbeat();
  p.add(message(0, 5));
  p.add(message(1, 5));
  p.heartbeat();
  p.endOfSession();
  assert.deepEqual(sent.map((d) => toHex(d.subarray(10))), [
    "00000000000000290000",
    "00000000000000290002" + "0005" + "0000000000" + "0005" + "0101010101",
    "000000000000002b0000",
    "000000000000002bffff",
  ]);
  assert.deepEqual(sent.map((d) => d.length), [20, 34, 20, 20]);
});

Deno.test("MoldUdp64Packer copies each message and hands out fresh datagrams", () => {
  const { packer: p, sent } = packer();
  const reused = message(7, 5);
  p.add(reused);
  reused.fill(9);
  p.add(reused);
  p.flush();
  p.add(reused);
  p.flush();
  assert.deepEqual(downstream(sent[0]!).messages.map((m) => m[0]), [7, 9]);
  assert.notEqual(sent[0]!.buffer, sent[1]!.buffer);
  assert.deepEqual(downstream(sent[0]!).messages.map((m) => m[0]), [7, 9]);
});

Deno.test("new MoldUdp64Packer() refuses a bad session or limit", () => {
  assert.throws(
    () => new MoldUdp64Packer(() => {}, { session: "12345678901" }),
    {
      name: "ItchEncodeError",
      message:
        'Cannot encode moldUdp64Packet field session as printable ASCII of at most 10 characters: current value is "12345678901"',
    },
  );
  for (
    const [option, value, range] of [
      ["maxPayload", 2, "3 to 65515"],
      ["maxPayload", 65_516, "3 to 65515"],
      ["maxMessageCount", 0, "1 to 65534"],
      ["maxMessageCount", 65_535, "1 to 65534"],
      ["nextSequenceNumber", 0, `1 to ${Number.MAX_SAFE_INTEGER}`],
      ["nextSequenceNumber", 1.5, `1 to ${Number.MAX_SAFE_INTEGER}`],
    ] as const
  ) {
    assert.throws(
      () => new MoldUdp64Packer(() => {}, { session: "S", [option]: value }),
      {
        name: "RangeError",
        message:
          `Cannot create MoldUDP64 packer as ${option} must be an integer from ${range}: current value is ${value}`,
      },
    );
  }
});

Deno.test("MoldUdp64Packer loses, splits and reorders nothing, whatever the sizes and limits", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 300 }),
      fc.integer({ min: 202, max: 2_000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 1_000 }),
      (lengths, maxPayload, maxMessageCount, first) => {
        const { packer: p, sent } = packer({
          maxPayload,
          maxMessageCount,
          nextSequenceNumber: first,
        });
        lengths.forEach((length, i) => p.add(patterned(i, length)));
        p.flush();
        let next = first;
        const seen: number[] = [];
        for (const datagram of sent) {
          const packet = downstream(datagram);
          assert.equal(packet.sequenceNumber, next);
          assert.ok(datagram.length - 20 <= maxPayload);
          assert.ok(packet.messages.length <= maxMessageCount);
          next += packet.messages.length;
          for (const m of packet.messages) seen.push(m.length);
        }
        assert.deepEqual(seen, lengths);
        assert.equal(p.nextSequenceNumber, first + lengths.length);
      },
    ),
    { numRuns: 200 },
  );
});

/** The messages as one run of SoupBinTCP Sequenced Data packets, `lead` bytes in. */
function packets(messages: Uint8Array[], lead = 0): Uint8Array {
  const total = messages.reduce((sum, m) => sum + 3 + m.length, lead);
  const bytes = new Uint8Array(total + 5).fill(0xee);
  let at = lead;
  for (const m of messages) {
    bytes[at] = (m.length + 1) >> 8;
    bytes[at + 1] = (m.length + 1) & 0xff;
    bytes[at + 2] = 0x53;
    bytes.set(m, at + 3);
    at += 3 + m.length;
  }
  return bytes;
}

/** The datagrams `add` makes of the messages, and those `addPackets` makes of them as runs. */
function bothWays(
  messages: Uint8Array[],
  runs: number[],
  options: Partial<ConstructorParameters<typeof MoldUdp64Packer>[1]> = {},
): { one: Uint8Array[]; runs: Uint8Array[]; next: [number, number] } {
  const one = packer(options);
  for (const m of messages) one.packer.add(m);
  one.packer.flush();
  const many = packer(options);
  let from = 0;
  for (const size of [...runs, messages.length]) {
    const run = messages.slice(from, from + size);
    if (run.length === 0) continue;
    const bytes = packets(run, 7);
    const end = bytes.length - 5;
    assert.equal(many.packer.addPackets(bytes, 7, end), run.length);
    from += run.length;
  }
  many.packer.flush();
  return {
    one: one.sent,
    runs: many.sent,
    next: [one.packer.nextSequenceNumber, many.packer.nextSequenceNumber],
  };
}

Deno.test("MoldUdp64Packer.addPackets() fills a datagram to exactly 1,400 bytes and sends it at once", () => {
  const { packer: p, sent } = packer();
  // 40 packets of 33-byte messages: 40 × (2 + 33) = 1,400 bytes of blocks.
  const messages = Array.from({ length: 41 }, (_, i) => message(i, 33));
  const bytes = packets(messages.slice(0, 40));
  assert.equal(p.addPackets(bytes, 0, bytes.length - 5), 40);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.length, 20 + 1_400);
  assert.equal(p.pendingCount, 0);
  // The next run starts the next datagram, numbered on.
  const one = packets([messages[40]!]);
  p.addPackets(one, 0, one.length - 5);
  p.flush();
  assert.equal(downstream(sent[1]!).sequenceNumber, 41);
  assert.equal(
    toHex(sent[1]!.subarray(18)),
    "0001" + "0021" + "28".repeat(33),
  );
});

Deno.test("MoldUdp64Packer.addPackets() starts a new datagram mid-run for the message one byte over 1,400", () => {
  const messages = [
    ...Array.from({ length: 39 }, (_, i) => message(i, 33)),
    message(39, 34),
    message(40, 5),
  ];
  const { one, runs } = bothWays(messages, []);
  assert.deepEqual(runs, one);
  assert.deepEqual(runs.map((d) => d.length), [20 + 39 * 35, 20 + 36 + 7]);
});

Deno.test("MoldUdp64Packer.addPackets() sends a datagram at maxMessageCount, mid-run and across runs", () => {
  const messages = Array.from({ length: 23 }, (_, i) => message(i, 3 + i));
  const { one, runs, next } = bothWays(messages, [4, 1, 9], {
    maxMessageCount: 5,
    nextSequenceNumber: 100,
  });
  assert.deepEqual(runs, one);
  assert.deepEqual(
    runs.map((d) => downstream(d).messages.length),
    [5, 5, 5, 5, 3],
  );
  assert.deepEqual(next, [123, 123]);
});

Deno.test("MoldUdp64Packer.addPackets() refuses an empty or oversized message, keeping the messages before it", () => {
  const { packer: p, sent } = packer({ maxPayload: 20 });
  const bytes = packets([message(1, 4), message(2, 19)]);
  assert.throws(
    () => p.addPackets(bytes, 0, bytes.length - 5),
    (error: Error) =>
      error.name === "ItchEncodeError" && /19|21/.test(error.message),
  );
  assert.equal(p.nextSequenceNumber, 2);
  p.flush();
  assert.equal(toHex(sent[0]!.subarray(18)), "0001" + "0004" + "01010101");
  const empty = new Uint8Array([0, 1, 0x53]);
  assert.throws(
    () => p.addPackets(empty, 0, 3),
    (error: Error) => error.name === "ItchEncodeError",
  );
  assert.equal(p.nextSequenceNumber, 2);
  assert.equal(p.pendingCount, 0);
});

Deno.test("MoldUdp64Packer.addPackets() refuses a packet that runs past the run's end, keeping the whole ones", () => {
  const { packer: p, sent } = packer();
  const bytes = packets([message(1, 2), message(2, 6)]);
  // The run cut 2 bytes into the second packet's message.
  assert.throws(
    () => p.addPackets(bytes, 0, 5 + 5),
    (error: Error) =>
      error instanceof RangeError &&
      error.message ===
        "Cannot add the packet at 5: its 6-byte message ends at 14, past the run's end 10",
  );
  assert.equal(p.nextSequenceNumber, 2);
  p.flush();
  assert.equal(toHex(sent[0]!.subarray(18)), "0001" + "0002" + "0101");
});

Deno.test("MoldUdp64Packer.addPackets() makes the datagrams add() makes, whatever the sizes, runs and limits", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 300 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }),
      fc.integer({ min: 202, max: 2_000 }),
      fc.integer({ min: 1, max: 50 }),
      (lengths, runSizes, maxPayload, maxMessageCount) => {
        const messages = lengths.map((length, i) => patterned(i, length));
        const { one, runs, next } = bothWays(messages, runSizes, {
          maxPayload,
          maxMessageCount,
        });
        assert.deepEqual(runs, one);
        assert.deepEqual(next, [lengths.length + 1, lengths.length + 1]);
      },
    ),
    { numRuns: 200 },
  );
});

/**
 * A writer that lends each datagram a fresh place: an offset that moves on (odd ones too),
 * in an array it replaces now and then, with stale bytes left where the datagram goes.
 * Keeps a copy of each committed datagram and every call, and checks the calls' order.
 */
function lendingWriter(
  seed: number,
): { writer: DatagramWriter; sent: Uint8Array[]; calls: string[] } {
  const sent: Uint8Array[] = [];
  const calls: string[] = [];
  let bytes = new Uint8Array(256).fill(0xee);
  let at = -1;
  let next = seed % 7;
  const writer: DatagramWriter = {
    get bytes() {
      return bytes;
    },
    begin(length) {
      assert.equal(at, -1, "a datagram begun twice without a commit");
      calls.push(`begin ${length}`);
      at = next;
      if (at + length > bytes.length || sent.length % 5 === 4) {
        bytes = new Uint8Array(at + length + seed % 13).fill(0xee);
      }
      return at;
    },
    commit(length) {
      assert.notEqual(at, -1, "a commit without a datagram begun");
      calls.push(`commit ${length}`);
      sent.push(bytes.slice(at, at + length));
      next = (at + length + 3 + seed) % 200;
      at = -1;
    },
  };
  return { writer, sent, calls };
}

Deno.test("MoldUdp64Packer written through a DatagramWriter makes the datagrams a sink gets, each begun at its first message with room for a full one and committed once", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 300 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }),
      fc.integer({ min: 202, max: 2_000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.nat(),
      (lengths, runSizes, maxPayload, maxMessageCount, seed) => {
        const messages = lengths.map((length, i) => patterned(i, length));
        const options = { session: "1689192121", maxPayload, maxMessageCount };
        const sink: Uint8Array[] = [];
        const copied = new MoldUdp64Packer((d) => sink.push(d), options);
        const lent = lendingWriter(seed);
        const inPlace = new MoldUdp64Packer(lent.writer, options);
        let from = 0;
        for (const size of [...runSizes, messages.length]) {
          const run = messages.slice(from, from + size);
          if (run.length === 0) continue;
          for (const m of run) copied.add(m);
          const bytes = packets(run, 7);
          inPlace.addPackets(bytes, 7, bytes.length - 5);
          from += run.length;
          if (size % 3 === 0) {
            copied.heartbeat();
            inPlace.heartbeat();
          }
        }
        copied.endOfSession();
        inPlace.endOfSession();
        assert.deepEqual(lent.sent.map(toHex), sink.map(toHex));
        // A datagram of messages asks for room for a full one, a header-only one for 20.
        assert.deepEqual(
          lent.calls,
          sink.flatMap((d) => [
            `begin ${
              d[18] === 0 && d[19] === 0 || d[19] === 0xff
                ? 20
                : 20 + maxPayload
            }`,
            `commit ${d.length}`,
          ]),
        );
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("MoldUdp64Packer written through a DatagramWriter begins nothing until a message comes, leaves nothing begun after flush(), and writes heartbeats and End of Session in place", () => {
  const lent = lendingWriter(5);
  const p = new MoldUdp64Packer(lent.writer, {
    session: "S",
    nextSequenceNumber: 7,
  });
  assert.equal(p.flush(), false);
  assert.deepEqual(lent.calls, []);
  p.add(patterned(1, 3));
  assert.deepEqual(lent.calls, ["begin 1420"]);
  assert.equal(p.flush(), true);
  assert.deepEqual(lent.calls, ["begin 1420", "commit 25"]);
  assert.equal(
    toHex(lent.sent[0]!),
    "53202020202020202020" + "0000000000000007" + "0001" + "0003" +
      toHex(patterned(1, 3)),
  );
  p.heartbeat();
  assert.deepEqual(lent.calls.slice(2), ["begin 20", "commit 20"]);
  assert.equal(
    toHex(lent.sent[1]!),
    "53202020202020202020" + "0000000000000008" + "0000",
  );
  p.add(patterned(2, 1));
  p.endOfSession();
  assert.deepEqual(lent.calls.slice(4), [
    "begin 1420",
    "commit 23",
    "begin 20",
    "commit 20",
  ]);
  assert.equal(
    toHex(lent.sent[3]!),
    "53202020202020202020" + "0000000000000009" + "ffff",
  );
  assert.deepEqual(lent.calls.length, 8);
});
