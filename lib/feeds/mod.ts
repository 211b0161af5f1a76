/**
 * Feeds: subscribers of the exchange core that publish what it produced: the line-per-trade
 * log, and the ITCH market data (the publisher that makes the day's feed from the records,
 * the SoupBinTCP feed and snapshot servers, MoldUDP64 with its re-request server).
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
export * from "./itch_publisher.ts";
export * from "./itch_tcp_server.ts";
export * from "./mold_feed.ts";
export * from "./datagram_sender.ts";
