import assert from "node:assert/strict";
import {
  checkExpectations,
  describeExpectation,
  describeOutbound,
  type Expectation,
  parseExpectations,
} from "../../lib/client/expectation.ts";
import type { OrderAccepted, OutboundMessage } from "../../lib/codec/mod.ts";

const T = 34_200_000_000_000;
const ACCEPTED: OrderAccepted = {
  type: "orderAccepted",
  timestamp: T,
  orderToken: 1,
  clientReference: "Lenny",
  buySellIndicator: "B",
  quantity: 100,
  orderbookId: "1",
  group: "DAY",
  price: 23000,
  timeInForce: 0,
  firmId: 0,
  display: " ",
  capacity: "P",
  orderNumber: 202611280000000001n,
  minimumQuantity: 0,
  orderState: "L",
  orderClassification: "1",
  cashMarginType: "1",
};
const EXECUTED: OutboundMessage = {
  type: "orderExecuted",
  timestamp: T,
  orderToken: 1,
  executedQuantity: 100,
  executionPrice: 23000,
  liquidityIndicator: "R",
  matchNumber: 202611280000000001n,
};
const CANCELED_I: OutboundMessage = {
  type: "orderCanceled",
  timestamp: T,
  orderToken: 1,
  decrementQuantity: 100,
  orderCanceledReason: "I",
};
const REJECTED_N: OutboundMessage = {
  type: "orderRejected",
  timestamp: T,
  orderToken: 2,
  orderRejectedReason: "N",
};

Deno.test("parseExpectations() reads every word", () => {
  assert.deepEqual(
    parseExpectations([
      "accepted",
      "rejected:c",
      "replaced",
      "canceled:I",
      "aiq-canceled",
      "executed",
    ]),
    [
      { kind: "accepted" },
      { kind: "rejected", reason: "c" },
      { kind: "replaced" },
      { kind: "canceled", reason: "I" },
      { kind: "aiqCanceled" },
      { kind: "executed" },
    ],
  );
});

Deno.test("parseExpectations() reads none as an empty list in three spellings", () => {
  assert.deepEqual(parseExpectations("none"), []);
  assert.deepEqual(parseExpectations(["none"]), []);
  assert.deepEqual(parseExpectations([]), []);
});

Deno.test("parseExpectations() reads a single word as a one-element list", () => {
  assert.deepEqual(parseExpectations("rejected:R"), [{
    kind: "rejected",
    reason: "R",
  }]);
});

Deno.test("parseExpectations() refuses values that are not strings", () => {
  assert.throws(() => parseExpectations(3), {
    name: "TypeError",
    message:
      "Cannot read expectations as they must be a string or an array of strings: got 3",
  });
  assert.throws(() => parseExpectations({ kind: "accepted" }), {
    name: "TypeError",
    message:
      "Cannot read expectations as they must be a string or an array of strings: got an object",
  });
  assert.throws(() => parseExpectations(["accepted", null]), {
    name: "TypeError",
    message: "Cannot read expectation 2 as it must be a string: got null",
  });
});

Deno.test("parseExpectations() refuses unknown words and bad reason codes", () => {
  assert.throws(() => parseExpectations(["acepted"]), {
    name: "SyntaxError",
    message:
      'Cannot parse expectation "acepted" as it must be one of accepted, rejected:R, replaced, canceled:R, aiq-canceled, executed or none',
  });
  assert.throws(() => parseExpectations(["rejected"]), {
    name: "SyntaxError",
    message:
      'Cannot parse expectation "rejected" as it needs a reason code, e.g. "rejected:H"',
  });
  assert.throws(() => parseExpectations(["canceled:"]), {
    name: "SyntaxError",
    message:
      'Cannot parse expectation "canceled:" as it needs a reason code, e.g. "canceled:U"',
  });
  assert.throws(() => parseExpectations(["rejected:I"]), {
    name: "SyntaxError",
    message:
      'Cannot parse expectation "rejected:I" as "I" is not an Order Rejected Reason: use one of H S X Z N Y D V i R F G L c O',
  });
  assert.throws(() => parseExpectations(["canceled:H"]), {
    name: "SyntaxError",
    message:
      'Cannot parse expectation "canceled:H" as "H" is not an Order Canceled Reason: use one of U L S I M X Z N Y D V i R F G O',
  });
  assert.throws(() => parseExpectations(["canceled:UU"]), {
    name: "SyntaxError",
    message: /"UU" is not an Order Canceled Reason/,
  });
  assert.throws(() => parseExpectations(["executed:A"]), {
    name: "SyntaxError",
    message:
      'Cannot parse expectation "executed:A" as "executed" takes no reason code',
  });
  assert.throws(() => parseExpectations(["Accepted"]), { name: "SyntaxError" });
});

Deno.test("parseExpectations() refuses none mixed with other words", () => {
  assert.throws(() => parseExpectations(["accepted", "none"]), {
    name: "SyntaxError",
    message:
      'Cannot use "none" together with other expectations: got accepted, none',
  });
});

Deno.test("describeExpectation() writes the file syntax back", () => {
  const words = [
    "accepted",
    "rejected:N",
    "replaced",
    "canceled:U",
    "aiq-canceled",
    "executed",
  ];
  assert.deepEqual(parseExpectations(words).map(describeExpectation), words);
});

Deno.test("describeOutbound() describes every outbound message type", () => {
  const messages: OutboundMessage[] = [
    { type: "systemEvent", timestamp: T, eventCode: "S" },
    ACCEPTED,
    {
      type: "orderReplaced",
      timestamp: T,
      replacementOrderToken: 5,
      buySellIndicator: "B",
      quantity: 0,
      orderbookId: "1",
      group: "DAY",
      price: 23000,
      timeInForce: 99999,
      display: " ",
      orderNumber: 202611280000000001n,
      minimumQuantity: 0,
      orderState: "D",
      previousOrderToken: 1,
    },
    CANCELED_I,
    {
      type: "orderAiqCanceled",
      timestamp: T,
      orderToken: 2,
      decrementQuantity: 100,
      orderCanceledReason: "M",
      quantityPreventedFromTrading: 100,
      executionPrice: 12000,
      liquidityIndicator: "R",
    },
    EXECUTED,
    REJECTED_N,
  ];
  assert.deepEqual(messages.map(describeOutbound), [
    "system-event:S",
    "accepted",
    "replaced",
    "canceled:I",
    "aiq-canceled",
    "executed",
    "rejected:N",
  ]);
});

Deno.test("checkExpectations() passes when the messages match in order", () => {
  const expected: Expectation[] = [
    { kind: "accepted" },
    { kind: "executed" },
    { kind: "canceled", reason: "I" },
  ];
  assert.deepEqual(
    checkExpectations(expected, [ACCEPTED, EXECUTED, CANCELED_I]),
    { ok: true, detail: "got accepted, executed, canceled:I" },
  );
  assert.deepEqual(checkExpectations([], []), { ok: true, detail: "got none" });
});

Deno.test("checkExpectations() fails on a missing, extra or reordered message", () => {
  assert.deepEqual(
    checkExpectations([{ kind: "accepted" }, { kind: "executed" }], [ACCEPTED]),
    { ok: false, detail: "expected accepted, executed; got accepted" },
  );
  assert.deepEqual(
    checkExpectations([{ kind: "accepted" }], [ACCEPTED, EXECUTED]),
    { ok: false, detail: "expected accepted; got accepted, executed" },
  );
  assert.deepEqual(
    checkExpectations(
      [{ kind: "executed" }, { kind: "accepted" }],
      [ACCEPTED, EXECUTED],
    ),
    {
      ok: false,
      detail: "expected executed, accepted; got accepted, executed",
    },
  );
});

Deno.test("checkExpectations() fails when none was expected and something came", () => {
  assert.deepEqual(checkExpectations([], [REJECTED_N]), {
    ok: false,
    detail: "expected none; got rejected:N",
  });
  assert.deepEqual(checkExpectations([{ kind: "accepted" }], []), {
    ok: false,
    detail: "expected accepted; got none",
  });
});

Deno.test("checkExpectations() compares reason codes", () => {
  assert.deepEqual(
    checkExpectations([{ kind: "rejected", reason: "Y" }], [REJECTED_N]),
    { ok: false, detail: "expected rejected:Y; got rejected:N" },
  );
  assert.deepEqual(
    checkExpectations([{ kind: "rejected", reason: "N" }], [REJECTED_N]),
    { ok: true, detail: "got rejected:N" },
  );
});
