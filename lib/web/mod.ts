/**
 * The web page of the exchange simulator: live depth ladders, trade tapes and charts, the
 * market state with operator controls, and an order-entry panel for a logged-in account, all
 * over one WebSocket. The page is plain files in `lib/web/assets/` with no build step.
 *
 * @example Serve the page next to an OUCH server
 * ```ts
 * import { combineListeners, WebServer } from "./mod.ts";
 * import { Exchange } from "../server/exchange.ts";
 * import { OuchServer } from "../server/server.ts";
 * import assert from "node:assert/strict";
 *
 * const web = new WebServer();
 * const exchange = new Exchange({
 *   session: "2026112501", users: new Map([["demo1", "demo"]]), tradingDate: "20261125",
 *   journal: false,
 *   listener: combineListeners(web.listener),
 * });
 * const server = OuchServer.start({ hostname: "127.0.0.1", port: 0, exchange, journal: null });
 * web.listen({ hostname: "127.0.0.1", port: 0, server });
 * try {
 *   const response = await fetch(`http://${web.address}/nothing-here`);
 *   assert.equal(response.status, 404);
 *   await response.body?.cancel();
 * } finally {
 *   await web.shutdown();
 *   await server.shutdown();
 * }
 * ```
 *
 * @module
 */
export { combineListeners } from "./combine_listeners.ts";
export {
  type WebLevel,
  type WebListenOptions,
  type WebOrderbook,
  type WebResponse,
  WebServer,
  type WebServerMessage,
  type WebTrade,
} from "./server.ts";
