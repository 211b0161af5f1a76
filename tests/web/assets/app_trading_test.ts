/**
 * Trading on the page in Chromium (issue #15 items 5, 6 and 8): fills blotter and position
 * from the account's own responses, the feed filter, the feed keeping the page's own
 * orders under a flood; click to trade, Buy and Sell buttons, the one-line order entry;
 * rejects and cancels in words with the order repeated, validation messages that name the
 * problem, full-width digits, and an over-long client reference refused.
 */
import assert from "node:assert/strict";
import { PAGE_TOKEN_BASE as P } from "../../../lib/matcher/mod.ts";
import type { Page } from "playwright-core";
import { enter } from "../../server/_harness.ts";
import {
  browserTest,
  enterOrder,
  login,
  type PageGlobal,
  waitText,
} from "../_browser.ts";
import { startWeb, type WebSetup } from "../_web_harness.ts";

/** The texts of the visible rows of a table. */
function rows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((trs) =>
    trs.map((tr: PageGlobal) =>
      [...tr.cells].map((cell: PageGlobal) => cell.textContent)
    )
  );
}

/** The texts of the feed's visible rows, newest first. */
function visibleFeed(page: Page): Promise<string[]> {
  return page.locator("#feed li").evaluateAll((items) =>
    items.filter((li: PageGlobal) =>
      (globalThis as PageGlobal).getComputedStyle(li).display !== "none"
    ).map((li: PageGlobal) => li.querySelector(".text")?.textContent ?? "")
  );
}

/** An order of another session, straight into the exchange. */
function ouch(
  setup: WebSetup,
  account: string,
  token: number,
  fields: Record<string, unknown>,
): void {
  setup.server.run((exchange, ts) =>
    exchange.submit(account, enter(token, fields), ts)
  );
}

browserTest(
  "app.js keeps a fills blotter and the position per book from the account's responses, with a feed filter",
  "web_trading_position",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    const page = await browsing.open("alice", setup.origin);
    await login(page, "alice", "pw-a");
    await enterOrder(page, { side: "B", quantity: "100", price: "2300.0" });
    await enterOrder(page, { side: "B", quantity: "50", price: "2301.0" });
    await waitText(page, "#feed li", `Accepted #${P + 1}`);
    ouch(setup, "bob", 1, { buySellIndicator: "S", quantity: 150 });
    await waitText(page, "#feed li", `Executed #${P} Buy 100 of 1 @ 2300.0`);
    // The fill comes at once; the last price with the next market update.
    await waitText(page, '#positions tr[data-book="1"]', "-50.0");
    assert.deepEqual(await rows(page, "#positions"), [
      ["1", "150", "2,300.33", "2300.0", "0.0", "-50.0"],
    ]);
    // Alice sells 60 at 2302.0 to Bob: 60 × (2302.0 - 2300.333…) realised.
    await enterOrder(page, { side: "S", quantity: "60", price: "2302.0" });
    await waitText(
      page,
      "#feed li",
      `Accepted #${P + 2} Sell 60 of 1 @ 2302.0`,
    );
    ouch(setup, "bob", 2, { quantity: 60, price: 23020 });
    await waitText(page, '#positions tr[data-book="1"]', "+150.0");
    assert.deepEqual(await rows(page, "#positions"), [
      ["1", "90", "2,300.33", "2302.0", "+100.0", "+150.0"],
    ]);
    const fills = await rows(page, "#fills");
    assert.deepEqual(
      fills.map(([time, ...rest]) => [
        /^\d\d:\d\d:\d\d\.\d{3}$/.test(time ?? ""),
        ...rest,
      ]),
      [
        [true, "Sell", "1", "60", "2302.0", "202611250000000003"],
        [true, "Buy", "1", "100", "2300.0", "202611250000000002"],
        [true, "Buy", "1", "50", "2301.0", "202611250000000001"],
      ],
    );
    await waitText(page, "#fills-count", "(3)");

    // The feed filter: a reject, an order of the account's OUCH session, fills.
    await enterOrder(page, { side: "B", quantity: "10", price: "0" });
    await waitText(page, "#feed li", `Rejected #${P + 3}`);
    ouch(setup, "alice", 5, { price: 20000, quantity: 7 });
    await waitText(page, "#feed li", "Accepted #5 Buy 7 of 1 @ 2000.0");
    const all = await visibleFeed(page);
    // Eight responses, and System Event S, the day's first message (K24).
    assert.equal(all.length, 9);
    await page.locator('#feed-filter input[value="fills"]').check();
    assert.deepEqual(await visibleFeed(page), [
      `Executed #${
        P + 2
      } Sell 60 of 1 @ 2302.0 (match 202611250000000003, added liquidity)`,
      `Executed #${P} Buy 100 of 1 @ 2300.0 (match 202611250000000002, added liquidity)`,
      `Executed #${
        P + 1
      } Buy 50 of 1 @ 2301.0 (match 202611250000000001, added liquidity)`,
    ]);
    await page.locator('#feed-filter input[value="rejects"]').check();
    assert.deepEqual(await visibleFeed(page), [
      `Rejected #${
        P + 3
      } Buy 10 of 1 @ 0.0: the price must be above zero (X Invalid price)`,
    ]);
    await page.locator('#feed-filter input[value="mine"]').check();
    const mine = await visibleFeed(page);
    assert.equal(mine.length, 7);
    assert.ok(!mine.some((text) => text.startsWith("Accepted #5")));
    await page.locator('#feed-filter input[value="all"]').check();
    assert.equal((await visibleFeed(page)).length, 9);
  },
);

/**
 * How long the flood test waits for the page (4,000 messages through a shared 2-core
 * machine under a full test suite): only the time allowed, never what is asserted.
 */
const LOADED_TIMEOUT_MS = 30_000;

browserTest(
  "app.js keeps every response about the page's own orders while the account's other sessions flood the feed",
  "web_trading_flood",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    const page = await browsing.open("alice", setup.origin);
    await login(page, "alice", "pw-a");
    let token = 1000;
    const flood = (count: number) =>
      setup.server.run((exchange, ts) => {
        for (let i = 0; i < count; i++) {
          token++;
          exchange.submit(
            "alice",
            enter(token, { price: 20000 + (token % 50) }),
            ts,
          );
        }
      });
    const own: number[] = [];
    for (let round = 0; round < 5; round++) {
      flood(400);
      const from = own.length;
      await enterOrder(page, {
        side: "B",
        quantity: String(11 + round),
        price: "1000.0",
      });
      // Wait for this order's own status line: under load the previous round's "Order #N
      // sent" may still be on screen when the click returns, and reading it would take
      // the previous token twice.
      const previous = own.length === 0 ? 0 : own[own.length - 1]!;
      // Polled from here: the page's CSP forbids evaluating a string in it.
      const deadline = Date.now() + LOADED_TIMEOUT_MS;
      let sent = 0;
      while (sent <= previous) {
        const text = await page.locator("#status").textContent() ?? "";
        const match = /Order #(\d+) sent/.exec(text);
        sent = match === null ? 0 : Number(match[1]);
        if (sent > previous) break;
        assert.ok(
          Date.now() < deadline,
          `no "Order #N sent" above #${previous}`,
        );
        await page.waitForTimeout(20);
      }
      own.push(sent);
      assert.equal(own.length, from + 1);
      // The page's token is taken: the flood goes on above it.
      token = own[own.length - 1]!;
      flood(400);
    }
    for (const [i, ownToken] of own.entries()) {
      await waitText(
        page,
        "#feed li.own",
        `Accepted #${ownToken} Buy ${11 + i} of 1 @ 1000.0`,
        LOADED_TIMEOUT_MS,
      );
    }
    await waitText(
      page,
      "#feed li.skipped",
      "not shown: they came too fast",
      LOADED_TIMEOUT_MS,
    );
    const market = await page.locator("#feed li:not(.own)").count();
    assert.ok(market <= 201, `${market} rows about other orders`);
    await page.locator('#feed-filter input[value="mine"]').check();
    assert.deepEqual(
      await visibleFeed(page),
      own.map((token, i) =>
        `Accepted #${token} Buy ${11 + i} of 1 @ 1000.0 (order ${
          setup.server.exchange.openOrders("alice").find((order) =>
            order.orderToken === token
          )?.orderNumber
        })`
      ).reverse(),
    );
  },
);

browserTest(
  "app.js fills the form from a click on a ladder price, sends with Buy and Sell, and reads a typed order line",
  "web_trading_click",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    ouch(setup, "bob", 1, {
      buySellIndicator: "S",
      quantity: 50,
      price: 23010,
    });
    ouch(setup, "bob", 2, { quantity: 30, price: 22990 });
    const page = await browsing.open("alice", setup.origin);
    await login(page, "alice", "pw-a");
    const ask = page.locator(
      '[data-orderbook="1"] .ladder tr.ask.level td.price',
    );
    await ask.filter({ hasText: "2301.0" }).click();
    assert.equal(await page.locator("#enter-orderbook").inputValue(), "1");
    assert.equal(await page.locator("#enter-side").inputValue(), "B");
    assert.equal(await page.locator("#enter-price").inputValue(), "2301.0");
    assert.equal(
      await page.evaluate(() =>
        (globalThis as PageGlobal).document.activeElement?.id
      ),
      "enter-quantity",
    );
    await page.keyboard.type("50");
    await page.keyboard.press("Enter");
    await waitText(page, "#feed li", `Executed #${P} Buy 50 of 1 @ 2301.0`);

    // A bid: sell there, with the Sell button.
    await page.locator('[data-orderbook="1"] .ladder tr.bid.level td.bid-qty')
      .first().click();
    assert.equal(await page.locator("#enter-side").inputValue(), "S");
    assert.equal(await page.locator("#enter-price").inputValue(), "2299.0");
    await page.locator("#enter-quantity").fill("30");
    await page.locator("#sell-button").click();
    await waitText(
      page,
      "#feed li",
      `Executed #${P + 1} Sell 30 of 1 @ 2299.0`,
    );

    // Buy with Sell chosen in the form: the button decides.
    await page.locator("#enter-side").selectOption("S");
    await page.locator("#enter-price").fill("2200.0");
    await page.locator("#enter-quantity").fill("3");
    await page.locator("#buy-button").click();
    await waitText(page, "#feed li", `Accepted #${P + 2} Buy 3 of 1 @ 2200.0`);
    // Enter in a field sends with the side chosen in the form.
    await page.locator("#enter-side").selectOption("T");
    await page.locator("#enter-price").fill("2500.0");
    await page.locator("#enter-price").press("Enter");
    await waitText(
      page,
      "#feed li",
      `Accepted #${P + 3} Short sell 3 of 1 @ 2500.0`,
    );

    // The order line: "/" jumps there; Enter sends.
    await page.locator("#feed-panel h2").click();
    await page.keyboard.press("/");
    assert.equal(
      await page.evaluate(() =>
        (globalThis as PageGlobal).document.activeElement?.id
      ),
      "command",
    );
    await page.keyboard.type("b 10 @ 2290");
    await page.keyboard.press("Enter");
    await waitText(page, "#feed li", `Accepted #${P + 4} Buy 10 of 1 @ 2290.0`);
    assert.equal(await page.locator("#command").inputValue(), "");
    await page.locator("#command").fill("ｓ　１０　７２０３　＠　２９００ ioc");
    await page.locator("#command").press("Enter");
    // Nothing to sell to at 2900.0: accepted dead, nothing else (K5).
    await waitText(
      page,
      "#feed li",
      new RegExp(
        String.raw`Accepted #${
          P + 5
        } Sell 10 of 7203 @ 2900\.0 IOC \(order \d{18}, dead on arrival\)`,
      ),
    );
    await page.locator("#command").fill("b 10");
    await page.locator("#command").press("Enter");
    await waitText(page, "#error-text", 'has no price: add "@ PRICE"');
    assert.equal(await page.locator("#command").inputValue(), "b 10");
    await page.locator("#command").fill("b 10 9999 @ 1");
    await page.locator("#command").press("Enter");
    await waitText(
      page,
      "#error-text",
      'orderbook "9999" as it is not traded here',
    );
  },
);

browserTest(
  "app.js words rejects and cancels with the order repeated, names the problem with a field, reads full-width digits and refuses an over-long reference",
  "web_trading_words",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    ouch(setup, "bob", 1, {
      buySellIndicator: "S",
      quantity: 50,
      price: 23010,
    });
    const page = await browsing.open("alice", setup.origin);
    await login(page, "alice", "pw-a");
    await enterOrder(page, {
      side: "B",
      quantity: "10",
      price: "2301.0",
      display: "P",
    });
    await waitText(
      page,
      "#feed li",
      `Rejected #${P} Buy 10 of 1 @ 2301.0 post-only: post-only order would have traded (O Other)`,
    );
    await enterOrder(page, {
      side: "B",
      quantity: "100",
      price: "2301.0",
      tif: "0",
      minimum: "60",
      display: " ",
    });
    // Less than the minimum can trade: accepted dead, nothing else (K6).
    await waitText(
      page,
      "#feed li",
      new RegExp(
        String.raw`Accepted #${
          P + 1
        } Buy 100 of 1 @ 2301\.0 IOC min 60 \(order \d{18}, dead on arrival\)`,
      ),
    );
    await enterOrder(page, {
      side: "B",
      quantity: "１００",
      price: "２０００",
      minimum: "0",
    });
    await waitText(
      page,
      "#feed li",
      `Accepted #${P + 2} Buy 100 of 1 @ 2000.0`,
    );
    setup.server.run((exchange, ts) => exchange.close(ts));
    await waitText(
      page,
      "#feed li",
      `Canceled #${
        P + 2
      } Buy 100 of 1 @ 2000.0: canceled at market close (O Other)`,
    );
    setup.server.run((exchange, ts) => exchange.open(ts));

    // Typing mistakes are named and nothing is sent.
    await setup.server.exchange.drain(); // the stream holds what is durable
    const before = setup.server.exchange.stream("alice")!.length;
    const mistakes: [Partial<Record<string, string>>, string][] = [
      [{ quantity: "-5" }, 'Quantity as it is negative: current value is "-5"'],
      [{ quantity: "99999999999" }, "Quantity as it is too large"],
      [
        { quantity: "1.5" },
        "Quantity as it must be a whole number, without decimals",
      ],
      [{ price: "2300.55" }, "Price as it has too many decimals"],
      [{ price: "-2300" }, "Price as it is negative"],
      [{ price: "" }, "Price as it is empty"],
    ];
    for (const [fields, message] of mistakes) {
      await enterOrder(page, {
        side: "B",
        quantity: fields.quantity ?? "10",
        price: fields.price ?? "2300.0",
      });
      await waitText(page, "#error-text", message);
    }
    // An over-long client reference is refused as typed, not cut.
    await enterOrder(page, {
      side: "B",
      quantity: "10",
      price: "2300.0",
      reference: "ABCDEFGHIJKL",
    });
    await waitText(
      page,
      "#error-text",
      "Client Reference as it is too long (12 characters, at most 10; nothing was cut)",
    );
    assert.equal(
      await page.locator("#enter-reference").inputValue(),
      "ABCDEFGHIJKL",
    );
    assert.equal(setup.server.exchange.stream("alice")!.length, before);
  },
);
