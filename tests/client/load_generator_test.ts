import assert from "node:assert/strict";
import {
  LoadGenerator,
  type LoadMix,
  type LoadPlan,
  type LoadReport,
} from "../../lib/client/load_generator.ts";
import {
  encodeMessage,
  FrameReader,
  type InboundMessage,
} from "../../lib/codec/mod.ts";
import { decodeInbound } from "../../lib/codec/message.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";
import { driveLoad, LoadVenue } from "./_load_venue.ts";
import { accepted, canceled } from "./_outbound.ts";

const FOUR = ["demo1", "demo2", "demo3", "demo4"];

/** Decodes the packets a session wrote. */
function sentMessages(output: WriteBuffer): InboundMessage[] {
  const bytes = output.take();
  if (bytes === null) return [];
  const messages: InboundMessage[] = [];
  new FrameReader().push(bytes, (_, payload) => {
    messages.push(decodeInbound(payload));
  });
  output.release(bytes);
  return messages;
}

/** Enter Orders only (Day orders unless `plan` says otherwise), by `plan`. */
function enters(plan: LoadPlan): LoadGenerator {
  return new LoadGenerator({
    mix: { enter: 100, cancel: 0, replace: 0 },
    crossPercent: 0,
    ...plan,
  });
}

/** The shares a run sent, in percent of its messages. */
function shares(report: LoadReport): LoadMix {
  const total = report.sent.total;
  return {
    enter: (report.sent.enter / total) * 100,
    cancel: (report.sent.cancel / total) * 100,
    replace: (report.sent.replace / total) * 100,
  };
}

/** Every order ended once; nothing failed; the books are empty. */
function assertClean(report: LoadReport, venue: LoadVenue, label: string) {
  assert.deepEqual(report.errors, [], label);
  assert.deepEqual(report.outcomes.violations, [], label);
  assert.equal(report.ok, true, label);
  const { outcomes } = report;
  const canceled = Object.values(outcomes.canceled).reduce((a, b) => a + b, 0);
  assert.equal(outcomes.accepted, report.sent.enter, label);
  assert.equal(
    outcomes.executed + canceled + outcomes.aiqCanceled +
      outcomes.replacedToZero + outcomes.deadOnArrival,
    outcomes.accepted,
    `${label}: every accepted order ended once`,
  );
  assert.equal(report.latency.count, report.sent.enter, label);
  assert.equal(venue.resting(), 0, `${label}: the cleanup emptied the book`);
}

Deno.test("LoadGenerator follows the mix from the first messages even when the window holds the whole count (issue #12 item 8)", () => {
  // 2,000 messages over 4 sessions with the default window of 1,000: each session's share
  // goes out in its first send, before any answer. The mix must hold all the same.
  const load = new LoadGenerator({ accounts: FOUR, count: 2000 });
  const venue = new LoadVenue(4);
  const output = new WriteBuffer();
  load.start(0);
  let first = 0;
  for (let i = 0; i < 4; i++) {
    first += load.send(i, 0, output);
    venue.deliver(i, output);
  }
  assert.equal(first, 2000, "every message in the first send");
  const sent = venue.inbound.flat();
  const count = (type: InboundMessage["type"]) =>
    sent.filter((message) => message.type === type).length;
  assert.deepEqual(
    [count("enterOrder"), count("cancelOrder"), count("replaceOrder")],
    [
      load.report(0).sent.enter,
      load.report(0).sent.cancel,
      load.report(0).sent.replace,
    ],
  );
  const mix = shares(load.report(0));
  assert.ok(Math.abs(mix.cancel - 7) < 2, `cancels ${mix.cancel}%`);
  assert.ok(Math.abs(mix.replace - 3) < 1.5, `replaces ${mix.replace}%`);
  // And the run settles every one of them.
  const end = driveLoad(load, venue);
  assert.ok(end < 10, `done by ${end} ms`);
  assertClean(load.report(1), venue, "count 2000");
});

Deno.test("LoadGenerator keeps the mix, the count, the pace and the outcomes in every combination of count or duration, rate and window", () => {
  const mixes: LoadMix[] = [
    { enter: 90, cancel: 7, replace: 3 },
    { enter: 50, cancel: 30, replace: 20 },
  ];
  for (const amount of [{ count: 2000 }, { durationMs: 20 }]) {
    for (const rate of [0, 100_000]) {
      for (const window of [1, 100]) {
        for (const mix of mixes) {
          const label = `${
            JSON.stringify(amount)
          } rate ${rate} window ${window} mix ${Object.values(mix).join(":")}`;
          const load = new LoadGenerator({
            accounts: FOUR,
            ...amount,
            rate,
            window,
            mix,
            seed: 3,
          });
          const venue = new LoadVenue(4);
          let lastSendAt = 0;
          let sentBefore = 0;
          driveLoad(load, venue, {
            afterStep: (now) => {
              const sent = load.progress(now).sent;
              if (sent > sentBefore) lastSendAt = now;
              sentBefore = sent;
              if (rate > 0 && load.running) {
                // Paced: never ahead of rate × time (+1 per session for the first).
                assert.ok(
                  sent <= Math.floor(now * rate / 1000) + 4,
                  `${label}: ${sent} sent by ${now} ms`,
                );
              }
            },
          });
          const report = load.report(0);
          assertClean(report, venue, label);
          if ("count" in amount) {
            assert.equal(report.sent.total, 2000, label);
          } else {
            assert.ok(report.sent.total > 0, label);
            assert.ok(
              lastSendAt <= 20.25,
              `${label}: sent until ${lastSendAt}`,
            );
          }
          if (report.sent.total >= 1000) {
            const got = shares(report);
            assert.ok(
              Math.abs(got.cancel - mix.cancel) < mix.cancel / 5 + 1.5 &&
                Math.abs(got.replace - mix.replace) < mix.replace / 5 + 1.5,
              `${label}: sent ${JSON.stringify(got)}`,
            );
          }
        }
      }
    }
  }
});

Deno.test("LoadGenerator is deterministic for a seed, on the wire and in the report", () => {
  const run = (seed: number, bytes: boolean) => {
    const load = new LoadGenerator({ accounts: ["a", "b"], count: 600, seed });
    const venue = new LoadVenue(2);
    driveLoad(load, venue, { bytes });
    const { totalMs: _, ...report } = load.report(0);
    return { wire: venue.inbound, report };
  };
  const first = run(7, false);
  assert.deepEqual(run(7, false), first);
  assert.deepEqual(run(7, true), first, "bytes read as decoded messages");
  assert.notDeepEqual(run(8, false).wire, first.wire);
});

Deno.test("LoadGenerator.send() holds at the window until answers come", () => {
  const load = enters({
    accounts: ["a"],
    count: 10,
    window: 3,
  });
  const output = new WriteBuffer();
  load.start(0);
  assert.equal(load.send(0, 0, output), 3);
  assert.equal(load.send(0, 0, output), 0, "three unanswered");
  const tokens = sentMessages(output).map((m) =>
    m.type === "enterOrder" ? m.orderToken : 0
  );
  assert.deepEqual(tokens, [1, 2, 3]);
  load.receive(0, accepted(1), 1);
  assert.equal(load.send(0, 1, output), 1);
  assert.deepEqual(
    sentMessages(output).map((m) => m.type === "enterOrder" && m.orderToken),
    [4],
  );
});

Deno.test("LoadGenerator.send() paces a rate on tick() and stops at the share of the count", () => {
  // 2,000/s over 2 sessions: 1 message per ms each, the first at once.
  const load = enters({
    accounts: ["a", "b"],
    count: 11,
    rate: 2000,
  });
  const output = new WriteBuffer();
  load.start(100);
  assert.equal(load.send(0, 100, output), 1);
  assert.equal(load.send(0, 103, output), 0, "the pace moves with tick()");
  load.tick(103.5);
  assert.equal(load.send(0, 103.5, output), 3);
  load.tick(110);
  assert.equal(load.send(0, 110, output), 2, "a's share of 11 is 6");
  assert.equal(load.progress(110).sent, 6);
  assert.equal(
    load.send(1, 110, output),
    5,
    "b's share of 11 is 5",
  );
});

Deno.test("LoadGenerator starts its tokens above those replayed at login", () => {
  const load = enters({
    accounts: ["a"],
    count: 2,
  });
  load.receive(0, accepted(41), 0);
  load.receive(0, encodeMessage(accepted(40)), 0);
  const output = new WriteBuffer();
  load.start(0);
  load.send(0, 0, output);
  assert.deepEqual(
    sentMessages(output).map((m) => m.type === "enterOrder" && m.orderToken),
    [42, 43],
  );
  load.receive(0, accepted(42), 1);
  load.receive(0, canceled(41, 100), 1); // an earlier run's order, canceled
  const report = load.report(0);
  assert.equal(report.received.history, 3);
  assert.equal(report.received.accepted, 1);
  assert.equal(report.received.total, 4);
});

Deno.test("LoadGenerator.written() starts the round trip of what goes on the wire", () => {
  const load = enters({
    accounts: ["a"],
    count: 2,
  });
  const output = new WriteBuffer();
  load.start(0);
  load.send(0, 0, output);
  load.written(0, 2);
  load.receive(0, accepted(1), 2.5);
  load.receive(0, accepted(2), 3);
  assert.deepEqual(load.report(0).latency.max, 1);
  assert.deepEqual(load.report(0).latency.min, 0.5);
});

Deno.test("LoadGenerator.interrupt() stops sending, settles, cancels what rests and says so", () => {
  const load = new LoadGenerator({
    accounts: FOUR,
    durationMs: 60_000,
    rate: 40_000,
    seed: 5,
  });
  const venue = new LoadVenue(4);
  let interruptedAt = 0;
  driveLoad(load, venue, {
    afterStep: (now) => {
      if (now === 25) {
        load.interrupt(now);
        interruptedAt = load.progress(now).sent;
      }
    },
  });
  const report = load.report(0);
  assert.equal(report.interrupted, true);
  assert.equal(report.sent.total, interruptedAt, "nothing sent after");
  assert.ok(report.sent.cleanup > 0, "resting orders canceled");
  assertClean(report, venue, "interrupted");
  const count = new LoadGenerator({ accounts: ["a"], count: 1 });
  assert.equal(count.report(0).interrupted, false);
});

Deno.test("LoadGenerator.tick() fails a session whose server stays silent while answers are due", () => {
  const load = enters({
    accounts: ["a", "b"],
    count: 4,
    drainTimeoutMs: 1000,
  });
  const output = new WriteBuffer();
  load.start(0);
  load.send(0, 0, output);
  load.send(1, 0, output);
  load.tick(1000);
  assert.equal(load.finished, false);
  load.tick(1000.5);
  assert.equal(load.finished, true);
  const report = load.report(2000);
  assert.deepEqual(report.errors, [
    "a: nothing received for 1000 ms while answers were due",
    "b: nothing received for 1000 ms while answers were due",
  ]);
  assert.equal(report.outcomes.unanswered, 4);
  assert.equal(report.ok, false);
});

Deno.test("LoadGenerator reports rule breaks, failed sessions and unknown messages", () => {
  const load = enters({
    accounts: ["a", "b"],
    count: 2,
  });
  const output = new WriteBuffer();
  load.start(0);
  load.send(0, 0, output);
  load.send(1, 0, output);
  load.receive(0, accepted(1), 1);
  load.receive(0, accepted(1), 1);
  load.receive(0, new Uint8Array([0x7a, 1, 2]), 1);
  load.failed(1, "the connection closed during the run", 1);
  load.failed(1, "reported once", 1);
  const report = load.report(2);
  assert.deepEqual(report.outcomes.violations, [
    "a: Order Accepted for order 1, which was already answered",
    "a: a message of unknown type 0x7a",
    "a: order 1 has no final outcome: 100 still open",
    "b: order 1 got no Accepted or Rejected",
  ]);
  assert.deepEqual(report.errors, ["b: the connection closed during the run"]);
  assert.equal(load.finished, false, "a still waits for its cleanup");
});

Deno.test("LoadGenerator refuses plans out of range", () => {
  const cases: [Partial<LoadPlan>, RegExp][] = [
    [{ accounts: [] }, /without an account/],
    [{ mix: { enter: 90, cancel: 7, replace: 4 } }, /must add up to 100/],
    [{ rate: -1 }, /rate -1/],
    [{ window: 0 }, /window 0/],
    [{ crossPercent: 101 }, /101% crossing/],
    [{ count: -5 }, /-5 messages/],
    [{ durationMs: -1 }, /-1 ms/],
  ];
  for (const [plan, message] of cases) {
    assert.throws(
      () => new LoadGenerator({ accounts: ["a"], ...plan }),
      { name: "RangeError", message },
    );
  }
  assert.throws(
    () => new LoadGenerator({ accounts: ["a"] }).send(1, 0, new WriteBuffer()),
    {
      name: "RangeError",
      message: /session 1: there are 1/,
    },
  );
});
