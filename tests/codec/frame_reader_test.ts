import assert from "node:assert/strict";
import fc from "fast-check";
import { FrameReader } from "../../lib/codec/frame_reader.ts";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import { decodeOutbound } from "../../lib/codec/message.ts";
import { encodeSequencedInto } from "../../lib/codec/soupbintcp.ts";
import type { OutboundMessage } from "../../lib/codec/messages.ts";

interface Frame {
  type: number;
  payload: string;
}

/** A stream of seven packets, written by hand from spec §2: 2 + 1 + payload bytes each. */
const WIRE = fromHex(`
  0001 48                                    -- Server Heartbeat
  000b 53 53 00001d77b67da000 53             -- Sequenced Data: System Event S
  0002 4a 41                                 -- Login Rejected A
  0006 2b 68656c6c6f                         -- Debug "hello"
  0013 53 43 0000000000000003 00000002 000000c8 55  -- Sequenced Data: Order Canceled
  0001 5a                                    -- End of Session
  0004 55 58 0102                            -- Unsequenced Data, 3 bytes
`.replace(/--.*$/gm, ""));
const FRAMES: readonly Frame[] = [
  { type: 0x48, payload: "" },
  { type: 0x53, payload: "5300001d77b67da00053" },
  { type: 0x4a, payload: "41" },
  { type: 0x2b, payload: "68656c6c6f" },
  { type: 0x53, payload: "43000000000000000300000002000000c855" },
  { type: 0x5a, payload: "" },
  { type: 0x55, payload: "580102" },
];

/** Pushes each chunk and records every frame, copying payloads during the callback. */
function readAll(reader: FrameReader, chunks: readonly Uint8Array[]): Frame[] {
  const frames: Frame[] = [];
  for (const chunk of chunks) {
    reader.push(
      chunk,
      (type, payload) => frames.push({ type, payload: toHex(payload) }),
    );
  }
  return frames;
}

Deno.test("FrameReader.push() reads a whole stream in one chunk", () => {
  const reader = new FrameReader();
  assert.deepEqual(readAll(reader, [WIRE]), FRAMES);
  assert.equal(reader.pendingBytes, 0);
});

Deno.test("FrameReader.push() returns the same packets at every split point", () => {
  for (let cut = 0; cut <= WIRE.length; cut++) {
    const reader = new FrameReader();
    const frames = readAll(reader, [WIRE.subarray(0, cut), WIRE.subarray(cut)]);
    assert.deepEqual(frames, FRAMES, `split at ${cut}`);
    assert.equal(reader.pendingBytes, 0);
  }
});

Deno.test("FrameReader.push() returns the same packets at every pair of split points", () => {
  for (let a = 0; a <= WIRE.length; a++) {
    for (let b = a; b <= WIRE.length; b++) {
      const reader = new FrameReader();
      const chunks = [
        WIRE.subarray(0, a),
        WIRE.subarray(a, b),
        WIRE.subarray(b),
      ];
      assert.deepEqual(
        readAll(reader, chunks),
        FRAMES,
        `split at ${a} and ${b}`,
      );
    }
  }
});

Deno.test("FrameReader.push() returns the same packets fed byte by byte", () => {
  const reader = new FrameReader();
  const chunks = Array.from(WIRE, (_, i) => WIRE.subarray(i, i + 1));
  const frames: Frame[] = [];
  const pending: number[] = [];
  for (const chunk of chunks) {
    frames.push(...readAll(reader, [chunk]));
    pending.push(reader.pendingBytes);
  }
  assert.deepEqual(frames, FRAMES);
  // The first packet is 3 bytes: pending goes 1, 2, then 0 when it completes.
  assert.deepEqual(pending.slice(0, 4), [1, 2, 0, 1]);
  assert.equal(reader.pendingBytes, 0);
});

Deno.test("FrameReader.push() keeps the remainder it needs when the caller reuses its chunk", () => {
  const reader = new FrameReader();
  const chunk = WIRE.slice(0, 10); // Heartbeat, then 7 bytes of the System Event packet
  const frames = readAll(reader, [chunk]);
  assert.equal(reader.pendingBytes, 7);
  chunk.fill(0xee); // the transport reuses its buffer
  frames.push(...readAll(reader, [WIRE.slice(10)]));
  assert.deepEqual(frames, FRAMES);
});

Deno.test("FrameReader.push() hands payloads as views into the chunk, not copies", () => {
  const reader = new FrameReader();
  const chunk = WIRE.slice();
  let views = 0;
  reader.push(chunk, (_type, payload) => {
    assert.equal(payload.buffer, chunk.buffer);
    views++;
  });
  assert.equal(views, 7);
});

Deno.test("FrameReader.push() completes a pending packet, then reads the rest of the chunk in place", () => {
  const reader = new FrameReader();
  reader.push(WIRE.subarray(0, 5), () => {}); // Heartbeat + 2 bytes of the next packet
  assert.equal(reader.pendingBytes, 2);
  const rest = WIRE.slice(5);
  const owners: boolean[] = [];
  reader.push(
    rest,
    (_type, payload) => owners.push(payload.buffer === rest.buffer),
  );
  // The completed packet comes from the reader's buffer, the five after it from `rest`.
  assert.deepEqual(owners, [false, true, true, true, true, true]);
});

Deno.test("FrameReader.push() returns the same packets for random chunkings", () => {
  const packet = fc.record({
    type: fc.integer({ min: 0, max: 255 }),
    payload: fc.uint8Array({ maxLength: 300 }),
  });
  fc.assert(
    fc.property(
      fc.array(packet, { maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (packets, cuts) => {
        const wire = new Uint8Array(
          packets.reduce((n, p) => n + 3 + p.payload.length, 0),
        );
        let at = 0;
        for (const { type, payload } of packets) {
          wire[at] = (payload.length + 1) >> 8;
          wire[at + 1] = (payload.length + 1) & 0xff;
          wire[at + 2] = type;
          wire.set(payload, at + 3);
          at += 3 + payload.length;
        }
        const points = [...new Set(cuts.map((cut) => cut % (wire.length + 1)))]
          .sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let start = 0;
        for (const point of [...points, wire.length]) {
          chunks.push(wire.slice(start, point));
          start = point;
        }
        const reader = new FrameReader({ maxLength: 301 });
        const frames: Frame[] = [];
        for (const chunk of chunks) {
          frames.push(...readAll(reader, [chunk]));
          assert.ok(reader.pendingBytes <= 302);
        }
        assert.deepEqual(
          frames,
          packets.map(({ type, payload }) => ({
            type,
            payload: toHex(payload),
          })),
        );
        assert.equal(reader.pendingBytes, 0);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("FrameReader.push() reads a packet of the largest length, 65535", () => {
  const wire = new Uint8Array(2 + 65535);
  wire.set([0xff, 0xff, 0x2b]);
  wire.fill(0x41, 3);
  const reader = new FrameReader();
  const lengths: number[] = [];
  for (let at = 0; at < wire.length; at += 4096) {
    reader.push(
      wire.subarray(at, at + 4096),
      (_type, payload) => lengths.push(payload.length),
    );
    assert.ok(reader.pendingBytes <= 65536);
  }
  assert.deepEqual(lengths, [65534]);
  assert.equal(reader.pendingBytes, 0);
});

Deno.test("FrameReader.push() refuses a length above maxLength before the body arrives", () => {
  const reader = new FrameReader({ maxLength: 100 });
  reader.push(fromHex("0001 48"), () => {});
  assert.throws(() => reader.push(fromHex("0065"), () => {}), {
    name: "SoupBinTcpError",
    message:
      "Cannot read packet as its length must be from 1 to 100: current length is 101",
    offset: 3,
    field: "length",
  });
});

Deno.test("FrameReader.push() refuses a too-large length split across chunks", () => {
  const reader = new FrameReader({ maxLength: 100 });
  reader.push(fromHex("0001 48 0001 52 01"), () => {});
  assert.equal(reader.pendingBytes, 1);
  assert.throws(() => reader.push(fromHex("00"), () => {}), {
    name: "SoupBinTcpError",
    message: /current length is 256$/,
    offset: 6,
  });
});

Deno.test("FrameReader.push() refuses a zero length", () => {
  const frames: number[] = [];
  const reader = new FrameReader();
  assert.throws(
    () => reader.push(fromHex("0001 48 0000 48"), (type) => frames.push(type)),
    {
      name: "SoupBinTcpError",
      message:
        "Cannot read packet as its length must be from 1 to 65535: current length is 0",
      offset: 3,
    },
  );
  assert.deepEqual(frames, [0x48]);
});

Deno.test("FrameReader.push() keeps at most maxLength + 1 bytes pending", () => {
  const reader = new FrameReader({ maxLength: 50 });
  const wire = new Uint8Array(2 + 50);
  wire.set([0x00, 50, 0x2b]);
  wire.fill(0x20, 3);
  reader.push(
    wire.subarray(0, 51),
    () => assert.fail("no complete packet yet"),
  );
  assert.equal(reader.pendingBytes, 51);
  let seen = 0;
  reader.push(wire.subarray(51), (_type, payload) => (seen = payload.length));
  assert.equal(seen, 49);
  assert.equal(reader.pendingBytes, 0);
});

Deno.test("FrameReader.push() throws a TypeError after an error: the reader must be discarded", () => {
  const reader = new FrameReader();
  assert.throws(() => reader.push(fromHex("0000"), () => {}), {
    name: "SoupBinTcpError",
  });
  assert.throws(() => reader.push(fromHex("0001 48"), () => {}), {
    name: "TypeError",
    message: /^Cannot push a chunk as the reader failed or is inside onFrame/,
  });

  const throwing = new FrameReader();
  assert.throws(
    () =>
      throwing.push(fromHex("0001 48 0001 48"), () => {
        throw new RangeError("listener failed");
      }),
    { name: "RangeError", message: "listener failed" },
  );
  assert.throws(() => throwing.push(fromHex("0001 48"), () => {}), {
    name: "TypeError",
  });
});

Deno.test("FrameReader.push() throws a TypeError when called from onFrame", () => {
  const reader = new FrameReader();
  assert.throws(
    () =>
      reader.push(
        fromHex("0001 48"),
        () => reader.push(fromHex("0001 48"), () => {}),
      ),
    { name: "TypeError" },
  );
});

Deno.test("FrameReader.readFrames() returns copies of the payloads", () => {
  const reader = new FrameReader();
  const chunk = WIRE.slice();
  const frames = reader.readFrames(chunk);
  assert.deepEqual(
    frames.map(({ type, payload }) => ({ type, payload: toHex(payload) })),
    FRAMES,
  );
  for (const frame of frames) {
    assert.notEqual(frame.payload.buffer, chunk.buffer);
  }
  chunk.fill(0);
  assert.equal(toHex(frames[3]!.payload), "68656c6c6f");
});

Deno.test("FrameReader() refuses a maxLength outside 1..65535", () => {
  for (const maxLength of [0, -1, 65536, 1.5, Number.NaN]) {
    assert.throws(() => new FrameReader({ maxLength }), {
      name: "RangeError",
      message: new RegExp(
        `maxLength must be an integer from 1 to 65535: current value is ${maxLength}$`,
      ),
    });
  }
  assert.equal(new FrameReader().maxLength, 65535);
  const tiny = new FrameReader({ maxLength: 1 });
  assert.deepEqual(tiny.readFrames(fromHex("0001 52")), [{
    type: 0x52,
    payload: new Uint8Array(0),
  }]);
  assert.throws(() => tiny.readFrames(fromHex("0002")), {
    name: "SoupBinTcpError",
  });
});

Deno.test("FrameReader.push() with decodeOutbound() reads a chunk of Sequenced Data", () => {
  const messages: OutboundMessage[] = [
    { type: "systemEvent", timestamp: 1, eventCode: "S" },
    {
      type: "orderExecuted",
      timestamp: 2,
      orderToken: 3,
      executedQuantity: 100,
      executionPrice: 23000,
      liquidityIndicator: "R",
      matchNumber: 4n,
    },
    {
      type: "orderRejected",
      timestamp: 5,
      orderToken: 6,
      orderRejectedReason: "Z",
    },
  ];
  const chunk = new Uint8Array(100);
  let at = 0;
  for (const msg of messages) at += encodeSequencedInto(msg, chunk, at);
  const decoded: OutboundMessage[] = [];
  const reader = new FrameReader();
  for (let i = 0; i < at; i += 7) {
    reader.push(chunk.subarray(i, Math.min(i + 7, at)), (type, payload) => {
      assert.equal(type, 0x53);
      decoded.push(decodeOutbound(payload));
    });
  }
  assert.deepEqual(decoded, messages);
});
