import assert from "node:assert/strict";
import { INTERRUPTED_LINE, OUTCOMES_OK } from "../../lib/client/load_report.ts";
import { startServerProcess } from "./_server_process.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

Deno.test("client --load stopped by a real SIGINT cancels what rests, prints the report so far and exits 130 (issue #12 item 9)", async () => {
  const server = await startServerProcess();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "client",
        "--load",
        "--port",
        String(server.port),
        "--sessions",
        "2",
        "--duration",
        "600",
        "--rate",
        "2000",
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const decoder = new TextDecoder();
    let stdout = "";
    let stderr = "";
    const reading = Promise.all([
      (async () => {
        for await (const chunk of child.stdout) {
          stdout += decoder.decode(chunk, { stream: true });
        }
      })(),
      (async () => {
        for await (const chunk of child.stderr) {
          stderr += decoder.decode(chunk, { stream: true });
        }
      })(),
    ]);
    // Without a terminal the progress goes to standard error once a second: the run is on.
    const deadline = Date.now() + 30_000;
    while (!/sent [1-9]\d*, answered/.test(stderr)) {
      assert.ok(Date.now() < deadline, `no progress line:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill("SIGINT");
    const status = await child.status;
    await reading;
    const lines = stdout.trimEnd().split("\n");
    assert.equal(status.code, 130, `${stdout}\n${stderr}`);
    assert.match(lines[0]!, /^load: 2 sessions \(demo1, demo2\), \d+ messages/);
    assert.equal(lines[1], INTERRUPTED_LINE);
    const sent = Number(/, (\d+) messages in /.exec(lines[0]!)![1]);
    assert.ok(sent > 0 && sent < 600 * 2000, `sent ${sent}`);
    const cleanup = Number(/; (\d+) cleanup cancels/.exec(stdout)?.[1]);
    assert.ok(cleanup > 0, `the resting orders were canceled:\n${stdout}`);
    assert.match(stdout, /; 0 still open/);
    assert.equal(lines.at(-1), OUTCOMES_OK);
  } finally {
    await server.close();
  }
});
