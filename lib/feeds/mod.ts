/**
 * Feeds: subscribers of the exchange core that publish what it produced. Today the
 * line-per-trade log; the ITCH publishers go here.
 *
 * @example A trade log that collects lines
 * ```ts
 * import { TradeLog } from "./mod.ts";
 * import { RecordBatch } from "../exchange/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * new TradeLog((line) => lines.push(line)).delivered(new RecordBatch(new Uint8Array(0), []));
 * assert.deepEqual(lines, []);
 * ```
 *
 * @module
 */
export * from "./trade_log.ts";
