// The generator writing each message in place into a log (FeedWriter: MessageLog,
// SpilledStream) against the messages the general encoder makes from the same events, and
// against the generator handing each message to an append sink.
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ChunkCache,
  CHUNKS_KEPT,
  SpilledStream,
} from "../../lib/exchange/spilled_stream.ts";
import { FeedGenerator } from "../../lib/itch/feed_generator.ts";
import { encodeItch } from "../../lib/itch/message.ts";
import type { ItchMessage, ItchVersion } from "../../lib/itch/messages.ts";
import type { MarketEvent } from "../../lib/matcher/market_event.ts";
import { MessageLog } from "../../lib/session/message_log.ts";
import { NINE, Recorder, REFERENCE } from "./_feed.ts";

const SECOND = 1_000_000_000;
const IDS = REFERENCE.orderbooks.map((book) => book.orderbookId);
const GROUPS = new Map(
  REFERENCE.orderbooks.map((book) => [book.orderbookId, book.group]),
);
const UINT32 = fc.integer({ min: 0, max: 0xffffffff });
const ORDER_NUMBER = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

/** The fields of an event about one order. */
const ORDER = {
  orderbookId: fc.constantFrom(...IDS),
  orderNumber: ORDER_NUMBER,
  side: fc.constantFrom("B", "S"),
  price: UINT32,
  quantity: UINT32,
  account: fc.nat(9),
};

/** An event of any type, without its timestamp. */
const EVENT: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ type: fc.constant("bookAdd"), ...ORDER }),
  fc.record({
    type: fc.constant("bookExecute"),
    ...ORDER,
    matchNumber: ORDER_NUMBER,
  }),
  fc.record({ type: fc.constant("bookDelete"), ...ORDER }),
  fc.record({
    type: fc.constant("bookReplace"),
    ...ORDER,
    originalOrderNumber: ORDER_NUMBER,
    oldPrice: UINT32,
    oldQuantity: UINT32,
    keepsPriority: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("tradingState"),
    orderbookId: fc.constantFrom(...IDS),
    halted: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("shortSellState"),
    orderbookId: fc.constantFrom(...IDS),
    restricted: fc.boolean(),
  }),
  fc.record({ type: fc.constant("marketState"), open: fc.boolean() }),
);

/** The gap to the next event: none, 1 ns, up to the next second's boundary exactly, more. */
const GAP = fc.oneof(
  fc.constant(0),
  fc.constant(1),
  fc.constant(-1), // to the next second's first nanosecond
  fc.constant(-2), // to the current second's last nanosecond
  fc.integer({ min: 0, max: 3 * SECOND }),
);

/** The events of `steps` with non-decreasing timestamps from `start`. */
function timed(
  start: number,
  steps: readonly [number, Record<string, unknown>][],
): MarketEvent[] {
  let timestamp = start;
  const events: MarketEvent[] = [];
  for (const [gap, event] of steps) {
    const second = timestamp - (timestamp % SECOND);
    if (gap === -1) timestamp = second + SECOND;
    else if (gap === -2) timestamp = second + SECOND - 1;
    else timestamp += gap;
    events.push({ ...event, timestamp } as unknown as MarketEvent);
  }
  return events;
}

const EVENTS = fc.tuple(
  fc.integer({ min: NINE, max: NINE + 5 * SECOND }),
  fc.array(fc.tuple(GAP, EVENT), { maxLength: 300 }),
).map(([start, steps]) => ({ start, events: timed(start, steps) }));

/** The ITCH messages of `events` by rules M4-M8 and §4.1, `T` before each new second. */
function expected(
  events: readonly MarketEvent[],
  seconds: number,
): ItchMessage[] {
  const out: ItchMessage[] = [];
  let latest = seconds;
  for (const event of events) {
    const second = Math.floor(event.timestamp / SECOND);
    if (second !== latest) {
      out.push({ type: "timestampSeconds", seconds: second });
      latest = second;
    }
    const nanoseconds = event.timestamp - second * SECOND;
    const system = (eventCode: "S" | "Q" | "M" | "E") =>
      out.push({ type: "systemEvent", nanoseconds, group: "", eventCode });
    switch (event.type) {
      case "bookAdd":
        out.push({
          type: "orderAdded",
          nanoseconds,
          orderNumber: event.orderNumber,
          side: event.side,
          quantity: event.quantity,
          orderbookId: event.orderbookId,
          group: GROUPS.get(event.orderbookId)!,
          price: event.price,
        });
        break;
      case "bookExecute":
        out.push({
          type: "orderExecuted",
          nanoseconds,
          orderNumber: event.orderNumber,
          executedQuantity: event.quantity,
          matchNumber: event.matchNumber,
        });
        break;
      case "bookDelete":
        out.push({
          type: "orderDeleted",
          nanoseconds,
          orderNumber: event.orderNumber,
        });
        break;
      case "bookReplace":
        out.push({
          type: "orderReplaced",
          nanoseconds,
          originalOrderNumber: event.originalOrderNumber,
          newOrderNumber: event.orderNumber,
          quantity: event.quantity,
          price: event.price,
        });
        break;
      case "tradingState":
      case "shortSellState": {
        const book = {
          nanoseconds,
          orderbookId: event.orderbookId,
          group: GROUPS.get(event.orderbookId)!,
        };
        out.push(
          event.type === "tradingState"
            ? {
              type: "tradingState",
              ...book,
              tradingState: event.halted ? "V" : "T",
            }
            : {
              type: "shortSellingState",
              ...book,
              shortSellingState: event.restricted ? "1" : "0",
            },
        );
        break;
      }
      case "marketState":
        if (event.open) {
          system("S");
          system("Q");
        } else {
          system("M");
          system("E");
        }
        break;
    }
  }
  return out;
}

function spilledStream() {
  const stored: Uint8Array[] = [];
  const stream = new SpilledStream(
    new ChunkCache({
      write: (chunk) => stored.push(chunk.slice()) - 1,
      read: (handle, into) => into.set(stored[handle]!),
    }, 2),
  );
  return { stream, stored };
}

/** Runs one day through an append sink, a MessageLog and a SpilledStream. */
function day(
  start: number,
  events: readonly MarketEvent[],
  version: ItchVersion,
) {
  const recorder = new Recorder(version);
  const log = new MessageLog();
  const { stream, stored } = spilledStream();
  const feeds = [recorder, log, stream].map((sink) =>
    new FeedGenerator(sink, REFERENCE, { version })
  );
  for (const feed of feeds) feed.startOfDay(start, { open: false });
  const startLength = recorder.messages.length;
  for (const event of events) {
    for (const feed of feeds) feed.marketEvent(event);
  }
  return { recorder, log, stream, stored, feeds, startLength };
}

/** Checks the three sinks hold the same messages, and the logs the same packets. */
function assertSame(
  recorder: Recorder,
  log: MessageLog,
  stream: SpilledStream,
  feeds: FeedGenerator[],
): void {
  const count = recorder.messages.length;
  assert.equal(log.length, count);
  assert.equal(stream.length, count);
  for (const feed of feeds) assert.equal(feed.sequenceNumber, count);
  for (let n = 1; n <= count; n++) {
    const message = recorder.messages[n - 1]!;
    assert.deepEqual(log.message(n), message, `message ${n} in MessageLog`);
    assert.deepEqual(stream.message(n), message, `message ${n} spilled`);
  }
  const packets = (from: MessageLog | SpilledStream) => {
    const runs: number[] = [];
    from.forEachPacketRun(1, count, (bytes, start, end) => {
      for (let i = start; i < end; i++) runs.push(bytes[i]!);
    });
    return runs;
  };
  const framed = recorder.messages.flatMap((m) => [
    (m.length + 1) >> 8,
    (m.length + 1) & 0xff,
    0x53,
    ...m,
  ]);
  assert.deepEqual(packets(log), framed);
  assert.deepEqual(packets(stream), framed);
}

for (const version of ["1.7", "1.6"] as const) {
  Deno.test(`FeedGenerator ${version} writes in place into a log the bytes the encoder makes of random events, T at every new second`, () => {
    fc.assert(
      fc.property(EVENTS, ({ start, events }) => {
        const { recorder, log, stream, feeds, startLength } = day(
          start,
          events,
          version,
        );
        const want = expected(events, Math.floor(start / SECOND));
        assert.deepEqual(
          recorder.messages.slice(startLength),
          want.map((m) => encodeItch(m, { version })),
        );
        assertSame(recorder, log, stream, feeds);
      }),
      { numRuns: 150 },
    );
  });
}

Deno.test("FeedGenerator writes a long day into a spilled log: the chunks on the store and in memory hold the same messages as the append sink's", () => {
  const steps = fc.sample(fc.tuple(GAP, EVENT), { numRuns: 30_000, seed: 42 });
  const events = timed(NINE, steps);
  const { recorder, log, stream, stored, feeds, startLength } = day(
    NINE,
    events,
    "1.7",
  );
  assert.ok(stored.length > CHUNKS_KEPT, `${stored.length} chunks stored`);
  assert.deepEqual(
    recorder.messages.slice(startLength),
    expected(events, NINE / SECOND).map((m) => encodeItch(m)),
  );
  assertSame(recorder, log, stream, feeds);
});

Deno.test("SpilledStream.reserve and commit refuse what does not fit a SoupBinTCP packet or the reservation", () => {
  const { stream } = spilledStream();
  assert.throws(() => stream.reserve(0), {
    name: "RangeError",
    message:
      "Cannot reserve a message of 0 bytes as it must be 1 to 65534 bytes",
  });
  assert.throws(() => stream.reserve(0xffff), {
    name: "RangeError",
    message:
      "Cannot reserve a message of 65535 bytes as it must be 1 to 65534 bytes",
  });
  assert.throws(() => stream.commit(1), {
    name: "RangeError",
    message: "Cannot commit a message of 1 bytes: -1 bytes are reserved",
  });
  const at = stream.reserve(2);
  assert.throws(() => stream.commit(3), {
    name: "RangeError",
    message: "Cannot commit a message of 3 bytes: 2 bytes are reserved",
  });
  stream.view.setUint8(at, 0x41);
  assert.equal(stream.commit(1), 1);
  assert.throws(() => stream.commit(1), /-1 bytes are reserved/);
  assert.deepEqual(stream.message(1), new Uint8Array([0x41]));
  assert.equal(stream.length, 1);
});

Deno.test("SpilledStream.reserve starts a chunk for a message that does not fit the one being filled, in place", () => {
  const { stream, stored } = spilledStream();
  const big = 40_000;
  for (let i = 0; i < 8; i++) {
    const at = stream.reserve(big);
    assert.equal(at, 3, "each message starts a chunk");
    stream.chunk.fill(0x41 + i, at, at + big);
    assert.equal(stream.commit(big), i + 1);
  }
  assert.equal(stored.length, 8 - CHUNKS_KEPT);
  for (let n = 1; n <= 8; n++) {
    const message = stream.message(n);
    assert.equal(message.length, big);
    assert.ok(message.every((byte) => byte === 0x40 + n), `message ${n}`);
  }
});
