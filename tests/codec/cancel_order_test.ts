import assert from "node:assert/strict";
import {
  CANCEL_ORDER_LENGTH,
  CANCEL_ORDER_OFFSETS,
  CANCEL_ORDER_TYPE,
  decodeCancelOrder,
  encodeCancelOrder,
} from "../../lib/codec/cancel_order.ts";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { CancelOrder } from "../../lib/codec/messages.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { CANCEL_ORDER_FIELDS } from "./_fields.ts";

const CANCEL_ALL: CancelOrder = {
  type: "cancelOrder",
  orderToken: 2,
  quantity: 0,
};
const CANCEL_ALL_BYTES = fromHex("58 00000002 00000000");
const CANCEL_TO_300: CancelOrder = {
  type: "cancelOrder",
  orderToken: 0x0a0b0c0d,
  quantity: 300,
};
const CANCEL_TO_300_BYTES = fromHex("58 0a0b0c0d 0000012c");

const CASE: MessageCase<CancelOrder> = {
  type: "cancelOrder",
  encodeName: "encodeCancelOrder",
  decodeName: "decodeCancelOrder",
  length: 9,
  typeChar: "X",
  encode: encodeCancelOrder,
  decode: decodeCancelOrder,
  fields: CANCEL_ORDER_FIELDS,
  sample: CANCEL_TO_300,
};

Deno.test("CANCEL_ORDER_OFFSETS matches spec §3.3", () => {
  assert.equal(CANCEL_ORDER_LENGTH, 9);
  assert.equal(CANCEL_ORDER_TYPE, 0x58);
  assert.deepEqual({ ...CANCEL_ORDER_OFFSETS }, offsetsOf(CANCEL_ORDER_FIELDS));
});

Deno.test("encodeCancelOrder() writes the §3.3 bytes in both versions", () => {
  for (const version of ["1.12", "1.11"] as const) {
    const target = new Uint8Array(9);
    assert.equal(encodeCancelOrder(CANCEL_ALL, target, 0, { version }), 9);
    assert.equal(toHex(target), toHex(CANCEL_ALL_BYTES));
    encodeCancelOrder(CANCEL_TO_300, target, 0, { version });
    assert.equal(toHex(target), toHex(CANCEL_TO_300_BYTES));
  }
});

Deno.test("decodeCancelOrder() reads the §3.3 bytes in both versions", () => {
  assert.deepEqual(decodeCancelOrder(CANCEL_ALL_BYTES), CANCEL_ALL);
  assert.deepEqual(
    decodeCancelOrder(CANCEL_TO_300_BYTES, { version: "1.11" }),
    CANCEL_TO_300,
  );
});

testMessageRules(CASE);
testRoundTrip(CASE);
