import assert from "node:assert/strict";
import {
  CAPACITIES,
  CASH_MARGIN_TYPES,
  DISPLAYS,
  GROUPS,
  ORDER_CANCELED_REASONS as CODEC_CANCELED,
  ORDER_CLASSIFICATIONS,
  ORDER_REJECTED_REASONS as CODEC_REJECTED,
  SIDES,
  TIME_IN_FORCE_DAY,
  TIME_IN_FORCE_IMMEDIATE,
} from "../../../lib/codec/messages.ts";
import { formatPrice as codecFormatPrice } from "../../../lib/client/format.ts";
import {
  buildLadder,
  CAPACITY_NAMES,
  CASH_MARGIN_TYPE_NAMES,
  chartPoints,
  describeResponse,
  DISPLAY_NAMES,
  ENTER_DEFAULTS,
  formatPrice,
  formatQuantity,
  formatTime,
  GROUP_NAMES,
  MAX_PAGE_MESSAGE_LENGTH,
  mergeTrades,
  ORDER_CANCELED_REASONS,
  ORDER_CLASSIFICATION_NAMES,
  ORDER_REJECTED_REASONS,
  parsePrice,
  reasonText,
  SIDE_NAMES,
  type TapeTrade,
  TIME_IN_FORCE_NAMES,
  validatePageMessage,
} from "../../../lib/web/assets/view.js";

const ENTER = {
  type: "enter",
  clientReference: "ref",
  buySellIndicator: "B",
  quantity: 100,
  orderbookId: "7203",
  group: "DAY",
  price: "2300.5",
  timeInForce: 99999,
  firmId: 0,
  display: " ",
  capacity: "P",
  minimumQuantity: 0,
  orderClassification: "1",
  cashMarginType: "1",
};

/** A trade as the page receives it: Match Number `n` of the day, as a decimal string. */
function trade(n: number, price: number, timestamp = n): TapeTrade {
  return {
    matchNumber: String(202611280000000000n + BigInt(n)),
    price,
    quantity: 100,
    timestamp,
    aggressor: "B",
  };
}

/** The day's counter of a trade's Match Number. */
function counter(trade: TapeTrade): number {
  return Number(BigInt(trade.matchNumber) - 202611280000000000n);
}

Deno.test("ORDER_REJECTED_REASONS and ORDER_CANCELED_REASONS equal lib/codec's tables", () => {
  assert.deepEqual({ ...ORDER_REJECTED_REASONS }, { ...CODEC_REJECTED });
  assert.deepEqual({ ...ORDER_CANCELED_REASONS }, { ...CODEC_CANCELED });
});

Deno.test("the page's enumeration names cover exactly lib/codec's values", () => {
  assert.deepEqual(Object.keys(SIDE_NAMES), [...SIDES]);
  assert.deepEqual(Object.keys(GROUP_NAMES), [...GROUPS]);
  assert.deepEqual(Object.keys(DISPLAY_NAMES).sort(), [...DISPLAYS].sort());
  assert.deepEqual(Object.keys(CAPACITY_NAMES), [...CAPACITIES]);
  assert.deepEqual(
    Object.keys(ORDER_CLASSIFICATION_NAMES),
    [...ORDER_CLASSIFICATIONS],
  );
  assert.deepEqual(Object.keys(CASH_MARGIN_TYPE_NAMES), [...CASH_MARGIN_TYPES]);
  assert.deepEqual(
    Object.keys(TIME_IN_FORCE_NAMES).map(Number).sort((a, b) => a - b),
    [TIME_IN_FORCE_IMMEDIATE, TIME_IN_FORCE_DAY],
  );
});

Deno.test("ENTER_DEFAULTS is a valid Day order once a price and orderbook are set", () => {
  const message = validatePageMessage({
    type: "enter",
    ...ENTER_DEFAULTS,
    price: "2300.0",
    orderbookId: "1",
  });
  assert.deepEqual(message, {
    type: "enter",
    clientReference: "",
    buySellIndicator: "B",
    quantity: 100,
    orderbookId: "1",
    group: "DAY",
    price: 23000,
    timeInForce: 99999,
    firmId: 0,
    display: " ",
    capacity: "P",
    minimumQuantity: 0,
    orderClassification: "1",
    cashMarginType: "1",
  });
});

Deno.test("formatPrice() matches lib/client's formatPrice for valid prices", () => {
  for (const tenths of [0, 1, 9, 10, 23000, 23005, 2_147_483_646]) {
    assert.equal(formatPrice(tenths), codecFormatPrice(tenths), `${tenths}`);
  }
  assert.equal(formatPrice(-5), "?");
  assert.equal(formatPrice(1.5), "?");
  assert.equal(formatPrice(Number.NaN), "?");
});

Deno.test("parsePrice() reads at most one decimal place and never rounds", () => {
  assert.equal(parsePrice("0"), 0);
  assert.equal(parsePrice("2300"), 23000);
  assert.equal(parsePrice("2300.0"), 23000);
  assert.equal(parsePrice("2300.5"), 23005);
  assert.equal(parsePrice("007.1"), 71);
  assert.equal(parsePrice("429496729.5"), 4294967295);
  for (
    const bad of [
      "2300.55",
      "2300.",
      ".5",
      "-1",
      "1e3",
      "",
      " ",
      "12,5",
      "0x10",
      "１２",
    ]
  ) {
    assert.throws(() => parsePrice(bad), {
      name: "RangeError",
      message: /Price as it must be a decimal with at most one decimal place/,
    }, bad);
  }
  assert.throws(() => parsePrice("429496729.6"), {
    name: "RangeError",
    message: /at most 429496729\.5/,
  });
  assert.throws(() => parsePrice(2300), {
    name: "TypeError",
    message: /decimal string/,
  });
});

Deno.test("formatQuantity() and formatTime() format numbers for the page", () => {
  assert.equal(formatQuantity(0), "0");
  assert.equal(formatQuantity(999), "999");
  assert.equal(formatQuantity(1000), "1,000");
  assert.equal(formatQuantity(2_147_483_647), "2,147,483,647");
  assert.equal(formatTime(0), "00:00:00.000");
  assert.equal(formatTime(86_399_999_999_999), "23:59:59.999");
  assert.equal(formatTime(-1), "?");
});

Deno.test("reasonText() shows each reason code with its meaning in words", () => {
  for (const [code, meaning] of Object.entries(CODEC_REJECTED)) {
    assert.equal(reasonText("rejected", code), `${code} ${meaning}`);
  }
  for (const [code, meaning] of Object.entries(CODEC_CANCELED)) {
    assert.equal(reasonText("canceled", code), `${code} ${meaning}`);
  }
  assert.equal(reasonText("rejected", "?"), "? (unknown reason)");
  assert.equal(reasonText("rejected", "toString"), "toString (unknown reason)");
});

Deno.test("describeResponse() describes every outbound message in words", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [
      {
        type: "orderAccepted",
        timestamp: 0,
        orderToken: 1,
        clientReference: "<b>x</b>",
        buySellIndicator: "S",
        quantity: 1500,
        orderbookId: "7203",
        group: "DAY",
        price: 23005,
        timeInForce: 99999,
        firmId: 0,
        display: " ",
        capacity: "P",
        orderNumber: "202307130000000093",
        minimumQuantity: 0,
        orderState: "L",
        orderClassification: "1",
        cashMarginType: "1",
      },
      "accepted",
      'Accepted #1: Sell 1,500 of 7203 @ 2300.5 (order 202307130000000093, ref "<b>x</b>")',
    ],
    [
      {
        type: "orderRejected",
        timestamp: 0,
        orderToken: 2,
        orderRejectedReason: "H",
      },
      "rejected",
      "Rejected #2: H Trading halt",
    ],
    [
      {
        type: "orderExecuted",
        timestamp: 0,
        orderToken: 3,
        executedQuantity: 40,
        executionPrice: 23000,
        liquidityIndicator: "R",
        matchNumber: "18446744073709551615",
      },
      "executed",
      "Executed #3: 40 @ 2300.0 (match 18446744073709551615, removed liquidity)",
    ],
    [
      {
        type: "orderCanceled",
        timestamp: 0,
        orderToken: 4,
        decrementQuantity: 60,
        orderCanceledReason: "U",
      },
      "canceled",
      "Canceled #4: 60 (U User requested cancel)",
    ],
    [
      {
        type: "orderAiqCanceled",
        timestamp: 0,
        orderToken: 5,
        decrementQuantity: 100,
        orderCanceledReason: "M",
        quantityPreventedFromTrading: 30,
        executionPrice: 23000,
        liquidityIndicator: "R",
      },
      "canceled",
      "Canceled #5: 100 by self-match prevention, 30 prevented at 2300.0 (M Order expired during match)",
    ],
    [
      {
        type: "orderReplaced",
        timestamp: 0,
        replacementOrderToken: 7,
        buySellIndicator: "B",
        quantity: 80,
        orderbookId: "1",
        group: "DAY",
        price: 22995,
        timeInForce: 0,
        display: " ",
        orderNumber: "202611280000000003",
        minimumQuantity: 0,
        orderState: "L",
        previousOrderToken: 6,
      },
      "replaced",
      "Replaced #6 by #7: Buy 80 of 1 @ 2299.5 IOC (order 202611280000000003)",
    ],
    [
      { type: "systemEvent", timestamp: 0, eventCode: "E" },
      "system",
      "System event: End of Day",
    ],
    [{ type: "bogus" }, "other", 'Unknown message "bogus"'],
  ];
  for (const [message, kind, text] of cases) {
    assert.deepEqual(describeResponse(message), { kind, text });
  }
});

Deno.test("buildLadder() puts asks above bids with prices falling and marks the best levels", () => {
  const depth = {
    bids: [
      { price: 23000, quantity: 300, orders: 2 },
      { price: 22990, quantity: 100, orders: 1 },
      { price: 22980, quantity: 50, orders: 1 },
    ],
    asks: [
      { price: 23010, quantity: 70, orders: 1 },
      { price: 23020, quantity: 80, orders: 1 },
      { price: 23030, quantity: 90, orders: 3 },
    ],
  };
  assert.deepEqual(buildLadder(depth, 2), [
    { side: "ask", price: 23020, quantity: 80, orders: 1, best: false },
    { side: "ask", price: 23010, quantity: 70, orders: 1, best: true },
    { side: "bid", price: 23000, quantity: 300, orders: 2, best: true },
    { side: "bid", price: 22990, quantity: 100, orders: 1, best: false },
  ]);
  assert.deepEqual(buildLadder({ bids: [], asks: [] }, 5), []);
  assert.deepEqual(
    buildLadder({ bids: [], asks: depth.asks }, 5).map((r) => r.price),
    [23030, 23020, 23010],
  );
});

Deno.test("mergeTrades() drops trades already on the tape and keeps the latest", () => {
  assert.deepEqual(
    mergeTrades([], [trade(1, 1), trade(2, 2)], 10).map(counter),
    [1, 2],
  );
  assert.deepEqual(
    mergeTrades([trade(1, 1), trade(2, 2)], [trade(2, 2), trade(3, 3)], 10)
      .map(counter),
    [1, 2, 3],
  );
  assert.deepEqual(
    mergeTrades([trade(1, 1)], [trade(2, 2), trade(3, 3), trade(4, 4)], 2)
      .map(counter),
    [3, 4],
  );
  // Match Numbers compare as numbers, not as text: "10" comes after "9".
  const short = (matchNumber: string): TapeTrade => ({
    matchNumber,
    price: 1,
    quantity: 1,
    timestamp: 0,
    aggressor: "S",
  });
  assert.deepEqual(
    mergeTrades([short("9")], [short("9"), short("10")], 10).map((t) =>
      t.matchNumber
    ),
    ["9", "10"],
  );
});

Deno.test("chartPoints() scales time left to right and price bottom to top", () => {
  assert.deepEqual(chartPoints([], 100, 50), { points: "", low: 0, high: 0 });
  assert.deepEqual(chartPoints([trade(1, 500)], 104, 54), {
    points: "52,27",
    low: 500,
    high: 500,
  });
  assert.deepEqual(
    chartPoints(
      [trade(1, 100, 0), trade(2, 300, 30), trade(3, 200, 40)],
      44,
      24,
    ),
    { points: "2,22 32,2 42,12", low: 100, high: 300 },
  );
  // One timestamp for every trade: spread by trade order.
  assert.deepEqual(
    chartPoints([trade(1, 100, 5), trade(2, 100, 5), trade(3, 100, 5)], 44, 24)
      .points,
    "2,12 22,12 42,12",
  );
});

Deno.test("validatePageMessage() accepts each message type and converts prices", () => {
  assert.deepEqual(
    validatePageMessage({ type: "login", username: "alice", password: "" }),
    { type: "login", username: "alice", password: "" },
  );
  assert.deepEqual(validatePageMessage({ type: "logout" }), { type: "logout" });
  assert.equal(
    (validatePageMessage(ENTER) as { price: number }).price,
    23005,
  );
  // Values the exchange rejects pass: the exchange answers them with Order Rejected.
  assert.deepEqual(
    validatePageMessage({
      ...ENTER,
      buySellIndicator: "Q",
      quantity: 0,
      price: "0",
      timeInForce: 5,
      group: "ZZZ",
    }),
    {
      ...ENTER,
      buySellIndicator: "Q",
      quantity: 0,
      price: 0,
      timeInForce: 5,
      group: "ZZZ",
    },
  );
  assert.deepEqual(
    validatePageMessage({
      type: "replace",
      existingOrderToken: 4,
      quantity: 0,
      price: "1",
      timeInForce: 0,
      display: "P",
      minimumQuantity: 0,
    }),
    {
      type: "replace",
      existingOrderToken: 4,
      quantity: 0,
      price: 10,
      timeInForce: 0,
      display: "P",
      minimumQuantity: 0,
    },
  );
  assert.deepEqual(
    validatePageMessage({ type: "operator", action: "halt", orderbookId: "1" }),
    { type: "operator", action: "halt", orderbookId: "1" },
  );
  assert.deepEqual(validatePageMessage({ type: "operator", action: "open" }), {
    type: "operator",
    action: "open",
  });
  assert.ok(MAX_PAGE_MESSAGE_LENGTH > JSON.stringify(ENTER).length * 4);
});

Deno.test("validatePageMessage() throws TypeError for a bad shape and RangeError for a bad value", () => {
  const { quantity: _, ...noQuantity } = ENTER;
  const cases: [unknown, string, RegExp][] = [
    [undefined, "TypeError", /JSON object/],
    ["enter", "TypeError", /JSON object: current value is "enter"/],
    [[ENTER], "TypeError", /an array/],
    [{}, "TypeError", /"type" string/],
    [{ type: 1 }, "TypeError", /"type" string: current value is 1/],
    [{ type: "__proto__" }, "TypeError", /message type "__proto__"/],
    [{ type: "constructor" }, "TypeError", /message type "constructor"/],
    [{ ...ENTER, extra: 1 }, "TypeError", /field "extra" is not allowed/],
    [noQuantity, "TypeError", /field "quantity" is missing/],
    [
      { ...ENTER, quantity: null },
      "TypeError",
      /Quantity as it must be a number: current value is null/,
    ],
    [
      { ...ENTER, quantity: "1" },
      "TypeError",
      /Quantity as it must be a number/,
    ],
    [
      { ...ENTER, quantity: true },
      "TypeError",
      /Quantity as it must be a number/,
    ],
    [
      { ...ENTER, quantity: -1 },
      "RangeError",
      /Quantity .* whole number from 0 to 4294967295: current value is -1/,
    ],
    [{ ...ENTER, quantity: 4294967296 }, "RangeError", /Quantity/],
    [{ ...ENTER, quantity: 0.5 }, "RangeError", /Quantity/],
    [{ ...ENTER, quantity: Number.NaN }, "RangeError", /current value is NaN/],
    [{ ...ENTER, minimumQuantity: 1e20 }, "RangeError", /Minimum Quantity/],
    [{ ...ENTER, price: "1.25" }, "RangeError", /Price/],
    [{ ...ENTER, price: 12.5 }, "TypeError", /Price/],
    [
      { ...ENTER, buySellIndicator: "" },
      "RangeError",
      /Buy\/Sell Indicator as it must be 1 printable ASCII/,
    ],
    [{ ...ENTER, buySellIndicator: "BS" }, "RangeError", /Buy\/Sell Indicator/],
    [
      { ...ENTER, orderbookId: "" },
      "RangeError",
      /Orderbook ID as it must be 1 to 4/,
    ],
    [{ ...ENTER, orderbookId: "72030" }, "RangeError", /Orderbook ID/],
    [
      { ...ENTER, group: ["DAY"] },
      "TypeError",
      /Group as it must be a string: current value is an array/,
    ],
    [{ ...ENTER, clientReference: "a\nb" }, "RangeError", /Client Reference/],
    [
      { ...ENTER, clientReference: "x".repeat(100) },
      "RangeError",
      /current value is "x{36}\.\.\.$/,
    ],
    [{ type: "login", username: "", password: "" }, "RangeError", /Username/],
    [
      { type: "login", username: "alice" },
      "TypeError",
      /"password" is missing/,
    ],
    [{ type: "cancel", orderToken: 1 }, "TypeError", /"quantity" is missing/],
    [{ type: "operator", action: "OPEN" }, "TypeError", /action/],
    [
      { type: "operator", action: "resume" },
      "TypeError",
      /"orderbookId" is missing/,
    ],
    [
      { type: "operator", action: "close", orderbookId: "1" },
      "TypeError",
      /not allowed/,
    ],
  ];
  for (const [value, name, message] of cases) {
    assert.throws(
      () => validatePageMessage(value),
      { name, message },
      JSON.stringify(value),
    );
  }
});
