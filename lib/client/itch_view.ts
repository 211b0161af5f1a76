/**
 * The live view of `ouch client --itch` on a terminal: the books rebuilt from the feed drawn
 * as the server's `--display table` draws its own (the same ladders, from `lib/render`),
 * under a status line naming the transport, the next sequence number and the message rate.
 *
 * @example One book with a bid, an ask and a trade
 * ```ts
 * import { renderItchView } from "./itch_view.ts";
 * import { BookBuilder } from "../itch/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const books = new BookBuilder();
 * books.apply({ type: "orderbookDirectory", nanoseconds: 0, orderbookId: "7203",
 *   isin: "JP3633400001", group: "DAY", roundLotSize: 100, tickTableId: 1,
 *   priceDecimals: 1, upperPriceLimit: 0, lowerPriceLimit: 0 });
 * books.apply({ type: "tradingState", nanoseconds: 0, orderbookId: "7203", group: "DAY",
 *   tradingState: "T" });
 * books.apply({ type: "orderAdded", nanoseconds: 1, orderNumber: 1n, side: "B",
 *   quantity: 300, orderbookId: "7203", group: "DAY", price: 23_000 });
 * books.apply({ type: "orderAdded", nanoseconds: 2, orderNumber: 2n, side: "S",
 *   quantity: 100, orderbookId: "7203", group: "DAY", price: 23_010 });
 * assert.deepEqual(
 *   renderItchView(books, { transport: "SoupBinTCP", nextSequenceNumber: 5, perSecond: 3 }, {
 *     columns: 80, rows: 10,
 *   }),
 *   [
 *     "CLOSED  system -  SoupBinTCP  next 5  3 msg/s  2 orders",
 *     "",
 *     "7203  last -",
 *     "Orders  Quantity      Bid |     Ask  Quantity  Orders",
 *     "     1       300   2300.0 |  2301.0       100       1",
 *   ],
 * );
 * ```
 *
 * @module
 */
import { MAX_PRICE } from "../codec/messages.ts";
import type { BookBuilder } from "../itch/mod.ts";
import {
  type BookView,
  checkLevels,
  CLEAR_TO_END_OF_LINE,
  CLEAR_TO_END_OF_SCREEN,
  colors,
  DEFAULT_LEVELS,
  moveTo,
  renderBookTable,
  type RenderOptions,
  type TableOptions,
  truncateVisible,
} from "../render/mod.ts";

/** Whether an orderbook's announced limits are the whole price range: no limits. */
function unlimited(
  state: { upperPriceLimit: number; lowerPriceLimit: number },
): boolean {
  return state.upperPriceLimit >= MAX_PRICE && state.lowerPriceLimit <= 1;
}

/** Where the live feed comes from: the transport named on the status line. */
export type ItchTransport = "SoupBinTCP" | "MoldUDP64";

/** The figures of the live view's status line. */
export interface ItchViewStatus {
  /** The transport of the live feed (the snapshot always comes over SoupBinTCP). */
  readonly transport: ItchTransport;
  /** The feed sequence number of the next message to apply. */
  readonly nextSequenceNumber: number;
  /** Messages applied per second since the previous redraw; `undefined` before it. */
  readonly perSecond: number | undefined;
}

/**
 * The orderbooks worth showing, as the server's table picks them: with orders, trades, a
 * halt (Trading State `V`) or the short-sell price restriction (Short Selling State `1`);
 * each with its depth, its last trade, its states, and its reference price and price
 * limits as the feed announced them (limits of the whole price range, 0.1 to 214748364.6,
 * which the server announces for an orderbook without limits, count as none). The last
 * trade is the last Order Executed the client applied: trades before it joined are not in
 * the snapshot, so a book's `last` starts at `-`.
 *
 * @param books The books rebuilt from the feed.
 * @param levels The most price levels per side. @default {10}
 * @returns One view per orderbook shown, in directory order.
 * @throws {RangeError} When `levels` is not a positive integer.
 *
 * @example A halted book without orders is shown; an idle one is not
 * ```ts
 * import { itchBookViews } from "./itch_view.ts";
 * import { BookBuilder } from "../itch/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const books = new BookBuilder();
 * for (const orderbookId of ["1", "2"]) {
 *   books.apply({ type: "orderbookDirectory", nanoseconds: 0, orderbookId, isin: "",
 *     group: "DAY", roundLotSize: 1, tickTableId: 0, priceDecimals: 1,
 *     upperPriceLimit: 0, lowerPriceLimit: 0 });
 *   books.apply({ type: "tradingState", nanoseconds: 0, orderbookId, group: "DAY",
 *     tradingState: orderbookId === "2" ? "V" : "T" });
 * }
 * assert.deepEqual(itchBookViews(books).map((view) => [view.depth.orderbookId, view.halted]), [
 *   ["2", true],
 * ]);
 * ```
 */
export function itchBookViews(
  books: BookBuilder,
  levels: number = DEFAULT_LEVELS,
): BookView[] {
  checkLevels(levels);
  const views: BookView[] = [];
  for (const id of books.orderbooks) {
    const state = books.orderbook(id)!;
    const depth = books.depth(id, levels);
    const last = state.tradeCount === 0 ? undefined : books.trades(id).at(-1);
    const halted = state.tradingState === "V";
    const restricted = state.shortSellingState === "1";
    if (
      depth.bids.length === 0 && depth.asks.length === 0 &&
      last === undefined && !halted && !restricted
    ) {
      continue;
    }
    views.push({
      depth,
      trades: last === undefined ? [] : [last],
      halted,
      restricted,
      instrument: unlimited(state)
        ? {
          referencePrice: state.referencePrice ?? 0,
          lowerLimit: 0,
          upperLimit: 0,
        }
        : {
          referencePrice: state.referencePrice ?? 0,
          lowerLimit: state.lowerPriceLimit,
          upperLimit: state.upperPriceLimit,
        },
    });
  }
  return views;
}

/**
 * Draws the live view's status line: the market state (`OPEN` once the feed's system-wide
 * System Event is `Q`, Start of Market Hours; `CLOSED` otherwise), that code, the
 * transport, the next sequence number, the message rate and the orders on the books.
 *
 * @param books The books rebuilt from the feed.
 * @param status The transport, the next sequence number and the rate.
 * @param options Colour: OPEN is green, CLOSED red.
 * @returns One line; an unknown rate shows as `- msg/s`, an unknown system state as `-`.
 *
 * @example Over MoldUDP64 before the first redraw
 * ```ts
 * import { renderItchStatus } from "./itch_view.ts";
 * import { BookBuilder } from "../itch/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const books = new BookBuilder();
 * books.apply({ type: "systemEvent", nanoseconds: 0, group: "", eventCode: "Q" });
 * assert.equal(
 *   renderItchStatus(books, { transport: "MoldUDP64", nextSequenceNumber: 42, perSecond: undefined }),
 *   "OPEN  system Q  MoldUDP64  next 42  - msg/s  0 orders",
 * );
 * ```
 */
export function renderItchStatus(
  books: BookBuilder,
  status: ItchViewStatus,
  options: RenderOptions = {},
): string {
  const c = colors(options.color);
  const system = books.systemState();
  return [
    system === "Q" ? c.green(c.bold("OPEN")) : c.red(c.bold("CLOSED")),
    `system ${system ?? "-"}`,
    c.bold(status.transport),
    `next ${status.nextSequenceNumber}`,
    `${status.perSecond ?? "-"} msg/s`,
    `${books.orderCount} ${books.orderCount === 1 ? "order" : "orders"}`,
  ].join("  ");
}

/**
 * Draws the live view: the status line, a blank line, then the ladder of every orderbook
 * {@linkcode itchBookViews} picks, fitted to the terminal as the server's table is (side by
 * side when the width allows, fewer levels, then one line per book, when the height does
 * not); `No orders` when there is none.
 *
 * @param books The books rebuilt from the feed.
 * @param status The transport, the next sequence number and the rate.
 * @param options The terminal's size, the levels per side and colour.
 * @returns At most `options.rows` lines, none wider than `options.columns`.
 * @throws {RangeError} When `levels` is not a positive integer.
 */
export function renderItchView(
  books: BookBuilder,
  status: ItchViewStatus,
  options: TableOptions,
): string[] {
  const levels = checkLevels(options.levels ?? DEFAULT_LEVELS);
  return renderBookTable(
    renderItchStatus(books, status, options),
    itchBookViews(books, levels),
    options,
  );
}

/** How an {@linkcode ItchLiveView} draws. */
export interface ItchLiveViewOptions extends RenderOptions {
  /** The transport of the live feed, for the status line. */
  transport: ItchTransport;
  /** The terminal's size, read at every draw. @default {() => ({ columns: 80, rows: 24 })} */
  size?: () => { columns: number; rows: number };
  /** The most price levels per side. @default {10} */
  levels?: number;
}

/**
 * The live view on a terminal: each {@linkcode ItchLiveView.draw} returns the text that
 * redraws the whole screen in place (cursor home, each row cleared to its end, the rest of
 * the screen cleared), without scrolling: the view (status line, ladders) over every row
 * but the last two, a blank row, then a footer on the last row. The message rate is the
 * sequence numbers applied between two draws over the time between them.
 *
 * @example Two draws a second apart
 * ```ts
 * import { ItchLiveView } from "./itch_view.ts";
 * import { BookBuilder } from "../itch/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const view = new ItchLiveView(new BookBuilder(), {
 *   transport: "SoupBinTCP", size: () => ({ columns: 60, rows: 6 }),
 * });
 * view.draw({ nextSequenceNumber: 10, nowMs: 0, footer: "Ctrl-C to stop" });
 * assert.equal(
 *   view.draw({ nextSequenceNumber: 60, nowMs: 1000, footer: "Ctrl-C to stop" }),
 *   "\x1b[1;1H" +
 *     ["CLOSED  system -  SoupBinTCP  next 60  50 msg/s  0 orders", "", "No orders", "", "", "Ctrl-C to stop"]
 *       .join("\x1b[K\n") + "\x1b[K\x1b[J",
 * );
 * ```
 */
export class ItchLiveView {
  readonly #books: BookBuilder;
  readonly #transport: ItchTransport;
  readonly #size: () => { columns: number; rows: number };
  readonly #levels: number;
  readonly #color: boolean;
  #sampleMs: number | undefined;
  #sampleNext = 0;
  #perSecond: number | undefined;

  /**
   * Makes a view of `books`; it draws nothing until asked.
   *
   * @param books The books rebuilt from the feed.
   * @param options The transport, the terminal's size, the levels and colour.
   * @throws {RangeError} When `levels` is not a positive integer.
   */
  constructor(books: BookBuilder, options: ItchLiveViewOptions) {
    this.#books = books;
    this.#transport = options.transport;
    this.#size = options.size ?? (() => ({ columns: 80, rows: 24 }));
    this.#levels = checkLevels(options.levels ?? DEFAULT_LEVELS);
    this.#color = options.color ?? false;
  }

  /**
   * The text that redraws the screen.
   *
   * @param at The next sequence number, the time in milliseconds (for the rate) and the
   * footer's text.
   * @returns Escape sequences and text, to be written as it is.
   */
  draw(
    at: { nextSequenceNumber: number; nowMs: number; footer: string },
  ): string {
    if (this.#sampleMs !== undefined && at.nowMs > this.#sampleMs) {
      this.#perSecond = Math.round(
        Math.max(0, at.nextSequenceNumber - this.#sampleNext) * 1000 /
          (at.nowMs - this.#sampleMs),
      );
    }
    if (this.#sampleMs === undefined || at.nowMs > this.#sampleMs) {
      this.#sampleMs = at.nowMs;
      this.#sampleNext = at.nextSequenceNumber;
    }
    const size = this.#size();
    const columns = Math.max(20, Math.floor(size.columns));
    const rows = Math.max(4, Math.floor(size.rows));
    const lines = renderItchView(this.#books, {
      transport: this.#transport,
      nextSequenceNumber: at.nextSequenceNumber,
      perSecond: this.#perSecond,
    }, { columns, rows: rows - 2, levels: this.#levels, color: this.#color });
    while (lines.length < rows - 1) lines.push("");
    lines.push(truncateVisible(at.footer, columns));
    return `${moveTo(1)}${
      lines.join(`${CLEAR_TO_END_OF_LINE}\n`)
    }${CLEAR_TO_END_OF_LINE}${CLEAR_TO_END_OF_SCREEN}`;
  }
}
