import assert from "node:assert/strict";
import { run } from "../../lib/client/cli.ts";
import { runLoad } from "../../lib/client/load.ts";
import { OUTCOMES_OK } from "../../lib/client/load_report.ts";
import { enter, startServer } from "../server/_harness.ts";
import { capture } from "./_capture.ts";
import { assertEveryOrderEndedOnce } from "./_load_checks.ts";
import { startServerProcess } from "./_server_process.ts";

const ACCOUNTS = [
  { username: "alice", password: "pw-a" },
  { username: "bob", password: "pw-b" },
];

Deno.test("runLoad() sends 2,000 messages on 2 sessions and accounts for every order", async () => {
  const server = startServer({ market: { orderbooks: ["7203"] } });
  try {
    const report = await runLoad({
      port: server.address.port,
      accounts: ACCOUNTS,
      count: 2000,
      window: 40,
      crossPercent: 20,
      seed: 7,
    });
    const { sent, received, outcomes } = report;
    assert.deepEqual(report.errors, []);
    assert.deepEqual(outcomes.violations, []);
    assert.equal(report.ok, true);
    assert.equal(sent.total, 2000);
    assert.equal(sent.enter + sent.cancel + sent.replace, 2000);
    assert.ok(sent.cancel > 50 && sent.replace > 20, JSON.stringify(sent));
    assert.equal(outcomes.entered, sent.enter);
    assert.equal(outcomes.accepted + outcomes.rejected, sent.enter);
    assert.equal(outcomes.rejected, 0);
    assert.equal(received.accepted, sent.enter);
    assert.ok(received.replaced <= sent.replace);
    assert.equal(outcomes.unanswered, 0);
    assert.equal(outcomes.open, 0);
    assertEveryOrderEndedOnce(report);
    assert.ok(outcomes.executed > 0, "crossing orders traded");
    assert.ok((outcomes.canceled.I ?? 0) + (outcomes.canceled.U ?? 0) > 0);
    assert.equal(report.latency.count, sent.enter);
    assert.ok(report.latency.p50 <= report.latency.p99);
    assert.ok(report.latency.p99 <= report.latency.max);
    assert.equal(
      report.histogram.reduce((sum, bucket) => sum + bucket.count, 0),
      sent.enter,
    );
    assert.ok(report.throughput.messagesPerSecond > 0);
    // Nothing is left on the book.
    await server.exchange.drain();
    const depth = server.exchange.market.depth("7203", 1);
    assert.deepEqual([depth?.bids, depth?.asks], [[], []]);
  } finally {
    await server.shutdown();
  }
});

Deno.test("runLoad() starts above the tokens an account already used", async () => {
  const server = startServer({ market: { orderbooks: ["7203"] } });
  try {
    const options = {
      port: server.address.port,
      accounts: ACCOUNTS.slice(0, 1),
      count: 300,
      window: 20,
    };
    const first = await runLoad(options);
    const second = await runLoad(options);
    assert.equal(first.ok, true);
    assert.equal(second.ok, true, JSON.stringify(second.outcomes.violations));
    assert.equal(second.outcomes.accepted, second.sent.enter);
    assert.ok(second.received.history > 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("run() --load --json paces a short run and reports it", async () => {
  const server = await startServerProcess();
  try {
    const { out, output } = capture();
    const code = await run([
      "--load",
      "--port",
      String(server.port),
      "--sessions",
      "2",
      "--count",
      "400",
      "--rate",
      "2000",
      "--json",
    ], output);
    assert.equal(code, 0, out.join("\n"));
    assert.equal(out.length, 1);
    const report = JSON.parse(out[0]!);
    assert.deepEqual(report.accounts, ["demo1", "demo2"]);
    assert.equal(report.sent.total, 400);
    assert.equal(report.outcomes.violationCount, 0);
    assert.ok(report.runMs >= 150, `paced at 2000/s: ${report.runMs} ms`);
    assert.equal(report.ok, true);

    const text = capture();
    assert.equal(
      await run(
        [
          "--load",
          "--port",
          String(server.port),
          "--sessions",
          "1",
          "--count",
          "50",
        ],
        text.output,
      ),
      0,
    );
    assert.match(text.out[0]!, /^load: 1 session \(demo1\), 50 messages in /);
    assert.match(text.out.join("\n"), /p50 .*p90 .*p99 .*p99\.9 .*max /);
    assert.equal(text.out.at(-1), OUTCOMES_OK);
  } finally {
    await server.close();
  }
});

Deno.test("run() --load --count 2000 follows --mix when the window holds every message (issue #12 item 8)", async () => {
  const server = startServer({ market: { orderbooks: ["7203"] } });
  try {
    const { out, output } = capture();
    const code = await run([
      "--load",
      "--port",
      String(server.address.port),
      ...["--user", "alice", "--user", "bob", "--user", "carol"],
      ...["--password", "pw-a", "--password", "pw-b", "--password", "pw-c"],
      "--count",
      "2000",
      "--json",
    ], output);
    assert.equal(code, 0, out.join("\n"));
    const report = JSON.parse(out[0]!);
    assert.equal(report.sent.total, 2000);
    // The default mix, 90:7:3, from a seeded draw: about 140 cancels and 60 replaces.
    assert.ok(
      report.sent.cancel >= 100 && report.sent.cancel <= 180,
      JSON.stringify(report.sent),
    );
    assert.ok(
      report.sent.replace >= 30 && report.sent.replace <= 90,
      JSON.stringify(report.sent),
    );
    assert.equal(report.outcomes.violationCount, 0);
    assert.equal(report.interrupted, false);
  } finally {
    await server.shutdown();
  }
});

Deno.test("runLoad() keeps the mix and settles every order with count or duration, rate and window", async () => {
  const server = startServer({ market: { orderbooks: ["7203"] } });
  try {
    for (const amount of [{ count: 800 }, { durationMs: 300 }]) {
      for (const rate of [0, 4000]) {
        for (const window of [2, 1000]) {
          const label = `${
            JSON.stringify(amount)
          } rate ${rate} window ${window}`;
          const report = await runLoad({
            port: server.address.port,
            accounts: ACCOUNTS,
            ...amount,
            rate,
            window,
            mix: { enter: 60, cancel: 25, replace: 15 },
          });
          assert.deepEqual(report.errors, [], label);
          assert.deepEqual(report.outcomes.violations, [], label);
          if ("count" in amount) assert.equal(report.sent.total, 800, label);
          if (rate > 0) {
            // 4,000/s for 0.3 s, or 800 at 4,000/s: about 200 ms of sending either way.
            assert.ok(report.runMs >= 150, `${label}: ${report.runMs} ms`);
          }
          const { total, cancel, replace } = report.sent;
          assert.ok(
            cancel >= total * 0.15 && replace >= total * 0.08,
            `${label}: ${JSON.stringify(report.sent)}`,
          );
          await server.exchange.drain();
          const depth = server.exchange.market.depth("7203", 1);
          assert.deepEqual([depth?.bids, depth?.asks], [[], []], label);
        }
      }
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("runLoad() on an account whose web page enters orders before and during the run: the page's orders are not the generator's, rest untouched, and every count is the run's own (issue #15 item 2)", async () => {
  const server = startServer({ market: { orderbooks: ["7203", "6758"] } });
  const account = ACCOUNTS[0]!.username;
  const page = (price: number) =>
    server.run((exchange, ts) => {
      const token = exchange.nextPageToken(account);
      exchange.submit(
        account,
        enter(token, { orderbookId: "6758", price, quantity: 100 }),
        ts,
      );
      return token;
    });
  try {
    // A logged-in page is a session of the account (K23): the generator's sessions ending
    // cancel nothing while it is open.
    const session = server.run((exchange, ts) =>
      exchange.login(
        {
          type: "loginRequest",
          username: account,
          password: ACCOUNTS[0]!.password,
          requestedSession: "",
          requestedSequenceNumber: 0,
        },
        "web#1",
        ts,
      )
    );
    assert.ok(session.accept);
    const first = page(30000);
    let second = 0;
    const during = setTimeout(() => second = page(30010), 5);
    const report = await runLoad({
      port: server.address.port,
      accounts: ACCOUNTS.slice(0, 1),
      count: 3000,
      window: 20,
      seed: 3,
    });
    clearTimeout(during);
    if (second === 0) second = page(30010);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(report.outcomes.violations, []);
    assert.equal(report.ok, true);
    assert.equal(report.outcomes.entered, report.sent.enter);
    assert.equal(report.outcomes.accepted, report.sent.enter);
    assert.equal(report.outcomes.open, 0);
    assertEveryOrderEndedOnce(report);
    await server.exchange.drain();
    assert.deepEqual(
      server.exchange.openOrders(account).map((o) => o.orderToken),
      [first, second],
      "the page's orders rest: the clean-up canceled only the generator's",
    );
  } finally {
    await server.shutdown();
  }
});
