import assert from "node:assert/strict";
import type { OrderAdded } from "../../lib/itch/messages.ts";
import {
  decodeOrderAdded,
  encodeOrderAdded,
  ORDER_ADDED_LENGTH,
  ORDER_ADDED_OFFSETS,
  ORDER_ADDED_TYPE,
} from "../../lib/itch/order_added.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.7.1. */
const ORDER_ADDED_FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "orderNumber", offset: 5, kind: "id64" },
  { name: "side", offset: 13, kind: "code", codes: ["B", "S"] },
  { name: "quantity", offset: 14, kind: "uint32" },
  { name: "orderbookId", offset: 18, kind: "orderbookId" },
  { name: "group", offset: 22, kind: "alpha", width: 4 },
  { name: "price", offset: 26, kind: "uint32" },
];

// The Order Number of a real Japannext capture (jnx-ouch.md K11).
const SAMPLE: OrderAdded = {
  type: "orderAdded",
  nanoseconds: 123_456_789,
  orderNumber: 202307130000000093n,
  side: "S",
  quantity: 300,
  orderbookId: "8306",
  group: "DAY",
  price: 18_005,
};
const HEAD = `
  41                -- type A
  075bcd15          -- nanoseconds 123,456,789
  02cebd434b2dc45d  -- Order Number 202307130000000093
  53                -- side S
  0000012c          -- quantity 300
`;
const TAIL = `
  44415920          -- group "DAY "
  00004655          -- price 1,800.5
`;
const BYTES_17 = bytesOf(`${HEAD} 38333036 -- "8306" as Alpha\n${TAIL}`);
const BYTES_16 = bytesOf(`${HEAD} 00002072 -- 8306 as a uint32\n${TAIL}`);

const CASE: MessageCase<OrderAdded> = {
  type: "orderAdded",
  encodeName: "encodeOrderAdded",
  decodeName: "decodeOrderAdded",
  length: 30,
  typeChar: "A",
  encode: encodeOrderAdded,
  decode: decodeOrderAdded,
  fields: ORDER_ADDED_FIELDS,
  sample: SAMPLE,
};

Deno.test("ORDER_ADDED_OFFSETS matches official §4.7.1", () => {
  assert.equal(ORDER_ADDED_LENGTH, 30);
  assert.equal(ORDER_ADDED_TYPE, 0x41);
  assert.deepEqual({ ...ORDER_ADDED_OFFSETS }, offsetsOf(ORDER_ADDED_FIELDS));
});

Deno.test("decodeOrderAdded() reads a reference price message and the no-price value", () => {
  const bytes = bytesOf(`
    41 00000000 0000000000000000  -- Order Number 0: a reference price
    42 00000000 38333036 44415920
    7fffffff                      -- 214,748,364.7: no reference price
  `);
  assert.deepEqual(decodeOrderAdded(bytes), {
    type: "orderAdded",
    nanoseconds: 0,
    orderNumber: 0n,
    side: "B",
    quantity: 0,
    orderbookId: "8306",
    group: "DAY",
    price: 0x7fffffff,
  });
});

testOfficialBytes(CASE, BYTES_17, BYTES_16);
testMessageRules(CASE);
testRoundTrip(CASE);
