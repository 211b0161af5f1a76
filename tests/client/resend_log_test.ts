import assert from "node:assert/strict";
import { ResendLog } from "../../lib/client/resend_log.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

function copied(log: ResendLog): number[] {
  const output = new WriteBuffer();
  log.copyTo(output);
  return [...output.bytes.subarray(0, output.length)];
}

Deno.test("ResendLog settles everything up to the answered packet and keeps the rest in order", () => {
  const log = new ResendLog();
  const ends = [[1, 1], [2, 2, 2], [3], [4, 4]].map((packet) =>
    log.append(new Uint8Array(packet))
  );
  assert.deepEqual(ends, [2, 5, 6, 8]);
  assert.equal(log.pending, 8);
  assert.equal(log.packets, 4);
  log.settle(ends[1]!);
  assert.equal(log.packets, 2);
  assert.deepEqual(copied(log), [3, 4, 4]);
  log.settle(ends[0]!); // an earlier answer changes nothing
  assert.deepEqual(copied(log), [3, 4, 4]);
  log.settle(ends[3]!);
  assert.equal(log.pending, 0);
  assert.deepEqual(copied(log), []);
});

Deno.test("ResendLog keeps what is unanswered across compaction and growth", () => {
  const log = new ResendLog();
  const packet = (n: number) => new Uint8Array(51).fill(n & 0xff);
  let end = 0;
  // 10,000 packets of 51 bytes, answered up to 100 behind: the log stays small.
  const ends: number[] = [];
  for (let i = 0; i < 10_000; i++) {
    ends.push(log.append(packet(i)));
    if (i >= 100) log.settle(ends[i - 100]!);
    end = ends[i]!;
  }
  assert.equal(end, 510_000);
  assert.equal(log.pending, 100 * 51);
  assert.equal(log.packets, 100);
  const bytes = copied(log);
  assert.equal(bytes.length, 100 * 51);
  for (let k = 0; k < 100; k++) {
    assert.equal(bytes[k * 51], (9_900 + k) & 0xff);
  }
  // 10,000 unanswered packets: the log grows and keeps every byte.
  const big = new ResendLog();
  for (let i = 0; i < 10_000; i++) big.append(packet(i));
  const all = copied(big);
  assert.equal(all.length, 510_000);
  assert.equal(all[51 * 9_999], 9_999 & 0xff);
});
