/**
 * `ouch server`: the composition of the exchange. Parses the command line, opens or
 * recovers the trading day (the journal file is the core's durable log), builds the
 * exchange core, and subscribes its edges to it: the SoupBinTCP server, the console display
 * and commands, the web page and the trade log. Runs until SIGINT, SIGTERM or `quit`.
 *
 * @module
 */
import { PROTOCOL_VERSIONS, type ProtocolVersion } from "../codec/messages.ts";
import {
  choiceFlag,
  hostPortFlag,
  integerFlag,
  parseFlags,
} from "../cli/flags.ts";
import { commandLine, currentStart } from "../cli/invocation.ts";
import { UsageError } from "../cli/usage_error.ts";
import {
  type InstrumentsFile,
  readInstrumentsFile,
} from "../cli/instruments_file.ts";
import { readUsersAndLimits } from "../cli/users_file.ts";
import {
  type AccountLimits,
  DEFAULT_ORDERBOOKS,
  MAX_THROTTLE,
} from "../matcher/mod.ts";
import {
  AccountError,
  DEMO_USERS,
  isLoopback,
  parseUser,
} from "../accounts/accounts.ts";
import { type LoginLock, LoginThrottle } from "../accounts/login_throttle.ts";
import { SYSTEM_CLOCK } from "../clock/clock.ts";
import {
  CONSOLE_HELP,
  parseConsoleCommand,
} from "../console/console_command.ts";
import { Display, DISPLAY_MODES, renderLadder } from "../console/display.ts";
import {
  type DayOptions,
  Exchange,
  type JsonObject,
  type MarketData,
  RecoveryError,
  SnapshotError,
} from "../exchange/mod.ts";
import { TradeLog } from "../feeds/trade_log.ts";
import type { ItchPublisher } from "../feeds/itch_publisher.ts";
import {
  attachPublisher,
  createPublisher,
  MARKET_DATA_FLAGS,
  MARKET_DATA_HELP,
  type MarketDataConfig,
  parseMarketDataFlags,
  startMarketData,
} from "./market_data.ts";
import {
  DEFAULT_SEGMENT_SIZE,
  FSYNC_MODES,
  type FsyncMode,
  type JournalFile,
  journalName,
  type JournalRecords,
  openJournal,
} from "../server/journal_file.ts";
import { JournalLock } from "../server/journal_lock.ts";
import { OuchServer } from "../server/server.ts";
import {
  DEFAULT_SNAPSHOT_RECORDS,
  DEFAULT_SNAPSHOT_SECONDS,
  listSnapshots,
  Snapshotter,
} from "../server/snapshot_file.ts";
import { type WebLimit, WebServer } from "../web/server.ts";
import { StreamFile } from "../server/stream_file.ts";

/** Where journals go unless `--journal` says otherwise, relative to the working directory. */
export const DEFAULT_DATA_DIRECTORY = "ouch-data";
const MAIN_MODULE = new URL("../../main.ts", import.meta.url).href;

/** The demo account the web page lets act as the operator. */
export const DEMO_OPERATOR = "demo1";
/** The default SoupBinTCP port. */
export const DEFAULT_PORT = 15000;
/** The default address of the web page. */
export const DEFAULT_HTTP = "127.0.0.1:8080";

/** `ouch server --help`. */
export const SERVER_HELP = `Usage: ouch server [flags]

Runs the exchange: SoupBinTCP 3.00 sessions speaking JNX OUCH, a price-time matching engine,
a journal that survives restarts, an operator console on standard input and a web page.

Flags:
  --host HOST             address to listen on (default 127.0.0.1)
  --port PORT             SoupBinTCP port; 0 picks a free one and prints it (default ${DEFAULT_PORT})
  --protocol 1.12|1.11    OUCH version: Orderbook ID as Alpha (1.12) or uint32 (1.11) (default 1.12)
  --user NAME:PASS        an account that may log in (repeatable)
  --users FILE            a file of accounts, one NAME:PASS per line, # comments, each
                          optionally followed by its limits: throttle=N (messages per second,
                          F) max-value=YEN (price x quantity of one order, V) firms=1,2 (Firm
                          IDs besides 0, L) groups=DAY,DAYX (boards, c), and by the word
                          operator for an account the web page lets open, close, halt, resume
                          (without --user/--users: demo accounts demo1..demo16, password "demo",
                          demo1 the operator,
                          and only a loopback --host is allowed)
  --throttle N            flow control for every account without a throttle of its own: at
                          most N inbound messages per second, over it Enter is rejected and
                          Replace cancels with F (default 0: off)
  --instruments FILE      the orderbooks' reference data, JSON (README "Instruments file"):
                          round lot, tick table, reference price, price limits (default: the
                          built-in ${DEFAULT_ORDERBOOKS.join(",")})
  --orderbooks LIST       comma-separated orderbook ids to trade (default: those of the
                          instruments); one the instruments do not describe trades with no
                          rules (round lot 1, tick 0.1, no price limits), like the seed's 0-3
  --journal DIR           data directory for the journal (default ./${DEFAULT_DATA_DIRECTORY})
  --no-journal            run without a journal: nothing survives a restart
  --fresh                 start a new session even if today's journal exists
  --snapshot-records N    write an engine snapshot next to the journal every N records, so
                          a restart replays only the records after it (default ${DEFAULT_SNAPSHOT_RECORDS}; 0: never)
  --snapshot-seconds S    ... or every S seconds when records came (default ${DEFAULT_SNAPSHOT_SECONDS}; 0: never)
  --fsync interval|batch|none
                          every batch is written to the journal before its messages are sent,
                          so a crash of the server loses nothing; then, for a power cut:
                          interval: fdatasync in the background every 100 ms, at most that is
                          lost (default); batch: fdatasync every batch before sending, nothing
                          acknowledged is lost; none: leave flushing to the OS
  --closed                start a new day with the market closed (open it with "open")
  --halted LIST           start a new day with these orderbooks halted
  --no-cancel-on-disconnect
                          keep an account's orders when its session ends (default: cancel, reason L)
  --display table|debug|quiet
                          table: live order books redrawn every second (default; when the output
                          is not a terminal, a compact summary every few seconds instead);
                          debug: one line per message and connection event; quiet: warnings only
  --http HOST:PORT        serve the web page here (default ${DEFAULT_HTTP}; with --port 0 a free port)
  --no-http               do not serve the web page
  --trade-log FILE        append one line per trade to FILE
  --login-throttle on|off after 5 failed logins from one address, or 20 for one account,
                          within a minute, refuse logins from it (for the account: except
                          from addresses it logged in from) for 1 s, doubling with each
                          further failure up to 5 min; on OUCH, the ITCH feed and the web
                          page alike (default on)
${MARKET_DATA_HELP}
  -h, --help              show this help

Console commands (type them while the server runs; end of input does not stop it):
${CONSOLE_HELP.split("\n").slice(1).join("\n")}`;

const FLAGS = {
  host: { type: "string" },
  port: { type: "string" },
  protocol: { type: "string" },
  user: { type: "string", multiple: true },
  users: { type: "string" },
  throttle: { type: "string" },
  instruments: { type: "string" },
  orderbooks: { type: "string" },
  journal: { type: "string" },
  "no-journal": { type: "boolean" },
  fresh: { type: "boolean" },
  "snapshot-records": { type: "string" },
  "snapshot-seconds": { type: "string" },
  fsync: { type: "string" },
  closed: { type: "boolean" },
  halted: { type: "string" },
  "no-cancel-on-disconnect": { type: "boolean" },
  display: { type: "string" },
  http: { type: "string" },
  "no-http": { type: "boolean" },
  "trade-log": { type: "string" },
  "login-throttle": { type: "string" },
  ...MARKET_DATA_FLAGS,
  help: { type: "boolean", short: "h" },
} as const;

/** Everything `ouch server` was asked to do. */
export interface ServerConfig {
  host: string;
  port: number;
  version: ProtocolVersion;
  users: ReadonlyMap<string, string>;
  /** Limits of single accounts from the users file. */
  limits: ReadonlyMap<string, AccountLimits>;
  /**
   * The accounts the web page lets open, close, halt and resume: those the users file marks
   * `operator`; with the demo accounts, demo1.
   */
  operators: ReadonlySet<string>;
  /** `--throttle`: flow control of every account, 0 for off. */
  throttle: number;
  /** `--instruments`: the file's reference data, or `null` for the built-in. */
  instruments: InstrumentsFile | null;
  demo: boolean;
  orderbooks: readonly string[];
  journal: string | null;
  fresh: boolean;
  /** When to write engine snapshots (with a journal). */
  snapshots: { records: number; seconds: number };
  fsync: FsyncMode;
  closed: boolean;
  halted: readonly string[];
  cancelOnDisconnect: boolean;
  display: "table" | "debug" | "quiet" | undefined;
  http: { hostname: string; port: number } | null;
  tradeLog: string | undefined;
  /** `--login-throttle`: whether failed logins are throttled. */
  loginThrottle: boolean;
  /** `--itch-port`, `--snapshot-port`, `--mold`, `--mold-request-port`, `--itch-log`. */
  marketData: MarketDataConfig;
}

/**
 * Turns `ouch server` arguments into a configuration, reading the users file.
 *
 * @param args The arguments after `server`.
 * @returns The configuration, or `"help"` for `--help`.
 * @throws {UsageError} For any flag that cannot be used.
 */
export async function parseServerArgs(
  args: string[],
): Promise<ServerConfig | "help"> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (values.help === true) return "help";
  if (positionals.length > 0) {
    throw new UsageError(
      `Cannot use argument "${positionals[0]}": ouch server takes only flags`,
    );
  }
  const host = String(values.host ?? "127.0.0.1");
  const version = choiceFlag(
    "protocol",
    values.protocol,
    PROTOCOL_VERSIONS as [ProtocolVersion, ...ProtocolVersion[]],
  );
  const users = new Map<string, string>();
  const limits = new Map<string, AccountLimits>();
  const operators = new Set<string>();
  try {
    for (const entry of (values.user ?? []) as string[]) {
      const [name, password] = parseUser(entry, "--user");
      users.set(name, password);
    }
    if (values.users !== undefined) {
      const file = await readUsersAndLimits(String(values.users));
      for (const [name, password] of file.users) users.set(name, password);
      for (const [name, own] of file.limits) limits.set(name, own);
      for (const name of file.operators) operators.add(name);
    }
  } catch (error) {
    if (error instanceof AccountError) {
      throw new UsageError(error.message.split("\n")[0]!);
    }
    throw error;
  }
  const demo = users.size === 0;
  if (demo && !isLoopback(host)) {
    throw new UsageError(
      `Cannot listen on non-loopback --host "${host}" with the demo accounts: give --users FILE or --user NAME:PASS`,
    );
  }
  const instruments = values.instruments === undefined
    ? null
    : await readInstrumentsFile(String(values.instruments));
  const orderbooks = values.orderbooks !== undefined
    ? listFlag("orderbooks", String(values.orderbooks))
    : instruments !== null
    ? instruments.instruments.map((instrument) => instrument.orderbookId)
    : DEFAULT_ORDERBOOKS;
  for (const id of orderbooks) {
    if (!/^[\x21-\x7e]{1,4}$/.test(id)) {
      throw new UsageError(
        `Cannot use orderbook "${id}" as it must be 1 to 4 ASCII characters without spaces`,
      );
    }
    if (version === "1.11" && !/^(0|[1-9][0-9]*)$/.test(id)) {
      throw new UsageError(
        `Cannot use orderbook "${id}" with --protocol 1.11 as it must be a number`,
      );
    }
  }
  if (new Set(orderbooks).size !== orderbooks.length) {
    throw new UsageError(
      `Cannot use --orderbooks with an orderbook listed twice`,
    );
  }
  const halted = values.halted === undefined
    ? []
    : listFlag("halted", String(values.halted));
  for (const id of halted) {
    if (!orderbooks.includes(id)) {
      throw new UsageError(
        `Cannot halt orderbook "${id}" as it is not in --orderbooks`,
      );
    }
  }
  if (
    values["no-journal"] === true &&
    (values.journal !== undefined || values.fresh === true)
  ) {
    throw new UsageError("Cannot use --no-journal with --journal or --fresh");
  }
  if (values["no-http"] === true && values.http !== undefined) {
    throw new UsageError("Cannot use --no-http with --http");
  }
  const port = integerFlag("port", values.port, DEFAULT_PORT, {
    min: 0,
    max: 65535,
  });
  // --port 0 picks a free port for every listener the flags leave at its default, the
  // web page's included, so that a second server never collides on one (issue #12 item 7).
  const http = values["no-http"] === true ? null : hostPortFlag(
    "http",
    String(
      values.http ??
        (port === 0 ? `${DEFAULT_HTTP.split(":")[0]}:0` : DEFAULT_HTTP),
    ),
    0,
  );
  if (http !== null && demo && !isLoopback(http.hostname)) {
    throw new UsageError(
      `Cannot serve the web page on non-loopback --http "${http.hostname}" with the demo accounts: give --users FILE or --user NAME:PASS`,
    );
  }
  const display = values.display === undefined
    ? undefined
    : choiceFlag("display", values.display, DISPLAY_MODES);
  return {
    host,
    port,
    version,
    users: demo ? DEMO_USERS : users,
    limits,
    operators: demo ? new Set([DEMO_OPERATOR]) : operators,
    throttle: integerFlag("throttle", values.throttle, 0, {
      min: 0,
      max: MAX_THROTTLE,
    }),
    instruments,
    demo,
    orderbooks,
    journal: values["no-journal"] === true
      ? null
      : String(values.journal ?? DEFAULT_DATA_DIRECTORY),
    fresh: values.fresh === true,
    snapshots: {
      records: integerFlag(
        "snapshot-records",
        values["snapshot-records"],
        DEFAULT_SNAPSHOT_RECORDS,
        { min: 0, max: Number.MAX_SAFE_INTEGER },
      ),
      seconds: integerFlag(
        "snapshot-seconds",
        values["snapshot-seconds"],
        DEFAULT_SNAPSHOT_SECONDS,
        { min: 0, max: 86_400 },
      ),
    },
    fsync: choiceFlag("fsync", values.fsync, FSYNC_MODES),
    closed: values.closed === true,
    halted,
    cancelOnDisconnect: values["no-cancel-on-disconnect"] !== true,
    display,
    http,
    tradeLog: values["trade-log"] === undefined
      ? undefined
      : String(values["trade-log"]),
    loginThrottle:
      choiceFlag("login-throttle", values["login-throttle"], ["on", "off"]) ===
        "on",
    marketData: parseMarketDataFlags(values, port),
  };
}

function listFlag(name: string, value: string): string[] {
  const items = value.split(",").map((item) => item.trim());
  if (items.some((item) => item === "")) {
    throw new UsageError(
      `Cannot use --${name} "${value}": it has an empty item`,
    );
  }
  return items;
}

/**
 * Today's trading date in Japan (UTC+9) as `YYYYMMDD`.
 *
 * @param nowMs Milliseconds since the epoch.
 * @returns The date.
 */
export function tradingDate(nowMs: number): string {
  return new Date(nowMs + 9 * 3_600_000).toISOString().slice(0, 10).replaceAll(
    "-",
    "",
  );
}

/**
 * The market rules of a new day (K17-K21), as JSON the day records: the instruments file's
 * reference data and tick tables, and `--throttle` as every account's limit. A journal
 * continued after a restart keeps the rules its day started with.
 */
export function matcherRules(config: ServerConfig): JsonObject {
  return {
    ...(config.instruments === null ? {} : {
      instruments: config.instruments.instruments,
      tickTables: config.instruments.tickTables,
    }),
    ...(config.throttle > 0
      ? { accountLimits: { throttle: config.throttle } }
      : {}),
  } as unknown as JsonObject;
}

/** Each account's recorded configuration: its own limits from the users file (K19-K21). */
export function accountConfig(config: ServerConfig): Map<string, JsonObject> {
  const configs = new Map<string, JsonObject>();
  for (const [name, limits] of config.limits) {
    configs.set(name, { limits } as unknown as JsonObject);
  }
  return configs;
}

/**
 * The console's warnings for accept errors: the first at once, then at most one every 5 s
 * saying how many there were since (a flood of resets must not flood the console).
 *
 * @param warn Prints one warning line.
 * @param nowMs The clock. @default {Date.now}
 * @returns The observer's `acceptError`.
 */
export function acceptWarnings(
  warn: (line: string) => void,
  nowMs: () => number = Date.now,
): (reason: string, retryMs: number) => void {
  const say = sparingly<[string, number]>(
    5_000,
    nowMs,
    ([reason, retryMs], quiet) =>
      warn(
        `Cannot accept a connection: ${reason}${
          quiet === 0 ? "" : ` (and ${quiet} more since the last warning)`
        }; the listener carries on${retryMs > 0 ? ` in ${retryMs} ms` : ""}`,
      ),
  );
  return (reason, retryMs) => say([reason, retryMs]);
}

/**
 * The console's warnings for MoldUDP64 datagrams the kernel refused (or that waited too
 * long for it): the first at once, then at most one every 10 s saying how many followed
 * (readers fill such gaps from the re-request server).
 *
 * @param warn Prints one warning line.
 * @param nowMs The clock. @default {Date.now}
 * @returns The sender's `onError`.
 *
 * @example A flood of errors makes two lines
 * ```ts
 * import { moldWarnings } from "./server.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * let now = 0;
 * const onError = moldWarnings((line) => lines.push(line), () => now);
 * onError(new Error("Cannot send a 1420-byte datagram to 127.0.0.1:9: EACCES (13)"));
 * onError(new Error("Cannot send a 1420-byte datagram to 127.0.0.1:9: EACCES (13)"));
 * now = 10_000;
 * onError(new Error("Cannot send a 1420-byte datagram to 127.0.0.1:9: EACCES (13)"));
 * assert.deepEqual(lines, [
 *   "MoldUDP64: Cannot send a 1420-byte datagram to 127.0.0.1:9: EACCES (13)",
 *   "MoldUDP64: Cannot send a 1420-byte datagram to 127.0.0.1:9: EACCES (13) (and 1 more since the last warning)",
 * ]);
 * ```
 */
export function moldWarnings(
  warn: (line: string) => void,
  nowMs: () => number = Date.now,
): (error: Error) => void {
  return sparingly<Error>(
    10_000,
    nowMs,
    (error, quiet) =>
      warn(
        `MoldUDP64: ${error.message}${
          quiet === 0 ? "" : ` (and ${quiet} more since the last warning)`
        }`,
      ),
  );
}

/**
 * Calls `say` at most once every `intervalMs`, with how many calls it skipped since the
 * last time (a flood must not flood the console).
 *
 * @param intervalMs The least time between two calls of `say`.
 * @param nowMs The clock.
 * @param say Prints one warning from a value and the number of calls skipped.
 * @returns The function to call for every event.
 */
function sparingly<T>(
  intervalMs: number,
  nowMs: () => number,
  say: (value: T, skipped: number) => void,
): (value: T) => void {
  let lastMs = -Infinity;
  let skipped = 0;
  return (value) => {
    const now = nowMs();
    if (now - lastMs < intervalMs) {
      skipped++;
      return;
    }
    lastMs = now;
    const count = skipped;
    skipped = 0;
    say(value, count);
  };
}

/**
 * The console's warnings for failed-login locks: the first at once, then at most one every
 * 10 s saying how many more locks started since (a guesser must not flood the console).
 *
 * @param warn Prints one warning line.
 * @param nowMs The clock. @default {Date.now}
 * @returns The throttle's `onLock`.
 */
export function lockWarnings(
  warn: (line: string) => void,
  nowMs: () => number = Date.now,
): (lock: LoginLock) => void {
  return sparingly<LoginLock>(10_000, nowMs, (lock, quiet) => {
    const what = lock.kind === "address"
      ? `logins from ${lock.key}`
      : `logins as "${lock.key}" from addresses it has not logged in from`;
    warn(
      `login throttle: ${lock.failures} failed logins; ${what} refused for ${
        lock.lockoutMs / 1000
      } s${
        quiet === 0 ? "" : ` (and ${quiet} more locks since the last warning)`
      }`,
    );
  });
}

const WEB_LIMITS: Record<WebLimit, string> = {
  connections: "refused a connection over the cap of 256 connections",
  websockets: "refused a page over the cap of 64 open pages",
  "header timeout":
    "closed a connection whose request head did not come within 10 s",
  "idle timeout": "closed a connection idle for 60 s",
  body: "refused a request with a chunked or too large body",
};

/**
 * The console's warnings for the web listener's limits: the first at once, then at most one
 * every 5 s saying how many more there were since.
 *
 * @param warn Prints one warning line.
 * @param nowMs The clock. @default {Date.now}
 * @returns The web listener's `limited`.
 */
export function webLimitWarnings(
  warn: (line: string) => void,
  nowMs: () => number = Date.now,
): (what: WebLimit) => void {
  return sparingly<WebLimit>(5_000, nowMs, (what, quiet) =>
    warn(
      `web page: ${WEB_LIMITS[what]}${
        quiet === 0 ? "" : ` (and ${quiet} more since the last warning)`
      }`,
    ));
}

/** Where a trading day is written and what opening it found. */
interface OpenedDay {
  /** The journal, or `null` without one. */
  journal: JournalFile | null;
  /** A new day's configuration, or `undefined` when a journal is continued. */
  day: DayOptions | undefined;
  /** The records of a continued journal (read from its segments as they are iterated). */
  records: JournalRecords | undefined;
  /** The continued journal's snapshots, newest first. */
  snapshots: { path: string; position: number }[];
  tornTail: string | undefined;
}

/** Opens today's journal (or none) and says what a new day would be. */
async function openDay(
  config: ServerConfig,
  fresh: boolean,
  closed: boolean,
): Promise<OpenedDay> {
  const now = Date.now();
  // K16: the session id is the Unix time (seconds) at which the day's session is created,
  // with a journal or without.
  const day = (created: number): DayOptions => ({
    created,
    matcher: matcherRules(config),
    // The day's date (JST) starts every Order and Match Number (K11). A journal is only
    // continued on its own date (openJournal looks for this date's sessions).
    tradingDate: tradingDate(now),
    version: config.version,
    orderbooks: config.orderbooks,
    open: !closed,
    halted: config.halted,
  });
  if (config.journal === null) {
    return {
      journal: null,
      day: day(Math.floor(now / 1000)),
      records: undefined,
      snapshots: [],
      tornTail: undefined,
    };
  }
  const opened = await openJournal(config.journal, tradingDate(now), {
    fresh,
    fsync: config.fsync,
    now: Math.floor(now / 1000),
  });
  return {
    journal: opened.journal,
    day: opened.records === undefined ? day(Number(opened.session)) : undefined,
    records: opened.records,
    snapshots: opened.day === undefined ? [] : await listSnapshots(
      config.journal,
      journalName(opened.day.tradingDate, opened.session),
    ),
    tornTail: opened.tornTail,
  };
}

/**
 * Takes the journal directory's lock (one server per directory, issue #12 item 3), then
 * builds the exchange; the lock is held until the server stops.
 */
async function openExchange(
  config: ServerConfig,
  publisher: ItchPublisher | undefined,
): Promise<
  Awaited<ReturnType<typeof openLockedExchange>> & { lock: JournalLock | null }
> {
  const lock = config.journal === null
    ? null
    : await JournalLock.acquire(config.journal);
  try {
    return { ...(await openLockedExchange(config, publisher)), lock };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/** Builds the exchange on an opened day: a new day, or the journal's day recovered. */
async function openLockedExchange(
  config: ServerConfig,
  publisher: ItchPublisher | undefined,
): Promise<
  {
    exchange: Exchange;
    journal: JournalFile | null;
    /** Where the account streams keep their older messages (with a journal). */
    streamFile: StreamFile | null;
    recovered: number;
    /** How recovery went: the snapshot used, the records replayed, snapshots refused. */
    recovery: string;
    warnings: string[];
    tornTail: string | undefined;
  }
> {
  const opened = await openDay(config, config.fresh, config.closed);
  const streamFile = config.journal === null
    ? null
    : StreamFile.open(config.journal);
  // The feed's log keeps its older messages in the same scratch file.
  if (streamFile !== null) publisher?.spillTo(streamFile);
  const options = {
    users: config.users,
    accountConfig: accountConfig(config),
    cancelOnDisconnect: config.cancelOnDisconnect,
    ...(streamFile === null ? {} : { streamStore: streamFile }),
  };
  try {
    if (opened.records === undefined) {
      const exchange = new Exchange({
        ...options,
        log: opened.journal,
        day: opened.day!,
        timestamp: SYSTEM_CLOCK.nowNs(),
      });
      attachPublisher(publisher, exchange);
      return {
        exchange,
        journal: opened.journal,
        streamFile,
        recovered: 0,
        recovery: "",
        warnings: [],
        tornTail: undefined,
      };
    }
    const records = opened.records;
    const warnings: string[] = [];
    const started = performance.now();
    let exchange: Exchange | undefined;
    let recovery = "";
    // The newest snapshot that fits the journal, else the one before, else a full replay.
    for (const candidate of opened.snapshots) {
      try {
        const snapshot = await Deno.readFile(candidate.path);
        exchange = Exchange.recover(records, {
          ...options,
          log: opened.journal,
          timestamp: SYSTEM_CLOCK.nowNs(),
          snapshot,
        });
        recovery =
          ` from the snapshot at record ${candidate.position}, replayed ${
            records.length - candidate.position
          }`;
        break;
      } catch (error) {
        if (
          !(error instanceof SnapshotError || error instanceof RecoveryError ||
            error instanceof Deno.errors.NotFound)
        ) throw error;
        warnings.push(
          `snapshot: cannot use ${candidate.path}: ${error.message}; trying ${
            candidate === opened.snapshots.at(-1)
              ? "a full replay"
              : "the one before"
          }`,
        );
      }
    }
    if (exchange === undefined) {
      exchange = Exchange.recover(records, {
        ...options,
        log: opened.journal,
        timestamp: SYSTEM_CLOCK.nowNs(),
      });
      recovery = ", a full replay";
    }
    recovery += ` in ${((performance.now() - started) / 1000).toFixed(1)} s`;
    if (exchange.day !== undefined) {
      attachPublisher(publisher, exchange, opened.records);
      return {
        exchange,
        journal: opened.journal,
        streamFile,
        recovered: records.length,
        recovery,
        warnings,
        tornTail: opened.tornTail,
      };
    }
    // The journal's day had ended: today goes on with a new one.
    await opened.journal?.close();
    const next = await openDay(config, true, config.closed);
    attachPublisher(publisher, exchange);
    exchange.startDay(next.day!, {
      timestamp: SYSTEM_CLOCK.nowNs(),
      log: next.journal,
    });
    return {
      exchange,
      journal: next.journal,
      streamFile,
      recovered: 0,
      recovery: "",
      warnings,
      tornTail: undefined,
    };
  } catch (error) {
    await opened.journal?.close();
    streamFile?.close();
    throw error;
  }
}

/**
 * Runs `ouch server`.
 *
 * @param args The arguments after `server`.
 * @returns The exit code once the server has stopped.
 * @throws {UsageError} For a bad command line.
 */
export async function run(args: string[]): Promise<number> {
  const config = await parseServerArgs(args);
  if (config === "help") {
    // deno-lint-ignore no-console
    console.log(
      SERVER_HELP.replace(
        "Usage: ouch server",
        `Usage: ${commandLine(currentStart(MAIN_MODULE), "server")}`,
      ),
    );
    return 0;
  }
  const publisher = createPublisher(config.marketData);
  let opened;
  try {
    opened = await openExchange(config, publisher);
  } catch (error) {
    publisher?.close();
    throw error;
  }
  const exchange = opened.exchange;
  let journal = opened.journal;
  const isTerminal = Deno.stdout.isTerminal();
  const encoder = new TextEncoder();
  const display = new Display(config.display ?? "table", {
    write: (text) => writeAll(encoder.encode(text)),
    isTerminal,
    color: isTerminal && !Deno.noColor,
    size: () => {
      try {
        return Deno.consoleSize();
      } catch {
        return { columns: 80, rows: 24 };
      }
    },
    now: SYSTEM_CLOCK.nowNs,
    market: exchange.market,
    accountName: (id) => exchange.accountName(id) ?? String(id),
  });
  exchange.subscribe(display);
  const tradeLog = config.tradeLog === undefined
    ? undefined
    : TradeLog.open(config.tradeLog);
  if (tradeLog !== undefined) exchange.subscribe(tradeLog);
  const loginThrottle = config.loginThrottle
    ? new LoginThrottle({}, lockWarnings((line) => display.warn(line)))
    : undefined;
  let marketData;
  try {
    marketData = await startMarketData(
      config.marketData,
      publisher,
      exchange,
      config.host,
      loginThrottle,
      moldWarnings((line) => display.warn(line)),
    );
  } catch (error) {
    tradeLog?.close();
    await exchange.drain();
    await journal?.close();
    opened.lock?.release();
    display.close();
    throw error;
  }
  const listening: ServerConfig = config;
  let server: OuchServer;
  try {
    server = startOuchServer();
  } catch (error) {
    tradeLog?.close();
    await marketData.stop();
    await exchange.drain();
    await journal?.close();
    opened.streamFile?.close();
    opened.lock?.release();
    display.close();
    if (error instanceof Deno.errors.AddrInUse) {
      throw new UsageError(
        `Cannot listen on ${config.host}:${config.port}: the port is in use (another ouch server?); give --port PORT, or --port 0 for a free one`,
      );
    }
    throw error;
  }
  function startOuchServer(): OuchServer {
    return OuchServer.start({
      hostname: listening.host,
      port: listening.port,
      exchange,
      ...(loginThrottle === undefined ? {} : { loginThrottle }),
      observer: {
        connected: (id, remote) =>
          display.connectionEvent({ type: "connected", id, remote }),
        loggedIn: (id, account, session, nextSequenceNumber) =>
          display.connectionEvent({
            type: "loggedIn",
            id,
            account,
            session,
            nextSequenceNumber,
          }),
        loginRejected: (id, username, code) =>
          display.connectionEvent({
            type: "loginRejected",
            id,
            username,
            code,
          }),
        disconnected: (id, account, reason) =>
          display.connectionEvent({
            type: "disconnected",
            id,
            account,
            reason,
          }),
        protocolError: (id, account, reason) =>
          display.connectionEvent({
            type: "protocolError",
            id,
            account,
            reason,
          }),
        acceptError: acceptWarnings((line) => display.warn(line)),
      },
    });
  }
  const web = config.http === null ? undefined : new WebServer();
  const stopAll = async () => {
    await web?.shutdown();
    await server.shutdown();
    await exchange.drain();
    await marketData.stop();
    await journal?.close();
    opened.streamFile?.close();
    tradeLog?.close();
    opened.lock?.release();
  };
  /** Says what is wrong with the journal, and reads the clients only while it can be written. */
  const watchJournal = (file: JournalFile | null) => {
    if (file === null) return;
    file.onProblem = (problem) => {
      server.pauseReading(file.blocked);
      web?.journalProblem(problem ?? null);
      if (problem === undefined) {
        display.notice("journal: writing again; reading the clients again");
      } else {
        display.error(
          `journal: ${problem}; ${
            file.blocked ? "not reading the clients; " : ""
          }trying again`,
        );
      }
    };
  };
  watchJournal(journal);
  // Listened for before the first line that says the server is up: a SIGTERM sent as soon
  // as a client sees `listening` stops it cleanly rather than killing it.
  const stopped = Promise.withResolvers<void>();
  let stopping = false;
  const stop = () => {
    if (stopping) {
      display.warn(
        "already shutting down: sending End of Session and closing the journal",
      );
      return;
    }
    stopping = true;
    stopped.resolve();
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  const addr = server.address;
  display.notice(
    `ouch server listening on ${addr.hostname}:${addr.port}: OUCH ${config.version} over SoupBinTCP 3.00, session ${exchange.session}, market ${
      exchange.isOpen ? "open" : "closed"
    }, orderbooks ${exchange.orderbooks.join(" ")}`,
  );
  display.notice(
    journal === null
      ? "journal: none (--no-journal): nothing survives a restart"
      : `journal: ${journal.path} (fsync ${config.fsync})${
        opened.recovered > 0
          ? `, recovered ${opened.recovered} records${opened.recovery}`
          : ", new trading day"
      }, ${await journalDisk(journal.path)}`,
  );
  for (const warning of opened.warnings) display.warn(warning);
  for (const notice of marketData.notices) display.notice(notice);
  const snapshotter = config.journal === null ? undefined : new Snapshotter({
    directory: config.journal,
    exchange,
    cadence: config.snapshots,
    now: Date.now(),
    report: (event) => {
      if ("error" in event) display.warn(`snapshot: ${event.error}`);
      else {
        display.info(
          `snapshot: ${event.written} at record ${event.position}, ${
            (event.bytes / 1e6).toFixed(1)
          } MB, taken in ${event.ms.toFixed(0)} ms`,
        );
      }
    },
  });
  if (opened.tornTail !== undefined) {
    display.warn(`journal: cut off a torn last record: ${opened.tornTail}`);
  }
  display.info(
    config.demo
      ? `accounts: demo1..demo16, password "${
        [...DEMO_USERS.values()][0]
      }" (loopback only)`
      : `accounts: ${config.users.size} configured`,
  );
  if (web !== undefined && config.http !== null) {
    try {
      web.listen({
        ...config.http,
        exchange,
        operators: config.operators,
        ...(loginThrottle === undefined ? {} : { loginThrottle }),
        listenerFailed: (error, count, retryInMs) =>
          display.warn(
            `web listener failed (${count} so far): ${error}; serving again in ${retryInMs} ms`,
          ),
        limited: webLimitWarnings((line) => display.warn(line)),
      });
    } catch (error) {
      for (const signal of signals) Deno.removeSignalListener(signal, stop);
      await stopAll();
      display.close();
      throw new UsageError(
        `Cannot serve the web page on ${config.http.hostname}:${config.http.port}: ${
          error instanceof Error ? error.message : error
        } (use --http HOST:PORT or --no-http)`,
      );
    }
    display.notice(`web page: http://${web.address}/`);
  }
  display.info(`type "help" for console commands`);
  display.prompt();

  const refresh = setInterval(
    () => {
      snapshotter?.tick(Date.now());
      display.refresh({
        session: exchange.session,
        messagesIn: exchange.messagesIn,
        messagesOut: exchange.messagesOut,
        sessions: exchange.sessions,
        connections: server.connections().length,
      }, Date.now());
    },
    1000,
  );
  const input = readConsole(async (line) => {
    display.commandTyped();
    await runConsoleCommand(line, {
      exchange,
      server,
      display,
      stop,
      endDay: async () => {
        await exchange.endDay(SYSTEM_CLOCK.nowNs());
        await journal?.close();
        const next = await openDay(config, true, true);
        journal = next.journal;
        watchJournal(journal);
        exchange.startDay(next.day!, {
          timestamp: SYSTEM_CLOCK.nowNs(),
          log: next.journal,
        });
      },
    });
    if (!stopping) display.prompt();
  });

  await stopped.promise;
  clearInterval(refresh);
  display.info("shutting down: End of Session to every session");
  await snapshotter?.writing;
  await stopAll();
  display.close();
  input.cancel();
  // The listeners stay until here, so that a second signal cannot cut the shutdown short.
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  return 0;
}

async function runConsoleCommand(
  line: string,
  context: {
    exchange: Exchange;
    server: OuchServer;
    display: Display;
    stop: () => void;
    endDay: () => Promise<void>;
  },
): Promise<void> {
  const { exchange, server, display } = context;
  const now = SYSTEM_CLOCK.nowNs;
  let command;
  try {
    command = parseConsoleCommand(line);
  } catch (error) {
    display.warn(error instanceof Error ? error.message : String(error));
    return;
  }
  const market = exchange.market;
  switch (command.type) {
    case "empty":
      return;
    case "help":
      display.info(CONSOLE_HELP);
      return;
    case "quit":
      context.stop();
      return;
    case "open":
      display.info(
        exchange.open(now())
          ? "market open: System Event S sent"
          : "the market is already open",
      );
      return;
    case "close":
      display.info(
        exchange.close(now())
          ? "market closed: resting orders canceled, System Event E sent"
          : "the market is already closed",
      );
      return;
    case "ssr": {
      const id = command.orderbookId;
      if (!exchange.orderbooks.includes(id)) {
        display.warn(`Cannot switch ssr of unknown orderbook "${id}"`);
        return;
      }
      const state = command.restricted ? "on" : "off";
      display.info(
        exchange.setShortSellRestricted(id, command.restricted, now())
          ? `orderbook ${id}: short-sell price restriction ${state}`
          : `orderbook ${id}: short-sell price restriction already ${state}`,
      );
      return;
    }
    case "halt":
    case "resume": {
      const id = command.orderbookId;
      if (!exchange.orderbooks.includes(id)) {
        display.warn(`Cannot ${command.type} unknown orderbook "${id}"`);
        return;
      }
      const done = command.type === "halt"
        ? exchange.halt(id, now())
        : exchange.resume(id, now());
      display.info(
        done
          ? `orderbook ${id} ${command.type === "halt" ? "halted" : "resumed"}`
          : `orderbook ${id} is already ${
            command.type === "halt" ? "halted" : "trading"
          }`,
      );
      return;
    }
    case "book": {
      // What the market-data model shows is what is durable: wait for the last commands.
      await exchange.drain();
      showBooks(market, command.orderbookId, display);
      return;
    }
    case "sessions":
      showSessions(server, display);
      return;
    case "accounts":
      display.info(
        exchange.accounts().map((a) =>
          `${a.account.padEnd(6)} ${
            a.connected ? "connected" : "offline  "
          } messages ${a.messages} open orders ${a.openOrders}`
        ).join("\n"),
      );
      return;
    case "cancel": {
      if (exchange.accountId(command.account) === undefined) {
        display.warn(
          `cancel: unknown account "${command.account}": nothing canceled (type "accounts" for the accounts)`,
        );
        return;
      }
      const count = exchange.cancelAccount(command.account, now());
      display.info(`canceled ${count} orders of ${command.account} (reason S)`);
      return;
    }
    case "endday": {
      display.info(
        "ending the trading day: market closed, End of Session to every session",
      );
      exchange.close(now());
      await context.endDay();
      display.info(
        `new trading day: session ${exchange.session}, market closed (type "open")`,
      );
      return;
    }
  }
}

/**
 * The console's `book [ID]`: the ladder of an orderbook, or of every one with resting
 * orders, from a market-data model.
 *
 * @param market The model.
 * @param orderbookId The orderbook, or `undefined` for every active one.
 * @param display Where the lines go.
 */
export function showBooks(
  market: MarketData,
  orderbookId: string | undefined,
  display: Pick<Display, "info" | "warn">,
): void {
  const ids = orderbookId === undefined
    ? market.orderbooks.filter((id) => {
      const depth = market.depth(id, 1);
      return depth !== undefined &&
        (depth.bids.length > 0 || depth.asks.length > 0);
    })
    : [orderbookId];
  if (ids.length === 0) {
    display.info("no orderbook has resting orders");
    return;
  }
  for (const id of ids) {
    const depth = market.depth(id, 10);
    if (depth === undefined) {
      display.warn(`Cannot show unknown orderbook "${id}"`);
      continue;
    }
    const last = market.lastTrade(id);
    const instrument = market.instrument(id);
    display.info(
      renderLadder(depth, last === undefined ? [] : [last], {
        halted: market.isHalted(id),
        restricted: market.isShortSellRestricted(id),
        ...(instrument === undefined ? {} : { instrument }),
      }).join("\n"),
    );
  }
}

/**
 * The console's `sessions`: the server's connections.
 *
 * @param server The OUCH server.
 * @param display Where the lines go.
 */
export function showSessions(
  server: OuchServer,
  display: Pick<Display, "info">,
): void {
  const connections = server.connections();
  display.info(
    connections.length === 0
      ? "no connections"
      : connections.map((c) =>
        `#${c.id} ${c.remote} ${
          c.account ?? "-"
        } ${c.state} next ${c.nextSequenceNumber} backlog ${c.backlog}`
      ).join("\n"),
  );
}

/**
 * What a journal takes on disk: its segments are preallocated at the default size (the
 * next one while the current one fills), e.g. `disk 32 MiB (2 segments of 16 MiB, one more
 * per 16 MiB written)`.
 */
async function journalDisk(pattern: string): Promise<string> {
  const slash = pattern.lastIndexOf("/");
  const directory = pattern.slice(0, slash);
  const [prefix, suffix] = pattern.slice(slash + 1).split("*");
  let segments = 0;
  for await (const entry of Deno.readDir(directory)) {
    if (
      entry.isFile && entry.name.startsWith(prefix!) &&
      entry.name.endsWith(suffix!)
    ) {
      segments++;
    }
  }
  const mib = DEFAULT_SEGMENT_SIZE / 1024 / 1024;
  return `disk ${segments * mib} MiB (${segments} segment${
    segments === 1 ? "" : "s"
  } of ${mib} MiB, one more per ${mib} MiB written)`;
}

function writeAll(bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) at += Deno.stdout.writeSync(bytes.subarray(at));
}

/**
 * Reads standard input line by line; the end of input is not a quit.
 *
 * @param onLine Runs each line (the next waits for it).
 * @param onEnd Told once when standard input ends or cannot be read (not after `cancel`):
 *   no console command can come any more.
 */
export function readConsole(
  onLine: (line: string) => Promise<void>,
  onEnd?: () => void,
): { cancel(): void } {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream())
    .getReader();
  let cancelled = false;
  (async () => {
    let pending = "";
    try {
      while (!cancelled) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
        let newline;
        while ((newline = pending.indexOf("\n")) >= 0) {
          const line = pending.slice(0, newline).replace(/\r$/, "");
          pending = pending.slice(newline + 1);
          await onLine(line);
        }
      }
    } catch {
      // standard input closed or unreadable: keep serving
    }
    if (!cancelled) onEnd?.();
  })();
  return {
    cancel() {
      cancelled = true;
      reader.cancel().catch(() => {});
    },
  };
}
