import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { OrderExecuted } from "../../lib/codec/messages.ts";
import {
  decodeOrderExecuted,
  encodeOrderExecuted,
  ORDER_EXECUTED_LENGTH,
  ORDER_EXECUTED_OFFSETS,
  ORDER_EXECUTED_TYPE,
} from "../../lib/codec/order_executed.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { ORDER_EXECUTED_FIELDS } from "./_fields.ts";

const EXECUTED: OrderExecuted = {
  type: "orderExecuted",
  timestamp: 32_400_000_000_001,
  orderToken: 7,
  executedQuantity: 100,
  executionPrice: 23000,
  liquidityIndicator: "A",
  matchNumber: 42n,
};
const EXECUTED_BYTES = fromHex(`
  45                -- type E
  00001d77b67da001  -- timestamp
  00000007          -- order token 7
  00000064          -- executed 100
  000059d8          -- price 2300.0
  41                -- liquidity A (resting side)
  000000000000002a  -- match number 42
`.replace(/--.*$/gm, ""));

const CASE: MessageCase<OrderExecuted> = {
  type: "orderExecuted",
  encodeName: "encodeOrderExecuted",
  decodeName: "decodeOrderExecuted",
  length: 30,
  typeChar: "E",
  encode: encodeOrderExecuted,
  decode: decodeOrderExecuted,
  fields: ORDER_EXECUTED_FIELDS,
  sample: EXECUTED,
};

Deno.test("ORDER_EXECUTED_OFFSETS matches spec §4.6", () => {
  assert.equal(ORDER_EXECUTED_LENGTH, 30);
  assert.equal(ORDER_EXECUTED_TYPE, 0x45);
  assert.deepEqual(
    { ...ORDER_EXECUTED_OFFSETS },
    offsetsOf(ORDER_EXECUTED_FIELDS),
  );
});

Deno.test("encodeOrderExecuted() writes the §4.6 bytes in both versions", () => {
  for (const version of ["1.12", "1.11"] as const) {
    const target = new Uint8Array(30);
    assert.equal(encodeOrderExecuted(EXECUTED, target, 0, { version }), 30);
    assert.equal(toHex(target), toHex(EXECUTED_BYTES));
  }
});

Deno.test("decodeOrderExecuted() reads the §4.6 bytes in both versions", () => {
  assert.deepEqual(decodeOrderExecuted(EXECUTED_BYTES), EXECUTED);
  assert.deepEqual(
    decodeOrderExecuted(EXECUTED_BYTES, { version: "1.11" }),
    EXECUTED,
  );
});

testMessageRules(CASE);
testRoundTrip(CASE);
