/**
 * The web page under load, measured in Chromium (`deno task bench:web`): an `ouch server`
 * and the load generator (`ouch client --load`) run as subprocesses while a headless
 * Chromium shows the page, logged in, with the loaded orderbook on screen. It prints:
 *
 * - click to response: a click on Buy until the page shows the order's Accepted (and the
 *   next frame is drawn), for orders entered at even intervals during the load;
 * - trade list lag: the page's clock minus the time of the newest trade on the tape, each
 *   time the tape changes;
 * - frame gaps: the longest time between two animation frames, and how many exceeded
 *   200 ms;
 * - the page's main thread: busy time per second of load (Chromium's `TaskDuration`);
 * - the server's resident memory before and after.
 *
 * `--root DIR` runs the server and its page from another checkout (for a before/after
 * comparison in one run, e.g. `--root ../ouch-main`); the load generator always comes from
 * this checkout. The measurement reads only the page's markup that both versions share.
 *
 * When the page's account is one of the load's (`--account demo1`), the page's orders take
 * tokens the load generator then uses too (issue #15 item 2, on the server's side), so the
 * load generator cannot settle every order: it is stopped 15 s after its load and its
 * progress line gives the rate sent.
 *
 * Usage: deno task bench:web [--rate 20000] [--duration 20] [--sessions 4] [--clicks 30]
 *   [--account demo16] [--root DIR] [--json] [--profile FILE.cpuprofile]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../tests/web/_browser.ts";
import { clickToResponse, instrument } from "../tests/web/_page_probe.ts";

const HERE = new URL("..", import.meta.url).pathname;

const { values } = parseArgs({
  // `deno task bench:web -- --rate 5000` passes the "--" on: options follow it too.
  args: Deno.args.filter((arg, i) => !(i === 0 && arg === "--")),
  options: {
    rate: { type: "string", default: "20000" },
    duration: { type: "string", default: "20" },
    sessions: { type: "string", default: "4" },
    clicks: { type: "string", default: "30" },
    account: { type: "string", default: "demo16" },
    orderbook: { type: "string", default: "7203" },
    root: { type: "string", default: HERE },
    json: { type: "boolean", default: false },
    profile: { type: "string" },
  },
});
const rate = Number(values.rate);
const durationS = Number(values.duration);
const sessions = Number(values.sessions);
const clicks = Number(values.clicks);
const root = values.root.endsWith("/") ? values.root : `${values.root}/`;

/** A free loopback port (it may be taken again before use; good enough for a bench). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function residentMb(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

/** Chromium's cumulative main-thread times, in seconds. */
const TIMES = [
  "TaskDuration",
  "ScriptDuration",
  "RecalcStyleDuration",
  "LayoutDuration",
] as const;

async function metrics(
  cdp: { send(method: string): Promise<unknown> },
): Promise<Record<(typeof TIMES)[number], number>> {
  const result = await cdp.send("Performance.getMetrics") as {
    metrics: { name: string; value: number }[];
  };
  const pick = (name: string) =>
    result.metrics.find((m) => m.name === name)?.value ?? NaN;
  return {
    TaskDuration: pick("TaskDuration"),
    ScriptDuration: pick("ScriptDuration"),
    RecalcStyleDuration: pick("RecalcStyleDuration"),
    LayoutDuration: pick("LayoutDuration"),
  };
}

async function waitForHttp(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Cannot reach ${url}: the server did not start`);
}

const ouchPort = freePort();
const httpPort = freePort();
const origin = `http://127.0.0.1:${httpPort}`;
const dataDir = await Deno.makeTempDir({ prefix: "ouch_web_bench_" });
const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--v8-flags=--max-semi-space-size=64",
    `${root}main.ts`,
    "server",
    "--port",
    String(ouchPort),
    "--http",
    `127.0.0.1:${httpPort}`,
    "--no-journal",
    "--display",
    "quiet",
  ],
  cwd: dataDir,
  stdin: "piped",
  stdout: "null",
  stderr: "null",
}).spawn();
const userDataDir = await Deno.makeTempDir({
  prefix: "ouch_web_bench_chromium_",
});
let failed = false;
try {
  await waitForHttp(`${origin}/`, 30_000);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1440, height: 900 },
  });
  try {
    const page: Page = context.pages()[0] ?? await context.newPage();
    await page.goto(origin);
    await page.locator('#connection[data-state="connected"]').waitFor();
    await page.locator("#login-username").fill(values.account);
    await page.locator("#login-password").fill("demo");
    await page.locator("#login-button").click();
    await page.locator("#account", { hasText: values.account }).waitFor();
    await page.locator(`article[data-orderbook="${values.orderbook}"]`)
      .scrollIntoViewIfNeeded();
    await page.evaluate(instrument(values.orderbook));
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    if (values.profile !== undefined) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
    }
    const rssBefore = residentMb(server.pid);

    const load = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${HERE}main.ts`,
        "client",
        "--load",
        "--port",
        String(ouchPort),
        "--sessions",
        String(sessions),
        "--rate",
        String(rate),
        "--duration",
        String(durationS),
        "--orderbook",
        values.orderbook,
        "--json",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const loadOutput = load.output();
    const loadTimer = setTimeout(() => {
      try {
        load.kill("SIGTERM");
      } catch {
        // it ended
      }
    }, (durationS + 15) * 1000);
    // Let the sessions log in and the load reach its rate before measuring.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const busyBefore = await metrics(cdp);
    const wallBefore = performance.now();
    await page.evaluate(
      "globalThis.__probe.gaps.length = 0; globalThis.__probe.lags.length = 0",
    );
    const latencies: number[] = [];
    let missing = 0;
    const window = (durationS - 4) * 1000;
    for (let i = 0; i < clicks; i++) {
      const started = performance.now();
      const ms = await page.evaluate(clickToResponse("1")) as number;
      if (ms < 0) missing++;
      else latencies.push(ms);
      const wait = window / clicks - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const busyAfter = await metrics(cdp);
    const wallS = (performance.now() - wallBefore) / 1000;
    const share = (name: (typeof TIMES)[number]) =>
      Math.round((busyAfter[name] - busyBefore[name]) / wallS * 1000) / 10;
    const measured = await page.evaluate(
      "({ gaps: globalThis.__probe.gaps, lags: globalThis.__probe.lags })",
    ) as { gaps: number[]; lags: number[] };
    if (values.profile !== undefined) {
      const { profile } = await cdp.send("Profiler.stop") as {
        profile: {
          nodes: {
            id: number;
            callFrame: {
              functionName: string;
              url: string;
              lineNumber: number;
            };
          }[];
          samples: number[];
          timeDeltas: number[];
        };
      };
      await Deno.writeTextFile(values.profile, JSON.stringify(profile));
      const self = new Map<number, number>();
      profile.samples.forEach((id, i) =>
        self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
      );
      const byFunction = new Map<string, number>();
      for (const node of profile.nodes) {
        const frame = node.callFrame;
        const key = `${frame.functionName || "(anonymous)"} ${
          frame.url.split("/").at(-1)
        }:${frame.lineNumber + 1}`;
        byFunction.set(
          key,
          (byFunction.get(key) ?? 0) + (self.get(node.id) ?? 0),
        );
      }
      const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25);
      // deno-lint-ignore no-console
      console.error(
        top.map(([name, us]) =>
          `${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`
        )
          .join("\n"),
      );
    }
    const result = await loadOutput;
    clearTimeout(loadTimer);
    const rssAfter = residentMb(server.pid);
    const text = new TextDecoder().decode(result.stdout);
    let loadReport: Record<string, unknown> = {};
    try {
      loadReport = JSON.parse(text.trim().split("\n").at(-1) ?? "{}");
    } catch {
      loadReport = { error: new TextDecoder().decode(result.stderr).trim() };
    }
    if (loadReport.ok !== true) {
      // deno-lint-ignore no-console
      console.error(
        `The load generator did not settle every order (exit ${result.code}) ${
          text.slice(0, 1000)
        }${
          new TextDecoder().decode(result.stderr).split("\n").filter((line) =>
            !line.startsWith("[")
          ).join("\n").slice(0, 1000)
        }`,
      );
    }
    let throughput = loadReport.throughput as
      | { messagesPerSecond: number }
      | undefined;
    if (throughput === undefined) {
      // Stopped before its report: the last progress line says what it sent.
      const lines = [
        ...new TextDecoder().decode(result.stderr).matchAll(
          /sent (\d+), answered \d+, ([\d.]+) s(?! \(drain)/g,
        ),
      ];
      const last = lines.at(-1);
      if (last !== undefined) {
        throughput = { messagesPerSecond: Number(last[1]) / Number(last[2]) };
      }
    }
    const report = {
      root,
      load: {
        rate,
        durationS,
        sessions,
        orderbook: values.orderbook,
        achievedPerSecond: Math.round(throughput?.messagesPerSecond ?? NaN),
        ok: loadReport.ok ?? false,
      },
      account: values.account,
      clickToResponseMs: { ...summary(latencies), missing },
      tradeLagMs: summary(measured.lags),
      frameGapMs: {
        ...summary(measured.gaps),
        over200: measured.gaps.filter((gap) => gap > 200).length,
      },
      pageMainThreadPercent: {
        busy: share("TaskDuration"),
        script: share("ScriptDuration"),
        style: share("RecalcStyleDuration"),
        layout: share("LayoutDuration"),
      },
      serverRssMb: { before: rssBefore, after: rssAfter },
    };
    if (values.json) {
      // deno-lint-ignore no-console
      console.log(JSON.stringify(report));
    } else {
      const c = report.clickToResponseMs;
      const l = report.tradeLagMs;
      const f = report.frameGapMs;
      // deno-lint-ignore no-console
      console.log(
        [
          `web bench: server and page from ${root}`,
          `load: ${rate}/s asked, ${report.load.achievedPerSecond}/s sent, ${durationS} s, ${sessions} sessions on ${values.orderbook} (ok: ${report.load.ok}); page logged in as ${values.account}, 1440x900`,
          `click to response (${c.count} clicks): p50 ${c.p50} ms, p95 ${c.p95} ms, max ${c.max} ms, no response ${c.missing}`,
          `trade list lag (${l.count} updates): p50 ${l.p50} ms, p95 ${l.p95} ms, max ${l.max} ms`,
          `frame gaps (${f.count} frames): p50 ${f.p50} ms, p95 ${f.p95} ms, max ${f.max} ms, over 200 ms: ${f.over200}`,
          `page main thread busy: ${report.pageMainThreadPercent.busy}% of a core (script ${report.pageMainThreadPercent.script}%, style ${report.pageMainThreadPercent.style}%, layout ${report.pageMainThreadPercent.layout}%)`,
          `server resident memory: ${rssBefore} MB before the load, ${rssAfter} MB after`,
        ].join("\n"),
      );
    }
  } finally {
    await context.close();
  }
} catch (error) {
  failed = true;
  // deno-lint-ignore no-console
  console.error(error instanceof Error ? error.message : String(error));
} finally {
  try {
    server.kill("SIGTERM");
  } catch {
    // already gone
  }
  await server.status;
  await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
}
if (failed) Deno.exit(1);
