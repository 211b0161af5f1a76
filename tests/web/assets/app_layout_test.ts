/**
 * The page's layout in Chromium (issue #15 items 1 and 10): realistic numbers never clip or
 * overlap from 390 px up, order entry is pinned (first on phones) with the rare fields under
 * "More", book cards keep their height, times say JST, the login hint names the demo logins,
 * the feed's sequence column fits large numbers, and each book shows its reference price
 * and daily limits when the server sends them.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { enter } from "../../server/_harness.ts";
import {
  browserTest,
  FakePageServer,
  fakeSnapshot,
  login,
  type PageGlobal,
  waitText,
} from "../_browser.ts";
import { startWeb } from "../_web_harness.ts";

/** Waits for two animation frames, so that what the page received is drawn. */
async function frames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w: PageGlobal = globalThis;
    return new Promise<void>((resolve) =>
      w.requestAnimationFrame(() => w.requestAnimationFrame(() => resolve()))
    );
  });
}

/** What is wrong with a book card's layout: overlaps, clipped cells, sideways scrolling. */
function layoutProblems(page: Page, orderbook: string): Promise<string[]> {
  return page.evaluate((id) => {
    const w: PageGlobal = globalThis;
    const problems: string[] = [];
    const card = w.document.querySelector(`[data-orderbook="${id}"]`);
    if (card === null) return [`no card for ${id}`];
    const part = (selector: string) => {
      const element = card.querySelector(selector);
      if (element === null) throw new Error(`no ${selector}`);
      return element;
    };
    type Box = { left: number; right: number; top: number; bottom: number };
    const box = (element: PageGlobal): Box => element.getBoundingClientRect();
    const overlap = (a: Box, b: Box) =>
      a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
      a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const ladder = part(".ladder");
    const chart = part(".chart");
    const tape = part(".tape");
    if (overlap(box(ladder), box(chart))) problems.push("ladder over chart");
    if (overlap(box(ladder), box(tape))) problems.push("ladder over tape");
    if (overlap(box(chart), box(tape))) problems.push("chart over tape");
    const inner = box(card);
    for (
      const [name, element] of [["ladder", ladder], ["chart", chart], [
        "tape",
        tape,
      ]] as const
    ) {
      const b = box(element);
      if (b.left < inner.left - 0.5 || b.right > inner.right + 0.5) {
        problems.push(`${name} sticks out of the card`);
      }
    }
    for (const cell of card.querySelectorAll("td, th")) {
      if (cell.scrollWidth > cell.clientWidth + 1) {
        problems.push(`cell "${cell.textContent}" is clipped`);
      }
    }
    const sideways = w.document.documentElement.scrollWidth;
    if (sideways > w.innerWidth) {
      problems.push(
        `the page scrolls sideways (${sideways} > ${w.innerWidth})`,
      );
    }
    return problems;
  }, orderbook);
}

browserTest(
  "app.js ladder sizes its columns to 7-digit quantities with no overlap at any width from 390 px",
  "web_layout_ladder",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    {
      // The book 2: buy 1,500,000 @ 12345.5, sell 2,500,000 @ 12346.0, after a
      // trade of 1,000,000 so that the tape has a 7-digit quantity too.
      setup.server.run((exchange, ts) => {
        exchange.submit(
          "carol",
          enter(1, { orderbookId: "2", quantity: 1_000_000, price: 123455 }),
          ts,
        );
        exchange.submit(
          "carol",
          enter(2, {
            orderbookId: "2",
            buySellIndicator: "S",
            quantity: 1_000_000,
            price: 123455,
          }),
          ts,
        );
      });
      setup.server.run((exchange, ts) => {
        exchange.submit(
          "alice",
          enter(1, { orderbookId: "2", quantity: 1_500_000, price: 123455 }),
          ts,
        );
        exchange.submit(
          "bob",
          enter(1, {
            orderbookId: "2",
            buySellIndicator: "S",
            quantity: 2_500_000,
            price: 123460,
          }),
          ts,
        );
      });
      const page = await browsing.open("trader", setup.origin);
      await waitText(page, '[data-orderbook="2"] td.bid-qty', "1,500,000");
      await waitText(page, '[data-orderbook="2"] td.ask-qty', "2,500,000");
      await waitText(page, '[data-orderbook="2"] .tape td', "1,000,000");
      for (
        const width of [390, 480, 600, 768, 900, 1024, 1280, 1440, 1920]
      ) {
        await page.setViewportSize({ width, height: 900 });
        await frames(page);
        assert.deepEqual(
          await layoutProblems(page, "2"),
          [],
          `at ${width} px`,
        );
      }
    }
  },
);

browserTest(
  "app.js pins order entry (first on phones), keeps rare fields under More and book cards at a fixed height",
  "web_layout_entry",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    {
      const page = await browsing.open("trader", setup.origin);
      // The login hint names the demo logins.
      await waitText(page, "#login-hint", /demo1 … demo16, password\s+demo/);
      await login(page, "alice", "pw-a");
      const heights = () =>
        page.locator("article.book").evaluateAll((cards) =>
          cards.map((card) => Math.round(card.getBoundingClientRect().height))
        );
      const before = await heights();
      assert.equal(new Set(before).size, 1, `equal heights: ${before}`);
      // Only the usual fields show; the rare ones are under More.
      for (
        const id of [
          "enter-orderbook",
          "enter-side",
          "enter-quantity",
          "enter-price",
          "enter-tif",
          "buy-button",
          "sell-button",
          "command",
        ]
      ) {
        assert.equal(await page.locator(`#${id}`).isVisible(), true, id);
      }
      const rare = [
        "enter-minimum",
        "enter-display",
        "enter-capacity",
        "enter-group",
        "enter-firm",
        "enter-classification",
        "enter-cash-margin",
        "enter-reference",
      ];
      for (const id of rare) {
        assert.equal(await page.locator(`#${id}`).isVisible(), false, id);
      }
      await page.locator("#enter-more summary").click();
      for (const id of rare) {
        assert.equal(await page.locator(`#${id}`).isVisible(), true, id);
      }
      await page.locator("#enter-more summary").click();
      // Data of every size arrives: no card changes height.
      setup.server.run((exchange, ts) => {
        for (let i = 0; i < 12; i++) {
          // A trade of 1,000,000 + i; then a resting bid and a resting ask.
          const order = (
            account: string,
            token: number,
            side: string,
            quantity: number,
            price: number,
          ) =>
            exchange.submit(
              account,
              enter(token, {
                orderbookId: "7203",
                buySellIndicator: side,
                quantity,
                price,
              }),
              ts,
            );
          order("bob", 1 + 2 * i, "B", 1_000_000 + i, 28000 + i * 5);
          order("carol", 1 + 2 * i, "S", 1_000_000 + i, 28000 + i * 5);
          order("bob", 2 + 2 * i, "B", 1_500_000 + i, 27000 + i * 5);
          order("carol", 2 + 2 * i, "S", 3_000_000, 30000 + i * 10);
        }
      });
      // Drawn once on screen: off-screen books are not drawn.
      await page.locator('[data-orderbook="7203"]').scrollIntoViewIfNeeded();
      await waitText(page, '[data-orderbook="7203"] .tape td', "1,000,011");
      await frames(page);
      assert.deepEqual(await heights(), before);
      // Desktop: scrolled far down, the order entry is still on screen.
      await page.evaluate(() =>
        (globalThis as PageGlobal).scrollTo(0, 100_000)
      );
      await frames(page);
      assert.ok(
        await page.evaluate(() => (globalThis as PageGlobal).scrollY) > 300,
        "the page is long enough to scroll",
      );
      const pinned = await page.locator("#enter-panel").boundingBox();
      assert.ok(pinned !== null && pinned.y >= 0 && pinned.y < 900, "pinned");
      assert.equal(await page.locator("#buy-button").isVisible(), true);
      // Phone: the order entry comes first, above the books.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.evaluate(() => (globalThis as PageGlobal).scrollTo(0, 0));
      await frames(page);
      const entry = await page.locator("#enter-panel").boundingBox();
      const firstBook = await page.locator("article.book").first()
        .boundingBox();
      assert.ok(entry !== null && firstBook !== null);
      assert.ok(entry.y + entry.height <= firstBook.y, "entry above books");
      assert.ok(entry.y < 844, "entry on the first screen");
      const phone = await heights();
      assert.equal(new Set(phone).size, 1, `equal heights: ${phone}`);
    }
  },
);

browserTest(
  "app.js says JST on times, fits long sequence numbers and shows reference price and daily limits when sent",
  "web_layout_limits",
  async (browsing) => {
    const fake = new FakePageServer();
    browsing.defer(() => fake.close());
    {
      fake.greeting = [
        fakeSnapshot([
          {
            orderbookId: "7203",
            referencePrice: 28000,
            upperLimit: 33000,
            lowerLimit: 23000,
            trades: [{
              matchNumber: "202611280000000001",
              price: 28000,
              quantity: 100,
              timestamp: 34_200_000_000_000,
              aggressor: "B",
            }],
          },
          { orderbookId: "1" },
        ]),
      ];
      fake.onMessage = (message) =>
        message.type === "login"
          ? [{ type: "login", ok: true, account: "demo1" }, {
            type: "responses",
            history: true,
            skipped: 0,
            items: [1_234_567, 98_765_432].map((sequenceNumber) => ({
              sequenceNumber,
              message: { type: "systemEvent", timestamp: 0, eventCode: "S" },
            })),
          }, { type: "orders", orders: [], total: 0 }]
          : [];
      const page = await browsing.open("trader", fake.origin);
      await waitText(
        page,
        '[data-orderbook="7203"] .limits',
        "ref 2800.0 · limits 2300.0–3300.0",
      );
      assert.equal(
        await page.locator('[data-orderbook="1"] .limits').textContent(),
        "",
      );
      // JST on the tape, on the chart's time axis and in the fills.
      await waitText(page, '[data-orderbook="7203"] .tape th', "Time (JST)");
      await waitText(page, '[data-orderbook="7203"] .chart text', "JST");
      await waitText(page, '[data-orderbook="7203"] .tape td', "09:30:00");
      await login(page, "demo1", "demo");
      await waitText(page, "#fills th", "Time (JST)");
      // The feed's sequence column holds 98,765,432 on one line, unclipped.
      await waitText(page, "#feed .seq", "98,765,432");
      const seq = await page.locator("#feed .seq").evaluateAll((cells) =>
        cells.map((cell) => {
          const range = (globalThis as PageGlobal).document.createRange();
          range.selectNodeContents(cell);
          return {
            lines: range.getClientRects().length,
            clipped: cell.scrollWidth > cell.clientWidth + 1,
          };
        })
      );
      assert.deepEqual(seq, [{ lines: 1, clipped: false }, {
        lines: 1,
        clipped: false,
      }]);
    }
  },
);
