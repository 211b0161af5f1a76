/**
 * Accounts that may log in, as configuration shared by the server, the client and the
 * command line: `NAME:PASS` entries, users files and the demo accounts. Pure: text in,
 * accounts out. (A users file's lines, with their limits, are read by `lib/cli/users_file.ts`.)
 *
 * @example Read one account
 * ```ts
 * import { DEMO_USERS, parseUser } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseUser("alice:secret", "--user"), ["alice", "secret"]);
 * assert.equal(DEMO_USERS.get("demo1"), "demo");
 * ```
 *
 * @module
 */
export * from "./accounts.ts";
export * from "./login_throttle.ts";
