import assert from "node:assert/strict";
import { toHex } from "../../lib/codec/hex.ts";
import { FeedGenerator } from "../../lib/itch/feed_generator.ts";
import type { ItchMessage } from "../../lib/itch/messages.ts";
import type { MarketEvent } from "../../lib/matcher/market_event.ts";
import { Matcher } from "../../lib/matcher/matcher.ts";
import type { EnterOrder } from "../../lib/codec/messages.ts";
import { enterOrder } from "../_fixtures.ts";
import { NINE, Recorder, REFERENCE } from "./_feed.ts";

function generator(version: "1.7" | "1.6" = "1.7") {
  const sink = new Recorder(version);
  const feed = new FeedGenerator(sink, REFERENCE, { version });
  return { sink, feed };
}

/** The messages of REFERENCE's start of day up to the spins, at `ns`. */
function startOfDay(ns: number): ItchMessage[] {
  const tick = (tickTableId: number, tickSize: number, priceStart: number) =>
    ({
      type: "priceTickSize",
      nanoseconds: ns,
      tickTableId,
      tickSize,
      priceStart,
    }) as const;
  const reference = (orderbookId: string, group: string, price: number) =>
    ({
      type: "orderAdded",
      nanoseconds: ns,
      orderNumber: 0n,
      side: "B",
      quantity: 0,
      orderbookId,
      group,
      price,
    }) as const;
  const trading = (orderbookId: string, group: string) =>
    ({
      type: "tradingState",
      nanoseconds: ns,
      orderbookId,
      group,
      tradingState: "T",
    }) as const;
  return [
    { type: "timestampSeconds", seconds: 32_400 },
    { type: "systemEvent", nanoseconds: ns, group: "", eventCode: "O" },
    tick(1, 10, 0),
    tick(1, 50, 30_001),
    tick(3, 1, 0),
    tick(3, 5, 10_001),
    tick(3, 10, 50_001),
    {
      type: "orderbookDirectory",
      nanoseconds: ns,
      orderbookId: "7203",
      isin: "JP3633400001",
      group: "DAY",
      roundLotSize: 100,
      tickTableId: 3,
      priceDecimals: 1,
      upperPriceLimit: 33_000,
      lowerPriceLimit: 23_000,
    },
    {
      type: "orderbookDirectory",
      nanoseconds: ns,
      orderbookId: "6758",
      isin: "JP3435000009",
      group: "DAY",
      roundLotSize: 100,
      tickTableId: 3,
      priceDecimals: 1,
      upperPriceLimit: 41_000,
      lowerPriceLimit: 27_000,
    },
    {
      type: "orderbookDirectory",
      nanoseconds: ns,
      orderbookId: "1",
      isin: "",
      group: "DAY",
      roundLotSize: 1,
      tickTableId: 1,
      priceDecimals: 1,
      upperPriceLimit: 0x7ffffffe,
      lowerPriceLimit: 1,
    },
    {
      type: "orderbookDirectory",
      nanoseconds: ns,
      orderbookId: "2",
      isin: "",
      group: "NGHT",
      roundLotSize: 1,
      tickTableId: 1,
      priceDecimals: 1,
      upperPriceLimit: 0x7ffffffe,
      lowerPriceLimit: 1,
    },
    reference("7203", "DAY", 28_000),
    reference("6758", "DAY", 34_000),
    reference("1", "DAY", 0x7fffffff),
    reference("2", "NGHT", 5_005),
    trading("7203", "DAY"),
    trading("6758", "DAY"),
    trading("2", "NGHT"),
    {
      type: "shortSellingState",
      nanoseconds: ns,
      orderbookId: "2",
      group: "NGHT",
      shortSellingState: "1",
    },
  ];
}

Deno.test("FeedGenerator.startOfDay() sends M3's messages in order, then S S and S Q when open", () => {
  for (const version of ["1.7", "1.6"] as const) {
    const { sink, feed } = generator(version);
    feed.startOfDay(NINE + 5);
    assert.deepEqual(sink.decoded(), [
      ...startOfDay(5),
      { type: "systemEvent", nanoseconds: 5, group: "", eventCode: "S" },
      { type: "systemEvent", nanoseconds: 5, group: "", eventCode: "Q" },
    ]);
    assert.equal(feed.sequenceNumber, 21);
    assert.equal(feed.isOpen, true);
  }
});

Deno.test("FeedGenerator writes Orderbook Id as Alpha in v1.7 and as a uint32 in v1.6", () => {
  const seven = generator("1.7");
  const six = generator("1.6");
  seven.feed.startOfDay(NINE);
  six.feed.startOfDay(NINE);
  // The first Orderbook Directory: "7203".
  assert.equal(toHex(seven.sink.messages[7]!.subarray(5, 9)), "37323033");
  assert.equal(toHex(six.sink.messages[7]!.subarray(5, 9)), "00001c23");
  const event: MarketEvent = {
    type: "bookAdd",
    timestamp: NINE,
    orderbookId: "7203",
    orderNumber: 1n,
    side: "B",
    price: 28_000,
    quantity: 100,
    account: 0,
  };
  seven.feed.marketEvent(event);
  six.feed.marketEvent(event);
  assert.equal(
    toHex(seven.sink.messages[21]!.subarray(18, 26)),
    "3732303344415920",
  );
  assert.equal(
    toHex(six.sink.messages[21]!.subarray(18, 26)),
    "00001c2344415920",
  );
});

Deno.test("FeedGenerator.startOfDay() closed stops after the spins; the first open sends S S, S Q", () => {
  const { sink, feed } = generator();
  feed.startOfDay(NINE, { open: false });
  assert.deepEqual(sink.decoded(), startOfDay(0));
  assert.equal(feed.isOpen, false);
  feed.marketEvent({ type: "marketState", timestamp: NINE + 7, open: true });
  assert.deepEqual(sink.decoded(19), [
    { type: "systemEvent", nanoseconds: 7, group: "", eventCode: "S" },
    { type: "systemEvent", nanoseconds: 7, group: "", eventCode: "Q" },
  ]);
});

Deno.test("FeedGenerator.marketEvent() maps each event kind (M4-M8)", () => {
  const { sink, feed } = generator();
  feed.startOfDay(NINE);
  const from = sink.messages.length;
  const t = NINE + 1_000;
  const events: MarketEvent[] = [
    {
      type: "bookAdd",
      timestamp: t,
      orderbookId: "2",
      orderNumber: 202611280000000001n,
      side: "S",
      price: 5_010,
      quantity: 30,
      account: 4,
    },
    {
      type: "bookExecute",
      timestamp: t + 1,
      orderbookId: "2",
      orderNumber: 202611280000000001n,
      side: "S",
      price: 5_010,
      quantity: 10,
      remaining: 20,
      matchNumber: 202611280000000007n,
      restingAccount: 4,
      incomingAccount: 5,
      incomingOrderNumber: 202611280000000002n,
    },
    {
      type: "bookReplace",
      timestamp: t + 2,
      orderbookId: "2",
      originalOrderNumber: 202611280000000001n,
      orderNumber: 202611280000000003n,
      side: "S",
      oldPrice: 5_010,
      oldQuantity: 20,
      price: 5_020,
      quantity: 25,
      account: 4,
      keepsPriority: false,
    },
    {
      type: "bookDelete",
      timestamp: t + 3,
      orderbookId: "2",
      orderNumber: 202611280000000003n,
      side: "S",
      price: 5_020,
      quantity: 25,
      account: 4,
    },
    {
      type: "tradingState",
      timestamp: t + 4,
      orderbookId: "6758",
      halted: true,
    },
    {
      type: "tradingState",
      timestamp: t + 5,
      orderbookId: "6758",
      halted: false,
    },
    {
      type: "shortSellState",
      timestamp: t + 6,
      orderbookId: "2",
      restricted: false,
    },
    {
      type: "shortSellState",
      timestamp: t + 7,
      orderbookId: "7203",
      restricted: true,
    },
    { type: "marketState", timestamp: t + 8, open: false },
    { type: "marketState", timestamp: t + 9, open: true },
  ];
  for (const event of events) feed.marketEvent(event);
  assert.deepEqual(sink.decoded(from), [
    {
      type: "orderAdded",
      nanoseconds: 1_000,
      orderNumber: 202611280000000001n,
      side: "S",
      quantity: 30,
      orderbookId: "2",
      group: "NGHT",
      price: 5_010,
    },
    {
      type: "orderExecuted",
      nanoseconds: 1_001,
      orderNumber: 202611280000000001n,
      executedQuantity: 10,
      matchNumber: 202611280000000007n,
    },
    {
      type: "orderReplaced",
      nanoseconds: 1_002,
      originalOrderNumber: 202611280000000001n,
      newOrderNumber: 202611280000000003n,
      quantity: 25,
      price: 5_020,
    },
    {
      type: "orderDeleted",
      nanoseconds: 1_003,
      orderNumber: 202611280000000003n,
    },
    {
      type: "tradingState",
      nanoseconds: 1_004,
      orderbookId: "6758",
      group: "DAY",
      tradingState: "V",
    },
    {
      type: "tradingState",
      nanoseconds: 1_005,
      orderbookId: "6758",
      group: "DAY",
      tradingState: "T",
    },
    {
      type: "shortSellingState",
      nanoseconds: 1_006,
      orderbookId: "2",
      group: "NGHT",
      shortSellingState: "0",
    },
    {
      type: "shortSellingState",
      nanoseconds: 1_007,
      orderbookId: "7203",
      group: "DAY",
      shortSellingState: "1",
    },
    { type: "systemEvent", nanoseconds: 1_008, group: "", eventCode: "M" },
    { type: "systemEvent", nanoseconds: 1_008, group: "", eventCode: "E" },
    { type: "systemEvent", nanoseconds: 1_009, group: "", eventCode: "S" },
    { type: "systemEvent", nanoseconds: 1_009, group: "", eventCode: "Q" },
  ]);
});

Deno.test("FeedGenerator sends a T before the first message of every new second", () => {
  const { sink, feed } = generator();
  feed.startOfDay(NINE + 999_999_999);
  const from = sink.messages.length;
  const at = (timestamp: number) =>
    feed.marketEvent({
      type: "tradingState",
      timestamp,
      orderbookId: "1",
      halted: false,
    });
  at(NINE + 999_999_999); // same second: no T
  at(NINE + 1_000_000_000); // 09:00:01
  at(NINE + 1_999_999_999); // still 09:00:01
  at(NINE + 5_000_000_123); // 09:00:05
  at(NINE + 4_000_000_000); // back to 09:00:04: a T again
  assert.equal(sink.types(from), "HTHHTHTH");
  const decoded = sink.decoded(from);
  assert.deepEqual(decoded.filter((m) => m.type === "timestampSeconds"), [
    { type: "timestampSeconds", seconds: 32_401 },
    { type: "timestampSeconds", seconds: 32_405 },
    { type: "timestampSeconds", seconds: 32_404 },
  ]);
  assert.deepEqual(
    decoded.flatMap((m) => m.type === "tradingState" ? [m.nanoseconds] : []),
    [999_999_999, 0, 999_999_999, 123, 0],
  );
});

Deno.test("FeedGenerator.endOfDay() sends S C last and only once the market is closed", () => {
  const { sink, feed } = generator();
  feed.startOfDay(NINE);
  assert.throws(() => feed.endOfDay(NINE + 1), {
    name: "TypeError",
    message: "Cannot end the day as the market is open: close it first",
  });
  feed.marketEvent({ type: "marketState", timestamp: NINE + 2, open: false });
  feed.endOfDay(NINE + 3);
  assert.deepEqual(sink.decoded(sink.messages.length - 3), [
    { type: "systemEvent", nanoseconds: 2, group: "", eventCode: "M" },
    { type: "systemEvent", nanoseconds: 2, group: "", eventCode: "E" },
    { type: "systemEvent", nanoseconds: 3, group: "", eventCode: "C" },
  ]);
  const count = sink.messages.length;
  assert.throws(
    () =>
      feed.marketEvent({
        type: "marketState",
        timestamp: NINE + 4,
        open: true,
      }),
    {
      name: "TypeError",
      message: "Cannot report a market event as the day has ended",
    },
  );
  assert.throws(() => feed.endOfDay(NINE + 5), {
    name: "TypeError",
    message: "Cannot end the day as the day has ended",
  });
  assert.throws(() => feed.startOfDay(NINE + 6), {
    name: "TypeError",
    message: "Cannot start the day as it has already started",
  });
  assert.equal(sink.messages.length, count);
});

Deno.test("FeedGenerator refuses events before the day starts, unknown orderbooks and bad times", () => {
  const { sink, feed } = generator();
  const event: MarketEvent = {
    type: "tradingState",
    timestamp: NINE,
    orderbookId: "9999",
    halted: true,
  };
  assert.throws(() => feed.marketEvent(event), {
    name: "TypeError",
    message: "Cannot report a market event as the day has not started",
  });
  assert.throws(() => feed.endOfDay(NINE), {
    name: "TypeError",
    message: "Cannot end the day as the day has not started",
  });
  feed.startOfDay(NINE);
  const count = sink.messages.length;
  assert.throws(() => feed.marketEvent(event), {
    name: "RangeError",
    message:
      'Cannot report a market event as orderbook "9999" is not in the reference data',
  });
  for (const timestamp of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () => feed.marketEvent({ ...event, orderbookId: "1", timestamp }),
      {
        name: "RangeError",
        message:
          `Cannot write the feed as timestamp must be a non-negative safe integer: current value is ${timestamp}`,
      },
    );
  }
  assert.throws(
    () =>
      feed.marketEvent(
        { type: "nope", timestamp: NINE } as unknown as MarketEvent,
      ),
    {
      name: "TypeError",
      message:
        'Cannot report a market event as its type is unknown: current type is "nope"',
    },
  );
  assert.equal(sink.messages.length, count);
});

Deno.test("new FeedGenerator() checks the reference data against its messages", () => {
  const book = REFERENCE.orderbooks[0]!;
  const table = REFERENCE.tickTables[0]!;
  for (
    const [data, version, name, message] of [
      [
        {
          tickTables: [table],
          orderbooks: [{ ...book, tickTableId: 1 }, {
            ...book,
            tickTableId: 1,
          }],
        },
        "1.7",
        "RangeError",
        'Cannot create feed generator as orderbook "7203" is listed twice',
      ],
      [
        { tickTables: [table], orderbooks: [book] },
        "1.7",
        "RangeError",
        'Cannot create feed generator as orderbook "7203" names tick table 3, which is not given',
      ],
      [
        { tickTables: [table, table], orderbooks: [] },
        "1.7",
        "RangeError",
        "Cannot create feed generator as tick table 1 is listed twice",
      ],
      [
        { tickTables: [{ tickTableId: 4, bands: [] }], orderbooks: [] },
        "1.7",
        "RangeError",
        "Cannot create feed generator as tick table 4 has no band",
      ],
      [
        {
          tickTables: [table],
          orderbooks: [{ ...book, tickTableId: 1, isin: "JP36334000011" }],
        },
        "1.7",
        "ItchEncodeError",
        'Cannot encode orderbookDirectory field isin as printable ASCII of at most 12 characters: current value is "JP36334000011"',
      ],
      [
        {
          tickTables: [table],
          orderbooks: [{ ...book, tickTableId: 1, orderbookId: "ABCD" }],
        },
        "1.6",
        "ItchEncodeError",
        'Cannot encode orderbookDirectory field orderbookId as a canonical decimal uint32 under version 1.6: current value is "ABCD"',
      ],
      [
        {
          tickTables: [table],
          orderbooks: [{ ...book, tickTableId: 1, referencePrice: -5 }],
        },
        "1.7",
        "ItchEncodeError",
        "Cannot encode orderAdded field price as a uint32: current value is -5",
      ],
      [
        {
          tickTables: [{
            tickTableId: 1,
            bands: [{ tickSize: 1.5, priceStart: 0 }],
          }],
          orderbooks: [],
        },
        "1.7",
        "ItchEncodeError",
        "Cannot encode priceTickSize field tickSize as a uint32: current value is 1.5",
      ],
    ] as const
  ) {
    assert.throws(() => new FeedGenerator(new Recorder(), data, { version }), {
      name,
      message,
    });
  }
});

Deno.test("FeedGenerator makes the same bytes from the same day (M11)", () => {
  const run = () => {
    const { sink, feed } = generator();
    feed.startOfDay(NINE);
    feed.marketEvent({
      type: "bookAdd",
      timestamp: NINE + 3_000_000_001,
      orderbookId: "7203",
      orderNumber: 202611280000000001n,
      side: "B",
      price: 27_990,
      quantity: 100,
      account: 1,
    });
    feed.marketEvent({
      type: "marketState",
      timestamp: NINE + 4_000_000_000,
      open: false,
    });
    feed.endOfDay(NINE + 5_000_000_000);
    return toHex(sink.frames());
  };
  assert.equal(run(), run());
});

/** A Day buy of 100 at 2800.0 on orderbook "7203"; override any field. */
function order(fields: Partial<EnterOrder>): EnterOrder {
  return enterOrder(fields.orderToken ?? 1, {
    orderbookId: "7203",
    price: 28_000,
    ...fields,
  });
}

Deno.test("FeedGenerator turns a matcher's day into M5-M8's messages", () => {
  const { sink, feed } = generator();
  const orderbooks = ["7203", "6758", "1", "2"];
  const matcher = new Matcher(
    { message() {}, market: (event) => feed.marketEvent(event) },
    {
      tradingDate: "20261128",
      orderbooks,
      // The engine without reference data: the lots and ticks are the feed's business.
      instruments: orderbooks.map((orderbookId) => ({ orderbookId })),
    },
  );
  feed.startOfDay(NINE);
  const from = sink.messages.length;
  const t = NINE + 1_000_000_000;
  // Two sells rest; a buy takes the first and part of the second, and rests nothing.
  matcher.handle(
    0,
    order({
      orderToken: 1,
      buySellIndicator: "S",
      price: 28_010,
      quantity: 100,
    }),
    t,
  );
  matcher.handle(
    0,
    order({
      orderToken: 2,
      buySellIndicator: "T",
      price: 28_020,
      quantity: 200,
    }),
    t,
  );
  matcher.handle(
    1,
    order({ orderToken: 1, price: 28_020, quantity: 150, timeInForce: 0 }),
    t + 1,
  );
  // A replace that does not cross, a replace that crosses, a cancel, a close.
  matcher.handle(
    1,
    order({ orderToken: 2, price: 27_990, quantity: 100 }),
    t + 2,
  );
  matcher.handle(1, {
    type: "replaceOrder",
    existingOrderToken: 2,
    replacementOrderToken: 3,
    quantity: 80,
    price: 27_990,
    timeInForce: 99999,
    display: " ",
    minimumQuantity: 0,
  }, t + 3);
  matcher.handle(1, {
    type: "replaceOrder",
    existingOrderToken: 3,
    replacementOrderToken: 4,
    quantity: 200,
    price: 28_020,
    timeInForce: 99999,
    display: " ",
    minimumQuantity: 0,
  }, t + 4);
  matcher.close(t + 5);
  feed.endOfDay(t + 6);
  const n = (k: number) => 202611280000000000n + BigInt(k);
  assert.deepEqual(sink.decoded(from), [
    { type: "timestampSeconds", seconds: 32_401 },
    {
      type: "orderAdded",
      nanoseconds: 0,
      orderNumber: n(1),
      side: "S",
      quantity: 100,
      orderbookId: "7203",
      group: "DAY",
      price: 28_010,
    },
    {
      type: "orderAdded",
      nanoseconds: 0,
      orderNumber: n(2),
      side: "S",
      quantity: 200,
      orderbookId: "7203",
      group: "DAY",
      price: 28_020,
    },
    // The Immediate buy never rests: only the resting orders' executions appear.
    {
      type: "orderExecuted",
      nanoseconds: 1,
      orderNumber: n(1),
      executedQuantity: 100,
      matchNumber: n(1),
    },
    {
      type: "orderExecuted",
      nanoseconds: 1,
      orderNumber: n(2),
      executedQuantity: 50,
      matchNumber: n(2),
    },
    {
      type: "orderAdded",
      nanoseconds: 2,
      orderNumber: n(4),
      side: "B",
      quantity: 100,
      orderbookId: "7203",
      group: "DAY",
      price: 27_990,
    },
    // Reduced in place: one U, with the new Order Number the replace takes (K9).
    {
      type: "orderReplaced",
      nanoseconds: 3,
      originalOrderNumber: n(4),
      newOrderNumber: n(5),
      quantity: 80,
      price: 27_990,
    },
    // Crossing: D of the original, E of what it takes, A of the rest (its new number).
    { type: "orderDeleted", nanoseconds: 4, orderNumber: n(5) },
    {
      type: "orderExecuted",
      nanoseconds: 4,
      orderNumber: n(2),
      executedQuantity: 150,
      matchNumber: n(3),
    },
    {
      type: "orderAdded",
      nanoseconds: 4,
      orderNumber: n(6),
      side: "B",
      quantity: 50,
      orderbookId: "7203",
      group: "DAY",
      price: 28_020,
    },
    // Close: the resting order's D, then S M, S E; end of day S C.
    { type: "orderDeleted", nanoseconds: 5, orderNumber: n(6) },
    { type: "systemEvent", nanoseconds: 5, group: "", eventCode: "M" },
    { type: "systemEvent", nanoseconds: 5, group: "", eventCode: "E" },
    { type: "systemEvent", nanoseconds: 6, group: "", eventCode: "C" },
  ]);
});

Deno.test("FeedGenerator writes any v1.6 Orderbook Id exactly, the largest uint32 included", () => {
  const sink = new Recorder("1.6");
  const book = { ...REFERENCE.orderbooks[2]!, halted: false };
  const feed = new FeedGenerator(sink, {
    tickTables: [REFERENCE.tickTables[0]!],
    orderbooks: [
      { ...book, orderbookId: "4294967295" },
      { ...book, orderbookId: "2146435073" }, // 0x7ff00001: the bytes of a NaN
    ],
  }, { version: "1.6" });
  feed.startOfDay(NINE);
  const from = sink.messages.length;
  for (const orderbookId of ["4294967295", "2146435073"]) {
    feed.marketEvent({
      type: "bookAdd",
      timestamp: NINE,
      orderbookId,
      orderNumber: 2n ** 64n - 1n,
      side: "S",
      price: 0x7ffffffe,
      quantity: 0x7fffffff,
      account: 0,
    });
    feed.marketEvent({
      type: "tradingState",
      timestamp: NINE,
      orderbookId,
      halted: true,
    });
  }
  assert.deepEqual(sink.messages.slice(from).map((m) => toHex(m)), [
    "41" + "00000000" + "ffffffffffffffff" + "53" + "7fffffff" + "ffffffff" +
    "44415920" + "7ffffffe",
    "48" + "00000000" + "ffffffff" + "44415920" + "56",
    "41" + "00000000" + "ffffffffffffffff" + "53" + "7fffffff" + "7ff00001" +
    "44415920" + "7ffffffe",
    "48" + "00000000" + "7ff00001" + "44415920" + "56",
  ]);
});
