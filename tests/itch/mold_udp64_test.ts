import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import {
  decodeMoldUdp64,
  decodeMoldUdp64Request,
  encodeMoldUdp64,
  encodeMoldUdp64Into,
  encodeMoldUdp64RequestInto,
  MOLD_UDP64_OFFSETS,
  moldUdp64Length,
  type MoldUdp64Packet,
} from "../../lib/itch/mold_udp64.ts";
import { bytesOf } from "./_message_cases.ts";

const SESSION = "1689192121";
const SESSION_HEX = "31363839313932313231";

const T_MESSAGE = fromHex("54 00007e90");
const D_MESSAGE = fromHex("44 00000009 02cfd1e2bbe32001");

Deno.test("MOLD_UDP64_OFFSETS matches the MoldUDP64 header", () => {
  assert.deepEqual({ ...MOLD_UDP64_OFFSETS }, {
    session: 0,
    sequenceNumber: 10,
    messageCount: 18,
    messages: 20,
  });
});

Deno.test("encodeMoldUdp64() writes a downstream packet: header, then length + message blocks", () => {
  const datagram = encodeMoldUdp64({
    type: "downstream",
    session: SESSION,
    sequenceNumber: 4_294_967_296,
    messages: [T_MESSAGE, D_MESSAGE],
  });
  assert.equal(
    toHex(datagram),
    toHex(bytesOf(`
      ${SESSION_HEX}                -- session "1689192121"
      0000000100000000              -- sequence number 2^32 of the first message
      0002                          -- 2 messages
      0005 5400007e90               -- T, 5 bytes
      000d 44000000 0902cfd1e2bbe32001 -- D, 13 bytes
    `)),
  );
  assert.equal(datagram.length, moldUdp64Length(decodeMoldUdp64(datagram)));
});

Deno.test("encodeMoldUdp64() pads a short session with spaces and decodeMoldUdp64() trims it", () => {
  const packet: MoldUdp64Packet = {
    type: "heartbeat",
    session: "AB",
    sequenceNumber: 1,
  };
  const datagram = encodeMoldUdp64(packet);
  assert.equal(toHex(datagram.subarray(0, 10)), "41422020202020202020");
  assert.deepEqual(decodeMoldUdp64(datagram), packet);
});

Deno.test("encodeMoldUdp64() writes a heartbeat as count 0 and an end of session as count 0xFFFF", () => {
  assert.equal(
    toHex(encodeMoldUdp64({
      type: "heartbeat",
      session: SESSION,
      sequenceNumber: 12,
    })),
    `${SESSION_HEX}000000000000000c0000`,
  );
  assert.equal(
    toHex(encodeMoldUdp64({
      type: "endOfSession",
      session: SESSION,
      sequenceNumber: 12,
    })),
    `${SESSION_HEX}000000000000000cffff`,
  );
});

Deno.test("decodeMoldUdp64() reads every packet kind; messages are views into the datagram", () => {
  const datagram = fromHex(
    `${SESSION_HEX} 0000000000000003 0001 0005 5400007e90`,
  );
  const packet = decodeMoldUdp64(datagram);
  assert.equal(packet.type, "downstream");
  if (packet.type !== "downstream") return;
  assert.equal(packet.session, SESSION);
  assert.equal(packet.sequenceNumber, 3);
  assert.equal(toHex(packet.messages[0]!), "5400007e90");
  assert.equal(packet.messages[0]!.buffer, datagram.buffer);
  assert.deepEqual(
    decodeMoldUdp64(fromHex(`${SESSION_HEX} 0000000000000009 0000`)),
    { type: "heartbeat", session: SESSION, sequenceNumber: 9 },
  );
  assert.deepEqual(
    decodeMoldUdp64(fromHex(`${SESSION_HEX} 0000000000000009 ffff`)),
    { type: "endOfSession", session: SESSION, sequenceNumber: 9 },
  );
});

Deno.test("decodeMoldUdp64() rejects a datagram shorter than its header", () => {
  for (const length of [0, 1, 19]) {
    assert.throws(() => decodeMoldUdp64(new Uint8Array(length)), {
      name: "MoldUdp64Error",
      message:
        `Cannot decode moldUdp64Packet as it must be at least 20 bytes: current length is ${length}`,
      offset: length,
    });
  }
});

Deno.test("decodeMoldUdp64() rejects a session byte that is not printable ASCII", () => {
  const datagram = fromHex(`${SESSION_HEX} 0000000000000009 0000`);
  datagram[4] = 0x00;
  assert.throws(() => decodeMoldUdp64(datagram), {
    name: "MoldUdp64Error",
    message:
      'Cannot decode moldUdp64Packet field session as printable ASCII: current byte is "\\u0000" (0x00) at offset 4',
    offset: 4,
    field: "session",
  });
});

Deno.test("decodeMoldUdp64() and decodeMoldUdp64Request() reject a sequence number above 2^53 - 1", () => {
  const header = `${SESSION_HEX} 0020000000000000 0000`;
  assert.throws(() => decodeMoldUdp64(fromHex(header)), {
    name: "MoldUdp64Error",
    message:
      "Cannot decode moldUdp64Packet field sequenceNumber as a safe integer: current value is 0x0020000000000000",
    offset: 10,
    field: "sequenceNumber",
  });
  assert.throws(() => decodeMoldUdp64Request(fromHex(header)), {
    name: "MoldUdp64Error",
    message:
      "Cannot decode moldUdp64Request field sequenceNumber as a safe integer: current value is 0x0020000000000000",
  });
  assert.equal(
    decodeMoldUdp64(fromHex(`${SESSION_HEX} 001fffffffffffff 0000`))
      .sequenceNumber,
    Number.MAX_SAFE_INTEGER,
  );
});

Deno.test("decodeMoldUdp64() rejects a heartbeat or end of session with bytes after the header", () => {
  for (
    const [count, name] of [["0000", "heartbeat"], ["ffff", "end of session"]]
  ) {
    assert.throws(
      () =>
        decodeMoldUdp64(fromHex(`${SESSION_HEX} 0000000000000001 ${count} 00`)),
      {
        name: "MoldUdp64Error",
        message:
          `Cannot decode moldUdp64Packet as a ${name} has no message blocks: 1 bytes follow the header`,
        offset: 20,
        field: "messages",
      },
    );
  }
});

Deno.test("decodeMoldUdp64() rejects message blocks that do not match the count", () => {
  const header = `${SESSION_HEX} 0000000000000001`;
  for (
    const [blocks, state, offset] of [
      ["0002 0001 47", "message 2 of 2 has no length: 0 bytes are left", 23],
      ["0001 00", "message 1 of 1 has no length: 1 bytes are left", 20],
      ["0001 0000", "message 1 of 1 is empty", 20],
      [
        "0001 0005 540000",
        "message 1 of 1 needs 5 bytes: 3 bytes are left",
        22,
      ],
      [
        "0001 0001 47 00",
        "1 messages end at byte 23: 1 bytes are left over",
        23,
      ],
    ] as const
  ) {
    assert.throws(() => decodeMoldUdp64(fromHex(`${header} ${blocks}`)), {
      name: "MoldUdp64Error",
      message:
        `Cannot decode moldUdp64Packet as its message blocks must match its count: ${state}`,
      offset,
      field: "messages",
    });
  }
});

Deno.test("encodeMoldUdp64Into() writes at an offset and refuses a target without room", () => {
  const packet: MoldUdp64Packet = {
    type: "downstream",
    session: SESSION,
    sequenceNumber: 1,
    messages: [T_MESSAGE],
  };
  const target = new Uint8Array(30).fill(0xee);
  assert.equal(encodeMoldUdp64Into(packet, target, 3), 27);
  assert.equal(toHex(target.subarray(3)), toHex(encodeMoldUdp64(packet)));
  assert.equal(target[2], 0xee);
  assert.throws(() => encodeMoldUdp64Into(packet, new Uint8Array(26)), {
    name: "RangeError",
    message:
      "Cannot encode moldUdp64Packet as it needs 27 bytes: 26 bytes are free at offset 0",
  });
});

Deno.test("encodeMoldUdp64() refuses a bad packet, naming the field", () => {
  const base = { session: SESSION, sequenceNumber: 1 };
  for (
    const [packet, field, message] of [
      [
        { ...base, type: "request" },
        "type",
        'as one of "downstream", "heartbeat", "endOfSession": current value is "request"',
      ],
      [
        { ...base, type: "downstream", messages: [] },
        "messages",
        "as 1 to 65534 messages: current count is 0",
      ],
      [
        {
          ...base,
          type: "downstream",
          messages: Array.from({ length: 65_535 }, () => T_MESSAGE),
        },
        "messages",
        "as 1 to 65534 messages: current count is 65535",
      ],
      [
        { ...base, type: "downstream", messages: [new Uint8Array(0)] },
        "messages",
        "as each message must be 1 to 65535 bytes: current length is 0",
      ],
      [
        { ...base, type: "downstream", messages: [new Uint8Array(65_536)] },
        "messages",
        "as each message must be 1 to 65535 bytes: current length is 65536",
      ],
      [
        { ...base, type: "heartbeat", session: "12345678901" },
        "session",
        'as printable ASCII of at most 10 characters: current value is "12345678901"',
      ],
      [
        { ...base, type: "heartbeat", sequenceNumber: -1 },
        "sequenceNumber",
        "as a safe non-negative integer: current value is -1",
      ],
    ] as const
  ) {
    assert.throws(
      () => encodeMoldUdp64(packet as unknown as MoldUdp64Packet),
      {
        name: "ItchEncodeError",
        message: `Cannot encode moldUdp64Packet field ${field} ${message}`,
        field,
      },
    );
  }
});

Deno.test("encodeMoldUdp64RequestInto() and decodeMoldUdp64Request() write and read a request", () => {
  const target = new Uint8Array(20);
  const request = {
    type: "request",
    session: SESSION,
    sequenceNumber: 100,
    messageCount: 0xffff,
  } as const;
  assert.equal(encodeMoldUdp64RequestInto(request, target), 20);
  assert.equal(toHex(target), `${SESSION_HEX}0000000000000064ffff`);
  assert.deepEqual(decodeMoldUdp64Request(target), request);
  for (const messageCount of [-1, 65_536, 1.5]) {
    assert.throws(
      () => encodeMoldUdp64RequestInto({ ...request, messageCount }, target),
      {
        name: "ItchEncodeError",
        message:
          `Cannot encode moldUdp64Request field messageCount as a uint16: current value is ${messageCount}`,
      },
    );
  }
  for (const length of [0, 19, 21]) {
    assert.throws(() => decodeMoldUdp64Request(new Uint8Array(length)), {
      name: "MoldUdp64Error",
      message:
        `Cannot decode moldUdp64Request as it must be 20 bytes: current length is ${length}`,
    });
  }
});

Deno.test("decodeMoldUdp64() inverts encodeMoldUdp64()", () => {
  const session = fc.array(
    fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    { maxLength: 10 },
  ).map((chars) => chars.join(""));
  const packet: fc.Arbitrary<MoldUdp64Packet> = fc.oneof(
    fc.record({
      type: fc.constant("downstream" as const),
      session,
      sequenceNumber: fc.maxSafeNat(),
      messages: fc.array(fc.uint8Array({ minLength: 1, maxLength: 60 }), {
        minLength: 1,
        maxLength: 30,
      }),
    }, { noNullPrototype: true }),
    fc.record({
      type: fc.constantFrom("heartbeat" as const, "endOfSession" as const),
      session,
      sequenceNumber: fc.maxSafeNat(),
    }, { noNullPrototype: true }),
  );
  fc.assert(
    fc.property(packet, (p) => {
      const decoded = decodeMoldUdp64(encodeMoldUdp64(p));
      if (decoded.type === "downstream" && p.type === "downstream") {
        assert.deepEqual(
          decoded.messages.map((m) => toHex(m)),
          p.messages.map((m) => toHex(m)),
        );
        assert.deepEqual({ ...decoded, messages: [] }, { ...p, messages: [] });
      } else {
        assert.deepEqual(decoded, p);
      }
    }),
    { numRuns: 300 },
  );
});
