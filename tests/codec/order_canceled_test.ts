import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { OrderCanceled } from "../../lib/codec/messages.ts";
import {
  decodeOrderCanceled,
  encodeOrderCanceled,
  ORDER_CANCELED_LENGTH,
  ORDER_CANCELED_OFFSETS,
  ORDER_CANCELED_TYPE,
} from "../../lib/codec/order_canceled.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { ORDER_CANCELED_FIELDS } from "./_fields.ts";

const CANCELED: OrderCanceled = {
  type: "orderCanceled",
  timestamp: 32_400_000_000_000,
  orderToken: 7,
  decrementQuantity: 300,
  orderCanceledReason: "I",
};
const CANCELED_BYTES = fromHex(`
  43                -- type C
  00001d77b67da000  -- timestamp 09:00
  00000007          -- order token 7
  0000012c          -- decrement 300
  49                -- reason I (rest of an Immediate order)
`.replace(/--.*$/gm, ""));

const CASE: MessageCase<OrderCanceled> = {
  type: "orderCanceled",
  encodeName: "encodeOrderCanceled",
  decodeName: "decodeOrderCanceled",
  length: 18,
  typeChar: "C",
  encode: encodeOrderCanceled,
  decode: decodeOrderCanceled,
  fields: ORDER_CANCELED_FIELDS,
  sample: CANCELED,
};

Deno.test("ORDER_CANCELED_OFFSETS matches spec §4.4", () => {
  assert.equal(ORDER_CANCELED_LENGTH, 18);
  assert.equal(ORDER_CANCELED_TYPE, 0x43);
  assert.deepEqual(
    { ...ORDER_CANCELED_OFFSETS },
    offsetsOf(ORDER_CANCELED_FIELDS),
  );
});

Deno.test("encodeOrderCanceled() writes the §4.4 bytes in both versions", () => {
  for (const version of ["1.12", "1.11"] as const) {
    const target = new Uint8Array(18);
    assert.equal(encodeOrderCanceled(CANCELED, target, 0, { version }), 18);
    assert.equal(toHex(target), toHex(CANCELED_BYTES));
  }
});

Deno.test("decodeOrderCanceled() reads the §4.4 bytes in both versions", () => {
  assert.deepEqual(decodeOrderCanceled(CANCELED_BYTES), CANCELED);
  assert.deepEqual(
    decodeOrderCanceled(CANCELED_BYTES, { version: "1.11" }),
    CANCELED,
  );
});

Deno.test("decodeOrderCanceled() tells lower-case i from upper-case I", () => {
  const bytes = CANCELED_BYTES.slice();
  bytes[17] = 0x69;
  assert.equal(decodeOrderCanceled(bytes).orderCanceledReason, "i");
});

testMessageRules(CASE);
testRoundTrip(CASE);
