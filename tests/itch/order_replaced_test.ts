import assert from "node:assert/strict";
import type { ItchOrderReplaced } from "../../lib/itch/messages.ts";
import {
  decodeItchOrderReplaced,
  encodeItchOrderReplaced,
  ITCH_ORDER_REPLACED_LENGTH,
  ITCH_ORDER_REPLACED_OFFSETS,
  ITCH_ORDER_REPLACED_TYPE,
} from "../../lib/itch/order_replaced.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.10. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "originalOrderNumber", offset: 5, kind: "id64" },
  { name: "newOrderNumber", offset: 13, kind: "id64" },
  { name: "quantity", offset: 21, kind: "uint32" },
  { name: "price", offset: 25, kind: "uint32" },
];

const SAMPLE: ItchOrderReplaced = {
  type: "orderReplaced",
  nanoseconds: 123_456_789,
  originalOrderNumber: 202307130000000093n,
  newOrderNumber: 202307130000000101n,
  quantity: 300,
  price: 18_005,
};
const BYTES = bytesOf(`
  55                -- type U
  075bcd15          -- nanoseconds 123,456,789
  02cebd434b2dc45d  -- original Order Number 202307130000000093
  02cebd434b2dc465  -- new Order Number 202307130000000101
  0000012c          -- quantity 300 displayed
  00004655          -- price 1,800.5
`);

const CASE: MessageCase<ItchOrderReplaced> = {
  type: "orderReplaced",
  encodeName: "encodeItchOrderReplaced",
  decodeName: "decodeItchOrderReplaced",
  length: 29,
  typeChar: "U",
  encode: encodeItchOrderReplaced,
  decode: decodeItchOrderReplaced,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("ITCH_ORDER_REPLACED_OFFSETS matches official §4.10", () => {
  assert.equal(ITCH_ORDER_REPLACED_LENGTH, 29);
  assert.equal(ITCH_ORDER_REPLACED_TYPE, 0x55);
  assert.deepEqual({ ...ITCH_ORDER_REPLACED_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES, BYTES);
testMessageRules(CASE);
testRoundTrip(CASE);
