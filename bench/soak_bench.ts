/**
 * Soak benchmark: `ouch server` (journal on, `--fsync interval`, the `server` task's V8 flags)
 * under the load generator at 20,000 messages/s for 10 minutes, its RSS read from
 * `/proc/PID/status` every 10 seconds. The mix (50 % Enter, 40 % Cancel, 10 % Replace, a
 * fifth of the Enters crossing) keeps the open orders about level, so a growing RSS would be
 * the day's messages, not the book.
 *
 * Run: `deno task bench:soak` (10 minutes and a bit). `-- --minutes M`, `-- --rate N`,
 * `-- --root DIR` (another checkout's `main.ts`, for a before/after on the same machine).
 * Prints one line per sample, then one JSON object: the samples, RSS after warm-up (the
 * first minute) and its slope.
 *
 * @module
 */

function flag(name: string, fallback: string): string {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Deno.args[at + 1] ?? fallback : fallback;
}

const MINUTES = Number(flag("minutes", "10"));
const RATE = Number(flag("rate", "20000"));
const ROOT = flag("root", new URL("..", import.meta.url).pathname);
const MAIN = `${ROOT.replace(/\/$/, "")}/main.ts`;
const SAMPLE_MS = 10_000;
const WARM_UP_MS = 60_000;

function rssMb(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(status.match(/VmRSS:\s+(\d+) kB/)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const dir = await Deno.makeTempDir({ prefix: "ouch-soak-" });
const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    "--v8-flags=--max-semi-space-size=64",
    MAIN,
    "server",
    "--port",
    "0",
    "--display",
    "quiet",
    "--no-http",
    "--journal",
    dir,
  ],
  stdin: "null",
  stdout: "piped",
  stderr: "inherit",
  env: { NO_COLOR: "1" },
}).spawn();
const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
let text = "";
while (!/listening on [\d.]+:(\d+)/.test(text)) {
  const { value, done } = await reader.read();
  if (done) throw new Error(`The server exited: ${text}`);
  text += value;
}
const port = text.match(/listening on [\d.]+:(\d+)/)![1]!;
(async () => {
  while (!(await reader.read()).done) { /* drain */ }
})();

const seconds = Math.round(MINUTES * 60);
const load = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    MAIN,
    "client",
    "--port",
    port,
    "--load",
    "--sessions",
    "4",
    "--rate",
    String(RATE),
    "--duration",
    String(seconds),
    "--mix",
    "50:40:10",
    "--cross",
    "20",
    "--json",
  ],
  stdin: "null",
  stdout: "piped",
  stderr: "null",
}).spawn();
const started = Date.now();
const samples: { seconds: number; rssMb: number }[] = [];
const sampling = setInterval(() => {
  const sample = {
    seconds: Math.round((Date.now() - started) / 1000),
    rssMb: Math.round(rssMb(server.pid) * 10) / 10,
  };
  samples.push(sample);
  // deno-lint-ignore no-console
  console.log(`t=${sample.seconds}s rss=${sample.rssMb} MB`);
}, SAMPLE_MS);
const output = await load.output();
clearInterval(sampling);
const report = new TextDecoder().decode(output.stdout).trim();
server.kill("SIGTERM");
await server.status;
await Deno.remove(dir, { recursive: true });

const after = samples.filter((s) => s.seconds * 1000 >= WARM_UP_MS);
const first = after[0];
const last = after.at(-1);
let sent: unknown = undefined;
try {
  const parsed = JSON.parse(report.split("\n").at(-1) ?? "{}");
  sent = parsed.sent ?? parsed.throughput ?? parsed;
} catch {
  sent = report.slice(-500);
}
// deno-lint-ignore no-console
console.log(JSON.stringify({
  main: MAIN,
  minutes: MINUTES,
  rate: RATE,
  samples,
  afterWarmUp: first === undefined || last === undefined ? null : {
    fromMb: first.rssMb,
    toMb: last.rssMb,
    minMb: Math.min(...after.map((s) => s.rssMb)),
    maxMb: Math.max(...after.map((s) => s.rssMb)),
    mbPerMinute: last.seconds === first.seconds
      ? 0
      : (last.rssMb - first.rssMb) / ((last.seconds - first.seconds) / 60),
  },
  load: sent,
}));
