/**
 * Measurements taken inside the page, for `bench/web_bench.ts` and the page's load test.
 * They read only markup that the page has had since before issue #15 (the tape's rows, the
 * feed's list, the status line, the order form), so that the same probe measures an older
 * page for comparison.
 *
 * @module
 */

/**
 * A script that installs, in the page, a record of every gap between two animation frames
 * (ms) and of the tape's lag each time the tape of `orderbook` changes: the page's clock
 * (as ms since midnight JST) minus the time of the newest trade shown. The record is
 * `globalThis.__probe`: `{ gaps: number[], lags: number[] }`.
 */
export function instrument(orderbook: string): string {
  return `(() => {
  const probe = { gaps: [], lags: [] };
  let last = performance.now();
  const tick = (t) => {
    probe.gaps.push(t - last);
    last = t;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const body = document.querySelector(
    'article[data-orderbook="${orderbook}"] .tape tbody, [data-orderbook="${orderbook}"] .tape tbody',
  );
  const jstMs = () => (Date.now() + 9 * 3600000) % 86400000;
  new MutationObserver(() => {
    const row = body.querySelector("tr");
    if (row === null) return;
    let ms;
    if (row.dataset.ts) {
      ms = Number(row.dataset.ts) / 1e6;
    } else {
      const m = /^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3})/.exec(row.cells[0]?.textContent ?? "");
      if (m === null) return;
      ms = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
    }
    probe.lags.push(jstMs() - ms);
  }).observe(body, { childList: true, subtree: true, characterData: true });
  globalThis.__probe = probe;
})()`;
}

/**
 * A script that enters a buy of 1 at 1.0 in `orderbook` through the order form and
 * resolves with the milliseconds from the click until the page shows the order's Accepted
 * and has drawn the next frame, or `-1` after 10 s without it.
 */
export function clickToResponse(orderbook: string): string {
  return `(async () => {
  const q = (s) => document.querySelector(s);
  q("#enter-orderbook").value = "${orderbook}";
  q("#enter-quantity").value = "1";
  q("#enter-price").value = "1.0";
  const buy = q("#buy-button");
  if (buy === null) q("#enter-side").value = "B";
  const button = buy ?? q("#enter-button");
  const feed = q("#feed");
  const status = q("#status");
  return await new Promise((resolve) => {
    let token = null;
    const found = () => {
      if (token === null) {
        const m = /Order #(\\d+) sent/.exec(status.textContent ?? "");
        if (m === null) return false;
        token = m[1];
      }
      const pattern = new RegExp("Accepted #" + token + "\\\\b");
      let li = feed.firstElementChild;
      for (let i = 0; li !== null && i < 300; i++, li = li.nextElementSibling) {
        if (pattern.test(li.textContent ?? "")) return true;
      }
      return false;
    };
    const done = (value) => {
      observer.disconnect();
      clearTimeout(timer);
      resolve(value);
    };
    const observer = new MutationObserver(() => {
      if (found()) {
        observer.disconnect();
        requestAnimationFrame(() => done(performance.now() - t0));
      }
    });
    observer.observe(feed, { childList: true });
    observer.observe(status, { childList: true, characterData: true, subtree: true });
    const timer = setTimeout(() => done(-1), 10000);
    status.textContent = "";
    const t0 = performance.now();
    button.click();
  });
})()`;
}
