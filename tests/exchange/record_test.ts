import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkFrame,
  checkRecords,
  type Command,
  crc32,
  type DayConfig,
  decodeRecords,
  encodeRecords,
  forEachMessage,
  type OutputRecord,
  RecordBatch,
  RecordError,
  RecordWriter,
} from "../../lib/exchange/mod.ts";
import type { MarketEvent } from "../../lib/matcher/mod.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

const account = fc.integer({ min: 0, max: 0x7fffffff });
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const uint64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const ascii = (max: number) =>
  fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{1,${max}}$`));
const orderbookId = ascii(8);
const side = fc.constantFrom("B" as const, "S" as const);
const json = fc.dictionary(
  fc.string({ maxLength: 6 }),
  fc.oneof(
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant(null),
  ),
  { maxKeys: 4 },
);

const day: fc.Arbitrary<DayConfig> = fc.record({
  session: ascii(10),
  tradingDate: fc.stringMatching(/^\d{8}$/),
  created: fc.integer({ min: 0, max: 2 ** 40 }),
  version: fc.constantFrom("1.11" as const, "1.12" as const),
  orderbooks: fc.array(orderbookId, { maxLength: 4 }),
  open: fc.boolean(),
  halted: fc.array(orderbookId, { maxLength: 2 }),
  matcher: json,
});

const command: fc.Arbitrary<Command> = fc.oneof(
  day.map((day) => ({ type: "startDay", day }) as const),
  fc.constant({ type: "restart" } as const),
  fc.record({
    type: fc.constant("account" as const),
    account,
    name: ascii(20),
    config: json,
  }),
  fc.record({
    type: fc.constant("message" as const),
    account,
    origin: fc.constantFrom("session" as const, "web" as const),
    message: fc.uint8Array({ minLength: 1, maxLength: 80 }),
  }),
  fc.record({
    type: fc.constant("sessionStart" as const),
    account,
    host: ascii(30),
  }),
  fc.record({
    type: fc.constant("sessionEnd" as const),
    account,
    host: ascii(30),
    cancel: fc.boolean(),
  }),
  fc.constantFrom(
    { type: "open" } as const,
    { type: "close" } as const,
    { type: "endDay" } as const,
  ),
  fc.record({
    type: fc.constantFrom("halt" as const, "resume" as const),
    orderbookId,
  }),
  fc.record({ type: fc.constant("cancelAccount" as const), account }),
);

type Untimed<T> = T extends unknown ? Omit<T, "timestamp"> : never;

const event: fc.Arbitrary<Untimed<MarketEvent>> = fc.oneof(
  fc.record({
    type: fc.constantFrom("bookAdd" as const, "bookDelete" as const),
    orderbookId,
    orderNumber: uint64,
    side,
    price: uint32,
    quantity: uint32,
    account,
  }),
  fc.record({
    type: fc.constant("bookExecute" as const),
    orderbookId,
    orderNumber: uint64,
    side,
    price: uint32,
    quantity: uint32,
    remaining: uint32,
    matchNumber: uint64,
    restingAccount: account,
    incomingAccount: account,
    incomingOrderNumber: uint64,
  }),
  fc.record({
    type: fc.constant("bookReplace" as const),
    orderbookId,
    originalOrderNumber: uint64,
    orderNumber: uint64,
    side,
    oldPrice: uint32,
    oldQuantity: uint32,
    price: uint32,
    quantity: uint32,
    account,
    keepsPriority: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("tradingState" as const),
    orderbookId,
    halted: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("shortSellState" as const),
    orderbookId,
    restricted: fc.boolean(),
  }),
  fc.record({ type: fc.constant("marketState" as const), open: fc.boolean() }),
);

const record: fc.Arbitrary<OutputRecord> = fc.record({
  timestamp: fc.maxSafeNat(),
  command,
  messages: fc.array(
    fc.record({
      account,
      sequenceNumber: fc.integer({ min: 1, max: 0xffffffff }),
      message: fc.uint8Array({ minLength: 1, maxLength: 70 }),
    }),
    { maxLength: 5 },
  ),
  events: fc.array(event, { maxLength: 5 }),
}).map((r) =>
  // Plain objects (fast-check's records have no prototype), events at the record's time.
  structuredClone({
    ...r,
    events: r.events.map((e) =>
      ({ ...e, timestamp: r.timestamp }) as MarketEvent
    ),
  })
);

Deno.test("encodeRecords() and decodeRecords() round-trip any records", () => {
  fc.assert(
    fc.property(fc.array(record, { maxLength: 4 }), (records) => {
      const bytes = encodeRecords(records);
      assert.deepEqual(decodeRecords(bytes), records);
      const batch = new RecordBatch(bytes);
      assert.deepEqual(batch.events, records.flatMap((r) => r.events));
      const visited: unknown[] = [];
      forEachMessage(
        bytes,
        (account, sequenceNumber, b, start, end) =>
          visited.push({
            account,
            sequenceNumber,
            message: b.slice(start, end),
          }),
      );
      assert.deepEqual(visited, records.flatMap((r) => r.messages));
    }),
    { numRuns: 300 },
  );
});

Deno.test("checkRecords(), RecordBatch.events and RecordBatch.recordsOf() without decoding every record agree with decodeRecords()", () => {
  const types: Command["type"][] = ["account", "message", "open", "halt"];
  fc.assert(
    fc.property(fc.array(record, { maxLength: 4 }), (records) => {
      const bytes = encodeRecords(records);
      checkRecords(bytes);
      const fresh = new RecordBatch(bytes, undefined, true);
      assert.deepEqual(fresh.events, records.flatMap((r) => r.events));
      for (const type of types) {
        const expected = records.filter((r) => r.command.type === type);
        assert.deepEqual(new RecordBatch(bytes).recordsOf(type), expected);
        const decoded = new RecordBatch(bytes);
        void decoded.records;
        assert.deepEqual(decoded.recordsOf(type), expected);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("checkRecords() refuses what decodeRecords() refuses in the frames and OUCH message items", () => {
  const good = encodeRecords([{
    timestamp: 9,
    command: { type: "open" },
    messages: [{
      account: 4,
      sequenceNumber: 7,
      message: new Uint8Array([0x53, 1]),
    }],
    events: [],
  }]);
  /** `good` with body bytes changed and the CRC made right again. */
  const changed = (at: number, bytes: number[]) => {
    const copy = good.slice();
    copy.set(bytes, at);
    new DataView(copy.buffer).setUint32(
      copy.length - 4,
      crc32(copy, 4, copy.length - 4),
    );
    return copy;
  };
  checkRecords(good);
  // Body: kind at 4, timestamp 5..12, command length 13..16 (0), count 17..20, then the
  // item: tag 21, length 22..23, account 24..27, sequence number 28..31, message 32..33.
  const cases: [Uint8Array, RegExp][] = [
    [good.subarray(0, good.length - 1), /cut short|declared/],
    [changed(4, [0x21]), /command kind "!" \(0x21\) is unknown/],
    [changed(5, [0x00, 0x20]), /timestamp is beyond 2\^53/],
    [changed(13, [0, 0, 0, 40]), /command runs past its end/],
    [changed(17, [0, 0, 0, 2]), /item 1 is cut short/],
    [changed(22, [0, 40]), /item 0 runs past its end/],
    [changed(22, [0, 9]), /left over/],
    [changed(22, [0, 8]), /message item 0 holds no message/],
    [changed(24, [0x80, 0, 0, 0]), /account id 2147483648 is beyond/],
    [changed(28, [0, 0, 0, 0]), /message item 0 has sequence number 0/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => checkRecords(bytes),
      (error: unknown) =>
        error instanceof RecordError && message.test(error.message),
      String(message),
    );
    assert.throws(() => decodeRecords(bytes), RecordError, String(message));
  }
});

Deno.test("decodeRecords() refuses every change to a record's body with a RecordError, or reads another valid record", () => {
  fc.assert(
    fc.property(
      record,
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      (original, position, value) => {
        const bytes = encodeRecords([original]);
        const at = 4 + (position % (bytes.length - 8));
        bytes[at] = value;
        // Sign the change, so that the body's own checks are what is tested.
        new DataView(bytes.buffer).setUint32(
          bytes.length - 4,
          crc32(bytes, 4, bytes.length - 4),
        );
        try {
          decodeRecords(bytes);
        } catch (error) {
          assert.ok(error instanceof RecordError, String(error));
        }
      },
    ),
    { numRuns: 2000 },
  );
});

/** Frames a body as a record: length, body, CRC. */
function frame(...parts: (number[] | Uint8Array)[]): Uint8Array {
  const body = new Uint8Array(parts.flatMap((part) => [...part]));
  const bytes = new Uint8Array(body.length + 8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, body.length);
  bytes.set(body, 4);
  view.setUint32(body.length + 4, crc32(body));
  return bytes;
}

const u32 = (value: number) => [
  value >>> 24,
  (value >>> 16) & 0xff,
  (value >>> 8) & 0xff,
  value & 0xff,
];
const text = (value: string) => [...new TextEncoder().encode(value)];
const TIME = [0, 0, 0, 0, 0, 0, 0, 7];
/** A body: kind, timestamp, command, items. */
const body = (kind: string, cmd: number[], items: number[][] = []) => [
  kind.charCodeAt(0),
  ...TIME,
  ...u32(cmd.length),
  ...cmd,
  ...u32(items.length),
  ...items.flat(),
];
const item = (tag: string, payload: number[]) => [
  tag.charCodeAt(0),
  payload.length >> 8,
  payload.length & 0xff,
  ...payload,
];
const U64 = [0, 0, 0, 0, 0, 0, 0, 1];
const DAY_JSON = {
  format: "ouch-records-1",
  session: "S",
  tradingDate: "20261125",
  created: 1,
  version: "1.12",
  orderbooks: ["1"],
  open: true,
  halted: [],
  matcher: {},
};

Deno.test("decodeRecords() refuses each kind of malformed record with a RecordError naming it", () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["a frame cut short", new Uint8Array([0, 0, 0]), /cut short of a frame/],
    [
      "a length beyond the bytes",
      frame(body("O", [])).subarray(0, 20),
      /bytes declared/,
    ],
    [
      "a bad CRC",
      frame(body("O", [])).map((b, i, a) => i === a.length - 1 ? b ^ 1 : b),
      /CRC check fails/,
    ],
    ["an unknown command kind", frame(body("Z", [])), /command kind "Z"/],
    [
      "a command with bytes left over",
      frame(body("O", [1])),
      /the command has 1 bytes left over/,
    ],
    [
      "a message command cut short",
      frame(body("M", [0, 0, 1])),
      /an account id needs 4 bytes, 3 are left/,
    ],
    [
      "an unknown message origin",
      frame(body("M", [...u32(1), 0x58, 0x58])),
      /message origin "X"/,
    ],
    [
      "an empty inbound message",
      frame(body("M", [...u32(1), 0x53])),
      /the message is empty/,
    ],
    [
      "an account id beyond 2^31 - 1",
      frame(body("K", u32(0x80000000))),
      /account id 2147483648 is beyond/,
    ],
    [
      "a flag other than 0 or 1",
      frame(body("X", [...u32(1), 2, ...text("h")])),
      /the cancel flag is 2/,
    ],
    [
      "an empty host",
      frame(body("I", u32(1))),
      /host is empty/,
    ],
    [
      "a control character in an orderbook id",
      frame(body("H", [0x31, 0x0a])),
      /orderbook id holds the byte 0x0a/,
    ],
    [
      "an account configuration that is not JSON",
      frame(body("A", [...u32(0), 1, 0x61, ...text("{")])),
      /account configuration is not valid JSON/,
    ],
    [
      "an account configuration that is not an object",
      frame(body("A", [...u32(0), 1, 0x61, ...text("[1]")])),
      /not a JSON object/,
    ],
    [
      "a day of another format",
      frame(body("D", text(JSON.stringify({ ...DAY_JSON, format: "v0" })))),
      /format is "v0", not "ouch-records-1"/,
    ],
    [
      "a day without its orderbooks",
      frame(
        body("D", text(JSON.stringify({ ...DAY_JSON, orderbooks: "1" }))),
      ),
      /"orderbooks" must be a list of strings/,
    ],
    [
      "a day with another version",
      frame(body("D", text(JSON.stringify({ ...DAY_JSON, version: "2" })))),
      /"version" must be "1.11" or "1.12"/,
    ],
    [
      "an unknown item tag",
      frame(body("O", [], [item("Q", [1])])),
      /item 0 has the unknown tag "Q"/,
    ],
    [
      "an item longer than the record",
      frame([...body("O", []).slice(0, -4), ...u32(1), 0x6d, 0, 50, 1]),
      /item 0 needs 50 bytes, 1 are left/,
    ],
    [
      "a message item with sequence number 0",
      frame(body("O", [], [item("m", [...u32(1), ...u32(0), 0x53])])),
      /sequence number 0/,
    ],
    [
      "a message item without a message",
      frame(body("O", [], [item("m", [...u32(1), ...u32(1)])])),
      /holds no message/,
    ],
    [
      "an event with a side other than B or S",
      frame(
        body("O", [], [
          item("A", [...u32(0), ...U64, 0x54, ...u32(1), ...u32(1), 0x31]),
        ]),
      ),
      /side "T" \(0x54\) is neither "B" nor "S"/,
    ],
    [
      "an event without its orderbook",
      frame(body("O", [], [item("H", [1])])),
      /the orderbook id is empty/,
    ],
    [
      "a market state event with bytes left over",
      frame(body("O", [], [item("S", [1, 0])])),
      /the marketState item has 1 bytes left over/,
    ],
    [
      "a timestamp beyond 2^53",
      frame([0x4f, 0xff, 0, 0, 0, 0, 0, 0, 0, ...u32(0), ...u32(0)]),
      /the timestamp is beyond 2\^53/,
    ],
    [
      "bytes after the items",
      frame([...body("O", []), 9]),
      /the record has 1 bytes left over/,
    ],
  ];
  for (const [what, bytes, message] of cases) {
    assert.throws(() => decodeRecords(bytes), (error: unknown) => {
      assert.ok(error instanceof RecordError, `${what}: ${error}`);
      assert.match(error.message, message, what);
      assert.equal(error.offset, 0, what);
      return true;
    });
  }
  // The offset names the record.
  const second = new Uint8Array([
    ...frame(body("O", [])),
    ...frame(body("Z", [])),
  ]);
  assert.throws(() => decodeRecords(second), {
    name: "RecordError",
    message: /record at byte 25: command kind "Z"/,
  });
  assert.equal(checkFrame(second, 0), 25);
});

Deno.test("RecordWriter refuses values a record cannot hold, and abort() drops the record begun", () => {
  const output = new WriteBuffer();
  const writer = new RecordWriter(output);
  assert.throws(() => writer.begin(-1, { type: "open" }), {
    name: "RangeError",
    message: /timestamp of -1/,
  });
  assert.throws(
    () => writer.begin(1, { type: "cancelAccount", account: 2 ** 31 }),
    { name: "RangeError", message: /account id 2147483648/ },
  );
  writer.abort();
  writer.begin(1, { type: "halt", orderbookId: "7203" });
  assert.throws(() => writer.begin(1, { type: "open" }), {
    name: "RangeError",
    message: /before the last one ended/,
  });
  assert.throws(
    () =>
      writer.event({
        type: "tradingState",
        timestamp: 2,
        orderbookId: "7203",
        halted: true,
      }),
    { name: "RangeError", message: /at 2 in a record at 1/ },
  );
  assert.throws(
    () =>
      writer.event({
        type: "tradingState",
        timestamp: 1,
        orderbookId: "72\u00e903",
        halted: true,
      }),
    { name: "RangeError", message: /printable ASCII/ },
  );
  writer.abort();
  assert.equal(output.length, 0);
  writer.begin(3, { type: "close" });
  writer.end();
  assert.deepEqual(decodeRecords(output.take()!), [
    { timestamp: 3, command: { type: "close" }, messages: [], events: [] },
  ]);
});

Deno.test("RecordBatch tells a batch that starts a day and one that ends it", () => {
  const start = encodeRecords([{
    timestamp: 0,
    command: {
      type: "startDay",
      day: { ...DAY_JSON, version: "1.12" } as unknown as DayConfig,
    },
    messages: [],
    events: [],
  }]);
  const startDay = new RecordBatch(start).startsDay;
  assert.equal(startDay?.session, "S");
  const end = encodeRecords([
    { timestamp: 1, command: { type: "close" }, messages: [], events: [] },
    { timestamp: 2, command: { type: "endDay" }, messages: [], events: [] },
  ]);
  assert.equal(new RecordBatch(end).endsDay, true);
  assert.equal(new RecordBatch(end).startsDay, undefined);
  assert.equal(new RecordBatch(start).endsDay, false);
});

Deno.test("crc32() matches the IEEE check values and the bitwise definition over any range", () => {
  assert.equal(crc32(new Uint8Array()), 0);
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new TextEncoder().encode("a")), 0xe8b7be43);
  const bitwise = (bytes: Uint8Array) => {
    let c = 0xffffffff;
    for (const byte of bytes) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    return (c ^ 0xffffffff) >>> 0;
  };
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 100 }),
      fc.nat(),
      fc.nat(),
      (bytes, a, b) => {
        const start = a % (bytes.length + 1);
        const end = start + b % (bytes.length - start + 1);
        assert.equal(
          crc32(bytes, start, end),
          bitwise(bytes.subarray(start, end)),
        );
      },
    ),
  );
});

Deno.test("decodeRecords() and RecordBatch copy message bytes unless asked for views into the batch", () => {
  const bytes = encodeRecords([{
    timestamp: 1,
    command: { type: "close" },
    messages: [{
      account: 0,
      sequenceNumber: 1,
      message: Uint8Array.of(83, 67),
    }],
    events: [],
  }]);
  const copied = decodeRecords(bytes)[0]!.messages[0]!.message;
  const viewed = decodeRecords(bytes, true)[0]!.messages[0]!.message;
  assert.deepEqual([...copied], [83, 67]);
  assert.deepEqual([...viewed], [83, 67]);
  assert.notEqual(copied.buffer, bytes.buffer);
  assert.equal(viewed.buffer, bytes.buffer);
  const batch = new RecordBatch(bytes, undefined, true);
  assert.equal(batch.records[0]!.messages[0]!.message.buffer, bytes.buffer);
  assert.notEqual(
    new RecordBatch(bytes).records[0]!.messages[0]!.message.buffer,
    bytes.buffer,
  );
});
