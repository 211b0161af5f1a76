import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeMessage } from "../../lib/codec/mod.ts";
import type { InboundMessage } from "../../lib/codec/messages.ts";
import {
  Exchange,
  type ExchangeOptions,
  type SessionHandle,
  type SnapshotEvent,
  Snapshotter,
} from "../../lib/exchange/mod.ts";
import { readJournal } from "../../lib/exchange/journal_reader.ts";
import { decodeSnapshot, encodeSnapshot } from "../../lib/exchange/snapshot.ts";
import { enter, testExchange, USERS } from "../server/_harness.ts";

const NAMES = [...USERS.keys()];
/** carol's flow control makes the windows part of the state. */
const ACCOUNT_CONFIG = new Map([["carol", { limits: { throttle: 3 } }]]);

/** One step of a random day. */
type Step =
  | {
    kind: "enter";
    who: number;
    buy: boolean;
    price: number;
    qty: number;
    book: number;
  }
  | { kind: "replace"; who: number; back: number; price: number; qty: number }
  | { kind: "cancel"; who: number; back: number }
  | { kind: "login" | "logout" | "cancelAccount"; who: number }
  | { kind: "halt" | "resume" | "close" | "open"; book: number }
  | { kind: "ssr"; book: number; on: boolean }
  | { kind: "turn" };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant("enter" as const),
      who: fc.nat(2),
      buy: fc.boolean(),
      price: fc.integer({ min: 22990, max: 23010 }),
      qty: fc.integer({ min: 1, max: 5 }).map((n) => n * 100),
      book: fc.nat(1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      who: fc.nat(2),
      back: fc.nat(4),
      price: fc.integer({ min: 22990, max: 23010 }),
      qty: fc.integer({ min: 0, max: 5 }).map((n) => n * 100),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      who: fc.nat(2),
      back: fc.nat(4),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        "login" as const,
        "logout" as const,
        "cancelAccount" as const,
      ),
      who: fc.nat(2),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        "halt" as const,
        "resume" as const,
        "close" as const,
        "open" as const,
      ),
      book: fc.nat(1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("ssr" as const),
      book: fc.nat(1),
      on: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("turn" as const) }) },
);

/** Plays steps on an exchange; tokens per account go up by one per order. */
class Player {
  readonly tokens = NAMES.map(() => 0);
  readonly handles: (SessionHandle | undefined)[] = NAMES.map(() => undefined);
  time = 1_000;
  constructor(readonly ex: Exchange) {}

  play(s: Step): void {
    const ex = this.ex;
    const t = this.time += 1_000_000;
    const send = (who: number, message: InboundMessage) => {
      const handle = this.handles[who];
      if (handle === undefined) ex.submit(NAMES[who]!, message, t);
      else ex.handleMessage(handle, encodeMessage(message), t);
    };
    switch (s.kind) {
      case "enter":
        send(
          s.who,
          enter(++this.tokens[s.who]!, {
            buySellIndicator: s.buy ? "B" : "S",
            price: s.price,
            quantity: s.qty,
            orderbookId: String(s.book + 1),
          }),
        );
        return;
      case "replace": {
        const existing = Math.max(1, this.tokens[s.who]! - s.back);
        send(s.who, {
          type: "replaceOrder",
          existingOrderToken: existing,
          replacementOrderToken: ++this.tokens[s.who]!,
          quantity: s.qty,
          price: s.price,
          timeInForce: 99999,
          display: " ",
          minimumQuantity: 0,
        });
        return;
      }
      case "cancel":
        send(s.who, {
          type: "cancelOrder",
          orderToken: Math.max(1, this.tokens[s.who]! - s.back),
          quantity: 0,
        });
        return;
      case "login": {
        if (this.handles[s.who] !== undefined) return;
        const result = ex.login(
          {
            type: "loginRequest",
            username: NAMES[s.who]!,
            password: USERS.get(NAMES[s.who]!)!,
            requestedSession: "",
            requestedSequenceNumber: 1,
          },
          "ouch",
          t,
        );
        if (result.accept) this.handles[s.who] = result.handle;
        return;
      }
      case "logout": {
        const handle = this.handles[s.who];
        if (handle === undefined) return;
        ex.logout(handle, t);
        this.handles[s.who] = undefined;
        return;
      }
      case "cancelAccount":
        ex.cancelAccount(NAMES[s.who]!, t);
        return;
      case "halt":
        ex.halt(String(s.book + 1), t);
        return;
      case "resume":
        ex.resume(String(s.book + 1), t);
        return;
      case "close":
        ex.close(t);
        return;
      case "open":
        ex.open(t);
        return;
      case "ssr":
        ex.setShortSellRestricted(String(s.book + 1), s.on, t);
        return;
      case "turn":
        ex.flush();
        return;
    }
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function options(log: Uint8Array[]): ExchangeOptions {
  return {
    users: USERS,
    accountConfig: ACCOUNT_CONFIG,
    log: { append: (batch) => void log.push(batch.slice()) },
    schedule: (task) => task(),
    timestamp: 9_000_000_000,
  };
}

/** Every account's stream, message by message. */
function streams(ex: Exchange): Uint8Array[][] {
  return NAMES.map((name) => {
    const stream = ex.stream(name)!;
    return Array.from(
      { length: stream.length },
      (_, i) => stream.message(i + 1).slice(),
    );
  });
}

/** Runs a day: `before` steps, a snapshot, `after` steps; returns the records and snapshot. */
function day(before: readonly Step[], after: readonly Step[]) {
  const batches: Uint8Array[] = [];
  const ex = testExchange({
    accountConfig: ACCOUNT_CONFIG,
    log: { append: (batch) => void batches.push(batch.slice()) },
    schedule: (task) => task(),
  });
  const player = new Player(ex);
  for (const s of before) player.play(s);
  const snapshot = ex.snapshot();
  const position = ex.position;
  for (const s of after) player.play(s);
  ex.flush();
  const records = readJournal(concat(batches)).records;
  return { ex, records, snapshot, position };
}

/** Plays the same steps on two exchanges of the same state, then writes their batches. */
function playBoth(full: Exchange, other: Exchange, steps: readonly Step[]) {
  const a = new Player(full);
  const b = new Player(other);
  for (const who of [0, 1, 2]) {
    a.tokens[who] = b.tokens[who] = full.nextToken(NAMES[who]!) - 1;
  }
  a.time = b.time = 10_000_000_000;
  for (const s of steps) {
    a.play(s);
    b.play(s);
  }
  full.flush();
  other.flush();
}

/**
 * Asserts that recovering from `snapshot` and the records after it gives the engine a full
 * replay of `records` gives, as `ex` left it, and then the same records for `later`.
 */
function recoversAsFullReplay(
  ex: Exchange,
  records: Uint8Array[],
  snapshot: Uint8Array,
  later: readonly Step[],
): void {
  const fullLog: Uint8Array[] = [];
  const full = Exchange.recover(records, options(fullLog));
  const fromLog: Uint8Array[] = [];
  const from = Exchange.recover(records, {
    ...options(fromLog),
    snapshot,
  });
  // Same state: the two snapshots are the same bytes.
  assert.deepEqual(from.snapshot(), full.snapshot());
  // Same streams (what any replay sends), same as before the crash.
  assert.deepEqual(streams(from), streams(full));
  assert.deepEqual(
    streams(full).map((s) => s.length),
    streams(ex).map((s) => s.length),
  );
  for (const name of NAMES) {
    assert.deepEqual(from.openOrders(name), full.openOrders(name));
    assert.equal(from.nextToken(name), full.nextToken(name));
  }
  for (const book of ["1", "2"]) {
    assert.deepEqual(from.market.depth(book), full.market.depth(book));
    assert.deepEqual(from.market.trades(book), full.market.trades(book));
    assert.equal(from.isHalted(book), full.isHalted(book));
  }
  assert.equal(from.messagesOut, full.messagesOut);
  // The same records from here on, for the same commands.
  playBoth(full, from, later);
  assert.deepEqual(concat(fromLog), concat(fullLog));
}

Deno.test("Exchange.snapshot() + the tail recovers the same exchange as a full replay, at any cut point", () => {
  fc.assert(
    fc.property(
      fc.array(step, { maxLength: 80 }),
      fc.array(step, { maxLength: 80 }),
      fc.array(step, { maxLength: 30 }),
      (before, after, later) => {
        const { ex, records, snapshot, position } = day(before, after);
        assert.equal(decodeSnapshot(snapshot).position, position);
        recoversAsFullReplay(ex, records, snapshot, later);
      },
    ),
    { numRuns: 150 },
  );
});

/** The CRC field of a framed record (its last 4 bytes). */
function crcOf(record: Uint8Array): number {
  return new DataView(record.buffer, record.byteOffset, record.byteLength)
    .getUint32(record.length - 4);
}

Deno.test("Exchange.recover() without followers, from a snapshot and only the records after it, is the same engine as a full replay", () => {
  fc.assert(
    fc.property(
      fc.array(step, { maxLength: 80 }),
      fc.array(step, { maxLength: 80 }),
      fc.array(step, { maxLength: 30 }),
      (before, after, later) => {
        const { records, snapshot, position } = day(before, after);
        const fullLog: Uint8Array[] = [];
        const full = Exchange.recover(records, options(fullLog));
        const tailLog: Uint8Array[] = [];
        const tail = Exchange.recover(records.slice(position), {
          ...options(tailLog),
          followers: false,
          snapshot,
          tail: { lastRecordCrc: crcOf(records[position - 1]!) },
        });
        assert.deepEqual(tail.snapshot(), full.snapshot());
        // It keeps no streams: its hosts do.
        assert.deepEqual(streams(tail).map((s) => s.length), [0, 0, 0]);
        playBoth(full, tail, later);
        assert.deepEqual(concat(tailLog), concat(fullLog));
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("Exchange.recover() from the records after a snapshot refuses another record before them, and needs followers: false", () => {
  const steps: Step[] = [
    { kind: "enter", who: 0, buy: true, price: 23000, qty: 100, book: 0 },
    { kind: "turn" },
    { kind: "enter", who: 1, buy: false, price: 23000, qty: 200, book: 0 },
  ];
  const { records, snapshot, position } = day(steps, steps);
  const crc = crcOf(records[position - 1]!);
  assert.throws(
    () =>
      Exchange.recover(records.slice(position), {
        ...options([]),
        followers: false,
        snapshot,
        tail: { lastRecordCrc: crc ^ 1 },
      }),
    {
      name: "SnapshotError",
      message: new RegExp(
        `at record ${position}: the record before the ones given is another`,
      ),
    },
  );
  assert.throws(
    () =>
      Exchange.recover(records.slice(position), {
        ...options([]),
        snapshot,
        tail: { lastRecordCrc: crc },
      }),
    { name: "RangeError", message: /followers: false/ },
  );
});

Deno.test("Exchange.recover() refuses a damaged snapshot or one of other records, changing nothing", () => {
  const steps: Step[] = [
    { kind: "enter", who: 0, buy: true, price: 23000, qty: 100, book: 0 },
    { kind: "turn" },
    { kind: "enter", who: 1, buy: false, price: 23000, qty: 200, book: 0 },
  ];
  const { records, snapshot } = day(steps, steps);
  const damaged = snapshot.slice();
  damaged[40]! ^= 0xff;
  assert.throws(
    () => Exchange.recover(records, { ...options([]), snapshot: damaged }),
    { name: "SnapshotError", message: /CRC check fails/ },
  );
  // A journal cut before the snapshot's position.
  const { position } = decodeSnapshot(snapshot);
  assert.throws(
    () =>
      Exchange.recover(records.slice(0, position - 1), {
        ...options([]),
        snapshot,
      }),
    {
      name: "SnapshotError",
      message: new RegExp(
        `at record ${position}: the journal has ${position - 1} records`,
      ),
    },
  );
  // Another journal's record at the position: its CRC differs.
  const other = decodeSnapshot(snapshot);
  const forged = encodeSnapshot({
    ...other,
    lastRecordCrc: other.lastRecordCrc ^ 1,
  });
  assert.throws(
    () => Exchange.recover(records, { ...options([]), snapshot: forged }),
    { name: "SnapshotError", message: /the journal's record there is another/ },
  );
  assert.throws(
    () =>
      Exchange.recover(records, {
        ...options([]),
        snapshot: new Uint8Array(10),
      }),
    { name: "SnapshotError", message: /does not start with "OUCHSNP1"/ },
  );
  // Without the snapshot, the same records recover.
  const recovered = Exchange.recover(records, options([]));
  assert.equal(recovered.market.depth("1")?.asks[0]?.quantity, 200);
});

Deno.test("Exchange.snapshot() refuses when no day is under way", async () => {
  const ex = testExchange({ schedule: (task) => task() });
  await ex.endDay(5);
  assert.throws(() => ex.snapshot(), {
    name: "RangeError",
    message: "Cannot take a snapshot: no trading day is under way",
  });
});

/** A clock for the Snapshotter that moves a millisecond a read: every slice is one step. */
function ticking(): () => number {
  let now = 0;
  return () => now++;
}

/**
 * Runs a day as `day()` does, but the snapshot is the Snapshotter's: copied after
 * `before`, and encoded in slices with `during` played in its pauses (some steps each);
 * `after` follows once it is stored. Returns the snapshot stored, the one `snapshot()` gave
 * at the same position, the records and what the Snapshotter reported.
 */
async function slicedDay(
  before: readonly Step[],
  during: readonly Step[],
  after: readonly Step[],
) {
  const batches: Uint8Array[] = [];
  const ex = testExchange({
    accountConfig: ACCOUNT_CONFIG,
    log: { append: (batch) => void batches.push(batch.slice()) },
    schedule: (task) => task(),
  });
  const player = new Player(ex);
  const events: SnapshotEvent[] = [];
  const stored: { position: number; bytes: Uint8Array }[] = [];
  let next = 0;
  let pauses = 0;
  const snapshotter = new Snapshotter({
    exchange: ex,
    cadence: { records: 1, seconds: 0 },
    now: 0,
    elapsed: ticking(),
    sliceMs: 1,
    pause: () => {
      pauses++;
      for (let n = 0; n < 3 && next < during.length; n++) {
        player.play(during[next++]!);
      }
      return Promise.resolve();
    },
    put: async (_day, position, bytes) => {
      stored.push({ position, bytes: await bytes });
      return `at ${position}`;
    },
    report: (event) => void events.push(event),
  });
  player.play({
    kind: "enter",
    who: 0,
    buy: true,
    price: 23000,
    qty: 100,
    book: 0,
  });
  for (const s of before) player.play(s);
  const expected = ex.snapshot();
  const position = ex.position;
  assert.equal(snapshotter.tick(0), true);
  await snapshotter.writing;
  while (next < during.length) player.play(during[next++]!);
  for (const s of after) player.play(s);
  ex.flush();
  const records = readJournal(concat(batches)).records;
  return { ex, records, expected, position, stored, events, pauses };
}

Deno.test("Snapshotter.tick() stores the state of its position while commands run between the slices of its encoding: recovering from it and the tail is a full replay", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { maxLength: 80 }),
      fc.array(step, { minLength: 1, maxLength: 60 }),
      fc.array(step, { maxLength: 30 }),
      fc.array(step, { maxLength: 30 }),
      async (before, during, after, later) => {
        const { ex, records, expected, position, stored, events, pauses } =
          await slicedDay(before, during, after);
        assert.ok(pauses >= 2, `${pauses} pauses`);
        assert.equal(stored.length, 1);
        const snapshot = stored[0]!.bytes;
        assert.equal(stored[0]!.position, position);
        // Exactly the snapshot of its position, whatever ran after it was taken.
        assert.deepEqual(snapshot, expected);
        assert.deepEqual(events, [{
          written: `at ${position}`,
          position,
          // The injected clock moves 1 ms a read: the copy took 1, each slice 1 step.
          ms: 1,
          bytes: snapshot.length,
          slices: pauses,
        }]);
        recoversAsFullReplay(ex, records, snapshot, later);
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("Snapshotter.tick() spreads a large snapshot over many slices, with orders trading and canceled between them, and stores the state of its position", async () => {
  const before: Step[] = [];
  for (let i = 0; i < 40_000; i++) {
    const buy = i % 2 === 0;
    before.push({
      kind: "enter",
      who: i % 2,
      buy,
      price: buy ? 22_990 - (i % 50) * 10 : 23_010 + (i % 50) * 10,
      qty: 100,
      book: i % 2,
    });
    if (i % 100 === 99) before.push({ kind: "turn" });
  }
  const during: Step[] = [];
  for (let i = 0; i < 300; i++) {
    during.push(
      // Trades through the touch, a cancel of a recent order, a turn.
      {
        kind: "enter",
        who: i % 3,
        buy: i % 2 === 0,
        price: 23_000,
        qty: 300,
        book: i % 2,
      },
      { kind: "cancel", who: (i + 1) % 3, back: 2 },
      { kind: "turn" },
    );
  }
  const { records, expected, position, stored, pauses } = await slicedDay(
    before,
    during,
    [],
  );
  assert.ok(pauses > 20, `${pauses} pauses`);
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.position, position);
  assert.deepEqual(stored[0]!.bytes, expected);
  assert.equal(records.length, position + 600); // one record a command
  const full = Exchange.recover(records, options([]));
  const from = Exchange.recover(records, {
    ...options([]),
    snapshot: stored[0]!.bytes,
  });
  assert.deepEqual(from.snapshot(), full.snapshot());
  assert.deepEqual(streams(from), streams(full));
  for (const name of NAMES) {
    assert.deepEqual(from.openOrders(name), full.openOrders(name));
  }
  assert.ok(full.openOrders(NAMES[0]!).length > 15_000);
});

Deno.test("Snapshotter.abandon() and the end of the day stop a snapshot being encoded: nothing is stored, the report says why", async () => {
  for (const why of ["abandon", "endDay"] as const) {
    const ex = testExchange({ schedule: (task) => task() });
    const player = new Player(ex);
    const events: SnapshotEvent[] = [];
    const stored: Uint8Array[] = [];
    let pauses = 0;
    const snapshotter = new Snapshotter({
      exchange: ex,
      cadence: { records: 1, seconds: 0 },
      now: 0,
      elapsed: ticking(),
      sliceMs: 1,
      pause: async () => {
        if (++pauses === 3) {
          if (why === "abandon") {
            void snapshotter.abandon("the engine stopped");
          } else await ex.endDay(5);
        }
      },
      put: async (_day, position, bytes) => {
        stored.push(await bytes);
        return `at ${position}`;
      },
      report: (event) => void events.push(event),
    });
    for (let i = 0; i < 9_000; i++) {
      player.play({
        kind: "enter",
        who: i % 3,
        buy: true,
        price: 22_990 - (i % 50) * 10,
        qty: 100,
        book: 0,
      });
    }
    const position = ex.position;
    assert.equal(snapshotter.tick(0), true);
    assert.equal(snapshotter.tick(0), false); // one at a time
    await snapshotter.writing;
    assert.equal(pauses, 3);
    assert.deepEqual(stored, []);
    assert.deepEqual(events, [{
      error:
        `Cannot write the snapshot at record ${position}: Cannot finish the snapshot: it was abandoned as ${
          why === "abandon" ? "the engine stopped" : "the day ended"
        }`,
    }]);
    assert.equal(snapshotter.writing, undefined);
  }
});

Deno.test("Snapshotter.tick() reports a store that fails before it waits for the bytes, and takes the next snapshot", async () => {
  const ex = testExchange({ schedule: (task) => task() });
  const player = new Player(ex);
  const events: SnapshotEvent[] = [];
  let fail = true;
  const snapshotter = new Snapshotter({
    exchange: ex,
    cadence: { records: 1, seconds: 0 },
    now: 0,
    elapsed: ticking(),
    put: async (_day, position, bytes) => {
      if (fail) throw new RangeError("no batch written yet");
      return `at ${position}, ${(await bytes).length} bytes`;
    },
    report: (event) => void events.push(event),
  });
  player.play({
    kind: "enter",
    who: 0,
    buy: true,
    price: 22_990,
    qty: 100,
    book: 0,
  });
  const first = ex.position;
  assert.equal(snapshotter.tick(0), true);
  await snapshotter.writing;
  fail = false;
  player.play({
    kind: "enter",
    who: 0,
    buy: true,
    price: 22_980,
    qty: 100,
    book: 0,
  });
  assert.equal(snapshotter.tick(0), true);
  await snapshotter.writing;
  const bytes = ex.snapshot().length;
  assert.deepEqual(events.map((e) => "error" in e ? e.error : e.written), [
    `Cannot write the snapshot at record ${first}: no batch written yet`,
    `at ${ex.position}, ${bytes} bytes`,
  ]);
});
