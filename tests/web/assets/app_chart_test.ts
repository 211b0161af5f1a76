/**
 * The chart in Chromium (issue #15 item 7): the page keeps more than the 100 trades a
 * snapshot holds, draws a step line with JST time and price axes and volume bars, and
 * leaves gaps (the market closed, trades the page missed while disconnected) blank.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { enter } from "../../server/_harness.ts";
import { browserTest, type PageGlobal, waitText } from "../_browser.ts";
import { startRestartableWeb, startWeb } from "../_web_harness.ts";
import type { TestServer } from "../../server/_harness.ts";

const SECOND = 1_000_000_000;

/** `count` trades of `quantity` in orderbook 1, `stepNs` apart from `from` (ns since midnight). */
function trades(
  server: TestServer,
  tokens: { next: number },
  count: number,
  options: { from?: number; stepNs?: number; price?: (i: number) => number } =
    {},
): number[] {
  const times: number[] = [];
  server.run((exchange, now) => {
    for (let i = 0; i < count; i++) {
      const ts = (options.from ?? now) + i * (options.stepNs ?? 0);
      const price = options.price?.(i) ?? 23000;
      const token = tokens.next++;
      exchange.submit(
        "alice",
        enter(token, { quantity: 10 + i, price }),
        ts,
      );
      exchange.submit(
        "bob",
        enter(token, { buySellIndicator: "S", quantity: 10 + i, price }),
        ts,
      );
      times.push(ts);
    }
  });
  return times;
}

/** The chart of orderbook 1: its time range, path data and axis labels. */
function chart(page: Page) {
  return page.locator('[data-orderbook="1"] svg.chart').evaluate(
    (svg: PageGlobal) => ({
      from: Number(svg.getAttribute("data-from")),
      to: Number(svg.getAttribute("data-to")),
      line: svg.querySelector(".price-line").getAttribute("d") as string,
      volume: svg.querySelector(".volume").getAttribute("d") as string,
      gaps: svg.querySelectorAll(".gaps rect").length as number,
      times: [...svg.querySelectorAll(".time-axis text")].map((t: PageGlobal) =>
        t.textContent
      ) as string[],
      prices: [...svg.querySelectorAll(".price-axis text")].map((
        t: PageGlobal,
      ) => t.textContent) as string[],
    }),
  );
}

function segments(line: string): number {
  return line.match(/M/g)?.length ?? 0;
}

browserTest(
  "app.js charts more than 100 trades as a step line with JST time and price axes and volume",
  "web_chart_history",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    const page = await browsing.open("watcher", setup.origin);
    await page.locator('[data-orderbook="1"] svg.chart').waitFor();
    const tokens = { next: 1 };
    // 09:00:00 JST, then one trade every 2 s: 180 trades in three batches the page sees
    // arrive. The server keeps 100 trades per book; the page keeps them all.
    const nine = 9 * 3600 * SECOND;
    const times: number[] = [];
    for (let batch = 0; batch < 3; batch++) {
      times.push(...trades(setup.server, tokens, 60, {
        from: nine + batch * 120 * SECOND,
        stepNs: 2 * SECOND,
        price: (i) => 23000 + ((i + batch * 60) % 20) * 5,
      }));
      await waitText(
        page,
        '[data-orderbook="1"] .tape td',
        `${String(10 + 59)}`,
      );
      await page.waitForFunction(
        (last: number) => {
          const w: PageGlobal = globalThis;
          const svg = w.document.querySelector(
            '[data-orderbook="1"] svg.chart',
          );
          return Number(svg?.getAttribute("data-to")) > last;
        },
        times[times.length - 1]!,
      );
    }
    const drawn = await chart(page);
    assert.ok(drawn.from <= times[0]!, "the chart reaches the first trade");
    assert.ok(drawn.to >= times[179]!);
    assert.equal(segments(drawn.line), 1, drawn.line);
    assert.match(drawn.line, /^M[\d.]+,[\d.]+(H[\d.]+V[\d.]+)+H[\d.]+$/);
    assert.ok(drawn.volume.split("z").length > 50, "volume bars");
    assert.deepEqual(drawn.times.at(-1), "JST");
    assert.ok(drawn.times.includes("09:00"), `${drawn.times}`);
    for (const label of drawn.times.slice(0, -1)) {
      assert.match(label, /^\d\d:\d\d(:\d\d)?$/);
    }
    assert.ok(drawn.prices.includes("2300.0"), `${drawn.prices}`);
    assert.ok(drawn.prices.includes("2310.0"), `${drawn.prices}`);
  },
);

browserTest(
  "app.js leaves the time the market was closed blank on the chart",
  "web_chart_closed",
  async (browsing) => {
    const setup = startWeb();
    browsing.defer(() => setup.close());
    const page = await browsing.open("watcher", setup.origin);
    const tokens = { next: 1 };
    trades(setup.server, tokens, 3, { price: (i) => 23000 + i * 10 });
    await waitText(page, '[data-orderbook="1"] .last', "last 2302.0");
    setup.server.run((exchange, ts) => exchange.close(ts));
    await waitText(page, "#market-state", "closed");
    await page.waitForTimeout(2500);
    setup.server.run((exchange, ts) => exchange.open(ts));
    await waitText(page, "#market-state", "open");
    await page.waitForTimeout(500);
    trades(setup.server, tokens, 2, { price: (i) => 22990 - i * 10 });
    await waitText(page, '[data-orderbook="1"] .last', "last 2298.0");
    await page.waitForFunction(() => {
      const w: PageGlobal = globalThis;
      const line = w.document.querySelector('[data-orderbook="1"] .price-line');
      return (line?.getAttribute("d")?.match(/M/g)?.length ?? 0) === 2;
    });
    const drawn = await chart(page);
    assert.equal(segments(drawn.line), 2, drawn.line);
    assert.equal(drawn.gaps, 1);
  },
);

browserTest(
  "app.js leaves the trades it missed while disconnected blank on the chart",
  "web_chart_missed",
  async (browsing) => {
    browsing.allow(/WebSocket connection to .* failed/);
    const setup = startRestartableWeb();
    browsing.defer(() => setup.close());
    const page = await browsing.open("watcher", setup.origin);
    const tokens = { next: 1 };
    trades(setup.server, tokens, 2);
    await waitText(page, '[data-orderbook="1"] .tape td', "11");
    await setup.stopWeb();
    await page.locator('#connection[data-state="disconnected"]').waitFor();
    // More trades than a snapshot holds, two seconds later: the page cannot know them all.
    await page.waitForTimeout(2000);
    trades(setup.server, tokens, 150, { price: () => 23050 });
    setup.startWeb();
    await page.locator('#connection[data-state="connected"]').waitFor({
      timeout: 15_000,
    });
    await waitText(page, '[data-orderbook="1"] .last', "last 2305.0");
    await page.waitForFunction(() => {
      const w: PageGlobal = globalThis;
      const line = w.document.querySelector('[data-orderbook="1"] .price-line');
      return (line?.getAttribute("d")?.match(/M/g)?.length ?? 0) === 2;
    });
    assert.equal((await chart(page)).gaps, 1);
    // A reconnect that misses nothing joins up: no new gap.
    await setup.stopWeb();
    await page.locator('#connection[data-state="disconnected"]').waitFor();
    trades(setup.server, tokens, 3, { price: () => 23060 });
    setup.startWeb();
    await page.locator('#connection[data-state="connected"]').waitFor({
      timeout: 15_000,
    });
    await waitText(page, '[data-orderbook="1"] .last', "last 2306.0");
    const drawn = await chart(page);
    assert.equal(segments(drawn.line), 2, drawn.line);
    assert.equal(drawn.gaps, 1);
  },
);
