/**
 * The OUCH edge of the exchange: {@linkcode OuchServer} (SoupBinTCP over TCP, one session
 * per connection, subscribed to the exchange core) and {@linkcode JournalFile} (the core's
 * durable log as segment files on disk).
 *
 * @example A server on an ephemeral port, and a login
 * ```ts
 * import { OuchServer } from "./mod.ts";
 * import { Exchange } from "../exchange/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const exchange = new Exchange({
 *   users: new Map([["demo1", "demo"]]),
 *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
 *   timestamp: 0,
 * });
 * const server = OuchServer.start({ hostname: "127.0.0.1", port: 0, exchange });
 * try {
 *   assert.ok(server.address.port > 0);
 *   assert.deepEqual(server.connections(), []);
 * } finally {
 *   await server.shutdown();
 * }
 * ```
 *
 * @module
 */
export * from "./journal_file.ts";
export * from "./server.ts";
