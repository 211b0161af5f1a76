/**
 * One {@linkcode ExchangeListener} out of several, for an exchange that takes only one.
 *
 * @module
 */
import type { ExchangeListener } from "../server/exchange.ts";

/**
 * Combines listeners into one that calls each of them in the order given. Missing listeners
 * and missing callbacks are skipped; a callback that none of them has is left out, so that an
 * exchange does not build events nobody reads.
 *
 * @param listeners The listeners, e.g. the console display's and the web page's.
 * @returns One listener.
 *
 * @example The display and the web page both see a market event
 * ```ts
 * import { combineListeners } from "./combine_listeners.ts";
 * import assert from "node:assert/strict";
 *
 * const seen: string[] = [];
 * const listener = combineListeners(
 *   { market: (event) => seen.push(`display ${event.type}`) },
 *   undefined,
 *   { market: (event) => seen.push(`web ${event.type}`) },
 * );
 * listener.market?.({ type: "tradingState", timestamp: 0, orderbookId: "1", halted: true });
 * assert.deepEqual(seen, ["display tradingState", "web tradingState"]);
 * assert.equal(listener.inbound, undefined);
 * ```
 */
export function combineListeners(
  ...listeners: (ExchangeListener | undefined)[]
): ExchangeListener {
  const all = listeners.filter((listener) => listener !== undefined);
  const inbound = all.filter((listener) => listener.inbound !== undefined);
  const outbound = all.filter((listener) => listener.outbound !== undefined);
  const market = all.filter((listener) => listener.market !== undefined);
  const combined: ExchangeListener = {};
  if (inbound.length > 0) {
    combined.inbound = (account, message, timestamp) => {
      for (const listener of inbound) {
        listener.inbound!(account, message, timestamp);
      }
    };
  }
  if (outbound.length > 0) {
    combined.outbound = (account, message, sequenceNumber) => {
      for (const listener of outbound) {
        listener.outbound!(account, message, sequenceNumber);
      }
    };
  }
  if (market.length > 0) {
    combined.market = (event) => {
      for (const listener of market) listener.market!(event);
    };
  }
  return combined;
}
