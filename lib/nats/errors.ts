/**
 * Errors of the NATS edge that callers are meant to catch.
 *
 * @module
 */

/**
 * A log writer found the log's tail moved under it: another writer (a newer epoch) fenced it.
 * The writer is finished; nothing it still had in flight can reach a reader.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FencedError } from "./errors.ts";
 *
 * const error = new FencedError("Cannot append as the log moved: wrong last sequence: 9", 3);
 * assert.equal(error.name, "FencedError");
 * assert.equal(error.epoch, 3);
 * ```
 */
export class FencedError extends Error {
  /**
   * @param message What was refused.
   * @param epoch The epoch of the writer that was fenced.
   * @param options The cause.
   */
  constructor(message: string, readonly epoch: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "FencedError";
  }
}

/**
 * JetStream did not acknowledge in time, or refused for a reason other than fencing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JetStreamUnavailableError } from "./errors.ts";
 *
 * assert.equal(new JetStreamUnavailableError("Cannot publish: timed out").name, "JetStreamUnavailableError");
 * ```
 */
export class JetStreamUnavailableError extends Error {
  /**
   * @param message What failed.
   * @param options The cause.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "JetStreamUnavailableError";
  }
}
