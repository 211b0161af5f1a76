/**
 * The page's state in Chromium (issue #15 items 4 and 9): a stopped or silent server is
 * detected and the books are marked not live until the page has reconnected; the banners
 * follow the server's state messages whoever changed the state; a validation error
 * replaces "Order #N sent"; operator controls only for operators, and a confirmation before
 * closing the market.
 */
import assert from "node:assert/strict";
import { PAGE_TOKEN_BASE as P } from "../../../lib/matcher/mod.ts";
import {
  browserTest,
  enterOrder,
  FakePageServer,
  fakeSnapshot,
  ladderCell,
  login,
  tapeRow,
  waitText,
} from "../_browser.ts";
import { enter } from "../../server/_harness.ts";
import { startRestartableWeb, startWeb } from "../_web_harness.ts";

const REFUSED = /WebSocket connection to .* failed/;

browserTest(
  "app.js marks every book not live when the server stops, then reconnects and logs in again",
  "web_state_reconnect",
  async (browsing) => {
    browsing.allow(REFUSED);
    const setup = startRestartableWeb();
    browsing.defer(() => setup.close());
    const page = await browsing.open("trader", setup.origin);
    await login(page, "alice", "pw-a");
    setup.server.run((exchange, ts) =>
      exchange.submit("alice", enter(1, { quantity: 100 }), ts)
    );
    await waitText(page, ladderCell("1", "bid"), "100");
    assert.equal(await page.locator("#connection-banner").isHidden(), true);
    assert.equal(await page.locator("article.book.stale").count(), 0);

    await setup.stopWeb();
    await page.locator('#connection[data-state="disconnected"]').waitFor();
    await waitText(
      page,
      "#connection-banner",
      /Not connected to the server since \d\d:\d\d:\d\d JST .*The books below are not live/,
    );
    const books = await page.locator("article.book").count();
    assert.equal(await page.locator("article.book.stale").count(), books);
    assert.equal(
      await page.locator('[data-orderbook="1"] .stale-badge').isVisible(),
      true,
    );
    await page.locator("#buy-button:disabled").waitFor(); // drawn on the next frame
    await waitText(page, "#form-banner", "orders cannot be sent");

    // While the page is away the market moves on.
    setup.server.run((exchange, ts) =>
      exchange.submit(
        "bob",
        enter(1, { buySellIndicator: "S", quantity: 40 }),
        ts,
      )
    );
    setup.startWeb();
    await page.locator('#connection[data-state="connected"]').waitFor({
      timeout: 15_000,
    });
    await page.locator("#connection-banner").waitFor({ state: "hidden" });
    assert.equal(await page.locator("article.book.stale").count(), 0);
    await waitText(page, ladderCell("1", "bid"), "60");
    await waitText(page, tapeRow("1"), "2300.040");
    // Logged in again by itself; the fill is in the feed and the position once only.
    await waitText(page, "#account", "alice");
    await waitText(page, "#feed li", "Executed #1 Buy 40 of 1 @ 2300.0");
    await waitText(page, '#positions tr[data-book="1"]', "40");
    assert.equal(await page.locator("#feed li.kind-executed").count(), 1);
    assert.equal(await page.locator("#buy-button").isDisabled(), false);
    await enterOrder(page, { side: "B", quantity: "5", price: "2299.0" });
    await waitText(page, "#feed li", `Accepted #${P} Buy 5 of 1 @ 2299.0`);
  },
);

browserTest(
  "app.js gives up on a server that stops answering and reconnects when it answers again",
  "web_state_silent",
  async (browsing) => {
    const fake = new FakePageServer();
    browsing.defer(() => fake.close());
    fake.greeting = [fakeSnapshot([{ orderbookId: "7203" }])];
    const page = await browsing.open("trader", fake.origin);
    await page.locator('[data-orderbook="7203"]').waitFor();
    // The page pings a quiet server; answered, it stays live.
    await page.waitForTimeout(3500);
    assert.ok(fake.received.some((message) => message.type === "ping"));
    assert.equal(await page.locator("article.book.stale").count(), 0);
    // A server that no longer answers (stopped, not closed) is given up within seconds.
    fake.answerPings = false;
    await page.locator("article.book.stale").waitFor({ timeout: 15_000 });
    await waitText(page, "#connection-banner", "the server stopped answering");
    fake.answerPings = true;
    await page.locator('#connection[data-state="connected"]').waitFor({
      timeout: 15_000,
    });
    await page.locator("article.book.stale").waitFor({ state: "detached" });
  },
);

browserTest(
  "app.js banners follow the server's market state whoever changed it, and a validation error replaces the last status",
  "web_state_banners",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    const alice = await browsing.open("alice", setup.origin);
    const bob = await browsing.open("bob", setup.origin);
    await login(alice, "alice", "pw-a");
    await login(bob, "bob", "pw-b");
    assert.equal(await alice.locator("#form-banner").isHidden(), true);

    // Closing asks first; "No" changes nothing.
    await alice.locator("#market-close").click();
    await waitText(alice, "#confirm", "Close the market?");
    await alice.locator("#confirm-no").click();
    await alice.locator("#confirm").waitFor({ state: "hidden" });
    assert.equal(setup.server.exchange.isOpen, true);
    await alice.locator("#market-close").click();
    await alice.locator("#confirm-yes").click();
    for (const page of [alice, bob]) {
      await waitText(page, "#form-banner", "The market is closed");
      await waitText(page, "#market-state", "closed");
    }
    await waitText(alice, "#status", "Market closed");
    assert.equal(setup.server.exchange.isOpen, false);

    // Bob reopens it: Alice's banner and her "Market closed" go.
    await bob.locator("#market-open").click();
    await alice.locator("#form-banner").waitFor({ state: "hidden" });
    await waitText(alice, "#market-state", "open");
    assert.doesNotMatch(
      await alice.locator("#status").textContent() ?? "",
      /Market closed/,
    );

    // A halt of the book in Alice's form shows on her form, a resume clears it.
    await alice.locator("#enter-orderbook").selectOption("7203");
    await bob.locator('[data-orderbook="7203"] button.halt').click();
    await waitText(alice, "#form-banner", "Orderbook 7203 is halted");
    await bob.locator('[data-orderbook="7203"] button.halt').click();
    await alice.locator("#form-banner").waitFor({ state: "hidden" });

    // "Order #1 sent" does not stay under a validation error.
    await enterOrder(alice, {
      orderbook: "1",
      side: "B",
      quantity: "10",
      price: "2300.0",
    });
    await waitText(alice, "#status", new RegExp(String.raw`Order #${P} sent`));
    await enterOrder(alice, {
      orderbook: "1",
      side: "B",
      quantity: "-5",
      price: "2300.0",
    });
    await waitText(alice, "#error-text", "Quantity as it is negative");
    assert.equal(await alice.locator("#status").textContent(), "");
  },
);

browserTest(
  "app.js hides the operator controls when the login says operator: false",
  "web_state_operator",
  async (browsing) => {
    const fake = new FakePageServer();
    browsing.defer(() => fake.close());
    fake.greeting = [fakeSnapshot([{ orderbookId: "7203" }])];
    const answers: Record<string, Record<string, unknown>> = {
      trader: { type: "login", ok: true, account: "trader", operator: false },
      boss: { type: "login", ok: true, account: "boss", operator: true },
    };
    fake.onMessage = (message) =>
      message.type === "login"
        ? [answers[String(message.username)], {
          type: "responses",
          items: [],
          skipped: 0,
          history: true,
        }]
        : message.type === "logout"
        ? [{ type: "logout" }]
        : [];
    const page = await browsing.open("page", fake.origin);
    const operatorControls = [
      "#market-open",
      "#market-close",
      '[data-orderbook="7203"] button.halt',
    ];
    for (const selector of operatorControls) {
      assert.equal(await page.locator(selector).isVisible(), false, selector);
    }
    await login(page, "trader", "x");
    await waitText(page, "#status", "Logged in as trader");
    for (const selector of operatorControls) {
      assert.equal(await page.locator(selector).isVisible(), false, selector);
    }
    await page.locator("#logout-button").click();
    await login(page, "boss", "x");
    for (const selector of operatorControls) {
      await page.locator(selector).waitFor();
    }
  },
);
