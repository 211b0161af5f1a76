import assert from "node:assert/strict";
import type { EnterOrder } from "../../lib/codec/messages.ts";
import { DEFAULT_ORDERBOOKS, type Depth } from "../../lib/matcher/mod.ts";
import {
  Display,
  DISPLAY_MODES,
  type DisplayMode,
  type DisplayOptions,
  type DisplaySource,
  renderConnectionEvent,
  renderDebugInbound,
  renderDebugOutbound,
  renderLadder,
  renderStatus,
  renderSummary,
  renderTable,
  type StatusInfo,
} from "../../lib/console/display.ts";
import {
  Exchange,
  type MarketData,
  type MarketTrade,
} from "../../lib/exchange/mod.ts";

const NINE_THIRTY = 34_200_000_000_000;
const ESC = "\x1b";

const DEPTH: Depth = {
  orderbookId: "7203",
  bids: [
    { price: 23_000, quantity: 300, orders: 2 },
    { price: 22_990, quantity: 100, orders: 1 },
    { price: 22_950, quantity: 1_000_000, orders: 12 },
  ],
  asks: [{ price: 23_010, quantity: 50, orders: 1 }],
};

const TRADE: MarketTrade = {
  matchNumber: 202611250000000004n,
  orderbookId: "7203",
  price: 23_005,
  quantity: 10,
  timestamp: NINE_THIRTY + 123_456_789,
  aggressor: "S",
};

const STATUS: StatusInfo = {
  open: true,
  session: "2026112501",
  sessions: 2,
  connections: 3,
  inPerSecond: 1200,
  outPerSecond: 2400,
};

function order(
  side: "B" | "S",
  price: number,
  quantity: number,
  orderToken: number,
  orderbookId = "7203",
): EnterOrder {
  return {
    type: "enterOrder",
    orderToken,
    clientReference: "ref",
    buySellIndicator: side,
    quantity,
    orderbookId,
    group: "DAY",
    price,
    timeInForce: 99999,
    firmId: 0,
    display: " ",
    capacity: "P",
    minimumQuantity: 0,
    orderClassification: "1",
    cashMarginType: "1",
  };
}

/** An exchange of demo1 and demo2 that delivers every command at once. */
function newExchange(session = "2026112501"): Exchange {
  return new Exchange({
    users: new Map([["demo1", "demo"], ["demo2", "demo"]]),
    day: {
      session,
      tradingDate: "20261125",
      created: 1795564800,
      // The default orderbooks without reference data: these tests trade their own
      // quantities and prices on 7203 and 9984.
      matcher: {
        instruments: DEFAULT_ORDERBOOKS.map((orderbookId) => ({ orderbookId })),
      },
    },
    schedule: (task) => task(),
    timestamp: 0,
  });
}

/** What the server would show: `sessions` logged in of `connections`. */
function source(
  exchange: Exchange,
  counts: { sessions: number; connections: number } = {
    sessions: 0,
    connections: 0,
  },
): DisplaySource {
  return {
    get session() {
      return exchange.session;
    },
    get messagesIn() {
      return exchange.messagesIn;
    },
    get messagesOut() {
      return exchange.messagesOut;
    },
    get sessions() {
      return counts.sessions;
    },
    get connections() {
      return counts.connections;
    },
  };
}

/** A display writing into `out.text`, with a fixed clock, subscribed to `exchange`. */
function recorder(
  mode: DisplayMode,
  options: Partial<DisplayOptions> = {},
  exchange: Exchange = newExchange(),
): { display: Display; out: { text: string }; exchange: Exchange } {
  const out = { text: "" };
  const display = new Display(mode, {
    write: (text) => out.text += text,
    isTerminal: false,
    color: false,
    now: () => NINE_THIRTY,
    market: exchange.market,
    accountName: (id) => exchange.accountName(id) ?? String(id),
    ...options,
  });
  exchange.subscribe(display);
  return { display, out, exchange };
}

function take(out: { text: string }): string {
  const text = out.text;
  out.text = "";
  return text;
}

Deno.test("DISPLAY_MODES lists the three modes, table first", () => {
  assert.deepEqual([...DISPLAY_MODES], ["table", "debug", "quiet"]);
});

Deno.test("renderLadder() shows more bids than asks side by side, best first", () => {
  assert.deepEqual(renderLadder(DEPTH, []), [
    "7203  last -",
    "Orders  Quantity      Bid |     Ask  Quantity  Orders",
    "     2       300   2300.0 |  2301.0        50       1",
    "     1       100   2299.0 |",
    "    12   1000000   2295.0 |",
  ]);
});

Deno.test("renderLadder() shows the reference price, the price limits and SSR when there are some", () => {
  const instrument = {
    referencePrice: 28_000,
    lowerLimit: 23_000,
    upperLimit: 33_000,
  };
  assert.deepEqual(
    renderLadder(DEPTH, [], { instrument, restricted: true, halted: true })[0],
    "7203  last -  ref 2800.0  limits 2300.0-3300.0  SSR  HALTED",
  );
  assert.equal(
    renderLadder(DEPTH, [], {
      instrument: { referencePrice: 0, lowerLimit: 1_000, upperLimit: 2_000 },
    })[0],
    "7203  last -  limits 100.0-200.0",
  );
  // No reference data (the seed's orderbooks): the title is as before.
  assert.equal(
    renderLadder(DEPTH, [], {
      instrument: { referencePrice: 0, lowerLimit: 0, upperLimit: 0 },
    })[0],
    "7203  last -",
  );
});

Deno.test("renderLadder() leaves an empty bid side blank", () => {
  const depth: Depth = { orderbookId: "1", bids: [], asks: DEPTH.bids };
  assert.deepEqual(renderLadder(depth, []), [
    "1  last -",
    "Orders  Quantity      Bid |     Ask  Quantity  Orders",
    "                          |  2300.0       300       2",
    "                          |  2299.0       100       1",
    "                          |  2295.0   1000000      12",
  ]);
});

Deno.test("renderLadder() shows the last trade and the halted marker", () => {
  const older = {
    ...TRADE,
    matchNumber: 202611250000000003n,
    price: 1,
    quantity: 1,
  };
  assert.deepEqual(
    renderLadder(DEPTH, [older, TRADE], { halted: true, levels: 1 }),
    [
      "7203  last 10 @ 2300.5 09:30:00.123  HALTED",
      "Orders  Quantity      Bid |     Ask  Quantity  Orders",
      "     2       300   2300.0 |  2301.0        50       1",
    ],
  );
});

Deno.test("renderLadder() shows only the title and header of an empty book", () => {
  assert.deepEqual(
    renderLadder({ orderbookId: "3", bids: [], asks: [] }, [TRADE]),
    [
      "3  last 10 @ 2300.5 09:30:00.123",
      "Orders  Quantity      Bid |     Ask  Quantity  Orders",
    ],
  );
});

Deno.test("renderLadder() widens the columns for large values", () => {
  const depth: Depth = {
    orderbookId: "9",
    bids: [{
      price: 2_147_483_646,
      quantity: 2_147_483_647,
      orders: 1_234_567,
    }],
    asks: [],
  };
  assert.deepEqual(renderLadder(depth, []), [
    "9  last -",
    " Orders    Quantity          Bid |         Ask    Quantity   Orders",
    "1234567  2147483647  214748364.6 |",
  ]);
});

Deno.test("renderLadder() colours bids green and asks red", () => {
  const lines = renderLadder(DEPTH, [], { color: true, levels: 1 });
  assert.equal(
    lines[2],
    `${ESC}[32m     2       300   2300.0${ESC}[39m | ${ESC}[31m 2301.0        50       1${ESC}[39m`,
  );
});

Deno.test("renderLadder() rejects a level count that is not a positive integer", () => {
  assert.throws(() => renderLadder(DEPTH, [], { levels: 0 }), {
    name: "RangeError",
    message: /positive integer/,
  });
});

Deno.test("renderSummary() shows the best prices, the last trade and a halt on one line", () => {
  assert.equal(
    renderSummary(DEPTH, [TRADE], { halted: true }),
    "7203  bid 300 @ 2300.0  ask 50 @ 2301.0  last 10 @ 2300.5 09:30:00.123  HALTED",
  );
  assert.equal(
    renderSummary({ orderbookId: "1", bids: [], asks: [] }, []),
    "1  bid -  ask -  last -",
  );
});

Deno.test("renderStatus() shows state, session, counts and rates", () => {
  assert.equal(
    renderStatus(STATUS),
    "OPEN  session 2026112501  2 sessions  3 connections  in 1200/s  out 2400/s",
  );
  assert.equal(
    renderStatus({
      ...STATUS,
      open: false,
      sessions: 1,
      connections: 1,
      inPerSecond: undefined,
      outPerSecond: undefined,
    }),
    "CLOSED  session 2026112501  1 session  1 connection  in -/s  out -/s",
  );
});

Deno.test("renderTable() puts the status line first and says when there are no orders", () => {
  assert.deepEqual(renderTable(STATUS, [], { columns: 100, rows: 10 }), [
    "OPEN  session 2026112501  2 sessions  3 connections  in 1200/s  out 2400/s",
    "",
    "No orders",
  ]);
});

Deno.test("renderTable() places ladders side by side when the width allows", () => {
  const other: Depth = { orderbookId: "1", bids: [], asks: [DEPTH.asks[0]!] };
  const books = [
    { depth: DEPTH, trades: [], halted: false },
    { depth: other, trades: [TRADE], halted: true },
  ];
  assert.deepEqual(
    renderTable(STATUS, books, { columns: 120, rows: 20, levels: 2 }),
    [
      "OPEN  session 2026112501  2 sessions  3 connections  in 1200/s  out 2400/s",
      "",
      "7203  last -                                            1  last 10 @ 2300.5 09:30:00.123  HALTED",
      "Orders  Quantity      Bid |     Ask  Quantity  Orders   Orders  Quantity      Bid |     Ask  Quantity  Orders",
      "     2       300   2300.0 |  2301.0        50       1                             |  2301.0        50       1",
      "     1       100   2299.0 |",
    ],
  );
});

Deno.test("renderTable() shows fewer levels, then one line per book, then cuts, when the books do not fit", () => {
  const books = [
    { depth: DEPTH, trades: [], halted: false },
    { depth: { ...DEPTH, orderbookId: "6758" }, trades: [], halted: false },
  ];
  // Two blocks of title + header + 2 levels, a blank between: 2 + 4 + 1 + 4 = 11 rows.
  const lines = renderTable(STATUS, books, { columns: 60, rows: 11 });
  assert.deepEqual(lines.slice(2), [
    "7203  last -",
    "Orders  Quantity      Bid |     Ask  Quantity  Orders",
    "     2       300   2300.0 |  2301.0        50       1",
    "     1       100   2299.0 |",
    "",
    "6758  last -",
    "Orders  Quantity      Bid |     Ask  Quantity  Orders",
    "     2       300   2300.0 |  2301.0        50       1",
    "     1       100   2299.0 |",
  ]);
  // Room for fewer than two levels each: one line per book, none dropped (issue #12 item 6).
  assert.deepEqual(
    renderTable(STATUS, books, { columns: 60, rows: 9 }).slice(1),
    [
      "",
      "7203  bid 300 @ 2300.0  ask 50 @ 2301.0  last -",
      "6758  bid 300 @ 2300.0  ask 50 @ 2301.0  last -",
    ],
  );
  const cut = renderTable(STATUS, books, { columns: 30, rows: 3 });
  assert.deepEqual(cut, [
    "OPEN  session 2026112501  2 se",
    "",
    "… 2 more lines",
  ]);
});

Deno.test("renderTable() fits four books to 80x24, 120x40 and 200x60 terminals (the table gets the rows above the 8-row console)", () => {
  const books = ["7203", "6758", "9984", "8306"].map((orderbookId) => ({
    depth: { ...DEPTH, orderbookId },
    trades: [],
    halted: false,
  }));
  const shown = (columns: number, rows: number) => {
    const lines = renderTable(STATUS, books, { columns, rows: rows - 8 });
    assert.ok(lines.length <= rows - 8);
    assert.ok(lines.every((line) => line.length <= columns));
    return {
      books:
        ["7203", "6758", "9984", "8306"].filter((id) =>
          lines.some((line) => line.includes(`${id}  `))
        ).length,
      ladders: lines.filter((line) => line.includes("Bid |")).length,
      // Books whose third level (1,000,000 at 2295.0) is on screen.
      levels: lines.reduce(
        (n, line) => n + line.split("12   1000000").length - 1,
        0,
      ),
    };
  };
  // 80x24: no room for ladders of four books: a line each, all four there.
  assert.deepEqual(shown(80, 24), { books: 4, ladders: 0, levels: 0 });
  // 120x40: two ladders per row, every level.
  assert.deepEqual(shown(120, 40), { books: 4, ladders: 2, levels: 4 });
  // 200x60: three per row, every level.
  assert.deepEqual(shown(200, 60), { books: 4, ladders: 2, levels: 4 });
  // 80x24 with a taller console answer on screen (the table has 6 rows): still all four.
  assert.equal(
    renderTable(STATUS, books, { columns: 80, rows: 6 }).filter((line) =>
      /^\d{4} {2}bid/.test(line)
    ).length,
    4,
  );
});

Deno.test("renderDebugInbound() shows time, account, direction and the message", () => {
  assert.equal(
    renderDebugInbound({
      account: "demo1",
      message: order("B", 23_000, 100, 1),
      timestamp: NINE_THIRTY + 5,
    }),
    "09:30:00.000000005 demo1  <- enterOrder orderToken=1 clientReference=ref buySellIndicator=B " +
      'quantity=100 orderbookId=7203 group=DAY price=2300.0 timeInForce=99999 firmId=0 display=" " ' +
      "capacity=P minimumQuantity=0 orderClassification=1 cashMarginType=1",
  );
});

Deno.test("renderDebugOutbound() shows the sequence number, and * for a broadcast", () => {
  assert.equal(
    renderDebugOutbound({
      account: "demo2",
      message: {
        type: "orderRejected",
        timestamp: NINE_THIRTY,
        orderToken: 9,
        orderRejectedReason: "N",
      },
      sequenceNumber: 17,
    }),
    "09:30:00.000000000 demo2  -> #17 orderRejected timestamp=09:30:00.000000000 orderToken=9 " +
      "orderRejectedReason=N (Invalid minimum quantity)",
  );
  assert.equal(
    renderDebugOutbound({
      account: null,
      message: { type: "systemEvent", timestamp: NINE_THIRTY, eventCode: "E" },
      sequenceNumber: 0,
    }),
    "09:30:00.000000000 *      -> systemEvent timestamp=09:30:00.000000000 eventCode=E",
  );
});

Deno.test("renderConnectionEvent() describes each connection event", () => {
  const at = { timestamp: NINE_THIRTY };
  assert.deepEqual(
    [
      renderConnectionEvent({
        type: "connected",
        id: 1,
        remote: "127.0.0.1:5001",
      }, at),
      renderConnectionEvent({
        type: "loggedIn",
        id: 1,
        account: "demo1",
        session: "2026112501",
        nextSequenceNumber: 5,
      }, at),
      renderConnectionEvent({
        type: "loginRejected",
        id: 2,
        username: "demo2",
        code: "S",
      }, at),
      renderConnectionEvent({
        type: "disconnected",
        id: 1,
        account: "demo1",
        reason: "logout",
      }, at),
      renderConnectionEvent({
        type: "disconnected",
        id: 2,
        account: undefined,
        reason: "login rejected (S)",
      }, at),
      renderConnectionEvent({
        type: "protocolError",
        id: 3,
        account: "demo2",
        reason: "SoupBinTcpError: Cannot read packet",
      }, at),
    ],
    [
      "09:30:00.000000000 connection 1 opened from 127.0.0.1:5001",
      "09:30:00.000000000 connection 1 logged in as demo1: session 2026112501, next sequence number 5",
      '09:30:00.000000000 connection 2 login rejected for "demo2": S (Session not available)',
      "09:30:00.000000000 connection 1 (demo1) closed: logout",
      "09:30:00.000000000 connection 2 closed: login rejected (S)",
      "09:30:00.000000000 connection 3 (demo2) protocol error: SoupBinTcpError: Cannot read packet",
    ],
  );
});

Deno.test("Display() rejects an unknown mode", () => {
  assert.throws(
    () =>
      new Display("verbose" as DisplayMode, {
        write: () => {},
        isTerminal: false,
        color: false,
        now: () => 0,
      }),
    { name: "RangeError", message: /"verbose"/ },
  );
});

Deno.test("Display in debug mode prints every inbound and outbound message", () => {
  const { exchange, out } = recorder("debug");
  exchange.submit("demo1", order("S", 23_000, 100, 1), NINE_THIRTY + 1);
  exchange.open(NINE_THIRTY + 2); // already open: nothing
  exchange.close(NINE_THIRTY + 3);
  const fields =
    'group=DAY price=2300.0 timeInForce=99999 firmId=0 display=" " capacity=P';
  assert.deepEqual(take(out).split("\n"), [
    "09:30:00.000000001 demo1  <- enterOrder orderToken=1 clientReference=ref buySellIndicator=S " +
    `quantity=100 orderbookId=7203 ${fields} minimumQuantity=0 orderClassification=1 cashMarginType=1`,
    "09:30:00.000000001 demo1  -> #2 orderAccepted timestamp=09:30:00.000000001 orderToken=1 " +
    `clientReference=ref buySellIndicator=S quantity=100 orderbookId=7203 ${fields} orderNumber=202611250000000001 ` +
    "minimumQuantity=0 orderState=L orderClassification=1 cashMarginType=1",
    "09:30:00.000000003 demo1  -> #3 orderCanceled timestamp=09:30:00.000000003 orderToken=1 " +
    "decrementQuantity=100 orderCanceledReason=O (Other)",
    "09:30:00.000000003 *      -> systemEvent timestamp=09:30:00.000000003 eventCode=E",
    "",
  ]);
});

Deno.test("Display in debug mode prints connection events, with login rejects explained", () => {
  const { display, out } = recorder("debug");
  display.connectionEvent({
    type: "connected",
    id: 1,
    remote: "127.0.0.1:5001",
  });
  display.connectionEvent({
    type: "loginRejected",
    id: 1,
    username: "nobody",
    code: "A",
  });
  display.connectionEvent({
    type: "disconnected",
    id: 1,
    account: undefined,
    reason: "login rejected (A)",
  });
  display.connectionEvent({
    type: "protocolError",
    id: 2,
    account: "demo1",
    reason: "OuchDecodeError: Cannot decode",
  });
  assert.equal(
    take(out),
    "09:30:00.000000000 connection 1 opened from 127.0.0.1:5001\n" +
      '09:30:00.000000000 connection 1 login rejected for "nobody": A (Not authorized)\n' +
      "09:30:00.000000000 connection 1 closed: login rejected (A)\n" +
      "09:30:00.000000000 connection 2 (demo1) protocol error: OuchDecodeError: Cannot decode\n",
  );
});

Deno.test("Display in quiet mode hides info and connections but shows warnings and errors", () => {
  const { display, exchange, out } = recorder("quiet", { color: true });
  exchange.submit("demo1", order("B", 23_000, 100, 1), NINE_THIRTY);
  display.info("listening on 127.0.0.1:15000");
  display.connectionEvent({
    type: "connected",
    id: 1,
    remote: "127.0.0.1:5001",
  });
  display.connectionEvent({
    type: "loggedIn",
    id: 1,
    account: "demo1",
    session: "2026112501",
    nextSequenceNumber: 1,
  });
  display.connectionEvent({
    type: "disconnected",
    id: 1,
    account: "demo1",
    reason: "logout",
  });
  display.connectionEvent({
    type: "protocolError",
    id: 1,
    account: "demo1",
    reason: "bad",
  });
  display.warn("journal is slow");
  display.error("cannot write the journal");
  display.prompt(); // not a terminal: nothing
  display.refresh(source(exchange), 0);
  assert.equal(
    take(out),
    `${ESC}[33m${ESC}[2m09:30:00.000000000${ESC}[22m connection 1 (demo1) protocol error: bad${ESC}[39m\n` +
      `${ESC}[33mjournal is slow${ESC}[39m\n` +
      `${ESC}[31mcannot write the journal${ESC}[39m\n`,
  );
});

Deno.test("Display in table mode shows info lines and connection events", () => {
  const { display, out } = recorder("table");
  display.info("ouch server listening on 127.0.0.1:15000\nsecond line");
  display.connectionEvent({
    type: "loggedIn",
    id: 1,
    account: "demo1",
    session: "2026112501",
    nextSequenceNumber: 3,
  });
  assert.equal(
    take(out),
    "ouch server listening on 127.0.0.1:15000\nsecond line\n" +
      "09:30:00.000000000 connection 1 logged in as demo1: session 2026112501, next sequence number 3\n",
  );
});

Deno.test("Display in table mode off a terminal prints a summary at most every 5 s, on changes", () => {
  const { display, exchange, out } = recorder("table");
  const counts = { sessions: 1, connections: 2 };
  const status = source(exchange, counts);
  exchange.submit("demo1", order("B", 23_000, 100, 1), NINE_THIRTY);
  exchange.submit("demo2", order("S", 23_010, 50, 1, "1"), NINE_THIRTY);
  display.refresh(status, 1_000);
  assert.equal(
    take(out),
    "OPEN  session 2026112501  1 session  2 connections  in -/s  out -/s\n" +
      "1  bid -  ask 50 @ 2301.0  last -\n" +
      "7203  bid 100 @ 2300.0  ask -  last -\n",
  );
  exchange.submit("demo2", order("S", 23_000, 40, 2), NINE_THIRTY + 10);
  display.refresh(status, 2_000);
  display.refresh(status, 5_999);
  assert.equal(take(out), "", "not within 5 s of the last summary");
  display.refresh(status, 6_000);
  assert.equal(
    take(out),
    // 1 message in and 3 out (Accepted, two Executed) over 5 s.
    "OPEN  session 2026112501  1 session  2 connections  in 0/s  out 1/s\n" +
      "7203  bid 60 @ 2300.0  ask -  last 40 @ 2300.0 09:30:00.000\n",
  );
  display.refresh(status, 20_000);
  assert.equal(take(out), "", "nothing changed");
  exchange.submit(
    "demo1",
    { type: "cancelOrder", orderToken: 1, quantity: 0 },
    NINE_THIRTY,
  );
  exchange.submit(
    "demo2",
    { type: "cancelOrder", orderToken: 1, quantity: 0 },
    NINE_THIRTY,
  );
  exchange.halt("6758", NINE_THIRTY);
  display.refresh(status, 30_000);
  assert.equal(
    take(out),
    "OPEN  session 2026112501  1 session  2 connections  in 0/s  out 0/s\n" +
      "1  bid -  ask -  last -\n" +
      "7203  bid -  ask -  last 40 @ 2300.0 09:30:00.000\n" +
      "6758  bid -  ask -  last -  HALTED\n",
  );
  counts.connections = 1;
  display.refresh(status, 40_000);
  assert.equal(
    take(out),
    "OPEN  session 2026112501  1 session  1 connection  in 0/s  out 0/s\n",
    "a status change alone prints the status line",
  );
  display.info("bye");
  display.close();
  assert.equal(take(out), "bye\n");
});

Deno.test("Display off a terminal never writes escape sequences without colours", () => {
  for (const mode of DISPLAY_MODES) {
    const { display, exchange, out } = recorder(mode, {
      size: () => ({ columns: 100, rows: 40 }),
    });
    display.info("hello");
    display.prompt();
    for (let second = 0; second < 12; second++) {
      exchange.submit(
        "demo1",
        order("B", 23_000 - second, 100, second + 1),
        NINE_THIRTY,
      );
      display.refresh(source(exchange), second * 1000);
    }
    display.warn("careful");
    display.close();
    assert.equal(out.text.includes(ESC), false, mode);
  }
});

Deno.test("Display in table mode on a terminal lays out a scroll region and restores it", () => {
  const { display, out } = recorder("table", {
    isTerminal: true,
    size: () => ({ columns: 60, rows: 24 }),
  });
  display.info("started");
  assert.equal(
    take(out),
    // Setup: old screen into the scrollback, clear, table in rows 1-16, console 17-24.
    `${ESC}[24;1H${"\n".repeat(24)}${ESC}[2J${ESC}[17;24r${ESC}[24;1H` +
      // The line scrolls rows 17-23 only, above the prompt row, and the cursor comes back.
      `${ESC}7${ESC}[17;23r${ESC}[23;1H\r\nstarted${ESC}[17;24r${ESC}8`,
  );
  display.prompt();
  assert.equal(take(out), `${ESC}[24;1H${ESC}[2K> `);
  display.close();
  assert.equal(take(out), `${ESC}[r${ESC}[24;1H${ESC}[2K`);
  display.close();
  display.info("after");
  assert.equal(take(out), "after\n");
});

Deno.test("Display in table mode gives a long console answer the rows it needs, until the next command (issue #12 item 6)", () => {
  const { display, out } = recorder("table", {
    isTerminal: true,
    size: () => ({ columns: 80, rows: 24 }),
  });
  display.info("started");
  take(out);
  // Twelve lines (help, accounts, book): the console grows to 13 rows, the table keeps 11.
  const answer = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join(
    "\n",
  );
  display.info(answer);
  const grown = take(out);
  assert.ok(
    grown.startsWith(`${ESC}[2J${ESC}[12;24r${ESC}[24;1H`),
    JSON.stringify(grown.slice(0, 40)),
  );
  assert.ok(grown.includes("\r\nline 1\r\n") && grown.includes("line 12"));
  // A short line keeps the room; the next command gives the table its rows back.
  display.info("short");
  assert.equal(take(out).includes(`${ESC}[2J`), false);
  display.commandTyped();
  assert.ok(take(out).startsWith(`${ESC}[2J${ESC}[17;24r`));
  display.commandTyped();
  assert.equal(take(out), "", "already back: nothing to do");
  display.close();
});

Deno.test("Display in table mode on a terminal redraws the table in place", () => {
  let size = { columns: 80, rows: 24 };
  const { display, exchange, out } = recorder("table", {
    isTerminal: true,
    size: () => size,
  });
  const status = source(exchange, { sessions: 1, connections: 1 });
  exchange.submit("demo1", order("B", 23_000, 100, 1), NINE_THIRTY);
  display.refresh(status, 10_000);
  const first = take(out);
  assert.ok(
    first.startsWith(
      `${ESC}[24;1H${"\n".repeat(24)}${ESC}[2J${ESC}[17;24r${ESC}[24;1H`,
    ),
  );
  const table = first.slice(first.indexOf(`${ESC}7`));
  const rows = table.slice(2, -2).split(new RegExp(`${ESC}\\[\\d+;1H`)).slice(
    1,
  );
  assert.equal(rows.length, 16);
  assert.deepEqual(rows.slice(0, 6).map((row) => row.replace(`${ESC}[K`, "")), [
    "OPEN  session 2026112501  1 session  1 connection  in -/s  out -/s",
    "",
    "7203  last -",
    "Orders  Quantity      Bid |     Ask  Quantity  Orders",
    "     1       100   2300.0 |",
    "",
  ]);
  assert.equal(
    table.includes(`${ESC}[2J`),
    false,
    "a redraw does not clear the screen",
  );

  // Two refreshes a second apart give the rates; only the changed book is read again.
  for (let token = 2; token <= 6; token++) {
    exchange.submit("demo1", order("B", 23_000, 100, token, "1"), NINE_THIRTY);
  }
  display.refresh(status, 10_500);
  const second = take(out);
  assert.match(second, /in 10\/s {2}out 10\/s/);
  assert.match(second, /1 {2}last -/);

  // A resize lays the screen out again.
  size = { columns: 80, rows: 30 };
  display.prompt();
  take(out);
  display.refresh(status, 11_500);
  assert.ok(
    take(out).startsWith(
      `${ESC}[2J${ESC}[23;30r${ESC}[30;1H${ESC}[2K> ${ESC}7`,
    ),
  );
  display.info("x");
  assert.equal(
    take(out),
    `${ESC}7${ESC}[23;29r${ESC}[29;1H\r\nx${ESC}[23;30r${ESC}8`,
  );
  display.close();
  assert.equal(take(out), `${ESC}[r${ESC}[30;1H${ESC}[2K`);
});

Deno.test("Display in debug mode on a terminal keeps the prompt on the last row", () => {
  const { display, out } = recorder("debug", {
    isTerminal: true,
    size: () => ({ columns: 80, rows: 10 }),
  });
  display.prompt();
  display.warn("w");
  assert.equal(
    take(out),
    `${ESC}[10;1H${ESC}[10;1H${ESC}[2K> ` +
      `${ESC}7${ESC}[1;9r${ESC}[9;1H\r\nw${ESC}[r${ESC}8`,
  );
});

Deno.test("Display.refresh() reads only the orderbooks the market data reported changed", () => {
  const exchange = newExchange();
  const market = exchange.market;
  const reads: string[] = [];
  // A market-data model that records which depths are read.
  const spy = {
    get day() {
      return market.day;
    },
    get orderbooks() {
      return market.orderbooks;
    },
    get isOpen() {
      return market.isOpen;
    },
    isHalted: (id: string) => market.isHalted(id),
    isShortSellRestricted: (id: string) => market.isShortSellRestricted(id),
    instrument: (id: string) => market.instrument(id),
    lastTrade: (id: string) => market.lastTrade(id),
    listen: (listener: Parameters<MarketData["listen"]>[0]) =>
      market.listen(listener),
    depth: (id: string, levels: number) => {
      reads.push(id);
      return market.depth(id, levels);
    },
  } as unknown as MarketData;
  const { display, out } = recorder(
    "table",
    { isTerminal: true, market: spy },
    exchange,
  );
  display.refresh(source(exchange), 0);
  assert.deepEqual(
    reads,
    [...exchange.orderbooks],
    "everything at the first refresh",
  );
  reads.length = 0;
  exchange.submit("demo1", order("B", 23_000, 100, 1, "9984"), NINE_THIRTY);
  exchange.submit("demo1", order("B", 23_000, 100, 2, "9984"), NINE_THIRTY);
  display.refresh(source(exchange), 1_000);
  assert.deepEqual(reads, ["9984"]);
  reads.length = 0;
  display.refresh(source(exchange), 2_000);
  assert.deepEqual(reads, []);
  exchange.halt("0", NINE_THIRTY);
  display.refresh(source(exchange), 3_000);
  assert.deepEqual(reads, ["0"]);
  assert.match(take(out), /0 {2}last - {2}HALTED/);
});

Deno.test("Display.refresh() starts over when the trading day changes", async () => {
  const exchange = newExchange("DAY1");
  const { display, out } = recorder("table", { isTerminal: true }, exchange);
  exchange.submit("demo1", order("B", 23_000, 100, 1), NINE_THIRTY);
  display.refresh(source(exchange), 0);
  exchange.submit("demo1", order("B", 23_000, 100, 2), NINE_THIRTY);
  display.refresh(source(exchange), 1_000);
  assert.match(
    take(out),
    /session DAY1 {2}0 sessions {2}0 connections {2}in 1\/s {2}out 1\/s/,
  );
  exchange.close(NINE_THIRTY);
  await exchange.endDay(NINE_THIRTY);
  exchange.startDay(
    { session: "DAY2", tradingDate: "20261126", created: 1795651200 },
    { timestamp: 0, log: null },
  );
  display.refresh(source(exchange), 2_000);
  const text = take(out);
  assert.match(
    text,
    /OPEN {2}session DAY2 {2}0 sessions {2}0 connections {2}in -\/s {2}out -\/s/,
  );
  assert.match(text, /No orders/);
  assert.doesNotMatch(text, /7203/);
});
