/**
 * The page itself (app.js in Chromium) on a gateway, when the engine raised its order's
 * token: a page of the same account on another gateway took the token first. The page is
 * told the token its order got, and shows that order, not the other page's, as its own.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/transport-node";
import { PAGE_TOKEN_BASE as P } from "../../lib/matcher/mod.ts";
import { ActiveEngine, ensureVenue, venueNames } from "../../lib/nats/mod.ts";
import { browserTest, enterOrder, login, waitText } from "../web/_browser.ts";
import { pageEnter } from "../web/_web_harness.ts";
import { startGatewayHost } from "./_gateway_host.ts";
import { connectTest, startNats, until } from "./_nats_harness.ts";

const names = venueNames("gb");
const USERS = new Map([["alice", "pw-a"], ["bob", "pw-b"]]);
const DAY = { session: "2026112501", tradingDate: "20261125", created: 1 };
let now = 0;
const clock = { nowMs: () => performance.now(), nowNs: () => ++now };

function startEngine(nc: NatsConnection, epoch: number) {
  return ActiveEngine.start(nc, {
    epoch,
    users: USERS,
    day: DAY,
    clock,
    names,
  });
}

browserTest(
  "app.js on a gateway: an order whose token the engine raised is shown as the page's own under the token it got, the other page's order under the same token as not its own",
  "gateway_page_raised_token",
  async (browsing) => {
    const nats = await startNats();
    browsing.defer(() => nats.close());
    const nc = await connectTest(nats.servers);
    browsing.defer(() => nc.close());
    await ensureVenue(nc, { names });
    let engine = await startEngine(nc, 1);
    browsing.defer(() => engine.stop());
    const gw1 = await startGatewayHost(nc, {
      host: "gw1",
      names,
      users: USERS,
      web: true,
    });
    browsing.defer(() => gw1.stop());
    const gw2 = await startGatewayHost(nc, {
      host: "gw2",
      names,
      users: USERS,
      web: true,
    });
    browsing.defer(() => gw2.stop());
    await until(
      "the day on both hosts",
      () => gw1.core.day !== undefined && gw2.core.day !== undefined,
    );

    const page = await browsing.open("alice on gw1", gw1.origin!);
    await login(page, "alice", "pw-a");
    await enterOrder(page, { side: "B", quantity: "10", price: "2290.0" });
    await waitText(page, "#feed li.own", `Accepted #${P} Buy 10 of 1 @ 2290.0`);

    // The engine stops: each gateway picks its page's next token from the log and what it
    // sent itself, so both pick P + 1.
    await engine.stop();
    const other = await gw2.page();
    browsing.defer(() => other.close());
    assert.equal((await other.login("alice", "pw-a")).ok, true);
    const ack = await other.request(
      pageEnter({ quantity: 10, price: "2270.0" }),
      "ack",
    );
    assert.equal(ack.orderToken, P + 1);
    await enterOrder(page, { side: "B", quantity: "20", price: "2280.0" });
    await waitText(page, "#status", `#${P + 1}`);

    // The next engine applies the other page's order first (it was published first) and
    // raises this page's to P + 2.
    engine = await startEngine(nc, 2);
    await waitText(
      page,
      "#status",
      `Order #${P + 1} went in as #${P + 2}: a page of alice elsewhere took #${
        P + 1
      } at the same moment`,
    );
    await waitText(
      page,
      "#feed li.own",
      `Accepted #${P + 2} Buy 20 of 1 @ 2280.0`,
    );
    await waitText(page, "#feed li", `Accepted #${P + 1} Buy 10 of 1 @ 2270.0`);
    const lines = await page.locator("#feed li").evaluateAll((items) =>
      items.map((item) =>
        `${item.classList.contains("own") ? "own" : "other"} ${
          item.textContent?.match(/Accepted #\d+ Buy \d+ of 1 @ [\d.]+/)?.[0]
        }`
      ).filter((line) => !line.endsWith("undefined"))
    );
    assert.deepEqual(
      lines.sort(),
      [
        `other Accepted #${P + 1} Buy 10 of 1 @ 2270.0`,
        `own Accepted #${P + 2} Buy 20 of 1 @ 2280.0`,
        `own Accepted #${P} Buy 10 of 1 @ 2290.0`,
      ].sort(),
    );
  },
);
