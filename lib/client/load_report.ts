/**
 * Text for the load generator: the progress bar while it runs and the report at the end.
 * No I/O.
 *
 * @module
 */

import pc from "picocolors";
import { formatDuration, renderHistogram } from "./latency.ts";
import type { LoadProgress, LoadReport } from "./load_generator.ts";

/** The sentence the report ends with when the outcome check passed. */
export const OUTCOMES_OK = "every order got exactly one final outcome";

/** The line after the first one of a report of an interrupted run. */
export const INTERRUPTED_LINE =
  "INTERRUPTED (Ctrl-C): sending stopped early; this is the report so far, and what was still resting was canceled";

/**
 * Draws one line of progress: a bar of `width` cells, the percentage, messages sent,
 * Enter Orders answered and the elapsed time.
 *
 * @param progress Where the run is.
 * @param width The number of cells of the bar.
 * @returns The line, without a newline.
 *
 * @example Half way
 * ```ts
 * import { renderProgress } from "./load_report.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   renderProgress({ elapsedMs: 1500, sent: 500, answered: 480, fraction: 0.5, phase: "run" }, 10),
 *   "[#####.....]  50% sent 500, answered 480, 1.50 s",
 * );
 * ```
 */
export function renderProgress(progress: LoadProgress, width = 30): string {
  const filled = Math.round(
    Math.min(1, Math.max(0, progress.fraction)) * width,
  );
  const bar = "#".repeat(filled) + ".".repeat(width - filled);
  const percent = `${Math.floor(progress.fraction * 100)}%`.padStart(4);
  return `[${bar}] ${percent} sent ${progress.sent}, answered ${progress.answered}, ${
    formatDuration(progress.elapsedMs)
  }${progress.phase === "drain" ? " (draining)" : ""}`;
}

/**
 * Writes a load report as text: sessions, what was sent and received, throughput, latency
 * percentiles, the latency histogram, the outcome counts, and either
 * {@linkcode OUTCOMES_OK} or the violations and errors. An interrupted run gets
 * {@linkcode INTERRUPTED_LINE} second.
 *
 * @param report The report of `runLoad`.
 * @param options Whether to colour the verdict.
 * @returns The lines.
 *
 * @example The verdict line
 * ```ts
 * import { formatLoadReport, OUTCOMES_OK } from "./load_report.ts";
 * import assert from "node:assert/strict";
 *
 * const report = {
 *   sessions: 1, accounts: ["demo1"], runMs: 1000, totalMs: 1100, interrupted: false,
 *   sent: { enter: 10, cancel: 0, replace: 0, total: 10, cleanup: 10 },
 *   received: { accepted: 10, rejected: 0, replaced: 0, canceled: 10, aiqCanceled: 0, executed: 0, systemEvent: 0, history: 0, total: 20 },
 *   throughput: { messagesPerSecond: 10, entersPerSecond: 10 },
 *   latency: { count: 10, min: 0.1, mean: 0.1, p50: 0.1, p90: 0.1, p99: 0.1, p999: 0.1, max: 0.1 },
 *   histogram: [{ fromMs: 0.064, toMs: 0.128, count: 10 }],
 *   outcomes: { entered: 10, accepted: 10, rejected: 0, unanswered: 0, executed: 0, canceled: { U: 10 }, aiqCanceled: 0, replacedToZero: 0, deadOnArrival: 0, open: 0, violationCount: 0, violations: [] },
 *   errors: [], failovers: [], ok: true,
 * };
 * const lines = formatLoadReport(report);
 * assert.equal(lines.at(-1), OUTCOMES_OK);
 * ```
 */
export function formatLoadReport(
  report: LoadReport,
  options: { color?: boolean } = {},
): string[] {
  const c = pc.createColors(options.color ?? false);
  const { sent, received, latency, outcomes } = report;
  const canceled = Object.entries(outcomes.canceled)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, count]) => `${reason} ${count}`).join(", ");
  const canceledTotal = Object.values(outcomes.canceled).reduce(
    (sum, count) => sum + count,
    0,
  );
  const lines = [
    `load: ${report.sessions} session${report.sessions === 1 ? "" : "s"} (${
      report.accounts.join(", ")
    }), ${sent.total} messages in ${formatDuration(report.runMs)} (${
      formatDuration(report.totalMs)
    } with login and drain)`,
    ...(report.interrupted ? [c.yellow(INTERRUPTED_LINE)] : []),
    `sent:       ${sent.enter} enter, ${sent.cancel} cancel, ${sent.replace} replace; ${sent.cleanup} cleanup cancels at the end`,
    `received:   ${received.accepted} accepted, ${received.rejected} rejected, ${received.replaced} replaced, ${received.executed} executed, ${received.canceled} canceled, ${received.aiqCanceled} aiq-canceled, ${received.systemEvent} system events${
      received.history > 0 ? `, ${received.history} from earlier runs` : ""
    }`,
    `throughput: ${
      Math.round(report.throughput.messagesPerSecond)
    } messages/s, ${Math.round(report.throughput.entersPerSecond)} enters/s`,
    `latency:    Enter → Accepted/Rejected, ${latency.count} round trips: p50 ${
      formatDuration(latency.p50)
    }, p90 ${formatDuration(latency.p90)}, p99 ${
      formatDuration(latency.p99)
    }, p99.9 ${formatDuration(latency.p999)}, max ${
      formatDuration(latency.max)
    }`,
    ...renderHistogram(report.histogram).map((line) => `  ${line}`),
    `outcomes:   ${outcomes.entered} entered: ${outcomes.accepted} accepted, ${outcomes.rejected} rejected, ${outcomes.unanswered} unanswered; accepted orders ended ${outcomes.executed} executed, ${canceledTotal} canceled${
      canceled === "" ? "" : ` (${canceled})`
    }, ${outcomes.aiqCanceled} aiq-canceled, ${outcomes.replacedToZero} replaced to zero, ${outcomes.deadOnArrival} dead on arrival; ${outcomes.open} still open`,
  ];
  for (const failover of report.failovers) {
    lines.push(c.yellow(`fail-over: ${failover}`));
  }
  for (const error of report.errors) lines.push(c.red(`error: ${error}`));
  if (outcomes.violationCount > 0) {
    lines.push(
      c.red(
        `VIOLATIONS: ${outcomes.violationCount} (the first ${outcomes.violations.length} below)`,
      ),
    );
    for (const violation of outcomes.violations) {
      lines.push(c.red(`  ${violation}`));
    }
  } else if (report.errors.length === 0) {
    lines.push(c.green(OUTCOMES_OK));
  }
  return lines;
}
