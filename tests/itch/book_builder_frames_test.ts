import assert from "node:assert/strict";
import fc from "fast-check";
import { BookBuilder } from "../../lib/itch/book_builder.ts";
import { ItchDecodeError } from "../../lib/itch/errors.ts";
import { decodeItch, encodeItch } from "../../lib/itch/message.ts";
import type { ItchMessage, ItchVersion } from "../../lib/itch/messages.ts";

// `applyFrames` takes the common `A`, `E`, `D`, `U` and `T` in a hot loop of its own and
// hands everything else to the careful path. These tests check it against `apply` of the
// decoded messages, one by one, errors included: random runs of messages that fit the book,
// that do not (unknown or duplicate Order Numbers, oversized executions, zero or oversized
// quantities and prices, unknown orderbooks, reference prices) and malformed frames
// (a nanoseconds field out of range, a bad side, a message one byte short or long, a frame
// cut short), across the growth of every table.

const BOOKS = ["7203", "6758"];
/** Not in the directory. */
const UNKNOWN_BOOK = "9999";

function directory(orderbookId: string): ItchMessage {
  return {
    type: "orderbookDirectory",
    nanoseconds: 0,
    orderbookId,
    isin: "JP3633400001",
    group: "DAY",
    roundLotSize: 100,
    tickTableId: 3,
    priceDecimals: 1,
    upperPriceLimit: 33_000,
    lowerPriceLimit: 23_000,
  };
}

/** One frame's message bytes, possibly spoiled. */
type Frame = Uint8Array;

/** One random step; `fault` makes it one that should not fit the book. */
const step = fc.record({
  kind: fc.constantFrom("A", "A", "A", "E", "E", "D", "U", "U", "T", "H"),
  pick: fc.nat(),
  quantity: fc.integer({ min: 0, max: 600 }),
  price: fc.integer({ min: -10, max: 10 }),
  side: fc.constantFrom("B" as const, "S" as const),
  book: fc.constantFrom(...BOOKS),
  nanoseconds: fc.integer({ min: 0, max: 999_999_999 }),
  fault: fc.oneof(
    { weight: 60, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 6 }) },
  ),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

const HUGE = [2 ** 31, 2 ** 32 - 1];

/**
 * Messages from steps, kept mostly fitting by a model of the open orders (so that a run
 * goes far before its first refused message); a step with a fault does not fit: an
 * unknown or duplicate Order Number, an oversized execution or quantity or price, a zero
 * quantity, an unknown orderbook, a reference price (Order Number 0, which fits).
 */
function messagesOf(
  steps: Step[],
  spread: number,
  faults: boolean,
): ItchMessage[] {
  const open = new Map<bigint, number>();
  const live: bigint[] = [];
  let next = 1n;
  const fresh = () => {
    const n = next++;
    // Some numbers above 2^32: both halves of the index key in play.
    return n % 5n === 0n ? n + (n << 32n) : n;
  };
  const target = (pick: number) => {
    while (live.length > 0) {
      const k = pick % live.length;
      const n = live[k]!;
      if (open.has(n)) return n;
      live[k] = live[live.length - 1]!;
      live.pop();
    }
    return undefined;
  };
  const out: ItchMessage[] = [];
  for (const step of steps) {
    const s = faults ? step : { ...step, fault: 0 };
    const ns = s.nanoseconds;
    const price = 28_000 + s.price * spread;
    const known = target(s.pick);
    switch (s.kind) {
      case "A": {
        let orderNumber = fresh();
        let quantity = Math.max(1, s.quantity);
        let orderPrice = price;
        let orderbookId = s.book;
        if (s.fault === 1 && known !== undefined) orderNumber = known;
        if (s.fault === 2) orderNumber = 0n;
        if (s.fault === 3) quantity = s.pick % 2 === 0 ? 0 : HUGE[s.pick % 2]!;
        if (s.fault === 4) orderPrice = HUGE[s.pick % 2]!;
        if (s.fault === 5) orderbookId = UNKNOWN_BOOK;
        out.push({
          type: "orderAdded",
          nanoseconds: ns,
          orderNumber,
          side: s.side,
          quantity,
          orderbookId,
          group: "DAY",
          price: orderPrice,
        });
        if (orderNumber !== 0n && s.fault === 0) {
          open.set(orderNumber, quantity);
          live.push(orderNumber);
        }
        break;
      }
      case "E": {
        if (known === undefined) break;
        const left = open.get(known)!;
        let executed = Math.min(left, Math.max(1, s.quantity));
        let orderNumber = known;
        if (s.fault === 1) orderNumber = next + 1_000n;
        if (s.fault === 2) executed = left + 1;
        if (s.fault === 3) executed = 0;
        out.push({
          type: "orderExecuted",
          nanoseconds: ns,
          orderNumber,
          executedQuantity: executed,
          matchNumber: BigInt(s.pick) << BigInt(s.pick % 33),
        });
        if (executed === left) open.delete(known);
        else open.set(known, left - executed);
        break;
      }
      case "D": {
        if (known === undefined) break;
        out.push({
          type: "orderDeleted",
          nanoseconds: ns,
          orderNumber: s.fault === 1 ? next + 1_000n : known,
        });
        open.delete(known);
        break;
      }
      case "U": {
        if (known === undefined) break;
        const keep = s.pick % 3 === 0;
        let newNumber = keep ? known : fresh();
        let quantity = s.quantity;
        let newPrice = price;
        let original = known;
        if (s.fault === 1) original = next + 1_000n;
        if (s.fault === 2) {
          newNumber = target(s.pick + 1) ?? newNumber;
          if (newNumber === known) newNumber = next + 2_000n;
        }
        if (s.fault === 3) quantity = HUGE[s.pick % 2]!;
        if (s.fault === 4) newPrice = HUGE[s.pick % 2]!;
        out.push({
          type: "orderReplaced",
          nanoseconds: ns,
          originalOrderNumber: original,
          newOrderNumber: newNumber,
          quantity,
          price: newPrice,
        });
        open.delete(known);
        if (quantity > 0) {
          open.set(newNumber, quantity);
          live.push(newNumber);
        }
        break;
      }
      case "T":
        out.push({ type: "timestampSeconds", seconds: s.pick % 86_400 });
        break;
      case "H":
        out.push({
          type: "tradingState",
          nanoseconds: ns,
          orderbookId: s.fault === 5 ? UNKNOWN_BOOK : s.book,
          group: "DAY",
          tradingState: s.pick % 2 === 0 ? "T" : "V",
        });
        break;
    }
    // The run stops at a refused message: the model does not follow it further.
    if (s.fault !== 0 && !(s.kind === "A" && s.fault === 2)) return out;
  }
  return out;
}

/** How a frame is spoiled: 0 not at all. */
const spoil = fc.oneof(
  { weight: 40, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) },
);

function frameOf(m: ItchMessage, how: number, version: ItchVersion): Frame {
  const bytes = encodeItch(m, { version });
  switch (how) {
    case 1: // nanoseconds out of range (seconds have none: spoil the length instead)
      if (m.type !== "timestampSeconds") {
        new DataView(bytes.buffer).setUint32(1, 1_000_000_000);
        return bytes;
      }
      return bytes.subarray(0, bytes.length - 1);
    case 2: // a bad side (other types: one byte short)
      if (m.type === "orderAdded") {
        bytes[13] = 0x58;
        return bytes;
      }
      return bytes.subarray(0, bytes.length - 1);
    case 3: // one byte long
      return Uint8Array.of(...bytes, 0);
    case 4: // one byte short
      return bytes.subarray(0, bytes.length - 1);
  }
  return bytes;
}

/** The frames as a SoupBin file, the last one cut by `cut` bytes. */
function fileOf(frames: Frame[], cut: number): Uint8Array {
  const out = new Uint8Array(
    frames.reduce((n, f) => n + 2 + f.length, 0),
  );
  let at = 0;
  for (const frame of frames) {
    out[at] = frame.length >> 8;
    out[at + 1] = frame.length & 0xff;
    out.set(frame, at + 2);
    at += 2 + frame.length;
  }
  return out.subarray(0, out.length - cut);
}

type Outcome = { name: string; message: string; offset?: number } | null;

function outcomeOf(run: () => void): Outcome {
  try {
    run();
    return null;
  } catch (e) {
    assert.ok(e instanceof Error);
    return {
      name: e.name,
      message: e.message,
      ...(e instanceof ItchDecodeError ? { offset: e.offset } : {}),
    };
  }
}

/** The reference: frames read one by one, each message decoded and applied. */
function reference(
  builder: BookBuilder,
  file: Uint8Array,
  version: ItchVersion,
): Outcome {
  return outcomeOf(() => {
    let at = 0;
    while (at < file.length) {
      const left = file.length - at;
      if (left < 2) {
        throw new ItchDecodeError(
          `Cannot read ITCH frame as it needs a length: ${left} bytes are left`,
          at,
        );
      }
      const length = (file[at]! << 8) | file[at + 1]!;
      if (left - 2 < length) {
        throw new ItchDecodeError(
          `Cannot read ITCH frame as it needs ${length} bytes: ${
            left - 2
          } bytes are left`,
          at + 2,
        );
      }
      builder.apply(
        decodeItch(file.subarray(at + 2, at + 2 + length), { version }),
      );
      at += 2 + length;
    }
  });
}

function assertSame(actual: BookBuilder, expected: BookBuilder): void {
  for (const id of [...BOOKS, UNKNOWN_BOOK]) {
    assert.deepEqual(actual.depth(id), expected.depth(id));
    assert.deepEqual(actual.orders(id, "B"), expected.orders(id, "B"));
    assert.deepEqual(actual.orders(id, "S"), expected.orders(id, "S"));
    assert.deepEqual(actual.trades(id), expected.trades(id));
    assert.deepEqual(actual.orderbook(id), expected.orderbook(id));
  }
  assert.equal(actual.orderCount, expected.orderCount);
  assert.equal(actual.seconds, expected.seconds);
  assert.equal(actual.nanoseconds, expected.nanoseconds);
}

Deno.test("BookBuilder.applyFrames() equals apply() of the decoded messages, errors included", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<ItchVersion>("1.7", "1.6"),
      fc.array(step, { maxLength: 400, size: "max" }),
      fc.array(spoil, { minLength: 400, maxLength: 400 }),
      fc.integer({ min: 0, max: 3 }),
      fc.nat(),
      fc.constantFrom(0, 1, 3, 100),
      (version, steps, spoils, cut, split, history) => {
        const frames = [
          ...BOOKS.map((id) => encodeItch(directory(id), { version })),
          ...messagesOf(steps, 5, true).map((m, i) =>
            frameOf(m, spoils[i] ?? 0, version)
          ),
        ];
        const file = fileOf(frames, cut);
        const expected = new BookBuilder({ version, tradeHistory: history });
        const expectedOutcome = reference(expected, file, version);
        // Whole, and in two calls split at a frame boundary.
        const whole = new BookBuilder({ version, tradeHistory: history });
        assert.deepEqual(
          outcomeOf(() => whole.applyFrames(file)),
          expectedOutcome,
        );
        assertSame(whole, expected);
        let boundary = 0;
        for (const frame of frames.slice(0, split % (frames.length + 1))) {
          if (boundary + 2 + frame.length > file.length) break;
          boundary += 2 + frame.length;
        }
        const halves = new BookBuilder({ version, tradeHistory: history });
        assert.deepEqual(
          outcomeOf(() => {
            halves.applyFrames(file, 0, boundary);
            halves.applyFrames(file, boundary);
          }),
          expectedOutcome,
        );
        assertSame(halves, expected);
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("BookBuilder.applyFrames() equals apply() through the growth of every table", () => {
  // Thousands of orders over a wide spread of prices, all fitting: the order rows, the levels
  // and both indexes grow several times on the way.
  fc.assert(
    fc.property(
      fc.array(step, { minLength: 3_000, maxLength: 8_000 }),
      (steps) => {
        const messages = [
          ...BOOKS.map(directory),
          ...messagesOf(steps, 50, false),
        ];
        const file = fileOf(messages.map((m) => encodeItch(m)), 0);
        const expected = new BookBuilder();
        const expectedOutcome = reference(expected, file, "1.7");
        const actual = new BookBuilder();
        assert.deepEqual(
          outcomeOf(() => actual.applyFrames(file)),
          expectedOutcome,
        );
        assertSame(actual, expected);
      },
    ),
    { numRuns: 10 },
  );
});
