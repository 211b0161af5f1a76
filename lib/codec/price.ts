/**
 * Decimal prices to the wire's integer tenths (K3): never rounded, more than one decimal
 * place refused.
 *
 * @module
 */
import { MAX_UINT32 } from "./messages.ts";

/** What {@linkcode tenthsFromDecimal} made of a decimal. */
export type DecimalPrice =
  | { readonly ok: true; readonly tenths: number }
  | {
    readonly ok: false;
    /**
     * `syntax`: not a non-negative decimal; `decimals`: more than one decimal place;
     * `range`: above a uint32 of tenths (429,496,729.5).
     */
    readonly reason: "syntax" | "decimals" | "range";
  };

/** Options of {@linkcode tenthsFromDecimal}. */
export interface DecimalPriceOptions {
  /** Accept an exponent, as in JavaScript's text of a number (`1e+21`). @default {false} */
  exponent?: boolean;
}

/**
 * Reads a non-negative decimal such as `2300` or `2300.5` as integer tenths, judging its
 * decimal places by the digits written: `4.35` is refused, never rounded.
 *
 * @param text The decimal; for a JSON number, `String(value)`.
 * @param options Whether an exponent is allowed.
 * @returns The tenths, or why the text is not a price.
 *
 * @example Usage
 * ```ts
 * import { tenthsFromDecimal } from "./price.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(tenthsFromDecimal("2300.5"), { ok: true, tenths: 23005 });
 * assert.deepEqual(tenthsFromDecimal("4.35"), { ok: false, reason: "decimals" });
 * assert.deepEqual(tenthsFromDecimal("1e3"), { ok: false, reason: "syntax" });
 * assert.deepEqual(tenthsFromDecimal("1e3", { exponent: true }), { ok: true, tenths: 10000 });
 * assert.deepEqual(tenthsFromDecimal("429496729.6"), { ok: false, reason: "range" });
 * ```
 */
export function tenthsFromDecimal(
  text: string,
  options: DecimalPriceOptions = {},
): DecimalPrice {
  const pattern = options.exponent === true
    ? /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i
    : /^(\d+)(?:\.(\d+))?$/;
  const match = pattern.exec(text);
  if (match === null) return { ok: false, reason: "syntax" };
  const [, whole = "", fraction = "", exponent = "0"] = match;
  const decimals = fraction.length - Number(exponent);
  if (decimals > 1) return { ok: false, reason: "decimals" };
  // The digits times 10^(1 - decimals) are the value in tenths.
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, "");
  const zeros = 1 - decimals;
  if (digits.length + zeros > 16) return { ok: false, reason: "range" };
  const tenths = Number(digits + "0".repeat(zeros));
  return tenths > MAX_UINT32
    ? { ok: false, reason: "range" }
    : { ok: true, tenths };
}
