import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { SnapshotStore, venueNames } from "../../lib/nats/mod.ts";
import { connectTest, startNats } from "./_nats_harness.ts";

const names = venueNames("s");

Deno.test("SnapshotStore keeps the newest snapshots by log sequence, 20 MB included", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    const store = await SnapshotStore.open(nc, { names, keep: 2 });
    assert.equal(await store.latest(), undefined);
    const big = new Uint8Array(20 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    await store.put({ seq: 10, epoch: 1, bytes: new Uint8Array([1, 2, 3]) });
    await store.put({ seq: 20, epoch: 2, bytes: big });
    await store.put({ seq: 15, epoch: 2, bytes: new Uint8Array([4]) });
    assert.deepEqual(await store.sequences(), [20, 15]);
    const latest = await store.latest();
    assert.equal(latest?.seq, 20);
    assert.equal(latest?.epoch, 2);
    assert.equal(latest?.bytes.length, big.length);
    assert.ok(latest !== undefined && Buffer.compare(latest.bytes, big) === 0);

    // A second process finds the same one.
    const other = await SnapshotStore.open(nc, { names });
    assert.equal((await other.latest())?.seq, 20);

    await assert.rejects(store.put({ seq: -1, epoch: 0, bytes: big }), {
      name: "RangeError",
      message: /seq must be a non-negative integer: current seq is -1/,
    });
    await assert.rejects(store.put({ seq: 1, epoch: 0.5, bytes: big }), {
      name: "RangeError",
      message: /epoch must be a non-negative integer: current epoch is 0.5/,
    });
    await assert.rejects(SnapshotStore.open(nc, { names, keep: 0 }), {
      name: "RangeError",
      message: /at least 1 must be kept: current keep is 0/,
    });
  } finally {
    await nc.close();
  }
});
