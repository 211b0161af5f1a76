import assert from "node:assert/strict";
import type { ItchOrderExecuted } from "../../lib/itch/messages.ts";
import {
  decodeItchOrderExecuted,
  encodeItchOrderExecuted,
  ITCH_ORDER_EXECUTED_LENGTH,
  ITCH_ORDER_EXECUTED_OFFSETS,
  ITCH_ORDER_EXECUTED_TYPE,
} from "../../lib/itch/order_executed.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.8. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "orderNumber", offset: 5, kind: "id64" },
  { name: "executedQuantity", offset: 13, kind: "uint32" },
  { name: "matchNumber", offset: 17, kind: "id64" },
];

const SAMPLE: ItchOrderExecuted = {
  type: "orderExecuted",
  nanoseconds: 500,
  orderNumber: 202307130000000093n,
  executedQuantity: 300,
  matchNumber: 202611280000000009n,
};
const BYTES = bytesOf(`
  45                -- type E
  000001f4          -- nanoseconds 500
  02cebd434b2dc45d  -- Order Number 202307130000000093
  0000012c          -- executed 300
  02cfd1e2bbe32009  -- Match Number 202611280000000009
`);

const CASE: MessageCase<ItchOrderExecuted> = {
  type: "orderExecuted",
  encodeName: "encodeItchOrderExecuted",
  decodeName: "decodeItchOrderExecuted",
  length: 25,
  typeChar: "E",
  encode: encodeItchOrderExecuted,
  decode: decodeItchOrderExecuted,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("ITCH_ORDER_EXECUTED_OFFSETS matches official §4.8", () => {
  assert.equal(ITCH_ORDER_EXECUTED_LENGTH, 25);
  assert.equal(ITCH_ORDER_EXECUTED_TYPE, 0x45);
  assert.deepEqual({ ...ITCH_ORDER_EXECUTED_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES, BYTES);
testMessageRules(CASE);
testRoundTrip(CASE);
