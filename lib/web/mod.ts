/**
 * The web page of the exchange simulator: live depth ladders, trade tapes and charts, the
 * market state with operator controls, and an order-entry panel for a logged-in account, all
 * over one WebSocket. The page is plain files in `lib/web/assets/` with no build step. The
 * server is an edge of the exchange core: it subscribes to it and reads its market-data
 * model.
 *
 * @example Serve the page next to an exchange
 * ```ts
 * import { WebServer } from "./mod.ts";
 * import { Exchange } from "../exchange/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const exchange = new Exchange({
 *   users: new Map([["demo1", "demo"]]),
 *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
 *   timestamp: 0,
 * });
 * const web = new WebServer();
 * web.listen({ hostname: "127.0.0.1", port: 0, exchange });
 * try {
 *   const response = await fetch(`http://${web.address}/nothing-here`);
 *   assert.equal(response.status, 404);
 *   await response.body?.cancel();
 * } finally {
 *   await web.shutdown();
 * }
 * ```
 *
 * @module
 */
export {
  type WebLevel,
  type WebListenOptions,
  type WebOrderbook,
  type WebResponse,
  WebServer,
  type WebServerMessage,
  type WebTrade,
} from "./server.ts";
