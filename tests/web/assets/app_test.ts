/**
 * The page in a real headless Chromium: two accounts in two pages trade, cancel and get
 * rejected. Saves screenshots of each page under `test-results/` when it fails.
 */
import assert from "node:assert/strict";
import { PAGE_TOKEN_BASE as P } from "../../../lib/matcher/mod.ts";
import { decodeOutbound } from "../../../lib/codec/mod.ts";
import {
  browserTest,
  enterOrder,
  ladderCell,
  login,
  tapeRow,
  waitText,
} from "../_browser.ts";
import { enter } from "../../server/_harness.ts";
import { startWeb } from "../_web_harness.ts";

browserTest(
  "app.js trades, cancels and shows rejects for two accounts in Chromium",
  "web_app",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    {
      const open = async (name: string) => {
        const page = await browsing.open(name, setup.origin);
        await page.locator('[data-orderbook="1"]').waitFor();
        return page;
      };
      const alice = await open("alice");
      const bob = await open("bob");

      // The order-entry panel appears only after login; a wrong password is refused.
      assert.equal(await alice.locator("#enter-panel").isHidden(), true);
      await alice.locator("#login-username").fill("alice");
      await alice.locator("#login-password").fill("wrong");
      await alice.locator("#login-button").click();
      await waitText(alice, "#error-text", "wrong username or password");
      await login(alice, "alice", "pw-a");
      await login(bob, "bob", "pw-b");
      assert.equal(await alice.locator("#enter-panel").isVisible(), true);

      // Alice buys 100 at 2300.0; her client reference is shown as text, never as HTML.
      await enterOrder(alice, {
        side: "B",
        quantity: "100",
        price: "2300.0",
        reference: "<b>x</b>",
      });
      await waitText(alice, "#feed li", `Accepted #${P} Buy 100 of 1 @ 2300.0`);
      await waitText(bob, ladderCell("1", "bid"), "100");
      await waitText(alice, "#orders td.reference", "<b>x</b>");
      assert.equal(await alice.locator("#orders b, #feed b").count(), 0);

      // Bob sells 40 at 2300.0: both tapes print the trade, the bid drops to 60.
      await enterOrder(bob, { side: "S", quantity: "40", price: "2300.0" });
      for (const page of [alice, bob]) {
        await waitText(page, tapeRow("1"), "2300.040");
        await waitText(page, ladderCell("1", "bid"), "60");
        await waitText(page, '[data-orderbook="1"] .last', "last 2300.0");
        const line = await page.locator('[data-orderbook="1"] .price-line')
          .getAttribute("d");
        assert.equal(line?.match(/M/g)?.length, 1, `${line}`);
      }
      await waitText(alice, "#feed li", `Executed #${P} Buy 40 of 1 @ 2300.0`);
      await waitText(bob, "#feed li", `Executed #${P} Sell 40 of 1 @ 2300.0`);
      assert.equal(await alice.locator(tapeRow("1")).count(), 1);

      // Alice cancels her resting order, picked from her open orders.
      await alice.locator(`#orders tr[data-token="${P}"] button.select`)
        .click();
      await waitText(alice, "#amend-selected", `#${P} Buy 60 of 1 @ 2300.0`);
      await alice.locator("#cancel-button").click();
      await waitText(
        alice,
        "#feed li",
        `Canceled #${P} Buy 60 of 1 @ 2300.0: canceled on request (U User requested cancel)`,
      );
      for (const page of [alice, bob]) {
        await waitText(page, '[data-orderbook="1"] .ladder td', "no orders");
      }
      await alice.locator("#orders tbody tr").first().waitFor({
        state: "detached",
      });

      // Bob's order at price 0 is rejected, with the reason in words.
      await enterOrder(bob, { side: "S", quantity: "10", price: "0" });
      await waitText(
        bob,
        "#feed li",
        `Rejected #${
          P + 1
        } Sell 10 of 1 @ 0.0: the price must be above zero (X Invalid price)`,
      );

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
      await waitText(
        bob,
        "#feed li",
        `Rejected #${
          P + 2
        } Buy 10 of 7203 @ 100.0: orderbook 7203 is halted (H Trading halt)`,
      );
      await bob.locator('[data-orderbook="7203"] button.halt').click();
      await alice.locator('[data-orderbook="7203"]:not(.is-halted)').waitFor();

      // Bad input gets a clear error in the page and changes nothing.
      const bobMessages = setup.server.exchange.stream("bob")!.length;
      await enterOrder(bob, { side: "B", quantity: "10", price: "2300.55" });
      await waitText(bob, "#error-text", "Price as it has too many decimals");
      await enterOrder(bob, { side: "B", quantity: "ten", price: "2300.5" });
      await waitText(bob, "#error-text", "Quantity as it must be a number");
      assert.equal(setup.server.exchange.stream("bob")!.length, bobMessages);
      // The Replace form shows the order's open quantity as it changes, and asks for the
      // open quantity wanted: the server sends the total of the chain (K9).
      await enterOrder(alice, { side: "B", quantity: "100", price: "2200.0" });
      await waitText(alice, "#feed li", `Accepted #${P + 1}`);
      await alice.locator(`#orders tr[data-token="${P + 1}"] button.select`)
        .click();
      const quantity = alice.locator("#replace-quantity");
      assert.equal(await quantity.inputValue(), "100");
      setup.server.run((exchange, ts) =>
        exchange.submit(
          "carol",
          enter(1, { buySellIndicator: "S", quantity: 40, price: 22000 }),
          ts,
        )
      );
      // The fill reaches the page's order list, and the form follows it.
      for (let tries = 0; await quantity.inputValue() !== "60"; tries++) {
        assert.ok(tries < 100, "the form kept the stale open quantity");
        await alice.waitForTimeout(50);
      }
      await quantity.fill("50");
      await alice.locator("#replace-button").click();
      await waitText(
        alice,
        "#status",
        `Replace of order #${P + 1} by #${
          P + 2
        } sent: Quantity 90 = 50 open + 40 already executed`,
      );
      await setup.server.exchange.drain();
      const [replaced] = setup.server.exchange.openOrders("alice");
      assert.deepEqual(
        [
          replaced?.orderToken,
          replaced?.openQuantity,
          replaced?.executedQuantity,
        ],
        [P + 2, 50, 40],
      );

      // What the page did is in Alice's OUCH sequence like any other order.
      const log = setup.server.exchange.stream("alice")!;
      const sequence = [];
      for (let n = 1; n <= log.length; n++) {
        sequence.push(decodeOutbound(log.message(n)).type);
      }
      assert.deepEqual(sequence, [
        "systemEvent", // S, the day's first message (K24)
        "orderAccepted",
        "orderExecuted",
        "orderCanceled",
        "orderAccepted",
        "orderExecuted",
        "orderReplaced",
      ]);
    }
  },
);
