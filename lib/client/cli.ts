/**
 * `ouch client`: replays a scenario file, validates one with `--dry-run`, trades at an
 * interactive prompt, or generates load.
 *
 * @module
 */
import { PROTOCOL_VERSIONS, type ProtocolVersion } from "../codec/messages.ts";
import { choiceFlag, integerFlag, parseFlags } from "../cli/flags.ts";
import { UsageError } from "../cli/usage_error.ts";
import { AccountError, DEMO_PASSWORD, parseUser } from "../server/accounts.ts";
import { readUsersFile } from "../cli/users_file.ts";
import { type ConnectionEnd, OuchConnection } from "./connection.ts";
import { dryRun } from "./dry_run.ts";
import { InputReader, readEditedLine } from "./input.ts";
import { LineEditor } from "./line_editor.ts";
import { type LoadAccount, type LoadMix, runLoad } from "./load.ts";
import { formatLoadReport, renderProgress } from "./load_report.ts";
import { waitDecision } from "./attribution.ts";
import { OrderTracker } from "./order_tracker.ts";
import { Printer } from "./printer.ts";
import { runPrompt } from "./prompt.ts";
import { ScenarioReplay } from "./replay.ts";
import { parseScenario, ScenarioError } from "./scenario.ts";

/** The default server port, as `ouch server` uses. */
export const DEFAULT_PORT = 15000;

/** `ouch client --help`. */
export const CLIENT_HELP = `Usage: ouch client [FILE] [flags]
       ouch client --load [flags]

Talks JNX OUCH over SoupBinTCP 3.00 to an exchange (by default "ouch server" on this machine,
logged in as demo1/demo).

  ouch client FILE                replay a scenario: show the next action, send it on Enter
  ouch client FILE --auto         replay a scenario without waiting for keys
  ouch client                     trade at an interactive prompt (type "help" there)
  ouch client --dry-run FILE      validate a scenario file and show every packet, send nothing
  ouch client --load              generate load and report throughput, latency and outcomes

Connection:
  --host HOST             server address (default 127.0.0.1)
  --port PORT             server port (default ${DEFAULT_PORT})
  --user NAME             account (default demo1); with --load, repeatable
  --password PASS         password (default demo); with --load, repeatable, one per --user
                          or one for all
  --protocol 1.12|1.11    OUCH version: Orderbook ID as Alpha (1.12) or uint32 (1.11) (default 1.12)
  If the connection drops the client reconnects (100 ms, doubling to 5 s) and asks for the
  next message it expects, so nothing is missed or shown twice.

Scenario replay:
  --auto                  send every action without waiting for Enter
  --interval MS           with --auto, the shortest pause between two sends (default 0)
  --wait MS               how long to wait for an action's expected messages, the silence an
                          action expecting "none" needs, and the wait after the last action
                          (default 1000); extra messages are caught for 50 ms more
  --json                  one JSON object per line (sent, received, result, summary) instead
                          of aligned text
  --stay                  stay at the interactive prompt after the last action
  --dry-run               validate FILE and print one line per action: index, type, fields, and
                          the SoupBinTCP Unsequenced Data packet in hex; nothing is sent
  Actions with "expect" are checked: a PASS/FAIL line per action and a summary at the end;
  the exit code is 1 if any expectation failed or the login was refused.

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

  -h, --help              show this help`;

const FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
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
const REPLAY_FLAGS = ["auto", "interval", "wait", "stay", "dry-run"] as const;
const PROMPT = "ouch> ";
/** Quiet time after the last message before the next step. */
const SETTLE_MS = 50;
const MAX_MS = 3_600_000;

/** Where the client writes: standard output and standard error, line by line. */
export interface ClientOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The client's terminal, for tests and embedding; by default the process's own. */
export interface ClientIo {
  /** Commands for the prompt and Enter presses for a replay. @default {Deno.stdin.readable} */
  input?: ReadableStream<Uint8Array>;
  /** Edit lines in raw mode with history (the input must be the terminal). @default {false} */
  terminal?: boolean;
  /** Colour the output. @default {false} */
  color?: boolean;
  /** Writes text as-is (line editing, the progress bar); without it they are left out. */
  write?: (text: string) => void;
  /** Stops a replay or a load run early, as Ctrl-C does. */
  signal?: AbortSignal;
}

const CONSOLE_OUTPUT: ClientOutput = {
  // deno-lint-ignore no-console
  out: (line) => console.log(line),
  // deno-lint-ignore no-console
  err: (line) => console.error(line),
};

const encoder = new TextEncoder();

function consoleIo(): ClientIo {
  const terminal = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  const io: ClientIo = {
    terminal,
    color: Deno.stdout.isTerminal() && !Deno.noColor,
  };
  if (Deno.stdout.isTerminal()) {
    io.write = (text) => {
      const bytes = encoder.encode(text);
      let at = 0;
      while (at < bytes.length) {
        at += Deno.stdout.writeSync(bytes.subarray(at));
      }
    };
  }
  return io;
}

/**
 * Runs `ouch client`.
 *
 * @param args The arguments after `client`.
 * @param output Where lines are written.
 * @param io The input, terminal and colour settings; the process's own when `output` is
 * the console and `io` is not given, otherwise a plain pipe without colour.
 * @returns The exit code: 0 on success, 1 when the scenario is refused, an expectation
 * fails, the login is refused, the connection fails or the load check finds a violation.
 * @throws {UsageError} For a bad command line.
 */
export async function run(
  args: string[],
  output: ClientOutput = CONSOLE_OUTPUT,
  io?: ClientIo,
): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (values.help === true) {
    output.out(CLIENT_HELP);
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
  const host = String(values.host ?? "127.0.0.1");
  const port = integerFlag("port", values.port, DEFAULT_PORT, {
    min: 1,
    max: 65535,
  });
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
      host,
      port,
      version,
      users,
      passwords,
      output,
      io: io ?? (output === CONSOLE_OUTPUT ? consoleIo() : {}),
      isConsole: io === undefined && output === CONSOLE_OUTPUT,
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
    const scenario = await readScenario(file, version, output);
    if (scenario === undefined) return 1;
    for (const line of dryRun(scenario, { version })) output.out(line);
    return 0;
  }
  if (file === undefined) {
    for (const name of ["auto", "interval", "stay"] as const) {
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
    : await readScenario(file, version, output);
  if (file !== undefined && scenario === undefined) return 1;
  return await runSession({
    host,
    port,
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
    output,
    io: io ?? (output === CONSOLE_OUTPUT ? consoleIo() : {}),
    isConsole: io === undefined && output === CONSOLE_OUTPUT,
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

interface SessionRun {
  host: string;
  port: number;
  version: ProtocolVersion;
  username: string;
  password: string;
  scenario: ReturnType<typeof parseScenario> | undefined;
  auto: boolean;
  stay: boolean;
  json: boolean;
  intervalMs: number;
  waitMs: number;
  output: ClientOutput;
  io: ClientIo;
  isConsole: boolean;
}

/**
 * Aborts on the first Ctrl-C (SIGINT) of a console run, then lets the next one end the
 * process as usual. Returns the signal and a function that removes the listener.
 */
function interruptible(
  isConsole: boolean,
  signal: AbortSignal | undefined,
): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const combined = signal === undefined
    ? controller.signal
    : AbortSignal.any([signal, controller.signal]);
  if (!isConsole) return { signal: combined, release: () => {} };
  let listening = true;
  const release = () => {
    if (!listening) return;
    listening = false;
    Deno.removeSignalListener("SIGINT", onSignal);
  };
  const onSignal = () => {
    controller.abort();
    release();
  };
  Deno.addSignalListener("SIGINT", onSignal);
  return { signal: combined, release };
}

/** A replay and/or the prompt on one connection. */
async function runSession(config: SessionRun): Promise<number> {
  const { output, io, scenario } = config;
  const printer = new Printer({ json: config.json, color: io.color ?? false });
  const raw = io.terminal === true && io.write !== undefined;
  const write = io.write ?? (() => {});
  const editor = new LineEditor();
  let editing = false;
  const print = (line: string) => {
    if (editing) {
      write(
        `\r\x1b[2K${line.replaceAll("\n", "\r\n")}\r\n${editor.render(PROMPT)}`,
      );
    } else {
      output.out(line);
    }
  };

  const orders = new OrderTracker();
  let replay: ScenarioReplay | undefined;
  let login: "accepted" | "rejected" | undefined;
  let lastMessageAt = performance.now();
  let messageCount = 0;
  const address = `${config.host}:${config.port}`;
  let connection: OuchConnection;
  try {
    connection = await OuchConnection.open({
      hostname: config.host,
      port: config.port,
      username: config.username,
      password: config.password,
      version: config.version,
    }, (event) => {
      switch (event.type) {
        case "loginAccepted":
          login ??= "accepted";
          print(printer.login({
            username: config.username,
            address,
            session: event.session,
            sequenceNumber: event.sequenceNumber,
            reconnect: event.reconnect,
          }));
          return;
        case "loginRejected":
          login = "rejected";
          print(printer.loginRejected(event.code));
          return;
        case "message": {
          lastMessageAt = performance.now();
          messageCount++;
          orders.update(event.message);
          const action = replay?.receive(event.message);
          print(printer.received(event.sequenceNumber, event.message, action));
          return;
        }
        case "disconnected":
          print(printer.disconnected(event.reason, event.retryInMs));
          return;
        case "endOfSession":
          print(printer.endOfSession());
          return;
      }
    });
  } catch (error) {
    output.err(
      printer.error(
        `Cannot connect to ${address}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      ),
    );
    return 1;
  }
  let ended: ConnectionEnd | undefined;
  connection.done.then((end) => ended = end);
  while (login === undefined && ended === undefined) {
    await connection.wait(1000);
  }
  if (login !== "accepted") {
    const end = await connection.close();
    if (end.reason === "failed") {
      output.err(printer.error(`Cannot log in: ${end.detail}`));
    }
    return 1;
  }

  /** Waits for the answers to what was just sent: a first message, then 50 ms of quiet. */
  const awaitAnswers = async (expectSome: boolean) => {
    const since = performance.now();
    const before = messageCount;
    while (ended === undefined) {
      const now = performance.now();
      const decision = waitDecision(expectSome ? undefined : [], {
        received: messageCount - before,
        sinceSentMs: now - since,
        sinceLastMs: now - Math.max(since, lastMessageAt),
      }, { waitMs: config.waitMs, settleMs: SETTLE_MS });
      if (decision.done) return;
      await connection.wait(decision.checkInMs);
    }
  };

  let exit = 0;
  let input: InputReader | undefined;
  const reader = () =>
    input ??= new InputReader(io.input ?? Deno.stdin.readable);
  const interrupt = interruptible(config.isConsole, io.signal);
  const signal = interrupt.signal;
  try {
    let usedToken = 0;
    if (scenario !== undefined) {
      replay = new ScenarioReplay(scenario, {
        auto: config.auto,
        intervalMs: config.intervalMs,
        waitMs: config.waitMs,
        printer,
        print,
        signal,
        nextKey: async () => {
          const line = await reader().readLine();
          return line !== undefined && !/^q(uit)?$/i.test(line.trim());
        },
      });
      usedToken = replay.highestToken;
      const summary = await replay.run(connection);
      interrupt.release();
      replay = undefined;
      if (!summary.ok) exit = 1;
    }
    if ((scenario === undefined || config.stay) && ended === undefined) {
      if (scenario === undefined) {
        // Let the messages replayed at login arrive: they tell the tokens already used.
        await quiet(
          connection,
          () => lastMessageAt,
          () => ended !== undefined,
          config.waitMs,
        );
        print(printer.notice(`type "help" for commands, "quit" to leave`));
      }
      if (raw) Deno.stdin.setRaw(true);
      try {
        await runPrompt(connection, {
          version: config.version,
          orders,
          printer,
          print,
          usedToken,
          ...(raw ? {} : { afterSend: () => awaitAnswers(true) }),
          readLine: raw
            ? async () => {
              editing = true;
              try {
                return await readEditedLine(reader(), editor, PROMPT, write);
              } finally {
                editing = false;
              }
            }
            : () => reader().readLine(),
        });
      } finally {
        if (raw) Deno.stdin.setRaw(false);
      }
      // Let the answers to the last commands arrive before logging out.
      await quiet(
        connection,
        () => lastMessageAt,
        () => ended !== undefined,
        config.waitMs,
      );
    }
  } finally {
    interrupt.release();
    const end = await connection.logout();
    await input?.cancel();
    if (end.reason === "failed") {
      output.err(printer.error(`connection failed: ${end.detail}`));
      exit = 1;
    } else if (end.reason === "loginRejected") {
      exit = 1;
    }
  }
  return exit;
}

/** Waits until no message has arrived for `SETTLE_MS`, at most `waitMs`. */
async function quiet(
  connection: OuchConnection,
  lastMessageAt: () => number,
  ended: () => boolean,
  waitMs: number,
): Promise<void> {
  const since = performance.now();
  while (!ended()) {
    const now = performance.now();
    const silence = now - Math.max(lastMessageAt(), since);
    if (silence >= SETTLE_MS || now - since >= waitMs) return;
    await connection.wait(SETTLE_MS - silence);
  }
}

interface LoadRun {
  host: string;
  port: number;
  version: ProtocolVersion;
  users: string[];
  passwords: string[];
  output: ClientOutput;
  io: ClientIo;
  isConsole: boolean;
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
  const interrupt = interruptible(config.isConsole, io.signal);
  let report;
  try {
    report = await runLoad({
      hostname: config.host,
      port: config.port,
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
  return report.ok ? 0 : 1;
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
