import assert from "node:assert/strict";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { SystemEvent } from "../../lib/codec/messages.ts";
import {
  decodeSystemEvent,
  encodeSystemEvent,
  SYSTEM_EVENT_LENGTH,
  SYSTEM_EVENT_OFFSETS,
  SYSTEM_EVENT_TYPE,
} from "../../lib/codec/system_event.ts";
import {
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testRoundTrip,
} from "./_message_cases.ts";
import { SYSTEM_EVENT_FIELDS } from "./_fields.ts";

/** Start of Day at 09:00:00 JST: 32,400 s after midnight, in nanoseconds. */
const START: SystemEvent = {
  type: "systemEvent",
  timestamp: 32_400_000_000_000,
  eventCode: "S",
};
const START_BYTES = fromHex("53 00001d77b67da000 53");
/** End of Day one nanosecond before midnight. */
const END: SystemEvent = {
  type: "systemEvent",
  timestamp: 86_399_999_999_999,
  eventCode: "E",
};
const END_BYTES = fromHex("53 00004e94914effff 45");

const CASE: MessageCase<SystemEvent> = {
  type: "systemEvent",
  encodeName: "encodeSystemEvent",
  decodeName: "decodeSystemEvent",
  length: 10,
  typeChar: "S",
  encode: encodeSystemEvent,
  decode: decodeSystemEvent,
  fields: SYSTEM_EVENT_FIELDS,
  sample: START,
};

Deno.test("SYSTEM_EVENT_OFFSETS matches spec §4.1", () => {
  assert.equal(SYSTEM_EVENT_LENGTH, 10);
  assert.equal(SYSTEM_EVENT_TYPE, 0x53);
  assert.deepEqual({ ...SYSTEM_EVENT_OFFSETS }, offsetsOf(SYSTEM_EVENT_FIELDS));
});

Deno.test("encodeSystemEvent() writes the §4.1 bytes in both versions", () => {
  for (const version of ["1.12", "1.11"] as const) {
    const target = new Uint8Array(10);
    assert.equal(encodeSystemEvent(START, target, 0, { version }), 10);
    assert.equal(toHex(target), toHex(START_BYTES));
    encodeSystemEvent(END, target, 0, { version });
    assert.equal(toHex(target), toHex(END_BYTES));
  }
});

Deno.test("decodeSystemEvent() reads the §4.1 bytes in both versions", () => {
  assert.deepEqual(decodeSystemEvent(START_BYTES), START);
  assert.deepEqual(decodeSystemEvent(END_BYTES, { version: "1.11" }), END);
});

testMessageRules(CASE);
testRoundTrip(CASE);
