import assert from "node:assert/strict";
import type { OrderAddedWithAttributes } from "../../lib/itch/messages.ts";
import {
  decodeOrderAddedWithAttributes,
  encodeOrderAddedWithAttributes,
  ORDER_ADDED_WITH_ATTRIBUTES_LENGTH,
  ORDER_ADDED_WITH_ATTRIBUTES_OFFSETS,
  ORDER_ADDED_WITH_ATTRIBUTES_TYPE,
} from "../../lib/itch/order_added_with_attributes.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.7.2. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "orderNumber", offset: 5, kind: "id64" },
  { name: "side", offset: 13, kind: "code", codes: ["B", "S"] },
  { name: "quantity", offset: 14, kind: "uint32" },
  { name: "orderbookId", offset: 18, kind: "orderbookId" },
  { name: "group", offset: 22, kind: "alpha", width: 4 },
  { name: "price", offset: 26, kind: "uint32" },
  { name: "attribution", offset: 30, kind: "alpha", width: 4 },
  { name: "orderType", offset: 34, kind: "code", codes: ["Q"] },
];

const SAMPLE: OrderAddedWithAttributes = {
  type: "orderAddedWithAttributes",
  nanoseconds: 0,
  orderNumber: 202611280000000002n,
  side: "B",
  quantity: 2_500,
  orderbookId: "7203",
  group: "DAYU",
  price: 7_000,
  attribution: "",
  orderType: "Q",
};
const HEAD = `
  46                -- type F
  00000000          -- nanoseconds 0
  02cfd1e2bbe32002  -- Order Number 202611280000000002
  42                -- side B
  000009c4          -- quantity 2,500
`;
const TAIL = `
  44415955          -- group "DAYU"
  00001b58          -- price 700.0
  20202020          -- attribution: reserved, blank
  51                -- order type Q: DLP order
`;
const BYTES_17 = bytesOf(`${HEAD} 37323033 -- "7203" as Alpha\n${TAIL}`);
const BYTES_16 = bytesOf(`${HEAD} 00001c23 -- 7203 as a uint32\n${TAIL}`);

const CASE: MessageCase<OrderAddedWithAttributes> = {
  type: "orderAddedWithAttributes",
  encodeName: "encodeOrderAddedWithAttributes",
  decodeName: "decodeOrderAddedWithAttributes",
  length: 35,
  typeChar: "F",
  encode: encodeOrderAddedWithAttributes,
  decode: decodeOrderAddedWithAttributes,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("ORDER_ADDED_WITH_ATTRIBUTES_OFFSETS matches official §4.7.2", () => {
  assert.equal(ORDER_ADDED_WITH_ATTRIBUTES_LENGTH, 35);
  assert.equal(ORDER_ADDED_WITH_ATTRIBUTES_TYPE, 0x46);
  assert.deepEqual(
    { ...ORDER_ADDED_WITH_ATTRIBUTES_OFFSETS },
    offsetsOf(FIELDS),
  );
});

testOfficialBytes(CASE, BYTES_17, BYTES_16);
testMessageRules(CASE);
testRoundTrip(CASE);
