/**
 * Accounts that may log in, as configuration shared by the server, the client and the
 * command line: `NAME:PASS` entries, users files and the demo accounts. Pure: text in,
 * accounts out.
 *
 * @example Read a users file's text
 * ```ts
 * import { DEMO_USERS, parseUsersFile } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...parseUsersFile("alice:secret\n", "users.txt")], [["alice", "secret"]]);
 * assert.equal(DEMO_USERS.get("demo1"), "demo");
 * ```
 *
 * @module
 */
export * from "./accounts.ts";
