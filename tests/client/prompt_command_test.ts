import assert from "node:assert/strict";
import {
  type OrderCommand,
  parsePromptCommand,
  promptMessage,
  promptNote,
} from "../../lib/client/prompt_command.ts";
import { OrderTracker } from "../../lib/exchange/order_tracker.ts";
import type { OrderAccepted } from "../../lib/codec/mod.ts";

const ORDER: OrderCommand = {
  type: "order",
  side: "B",
  quantity: 100,
  orderbookId: "7203",
  price: 23000,
  immediate: false,
  postOnly: false,
  minimumQuantity: 0,
  firmId: 0,
  clientReference: "",
};

Deno.test("parsePromptCommand() reads buy, sell and short with every option", () => {
  assert.deepEqual(parsePromptCommand("buy 100 7203 @ 2300"), ORDER);
  assert.deepEqual(parsePromptCommand("  SELL 5 1 @2300.5  "), {
    ...ORDER,
    side: "S",
    quantity: 5,
    orderbookId: "1",
    price: 23005,
  });
  assert.deepEqual(
    parsePromptCommand(
      "short 300 6758 ref ACME01 firm 42 min 100 ioc post @ 1199.5",
    ),
    {
      ...ORDER,
      side: "T",
      quantity: 300,
      orderbookId: "6758",
      price: 11995,
      immediate: true,
      postOnly: true,
      minimumQuantity: 100,
      firmId: 42,
      clientReference: "ACME01",
    },
  );
  assert.deepEqual(parsePromptCommand("buy 100 7203"), {
    ...ORDER,
    price: undefined,
  });
  assert.deepEqual(parsePromptCommand("buy 0 7203 @ 0"), {
    ...ORDER,
    quantity: 0,
    price: 0,
  });
});

Deno.test("parsePromptCommand() reads replace, reduce, cancel and the one-word commands", () => {
  assert.deepEqual(parsePromptCommand("replace 3 200"), {
    type: "replace",
    token: 3,
    quantity: 200,
    price: undefined,
  });
  assert.deepEqual(parsePromptCommand("replace 3 0 @ 2301.5"), {
    type: "replace",
    token: 3,
    quantity: 0,
    price: 23015,
  });
  assert.deepEqual(parsePromptCommand("reduce 3 100"), {
    type: "reduce",
    token: 3,
    quantity: 100,
  });
  assert.deepEqual(parsePromptCommand("cancel 4"), {
    type: "cancel",
    token: 4,
  });
  assert.deepEqual(parsePromptCommand("orders"), { type: "orders" });
  assert.deepEqual(parsePromptCommand("HELP"), { type: "help" });
  assert.deepEqual(parsePromptCommand("quit"), { type: "quit" });
  assert.deepEqual(parsePromptCommand("exit"), { type: "quit" });
  assert.deepEqual(parsePromptCommand(""), { type: "empty" });
  assert.deepEqual(parsePromptCommand("   "), { type: "empty" });
});

Deno.test("parsePromptCommand() explains every bad command in one line", () => {
  const cases: [string, string][] = [
    [
      "foo",
      'Cannot run "foo": commands are buy, sell, short, replace, reduce, cancel, orders, help, quit (type "help")',
    ],
    [
      "buy",
      'Cannot buy without a quantity and an orderbook: e.g. "buy 100 7203 @ 2300"',
    ],
    [
      "sell 100",
      'Cannot sell without a quantity and an orderbook: e.g. "sell 100 7203 @ 2300"',
    ],
    ["buy x 7203", 'Cannot use "x" as a quantity: it must be a whole number'],
    [
      "buy -5 7203",
      'Cannot use "-5" as a quantity: it is negative (the smallest is 0)',
    ],
    [
      "sell 5 7203 min -1",
      'Cannot use "-1" as a minimum quantity: it is negative (the smallest is 0)',
    ],
    [
      "buy -0.5 7203",
      'Cannot use "-0.5" as a quantity: it is negative (the smallest is 0)',
    ],
    ["buy -x 7203", 'Cannot use "-x" as a quantity: it must be a whole number'],
    [
      "buy 5 7203 @ -2300.5",
      'Cannot use "-2300.5" as a price: it is negative (prices are above 0)',
    ],
    [
      "buy 4294967296 7203",
      'Cannot use "4294967296" as a quantity: it is above 4294967295',
    ],
    [
      "buy 100 72034",
      'Cannot use "72034" as an orderbook: it must be 1 to 4 characters',
    ],
    [
      "buy 100 7203 @",
      'Cannot read a price after "@": give one, e.g. "@ 2300.5"',
    ],
    [
      "buy 100 7203 @ 2300.55",
      'Cannot use "2300.55" as a price: it has more than one decimal place',
    ],
    [
      "buy 100 7203 @ 2,300",
      'Cannot use "2,300" as a price: it must be a decimal number such as 2300 or 2300.5',
    ],
    [
      "buy 100 7203 @ 1e3",
      'Cannot use "1e3" as a price: it must be a decimal number such as 2300 or 2300.5',
    ],
    [
      "buy 100 7203 @ 429496729.6",
      'Cannot use "429496729.6" as a price: it is above 429496729.5',
    ],
    [
      "buy 100 7203 2300",
      'Cannot use "2300" here: write the price after "@", e.g. "@ 2300"',
    ],
    [
      "buy 100 7203 @ 1 fast",
      'Cannot use "fast" in an order: options are @ PRICE, ioc, post, min N, firm N, ref TEXT',
    ],
    ["buy 100 7203 ioc ioc", 'Cannot use "ioc" twice in one order'],
    ["buy 100 7203 @ 1 @ 2", 'Cannot use "@" twice in one order'],
    ["buy 100 7203 min", 'Cannot use "min" without a number: e.g. "min 100"'],
    [
      "buy 100 7203 min x",
      'Cannot use "x" as a minimum quantity: it must be a whole number',
    ],
    [
      "buy 100 7203 firm",
      'Cannot use "firm" without a number: e.g. "firm 100"',
    ],
    [
      "buy 100 7203 firm 1.5",
      'Cannot use "1.5" as a firm ID: it must be a whole number',
    ],
    ["buy 100 7203 ref", 'Cannot use "ref" without a text: e.g. "ref ABC"'],
    [
      "buy 100 7203 ref ABCDEFGHIJK",
      'Cannot use "ABCDEFGHIJK" as a client reference: it must be 1 to 10 characters',
    ],
    [
      "replace",
      'Cannot replace without a token and a quantity: e.g. "replace 3 200 @ 2301"',
    ],
    [
      "replace 3",
      'Cannot replace without a token and a quantity: e.g. "replace 3 200 @ 2301"',
    ],
    ["replace x 3", 'Cannot use "x" as a token: it must be a whole number'],
    [
      "replace 3 200 2301",
      'Cannot use "2301" in a replace: only "@ PRICE" may follow the quantity',
    ],
    [
      "replace 3 200 @",
      'Cannot read a price after "@": give one, e.g. "@ 2300.5"',
    ],
    [
      "replace 3 200 @ 1 ioc",
      'Cannot use "ioc" in a replace: only "@ PRICE" may follow the quantity',
    ],
    ["cancel", 'Cannot cancel without a token: e.g. "cancel 3"'],
    [
      "cancel 3 50",
      'Cannot use "50" in a cancel: a cancel removes the whole order (to keep part of it: "reduce TOKEN QTY")',
    ],
    [
      "cancel three",
      'Cannot use "three" as a token: it must be a whole number',
    ],
    [
      "reduce 3",
      'Cannot reduce without a token and a quantity: e.g. "reduce 3 100"',
    ],
    [
      "reduce 3 100 @ 2300",
      'Cannot use "@" in a reduce: it takes TOKEN and QTY (to move the price: "replace TOKEN QTY @ PRICE")',
    ],
    [
      "reduce 3 -5",
      'Cannot use "-5" as a quantity: it is negative (the smallest is 0)',
    ],
    ["orders now", 'Cannot use "orders" with arguments: type just "orders"'],
    ["help me", 'Cannot use "help" with arguments: type just "help"'],
    ["quit now", 'Cannot use "quit" with arguments: type just "quit"'],
    ["exit now", 'Cannot use "exit" with arguments: type just "quit"'],
  ];
  for (const [line, message] of cases) {
    assert.throws(
      () => parsePromptCommand(line),
      (error: unknown) => {
        assert.ok(error instanceof SyntaxError, line);
        assert.equal(error.message, message, line);
        assert.ok(!error.message.includes("\n"), line);
        return true;
      },
    );
  }
});

Deno.test("parsePromptCommand() wants a numeric orderbook under OUCH 1.11", () => {
  assert.equal(
    (parsePromptCommand("buy 1 7203 @ 1", { version: "1.11" }) as OrderCommand)
      .orderbookId,
    "7203",
  );
  assert.throws(() => parsePromptCommand("buy 1 AB @ 1", { version: "1.11" }), {
    name: "SyntaxError",
    message:
      'Cannot use "AB" as an orderbook under OUCH 1.11: it must be a number',
  });
  assert.throws(
    () => parsePromptCommand("buy 1 007 @ 1", { version: "1.11" }),
    {
      message: /under OUCH 1\.11/,
    },
  );
});

Deno.test("promptMessage() builds an Enter Order with the prompt's defaults", () => {
  const orders = new OrderTracker();
  assert.deepEqual(promptMessage(ORDER, { token: 9, orders }), {
    type: "enterOrder",
    orderToken: 9,
    clientReference: "",
    buySellIndicator: "B",
    quantity: 100,
    orderbookId: "7203",
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
  const options = parsePromptCommand(
    "short 10 6758 @ 1.5 ioc post min 5 firm 3 ref X",
  ) as OrderCommand;
  assert.deepEqual(promptMessage(options, { token: 10, orders }), {
    type: "enterOrder",
    orderToken: 10,
    clientReference: "X",
    buySellIndicator: "T",
    quantity: 10,
    orderbookId: "6758",
    group: "DAY",
    price: 15,
    timeInForce: 0,
    firmId: 3,
    display: "P",
    capacity: "P",
    minimumQuantity: 5,
    orderClassification: "1",
    cashMarginType: "1",
  });
});

Deno.test("promptMessage() makes an order without a price a market order", () => {
  const orders = new OrderTracker();
  const buy = promptMessage(parsePromptCommand("buy 1 1") as OrderCommand, {
    token: 1,
    orders,
  });
  const sell = promptMessage(parsePromptCommand("sell 1 1") as OrderCommand, {
    token: 2,
    orders,
  });
  assert.ok(buy.type === "enterOrder" && sell.type === "enterOrder");
  assert.deepEqual([buy.price, buy.timeInForce], [2_147_483_646, 0]);
  assert.deepEqual([sell.price, sell.timeInForce], [1, 0]);
});

Deno.test("promptMessage() replaces an open order to the chain's total, keeping its other fields; promptNote() says how", () => {
  const orders = new OrderTracker();
  const accepted: OrderAccepted = {
    type: "orderAccepted",
    timestamp: 0,
    orderToken: 3,
    clientReference: "",
    buySellIndicator: "S",
    quantity: 100,
    orderbookId: "7203",
    group: "DAY",
    price: 23010,
    timeInForce: 99999,
    firmId: 0,
    display: "P",
    capacity: "P",
    orderNumber: 202611280000000001n,
    minimumQuantity: 0,
    orderState: "L",
    orderClassification: "1",
    cashMarginType: "1",
  };
  orders.update(accepted);
  const replace = parsePromptCommand("replace 3 50");
  assert.ok(replace.type === "replace");
  const message = promptMessage(replace, { token: 4, orders });
  assert.deepEqual(message, {
    type: "replaceOrder",
    existingOrderToken: 3,
    replacementOrderToken: 4,
    quantity: 50,
    price: 23010,
    timeInForce: 99999,
    display: "P",
    minimumQuantity: 0,
  });
  assert.equal(
    promptNote(replace, message, orders),
    "replace 3: Quantity 50 sent = 50 open wanted + 0 already executed (the total of the order chain)",
  );
  // 30 execute: 70 stay open. Keeping 50 open is a total of 80.
  orders.update({
    type: "orderExecuted",
    timestamp: 0,
    orderToken: 3,
    executedQuantity: 30,
    executionPrice: 23010,
    liquidityIndicator: "A",
    matchNumber: 202611280000000001n,
  });
  const after = promptMessage(replace, { token: 4, orders });
  assert.equal(after.type === "replaceOrder" && after.quantity, 80);
  assert.equal(
    promptNote(replace, after, orders),
    "replace 3: Quantity 80 sent = 50 open wanted + 30 already executed (the total of the order chain)",
  );
  const moved = parsePromptCommand("replace 3 50 @ 2302");
  assert.ok(moved.type === "replace");
  assert.equal(
    (promptMessage(moved, { token: 4, orders }) as { price: number }).price,
    23020,
  );
  // reduce: same price, fewer open; not more than open.
  const reduce = parsePromptCommand("reduce 3 20");
  assert.ok(reduce.type === "reduce");
  const reduced = promptMessage(reduce, { token: 5, orders });
  assert.deepEqual(
    reduced.type === "replaceOrder" && [reduced.quantity, reduced.price],
    [50, 23010],
  );
  assert.equal(
    promptNote(reduce, reduced, orders),
    "reduce 3: Quantity 50 sent = 20 open wanted + 30 already executed (the total of the order chain)",
  );
  const enlarge = parsePromptCommand("reduce 3 70");
  assert.ok(enlarge.type === "reduce");
  assert.throws(() => promptMessage(enlarge, { token: 5, orders }), {
    name: "SyntaxError",
    message:
      'Cannot reduce token 3 to 70: its open quantity is 70 (to enlarge it: "replace TOKEN QTY")',
  });
  const huge = parsePromptCommand("replace 3 4294967295");
  assert.ok(huge.type === "replace");
  assert.throws(() => promptMessage(huge, { token: 5, orders }), {
    name: "SyntaxError",
    message:
      "Cannot replace token 3 to 4294967295 open: with the 30 executed the total is above 4294967295",
  });
  const unknown = parsePromptCommand("replace 8 50");
  assert.ok(unknown.type === "replace");
  assert.throws(() => promptMessage(unknown, { token: 4, orders }), {
    name: "SyntaxError",
    message:
      'Cannot replace token 8: it is not an open order of this account (type "orders")',
  });
  const cancel = parsePromptCommand("cancel 8");
  assert.ok(cancel.type === "cancel");
  assert.deepEqual(promptMessage(cancel, { token: 5, orders }), {
    type: "cancelOrder",
    orderToken: 8,
    quantity: 0,
  });
  assert.equal(
    promptNote(cancel, promptMessage(cancel, { token: 5, orders }), orders),
    undefined,
  );
});
