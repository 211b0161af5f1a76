import assert from "node:assert/strict";
import type { OrderbookDirectory } from "../../lib/itch/messages.ts";
import {
  decodeOrderbookDirectory,
  encodeOrderbookDirectory,
  ORDERBOOK_DIRECTORY_LENGTH,
  ORDERBOOK_DIRECTORY_OFFSETS,
  ORDERBOOK_DIRECTORY_TYPE,
} from "../../lib/itch/orderbook_directory.ts";
import {
  bytesOf,
  type Field,
  type MessageCase,
  offsetsOf,
  testMessageRules,
  testOfficialBytes,
  testRoundTrip,
} from "./_message_cases.ts";

/** Official §4.4. */
const FIELDS: readonly Field[] = [
  { name: "nanoseconds", offset: 1, kind: "nanoseconds" },
  { name: "orderbookId", offset: 5, kind: "orderbookId" },
  { name: "isin", offset: 9, kind: "alpha", width: 12 },
  { name: "group", offset: 21, kind: "alpha", width: 4 },
  { name: "roundLotSize", offset: 25, kind: "uint32" },
  { name: "tickTableId", offset: 29, kind: "uint32" },
  { name: "priceDecimals", offset: 33, kind: "uint32" },
  { name: "upperPriceLimit", offset: 37, kind: "uint32" },
  { name: "lowerPriceLimit", offset: 41, kind: "uint32" },
];

// Sony (6758) around 3,400 yen: limits ±700 yen.
const SAMPLE: OrderbookDirectory = {
  type: "orderbookDirectory",
  nanoseconds: 0,
  orderbookId: "6758",
  isin: "JP3435000009",
  group: "DAY",
  roundLotSize: 100,
  tickTableId: 3,
  priceDecimals: 1,
  upperPriceLimit: 41_000,
  lowerPriceLimit: 27_000,
};
const HEAD = "52 00000000";
const TAIL = `
  4a5033343335303030303039  -- ISIN "JP3435000009"
  44415920                  -- group "DAY "
  00000064                  -- round lot 100
  00000003                  -- tick table 3
  00000001                  -- price decimals 1
  0000a028                  -- upper limit 4,100.0
  00006978                  -- lower limit 2,700.0
`;
const BYTES_17 = bytesOf(`${HEAD} 36373538 -- "6758" as Alpha\n${TAIL}`);
const BYTES_16 = bytesOf(`${HEAD} 00001a66 -- 6758 as a uint32\n${TAIL}`);

const CASE: MessageCase<OrderbookDirectory> = {
  type: "orderbookDirectory",
  encodeName: "encodeOrderbookDirectory",
  decodeName: "decodeOrderbookDirectory",
  length: 45,
  typeChar: "R",
  encode: encodeOrderbookDirectory,
  decode: decodeOrderbookDirectory,
  fields: FIELDS,
  sample: SAMPLE,
};

Deno.test("ORDERBOOK_DIRECTORY_OFFSETS matches official §4.4", () => {
  assert.equal(ORDERBOOK_DIRECTORY_LENGTH, 45);
  assert.equal(ORDERBOOK_DIRECTORY_TYPE, 0x52);
  assert.deepEqual({ ...ORDERBOOK_DIRECTORY_OFFSETS }, offsetsOf(FIELDS));
});

testOfficialBytes(CASE, BYTES_17, BYTES_16);
testMessageRules(CASE);
testRoundTrip(CASE);
