/**
 * Reading a `--users FILE` for the command line: one account per line, `NAME:PASS`,
 * optionally followed by the account's limits as `key=value` words (K19–K21):
 *
 * ```text
 * # desk A
 * alice:secret
 * bob:hunter2 throttle=100 max-value=50000000 firms=12,34 groups=DAY,DAYX
 * ```
 *
 * @module
 */
import { AccountError, parseUser } from "../accounts/accounts.ts";
import {
  type AccountLimits,
  checkAccountLimits,
  MAX_THROTTLE,
} from "../matcher/mod.ts";
import { UsageError } from "./usage_error.ts";

/** What a users file configures. */
export interface UsersFile {
  /** Username to password, in file order. */
  readonly users: Map<string, string>;
  /** The limits of the accounts that have some, by username. */
  readonly limits: Map<string, AccountLimits>;
  /** The accounts marked `operator`: the web page lets them open, close, halt and resume. */
  readonly operators: Set<string>;
}

/** The limit keys of a users file line and what each means. */
const KEYS: Record<string, string> = {
  throttle: "most inbound messages per second (flow control, F)",
  "max-value": "largest price x quantity of one order in yen (V)",
  firms: "Firm IDs the account may use besides 0 (MPID, L)",
  groups: "groups the account may trade: DAY, NGHT, DAYX, DAYU (c)",
};

/**
 * Reads the text of a users file: one `NAME:PASS` per line, optionally followed by limits
 * `throttle=N` (at most N inbound messages in any second), `max-value=N` (largest price ×
 * quantity of one order, in yen), `firms=1,2` (Firm IDs allowed besides 0) and
 * `groups=DAY,DAYX` (groups allowed), separated by spaces. Blank lines and lines starting
 * with `#` are ignored. A file of plain `NAME:PASS` lines, as before limits existed, reads
 * the same.
 *
 * @param text The file's contents.
 * @param path The file's path, for error messages.
 * @returns The accounts and their limits.
 * @throws {AccountError} Listing every bad line (with its number and the reason), one per
 *   line, or a username defined twice.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseUsersText } from "./users_file.ts";
 *
 * const file = parseUsersText("alice:secret\nbob:pw throttle=5 firms=12,34\n", "u.txt");
 * assert.deepEqual([...file.users], [["alice", "secret"], ["bob", "pw"]]);
 * assert.deepEqual([...file.limits], [["bob", { throttle: 5, firms: [12, 34] }]]);
 * assert.throws(() => parseUsersText("carol:pw speed=9\n", "u.txt"), {
 *   name: "AccountError",
 *   message: /^Cannot read u.txt line 1: unknown limit "speed"/,
 * });
 * ```
 */
export function parseUsersText(text: string, path: string): UsersFile {
  const users = new Map<string, string>();
  const limits = new Map<string, AccountLimits>();
  const operators = new Set<string>();
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const where = `${path} line ${index + 1}`;
    try {
      const [entry = "", ...all] = line.split(/\s+/);
      const [name, password] = parseUser(entry, where);
      // The word `operator` marks an operator account (issue #15 item 9).
      const words = all.filter((word) => word !== "operator");
      const own = readLimits(words, where);
      if (words.length < all.length) operators.add(name);
      if (users.has(name)) {
        problems.push(
          `Cannot add "${name}" from ${where}: it is already defined`,
        );
        return;
      }
      users.set(name, password);
      if (own !== undefined) limits.set(name, own);
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  });
  if (problems.length > 0) throw new AccountError(problems.join("\n"));
  return { users, limits, operators };
}

function readLimits(
  words: string[],
  where: string,
): AccountLimits | undefined {
  if (words.length === 0) return undefined;
  const fail = (reason: string): never => {
    throw new AccountError(`Cannot read ${where}: ${reason}`);
  };
  const limits: {
    throttle?: number;
    maxOrderValue?: number;
    firms?: number[];
    groups?: string[];
  } = {};
  const seen = new Set<string>();
  for (const word of words) {
    const equals = word.indexOf("=");
    if (equals < 0) {
      fail(
        `"${word}" is not a limit key=value (keys are ${
          Object.keys(KEYS).join(", ")
        })`,
      );
    }
    const key = word.slice(0, equals);
    const value = word.slice(equals + 1);
    if (!(key in KEYS)) {
      fail(
        `unknown limit "${key}" (keys are ${Object.keys(KEYS).join(", ")})`,
      );
    }
    if (seen.has(key)) fail(`limit "${key}" is given twice`);
    seen.add(key);
    const whole = (text: string, max: number): number => {
      if (!/^\d+$/.test(text) || Number(text) > max) {
        fail(
          `${key} must be a whole number from ${
            key === "max-value" ? 1 : 0
          } to ${max}: current value is "${value}"`,
        );
      }
      return Number(text);
    };
    switch (key) {
      case "throttle":
        limits.throttle = whole(value, MAX_THROTTLE);
        break;
      case "max-value":
        limits.maxOrderValue = whole(value, 900_719_925_474_099);
        if (limits.maxOrderValue === 0) {
          fail(`max-value must be a whole number from 1: current value is "0"`);
        }
        break;
      case "firms":
        limits.firms = value.split(",").map((firm) => whole(firm, 0xffffffff));
        break;
      case "groups":
        limits.groups = value.split(",");
        break;
    }
  }
  try {
    return checkAccountLimits(limits, where);
  } catch (error) {
    if (error instanceof RangeError) throw new AccountError(error.message);
    throw error;
  }
}

/**
 * Reads a users file named by `--users`, with its accounts' limits (see
 * {@linkcode parseUsersText}).
 *
 * @param path The file.
 * @returns The accounts and their limits.
 * @throws {UsageError} With a one-line reason (the first bad line) when the file cannot be
 *   read or a line is bad.
 *
 * @example A missing file is a usage error
 * ```ts
 * import { readUsersAndLimits } from "./users_file.ts";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(readUsersAndLimits("/nonexistent/users"), {
 *   name: "UsageError",
 *   message: /Cannot read --users file/,
 * });
 * ```
 */
export async function readUsersAndLimits(path: string): Promise<UsersFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read --users file "${path}": ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  try {
    return parseUsersText(text, path);
  } catch (error) {
    if (error instanceof AccountError) {
      throw new UsageError(error.message.split("\n")[0]!);
    }
    throw error;
  }
}

/**
 * Reads a users file named by `--users` for its accounts only: the limits are checked but
 * not returned (the client needs only names and passwords).
 *
 * @param path The file.
 * @returns Username to password, in file order.
 * @throws {UsageError} With a one-line reason when the file cannot be read or a line is bad.
 *
 * @example A missing file is a usage error
 * ```ts
 * import { readUsersFile } from "./users_file.ts";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(readUsersFile("/nonexistent/users"), {
 *   name: "UsageError",
 *   message: /Cannot read --users file/,
 * });
 * ```
 */
export async function readUsersFile(
  path: string,
): Promise<Map<string, string>> {
  return (await readUsersAndLimits(path)).users;
}
