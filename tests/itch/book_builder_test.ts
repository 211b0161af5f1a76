import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex } from "../../lib/codec/hex.ts";
import { BookBuilder } from "../../lib/itch/book_builder.ts";
import { encodeItch } from "../../lib/itch/message.ts";
import type {
  ItchMessage,
  ItchVersion,
  OrderAdded,
} from "../../lib/itch/messages.ts";

const DIRECTORY: ItchMessage = {
  type: "orderbookDirectory",
  nanoseconds: 0,
  orderbookId: "7203",
  isin: "JP3633400001",
  group: "DAY",
  roundLotSize: 100,
  tickTableId: 3,
  priceDecimals: 1,
  upperPriceLimit: 33_000,
  lowerPriceLimit: 23_000,
};

function added(
  orderNumber: bigint,
  side: "B" | "S",
  price: number,
  quantity: number,
  orderbookId = "7203",
): OrderAdded {
  return {
    type: "orderAdded",
    nanoseconds: 0,
    orderNumber,
    side,
    quantity,
    orderbookId,
    group: "DAY",
    price,
  };
}

/** Two builders fed the same messages, one decoded, one from bytes; checks they agree. */
class Twin {
  readonly decoded: BookBuilder;
  readonly bytes: BookBuilder;
  readonly version: ItchVersion;

  constructor(version: ItchVersion = "1.7", tradeHistory = 100) {
    this.version = version;
    this.decoded = new BookBuilder({ version, tradeHistory });
    this.bytes = new BookBuilder({ version, tradeHistory });
  }

  apply(...messages: ItchMessage[]): void {
    for (const message of messages) {
      this.decoded.apply(message);
      this.bytes.applyMessage(encodeItch(message, { version: this.version }));
    }
    assert.deepEqual(this.bytes.depth("7203"), this.decoded.depth("7203"));
    assert.deepEqual(
      this.bytes.orders("7203", "B"),
      this.decoded.orders("7203", "B"),
    );
    assert.deepEqual(
      this.bytes.orders("7203", "S"),
      this.decoded.orders("7203", "S"),
    );
    assert.deepEqual(this.bytes.trades("7203"), this.decoded.trades("7203"));
    assert.deepEqual(
      this.bytes.orderbook("7203"),
      this.decoded.orderbook("7203"),
    );
    assert.equal(this.bytes.timestamp, this.decoded.timestamp);
  }

  /** Both builders must refuse `message` the same way and stay as they were. */
  refuses(
    message: ItchMessage,
    error: { name: string; message: string | RegExp },
  ): void {
    const before = this.decoded.orders("7203", "B").concat(
      this.decoded.orders("7203", "S"),
    );
    assert.throws(() => this.decoded.apply(message), error);
    assert.throws(
      () =>
        this.bytes.applyMessage(encodeItch(message, { version: this.version })),
      error,
    );
    for (const builder of [this.decoded, this.bytes]) {
      assert.deepEqual(
        builder.orders("7203", "B").concat(builder.orders("7203", "S")),
        before,
      );
    }
  }

  /** The order numbers of one side, in priority order. */
  numbers(side: "B" | "S"): bigint[] {
    return this.decoded.orders("7203", side).map((o) => o.orderNumber);
  }
}

Deno.test("BookBuilder keeps each side in price-time priority", () => {
  const twin = new Twin();
  twin.apply(
    DIRECTORY,
    added(1n, "B", 27_990, 100),
    added(2n, "B", 28_000, 200),
    added(3n, "B", 27_990, 300),
    added(4n, "S", 28_020, 100),
    added(5n, "S", 28_010, 100),
    added(6n, "B", 27_980, 100),
    added(7n, "B", 28_000, 50),
  );
  assert.deepEqual(twin.numbers("B"), [2n, 7n, 1n, 3n, 6n]);
  assert.deepEqual(twin.numbers("S"), [5n, 4n]);
  assert.deepEqual(twin.decoded.depth("7203"), {
    orderbookId: "7203",
    bids: [
      { price: 28_000, quantity: 250, orders: 2 },
      { price: 27_990, quantity: 400, orders: 2 },
      { price: 27_980, quantity: 100, orders: 1 },
    ],
    asks: [
      { price: 28_010, quantity: 100, orders: 1 },
      { price: 28_020, quantity: 100, orders: 1 },
    ],
  });
  assert.deepEqual(twin.decoded.depth("7203", 1).bids, [
    { price: 28_000, quantity: 250, orders: 2 },
  ]);
  assert.deepEqual(twin.decoded.levelOrders("7203", "B", 27_990), [
    { orderNumber: 1n, price: 27_990, quantity: 100 },
    { orderNumber: 3n, price: 27_990, quantity: 300 },
  ]);
  assert.deepEqual(twin.decoded.levelOrders("7203", "S", 27_990), []);
  assert.equal(twin.decoded.orderCount, 7);
});

Deno.test("BookBuilder applies Order Executed at the resting order's price and keeps the trades", () => {
  const twin = new Twin("1.7", 2);
  twin.apply(
    DIRECTORY,
    { type: "timestampSeconds", seconds: 32_400 },
    added(202611280000000001n, "S", 28_010, 100),
    added(202611280000000002n, "S", 28_010, 100),
    {
      type: "orderExecuted",
      nanoseconds: 5,
      orderNumber: 202611280000000001n,
      executedQuantity: 40,
      matchNumber: 202611280000000001n,
    },
  );
  assert.deepEqual(twin.decoded.levelOrders("7203", "S", 28_010), [
    { orderNumber: 202611280000000001n, price: 28_010, quantity: 60 },
    { orderNumber: 202611280000000002n, price: 28_010, quantity: 100 },
  ]);
  twin.apply(
    {
      type: "orderExecuted",
      nanoseconds: 6,
      orderNumber: 202611280000000001n,
      executedQuantity: 60,
      matchNumber: 202611280000000002n,
    },
    {
      type: "orderExecuted",
      nanoseconds: 7,
      orderNumber: 202611280000000002n,
      executedQuantity: 100,
      matchNumber: 202611280000000003n,
    },
  );
  assert.deepEqual(twin.decoded.depth("7203").asks, []);
  assert.equal(twin.decoded.orderCount, 0);
  // Two trades are kept: the latest.
  assert.deepEqual(twin.decoded.trades("7203"), [
    {
      matchNumber: 202611280000000002n,
      orderNumber: 202611280000000001n,
      side: "S",
      price: 28_010,
      quantity: 60,
      timestamp: 32_400_000_000_006,
    },
    {
      matchNumber: 202611280000000003n,
      orderNumber: 202611280000000002n,
      side: "S",
      price: 28_010,
      quantity: 100,
      timestamp: 32_400_000_000_007,
    },
  ]);
  const state = twin.decoded.orderbook("7203")!;
  assert.equal(state.lastPrice, 28_010);
  assert.equal(state.tradedQuantity, 200);
  assert.equal(state.tradeCount, 3);
});

Deno.test("BookBuilder applies Order Replaced by the matcher's priority rule (K9)", () => {
  const twin = new Twin();
  twin.apply(
    DIRECTORY,
    added(1n, "B", 28_000, 100),
    added(2n, "B", 28_000, 100),
    added(3n, "B", 28_000, 100),
  );
  const replaced = (
    originalOrderNumber: bigint,
    newOrderNumber: bigint,
    quantity: number,
    price: number,
  ): ItchMessage => ({
    type: "orderReplaced",
    nanoseconds: 0,
    originalOrderNumber,
    newOrderNumber,
    quantity,
    price,
  });
  // Same price, smaller quantity: keeps its place, under its new number.
  twin.apply(replaced(1n, 11n, 60, 28_000));
  assert.deepEqual(twin.numbers("B"), [11n, 2n, 3n]);
  // Same price, same quantity: keeps its place.
  twin.apply(replaced(11n, 12n, 60, 28_000));
  assert.deepEqual(twin.numbers("B"), [12n, 2n, 3n]);
  // Same price, larger quantity: back of the level.
  twin.apply(replaced(2n, 13n, 101, 28_000));
  assert.deepEqual(twin.numbers("B"), [12n, 3n, 13n]);
  // New price, smaller quantity: back of the new level.
  twin.apply(added(4n, "B", 27_990, 100), replaced(12n, 14n, 10, 27_990));
  assert.deepEqual(twin.numbers("B"), [3n, 13n, 4n, 14n]);
  // A cancel that only reduces: the same number.
  twin.apply(replaced(4n, 4n, 1, 27_990));
  assert.deepEqual(twin.decoded.levelOrders("7203", "B", 27_990), [
    { orderNumber: 4n, price: 27_990, quantity: 1 },
    { orderNumber: 14n, price: 27_990, quantity: 10 },
  ]);
  assert.deepEqual(twin.decoded.depth("7203").bids, [
    { price: 28_000, quantity: 201, orders: 2 },
    { price: 27_990, quantity: 11, orders: 2 },
  ]);
  // Quantity 0 takes it off the book.
  twin.apply(replaced(3n, 15n, 0, 28_000));
  assert.deepEqual(twin.numbers("B"), [13n, 4n, 14n]);
});

Deno.test("BookBuilder applies Order Deleted and drops an emptied level", () => {
  const twin = new Twin();
  twin.apply(
    DIRECTORY,
    added(1n, "S", 28_010, 100),
    added(2n, "S", 28_020, 100),
    added(3n, "S", 28_010, 100),
    { type: "orderDeleted", nanoseconds: 0, orderNumber: 1n },
    { type: "orderDeleted", nanoseconds: 0, orderNumber: 3n },
  );
  assert.deepEqual(twin.decoded.depth("7203").asks, [
    { price: 28_020, quantity: 100, orders: 1 },
  ]);
  // The level's row is reused for another price.
  twin.apply(added(4n, "S", 28_000, 5), added(5n, "S", 28_010, 6));
  assert.deepEqual(twin.numbers("S"), [4n, 5n, 2n]);
});

Deno.test("BookBuilder keeps the directory, reference prices and states", () => {
  const twin = new Twin("1.6");
  twin.apply(
    { type: "timestampSeconds", seconds: 32_400 },
    { type: "systemEvent", nanoseconds: 1, group: "", eventCode: "O" },
    {
      type: "priceTickSize",
      nanoseconds: 2,
      tickTableId: 3,
      tickSize: 1,
      priceStart: 0,
    },
    DIRECTORY,
    { ...added(0n, "B", 28_000, 0), nanoseconds: 3 },
  );
  assert.deepEqual(twin.decoded.orderbook("7203"), {
    orderbookId: "7203",
    isin: "JP3633400001",
    group: "DAY",
    roundLotSize: 100,
    tickTableId: 3,
    priceDecimals: 1,
    upperPriceLimit: 33_000,
    lowerPriceLimit: 23_000,
    referencePrice: 28_000,
    tradingState: "V",
    shortSellingState: "0",
    lastPrice: null,
    tradedQuantity: 0,
    tradeCount: 0,
  });
  twin.apply(
    {
      type: "tradingState",
      nanoseconds: 4,
      orderbookId: "7203",
      group: "DAY",
      tradingState: "T",
    },
    {
      type: "shortSellingState",
      nanoseconds: 5,
      orderbookId: "7203",
      group: "DAY",
      shortSellingState: "1",
    },
    { type: "systemEvent", nanoseconds: 6, group: "", eventCode: "Q" },
    { type: "systemEvent", nanoseconds: 7, group: "NGHT", eventCode: "S" },
    added(0n, "B", 0x7fffffff, 0),
  );
  for (const builder of [twin.decoded, twin.bytes]) {
    const state = builder.orderbook("7203")!;
    assert.equal(state.tradingState, "T");
    assert.equal(state.shortSellingState, "1");
    assert.equal(state.referencePrice, null);
    assert.equal(builder.systemState(), "Q");
    assert.equal(builder.systemState("NGHT"), "S");
    assert.deepEqual([...builder.systemStates.keys()], ["", "NGHT"]);
    assert.deepEqual(builder.orderbooks, ["7203"]);
    assert.deepEqual(builder.tickSizes, [
      {
        type: "priceTickSize",
        nanoseconds: 0,
        tickTableId: 3,
        tickSize: 1,
        priceStart: 0,
      },
    ]);
    assert.equal(builder.timestamp, 32_400_000_000_000);
    assert.equal(builder.endOfSnapshot, null);
  }
  twin.apply({ type: "endOfSnapshot", sequenceNumber: 99 });
  assert.equal(twin.bytes.endOfSnapshot, 99);
  // An unknown orderbook reads as empty.
  assert.equal(twin.decoded.orderbook("6758"), undefined);
  assert.deepEqual(twin.decoded.depth("6758"), {
    orderbookId: "6758",
    bids: [],
    asks: [],
  });
  assert.deepEqual(twin.decoded.orders("6758", "B"), []);
  assert.deepEqual(twin.decoded.trades("6758"), []);
});

Deno.test("BookBuilder refuses a message that does not fit the book, changing nothing", () => {
  const twin = new Twin();
  twin.apply(
    DIRECTORY,
    added(1n, "B", 28_000, 100),
    added(2n, "S", 28_010, 100),
  );
  const book = { name: "ItchBookError" };
  twin.refuses(added(1n, "S", 28_020, 5), {
    ...book,
    message: "Cannot apply orderAdded as order 1 is already on the book",
  });
  twin.refuses(added(3n, "S", 28_020, 0), {
    ...book,
    message:
      "Cannot apply orderAdded as order 3 must have a quantity from 1 to 2147483647 and a price of at most 2147483647: current quantity is 0, price 28020",
  });
  twin.refuses(added(3n, "S", 28_020, 5, "6758"), {
    ...book,
    message:
      'Cannot apply orderAdded as orderbook "6758" has no directory entry',
  });
  twin.refuses(
    {
      type: "orderExecuted",
      nanoseconds: 0,
      orderNumber: 9n,
      executedQuantity: 1,
      matchNumber: 1n,
    },
    {
      ...book,
      message: "Cannot apply orderExecuted as order 9 is not on the book",
    },
  );
  for (const executedQuantity of [0, 101]) {
    twin.refuses(
      {
        type: "orderExecuted",
        nanoseconds: 0,
        orderNumber: 1n,
        executedQuantity,
        matchNumber: 1n,
      },
      {
        ...book,
        message:
          `Cannot apply orderExecuted as its executed quantity must be from 1 to the 100 open of order 1: current quantity is ${executedQuantity}`,
      },
    );
  }
  twin.refuses({
    type: "orderDeleted",
    nanoseconds: 0,
    orderNumber: 2n ** 64n - 1n,
  }, {
    ...book,
    message:
      "Cannot apply orderDeleted as order 18446744073709551615 is not on the book",
  });
  twin.refuses(
    {
      type: "orderReplaced",
      nanoseconds: 0,
      originalOrderNumber: 7n,
      newOrderNumber: 8n,
      quantity: 1,
      price: 1,
    },
    {
      ...book,
      message: "Cannot apply orderReplaced as order 7 is not on the book",
    },
  );
  twin.refuses(
    {
      type: "orderReplaced",
      nanoseconds: 0,
      originalOrderNumber: 1n,
      newOrderNumber: 2n,
      quantity: 1,
      price: 1,
    },
    {
      ...book,
      message: "Cannot apply orderReplaced as order 2 is already on the book",
    },
  );
  twin.refuses(
    {
      type: "tradingState",
      nanoseconds: 0,
      orderbookId: "1",
      group: "DAY",
      tradingState: "T",
    },
    {
      ...book,
      message:
        'Cannot apply tradingState as orderbook "1" has no directory entry',
    },
  );
  assert.equal(twin.decoded.orderCount, 2);
  assert.equal(twin.bytes.orderCount, 2);
});

Deno.test("BookBuilder.applyMessage() reports a malformed message as the decoder does", () => {
  const builder = new BookBuilder();
  builder.apply(DIRECTORY);
  const bytes = encodeItch(added(1n, "B", 28_000, 100));
  for (
    const [at, value, message] of [
      [
        13,
        0x58,
        /^Cannot decode orderAdded field side as one of "B", "S": current value is "X" \(0x58\)$/,
      ],
      [
        1,
        0x3c,
        /^Cannot decode orderAdded field nanoseconds as an integer from 0 to 999999999/,
      ],
    ] as const
  ) {
    const bad = bytes.slice();
    bad[at] = value;
    assert.throws(() => builder.applyMessage(bad), {
      name: "ItchDecodeError",
      message,
    });
  }
  for (const type of [0x41, 0x45, 0x44, 0x55, 0x54, 0x52]) {
    assert.throws(() => builder.applyMessage(new Uint8Array([type, 0, 0])), {
      name: "ItchDecodeError",
      message:
        /^Cannot decode \w+ as it must be \d+ bytes: current length is 3$/,
    });
  }
  assert.throws(() => builder.applyMessage(fromHex("5a")), {
    name: "ItchDecodeError",
    message: /type byte must be one of/,
  });
  assert.equal(builder.orderCount, 0);
});

Deno.test("BookBuilder.applyFrames() applies a SoupBin file and refuses a cut frame", () => {
  const messages = [
    DIRECTORY,
    added(1n, "B", 28_000, 100),
    added(2n, "B", 28_000, 5),
  ];
  const frames = messages.map((m) => encodeItch(m));
  const file = new Uint8Array(frames.reduce((n, f) => n + 2 + f.length, 0) + 3);
  let at = 3;
  for (const frame of frames) {
    file[at + 1] = frame.length;
    file.set(frame, at + 2);
    at += 2 + frame.length;
  }
  const builder = new BookBuilder();
  assert.equal(builder.applyFrames(file, 3), 3);
  assert.deepEqual(builder.depth("7203").bids, [{
    price: 28_000,
    quantity: 105,
    orders: 2,
  }]);
  const cut = new BookBuilder();
  assert.throws(() => cut.applyFrames(file, 3, file.length - 1), {
    name: "ItchDecodeError",
    message: "Cannot read ITCH frame as it needs 30 bytes: 29 bytes are left",
    offset: file.length - 30,
  });
  assert.equal(cut.orderCount, 1);
  assert.throws(() => new BookBuilder().applyFrames(new Uint8Array([0])), {
    name: "ItchDecodeError",
    message: "Cannot read ITCH frame as it needs a length: 1 bytes are left",
  });
});

Deno.test("new BookBuilder() refuses a bad option", () => {
  assert.throws(() => new BookBuilder({ tradeHistory: -1 }), {
    name: "RangeError",
    message:
      "Cannot create book builder as tradeHistory must be a non-negative integer: current value is -1",
  });
  assert.throws(() => new BookBuilder({ version: "1.12" as ItchVersion }), {
    name: "RangeError",
    message: /Cannot select ITCH version/,
  });
  const none = new BookBuilder({ tradeHistory: 0 });
  none.apply(DIRECTORY);
  none.apply(added(1n, "S", 1, 1));
  none.apply({
    type: "orderExecuted",
    nanoseconds: 0,
    orderNumber: 1n,
    executedQuantity: 1,
    matchNumber: 1n,
  });
  assert.deepEqual(none.trades("7203"), []);
  assert.equal(none.orderbook("7203")?.lastPrice, 1);
});

Deno.test("BookBuilder finds every Order Number through growth and deletions", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          // Numbers that share their low word, high word or both patterns.
          high: fc.constantFrom(
            0,
            1,
            47_174_361,
            0x7fffffff,
            0x80000000,
            0xffffffff,
          ),
          low: fc.integer({ min: 0, max: 3_000 }),
          remove: fc.boolean(),
        }),
        { maxLength: 2_500, size: "max" },
      ),
      (steps) => {
        const builder = new BookBuilder();
        builder.apply(DIRECTORY);
        const model = new Map<bigint, number>();
        let price = 1;
        for (const { high, low, remove } of steps) {
          const number = (BigInt(high) << 32n) | BigInt(low);
          if (number === 0n) continue;
          if (model.has(number)) {
            if (remove) {
              builder.apply({
                type: "orderDeleted",
                nanoseconds: 0,
                orderNumber: number,
              });
              model.delete(number);
            } else {
              builder.apply({
                type: "orderExecuted",
                nanoseconds: 0,
                orderNumber: number,
                executedQuantity: 1,
                matchNumber: 1n,
              });
              const left = model.get(number)! - 1;
              if (left === 0) model.delete(number);
              else model.set(number, left);
            }
          } else {
            builder.apply(added(number, "S", price++ % 50 + 1, 2));
            model.set(number, 2);
          }
        }
        assert.equal(builder.orderCount, model.size);
        const onBook = new Map(
          builder.orders("7203", "S").map((o) => [o.orderNumber, o.quantity]),
        );
        assert.deepEqual(onBook, model);
      },
    ),
    { numRuns: 40 },
  );
});

Deno.test("BookBuilder holds 200,000 orders and deletes every other one", () => {
  const builder = new BookBuilder();
  builder.apply(DIRECTORY);
  const first = 202611280000000001n;
  const count = 200_000;
  for (let i = 0; i < count; i++) {
    builder.applyMessage(
      encodeItch(
        added(
          first + BigInt(i),
          i % 2 === 0 ? "B" : "S",
          1 + (i % 997),
          1 + (i % 5),
        ),
      ),
    );
  }
  assert.equal(builder.orderCount, count);
  for (let i = 0; i < count; i += 2) {
    builder.applyMessage(
      encodeItch({
        type: "orderDeleted",
        nanoseconds: 0,
        orderNumber: first + BigInt(i),
      }),
    );
  }
  assert.equal(builder.orderCount, count / 2);
  assert.equal(builder.orders("7203", "B").length, 0);
  const asks = builder.orders("7203", "S");
  assert.equal(asks.length, count / 2);
  assert.equal(asks.reduce((sum, o) => sum + o.quantity, 0), 300_000);
  for (let i = 1; i < count; i += 2) {
    builder.applyMessage(encodeItch({
      type: "orderExecuted",
      nanoseconds: 0,
      orderNumber: first + BigInt(i),
      executedQuantity: 1 + (i % 5),
      matchNumber: BigInt(i),
    }));
  }
  assert.equal(builder.orderCount, 0);
  assert.deepEqual(builder.depth("7203"), {
    orderbookId: "7203",
    bids: [],
    asks: [],
  });
});
