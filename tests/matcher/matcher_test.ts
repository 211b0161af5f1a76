import assert from "node:assert/strict";
import type {
  EnterOrder,
  InboundMessage,
  OrderRejectedReason,
  OutboundMessage,
} from "../../lib/codec/messages.ts";
import {
  ALL_ACCOUNTS,
  DEFAULT_ORDERBOOKS,
  Matcher,
  type MatcherOutput,
} from "../../lib/matcher/mod.ts";
import {
  accepted,
  canceled,
  dayNumber,
  enter,
  executed,
  recording,
  replace,
  type Sent,
  TRADING_DATE,
} from "./_helpers.ts";

// Account ids: the matcher knows no names.
const A = 0;
const B = 1;
const C = 2;
const D = 3;
const S = 4;
const Z = 5;
const S1 = 6;
const S2 = 7;
const NOBODY = 9;

Deno.test("Matcher.handle() rejects Enter Order with the first failing check's code", () => {
  const cases: [string, Partial<EnterOrder>, OrderRejectedReason][] = [
    ["unknown orderbook", { orderbookId: "9999" }, "S"],
    ["price 0", { price: 0 }, "X"],
    ["price above the maximum", { price: 2_147_483_647 }, "X"],
    ["quantity 0", { quantity: 0 }, "Z"],
    ["quantity above the maximum", { quantity: 2_147_483_648 }, "Z"],
    ["minimum quantity on a Day order", { minimumQuantity: 1 }, "N"],
    ["minimum quantity above quantity", {
      timeInForce: 0,
      minimumQuantity: 101,
    }, "N"],
    ["side", { buySellIndicator: "X" }, "Y"],
    ["classification 2", { orderClassification: "2" }, "Y"],
    ["time in force", { timeInForce: 5 }, "Y"],
    ["display", { display: "Q" }, "D"],
    ["cash margin type", { cashMarginType: "6" }, "G"],
    ["group", { group: "NITE" }, "c"],
    ["capacity", { capacity: "X" }, "O"],
    ["bad price before bad quantity", { price: 0, quantity: 0 }, "X"],
    ["bad minimum quantity before bad TIF", {
      timeInForce: 5,
      minimumQuantity: 1,
    }, "N"],
    ["bad group before bad price", { price: 0, group: "NITE" }, "c"],
  ];
  for (const [name, fields, code] of cases) {
    const { matcher, take } = recording();
    matcher.handle(A, enter({ orderToken: 7, ...fields }), 11);
    assert.deepEqual(take(), [[A, {
      type: "orderRejected",
      timestamp: 11,
      orderToken: 7,
      orderRejectedReason: code,
    }]], name);
    assert.equal(
      matcher.nextToken(A),
      8,
      `${name}: the token is consumed`,
    );
  }
});

Deno.test("Matcher.handle() rejects with R when closed and H when halted, before other checks", () => {
  const { matcher, take } = recording({ open: false });
  matcher.handle(
    A,
    enter({ orderToken: 1, orderbookId: "nope", price: 0 }),
    1,
  );
  matcher.open(2);
  matcher.halt("1", 3);
  matcher.handle(A, enter({ orderToken: 2, price: 0 }), 4);
  matcher.handle(A, enter({ orderToken: 3, orderbookId: "nope" }), 5);
  matcher.resume("1", 6);
  matcher.handle(A, enter({ orderToken: 4 }), 7);
  assert.deepEqual(take(), [
    [A, {
      type: "orderRejected",
      timestamp: 1,
      orderToken: 1,
      orderRejectedReason: "R",
    }],
    [ALL_ACCOUNTS, { type: "systemEvent", timestamp: 2, eventCode: "S" }],
    [A, {
      type: "orderRejected",
      timestamp: 4,
      orderToken: 2,
      orderRejectedReason: "H",
    }],
    [A, {
      type: "orderRejected",
      timestamp: 5,
      orderToken: 3,
      orderRejectedReason: "S",
    }],
    [A, accepted(enter({ orderToken: 4 }), 7, 1)],
  ]);
});

Deno.test("Matcher.handle() rejects a crossing post-only order with O and accepts a passive one", () => {
  const { matcher, take } = recording();
  matcher.handle(B, enter({ buySellIndicator: "S", price: 10_000 }), 1);
  take();
  matcher.handle(
    A,
    enter({ orderToken: 1, display: "P", price: 10_000 }),
    2,
  );
  matcher.handle(
    A,
    enter({ orderToken: 2, display: "P", price: 9_990 }),
    3,
  );
  assert.deepEqual(take(), [
    [A, {
      type: "orderRejected",
      timestamp: 2,
      orderToken: 1,
      orderRejectedReason: "O",
    }],
    [
      A,
      accepted(enter({ orderToken: 2, display: "P", price: 9_990 }), 3, 2),
    ],
  ]);
});

Deno.test("Matcher.handle() ignores tokens not above the highest seen, per account", () => {
  const { matcher, take } = recording();
  matcher.handle(A, enter({ orderToken: 0 }), 1);
  matcher.handle(A, enter({ orderToken: 5 }), 2);
  matcher.handle(A, enter({ orderToken: 5, price: 9_000 }), 3);
  matcher.handle(A, enter({ orderToken: 4 }), 4);
  matcher.handle(B, enter({ orderToken: 1 }), 5);
  assert.deepEqual(take(), [
    [A, accepted(enter({ orderToken: 5 }), 2, 1)],
    [B, accepted(enter({ orderToken: 1 }), 5, 2)],
  ]);
  assert.equal(matcher.nextToken(A), 6);
  assert.equal(matcher.nextToken(B), 2);
  assert.equal(matcher.nextToken(C), 1);
});

Deno.test("Matcher.handle() fills across levels at resting prices with shared match numbers", () => {
  const { matcher, take } = recording();
  matcher.handle(
    S1,
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      price: 10_020,
      quantity: 50,
    }),
    1,
  );
  matcher.handle(
    S2,
    enter({
      orderToken: 1,
      buySellIndicator: "T",
      price: 10_000,
      quantity: 30,
    }),
    2,
  );
  matcher.handle(
    S1,
    enter({
      orderToken: 2,
      buySellIndicator: "E",
      price: 10_000,
      quantity: 40,
    }),
    3,
  );
  take();
  const buy = enter({ orderToken: 9, price: 10_020, quantity: 100 });
  matcher.handle(B, buy, 4);
  assert.deepEqual(take(), [
    [B, accepted(buy, 4, 4)],
    [S2, executed(4, 1, 30, 10_000, "A", 1)],
    [B, executed(4, 9, 30, 10_000, "R", 1)],
    [S1, executed(4, 2, 40, 10_000, "A", 2)],
    [B, executed(4, 9, 40, 10_000, "R", 2)],
    [S1, executed(4, 1, 30, 10_020, "A", 3)],
    [B, executed(4, 9, 30, 10_020, "R", 3)],
  ]);
  assert.deepEqual(matcher.depth("1"), {
    orderbookId: "1",
    bids: [],
    asks: [{ price: 10_020, quantity: 20, orders: 1 }],
  });
  const trade = (
    matchNumber: number,
    price: number,
    quantity: number,
    seller: number,
  ) => ({
    matchNumber: dayNumber(matchNumber),
    orderbookId: "1",
    price,
    quantity,
    timestamp: 4,
    buyer: B,
    seller,
    aggressor: "B" as const,
  });
  const trades = [
    trade(1, 10_000, 30, S2),
    trade(2, 10_000, 40, S1),
    trade(3, 10_020, 30, S1),
  ];
  assert.deepEqual(matcher.trades("1"), trades);
});

Deno.test("Matcher.handle() rests a Day remainder and fills FIFO within a level", () => {
  const { matcher, take } = recording();
  matcher.handle(A, enter({ orderToken: 1, quantity: 10 }), 1);
  matcher.handle(B, enter({ orderToken: 1, quantity: 10 }), 2);
  take();
  const sell = enter({
    orderToken: 3,
    buySellIndicator: "S",
    price: 9_000,
    quantity: 25,
  });
  matcher.handle(C, sell, 3);
  assert.deepEqual(take(), [
    [C, accepted(sell, 3, 3)],
    [A, executed(3, 1, 10, 10_000, "A", 1)],
    [C, executed(3, 3, 10, 10_000, "R", 1)],
    [B, executed(3, 1, 10, 10_000, "A", 2)],
    [C, executed(3, 3, 10, 10_000, "R", 2)],
  ]);
  assert.deepEqual(matcher.depth("1")?.asks, [{
    price: 9_000,
    quantity: 5,
    orders: 1,
  }]);
  assert.deepEqual(matcher.trades("1").map((t) => t.aggressor), ["S", "S"]);
});

Deno.test("Matcher.handle() stops at the same firm with AIQ cancel M and leaves the resting order", () => {
  const { matcher, take } = recording();
  matcher.handle(
    A,
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 10, firmId: 0 }),
    1,
  );
  matcher.handle(
    B,
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 30, firmId: 7 }),
    2,
  );
  matcher.handle(
    A,
    enter({ orderToken: 2, buySellIndicator: "S", quantity: 10, firmId: 0 }),
    3,
  );
  take();
  const buy = enter({ orderToken: 1, quantity: 25, firmId: 7 });
  matcher.handle(C, buy, 4);
  assert.deepEqual(take(), [
    [C, accepted(buy, 4, 4)],
    [A, executed(4, 1, 10, 10_000, "A", 1)],
    [C, executed(4, 1, 10, 10_000, "R", 1)],
    [C, {
      type: "orderAiqCanceled",
      timestamp: 4,
      orderToken: 1,
      decrementQuantity: 15,
      orderCanceledReason: "M",
      quantityPreventedFromTrading: 15,
      executionPrice: 10_000,
      liquidityIndicator: "R",
    }],
  ]);
  assert.deepEqual(matcher.depth("1")?.asks, [{
    price: 10_000,
    quantity: 40,
    orders: 2,
  }]);
  assert.deepEqual(matcher.openOrders(C), []);
  // Firm 0 never prevents: the same account trades with itself.
  matcher.handle(A, enter({ orderToken: 3, quantity: 5 }), 5);
  assert.deepEqual(take().slice(1), [
    [B, executed(5, 1, 5, 10_000, "A", 2)],
    [A, executed(5, 3, 5, 10_000, "R", 2)],
  ]);
});

Deno.test("Matcher.handle() cancels an Immediate order's remainder with I; one that executes nothing is accepted dead", () => {
  const { matcher, take } = recording();
  matcher.handle(
    A,
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 10 }),
    1,
  );
  take();
  const ioc = enter({ orderToken: 1, quantity: 25, timeInForce: 0 });
  matcher.handle(B, ioc, 2);
  const none = enter({ orderToken: 2, quantity: 5, timeInForce: 0 });
  matcher.handle(B, none, 3);
  matcher.handle(
    A,
    enter({ orderToken: 2, buySellIndicator: "S", quantity: 10 }),
    4,
  );
  take();
  const full = enter({ orderToken: 3, quantity: 10, timeInForce: 0 });
  matcher.handle(B, full, 5);
  assert.deepEqual(take(), [
    [B, accepted(full, 5, 5)],
    [A, executed(5, 2, 10, 10_000, "A", 2)],
    [B, executed(5, 3, 10, 10_000, "R", 2)],
  ]);
  const { matcher: m2, take: t2 } = recording();
  m2.handle(
    A,
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 10 }),
    1,
  );
  t2();
  m2.handle(B, ioc, 2);
  m2.handle(B, none, 3);
  assert.deepEqual(t2(), [
    [B, accepted(ioc, 2, 2)],
    [A, executed(2, 1, 10, 10_000, "A", 1)],
    [B, executed(2, 1, 10, 10_000, "R", 1)],
    [B, canceled(2, 1, 15, "I")],
    [B, accepted(none, 3, 3, "D")],
  ]);
  assert.deepEqual(m2.depth("1"), { orderbookId: "1", bids: [], asks: [] });
});

Deno.test("Matcher.handle() trades a minimum-quantity order fully or not at all", () => {
  const { matcher, take } = recording();
  matcher.handle(
    A,
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      quantity: 10,
      price: 10_000,
    }),
    1,
  );
  matcher.handle(
    Z,
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      quantity: 50,
      price: 10_010,
      firmId: 3,
    }),
    2,
  );
  matcher.handle(
    A,
    enter({
      orderToken: 2,
      buySellIndicator: "S",
      quantity: 10,
      price: 10_020,
    }),
    3,
  );
  take();
  // 10 can trade before the same-firm order stops the walk: less than 15.
  const fail = enter({
    orderToken: 1,
    quantity: 40,
    price: 10_020,
    timeInForce: 0,
    minimumQuantity: 15,
    firmId: 3,
  });
  matcher.handle(B, fail, 4);
  assert.deepEqual(take(), [[B, accepted(fail, 4, 4, "D")]]);
  assert.deepEqual(matcher.openOrders(B), []);
  // Without the firm, 60 can trade up to 10,010: enough for 15.
  const pass = enter({
    orderToken: 2,
    quantity: 40,
    price: 10_010,
    timeInForce: 0,
    minimumQuantity: 15,
  });
  matcher.handle(B, pass, 5);
  assert.deepEqual(take(), [
    [B, accepted(pass, 5, 5)],
    [A, executed(5, 1, 10, 10_000, "A", 1)],
    [B, executed(5, 2, 10, 10_000, "R", 1)],
    [Z, executed(5, 1, 30, 10_010, "A", 2)],
    [B, executed(5, 2, 30, 10_010, "R", 2)],
  ]);
});

Deno.test("Matcher.handle() ignores a replace of an unknown or dead token or a stale replacement token", () => {
  const { matcher, take } = recording();
  matcher.handle(A, enter({ orderToken: 3 }), 1);
  take();
  matcher.handle(A, replace(9, 10, 50, 10_000), 2);
  matcher.handle(B, replace(3, 10, 50, 10_000), 3);
  matcher.handle(A, replace(3, 3, 50, 10_000), 4);
  matcher.handle(A, replace(3, 2, 50, 10_000), 5);
  assert.deepEqual(take(), []);
  assert.equal(matcher.nextToken(A), 4);
  matcher.handle(A, replace(3, 4, 50, 10_000), 6);
  matcher.handle(A, replace(3, 5, 40, 10_000), 7);
  assert.equal(take().length, 1);
  assert.equal(matcher.nextToken(A), 5);
});

Deno.test("Matcher.handle() cancels the order when a replace fails a check, leaving the replacement token unused", () => {
  const cases: [string, Parameters<typeof replace>, string][] = [
    ["price", [1, 2, 50, 0], "X"],
    ["quantity", [1, 2, 2_147_483_648, 10_000], "Z"],
    [
      "minimum quantity on Day",
      [1, 2, 50, 10_000, { minimumQuantity: 1 }],
      "N",
    ],
    ["minimum quantity above quantity", [1, 2, 50, 10_000, {
      timeInForce: 0,
      minimumQuantity: 51,
    }], "N"],
    ["time in force", [1, 2, 50, 10_000, { timeInForce: 1 }], "Y"],
    ["display", [1, 2, 50, 10_000, { display: "x" }], "D"],
    ["post-only crossing", [1, 2, 50, 10_100, { display: "P" }], "O"],
  ];
  for (const [name, args, code] of cases) {
    const { matcher, take } = recording();
    matcher.handle(
      S,
      enter({ orderToken: 1, buySellIndicator: "S", price: 10_100 }),
      1,
    );
    matcher.handle(A, enter({ orderToken: 1 }), 2);
    take();
    matcher.handle(A, replace(...args), 3);
    assert.deepEqual(take(), [[A, canceled(3, 1, 100, code as "X")]], name);
    assert.equal(
      matcher.nextToken(A),
      2,
      `${name}: the replacement token is not consumed`,
    );
    assert.deepEqual(matcher.openOrders(A), [], name);
    assert.deepEqual(matcher.depth("1")?.bids, [], name);
    // It may be used again (JNX §6.2).
    matcher.handle(A, enter({ orderToken: 2, price: 9_000 }), 4);
    assert.deepEqual(
      take(),
      [[A, accepted(enter({ orderToken: 2, price: 9_000 }), 4, 3)]],
      name,
    );
  }
});

Deno.test("Matcher.handle() cancels with R a replace that would execute while halted", () => {
  // While closed no order rests (close cancels them all, entry is rejected), so only a
  // halt can make a live replace "not allowed at this time".
  const { matcher, take } = recording();
  matcher.handle(
    S,
    enter({ orderToken: 1, buySellIndicator: "S", price: 10_100 }),
    1,
  );
  matcher.handle(A, enter({ orderToken: 1 }), 2);
  matcher.halt("1", 3);
  take();
  // A replace that does not cross still works.
  matcher.handle(A, replace(1, 5, 90, 10_000), 4);
  matcher.handle(A, replace(5, 6, 90, 10_100), 5);
  assert.deepEqual(take(), [
    [A, {
      type: "orderReplaced",
      timestamp: 4,
      replacementOrderToken: 5,
      buySellIndicator: "B",
      quantity: 90,
      orderbookId: "1",
      group: "DAY",
      price: 10_000,
      timeInForce: 99999,
      display: " ",
      orderNumber: dayNumber(3),
      minimumQuantity: 0,
      orderState: "L",
      previousOrderToken: 1,
    }],
    [A, canceled(5, 5, 90, "R")],
  ]);
  assert.deepEqual(matcher.depth("1")?.bids, []);
});

Deno.test("Matcher.handle() replaces keeping or losing time priority", () => {
  const { matcher, take } = recording();
  matcher.handle(A, enter({ orderToken: 1, quantity: 10 }), 1);
  matcher.handle(B, enter({ orderToken: 1, quantity: 10 }), 2);
  take();
  matcher.handle(A, replace(1, 2, 8, 10_000), 3);
  const first = take();
  assert.deepEqual(first, [[A, {
    type: "orderReplaced",
    timestamp: 3,
    replacementOrderToken: 2,
    buySellIndicator: "B",
    quantity: 8,
    orderbookId: "1",
    group: "DAY",
    price: 10_000,
    timeInForce: 99999,
    display: " ",
    orderNumber: dayNumber(3),
    minimumQuantity: 0,
    orderState: "L",
    previousOrderToken: 1,
  }]]);
  matcher.handle(
    S,
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 1 }),
    4,
  );
  assert.deepEqual(take().slice(1, 2), [[
    A,
    executed(4, 2, 1, 10_000, "A", 1),
  ]]);
  // A total of 9 with 1 executed is 8 open: more than the 7 left, so it loses its place.
  matcher.handle(A, replace(2, 3, 9, 10_000), 5);
  const [[, second]] = take() as [Sent];
  assert.ok(second.type === "orderReplaced");
  assert.deepEqual([second.quantity, second.orderNumber], [8, dayNumber(5)]);
  matcher.handle(
    S,
    enter({ orderToken: 2, buySellIndicator: "S", quantity: 1 }),
    6,
  );
  assert.deepEqual(take().slice(1, 2), [[
    B,
    executed(6, 1, 1, 10_000, "A", 2),
  ]]);
  assert.deepEqual(
    matcher.openOrders(A).map((
      o,
    ) => [o.orderToken, o.openQuantity, o.executedQuantity, o.orderNumber]),
    [[3, 8, 1, dayNumber(5)]],
  );
});

Deno.test("Matcher.handle() matches a crossing replace like a new order after Order Replaced", () => {
  const { matcher, take } = recording();
  matcher.handle(
    S,
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      price: 10_010,
      quantity: 30,
    }),
    1,
  );
  matcher.handle(A, enter({ orderToken: 1, quantity: 100 }), 2);
  take();
  matcher.handle(A, replace(1, 2, 50, 10_010, { timeInForce: 0 }), 3);
  const sent = take();
  assert.equal(sent[0]![1].type, "orderReplaced");
  assert.deepEqual(sent.slice(1), [
    [S, executed(3, 1, 30, 10_010, "A", 1)],
    [A, executed(3, 2, 30, 10_010, "R", 1)],
    [A, canceled(3, 2, 20, "I")],
  ]);
  assert.deepEqual(matcher.openOrders(A), []);
  // A replace to 0 leaves the book with state D and nothing else.
  matcher.handle(A, enter({ orderToken: 3, quantity: 5 }), 4);
  take();
  matcher.handle(A, replace(3, 4, 0, 10_000), 5);
  const [[, dead]] = take() as [Sent];
  assert.equal(dead.type === "orderReplaced" && dead.orderState, "D");
  assert.deepEqual(matcher.depth("1")?.bids, []);
  matcher.handle(A, { type: "cancelOrder", orderToken: 4, quantity: 0 }, 6);
  assert.deepEqual(take(), []);
});

Deno.test("Matcher.handle() applies self-match prevention and minimum quantity on replace", () => {
  const { matcher, take } = recording();
  matcher.handle(
    S,
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      price: 10_010,
      quantity: 30,
      firmId: 4,
    }),
    1,
  );
  matcher.handle(A, enter({ orderToken: 1, quantity: 100, firmId: 4 }), 2);
  matcher.handle(A, enter({ orderToken: 2, quantity: 100, firmId: 5 }), 3);
  take();
  matcher.handle(A, replace(1, 3, 60, 10_010), 4);
  assert.deepEqual(take().slice(1), [[A, {
    type: "orderAiqCanceled",
    timestamp: 4,
    orderToken: 3,
    decrementQuantity: 60,
    orderCanceledReason: "M",
    quantityPreventedFromTrading: 30,
    executionPrice: 10_010,
    liquidityIndicator: "R",
  }]]);
  matcher.handle(
    A,
    replace(2, 4, 60, 10_010, { timeInForce: 0, minimumQuantity: 31 }),
    5,
  );
  assert.deepEqual(take(), [[A, {
    type: "orderReplaced",
    timestamp: 5,
    replacementOrderToken: 4,
    buySellIndicator: "B",
    quantity: 60,
    orderbookId: "1",
    group: "DAY",
    price: 10_010,
    timeInForce: 0,
    display: " ",
    orderNumber: dayNumber(5),
    minimumQuantity: 31,
    orderState: "D",
    previousOrderToken: 2,
  }]]);
  assert.deepEqual(matcher.openOrders(A), []);
  assert.deepEqual(matcher.depth("1")?.asks, [{
    price: 10_010,
    quantity: 30,
    orders: 1,
  }]);
});

Deno.test("Matcher.handle() cancels the whole open quantity whatever the Quantity field says, and ignores what it cannot cancel", () => {
  for (const quantity of [0, 1, 60, 100, 150, 4_294_967_295]) {
    const { matcher, take } = recording();
    matcher.handle(A, enter({ orderToken: 1, quantity: 100 }), 1);
    matcher.handle(
      S,
      enter({ orderToken: 1, buySellIndicator: "S", quantity: 30 }),
      2,
    );
    take();
    matcher.handle(B, { type: "cancelOrder", orderToken: 1, quantity: 0 }, 3);
    matcher.handle(A, { type: "cancelOrder", orderToken: 9, quantity: 0 }, 3);
    matcher.handle(A, { type: "cancelOrder", orderToken: 1, quantity }, 4);
    matcher.handle(A, { type: "cancelOrder", orderToken: 1, quantity }, 5);
    assert.deepEqual(
      take(),
      [[A, canceled(4, 1, 70, "U")]],
      `quantity ${quantity}`,
    );
    assert.deepEqual(matcher.depth("1")?.bids, [], `quantity ${quantity}`);
  }
  // Halted or closed, a cancel still works.
  const other = recording();
  other.matcher.handle(A, enter({ orderToken: 1, quantity: 100 }), 1);
  other.matcher.halt("1", 2);
  other.take();
  other.matcher.handle(
    A,
    { type: "cancelOrder", orderToken: 1, quantity: 40 },
    3,
  );
  assert.deepEqual(other.take(), [[A, canceled(3, 1, 100, "U")]]);
});

Deno.test("Matcher.cancelAccount() cancels an account's orders in order-number order", () => {
  for (const reason of ["L", "S"] as const) {
    const { matcher, take } = recording();
    matcher.handle(A, enter({ orderToken: 1, price: 9_000 }), 1);
    matcher.handle(B, enter({ orderToken: 1, price: 9_500 }), 2);
    matcher.handle(
      A,
      enter({ orderToken: 2, orderbookId: "2", price: 9_100 }),
      3,
    );
    // The replace gives token 3 a new Order Number, after token 2's.
    matcher.handle(A, replace(1, 3, 10, 9_000), 4);
    take();
    assert.equal(matcher.cancelAccount(A, 5, reason), 2);
    assert.equal(matcher.cancelAccount(A, 6, reason), 0);
    assert.equal(matcher.cancelAccount(NOBODY, 6, reason), 0);
    assert.deepEqual(take(), [[A, canceled(5, 2, 100, reason)], [
      A,
      canceled(5, 3, 10, reason),
    ]]);
    assert.deepEqual(matcher.openOrders(B).map((o) => o.orderToken), [1]);
  }
  assert.throws(
    () => recording().matcher.cancelAccount(A, 1, "U" as "L"),
    { name: "RangeError", message: /reason must be "L" or "S"/ },
  );
});

Deno.test("Matcher.close() cancels all resting orders with O, then sends End of Day", () => {
  const { matcher, take, takeAll } = recording();
  matcher.handle(B, enter({ orderToken: 1, price: 9_000 }), 1);
  matcher.handle(A, enter({ orderToken: 1, orderbookId: "2" }), 2);
  matcher.handle(
    B,
    enter({ orderToken: 2, buySellIndicator: "S", price: 11_000 }),
    3,
  );
  take();
  assert.equal(matcher.close(10), true);
  assert.equal(matcher.close(11), false);
  const deleted = (
    account: number,
    orderbookId: string,
    n: number,
    side: "B" | "S",
    price: number,
  ) => ({
    type: "bookDelete",
    timestamp: 10,
    orderbookId,
    orderNumber: dayNumber(n),
    side,
    price,
    quantity: 100,
    account,
  });
  assert.deepEqual(takeAll(), [
    [B, canceled(10, 1, 100, "O")],
    deleted(B, "1", 1, "B", 9_000),
    [A, canceled(10, 1, 100, "O")],
    deleted(A, "2", 2, "B", 10_000),
    [B, canceled(10, 2, 100, "O")],
    deleted(B, "1", 3, "S", 11_000),
    [ALL_ACCOUNTS, { type: "systemEvent", timestamp: 10, eventCode: "E" }],
    { type: "marketState", timestamp: 10, open: false },
  ]);
  matcher.handle(A, enter({ orderToken: 5 }), 12);
  assert.deepEqual(take(), [[A, {
    type: "orderRejected",
    timestamp: 12,
    orderToken: 5,
    orderRejectedReason: "R",
  }]]);
});

Deno.test("Matcher.open() after close() continues the trading day: tokens, order and match numbers carry on", () => {
  const { matcher, take } = recording();
  matcher.handle(A, enter({ orderToken: 5, buySellIndicator: "S" }), 1);
  matcher.handle(B, enter({ orderToken: 5, quantity: 10 }), 2);
  matcher.close(3);
  assert.equal(matcher.open(4), true);
  assert.equal(matcher.open(5), false);
  assert.equal(matcher.trades("1").length, 1, "the day's trades are kept");
  assert.equal(matcher.nextToken(A), 6);
  take();
  // Token 1 is not above the day's highest (5): ignored.
  matcher.handle(A, enter({ orderToken: 1, buySellIndicator: "S" }), 6);
  assert.deepEqual(take(), []);
  matcher.handle(A, enter({ orderToken: 6, buySellIndicator: "S" }), 7);
  matcher.handle(B, enter({ orderToken: 6, quantity: 10 }), 8);
  assert.deepEqual(take(), [
    [A, accepted(enter({ orderToken: 6, buySellIndicator: "S" }), 7, 3)],
    [B, accepted(enter({ orderToken: 6, quantity: 10 }), 8, 4)],
    [A, executed(8, 6, 10, 10_000, "A", 2)],
    [B, executed(8, 6, 10, 10_000, "R", 2)],
  ]);
});

Deno.test("Matcher.halt() sends market events only and rejects entry with H", () => {
  const { matcher, takeAll } = recording();
  assert.equal(matcher.halt("1", 1), true);
  assert.equal(matcher.halt("1", 2), false);
  assert.equal(matcher.halt("nope", 2), false);
  assert.equal(matcher.isHalted("1"), true);
  assert.equal(matcher.isHalted("2"), false);
  assert.equal(matcher.resume("1", 3), true);
  assert.equal(matcher.resume("1", 4), false);
  assert.deepEqual(takeAll(), [
    { type: "tradingState", timestamp: 1, orderbookId: "1", halted: true },
    { type: "tradingState", timestamp: 3, orderbookId: "1", halted: false },
  ]);
});

Deno.test("Matcher views: depth levels, trade history, open orders, orderbooks", () => {
  const { matcher } = recording({ tradeHistory: 2, orderbooks: ["A", "B"] });
  assert.deepEqual(matcher.orderbooks, ["A", "B"]);
  assert.deepEqual(recording().matcher.orderbooks, DEFAULT_ORDERBOOKS);
  for (let i = 1; i <= 4; i++) {
    matcher.handle(
      A,
      enter({ orderToken: i, orderbookId: "A", price: 1_000 - i, quantity: i }),
      i,
    );
  }
  assert.deepEqual(matcher.depth("A", 2)?.bids, [
    { price: 999, quantity: 1, orders: 1 },
    { price: 998, quantity: 2, orders: 1 },
  ]);
  assert.equal(matcher.depth("C"), undefined);
  matcher.handle(
    B,
    enter({
      orderToken: 1,
      orderbookId: "A",
      buySellIndicator: "S",
      price: 990,
      quantity: 10,
    }),
    9,
  );
  assert.deepEqual(matcher.trades("A").map((t) => t.matchNumber), [
    dayNumber(3),
    dayNumber(4),
  ]);
  assert.deepEqual(matcher.trades("C"), []);
  assert.deepEqual(matcher.openOrders(B), [], "fully filled: nothing rests");
  assert.deepEqual(matcher.depth("A")?.bids, []);
});

Deno.test("Matcher.openOrders() lists resting orders in order-number order with their fields", () => {
  const { matcher } = recording();
  matcher.handle(A, enter({ orderToken: 1, price: 9_000, quantity: 10 }), 1);
  matcher.handle(
    A,
    enter({
      orderToken: 2,
      orderbookId: "2",
      buySellIndicator: "T",
      price: 11_000,
      display: "P",
      capacity: "A",
      group: "DAYU",
      orderClassification: "6",
      cashMarginType: "5",
      firmId: 12,
      clientReference: "x2",
    }),
    2,
  );
  matcher.handle(A, replace(1, 3, 20, 9_000, { display: "P" }), 3);
  matcher.handle(
    B,
    enter({ orderToken: 1, orderbookId: "2", price: 11_000, quantity: 30 }),
    4,
  );
  assert.deepEqual(matcher.openOrders(A), [
    {
      orderToken: 2,
      orderNumber: dayNumber(2),
      orderbookId: "2",
      buySellIndicator: "T",
      price: 11_000,
      openQuantity: 70,
      executedQuantity: 30,
      timeInForce: 99999,
      display: "P",
      minimumQuantity: 0,
      clientReference: "x2",
      group: "DAYU",
      firmId: 12,
      capacity: "A",
      orderClassification: "6",
      cashMarginType: "5",
    },
    {
      orderToken: 3,
      orderNumber: dayNumber(3),
      orderbookId: "1",
      buySellIndicator: "B",
      price: 9_000,
      openQuantity: 20,
      executedQuantity: 0,
      timeInForce: 99999,
      display: "P",
      minimumQuantity: 0,
      clientReference: "ref",
      group: "DAY",
      firmId: 0,
      capacity: "P",
      orderClassification: "1",
      cashMarginType: "1",
    },
  ]);
  assert.deepEqual(matcher.openOrders(NOBODY), []);
});

Deno.test("Matcher.handle() runs the seed scenario client_1.json as expected", () => {
  // /work/shared/seed/test_inputs/client_1.json, decoded as the codec would (text trimmed,
  // orderbook_id N as String(N), prices times 10), as account A.
  const seed = {
    type: "enterOrder",
    clientReference: "Lenny",
    buySellIndicator: "B",
    group: "DAY",
    timeInForce: 99999,
    firmId: 0,
    display: " ",
    capacity: "P",
    orderClassification: "1",
    cashMarginType: "1",
  } as const;
  const actions: InboundMessage[] = [
    {
      ...seed,
      orderToken: 1,
      quantity: 100,
      orderbookId: "1",
      price: 23_000,
      minimumQuantity: 0,
    },
    {
      ...seed,
      orderToken: 2,
      quantity: 200,
      orderbookId: "2",
      price: 5_005,
      minimumQuantity: 100,
    },
    {
      ...seed,
      orderToken: 3,
      quantity: 200,
      orderbookId: "2",
      price: 5_005,
      minimumQuantity: 0,
    },
    {
      ...seed,
      orderToken: 1,
      buySellIndicator: "S",
      quantity: 500,
      orderbookId: "3",
      price: 12_035,
      minimumQuantity: 0,
    },
    replace(1, 5, 115, 23_000, { display: "P" }),
    { type: "cancelOrder", orderToken: 1, quantity: 0 },
    { type: "cancelOrder", orderToken: 5, quantity: 0 },
  ];
  const { matcher, take } = recording();
  const perAction: OutboundMessage[][] = actions.map((action, i) => {
    matcher.handle(A, action, 1_000 * (i + 1));
    return take().map(([account, message]) => {
      assert.equal(account, A);
      return message;
    });
  });
  assert.deepEqual(perAction, [
    [accepted(actions[0] as EnterOrder, 1_000, 1)], // 1. successful
    [{
      type: "orderRejected",
      timestamp: 2_000,
      orderToken: 2,
      orderRejectedReason: "N",
    }], // 2.
    [accepted(actions[2] as EnterOrder, 3_000, 2)], // 3. successful
    [], // 4. no response: token 1 was used
    [{ // 5. replace successful
      type: "orderReplaced",
      timestamp: 5_000,
      replacementOrderToken: 5,
      buySellIndicator: "B",
      quantity: 115,
      orderbookId: "1",
      group: "DAY",
      price: 23_000,
      timeInForce: 99999,
      display: "P",
      orderNumber: dayNumber(3),
      minimumQuantity: 0,
      orderState: "L",
      previousOrderToken: 1,
    }],
    [], // 6. ignored: token 1 no longer exists
    [canceled(7_000, 5, 115, "U")], // 7. successful
  ]);
});

Deno.test("Matcher emits message fields in the order lib/codec/messages.ts declares", () => {
  const { matcher, take } = recording();
  matcher.handle(
    A,
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 10, firmId: 1 }),
    1,
  );
  matcher.handle(A, enter({ orderToken: 2, quantity: 20, firmId: 2 }), 2);
  matcher.handle(
    A,
    enter({ orderToken: 3, buySellIndicator: "S", quantity: 10, firmId: 2 }),
    3,
  );
  matcher.handle(A, enter({ orderToken: 4, price: 0 }), 4);
  matcher.handle(A, replace(2, 5, 15, 10_000), 5);
  matcher.close(6);
  const keys = new Map(
    take().map(([, m]) => [m.type, Object.keys(m).join(",")]),
  );
  assert.deepEqual(Object.fromEntries(keys), {
    orderAccepted:
      "type,timestamp,orderToken,clientReference,buySellIndicator,quantity,orderbookId,group,price,timeInForce,firmId,display,capacity,orderNumber,minimumQuantity,orderState,orderClassification,cashMarginType",
    orderExecuted:
      "type,timestamp,orderToken,executedQuantity,executionPrice,liquidityIndicator,matchNumber",
    orderAiqCanceled:
      "type,timestamp,orderToken,decrementQuantity,orderCanceledReason,quantityPreventedFromTrading,executionPrice,liquidityIndicator",
    orderRejected: "type,timestamp,orderToken,orderRejectedReason",
    orderReplaced:
      "type,timestamp,replacementOrderToken,buySellIndicator,quantity,orderbookId,group,price,timeInForce,display,orderNumber,minimumQuantity,orderState,previousOrderToken",
    orderCanceled:
      "type,timestamp,orderToken,decrementQuantity,orderCanceledReason",
    systemEvent: "type,timestamp,eventCode",
  });
});

Deno.test("Matcher.handle() throws only for programming errors", () => {
  const { matcher } = recording();
  assert.throws(() => matcher.handle(A, enter(), 1.5), {
    name: "RangeError",
    message: /timestamp/,
  });
  assert.throws(() => matcher.handle(A, enter(), -1), { name: "RangeError" });
  assert.throws(() => matcher.handle(A, enter({ price: 1.5 }), 1), {
    name: "RangeError",
    message: /price/,
  });
  assert.throws(
    () => matcher.handle(A, { type: "hello" } as unknown as InboundMessage, 1),
    { name: "TypeError", message: /type/ },
  );
  const noOutput = { message() {}, market() {} };
  assert.throws(
    () =>
      new Matcher(noOutput, {
        tradingDate: TRADING_DATE,
        orderbooks: ["1", "1"],
      }),
    { name: "RangeError", message: /listed twice/ },
  );
  assert.throws(
    () =>
      new Matcher(noOutput, { tradingDate: TRADING_DATE, tradeHistory: -1 }),
    { name: "RangeError", message: /tradeHistory/ },
  );
  assert.throws(
    () =>
      new Matcher(
        (() => {}) as unknown as MatcherOutput,
        { tradingDate: TRADING_DATE },
      ),
    {
      name: "TypeError",
      message:
        "Cannot create matcher as output must have message() and market() methods",
    },
  );
  const reentrant: Matcher = new Matcher({
    message: () => reentrant.handle(B, enter(), 2),
    market() {},
  }, { tradingDate: TRADING_DATE });
  assert.throws(() => reentrant.handle(A, enter(), 1), {
    name: "TypeError",
    message: /listener/,
  });
  reentrant.handle(A, { type: "cancelOrder", orderToken: 1, quantity: 0 }, 3);
  const marketReentrant: Matcher = new Matcher({
    message() {},
    market: () => marketReentrant.halt("1", 2),
  }, { tradingDate: TRADING_DATE });
  assert.throws(() => marketReentrant.handle(A, enter(), 1), {
    name: "TypeError",
    message: /listener/,
  });
});

Deno.test("Matcher refuses account ids that are not integers from 0 to 2^31 - 1", () => {
  const { matcher, take } = recording();
  for (const account of [-1, 1.5, 2 ** 31, Number.NaN]) {
    const message =
      `account must be an integer from 0 to 2147483647: current value is ${account}`;
    assert.throws(() => matcher.handle(account, enter(), 1), {
      name: "RangeError",
      message: `Cannot handle message as ${message}`,
    });
    assert.throws(() => matcher.cancelAccount(account, 1, "S"), {
      name: "RangeError",
      message: `Cannot cancel account orders as ${message}`,
    });
    assert.throws(() => matcher.openOrders(account), {
      name: "RangeError",
      message: `Cannot list open orders as ${message}`,
    });
    assert.throws(() => matcher.nextToken(account), {
      name: "RangeError",
      message: `Cannot read the next token as ${message}`,
    });
  }
  assert.throws(
    () => matcher.handle("alice" as unknown as number, enter(), 1),
    {
      name: "TypeError",
      message:
        'Cannot handle message as account must be a number: current value is "alice"',
    },
  );
  assert.deepEqual(take(), []);
  // The largest id works, and ids need not come in order.
  matcher.handle(2 ** 31 - 1, enter({ orderToken: 1 }), 2);
  matcher.handle(5, enter({ orderToken: 1, buySellIndicator: "S" }), 3);
  assert.deepEqual(take().map(([account, m]) => [account, m.type]), [
    [2 ** 31 - 1, "orderAccepted"],
    [5, "orderAccepted"],
    [2 ** 31 - 1, "orderExecuted"],
    [5, "orderExecuted"],
  ]);
  assert.equal(matcher.nextToken(2 ** 31 - 1), 2);
  assert.equal(matcher.nextToken(4), 1);
});

Deno.test("Matcher numbers orders and matches YYYYMMDD + ten digits from the trading date", () => {
  const { matcher, take } = recording({ tradingDate: "20240229" });
  matcher.handle(A, enter({ orderToken: 1, buySellIndicator: "S" }), 1);
  matcher.handle(B, enter({ orderToken: 1 }), 2);
  const numbers = take().map(([, m]) =>
    m.type === "orderAccepted"
      ? m.orderNumber
      : m.type === "orderExecuted"
      ? m.matchNumber
      : undefined
  );
  assert.deepEqual(numbers, [
    202402290000000001n,
    202402290000000002n,
    202402290000000001n,
    202402290000000001n,
  ]);
  const noOutput = { message() {}, market() {} };
  for (
    const [tradingDate, rule] of [
      ["2026112", "8 digits"],
      ["202611288", "8 digits"],
      ["2026-11-2", "8 digits"],
      ["20261131", "a real date"],
      ["20230229", "a real date"],
      ["21000229", "a real date"],
      ["20261300", "a real date"],
      ["20261100", "a real date"],
      ["00001128", "a real date"],
    ]
  ) {
    assert.throws(() => new Matcher(noOutput, { tradingDate: tradingDate! }), {
      name: "RangeError",
      message: new RegExp(
        `^Cannot create matcher as tradingDate must be ${rule}`,
      ),
    }, tradingDate);
  }
  assert.throws(
    () =>
      new Matcher(noOutput, {
        tradingDate: 20261128 as unknown as string,
      }),
    { name: "TypeError", message: /tradingDate must be a string/ },
  );
  // 2000 is a leap year (divisible by 400).
  assert.ok(new Matcher(noOutput, { tradingDate: "20000229" }));
});

Deno.test("Matcher keeps thousands of orders, any tokens and far prices as it grows", () => {
  const { matcher, take } = recording({
    tradeHistory: 50,
    orderbooks: ["1", "2"],
  });
  // a: 3,000 consecutive tokens; b: tokens 7 apart; c: a few huge tokens. Bids on "1"
  // spread over 3,000 prices, some far outside any price band around the first one.
  const tokens: Record<number, number[]> = { [A]: [], [B]: [], [C]: [] };
  const references: Record<number, string> = { [A]: "a", [B]: "b", [C]: "ref" };
  let t = 0;
  for (let i = 0; i < 3_000; i++) {
    const price = i % 100 === 0 ? 1 + i : 500_000 - i;
    for (const [account, token] of [[A, i + 1], [B, 7 * i + 3]] as const) {
      matcher.handle(
        account,
        enter({
          orderToken: token,
          price,
          quantity: 10,
          clientReference: references[account]!,
        }),
        ++t,
      );
      tokens[account]!.push(token);
    }
  }
  for (const token of [2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1]) {
    matcher.handle(
      C,
      enter({ orderToken: token, orderbookId: "2", price: 7, quantity: 5 }),
      ++t,
    );
    tokens[C]!.push(token);
  }
  take();
  for (const account of [A, B, C]) {
    const open = matcher.openOrders(account);
    assert.deepEqual(open.map((o) => o.orderToken), tokens[account]);
    assert.ok(open.every((o) => o.clientReference === references[account]));
  }
  const bids = matcher.depth("1", 10_000)!.bids;
  assert.equal(bids.length, 3_000);
  assert.equal(bids.reduce((n, level) => n + level.orders, 0), 6_000);
  assert.equal(bids[0]!.price, 499_999);
  assert.equal(bids[2_999]!.price, 1);

  // Cancel every other order of a, every third of b, and the top token of c.
  for (let i = 0; i < 3_000; i += 2) {
    matcher.handle(
      A,
      { type: "cancelOrder", orderToken: i + 1, quantity: 0 },
      ++t,
    );
  }
  for (let i = 0; i < 3_000; i += 3) {
    matcher.handle(
      B,
      { type: "cancelOrder", orderToken: 7 * i + 3, quantity: 4 },
      ++t,
    );
  }
  matcher.handle(
    C,
    { type: "cancelOrder", orderToken: 2 ** 32 - 1, quantity: 2 },
    ++t,
  );
  const cancels = take();
  assert.equal(cancels.length, 1_500 + 1_000 + 1);
  assert.deepEqual(cancels[cancels.length - 1], [
    C,
    canceled(t, 2 ** 32 - 1, 5, "U"),
  ]);
  assert.equal(matcher.openOrders(A).length, 1_500);
  assert.equal(matcher.openOrders(B).length, 2_000);
  assert.deepEqual(
    matcher.openOrders(C).map((o) => o.orderToken),
    [2 ** 31, 2 ** 32 - 2],
  );

  // One sell sweeps the best 100 bid levels.
  const top = matcher.depth("1", 101)!.bids;
  const sweep = top.slice(0, 100).reduce(
    (sum, level) => sum + level.quantity,
    0,
  );
  matcher.handle(
    D,
    enter({ orderToken: 1, buySellIndicator: "S", price: 1, quantity: sweep }),
    ++t,
  );
  const fills = take().filter(([, m]) => m.type === "orderExecuted");
  const trades = matcher.trades("1");
  assert.equal(trades.length, 50);
  assert.equal(trades[49]!.matchNumber, dayNumber(fills.length / 2));
  assert.equal(trades[49]!.seller, D);
  assert.ok(trades.every((trade) => trade.aggressor === "S"));
  assert.deepEqual(
    new Set(trades.map((trade) => trade.buyer)),
    new Set([A, B]),
  );
  assert.deepEqual(matcher.depth("1", 1)!.bids, [top[100]]);

  // End of day: every order left is canceled, in order-number order.
  const numberOf = new Map<string, bigint>();
  for (const account of [A, B, C]) {
    for (const order of matcher.openOrders(account)) {
      numberOf.set(`${account}:${order.orderToken}`, order.orderNumber);
    }
  }
  matcher.close(++t);
  const closing = take();
  assert.equal(closing.length, numberOf.size + 1);
  const order = closing.slice(0, -1).map(([account, message]) => {
    assert.equal(message.type, "orderCanceled");
    return numberOf.get(
      `${account}:${(message as { orderToken: number }).orderToken}`,
    )!;
  });
  assert.deepEqual(
    order,
    [...numberOf.values()].sort((x, y) => x < y ? -1 : x > y ? 1 : 0),
  );
  for (const account of [A, B, C]) {
    assert.deepEqual(matcher.openOrders(account), []);
  }
  assert.deepEqual(matcher.depth("1")!.bids, []);
});

Deno.test("Matcher.close() cancels in Order Number order across a carry into the high 32 bits", () => {
  // 2791-03-27: 279103270000000000 + 1024 is a multiple of 2^32, so the 1,024th order's
  // number carries into the high half of its uint64.
  const { matcher, take } = recording({ tradingDate: "27910327" });
  assert.equal((279103270000000000n + 1024n) % 2n ** 32n, 0n);
  for (let token = 1; token <= 1_030; token++) {
    matcher.handle(A, enter({ orderToken: token, price: 1 + token }), token);
  }
  const accepted = take();
  assert.equal(accepted.length, 1_030);
  assert.equal(
    (accepted[1_029]![1] as { orderNumber: bigint }).orderNumber,
    279103270000001030n,
  );
  assert.deepEqual(
    matcher.openOrders(A).slice(1_020, 1_026).map((o) => o.orderNumber),
    [1_021n, 1_022n, 1_023n, 1_024n, 1_025n, 1_026n].map((n) =>
      279103270000000000n + n
    ),
  );
  matcher.close(2_000);
  const tokens = take().slice(0, -1).map(([, m]) =>
    (m as { orderToken: number }).orderToken
  );
  assert.deepEqual(tokens, Array.from({ length: 1_030 }, (_, i) => i + 1));
});
