import assert from "node:assert/strict";
import {
  JournalReader,
  readJournal,
} from "../../lib/exchange/journal_reader.ts";
import {
  crc32,
  type DayConfig,
  decodeRecords,
  encodeRecords,
  type OutputRecord,
} from "../../lib/exchange/record.ts";

const DAY: DayConfig = {
  session: "2026112501",
  tradingDate: "20261125",
  created: 1795564800,
  version: "1.12",
  orderbooks: ["1", "7203"],
  open: true,
  halted: ["7203"],
  matcher: {},
};

const RECORDS: OutputRecord[] = [
  {
    timestamp: 0,
    command: { type: "startDay", day: DAY },
    messages: [],
    events: [{
      type: "tradingState",
      timestamp: 0,
      orderbookId: "7203",
      halted: true,
    }],
  },
  {
    timestamp: 0,
    command: { type: "account", account: 0, name: "alice", config: {} },
    messages: [],
    events: [],
  },
  {
    timestamp: 1_000_000_000_123,
    command: {
      type: "message",
      account: 0,
      origin: "session",
      message: new Uint8Array([0x58, 0, 0, 0, 1, 0, 0, 0, 0]),
    },
    messages: [{
      account: 0,
      sequenceNumber: 1,
      message: new Uint8Array([0x43, 1, 2, 3]),
    }],
    events: [],
  },
  {
    timestamp: 5,
    command: { type: "open" },
    messages: [{
      account: 0,
      sequenceNumber: 2,
      message: new Uint8Array([0x53, 9]),
    }],
    events: [],
  },
  {
    timestamp: 7,
    command: { type: "cancelAccount", account: 0 },
    messages: [],
    events: [],
  },
];

function sample(): Uint8Array {
  return encodeRecords(RECORDS);
}

Deno.test("readJournal() reads back every record, the day's start first", () => {
  const bytes = sample();
  const journal = readJournal(bytes);
  assert.equal(journal.tornTail, undefined);
  assert.equal(journal.validLength, bytes.length);
  assert.deepEqual(journal.day, DAY);
  assert.deepEqual(
    journal.records.flatMap((record) => decodeRecords(record)),
    RECORDS,
  );
});

Deno.test("readJournal() cuts a torn last record at every possible length", () => {
  const bytes = sample();
  const whole = readJournal(bytes);
  const lastStart = whole.validLength - whole.records.at(-1)!.length;
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
  assert.ok(
    at <
      readJournal(bytes).validLength -
        readJournal(bytes).records.at(-1)!.length,
  );
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
  torn.set([0, 0, 0, 50, 0x4f, 1], boundary);
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
    { name: "JournalError" },
  );
  assert.throws(() => readJournal(new Uint8Array([0, 0])), {
    name: "JournalError",
    message: /the journal is empty/,
  });
  // A well-framed record that does not start a day.
  assert.throws(() => readJournal(encodeRecords(RECORDS.slice(1))), {
    name: "JournalError",
    message: /does not start a trading day/,
  });
  // A start of day written by another format.
  const other = encodeRecords([RECORDS[0]!]);
  const text = new TextDecoder().decode(other);
  const at = text.indexOf("ouch-records-1");
  const changed = other.slice();
  changed[at + 13] = 0x39; // "ouch-records-9"
  // Fix the CRC so that only the format is wrong.
  const body = changed.subarray(4, changed.length - 4);
  new DataView(changed.buffer).setUint32(changed.length - 4, crc32(body));
  assert.throws(() => readJournal(changed), {
    name: "JournalError",
    message: /format is "ouch-records-9", not "ouch-records-1"/,
  });
});

Deno.test("JournalReader({ keep: false }) counts and visits every record, keeping none", () => {
  const bytes = encodeRecords(RECORDS);
  const first = new Uint8Array(bytes.length + 64);
  first.set(bytes);
  const visited: Uint8Array[] = [];
  const reader = new JournalReader({ keep: false });
  reader.read(first, { last: false, visit: (record) => visited.push(record) });
  reader.read(bytes.subarray(0, 0), { last: true });
  assert.equal(reader.count, RECORDS.length);
  assert.deepEqual(reader.records, []);
  assert.equal(reader.day?.session, "2026112501");
  assert.deepEqual(visited.flatMap((record) => decodeRecords(record)), RECORDS);
});
