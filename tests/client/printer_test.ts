import assert from "node:assert/strict";
import { Printer } from "../../lib/client/printer.ts";
import {
  formatLoadReport,
  renderProgress,
} from "../../lib/client/load_report.ts";
import type { LoadReport } from "../../lib/client/load.ts";

const CANCEL = { type: "cancelOrder", orderToken: 5, quantity: 0 } as const;
const ACCEPTED_CANCEL = {
  type: "orderCanceled",
  timestamp: 34_200_000_000_000,
  orderToken: 5,
  decrementQuantity: 100,
  orderCanceledReason: "U",
} as const;

Deno.test("Printer lines up sent and received messages", () => {
  const printer = new Printer();
  const sent = printer.sent(CANCEL, 12);
  const received = printer.received(1234, ACCEPTED_CANCEL, 12);
  assert.equal(
    sent,
    "sent action 12   X cancelOrder      orderToken=5 quantity=0",
  );
  assert.equal(
    received,
    "recv seq 1234    C orderCanceled    timestamp=09:30:00.000000000 orderToken=5 decrementQuantity=100 orderCanceledReason=U (User requested cancel)",
  );
  assert.equal(sent.indexOf("cancelOrder"), received.indexOf("orderCanceled"));
  assert.equal(
    printer.sent(CANCEL),
    "sent             X cancelOrder      orderToken=5 quantity=0",
  );
});

Deno.test("Printer colours only when asked", () => {
  assert.ok(!new Printer().received(1, ACCEPTED_CANCEL).includes("\x1b["));
  assert.ok(
    new Printer({ color: true }).received(1, ACCEPTED_CANCEL).includes(
      "\x1b[33m",
    ),
  );
  assert.ok(
    !new Printer({ json: true, color: true }).received(1, ACCEPTED_CANCEL)
      .includes("\x1b["),
  );
});

Deno.test("Printer writes results, summaries and events as text and JSON", () => {
  const text = new Printer();
  const json = new Printer({ json: true });
  const fail = {
    index: 2,
    sent: true,
    received: [],
    expected: ["accepted"],
    got: ["none"],
    status: "fail",
    detail: "expected accepted; got none",
  } as const;
  assert.equal(
    text.result(fail),
    "FAIL action 2    expected accepted; got none",
  );
  assert.deepEqual(JSON.parse(json.result(fail)), {
    event: "result",
    action: 2,
    status: "fail",
    expected: ["accepted"],
    got: ["none"],
    detail: "expected accepted; got none",
  });
  const summary = {
    actions: 3,
    sent: 3,
    passed: 2,
    failed: 1,
    unchecked: 0,
    unsent: 0,
    stopped: null,
    ok: false,
  };
  assert.equal(
    text.summary(summary),
    "FAILED: 3 actions, 3 sent: 2 passed, 1 failed, 0 without expectations",
  );
  assert.deepEqual(JSON.parse(json.summary(summary)), {
    event: "summary",
    ...summary,
  });
  assert.equal(text.loginRejected("A"), "login rejected: A (Not authorized)");
  assert.equal(
    text.disconnected("the server closed the connection", 200),
    "connection lost (the server closed the connection): reconnecting in 200 ms",
  );
  assert.equal(
    text.disconnected("the server closed the connection", 100, "h:15010"),
    "connection lost (the server closed the connection): reconnecting to h:15010 in 100 ms",
  );
  assert.deepEqual(JSON.parse(json.disconnected("eof", 100, "h:15010")), {
    event: "disconnected",
    reason: "eof",
    retryInMs: 100,
    next: "h:15010",
  });
  assert.deepEqual(JSON.parse(json.sent(CANCEL)), {
    event: "sent",
    action: null,
    message: CANCEL,
  });
  assert.deepEqual(text.next(3, CANCEL, "3. cancel it"), [
    "# 3. cancel it",
    "next action 3    X cancelOrder      orderToken=5 quantity=0  [Enter: send, q: stop]",
  ]);
});

Deno.test("renderProgress() draws a bar and the counts", () => {
  assert.equal(
    renderProgress({
      elapsedMs: 250,
      sent: 0,
      answered: 0,
      fraction: 0,
      phase: "run",
    }, 4),
    "[....]   0% sent 0, answered 0, 250.00 ms",
  );
  assert.equal(
    renderProgress({
      elapsedMs: 2000,
      sent: 10,
      answered: 10,
      fraction: 1,
      phase: "drain",
    }, 4),
    "[####] 100% sent 10, answered 10, 2.00 s (draining)",
  );
});

Deno.test("formatLoadReport() lists violations instead of the all-clear", () => {
  const report: LoadReport = {
    sessions: 2,
    accounts: ["a", "b"],
    runMs: 500,
    totalMs: 600,
    interrupted: false,
    sent: { enter: 9, cancel: 1, replace: 0, total: 10, cleanup: 0 },
    received: {
      accepted: 8,
      rejected: 0,
      replaced: 0,
      canceled: 1,
      aiqCanceled: 0,
      executed: 0,
      systemEvent: 0,
      history: 0,
      total: 9,
    },
    throughput: { messagesPerSecond: 20, entersPerSecond: 18 },
    latency: {
      count: 8,
      min: 0.1,
      mean: 0.2,
      p50: 0.2,
      p90: 0.3,
      p99: 0.4,
      p999: 0.4,
      max: 0.4,
    },
    histogram: [],
    outcomes: {
      entered: 9,
      accepted: 8,
      rejected: 0,
      unanswered: 1,
      executed: 0,
      canceled: { U: 1 },
      aiqCanceled: 0,
      replacedToZero: 0,
      deadOnArrival: 0,
      open: 7,
      violationCount: 8,
      violations: ["a: order 3 got no Accepted or Rejected"],
    },
    errors: ["a: the connection closed during the run"],
    failovers: [],
    ok: false,
  };
  const lines = formatLoadReport(report);
  assert.equal(
    lines[0],
    "load: 2 sessions (a, b), 10 messages in 500.00 ms (600.00 ms with login and drain)",
  );
  assert.equal(lines[3], "throughput: 20 messages/s, 18 enters/s");
  assert.equal(
    lines[4],
    "latency:    Enter → Accepted/Rejected, 8 round trips: p50 200 µs, p90 300 µs, p99 400 µs, p99.9 400 µs, max 400 µs",
  );
  assert.deepEqual(lines.slice(-3), [
    "error: a: the connection closed during the run",
    "VIOLATIONS: 8 (the first 1 below)",
    "  a: order 3 got no Accepted or Rejected",
  ]);
  assert.ok(!lines.includes("every order got exactly one final outcome"));
});

Deno.test("Printer sums up a login's replay, the token shift and an interruption", () => {
  const text = new Printer();
  const json = new Printer({ json: true });
  const big = { messages: 60_823, openOrders: 1_204, highestToken: 5_001 };
  assert.equal(
    text.replayed(big),
    "replayed 60,823 messages: 1,204 orders open, highest token 5,001",
  );
  assert.equal(
    text.replayed({ messages: 1, openOrders: 1, highestToken: 1 }),
    "replayed 1 message: 1 order open, highest token 1",
  );
  assert.equal(
    text.replayed({ messages: 0, openOrders: 0, highestToken: 0 }),
    "replayed 0 messages: 0 orders open, highest token 0",
  );
  assert.deepEqual(JSON.parse(json.replayed(big)), {
    event: "replayed",
    ...big,
  });
  assert.equal(
    text.tokensShifted({ username: "demo1", offset: 1_999 }),
    "tokens shifted by 1,999, demo1's highest token today: file token 1 is sent as 2,000 (--raw-tokens sends them as written)",
  );
  assert.deepEqual(
    JSON.parse(json.tokensShifted({ username: "demo1", offset: 7 })),
    { event: "tokensShifted", username: "demo1", offset: 7 },
  );
  assert.equal(
    text.interrupted({ openOrders: 2 }),
    "interrupted: logging out with 2 orders open",
  );
  assert.equal(text.loggedOut(), "logged out");
  assert.deepEqual(JSON.parse(json.interrupted({ openOrders: 0 })), {
    event: "interrupted",
    openOrders: 0,
  });
});

Deno.test("Printer.summary() tells a stopped or interrupted replay from a failed one", () => {
  const text = new Printer();
  const base = {
    actions: 7,
    sent: 2,
    passed: 2,
    failed: 0,
    unchecked: 0,
    unsent: 5,
    ok: true,
  };
  assert.equal(
    text.summary({ ...base, stopped: "quit" }),
    "stopped: 7 actions, 2 sent: 2 passed, 0 failed, 5 not sent, 0 without expectations",
  );
  assert.equal(
    text.summary({ ...base, stopped: "interrupted" }),
    "interrupted: 7 actions, 2 sent: 2 passed, 0 failed, 5 not sent, 0 without expectations",
  );
  assert.equal(
    text.summary({
      ...base,
      passed: 1,
      failed: 1,
      ok: false,
      stopped: "quit",
    }),
    "FAILED: 7 actions, 2 sent: 1 passed, 1 failed, 5 not sent, 0 without expectations",
  );
  assert.equal(
    text.result({
      index: 3,
      sent: false,
      received: [],
      expected: ["accepted"],
      got: ["none"],
      status: "unsent",
      detail: "not sent",
    }),
    "---- action 3    not sent",
  );
});
