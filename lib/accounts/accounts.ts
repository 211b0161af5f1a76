/**
 * Accounts that may log in: the users file, `--user` flags and the demo accounts.
 *
 * @module
 */

/** The password of every demo account. */
export const DEMO_PASSWORD = "demo";

/** The demo accounts `demo1` to `demo16`, all with password `demo`, used when none are given. */
export const DEMO_USERS: ReadonlyMap<string, string> = new Map(
  Array.from({ length: 16 }, (_, i) => [`demo${i + 1}`, DEMO_PASSWORD]),
);

/** A users file or `--user` value that cannot be used. */
export class AccountError extends SyntaxError {
  /**
   * Constructs an account error.
   *
   * @param message What is wrong, naming the line or flag.
   */
  constructor(message: string) {
    super(message);
    this.name = "AccountError";
  }
}

/**
 * Reads one `NAME:PASS` entry: a username of 1 to 6 and a password of 1 to 10 printable ASCII
 * characters, without spaces (SoupBinTCP pads both with spaces).
 *
 * @param entry The text.
 * @param where Where it came from, for the error message.
 * @returns The username and password.
 * @throws {AccountError} When the entry is malformed.
 *
 * @example Usage
 * ```ts
 * import { parseUser } from "./accounts.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseUser("alice:secret", "--user"), ["alice", "secret"]);
 * assert.throws(() => parseUser("alice", "--user"), { name: "AccountError" });
 * ```
 */
export function parseUser(entry: string, where: string): [string, string] {
  const colon = entry.indexOf(":");
  if (colon < 0) {
    throw new AccountError(
      `Cannot read ${where} as NAME:PASS: "${entry}" has no colon`,
    );
  }
  const name = entry.slice(0, colon);
  const password = entry.slice(colon + 1);
  if (!/^[\x21-\x7e]{1,6}$/.test(name)) {
    throw new AccountError(
      `Cannot use "${name}" from ${where} as a username as it must be 1 to 6 ASCII characters without spaces`,
    );
  }
  if (!/^[\x21-\x7e]{1,10}$/.test(password)) {
    throw new AccountError(
      `Cannot use the password of "${name}" from ${where} as it must be 1 to 10 ASCII characters without spaces`,
    );
  }
  return [name, password];
}

/**
 * Whether a host name or address only accepts connections from this machine.
 *
 * @param host The `--host` value.
 * @returns `true` for `localhost`, `127.0.0.0/8` and `::1`.
 *
 * @example Usage
 * ```ts
 * import { isLoopback } from "./accounts.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("0.0.0.0"), false);
 * ```
 */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
