/**
 * A command line could not be understood. `main.ts` prints its one-line message and exits
 * with code 2.
 *
 * @example Usage
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new UsageError("Cannot use --port as a port: current value is \"x\"");
 * assert.equal(error.name, "UsageError");
 * ```
 */
export class UsageError extends Error {
  /**
   * Constructs a usage error.
   *
   * @param message One line saying what is wrong with the command line.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
