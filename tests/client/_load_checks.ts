/**
 * Test helper: the outcome accounting every load run must satisfy.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { LoadReport } from "../../lib/client/load.ts";

/**
 * Asserts that every Enter sent was answered once and every accepted order ended exactly
 * once (executed, canceled, AIQ-canceled, replaced to zero or dead on arrival), with no
 * violation, no error and nothing left open.
 *
 * @param report The load report.
 */
export function assertEveryOrderEndedOnce(report: LoadReport): void {
  const { sent, outcomes } = report;
  assert.deepEqual(report.errors, []);
  assert.deepEqual(outcomes.violations, []);
  assert.equal(report.ok, true);
  assert.equal(outcomes.entered, sent.enter);
  assert.equal(outcomes.accepted + outcomes.rejected, sent.enter);
  assert.equal(outcomes.unanswered, 0);
  assert.equal(outcomes.open, 0);
  const canceled = Object.values(outcomes.canceled).reduce(
    (sum, count) => sum + count,
    0,
  );
  assert.equal(
    outcomes.executed + canceled + outcomes.aiqCanceled +
      outcomes.replacedToZero + outcomes.deadOnArrival,
    outcomes.accepted,
    "every accepted order ended once",
  );
}
