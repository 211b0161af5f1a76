import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeEnterOrder } from "../../lib/codec/enter_order.ts";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import {
  decodeInbound,
  decodeOutbound,
  encodeMessage,
  encodeMessageInto,
} from "../../lib/codec/message.ts";
import {
  type EnterOrder,
  MESSAGE_LENGTHS,
  type OuchMessage,
} from "../../lib/codec/messages.ts";
import { inboundArbitrary, outboundArbitrary } from "./_fields.ts";

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

/** One sample of each message type, with its bytes written by hand from spec §3-§4. */
const SAMPLES: readonly [OuchMessage, string][] = [
  [
    LENNY,
    "4f00000001 4c656e6e792020202020 42 00000064 31202020 44415920 000059d8 0001869f 00000000 20 50 00000000 31 31",
  ],
  [{
    type: "replaceOrder",
    existingOrderToken: 1,
    replacementOrderToken: 2,
    quantity: 200,
    price: 23010,
    timeInForce: 99999,
    display: " ",
    minimumQuantity: 0,
  }, "55 00000001 00000002 000000c8 000059e2 0001869f 20 00000000"],
  [{ type: "cancelOrder", orderToken: 2, quantity: 0 }, "58 00000002 00000000"],
  [
    { type: "systemEvent", timestamp: 32_400_000_000_000, eventCode: "E" },
    "53 00001d77b67da000 45",
  ],
  [
    {
      type: "orderAccepted",
      timestamp: 1,
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
      orderNumber: 5n,
      minimumQuantity: 0,
      orderState: "L",
      orderClassification: "1",
      cashMarginType: "1",
    },
    "41 0000000000000001 00000001 4c656e6e792020202020 42 00000064 31202020 44415920 000059d8 0001869f 00000000 20 50 0000000000000005 00000000 4c 31 31",
  ],
  [
    {
      type: "orderReplaced",
      timestamp: 2,
      replacementOrderToken: 2,
      buySellIndicator: "B",
      quantity: 200,
      orderbookId: "1",
      group: "DAY",
      price: 23010,
      timeInForce: 99999,
      display: " ",
      orderNumber: 5n,
      minimumQuantity: 0,
      orderState: "L",
      previousOrderToken: 1,
    },
    "55 0000000000000002 00000002 42 000000c8 31202020 44415920 000059e2 0001869f 20 0000000000000005 00000000 4c 00000001",
  ],
  [{
    type: "orderCanceled",
    timestamp: 3,
    orderToken: 2,
    decrementQuantity: 200,
    orderCanceledReason: "U",
  }, "43 0000000000000003 00000002 000000c8 55"],
  [{
    type: "orderAiqCanceled",
    timestamp: 4,
    orderToken: 3,
    decrementQuantity: 50,
    orderCanceledReason: "O",
    quantityPreventedFromTrading: 50,
    executionPrice: 23000,
    liquidityIndicator: "R",
  }, "44 0000000000000004 00000003 00000032 4f 00000032 000059d8 52"],
  [{
    type: "orderExecuted",
    timestamp: 5,
    orderToken: 2,
    executedQuantity: 100,
    executionPrice: 23010,
    liquidityIndicator: "A",
    matchNumber: 9n,
  }, "45 0000000000000005 00000002 00000064 000059e2 41 0000000000000009"],
  [{
    type: "orderRejected",
    timestamp: 6,
    orderToken: 4,
    orderRejectedReason: "X",
  }, "4a 0000000000000006 00000004 58"],
];
const INBOUND = new Set(["enterOrder", "replaceOrder", "cancelOrder"]);

Deno.test("encodeMessageInto() dispatches each of the ten messages by type", () => {
  assert.equal(SAMPLES.length, 10);
  for (const [msg, hex] of SAMPLES) {
    const expected = fromHex(hex);
    assert.equal(expected.length, MESSAGE_LENGTHS[msg.type], msg.type);
    const target = new Uint8Array(expected.length + 3);
    assert.equal(encodeMessageInto(msg, target, 3), expected.length);
    assert.equal(toHex(target.subarray(3)), toHex(expected), msg.type);
  }
});

Deno.test("encodeMessage() returns fresh bytes of the message's length", () => {
  for (const [msg, hex] of SAMPLES) {
    const bytes = encodeMessage(msg);
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, MESSAGE_LENGTHS[msg.type]);
    assert.equal(toHex(bytes), toHex(fromHex(hex)));
  }
});

Deno.test("encodeMessage() writes spec §9's bytes in both versions", () => {
  const spec = fromHex(`
    4f 00 00 00 01 4c 65 6e 6e 79 20 20 20 20 20 42
    00 00 00 64 31 20 20 20 44 41 59 20 00 00 59 d8
    00 01 86 9f 00 00 00 00 20 50 00 00 00 00 31 31
  `);
  assert.deepEqual(encodeMessage(LENNY), spec);
  const v111 = encodeMessage(LENNY, { version: "1.11" });
  assert.equal(toHex(v111.subarray(20, 24)), "00000001");
  spec.set([0, 0, 0, 1], 20);
  assert.deepEqual(v111, spec);
  const target = new Uint8Array(48);
  encodeEnterOrder(LENNY, target, 0, { version: "1.11" });
  assert.deepEqual(v111, target);
});

Deno.test("encodeMessageInto() and encodeMessage() refuse an unknown type", () => {
  const bad = { ...LENNY, type: "enterOrders" } as unknown as OuchMessage;
  for (
    const encode of [
      () => encodeMessage(bad),
      () => encodeMessageInto(bad, new Uint8Array(64)),
    ]
  ) {
    assert.throws(encode, {
      name: "OuchEncodeError",
      message:
        /^Cannot encode message field type as one of "enterOrder", .*"orderRejected": current value is "enterOrders"$/,
      field: "type",
      value: "enterOrders",
    });
  }
});

Deno.test("decodeInbound() reads each inbound message and decodeOutbound() each outbound one", () => {
  for (const [msg, hex] of SAMPLES) {
    const bytes = fromHex(hex);
    if (INBOUND.has(msg.type)) {
      assert.deepEqual(decodeInbound(bytes), msg);
      assert.deepEqual(decodeInbound(bytes, { version: "1.12" }), msg);
    } else {
      assert.deepEqual(decodeOutbound(bytes), msg);
    }
  }
});

Deno.test("decodeInbound() reads U as Replace Order and decodeOutbound() as Order Replaced", () => {
  const replace = fromHex(SAMPLES[1]![1]);
  const replaced = fromHex(SAMPLES[5]![1]);
  assert.equal(decodeInbound(replace).type, "replaceOrder");
  assert.equal(decodeOutbound(replaced).type, "orderReplaced");
  assert.throws(() => decodeInbound(replaced), {
    name: "OuchDecodeError",
    message:
      "Cannot decode replaceOrder as it must be 26 bytes: current length is 52",
  });
  assert.throws(() => decodeOutbound(replace), {
    name: "OuchDecodeError",
    message:
      "Cannot decode orderReplaced as it must be 52 bytes: current length is 26",
  });
});

Deno.test("decodeInbound() rejects an unknown type byte, naming it as a character and in hex", () => {
  const cases: [string, RegExp][] = [
    [
      "51",
      /^Cannot decode inbound message as its type byte must be one of "O", "U", "X": current byte is "Q" \(0x51\)$/,
    ],
    ["41", /current byte is "A" \(0x41\), an outbound message type$/],
    ["00", /current byte is "\\u0000" \(0x00\)$/],
    ["ff 00", /current byte is "\\u00ff" \(0xff\)$/],
  ];
  for (const [hex, message] of cases) {
    assert.throws(() => decodeInbound(fromHex(hex)), {
      name: "OuchDecodeError",
      message,
      offset: 0,
      messageType: "inboundMessage",
    });
  }
  assert.throws(() => decodeInbound(new Uint8Array(0)), {
    name: "OuchDecodeError",
    message: /must start with a type byte: current length is 0/,
    offset: 0,
  });
});

Deno.test("decodeOutbound() rejects an unknown type byte, naming it as a character and in hex", () => {
  const cases: [string, RegExp][] = [
    [
      "51",
      /^Cannot decode outbound message as its type byte must be one of "S", "A", "U", "C", "D", "E", "J": current byte is "Q" \(0x51\)$/,
    ],
    ["4f", /current byte is "O" \(0x4f\), an inbound message type$/],
    ["58", /current byte is "X" \(0x58\), an inbound message type$/],
    ["7f", /current byte is "\\u007f" \(0x7f\)$/],
  ];
  for (const [hex, message] of cases) {
    assert.throws(() => decodeOutbound(fromHex(hex)), {
      name: "OuchDecodeError",
      message,
      offset: 0,
      messageType: "outboundMessage",
    });
  }
  assert.throws(() => decodeOutbound(new Uint8Array(0)), {
    name: "OuchDecodeError",
    message: /must start with a type byte/,
  });
});

Deno.test("decodeInbound() and decodeOutbound() invert encodeMessage() in both versions", () => {
  for (const version of ["1.12", "1.11"] as const) {
    fc.assert(
      fc.property(inboundArbitrary(version), (msg) => {
        const bytes = encodeMessage(msg, { version });
        assert.equal(bytes.length, MESSAGE_LENGTHS[msg.type]);
        assert.deepEqual(decodeInbound(bytes, { version }), msg);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(outboundArbitrary(version), (msg) => {
        const bytes = encodeMessage(msg, { version });
        assert.equal(bytes.length, MESSAGE_LENGTHS[msg.type]);
        assert.deepEqual(decodeOutbound(bytes, { version }), msg);
      }),
      { numRuns: 300 },
    );
  }
});
