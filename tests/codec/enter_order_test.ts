import assert from "node:assert/strict";
import {
  decodeEnterOrder,
  encodeEnterOrder,
  ENTER_ORDER_LENGTH,
  ENTER_ORDER_OFFSETS,
  ENTER_ORDER_TYPE,
} from "../../lib/codec/enter_order.ts";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { EnterOrder } from "../../lib/codec/messages.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { ENTER_ORDER_FIELDS } from "./_fields.ts";

/** Spec §9's inputs. */
const LENNY: EnterOrder = {
  type: "enterOrder",
  orderToken: 1,
  clientReference: "Lenny",
  buySellIndicator: "B",
  quantity: 100,
  orderbookId: "1",
  group: "DAY",
  price: 23000,
  timeInForce: 99999,
  firmId: 0,
  display: " ",
  capacity: "P",
  minimumQuantity: 0,
  orderClassification: "1",
  cashMarginType: "1",
};

/** Spec §9's 48 bytes, v1.12. */
const LENNY_V112 = fromHex(`
  4f 00 00 00 01 4c 65 6e 6e 79 20 20 20 20 20 42
  00 00 00 64 31 20 20 20 44 41 59 20 00 00 59 d8
  00 01 86 9f 00 00 00 00 20 50 00 00 00 00 31 31
`);

/** Spec §9: v1.11 differs only in bytes 20-23. */
const LENNY_V111 = fromHex(`
  4f 00 00 00 01 4c 65 6e 6e 79 20 20 20 20 20 42
  00 00 00 64 00 00 00 01 44 41 59 20 00 00 59 d8
  00 01 86 9f 00 00 00 00 20 50 00 00 00 00 31 31
`);

/** Every field non-trivial, written from the §3.1 table. */
const SHORT_SELL: EnterOrder = {
  type: "enterOrder",
  orderToken: 0x01020304,
  clientReference: "AB CD 1234",
  buySellIndicator: "T",
  quantity: 0x7fffffff,
  orderbookId: "1A2C",
  group: "NGHT",
  price: 0x7ffffffe,
  timeInForce: 0,
  firmId: 0xfffffffe,
  display: "P",
  capacity: "A",
  minimumQuantity: 500,
  orderClassification: "6",
  cashMarginType: "5",
};
const SHORT_SELL_BYTES = fromHex(`
  4f                            -- type O
  01020304                      -- order token
  41422043442031323334          -- "AB CD 1234"
  54                            -- T
  7fffffff                      -- quantity
  31413243                      -- "1A2C"
  4e474854                      -- "NGHT"
  7ffffffe                      -- price
  00000000                      -- TIF 0
  fffffffe                      -- firm
  50 41                         -- display P, capacity A
  000001f4                      -- minimum quantity 500
  36 35                         -- classification 6, cash margin 5
`.replace(/--.*$/gm, ""));

const CASE: MessageCase<EnterOrder> = {
  type: "enterOrder",
  encodeName: "encodeEnterOrder",
  decodeName: "decodeEnterOrder",
  length: 48,
  typeChar: "O",
  encode: encodeEnterOrder,
  decode: decodeEnterOrder,
  fields: ENTER_ORDER_FIELDS,
  sample: LENNY,
};

Deno.test("ENTER_ORDER_OFFSETS matches spec §3.1", () => {
  assert.equal(ENTER_ORDER_LENGTH, 48);
  assert.equal(ENTER_ORDER_TYPE, 0x4f);
  assert.deepEqual({ ...ENTER_ORDER_OFFSETS }, offsetsOf(ENTER_ORDER_FIELDS));
});

Deno.test("encodeEnterOrder() writes spec §9's bytes", () => {
  const target = new Uint8Array(48);
  assert.equal(encodeEnterOrder(LENNY, target), 48);
  assert.equal(toHex(target), toHex(LENNY_V112));
  assert.equal(toHex(target.subarray(20, 24)), "31202020");
});

Deno.test("encodeEnterOrder() writes spec §9's bytes in v1.11", () => {
  const target = new Uint8Array(48);
  assert.equal(encodeEnterOrder(LENNY, target, 0, { version: "1.11" }), 48);
  assert.equal(toHex(target), toHex(LENNY_V111));
  assert.equal(toHex(target.subarray(20, 24)), "00000001");
});

Deno.test("decodeEnterOrder() reads spec §9's bytes in both versions", () => {
  assert.deepEqual(decodeEnterOrder(LENNY_V112), LENNY);
  assert.deepEqual(decodeEnterOrder(LENNY_V112, { version: "1.12" }), LENNY);
  assert.deepEqual(decodeEnterOrder(LENNY_V111, { version: "1.11" }), LENNY);
});

Deno.test("encodeEnterOrder() writes every field of the §3.1 table", () => {
  const target = new Uint8Array(48);
  encodeEnterOrder(SHORT_SELL, target);
  assert.equal(toHex(target), toHex(SHORT_SELL_BYTES));
});

Deno.test("decodeEnterOrder() reads every field of the §3.1 table", () => {
  assert.deepEqual(decodeEnterOrder(SHORT_SELL_BYTES), SHORT_SELL);
});

Deno.test("decodeEnterOrder() reads from a view without copying", () => {
  const buffer = new Uint8Array(100);
  buffer.set(LENNY_V112, 37);
  assert.deepEqual(decodeEnterOrder(buffer.subarray(37, 85)), LENNY);
});

Deno.test("encodeEnterOrder() leaves exchange rules to the exchange", () => {
  const odd: EnterOrder = {
    ...LENNY,
    price: 0,
    quantity: 0xffffffff,
    timeInForce: 12345,
    buySellIndicator: "Z",
    group: "XXXX",
    display: "Q",
    capacity: "?",
    orderClassification: "2",
    cashMarginType: "9",
  };
  const target = new Uint8Array(48);
  encodeEnterOrder(odd, target);
  assert.equal(toHex(target.subarray(28, 32)), "00000000");
  assert.equal(toHex(target.subarray(16, 20)), "ffffffff");
  assert.deepEqual(decodeEnterOrder(target), odd);
});

testMessageRules(CASE);
testRoundTrip(CASE);
