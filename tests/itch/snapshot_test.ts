import assert from "node:assert/strict";
import { BookBuilder } from "../../lib/itch/book_builder.ts";
import { FeedGenerator } from "../../lib/itch/feed_generator.ts";
import { encodeItch } from "../../lib/itch/message.ts";
import { snapshotMessages } from "../../lib/itch/snapshot.ts";
import type { MarketEvent } from "../../lib/matcher/market_event.ts";
import { NINE, Recorder, REFERENCE } from "./_feed.ts";

const n = (k: number) => 202611280000000000n + BigInt(k);

/** A day: start, some orders on two books, a halt, a trade, a reference day's end left open. */
function day(): { sink: Recorder; feed: FeedGenerator } {
  const sink = new Recorder();
  const feed = new FeedGenerator(sink, REFERENCE);
  feed.startOfDay(NINE);
  const t = NINE + 2_000_000_042;
  const add = (
    k: number,
    orderbookId: string,
    side: "B" | "S",
    price: number,
    quantity: number,
  ): MarketEvent => ({
    type: "bookAdd",
    timestamp: t,
    orderbookId,
    orderNumber: n(k),
    side,
    price,
    quantity,
    account: 0,
  });
  for (
    const event of [
      add(1, "7203", "B", 27_990, 100),
      add(2, "7203", "B", 28_000, 200),
      add(3, "7203", "S", 28_020, 300),
      add(4, "7203", "B", 27_990, 400),
      add(5, "2", "S", 5_010, 7),
      add(6, "7203", "S", 28_010, 50),
      {
        type: "bookExecute",
        timestamp: t,
        orderbookId: "7203",
        orderNumber: n(6),
        side: "S",
        price: 28_010,
        quantity: 20,
        remaining: 30,
        matchNumber: n(1),
        restingAccount: 0,
        incomingAccount: 1,
        incomingOrderNumber: n(7),
      },
      { type: "tradingState", timestamp: t, orderbookId: "6758", halted: true },
      { type: "tradingState", timestamp: t, orderbookId: "1", halted: false },
    ] satisfies MarketEvent[]
  ) {
    feed.marketEvent(event);
  }
  return { sink, feed };
}

Deno.test("snapshotMessages() lists the state in jnx-itch.md §3's order, then G", () => {
  const { sink, feed } = day();
  const builder = new BookBuilder();
  builder.applyFrames(sink.frames());
  const ns = 42;
  const book = (orderbookId: string, group: string) => ({ orderbookId, group });
  const books = [
    book("7203", "DAY"),
    book("6758", "DAY"),
    book("1", "DAY"),
    book("2", "NGHT"),
  ];
  assert.deepEqual(snapshotMessages(builder, feed.sequenceNumber), [
    { type: "timestampSeconds", seconds: 32_402 },
    ...REFERENCE.tickTables.flatMap((table) =>
      table.bands.map((band) => ({
        type: "priceTickSize",
        nanoseconds: ns,
        tickTableId: table.tickTableId,
        ...band,
      }))
    ),
    ...REFERENCE.orderbooks.map((b) => ({
      type: "orderbookDirectory",
      nanoseconds: ns,
      orderbookId: b.orderbookId,
      isin: b.isin,
      group: b.group,
      roundLotSize: b.roundLotSize,
      tickTableId: b.tickTableId,
      priceDecimals: 1,
      upperPriceLimit: b.upperPriceLimit,
      lowerPriceLimit: b.lowerPriceLimit,
    })),
    ...[28_000, 34_000, 0x7fffffff, 5_005].map((price, i) => ({
      type: "orderAdded",
      nanoseconds: ns,
      orderNumber: 0n,
      side: "B",
      quantity: 0,
      ...books[i]!,
      price,
    })),
    ...["T", "V", "T", "T"].map((tradingState, i) => ({
      type: "tradingState",
      nanoseconds: ns,
      ...books[i]!,
      tradingState,
    })),
    ...["0", "0", "0", "1"].map((shortSellingState, i) => ({
      type: "shortSellingState",
      nanoseconds: ns,
      ...books[i]!,
      shortSellingState,
    })),
    { type: "systemEvent", nanoseconds: ns, group: "", eventCode: "Q" },
    // Bids of 7203 best first, oldest first; then its asks; then book 2's ask.
    ...[
      [2, "B", 28_000, 200],
      [1, "B", 27_990, 100],
      [4, "B", 27_990, 400],
      [6, "S", 28_010, 30],
      [3, "S", 28_020, 300],
    ].map(([k, side, price, quantity]) => ({
      type: "orderAdded",
      nanoseconds: ns,
      orderNumber: n(k as number),
      side,
      quantity,
      orderbookId: "7203",
      group: "DAY",
      price,
    })),
    {
      type: "orderAdded",
      nanoseconds: ns,
      orderNumber: n(5),
      side: "S",
      quantity: 7,
      orderbookId: "2",
      group: "NGHT",
      price: 5_010,
    },
    { type: "endOfSnapshot", sequenceNumber: feed.sequenceNumber },
  ]);
});

Deno.test("snapshotMessages() then the rest of the feed rebuilds what the whole feed does", () => {
  const { sink, feed } = day();
  const server = new BookBuilder();
  server.applyFrames(sink.frames());
  const at = feed.sequenceNumber;
  const client = new BookBuilder();
  for (const message of snapshotMessages(server, at)) {
    client.applyMessage(encodeItch(message));
  }
  assert.equal(client.endOfSnapshot, at);
  // The rest of the day.
  const t = NINE + 3_000_000_000;
  feed.marketEvent({
    type: "bookReplace",
    timestamp: t,
    orderbookId: "7203",
    originalOrderNumber: n(1),
    orderNumber: n(8),
    side: "B",
    oldPrice: 27_990,
    oldQuantity: 100,
    price: 27_990,
    quantity: 500,
    account: 0,
    keepsPriority: false,
  });
  feed.marketEvent({ type: "marketState", timestamp: t, open: false });
  const rest = sink.frames(at);
  server.applyFrames(rest);
  client.applyFrames(rest);
  for (const id of REFERENCE.orderbooks.map((b) => b.orderbookId)) {
    assert.deepEqual(client.depth(id), server.depth(id));
    assert.deepEqual(client.orders(id, "B"), server.orders(id, "B"));
    assert.deepEqual(client.orders(id, "S"), server.orders(id, "S"));
    const { lastPrice: _a, tradedQuantity: _b, tradeCount: _c, ...state } =
      server.orderbook(id)!;
    const { lastPrice: _d, tradedQuantity: _e, tradeCount: _f, ...joined } =
      client.orderbook(id)!;
    assert.deepEqual(joined, state);
  }
  assert.deepEqual(client.orders("7203", "B").map((o) => o.orderNumber), [
    n(2),
    n(4),
    n(8),
  ]);
  assert.deepEqual([...client.systemStates], [...server.systemStates]);
  assert.deepEqual(client.tickSizes, server.tickSizes);
  assert.equal(client.timestamp, server.timestamp);
});

Deno.test("snapshotMessages() of an empty builder is a T and a G", () => {
  assert.deepEqual(snapshotMessages(new BookBuilder(), 0), [
    { type: "timestampSeconds", seconds: 0 },
    { type: "endOfSnapshot", sequenceNumber: 0 },
  ]);
  for (const sequenceNumber of [-1, 1.5, 2 ** 53]) {
    assert.throws(() => snapshotMessages(new BookBuilder(), sequenceNumber), {
      name: "RangeError",
      message:
        `Cannot take a snapshot as sequenceNumber must be a non-negative safe integer: current value is ${sequenceNumber}`,
    });
  }
});
