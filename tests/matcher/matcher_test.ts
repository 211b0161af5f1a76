import assert from "node:assert/strict";
import type {
  EnterOrder,
  InboundMessage,
  OrderRejectedReason,
  OutboundMessage,
} from "../../lib/codec/messages.ts";
import { DEFAULT_ORDERBOOKS, Matcher } from "../../lib/matcher/mod.ts";
import {
  accepted,
  canceled,
  enter,
  executed,
  recording,
  replace,
  type Sent,
} from "./_helpers.ts";

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
    ["bad display before bad group", { display: "Q", group: "NITE" }, "D"],
  ];
  for (const [name, fields, code] of cases) {
    const { matcher, take } = recording();
    matcher.handle("alice", enter({ orderToken: 7, ...fields }), 11);
    assert.deepEqual(take(), [["alice", {
      type: "orderRejected",
      timestamp: 11,
      orderToken: 7,
      orderRejectedReason: code,
    }]], name);
    assert.equal(
      matcher.nextToken("alice"),
      8,
      `${name}: the token is consumed`,
    );
  }
});

Deno.test("Matcher.handle() rejects with R when closed and H when halted, before other checks", () => {
  const { matcher, take } = recording({ open: false });
  matcher.handle(
    "alice",
    enter({ orderToken: 1, orderbookId: "nope", price: 0 }),
    1,
  );
  matcher.open(2);
  matcher.halt("1", 3);
  matcher.handle("alice", enter({ orderToken: 2, price: 0 }), 4);
  matcher.handle("alice", enter({ orderToken: 3, orderbookId: "nope" }), 5);
  matcher.resume("1", 6);
  matcher.handle("alice", enter({ orderToken: 4 }), 7);
  assert.deepEqual(take(), [
    ["alice", {
      type: "orderRejected",
      timestamp: 1,
      orderToken: 1,
      orderRejectedReason: "R",
    }],
    [null, { type: "systemEvent", timestamp: 2, eventCode: "S" }],
    ["alice", {
      type: "orderRejected",
      timestamp: 4,
      orderToken: 2,
      orderRejectedReason: "H",
    }],
    ["alice", {
      type: "orderRejected",
      timestamp: 5,
      orderToken: 3,
      orderRejectedReason: "S",
    }],
    ["alice", accepted(enter({ orderToken: 4 }), 7, 1)],
  ]);
});

Deno.test("Matcher.handle() rejects a crossing post-only order with O and accepts a passive one", () => {
  const { matcher, take } = recording();
  matcher.handle("bob", enter({ buySellIndicator: "S", price: 10_000 }), 1);
  take();
  matcher.handle(
    "alice",
    enter({ orderToken: 1, display: "P", price: 10_000 }),
    2,
  );
  matcher.handle(
    "alice",
    enter({ orderToken: 2, display: "P", price: 9_990 }),
    3,
  );
  assert.deepEqual(take(), [
    ["alice", {
      type: "orderRejected",
      timestamp: 2,
      orderToken: 1,
      orderRejectedReason: "O",
    }],
    [
      "alice",
      accepted(enter({ orderToken: 2, display: "P", price: 9_990 }), 3, 2),
    ],
  ]);
});

Deno.test("Matcher.handle() ignores tokens not above the highest seen, per account", () => {
  const { matcher, take } = recording();
  matcher.handle("alice", enter({ orderToken: 0 }), 1);
  matcher.handle("alice", enter({ orderToken: 5 }), 2);
  matcher.handle("alice", enter({ orderToken: 5, price: 9_000 }), 3);
  matcher.handle("alice", enter({ orderToken: 4 }), 4);
  matcher.handle("bob", enter({ orderToken: 1 }), 5);
  assert.deepEqual(take(), [
    ["alice", accepted(enter({ orderToken: 5 }), 2, 1)],
    ["bob", accepted(enter({ orderToken: 1 }), 5, 2)],
  ]);
  assert.equal(matcher.nextToken("alice"), 6);
  assert.equal(matcher.nextToken("bob"), 2);
  assert.equal(matcher.nextToken("carol"), 1);
});

Deno.test("Matcher.handle() fills across levels at resting prices with shared match numbers", () => {
  const { matcher, take, market } = recording();
  matcher.handle(
    "s1",
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      price: 10_020,
      quantity: 50,
    }),
    1,
  );
  matcher.handle(
    "s2",
    enter({
      orderToken: 1,
      buySellIndicator: "T",
      price: 10_000,
      quantity: 30,
    }),
    2,
  );
  matcher.handle(
    "s1",
    enter({
      orderToken: 2,
      buySellIndicator: "E",
      price: 10_000,
      quantity: 40,
    }),
    3,
  );
  take();
  market.length = 0;
  const buy = enter({ orderToken: 9, price: 10_020, quantity: 100 });
  matcher.handle("b", buy, 4);
  assert.deepEqual(take(), [
    ["b", accepted(buy, 4, 4)],
    ["s2", executed(4, 1, 30, 10_000, "A", 1)],
    ["b", executed(4, 9, 30, 10_000, "R", 1)],
    ["s1", executed(4, 2, 40, 10_000, "A", 2)],
    ["b", executed(4, 9, 40, 10_000, "R", 2)],
    ["s1", executed(4, 1, 30, 10_020, "A", 3)],
    ["b", executed(4, 9, 30, 10_020, "R", 3)],
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
    seller: string,
  ) => ({
    matchNumber,
    orderbookId: "1",
    price,
    quantity,
    timestamp: 4,
    buyer: "b",
    seller,
    aggressor: "B" as const,
  });
  const trades = [
    trade(1, 10_000, 30, "s2"),
    trade(2, 10_000, 40, "s1"),
    trade(3, 10_020, 30, "s1"),
  ];
  assert.deepEqual(matcher.trades("1"), trades);
  assert.deepEqual(market, [
    ...trades.map((t) => ({ type: "trade", trade: t })),
    { type: "depth", orderbookId: "1" },
  ]);
});

Deno.test("Matcher.handle() rests a Day remainder and fills FIFO within a level", () => {
  const { matcher, take } = recording();
  matcher.handle("a", enter({ orderToken: 1, quantity: 10 }), 1);
  matcher.handle("b", enter({ orderToken: 1, quantity: 10 }), 2);
  take();
  const sell = enter({
    orderToken: 3,
    buySellIndicator: "S",
    price: 9_000,
    quantity: 25,
  });
  matcher.handle("c", sell, 3);
  assert.deepEqual(take(), [
    ["c", accepted(sell, 3, 3)],
    ["a", executed(3, 1, 10, 10_000, "A", 1)],
    ["c", executed(3, 3, 10, 10_000, "R", 1)],
    ["b", executed(3, 1, 10, 10_000, "A", 2)],
    ["c", executed(3, 3, 10, 10_000, "R", 2)],
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
    "a",
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 10, firmId: 0 }),
    1,
  );
  matcher.handle(
    "b",
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 30, firmId: 7 }),
    2,
  );
  matcher.handle(
    "a",
    enter({ orderToken: 2, buySellIndicator: "S", quantity: 10, firmId: 0 }),
    3,
  );
  take();
  const buy = enter({ orderToken: 1, quantity: 25, firmId: 7 });
  matcher.handle("c", buy, 4);
  assert.deepEqual(take(), [
    ["c", accepted(buy, 4, 4)],
    ["a", executed(4, 1, 10, 10_000, "A", 1)],
    ["c", executed(4, 1, 10, 10_000, "R", 1)],
    ["c", {
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
  assert.deepEqual(matcher.openOrders("c"), []);
  // Firm 0 never prevents: the same account trades with itself.
  matcher.handle("a", enter({ orderToken: 3, quantity: 5 }), 5);
  assert.deepEqual(take().slice(1), [
    ["b", executed(5, 1, 5, 10_000, "A", 2)],
    ["a", executed(5, 3, 5, 10_000, "R", 2)],
  ]);
});

Deno.test("Matcher.handle() cancels an Immediate order's remainder with I", () => {
  const { matcher, take } = recording();
  matcher.handle(
    "a",
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 10 }),
    1,
  );
  take();
  const ioc = enter({ orderToken: 1, quantity: 25, timeInForce: 0 });
  matcher.handle("b", ioc, 2);
  const none = enter({ orderToken: 2, quantity: 5, timeInForce: 0 });
  matcher.handle("b", none, 3);
  matcher.handle(
    "a",
    enter({ orderToken: 2, buySellIndicator: "S", quantity: 10 }),
    4,
  );
  take();
  const full = enter({ orderToken: 3, quantity: 10, timeInForce: 0 });
  matcher.handle("b", full, 5);
  assert.deepEqual(take(), [
    ["b", accepted(full, 5, 5)],
    ["a", executed(5, 2, 10, 10_000, "A", 2)],
    ["b", executed(5, 3, 10, 10_000, "R", 2)],
  ]);
  const { matcher: m2, take: t2 } = recording();
  m2.handle(
    "a",
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 10 }),
    1,
  );
  t2();
  m2.handle("b", ioc, 2);
  m2.handle("b", none, 3);
  assert.deepEqual(t2(), [
    ["b", accepted(ioc, 2, 2)],
    ["a", executed(2, 1, 10, 10_000, "A", 1)],
    ["b", executed(2, 1, 10, 10_000, "R", 1)],
    ["b", canceled(2, 1, 15, "I")],
    ["b", accepted(none, 3, 3)],
    ["b", canceled(3, 2, 5, "I")],
  ]);
  assert.deepEqual(m2.depth("1"), { orderbookId: "1", bids: [], asks: [] });
});

Deno.test("Matcher.handle() trades a minimum-quantity order fully or not at all", () => {
  const { matcher, take } = recording();
  matcher.handle(
    "a",
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      quantity: 10,
      price: 10_000,
    }),
    1,
  );
  matcher.handle(
    "z",
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
    "a",
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
  matcher.handle("b", fail, 4);
  assert.deepEqual(take(), [["b", accepted(fail, 4, 4)], [
    "b",
    canceled(4, 1, 40, "I"),
  ]]);
  // Without the firm, 60 can trade up to 10,010: enough for 15.
  const pass = enter({
    orderToken: 2,
    quantity: 40,
    price: 10_010,
    timeInForce: 0,
    minimumQuantity: 15,
  });
  matcher.handle("b", pass, 5);
  assert.deepEqual(take(), [
    ["b", accepted(pass, 5, 5)],
    ["a", executed(5, 1, 10, 10_000, "A", 1)],
    ["b", executed(5, 2, 10, 10_000, "R", 1)],
    ["z", executed(5, 1, 30, 10_010, "A", 2)],
    ["b", executed(5, 2, 30, 10_010, "R", 2)],
  ]);
});

Deno.test("Matcher.handle() ignores a replace of an unknown or dead token or a stale replacement token", () => {
  const { matcher, take } = recording();
  matcher.handle("a", enter({ orderToken: 3 }), 1);
  take();
  matcher.handle("a", replace(9, 10, 50, 10_000), 2);
  matcher.handle("b", replace(3, 10, 50, 10_000), 3);
  matcher.handle("a", replace(3, 3, 50, 10_000), 4);
  matcher.handle("a", replace(3, 2, 50, 10_000), 5);
  assert.deepEqual(take(), []);
  assert.equal(matcher.nextToken("a"), 4);
  matcher.handle("a", replace(3, 4, 50, 10_000), 6);
  matcher.handle("a", replace(3, 5, 40, 10_000), 7);
  assert.equal(take().length, 1);
  assert.equal(matcher.nextToken("a"), 5);
});

Deno.test("Matcher.handle() cancels the order when a replace fails a check", () => {
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
      "s",
      enter({ orderToken: 1, buySellIndicator: "S", price: 10_100 }),
      1,
    );
    matcher.handle("a", enter({ orderToken: 1 }), 2);
    take();
    matcher.handle("a", replace(...args), 3);
    assert.deepEqual(take(), [["a", canceled(3, 1, 100, code as "X")]], name);
    assert.equal(
      matcher.nextToken("a"),
      3,
      `${name}: the replacement token is consumed`,
    );
    assert.deepEqual(matcher.openOrders("a"), [], name);
    assert.deepEqual(matcher.depth("1")?.bids, [], name);
  }
});

Deno.test("Matcher.handle() cancels with R a replace that would execute while halted", () => {
  // While closed no order rests (close cancels them all, entry is rejected), so only a
  // halt can make a live replace "not allowed at this time".
  const { matcher, take } = recording();
  matcher.handle(
    "s",
    enter({ orderToken: 1, buySellIndicator: "S", price: 10_100 }),
    1,
  );
  matcher.handle("a", enter({ orderToken: 1 }), 2);
  matcher.halt("1", 3);
  take();
  // A replace that does not cross still works.
  matcher.handle("a", replace(1, 5, 90, 10_000), 4);
  matcher.handle("a", replace(5, 6, 90, 10_100), 5);
  assert.deepEqual(take(), [
    ["a", {
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
      orderNumber: 2,
      minimumQuantity: 0,
      orderState: "L",
      previousOrderToken: 1,
    }],
    ["a", canceled(5, 5, 90, "R")],
  ]);
  assert.deepEqual(matcher.depth("1")?.bids, []);
});

Deno.test("Matcher.handle() replaces keeping or losing time priority", () => {
  const { matcher, take } = recording();
  matcher.handle("a", enter({ orderToken: 1, quantity: 10 }), 1);
  matcher.handle("b", enter({ orderToken: 1, quantity: 10 }), 2);
  take();
  matcher.handle("a", replace(1, 2, 8, 10_000), 3);
  const first = take();
  assert.deepEqual(first, [["a", {
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
    orderNumber: 1,
    minimumQuantity: 0,
    orderState: "L",
    previousOrderToken: 1,
  }]]);
  matcher.handle(
    "s",
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 1 }),
    4,
  );
  assert.deepEqual(take().slice(1, 2), [[
    "a",
    executed(4, 2, 1, 10_000, "A", 1),
  ]]);
  matcher.handle("a", replace(2, 3, 9, 10_000), 5);
  take();
  matcher.handle(
    "s",
    enter({ orderToken: 2, buySellIndicator: "S", quantity: 1 }),
    6,
  );
  assert.deepEqual(take().slice(1, 2), [[
    "b",
    executed(6, 1, 1, 10_000, "A", 2),
  ]]);
  assert.deepEqual(
    matcher.openOrders("a").map((
      o,
    ) => [o.orderToken, o.openQuantity, o.executedQuantity, o.orderNumber]),
    [[3, 9, 1, 1]],
  );
});

Deno.test("Matcher.handle() matches a crossing replace like a new order after Order Replaced", () => {
  const { matcher, take } = recording();
  matcher.handle(
    "s",
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      price: 10_010,
      quantity: 30,
    }),
    1,
  );
  matcher.handle("a", enter({ orderToken: 1, quantity: 100 }), 2);
  take();
  matcher.handle("a", replace(1, 2, 50, 10_010, { timeInForce: 0 }), 3);
  const sent = take();
  assert.equal(sent[0]![1].type, "orderReplaced");
  assert.deepEqual(sent.slice(1), [
    ["s", executed(3, 1, 30, 10_010, "A", 1)],
    ["a", executed(3, 2, 30, 10_010, "R", 1)],
    ["a", canceled(3, 2, 20, "I")],
  ]);
  assert.deepEqual(matcher.openOrders("a"), []);
  // A replace to 0 leaves the book with state D and nothing else.
  matcher.handle("a", enter({ orderToken: 3, quantity: 5 }), 4);
  take();
  matcher.handle("a", replace(3, 4, 0, 10_000), 5);
  const [[, dead]] = take() as [Sent];
  assert.equal(dead.type === "orderReplaced" && dead.orderState, "D");
  assert.deepEqual(matcher.depth("1")?.bids, []);
  matcher.handle("a", { type: "cancelOrder", orderToken: 4, quantity: 0 }, 6);
  assert.deepEqual(take(), []);
});

Deno.test("Matcher.handle() applies self-match prevention and minimum quantity on replace", () => {
  const { matcher, take } = recording();
  matcher.handle(
    "s",
    enter({
      orderToken: 1,
      buySellIndicator: "S",
      price: 10_010,
      quantity: 30,
      firmId: 4,
    }),
    1,
  );
  matcher.handle("a", enter({ orderToken: 1, quantity: 100, firmId: 4 }), 2);
  matcher.handle("a", enter({ orderToken: 2, quantity: 100, firmId: 5 }), 3);
  take();
  matcher.handle("a", replace(1, 3, 60, 10_010), 4);
  assert.deepEqual(take().slice(1), [["a", {
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
    "a",
    replace(2, 4, 60, 10_010, { timeInForce: 0, minimumQuantity: 31 }),
    5,
  );
  assert.deepEqual(take().slice(1), [["a", canceled(5, 4, 60, "I")]]);
  assert.deepEqual(matcher.depth("1")?.asks, [{
    price: 10_010,
    quantity: 30,
    orders: 1,
  }]);
});

Deno.test("Matcher.handle() cancels partially, fully, and ignores what it cannot cancel", () => {
  const { matcher, take } = recording();
  matcher.handle("a", enter({ orderToken: 1, quantity: 100 }), 1);
  take();
  matcher.handle("a", { type: "cancelOrder", orderToken: 1, quantity: 100 }, 2);
  matcher.handle("a", { type: "cancelOrder", orderToken: 1, quantity: 150 }, 2);
  matcher.handle("b", { type: "cancelOrder", orderToken: 1, quantity: 0 }, 2);
  matcher.handle("a", { type: "cancelOrder", orderToken: 9, quantity: 0 }, 2);
  matcher.handle("a", { type: "cancelOrder", orderToken: 1, quantity: 60 }, 3);
  matcher.halt("1", 4);
  matcher.close(4);
  assert.deepEqual(take(), [
    ["a", canceled(3, 1, 40, "U")],
    ["a", canceled(4, 1, 60, "O")],
    [null, { type: "systemEvent", timestamp: 4, eventCode: "E" }],
  ]);
  const other = recording();
  other.matcher.handle("a", enter({ orderToken: 1, quantity: 100 }), 1);
  other.matcher.halt("1", 2);
  other.take();
  other.matcher.handle(
    "a",
    { type: "cancelOrder", orderToken: 1, quantity: 0 },
    3,
  );
  other.matcher.handle(
    "a",
    { type: "cancelOrder", orderToken: 1, quantity: 0 },
    4,
  );
  assert.deepEqual(other.take(), [["a", canceled(3, 1, 100, "U")]]);
});

Deno.test("Matcher.cancelAccount() cancels an account's orders in order-number order", () => {
  for (const reason of ["L", "S"] as const) {
    const { matcher, take } = recording();
    matcher.handle("a", enter({ orderToken: 1, price: 9_000 }), 1);
    matcher.handle("b", enter({ orderToken: 1, price: 9_500 }), 2);
    matcher.handle(
      "a",
      enter({ orderToken: 2, orderbookId: "7203", price: 9_100 }),
      3,
    );
    matcher.handle("a", replace(1, 3, 10, 9_000), 4);
    take();
    assert.equal(matcher.cancelAccount("a", 5, reason), 2);
    assert.equal(matcher.cancelAccount("a", 6, reason), 0);
    assert.equal(matcher.cancelAccount("nobody", 6, reason), 0);
    assert.deepEqual(take(), [["a", canceled(5, 3, 10, reason)], [
      "a",
      canceled(5, 2, 100, reason),
    ]]);
    assert.deepEqual(matcher.openOrders("b").map((o) => o.orderToken), [1]);
  }
  assert.throws(() => new Matcher(() => {}).cancelAccount("a", 1, "U" as "L"), {
    name: "RangeError",
  });
});

Deno.test("Matcher.close() cancels all resting orders with O, then sends End of Day", () => {
  const { matcher, take, market } = recording();
  matcher.handle("b", enter({ orderToken: 1, price: 9_000 }), 1);
  matcher.handle("a", enter({ orderToken: 1, orderbookId: "7203" }), 2);
  matcher.handle(
    "b",
    enter({ orderToken: 2, buySellIndicator: "S", price: 11_000 }),
    3,
  );
  take();
  market.length = 0;
  assert.equal(matcher.close(10), true);
  assert.equal(matcher.close(11), false);
  assert.deepEqual(take(), [
    ["b", canceled(10, 1, 100, "O")],
    ["a", canceled(10, 1, 100, "O")],
    ["b", canceled(10, 2, 100, "O")],
    [null, { type: "systemEvent", timestamp: 10, eventCode: "E" }],
  ]);
  assert.deepEqual(market, [
    { type: "state", open: false, timestamp: 10 },
    { type: "depth", orderbookId: "1" },
    { type: "depth", orderbookId: "7203" },
  ]);
  matcher.handle("a", enter({ orderToken: 5 }), 12);
  assert.deepEqual(take(), [["a", {
    type: "orderRejected",
    timestamp: 12,
    orderToken: 5,
    orderRejectedReason: "R",
  }]]);
});

Deno.test("Matcher.open() after close() continues the trading day: tokens, order and match numbers carry on", () => {
  const { matcher, take } = recording();
  matcher.handle("a", enter({ orderToken: 5, buySellIndicator: "S" }), 1);
  matcher.handle("b", enter({ orderToken: 5, quantity: 10 }), 2);
  matcher.close(3);
  assert.equal(matcher.open(4), true);
  assert.equal(matcher.open(5), false);
  assert.equal(matcher.trades("1").length, 1, "the day's trades are kept");
  assert.equal(matcher.nextToken("a"), 6);
  take();
  // Token 1 is not above the day's highest (5): ignored.
  matcher.handle("a", enter({ orderToken: 1, buySellIndicator: "S" }), 6);
  assert.deepEqual(take(), []);
  matcher.handle("a", enter({ orderToken: 6, buySellIndicator: "S" }), 7);
  matcher.handle("b", enter({ orderToken: 6, quantity: 10 }), 8);
  assert.deepEqual(take(), [
    ["a", accepted(enter({ orderToken: 6, buySellIndicator: "S" }), 7, 3)],
    ["b", accepted(enter({ orderToken: 6, quantity: 10 }), 8, 4)],
    ["a", executed(8, 6, 10, 10_000, "A", 2)],
    ["b", executed(8, 6, 10, 10_000, "R", 2)],
  ]);
});

Deno.test("Matcher.halt() sends market events only and rejects entry with H", () => {
  const { matcher, take, market } = recording();
  assert.equal(matcher.halt("1", 1), true);
  assert.equal(matcher.halt("1", 2), false);
  assert.equal(matcher.halt("nope", 2), false);
  assert.equal(matcher.isHalted("1"), true);
  assert.equal(matcher.isHalted("2"), false);
  assert.equal(matcher.resume("1", 3), true);
  assert.equal(matcher.resume("1", 4), false);
  assert.deepEqual(take(), []);
  assert.deepEqual(market, [
    { type: "halt", orderbookId: "1", halted: true, timestamp: 1 },
    { type: "halt", orderbookId: "1", halted: false, timestamp: 3 },
  ]);
});

Deno.test("Matcher views: depth levels, trade history, open orders, orderbooks", () => {
  const { matcher } = recording({ tradeHistory: 2, orderbooks: ["A", "B"] });
  assert.deepEqual(matcher.orderbooks, ["A", "B"]);
  assert.deepEqual(new Matcher(() => {}).orderbooks, DEFAULT_ORDERBOOKS);
  for (let i = 1; i <= 4; i++) {
    matcher.handle(
      "a",
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
    "b",
    enter({
      orderToken: 1,
      orderbookId: "A",
      buySellIndicator: "S",
      price: 990,
      quantity: 10,
    }),
    9,
  );
  assert.deepEqual(matcher.trades("A").map((t) => t.matchNumber), [3, 4]);
  assert.deepEqual(matcher.trades("C"), []);
  assert.deepEqual(matcher.openOrders("b"), [], "fully filled: nothing rests");
  assert.deepEqual(matcher.depth("A")?.bids, []);
});

Deno.test("Matcher.openOrders() lists resting orders in order-number order with their fields", () => {
  const { matcher } = recording();
  matcher.handle("a", enter({ orderToken: 1, price: 9_000, quantity: 10 }), 1);
  matcher.handle(
    "a",
    enter({
      orderToken: 2,
      orderbookId: "7203",
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
  matcher.handle("a", replace(1, 3, 20, 9_000, { display: "P" }), 3);
  matcher.handle(
    "b",
    enter({ orderToken: 1, orderbookId: "7203", price: 11_000, quantity: 30 }),
    4,
  );
  assert.deepEqual(matcher.openOrders("a"), [
    {
      orderToken: 3,
      orderNumber: 1,
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
    {
      orderToken: 2,
      orderNumber: 2,
      orderbookId: "7203",
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
  ]);
  assert.deepEqual(matcher.openOrders("nobody"), []);
});

Deno.test("Matcher.handle() emits one depth event per changed book per command", () => {
  const { matcher, market } = recording();
  matcher.handle("a", enter({ orderToken: 1, quantity: 10 }), 1);
  matcher.handle("a", enter({ orderToken: 2, quantity: 10 }), 2);
  matcher.handle(
    "b",
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 15 }),
    3,
  );
  matcher.handle("b", enter({ orderToken: 2, orderbookId: "nope" }), 4);
  assert.deepEqual(market.map((e) => e.type), [
    "depth",
    "depth",
    "trade",
    "trade",
    "depth",
  ]);
});

Deno.test("Matcher.handle() runs the seed scenario client_1.json as expected", () => {
  // /work/shared/seed/test_inputs/client_1.json, decoded as the codec would (text trimmed,
  // orderbook_id N as String(N), prices times 10), as account "lenny".
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
    matcher.handle("lenny", action, 1_000 * (i + 1));
    return take().map(([account, message]) => {
      assert.equal(account, "lenny");
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
      orderNumber: 1,
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
    "a",
    enter({ orderToken: 1, buySellIndicator: "S", quantity: 10, firmId: 1 }),
    1,
  );
  matcher.handle("a", enter({ orderToken: 2, quantity: 20, firmId: 2 }), 2);
  matcher.handle(
    "a",
    enter({ orderToken: 3, buySellIndicator: "S", quantity: 10, firmId: 2 }),
    3,
  );
  matcher.handle("a", enter({ orderToken: 4, price: 0 }), 4);
  matcher.handle("a", replace(2, 5, 5, 10_000), 5);
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
  const matcher = new Matcher(() => {});
  assert.throws(() => matcher.handle("a", enter(), 1.5), {
    name: "RangeError",
    message: /timestamp/,
  });
  assert.throws(() => matcher.handle("a", enter(), -1), { name: "RangeError" });
  assert.throws(() => matcher.handle("a", enter({ price: 1.5 }), 1), {
    name: "RangeError",
    message: /price/,
  });
  assert.throws(
    () =>
      matcher.handle("a", { type: "hello" } as unknown as InboundMessage, 1),
    { name: "TypeError", message: /type/ },
  );
  assert.throws(() => new Matcher(() => {}, { orderbooks: ["1", "1"] }), {
    name: "RangeError",
  });
  assert.throws(() => new Matcher(() => {}, { tradeHistory: -1 }), {
    name: "RangeError",
  });
  const reentrant: Matcher = new Matcher(() =>
    reentrant.handle("b", enter(), 2)
  );
  assert.throws(() => reentrant.handle("a", enter(), 1), {
    name: "TypeError",
    message: /listener/,
  });
  reentrant.handle("a", { type: "cancelOrder", orderToken: 1, quantity: 0 }, 3);
});

Deno.test("Matcher keeps thousands of orders, any tokens and far prices as it grows", () => {
  const { matcher, take } = recording({
    tradeHistory: 50,
    orderbooks: ["1", "2"],
  });
  // a: 3,000 consecutive tokens; b: tokens 7 apart; c: a few huge tokens. Bids on "1"
  // spread over 3,000 prices, some far outside any price band around the first one.
  const tokens: Record<string, number[]> = { a: [], b: [], c: [] };
  let t = 0;
  for (let i = 0; i < 3_000; i++) {
    const price = i % 100 === 0 ? 1 + i : 500_000 - i;
    for (const [name, token] of [["a", i + 1], ["b", 7 * i + 3]] as const) {
      matcher.handle(
        name,
        enter({
          orderToken: token,
          price,
          quantity: 10,
          clientReference: name,
        }),
        ++t,
      );
      tokens[name]!.push(token);
    }
  }
  for (const token of [2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1]) {
    matcher.handle(
      "c",
      enter({ orderToken: token, orderbookId: "2", price: 7, quantity: 5 }),
      ++t,
    );
    tokens.c!.push(token);
  }
  take();
  for (const name of ["a", "b", "c"]) {
    const open = matcher.openOrders(name);
    assert.deepEqual(open.map((o) => o.orderToken), tokens[name]);
    assert.ok(
      open.every((o) => o.clientReference === (name === "c" ? "ref" : name)),
    );
  }
  const bids = matcher.depth("1", 10_000)!.bids;
  assert.equal(bids.length, 3_000);
  assert.equal(bids.reduce((n, level) => n + level.orders, 0), 6_000);
  assert.equal(bids[0]!.price, 499_999);
  assert.equal(bids[2_999]!.price, 1);

  // Cancel every other order of a, reduce every third of b, and the top token of c.
  for (let i = 0; i < 3_000; i += 2) {
    matcher.handle(
      "a",
      { type: "cancelOrder", orderToken: i + 1, quantity: 0 },
      ++t,
    );
  }
  for (let i = 0; i < 3_000; i += 3) {
    matcher.handle(
      "b",
      { type: "cancelOrder", orderToken: 7 * i + 3, quantity: 4 },
      ++t,
    );
  }
  matcher.handle(
    "c",
    { type: "cancelOrder", orderToken: 2 ** 32 - 1, quantity: 2 },
    ++t,
  );
  const cancels = take();
  assert.equal(cancels.length, 1_500 + 1_000 + 1);
  assert.deepEqual(cancels[cancels.length - 1], [
    "c",
    canceled(t, 2 ** 32 - 1, 3, "U"),
  ]);
  assert.equal(matcher.openOrders("a").length, 1_500);
  assert.equal(matcher.openOrders("c")[2]!.openQuantity, 2);

  // One sell sweeps the best 100 bid levels.
  const top = matcher.depth("1", 101)!.bids;
  const sweep = top.slice(0, 100).reduce(
    (sum, level) => sum + level.quantity,
    0,
  );
  matcher.handle(
    "d",
    enter({ orderToken: 1, buySellIndicator: "S", price: 1, quantity: sweep }),
    ++t,
  );
  const fills = take().filter(([, m]) => m.type === "orderExecuted");
  const trades = matcher.trades("1");
  assert.equal(trades.length, 50);
  assert.equal(trades[49]!.matchNumber, fills.length / 2);
  assert.equal(trades[49]!.seller, "d");
  assert.ok(trades.every((trade) => trade.aggressor === "S"));
  assert.deepEqual(
    new Set(trades.map((trade) => trade.buyer)),
    new Set(["a", "b"]),
  );
  assert.deepEqual(matcher.depth("1", 1)!.bids, [top[100]]);

  // End of day: every order left is canceled, in order-number order.
  const numberOf = new Map<string, number>();
  for (const name of ["a", "b", "c"]) {
    for (const order of matcher.openOrders(name)) {
      numberOf.set(`${name}:${order.orderToken}`, order.orderNumber);
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
  assert.deepEqual(order, [...numberOf.values()].sort((x, y) => x - y));
  for (const name of ["a", "b", "c"]) {
    assert.deepEqual(matcher.openOrders(name), []);
  }
  assert.deepEqual(matcher.depth("1")!.bids, []);
});
