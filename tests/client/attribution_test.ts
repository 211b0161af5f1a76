import assert from "node:assert/strict";
import {
  ResponseAttribution,
  waitDecision,
} from "../../lib/client/attribution.ts";
import { parseScenario } from "../../lib/client/scenario.ts";
import type { OutboundMessage } from "../../lib/codec/mod.ts";

const REJECTED: OutboundMessage = {
  type: "orderRejected",
  timestamp: 0,
  orderToken: 1,
  orderRejectedReason: "N",
};
const CANCELED: OutboundMessage = {
  type: "orderCanceled",
  timestamp: 0,
  orderToken: 1,
  decrementQuantity: 1,
  orderCanceledReason: "U",
};
const SYSTEM: OutboundMessage = {
  type: "systemEvent",
  timestamp: 0,
  eventCode: "E",
};

function scenario(expects: (unknown | undefined)[]) {
  return parseScenario(JSON.stringify({
    actions: expects.map((expect, i) => ({
      message_type: "X",
      order_token: i + 1,
      quantity: 0,
      ...(expect === undefined ? {} : { expect }),
    })),
  }));
}

Deno.test("ResponseAttribution.receive() gives each message to the last action sent", () => {
  const replay = new ResponseAttribution(
    scenario(["none", ["rejected:N", "canceled:U"], undefined]).actions,
  );
  assert.equal(replay.receive(CANCELED), undefined, "before any action");
  replay.sent(1);
  replay.sent(2);
  assert.equal(replay.receive(REJECTED), 2);
  assert.equal(replay.receive(SYSTEM), undefined);
  assert.equal(replay.receive(CANCELED), 2);
  replay.sent(3);
  assert.equal(replay.receive(CANCELED), 3);
  assert.deepEqual(replay.received(2), [REJECTED, CANCELED]);
  assert.deepEqual(replay.received(1), []);
  assert.deepEqual(replay.received(9), []);
  assert.equal(replay.sentCount, 3);
});

Deno.test("ResponseAttribution.sent() refuses actions out of order", () => {
  const replay = new ResponseAttribution(scenario(["none", "none"]).actions);
  assert.throws(() => replay.sent(2), {
    name: "RangeError",
    message: "Cannot send action 2 as the next action is 1 of 2",
  });
  replay.sent(1);
  replay.sent(2);
  assert.throws(() => replay.sent(3), RangeError);
});

Deno.test("ResponseAttribution.results() passes, fails and leaves unchecked", () => {
  const replay = new ResponseAttribution(
    scenario(["none", ["rejected:N"], ["accepted"], undefined, "none"]).actions,
  );
  replay.sent(1);
  replay.sent(2);
  replay.receive(REJECTED);
  replay.sent(3);
  replay.receive(CANCELED);
  replay.sent(4);
  replay.receive(REJECTED);
  const results = replay.results();
  assert.deepEqual(
    results.map((r) => [r.index, r.status, r.detail]),
    [
      [1, "pass", "got none"],
      [2, "pass", "got rejected:N"],
      [3, "fail", "expected accepted; got canceled:U"],
      [4, "unchecked", "got rejected:N"],
      [5, "fail", "not sent"],
    ],
  );
  assert.deepEqual(results[0]!.expected, ["none"]);
  assert.deepEqual(results[2]!.got, ["canceled:U"]);
  assert.equal(results[3]!.expected, undefined);
  assert.equal(results[4]!.sent, false);
  assert.deepEqual(replay.summary(), {
    actions: 5,
    sent: 4,
    passed: 2,
    failed: 2,
    unchecked: 1,
    unsent: 0,
    stopped: null,
    ok: false,
  });
});

Deno.test("waitDecision() waits for the expected count, then settles", () => {
  const timing = { waitMs: 1000, settleMs: 50 };
  const two = [{ kind: "accepted" }, { kind: "executed" }] as const;
  assert.deepEqual(
    waitDecision(two, { received: 1, sinceSentMs: 5, sinceLastMs: 0 }, timing),
    { done: false, checkInMs: 995 },
  );
  assert.deepEqual(
    waitDecision(two, { received: 2, sinceSentMs: 6, sinceLastMs: 0 }, timing),
    { done: false, checkInMs: 50 },
  );
  assert.deepEqual(
    waitDecision(
      two,
      { received: 3, sinceSentMs: 80, sinceLastMs: 60 },
      timing,
    ),
    { done: true },
  );
  assert.deepEqual(
    waitDecision(
      two,
      { received: 0, sinceSentMs: 1000, sinceLastMs: 1000 },
      timing,
    ),
    { done: true },
  );
  assert.deepEqual(
    waitDecision(
      two,
      { received: 2, sinceSentMs: 1000, sinceLastMs: 0 },
      timing,
    ),
    { done: true },
  );
});

Deno.test("waitDecision() waits the full time for none and up to the first message without expectations", () => {
  const timing = { waitMs: 300, settleMs: 50 };
  assert.deepEqual(
    waitDecision(
      [],
      { received: 0, sinceSentMs: 100, sinceLastMs: 100 },
      timing,
    ),
    { done: false, checkInMs: 200 },
  );
  assert.deepEqual(
    waitDecision(
      [],
      { received: 1, sinceSentMs: 299, sinceLastMs: 200 },
      timing,
    ),
    { done: false, checkInMs: 1 },
  );
  assert.deepEqual(
    waitDecision(
      [],
      { received: 0, sinceSentMs: 300, sinceLastMs: 300 },
      timing,
    ),
    { done: true },
  );
  assert.deepEqual(
    waitDecision(
      undefined,
      { received: 0, sinceSentMs: 10, sinceLastMs: 10 },
      timing,
    ),
    { done: false, checkInMs: 290 },
  );
  assert.deepEqual(
    waitDecision(
      undefined,
      { received: 1, sinceSentMs: 20, sinceLastMs: 10 },
      timing,
    ),
    { done: false, checkInMs: 40 },
  );
  assert.deepEqual(
    waitDecision(
      undefined,
      { received: 1, sinceSentMs: 70, sinceLastMs: 50 },
      timing,
    ),
    { done: true },
  );
});

Deno.test("ResponseAttribution.stop() reports the actions left as not sent, not as failures", () => {
  for (const reason of ["quit", "interrupted"] as const) {
    const replay = new ResponseAttribution(
      scenario([["rejected:N"], ["accepted"], undefined]).actions,
    );
    replay.sent(1);
    replay.receive(REJECTED);
    replay.stop(reason);
    replay.stop(reason === "quit" ? "interrupted" : "quit");
    assert.equal(replay.stopped, reason, "the first reason is kept");
    assert.deepEqual(
      replay.results().map((r) => [r.index, r.status, r.detail]),
      [
        [1, "pass", "got rejected:N"],
        [2, "unsent", "not sent"],
        [3, "unsent", "not sent"],
      ],
    );
    assert.deepEqual(replay.summary(), {
      actions: 3,
      sent: 1,
      passed: 1,
      failed: 0,
      unchecked: 0,
      unsent: 2,
      stopped: reason,
      ok: true,
    });
  }
});

Deno.test("ResponseAttribution.summary() still fails unsent actions when nobody stopped the replay", () => {
  const replay = new ResponseAttribution(
    scenario([["rejected:N"], ["accepted"], undefined]).actions,
  );
  replay.sent(1);
  replay.receive(REJECTED);
  assert.deepEqual(
    replay.results().map((r) => [r.index, r.status, r.detail]),
    [
      [1, "pass", "got rejected:N"],
      [2, "fail", "not sent"],
      [3, "unchecked", "not sent"],
    ],
  );
  assert.deepEqual(replay.summary(), {
    actions: 3,
    sent: 1,
    passed: 1,
    failed: 1,
    unchecked: 1,
    unsent: 0,
    stopped: null,
    ok: false,
  });
});
