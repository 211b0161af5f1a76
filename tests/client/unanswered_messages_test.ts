import assert from "node:assert/strict";
import { UnansweredMessages } from "../../lib/client/unanswered_messages.ts";
import type {
  CancelOrder,
  InboundMessage,
  OutboundMessage,
  ReplaceOrder,
} from "../../lib/codec/messages.ts";
import { enter } from "../server/_harness.ts";
import { accepted, canceled } from "./_outbound.ts";

function replace(existing: number, replacement: number): ReplaceOrder {
  return {
    type: "replaceOrder",
    existingOrderToken: existing,
    replacementOrderToken: replacement,
    quantity: 100,
    price: 23000,
    timeInForce: 99999,
    display: " ",
    minimumQuantity: 0,
  };
}

function cancel(token: number): CancelOrder {
  return { type: "cancelOrder", orderToken: token, quantity: 0 };
}

function replaced(replacement: number, previous: number): OutboundMessage {
  return {
    type: "orderReplaced",
    timestamp: 0,
    replacementOrderToken: replacement,
    buySellIndicator: "B",
    quantity: 100,
    orderbookId: "1",
    group: "DAY",
    price: 23000,
    timeInForce: 99999,
    display: " ",
    orderNumber: 1n,
    minimumQuantity: 0,
    orderState: "L",
    previousOrderToken: previous,
  };
}

function written(...messages: InboundMessage[]): UnansweredMessages {
  const unanswered = new UnansweredMessages();
  for (const message of messages) unanswered.add(message, true);
  return unanswered;
}

const left = (unanswered: UnansweredMessages) =>
  unanswered.list().map(({ message }) =>
    message.type === "replaceOrder"
      ? `${message.type} ${message.existingOrderToken}>${message.replacementOrderToken}`
      : `${message.type} ${message.orderToken}`
  );

Deno.test("UnansweredMessages.answer() matches each kind of answer to its message", () => {
  const unanswered = written(enter(1), enter(2), replace(1, 3), cancel(2));
  assert.equal(unanswered.answer(accepted(1)), 1);
  assert.equal(
    unanswered.answer({
      type: "orderRejected",
      timestamp: 0,
      orderToken: 2,
      orderRejectedReason: "X",
    }),
    1,
  );
  assert.deepEqual(left(unanswered), [
    "replaceOrder 1>3",
    "cancelOrder 2",
  ]);
  assert.equal(unanswered.answer(replaced(3, 1)), 1);
  assert.equal(unanswered.answer(canceled(2, 100, "U")), 1);
  assert.equal(unanswered.size, 0);
  assert.deepEqual(unanswered.list(), []);
});

Deno.test("UnansweredMessages.answer() settles the messages the server ignored with the next answer", () => {
  // Token 5 is sent twice: the second Enter is ignored (K4), and so is the cancel of 9.
  const unanswered = written(enter(5), enter(5), cancel(9), enter(6), enter(7));
  assert.equal(unanswered.answer(accepted(5)), 1, "the first Enter 5");
  assert.deepEqual(left(unanswered), [
    "enterOrder 5",
    "cancelOrder 9",
    "enterOrder 6",
    "enterOrder 7",
  ]);
  assert.equal(unanswered.answer(accepted(6)), 3);
  assert.deepEqual(left(unanswered), ["enterOrder 7"]);
});

Deno.test("UnansweredMessages.answer() takes a replace failure's cancel for the replace alone", () => {
  const unanswered = written(enter(1), enter(2), replace(1, 3), enter(4));
  unanswered.answer(accepted(1));
  assert.equal(unanswered.answer(canceled(1, 100, "X")), 1);
  assert.deepEqual(left(unanswered), ["enterOrder 2", "enterOrder 4"]);
});

Deno.test("UnansweredMessages.answer() ignores cancels for other reasons, executions and events", () => {
  const unanswered = written(enter(1), cancel(1), replace(1, 2));
  unanswered.answer(accepted(1));
  for (
    const message of [
      canceled(1, 100, "I"),
      canceled(1, 100, "L"),
      canceled(1, 100, "S"),
      {
        type: "orderExecuted",
        timestamp: 0,
        orderToken: 1,
        executedQuantity: 100,
        executionPrice: 23000,
        liquidityIndicator: "A",
        matchNumber: 1n,
      },
      {
        type: "orderAiqCanceled",
        timestamp: 0,
        orderToken: 1,
        decrementQuantity: 100,
        orderCanceledReason: "M",
        quantityPreventedFromTrading: 100,
        executionPrice: 23000,
        liquidityIndicator: "R",
      },
      { type: "systemEvent", timestamp: 0, eventCode: "S" },
      accepted(99),
    ] satisfies OutboundMessage[]
  ) {
    assert.equal(unanswered.answer(message), 0, message.type);
  }
  assert.deepEqual(left(unanswered), ["cancelOrder 1", "replaceOrder 1>2"]);
});

Deno.test("UnansweredMessages.takeUnwritten() hands out what waits for a login, once and in order", () => {
  const unanswered = written(enter(1));
  unanswered.add(enter(2), false);
  unanswered.add(cancel(1), false);
  assert.equal(unanswered.answer(accepted(2)), 0, "not written: not answered");
  assert.deepEqual(unanswered.list().map((entry) => entry.written), [
    true,
    false,
    false,
  ]);
  assert.deepEqual(unanswered.takeUnwritten(), [enter(2), cancel(1)]);
  assert.deepEqual(unanswered.takeUnwritten(), []);
  assert.equal(unanswered.answer(accepted(2)), 2);
  assert.deepEqual(left(unanswered), ["cancelOrder 1"]);
});

Deno.test("UnansweredMessages.rewind() makes every unanswered message go out again", () => {
  const unanswered = written(enter(1), enter(2), enter(3));
  unanswered.answer(accepted(1));
  assert.equal(unanswered.rewind(), 2);
  assert.deepEqual(unanswered.takeUnwritten(), [enter(2), enter(3)]);
  assert.equal(unanswered.answer(accepted(3)), 2);
  assert.equal(unanswered.size, 0);
});

Deno.test("UnansweredMessages keeps a long stream in bounded memory", () => {
  const unanswered = new UnansweredMessages();
  for (let token = 1; token <= 10_000; token++) {
    unanswered.add(enter(token), true);
    if (token > 3) assert.equal(unanswered.answer(accepted(token - 3)), 1);
  }
  assert.deepEqual(left(unanswered), [
    "enterOrder 9998",
    "enterOrder 9999",
    "enterOrder 10000",
  ]);
});
