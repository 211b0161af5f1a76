// Private to the ITCH tests: the rules every ITCH message codec shares, checked field by field
// from a table written from the official text (jnx-itch-v1.7.txt §4), plus fast-check
// arbitraries and round trips in both versions.
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromHex, toHex } from "../../lib/codec/hex.ts";
import type { ItchMessage, ItchVersion } from "../../lib/itch/messages.ts";
import type { ItchCodecOptions } from "../../lib/itch/options.ts";
import { alphaText, id64, uint32 } from "../codec/_message_cases.ts";

export { alphaText, id64, uint32 };

/** How a field is laid out. */
export type FieldKind =
  | { readonly kind: "nanoseconds" }
  | { readonly kind: "uint32" }
  | { readonly kind: "id64" }
  | { readonly kind: "sequence" }
  | { readonly kind: "alpha"; readonly width: number }
  | { readonly kind: "orderbookId" }
  | { readonly kind: "code"; readonly codes: readonly string[] };

/** One field: name, offset from the type byte, layout. */
export type Field =
  & { readonly name: string; readonly offset: number }
  & FieldKind;

/** A message codec under test. */
export interface MessageCase<M extends ItchMessage> {
  readonly type: M["type"];
  readonly encodeName: string;
  readonly decodeName: string;
  readonly length: number;
  readonly typeChar: string;
  readonly encode: (
    msg: M,
    target: Uint8Array,
    at?: number,
    options?: ItchCodecOptions,
  ) => number;
  readonly decode: (bytes: Uint8Array, options?: ItchCodecOptions) => M;
  readonly fields: readonly Field[];
  /** A valid message. */
  readonly sample: M;
}

/** Reads hex written with `--` comments, one field a line. */
export function bytesOf(text: string): Uint8Array {
  return fromHex(text.replace(/--.*$/gm, ""));
}

/** The fields as `{ name: offset }`, with the type byte at 0. */
export function offsetsOf(fields: readonly Field[]): Record<string, number> {
  return Object.fromEntries([
    ["messageType", 0],
    ...fields.map((field) => [field.name, field.offset]),
  ]);
}

function encodeFresh<M extends ItchMessage>(
  c: MessageCase<M>,
  msg: M,
  options: ItchCodecOptions = {},
): Uint8Array {
  const bytes = new Uint8Array(c.length);
  assert.equal(c.encode(msg, bytes, 0, options), c.length);
  return bytes;
}

function withField<M extends ItchMessage>(
  msg: M,
  name: string,
  value: unknown,
): M {
  return { ...msg, [name]: value } as M;
}

function fieldOf(msg: ItchMessage, name: string): unknown {
  return (msg as unknown as Record<string, unknown>)[name];
}

function widthOf(field: Field): number {
  switch (field.kind) {
    case "nanoseconds":
    case "uint32":
    case "orderbookId":
      return 4;
    case "id64":
    case "sequence":
      return 8;
    case "code":
      return 1;
    case "alpha":
      return field.width;
  }
}

function hexByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

/** Registers the shared encode and decode rule tests of one message codec. */
export function testMessageRules<M extends ItchMessage>(
  c: MessageCase<M>,
): void {
  const { encodeName: en, decodeName: de, type } = c;

  Deno.test(`${en}() writes at an offset and returns ${c.length}`, () => {
    const expected = encodeFresh(c, c.sample);
    const target = new Uint8Array(c.length + 10).fill(0xee);
    assert.equal(c.encode(c.sample, target, 5), c.length);
    assert.equal(toHex(target.subarray(5, 5 + c.length)), toHex(expected));
    assert.equal(toHex(target.subarray(0, 5)), "eeeeeeeeee");
    assert.equal(toHex(target.subarray(5 + c.length)), "eeeeeeeeee");
    assert.equal(expected[0], c.typeChar.charCodeAt(0));
  });

  Deno.test(`${en}() refuses a target without room with a RangeError`, () => {
    assert.throws(() => c.encode(c.sample, new Uint8Array(c.length - 1)), {
      name: "RangeError",
      message: `Cannot encode ${type} as it needs ${c.length} bytes: ${
        c.length - 1
      } bytes are free at offset 0`,
    });
    for (const at of [-1, 0.5, Number.NaN, c.length + 1]) {
      assert.throws(() => c.encode(c.sample, new Uint8Array(c.length), at), {
        name: "RangeError",
        message:
          `Cannot encode ${type} as its offset must be an integer from 0 to ${c.length}: current offset is ${at}`,
      });
    }
  });

  Deno.test(`${en}() and ${de}() refuse an unknown ITCH version`, () => {
    const options = { version: "1.12" } as unknown as ItchCodecOptions;
    const message =
      'Cannot select ITCH version as one of "1.7", "1.6": current version is "1.12"';
    assert.throws(
      () => c.encode(c.sample, new Uint8Array(c.length), 0, options),
      { name: "RangeError", message },
    );
    assert.throws(() => c.decode(encodeFresh(c, c.sample), options), {
      name: "RangeError",
      message,
    });
  });

  Deno.test(`${de}() checks the length first, naming the message and both lengths`, () => {
    const long = new Uint8Array(c.length + 1);
    c.encode(c.sample, long);
    long[1] = 0xff; // a bad field too: the length is still what is reported
    for (const length of [0, 1, c.length - 1, c.length + 1]) {
      assert.throws(() => c.decode(long.subarray(0, length)), {
        name: "ItchDecodeError",
        message:
          `Cannot decode ${type} as it must be ${c.length} bytes: current length is ${length}`,
        offset: Math.min(length, c.length),
        messageType: type,
      });
    }
  });

  Deno.test(`${de}() rejects a wrong type byte, naming it as a character and in hex`, () => {
    const bytes = encodeFresh(c, c.sample);
    bytes[0] = 0x50;
    const expected = `"${c.typeChar}" (${hexByte(c.typeChar.charCodeAt(0))})`;
    assert.throws(() => c.decode(bytes), {
      name: "ItchDecodeError",
      message:
        `Cannot decode ${type} as its type byte must be ${expected}: current byte is "P" (0x50)`,
      offset: 0,
      field: "messageType",
    });
  });

  for (const field of c.fields) testField(c, field);
}

function testField<M extends ItchMessage>(
  c: MessageCase<M>,
  field: Field,
): void {
  const { encodeName: en, decodeName: de, type } = c;
  const { name, offset } = field;
  const refuses = (value: unknown, rule: string, version?: ItchVersion) =>
    assert.throws(
      () =>
        encodeFresh(
          c,
          withField(c.sample, name, value),
          version === undefined ? {} : { version },
        ),
      {
        name: "ItchEncodeError",
        message:
          `Cannot encode ${type} field ${name} as ${rule}: current value is ${
            shown(value)
          }`,
        messageType: type,
        field: name,
      },
    );
  const writes = (value: unknown, hex: string) => {
    const bytes = encodeFresh(c, withField(c.sample, name, value));
    assert.equal(toHex(bytes.subarray(offset, offset + hex.length / 2)), hex);
    assert.equal(fieldOf(c.decode(bytes), name), value);
  };

  switch (field.kind) {
    case "nanoseconds":
      Deno.test(`${en}() writes nanoseconds as a uint32 at 1, below 10^9`, () => {
        writes(0, "00000000");
        writes(123_456_789, "075bcd15");
        writes(999_999_999, "3b9ac9ff");
      });
      Deno.test(`${en}() refuses nanoseconds outside 0..999999999`, () => {
        for (const value of [-1, 1e9, 2 ** 32, 1.5, Number.NaN, "1"]) {
          refuses(value, "an integer from 0 to 999999999");
        }
      });
      Deno.test(`${de}() rejects nanoseconds of 10^9 or more`, () => {
        for (
          const [hex, value] of [["3b9aca00", 1e9], [
            "ffffffff",
            2 ** 32 - 1,
          ]] as const
        ) {
          const bytes = encodeFresh(c, c.sample);
          bytes.set(fromHex(hex), 1);
          assert.throws(() => c.decode(bytes), {
            name: "ItchDecodeError",
            message:
              `Cannot decode ${type} field nanoseconds as an integer from 0 to 999999999: current value is ${value}`,
            offset: 1,
            field: "nanoseconds",
          });
        }
      });
      return;
    case "uint32":
      Deno.test(`${en}() writes ${name} as a big-endian uint32 at ${offset}`, () => {
        writes(0, "00000000");
        writes(23_000, "000059d8");
        writes(0x7fffffff, "7fffffff");
        writes(0xffffffff, "ffffffff");
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
          refuses(value, "a uint32");
        }
      });
      return;
    case "id64":
      Deno.test(`${en}() writes ${name} as an exact unsigned 8-byte integer at ${offset}`, () => {
        writes(0n, "0000000000000000");
        writes(2n ** 53n + 1n, "0020000000000001");
        writes(202307130000000093n, "02cebd434b2dc45d");
        writes(2n ** 64n - 1n, "ffffffffffffffff");
      });
      Deno.test(`${en}() refuses ${name} that is not a bigint from 0 to 2^64 - 1`, () => {
        for (const value of [-1n, 2n ** 64n, 1, "1", undefined]) {
          refuses(value, "a bigint from 0 to 2^64 - 1");
        }
      });
      return;
    case "sequence":
      Deno.test(`${en}() writes ${name} as a big-endian 8-byte integer at ${offset}`, () => {
        writes(0, "0000000000000000");
        writes(2 ** 32, "0000000100000000");
        writes(Number.MAX_SAFE_INTEGER, "001fffffffffffff");
      });
      Deno.test(`${en}() refuses ${name} that is not a safe non-negative integer`, () => {
        for (const value of [-1, 0.5, 2 ** 53, Number.NaN, "1"]) {
          refuses(value, "a safe non-negative integer");
        }
      });
      Deno.test(`${de}() rejects ${name} above Number.MAX_SAFE_INTEGER`, () => {
        for (const hex of ["0020000000000000", "ffffffffffffffff"]) {
          const bytes = encodeFresh(c, c.sample);
          bytes.set(fromHex(hex), offset);
          assert.throws(() => c.decode(bytes), {
            name: "ItchDecodeError",
            message:
              `Cannot decode ${type} field ${name} as a safe integer: current value is 0x${hex}`,
            offset,
            field: name,
          });
        }
      });
      return;
    case "code": {
      const rule = `one of ${
        field.codes.map((code) => `"${code}"`).join(", ")
      }`;
      Deno.test(`${en}() and ${de}() accept every ${name} code`, () => {
        for (const code of field.codes) {
          writes(code, code.charCodeAt(0).toString(16));
        }
      });
      Deno.test(`${en}() refuses an unknown ${name}`, () => {
        for (const value of ["", "X", "BB", "\u00e9", 66]) {
          refuses(value, rule);
        }
      });
      Deno.test(`${de}() rejects every byte that is not a ${name} code`, () => {
        for (let byte = 0; byte < 256; byte++) {
          if (field.codes.includes(String.fromCharCode(byte))) continue;
          const bytes = encodeFresh(c, c.sample);
          bytes[offset] = byte;
          assert.throws(() => c.decode(bytes), {
            name: "ItchDecodeError",
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
      return;
    }
    case "alpha":
    case "orderbookId":
      testAlpha(c, field, widthOf(field));
  }
}

function testAlpha<M extends ItchMessage>(
  c: MessageCase<M>,
  field: Field,
  w: number,
): void {
  const { encodeName: en, decodeName: de, type } = c;
  const { name, offset } = field;
  const v16 = { version: "1.6" } as const;
  Deno.test(`${en}() pads ${name} with spaces and ${de}() trims only trailing spaces`, () => {
    const cases: [string, string][] = [
      ["", " ".repeat(w)],
      ["A", "A" + " ".repeat(w - 1)],
      [" A", " A" + " ".repeat(w - 2)],
      ["~".repeat(w), "~".repeat(w)],
    ];
    for (const [value, text] of cases) {
      const bytes = encodeFresh(c, withField(c.sample, name, value));
      assert.equal(
        new TextDecoder().decode(bytes.subarray(offset, offset + w)),
        text,
      );
      assert.equal(fieldOf(c.decode(bytes), name), value);
    }
  });
  Deno.test(`${en}() refuses ${name} that is over ${w} characters or not printable ASCII`, () => {
    for (const value of ["x".repeat(w + 1), "\u00e9", "a\tb", "\x7f", 7]) {
      assert.throws(() => encodeFresh(c, withField(c.sample, name, value)), {
        name: "ItchEncodeError",
        message:
          `Cannot encode ${type} field ${name} as printable ASCII of at most ${w} characters: current value is ${
            shown(value)
          }`,
        field: name,
      });
    }
  });
  Deno.test(`${de}() rejects a byte of ${name} that is not printable ASCII`, () => {
    for (let at = offset; at < offset + w; at++) {
      for (const byte of [0x00, 0x1f, 0x7f, 0x80, 0xff]) {
        const bytes = encodeFresh(c, c.sample);
        bytes[at] = byte;
        assert.throws(() => c.decode(bytes), {
          name: "ItchDecodeError",
          message: new RegExp(
            `^Cannot decode ${type} field ${name} as printable ASCII: current byte is "\\\\u00${
              byte.toString(16).padStart(2, "0")
            }" \\(${hexByte(byte)}\\) at offset ${at}$`,
          ),
          offset: at,
          field: name,
        });
      }
    }
  });
  if (field.kind !== "orderbookId") return;
  Deno.test(`${en}() writes ${name} as Alpha in v1.7 and as a uint32 in v1.6`, () => {
    for (
      const [value, alpha, number] of [
        ["7203", "37323033", "00001c23"],
        ["1", "31202020", "00000001"],
        ["0", "30202020", "00000000"],
        ["4294967295", undefined, "ffffffff"],
      ] as const
    ) {
      if (alpha !== undefined) {
        const bytes = encodeFresh(c, withField(c.sample, name, value));
        assert.equal(toHex(bytes.subarray(offset, offset + 4)), alpha);
        assert.equal(fieldOf(c.decode(bytes), name), value);
      }
      const bytes = encodeFresh(c, withField(c.sample, name, value), v16);
      assert.equal(toHex(bytes.subarray(offset, offset + 4)), number);
      assert.equal(fieldOf(c.decode(bytes, v16), name), value);
    }
    // The same bytes read in the other version: "1   " is the uint32 0x31202020.
    const alphaBytes = encodeFresh(c, withField(c.sample, name, "1"));
    assert.equal(fieldOf(c.decode(alphaBytes, v16), name), "824188960");
  });
  Deno.test(`${en}() refuses a non-canonical decimal ${name} in v1.6`, () => {
    for (
      const value of [
        "007",
        "",
        "-1",
        "4294967296",
        "1.0",
        " 1",
        "abc",
        "1e3",
        7,
      ]
    ) {
      assert.throws(
        () => encodeFresh(c, withField(c.sample, name, value), v16),
        {
          name: "ItchEncodeError",
          message:
            `Cannot encode ${type} field ${name} as a canonical decimal uint32 under version 1.6: current value is ${
              shown(value)
            }`,
          field: name,
        },
      );
    }
  });
  Deno.test(`${de}() reads any uint32 ${name} in v1.6, even non-printable bytes`, () => {
    const bytes = encodeFresh(c, c.sample);
    bytes.set([0x80, 0x00, 0x00, 0x00], offset);
    assert.equal(fieldOf(c.decode(bytes, v16), name), "2147483648");
  });
}

// ---------------------------------------------------------------------------------------
// Arbitraries

/** An Orderbook Id valid in `version`. */
export function orderbookId(version: ItchVersion): fc.Arbitrary<string> {
  return version === "1.6" ? uint32.map(String) : alphaText(4);
}

/** An arbitrary for every field of `fields`, in `version`. */
export function messageArbitrary<M extends ItchMessage>(
  type: M["type"],
  fields: readonly Field[],
  version: ItchVersion,
): fc.Arbitrary<M> {
  const record: Record<string, fc.Arbitrary<unknown>> = {
    type: fc.constant(type),
  };
  for (const field of fields) {
    switch (field.kind) {
      case "nanoseconds":
        record[field.name] = fc.integer({ min: 0, max: 999_999_999 });
        break;
      case "uint32":
        record[field.name] = uint32;
        break;
      case "id64":
        record[field.name] = id64;
        break;
      case "sequence":
        record[field.name] = fc.maxSafeNat();
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
export function testRoundTrip<M extends ItchMessage>(c: MessageCase<M>): void {
  Deno.test(`${c.decodeName}() inverts ${c.encodeName}() in both versions`, () => {
    for (const version of ["1.7", "1.6"] as const) {
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

/**
 * Registers the hand-written bytes of one message: `bytes17` (v1.7) and `bytes16` (v1.6)
 * both encode from and decode to `sample`.
 */
export function testOfficialBytes<M extends ItchMessage>(
  c: MessageCase<M>,
  bytes17: Uint8Array,
  bytes16: Uint8Array,
): void {
  Deno.test(`${c.encodeName}() writes the official layout in v1.7 and v1.6`, () => {
    assert.equal(toHex(encodeFresh(c, c.sample)), toHex(bytes17));
    assert.equal(
      toHex(encodeFresh(c, c.sample, { version: "1.6" })),
      toHex(bytes16),
    );
  });
  Deno.test(`${c.decodeName}() reads the official layout in v1.7 and v1.6`, () => {
    assert.deepEqual(c.decode(bytes17), c.sample);
    assert.deepEqual(c.decode(bytes16, { version: "1.6" }), c.sample);
  });
}
