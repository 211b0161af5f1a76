import assert from "node:assert/strict";
import { OutcomeChecker } from "../../lib/client/outcome_checker.ts";

Deno.test("OutcomeChecker counts every kind of final outcome", () => {
  const orders = new OutcomeChecker(4);
  for (let token = 1; token <= 6; token++) orders.entered(token);
  assert.equal(orders.accepted(1, 100, true), true);
  orders.executed(1, 60);
  orders.executed(1, 40);
  orders.accepted(2, 100, true);
  orders.canceled(2, 100, "U");
  orders.accepted(3, 100, true);
  orders.aiqCanceled(3, 100);
  orders.accepted(4, 100, true);
  orders.replacing(4, 7);
  assert.equal(orders.replaced(7, 4, 0, false), 4);
  orders.accepted(5, 100, false);
  assert.equal(orders.rejected(6), true);
  assert.equal(orders.live, 0);
  assert.equal(orders.answered, 6);
  assert.deepEqual(orders.report(), {
    entered: 6,
    accepted: 5,
    rejected: 1,
    unanswered: 0,
    executed: 1,
    canceled: { U: 1 },
    aiqCanceled: 1,
    replacedToZero: 1,
    deadOnArrival: 1,
    open: 0,
    violationCount: 0,
    violations: [],
  });
});

Deno.test("OutcomeChecker follows an order through replaces to its current token", () => {
  const orders = new OutcomeChecker();
  orders.entered(1);
  orders.accepted(1, 100, true);
  orders.replacing(1, 2);
  assert.equal(orders.replaced(2, 1, 300, true), 1);
  assert.equal(orders.currentToken(1), 2);
  assert.equal(orders.orderOf(2), 1);
  orders.executed(2, 100);
  assert.equal(orders.isLive(1), true);
  orders.canceled(2, 200, "L");
  assert.equal(orders.isLive(1), false);
  const report = orders.report();
  assert.deepEqual(report.canceled, { L: 1 });
  assert.equal(report.violationCount, 0);
});

Deno.test("OutcomeChecker reports unanswered Enters and orders without an outcome", () => {
  const orders = new OutcomeChecker();
  orders.entered(1);
  orders.entered(2);
  orders.accepted(2, 100, true);
  orders.executed(2, 30);
  const report = orders.report();
  assert.equal(report.unanswered, 1);
  assert.equal(report.open, 1);
  assert.deepEqual(report.violations, [
    "order 1 got no Accepted or Rejected",
    "order 2 has no final outcome: 70 still open",
  ]);
  assert.equal(report.violationCount, 2);
});

Deno.test("OutcomeChecker flags messages that break the rules", () => {
  const orders = new OutcomeChecker();
  orders.entered(1);
  orders.entered(2);
  orders.replacing(1, 3);
  assert.equal(orders.accepted(9, 100, true), false);
  assert.equal(orders.executed(1, 10), 0);
  orders.accepted(1, 100, true);
  assert.equal(orders.accepted(1, 100, true), false);
  assert.equal(orders.rejected(3), false);
  orders.executed(1, 150);
  orders.canceled(1, 1, "U");
  orders.replaced(3, 1, 5, true);
  orders.rejected(2);
  orders.replaced(4, 2, 5, true);
  orders.violation("a message of unknown type 0x51");
  const report = orders.report();
  assert.deepEqual(report.violations, [
    "Order Accepted for token 9, which was never sent",
    "Order Executed for order 1 before its Order Accepted",
    "Order Accepted for order 1, which was already answered",
    "Order Rejected for token 3, which is a replacement token",
    "Order Executed of 150 for order 1, which had only 100 open",
    "Order Canceled for order 1 after its final outcome",
    "Order Replaced for order 1 after its final outcome",
    "Order Replaced for order 2 after its final outcome",
    "a message of unknown type 0x51",
  ]);
  assert.equal(report.violationCount, 9);
});

Deno.test("OutcomeChecker checks tokens and replacement tokens", () => {
  const orders = new OutcomeChecker();
  orders.entered(5);
  assert.throws(() => orders.entered(5), {
    name: "RangeError",
    message: "Cannot register token 5 as it must be above 5",
  });
  orders.accepted(5, 10, true);
  orders.entered(6);
  orders.replaced(6, 5, 10, true);
  orders.replaced(5, 5, 10, true);
  assert.deepEqual(orders.report().violations, [
    "Order Replaced for order 5 names replacement token 6, which was not sent to replace it",
    "Order Replaced for order 5 names replacement token 5, which was not sent to replace it",
    "order 5 has no final outcome: 10 still open",
    "order 6 got no Accepted or Rejected",
  ]);
});

Deno.test("OutcomeChecker grows past its first capacity", () => {
  const orders = new OutcomeChecker(1);
  for (let token = 1; token <= 5000; token++) {
    orders.entered(token);
    orders.accepted(token, 1, true);
    orders.executed(token, 1);
  }
  const report = orders.report();
  assert.equal(report.executed, 5000);
  assert.equal(report.violationCount, 0);
  assert.equal(orders.highestToken, 5000);
});
