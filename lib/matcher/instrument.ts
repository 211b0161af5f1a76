/**
 * Reference data of an orderbook (K17): what Japannext's ITCH Orderbook Directory says about
 * it (ISIN, group, round lot, tick table, price limits) and its reference price. The
 * matcher checks orders against it; a market-data feed announces it.
 *
 * @module
 */

import { priceLimits } from "./price_limits.ts";
import type { TickTable } from "./tick_table.ts";

const GROUPS = ["DAY", "NGHT", "DAYX", "DAYU"];
const MAX_PRICE = 0x7ffffffe;

/** One orderbook's reference data, complete. Prices are integer tenths. */
export interface Instrument {
  /** The orderbook id: the quick code (1 to 4 characters) under OUCH 1.12. */
  readonly orderbookId: string;
  /** A name for people; `""` when none. */
  readonly name: string;
  /** The 12-character ISIN, or `""` when none (ITCH then sends 12 spaces). */
  readonly isin: string;
  /** The group the orderbook is listed under in the directory (`DAY`, `NGHT`, `DAYX`, `DAYU`). */
  readonly group: string;
  /** Every order's quantity must be a multiple of it (`Z` otherwise); `1` switches the check off. */
  readonly roundLot: number;
  /** The id of the tick table prices must follow (`X` otherwise); table `0` switches it off. */
  readonly tickTable: number;
  /**
   * The reference (base) price, normally the previous close: the centre of the derived
   * price limits and of the short-sell restriction's trigger; `0` when none.
   */
  readonly referencePrice: number;
  /** The lowest price accepted (`X` below it), inclusive; `0` with `upperLimit` `0`: no limits. */
  readonly lowerLimit: number;
  /** The highest price accepted (`X` above it), inclusive; `0`: no limits. */
  readonly upperLimit: number;
}

/**
 * An orderbook's reference data as configured: everything but `orderbookId` may be left
 * out. Defaults: no name, no ISIN, group `DAY`, round lot 1, tick table 0, no reference
 * price. Price limits left out are derived from the reference price with the TSE table
 * (none without a reference price); give both as `0` for none.
 */
export interface InstrumentSpec {
  readonly orderbookId: string;
  readonly name?: string;
  readonly isin?: string;
  readonly group?: string;
  readonly roundLot?: number;
  readonly tickTable?: number;
  readonly referencePrice?: number;
  readonly lowerLimit?: number;
  readonly upperLimit?: number;
}

/**
 * The built-in instruments (`jnx-ouch.md` §12): the seed's orderbooks `0` to `3` with no
 * rules (round lot 1, tick table 0, no reference price, no limits, so the seed's scenario
 * prices such as 500.5 stay valid), then four TOPIX 500 stocks with their real ISINs, round
 * lot 100, tick table 3 and example reference prices, limits derived by the TSE table.
 *
 * @example Toyota's rules
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_INSTRUMENTS } from "./instrument.ts";
 *
 * assert.deepEqual(DEFAULT_INSTRUMENTS.find((i) => i.orderbookId === "7203"), {
 *   orderbookId: "7203", name: "Toyota Motor", isin: "JP3633400001", group: "DAY",
 *   roundLot: 100, tickTable: 3, referencePrice: 28_000, lowerLimit: 23_000,
 *   upperLimit: 33_000,
 * });
 * ```
 */
export const DEFAULT_INSTRUMENTS: readonly Instrument[] = Object.freeze([
  ...["0", "1", "2", "3"].map((orderbookId) =>
    resolveInstrument({ orderbookId, name: "seed test book" })
  ),
  stock("7203", "Toyota Motor", "JP3633400001", 28_000),
  stock("6758", "Sony Group", "JP3435000009", 34_000),
  stock("9984", "SoftBank Group", "JP3436100006", 90_000),
  stock("8306", "Mitsubishi UFJ FG", "JP3902900004", 18_000),
]);

function stock(
  orderbookId: string,
  name: string,
  isin: string,
  referencePrice: number,
): Instrument {
  return resolveInstrument({
    orderbookId,
    name,
    isin,
    roundLot: 100,
    tickTable: 3,
    referencePrice,
  });
}

/**
 * Completes and checks an instrument specification: fills the defaults of
 * {@linkcode InstrumentSpec} and derives missing price limits.
 *
 * @param spec The configured fields.
 * @param tickTables The known tick tables by id, to check `tickTable` against; leave it out
 *   to skip that check.
 * @param where What to name in an error.
 * @returns The complete instrument, frozen.
 * @throws {RangeError} Naming the orderbook, the field and the reason, if a field is out of
 *   range: an orderbook id not 1 to 10 printable characters (a quick code, or a uint32
 *   in decimal under OUCH 1.11), an ISIN not 12 letters and
 *   digits, an unknown group, a round lot not from 1 to 2,147,483,647, an unknown tick
 *   table, a price not from 0.1 to 214,748,364.6, only one limit given, or a lower limit
 *   above the upper one.
 *
 * @example Limits are derived from the reference price
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveInstrument } from "./instrument.ts";
 *
 * const sony = resolveInstrument({ orderbookId: "6758", referencePrice: 34_000 });
 * assert.equal(sony.lowerLimit, 27_000);
 * assert.equal(sony.upperLimit, 41_000);
 * assert.throws(() => resolveInstrument({ orderbookId: "6758", roundLot: 0 }), {
 *   name: "RangeError",
 *   message: /orderbook "6758": roundLot must be an integer from 1 to 2147483647: current value is 0/,
 * });
 * ```
 */
export function resolveInstrument(
  spec: InstrumentSpec,
  tickTables?: ReadonlyMap<number, TickTable>,
  where?: string,
): Instrument {
  const id = spec?.orderbookId;
  if (typeof id !== "string" || !/^[\x21-\x7e]{1,10}$/.test(id)) {
    throw new RangeError(
      `Cannot use instrument as orderbookId must be 1 to 10 printable ASCII characters: current value is ${
        JSON.stringify(id)
      }`,
    );
  }
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new RangeError(
      `Cannot use ${
        where ?? `instrument of orderbook "${id}"`
      }: ${field} must be ${rule}: current value is ${JSON.stringify(value)}`,
    );
  };
  const name = spec.name ?? "";
  if (typeof name !== "string") fail("name", "a string", name);
  const isin = spec.isin ?? "";
  if (typeof isin !== "string" || !/^([A-Z0-9]{12})?$/.test(isin)) {
    fail("isin", "12 capital letters and digits", isin);
  }
  const group = spec.group ?? "DAY";
  if (!GROUPS.includes(group)) {
    fail("group", `one of ${GROUPS.join(", ")}`, group);
  }
  const roundLot = spec.roundLot ?? 1;
  if (!isInteger(roundLot, 1, 0x7fffffff)) {
    fail("roundLot", "an integer from 1 to 2147483647", roundLot);
  }
  const tickTable = spec.tickTable ?? 0;
  if (!isInteger(tickTable, 0, 0xffffffff)) {
    fail("tickTable", "a table id from 0 to 4294967295", tickTable);
  }
  if (tickTables !== undefined && !tickTables.has(tickTable)) {
    fail(
      "tickTable",
      `a known table (${[...tickTables.keys()].join(", ")})`,
      tickTable,
    );
  }
  const referencePrice = spec.referencePrice ?? 0;
  if (referencePrice !== 0 && !isInteger(referencePrice, 1, MAX_PRICE)) {
    fail(
      "referencePrice",
      "a price from 1 to 2147483646 tenths",
      referencePrice,
    );
  }
  let lowerLimit = spec.lowerLimit;
  let upperLimit = spec.upperLimit;
  if ((lowerLimit === undefined) !== (upperLimit === undefined)) {
    fail(
      lowerLimit === undefined ? "lowerLimit" : "upperLimit",
      "given together with the other limit",
      undefined,
    );
  }
  if (lowerLimit === undefined || upperLimit === undefined) {
    const derived = referencePrice === 0
      ? { lower: 0, upper: 0 }
      : priceLimits(referencePrice);
    lowerLimit = derived.lower;
    upperLimit = derived.upper;
  } else if (lowerLimit !== 0 || upperLimit !== 0) {
    if (!isInteger(lowerLimit, 1, MAX_PRICE)) {
      fail("lowerLimit", "a price from 1 to 2147483646 tenths", lowerLimit);
    }
    if (!isInteger(upperLimit, 1, MAX_PRICE)) {
      fail("upperLimit", "a price from 1 to 2147483646 tenths", upperLimit);
    }
    if (lowerLimit > upperLimit) {
      fail("lowerLimit", `at most upperLimit ${upperLimit}`, lowerLimit);
    }
  }
  return Object.freeze({
    orderbookId: id,
    name,
    isin,
    group,
    roundLot,
    tickTable,
    referencePrice,
    lowerLimit,
    upperLimit,
  });
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) &&
    value >= min && value <= max;
}
