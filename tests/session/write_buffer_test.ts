import assert from "node:assert/strict";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

Deno.test("WriteBuffer.reserve() grows the buffer and keeps what was written", () => {
  const output = new WriteBuffer(4);
  output.append(new Uint8Array([1, 2, 3]));
  const at = output.reserve(10);
  assert.equal(at, 3);
  assert.ok(output.bytes.length >= 13);
  output.bytes.set([4, 5], at);
  output.commit(2);
  assert.deepEqual(output.take(), new Uint8Array([1, 2, 3, 4, 5]));
});

Deno.test("WriteBuffer.commit() refuses more than was reserved", () => {
  const output = new WriteBuffer();
  output.reserve(2);
  assert.throws(() => output.commit(3), {
    name: "RangeError",
    message: /only 2 were reserved/,
  });
});

Deno.test("WriteBuffer.take() hands over the bytes and keeps them intact while new ones are written", () => {
  const output = new WriteBuffer();
  assert.equal(output.take(), null);
  output.append(new Uint8Array([7, 7, 7]));
  const first = output.take()!;
  output.append(new Uint8Array([9, 9]));
  assert.deepEqual(
    first,
    new Uint8Array([7, 7, 7]),
    "the taken view is not overwritten",
  );
  output.release(first);
  const second = output.take()!;
  assert.deepEqual(second, new Uint8Array([9, 9]));
  output.append(new Uint8Array([1]));
  assert.deepEqual(second, new Uint8Array([9, 9]));
  output.release(second);
  assert.deepEqual(output.take(), new Uint8Array([1]));
});
