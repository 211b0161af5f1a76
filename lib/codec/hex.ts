/**
 * Hex dumps of bytes, for tests, logs and error reports.
 *
 * @module
 */

const HEX_PAIRS: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => byte.toString(16).padStart(2, "0"),
);

/**
 * Writes `bytes` as lowercase hex, two digits per byte, without separators.
 *
 * @param bytes The bytes.
 * @returns The hex text, `""` for no bytes.
 *
 * @example Usage
 * ```ts
 * import { toHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(toHex(new Uint8Array([0x00, 0x31, 0x55, 0xff])), "003155ff");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += HEX_PAIRS[bytes[i]!]!;
  return text;
}

const WHITESPACE = /[ \t\r\n]+/;

/**
 * Reads hex text into bytes. Whitespace (spaces, tabs, newlines) may separate groups of
 * bytes; each group must have an even number of hex digits, in either case.
 *
 * @param text The hex text, e.g. `"00 31 55"` or `"003155"`.
 * @returns Fresh bytes.
 * @throws {SyntaxError} If a group has an odd number of digits or a character is not hex.
 *
 * @example Usage
 * ```ts
 * import { fromHex } from "./hex.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(fromHex("00 31\n55ff"), new Uint8Array([0x00, 0x31, 0x55, 0xff]));
 * assert.throws(() => fromHex("0 31"), SyntaxError);
 * ```
 */
export function fromHex(text: string): Uint8Array {
  const groups = text.split(WHITESPACE).filter((group) => group !== "");
  let length = 0;
  for (const group of groups) {
    if (group.length % 2 !== 0) {
      throw new SyntaxError(
        `Cannot read hex as each group must have an even number of digits: current group is ${
          JSON.stringify(group)
        }`,
      );
    }
    length += group.length / 2;
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const group of groups) {
    for (let i = 0; i < group.length; i += 2) {
      const high = digitOf(group.charCodeAt(i));
      const low = digitOf(group.charCodeAt(i + 1));
      if (high < 0 || low < 0) {
        throw new SyntaxError(
          `Cannot read hex as it must contain only hex digits and whitespace: current pair is ${
            JSON.stringify(group.slice(i, i + 2))
          }`,
        );
      }
      bytes[at++] = high * 16 + low;
    }
  }
  return bytes;
}

function digitOf(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  return -1;
}
