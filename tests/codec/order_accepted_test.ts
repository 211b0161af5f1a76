import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { OrderAccepted } from "../../lib/codec/messages.ts";
import {
  decodeOrderAccepted,
  encodeOrderAccepted,
  ORDER_ACCEPTED_LENGTH,
  ORDER_ACCEPTED_OFFSETS,
  ORDER_ACCEPTED_TYPE,
} from "../../lib/codec/order_accepted.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { ORDER_ACCEPTED_FIELDS } from "./_fields.ts";

const ACCEPTED: OrderAccepted = {
  type: "orderAccepted",
  timestamp: 75_600_123_456_789,
  orderToken: 7,
  clientReference: "ACCT0042",
  buySellIndicator: "S",
  quantity: 1_000_000,
  orderbookId: "7203",
  group: "DAYX",
  price: 2_147_483_646,
  timeInForce: 0,
  firmId: 42,
  display: " ",
  capacity: "A",
  orderNumber: 123_456_789_012,
  minimumQuantity: 100,
  orderState: "D",
  orderClassification: "3",
  cashMarginType: "2",
};
function acceptedBytes(orderbook: string): Uint8Array {
  return fromHex(`
    41                    -- type A
    000044c20680ed15      -- timestamp 21:00:00.123456789
    00000007              -- order token 7
    41434354303034322020  -- "ACCT0042  "
    53                    -- S
    000f4240              -- quantity 1,000,000
    ${orderbook}          -- orderbook
    44415958              -- "DAYX"
    7ffffffe              -- price 214,748,364.6
    00000000              -- TIF 0
    0000002a              -- firm 42
    20 41                 -- display " ", capacity A
    0000001cbe991a14      -- order number 123,456,789,012
    00000064              -- minimum quantity 100
    44                    -- state D
    33 32                 -- classification 3, cash margin 2
  `.replace(/--.*$/gm, ""));
}
/** v1.12: "7203" as Alpha. */
const ACCEPTED_V112 = acceptedBytes("37323033");
/** v1.11: 7203 = 0x1c23 as a uint32. */
const ACCEPTED_V111 = acceptedBytes("00001c23");

const CASE: MessageCase<OrderAccepted> = {
  type: "orderAccepted",
  encodeName: "encodeOrderAccepted",
  decodeName: "decodeOrderAccepted",
  length: 65,
  typeChar: "A",
  encode: encodeOrderAccepted,
  decode: decodeOrderAccepted,
  fields: ORDER_ACCEPTED_FIELDS,
  sample: ACCEPTED,
};

Deno.test("ORDER_ACCEPTED_OFFSETS matches spec §4.2", () => {
  assert.equal(ORDER_ACCEPTED_LENGTH, 65);
  assert.equal(ORDER_ACCEPTED_TYPE, 0x41);
  assert.deepEqual(
    { ...ORDER_ACCEPTED_OFFSETS },
    offsetsOf(ORDER_ACCEPTED_FIELDS),
  );
});

Deno.test("encodeOrderAccepted() writes the §4.2 bytes", () => {
  const target = new Uint8Array(65);
  assert.equal(encodeOrderAccepted(ACCEPTED, target), 65);
  assert.equal(toHex(target), toHex(ACCEPTED_V112));
});

Deno.test("encodeOrderAccepted() writes the §4.2 bytes in v1.11", () => {
  const target = new Uint8Array(65);
  assert.equal(
    encodeOrderAccepted(ACCEPTED, target, 0, { version: "1.11" }),
    65,
  );
  assert.equal(toHex(target), toHex(ACCEPTED_V111));
});

Deno.test("decodeOrderAccepted() reads the §4.2 bytes in both versions", () => {
  assert.deepEqual(decodeOrderAccepted(ACCEPTED_V112), ACCEPTED);
  assert.deepEqual(
    decodeOrderAccepted(ACCEPTED_V111, { version: "1.11" }),
    ACCEPTED,
  );
});

testMessageRules(CASE);
testRoundTrip(CASE);
