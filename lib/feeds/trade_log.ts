/**
 * A line-per-trade log: the smallest feed of the exchange core, and the example of how one
 * is added (this file, and one line in `lib/entry/server.ts` that subscribes it).
 *
 * @module
 */
import type { RecordBatch, Subscriber } from "../exchange/mod.ts";
import { formatPrice, formatTimestamp } from "../format/format.ts";

/**
 * Writes one line per trade, as trades become durable:
 * `TIME ORDERBOOK QUANTITY @ PRICE match NUMBER aggressor SIDE`.
 *
 * @example Lines from a batch
 * ```ts
 * import { TradeLog } from "./trade_log.ts";
 * import { RecordBatch } from "../exchange/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const log = new TradeLog((line) => lines.push(line));
 * log.delivered(new RecordBatch(new Uint8Array(0), [{
 *   type: "bookExecute", timestamp: 34_200_000_000_000, orderbookId: "7203",
 *   orderNumber: 1n, side: "S", price: 23_005, quantity: 100, remaining: 0,
 *   matchNumber: 202611280000000001n, restingAccount: 0, incomingAccount: 1,
 *   incomingOrderNumber: 2n,
 * }]));
 * assert.deepEqual(lines, [
 *   "09:30:00.000000000 7203 100 @ 2300.5 match 202611280000000001 aggressor B",
 * ]);
 * ```
 */
export class TradeLog implements Subscriber {
  readonly #write: (line: string) => void;
  readonly #close: () => void;

  /**
   * Makes a trade log.
   *
   * @param write Receives each line, without its line break.
   * @param close Called by {@linkcode TradeLog.close}.
   */
  constructor(write: (line: string) => void, close: () => void = () => {}) {
    this.#write = write;
    this.#close = close;
  }

  /**
   * Opens (appends to) a file and logs to it, one write per line.
   *
   * @param path The file.
   * @returns The trade log.
   */
  static open(path: string): TradeLog {
    const file = Deno.openSync(path, { append: true, create: true });
    const encoder = new TextEncoder();
    return new TradeLog((line) => {
      const bytes = encoder.encode(`${line}\n`);
      let at = 0;
      while (at < bytes.length) at += file.writeSync(bytes.subarray(at));
    }, () => file.close());
  }

  /** Closes what it writes to (the file of {@linkcode TradeLog.open}). */
  close(): void {
    this.#close();
  }

  /**
   * Writes the batch's trades.
   *
   * @param batch The delivered batch.
   */
  delivered(batch: RecordBatch): void {
    for (const event of batch.events) {
      if (event.type !== "bookExecute") continue;
      this.#write(
        `${
          formatTimestamp(event.timestamp)
        } ${event.orderbookId} ${event.quantity} @ ${
          formatPrice(event.price)
        } match ${event.matchNumber} aggressor ${
          event.side === "B" ? "S" : "B"
        }`,
      );
    }
  }
}
