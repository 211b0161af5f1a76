import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { OrderAccepted } from "../../lib/codec/messages.ts";
import { decodeOutbound } from "../../lib/codec/message.ts";
import {
  decodeServerPacket,
  encodeSequencedInto,
} from "../../lib/codec/soupbintcp.ts";
import { FrameReader } from "../../lib/codec/frame_reader.ts";
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
  orderNumber: 123_456_789_012n,
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

/**
 * A real Japannext capture (OMI test packets, OUCH v1.11, orderbook 4422): one Sequenced Data
 * packet holding an Order Accepted whose Order Number, 202307130000000093, is above 2^53.
 */
const CAPTURE = fromHex(
  Deno.readTextFileSync(
    new URL("../../test_inputs/jnx_order_accepted_v1_11.hex", import.meta.url),
  ).trim(),
);
const CAPTURED: OrderAccepted = {
  type: "orderAccepted",
  timestamp: 44_659_315_808_000, // 12:24:19.315808000
  orderToken: 74,
  clientReference: "ref1",
  buySellIndicator: "B",
  quantity: 100,
  orderbookId: "4422",
  group: "DAYX",
  price: 11_010,
  timeInForce: 99_999,
  firmId: 0,
  display: " ",
  capacity: "A",
  orderNumber: 202307130000000093n,
  minimumQuantity: 0,
  orderState: "L",
  orderClassification: "1",
  cashMarginType: "1",
};

Deno.test("decodeOutbound() reads a real Japannext Order Accepted exactly (v1.11 capture)", () => {
  const messages: unknown[] = [];
  new FrameReader().push(CAPTURE, (type, payload) => {
    const packet = decodeServerPacket(type, payload);
    assert.equal(packet.type, "sequencedData");
    if (packet.type === "sequencedData") {
      messages.push(decodeOutbound(packet.message, { version: "1.11" }));
    }
  });
  assert.deepEqual(messages, [CAPTURED]);
  assert.equal(CAPTURED.orderNumber, 0x02cebd434b2dc45dn);
  assert.ok(CAPTURED.orderNumber > BigInt(Number.MAX_SAFE_INTEGER));
});

Deno.test("encodeSequencedInto() writes the Japannext capture back byte for byte (v1.11)", () => {
  const target = new Uint8Array(CAPTURE.length);
  assert.equal(
    encodeSequencedInto(CAPTURED, target, 0, { version: "1.11" }),
    CAPTURE.length,
  );
  assert.equal(toHex(target), toHex(CAPTURE));
});
