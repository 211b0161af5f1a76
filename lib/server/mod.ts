/**
 * The exchange server: {@linkcode Exchange} (one trading day without I/O),
 * {@linkcode OuchServer} (SoupBinTCP over TCP), the journal and its format, accounts and the
 * operator console's commands.
 *
 * @example A trading day without sockets
 * ```ts
 * import { Exchange } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const exchange = new Exchange({
 *   session: "2026112501",
 *   users: new Map([["demo1", "demo"]]),
 *   tradingDate: "20261125",
 * });
 * assert.equal(exchange.isOpen, true);
 * assert.equal(exchange.close(1), true);
 * assert.equal(exchange.isOpen, false);
 * ```
 *
 * @module
 */

export * from "./console_command.ts";
export * from "./exchange.ts";
export * from "./journal.ts";
export * from "./journal_format.ts";
export * from "./server.ts";
