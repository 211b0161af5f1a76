/**
 * The scenario files of `test_inputs/` with their expectations, replayed by the client
 * against `ouch gateway` + `ouch engine` on one single-node NATS server, as
 * `tests/client/scenario_replay_test.ts` replays them against `ouch server`. Runs under
 * `deno task test:cluster` (`OUCH_NATS_CLUSTER=1`).
 *
 * @module
 */
import { replayAll } from "../client/_scenarios.ts";
import { startVenueProcess } from "../client/_server_process.ts";
import { startNats } from "./_nats_harness.ts";

const CLUSTER = Deno.env.get("OUCH_NATS_CLUSTER") === "1";

Deno.test({
  name:
    "run() replays every file of test_inputs/ against gateway + engine on NATS with every expectation passing",
  ignore: !CLUSTER,
  async fn() {
    await using nats = await startNats();
    const servers = nats.servers.join(",");
    await replayAll((flags) => startVenueProcess(servers, flags));
  },
});
