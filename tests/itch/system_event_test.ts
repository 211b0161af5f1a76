import assert from "node:assert/strict";
import type { ItchSystemEvent } from "../../lib/itch/messages.ts";
import {
  decodeItchSystemEvent,
  encodeItchSystemEvent,
  ITCH_SYSTEM_EVENT_LENGTH,
  ITCH_SYSTEM_EVENT_OFFSETS,
  ITCH_SYSTEM_EVENT_TYPE,
} from "../../lib/itch/system_event.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.2 and Table 1. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "group", offset: 5, kind: "alpha", width: 4 },
  {
    name: "eventCode",
    offset: 9,
    kind: "code",
    codes: ["O", "S", "Q", "M", "E", "C"],
  },
];

const SAMPLE: ItchSystemEvent = {
  type: "systemEvent",
  nanoseconds: 250_000_000,
  group: "NGHT",
  eventCode: "M",
};
const BYTES = bytesOf(`
  53        -- type S
  0ee6b280  -- nanoseconds 250,000,000
  4e474854  -- group "NGHT"
  4d        -- event M: end of market hours
`);

const CASE: MessageCase<ItchSystemEvent> = {
  type: "systemEvent",
  encodeName: "encodeItchSystemEvent",
  decodeName: "decodeItchSystemEvent",
  length: 10,
  typeChar: "S",
  encode: encodeItchSystemEvent,
  decode: decodeItchSystemEvent,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("ITCH_SYSTEM_EVENT_OFFSETS matches official §4.2", () => {
  assert.equal(ITCH_SYSTEM_EVENT_LENGTH, 10);
  assert.equal(ITCH_SYSTEM_EVENT_TYPE, 0x53);
  assert.deepEqual({ ...ITCH_SYSTEM_EVENT_OFFSETS }, offsetsOf(FIELDS));
});

Deno.test("encodeItchSystemEvent() writes a blank group for a system-wide event", () => {
  const target = new Uint8Array(10);
  encodeItchSystemEvent({ ...SAMPLE, group: "", eventCode: "O" }, target);
  assert.deepEqual([...target.subarray(5)], [0x20, 0x20, 0x20, 0x20, 0x4f]);
  assert.equal(decodeItchSystemEvent(target).group, "");
});

testOfficialBytes(CASE, BYTES, BYTES);
testMessageRules(CASE);
testRoundTrip(CASE);
