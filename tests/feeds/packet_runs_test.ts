import assert from "node:assert/strict";
import {
  CHUNK_BYTES,
  ChunkCache,
  SpilledStream,
} from "../../lib/exchange/spilled_stream.ts";
import { MessageLog } from "../../lib/session/message_log.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

/** Message `n`: `length` bytes, the first two its number. */
function message(n: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length).fill(n & 0xff);
  bytes[0] = n >> 8;
  return bytes;
}

/** The SoupBinTCP Sequenced Data packets of messages, back to back. */
function packets(messages: Uint8Array[]): number[] {
  return messages.flatMap((m) => [
    (m.length + 1) >> 8,
    (m.length + 1) & 0xff,
    0x53,
    ...m,
  ]);
}

/** The runs `forEachPacketRun` gives, copied. */
function runsOf(
  log: Pick<SpilledStream, "forEachPacketRun">,
  from: number,
  to: number,
): number[][] {
  const runs: number[][] = [];
  log.forEachPacketRun(from, to, (bytes, start, end) => {
    runs.push([...bytes.subarray(start, end)]);
  });
  return runs;
}

function spilledStream(): { stream: SpilledStream; stored: Uint8Array[] } {
  const stored: Uint8Array[] = [];
  const cache = new ChunkCache({
    write: (chunk) => stored.push(chunk.slice()) - 1,
    read: (handle, into) => into.set(stored[handle]!),
  }, 2);
  return { stream: new SpilledStream(cache), stored };
}

Deno.test("SpilledStream.forEachPacketRun() gives one run per chunk, spilled chunks included, with exactly the packets asked", () => {
  const { stream, stored } = spilledStream();
  // 1,000-byte messages: 65 to a 64 KiB chunk; 600 of them fill 10 chunks, 6 spilled.
  const messages = Array.from({ length: 600 }, (_, i) => message(i + 1, 1000));
  for (const m of messages) stream.append(m);
  const perChunk = Math.floor(CHUNK_BYTES / 1003);
  assert.equal(perChunk, 65);
  assert.equal(stored.length, 6);
  // The whole log: ten runs, the first six from the store.
  const all = runsOf(stream, 1, 600);
  assert.equal(all.length, 10);
  assert.deepEqual(all.flat(), packets(messages));
  assert.deepEqual(all.map((run) => run.length / 1003), [
    ...Array(9).fill(65),
    600 - 9 * 65,
  ]);
  // Across one chunk boundary, starting and ending inside chunks (the first spilled).
  const across = runsOf(stream, 60, 70);
  assert.deepEqual(across.map((run) => run.length / 1003), [6, 5]);
  assert.deepEqual(across.flat(), packets(messages.slice(59, 70)));
  // Inside one chunk, then on from where it stopped, then back.
  assert.deepEqual(
    runsOf(stream, 400, 402).flat(),
    packets(messages.slice(399, 402)),
  );
  assert.deepEqual(runsOf(stream, 403, 403).flat(), packets([messages[402]!]));
  assert.deepEqual(runsOf(stream, 2, 3).flat(), packets(messages.slice(1, 3)));
  // The cursor it leaves serves the lookups after it.
  assert.deepEqual(stream.message(131), messages[130]);
  assert.deepEqual(stream.message(600), messages[599]);
  assert.deepEqual(runsOf(stream, 601, 600), []);
});

Deno.test("SpilledStream.forEachPacketRun() ends a run at the last message of a partly filled last chunk", () => {
  const { stream } = spilledStream();
  const messages = Array.from({ length: 70 }, (_, i) => message(i + 1, 1000));
  for (const m of messages.slice(0, 66)) stream.append(m);
  assert.deepEqual(
    runsOf(stream, 1, 66).flat(),
    packets(messages.slice(0, 66)),
  );
  for (const m of messages.slice(66)) stream.append(m);
  // The run of the last chunk grows as the stream does.
  assert.deepEqual(runsOf(stream, 67, 70), [packets(messages.slice(66, 70))]);
});

Deno.test("SpilledStream.forEachPacketRun() refuses a range outside the stream", () => {
  const { stream } = spilledStream();
  stream.append(message(1, 5));
  for (const [from, to] of [[0, 1], [1, 2], [3, 1]]) {
    assert.throws(
      () => stream.forEachPacketRun(from!, to!, () => {}),
      new RangeError(
        `Cannot read messages ${from} to ${to}: the log holds 1 to 1`,
      ),
    );
  }
});

Deno.test("MessageLog.forEachPacketRun() gives one run per 1 MiB chunk, with exactly the packets asked", () => {
  const log = new MessageLog();
  // 2,000-byte messages: 522 to a 1 MiB chunk; 1,100 of them span three chunks.
  const messages = Array.from({ length: 1100 }, (_, i) => message(i + 1, 2000));
  for (const m of messages) log.append(m);
  const all = runsOf(log, 1, 1100);
  assert.deepEqual(all.map((run) => run.length / 2003), [523, 523, 54]);
  assert.deepEqual(all.flat(), packets(messages));
  const across = runsOf(log, 500, 1050);
  assert.deepEqual(across.map((run) => run.length / 2003), [24, 523, 4]);
  assert.deepEqual(across.flat(), packets(messages.slice(499, 1050)));
  assert.deepEqual(runsOf(log, 7, 7), [packets([messages[6]!])]);
  assert.deepEqual(runsOf(log, 8, 7), []);
  assert.throws(
    () => log.forEachPacketRun(1, 1101, () => {}),
    new RangeError("Cannot read messages 1 to 1101: the log holds 1 to 1100"),
  );
});

Deno.test("SpilledStream: walks of forEachPacketRun and forEachMessage interleaved with copyTo and message() each read the right bytes", () => {
  const { stream } = spilledStream();
  const messages = Array.from(
    { length: 400 },
    (_, i) => message(i + 1, 300 + (i % 7)),
  );
  const output = new WriteBuffer(1 << 20);
  let copied = 1;
  let walked = 1;
  const runs: number[] = [];
  const seen: number[][] = [];
  for (let i = 0; i < messages.length; i += 13) {
    for (const m of messages.slice(i, i + 13)) stream.append(m);
    const last = stream.length;
    stream.forEachPacketRun(walked, last, (bytes, start, end) => {
      runs.push(...bytes.subarray(start, end));
    });
    stream.forEachMessage(walked, last, (bytes, start, end) => {
      seen.push([...bytes.subarray(start, end)]);
    });
    walked = last + 1;
    // The sessions' reader lags by a few messages, then catches up.
    copied = stream.copyTo(copied, output, 1 << 20);
    assert.deepEqual(
      stream.message(Math.max(1, last - 20)),
      messages[Math.max(1, last - 20) - 1],
    );
  }
  assert.deepEqual(new Uint8Array(runs), new Uint8Array(packets(messages)));
  assert.deepEqual(seen.map((m) => new Uint8Array(m)), messages);
  assert.equal(copied, 401);
  assert.deepEqual(
    output.bytes.subarray(0, output.length),
    new Uint8Array(packets(messages)),
  );
});
