/**
 * One orderbook as text: a ladder (bids left, asks right, best prices first) under a title
 * with the last trade, the reference price and limits, `SSR` and `HALTED`; or a one-line
 * summary. The server's console and the ITCH client's live view both draw books with it.
 *
 * @example A ladder
 * ```ts
 * import { renderLadder } from "./ladder.ts";
 * import assert from "node:assert/strict";
 *
 * const depth = {
 *   orderbookId: "7203",
 *   bids: [{ price: 23_000, quantity: 300, orders: 2 }],
 *   asks: [{ price: 23_010, quantity: 100, orders: 1 }],
 * };
 * assert.deepEqual(renderLadder(depth, []), [
 *   "7203  last -",
 *   "Orders  Quantity      Bid |     Ask  Quantity  Orders",
 *   "     2       300   2300.0 |  2301.0       100       1",
 * ]);
 * ```
 *
 * @module
 */
import { formatPrice, formatTimestamp } from "../format/format.ts";
import type { Depth, DepthLevel, Instrument } from "../matcher/mod.ts";
import { type Colors, colors, type RenderOptions } from "./colors.ts";

/** The price levels per side shown when no count is given. */
export const DEFAULT_LEVELS = 10;

/** How {@linkcode renderLadder} draws one orderbook. */
export interface LadderOptions extends RenderOptions {
  /** Show the halted marker. @default {false} */
  halted?: boolean;
  /** Show the short-sell price restriction marker `SSR` (K18). @default {false} */
  restricted?: boolean;
  /**
   * The orderbook's reference data (K17): its reference price and price limits are shown
   * in the title when it has them. @default {none}
   */
  instrument?: Pick<Instrument, "referencePrice" | "lowerLimit" | "upperLimit">;
  /** The most price levels shown per side. @default {10} */
  levels?: number;
}

/** A trade as the display shows it: the last one of an orderbook. */
export interface ShownTrade {
  /** Price in tenths. */
  readonly price: number;
  readonly quantity: number;
  /** Nanoseconds since midnight. */
  readonly timestamp: number;
}

/** What an orderbook looks like at a refresh: its depth, its trades and whether it is halted. */
export interface BookView {
  readonly depth: Depth;
  /** The orderbook's trades, oldest first; only the last one is shown. */
  readonly trades: readonly ShownTrade[];
  readonly halted: boolean;
  /** Whether the short-sell price restriction is in effect. @default {false} */
  readonly restricted?: boolean;
  /** Its reference data, shown in the title when it has a reference price or limits. */
  readonly instrument?: LadderOptions["instrument"];
}

/**
 * Draws one orderbook: a title line (id, last trade, halted marker), a header, then one row
 * per price level with the bids on the left (orders, quantity, price) and the asks on the
 * right (price, quantity, orders), best prices on the first row. A side with fewer levels
 * leaves its cells blank; a book without orders has no rows.
 *
 * @param depth The orderbook's aggregated depth, best levels first.
 * @param trades Its trades, oldest first; the last one is shown as `last QUANTITY @ PRICE TIME`
 * (time to the millisecond), or `last -` when there is none.
 * @param options Halted marker, levels and colour. Bids are green and asks red.
 * @returns The lines, without line breaks.
 * @throws {RangeError} When `levels` is not a positive integer, or a price is invalid.
 *
 * @example More bids than asks, a trade and a halt
 * ```ts
 * import { renderLadder } from "./ladder.ts";
 * import assert from "node:assert/strict";
 *
 * const depth = {
 *   orderbookId: "7203",
 *   bids: [
 *     { price: 23_000, quantity: 300, orders: 2 },
 *     { price: 22_990, quantity: 100, orders: 1 },
 *   ],
 *   asks: [{ price: 23_010, quantity: 50, orders: 1 }],
 * };
 * const trade = {
 *   matchNumber: 202611280000000001n, orderbookId: "7203", price: 23_005, quantity: 10,
 *   timestamp: 34_200_123_456_789, buyer: 0, seller: 1, aggressor: "B" as const,
 * };
 * assert.deepEqual(renderLadder(depth, [trade], { halted: true }), [
 *   "7203  last 10 @ 2300.5 09:30:00.123  HALTED",
 *   "Orders  Quantity      Bid |     Ask  Quantity  Orders",
 *   "     2       300   2300.0 |  2301.0        50       1",
 *   "     1       100   2299.0 |",
 * ]);
 * ```
 */
export function renderLadder(
  depth: Depth,
  trades: readonly ShownTrade[],
  options: LadderOptions = {},
): string[] {
  const c = colors(options.color);
  const levels = checkLevels(options.levels ?? DEFAULT_LEVELS);
  const bids = depth.bids.slice(0, levels);
  const asks = depth.asks.slice(0, levels);
  let ordersWidth = "Orders".length;
  let quantityWidth = "Quantity".length;
  let priceWidth = 7;
  for (const level of [...bids, ...asks]) {
    ordersWidth = Math.max(ordersWidth, String(level.orders).length);
    quantityWidth = Math.max(quantityWidth, String(level.quantity).length);
    priceWidth = Math.max(priceWidth, formatPrice(level.price).length);
  }
  const side = (level: DepthLevel, bid: boolean): string => {
    const cells = [
      String(level.orders).padStart(ordersWidth),
      String(level.quantity).padStart(quantityWidth),
      formatPrice(level.price).padStart(priceWidth),
    ];
    return bid ? cells.join("  ") : cells.reverse().join("  ");
  };
  const blank = " ".repeat(ordersWidth + quantityWidth + priceWidth + 4);
  const lines = [
    renderTitle(depth.orderbookId, trades, options, c),
    c.dim(
      `${"Orders".padStart(ordersWidth)}  ${
        "Quantity".padStart(quantityWidth)
      }  ${"Bid".padStart(priceWidth)} | ${"Ask".padStart(priceWidth)}  ${
        "Quantity".padStart(quantityWidth)
      }  ${"Orders".padStart(ordersWidth)}`,
    ),
  ];
  for (let i = 0; i < Math.max(bids.length, asks.length); i++) {
    const bid = bids[i];
    const ask = asks[i];
    const left = bid === undefined ? blank : c.green(side(bid, true));
    lines.push(
      ask === undefined ? `${left} |` : `${left} | ${c.red(side(ask, false))}`,
    );
  }
  return lines;
}

/**
 * Draws one orderbook on one line, for a log: best bid, best ask, last trade, halted marker.
 *
 * @param depth The orderbook's depth; only the best level of each side is shown.
 * @param trades Its trades, oldest first; only the last one is shown.
 * @param options Halted marker and colour.
 * @returns `ID  bid QTY @ PRICE  ask QTY @ PRICE  last QTY @ PRICE TIME`, with `-` for a
 * missing side or trade, and `  HALTED` when halted.
 * @throws {RangeError} When a price or timestamp is invalid.
 *
 * @example A book with bids only
 * ```ts
 * import { renderSummary } from "./ladder.ts";
 * import assert from "node:assert/strict";
 *
 * const depth = { orderbookId: "1", bids: [{ price: 23_000, quantity: 100, orders: 1 }], asks: [] };
 * assert.equal(renderSummary(depth, []), "1  bid 100 @ 2300.0  ask -  last -");
 * ```
 */
export function renderSummary(
  depth: Depth,
  trades: readonly ShownTrade[],
  options: Omit<LadderOptions, "levels"> = {},
): string {
  const c = colors(options.color);
  const bid = depth.bids[0];
  const ask = depth.asks[0];
  const parts = [
    c.bold(depth.orderbookId),
    `bid ${
      bid === undefined
        ? "-"
        : c.green(`${bid.quantity} @ ${formatPrice(bid.price)}`)
    }`,
    `ask ${
      ask === undefined
        ? "-"
        : c.red(`${ask.quantity} @ ${formatPrice(ask.price)}`)
    }`,
    `last ${renderTrade(trades)}`,
  ];
  if (options.halted === true) parts.push(c.yellow(c.bold("HALTED")));
  return parts.join("  ");
}

function renderTitle(
  id: string,
  trades: readonly ShownTrade[],
  options: LadderOptions,
  c: Colors,
): string {
  let title = `${c.bold(id)}  last ${renderTrade(trades)}`;
  const instrument = options.instrument;
  if (instrument !== undefined && instrument.referencePrice > 0) {
    title += c.dim(`  ref ${formatPrice(instrument.referencePrice)}`);
  }
  if (instrument !== undefined && instrument.upperLimit > 0) {
    title += c.dim(
      `  limits ${formatPrice(instrument.lowerLimit)}-${
        formatPrice(instrument.upperLimit)
      }`,
    );
  }
  if (options.restricted === true) title += `  ${c.yellow("SSR")}`;
  return options.halted === true
    ? `${title}  ${c.yellow(c.bold("HALTED"))}`
    : title;
}

function renderTrade(trades: readonly ShownTrade[]): string {
  const last = trades[trades.length - 1];
  if (last === undefined) return "-";
  // Milliseconds are enough for the operator: HH:MM:SS.mmm.
  return `${last.quantity} @ ${formatPrice(last.price)} ${
    formatTimestamp(last.timestamp).slice(0, 12)
  }`;
}

/**
 * Checks a count of price levels to show.
 *
 * @param levels The count.
 * @returns `levels`.
 * @throws {RangeError} When it is not a positive integer.
 *
 * @example
 * ```ts
 * import { checkLevels } from "./ladder.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkLevels(5), 5);
 * assert.throws(() => checkLevels(0), RangeError);
 * ```
 */
export function checkLevels(levels: number): number {
  if (!Number.isSafeInteger(levels) || levels < 1) {
    throw new RangeError(
      `Cannot show ${levels} price levels as it must be a positive integer`,
    );
  }
  return levels;
}
