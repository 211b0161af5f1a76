import assert from "node:assert/strict";
import { encodeMessage } from "../../lib/codec/message.ts";
import {
  CASH_MARGIN_TYPES,
  MESSAGE_LENGTHS,
  MESSAGE_TYPE_CODES,
  ORDER_CANCELED_REASONS,
  ORDER_REJECTED_REASONS,
} from "../../lib/codec/messages.ts";
import { CANCELED_REASONS, REJECTED_REASONS } from "./_message_cases.ts";

Deno.test("MESSAGE_LENGTHS matches spec §4.8", () => {
  assert.deepEqual(MESSAGE_LENGTHS, {
    enterOrder: 48,
    replaceOrder: 26,
    cancelOrder: 9,
    systemEvent: 10,
    orderAccepted: 65,
    orderReplaced: 52,
    orderCanceled: 18,
    orderAiqCanceled: 27,
    orderExecuted: 30,
    orderRejected: 14,
  });
});

Deno.test("MESSAGE_TYPE_CODES is the first byte the codec writes", () => {
  const bytes = encodeMessage({
    type: "cancelOrder",
    orderToken: 1,
    quantity: 0,
  });
  assert.equal(String.fromCharCode(bytes[0]!), MESSAGE_TYPE_CODES.cancelOrder);
  assert.equal(
    MESSAGE_TYPE_CODES.replaceOrder,
    MESSAGE_TYPE_CODES.orderReplaced,
  );
});

Deno.test("ORDER_CANCELED_REASONS and ORDER_REJECTED_REASONS list spec §5.8 and §5.9", () => {
  assert.deepEqual(
    Object.keys(ORDER_CANCELED_REASONS).sort(),
    [...CANCELED_REASONS].sort(),
  );
  assert.deepEqual(
    Object.keys(ORDER_REJECTED_REASONS).sort(),
    [...REJECTED_REASONS].sort(),
  );
  assert.deepEqual(CASH_MARGIN_TYPES, ["1", "2", "3", "4", "5"]);
});
