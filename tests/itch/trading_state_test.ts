import assert from "node:assert/strict";
import type { TradingState } from "../../lib/itch/messages.ts";
import {
  decodeTradingState,
  encodeTradingState,
  TRADING_STATE_LENGTH,
  TRADING_STATE_OFFSETS,
  TRADING_STATE_TYPE,
} from "../../lib/itch/trading_state.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.5. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "orderbookId", offset: 5, kind: "orderbookId" },
  { name: "group", offset: 9, kind: "alpha", width: 4 },
  { name: "tradingState", offset: 13, kind: "code", codes: ["T", "V"] },
];

const SAMPLE: TradingState = {
  type: "tradingState",
  nanoseconds: 999_999_999,
  orderbookId: "8306",
  group: "DAYX",
  tradingState: "V",
};
const BYTES_17 = bytesOf(`
  48        -- type H
  3b9ac9ff  -- nanoseconds 999,999,999
  38333036  -- orderbook "8306" as Alpha
  44415958  -- group "DAYX"
  56        -- state V: suspended
`);
const BYTES_16 = bytesOf(`
  48        -- type H
  3b9ac9ff  -- nanoseconds 999,999,999
  00002072  -- orderbook 8306 as a uint32
  44415958  -- group "DAYX"
  56        -- state V: suspended
`);

const CASE: MessageCase<TradingState> = {
  type: "tradingState",
  encodeName: "encodeTradingState",
  decodeName: "decodeTradingState",
  length: 14,
  typeChar: "H",
  encode: encodeTradingState,
  decode: decodeTradingState,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("TRADING_STATE_OFFSETS matches official §4.5", () => {
  assert.equal(TRADING_STATE_LENGTH, 14);
  assert.equal(TRADING_STATE_TYPE, 0x48);
  assert.deepEqual({ ...TRADING_STATE_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES_17, BYTES_16);
testMessageRules(CASE);
testRoundTrip(CASE);
