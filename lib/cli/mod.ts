/**
 * Command-line helpers shared by `ouch server` and `ouch client`: flag parsing on top of
 * `node:util` `parseArgs` with one-line {@linkcode UsageError}s (which `main.ts` turns into
 * exit code 2), and reading a users file.
 *
 * @example A bad port is a usage error
 * ```ts
 * import { integerFlag, parseFlags } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const { values } = parseFlags(["--port", "99999"], { port: { type: "string" } });
 * assert.throws(() => integerFlag("port", values.port, 15000, { min: 0, max: 65535 }), {
 *   name: "UsageError",
 *   message: /--port as an integer from 0 to 65535/,
 * });
 * ```
 *
 * @module
 */
export * from "./flags.ts";
export * from "./usage_error.ts";
export * from "./users_file.ts";
