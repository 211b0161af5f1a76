/**
 * Reading a `--users FILE` for the command line.
 *
 * @module
 */
import { AccountError, parseUsersFile } from "../accounts/accounts.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Reads a users file (one `NAME:PASS` per line, `#` comments) named by `--users`.
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
    return parseUsersFile(text, path);
  } catch (error) {
    if (error instanceof AccountError) {
      throw new UsageError(error.message.split("\n")[0]!);
    }
    throw error;
  }
}
