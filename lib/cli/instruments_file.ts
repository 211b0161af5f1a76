/**
 * Reading an `--instruments FILE` (K17): the orderbooks' reference data and any tick tables
 * of their own, as JSON with prices in yen. See the README's "Instruments file" for the
 * format, and `docs/instruments.json` for the built-in defaults written as such a file.
 *
 * @module
 */
import { tenthsFromDecimal } from "../codec/price.ts";
import {
  checkTickTable,
  type InstrumentSpec,
  resolveInstrument,
  TICK_TABLES,
  type TickTable,
} from "../matcher/mod.ts";
import { UsageError } from "./usage_error.ts";

/** What an instruments file configures, in the engine's units (prices in tenths). */
export interface InstrumentsFile {
  /** The orderbooks in file order. */
  readonly instruments: readonly InstrumentSpec[];
  /** The file's own tick tables by id (the built-in 0, 1 and 3 are not repeated here). */
  readonly tickTables: Readonly<Record<string, TickTable>>;
}

const ENTRY_FIELDS = new Set([
  "orderbookId",
  "name",
  "isin",
  "group",
  "roundLot",
  "tickTable",
  "referencePrice",
  "lowerLimit",
  "upperLimit",
]);
const PRICE_FIELDS = ["referencePrice", "lowerLimit", "upperLimit"] as const;
const MAX_PRICE = 0x7ffffffe;

/**
 * Reads the text of an instruments file.
 *
 * The top level is an object with `instruments`, a non-empty list of orderbooks, and
 * optionally `tickTables`, an object of table id to bands `{ "from": yen, "tick": yen }`
 * (which may replace the built-in tables 0, 1 and 3). Keys starting with `_` are comments.
 * Each orderbook has `orderbookId` (1 to 4 characters) and may have `name`, `isin`,
 * `group`, `roundLot`, `tickTable`, `referencePrice`, and both or neither of `lowerLimit`
 * and `upperLimit`; prices are decimals in yen with at most one decimal place. Limits left
 * out are derived from the reference price by the TSE table; both `0` mean no limits.
 *
 * @param text The file's contents.
 * @param path The file's path, for error messages.
 * @returns The instruments and tick tables, prices in tenths.
 * @throws {UsageError} Naming the file, the entry and the reason, for anything that is not
 *   such a file.
 *
 * @example One orderbook, limits derived
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInstrumentsFile } from "./instruments_file.ts";
 *
 * const file = parseInstrumentsFile(
 *   '{"instruments": [{"orderbookId": "7203", "roundLot": 100, "tickTable": 3, "referencePrice": 2800}]}',
 *   "i.json",
 * );
 * assert.deepEqual(file.instruments, [
 *   { orderbookId: "7203", roundLot: 100, tickTable: 3, referencePrice: 28_000 },
 * ]);
 * assert.throws(
 *   () => parseInstrumentsFile('{"instruments": [{"orderbookId": "7203", "roundLot": 0}]}', "i.json"),
 *   {
 *     name: "UsageError",
 *     message:
 *       'Cannot use entry 1 (orderbook "7203") of --instruments file "i.json": roundLot must be an integer from 1 to 2147483647: current value is 0',
 *   },
 * );
 * ```
 */
export function parseInstrumentsFile(
  text: string,
  path: string,
): InstrumentsFile {
  const file = `--instruments file "${path}"`;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `Cannot read ${file} as JSON: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new UsageError(
      `Cannot use ${file}: it must be an object with "instruments"`,
    );
  }
  const top = json as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (key !== "instruments" && key !== "tickTables" && !key.startsWith("_")) {
      throw new UsageError(
        `Cannot use ${file}: unknown top-level field "${key}" (fields are "instruments" and "tickTables"; "_" starts a comment)`,
      );
    }
  }
  const tickTables = readTickTables(top.tickTables, file);
  const tables = new Map<number, TickTable>();
  for (const [id, table] of Object.entries(TICK_TABLES)) {
    tables.set(Number(id), table);
  }
  for (const [id, table] of Object.entries(tickTables)) {
    tables.set(Number(id), table);
  }
  const list = top.instruments;
  if (!Array.isArray(list) || list.length === 0) {
    throw new UsageError(
      `Cannot use ${file}: "instruments" must be a non-empty list of orderbooks`,
    );
  }
  const seen = new Map<string, number>();
  const instruments = list.map((entry: unknown, i): InstrumentSpec => {
    const id = (entry as { orderbookId?: unknown } | null)?.orderbookId;
    const where = `entry ${i + 1}${
      typeof id === "string" ? ` (orderbook "${id}")` : ""
    } of ${file}`;
    const spec = readEntry(entry, where);
    const first = seen.get(spec.orderbookId);
    if (first !== undefined) {
      throw new UsageError(
        `Cannot use ${where}: orderbook "${spec.orderbookId}" is already entry ${first}`,
      );
    }
    seen.set(spec.orderbookId, i + 1);
    try {
      resolveInstrument(spec, tables, where);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    return spec;
  });
  return { instruments, tickTables };
}

/**
 * Reads an instruments file named by `--instruments`.
 *
 * @param path The file.
 * @returns Its instruments and tick tables, prices in tenths.
 * @throws {UsageError} With a one-line reason when the file cannot be read or used.
 *
 * @example A missing file is a usage error
 * ```ts
 * import assert from "node:assert/strict";
 * import { readInstrumentsFile } from "./instruments_file.ts";
 *
 * await assert.rejects(readInstrumentsFile("/nonexistent/instruments.json"), {
 *   name: "UsageError",
 *   message: /Cannot read --instruments file "\/nonexistent\/instruments.json"/,
 * });
 * ```
 */
export async function readInstrumentsFile(
  path: string,
): Promise<InstrumentsFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read --instruments file "${path}": ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  return parseInstrumentsFile(text, path);
}

function readTickTables(
  value: unknown,
  file: string,
): Record<string, TickTable> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(
      `Cannot use ${file}: "tickTables" must be an object of table id to bands`,
    );
  }
  const tables: Record<string, TickTable> = {};
  for (const [id, bands] of Object.entries(value)) {
    const name = `tick table "${id}" of ${file}`;
    if (!/^(0|[1-9]\d{0,9})$/.test(id) || Number(id) > 0xffffffff) {
      throw new UsageError(
        `Cannot use ${name}: its id must be an integer from 0 to 4294967295`,
      );
    }
    if (!Array.isArray(bands)) {
      throw new UsageError(
        `Cannot use ${name}: it must be a list of bands { "from": yen, "tick": yen }`,
      );
    }
    const inTenths = bands.map((band: unknown, i) => {
      if (typeof band !== "object" || band === null) {
        throw new UsageError(
          `Cannot use ${name}: band ${
            i + 1
          } must be { "from": yen, "tick": yen }`,
        );
      }
      const fields = band as Record<string, unknown>;
      for (const key of Object.keys(fields)) {
        if (key !== "from" && key !== "tick") {
          throw new UsageError(
            `Cannot use ${name}: band ${
              i + 1
            } has an unknown field "${key}" (fields are "from" and "tick")`,
          );
        }
      }
      return {
        from: yen(fields.from, `band ${i + 1} "from"`, name, 0),
        tick: yen(fields.tick, `band ${i + 1} "tick"`, name, 1),
      };
    });
    try {
      tables[id] = checkTickTable(inTenths, name);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
  }
  return tables;
}

function readEntry(entry: unknown, where: string): InstrumentSpec {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new UsageError(`Cannot use ${where}: it must be an object`);
  }
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!ENTRY_FIELDS.has(key) && !key.startsWith("_")) {
      throw new UsageError(
        `Cannot use ${where}: unknown field "${key}" (fields are ${
          [...ENTRY_FIELDS].join(", ")
        })`,
      );
    }
  }
  const id = fields.orderbookId;
  if (typeof id !== "string" || !/^[\x21-\x7e]{1,4}$/.test(id)) {
    throw new UsageError(
      `Cannot use ${where}: orderbookId must be 1 to 4 ASCII characters without spaces: current value is ${
        JSON.stringify(id)
      }`,
    );
  }
  const spec: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key.startsWith("_")) continue;
    spec[key] = (PRICE_FIELDS as readonly string[]).includes(key)
      ? yen(value, key, where, 0)
      : value;
  }
  const { lowerLimit, upperLimit } = spec;
  if (
    typeof lowerLimit === "number" && typeof upperLimit === "number" &&
    lowerLimit > upperLimit
  ) {
    throw new UsageError(
      `Cannot use ${where}: lowerLimit ${fields.lowerLimit} is above upperLimit ${fields.upperLimit}`,
    );
  }
  return spec as unknown as InstrumentSpec;
}

/** A price in yen (a JSON number with at most one decimal place) as tenths, at least `min`. */
function yen(
  value: unknown,
  field: string,
  where: string,
  min: number,
): number {
  const text = typeof value === "number" ? String(value) : undefined;
  const price = text === undefined
    ? undefined
    : tenthsFromDecimal(text, { exponent: true });
  if (
    price === undefined || !price.ok || price.tenths < min ||
    price.tenths > MAX_PRICE
  ) {
    throw new UsageError(
      `Cannot use ${where}: ${field} must be a number of yen from ${
        min / 10
      } to 214748364.6 with at most one decimal place: current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  return price.tenths;
}
