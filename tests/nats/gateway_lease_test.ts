import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import {
  CommandPublisher,
  GatewayLease,
  HostIdInUseError,
  venueNames,
} from "../../lib/nats/mod.ts";
import { ensureVenue } from "../../lib/nats/venue.ts";
import { connectTest, startNats } from "./_nats_harness.ts";
import { startProxy } from "./_proxy.ts";

const names = venueNames("hl");
const timings = { names, renewMs: 100, ttlMs: 600, pollMs: 50 };

Deno.test("GatewayLease.acquire(): a free id is taken at once; a second process with the id of a live holder is refused with who holds it, another id is not; a released id is taken at once", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    let started = performance.now();
    const a = await GatewayLease.acquire(nc, {
      ...timings,
      host: "gw1",
      holder: "pid 1 on a",
    });
    assert.ok(performance.now() - started < 500);
    const waited: string[] = [];
    started = performance.now();
    const refused = await GatewayLease.acquire(nc, {
      ...timings,
      host: "gw1",
      holder: "pid 2 on b",
      waiting: (holder) => waited.push(holder),
    }).then(() => undefined, (error: unknown) => error);
    const refusedAfter = performance.now() - started;
    assert.ok(refused instanceof HostIdInUseError, String(refused));
    assert.equal(refused.host, "gw1");
    assert.equal(refused.holder, "pid 1 on a");
    assert.ok(refused.renewedAgoMs < 1_000, `${refused.renewedAgoMs}`);
    assert.match(
      refused.message,
      /^Cannot start a gateway with --host-id "gw1": a live gateway holds it \(pid 1 on a, renewed \d+\.\d s ago\); give this one another --host-id, or stop the other first$/,
    );
    assert.deepEqual(waited, ["pid 1 on a"]);
    // Refused at the holder's next renewal, not after the ttl.
    assert.ok(refusedAfter < 600, `refused after ${refusedAfter} ms`);
    assert.equal(a.holds, true);

    const other = await GatewayLease.acquire(nc, {
      ...timings,
      host: "gw2",
      holder: "pid 3 on c",
    });
    assert.equal(other.holds, true);
    await other.close();

    await a.close();
    assert.equal(a.holds, false);
    started = performance.now();
    const b = await GatewayLease.acquire(nc, {
      ...timings,
      host: "gw1",
      holder: "pid 2 on b",
      waiting: () => assert.fail("a released id is taken at once"),
    });
    assert.ok(performance.now() - started < 500);
    await b.close();
  } finally {
    await nc.close();
  }
});

Deno.test("GatewayLease: an id whose holder stopped renewing is taken after the ttl; the stalled holder finds out at its next renewal, and its publisher sends nothing more", async () => {
  await using nats = await startNats();
  await using proxy = startProxy(nats.nodes[0]!.port);
  const nc = await connectTest(nats.servers);
  const stalledNc = await connectTest(
    `nats://127.0.0.1:${proxy.port}`,
    "stalled",
  );
  try {
    await ensureVenue(nc, { names });
    const a = await GatewayLease.acquire(stalledNc, {
      ...timings,
      host: "gw1",
      holder: "pid 1 on a",
    });
    const publisher = new CommandPublisher(stalledNc, {
      gatewayId: "gw1",
      names,
      gate: a.gate,
    });
    publisher.send(new Uint8Array([1]));
    await publisher.flushed();
    assert.equal(publisher.lastSeq, 1);
    assert.equal(a.gate(), true);

    proxy.pause(); // a is stalled: it cannot renew
    const waited: number[] = [];
    const started = performance.now();
    const b = await GatewayLease.acquire(nc, {
      ...timings,
      host: "gw1",
      holder: "pid 2 on b",
      waiting: (_holder, ago) => waited.push(ago),
    });
    const took = performance.now() - started;
    assert.equal(waited.length, 1);
    assert.ok(took >= 600 && took < 3_000, `took the id after ${took} ms`);
    // Meanwhile a's gateway queued a command: its lease is stale, so the gate holds it.
    publisher.send(new Uint8Array([2]));
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.resume();
    const why = await a.lost;
    assert.match(
      why,
      /^another process took the host id "gw1": this one's renewal was refused \d+\.\d s after its last one$/,
    );
    assert.equal(a.holds, false);
    assert.equal(await a.gate(), false);
    await publisher.flushed();
    assert.equal(publisher.revoked, true);
    publisher.send(new Uint8Array([3])); // dropped, not thrown
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(names.commandStream);
    assert.equal(info.state.messages, 1, "only the command sent while holding");
    assert.equal(b.holds, true);
    publisher.close();
    await a.close();
    await b.close();
  } finally {
    await stalledNc.close();
    await nc.close();
  }
});
