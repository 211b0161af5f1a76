import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CHUNK_BYTES,
  ChunkCache,
  CHUNKS_KEPT,
  SpilledStream,
} from "../../lib/exchange/spilled_stream.ts";
import { MessageLog } from "../../lib/session/message_log.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";
import { enter, testExchange } from "../server/_harness.ts";

function memoryStore() {
  const stored: Uint8Array[] = [];
  let reads = 0;
  const cache = new ChunkCache({
    write: (chunk) => stored.push(chunk.slice()) - 1,
    read: (handle, into) => {
      reads++;
      into.set(stored[handle]!);
    },
  }, 2);
  return { stored, cache, reads: () => reads };
}

Deno.test("SpilledStream serves the same packets and messages as MessageLog, from memory and from the store", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 3000 }), {
        minLength: 1,
        maxLength: 400,
      }),
      fc.array(
        fc.record({
          from: fc.nat(500),
          max: fc.integer({ min: 1, max: 9000 }),
        }),
        { maxLength: 30 },
      ),
      (lengths, reads) => {
        const { cache } = memoryStore();
        const spilled = new SpilledStream(cache);
        const log = new MessageLog();
        lengths.forEach((length, i) => {
          const message = new Uint8Array(length).fill(i % 251);
          message[0] = 0x41 + (i % 20);
          assert.equal(spilled.append(message), log.append(message));
        });
        assert.equal(spilled.length, log.length);
        for (let n = 1; n <= log.length; n++) {
          assert.deepEqual(spilled.message(n), log.message(n));
        }
        for (const { from, max } of reads) {
          const a = new WriteBuffer();
          const b = new WriteBuffer();
          assert.equal(
            spilled.copyTo(from, a, max),
            log.copyTo(from, b, max),
          );
          assert.deepEqual(
            a.bytes.slice(0, a.length),
            b.bytes.slice(0, b.length),
          );
        }
        // A whole replay, pump after pump, as a session does.
        const a = new WriteBuffer();
        const b = new WriteBuffer();
        let x = 1;
        let y = 1;
        while (x <= log.length) {
          x = spilled.copyTo(x, a, a.length + 4096);
          y = log.copyTo(y, b, b.length + 4096);
          assert.equal(x, y);
        }
        assert.deepEqual(
          a.bytes.slice(0, a.length),
          b.bytes.slice(0, b.length),
        );
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("SpilledStream keeps only its newest chunks in memory", () => {
  const { stored, cache, reads } = memoryStore();
  const stream = new SpilledStream(cache);
  const message = new Uint8Array(997).fill(0x45);
  const count = 1000; // about 1 MB: 16 chunks of 64 KiB
  for (let i = 0; i < count; i++) stream.append(message);
  const chunks = Math.ceil(
    count * 1000 / Math.floor(CHUNK_BYTES / 1000) / 1000,
  );
  assert.equal(stored.length, chunks - CHUNKS_KEPT);
  assert.equal(reads(), 0);
  // The newest messages are served without reading the store; the first ones read it.
  stream.message(count);
  assert.equal(reads(), 0);
  stream.message(1);
  assert.equal(reads(), 1);
  stream.message(2);
  assert.equal(reads(), 1, "cached");
  assert.throws(() => stream.message(count + 1), {
    name: "RangeError",
    message: `Cannot read message ${count + 1}: the log holds 1 to ${count}`,
  });
  assert.throws(() => stream.append(new Uint8Array(0)), {
    name: "RangeError",
    message: /Cannot append a message of 0 bytes/,
  });
});

Deno.test("Exchange with a streamStore sends the same replay as one without, its old messages read back from the store", () => {
  const stored: Uint8Array[] = [];
  const store = {
    write: (chunk: Uint8Array) => stored.push(chunk.slice()) - 1,
    read: (handle: number, into: Uint8Array) => into.set(stored[handle]!),
  };
  const exchanges = [
    testExchange({ schedule: (task) => task(), streamStore: store }),
    testExchange({ schedule: (task) => task() }),
  ];
  for (const ex of exchanges) {
    for (let token = 1; token <= 6000; token++) {
      ex.submit(
        "alice",
        enter(token, {
          buySellIndicator: token % 2 === 0 ? "B" : "S",
          price: 23000 + (token % 7),
        }),
        token,
      );
    }
  }
  assert.ok(stored.length > 0, "chunks went to the store");
  const [disk, memory] = exchanges.map((ex) => {
    const stream = ex.stream("alice")!;
    const out = new WriteBuffer();
    let next = 1;
    while (next <= stream.length) {
      next = stream.copyTo(next, out, out.length + 1400);
    }
    return out.bytes.slice(0, out.length);
  });
  assert.ok(memory!.length > 6000 * 30);
  assert.deepEqual(disk, memory);
});
