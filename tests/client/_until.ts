/**
 * Test helper: wait on an `OuchConnection` until a condition holds.
 *
 * @module
 */
import type { OuchConnection } from "../../lib/client/connection.ts";

/**
 * Waits, waking on each of the connection's events, until `condition()` holds.
 *
 * @param connection The connection whose events wake the check.
 * @param condition What to wait for.
 * @param what Named in the error.
 * @throws {Error} After 5 s.
 */
export async function until(
  connection: OuchConnection,
  condition: () => boolean,
  what: string,
): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await connection.wait(20);
  }
}
