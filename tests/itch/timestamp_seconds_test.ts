import assert from "node:assert/strict";
import type { TimestampSeconds } from "../../lib/itch/messages.ts";
import {
  decodeTimestampSeconds,
  encodeTimestampSeconds,
  TIMESTAMP_SECONDS_LENGTH,
  TIMESTAMP_SECONDS_OFFSETS,
  TIMESTAMP_SECONDS_TYPE,
} from "../../lib/itch/timestamp_seconds.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.1. */
const FIELDS: readonly Field[] = [
  { name: "seconds", offset: 1, kind: "uint32" },
];

const SAMPLE: TimestampSeconds = { type: "timestampSeconds", seconds: 34_200 };
// 09:30:00 is 34,200 seconds after midnight; the same in both versions.
const BYTES = bytesOf(`
  54        -- type T
  00008598  -- seconds 34200
`);

const CASE: MessageCase<TimestampSeconds> = {
  type: "timestampSeconds",
  encodeName: "encodeTimestampSeconds",
  decodeName: "decodeTimestampSeconds",
  length: 5,
  typeChar: "T",
  encode: encodeTimestampSeconds,
  decode: decodeTimestampSeconds,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("TIMESTAMP_SECONDS_OFFSETS matches official §4.1", () => {
  assert.equal(TIMESTAMP_SECONDS_LENGTH, 5);
  assert.equal(TIMESTAMP_SECONDS_TYPE, 0x54);
  assert.deepEqual({ ...TIMESTAMP_SECONDS_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES, BYTES);
testMessageRules(CASE);
testRoundTrip(CASE);
