import assert from "node:assert/strict";
import { encodeEnterOrder } from "../../lib/codec/enter_order.ts";
import { toHex } from "../../lib/codec/hex.ts";
import type { EnterOrder } from "../../lib/codec/messages.ts";
import {
  type CodecOptions,
  DEFAULT_PROTOCOL_VERSION,
} from "../../lib/codec/options.ts";

const ORDER: EnterOrder = {
  type: "enterOrder",
  orderToken: 1,
  clientReference: "",
  buySellIndicator: "B",
  quantity: 100,
  orderbookId: "8473",
  group: "DAY",
  price: 23000,
  timeInForce: 99999,
  firmId: 0,
  display: " ",
  capacity: "P",
  minimumQuantity: 0,
  orderClassification: "1",
  cashMarginType: "1",
};

function orderbookBytes(options?: CodecOptions): string {
  const target = new Uint8Array(48);
  encodeEnterOrder(ORDER, target, 0, options);
  return toHex(target.subarray(20, 24));
}

Deno.test("CodecOptions.version defaults to 1.12 (K1)", () => {
  assert.equal(DEFAULT_PROTOCOL_VERSION, "1.12");
  // RM-ALNUM's example: security 8473 is "8473" after the change, 0x2119 before it.
  assert.equal(orderbookBytes(), "38343733");
  assert.equal(orderbookBytes({}), "38343733");
  assert.equal(orderbookBytes({ version: "1.12" }), "38343733");
  assert.equal(orderbookBytes({ version: "1.11" }), "00002119");
});

Deno.test("CodecOptions.version refuses anything but 1.12 and 1.11", () => {
  for (const version of ["1.10", "1.12 ", "", 1.12]) {
    assert.throws(
      () => orderbookBytes({ version } as unknown as CodecOptions),
      {
        name: "RangeError",
        message:
          `Cannot select protocol version as one of "1.12", "1.11": current version is ${
            JSON.stringify(version)
          }`,
      },
    );
  }
});
