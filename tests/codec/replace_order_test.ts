import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { ReplaceOrder } from "../../lib/codec/messages.ts";
import {
  decodeReplaceOrder,
  encodeReplaceOrder,
  REPLACE_ORDER_LENGTH,
  REPLACE_ORDER_OFFSETS,
  REPLACE_ORDER_TYPE,
} from "../../lib/codec/replace_order.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { REPLACE_ORDER_FIELDS } from "./_fields.ts";

const REPLACE: ReplaceOrder = {
  type: "replaceOrder",
  existingOrderToken: 1,
  replacementOrderToken: 2,
  quantity: 200,
  price: 23010,
  timeInForce: 99999,
  display: "P",
  minimumQuantity: 0,
};
const REPLACE_BYTES = fromHex(`
  55        -- type U
  00000001  -- existing order token 1
  00000002  -- replacement order token 2
  000000c8  -- quantity 200
  000059e2  -- price 23010 = 2301.0
  0001869f  -- TIF 99999
  50        -- display P
  00000000  -- minimum quantity 0
`.replace(/--.*$/gm, ""));

const CASE: MessageCase<ReplaceOrder> = {
  type: "replaceOrder",
  encodeName: "encodeReplaceOrder",
  decodeName: "decodeReplaceOrder",
  length: 26,
  typeChar: "U",
  encode: encodeReplaceOrder,
  decode: decodeReplaceOrder,
  fields: REPLACE_ORDER_FIELDS,
  sample: REPLACE,
};

Deno.test("REPLACE_ORDER_OFFSETS matches spec §3.2", () => {
  assert.equal(REPLACE_ORDER_LENGTH, 26);
  assert.equal(REPLACE_ORDER_TYPE, 0x55);
  assert.deepEqual(
    { ...REPLACE_ORDER_OFFSETS },
    offsetsOf(REPLACE_ORDER_FIELDS),
  );
});

Deno.test("encodeReplaceOrder() writes the §3.2 bytes in both versions", () => {
  for (const version of ["1.12", "1.11"] as const) {
    const target = new Uint8Array(26);
    assert.equal(encodeReplaceOrder(REPLACE, target, 0, { version }), 26);
    assert.equal(toHex(target), toHex(REPLACE_BYTES));
  }
});

Deno.test("decodeReplaceOrder() reads the §3.2 bytes in both versions", () => {
  assert.deepEqual(decodeReplaceOrder(REPLACE_BYTES), REPLACE);
  assert.deepEqual(
    decodeReplaceOrder(REPLACE_BYTES, { version: "1.11" }),
    REPLACE,
  );
});

Deno.test("decodeReplaceOrder() keeps a Display of one space", () => {
  const bytes = REPLACE_BYTES.slice();
  bytes[21] = 0x20;
  assert.equal(decodeReplaceOrder(bytes).display, " ");
});

testMessageRules(CASE);
testRoundTrip(CASE);
