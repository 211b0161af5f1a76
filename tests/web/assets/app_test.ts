/**
 * The page in a real headless Chromium: two accounts in two pages trade, cancel and get
 * rejected, as the issue asks. Saves a screenshot of each page under `test-results/` when it
 * fails.
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { decodeOutbound } from "../../../lib/codec/mod.ts";
import { startWeb } from "../_web_harness.ts";

const CHROMIUM = "/usr/bin/chromium";

function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const NAME =
  "app.js trades, cancels and shows rejects for two accounts in Chromium";
const available = hasChromium();

Deno.test({
  name: available ? NAME : `${NAME} (ignored: ${CHROMIUM} not installed)`,
  ignore: !available,
  async fn() {
    const setup = startWeb();
    let browser: Browser | undefined;
    const pages: [string, Page][] = [];
    const problems: string[] = [];
    try {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-quic",
          "--no-first-run",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      const open = async (name: string) => {
        const context = await browser!.newContext();
        const page = await context.newPage();
        page.setDefaultTimeout(5000);
        page.on("pageerror", (error) => problems.push(`${name}: ${error}`));
        page.on("console", (message) => {
          if (message.type() === "error") {
            problems.push(`${name} console: ${message.text()}`);
          }
        });
        pages.push([name, page]);
        await page.goto(setup.origin);
        await page.locator('#connection[data-state="connected"]').waitFor();
        await page.locator('[data-orderbook="1"]').waitFor();
        return page;
      };
      const alice = await open("alice");
      const bob = await open("bob");

      // The order-entry panel appears only after login; a wrong password is refused.
      assert.equal(await alice.locator("#enter-panel").isHidden(), true);
      await login(alice, "alice", "wrong");
      await waitText(alice, "#error-text", "wrong username or password");
      await login(alice, "alice", "pw-a");
      await waitText(alice, "#account", "alice");
      await login(bob, "bob", "pw-b");
      await waitText(bob, "#account", "bob");
      assert.equal(await alice.locator("#enter-panel").isVisible(), true);

      // Alice buys 100 at 2300.0; her client reference is shown as text, never as HTML.
      await enterOrder(alice, {
        side: "B",
        quantity: "100",
        price: "2300.0",
        reference: "<b>x</b>",
      });
      await waitText(alice, "#feed li", "Accepted #1: Buy 100 of 1 @ 2300.0");
      await waitText(bob, ladderCell("1", "bid"), "100");
      await waitText(alice, "#orders td.reference", "<b>x</b>");
      assert.equal(await alice.locator("#orders b, #feed b").count(), 0);

      // Bob sells 40 at 2300.0: both tapes print the trade, the bid drops to 60.
      await enterOrder(bob, { side: "S", quantity: "40", price: "2300.0" });
      for (const page of [alice, bob]) {
        await waitText(page, tapeRow("1"), "2300.040");
        await waitText(page, ladderCell("1", "bid"), "60");
        await waitText(page, '[data-orderbook="1"] .last', "last 2300.0");
        const points = await page.locator('[data-orderbook="1"] .price-line')
          .getAttribute("points");
        assert.equal(points?.split(" ").length, 1);
      }
      await waitText(alice, "#feed li", "Executed #1: 40 @ 2300.0");
      await waitText(bob, "#feed li", "Executed #1: 40 @ 2300.0");
      assert.equal(await alice.locator(tapeRow("1")).count(), 1);

      // Alice cancels her resting order, picked from her open orders.
      await alice.locator('#orders tr[data-token="1"] button.select').click();
      await waitText(alice, "#amend-selected", "#1 Buy 60 of 1 @ 2300.0");
      await alice.locator("#cancel-button").click();
      await waitText(
        alice,
        "#feed li",
        "Canceled #1: 60 (U User requested cancel)",
      );
      for (const page of [alice, bob]) {
        await waitText(page, '[data-orderbook="1"] .ladder td', "no orders");
      }
      await alice.locator("#orders tbody tr").first().waitFor({
        state: "detached",
      });

      // Bob's order at price 0 is rejected, with the reason in words.
      await enterOrder(bob, { side: "S", quantity: "10", price: "0" });
      await waitText(bob, "#feed li", "Rejected #2: X Invalid price");

      // The operator halts an orderbook; an order there is rejected; it resumes.
      await bob.locator('[data-orderbook="7203"] button.halt').click();
      for (const page of [alice, bob]) {
        await page.locator('[data-orderbook="7203"].is-halted').waitFor();
      }
      await enterOrder(bob, {
        orderbook: "7203",
        side: "B",
        quantity: "10",
        price: "100.0",
      });
      await waitText(bob, "#feed li", "Rejected #3: H Trading halt");
      await bob.locator('[data-orderbook="7203"] button.halt').click();
      await alice.locator('[data-orderbook="7203"]:not(.is-halted)').waitFor();

      // Bad input gets a clear error in the page and changes nothing.
      const bobMessages = setup.server.exchange.log("bob")!.length;
      await enterOrder(bob, { side: "B", quantity: "10", price: "2300.55" });
      await waitText(bob, "#error-text", "at most one decimal place");
      await enterOrder(bob, { side: "B", quantity: "ten", price: "2300.5" });
      await waitText(bob, "#error-text", "Quantity as it must be a number");
      assert.equal(setup.server.exchange.log("bob")!.length, bobMessages);
      // The server's own check: cancel down to more than the open quantity.
      await enterOrder(alice, { side: "B", quantity: "100", price: "2200.0" });
      await waitText(alice, "#feed li", "Accepted #2");
      await alice.locator('#orders tr[data-token="2"] button.select').click();
      await alice.locator("#cancel-quantity").fill("500");
      await alice.locator("#cancel-button").click();
      await waitText(
        alice,
        "#error-text",
        "Cannot cancel order #2 down to 500: its open quantity is 100",
      );
      assert.equal(setup.server.exchange.openOrders("alice").length, 1);

      // What the page did is in Alice's OUCH sequence like any other order.
      const log = setup.server.exchange.log("alice")!;
      const sequence = [];
      for (let n = 1; n <= log.length; n++) {
        sequence.push(decodeOutbound(log.message(n)).type);
      }
      assert.deepEqual(sequence, [
        "orderAccepted",
        "orderExecuted",
        "orderCanceled",
        "orderAccepted",
      ]);
      assert.deepEqual(problems, [], "no page errors or CSP violations");
    } catch (error) {
      await Deno.mkdir("test-results", { recursive: true });
      for (const [name, page] of pages) {
        try {
          await page.screenshot({
            path: `test-results/web_app_${name}.png`,
            fullPage: true,
          });
        } catch {
          // the page is gone; the error says why
        }
      }
      if (problems.length > 0) {
        throw new AggregateError([error], `${error}; page said: ${problems}`);
      }
      throw error;
    } finally {
      for (const [, page] of pages) await page.close().catch(() => {});
      await browser?.close();
      await setup.close();
    }
  },
});

async function login(page: Page, username: string, password: string) {
  await page.locator("#login-username").fill(username);
  await page.locator("#login-password").fill(password);
  await page.locator("#login-button").click();
}

async function enterOrder(
  page: Page,
  order: {
    orderbook?: string;
    side: string;
    quantity: string;
    price: string;
    reference?: string;
  },
) {
  await page.locator("#enter-orderbook").selectOption(order.orderbook ?? "1");
  await page.locator("#enter-side").selectOption(order.side);
  await page.locator("#enter-quantity").fill(order.quantity);
  await page.locator("#enter-price").fill(order.price);
  await page.locator("#enter-reference").fill(order.reference ?? "");
  await page.locator("#enter-button").click();
}

function ladderCell(orderbook: string, side: "bid" | "ask"): string {
  return `[data-orderbook="${orderbook}"] .ladder tr.${side} td.${side}-qty`;
}

function tapeRow(orderbook: string): string {
  return `[data-orderbook="${orderbook}"] .tape tbody tr`;
}

/** Waits until an element matching `selector` contains `text`. */
async function waitText(page: Page, selector: string, text: string) {
  await page.locator(selector).filter({ hasText: text }).first().waitFor();
}
