/**
 * Tick-size tables (K17): which prices are valid in which price band. Prices are integer
 * tenths, as everywhere in the engine.
 *
 * @module
 */

/**
 * One band of a tick table: prices above `from`, up to the next band's `from` (inclusive),
 * must be multiples of `tick`. The first band starts at `from` 0 and so covers every price
 * from 0.1 up. This is the Tokyo Stock Exchange's wording ("up to 3,000 yen: 1 yen") with
 * each band named by its lower bound, which is what ITCH's Price Tick Size message sends
 * as the band's price start.
 */
export interface TickBand {
  /** The band's lower bound in tenths: the previous band's "up to" price (0 for the first). */
  readonly from: number;
  /** The tick size in tenths (`1` is 0.1 yen). */
  readonly tick: number;
}

/** A tick-size table: its bands by ascending `from`, the first at `from` 0. */
export type TickTable = readonly TickBand[];

/**
 * The tick tables every matcher knows, by table id: `1`, the TSE table for standard issues;
 * `3`, the TSE table for TOPIX 500 constituents (the narrow one); and `0`, this
 * simulator's own "0.1 everywhere", which switches the tick check off (the seed's
 * orderbooks use it, so that its prices such as 500.5 stay valid). Figures from
 * `jnx-ouch.md` §12, in tenths.
 *
 * @example The tick of 2,800 yen in table 3 is 0.5 yen
 * ```ts
 * import assert from "node:assert/strict";
 * import { TICK_TABLES, tickSize } from "./tick_table.ts";
 *
 * assert.equal(tickSize(TICK_TABLES[3]!, 28_000), 5);
 * assert.equal(tickSize(TICK_TABLES[1]!, 28_000), 10);
 * assert.equal(tickSize(TICK_TABLES[0]!, 28_000), 1);
 * ```
 */
export const TICK_TABLES: Readonly<Record<number, TickTable>> = Object.freeze({
  0: table([[0, 0.1]]),
  1: table([
    [0, 1],
    [3_000, 5],
    [5_000, 10],
    [30_000, 50],
    [50_000, 100],
    [300_000, 500],
    [500_000, 1_000],
    [3_000_000, 5_000],
    [5_000_000, 10_000],
    [30_000_000, 50_000],
    [50_000_000, 100_000],
  ]),
  3: table([
    [0, 0.1],
    [1_000, 0.5],
    [5_000, 1],
    [10_000, 5],
    [50_000, 10],
    [100_000, 50],
    [500_000, 100],
    [1_000_000, 500],
    [5_000_000, 1_000],
    [10_000_000, 5_000],
    [50_000_000, 10_000],
  ]),
});

/** Builds a frozen table from (from, tick) pairs in yen. */
function table(bands: [number, number][]): TickTable {
  return Object.freeze(
    bands.map(([from, tick]) =>
      Object.freeze({
        from: Math.round(from * 10),
        tick: Math.round(tick * 10),
      })
    ),
  );
}

/**
 * Returns the tick size that applies to a price: the tick of the last band whose `from` is
 * below the price.
 *
 * @param table A valid table (see {@linkcode checkTickTable}).
 * @param price A price in tenths, above 0.
 * @returns The tick size in tenths.
 *
 * @example A band's upper bound belongs to it
 * ```ts
 * import assert from "node:assert/strict";
 * import { TICK_TABLES, tickSize } from "./tick_table.ts";
 *
 * assert.equal(tickSize(TICK_TABLES[1]!, 30_000), 10); // 3,000 yen: tick 1 yen
 * assert.equal(tickSize(TICK_TABLES[1]!, 30_050), 50); // 3,005 yen: tick 5 yen
 * ```
 */
export function tickSize(table: TickTable, price: number): number {
  for (let i = table.length - 1; i > 0; i--) {
    const band = table[i]!;
    if (band.from < price) return band.tick;
  }
  return table[0]!.tick;
}

/**
 * Checks that a value is a usable tick table: an array of at least one band, the first
 * from 0, the `from`s strictly increasing, every `from` and `tick` an integer number of
 * tenths (ticks at least 1, everything at most 2,147,483,646).
 *
 * @param value The table.
 * @param name How to name it in an error, e.g. `tick table 5`.
 * @returns The table, frozen.
 * @throws {RangeError} If it is not such a table, naming the band and the reason.
 *
 * @example A table must start at 0
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkTickTable } from "./tick_table.ts";
 *
 * assert.deepEqual(checkTickTable([{ from: 0, tick: 5 }], "table 9"), [{ from: 0, tick: 5 }]);
 * assert.throws(() => checkTickTable([{ from: 10, tick: 5 }], "table 9"), {
 *   name: "RangeError",
 *   message: "Cannot use table 9 as its first band must start at 0: current start is 10",
 * });
 * ```
 */
export function checkTickTable(value: unknown, name: string): TickTable {
  if (!Array.isArray(value) || value.length === 0) {
    throw new RangeError(
      `Cannot use ${name} as it must be a non-empty list of bands`,
    );
  }
  const bands: TickBand[] = [];
  value.forEach((band: unknown, i) => {
    const from = (band as TickBand | null)?.from;
    const tick = (band as TickBand | null)?.tick;
    if (!isTenths(from, 0) || !isTenths(tick, 1)) {
      throw new RangeError(
        `Cannot use ${name} as band ${
          i + 1
        } must have integer "from" (0 or more) and "tick" (1 or more) in tenths up to 2147483646: current band is ${
          JSON.stringify(band)
        }`,
      );
    }
    if (i === 0 && from !== 0) {
      throw new RangeError(
        `Cannot use ${name} as its first band must start at 0: current start is ${from}`,
      );
    }
    if (i > 0 && from <= bands[i - 1]!.from) {
      throw new RangeError(
        `Cannot use ${name} as band ${
          i + 1
        } must start above band ${i}: current starts are ${
          bands[i - 1]!.from
        } and ${from}`,
      );
    }
    bands.push(Object.freeze({ from, tick }));
  });
  return Object.freeze(bands);
}

function isTenths(value: unknown, min: number): value is number {
  return typeof value === "number" && Number.isInteger(value) &&
    value >= min && value <= 0x7ffffffe;
}
