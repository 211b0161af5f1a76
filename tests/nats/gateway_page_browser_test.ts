/**
 * The web page of `ouch gateway --http` in Chromium (issue #14): real processes (one
 * nats-server, one `ouch engine`, two `ouch gateway` with `--http`), two browser pages, one
 * per gateway. About 5 s: in the main suite.
 *
 * @module
 */
import assert from "node:assert/strict";
import { PAGE_TOKEN_BASE as P } from "../../lib/matcher/mod.ts";
import { runMain, type ServerProcess } from "../server/_process.ts";
import {
  browserTest,
  enterOrder,
  ladderCell,
  login,
  tapeRow,
  waitText,
} from "../web/_browser.ts";
import {
  spawnEngineProcess,
  spawnGatewayProcess,
} from "./_cluster_processes.ts";
import { startNats } from "./_nats_harness.ts";

const ACCOUNTS = ["--user", "alice:pw-a", "--user", "bob:pw-b"];

browserTest(
  "ouch gateway --http: pages on two gateways trade through the engine in Chromium: the order in the open orders, the depth and the trade on the other gateway's page, the cancel",
  "gateway_page",
  async (browsing) => {
    const nats = await startNats();
    const processes: ServerProcess[] = [];
    browsing.defer(async () => {
      for (const process of processes.reverse()) await process.stop();
      await nats[Symbol.asyncDispose]();
    });
    const venue = {
      servers: nats.servers.join(","),
      prefix: "web",
      accounts: ACCOUNTS,
      replicas: 1,
    };
    const engine = await spawnEngineProcess(venue, "e1");
    processes.push(engine);
    const http = ["--http", "127.0.0.1:0"];
    const gw1 = await spawnGatewayProcess(venue, "gw1", http);
    processes.push(gw1);
    const gw2 = await spawnGatewayProcess(venue, "gw2", http);
    processes.push(gw2);
    await engine.waitFor(/engine e1: active/);
    const address = async (gateway: ServerProcess, id: string) =>
      (await gateway.waitFor(
        new RegExp(`gateway ${id}: web page: (http://\\S+)/`),
      )).replace(/^.*web page: /, "").replace(/\/$/, "");
    const url1 = await address(gw1, "gw1");
    const url2 = await address(gw2, "gw2");
    assert.notEqual(url1, url2);
    await gw1.waitFor(/gateway gw1: trading day/);
    await gw2.waitFor(/gateway gw2: trading day/);

    const alice = await browsing.open("alice", url1);
    const bob = await browsing.open("bob", url2);
    await login(alice, "alice", "pw-a");
    await login(bob, "bob", "pw-b");
    await enterOrder(alice, { side: "B", quantity: "300", price: "2300.0" });
    await waitText(alice, "#orders", String(P));
    await waitText(bob, ladderCell("1", "bid"), "300");
    await enterOrder(bob, { side: "S", quantity: "100", price: "2300.0" });
    await waitText(alice, tapeRow("1"), "100");
    await waitText(bob, tapeRow("1"), "100");
    await waitText(alice, ladderCell("1", "bid"), "200");
    await waitText(alice, "#orders", "200");
    await waitText(alice, "#feed li", `Executed #${P} Buy 100 of 1 @ 2300.0`);
    // Alice cancels her resting order, picked from her open orders.
    await alice.locator(`#orders tr[data-token="${P}"] button.select`).click();
    await waitText(alice, "#amend-selected", `#${P} Buy 200 of 1 @ 2300.0`);
    await alice.locator("#cancel-button").click();
    await waitText(
      alice,
      "#feed li",
      `Canceled #${P} Buy 200 of 1 @ 2300.0: canceled on request (U User requested cancel)`,
    );
    for (const page of [alice, bob]) {
      await waitText(page, '[data-orderbook="1"] .ladder td', "no orders");
    }
    await alice.locator("#orders tbody tr").first().waitFor({
      state: "detached",
    });
  },
);

Deno.test("ouch gateway --http on a port already taken stops with exit 2, naming the address and the flag, and leaves nothing behind", async () => {
  await using nats = await startNats();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const result = await runMain([
      "gateway",
      "--nats",
      nats.servers.join(","),
      "--prefix",
      "webtaken",
      "--host-id",
      "gw1",
      "--port",
      "0",
      "--http",
      `127.0.0.1:${taken.addr.port}`,
      ...ACCOUNTS,
    ]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stderr,
      new RegExp(
        `Cannot serve the web page on 127\\.0\\.0\\.1:${taken.addr.port}: .*\\(use another --http HOST:PORT\\)`,
      ),
    );
  } finally {
    taken.close();
  }
});
