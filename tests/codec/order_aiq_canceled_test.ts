import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { OrderAiqCanceled } from "../../lib/codec/messages.ts";
import {
  decodeOrderAiqCanceled,
  encodeOrderAiqCanceled,
  ORDER_AIQ_CANCELED_LENGTH,
  ORDER_AIQ_CANCELED_OFFSETS,
  ORDER_AIQ_CANCELED_TYPE,
} from "../../lib/codec/order_aiq_canceled.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { ORDER_AIQ_CANCELED_FIELDS } from "./_fields.ts";

const AIQ: OrderAiqCanceled = {
  type: "orderAiqCanceled",
  timestamp: 75_600_123_456_789,
  orderToken: 9,
  decrementQuantity: 300,
  orderCanceledReason: "O",
  quantityPreventedFromTrading: 100,
  executionPrice: 23000,
  liquidityIndicator: "R",
};
const AIQ_BYTES = fromHex(`
  44                -- type D
  000044c20680ed15  -- timestamp
  00000009          -- order token 9
  0000012c          -- decrement 300
  4f                -- reason O
  00000064          -- prevented from trading 100
  000059d8          -- execution price 2300.0
  52                -- liquidity R
`.replace(/--.*$/gm, ""));

const CASE: MessageCase<OrderAiqCanceled> = {
  type: "orderAiqCanceled",
  encodeName: "encodeOrderAiqCanceled",
  decodeName: "decodeOrderAiqCanceled",
  length: 27,
  typeChar: "D",
  encode: encodeOrderAiqCanceled,
  decode: decodeOrderAiqCanceled,
  fields: ORDER_AIQ_CANCELED_FIELDS,
  sample: AIQ,
};

Deno.test("ORDER_AIQ_CANCELED_OFFSETS matches spec §4.5", () => {
  assert.equal(ORDER_AIQ_CANCELED_LENGTH, 27);
  assert.equal(ORDER_AIQ_CANCELED_TYPE, 0x44);
  assert.deepEqual(
    { ...ORDER_AIQ_CANCELED_OFFSETS },
    offsetsOf(ORDER_AIQ_CANCELED_FIELDS),
  );
});

Deno.test("encodeOrderAiqCanceled() writes the §4.5 bytes in both versions", () => {
  for (const version of ["1.12", "1.11"] as const) {
    const target = new Uint8Array(27);
    assert.equal(encodeOrderAiqCanceled(AIQ, target, 0, { version }), 27);
    assert.equal(toHex(target), toHex(AIQ_BYTES));
  }
});

Deno.test("decodeOrderAiqCanceled() reads the §4.5 bytes in both versions", () => {
  assert.deepEqual(decodeOrderAiqCanceled(AIQ_BYTES), AIQ);
  assert.deepEqual(decodeOrderAiqCanceled(AIQ_BYTES, { version: "1.11" }), AIQ);
});

testMessageRules(CASE);
testRoundTrip(CASE);
