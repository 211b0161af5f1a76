/**
 * A screen of orderbook ladders under a status line, fitted to a terminal's size: the
 * server's `--display table` and the ITCH client's live view.
 *
 * @module
 */
import type { RenderOptions } from "./colors.ts";
import {
  type BookView,
  checkLevels,
  DEFAULT_LEVELS,
  renderLadder,
  renderSummary,
} from "./ladder.ts";
import { padVisible, truncateVisible, visibleLength } from "./terminal.ts";

const BLOCK_GAP = 3;

/** How {@linkcode renderBookTable} fits the orderbooks on the screen. */
export interface TableOptions extends RenderOptions {
  /** Width of the table in columns; longer lines are cut. */
  columns: number;
  /** Height of the table in rows, status line included. */
  rows: number;
  /** The most price levels per side. @default {10} */
  levels?: number;
}

/**
 * Draws a screen of orderbooks: a status line, a blank line, then the orderbooks' ladders,
 * side by side when the width allows. When they do not fit in `rows`, fewer price levels
 * are shown (down to one), then one summary line per book; what still does not fit is
 * replaced by a last line `… N more lines`. Lines are cut to `columns`.
 *
 * @param statusLine The first line, as it is.
 * @param books The orderbooks to show, in order; none shows `No orders`.
 * @param options Size, levels and colour.
 * @returns At most `rows` lines.
 * @throws {RangeError} When `levels` is not a positive integer.
 *
 * @example Two books side by side
 * ```ts
 * import { renderBookTable } from "./book_table.ts";
 * import assert from "node:assert/strict";
 *
 * const book = (orderbookId: string) => ({
 *   depth: { orderbookId, bids: [{ price: 100, quantity: 1, orders: 1 }], asks: [] },
 *   trades: [],
 *   halted: orderbookId === "2",
 * });
 * assert.deepEqual(renderBookTable("feed", [book("1"), book("2")], { columns: 120, rows: 10 }), [
 *   "feed",
 *   "",
 *   "1  last -                                               2  last -  HALTED",
 *   "Orders  Quantity      Bid |     Ask  Quantity  Orders   Orders  Quantity      Bid |     Ask  Quantity  Orders",
 *   "     1         1     10.0 |                                  1         1     10.0 |",
 * ]);
 * ```
 */
export function renderBookTable(
  statusLine: string,
  books: readonly BookView[],
  options: TableOptions,
): string[] {
  const levels = checkLevels(options.levels ?? DEFAULT_LEVELS);
  const lines = [statusLine];
  if (books.length === 0) {
    lines.push("", "No orders");
  } else {
    const render = (shown: number) =>
      books.map((book) =>
        renderLadder(book.depth, book.trades, {
          halted: book.halted,
          restricted: book.restricted ?? false,
          ...(book.instrument === undefined
            ? {}
            : { instrument: book.instrument }),
          levels: shown,
          color: options.color ?? false,
        })
      );
    let blocks = render(levels);
    const width = Math.max(...blocks.flat().map(visibleLength));
    const perRow = Math.max(
      1,
      Math.floor((options.columns + BLOCK_GAP) / (width + BLOCK_GAP)),
    );
    const blockRows = Math.ceil(blocks.length / perRow);
    // Each row of blocks takes a title, a header and its levels; rows are apart by a blank.
    const fit = Math.floor((options.rows - 2 - (blockRows - 1)) / blockRows) -
      2;
    const needed = Math.max(
      ...books.map((b) => Math.max(b.depth.bids.length, b.depth.asks.length)),
    );
    if (fit < Math.min(2, levels, needed)) {
      // Too little room for ladders of every book (issue #12 item 6): one line per book
      // instead, so that no book is dropped; a larger window shows the ladders again.
      lines.push("");
      for (const book of books) {
        lines.push(
          renderSummary(book.depth, book.trades, {
            halted: book.halted,
            restricted: book.restricted ?? false,
            color: options.color ?? false,
          }),
        );
      }
      return fitRows(lines, options);
    }
    if (fit < Math.min(levels, needed)) blocks = render(Math.max(1, fit));
    const blockWidth = Math.max(...blocks.flat().map(visibleLength));
    for (let row = 0; row < blockRows; row++) {
      const group = blocks.slice(row * perRow, (row + 1) * perRow);
      const height = Math.max(...group.map((block) => block.length));
      lines.push("");
      for (let i = 0; i < height; i++) {
        const cells = group.map((block, j) =>
          j === group.length - 1
            ? block[i] ?? ""
            : padVisible(block[i] ?? "", blockWidth)
        );
        lines.push(cells.join(" ".repeat(BLOCK_GAP)).trimEnd());
      }
    }
  }
  return fitRows(lines, options);
}

/** Cuts a table to the rows and columns it has, saying how many lines were left out. */
function fitRows(lines: string[], options: TableOptions): string[] {
  if (lines.length > options.rows) {
    const kept = Math.max(0, options.rows - 1);
    const hidden = lines.length - kept;
    lines.length = kept;
    if (options.rows > 0) lines.push(`… ${hidden} more lines`);
  }
  return lines.map((line) => truncateVisible(line, options.columns));
}
