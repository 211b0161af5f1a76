import assert from "node:assert/strict";
import {
  crc32,
  JournalEncoder,
  type JournalHeader,
  JournalReader,
  readJournal,
} from "../../lib/server/journal_format.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

const HEADER: JournalHeader = {
  type: "header",
  session: "2026112501",
  created: "2026-11-25T00:00:00.000Z",
  version: "1.12",
  orderbooks: ["1", "7203"],
  open: true,
  halted: ["7203"],
};

function sample(): Uint8Array {
  const output = new WriteBuffer();
  const encoder = new JournalEncoder(output);
  encoder.header(HEADER);
  encoder.account("alice");
  encoder.account("bob");
  encoder.beginMessage(
    1_000_000_000_123,
    "bob",
    new Uint8Array([0x58, 0, 0, 0, 1, 0, 0, 0, 0]),
  );
  const message = new Uint8Array([0xff, 0x43, 1, 2, 3, 0xff]);
  encoder.output("bob", message, 1, 4);
  encoder.end();
  encoder.beginControl(5, { type: "open" });
  encoder.output(null, new Uint8Array([0x53, 9]), 0, 2);
  encoder.end();
  encoder.beginControl(6, { type: "halt", orderbookId: "1" });
  encoder.end();
  encoder.beginControl(6, {
    type: "shortSell",
    orderbookId: "7203",
    restricted: true,
  });
  encoder.end();
  encoder.beginControl(6, {
    type: "shortSell",
    orderbookId: "1",
    restricted: false,
  });
  encoder.end();
  encoder.beginControl(7, {
    type: "cancelAccount",
    account: "carol",
    reason: "S",
  });
  encoder.end();
  return output.take()!.slice();
}

Deno.test("crc32() matches the IEEE check values", () => {
  assert.equal(crc32(new Uint8Array()), 0);
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new TextEncoder().encode("a")), 0xe8b7be43);
});

Deno.test("readJournal() reads back every record the encoder wrote", () => {
  const bytes = sample();
  const journal = readJournal(bytes);
  assert.equal(journal.tornTail, undefined);
  assert.equal(journal.validLength, bytes.length);
  assert.deepEqual(journal.records, [
    HEADER,
    { type: "account", account: "alice" },
    { type: "account", account: "bob" },
    {
      type: "message",
      timestamp: 1_000_000_000_123,
      account: "bob",
      message: new Uint8Array([0x58, 0, 0, 0, 1, 0, 0, 0, 0]),
      outputs: [{ account: "bob", message: new Uint8Array([0x43, 1, 2, 3]) }],
    },
    {
      type: "control",
      timestamp: 5,
      action: { type: "open" },
      outputs: [{ account: null, message: new Uint8Array([0x53, 9]) }],
    },
    {
      type: "control",
      timestamp: 6,
      action: { type: "halt", orderbookId: "1" },
      outputs: [],
    },
    {
      type: "control",
      timestamp: 6,
      action: { type: "shortSell", orderbookId: "7203", restricted: true },
      outputs: [],
    },
    {
      type: "control",
      timestamp: 6,
      action: { type: "shortSell", orderbookId: "1", restricted: false },
      outputs: [],
    },
    // The cancel names an account first seen there: an account record comes first.
    { type: "account", account: "carol" },
    {
      type: "control",
      timestamp: 7,
      action: { type: "cancelAccount", account: "carol", reason: "S" },
      outputs: [],
    },
  ]);
});

Deno.test("readJournal() cuts a torn last record at every possible length", () => {
  const bytes = sample();
  const whole = readJournal(bytes);
  const lastStart = whole.validLength - (4 + 1 + 8 + 1 + 2 + 1 + 4 + 4);
  for (let cut = lastStart + 1; cut < bytes.length; cut++) {
    const journal = readJournal(bytes.subarray(0, cut));
    assert.equal(journal.validLength, lastStart, `cut at ${cut}`);
    assert.equal(journal.records.length, whole.records.length - 1);
    if (bytes.subarray(lastStart, cut).every((byte) => byte === 0)) {
      // Only the zero high bytes of the length: the same as preallocated padding.
      assert.equal(journal.tornTail, undefined, `cut at ${cut}`);
    } else {
      assert.match(journal.tornTail!, /cut short/, `cut at ${cut}`);
    }
  }
});

Deno.test("readJournal() treats a bad CRC on the last record as torn, and elsewhere as corruption", () => {
  const bytes = sample();
  const last = bytes.slice();
  last[last.length - 6] = last[last.length - 6]! ^ 0xff;
  const journal = readJournal(last);
  assert.match(journal.tornTail!, /fails its CRC/);
  assert.equal(journal.records.length, readJournal(bytes).records.length - 1);

  const middle = bytes.slice();
  const at = readJournal(bytes).validLength - 60;
  middle[at] = middle[at]! ^ 0x01;
  assert.throws(() => readJournal(middle), {
    name: "JournalError",
    message: /CRC check fails and records follow/,
  });
});

Deno.test("JournalReader.read() stops at the zeros of a preallocated segment and reads on in the next", () => {
  const bytes = sample();
  const whole = readJournal(bytes);
  const cut = whole.validLength - 40; // somewhere inside the records: find a record boundary
  let boundary = 0;
  while (true) {
    const length = new DataView(bytes.buffer).getUint32(boundary);
    if (boundary + 8 + length > cut) break;
    boundary += 8 + length;
  }
  const first = new Uint8Array(boundary + 1000); // preallocated: zeros after the data
  first.set(bytes.subarray(0, boundary));
  const second = new Uint8Array(bytes.length - boundary + 500);
  second.set(bytes.subarray(boundary));
  const reader = new JournalReader();
  assert.deepEqual(reader.read(first, { last: false }), {
    validLength: boundary,
    tornTail: undefined,
  });
  assert.deepEqual(reader.read(second, { last: true }), {
    validLength: bytes.length - boundary,
    tornTail: undefined,
  });
  assert.deepEqual(reader.records, whole.records);
  // A torn record in a segment that is not the last is corruption.
  const torn = first.slice(0, boundary + 6);
  torn.set([0, 0, 0, 50, 0x4d, 1], boundary);
  assert.throws(() => new JournalReader().read(torn, { last: false }), {
    name: "JournalError",
    message: /not the last/,
  });
  // Data after a zero length is corruption.
  const gap = first.slice();
  gap[boundary + 10] = 1;
  assert.throws(() => new JournalReader().read(gap, { last: true }), {
    name: "JournalError",
    message: /length is 0 and data follows/,
  });
});

Deno.test("readJournal() refuses a file that is not a journal", () => {
  assert.throws(
    () => readJournal(new TextEncoder().encode("hello world, not a journal")),
    {
      name: "JournalError",
    },
  );
  assert.throws(() => readJournal(new Uint8Array([0, 0])), {
    name: "JournalError",
    message: /header/,
  });
  // A well-framed record that is not a header.
  const output = new WriteBuffer();
  const encoder = new JournalEncoder(output);
  encoder.account("alice");
  assert.throws(() => readJournal(output.take()!), {
    name: "JournalError",
    message: /does not start with a header/,
  });
});

Deno.test("JournalEncoder.output() refuses an account it never recorded", () => {
  const encoder = new JournalEncoder(new WriteBuffer());
  encoder.header(HEADER);
  encoder.beginControl(1, { type: "open" });
  assert.throws(() => encoder.output("mallory", new Uint8Array([1]), 0, 1), {
    name: "RangeError",
    message: /unknown/,
  });
});
