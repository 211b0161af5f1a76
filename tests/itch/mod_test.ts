import assert from "node:assert/strict";
import * as itch from "../../lib/itch/mod.ts";

Deno.test("mod.ts exports the public API", () => {
  const values = [
    "encodeTimestampSeconds",
    "decodeTimestampSeconds",
    "encodeItchSystemEvent",
    "decodeItchSystemEvent",
    "encodePriceTickSize",
    "decodePriceTickSize",
    "encodeOrderbookDirectory",
    "decodeOrderbookDirectory",
    "encodeTradingState",
    "decodeTradingState",
    "encodeShortSellingState",
    "decodeShortSellingState",
    "encodeOrderAdded",
    "decodeOrderAdded",
    "encodeOrderAddedWithAttributes",
    "decodeOrderAddedWithAttributes",
    "encodeItchOrderExecuted",
    "decodeItchOrderExecuted",
    "encodeOrderDeleted",
    "decodeOrderDeleted",
    "encodeItchOrderReplaced",
    "decodeItchOrderReplaced",
    "encodeEndOfSnapshot",
    "decodeEndOfSnapshot",
    "encodeItchInto",
    "encodeItch",
    "decodeItch",
    "itchVersionFor",
    "encodeMoldUdp64Into",
    "encodeMoldUdp64",
    "decodeMoldUdp64",
    "encodeMoldUdp64RequestInto",
    "decodeMoldUdp64Request",
    "moldUdp64Length",
    "answerMoldUdp64Request",
    "snapshotMessages",
    "MoldUdp64Packer",
    "FeedGenerator",
    "BookBuilder",
    "FeedSequencer",
    "ItchDecodeError",
    "ItchEncodeError",
    "ItchBookError",
    "MoldUdp64Error",
  ];
  for (const name of values) {
    assert.equal(
      typeof (itch as Record<string, unknown>)[name],
      "function",
      name,
    );
  }
  assert.equal(itch.MOLD_UDP64_MAX_PAYLOAD, 1_400);
  assert.equal(itch.NO_REFERENCE_PRICE, 0x7fffffff);
  assert.equal(itch.DEFAULT_ITCH_VERSION, "1.7");
  assert.deepEqual(itch.ITCH_VERSIONS, ["1.7", "1.6"]);
});

Deno.test("the ITCH errors extend the built-in class that matches their failure", () => {
  assert.ok(new itch.ItchDecodeError("x", 0) instanceof SyntaxError);
  assert.ok(new itch.MoldUdp64Error("x", 0) instanceof SyntaxError);
  assert.ok(new itch.ItchBookError("x") instanceof SyntaxError);
  const encode = new itch.ItchEncodeError("x", {
    messageType: "orderAdded",
    field: "price",
    value: -1,
    cause: "why",
  });
  assert.ok(encode instanceof RangeError);
  assert.equal(encode.cause, "why");
  assert.equal(encode.value, -1);
  const decode = new itch.ItchDecodeError("x", 3, {
    messageType: "orderAdded",
    field: "side",
    cause: "why",
  });
  assert.deepEqual(
    [
      decode.name,
      decode.offset,
      decode.messageType,
      decode.field,
      decode.cause,
    ],
    ["ItchDecodeError", 3, "orderAdded", "side", "why"],
  );
  assert.equal(new itch.MoldUdp64Error("x", 0).name, "MoldUdp64Error");
  assert.equal(new itch.ItchBookError("x").name, "ItchBookError");
});
