/**
 * Command-line parsing on top of `node:util` `parseArgs`, turning its errors into
 * {@linkcode UsageError}s and checking numbers, ports and choices.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { closest } from "./closest.ts";
import { UsageError } from "./usage_error.ts";

/** One flag: a boolean switch or a string value, optionally repeatable, with a short alias. */
export interface FlagSpec {
  /** `"boolean"` for a switch, `"string"` for a flag that takes a value. */
  type: "boolean" | "string";
  /** A one-letter alias such as `"h"`. */
  short?: string;
  /** Whether the flag may be given several times. @default {false} */
  multiple?: boolean;
}

/** What {@linkcode parseFlags} returns. */
export interface ParsedFlags {
  /** Flag values by name; repeatable flags are arrays. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Arguments that are not flags, in order. */
  positionals: string[];
}

/**
 * Parses `args` against `spec`, refusing unknown flags and missing values.
 *
 * @param args The arguments after the subcommand name.
 * @param spec The flags the subcommand takes.
 * @returns The flag values and the positional arguments.
 * @throws {UsageError} For an unknown flag, a missing value or a value given to a switch.
 *
 * @example Parse a port and a file
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * const { values, positionals } = parseFlags(["--port", "0", "x.json"], {
 *   port: { type: "string" },
 * });
 * assert.equal(values.port, "0");
 * assert.deepEqual(positionals, ["x.json"]);
 * ```
 */
export function parseFlags(
  args: string[],
  spec: Record<string, FlagSpec>,
): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: spec,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedFlags["values"], positionals };
  } catch (error) {
    const message = error instanceof Error
      ? error.message.split("\n")[0] ?? ""
      : String(error);
    const unknown = message.match(/^Unknown option '([^']+)'/);
    if (unknown !== null) {
      throw new UsageError(`Cannot use unknown flag ${unknown[1]}`);
    }
    const missing = message.match(
      /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/,
    );
    if (missing !== null) {
      throw new UsageError(`Cannot use ${missing[1]} without a value`);
    }
    const extra = message.match(
      /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/,
    );
    if (extra !== null) {
      throw new UsageError(`Cannot give ${extra[1]} a value: it is a switch`);
    }
    throw new UsageError(message.replace(/\.$/, ""));
  }
}

/**
 * Reads an integer flag value within `min`..`max`.
 *
 * @param name The flag name, for the error message.
 * @param value The raw value, or `undefined` when the flag was not given.
 * @param fallback The value to use when the flag was not given.
 * @param range The accepted range, inclusive.
 * @returns The integer.
 * @throws {UsageError} When the value is not an integer in range.
 *
 * @example Read a port
 * ```ts
 * import { integerFlag } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(integerFlag("port", "8080", 15000, { min: 0, max: 65535 }), 8080);
 * assert.equal(integerFlag("port", undefined, 15000, { min: 0, max: 65535 }), 15000);
 * assert.throws(() => integerFlag("port", "x", 1, { min: 0, max: 9 }), { name: "UsageError" });
 * ```
 */
export function integerFlag(
  name: string,
  value: unknown,
  fallback: number,
  range: { min: number; max: number },
): number {
  if (value === undefined) return fallback;
  const text = String(value);
  const number = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (
    !Number.isSafeInteger(number) || number < range.min || number > range.max
  ) {
    throw new UsageError(
      `Cannot use --${name} as an integer from ${range.min} to ${range.max}: current value is "${text}"`,
    );
  }
  return number;
}

/**
 * Reads a `HOST:PORT` flag.
 *
 * @param name The flag name, for the error messages.
 * @param value The raw value.
 * @param minPort The lowest port accepted (0 where 0 picks a free port).
 * @returns The host name and the port.
 * @throws {UsageError} When the value is not `HOST:PORT` or the port is out of range.
 *
 * @example Usage
 * ```ts
 * import { hostPortFlag } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(hostPortFlag("mold", "127.0.0.1:30001", 1), { hostname: "127.0.0.1", port: 30001 });
 * assert.throws(() => hostPortFlag("mold", "nowhere", 1), {
 *   message: 'Cannot use --mold "nowhere" as HOST:PORT',
 * });
 * ```
 */
export function hostPortFlag(
  name: string,
  value: string,
  minPort: number,
): { hostname: string; port: number } {
  const match = value.match(/^(.+):(\d+)$/);
  if (match === null) {
    throw new UsageError(`Cannot use --${name} "${value}" as HOST:PORT`);
  }
  return {
    hostname: match[1]!,
    port: integerFlag(`${name} port`, match[2], 0, {
      min: minPort,
      max: 65535,
    }),
  };
}

/**
 * Reads a flag whose value must be one of `choices`.
 *
 * @param name The flag name, for the error message.
 * @param value The raw value, or `undefined` when the flag was not given.
 * @param choices The accepted values; the first is the default.
 * @returns The chosen value.
 * @throws {UsageError} When the value is not one of the choices; the message lists them
 * and names the closest one when it is at most two edits away.
 *
 * @example Read a protocol version
 * ```ts
 * import { choiceFlag } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(choiceFlag("protocol", "1.11", ["1.12", "1.11"] as const), "1.11");
 * assert.equal(choiceFlag("protocol", undefined, ["1.12", "1.11"] as const), "1.12");
 * assert.throws(() => choiceFlag("display", "tabel", ["table", "debug", "quiet"] as const), {
 *   message: 'Cannot use --display "tabel": did you mean --display table? Give --display as one of table, debug, quiet',
 * });
 * ```
 */
export function choiceFlag<T extends string>(
  name: string,
  value: unknown,
  choices: readonly [T, ...T[]],
): T {
  if (value === undefined) return choices[0];
  const found = choices.find((choice) => choice === value);
  if (found === undefined) {
    const text = String(value);
    const near = closest(text, choices);
    throw new UsageError(
      `Cannot use --${name} "${text}": ${
        near === undefined ? "give" : `did you mean --${name} ${near}? Give`
      } --${name} as one of ${choices.join(", ")}`,
    );
  }
  return found;
}
