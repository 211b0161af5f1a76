import assert from "node:assert/strict";
import {
  OuchDecodeError,
  OuchEncodeError,
  SoupBinTcpError,
} from "../../lib/codec/errors.ts";

Deno.test("OuchDecodeError() is a SyntaxError with offset, message type, field and cause", () => {
  const cause = new Error("inner");
  const error = new OuchDecodeError("Cannot decode x: y", 7, {
    messageType: "enterOrder",
    field: "group",
    cause,
  });
  assert.ok(error instanceof SyntaxError);
  assert.equal(error.name, "OuchDecodeError");
  assert.equal(error.message, "Cannot decode x: y");
  assert.equal(error.offset, 7);
  assert.equal(error.messageType, "enterOrder");
  assert.equal(error.field, "group");
  assert.equal(error.cause, cause);
  assert.equal(new OuchDecodeError("m", 0).field, undefined);
});

Deno.test("SoupBinTcpError() is a SyntaxError with offset", () => {
  const error = new SoupBinTcpError("Cannot read packet: z", 2, {
    messageType: "packet",
  });
  assert.ok(error instanceof SyntaxError);
  assert.equal(error.name, "SoupBinTcpError");
  assert.equal(error.offset, 2);
  assert.equal(error.messageType, "packet");
  assert.equal("cause" in error, false);
});

Deno.test("OuchEncodeError() is a RangeError naming the message, field and value", () => {
  const error = new OuchEncodeError(
    "Cannot encode a field b as c: current value is -1",
    {
      messageType: "a",
      field: "b",
      value: -1,
    },
  );
  assert.ok(error instanceof RangeError);
  assert.equal(error.name, "OuchEncodeError");
  assert.deepEqual([error.messageType, error.field, error.value], [
    "a",
    "b",
    -1,
  ]);
});
