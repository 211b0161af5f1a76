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
import { formatPrice as codecFormatPrice } from "../../../lib/format/format.ts";
import {
  AccountLedger,
  CAPACITY_NAMES,
  CASH_MARGIN_TYPE_NAMES,
  chartModel,
  compareDecimal,
  DISPLAY_NAMES,
  ENTER_DEFAULTS,
  formatAmount,
  formatAverage,
  formatClock,
  formatPrice,
  formatQuantity,
  formatTime,
  GROUP_NAMES,
  jstNanoseconds,
  ladderRows,
  MAX_EXCHANGE_PRICE,
  MAX_EXCHANGE_QUANTITY,
  MAX_PAGE_MESSAGE_LENGTH,
  mergeTrades,
  normalizeInput,
  ORDER_CANCELED_REASONS,
  ORDER_CLASSIFICATION_NAMES,
  ORDER_REJECTED_REASONS,
  parseOrderLine,
  parsePrice,
  parseWholeNumber,
  Position,
  reasonText,
  type SentOrder,
  SIDE_NAMES,
  sideName,
  type TapeTrade,
  TIME_IN_FORCE_NAMES,
  TradeHistory,
  validatePageMessage,
} from "../../../lib/web/assets/view.js";
import { MAX_PRICE, MAX_QUANTITY } from "../../../lib/codec/messages.ts";

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

const SECOND = 1_000_000_000;
/** 09:00:00 JST in nanoseconds since midnight. */
const NINE = 9 * 3600 * SECOND;

function trade(
  matchNumber: number | string,
  price: number,
  timestamp = NINE + Number(matchNumber) * SECOND,
  quantity = 100,
): TapeTrade {
  return { matchNumber, price, quantity, timestamp, aggressor: "B" };
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

Deno.test("the page's exchange limits equal lib/codec's", () => {
  assert.equal(MAX_EXCHANGE_PRICE, MAX_PRICE);
  assert.equal(MAX_EXCHANGE_QUANTITY, MAX_QUANTITY);
});

Deno.test("formatPrice() matches lib/client's formatPrice for valid prices", () => {
  for (const tenths of [0, 1, 9, 10, 23000, 23005, 2_147_483_646]) {
    assert.equal(formatPrice(tenths), codecFormatPrice(tenths), `${tenths}`);
  }
  assert.equal(formatPrice(-5), "?");
  assert.equal(formatPrice(1.5), "?");
  assert.equal(formatPrice(Number.NaN), "?");
});

Deno.test("formatQuantity(), formatAmount() and formatAverage() format numbers for the page", () => {
  assert.equal(formatQuantity(0), "0");
  assert.equal(formatQuantity(999), "999");
  assert.equal(formatQuantity(1000), "1,000");
  assert.equal(formatQuantity(-1500000), "-1,500,000");
  assert.equal(formatQuantity(2_147_483_647), "2,147,483,647");
  assert.equal(formatAmount(0n), "0.0");
  assert.equal(formatAmount(7n), "0.7");
  assert.equal(formatAmount(-12_345_678n), "-1,234,567.8");
  assert.equal(formatAmount(12_345_678n, { sign: true }), "+1,234,567.8");
  // 2^62 tenths: beyond a double's exact range, still exact.
  assert.equal(formatAmount(2n ** 62n), "461,168,601,842,738,790.4");
  assert.equal(formatAverage(0n, 0), "");
  assert.equal(formatAverage(23005n * 3n, 3), "2,300.50");
  assert.equal(formatAverage(69001n, 3), "2,300.03"); // 2300.0333…
  assert.equal(formatAverage(69002n, 3), "2,300.07"); // 2300.0666…
  assert.equal(formatAverage(-69001n, -3), "2,300.03");
});

Deno.test("formatTime(), formatClock() and jstNanoseconds() use Japan time", () => {
  assert.equal(formatTime(0), "00:00:00.000");
  assert.equal(formatTime(86_399_999_999_999), "23:59:59.999");
  assert.equal(formatTime(-1), "?");
  assert.equal(formatClock(NINE + 65 * SECOND, true), "09:01:05");
  assert.equal(formatClock(NINE + 65 * SECOND, false), "09:01");
  assert.equal(jstNanoseconds(Date.UTC(2026, 10, 28, 15, 0, 0, 5)), 5_000_000);
  assert.equal(
    jstNanoseconds(Date.UTC(2026, 10, 28, 14, 59, 59, 999)),
    86_399_999_000_000,
  );
});

Deno.test("compareDecimal() orders 64-bit numbers exactly, as strings or numbers", () => {
  // 2^53 + 1 and 2^53 are the same double.
  assert.ok(compareDecimal("9007199254740993", "9007199254740992") > 0);
  assert.ok(compareDecimal("18446744073709551615", "202611280000000001") > 0);
  assert.ok(compareDecimal(9, "10") < 0);
  assert.equal(compareDecimal("202611280000000001", "202611280000000001"), 0);
});

Deno.test("sideName() and reasonText() show codes in words", () => {
  assert.equal(sideName("B"), "Buy");
  assert.equal(sideName("E"), "Short sell exempt");
  assert.equal(sideName("toString"), "toString");
  for (const [code, meaning] of Object.entries(CODEC_REJECTED)) {
    assert.equal(reasonText("rejected", code), `${code} ${meaning}`);
  }
  for (const [code, meaning] of Object.entries(CODEC_CANCELED)) {
    assert.equal(reasonText("canceled", code), `${code} ${meaning}`);
  }
  assert.equal(reasonText("rejected", "?"), "? (unknown reason)");
  assert.equal(reasonText("rejected", "toString"), "toString (unknown reason)");
});

Deno.test("normalizeInput() reads full-width digits and signs as ASCII", () => {
  assert.equal(normalizeInput("１００"), "100");
  assert.equal(normalizeInput("\u3000２８００．５\u3000"), "2800.5");
  assert.equal(normalizeInput("ｂ １００ ＠ ２８００"), "b 100 @ 2800");
  assert.equal(normalizeInput("\u22125"), "-5");
  assert.equal(normalizeInput("－５"), "-5");
});

Deno.test("parsePrice() reads at most one decimal place and never rounds", () => {
  const good: [string, number][] = [
    ["0", 0],
    ["2300", 23000],
    ["2300.0", 23000],
    ["2300.5", 23005],
    ["2300.50", 23005],
    ["2300.", 23000],
    ["007.1", 71],
    ["2,300.5", 23005],
    ["１２", 120],
    ["２３００．５", 23005],
    ["429496729.5", 4294967295],
  ];
  for (const [text, tenths] of good) {
    assert.equal(parsePrice(text), tenths, text);
  }
  const bad: [string, RegExp][] = [
    ["", /Price as it is empty/],
    [" ", /Price as it is empty/],
    ["-1", /Price as it is negative: current value is "-1"/],
    ["－１", /Price as it is negative/],
    [
      "2300.55",
      /Price as it has too many decimals \(at most one: prices are in tenths of a yen\): current value is "2300.55"/,
    ],
    ["2300.05", /too many decimals/],
    ["429496729.6", /Price as it is too large \(at most 429496729\.5\)/],
    ["99999999999", /too large/],
    [".5", /must be a decimal with at most one decimal place, like "2300.5"/],
    ["1e3", /must be a decimal/],
    ["12,5", /must be a decimal/],
    ["0x10", /must be a decimal/],
    ["ten", /must be a decimal .*: current value is "ten"/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => parsePrice(text),
      { name: "RangeError", message },
      text,
    );
  }
  assert.throws(() => parsePrice(2300), {
    name: "TypeError",
    message: /decimal string/,
  });
});

Deno.test("parseWholeNumber() names the real problem with a number typed in a field", () => {
  assert.equal(parseWholeNumber("Quantity", "100"), 100);
  assert.equal(parseWholeNumber("Quantity", " １００ "), 100);
  assert.equal(parseWholeNumber("Quantity", "1,500,000"), 1500000);
  assert.equal(parseWholeNumber("Quantity", "100.0"), 100);
  assert.equal(parseWholeNumber("Quantity", "007"), 7);
  assert.equal(parseWholeNumber("Quantity", "4294967295"), 4294967295);
  assert.equal(parseWholeNumber("Firm ID", "", { empty: 0 }), 0);
  const bad: [string, RegExp][] = [
    ["", /Quantity as it is empty: type a whole number/],
    ["-5", /Quantity as it is negative: current value is "-5"/],
    ["－５", /Quantity as it is negative/],
    ["1.5", /Quantity as it must be a whole number, without decimals/],
    [
      "4294967296",
      /Quantity as it is too large \(at most 4,294,967,295\): current value is "4294967296"/,
    ],
    ["123456789012345678901", /too large/],
    ["ten", /Quantity as it must be a number: current value is "ten"/],
    ["1,50", /must be a number/],
    ["1e3", /must be a number/],
  ];
  for (const [text, message] of bad) {
    assert.throws(
      () => parseWholeNumber("Quantity", text),
      { name: "RangeError", message },
      text,
    );
  }
  assert.throws(
    () => parseWholeNumber("Quantity", "11", { max: 10 }),
    /too large \(at most 10\)/,
  );
});

Deno.test("parseOrderLine() reads an order typed on one line", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["b 100 @ 2800", { side: "B", quantity: 100, price: "2800" }],
    ["B 100 @2800", { side: "B", quantity: 100, price: "2800" }],
    ["buy 100@2800.5", { side: "B", quantity: 100, price: "2800.5" }],
    ["ｂ　１００　＠　２８００", { side: "B", quantity: 100, price: "2800" }],
    ["s 1,500 7203 @ 2801 ioc", {
      side: "S",
      quantity: 1500,
      orderbookId: "7203",
      price: "2801",
      timeInForce: 0,
    }],
    ["short 10 @ 5 day post min 0 firm 7 ref abc", {
      side: "T",
      quantity: 10,
      price: "5",
      timeInForce: 99999,
      display: "P",
      minimumQuantity: 0,
      firmId: 7,
      clientReference: "abc",
    }],
    ["e 1 @ 1", { side: "E", quantity: 1, price: "1" }],
  ];
  for (const [text, order] of cases) {
    assert.deepEqual(parseOrderLine(text), order, text);
  }
  const bad: [string, string, RegExp][] = [
    ["", "SyntaxError", /the line is empty: type an order like "b 100 @ 2800"/],
    ["x 100 @ 1", "SyntaxError", /must start with b, s, t or e/],
    ["b", "SyntaxError", /has no quantity/],
    ["b @ 2800", "SyntaxError", /has no quantity/],
    ["b -5 @ 2800", "RangeError", /Quantity as it is negative/],
    ["b 1.5 @ 2800", "RangeError", /without decimals/],
    ["b 100", "SyntaxError", /has no price: add "@ PRICE"/],
    ["b 100 7203", "SyntaxError", /has no price/],
    ["b 100 @", "SyntaxError", /"@" needs a value after it/],
    ["b 100 @ 2800.55", "RangeError", /too many decimals/],
    ["b 100 @ 2800 min", "SyntaxError", /"min" needs a value/],
    ["b 100 7203 8306 @ 1", "SyntaxError", /"8306" is not a book, "@ PRICE"/],
    ["b 100 @ 1 7203", "SyntaxError", /"7203" is not a book/],
    ["b 100 @ 1 fast", "SyntaxError", /"fast" is not/],
  ];
  for (const [text, name, message] of bad) {
    assert.throws(() => parseOrderLine(text), { name, message }, text);
  }
});

Deno.test("Position keeps net shares, average cost and realised P&L in integers", () => {
  const position = new Position();
  position.fill("B", 100, 23000);
  position.fill("B", 100, 23010);
  assert.equal(position.net, 200);
  assert.equal(position.cost, 4_601_000n);
  assert.equal(formatAverage(position.cost, position.net), "2,300.50");
  assert.equal(position.unrealized(23020), 3_000n); // 200 × 1.5 yen
  // Sell 50 at 2302.0: realises 50 × 1.5 yen.
  position.fill("S", 50, 23020);
  assert.equal(position.net, 150);
  assert.equal(position.realized, 750n);
  assert.equal(position.cost, 3_450_750n);
  // Sell 200 (short sell) at 2299.0: closes 150, opens a short of 50.
  position.fill("T", 200, 22990);
  assert.equal(position.net, -50);
  assert.equal(position.realized, 750n - 2_250n); // 150 × -1.5 yen
  assert.equal(position.cost, -1_149_500n);
  assert.equal(position.unrealized(22980), 500n); // short 50, down 1.0 yen
  // Buy 50 back: flat, nothing open.
  position.fill("B", 50, 22980);
  assert.deepEqual(
    { ...position },
    { net: 0, cost: 0n, realized: -1_000n, bought: 250, sold: 250 },
  );
});

Deno.test("Position rounds a partial close to a tenth and keeps the total exact", () => {
  const position = new Position();
  position.fill("B", 1, 10);
  position.fill("B", 1, 10);
  position.fill("B", 1, 11); // cost 31 tenths for 3 shares
  position.fill("S", 1, 11); // closes one share costing 10.33… tenths
  assert.equal(position.realized, 1n);
  assert.equal(position.cost, 21n);
  // Realised plus unrealised equals cash flows plus the mark, whatever the rounding.
  const cash = -(10n + 10n + 11n) + 11n;
  assert.equal(position.realized + position.unrealized(12), cash + 2n * 12n);
  position.fill("S", 2, 12);
  assert.equal(position.realized, cash + 24n);
  assert.equal(position.net, 0);
});

Deno.test("Position stays exact beyond a double's integer range", () => {
  const position = new Position();
  position.fill("B", 2_147_483_647, 2_147_483_646);
  position.fill("B", 2_147_483_647, 2_147_483_646);
  assert.equal(position.cost, 2n * 2_147_483_647n * 2_147_483_646n);
  assert.equal(position.unrealized(2_147_483_645), -2n * 2_147_483_647n);
});

const SENT: SentOrder = {
  buySellIndicator: "B",
  quantity: 100,
  orderbookId: "7203",
  price: 28000,
  timeInForce: 99999,
  display: " ",
  minimumQuantity: 0,
  capacity: "P",
};

function accepted(
  token: number,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "orderAccepted",
    timestamp: NINE,
    orderToken: token,
    clientReference: "",
    buySellIndicator: "B",
    quantity: 100,
    orderbookId: "7203",
    group: "DAY",
    price: 28000,
    timeInForce: 99999,
    firmId: 0,
    display: " ",
    capacity: "P",
    orderNumber: "202611280000000001",
    minimumQuantity: 0,
    orderState: "L",
    orderClassification: "1",
    cashMarginType: "1",
    ...fields,
  };
}

function executed(
  token: number,
  quantity: number,
  price: number,
  matchNumber: string,
): Record<string, unknown> {
  return {
    type: "orderExecuted",
    timestamp: NINE + SECOND,
    orderToken: token,
    executedQuantity: quantity,
    executionPrice: price,
    liquidityIndicator: "A",
    matchNumber,
  };
}

function canceled(
  token: number,
  decrement: number,
  reason: string,
): Record<string, unknown> {
  return {
    type: "orderCanceled",
    timestamp: NINE + 2 * SECOND,
    orderToken: token,
    decrementQuantity: decrement,
    orderCanceledReason: reason,
  };
}

function items(...messages: Record<string, unknown>[]) {
  return messages.map((message, i) => ({ sequenceNumber: i + 1, message }));
}

Deno.test("AccountLedger describes each response with the order repeated and the reason in words", () => {
  const ledger = new AccountLedger();
  ledger.sent(1, SENT);
  ledger.sent(2, { ...SENT, price: 0 });
  ledger.sent(5, { ...SENT, display: "P" });
  ledger.sent(6, { ...SENT, timeInForce: 0, minimumQuantity: 50 });
  const lines = ledger.apply(items(
    accepted(1, { clientReference: "<b>x</b>" }),
    executed(1, 40, 28000, "202611280000000007"),
    {
      type: "orderRejected",
      timestamp: NINE,
      orderToken: 2,
      orderRejectedReason: "X",
    },
    {
      type: "orderReplaced",
      timestamp: NINE,
      replacementOrderToken: 3,
      buySellIndicator: "B",
      quantity: 60,
      orderbookId: "7203",
      group: "DAY",
      price: 27995,
      timeInForce: 99999,
      display: " ",
      orderNumber: "202611280000000001",
      minimumQuantity: 0,
      orderState: "L",
      previousOrderToken: 1,
    },
    canceled(3, 20, "U"),
    {
      type: "orderRejected",
      timestamp: NINE,
      orderToken: 5,
      orderRejectedReason: "O",
    },
    accepted(6, {
      timeInForce: 0,
      minimumQuantity: 50,
      orderNumber: "202611280000000002",
    }),
    canceled(6, 100, "I"),
    {
      type: "orderAiqCanceled",
      timestamp: NINE,
      orderToken: 3,
      decrementQuantity: 0,
      orderCanceledReason: "M",
      quantityPreventedFromTrading: 30,
      executionPrice: 28010,
      liquidityIndicator: "R",
    },
    canceled(3, 40, "O"),
    { type: "systemEvent", timestamp: NINE, eventCode: "E" },
    {
      type: "orderRejected",
      timestamp: NINE,
      orderToken: 9,
      orderRejectedReason: "H",
    },
    { type: "bogus" },
  ));
  assert.deepEqual(lines.map((line) => [line.kind, line.own, line.text]), [
    [
      "accepted",
      true,
      'Accepted #1 Buy 100 of 7203 @ 2800.0 (order 202611280000000001, ref "<b>x</b>")',
    ],
    [
      "executed",
      true,
      "Executed #1 Buy 40 of 7203 @ 2800.0 (match 202611280000000007, added liquidity, 60 still open)",
    ],
    [
      "rejected",
      true,
      "Rejected #2 Buy 100 of 7203 @ 0.0: the price must be above zero (X Invalid price)",
    ],
    [
      "replaced",
      true,
      "Replaced #1 by #3: Buy 60 of 7203 @ 2799.5 (order 202611280000000001)",
    ],
    [
      "canceled",
      true,
      "Canceled #3 Buy 20 of 7203 @ 2799.5: canceled on request (U User requested cancel, 40 still open)",
    ],
    [
      "rejected",
      true,
      "Rejected #5 Buy 100 of 7203 @ 2800.0 post-only: post-only order would have traded (O Other)",
    ],
    [
      "accepted",
      true,
      "Accepted #6 Buy 100 of 7203 @ 2800.0 IOC min 50 (order 202611280000000002)",
    ],
    [
      "canceled",
      true,
      "Canceled #6 Buy 100 of 7203 @ 2800.0 IOC min 50: minimum quantity not available (I Remaining quantity of an Immediate order canceled)",
    ],
    [
      "canceled",
      true,
      "Canceled #3 Buy 0 of 7203 @ 2799.5: self-match prevention: 30 would have traded with the same firm's order at 2801.0 (M Order expired during match, 40 still open)",
    ],
    [
      "canceled",
      true,
      "Canceled #3 Buy 40 of 7203 @ 2799.5: canceled at market close (O Other)",
    ],
    ["system", false, "System event: End of Day: the market is closed"],
    [
      "rejected",
      false,
      "Rejected #9: orderbook is halted (H Trading halt)".replace(
        "orderbook is",
        "the orderbook is",
      ),
    ],
    ["other", false, 'Unknown message "bogus"'],
  ]);
  assert.equal(ledger.order(3), undefined, "nothing left open");
  assert.deepEqual(ledger.fills, [{
    sequenceNumber: 2,
    timestamp: NINE + SECOND,
    orderToken: 1,
    side: "B",
    orderbookId: "7203",
    quantity: 40,
    price: 28000,
    matchNumber: "202611280000000007",
    liquidity: "A",
    own: true,
  }]);
  assert.equal(ledger.positions.get("7203")?.net, 40);
});

Deno.test("AccountLedger words every reject and cancel reason of the exchange rules", () => {
  const rejects: [string, SentOrder, string][] = [
    ["R", SENT, "the market is closed"],
    [
      "S",
      { ...SENT, orderbookId: "9999" },
      "orderbook 9999 is not traded here",
    ],
    ["H", SENT, "orderbook 7203 is halted"],
    [
      "X",
      { ...SENT, price: 2_147_483_647 },
      "the price must be from 0.1 to 214,748,364.6",
    ],
    ["Z", { ...SENT, quantity: 0 }, "the quantity must be above zero"],
    [
      "Z",
      { ...SENT, quantity: 2_147_483_648 },
      "the quantity must be from 1 to 2,147,483,647",
    ],
    [
      "N",
      SENT,
      "a minimum quantity needs Time In Force IOC and must not exceed the quantity",
    ],
    [
      "Y",
      SENT,
      "the side, the order classification or the time in force is not valid",
    ],
    ["D", SENT, "the display is not valid"],
    ["G", SENT, "the cash margin type is not valid"],
    ["c", SENT, "the group is not valid"],
    [
      "O",
      { ...SENT, capacity: "Q" },
      "the capacity must be Agency or Principal",
    ],
    [
      "O",
      SENT,
      "a post-only order that would have traded, or a capacity that is not valid",
    ],
  ];
  for (const [reason, sent, words] of rejects) {
    const ledger = new AccountLedger();
    ledger.sent(1, sent);
    const [line] = ledger.apply(items({
      type: "orderRejected",
      timestamp: 0,
      orderToken: 1,
      orderRejectedReason: reason,
    }));
    assert.match(line!.text, new RegExp(`: ${words} \\(${reason} `), reason);
  }
  const cancels: [string, string][] = [
    ["U", "canceled on request"],
    ["L", "canceled because the account's session logged off"],
    ["S", "canceled by the exchange operator"],
    ["I", "the rest of an Immediate \\(IOC\\) order is canceled"],
    ["M", "canceled by self-match prevention"],
    [
      "O",
      "canceled at market close, or a post-only replace that would have traded",
    ],
    [
      "R",
      "the replace would have traded while the market is closed or the orderbook halted",
    ],
    ["X", "the replace's price is not valid"],
    ["Z", "the replace's quantity is not valid"],
    ["N", "the replace's minimum quantity is not valid"],
    ["Y", "the replace's time in force is not valid"],
    ["D", "the replace's display is not valid"],
  ];
  for (const [reason, words] of cancels) {
    const ledger = new AccountLedger();
    const [, line] = ledger.apply(items(accepted(1), canceled(1, 100, reason)));
    assert.match(
      line!.text,
      new RegExp(
        `^Canceled #1 Buy 100 of 7203 @ 2800\\.0: ${words} \\(${reason} `,
      ),
      reason,
    );
  }
  // A post-only replace this page sent that the exchange cancels with O.
  const ledger = new AccountLedger();
  ledger.apply(items(accepted(1)));
  ledger.replaceSent(1, 2, "P");
  const [line] = ledger.apply([{
    sequenceNumber: 2,
    message: canceled(1, 100, "O"),
  }]);
  assert.match(
    line!.text,
    /: post-only replace would have traded \(O Other\)$/,
  );
});

Deno.test("AccountLedger counts nothing twice when responses are sent again", () => {
  const ledger = new AccountLedger();
  const first = items(accepted(1), executed(1, 40, 28000, "7"));
  assert.equal(ledger.apply(first).length, 2);
  const again = [...first, {
    sequenceNumber: 3,
    message: executed(1, 60, 28010, "8"),
  }];
  const lines = ledger.apply(again);
  assert.deepEqual(lines.map((line) => line.sequenceNumber), [3]);
  assert.equal(ledger.positions.get("7203")?.net, 100);
  assert.equal(ledger.positions.get("7203")?.cost, 40n * 28000n + 60n * 28010n);
  assert.equal(ledger.lastSequence, 3);
  assert.equal(ledger.firstSequence, 1);
});

Deno.test("AccountLedger lists fills of unknown orders apart and learns orders from the open-orders list", () => {
  const ledger = new AccountLedger();
  ledger.learn([{
    orderToken: 4,
    orderbookId: "1",
    buySellIndicator: "S",
    price: 23000,
    openQuantity: 60,
    executedQuantity: 40,
    timeInForce: 99999,
    display: " ",
    minimumQuantity: 0,
  }]);
  const lines = ledger.apply([
    { sequenceNumber: 50, message: executed(4, 60, 23000, "9007199254740993") },
    { sequenceNumber: 51, message: executed(3, 10, 23000, "9007199254740994") },
  ]);
  assert.deepEqual(lines.map((line) => [line.own, line.text]), [
    [
      false,
      "Executed #4 Sell 60 of 1 @ 2300.0 (match 9007199254740993, added liquidity)",
    ],
    [
      false,
      "Executed #3 10 @ 2300.0 (match 9007199254740994, added liquidity)",
    ],
  ]);
  assert.deepEqual(
    ledger.fills.map((f) => [f.side, f.orderbookId, f.matchNumber]),
    [
      ["S", "1", "9007199254740993"],
      ["?", "?", "9007199254740994"],
    ],
  );
  assert.equal(ledger.unattributed, 1);
  assert.equal(ledger.positions.get("1")?.net, -60);
  assert.equal(ledger.firstSequence, 50);
  assert.equal(ledger.order(4), undefined, "forgotten once filled");
});

Deno.test("ladderRows() keeps a fixed height with the spread in the middle", () => {
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
  assert.deepEqual(ladderRows(depth, 2), [
    { side: "ask", price: 23020, quantity: 80, orders: 1, best: false },
    { side: "ask", price: 23010, quantity: 70, orders: 1, best: true },
    { side: "bid", price: 23000, quantity: 300, orders: 2, best: true },
    { side: "bid", price: 22990, quantity: 100, orders: 1, best: false },
  ]);
  const empty = { price: null, quantity: null, orders: null, best: false };
  assert.deepEqual(ladderRows({ bids: [], asks: [] }, 2), [
    { side: "ask", ...empty },
    { side: "ask", ...empty },
    { side: "bid", ...empty },
    { side: "bid", ...empty },
  ]);
  assert.deepEqual(
    ladderRows({ bids: [], asks: depth.asks }, 4).map((r) => r.price),
    [null, 23030, 23020, 23010, null, null, null, null],
  );
});

Deno.test("mergeTrades() drops trades already on the tape and keeps the latest", () => {
  const numbers = (tape: TapeTrade[]) => tape.map((t) => t.matchNumber);
  assert.deepEqual(numbers(mergeTrades([], [trade(1, 1), trade(2, 2)], 10)), [
    1,
    2,
  ]);
  assert.deepEqual(
    numbers(
      mergeTrades([trade(1, 1), trade(2, 2)], [trade(2, 2), trade(3, 3)], 10),
    ),
    [1, 2, 3],
  );
  assert.deepEqual(
    numbers(
      mergeTrades([trade(1, 1)], [trade(2, 2), trade(3, 3), trade(4, 4)], 2),
    ),
    [3, 4],
  );
  // 64-bit Match Numbers as strings, compared exactly.
  const big = ["9007199254740992", "9007199254740993", "9007199254740994"];
  assert.deepEqual(
    numbers(
      mergeTrades([trade(big[0]!, 1), trade(big[1]!, 1)], [
        trade(big[1]!, 1),
        trade(big[2]!, 1),
      ], 10),
    ),
    big,
  );
});

Deno.test("TradeHistory keeps one-second bars, merges them when there are too many, and records gaps", () => {
  const history = new TradeHistory({ maxBars: 4 });
  history.add([
    trade(1, 100, NINE, 10),
    trade(2, 105, NINE + SECOND / 2, 5),
    trade(3, 95, NINE + SECOND, 1),
    trade(4, 99, NINE + 2 * SECOND, 2),
    trade(5, 98, NINE + 3 * SECOND, 3),
  ]);
  assert.equal(history.bucketNs, SECOND);
  assert.deepEqual(
    history.bars.map((
      b,
    ) => [b.start - NINE, b.open, b.high, b.low, b.close, b.volume]),
    [
      [0, 100, 105, 100, 105, 15],
      [SECOND, 95, 95, 95, 95, 1],
      [2 * SECOND, 99, 99, 99, 99, 2],
      [3 * SECOND, 98, 98, 98, 98, 3],
    ],
  );
  // A fifth bar: pairs merge into two-second bars.
  assert.equal(history.add([trade(6, 97, NINE + 4 * SECOND, 4)]), 1);
  assert.equal(history.bucketNs, 2 * SECOND);
  assert.deepEqual(
    history.bars.map((
      b,
    ) => [b.start - NINE, b.open, b.high, b.low, b.close, b.volume]),
    [
      [0, 100, 105, 95, 95, 16],
      [2 * SECOND, 99, 99, 98, 98, 5],
      [4 * SECOND, 97, 97, 97, 97, 4],
    ],
  );
  // Repeats and older trades are ignored.
  assert.equal(history.add([trade(5, 1), trade(6, 1)]), 0);
  assert.equal(history.lastMatch, "6");
  // A snapshot that may be cut short and does not reach back: the time between is a gap.
  assert.equal(
    history.add([
      trade(9, 90, NINE + 60 * SECOND),
      trade(10, 91, NINE + 61 * SECOND),
    ], { truncated: true }),
    2,
  );
  assert.deepEqual(history.gaps, [{
    from: NINE + 4 * SECOND,
    to: NINE + 60 * SECOND,
  }]);
  // One that does reach back is not.
  history.add([
    trade(10, 91, NINE + 61 * SECOND),
    trade(11, 92, NINE + 62 * SECOND),
  ], { truncated: true });
  assert.equal(history.gaps.length, 1);
  // Touching gaps merge; empty ones are ignored.
  history.addGap(NINE + 50 * SECOND, NINE + 70 * SECOND);
  history.addGap(NINE + 80 * SECOND, NINE + 80 * SECOND);
  assert.deepEqual(history.gaps, [{
    from: NINE + 4 * SECOND,
    to: NINE + 70 * SECOND,
  }]);
});

Deno.test("chartModel() draws a step line, ranges and volume on JST time and price axes", () => {
  assert.equal(chartModel(new TradeHistory(), 300, 150), null);
  const history = new TradeHistory();
  history.add([
    trade(1, 23000, NINE, 100),
    trade(2, 23010, NINE + 30 * SECOND, 300),
    trade(3, 23005, NINE + 30 * SECOND + 1, 100),
    trade(4, 22990, NINE + 59 * SECOND, 200),
  ]);
  const chart = chartModel(history, 352, 150)!;
  // Plot from x 2 to 300 (the price labels are right of it), 99 columns of 3 px over 60 s.
  assert.deepEqual(chart.plot, {
    left: 2,
    right: 300,
    top: 6,
    priceBottom: 108,
    bottom: 134,
  });
  assert.equal(chart.from, NINE);
  assert.equal(chart.to, NINE + 60 * SECOND);
  assert.deepEqual([chart.low, chart.high], [22990, 23010]);
  assert.deepEqual(chart.priceTicks.map((t) => [t.label, t.at]), [
    ["2299.0", 108],
    ["2299.5", 82.5],
    ["2300.0", 57],
    ["2300.5", 31.5],
    ["2301.0", 6],
  ]);
  assert.deepEqual(chart.timeTicks.map((t) => [t.label, t.at]), [
    ["09:00:00", 2],
    ["09:00:15", 76.5],
    ["09:00:30", 151],
    ["09:00:45", 225.5],
    ["09:01:00", 300],
  ]);
  // One segment: 2300.0 flat, up at 09:00:30 to the column's close 2300.5, down at 09:00:59
  // (column 97 of 99, x = 2 + 97 × 298 / 99), to the end of its 2 px column.
  assert.equal(chart.line, "M2,57H149.5V31.5H294V108H296");
  assert.equal(chart.ranges, "M150.5,6V31.5");
  assert.equal(
    chart.volume,
    "M2,134v-5.5h2v5.5zM149.5,134v-22h2v22zM294,134v-11h2v11z",
  );
  assert.deepEqual(chart.gaps, []);
  assert.equal(chart.lastY, 108);
});

Deno.test("chartModel() leaves a gap blank and breaks the line there", () => {
  const history = new TradeHistory();
  history.add([trade(1, 100, NINE), trade(2, 110, NINE + 10 * SECOND)]);
  history.addGap(NINE + 20 * SECOND, NINE + 40 * SECOND);
  history.add([
    trade(3, 120, NINE + 50 * SECOND),
    trade(4, 100, NINE + 59 * SECOND),
  ]);
  const chart = chartModel(history, 352, 150)!;
  assert.equal(chart.line.match(/M/g)?.length, 2, chart.line);
  assert.match(chart.line, /H101\.3M/, "the line stops where the gap starts");
  assert.deepEqual(chart.gaps, [{ x: 101.3, width: 99.4 }]);
  // A gap that ends inside a later column breaks the line only once, before it.
  const late = new TradeHistory();
  late.add([trade(1, 100, NINE), trade(2, 110, NINE + SECOND)]);
  late.add([trade(3, 120, NINE + 20 * SECOND + SECOND / 2)], {
    truncated: true,
  });
  late.add([trade(4, 130, NINE + 40 * SECOND)]);
  assert.deepEqual(late.gaps, [{
    from: NINE + SECOND,
    to: NINE + 20 * SECOND + SECOND / 2,
  }]);
  assert.equal(chartModel(late, 352, 150)!.line.match(/M/g)?.length, 2);
  // Without the gap, one segment.
  const whole = new TradeHistory();
  whole.add([
    trade(1, 100, NINE),
    trade(2, 110, NINE + 10 * SECOND),
    trade(3, 120, NINE + 50 * SECOND),
  ]);
  assert.equal(chartModel(whole, 352, 150)!.line.match(/M/g)?.length, 1);
});

Deno.test("chartModel() spans at least a minute and labels long spans in minutes", () => {
  const one = new TradeHistory();
  one.add([trade(1, 23000, NINE + 30 * SECOND)]);
  const single = chartModel(one, 352, 150)!;
  assert.equal(single.to - single.from, 60 * SECOND);
  assert.deepEqual([single.low, single.high], [22999, 23001]);
  assert.equal(single.line.match(/M/g)?.length, 1);
  const long = new TradeHistory();
  long.add([trade(1, 23000, NINE), trade(2, 23000, NINE + 3 * 3600 * SECOND)]);
  const chart = chartModel(long, 352, 150)!;
  assert.deepEqual(chart.timeTicks.map((t) => t.label), [
    "09:00",
    "10:00",
    "11:00",
    "12:00",
  ]);
});

Deno.test("validatePageMessage() accepts each message type and converts prices", () => {
  assert.deepEqual(
    validatePageMessage({ type: "login", username: "alice", password: "" }),
    { type: "login", username: "alice", password: "" },
  );
  assert.deepEqual(validatePageMessage({ type: "logout" }), { type: "logout" });
  assert.deepEqual(validatePageMessage({ type: "ping" }), { type: "ping" });
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
      /Quantity as it is negative: current value is -1/,
    ],
    [
      { ...ENTER, quantity: 4294967296 },
      "RangeError",
      /Quantity as it is too large \(at most 4294967295\): current value is 4294967296/,
    ],
    [
      { ...ENTER, quantity: 0.5 },
      "RangeError",
      /Quantity as it must be a whole number: current value is 0\.5/,
    ],
    [
      { ...ENTER, quantity: Number.NaN },
      "RangeError",
      /whole number: current value is NaN/,
    ],
    [
      { ...ENTER, minimumQuantity: 1e20 },
      "RangeError",
      /Minimum Quantity as it is too large/,
    ],
    [
      { ...ENTER, price: "1.25" },
      "RangeError",
      /Price as it has too many decimals/,
    ],
    [{ ...ENTER, price: "-1" }, "RangeError", /Price as it is negative/],
    [{ ...ENTER, price: 12.5 }, "TypeError", /Price/],
    [
      { ...ENTER, buySellIndicator: "" },
      "RangeError",
      /Buy\/Sell Indicator as it must be exactly 1 printable ASCII character: current value is ""/,
    ],
    [
      { ...ENTER, buySellIndicator: "BS" },
      "RangeError",
      /Buy\/Sell Indicator as it is too long \(2 characters, at most 1/,
    ],
    [
      { ...ENTER, orderbookId: "" },
      "RangeError",
      /Orderbook ID as it must be at least 1 printable ASCII character/,
    ],
    [
      { ...ENTER, orderbookId: "72030" },
      "RangeError",
      /Orderbook ID as it is too long/,
    ],
    [
      { ...ENTER, group: ["DAY"] },
      "TypeError",
      /Group as it must be a string: current value is an array/,
    ],
    [
      { ...ENTER, clientReference: "a\nb" },
      "RangeError",
      /Client Reference as it must be printable ASCII \("\\n" at position 2 is not\)/,
    ],
    [
      { ...ENTER, clientReference: "１２３" },
      "RangeError",
      /Client Reference as it must be printable ASCII \("１" at position 1 is not\)/,
    ],
    [
      { ...ENTER, clientReference: "x".repeat(100) },
      "RangeError",
      /Client Reference as it is too long \(100 characters, at most 10; nothing was cut\): current value is "x{36}\.\.\.$/,
    ],
    [{ type: "login", username: "", password: "" }, "RangeError", /Username/],
    [
      { type: "login", username: "alice" },
      "TypeError",
      /"password" is missing/,
    ],
    [{ type: "cancel" }, "TypeError", /"orderToken" is missing/],
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
    [{ type: "ping", at: 1 }, "TypeError", /field "at" is not allowed/],
  ];
  for (const [value, name, message] of cases) {
    assert.throws(
      () => validatePageMessage(value),
      { name, message },
      JSON.stringify(value),
    );
  }
});

Deno.test("AccountLedger.renamed(): the page's order acknowledged as one token went in as another; the responses about the other token are another page's", () => {
  const ledger = new AccountLedger();
  ledger.sent(7, SENT);
  ledger.renamed(7, 8);
  assert.equal(ledger.isOwn(7), false);
  assert.equal(ledger.isOwn(8), true);
  const lines = ledger.apply(items(
    accepted(7, { price: 27990 }),
    accepted(8),
    executed(8, 40, 28000, "9"),
  ));
  assert.deepEqual(lines.map((line) => [line.kind, line.own]), [
    ["accepted", false],
    ["accepted", true],
    ["executed", true],
  ]);
  assert.equal(ledger.order(7)?.own, false);
  assert.equal(ledger.order(8)?.own, true);
  // Told after the other page's order was read as this page's: that order is no longer own.
  const late = new AccountLedger();
  late.sent(7, SENT);
  late.apply(items(accepted(7, { price: 27990 })));
  assert.equal(late.order(7)?.own, true);
  late.renamed(7, 8);
  assert.equal(late.order(7)?.own, false);
  assert.equal(
    late.apply([{ sequenceNumber: 2, message: accepted(8) }])[0]?.own,
    true,
  );
});
