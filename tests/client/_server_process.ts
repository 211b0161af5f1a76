/**
 * Test helper: a real `ouch server` process on 127.0.0.1 port 0, without journal, web page
 * or display.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A running server process. */
export interface ServerProcess {
  /** The port it listens on. */
  readonly port: number;
  /** Stops it (SIGTERM) and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts `main.ts server --port 0 --no-journal --no-http --display quiet` plus `flags` and
 * reads the port from its first line.
 *
 * @param flags Extra server flags, e.g. `["--closed"]`.
 * @returns The running server.
 */
export async function startServerProcess(
  flags: readonly string[] = [],
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "server",
      "--port",
      "0",
      "--no-journal",
      "--no-http",
      "--display",
      "quiet",
      ...flags,
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let port: number | undefined;
  while (port === undefined) {
    const { value, done } = await lines.read();
    if (done) break;
    text += value;
    const match = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
    if (match !== null) port = Number(match[1]);
  }
  // Keep reading both pipes so that the server never blocks on a full one.
  const draining = Promise.all([
    (async () => {
      while (!(await lines.read()).done) { /* discard */ }
    })(),
    child.stderr.pipeTo(new WritableStream()),
  ]);
  if (port === undefined) {
    child.kill("SIGKILL");
    await child.status;
    await draining;
    throw new Error(`The server did not start: ${text}`);
  }
  return {
    port,
    async close() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
      await child.status;
      await draining;
    },
  };
}
