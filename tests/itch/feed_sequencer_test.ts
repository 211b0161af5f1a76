import assert from "node:assert/strict";
import fc from "fast-check";
import { FeedSequencer } from "../../lib/itch/feed_sequencer.ts";

Deno.test("FeedSequencer.receive() delivers messages in order at once", () => {
  const feed = new FeedSequencer<number>();
  for (let n = 1; n <= 5; n++) assert.deepEqual(feed.receive(n, n), [n]);
  assert.equal(feed.nextSequenceNumber, 6);
  assert.equal(feed.gap, null);
  assert.equal(feed.request(0), null);
});

Deno.test("FeedSequencer.receive() drops what was delivered or is waiting already", () => {
  const feed = new FeedSequencer<string>({ nextSequenceNumber: 101 });
  assert.deepEqual(feed.receive(100, "snapshot covers it"), []);
  assert.deepEqual(feed.receive(1, "old"), []);
  assert.deepEqual(feed.receive(103, "c"), []);
  assert.deepEqual(feed.receive(103, "c again"), []);
  assert.equal(feed.duplicates, 3);
  assert.deepEqual(feed.receive(101, "a"), ["a"]);
  assert.deepEqual(feed.receive(101, "a again"), []);
  assert.deepEqual(feed.receive(102, "b"), ["b", "c"]);
  assert.equal(feed.duplicates, 4);
  assert.equal(feed.pendingCount, 0);
});

Deno.test("FeedSequencer.gap names the missing run before the first waiting message", () => {
  const feed = new FeedSequencer<number>();
  feed.receive(1, 1);
  feed.receive(5, 5);
  feed.receive(9, 9);
  assert.deepEqual(feed.gap, { sequenceNumber: 2, messageCount: 3 });
  assert.deepEqual(feed.receive(2, 2), [2]);
  assert.deepEqual(feed.gap, { sequenceNumber: 3, messageCount: 2 });
  feed.receive(3, 3);
  assert.deepEqual(feed.receive(4, 4), [4, 5]);
  assert.deepEqual(feed.gap, { sequenceNumber: 6, messageCount: 3 });
  assert.equal(feed.knownSequenceNumber, 9);
});

Deno.test("FeedSequencer.announce() reveals a gap at the end of the feed", () => {
  const feed = new FeedSequencer<number>();
  feed.receive(1, 1);
  feed.announce(2); // heartbeat: nothing missing
  assert.equal(feed.gap, null);
  feed.announce(6); // heartbeat: 2 to 5 exist
  assert.deepEqual(feed.gap, { sequenceNumber: 2, messageCount: 4 });
  feed.announce(3); // an older announcement changes nothing
  assert.deepEqual(feed.gap, { sequenceNumber: 2, messageCount: 4 });
});

Deno.test("FeedSequencer.request() asks again for the same gap only after retryAfter", () => {
  const feed = new FeedSequencer<number>({
    retryAfter: 50,
    maxRequestCount: 2,
  });
  feed.announce(11);
  assert.deepEqual(feed.request(1_000), { sequenceNumber: 1, messageCount: 2 });
  assert.equal(feed.request(1_049), null);
  assert.deepEqual(feed.request(1_050), { sequenceNumber: 1, messageCount: 2 });
  // Progress opens a new gap, asked for at once.
  feed.receive(1, 1);
  feed.receive(2, 2);
  assert.deepEqual(feed.request(1_051), { sequenceNumber: 3, messageCount: 2 });
  assert.equal(feed.request(1_052), null);
});

Deno.test("FeedSequencer drops messages further ahead than maxPending", () => {
  const feed = new FeedSequencer<number>({ maxPending: 3 });
  feed.receive(4, 4);
  feed.receive(5, 5);
  assert.equal(feed.dropped, 1);
  assert.equal(feed.pendingCount, 1);
  assert.deepEqual(feed.gap, { sequenceNumber: 1, messageCount: 3 });
  feed.receive(1, 1);
  feed.receive(2, 2);
  assert.deepEqual(feed.receive(3, 3), [3, 4]);
  assert.deepEqual(feed.gap, { sequenceNumber: 5, messageCount: 1 });
});

Deno.test("FeedSequencer refuses bad options and sequence numbers", () => {
  for (
    const [option, value] of [
      ["nextSequenceNumber", 0],
      ["maxRequestCount", 0],
      ["maxPending", 1.5],
    ] as const
  ) {
    assert.throws(() => new FeedSequencer({ [option]: value }), {
      name: "RangeError",
      message:
        `Cannot create feed sequencer as ${option} must be a positive safe integer: current value is ${value}`,
    });
  }
  assert.throws(() => new FeedSequencer({ retryAfter: -1 }), {
    name: "RangeError",
    message:
      "Cannot create feed sequencer as retryAfter must be a non-negative number: current value is -1",
  });
  const feed = new FeedSequencer<number>();
  for (const n of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => feed.receive(n, 0), {
      name: "RangeError",
      message:
        `Cannot receive a message as its sequence number must be a positive safe integer: current value is ${n}`,
    });
    assert.throws(() => feed.announce(n), { name: "RangeError" });
  }
});

Deno.test("FeedSequencer delivers each message once and in order, whatever the arrival order", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 100 }),
      fc.array(fc.nat(), { maxLength: 200 }),
      (count, first, noise) => {
        // Every message at least once, shuffled, with duplicates and old ones mixed in.
        const arrivals: number[] = [];
        for (let n = first; n < first + count; n++) arrivals.push(n);
        for (const x of noise) arrivals.push(1 + (x % (first + count - 1)));
        const order = arrivals.map((n, i) =>
          [n, noise[i % Math.max(1, noise.length)] ?? i] as const
        )
          .sort((a, b) => a[1] - b[1]).map(([n]) => n);
        const feed = new FeedSequencer<number>({ nextSequenceNumber: first });
        const delivered: number[] = [];
        for (const n of order) delivered.push(...feed.receive(n, n));
        assert.deepEqual(
          delivered,
          Array.from({ length: count }, (_, i) => first + i),
        );
        assert.equal(feed.gap, null);
        assert.equal(feed.pendingCount, 0);
      },
    ),
    { numRuns: 300 },
  );
});
