import assert from "node:assert/strict";
import {
  Lease,
  LeaseKeeper,
  type LeaseState,
  venueNames,
} from "../../lib/nats/mod.ts";
import { connectTest, startNats } from "./_nats_harness.ts";

const names = venueNames("l");
const timings = { names, renewMs: 1_000, ttlMs: 3_000 };

Deno.test("Lease.poll() gives the lease to one process; a standby takes over only after the ttl of silence, epoch + 1", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    const a = await Lease.open(nc, { ...timings, holder: "a" });
    const b = await Lease.open(nc, { ...timings, holder: "b" });
    assert.deepEqual(await a.poll(0), { role: "active", epoch: 1 });
    assert.deepEqual(await b.poll(0), {
      role: "standby",
      holder: "a",
      epoch: 1,
    });
    // a renews every second; b never sees the same revision for 3 s.
    for (let t = 1_000; t <= 6_000; t += 500) {
      assert.deepEqual(await a.poll(t), { role: "active", epoch: 1 });
      assert.equal((await b.poll(t)).role, "standby");
    }
    // a stops renewing (stalled): b takes over 3 s after it first saw a's last revision.
    // (b last saw a new revision at 6,000, right after a's renewal.)
    assert.equal((await b.poll(6_500)).role, "standby");
    assert.equal((await b.poll(8_999)).role, "standby");
    assert.deepEqual(await b.poll(9_000), { role: "active", epoch: 2 });
    // a wakes up: its renewal is refused, and it is a standby.
    assert.deepEqual(await a.poll(10_000), {
      role: "standby",
      holder: "",
      epoch: 1,
    });
    assert.deepEqual(await a.poll(10_500), {
      role: "standby",
      holder: "b",
      epoch: 2,
    });
  } finally {
    await nc.close();
  }
});

Deno.test("Lease.poll(): of two standbys only one wins a take-over, with an epoch above minEpoch", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    const a = await Lease.open(nc, { ...timings, holder: "a" });
    await a.poll(0);
    const b = await Lease.open(nc, {
      ...timings,
      holder: "b",
      minEpoch: () => 7,
    });
    const c = await Lease.open(nc, { ...timings, holder: "c" });
    await b.poll(0);
    await c.poll(0);
    const [rb, rc] = await Promise.all([b.poll(3_000), c.poll(3_000)]);
    const states = [rb, rc].map((s) => s.role).sort();
    assert.deepEqual(states, ["active", "standby"]);
    const winner = rb.role === "active" ? rb : rc;
    assert.equal(winner.epoch, rb.role === "active" ? 7 : 2);
  } finally {
    await nc.close();
  }
});

Deno.test("Lease.poll(): a failed read restarts the standby's count; release() hands over at once", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    const a = await Lease.open(nc, { ...timings, holder: "a" });
    const b = await Lease.open(nc, { ...timings, holder: "b", timeoutMs: 300 });
    await a.poll(0);
    await b.poll(0); // b sees a's revision from t = 0
    await nats.nodes[0]!.pause(); // JetStream stops answering: b's read fails
    try {
      assert.deepEqual(await b.poll(2_000), {
        role: "standby",
        holder: "",
        epoch: 0,
      });
    } finally {
      nats.nodes[0]!.resume();
    }
    // Same revision again at 2,500: the count starts there, not at 0.
    assert.equal((await b.poll(2_500)).role, "standby");
    assert.equal((await b.poll(5_000)).role, "standby");
    assert.deepEqual(await b.poll(5_500), { role: "active", epoch: 2 });

    // The holder releases: a standby takes over at its next poll, without a ttl wait.
    const c = await Lease.open(nc, { ...timings, holder: "c" });
    assert.equal((await c.poll(6_000)).role, "standby");
    await b.release();
    assert.equal(b.state.role, "standby");
    assert.deepEqual(await c.poll(6_001), { role: "active", epoch: 3 });
  } finally {
    await nc.close();
  }
});

Deno.test("LeaseKeeper reports each change of role", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    const lease = await Lease.open(nc, { ...timings, holder: "k" });
    const seen: LeaseState[] = [];
    const { promise, resolve } = Promise.withResolvers<void>();
    const keeper = new LeaseKeeper(lease, {
      pollMs: 10,
      onChange: (state) => {
        seen.push(state);
        resolve();
      },
    });
    keeper.start();
    await promise;
    await keeper.stop();
    assert.deepEqual(seen, [{ role: "active", epoch: 1 }]);
  } finally {
    await nc.close();
  }
});
