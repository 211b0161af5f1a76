import assert from "node:assert/strict";
import * as codec from "../../lib/codec/mod.ts";

Deno.test("mod.ts exports the public API", () => {
  const functions = [
    "encodeEnterOrder",
    "decodeEnterOrder",
    "encodeReplaceOrder",
    "decodeReplaceOrder",
    "encodeCancelOrder",
    "decodeCancelOrder",
    "encodeSystemEvent",
    "decodeSystemEvent",
    "encodeOrderAccepted",
    "decodeOrderAccepted",
    "encodeOrderReplaced",
    "decodeOrderReplaced",
    "encodeOrderCanceled",
    "decodeOrderCanceled",
    "encodeOrderAiqCanceled",
    "decodeOrderAiqCanceled",
    "encodeOrderExecuted",
    "decodeOrderExecuted",
    "encodeOrderRejected",
    "decodeOrderRejected",
    "encodeMessageInto",
    "encodeMessage",
    "decodeInbound",
    "decodeOutbound",
    "encodePacketInto",
    "encodePacket",
    "encodeSequencedInto",
    "encodeUnsequencedInto",
    "decodeClientPacket",
    "decodeServerPacket",
    "FrameReader",
    "toHex",
    "fromHex",
    "OuchDecodeError",
    "OuchEncodeError",
    "SoupBinTcpError",
  ];
  const exports = codec as unknown as Record<string, unknown>;
  for (const name of functions) {
    assert.equal(typeof exports[name], "function", name);
  }
  assert.equal(codec.PACKET_HEADER_LENGTH, 3);
  assert.equal(codec.ENTER_ORDER_LENGTH, 48);
  assert.equal(codec.DEFAULT_PROTOCOL_VERSION, "1.12");
  assert.equal(
    codec.MESSAGE_LENGTHS.orderAccepted,
    codec.ORDER_ACCEPTED_LENGTH,
  );
});

Deno.test("mod.ts exports no private helper", () => {
  for (const name of Object.keys(codec)) {
    assert.ok(!name.startsWith("_"), name);
    assert.ok(
      !["CHARS", "putAlpha", "readAlpha4", "checkRoom", "isVersion111"]
        .includes(name),
      name,
    );
  }
});
