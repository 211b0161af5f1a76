/**
 * The `client` subcommand (`deno task client`): replays a scenario file, validates one
 * with `--dry-run`, trades at an interactive prompt, or generates load.
 *
 * @module
 */
import { PROTOCOL_VERSIONS, type ProtocolVersion } from "../codec/messages.ts";
import { choiceFlag, integerFlag, parseFlags } from "../cli/flags.ts";
import { commandLine, currentStart } from "../cli/invocation.ts";
import { UsageError } from "../cli/usage_error.ts";
import {
  AccountError,
  DEMO_PASSWORD,
  parseUser,
} from "../accounts/accounts.ts";
import { readUsersFile } from "../cli/users_file.ts";
import {
  type ClientIo,
  type ClientOutput,
  CONSOLE_OUTPUT,
  consoleIo,
  EXIT_INTERRUPTED,
  interruptible,
} from "./client_io.ts";
import { dryRun } from "./dry_run.ts";
import { type LoadAccount, type LoadMix, runLoad } from "./load.ts";
import { formatLoadReport, renderProgress } from "./load_report.ts";
import { type HostAddress, parseHosts } from "./hosts.ts";
import { runSession } from "./run_session.ts";
import { parseScenario, ScenarioError } from "./scenario.ts";

export type { ClientIo, ClientOutput } from "./client_io.ts";

/** The default server port, as the server uses. */
export const DEFAULT_PORT = 15000;

/** The file URL of `main.ts`, the program's entry point. */
const MAIN_MODULE = new URL("../../main.ts", import.meta.url).href;

/**
 * The client's `--help` text.
 *
 * @param client The command line that runs the client, e.g. `deno task client`.
 * @param server The command line that runs the server, e.g. `deno task server`.
 * @returns The text.
 *
 * @example Under `deno task client`
 * ```ts
 * import { clientHelp } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * const help = clientHelp("deno task client", "deno task server");
 * assert.match(help, /^Usage: deno task client \[FILE\] \[flags\]\n/);
 * ```
 */
export function clientHelp(client: string, server: string): string {
  return `Usage: ${client} [FILE] [flags]
       ${client} --load [flags]

Talks JNX OUCH over SoupBinTCP 3.00 to an exchange: by default the one "${server}"
starts on this machine, logged in as demo1/demo.

  ${client} FILE
      replay a scenario: show the next action, send it on Enter
  ${client} FILE --auto
      replay a scenario without waiting for keys
  ${client}
      trade at an interactive prompt (type "help" there)
  ${client} --dry-run FILE
      validate a scenario file and show every packet, send nothing
  ${client} --load
      generate load and report throughput, latency and outcomes
  ${client} --itch
      read the ITCH market-data feed and rebuild the books (--itch --help for its flags)

Connection:
  --host HOST             server address (default 127.0.0.1)
  --port PORT[,PORT...]   server port (default ${DEFAULT_PORT}); several ports are mirrored
                          OUCH hosts of the account on HOST (see below)
  --hosts HOST:PORT,...   mirrored OUCH hosts on several addresses, instead of --host and
                          --port, e.g. --hosts 127.0.0.1:15000,127.0.0.1:15010
  --user NAME             account (default demo1); with --load, repeatable
  --password PASS         password (default demo); with --load, repeatable, one per --user
                          or one for all
  --protocol 1.12|1.11    OUCH version: Orderbook ID as Alpha (1.12) or uint32 (1.11) (default 1.12)
  --show-replay           print every message the login replays (the account's messages of
                          the day so far) instead of one line that sums them up
                          (at the prompt a replay of at most 20 messages is printed)
  If the connection drops the client reconnects (100 ms, doubling to 5 s) and asks for the
  next message it expects, so nothing is missed or shown twice. With mirrored hosts (JNX
  section 3) it logs in to the first that answers and moves to the next one in the list at
  each lost connection. After every reconnect it sends again each message the server has
  not answered yet (JNX section 6: the token rules make a repeat harmless), so an order
  sent just before a cut is neither lost nor entered twice. The scenario replay, the
  prompt and --load all do this.

Scenario replay:
  --auto                  send every action without waiting for Enter
  --interval MS           with --auto, the shortest pause between two sends (default 0)
  --wait MS               how long to wait for an action's expected messages, the silence an
                          action expecting "none" needs, and the wait after the last action
                          (default 1000); extra messages are caught for 50 ms more
  --raw-tokens            send the file's tokens as written; by default every token is moved
                          above the account's highest token today (learned at login), so that
                          a file runs again and again on the same trading day
  --json                  one JSON object per line (sent, received, result, summary) instead
                          of aligned text
  --stay                  stay at the interactive prompt after the last action
  --dry-run               validate FILE and print one line per action: index, type, fields, and
                          the SoupBinTCP Unsequenced Data packet in hex; nothing is sent.
                          Fields go on the wire as written: a Replace's quantity is the total
                          of the order chain (the open quantity wanted plus what already
                          executed), a Cancel's quantity is ignored by the exchange
  Actions with "expect" are checked: a PASS/FAIL line per action and a summary at the end;
  the exit code is 1 if any expectation failed or the login was refused. "q" at the Enter
  prompt stops sending (the actions left are "not sent", not failures); Ctrl-C stops too,
  prints the results so far, logs out and exits with 130.

Load generator:
  --load                  generate load instead of replaying or prompting (flags below)
  --sessions S            sessions, one account each (default: the number of --user flags,
                          or 4 demo accounts demo1..demoS)
  --users FILE            accounts, one NAME:PASS per line, # comments
  --count N               messages to send over all sessions (default 10000)
  --duration SEC          send for SEC seconds instead of a count
  --rate N                messages per second over all sessions; 0 = as fast as the window
                          allows (default 0)
  --window N              most unanswered Enter Orders per session (default 1000)
  --mix E:C:R             percentages of Enter, Cancel and Replace (default 90:7:3)
  --cross PCT             percentage of Enter Orders that cross (Immediate) (default 10)
  --orderbook ID          orderbook to trade (default 7203)
  --seed N                seed of the random choices (default 1)
  --json                  print the report as one JSON object
  The report gives throughput, round-trip latency percentiles (Enter written to its Accepted
  or Rejected read) with a histogram, and checks that every order got exactly one final
  outcome; the exit code is 1 if not. Orders still resting at the end are canceled.
  Ctrl-C stops sending early, then does the same and prints the report so far, marked as
  interrupted; the exit code is then 130.

  -h, --help              show this help`;
}

const FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
  hosts: { type: "string" },
  user: { type: "string", multiple: true },
  password: { type: "string", multiple: true },
  users: { type: "string" },
  protocol: { type: "string" },
  auto: { type: "boolean" },
  interval: { type: "string" },
  wait: { type: "string" },
  json: { type: "boolean" },
  stay: { type: "boolean" },
  "dry-run": { type: "boolean" },
  "raw-tokens": { type: "boolean" },
  "show-replay": { type: "boolean" },
  load: { type: "boolean" },
  sessions: { type: "string" },
  count: { type: "string" },
  duration: { type: "string" },
  rate: { type: "string" },
  window: { type: "string" },
  mix: { type: "string" },
  cross: { type: "string" },
  orderbook: { type: "string" },
  seed: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const LOAD_FLAGS = [
  "sessions",
  "users",
  "count",
  "duration",
  "rate",
  "window",
  "mix",
  "cross",
  "orderbook",
  "seed",
] as const;
const REPLAY_FLAGS = [
  "auto",
  "interval",
  "wait",
  "stay",
  "dry-run",
  "raw-tokens",
  "show-replay",
] as const;
const MAX_MS = 3_600_000;

/**
 * Runs the client.
 *
 * @param args The arguments after `client`.
 * @param output Where lines are written; by default the process's standard output and
 * error.
 * @param io The input, terminal and colour settings. When neither `output` nor `io` is
 * given the run owns the process's console: its terminal (raw-mode line editing, colour,
 * the progress bar) when it is one, and Ctrl-C. Otherwise a plain pipe without colour.
 * @returns The exit code: 0 on success, 1 when the scenario is refused, an expectation
 * fails, the login is refused, the connection fails or the load check finds a violation,
 * 130 when Ctrl-C stopped a replay, the prompt or a load run.
 * @throws {UsageError} For a bad command line.
 */
export async function run(
  args: string[],
  output?: ClientOutput,
  io?: ClientIo,
): Promise<number> {
  const processConsole = output === undefined && io === undefined;
  const lines = output ?? CONSOLE_OUTPUT;
  const terminal = io ?? (processConsole ? consoleIo() : {});
  if (args.includes("--itch")) {
    return (await import("./itch_client.ts")).runItchClient(
      args,
      lines,
      terminal,
    );
  }
  const { values, positionals } = parseFlags(args, FLAGS);
  if (values.help === true) {
    const start = currentStart(MAIN_MODULE);
    lines.out(
      clientHelp(commandLine(start, "client"), commandLine(start, "server")),
    );
    return 0;
  }
  const version = choiceFlag(
    "protocol",
    values.protocol,
    PROTOCOL_VERSIONS as [ProtocolVersion, ...ProtocolVersion[]],
  );
  if (positionals.length > 1) {
    throw new UsageError(
      `Cannot use ${positionals.length} files: give at most one scenario`,
    );
  }
  const file = positionals[0];
  let hosts: HostAddress[];
  try {
    hosts = parseHosts({
      host: values.host as string | undefined,
      port: values.port as string | undefined,
      hosts: values.hosts as string | undefined,
    }, { hostname: "127.0.0.1", port: DEFAULT_PORT });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
  const users = (values.user ?? []) as string[];
  const passwords = (values.password ?? []) as string[];

  if (values.load === true) {
    for (const name of REPLAY_FLAGS) {
      if (values[name] !== undefined) {
        throw new UsageError(`Cannot use --${name} with --load`);
      }
    }
    if (file !== undefined) {
      throw new UsageError(
        `Cannot use a scenario file "${file}" with --load`,
      );
    }
    return await runLoadCommand(values, {
      hosts,
      version,
      users,
      passwords,
      output: lines,
      io: terminal,
      processConsole,
    });
  }
  for (const name of LOAD_FLAGS) {
    if (values[name] !== undefined) {
      throw new UsageError(`Cannot use --${name} without --load`);
    }
  }

  if (values["dry-run"] === true) {
    if (file === undefined) {
      throw new UsageError("Cannot use --dry-run without a FILE");
    }
    const scenario = await readScenario(file, version, lines);
    if (scenario === undefined) return 1;
    for (const line of dryRun(scenario, { version })) lines.out(line);
    return 0;
  }
  if (file === undefined) {
    for (const name of ["auto", "interval", "stay", "raw-tokens"] as const) {
      if (values[name] !== undefined) {
        throw new UsageError(`Cannot use --${name} without a scenario FILE`);
      }
    }
  }
  if (values.interval !== undefined && values.auto !== true) {
    throw new UsageError("Cannot use --interval without --auto");
  }
  if (users.length > 1 || passwords.length > 1) {
    throw new UsageError(
      "Cannot give --user or --password more than once without --load",
    );
  }
  const scenario = file === undefined
    ? undefined
    : await readScenario(file, version, lines);
  if (file !== undefined && scenario === undefined) return 1;
  return await runSession({
    hosts,
    version,
    username: users[0] ?? "demo1",
    password: passwords[0] ?? DEMO_PASSWORD,
    scenario,
    auto: values.auto === true,
    stay: values.stay === true,
    json: values.json === true,
    intervalMs: integerFlag("interval", values.interval, 0, {
      min: 0,
      max: MAX_MS,
    }),
    waitMs: integerFlag("wait", values.wait, 1000, { min: 0, max: MAX_MS }),
    rawTokens: values["raw-tokens"] === true,
    showReplay: values["show-replay"] === true,
    output: lines,
    io: terminal,
    processConsole,
  });
}

/**
 * Reads and validates a scenario file, printing its problems one per line.
 *
 * @param path The file.
 * @param version The protocol version to check the messages against.
 * @param output Where problems are written.
 * @returns The scenario, or `undefined` when it was refused.
 * @throws {UsageError} When the file cannot be read.
 */
export async function readScenario(
  path: string,
  version: ProtocolVersion,
  output: ClientOutput,
): Promise<ReturnType<typeof parseScenario> | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read scenario "${path}": ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  try {
    return parseScenario(text, { version });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    output.err(`${path}: refused, nothing was sent:`);
    for (const problem of error.problems) output.err(`  ${problem}`);
    return undefined;
  }
}

interface LoadRun {
  hosts: HostAddress[];
  version: ProtocolVersion;
  users: string[];
  passwords: string[];
  output: ClientOutput;
  io: ClientIo;
  processConsole: boolean;
}

async function runLoadCommand(
  values: Record<string, unknown>,
  config: LoadRun,
): Promise<number> {
  const { output, io } = config;
  const accounts = await loadAccounts(values, config);
  const duration = values.duration === undefined
    ? undefined
    : integerFlag("duration", values.duration, 0, { min: 1, max: 86400 });
  if (duration !== undefined && values.count !== undefined) {
    throw new UsageError("Cannot use --count with --duration");
  }
  const count = integerFlag("count", values.count, 10000, {
    min: 1,
    max: 1_000_000_000,
  });
  const rate = integerFlag("rate", values.rate, 0, {
    min: 0,
    max: 100_000_000,
  });
  const window = integerFlag("window", values.window, 1000, {
    min: 1,
    max: 1_000_000,
  });
  const crossPercent = integerFlag("cross", values.cross, 10, {
    min: 0,
    max: 100,
  });
  const seed = integerFlag("seed", values.seed, 1, {
    min: 0,
    max: 0xffffffff,
  });
  const mix = parseMix(values.mix);
  const orderbookId = String(values.orderbook ?? "7203");
  if (
    config.version === "1.12"
      ? !/^[\x21-\x7e]{1,4}$/.test(orderbookId)
      : !/^(0|[1-9]\d{0,9})$/.test(orderbookId)
  ) {
    throw new UsageError(
      `Cannot use --orderbook "${orderbookId}": it must be 1 to 4 characters${
        config.version === "1.11" ? " and a number under --protocol 1.11" : ""
      }`,
    );
  }
  const json = values.json === true;
  const color = !json && (io.color ?? false);
  const write = io.write;
  let lastLine = 0;
  const progress = (p: Parameters<typeof renderProgress>[0]) => {
    if (write !== undefined) {
      write(`\r\x1b[2K${renderProgress(p)}`);
    } else if (p.elapsedMs - lastLine >= 1000) {
      lastLine = p.elapsedMs;
      output.err(renderProgress(p));
    }
  };
  const interrupt = interruptible(config.processConsole, io.signal);
  let report;
  try {
    report = await runLoad({
      hosts: config.hosts,
      accounts,
      version: config.version,
      ...(duration === undefined ? { count } : { durationMs: duration * 1000 }),
      rate,
      window,
      mix,
      crossPercent,
      orderbookId,
      seed,
      progress,
      signal: interrupt.signal,
    });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    output.err(
      `Cannot run the load: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
    return 1;
  } finally {
    interrupt.release();
    if (write !== undefined) write("\r\x1b[2K");
  }
  if (json) {
    output.out(JSON.stringify(report));
  } else {
    for (const line of formatLoadReport(report, { color })) output.out(line);
  }
  return report.interrupted ? EXIT_INTERRUPTED : report.ok ? 0 : 1;
}

async function loadAccounts(
  values: Record<string, unknown>,
  config: LoadRun,
): Promise<LoadAccount[]> {
  const accounts: LoadAccount[] = [];
  const { users, passwords } = config;
  if (values.users !== undefined) {
    if (users.length > 0) {
      throw new UsageError("Cannot use --users with --user");
    }
    for (
      const [username, password] of await readUsersFile(String(values.users))
    ) {
      accounts.push({ username, password });
    }
  } else if (users.length > 0) {
    if (passwords.length > 1 && passwords.length !== users.length) {
      throw new UsageError(
        `Cannot pair ${users.length} --user with ${passwords.length} --password: give one password, or one per user`,
      );
    }
    for (const [i, username] of users.entries()) {
      const password = passwords[i] ?? passwords[0] ?? DEMO_PASSWORD;
      try {
        parseUser(`${username}:${password}`, "--user");
      } catch (error) {
        if (error instanceof AccountError) throw new UsageError(error.message);
        throw error;
      }
      accounts.push({ username, password });
    }
  }
  const sessions = values.sessions === undefined
    ? undefined
    : integerFlag("sessions", values.sessions, 4, { min: 1, max: 1000 });
  if (accounts.length === 0) {
    const count = sessions ?? 4;
    for (let i = 1; i <= count; i++) {
      accounts.push({
        username: `demo${i}`,
        password: passwords[0] ?? DEMO_PASSWORD,
      });
    }
    return accounts;
  }
  if (sessions !== undefined) {
    if (sessions > accounts.length) {
      throw new UsageError(
        `Cannot run ${sessions} sessions with ${accounts.length} accounts: give one account per session`,
      );
    }
    return accounts.slice(0, sessions);
  }
  return accounts;
}

function parseMix(value: unknown): LoadMix {
  if (value === undefined) return { enter: 90, cancel: 7, replace: 3 };
  const text = String(value);
  const match = /^(\d+):(\d+):(\d+)$/.exec(text);
  const [enter, cancel, replace] = match === null
    ? []
    : match.slice(1).map(Number);
  if (
    enter === undefined || cancel === undefined || replace === undefined ||
    enter + cancel + replace !== 100 || enter === 0
  ) {
    throw new UsageError(
      `Cannot use --mix "${text}": give ENTER:CANCEL:REPLACE percentages that add up to 100, with ENTER above 0`,
    );
  }
  return { enter, cancel, replace };
}
