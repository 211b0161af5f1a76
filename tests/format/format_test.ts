import { SEED_ORDER } from "../_fixtures.ts";
import assert from "node:assert/strict";
import {
  formatMessage,
  formatPrice,
  formatTimestamp,
} from "../../lib/format/format.ts";
import type { OuchMessage } from "../../lib/codec/mod.ts";

const NINE_THIRTY = 34_200_000_000_000;

Deno.test("formatPrice() shows tenths as a decimal with one place", () => {
  assert.equal(formatPrice(23000), "2300.0");
  assert.equal(formatPrice(5005), "500.5");
  assert.equal(formatPrice(0), "0.0");
  assert.equal(formatPrice(9), "0.9");
  assert.equal(formatPrice(2_147_483_646), "214748364.6");
  assert.equal(formatPrice(0xffffffff), "429496729.5");
});

Deno.test("formatPrice() refuses a negative or fractional number of tenths", () => {
  assert.throws(() => formatPrice(-1), {
    name: "RangeError",
    message:
      "Cannot format price as it must be a non-negative whole number of tenths: current value is -1",
  });
  assert.throws(() => formatPrice(2.5), { name: "RangeError" });
  assert.throws(() => formatPrice(Number.NaN), { name: "RangeError" });
});

Deno.test("formatTimestamp() shows nanoseconds since midnight as a clock time", () => {
  assert.equal(formatTimestamp(0), "00:00:00.000000000");
  assert.equal(formatTimestamp(NINE_THIRTY), "09:30:00.000000000");
  assert.equal(formatTimestamp(NINE_THIRTY + 1), "09:30:00.000000001");
  assert.equal(formatTimestamp(86_399_999_999_999), "23:59:59.999999999");
  assert.equal(formatTimestamp(45_296_789_000_123), "12:34:56.789000123");
  assert.equal(formatTimestamp(86_400_000_000_000), "24:00:00.000000000");
});

Deno.test("formatTimestamp() refuses a negative or unsafe value", () => {
  assert.throws(() => formatTimestamp(-1), {
    name: "RangeError",
    message:
      "Cannot format timestamp as it must be a non-negative whole number of nanoseconds: current value is -1",
  });
  assert.throws(() => formatTimestamp(2 ** 53), { name: "RangeError" });
});

Deno.test("formatMessage() shows an Enter Order field by field in declaration order", () => {
  assert.equal(
    formatMessage(SEED_ORDER),
    'enterOrder orderToken=1 clientReference=Lenny buySellIndicator=B quantity=100 orderbookId=1 group=DAY price=2300.0 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=0 orderClassification=1 cashMarginType=1',
  );
});

Deno.test("formatMessage() quotes strings that are empty or contain a space", () => {
  const line = formatMessage({ ...SEED_ORDER, clientReference: "AB CD" });
  assert.match(line, / clientReference="AB CD" /);
  assert.match(
    formatMessage({ ...SEED_ORDER, clientReference: "" }),
    / clientReference="" /,
  );
});

Deno.test("formatMessage() shows every message type", () => {
  const cases: [OuchMessage, string][] = [
    [
      {
        type: "replaceOrder",
        existingOrderToken: 1,
        replacementOrderToken: 5,
        quantity: 115,
        price: 23000,
        timeInForce: 99999,
        display: "P",
        minimumQuantity: 0,
      },
      "replaceOrder existingOrderToken=1 replacementOrderToken=5 quantity=115 price=2300.0 timeInForce=99999 display=P minimumQuantity=0",
    ],
    [
      { type: "cancelOrder", orderToken: 5, quantity: 0 },
      "cancelOrder orderToken=5 quantity=0",
    ],
    [
      { type: "systemEvent", timestamp: NINE_THIRTY, eventCode: "S" },
      "systemEvent timestamp=09:30:00.000000000 eventCode=S",
    ],
    [
      {
        type: "orderAccepted",
        timestamp: NINE_THIRTY,
        orderToken: 1,
        clientReference: "Lenny",
        buySellIndicator: "B",
        quantity: 100,
        orderbookId: "1",
        group: "DAY",
        price: 23000,
        timeInForce: 99999,
        firmId: 0,
        display: " ",
        capacity: "P",
        orderNumber: 202307130000000093n,
        minimumQuantity: 0,
        orderState: "L",
        orderClassification: "1",
        cashMarginType: "1",
      },
      'orderAccepted timestamp=09:30:00.000000000 orderToken=1 clientReference=Lenny buySellIndicator=B quantity=100 orderbookId=1 group=DAY price=2300.0 timeInForce=99999 firmId=0 display=" " capacity=P orderNumber=202307130000000093 minimumQuantity=0 orderState=L orderClassification=1 cashMarginType=1',
    ],
    [
      {
        type: "orderReplaced",
        timestamp: NINE_THIRTY,
        replacementOrderToken: 5,
        buySellIndicator: "B",
        quantity: 115,
        orderbookId: "1",
        group: "DAY",
        price: 23000,
        timeInForce: 99999,
        display: "P",
        orderNumber: 202611280000000001n,
        minimumQuantity: 0,
        orderState: "L",
        previousOrderToken: 1,
      },
      "orderReplaced timestamp=09:30:00.000000000 replacementOrderToken=5 buySellIndicator=B quantity=115 orderbookId=1 group=DAY price=2300.0 timeInForce=99999 display=P orderNumber=202611280000000001 minimumQuantity=0 orderState=L previousOrderToken=1",
    ],
    [
      {
        type: "orderCanceled",
        timestamp: NINE_THIRTY,
        orderToken: 5,
        decrementQuantity: 115,
        orderCanceledReason: "U",
      },
      "orderCanceled timestamp=09:30:00.000000000 orderToken=5 decrementQuantity=115 orderCanceledReason=U (User requested cancel)",
    ],
    [
      {
        type: "orderAiqCanceled",
        timestamp: NINE_THIRTY,
        orderToken: 2,
        decrementQuantity: 100,
        orderCanceledReason: "M",
        quantityPreventedFromTrading: 100,
        executionPrice: 12000,
        liquidityIndicator: "R",
      },
      "orderAiqCanceled timestamp=09:30:00.000000000 orderToken=2 decrementQuantity=100 orderCanceledReason=M (Order expired during match) quantityPreventedFromTrading=100 executionPrice=1200.0 liquidityIndicator=R",
    ],
    [
      {
        type: "orderExecuted",
        timestamp: NINE_THIRTY,
        orderToken: 3,
        executedQuantity: 100,
        executionPrice: 8995,
        liquidityIndicator: "A",
        matchNumber: 18446744073709551615n,
      },
      "orderExecuted timestamp=09:30:00.000000000 orderToken=3 executedQuantity=100 executionPrice=899.5 liquidityIndicator=A matchNumber=18446744073709551615",
    ],
    [
      {
        type: "orderRejected",
        timestamp: NINE_THIRTY,
        orderToken: 2,
        orderRejectedReason: "c",
      },
      "orderRejected timestamp=09:30:00.000000000 orderToken=2 orderRejectedReason=c (User has no permission to enter orders on the given board)",
    ],
  ];
  for (const [message, line] of cases) {
    assert.equal(formatMessage(message), line);
  }
});
