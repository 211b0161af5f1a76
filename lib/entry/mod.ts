/**
 * Entry modules: one per subcommand, each the composition of that command (which edges
 * are built and subscribed to the exchange core). `main.ts` dispatches to them.
 *
 * @example The server's flags
 * ```ts
 * import { parseServerArgs } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const config = await parseServerArgs(["--port", "0", "--no-journal"]);
 * assert.ok(config !== "help" && config.port === 0 && config.journal === null);
 * ```
 *
 * @module
 */
export * from "./server.ts";
