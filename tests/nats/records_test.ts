import assert from "node:assert/strict";
import {
  decodeRecords,
  encodeRecords,
  splitRecords,
  venueNames,
} from "../../lib/nats/mod.ts";

Deno.test("encodeRecords() writes each record after its big-endian length", () => {
  const bytes = encodeRecords([
    new Uint8Array([0xaa, 0xbb]),
    new Uint8Array(0),
    new Uint8Array(256).fill(1),
  ]);
  assert.deepEqual([...bytes.subarray(0, 12)], [
    0,
    0,
    0,
    2,
    0xaa,
    0xbb,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  assert.deepEqual([...bytes.subarray(10, 14)], [0, 0, 1, 0]);
  assert.equal(bytes.length, 4 + 2 + 4 + 4 + 256);
});

Deno.test("decodeRecords() returns the records of a body at any offset in its buffer", () => {
  const body = encodeRecords([new Uint8Array([1]), new Uint8Array([2, 3])]);
  const shifted = new Uint8Array(body.length + 3);
  shifted.set(body, 3);
  const records = decodeRecords(shifted.subarray(3));
  assert.deepEqual(records.map((r) => [...r]), [[1], [2, 3]]);
  assert.deepEqual(decodeRecords(new Uint8Array(0)), []);
});

Deno.test("decodeRecords() rejects a cut length prefix and a record past the end", () => {
  assert.throws(() => decodeRecords(new Uint8Array([0, 0, 1])), {
    name: "SyntaxError",
    message: /length prefix needs 4 bytes: 3 bytes are left at offset 0/,
  });
  const body = encodeRecords([new Uint8Array([9]), new Uint8Array([1, 2, 3])]);
  assert.throws(() => decodeRecords(body.subarray(0, body.length - 1)), {
    name: "SyntaxError",
    message: /record at offset 5 needs 3 bytes: 2 bytes are left/,
  });
});

Deno.test("splitRecords() keeps each run within the bound and the order intact", () => {
  const records = [3, 10, 1, 1, 6, 0].map((n) => new Uint8Array(n).fill(n));
  const runs = splitRecords(records, 16);
  assert.deepEqual(runs.map((run) => run.map((r) => r.length)), [
    [3],
    [10],
    [1, 1],
    [6, 0],
  ]);
  assert.deepEqual(runs.flat(), records);
  assert.deepEqual(splitRecords([], 16), []);
  assert.throws(() => splitRecords([new Uint8Array(13)], 16), {
    name: "RangeError",
    message: /one record must fit in 16 bytes: it needs 17/,
  });
});

Deno.test("venueNames() derives every name from the prefix and rejects other characters", () => {
  assert.deepEqual(venueNames("t7"), {
    logStream: "T7_LOG",
    logSubject: "t7.log",
    commandStream: "T7_CMD",
    commandSubjectPrefix: "t7.cmd",
    leaseBucket: "t7_lease",
    snapshotBucket: "t7_snapshots",
  });
  assert.throws(() => venueNames("a.b"), {
    name: "RangeError",
    message: /prefix must be letters, digits or "_": current prefix is "a.b"/,
  });
  assert.throws(() => venueNames(""), { name: "RangeError" });
});
