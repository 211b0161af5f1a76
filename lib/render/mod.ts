/**
 * Orderbooks as text, for the edges that draw them on a terminal (the server's console and
 * the ITCH client): ladders, one-line summaries, a screen of ladders fitted to a terminal,
 * colours and the escape sequences of in-place drawing. Pure: every function returns text.
 *
 * @example A halted book on one line
 * ```ts
 * import { renderSummary } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const depth = { orderbookId: "7203", bids: [], asks: [{ price: 23_010, quantity: 100, orders: 1 }] };
 * assert.equal(renderSummary(depth, [], { halted: true }), "7203  bid -  ask 100 @ 2301.0  last -  HALTED");
 * ```
 *
 * @module
 */
export * from "./book_table.ts";
export * from "./colors.ts";
export * from "./ladder.ts";
export * from "./terminal.ts";
