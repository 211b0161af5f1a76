import assert from "node:assert/strict";
import type { ShortSellingState } from "../../lib/itch/messages.ts";
import {
  decodeShortSellingState,
  encodeShortSellingState,
  SHORT_SELLING_STATE_LENGTH,
  SHORT_SELLING_STATE_OFFSETS,
  SHORT_SELLING_STATE_TYPE,
} from "../../lib/itch/short_selling_state.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.6. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "orderbookId", offset: 5, kind: "orderbookId" },
  { name: "group", offset: 9, kind: "alpha", width: 4 },
  { name: "shortSellingState", offset: 13, kind: "code", codes: ["0", "1"] },
];

const SAMPLE: ShortSellingState = {
  type: "shortSellingState",
  nanoseconds: 500,
  orderbookId: "8306",
  group: "DAY",
  shortSellingState: "1",
};
const BYTES_17 = bytesOf(`
  59        -- type Y
  000001f4  -- nanoseconds 500
  38333036  -- orderbook "8306" as Alpha
  44415920  -- group "DAY "
  31        -- state 1: price restriction in effect
`);
const BYTES_16 = bytesOf(`
  59        -- type Y
  000001f4  -- nanoseconds 500
  00002072  -- orderbook 8306 as a uint32
  44415920  -- group "DAY "
  31        -- state 1: price restriction in effect
`);

const CASE: MessageCase<ShortSellingState> = {
  type: "shortSellingState",
  encodeName: "encodeShortSellingState",
  decodeName: "decodeShortSellingState",
  length: 14,
  typeChar: "Y",
  encode: encodeShortSellingState,
  decode: decodeShortSellingState,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("SHORT_SELLING_STATE_OFFSETS matches official §4.6", () => {
  assert.equal(SHORT_SELLING_STATE_LENGTH, 14);
  assert.equal(SHORT_SELLING_STATE_TYPE, 0x59);
  assert.deepEqual({ ...SHORT_SELLING_STATE_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES_17, BYTES_16);
testMessageRules(CASE);
testRoundTrip(CASE);
