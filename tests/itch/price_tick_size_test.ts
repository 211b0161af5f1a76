import assert from "node:assert/strict";
import type { PriceTickSize } from "../../lib/itch/messages.ts";
import {
  decodePriceTickSize,
  encodePriceTickSize,
  PRICE_TICK_SIZE_LENGTH,
  PRICE_TICK_SIZE_OFFSETS,
  PRICE_TICK_SIZE_TYPE,
} from "../../lib/itch/price_tick_size.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.3. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "tickTableId", offset: 5, kind: "uint32" },
  { name: "tickSize", offset: 9, kind: "uint32" },
  { name: "priceStart", offset: 13, kind: "uint32" },
];

// TSE table 3, the band from 1,000.1 yen: a tick of 0.5 yen (5 tenths).
const SAMPLE: PriceTickSize = {
  type: "priceTickSize",
  nanoseconds: 1,
  tickTableId: 3,
  tickSize: 5,
  priceStart: 10_001,
};
const BYTES = bytesOf(`
  4c        -- type L
  00000001  -- nanoseconds 1
  00000003  -- tick table 3
  00000005  -- tick size 0.5
  00002711  -- price start 1,000.1
`);

const CASE: MessageCase<PriceTickSize> = {
  type: "priceTickSize",
  encodeName: "encodePriceTickSize",
  decodeName: "decodePriceTickSize",
  length: 17,
  typeChar: "L",
  encode: encodePriceTickSize,
  decode: decodePriceTickSize,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("PRICE_TICK_SIZE_OFFSETS matches official §4.3", () => {
  assert.equal(PRICE_TICK_SIZE_LENGTH, 17);
  assert.equal(PRICE_TICK_SIZE_TYPE, 0x4c);
  assert.deepEqual({ ...PRICE_TICK_SIZE_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES, BYTES);
testMessageRules(CASE);
testRoundTrip(CASE);
