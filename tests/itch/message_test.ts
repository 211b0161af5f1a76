import assert from "node:assert/strict";
import fc from "fast-check";
import { toHex } from "../../lib/codec/hex.ts";
import {
  decodeItch,
  encodeItch,
  encodeItchInto,
} from "../../lib/itch/message.ts";
import {
  ITCH_MESSAGE_LENGTHS,
  ITCH_MESSAGE_TYPE_CODES,
  type ItchMessage,
  itchVersionFor,
} from "../../lib/itch/messages.ts";
import { alphaText, id64, uint32 } from "./_message_cases.ts";

/** One valid message of every type. */
const EVERY: readonly ItchMessage[] = [
  { type: "timestampSeconds", seconds: 32_400 },
  { type: "systemEvent", nanoseconds: 1, group: "", eventCode: "O" },
  {
    type: "priceTickSize",
    nanoseconds: 2,
    tickTableId: 1,
    tickSize: 10,
    priceStart: 0,
  },
  {
    type: "orderbookDirectory",
    nanoseconds: 3,
    orderbookId: "7203",
    isin: "JP3633400001",
    group: "DAY",
    roundLotSize: 100,
    tickTableId: 3,
    priceDecimals: 1,
    upperPriceLimit: 33_000,
    lowerPriceLimit: 23_000,
  },
  {
    type: "tradingState",
    nanoseconds: 4,
    orderbookId: "7203",
    group: "DAY",
    tradingState: "T",
  },
  {
    type: "shortSellingState",
    nanoseconds: 5,
    orderbookId: "7203",
    group: "DAY",
    shortSellingState: "1",
  },
  {
    type: "orderAdded",
    nanoseconds: 6,
    orderNumber: 202611280000000001n,
    side: "B",
    quantity: 100,
    orderbookId: "7203",
    group: "DAY",
    price: 28_000,
  },
  {
    type: "orderAddedWithAttributes",
    nanoseconds: 7,
    orderNumber: 202611280000000002n,
    side: "S",
    quantity: 100,
    orderbookId: "7203",
    group: "DAY",
    price: 28_010,
    attribution: "",
    orderType: "Q",
  },
  {
    type: "orderExecuted",
    nanoseconds: 8,
    orderNumber: 202611280000000001n,
    executedQuantity: 40,
    matchNumber: 202611280000000001n,
  },
  { type: "orderDeleted", nanoseconds: 9, orderNumber: 202611280000000002n },
  {
    type: "orderReplaced",
    nanoseconds: 10,
    originalOrderNumber: 202611280000000001n,
    newOrderNumber: 202611280000000003n,
    quantity: 60,
    price: 28_000,
  },
  { type: "endOfSnapshot", sequenceNumber: 11 },
];

Deno.test("ITCH_MESSAGE_TYPE_CODES and ITCH_MESSAGE_LENGTHS list jnx-itch.md §2", () => {
  assert.equal(
    Object.values(ITCH_MESSAGE_TYPE_CODES).join(""),
    "TSLRHYAFEDUG",
  );
  assert.deepEqual(
    Object.values(ITCH_MESSAGE_LENGTHS),
    [5, 10, 17, 45, 14, 14, 30, 35, 25, 13, 29, 9],
  );
  assert.deepEqual(
    EVERY.map((m) => m.type),
    Object.keys(ITCH_MESSAGE_TYPE_CODES),
  );
});

Deno.test("encodeItch() and decodeItch() dispatch every message type in both versions", () => {
  for (const version of ["1.7", "1.6"] as const) {
    for (const message of EVERY) {
      const bytes = encodeItch(message, { version });
      assert.equal(bytes.length, ITCH_MESSAGE_LENGTHS[message.type]);
      assert.equal(
        String.fromCharCode(bytes[0]!),
        ITCH_MESSAGE_TYPE_CODES[message.type],
      );
      assert.deepEqual(decodeItch(bytes, { version }), message);
      const target = new Uint8Array(bytes.length + 3);
      assert.equal(
        encodeItchInto(message, target, 3, { version }),
        bytes.length,
      );
      assert.equal(toHex(target.subarray(3)), toHex(bytes));
    }
  }
});

Deno.test("decodeItch() rejects every unknown type byte at offset 0", () => {
  const known = new Set<string>(Object.values(ITCH_MESSAGE_TYPE_CODES));
  for (let byte = 0; byte < 256; byte++) {
    if (known.has(String.fromCharCode(byte))) continue;
    assert.throws(() => decodeItch(new Uint8Array([byte, 0, 0, 0, 0])), {
      name: "ItchDecodeError",
      message: new RegExp(
        `^Cannot decode ITCH message as its type byte must be one of "T", "S", "L", "R", "H", "Y", "A", "F", "E", "D", "U", "G": current byte is ".+" \\(0x${
          byte.toString(16).padStart(2, "0")
        }\\)$`,
      ),
      offset: 0,
      messageType: "itchMessage",
      field: "messageType",
    });
  }
});

Deno.test("decodeItch() rejects an empty message", () => {
  assert.throws(() => decodeItch(new Uint8Array(0)), {
    name: "ItchDecodeError",
    message:
      "Cannot decode ITCH message as it must start with a type byte: current length is 0",
    offset: 0,
  });
});

Deno.test("decodeItch() checks the length of a known type before its fields", () => {
  assert.throws(() => decodeItch(new Uint8Array([0x41, 0xff])), {
    name: "ItchDecodeError",
    message:
      "Cannot decode orderAdded as it must be 30 bytes: current length is 2",
    offset: 2,
  });
});

Deno.test("encodeItch() and encodeItchInto() refuse an unknown message type", () => {
  const rule =
    'one of "timestampSeconds", "systemEvent", "priceTickSize", "orderbookDirectory", "tradingState", "shortSellingState", "orderAdded", "orderAddedWithAttributes", "orderExecuted", "orderDeleted", "orderReplaced", "endOfSnapshot"';
  for (
    const [value, text] of [
      ["orderAccepted", '"orderAccepted"'],
      ["toString", '"toString"'],
      [undefined, "undefined"],
    ] as const
  ) {
    const message = { type: value } as unknown as ItchMessage;
    const expected = {
      name: "ItchEncodeError",
      message:
        `Cannot encode itchMessage field type as ${rule}: current value is ${text}`,
      field: "type",
    };
    assert.throws(() => encodeItch(message), expected);
    assert.throws(
      () => encodeItchInto(message, new Uint8Array(64)),
      expected,
    );
  }
});

Deno.test("itchVersionFor() pairs ITCH 1.7 with OUCH 1.12 and 1.6 with 1.11 (M1)", () => {
  assert.equal(itchVersionFor("1.12"), "1.7");
  assert.equal(itchVersionFor("1.11"), "1.6");
  assert.throws(() => itchVersionFor("1.10" as "1.12"), {
    name: "RangeError",
    message:
      'Cannot choose the ITCH version as the OUCH version must be one of "1.12", "1.11": current version is "1.10"',
  });
});

Deno.test("decodeItch() inverts encodeItch() for random order messages", () => {
  const added = fc.record({
    type: fc.constant("orderAdded" as const),
    nanoseconds: fc.integer({ min: 0, max: 999_999_999 }),
    orderNumber: id64,
    side: fc.constantFrom("B" as const, "S" as const),
    quantity: uint32,
    orderbookId: alphaText(4),
    group: alphaText(4),
    price: uint32,
  }, { noNullPrototype: true });
  fc.assert(
    fc.property(added, (message) => {
      assert.deepEqual(decodeItch(encodeItch(message)), message);
    }),
    { numRuns: 200 },
  );
});
