/**
 * `ouch gateway` stopped by SIGTERM the moment it says it listens: it listens for the signal
 * before that line, so it stops cleanly (exit 0, its host id released) instead of being
 * killed while it still starts its market-data feeds and web page (all on here).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  spawnEngineProcess,
  spawnGatewayProcess,
  type Venue,
} from "./_cluster_processes.ts";
import { startNats } from "./_nats_harness.ts";

Deno.test("ouch gateway stopped by SIGTERM the moment it says it listens exits 0 and releases its host id", async () => {
  await using nats = await startNats();
  const venue: Venue = {
    servers: nats.servers.join(","),
    prefix: "sig",
    accounts: ["--user", "alice:pw-a"],
    replicas: 1,
  };
  const engine = await spawnEngineProcess(venue, "e1");
  try {
    for (let run = 0; run < 3; run++) {
      // The same host id each time: a clean stop releases it, so the next start is not
      // refused and does not wait out the lease of a dead one.
      const gateway = await spawnGatewayProcess(venue, "gw1", [
        "--itch-port",
        "0",
        "--snapshot-port",
        "0",
        "--mold",
        "127.0.0.1:9",
        "--mold-request-port",
        "0",
        "--http",
        "127.0.0.1:0",
      ]);
      const status = await gateway.stop("SIGTERM");
      assert.equal(status.code, 0, gateway.output());
      assert.doesNotMatch(gateway.output(), /a live gateway holds it/);
    }
  } finally {
    await engine.stop("SIGTERM");
  }
});
