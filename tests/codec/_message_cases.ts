// Private to the codec tests: the rules every OUCH message codec shares, checked field by
// field from a table written from the spec (§3, §4), plus fast-check arbitraries.
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { CodecOptions } from "../../lib/codec/options.ts";
import type { OuchMessage, ProtocolVersion } from "../../lib/codec/messages.ts";

/** Spec §5.9. */
export const CANCELED_REASONS = [
  "U",
  "L",
  "S",
  "I",
  "M",
  "X",
  "Z",
  "N",
  "Y",
  "D",
  "V",
  "i",
  "R",
  "F",
  "G",
  "O",
] as const;

/** Spec §5.8. */
export const REJECTED_REASONS = [
  "H",
  "S",
  "X",
  "Z",
  "N",
  "Y",
  "D",
  "V",
  "i",
  "R",
  "F",
  "G",
  "L",
  "c",
  "O",
] as const;

/** How a field is laid out, from the spec tables. */
export type FieldKind =
  | { readonly kind: "uint32" }
  | { readonly kind: "uint64" }
  | { readonly kind: "id64" }
  | { readonly kind: "char" }
  | { readonly kind: "alpha"; readonly width: number }
  | { readonly kind: "orderbookId" }
  | { readonly kind: "code"; readonly codes: readonly string[] };

/** One field of a message: name, offset from the type byte, layout. */
export type Field =
  & { readonly name: string; readonly offset: number }
  & FieldKind;

/** A message codec under test. */
export interface MessageCase<M extends OuchMessage> {
  readonly type: M["type"];
  readonly encodeName: string;
  readonly decodeName: string;
  readonly length: number;
  readonly typeChar: string;
  readonly encode: (
    msg: M,
    target: Uint8Array,
    at?: number,
    options?: CodecOptions,
  ) => number;
  readonly decode: (bytes: Uint8Array, options?: CodecOptions) => M;
  readonly fields: readonly Field[];
  /** A valid message. */
  readonly sample: M;
}

/** The fields of `fields` as `{ name: offset }`, with the type byte at 0. */
export function offsetsOf(fields: readonly Field[]): Record<string, number> {
  return Object.fromEntries([
    ["messageType", 0],
    ...fields.map((field) => [field.name, field.offset]),
  ]);
}

function encodeFresh<M extends OuchMessage>(
  c: MessageCase<M>,
  msg: M,
  options: CodecOptions = {},
): Uint8Array {
  const bytes = new Uint8Array(c.length);
  assert.equal(c.encode(msg, bytes, 0, options), c.length);
  return bytes;
}

function withField<M extends OuchMessage>(
  msg: M,
  name: string,
  value: unknown,
): M {
  return { ...msg, [name]: value } as M;
}

function widthOf(field: Field): number {
  switch (field.kind) {
    case "uint32":
    case "orderbookId":
      return 4;
    case "uint64":
    case "id64":
      return 8;
    case "char":
    case "code":
      return 1;
    case "alpha":
      return field.width;
  }
}

/** Checks that each value of an 8-byte field is written as `hex` at `offset` and read back. */
function assertWritesEight<M extends OuchMessage>(
  c: MessageCase<M>,
  name: string,
  offset: number,
  cases: readonly (readonly [number | bigint, string])[],
): void {
  for (const [value, hex] of cases) {
    const bytes = encodeFresh(c, withField(c.sample, name, value));
    assert.equal(toHex(bytes.subarray(offset, offset + 8)), hex);
    assert.equal((c.decode(bytes) as Record<string, unknown>)[name], value);
  }
}

function hexByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const PRINTABLE: readonly string[] = Array.from(
  { length: 0x7f - 0x20 },
  (_, i) => String.fromCharCode(0x20 + i),
);

/** Registers the shared encode and decode rule tests of one message codec. */
export function testMessageRules<M extends OuchMessage>(
  c: MessageCase<M>,
): void {
  const { encodeName: en, decodeName: de, type } = c;

  Deno.test(`${en}() writes at an offset and returns ${c.length}`, () => {
    const expected = encodeFresh(c, c.sample);
    const target = new Uint8Array(c.length + 10).fill(0xee);
    assert.equal(c.encode(c.sample, target, 5), c.length);
    assert.equal(toHex(target.subarray(5, 5 + c.length)), toHex(expected));
    assert.deepEqual([...target.subarray(0, 5)], [
      0xee,
      0xee,
      0xee,
      0xee,
      0xee,
    ]);
    assert.deepEqual([...target.subarray(5 + c.length)], [
      0xee,
      0xee,
      0xee,
      0xee,
      0xee,
    ]);
    assert.equal(expected[0], c.typeChar.charCodeAt(0));
  });

  Deno.test(`${en}() refuses a target without room with a RangeError`, () => {
    assert.throws(() => c.encode(c.sample, new Uint8Array(c.length - 1)), {
      name: "RangeError",
      message: `Cannot encode ${type} as it needs ${c.length} bytes: ${
        c.length - 1
      } bytes are free at offset 0`,
    });
    assert.throws(() => c.encode(c.sample, new Uint8Array(c.length + 3), 4), {
      name: "RangeError",
      message: new RegExp(
        `needs ${c.length} bytes: ${c.length - 1} bytes are free at offset 4`,
      ),
    });
    for (const at of [-1, 0.5, Number.NaN, c.length + 1]) {
      assert.throws(() => c.encode(c.sample, new Uint8Array(c.length), at), {
        name: "RangeError",
        message: new RegExp(
          `Cannot encode ${type} as its offset must be an integer from 0 to ${c.length}: current offset is ${at}`,
        ),
      });
    }
  });

  Deno.test(`${en}() and ${de}() refuse an unknown protocol version`, () => {
    const options = { version: "1.10" } as unknown as CodecOptions;
    const message =
      /Cannot select protocol version as one of "1.12", "1.11": current version is "1.10"/;
    assert.throws(
      () => c.encode(c.sample, new Uint8Array(c.length), 0, options),
      {
        name: "RangeError",
        message,
      },
    );
    assert.throws(() => c.decode(encodeFresh(c, c.sample), options), {
      name: "RangeError",
      message,
    });
  });

  Deno.test(`${de}() rejects a wrong length, naming the message and both lengths`, () => {
    const long = new Uint8Array(c.length + 1);
    c.encode(c.sample, long);
    for (const length of [0, 1, c.length - 1, c.length + 1]) {
      assert.throws(() => c.decode(long.subarray(0, length)), {
        name: "OuchDecodeError",
        message:
          `Cannot decode ${type} as it must be ${c.length} bytes: current length is ${length}`,
        offset: Math.min(length, c.length),
        messageType: type,
      });
    }
  });

  Deno.test(`${de}() rejects a wrong type byte, naming it as a character and in hex`, () => {
    const bytes = encodeFresh(c, c.sample);
    bytes[0] = 0x51;
    const expected = `"${c.typeChar}" (${hexByte(c.typeChar.charCodeAt(0))})`;
    assert.throws(() => c.decode(bytes), {
      name: "OuchDecodeError",
      message:
        `Cannot decode ${type} as its type byte must be ${expected}: current byte is "Q" (0x51)`,
      offset: 0,
    });
  });

  for (const field of c.fields) {
    const { name, offset } = field;
    const width = widthOf(field);

    if (field.kind === "uint32") {
      Deno.test(`${en}() writes ${name} as a big-endian uint32 at ${offset}`, () => {
        for (
          const [value, hex] of [
            [0, "00000000"],
            [1, "00000001"],
            [0xfffffffe, "fffffffe"],
            [0xffffffff, "ffffffff"],
            [23000, "000059d8"],
          ] as const
        ) {
          const bytes = encodeFresh(c, withField(c.sample, name, value));
          assert.equal(toHex(bytes.subarray(offset, offset + 4)), hex);
          assert.equal(
            (c.decode(bytes) as Record<string, unknown>)[name],
            value,
          );
        }
      });
      Deno.test(`${en}() refuses ${name} outside 0..4294967295 or not an integer`, () => {
        for (
          const value of [
            -1,
            1.5,
            2 ** 32,
            Number.NaN,
            Infinity,
            "1",
            undefined,
          ]
        ) {
          const shown = typeof value === "string"
            ? `"${value}"`
            : String(value);
          assert.throws(
            () => encodeFresh(c, withField(c.sample, name, value)),
            {
              name: "OuchEncodeError",
              message:
                `Cannot encode ${type} field ${name} as a uint32: current value is ${shown}`,
              messageType: type,
              field: name,
            },
          );
        }
      });
    }

    if (field.kind === "uint64") {
      Deno.test(`${en}() writes ${name} as a big-endian 8-byte integer at ${offset}`, () => {
        assertWritesEight(c, name, offset, [
          [0, "0000000000000000"],
          [2 ** 32, "0000000100000000"],
          [32_400_000_000_000, "00001d77b67da000"],
          [Number.MAX_SAFE_INTEGER, "001fffffffffffff"],
        ]);
      });
      Deno.test(`${en}() refuses ${name} that is not a safe non-negative integer`, () => {
        for (
          const value of [-1, 0.5, 2 ** 53, Number.MAX_VALUE, Number.NaN, "1"]
        ) {
          const shown = typeof value === "string"
            ? `"${value}"`
            : String(value);
          assert.throws(
            () => encodeFresh(c, withField(c.sample, name, value)),
            {
              name: "OuchEncodeError",
              message:
                `Cannot encode ${type} field ${name} as a safe non-negative integer: current value is ${shown}`,
              field: name,
            },
          );
        }
      });
      Deno.test(`${de}() rejects ${name} above Number.MAX_SAFE_INTEGER`, () => {
        for (
          const hex of [
            "0020000000000000",
            "ffffffffffffffff",
            "8000000000000000",
          ]
        ) {
          const bytes = encodeFresh(c, c.sample);
          bytes.set(fromHex(hex), offset);
          assert.throws(() => c.decode(bytes), {
            name: "OuchDecodeError",
            message:
              `Cannot decode ${type} field ${name} as a safe integer: current value is 0x${hex}`,
            offset,
            field: name,
          });
        }
      });
    }

    if (field.kind === "id64") {
      Deno.test(`${en}() writes ${name} as a big-endian unsigned 8-byte integer at ${offset}`, () => {
        assertWritesEight(c, name, offset, [
          [0n, "0000000000000000"],
          [2n ** 32n, "0000000100000000"],
          [2n ** 53n + 1n, "0020000000000001"],
          [202307130000000093n, "02cebd434b2dc45d"],
          [2n ** 63n, "8000000000000000"],
          [2n ** 64n - 1n, "ffffffffffffffff"],
        ]);
      });
      Deno.test(`${en}() refuses ${name} that is not a bigint from 0 to 2^64 - 1`, () => {
        for (
          const [value, shown] of [
            [-1n, "-1n"],
            [2n ** 64n, "18446744073709551616n"],
            [1, "1"],
            [2 ** 53, "9007199254740992"],
            ["1", '"1"'],
            [undefined, "undefined"],
          ] as const
        ) {
          assert.throws(
            () => encodeFresh(c, withField(c.sample, name, value)),
            {
              name: "OuchEncodeError",
              message:
                `Cannot encode ${type} field ${name} as a bigint from 0 to 2^64 - 1: current value is ${shown}`,
              field: name,
            },
          );
        }
      });
    }

    if (field.kind === "char") {
      Deno.test(`${en}() writes ${name} as one byte and ${de}() keeps it as-is`, () => {
        for (const value of PRINTABLE) {
          const bytes = encodeFresh(c, withField(c.sample, name, value));
          assert.equal(bytes[offset], value.charCodeAt(0));
          assert.equal(
            (c.decode(bytes) as Record<string, unknown>)[name],
            value,
          );
        }
      });
      Deno.test(`${en}() refuses ${name} that is not exactly one printable ASCII character`, () => {
        for (const value of ["", "BB", "\x7f", "\x1f", "\u00e9", "\n", 66]) {
          assert.throws(
            () => encodeFresh(c, withField(c.sample, name, value)),
            {
              name: "OuchEncodeError",
              message: new RegExp(
                `^Cannot encode ${type} field ${name} as exactly one printable ASCII character: current value is `,
              ),
              field: name,
              value,
            },
          );
        }
      });
    }

    if (field.kind === "alpha" || field.kind === "orderbookId") {
      const w = field.kind === "alpha" ? field.width : 4;
      Deno.test(`${en}() pads ${name} with spaces and ${de}() trims only trailing spaces`, () => {
        const cases: [string, string][] = [
          ["", " ".repeat(w)],
          ["A", "A" + " ".repeat(w - 1)],
          [" A", " A" + " ".repeat(w - 2)],
          ["A B", "A B" + " ".repeat(w - 3)],
          ["~".repeat(w), "~".repeat(w)],
        ];
        if (w >= 5) cases.push(["AB CD", "AB CD" + " ".repeat(w - 5)]);
        for (const [value, text] of cases) {
          const bytes = encodeFresh(c, withField(c.sample, name, value));
          assert.equal(
            new TextDecoder().decode(bytes.subarray(offset, offset + w)),
            text,
          );
          assert.equal(
            (c.decode(bytes) as Record<string, unknown>)[name],
            value,
          );
        }
      });
      Deno.test(`${en}() refuses ${name} that is over ${w} characters or not printable ASCII`, () => {
        for (
          const value of ["x".repeat(w + 1), "\u00e9", "a\tb", "\x7f", "\0"]
        ) {
          assert.throws(
            () => encodeFresh(c, withField(c.sample, name, value)),
            {
              name: "OuchEncodeError",
              message:
                `Cannot encode ${type} field ${name} as printable ASCII of at most ${w} characters: current value is ${
                  JSON.stringify(value)
                }`,
              field: name,
            },
          );
        }
      });
    }

    if (field.kind === "code") {
      const rule = `one of ${
        field.codes.map((code) => `"${code}"`).join(", ")
      }`;
      Deno.test(`${en}() and ${de}() accept every ${name} code`, () => {
        for (const code of field.codes) {
          const bytes = encodeFresh(c, withField(c.sample, name, code));
          assert.equal(bytes[offset], code.charCodeAt(0));
          assert.equal(
            (c.decode(bytes) as Record<string, unknown>)[name],
            code,
          );
        }
      });
      Deno.test(`${en}() refuses an unknown ${name}`, () => {
        for (const value of ["", "Q", "LL", "\u00e9", 76]) {
          if (field.codes.includes(value as string)) continue;
          assert.throws(
            () => encodeFresh(c, withField(c.sample, name, value)),
            {
              name: "OuchEncodeError",
              message:
                `Cannot encode ${type} field ${name} as ${rule}: current value is ${
                  typeof value === "string" ? JSON.stringify(value) : value
                }`,
              field: name,
            },
          );
        }
      });
      Deno.test(`${de}() rejects every byte that is not a ${name} code`, () => {
        for (let byte = 0; byte < 256; byte++) {
          if (field.codes.includes(String.fromCharCode(byte))) continue;
          const bytes = encodeFresh(c, c.sample);
          bytes[offset] = byte;
          assert.throws(() => c.decode(bytes), {
            name: "OuchDecodeError",
            message: new RegExp(
              `^Cannot decode ${type} field ${name} as ${
                escape(rule)
              }: current value is ".+" \\(${hexByte(byte)}\\)$`,
            ),
            offset,
            field: name,
          });
        }
      });
    }

    if (
      field.kind !== "uint32" && field.kind !== "uint64" &&
      field.kind !== "id64" && field.kind !== "code"
    ) {
      Deno.test(`${de}() rejects a byte of ${name} that is not printable ASCII`, () => {
        for (let at = offset; at < offset + width; at++) {
          for (const byte of [0x00, 0x1f, 0x7f, 0x80, 0xff]) {
            const bytes = encodeFresh(c, c.sample);
            bytes[at] = byte;
            assert.throws(() => c.decode(bytes), {
              name: "OuchDecodeError",
              message: new RegExp(
                `^Cannot decode ${type} field ${name} as printable ASCII: current byte is "\\\\u00${
                  byte.toString(16).padStart(2, "0")
                }" \\(${hexByte(byte)}\\) at offset ${at}$`,
              ),
              offset: at,
              field: name,
              messageType: type,
            });
          }
        }
      });
    }

    if (field.kind === "orderbookId") {
      Deno.test(`${en}() writes ${name} as Alpha in v1.12 and as a uint32 in v1.11`, () => {
        const v111 = { version: "1.11" } as const;
        for (
          const [value, alpha, number] of [
            ["8473", "38343733", "00002119"],
            ["1", "31202020", "00000001"],
            ["0", "30202020", "00000000"],
            ["4294967295", undefined, "ffffffff"],
          ] as const
        ) {
          if (alpha !== undefined) {
            const bytes = encodeFresh(c, withField(c.sample, name, value));
            assert.equal(toHex(bytes.subarray(offset, offset + 4)), alpha);
            assert.equal(
              (c.decode(bytes) as Record<string, unknown>)[name],
              value,
            );
          }
          const bytes = encodeFresh(c, withField(c.sample, name, value), v111);
          assert.equal(toHex(bytes.subarray(offset, offset + 4)), number);
          assert.equal(
            (c.decode(bytes, v111) as Record<string, unknown>)[name],
            value,
          );
        }
        // The same bytes read in the other version: "1   " is the uint32 0x31202020.
        const alphaBytes = encodeFresh(c, withField(c.sample, name, "1"));
        assert.equal(
          (c.decode(alphaBytes, v111) as Record<string, unknown>)[name],
          "824188960",
        );
      });
      Deno.test(`${en}() refuses a non-canonical decimal ${name} in v1.11`, () => {
        for (
          const value of [
            "007",
            "",
            "-1",
            "4294967296",
            "1.0",
            " 1",
            "1 ",
            "abc",
            "+1",
            "0x1",
            "1e3",
            "99999999999",
          ]
        ) {
          assert.throws(
            () =>
              encodeFresh(c, withField(c.sample, name, value), {
                version: "1.11",
              }),
            {
              name: "OuchEncodeError",
              message:
                `Cannot encode ${type} field ${name} as a canonical decimal uint32 under version 1.11: current value is ${
                  JSON.stringify(value)
                }`,
              field: name,
            },
          );
        }
      });
      Deno.test(`${de}() reads any uint32 ${name} in v1.11, even non-printable bytes`, () => {
        const bytes = encodeFresh(c, c.sample);
        bytes.set([0x80, 0x00, 0x00, 0x00], offset);
        assert.equal(
          (c.decode(bytes, { version: "1.11" }) as Record<string, unknown>)[
            name
          ],
          "2147483648",
        );
      });
    }
  }
}

// ---------------------------------------------------------------------------------------
// Arbitraries

/** One printable ASCII character. */
export const printableChar: fc.Arbitrary<string> = fc.integer({
  min: 0x20,
  max: 0x7e,
})
  .map((code) => String.fromCharCode(code));

/** Printable ASCII of at most `width` characters without trailing spaces (decode trims). */
export function alphaText(width: number): fc.Arbitrary<string> {
  return fc.array(printableChar, { maxLength: width }).map((chars) =>
    chars.join("").replace(/ +$/, "")
  );
}

/** Any uint32. */
export const uint32: fc.Arbitrary<number> = fc.integer({
  min: 0,
  max: 0xffffffff,
});

/** Any safe non-negative integer (8-byte fields). */
export const uint64: fc.Arbitrary<number> = fc.oneof(
  fc.maxSafeNat(),
  fc.integer({ min: 0, max: 0xffffffff }),
  fc.constantFrom(0, 2 ** 32, Number.MAX_SAFE_INTEGER),
);

/** Any unsigned 64-bit identifier (Order and Match Numbers), as a bigint. */
export const id64: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.bigInt({ min: 202611280000000001n, max: 202611289999999999n }),
  fc.constantFrom(0n, 2n ** 53n + 1n, 2n ** 64n - 1n),
);

/** An Orderbook ID valid in `version`. */
export function orderbookId(version: ProtocolVersion): fc.Arbitrary<string> {
  return version === "1.11" ? uint32.map(String) : alphaText(4);
}

/** An arbitrary for every field of `fields`, in `version`. */
export function messageArbitrary<M extends OuchMessage>(
  type: M["type"],
  fields: readonly Field[],
  version: ProtocolVersion,
): fc.Arbitrary<M> {
  const record: Record<string, fc.Arbitrary<unknown>> = {
    type: fc.constant(type),
  };
  for (const field of fields) {
    switch (field.kind) {
      case "uint32":
        record[field.name] = uint32;
        break;
      case "uint64":
        record[field.name] = uint64;
        break;
      case "id64":
        record[field.name] = id64;
        break;
      case "char":
        record[field.name] = printableChar;
        break;
      case "alpha":
        record[field.name] = alphaText(field.width);
        break;
      case "orderbookId":
        record[field.name] = orderbookId(version);
        break;
      case "code":
        record[field.name] = fc.constantFrom(...field.codes);
        break;
    }
  }
  return fc.record(record, {
    noNullPrototype: true,
  }) as unknown as fc.Arbitrary<M>;
}

/** Registers the round-trip property of one message codec, in both versions. */
export function testRoundTrip<M extends OuchMessage>(c: MessageCase<M>): void {
  Deno.test(`${c.decodeName}() inverts ${c.encodeName}() in both versions`, () => {
    for (const version of ["1.12", "1.11"] as const) {
      fc.assert(
        fc.property(
          messageArbitrary<M>(c.type, c.fields, version),
          fc.nat(16),
          (msg, at) => {
            const target = new Uint8Array(at + c.length);
            assert.equal(c.encode(msg, target, at, { version }), c.length);
            assert.deepEqual(c.decode(target.subarray(at), { version }), msg);
          },
        ),
        { numRuns: 300 },
      );
    }
  });
}
