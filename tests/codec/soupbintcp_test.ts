import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import { encodeMessage } from "../../lib/codec/message.ts";
import type {
  EnterOrder,
  InboundMessage,
  OutboundMessage,
  SystemEvent,
} from "../../lib/codec/messages.ts";
import type {
  ClientPacket,
  ServerPacket,
  SoupBinTcpPacket,
} from "../../lib/codec/packets.ts";
import {
  decodeClientPacket,
  decodeServerPacket,
  encodePacket,
  encodePacketInto,
  encodeSequencedInto,
  encodeUnsequencedInto,
  MAX_PAYLOAD_LENGTH,
  PACKET_HEADER_LENGTH,
} from "../../lib/codec/soupbintcp.ts";
import { inboundArbitrary, outboundArbitrary } from "./_fields.ts";
import { alphaText, printableChar } from "./_message_cases.ts";

const text = new TextEncoder();

/** Spec §9's Enter Order. */
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
/** Spec §9's 51-byte Unsequenced Data packet. */
const LENNY_PACKET = fromHex(`
  00 31 55 4f 00 00 00 01 4c 65 6e 6e 79 20 20 20 20 20 42 00 00 00 64 31 20 20 20
  44 41 59 20 00 00 59 d8 00 01 86 9f 00 00 00 00 20 50 00 00 00 00 31 31
`);
const START: SystemEvent = {
  type: "systemEvent",
  timestamp: 32_400_000_000_000,
  eventCode: "S",
};
const START_MESSAGE = fromHex("53 00001d77b67da000 53");

/** Each of the ten packet types, with its bytes written by hand from spec §2. */
const PACKETS: readonly [
  SoupBinTcpPacket,
  string,
  "client" | "server" | "both",
][] = [
  [{ type: "debug", text: "hello" }, "0006 2b 68656c6c6f", "both"],
  [
    {
      type: "loginRequest",
      username: "alice",
      password: "secret",
      requestedSession: "",
      requestedSequenceNumber: 1,
    },
    `002f 4c
     616c69636520                              -- "alice "
     73656372657420202020                      -- "secret    "
     20202020202020202020                      -- session: blank
     2020202020202020202020202020202020202031  -- 19 spaces, "1"`,
    "client",
  ],
  [
    { type: "loginAccepted", session: "S1", sequenceNumber: 42 },
    `001f 41
     53312020202020202020                      -- "S1        "
     2020202020202020202020202020202020203432  -- 18 spaces, "42"`,
    "server",
  ],
  [{ type: "loginRejected", rejectReasonCode: "A" }, "0002 4a 41", "server"],
  [
    { type: "sequencedData", message: START_MESSAGE },
    "000b 53 53 00001d77b67da000 53",
    "server",
  ],
  [
    { type: "unsequencedData", message: LENNY_PACKET.slice(3) },
    toHex(LENNY_PACKET),
    "client",
  ],
  [{ type: "serverHeartbeat" }, "0001 48", "server"],
  [{ type: "clientHeartbeat" }, "0001 52", "client"],
  [{ type: "logoutRequest" }, "0001 4f", "client"],
  [{ type: "endOfSession" }, "0001 5a", "server"],
];

function hexOf(annotated: string): Uint8Array {
  return fromHex(annotated.replace(/--.*$/gm, ""));
}

function decodeAny(
  bytes: Uint8Array,
  direction: "client" | "server",
): SoupBinTcpPacket {
  const payload = bytes.subarray(PACKET_HEADER_LENGTH);
  return direction === "client"
    ? decodeClientPacket(bytes[2]!, payload)
    : decodeServerPacket(bytes[2]!, payload);
}

Deno.test("PACKET_HEADER_LENGTH is the 2-byte length plus the type byte", () => {
  assert.equal(PACKET_HEADER_LENGTH, 3);
  assert.equal(MAX_PAYLOAD_LENGTH, 65534);
});

Deno.test("encodePacket() writes each of the ten packet types as spec §2 shows", () => {
  assert.equal(PACKETS.length, 10);
  for (const [packet, hex] of PACKETS) {
    assert.equal(toHex(encodePacket(packet)), toHex(hexOf(hex)), packet.type);
  }
});

Deno.test("encodePacketInto() writes at an offset and returns the bytes written", () => {
  for (const [packet, hex] of PACKETS) {
    const expected = hexOf(hex);
    const target = new Uint8Array(expected.length + 7).fill(0xee);
    assert.equal(encodePacketInto(packet, target, 7), expected.length);
    assert.equal(toHex(target.subarray(7)), toHex(expected), packet.type);
    assert.equal(toHex(target.subarray(0, 7)), "ee".repeat(7));
  }
});

Deno.test("decodeClientPacket() and decodeServerPacket() read each packet type of their direction", () => {
  for (const [packet, hex, direction] of PACKETS) {
    const bytes = hexOf(hex);
    assert.equal(
      (bytes[0]! << 8) | bytes[1]!,
      bytes.length - 2,
      `${packet.type} length field`,
    );
    for (const side of ["client", "server"] as const) {
      if (direction === side || direction === "both") {
        assert.deepEqual(decodeAny(bytes, side), packet);
      }
    }
  }
});

Deno.test("decodeClientPacket() refuses server packets and decodeServerPacket() client packets", () => {
  for (const [packet, hex, direction] of PACKETS) {
    if (direction === "both") continue;
    const bytes = hexOf(hex);
    const other = direction === "client" ? "server" : "client";
    const char = String.fromCharCode(bytes[2]!);
    assert.throws(() => decodeAny(bytes, other), {
      name: "SoupBinTcpError",
      message: new RegExp(
        `^Cannot decode ${other} packet as its type must be one of .*: current type is "${char}" \\(0x${
          bytes[2]!.toString(16)
        }\\), .*, which only a ${direction} sends$`,
      ),
      offset: 2,
      field: "type",
    }, packet.type);
  }
  assert.throws(() => decodeClientPacket(0x53, new Uint8Array(0)), {
    message:
      /current type is "S" \(0x53\), Sequenced Data, which only a server sends/,
  });
  assert.throws(() => decodeServerPacket(0x55, new Uint8Array(0)), {
    message:
      /current type is "U" \(0x55\), Unsequenced Data, which only a client sends/,
  });
});

Deno.test("decodeClientPacket() and decodeServerPacket() refuse an unknown packet type", () => {
  assert.throws(() => decodeClientPacket(0x51, new Uint8Array(0)), {
    name: "SoupBinTcpError",
    message:
      'Cannot decode client packet as its type must be one of "+", "L", "U", "R", "O": current type is "Q" (0x51)',
    offset: 2,
  });
  assert.throws(() => decodeServerPacket(0x00, new Uint8Array(0)), {
    name: "SoupBinTcpError",
    message:
      'Cannot decode server packet as its type must be one of "+", "A", "J", "S", "H", "Z": current type is "\\u0000" (0x00)',
  });
});

Deno.test("decodeClientPacket() and decodeServerPacket() refuse a fixed-size packet of the wrong length", () => {
  const cases: [number, "client" | "server", string, number, number[]][] = [
    [0x4c, "client", "loginRequest", 46, [0, 45, 47]],
    [0x41, "server", "loginAccepted", 30, [0, 29, 31]],
    [0x4a, "server", "loginRejected", 1, [0, 2]],
    [0x48, "server", "serverHeartbeat", 0, [1, 2]],
    [0x5a, "server", "endOfSession", 0, [1]],
    [0x52, "client", "clientHeartbeat", 0, [1]],
    [0x4f, "client", "logoutRequest", 0, [1]],
  ];
  for (const [type, direction, name, expected, lengths] of cases) {
    for (const length of lengths) {
      const payload = new Uint8Array(length).fill(0x41);
      const decode = direction === "client"
        ? decodeClientPacket
        : decodeServerPacket;
      assert.throws(() => decode(type, payload), {
        name: "SoupBinTcpError",
        message:
          `Cannot decode ${name} as its payload must be ${expected} bytes: current length is ${length}`,
        offset: 3 + Math.min(length, expected),
        messageType: name,
      });
    }
  }
});

Deno.test("decodeClientPacket() returns the Unsequenced Data payload itself, not a copy", () => {
  const payload = LENNY_PACKET.subarray(3);
  const packet = decodeClientPacket(0x55, payload);
  assert.ok(packet.type === "unsequencedData");
  assert.equal(packet.message, payload);
  assert.equal(packet.message.buffer, LENNY_PACKET.buffer);
  assert.equal(packet.message.byteOffset, 3);
});

Deno.test("decodeServerPacket() returns the Sequenced Data payload itself, not a copy", () => {
  const packet = decodeServerPacket(0x53, START_MESSAGE);
  assert.ok(packet.type === "sequencedData");
  assert.equal(packet.message, START_MESSAGE);
});

function loginRequestPayload(
  username: string,
  password: string,
  session: string,
  sequence: string,
): Uint8Array {
  const payload = text.encode(username + password + session + sequence);
  assert.equal(payload.length, 46);
  return payload;
}

Deno.test("decodeClientPacket() reads Numeric fields leniently (K2)", () => {
  const cases: [string, number][] = [
    ["                   1", 1],
    ["00000000000000000042", 42],
    ["42                  ", 42],
    ["         42         ", 42],
    ["                    ", 0],
    ["                   0", 0],
    ["    9007199254740991", Number.MAX_SAFE_INTEGER],
  ];
  for (const [field, value] of cases) {
    const packet = decodeClientPacket(
      0x4c,
      loginRequestPayload("bob   ", "pw        ", "          ", field),
    );
    assert.ok(packet.type === "loginRequest");
    assert.equal(packet.requestedSequenceNumber, value, JSON.stringify(field));
  }
});

Deno.test("decodeClientPacket() refuses a non-digit in a Numeric field, naming its offset", () => {
  const cases: [string, string, number][] = [
    ["                  4x", "x", 48],
    ["                 4 2", " ", 47],
    ["                  -1", "-", 47],
    ["                  +1", "+", 47],
    ["                 1.0", ".", 47],
    ["\0                  1", "\\u0000", 29],
  ];
  for (const [field, char, offset] of cases) {
    const payload = loginRequestPayload(
      "bob   ",
      "pw        ",
      "          ",
      field,
    );
    assert.throws(() => decodeClientPacket(0x4c, payload), {
      name: "SoupBinTcpError",
      message: new RegExp(
        `^Cannot decode loginRequest field requestedSequenceNumber as Numeric digits: current byte is "${
          char.replace(/[.+\\]/g, "\\$&")
        }" \\(0x[0-9a-f]{2}\\) at offset ${offset}$`,
      ),
      offset,
      field: "requestedSequenceNumber",
    });
  }
});

Deno.test("decodeClientPacket() reads a 20-digit Requested Sequence Number exactly (issue #11 item 7)", () => {
  const cases: [string, number | bigint][] = [
    ["    9007199254740991", 9007199254740991],
    ["    9007199254740992", 9007199254740992n],
    ["00009007199254740993", 9007199254740993n],
    ["18446744073709551616", 18446744073709551616n],
    ["99999999999999999999", 99999999999999999999n],
  ];
  for (const [field, value] of cases) {
    const payload = loginRequestPayload(
      "bob   ",
      "pw        ",
      "          ",
      field,
    );
    const packet = decodeClientPacket(0x4c, payload);
    assert.deepEqual(
      packet.type === "loginRequest" && packet.requestedSequenceNumber,
      value,
    );
    // And back to the same 20 characters.
    const encoded = encodePacket(packet);
    assert.equal(
      new TextDecoder().decode(encoded.subarray(29, 49)),
      field.replace(/^0+/, "").padStart(20),
    );
  }
  // A non-digit after the digits that overflowed is still named.
  assert.throws(
    () =>
      decodeClientPacket(
        0x4c,
        loginRequestPayload(
          "bob   ",
          "pw        ",
          "          ",
          "9999999999999999999x",
        ),
      ),
    {
      name: "SoupBinTcpError",
      message: /as Numeric digits: current byte is "x"/,
    },
  );
  assert.throws(
    () =>
      encodePacket({
        type: "loginRequest",
        username: "bob",
        password: "pw",
        requestedSession: "",
        requestedSequenceNumber: 100_000_000_000_000_000_000n,
      }),
    { name: "OuchEncodeError" },
  );
});

Deno.test("decodeServerPacket() refuses a sequence number above Number.MAX_SAFE_INTEGER", () => {
  for (
    const field of [
      "    9007199254740992",
      "99999999999999999999",
      "00009007199254740993",
    ]
  ) {
    const payload = text.encode("S1        " + field);
    assert.throws(() => decodeServerPacket(0x41, payload), {
      name: "SoupBinTcpError",
      message:
        `Cannot decode loginAccepted field sequenceNumber as a safe integer: current text is "${field.trim()}"`,
      field: "sequenceNumber",
    });
  }
});

Deno.test("decodeServerPacket() trims the Login Accepted session on both sides", () => {
  for (const session of ["S1        ", "        S1", "   S1     "]) {
    assert.deepEqual(
      decodeServerPacket(0x41, text.encode(session + "1".padStart(20))),
      {
        type: "loginAccepted",
        session: "S1",
        sequenceNumber: 1,
      },
    );
  }
  assert.throws(
    () =>
      decodeServerPacket(
        0x41,
        text.encode("S1\0\0\0\0\0\0\0\0" + "1".padStart(20)),
      ),
    {
      name: "SoupBinTcpError",
      message:
        /^Cannot decode loginAccepted field session as printable ASCII: current byte is "\\u0000" \(0x00\) at offset 5$/,
      offset: 5,
    },
  );
});

Deno.test("decodeClientPacket() accepts NUL padding and termination in Login Request Alpha fields", () => {
  const packet = decodeClientPacket(
    0x4c,
    loginRequestPayload(
      "bob\0\0\0",
      "secret\0   ",
      "  S1\0\0\0\0\0\0",
      "1".padStart(20),
    ),
  );
  assert.deepEqual(packet, {
    type: "loginRequest",
    username: "bob",
    password: "secret",
    requestedSession: "S1",
    requestedSequenceNumber: 1,
  });
  assert.throws(
    () =>
      decodeClientPacket(
        0x4c,
        loginRequestPayload(
          "bob   ",
          "secret\0abc",
          "          ",
          "1".padStart(20),
        ),
      ),
    {
      name: "SoupBinTcpError",
      message:
        /^Cannot decode loginRequest field password as text padded with NUL after its NUL terminator: current byte is "a" \(0x61\) at offset 16$/,
      offset: 16,
      field: "password",
    },
  );
});

Deno.test("decodeClientPacket() refuses bytes that are not printable ASCII in Alpha fields", () => {
  const payload = loginRequestPayload(
    "bob   ",
    "pw        ",
    "          ",
    "1".padStart(20),
  );
  for (
    const [at, field] of [[1, "username"], [8, "password"], [
      20,
      "requestedSession",
    ]] as const
  ) {
    const bad = payload.slice();
    bad[at] = 0x80;
    assert.throws(() => decodeClientPacket(0x4c, bad), {
      name: "SoupBinTcpError",
      message:
        `Cannot decode loginRequest field ${field} as printable ASCII: current byte is "\\u0080" (0x80) at offset ${
          at + 3
        }`,
      offset: at + 3,
      field,
    });
  }
});

Deno.test("decodeServerPacket() refuses an unknown Login Reject Reason Code", () => {
  assert.deepEqual(decodeServerPacket(0x4a, text.encode("S")), {
    type: "loginRejected",
    rejectReasonCode: "S",
  });
  for (const code of ["X", "a", " "]) {
    assert.throws(() => decodeServerPacket(0x4a, text.encode(code)), {
      name: "SoupBinTcpError",
      message: new RegExp(
        `^Cannot decode loginRejected field rejectReasonCode as one of "A", "S": current value is "${code}"`,
      ),
      offset: 3,
    });
  }
});

Deno.test("decodeClientPacket() reads Debug text of any printable ASCII, length - 1 bytes", () => {
  const all = Array.from(
    { length: 0x5f },
    (_, i) => String.fromCharCode(0x20 + i),
  ).join("");
  assert.deepEqual(decodeClientPacket(0x2b, text.encode(all)), {
    type: "debug",
    text: all,
  });
  assert.deepEqual(decodeServerPacket(0x2b, new Uint8Array(0)), {
    type: "debug",
    text: "",
  });
  assert.throws(() => decodeServerPacket(0x2b, text.encode("ok\nno")), {
    name: "SoupBinTcpError",
    message:
      'Cannot decode debug field text as printable ASCII: current byte is "\\u000a" (0x0a) at offset 5',
    offset: 5,
  });
});

Deno.test("encodePacket() writes sequence numbers right-justified, space-padded (K2)", () => {
  for (
    const [value, field] of [[0, " ".repeat(19) + "0"], [
      Number.MAX_SAFE_INTEGER,
      "    9007199254740991",
    ]] as const
  ) {
    const bytes = encodePacket({
      type: "loginAccepted",
      session: "ABCDEFGHIJ",
      sequenceNumber: value,
    });
    assert.equal(
      new TextDecoder().decode(bytes.subarray(3)),
      "ABCDEFGHIJ" + field,
    );
  }
});

Deno.test("encodePacket() refuses fields that do not fit", () => {
  const login = {
    type: "loginRequest",
    username: "alice",
    password: "secret",
    requestedSession: "",
    requestedSequenceNumber: 1,
  } as const;
  const cases: [SoupBinTcpPacket, string, RegExp][] = [
    [
      { ...login, username: "alice12" },
      "username",
      /as printable ASCII of at most 6 characters: current value is "alice12"$/,
    ],
    [
      { ...login, password: "s\u00e9cret" },
      "password",
      /as printable ASCII of at most 10 characters/,
    ],
    [
      { ...login, requestedSession: "SESSION-0001" },
      "requestedSession",
      /at most 10 characters/,
    ],
    [
      { ...login, requestedSequenceNumber: -1 },
      "requestedSequenceNumber",
      /as a safe non-negative integer: current value is -1$/,
    ],
    [
      { ...login, requestedSequenceNumber: 1.5 },
      "requestedSequenceNumber",
      /current value is 1.5$/,
    ],
    [
      { type: "loginAccepted", session: "S1", sequenceNumber: 2 ** 53 },
      "sequenceNumber",
      /safe non-negative integer/,
    ],
    [
      {
        type: "loginRejected",
        rejectReasonCode: "X",
      } as unknown as SoupBinTcpPacket,
      "rejectReasonCode",
      /as one of "A", "S": current value is "X"$/,
    ],
    [
      { type: "debug", text: "line\n" },
      "text",
      /as printable ASCII of at most 65534 characters/,
    ],
    [
      { type: "debug", text: "x".repeat(65535) },
      "text",
      /at most 65534 characters/,
    ],
    [
      { type: "sequencedData", message: [1, 2] } as unknown as SoupBinTcpPacket,
      "message",
      /as a Uint8Array: current value is an array$/,
    ],
    [
      { type: "unsequencedData", message: new Uint8Array(65535) },
      "message",
      /as bytes of length at most 65534/,
    ],
    [
      { type: "heartbeat" } as unknown as SoupBinTcpPacket,
      "type",
      /^Cannot encode packet field type as one of "debug", .*: current value is "heartbeat"$/,
    ],
  ];
  for (const [packet, field, message] of cases) {
    assert.throws(() => encodePacket(packet), {
      name: "OuchEncodeError",
      field,
      message,
    }, field);
  }
});

Deno.test("encodePacketInto() refuses a target without room with a RangeError", () => {
  assert.throws(
    () => encodePacketInto({ type: "serverHeartbeat" }, new Uint8Array(2)),
    {
      name: "RangeError",
      message:
        "Cannot encode serverHeartbeat as it needs 3 bytes: 2 bytes are free at offset 0",
    },
  );
  assert.throws(
    () =>
      encodePacketInto(
        { type: "loginAccepted", session: "", sequenceNumber: 1 },
        new Uint8Array(40),
        8,
      ),
    {
      name: "RangeError",
      message: /needs 33 bytes: 32 bytes are free at offset 8/,
    },
  );
});

Deno.test("encodeUnsequencedInto() writes spec §9's 51-byte packet in place", () => {
  const target = new Uint8Array(60).fill(0xee);
  assert.equal(encodeUnsequencedInto(LENNY, target, 4), 51);
  assert.equal(toHex(target.subarray(4, 55)), toHex(LENNY_PACKET));
  assert.equal(toHex(target.subarray(55)), "eeeeeeeeee");
  const v111 = new Uint8Array(51);
  encodeUnsequencedInto(LENNY, v111, 0, { version: "1.11" });
  assert.equal(toHex(v111.subarray(23, 27)), "00000001");
});

Deno.test("encodeSequencedInto() writes the header and the message in place", () => {
  const target = new Uint8Array(13);
  assert.equal(encodeSequencedInto(START, target), 13);
  assert.equal(toHex(target), "000b535300001d77b67da00053");
});

Deno.test("encodeSequencedInto() and encodeUnsequencedInto() refuse messages of the other direction", () => {
  assert.throws(
    () =>
      encodeSequencedInto(
        LENNY as unknown as OutboundMessage,
        new Uint8Array(100),
      ),
    {
      name: "OuchEncodeError",
      message:
        'Cannot encode sequencedData field type as an outbound message type: current value is "enterOrder"',
      field: "type",
    },
  );
  assert.throws(
    () =>
      encodeUnsequencedInto(
        START as unknown as InboundMessage,
        new Uint8Array(100),
      ),
    {
      name: "OuchEncodeError",
      message:
        'Cannot encode unsequencedData field type as an inbound message type: current value is "systemEvent"',
    },
  );
});

Deno.test("encodeSequencedInto() and encodeUnsequencedInto() refuse a target without room", () => {
  assert.throws(() => encodeSequencedInto(START, new Uint8Array(12)), {
    name: "RangeError",
    message:
      "Cannot encode sequencedData as it needs 13 bytes: 12 bytes are free at offset 0",
  });
  assert.throws(() => encodeUnsequencedInto(LENNY, new Uint8Array(60), 10), {
    name: "RangeError",
    message:
      "Cannot encode unsequencedData as it needs 51 bytes: 50 bytes are free at offset 10",
  });
});

Deno.test("encodeSequencedInto() and encodeUnsequencedInto() match encodePacket() of the encoded message", () => {
  for (const version of ["1.12", "1.11"] as const) {
    fc.assert(
      fc.property(outboundArbitrary(version), (msg) => {
        const message = encodeMessage(msg, { version });
        const target = new Uint8Array(message.length + 3);
        assert.equal(
          encodeSequencedInto(msg, target, 0, { version }),
          target.length,
        );
        assert.deepEqual(
          target,
          encodePacket({ type: "sequencedData", message }),
        );
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(inboundArbitrary(version), (msg) => {
        const message = encodeMessage(msg, { version });
        const target = new Uint8Array(message.length + 3);
        assert.equal(
          encodeUnsequencedInto(msg, target, 0, { version }),
          target.length,
        );
        assert.deepEqual(
          target,
          encodePacket({ type: "unsequencedData", message }),
        );
      }),
      { numRuns: 200 },
    );
  }
});

/** Alpha text as decode returns it: no leading or trailing spaces. */
function trimmedText(width: number): fc.Arbitrary<string> {
  return alphaText(width).map((value) => value.trim());
}
const debugText = fc.array(printableChar, { maxLength: 300 }).map((chars) =>
  chars.join("")
);
const bytes = fc.uint8Array({ maxLength: 120 });

const clientPacket: fc.Arbitrary<ClientPacket> = fc.oneof(
  debugText.map((text): ClientPacket => ({ type: "debug", text })),
  fc.record({
    type: fc.constant("loginRequest" as const),
    username: trimmedText(6),
    password: trimmedText(10),
    requestedSession: trimmedText(10),
    requestedSequenceNumber: fc.oneof(
      fc.maxSafeNat(),
      fc.bigInt({
        min: BigInt(Number.MAX_SAFE_INTEGER) + 1n,
        max: 99_999_999_999_999_999_999n,
      }),
    ),
  }, { noNullPrototype: true }),
  bytes.map((message): ClientPacket => ({ type: "unsequencedData", message })),
  fc.constant<ClientPacket>({ type: "clientHeartbeat" }),
  fc.constant<ClientPacket>({ type: "logoutRequest" }),
);
const serverPacket: fc.Arbitrary<ServerPacket> = fc.oneof(
  debugText.map((text): ServerPacket => ({ type: "debug", text })),
  fc.record({
    type: fc.constant("loginAccepted" as const),
    session: trimmedText(10),
    sequenceNumber: fc.maxSafeNat(),
  }, { noNullPrototype: true }),
  fc.constantFrom("A", "S").map((code): ServerPacket => ({
    type: "loginRejected",
    rejectReasonCode: code as "A" | "S",
  })),
  bytes.map((message): ServerPacket => ({ type: "sequencedData", message })),
  fc.constant<ServerPacket>({ type: "serverHeartbeat" }),
  fc.constant<ServerPacket>({ type: "endOfSession" }),
);

Deno.test("decodeClientPacket() inverts encodePacket() for every client packet", () => {
  fc.assert(
    fc.property(clientPacket, (packet) => {
      const wire = encodePacket(packet);
      assert.equal((wire[0]! << 8) | wire[1]!, wire.length - 2);
      assert.deepEqual(decodeAny(wire, "client"), packet);
    }),
    { numRuns: 500 },
  );
});

Deno.test("decodeServerPacket() inverts encodePacket() for every server packet", () => {
  fc.assert(
    fc.property(serverPacket, (packet) => {
      const wire = encodePacket(packet);
      assert.equal((wire[0]! << 8) | wire[1]!, wire.length - 2);
      assert.deepEqual(decodeAny(wire, "server"), packet);
    }),
    { numRuns: 500 },
  );
});
