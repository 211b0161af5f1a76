import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { OrderReplaced } from "../../lib/codec/messages.ts";
import {
  decodeOrderReplaced,
  encodeOrderReplaced,
  ORDER_REPLACED_LENGTH,
  ORDER_REPLACED_OFFSETS,
  ORDER_REPLACED_TYPE,
} from "../../lib/codec/order_replaced.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { ORDER_REPLACED_FIELDS } from "./_fields.ts";

const REPLACED: OrderReplaced = {
  type: "orderReplaced",
  timestamp: 32_400_000_000_001,
  replacementOrderToken: 8,
  buySellIndicator: "B",
  quantity: 200,
  orderbookId: "7203",
  group: "DAYU",
  price: 23010,
  timeInForce: 99999,
  display: "P",
  orderNumber: 42n,
  minimumQuantity: 0,
  orderState: "L",
  previousOrderToken: 7,
};
function replacedBytes(orderbook: string): Uint8Array {
  return fromHex(`
    55                -- type U
    00001d77b67da001  -- timestamp 09:00:00.000000001
    00000008          -- replacement order token 8
    42                -- B
    000000c8          -- quantity 200
    ${orderbook}      -- orderbook
    44415955          -- "DAYU"
    000059e2          -- price 2301.0
    0001869f          -- TIF 99999
    50                -- display P
    000000000000002a  -- order number 42
    00000000          -- minimum quantity 0
    4c                -- state L
    00000007          -- previous order token 7
  `.replace(/--.*$/gm, ""));
}
const REPLACED_V112 = replacedBytes("37323033");
const REPLACED_V111 = replacedBytes("00001c23");

const CASE: MessageCase<OrderReplaced> = {
  type: "orderReplaced",
  encodeName: "encodeOrderReplaced",
  decodeName: "decodeOrderReplaced",
  length: 52,
  typeChar: "U",
  encode: encodeOrderReplaced,
  decode: decodeOrderReplaced,
  fields: ORDER_REPLACED_FIELDS,
  sample: REPLACED,
};

Deno.test("ORDER_REPLACED_OFFSETS matches spec §4.3", () => {
  assert.equal(ORDER_REPLACED_LENGTH, 52);
  assert.equal(ORDER_REPLACED_TYPE, 0x55);
  assert.deepEqual(
    { ...ORDER_REPLACED_OFFSETS },
    offsetsOf(ORDER_REPLACED_FIELDS),
  );
});

Deno.test("encodeOrderReplaced() writes the §4.3 bytes in both versions", () => {
  const target = new Uint8Array(52);
  assert.equal(encodeOrderReplaced(REPLACED, target), 52);
  assert.equal(toHex(target), toHex(REPLACED_V112));
  assert.equal(
    encodeOrderReplaced(REPLACED, target, 0, { version: "1.11" }),
    52,
  );
  assert.equal(toHex(target), toHex(REPLACED_V111));
});

Deno.test("decodeOrderReplaced() reads the §4.3 bytes in both versions", () => {
  assert.deepEqual(decodeOrderReplaced(REPLACED_V112), REPLACED);
  assert.deepEqual(
    decodeOrderReplaced(REPLACED_V111, { version: "1.11" }),
    REPLACED,
  );
});

testMessageRules(CASE);
testRoundTrip(CASE);
