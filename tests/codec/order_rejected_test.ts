import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { OrderRejected } from "../../lib/codec/messages.ts";
import {
  decodeOrderRejected,
  encodeOrderRejected,
  ORDER_REJECTED_LENGTH,
  ORDER_REJECTED_OFFSETS,
  ORDER_REJECTED_TYPE,
} from "../../lib/codec/order_rejected.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { ORDER_REJECTED_FIELDS } from "./_fields.ts";

const REJECTED: OrderRejected = {
  type: "orderRejected",
  timestamp: 86_399_999_999_999,
  orderToken: 11,
  orderRejectedReason: "c",
};
const REJECTED_BYTES = fromHex(`
  4a                -- type J
  00004e94914effff  -- timestamp 23:59:59.999999999
  0000000b          -- order token 11
  63                -- reason c (no permission on the board)
`.replace(/--.*$/gm, ""));

const CASE: MessageCase<OrderRejected> = {
  type: "orderRejected",
  encodeName: "encodeOrderRejected",
  decodeName: "decodeOrderRejected",
  length: 14,
  typeChar: "J",
  encode: encodeOrderRejected,
  decode: decodeOrderRejected,
  fields: ORDER_REJECTED_FIELDS,
  sample: REJECTED,
};

Deno.test("ORDER_REJECTED_OFFSETS matches spec §4.7", () => {
  assert.equal(ORDER_REJECTED_LENGTH, 14);
  assert.equal(ORDER_REJECTED_TYPE, 0x4a);
  assert.deepEqual(
    { ...ORDER_REJECTED_OFFSETS },
    offsetsOf(ORDER_REJECTED_FIELDS),
  );
});

Deno.test("encodeOrderRejected() writes the §4.7 bytes in both versions", () => {
  for (const version of ["1.12", "1.11"] as const) {
    const target = new Uint8Array(14);
    assert.equal(encodeOrderRejected(REJECTED, target, 0, { version }), 14);
    assert.equal(toHex(target), toHex(REJECTED_BYTES));
  }
});

Deno.test("decodeOrderRejected() reads the §4.7 bytes in both versions", () => {
  assert.deepEqual(decodeOrderRejected(REJECTED_BYTES), REJECTED);
  assert.deepEqual(
    decodeOrderRejected(REJECTED_BYTES, { version: "1.11" }),
    REJECTED,
  );
});

testMessageRules(CASE);
testRoundTrip(CASE);
