import assert from "node:assert/strict";
import fc from "fast-check";
import type { EnterOrder, InboundMessage } from "../../lib/codec/messages.ts";
import {
  AccountStreams,
  encodeRecords,
  type MarketChange,
  MarketData,
  RecordBatch,
} from "../../lib/exchange/mod.ts";
import { Matcher } from "../../lib/matcher/mod.ts";
import { enter, testExchange } from "../server/_harness.ts";

const BOOKS = ["1", "2"];

/** A random flow of orders on two books, from three accounts, with crosses. */
const flow = fc.array(
  fc.record({
    account: fc.integer({ min: 0, max: 2 }),
    kind: fc.constantFrom("enter", "enter", "enter", "cancel", "replace"),
    book: fc.constantFrom(...BOOKS),
    side: fc.constantFrom("B" as const, "S" as const, "T" as const),
    price: fc.integer({ min: 995, max: 1005 }),
    quantity: fc.integer({ min: 1, max: 300 }),
    immediate: fc.boolean(),
    token: fc.integer({ min: 1, max: 30 }),
  }),
  { maxLength: 120 },
);

function message(step: {
  kind: string;
  book: string;
  side: "B" | "S" | "T";
  price: number;
  quantity: number;
  immediate: boolean;
  token: number;
}, next: number): InboundMessage {
  switch (step.kind) {
    case "cancel":
      return {
        type: "cancelOrder",
        orderToken: step.token,
        quantity: step.quantity % 3 === 0 ? 0 : step.quantity,
      };
    case "replace":
      return {
        type: "replaceOrder",
        existingOrderToken: step.token,
        replacementOrderToken: next,
        quantity: step.quantity,
        price: step.price,
        timeInForce: 99999,
        display: " ",
        minimumQuantity: 0,
      };
    default:
      return {
        ...enter(next, {
          orderbookId: step.book,
          buySellIndicator: step.side,
          price: step.price,
          quantity: step.quantity,
          timeInForce: step.immediate ? 0 : 99999,
        }),
      } satisfies EnterOrder;
  }
}

Deno.test("MarketData keeps the matcher's depth and every trade from its events alone", () => {
  fc.assert(
    fc.property(flow, (steps) => {
      const market = new MarketData({ tradeHistory: 1000 });
      market.dayStarted({
        session: "S",
        tradingDate: "20261125",
        created: 0,
        version: "1.12",
        orderbooks: BOOKS,
        open: true,
        halted: [],
        matcher: {},
      });
      let trades = 0;
      const matcher = new Matcher({
        message() {},
        market: (event) => {
          if (event.type === "bookExecute") trades++;
          market.apply(event);
        },
      }, { tradingDate: "20261125", orderbooks: BOOKS });
      const next = [1, 1, 1];
      for (const [i, step] of steps.entries()) {
        matcher.handle(
          step.account,
          message(step, next[step.account]!++),
          i + 1,
        );
        for (const id of BOOKS) {
          assert.deepEqual(market.depth(id, 1000), matcher.depth(id, 1000));
        }
      }
      const kept = BOOKS.flatMap((id) => market.trades(id));
      assert.equal(kept.length, trades);
      assert.ok(
        kept.every((trade, i) =>
          i === 0 || trade.orderbookId !== kept[i - 1]!.orderbookId ||
          trade.matchNumber > kept[i - 1]!.matchNumber
        ),
      );
    }),
    { numRuns: 200 },
  );
});

Deno.test("MarketData gives each orderbook's reference data from the day's recorded rules, as the engine applies them", () => {
  const market = new MarketData();
  assert.equal(market.instrument("7203"), undefined);
  const rules = {
    instruments: [{
      orderbookId: "7203",
      roundLot: 100,
      referencePrice: 28_000,
    }],
  };
  market.dayStarted({
    session: "S",
    tradingDate: "20261125",
    created: 0,
    version: "1.12",
    orderbooks: ["1", "7203"],
    open: true,
    halted: [],
    matcher: rules,
  });
  const matcher = new Matcher({ message() {}, market() {} }, {
    ...rules,
    tradingDate: "20261125",
    orderbooks: ["1", "7203"],
  });
  for (const id of ["1", "7203"]) {
    assert.deepEqual(market.instrument(id), matcher.instrument(id), id);
  }
  assert.equal(market.instrument("7203")?.upperLimit, 33_000);
  assert.equal(market.instrument("1")?.roundLot, 1);
  assert.equal(market.instrument("9999"), undefined);
});

Deno.test("MarketData keeps the latest trades per orderbook, oldest first", () => {
  const market = new MarketData({ tradeHistory: 3 });
  for (let i = 1; i <= 5; i++) {
    market.apply({
      type: "bookExecute",
      timestamp: i,
      orderbookId: "1",
      orderNumber: 1n,
      side: "S",
      price: 1000 + i,
      quantity: 1,
      remaining: 100 - i,
      matchNumber: BigInt(i),
      restingAccount: 0,
      incomingAccount: 1,
      incomingOrderNumber: 2n,
    });
  }
  assert.deepEqual(market.trades("1").map((t) => t.matchNumber), [3n, 4n, 5n]);
  assert.deepEqual(market.trades("1", 2).map((t) => t.price), [1004, 1005]);
  assert.deepEqual(market.tradesAfter("1", 3n).map((t) => t.matchNumber), [
    4n,
    5n,
  ]);
  assert.equal(market.lastTrade("1")?.matchNumber, 5n);
  assert.equal(market.lastTrade("1")?.aggressor, "B");
  assert.deepEqual(market.trades("nope"), []);
  assert.throws(() => new MarketData({ tradeHistory: 0 }), {
    name: "RangeError",
    message: /positive integer/,
  });
});

Deno.test("MarketData tells its listeners once per delivered batch what changed", async () => {
  const exchange = testExchange({ day: { orderbooks: ["1", "2"] } });
  await exchange.drain();
  const changes: MarketChange[] = [];
  exchange.market.listen({ changed: (change) => changes.push(change) });
  exchange.submit("alice", enter(1, { orderbookId: "1" }), 1);
  exchange.submit(
    "bob",
    enter(1, { orderbookId: "1", buySellIndicator: "S", quantity: 40 }),
    2,
  );
  exchange.halt("2", 3);
  await exchange.drain();
  exchange.open(4); // already open: no record, no change
  await exchange.drain();
  assert.deepEqual(
    changes.map((change) => ({
      depth: [...change.depth],
      trades: [...change.trades],
      books: [...change.books],
      state: change.state,
    })),
    [{ depth: ["1"], trades: ["1"], books: ["2"], state: true }],
  );
});

Deno.test("Account streams and market data rebuilt from the records alone equal the exchange's own", async () => {
  const batches: Uint8Array[] = [];
  const exchange = testExchange({
    log: { append: (batch) => void batches.push(batch.slice()) },
  });
  exchange.submit("alice", enter(1, { quantity: 500 }), 1);
  exchange.submit("bob", enter(1, { buySellIndicator: "S", quantity: 120 }), 2);
  await exchange.drain();
  exchange.halt("2", 3);
  exchange.submit(
    "carol",
    enter(1, { buySellIndicator: "S", price: 23010 }),
    4,
  );
  exchange.close(5);
  await exchange.drain();
  // A consumer in another process: only the bytes of the log.
  const streams = new AccountStreams();
  const market = new MarketData();
  for (const bytes of batches) {
    const batch = new RecordBatch(bytes);
    const day = batch.startsDay;
    if (day !== undefined) {
      streams.dayStarted(day);
      market.dayStarted(day);
    }
    streams.delivered(batch);
    market.delivered(batch);
  }
  for (const id of [0, 1, 2]) {
    const mine = streams.stream(id);
    const theirs = exchange.streams.stream(id);
    assert.equal(mine.length, theirs.length);
    for (let seq = 1; seq <= mine.length; seq++) {
      assert.deepEqual(mine.message(seq), theirs.message(seq));
    }
  }
  for (const id of exchange.market.orderbooks) {
    assert.deepEqual(market.depth(id), exchange.market.depth(id));
    assert.deepEqual(market.trades(id), exchange.market.trades(id));
    assert.equal(market.isHalted(id), exchange.market.isHalted(id));
  }
  assert.equal(market.isOpen, false);
  assert.equal(market.isHalted("2"), true);
  assert.equal(market.trades("1").length, 1);
});

Deno.test("AccountStreams refuses a message that does not follow its stream", () => {
  const streams = new AccountStreams();
  const batch = (sequenceNumber: number) =>
    new RecordBatch(encodeRecords([{
      timestamp: 1,
      command: { type: "open" },
      messages: [{
        account: 4,
        sequenceNumber,
        message: new Uint8Array([0x53]),
      }],
      events: [],
    }]));
  streams.delivered(batch(1));
  assert.deepEqual(streams.touched, [4]);
  assert.throws(() => streams.delivered(batch(3)), {
    name: "RangeError",
    message: "Cannot append message 3 to the stream of account 4: it holds 1",
  });
});
