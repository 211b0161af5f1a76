/**
 * The operator's console: the display (order books and a status line, or a line per
 * message, or warnings only), which reads the exchange core's market-data model and
 * subscribes to its records, and the console's commands.
 *
 * @example A console command
 * ```ts
 * import { parseConsoleCommand } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseConsoleCommand("halt 7203"), { type: "halt", orderbookId: "7203" });
 * ```
 *
 * @module
 */
export * from "./console_command.ts";
export * from "./display.ts";
