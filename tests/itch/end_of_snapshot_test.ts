import assert from "node:assert/strict";
import type { EndOfSnapshot } from "../../lib/itch/messages.ts";
import {
  decodeEndOfSnapshot,
  encodeEndOfSnapshot,
  END_OF_SNAPSHOT_LENGTH,
  END_OF_SNAPSHOT_OFFSETS,
  END_OF_SNAPSHOT_TYPE,
} from "../../lib/itch/end_of_snapshot.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** jnx-itch.md §2 (Japannext's dissector): type G, sequence number u64. */
const FIELDS: readonly Field[] = [
  { name: "sequenceNumber", offset: 1, kind: "sequence" },
];

const SAMPLE: EndOfSnapshot = {
  type: "endOfSnapshot",
  sequenceNumber: 4_294_967_297,
};
const BYTES = bytesOf(`
  47                -- type G
  0000000100000001  -- sequence number 2^32 + 1
`);

const CASE: MessageCase<EndOfSnapshot> = {
  type: "endOfSnapshot",
  encodeName: "encodeEndOfSnapshot",
  decodeName: "decodeEndOfSnapshot",
  length: 9,
  typeChar: "G",
  encode: encodeEndOfSnapshot,
  decode: decodeEndOfSnapshot,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("END_OF_SNAPSHOT_OFFSETS matches jnx-itch.md §2", () => {
  assert.equal(END_OF_SNAPSHOT_LENGTH, 9);
  assert.equal(END_OF_SNAPSHOT_TYPE, 0x47);
  assert.deepEqual({ ...END_OF_SNAPSHOT_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES, BYTES);
testMessageRules(CASE);
testRoundTrip(CASE);
