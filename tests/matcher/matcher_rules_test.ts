// The venue's market rules (K17–K22) and the replace semantics of K9, each as the whole
// ordered list of OUCH messages and market events the matcher produces.
import assert from "node:assert/strict";
import type {
  EnterOrder,
  OrderRejectedReason,
  OutboundMessage,
} from "../../lib/codec/messages.ts";
import {
  type AccountLimits,
  type MarketEvent,
  Matcher,
} from "../../lib/matcher/mod.ts";
import {
  accepted,
  canceled,
  dayNumber,
  enter,
  executed,
  recording,
  replace,
  replacedMessage as replacedOn1,
  type Sent,
  TRADING_DATE,
} from "./_helpers.ts";

const A = 0;
const B = 1;
const C = 2;

/** One second in nanoseconds. */
const SECOND = 1_000_000_000;

/** A valid Day buy of 100 at 2800.0 on 7203 (round lot 100, tick 0.5, limits 2300–3300). */
function toyota(fields: Partial<EnterOrder> = {}): EnterOrder {
  return enter({ orderbookId: "7203", price: 28_000, ...fields });
}

/** An Order Rejected. */
function rejected(
  timestamp: number,
  orderToken: number,
  orderRejectedReason: OrderRejectedReason,
): OutboundMessage {
  return { type: "orderRejected", timestamp, orderToken, orderRejectedReason };
}

/** The Order Replaced of a Day buy on 7203; `n` is the Order Number's counter. */
function replacedMessage(
  ...[timestamp, previous, replacement, quantity, price, n, fields]: Parameters<
    typeof replacedOn1
  >
): OutboundMessage {
  return replacedOn1(timestamp, previous, replacement, quantity, price, n, {
    orderbookId: "7203",
    ...fields,
  });
}

/** A market event on 7203 with its Order Number counters made whole. */
function book7203(event: Record<string, unknown>): MarketEvent {
  const out: Record<string, unknown> = { orderbookId: "7203", ...event };
  for (const key of ["orderNumber", "originalOrderNumber", "matchNumber"]) {
    if (typeof out[key] === "number") out[key] = dayNumber(out[key] as number);
  }
  if (typeof out.incomingOrderNumber === "number") {
    out.incomingOrderNumber = dayNumber(out.incomingOrderNumber);
  }
  return out as unknown as MarketEvent;
}

// K17: reference data.

Deno.test("Matcher.handle() rejects with X a price off its band's tick or outside the price limits, limits inclusive", () => {
  const { matcher, take } = recording();
  const cases: [number, "X" | null][] = [
    [23_000, null], // 2300.0: the lower limit itself
    [22_995, "X"], // 2299.5: below it
    [33_000, null], // 3300.0: the upper limit itself
    [33_005, "X"], // 3300.5: above it
    [28_005, null], // 2800.5: a multiple of the 0.5 tick of 1,000 to 5,000 yen
    [28_003, "X"], // 2800.3: not
    [0, "X"],
    [2_147_483_647, "X"],
  ];
  cases.forEach(([price, code], i) => {
    const order = toyota({ orderToken: i + 1, price });
    matcher.handle(A, order, i);
    assert.deepEqual(
      take(),
      [[
        A,
        code === null
          ? accepted(order, i, matcher.openOrders(A).length)
          : rejected(i, i + 1, code),
      ]],
      `price ${price}`,
    );
  });
});

Deno.test("Matcher.handle() follows the TSE standard table 1: 1 yen up to 3,000 yen, 5 yen above", () => {
  const { matcher, take } = recording({
    instruments: [{ orderbookId: "1301", tickTable: 1 }],
  });
  const prices: [number, boolean][] = [
    [29_990, true],
    [30_000, true], // "up to 3,000" includes 3,000
    [30_010, false], // 3,001: the 5-yen band
    [30_050, true],
    [50_000, true],
    [50_050, false], // 5,005: the 10-yen band
    [50_100, true],
    [29_995, false], // 2,999.5: not a whole yen
  ];
  prices.forEach(([price, valid], i) => {
    matcher.handle(
      A,
      enter({ orderToken: i + 1, orderbookId: "1301", price }),
      i,
    );
    const [[, message]] = take() as [Sent];
    assert.equal(
      message.type,
      valid ? "orderAccepted" : "orderRejected",
      `${price}`,
    );
  });
});

Deno.test("Matcher.handle() rejects with Z a quantity that is not a multiple of the round lot", () => {
  const { matcher, take } = recording();
  matcher.handle(A, toyota({ orderToken: 1, quantity: 150 }), 1);
  matcher.handle(A, toyota({ orderToken: 2, quantity: 50 }), 2);
  matcher.handle(A, toyota({ orderToken: 3, quantity: 1_000 }), 3);
  assert.deepEqual(take(), [
    [A, rejected(1, 1, "Z")],
    [A, rejected(2, 2, "Z")],
    [A, accepted(toyota({ orderToken: 3, quantity: 1_000 }), 3, 1)],
  ]);
});

Deno.test("Matcher.handle() cancels with X or Z a replace off the tick, outside the limits or off the round lot", () => {
  const cases: [string, number, number, "X" | "Z"][] = [
    ["off the tick", 200, 28_003, "X"],
    ["above the limit", 200, 33_005, "X"],
    ["an odd lot", 150, 28_000, "Z"],
  ];
  for (const [name, quantity, price, code] of cases) {
    const { matcher, takeAll } = recording();
    matcher.handle(A, toyota({ orderToken: 1 }), 1);
    takeAll();
    matcher.handle(A, replace(1, 2, quantity, price), 2);
    assert.deepEqual(takeAll(), [
      [A, canceled(2, 1, 100, code)],
      book7203({
        type: "bookDelete",
        timestamp: 2,
        orderNumber: 1,
        side: "B",
        price: 28_000,
        quantity: 100,
        account: A,
      }),
    ], name);
    assert.equal(matcher.nextToken(A), 2, `${name}: token 2 is unused`);
  }
});

Deno.test("Matcher: an orderbook listed without an instrument trades with no rules; instrument() tells each one's data", () => {
  const { matcher, take } = recording({ orderbooks: ["7203", "ABCD"] });
  const free = enter({
    orderToken: 1,
    orderbookId: "ABCD",
    price: 3,
    quantity: 7,
  });
  matcher.handle(A, free, 1);
  matcher.handle(A, toyota({ orderToken: 2, quantity: 7 }), 2);
  assert.deepEqual(take(), [
    [A, accepted(free, 1, 1)],
    [A, rejected(2, 2, "Z")],
  ]);
  assert.deepEqual(matcher.instrument("ABCD"), {
    orderbookId: "ABCD",
    name: "",
    isin: "",
    group: "DAY",
    roundLot: 1,
    tickTable: 0,
    referencePrice: 0,
    lowerLimit: 0,
    upperLimit: 0,
  });
  assert.deepEqual(matcher.instrument("7203"), {
    orderbookId: "7203",
    name: "Toyota Motor",
    isin: "JP3633400001",
    group: "DAY",
    roundLot: 100,
    tickTable: 3,
    referencePrice: 28_000,
    lowerLimit: 23_000,
    upperLimit: 33_000,
  });
  assert.deepEqual(
    ["0", "1", "2", "3", "6758", "9984", "8306"].map((id) => {
      const i = new Matcher({ message() {}, market() {} }, {
        tradingDate: TRADING_DATE,
      }).instrument(id)!;
      return [
        id,
        i.isin,
        i.roundLot,
        i.tickTable,
        i.referencePrice,
        i.lowerLimit,
        i.upperLimit,
      ];
    }),
    [
      ["0", "", 1, 0, 0, 0, 0],
      ["1", "", 1, 0, 0, 0, 0],
      ["2", "", 1, 0, 0, 0, 0],
      ["3", "", 1, 0, 0, 0, 0],
      ["6758", "JP3435000009", 100, 3, 34_000, 27_000, 41_000],
      ["9984", "JP3436100006", 100, 3, 90_000, 75_000, 105_000],
      ["8306", "JP3902900004", 100, 3, 18_000, 14_000, 22_000],
    ],
  );
});

Deno.test("Matcher takes tick tables and explicit limits from its options, and refuses bad ones", () => {
  const { matcher, take } = recording({
    orderbooks: ["X1"],
    instruments: [{
      orderbookId: "X1",
      tickTable: 9,
      referencePrice: 1_000,
      lowerLimit: 900,
      upperLimit: 1_100,
    }],
    tickTables: { 9: [{ from: 0, tick: 4 }, { from: 1_000, tick: 20 }] },
  });
  const prices = [896, 900, 1_000, 1_004, 1_020, 1_100, 1_120];
  prices.forEach((price, i) => {
    matcher.handle(
      A,
      enter({ orderToken: i + 1, orderbookId: "X1", price }),
      i,
    );
  });
  assert.deepEqual(
    take().map(([, m]) => m.type === "orderRejected" ? "X" : "ok"),
    ["X", "ok", "ok", "X", "ok", "ok", "X"],
  );
  assert.deepEqual(matcher.tickTables.get(9), [{ from: 0, tick: 4 }, {
    from: 1_000,
    tick: 20,
  }]);
  const make = (options: Record<string, unknown>) => () =>
    new Matcher({ message() {}, market() {} }, {
      tradingDate: TRADING_DATE,
      ...options,
    });
  assert.throws(make({ instruments: [{ orderbookId: "X", tickTable: 4 }] }), {
    name: "RangeError",
    message:
      'Cannot use instrument of orderbook "X": tickTable must be a known table (0, 1, 3): current value is 4',
  });
  assert.throws(
    make({ instruments: [{ orderbookId: "X" }, { orderbookId: "X" }] }),
    { name: "RangeError", message: /orderbook "X" has two instruments/ },
  );
  assert.throws(make({ tickTables: { 5: [] } }), {
    name: "RangeError",
    message: /tick table 5 as it must be a non-empty list of bands/,
  });
  assert.throws(make({ tickTables: { x: [{ from: 0, tick: 1 }] } }), {
    name: "RangeError",
    message: /tick table ids must be integers/,
  });
  assert.throws(
    make({
      instruments: [{ orderbookId: "X", lowerLimit: 10, upperLimit: 5 }],
    }),
    { name: "RangeError", message: /lowerLimit must be at most upperLimit 5/ },
  );
  assert.throws(make({ instruments: [{ orderbookId: "X", upperLimit: 5 }] }), {
    name: "RangeError",
    message: /lowerLimit must be given together with the other limit/,
  });
});

// K18: the short-sell price restriction.

Deno.test("Matcher: a trade at or below 90 % of the reference price switches the short-sell restriction on, after its bookExecute", () => {
  const { matcher, takeAll } = recording();
  // 90 % of 2,800 is 2,520: a trade at 2,520.5 does not trigger, one at 2,520 does.
  matcher.handle(B, toyota({ orderToken: 1, price: 25_205 }), 1);
  matcher.handle(
    A,
    toyota({ orderToken: 1, buySellIndicator: "S", price: 25_205 }),
    2,
  );
  assert.equal(matcher.isShortSellRestricted("7203"), false);
  matcher.handle(B, toyota({ orderToken: 2, price: 25_200 }), 3);
  takeAll();
  matcher.handle(
    A,
    toyota({ orderToken: 2, buySellIndicator: "S", price: 25_200 }),
    4,
  );
  assert.deepEqual(takeAll(), [
    [
      A,
      accepted(
        toyota({ orderToken: 2, buySellIndicator: "S", price: 25_200 }),
        4,
        4,
      ),
    ],
    [B, executed(4, 2, 100, 25_200, "A", 2)],
    [A, executed(4, 2, 100, 25_200, "R", 2)],
    book7203({
      type: "bookExecute",
      timestamp: 4,
      orderNumber: 3,
      side: "B",
      price: 25_200,
      quantity: 100,
      remaining: 0,
      matchNumber: 2,
      restingAccount: B,
      incomingAccount: A,
      incomingOrderNumber: 4,
    }),
    {
      type: "shortSellState",
      timestamp: 4,
      orderbookId: "7203",
      restricted: true,
    },
  ]);
  assert.equal(matcher.isShortSellRestricted("7203"), true);
  // Another trade down there does not announce it again.
  matcher.handle(B, toyota({ orderToken: 3, price: 25_000 }), 5);
  matcher.handle(
    A,
    toyota({ orderToken: 3, buySellIndicator: "E", price: 25_000 }),
    6,
  );
  assert.ok(
    !takeAll().some((o) => !Array.isArray(o) && o.type === "shortSellState"),
  );
});

Deno.test("Matcher.handle() rejects with i a short sell at or below the last trade price while restricted; S and E are free", () => {
  const { matcher, take } = recording();
  matcher.handle(B, toyota({ orderToken: 1, price: 25_000 }), 1);
  matcher.handle(
    A,
    toyota({ orderToken: 1, buySellIndicator: "S", price: 25_000 }),
    2,
  );
  assert.equal(matcher.isShortSellRestricted("7203"), true);
  take();
  const orders = [
    toyota({ orderToken: 2, buySellIndicator: "T", price: 25_000 }), // at the last: i
    toyota({ orderToken: 3, buySellIndicator: "T", price: 24_995 }), // below: i
    toyota({ orderToken: 4, buySellIndicator: "T", price: 25_005 }), // above: accepted
    toyota({ orderToken: 5, buySellIndicator: "E", price: 25_000 }), // exempt
    toyota({ orderToken: 6, buySellIndicator: "S", price: 25_000 }), // a long sale
  ];
  orders.forEach((order, i) => matcher.handle(A, order, 10 + i));
  assert.deepEqual(take(), [
    [A, rejected(10, 2, "i")],
    [A, rejected(11, 3, "i")],
    [A, accepted(orders[2]!, 12, 3)],
    [A, accepted(orders[3]!, 13, 4)],
    [A, accepted(orders[4]!, 14, 5)],
  ]);
  // A replace of a short sell down to the last price is canceled with i.
  matcher.handle(A, { ...replace(4, 7, 100, 25_000) }, 15);
  assert.deepEqual(take(), [[A, canceled(15, 4, 100, "i")]]);
  assert.equal(matcher.nextToken(A), 7);
});

Deno.test("Matcher.setShortSellRestricted(): the operator's switch; before any trade the reference price is the bar, without one nothing is", () => {
  const { matcher, takeAll } = recording();
  assert.equal(matcher.setShortSellRestricted("7203", true, 1), true);
  assert.equal(matcher.setShortSellRestricted("1", true, 2), true);
  assert.equal(matcher.setShortSellRestricted("nope", true, 3), false);
  matcher.handle(
    A,
    toyota({ orderToken: 1, buySellIndicator: "T", price: 28_000 }),
    4,
  );
  matcher.handle(
    A,
    toyota({ orderToken: 2, buySellIndicator: "T", price: 28_005 }),
    5,
  );
  const free = enter({ orderToken: 3, buySellIndicator: "T", price: 1 });
  matcher.handle(A, free, 6);
  assert.equal(matcher.setShortSellRestricted("7203", false, 7), true);
  matcher.handle(
    A,
    toyota({ orderToken: 4, buySellIndicator: "T", price: 28_000 }),
    8,
  );
  assert.deepEqual(takeAll(), [
    {
      type: "shortSellState",
      timestamp: 1,
      orderbookId: "7203",
      restricted: true,
    },
    {
      type: "shortSellState",
      timestamp: 2,
      orderbookId: "1",
      restricted: true,
    },
    [A, rejected(4, 1, "i")],
    [
      A,
      accepted(
        toyota({ orderToken: 2, buySellIndicator: "T", price: 28_005 }),
        5,
        1,
      ),
    ],
    book7203({
      type: "bookAdd",
      timestamp: 5,
      orderNumber: 1,
      side: "S",
      price: 28_005,
      quantity: 100,
      account: A,
    }),
    [A, accepted(free, 6, 2)],
    {
      type: "bookAdd",
      timestamp: 6,
      orderbookId: "1",
      orderNumber: dayNumber(2),
      side: "S",
      price: 1,
      quantity: 100,
      account: A,
    },
    {
      type: "shortSellState",
      timestamp: 7,
      orderbookId: "7203",
      restricted: false,
    },
    [
      A,
      accepted(
        toyota({ orderToken: 4, buySellIndicator: "T", price: 28_000 }),
        8,
        3,
      ),
    ],
    book7203({
      type: "bookAdd",
      timestamp: 8,
      orderNumber: 3,
      side: "S",
      price: 28_000,
      quantity: 100,
      account: A,
    }),
  ]);
});

// K19–K21: per-account limits.

Deno.test("Matcher.handle() throttles with F over N messages in any second; a cancel is always processed; replaces are canceled with F", () => {
  const { matcher, take } = recording();
  matcher.setAccountLimits(A, { throttle: 2 });
  matcher.handle(A, toyota({ orderToken: 1 }), 0);
  matcher.handle(A, toyota({ orderToken: 2 }), 0.5 * SECOND);
  // Two messages in the 0.9 s before: throttled. The token is used.
  matcher.handle(A, toyota({ orderToken: 3 }), 0.9 * SECOND);
  // Still two within the second before 1.2 s (0.5 and 0.9): the cancel is processed anyway.
  matcher.handle(
    A,
    { type: "cancelOrder", orderToken: 1, quantity: 0 },
    1.2 * SECOND,
  );
  // The second before 1.9 s holds 0.9 (exactly 1 s earlier: outside) and 1.2: one message.
  matcher.handle(A, replace(2, 4, 200, 28_000), 1.9 * SECOND);
  // Before 2.0 s: 1.2 and 1.9: throttled, the replace cancels the order.
  matcher.handle(A, replace(4, 5, 300, 28_000), 2.0 * SECOND);
  // Another account is not throttled.
  matcher.handle(B, toyota({ orderToken: 1 }), 2.0 * SECOND);
  assert.deepEqual(take(), [
    [A, accepted(toyota({ orderToken: 1 }), 0, 1)],
    [A, accepted(toyota({ orderToken: 2 }), 0.5 * SECOND, 2)],
    [A, rejected(0.9 * SECOND, 3, "F")],
    [A, canceled(1.2 * SECOND, 1, 100, "U")],
    [A, replacedMessage(1.9 * SECOND, 2, 4, 200, 28_000, 3)],
    [A, canceled(2.0 * SECOND, 4, 200, "F")],
    [B, accepted(toyota({ orderToken: 1 }), 2.0 * SECOND, 4)],
  ]);
  assert.equal(
    matcher.nextToken(A),
    5,
    "the canceled replace left token 5 unused",
  );
});

Deno.test("Matcher.handle() counts throttled and ignored messages too, and starts afresh when the clock passes midnight", () => {
  const { matcher, take } = recording({ accountLimits: { throttle: 1 } });
  const late = 86_399 * SECOND;
  matcher.handle(A, { type: "cancelOrder", orderToken: 9, quantity: 0 }, late);
  matcher.handle(A, toyota({ orderToken: 1 }), late + 0.5 * SECOND); // F
  matcher.handle(A, toyota({ orderToken: 2 }), late + 0.9 * SECOND); // F: the F counted
  matcher.handle(A, toyota({ orderToken: 3 }), 0.1 * SECOND); // after midnight
  assert.deepEqual(take(), [
    [A, rejected(late + 0.5 * SECOND, 1, "F")],
    [A, rejected(late + 0.9 * SECOND, 2, "F")],
    [A, accepted(toyota({ orderToken: 3 }), 0.1 * SECOND, 1)],
  ]);
});

Deno.test("Matcher.handle() rejects with V an order worth more than the account's limit; a replace counts its new open quantity", () => {
  const { matcher, take } = recording();
  matcher.setAccountLimits(A, { maxOrderValue: 280_000 });
  matcher.handle(A, toyota({ orderToken: 1 }), 1); // 2,800 × 100 = 280,000: the limit itself
  matcher.handle(A, toyota({ orderToken: 2, price: 28_005 }), 2); // 280,050
  matcher.handle(
    C,
    toyota({ orderToken: 1, buySellIndicator: "S", quantity: 100 }),
    3,
  );
  take();
  // Token 1 is now filled; token 3 is entered and filled too.
  matcher.handle(A, toyota({ orderToken: 3, quantity: 100, price: 27_000 }), 4);
  matcher.handle(
    C,
    toyota({ orderToken: 2, buySellIndicator: "S", price: 27_000 }),
    5,
  );
  matcher.handle(A, toyota({ orderToken: 4, quantity: 100, price: 26_000 }), 6);
  take();
  // Token 4: a total of 200 is 200 open (nothing executed): 520,000 yen, over.
  matcher.handle(A, replace(4, 5, 200, 26_000), 7);
  matcher.handle(A, toyota({ orderToken: 6, quantity: 100, price: 26_000 }), 8);
  // A total of 100 at 2,800: 280,000, the limit: replaced.
  matcher.handle(A, replace(6, 7, 100, 28_000), 9);
  assert.deepEqual(take(), [
    [A, canceled(7, 4, 100, "V")],
    [
      A,
      accepted(toyota({ orderToken: 6, quantity: 100, price: 26_000 }), 8, 6),
    ],
    [A, replacedMessage(9, 6, 7, 100, 28_000, 7)],
  ]);
  matcher.handle(A, toyota({ orderToken: 8, price: 28_005 }), 10);
  assert.deepEqual(take(), [[A, rejected(10, 8, "V")]]);
});

Deno.test("Matcher.handle() rejects with L a Firm ID not allowed (0 always is) and with c a group not allowed or unknown", () => {
  const { matcher, take } = recording();
  matcher.setAccountLimits(A, { firms: [5, 7], groups: ["DAY", "NGHT"] });
  const orders = [
    toyota({ orderToken: 1, firmId: 0 }),
    toyota({ orderToken: 2, firmId: 5 }),
    toyota({ orderToken: 3, firmId: 6 }),
    toyota({ orderToken: 4, group: "NGHT" }),
    toyota({ orderToken: 5, group: "DAYX" }),
    toyota({ orderToken: 6, group: "NITE" }),
  ];
  orders.forEach((order, i) => matcher.handle(A, order, i));
  matcher.handle(B, toyota({ orderToken: 1, firmId: 6, group: "DAYX" }), 9);
  assert.deepEqual(take(), [
    [A, accepted(orders[0]!, 0, 1)],
    [A, accepted(orders[1]!, 1, 2)],
    [A, rejected(2, 3, "L")],
    [A, accepted(orders[3]!, 3, 3)],
    [A, rejected(4, 5, "c")],
    [A, rejected(5, 6, "c")],
    [B, accepted(toyota({ orderToken: 1, firmId: 6, group: "DAYX" }), 9, 4)],
  ]);
});

Deno.test("Matcher.setAccountLimits() merges over the matcher's limits and refuses bad ones", () => {
  const matcher = new Matcher({ message() {}, market() {} }, {
    tradingDate: TRADING_DATE,
    accountLimits: { throttle: 50, groups: ["DAY"] },
  });
  matcher.setAccountLimits(3, { throttle: 0, firms: [1] });
  assert.deepEqual(matcher.accountLimits(3), {
    throttle: 0,
    groups: ["DAY"],
    firms: [1],
  });
  assert.deepEqual(matcher.accountLimits(4), { throttle: 50, groups: ["DAY"] });
  const bad: [AccountLimits, RegExp][] = [
    [{ throttle: -1 }, /throttle must be an integer from 0 to 1000000/],
    [{ throttle: 1.5 }, /throttle must be/],
    [{ maxOrderValue: 0 }, /maxOrderValue must be an integer from 1/],
    [{ maxOrderValue: 2 ** 53 }, /maxOrderValue must be/],
    [{ firms: [-1] }, /firms must be Firm IDs from 0 to 4294967295/],
    [
      { groups: ["day"] },
      /groups must be among DAY, NGHT, DAYX, DAYU: current value is "day"/,
    ],
  ];
  for (const [limits, message] of bad) {
    assert.throws(() => matcher.setAccountLimits(0, limits), {
      name: "RangeError",
      message,
    });
  }
  assert.throws(() => matcher.setAccountLimits(-1, {}), { name: "RangeError" });
  assert.throws(
    () =>
      new Matcher({ message() {}, market() {} }, {
        tradingDate: TRADING_DATE,
        accountLimits: { throttle: -2 },
      }),
    { name: "RangeError", message: /limits of every account: throttle/ },
  );
});

// K22: the order of the checks.

interface Situation {
  /** Fields of the order, over a valid buy of 100 at 2800.0 on 7203. */
  fields: Partial<EnterOrder>;
  closed?: boolean;
  /** Halt 7203 (and every other orderbook). */
  halted?: boolean;
  /** Two messages came just before: over the throttle of 2. */
  throttled?: boolean;
}

/**
 * The code an order gets in a matcher where account A may use groups DAY and DAYX and Firm
 * ID 5, sends at most 2 messages a second and orders up to 10,000,000 yen; 7203's
 * short-sell restriction is on (no trade yet: the bar is the reference price 2,800); B
 * bids 2,790 and C offers 2,810.
 */
function codeOf(situation: Situation): string {
  const { matcher, take } = recording();
  matcher.setAccountLimits(A, {
    groups: ["DAY", "DAYX"],
    firms: [5],
    throttle: 2,
    maxOrderValue: 10_000_000,
  });
  matcher.setShortSellRestricted("7203", true, 1);
  matcher.handle(B, toyota({ orderToken: 1, price: 27_900 }), 2);
  matcher.handle(
    C,
    toyota({ orderToken: 1, buySellIndicator: "S", price: 28_100 }),
    3,
  );
  if (situation.halted) {
    for (const id of matcher.orderbooks) matcher.halt(id, 4);
  }
  if (situation.closed) matcher.close(4);
  if (situation.throttled) {
    matcher.handle(A, { type: "cancelOrder", orderToken: 99, quantity: 0 }, 5);
    matcher.handle(A, { type: "cancelOrder", orderToken: 99, quantity: 0 }, 5);
  }
  take();
  matcher.handle(A, toyota({ orderToken: 1, ...situation.fields }), 6);
  const [[account, message], ...rest] = take() as [Sent, ...Sent[]];
  assert.equal(account, A);
  if (message.type === "orderRejected") return message.orderRejectedReason;
  assert.equal(message.type, "orderAccepted");
  assert.deepEqual(rest.filter(([, m]) => m.type !== "orderExecuted"), []);
  return "accepted";
}

Deno.test("Matcher.handle() checks an Enter Order in the order of K22: each check before the next one", () => {
  assert.equal(codeOf({ fields: {} }), "accepted", "the base order is valid");
  // [earlier code, later code, an order failing both, an order failing only the later]
  const pairs: [string, string, Situation, Situation][] = [
    ["R", "S", { closed: true, fields: { orderbookId: "9999" } }, {
      fields: { orderbookId: "9999" },
    }],
    // An unknown orderbook cannot be halted: every known one is halted instead.
    ["S", "H", { halted: true, fields: { orderbookId: "9999" } }, {
      halted: true,
      fields: {},
    }],
    ["H", "c", { halted: true, fields: { group: "NGHT" } }, {
      fields: { group: "NGHT" },
    }],
    ["c", "L", { fields: { group: "NITE", firmId: 9 } }, {
      fields: { firmId: 9 },
    }],
    ["L", "F", { throttled: true, fields: { firmId: 9 } }, {
      throttled: true,
      fields: {},
    }],
    ["F", "X", { throttled: true, fields: { price: 28_003 } }, {
      fields: { price: 28_003 },
    }],
    ["X", "Z", { fields: { price: 22_995, quantity: 150 } }, {
      fields: { quantity: 150 },
    }],
    ["Z", "N", { fields: { quantity: 0, minimumQuantity: 100 } }, {
      fields: { minimumQuantity: 100 },
    }],
    ["N", "Y", { fields: { minimumQuantity: 100, buySellIndicator: "Q" } }, {
      fields: { buySellIndicator: "Q" },
    }],
    ["Y", "D", { fields: { timeInForce: 5, display: "X" } }, {
      fields: { display: "X" },
    }],
    ["D", "G", { fields: { display: "X", cashMarginType: "9" } }, {
      fields: { cashMarginType: "9" },
    }],
    ["G", "O", { fields: { cashMarginType: "9", capacity: "X" } }, {
      fields: { capacity: "X" },
    }],
    ["O", "V", { fields: { capacity: "X", quantity: 4_000 } }, {
      fields: { quantity: 4_000 },
    }],
    ["V", "i", {
      fields: { buySellIndicator: "T", price: 27_900, quantity: 4_000 },
    }, { fields: { buySellIndicator: "T", price: 27_900 } }],
    // A post-only sell at the bid would execute: O, after the short-sell check.
    ["i", "O", {
      fields: { buySellIndicator: "T", price: 27_900, display: "P" },
    }, { fields: { buySellIndicator: "S", price: 27_900, display: "P" } }],
  ];
  for (const [earlier, later, both, only] of pairs) {
    assert.equal(codeOf(both), earlier, `${earlier} before ${later}`);
    assert.equal(codeOf(only), later, `${later} alone`);
  }
});

// K9: the replace quantity is the order chain's total.

Deno.test("Matcher.handle() replaces to the desired open quantity plus what executed, as JNX §6.2's example", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, toyota({ orderToken: 1, quantity: 1_000 }), 1);
  matcher.handle(
    B,
    toyota({ orderToken: 1, buySellIndicator: "S", quantity: 300 }),
    2,
  );
  matcher.handle(
    B,
    toyota({ orderToken: 2, buySellIndicator: "S", quantity: 100 }),
    3,
  );
  takeAll();
  // 1,000 entered, 400 executed: to stay exposed for the 600 left, the total is 1,000.
  matcher.handle(A, replace(1, 2, 1_000, 28_000), 4);
  assert.deepEqual(takeAll(), [
    [A, replacedMessage(4, 1, 2, 600, 28_000, 4)],
    book7203({
      type: "bookReplace",
      timestamp: 4,
      originalOrderNumber: 1,
      orderNumber: 4,
      side: "B",
      oldPrice: 28_000,
      oldQuantity: 600,
      price: 28_000,
      quantity: 600,
      account: A,
      keepsPriority: true,
    }),
  ]);
  assert.deepEqual(
    matcher.openOrders(A).map((
      o,
    ) => [o.orderToken, o.orderNumber, o.openQuantity, o.executedQuantity]),
    [[2, dayNumber(4), 600, 400]],
  );
  // A total of 700 leaves 300 open; the executed quantity carries over the chain.
  matcher.handle(A, replace(2, 3, 700, 28_000), 5);
  assert.deepEqual(takeAll()[0], [A, replacedMessage(5, 2, 3, 300, 28_000, 5)]);
});

Deno.test("Matcher.handle() cancels with U a replace below the executed quantity, replacement token unused; equal is replaced dead", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, toyota({ orderToken: 1, quantity: 500 }), 1);
  matcher.handle(A, toyota({ orderToken: 2, quantity: 500 }), 2);
  matcher.handle(
    B,
    toyota({ orderToken: 1, buySellIndicator: "S", quantity: 600 }),
    3,
  );
  takeAll();
  // Token 1 executed 500 (gone); token 2 executed 100, 400 open.
  matcher.handle(A, replace(2, 3, 0, 28_000), 4);
  matcher.handle(A, toyota({ orderToken: 3, quantity: 300 }), 5);
  takeAll();
  matcher.handle(
    B,
    toyota({ orderToken: 2, buySellIndicator: "S", quantity: 100 }),
    6,
  );
  takeAll();
  // Token 3: 300 entered, 100 executed. A total of 100 leaves nothing: state D.
  matcher.handle(A, replace(3, 4, 100, 28_000), 7);
  assert.deepEqual(takeAll(), [
    [A, replacedMessage(7, 3, 4, 0, 28_000, 6)],
    book7203({
      type: "bookDelete",
      timestamp: 7,
      orderNumber: 4,
      side: "B",
      price: 28_000,
      quantity: 200,
      account: A,
    }),
  ]);
  assert.deepEqual(matcher.openOrders(A), []);
  // The first replace (total 0 below 100 executed) was a cancel with U, and token 3 stayed
  // unused: the Enter with token 3 above was accepted.
  const again = recording();
  again.matcher.handle(A, toyota({ orderToken: 1, quantity: 500 }), 1);
  again.matcher.handle(
    B,
    toyota({ orderToken: 1, buySellIndicator: "S", quantity: 200 }),
    2,
  );
  again.takeAll();
  again.matcher.handle(A, replace(1, 2, 100, 28_000), 3);
  again.matcher.handle(A, toyota({ orderToken: 2 }), 4);
  assert.deepEqual(again.takeAll(), [
    [A, canceled(3, 1, 300, "U")],
    book7203({
      type: "bookDelete",
      timestamp: 3,
      orderNumber: 1,
      side: "B",
      price: 28_000,
      quantity: 300,
      account: A,
    }),
    [A, accepted(toyota({ orderToken: 2 }), 4, 3)],
    book7203({
      type: "bookAdd",
      timestamp: 4,
      orderNumber: 3,
      side: "B",
      price: 28_000,
      quantity: 100,
      account: A,
    }),
  ]);
});

Deno.test("Matcher.handle() gives a crossing replace a new Order Number: Replaced, bookDelete of the old, fills, bookAdd of the new", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(
    B,
    toyota({
      orderToken: 1,
      buySellIndicator: "S",
      price: 28_100,
      quantity: 100,
    }),
    1,
  );
  matcher.handle(A, toyota({ orderToken: 1, quantity: 300 }), 2);
  takeAll();
  matcher.handle(A, replace(1, 2, 300, 28_100), 3);
  assert.deepEqual(takeAll(), [
    [A, replacedMessage(3, 1, 2, 300, 28_100, 3)],
    book7203({
      type: "bookDelete",
      timestamp: 3,
      orderNumber: 2,
      side: "B",
      price: 28_000,
      quantity: 300,
      account: A,
    }),
    [B, executed(3, 1, 100, 28_100, "A", 1)],
    [A, executed(3, 2, 100, 28_100, "R", 1)],
    book7203({
      type: "bookExecute",
      timestamp: 3,
      orderNumber: 1,
      side: "S",
      price: 28_100,
      quantity: 100,
      remaining: 0,
      matchNumber: 1,
      restingAccount: B,
      incomingAccount: A,
      incomingOrderNumber: 3,
    }),
    book7203({
      type: "bookAdd",
      timestamp: 3,
      orderNumber: 3,
      side: "B",
      price: 28_100,
      quantity: 200,
      account: A,
    }),
  ]);
});
