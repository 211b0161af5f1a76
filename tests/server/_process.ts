/**
 * Test helper: runs `ouch server` as a child process and reads its output.
 *
 * @module
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A server process started by {@linkcode spawnServer}. */
export interface ServerProcess {
  /** The SoupBinTCP port from its startup line. */
  port: number;
  /** Everything it printed so far, standard output and error together. */
  output(): string;
  /** Sends a signal (none with `null`) and waits for the exit status. */
  stop(signal?: Deno.Signal | null): Promise<Deno.CommandStatus>;
  /** Waits until the output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Types a line at the console (only with `{ console: true }`). */
  type(line: string): Promise<void>;
  /** Sends a signal without waiting for an exit (e.g. `SIGSTOP`, `SIGCONT`). */
  signal(signal: Deno.Signal): void;
  /** Its exit status once it exited, else `undefined`. */
  readonly status: Deno.CommandStatus | undefined;
}

/**
 * Starts `deno run -A main.ts server --port 0 --display quiet --no-http ARGS` with standard
 * input closed, and waits for its listening line. `nofile` runs it under `prlimit` with that
 * many file descriptors at most.
 */
export async function spawnServer(
  args: string[],
  options: {
    cwd?: string;
    console?: boolean;
    nofile?: number;
    /** Serve the web page on 127.0.0.1 at this port instead of `--no-http`. */
    http?: number;
    /** What comes before `ARGS` instead of `server --port 0 --display quiet --no-http`. */
    command?: string[];
    /** The line that says it is up, when not a listening line (then `port` is 0). */
    ready?: RegExp;
  } = {},
): Promise<ServerProcess> {
  const cwd = options.cwd;
  const limit = options.nofile === undefined
    ? []
    : [`--nofile=${options.nofile}`, Deno.execPath()];
  const command = options.command ?? [
    "server",
    "--port",
    "0",
    "--display",
    "quiet",
    ...(options.http === undefined
      ? ["--no-http"]
      : ["--http", `127.0.0.1:${options.http}`]),
  ];
  const child = new Deno.Command(
    limit.length > 0 ? "prlimit" : Deno.execPath(),
    {
      args: [...limit, "run", "-A", MAIN, ...command, ...args],
      stdin: options.console === true ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
      ...(cwd === undefined ? {} : { cwd }),
    },
  ).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
    }
  };
  const pumping = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let status: Deno.CommandStatus | undefined;
  const exited = child.status.then((s) => status = s);
  const waitFor = async (
    pattern: RegExp,
    timeoutMs = 20_000,
  ): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const match = text.match(pattern);
      if (match !== null) return match[0];
      if (status !== undefined || Date.now() > deadline) {
        throw new Error(`Server output never matched ${pattern}:\n${text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const writer = options.console === true ? child.stdin.getWriter() : undefined;
  const type = async (line: string) => {
    if (writer === undefined) {
      throw new TypeError("Cannot type: the console is not piped");
    }
    await writer.write(new TextEncoder().encode(line + "\n"));
  };
  const stop = async (signal: Deno.Signal | null = "SIGTERM") => {
    await writer?.close().catch(() => {});
    if (status === undefined && signal !== null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
    await exited;
    await pumping;
    return status!;
  };
  let port = 0;
  try {
    if (options.ready !== undefined) {
      await waitFor(options.ready);
    } else {
      const line = await waitFor(/listening on 127\.0\.0\.1:(\d+)/);
      port = Number(line.split(":").pop());
    }
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  return {
    port,
    output: () => text,
    stop,
    waitFor,
    type,
    signal: (signal) => child.kill(signal),
    get status() {
      return status;
    },
  };
}

/** Runs `deno run -A main.ts ARGS` to completion. */
export async function runMain(
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}
