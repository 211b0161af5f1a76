import assert from "node:assert/strict";
import type { OrderDeleted } from "../../lib/itch/messages.ts";
import {
  decodeOrderDeleted,
  encodeOrderDeleted,
  ORDER_DELETED_LENGTH,
  ORDER_DELETED_OFFSETS,
  ORDER_DELETED_TYPE,
} from "../../lib/itch/order_deleted.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.9. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "orderNumber", offset: 5, kind: "id64" },
];

const SAMPLE: OrderDeleted = {
  type: "orderDeleted",
  nanoseconds: 999_999_999,
  orderNumber: 202307130000000094n,
};
const BYTES = bytesOf(`
  44                -- type D
  3b9ac9ff          -- nanoseconds 999,999,999
  02cebd434b2dc45e  -- Order Number 202307130000000094
`);

const CASE: MessageCase<OrderDeleted> = {
  type: "orderDeleted",
  encodeName: "encodeOrderDeleted",
  decodeName: "decodeOrderDeleted",
  length: 13,
  typeChar: "D",
  encode: encodeOrderDeleted,
  decode: decodeOrderDeleted,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("ORDER_DELETED_OFFSETS matches official §4.9", () => {
  assert.equal(ORDER_DELETED_LENGTH, 13);
  assert.equal(ORDER_DELETED_TYPE, 0x44);
  assert.deepEqual({ ...ORDER_DELETED_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES, BYTES);
testMessageRules(CASE);
testRoundTrip(CASE);
