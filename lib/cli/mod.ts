/**
 * Command-line helpers shared by the `server` and `client` subcommands: flag parsing on top
 * of `node:util` `parseArgs` with one-line {@linkcode UsageError}s (which `main.ts` turns
 * into exit code 2) and "did you mean" hints, reading a users file (with account limits)
 * and an instruments file, and the command line the program was started with, for help
 * texts.
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
export * from "./closest.ts";
export * from "./flags.ts";
export * from "./invocation.ts";
export * from "./usage_error.ts";
export * from "./instruments_file.ts";
export * from "./users_file.ts";
