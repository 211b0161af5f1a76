import assert from "node:assert/strict";
import { tenthsFromDecimal } from "../../lib/codec/price.ts";

Deno.test("tenthsFromDecimal() reads whole numbers and one decimal place exactly", () => {
  for (
    const [text, tenths] of [
      ["0", 0],
      ["0.1", 1],
      ["2300", 23000],
      ["2300.5", 23005],
      ["007.0", 70],
      ["429496729.5", 4294967295],
    ] as const
  ) {
    assert.deepEqual(tenthsFromDecimal(text), { ok: true, tenths }, text);
  }
});

Deno.test("tenthsFromDecimal() refuses more than one decimal place instead of rounding", () => {
  for (const text of ["4.35", "2300.55", "0.05", "1.00"]) {
    assert.deepEqual(
      tenthsFromDecimal(text),
      { ok: false, reason: "decimals" },
      text,
    );
  }
});

Deno.test("tenthsFromDecimal() refuses what is not a non-negative decimal", () => {
  for (
    const text of [
      "",
      "-1",
      "1.",
      ".5",
      "2,300",
      "1e3",
      " 1",
      "NaN",
      "Infinity",
      "0x10",
    ]
  ) {
    assert.deepEqual(
      tenthsFromDecimal(text),
      { ok: false, reason: "syntax" },
      text,
    );
  }
});

Deno.test("tenthsFromDecimal() reads exponents only when asked, by their decimal places", () => {
  const exponent = { exponent: true };
  assert.deepEqual(tenthsFromDecimal("1e3", exponent), {
    ok: true,
    tenths: 10000,
  });
  assert.deepEqual(tenthsFromDecimal("1.5e-1", exponent), {
    ok: false,
    reason: "decimals",
  });
  assert.deepEqual(tenthsFromDecimal("5e-1", exponent), {
    ok: true,
    tenths: 5,
  });
  assert.deepEqual(tenthsFromDecimal("1e+21", exponent), {
    ok: false,
    reason: "range",
  });
});

Deno.test("tenthsFromDecimal() refuses more tenths than a uint32 holds", () => {
  assert.deepEqual(tenthsFromDecimal("429496729.6"), {
    ok: false,
    reason: "range",
  });
  assert.deepEqual(tenthsFromDecimal("99999999999999999999"), {
    ok: false,
    reason: "range",
  });
});
