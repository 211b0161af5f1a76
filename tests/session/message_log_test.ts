import assert from "node:assert/strict";
import { MessageLog } from "../../lib/session/message_log.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

function message(seq: number, length = 18): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes[0] = 0x43;
  bytes[1] = seq >> 8;
  bytes[2] = seq & 0xff;
  return bytes;
}

function packet(seq: number, length = 18): number[] {
  return [
    (length + 1) >> 8,
    (length + 1) & 0xff,
    0x53,
    ...message(seq, length),
  ];
}

Deno.test("MessageLog.append() numbers messages from 1 and message() returns them", () => {
  const log = new MessageLog();
  assert.equal(log.nextSequenceNumber, 1);
  assert.equal(log.append(message(1)), 1);
  assert.equal(log.append(message(2, 30)), 2);
  assert.equal(log.length, 2);
  assert.deepEqual(log.message(1), message(1));
  assert.deepEqual(log.message(2), message(2, 30));
  assert.throws(() => log.message(0), {
    name: "RangeError",
    message: /holds 1 to 2/,
  });
  assert.throws(() => log.message(3), { name: "RangeError" });
});

Deno.test("MessageLog.copyTo() sends every message from a number, framed as Sequenced Data", () => {
  const log = new MessageLog();
  const output = new WriteBuffer();
  assert.equal(log.copyTo(1, output, 1 << 20), 1, "nothing appended yet");
  assert.equal(output.length, 0);
  log.append(message(1));
  log.append(message(2));
  assert.equal(log.copyTo(1, output, 1 << 20), 3);
  assert.deepEqual([...output.take()!], [...packet(1), ...packet(2)]);
  log.append(message(3));
  assert.equal(log.copyTo(3, output, 1 << 20), 4);
  assert.deepEqual([...output.take()!], packet(3));
  assert.equal(log.copyTo(4, output, 1 << 20), 4);
  assert.equal(output.length, 0);
});

Deno.test("MessageLog.appendFrom() stores a message from a range of bytes, short or long", () => {
  const log = new MessageLog();
  const bytes = new Uint8Array(200).map((_, i) => i);
  assert.equal(log.appendFrom(bytes, 10, 20), 1);
  assert.equal(log.appendFrom(bytes, 50, 150), 2);
  assert.deepEqual(log.message(1), bytes.subarray(10, 20));
  assert.deepEqual(log.message(2), bytes.subarray(50, 150));
});

Deno.test("MessageLog.copyTo() stops at the byte budget but always makes progress", () => {
  const log = new MessageLog();
  for (let i = 1; i <= 10; i++) log.append(message(i));
  const output = new WriteBuffer();
  // Each packet is 21 bytes: a budget of 50 fits two.
  assert.equal(log.copyTo(1, output, 50), 3);
  assert.equal(output.length, 42);
  // The budget is already used up: nothing more.
  assert.equal(log.copyTo(3, output, 50), 3);
  output.take();
  // A budget smaller than one packet still sends one.
  assert.equal(log.copyTo(3, output, 5), 4);
  assert.deepEqual([...output.take()!], packet(3));
});

Deno.test("MessageLog keeps messages across chunk boundaries intact and in order", () => {
  const log = new MessageLog();
  const count = 40_000; // 40,000 × 68 bytes spans three 1 MiB chunks
  for (let i = 1; i <= count; i++) {
    const at = log.reserve(65);
    log.chunk[at] = 0x41;
    log.chunk[at + 1] = i >> 16;
    log.chunk[at + 2] = (i >> 8) & 0xff;
    log.chunk[at + 3] = i & 0xff;
    assert.equal(log.commit(65), i);
  }
  const output = new WriteBuffer();
  const parts: Uint8Array[] = [];
  let next = 1;
  while (next <= count) {
    next = log.copyTo(next, output, 256 * 1024);
    parts.push(output.take()!.slice());
  }
  const bytes = new Uint8Array(
    parts.reduce((sum, part) => sum + part.length, 0),
  );
  parts.reduce((at, part) => (bytes.set(part, at), at + part.length), 0);
  assert.ok(parts.every((part) => part.length <= 256 * 1024));
  assert.equal(bytes.length, count * 68);
  for (const i of [1, 15_420, 15_421, 15_422, 30_841, 30_842, count]) {
    const at = (i - 1) * 68;
    assert.deepEqual(
      [...bytes.subarray(at, at + 6)],
      [0, 66, 0x53, 0x41, i >> 16, (i >> 8) & 0xff],
      `message ${i}`,
    );
    assert.equal(bytes[at + 6], i & 0xff);
    assert.equal(log.message(i)[3], i & 0xff);
  }
});

Deno.test("MessageLog.reserve() and commit() refuse impossible lengths", () => {
  const log = new MessageLog();
  assert.throws(() => log.reserve(0), {
    name: "RangeError",
    message: /1 to 65534/,
  });
  assert.throws(() => log.reserve(70_000), { name: "RangeError" });
  log.reserve(10);
  assert.throws(() => log.commit(11), {
    name: "RangeError",
    message: /10 bytes are reserved/,
  });
  assert.throws(() => new MessageLog().commit(1), { name: "RangeError" });
});
