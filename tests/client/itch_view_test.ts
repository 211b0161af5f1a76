import assert from "node:assert/strict";
import {
  itchBookViews,
  ItchLiveView,
  renderItchStatus,
  renderItchView,
} from "../../lib/client/itch_view.ts";
import { renderLadder } from "../../lib/console/display.ts";
import type { TableOptions } from "../../lib/render/mod.ts";
import {
  BookBuilder,
  encodeItch,
  type ItchMessage,
  type ItchVersion,
} from "../../lib/itch/mod.ts";

const ESC = "\x1b";

/** A builder fed `messages` as the client feeds it: encoded bytes, one by one. */
function built(messages: ItchMessage[], version: ItchVersion = "1.7") {
  const books = new BookBuilder({ version });
  for (const message of messages) {
    books.applyMessage(encodeItch(message, { version }));
  }
  return books;
}

function directory(orderbookId: string): ItchMessage[] {
  return [
    {
      type: "orderbookDirectory",
      nanoseconds: 0,
      orderbookId,
      isin: "JP3633400001",
      group: "DAY",
      roundLotSize: 100,
      tickTableId: 1,
      priceDecimals: 1,
      upperPriceLimit: 26_000,
      lowerPriceLimit: 20_000,
    },
    {
      type: "tradingState",
      nanoseconds: 0,
      orderbookId,
      group: "DAY",
      tradingState: "T",
    },
  ];
}

function added(
  orderNumber: bigint,
  side: "B" | "S",
  quantity: number,
  price: number,
  orderbookId = "7203",
): ItchMessage {
  return {
    type: "orderAdded",
    nanoseconds: Number(orderNumber),
    orderNumber,
    side,
    quantity,
    orderbookId,
    group: "DAY",
    price,
  };
}

/** The view over SoupBinTCP at `next` with `perSecond`, in a terminal of `size`. */
function soupBinView(
  books: BookBuilder,
  next: number,
  perSecond: number,
  size: TableOptions,
): string[] {
  return renderItchView(books, {
    transport: "SoupBinTCP",
    nextSequenceNumber: next,
    perSecond,
  }, size);
}

/** 7203 with three bids on two levels, two asks, and a trade of 100 at 2301.0. */
const TRADED: ItchMessage[] = [
  { type: "timestampSeconds", seconds: 34_200 },
  { type: "systemEvent", nanoseconds: 0, group: "", eventCode: "Q" },
  ...directory("7203"),
  ...directory("6758"),
  // Reference price: Order Added with Order Number 0.
  added(0n, "B", 0, 23_000),
  added(1n, "B", 300, 23_000),
  added(2n, "B", 200, 23_000),
  added(3n, "B", 100, 22_990),
  added(4n, "S", 500, 23_010),
  added(5n, "S", 50, 23_020),
  {
    type: "orderExecuted",
    nanoseconds: 123_456_789,
    orderNumber: 4n,
    executedQuantity: 100,
    matchNumber: 7n,
  },
];

Deno.test("renderItchView() draws the server's ladder from the books rebuilt from ITCH: levels, last trade with its time, reference price and limits", () => {
  const books = built(TRADED);
  assert.deepEqual(
    soupBinView(books, 18, 12, { columns: 80, rows: 12 }),
    [
      "OPEN  system Q  SoupBinTCP  next 18  12 msg/s  5 orders",
      "",
      "7203  last 100 @ 2301.0 09:30:00.123  ref 2300.0  limits 2000.0-2600.0",
      "Orders  Quantity      Bid |     Ask  Quantity  Orders",
      "     2       500   2300.0 |  2301.0       400       1",
      "     1       100   2299.0 |  2302.0        50       1",
    ],
  );
});

Deno.test("renderItchView() draws each book exactly as the server's renderLadder() does for the same depth and trade", () => {
  const books = built(TRADED);
  const lines = renderItchView(books, {
    transport: "MoldUDP64",
    nextSequenceNumber: 18,
    perSecond: undefined,
  }, { columns: 200, rows: 40, levels: 1 });
  const server = renderLadder(
    {
      orderbookId: "7203",
      bids: [{ price: 23_000, quantity: 500, orders: 2 }],
      asks: [{ price: 23_010, quantity: 400, orders: 1 }],
    },
    [{ price: 23_010, quantity: 100, timestamp: 34_200_123_456_789 }],
    {
      instrument: {
        referencePrice: 23_000,
        lowerLimit: 20_000,
        upperLimit: 26_000,
      },
      levels: 1,
    },
  );
  assert.deepEqual(lines.slice(2), server);
  assert.equal(
    lines[0],
    "OPEN  system Q  MoldUDP64  next 18  - msg/s  5 orders",
  );
});

Deno.test("renderItchView() marks a halted book HALTED and a restricted one SSR, as the ITCH trading-state messages say, and shows them without orders", () => {
  const books = built([
    ...directory("1"),
    ...directory("2"),
    ...directory("3"),
    {
      type: "tradingState",
      nanoseconds: 1,
      orderbookId: "1",
      group: "DAY",
      tradingState: "V",
    },
    {
      type: "shortSellingState",
      nanoseconds: 2,
      orderbookId: "1",
      group: "DAY",
      shortSellingState: "1",
    },
    {
      type: "shortSellingState",
      nanoseconds: 3,
      orderbookId: "3",
      group: "DAY",
      shortSellingState: "1",
    },
    { type: "systemEvent", nanoseconds: 4, group: "", eventCode: "M" },
  ]);
  assert.deepEqual(
    soupBinView(books, 12, 0, { columns: 160, rows: 10 }),
    [
      "CLOSED  system M  SoupBinTCP  next 12  0 msg/s  0 orders",
      "",
      "1  last -  limits 2000.0-2600.0  SSR  HALTED            3  last -  limits 2000.0-2600.0  SSR",
      "Orders  Quantity      Bid |     Ask  Quantity  Orders   Orders  Quantity      Bid |     Ask  Quantity  Orders",
    ],
  );
  // The halt lifted: book 1 stays shown for its SSR only; book 2 never is.
  books.applyMessage(encodeItch({
    type: "tradingState",
    nanoseconds: 5,
    orderbookId: "1",
    group: "DAY",
    tradingState: "T",
  }));
  assert.deepEqual(
    itchBookViews(books).map((
      view,
    ) => [view.depth.orderbookId, view.halted, view.restricted]),
    [["1", false, true], ["3", false, true]],
  );
});

Deno.test("renderItchView() reads ITCH 1.6 (uint32 orderbook ids) the same way", () => {
  const books = built(TRADED, "1.6");
  assert.deepEqual(
    soupBinView(books, 18, 12, { columns: 80, rows: 12 }).slice(2, 3),
    [
      "7203  last 100 @ 2301.0 09:30:00.123  ref 2300.0  limits 2000.0-2600.0",
    ],
  );
});

Deno.test("renderItchView() falls back to one line per book when the terminal is too small for ladders", () => {
  const books = built([
    ...TRADED,
    added(6n, "B", 100, 1_000, "6758"),
    added(7n, "B", 100, 999, "6758"),
  ]);
  assert.deepEqual(
    soupBinView(books, 20, 1, { columns: 60, rows: 5 }),
    [
      "OPEN  system Q  SoupBinTCP  next 20  1 msg/s  7 orders",
      "",
      "7203  bid 500 @ 2300.0  ask 400 @ 2301.0  last 100 @ 2301.0 ",
      "6758  bid 100 @ 100.0  ask -  last -",
    ],
  );
});

Deno.test("renderItchStatus() colours OPEN green and the transport bold; renderItchView() colours bids green and asks red", () => {
  const books = built(TRADED);
  assert.equal(
    renderItchStatus(books, {
      transport: "SoupBinTCP",
      nextSequenceNumber: 18,
      perSecond: 3,
    }, { color: true }),
    `${ESC}[32m${ESC}[1mOPEN${ESC}[22m${ESC}[39m  system Q  ${ESC}[1mSoupBinTCP${ESC}[22m  next 18  3 msg/s  5 orders`,
  );
  const lines = soupBinView(books, 18, 3, {
    columns: 80,
    rows: 12,
    color: true,
  });
  assert.equal(
    lines[4],
    `${ESC}[32m     2       500   2300.0${ESC}[39m | ${ESC}[31m 2301.0       400       1${ESC}[39m`,
  );
});

Deno.test("ItchLiveView.draw() redraws the whole screen in place without scrolling, with the message rate between draws", () => {
  const books = built(TRADED);
  let size = { columns: 60, rows: 10 };
  const view = new ItchLiveView(books, {
    transport: "SoupBinTCP",
    size: () => size,
  });
  const rows = (text: string) => {
    assert.ok(text.startsWith(`${ESC}[1;1H`), text);
    assert.ok(text.endsWith(`${ESC}[K${ESC}[J`), text);
    assert.ok(!text.endsWith("\n"), "no newline after the last row");
    return text.slice(6, -6).split(`${ESC}[K\n`);
  };
  const first = rows(view.draw({
    nextSequenceNumber: 18,
    nowMs: 1_000,
    footer: "joined by snapshot at sequence 17; Ctrl-C to stop",
  }));
  assert.deepEqual(first, [
    "OPEN  system Q  SoupBinTCP  next 18  - msg/s  5 orders",
    "",
    "7203  last 100 @ 2301.0 09:30:00.123  ref 2300.0  limits 200",
    "Orders  Quantity      Bid |     Ask  Quantity  Orders",
    "     2       500   2300.0 |  2301.0       400       1",
    "     1       100   2299.0 |  2302.0        50       1",
    "",
    "",
    "",
    "joined by snapshot at sequence 17; Ctrl-C to stop",
  ]);
  // 300 messages in 1.5 s; a smaller terminal cuts the footer too.
  size = { columns: 30, rows: 4 };
  assert.deepEqual(
    rows(view.draw({
      nextSequenceNumber: 318,
      nowMs: 2_500,
      footer: "joined by snapshot at sequence 17; Ctrl-C to stop",
    })),
    [
      "OPEN  system Q  SoupBinTCP  ne",
      "… 2 more lines",
      "",
      "joined by snapshot at sequence",
    ],
  );
  // No time passed: the rate stays (300 messages in 1.5 s).
  size = { columns: 80, rows: 8 };
  assert.equal(
    rows(view.draw({ nextSequenceNumber: 400, nowMs: 2_500, footer: "" }))[0],
    "OPEN  system Q  SoupBinTCP  next 400  200 msg/s  5 orders",
  );
  assert.equal(
    rows(view.draw({ nextSequenceNumber: 400, nowMs: 3_500, footer: "" }))[0],
    "OPEN  system Q  SoupBinTCP  next 400  82 msg/s  5 orders",
  );
});

Deno.test("ItchLiveView() rejects a level count that is not a positive integer", () => {
  assert.throws(
    () =>
      new ItchLiveView(new BookBuilder(), {
        transport: "SoupBinTCP",
        levels: 0,
      }),
    { name: "RangeError", message: /Cannot show 0 price levels/ },
  );
});

Deno.test("itchBookViews() shows no limits for an orderbook whose announced limits are the whole price range, as the server announces none", () => {
  const books = built([
    {
      type: "orderbookDirectory",
      nanoseconds: 0,
      orderbookId: "1",
      isin: "",
      group: "DAY",
      roundLotSize: 1,
      tickTableId: 0,
      priceDecimals: 1,
      upperPriceLimit: 0x7ffffffe,
      lowerPriceLimit: 1,
    },
    added(1n, "B", 10, 1_000, "1"),
  ]);
  assert.deepEqual(itchBookViews(books)[0]!.instrument, {
    referencePrice: 0,
    lowerLimit: 0,
    upperLimit: 0,
  });
  assert.equal(
    soupBinView(books, 3, 0, { columns: 80, rows: 8 })[2],
    "1  last -  HALTED",
  );
});
