import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, toHex } from "../../lib/codec/hex.ts";

Deno.test("toHex() writes lowercase pairs without separators", () => {
  assert.equal(toHex(new Uint8Array(0)), "");
  assert.equal(
    toHex(new Uint8Array([0x00, 0x0f, 0x4f, 0xab, 0xff])),
    "000f4fabff",
  );
  const buffer = new Uint8Array([1, 2, 3, 4]);
  assert.equal(toHex(buffer.subarray(1, 3)), "0203");
});

Deno.test("fromHex() accepts whitespace between groups and either case", () => {
  assert.deepEqual(fromHex(""), new Uint8Array(0));
  assert.deepEqual(fromHex("  \n\t "), new Uint8Array(0));
  assert.deepEqual(
    fromHex("4F 00\n0000 01\r\n  ab"),
    new Uint8Array([0x4f, 0, 0, 0, 1, 0xab]),
  );
  assert.deepEqual(
    fromHex("DeadBEEF"),
    new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
  );
});

Deno.test("fromHex() throws a SyntaxError on an odd group or a non-hex character", () => {
  assert.throws(() => fromHex("4f0"), {
    name: "SyntaxError",
    message:
      'Cannot read hex as each group must have an even number of digits: current group is "4f0"',
  });
  assert.throws(() => fromHex("4f 0 00"), {
    name: "SyntaxError",
    message: /current group is "0"/,
  });
  assert.throws(() => fromHex("4g"), {
    name: "SyntaxError",
    message:
      'Cannot read hex as it must contain only hex digits and whitespace: current pair is "4g"',
  });
  assert.throws(() => fromHex("0x01"), {
    name: "SyntaxError",
    message: /current pair is "0x"/,
  });
  assert.throws(() => fromHex("4f-00"), { name: "SyntaxError" });
});

Deno.test("fromHex() inverts toHex()", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      assert.deepEqual(fromHex(toHex(bytes)), bytes);
      assert.equal(toHex(bytes).length, bytes.length * 2);
    }),
  );
});
