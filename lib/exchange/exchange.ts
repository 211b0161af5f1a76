/**
 * The exchange core: one object that owns the trading day (the matcher, the accounts, the
 * sequencing of each account's OUCH messages, sessions, operator actions, the day roll),
 * turns every command into one output record, writes each turn's records to a durable log
 * in one batch, and delivers them to its subscribers once durable. No sockets, files,
 * clocks or timers: time arrives as arguments; the log and the end-of-turn scheduler are
 * injected.
 *
 * @module
 */
import { encodeMessage } from "../codec/mod.ts";
import type { InboundMessage, ProtocolVersion } from "../codec/messages.ts";
import type { LoginRejectCode, LoginRequestPacket } from "../codec/packets.ts";
import {
  DEFAULT_ORDERBOOKS,
  type Instrument,
  type OpenOrder,
  PAGE_TOKEN_BASE,
} from "../matcher/mod.ts";
import type { MarketEvent } from "../matcher/market_event.ts";
import { WriteBuffer } from "../session/write_buffer.ts";
import {
  type DayAccount,
  type DaySink,
  TradingDay,
  type TradingDayState,
} from "./_trading_day.ts";
import { type AccountStream, AccountStreams } from "./account_streams.ts";
import type { DurableLog } from "./durable_log.ts";
import { MarketData } from "./market_data.ts";
import type { ChunkStore } from "./spilled_stream.ts";
import {
  checkFrame,
  type DayConfig,
  decodeBody,
  decodeEvents,
  type JsonObject,
  type OutputRecord,
  outputsOf,
  readUint32,
  RecordError,
  RecordWriter,
} from "./record.ts";
import { deliver, RecordBatch, type Subscriber } from "./subscriber.ts";
import {
  captureSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  type SnapshotCapture,
  type SnapshotContents,
  SnapshotError,
} from "./snapshot.ts";

/**
 * The session id of a session created at `seconds` (K16): the Unix time, ten digits.
 *
 * @param seconds Unix seconds.
 * @returns The id.
 * @throws {RangeError} When `seconds` does not fit in ten digits.
 *
 * @example Usage
 * ```ts
 * import { sessionId } from "./exchange.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sessionId(1689192121), "1689192121");
 * assert.equal(sessionId(42), "0000000042");
 * ```
 */
export function sessionId(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0 || seconds > 9999999999) {
    throw new RangeError(
      `Cannot make a session id of ${seconds} seconds: it must be 0 to 9999999999`,
    );
  }
  return String(seconds).padStart(10, "0");
}

/** The orderbook ids of a matcher configuration's `instruments`, if it has them. */
function instrumentIds(matcher: JsonObject | undefined): string[] | undefined {
  const instruments = matcher?.instruments;
  if (!Array.isArray(instruments)) return undefined;
  return instruments.map((instrument) =>
    String((instrument as JsonObject).orderbookId)
  );
}

/** A new trading day's configuration; what is left out takes its default. */
export interface DayOptions {
  /**
   * The SoupBinTCP session id of the day (1 to 10 ASCII characters).
   *
   * @default {sessionId(created)} (K16)
   */
  session?: string;
  /**
   * The trading date, `YYYYMMDD`: the first 8 digits of the day's Order and Match Numbers
   * (K11). No default: the server passes the day's date (JST).
   */
  tradingDate: string;
  /** When the day's session was created, in Unix seconds. */
  created: number;
  /** @default {"1.12"} */
  version?: ProtocolVersion;
  /** @default {the orderbooks of `matcher.instruments`, else DEFAULT_ORDERBOOKS} */
  orderbooks?: readonly string[];
  /** Whether the market is open when the day starts. @default {true} */
  open?: boolean;
  /** Orderbooks halted when the day starts. @default {[]} */
  halted?: readonly string[];
  /**
   * Further matcher configuration (JSON), recorded with the day and passed to the matcher
   * as options: the market rules (K17-K21, `MatcherRules`: instruments, tick tables, the
   * limits of every account), so a recovery applies the rules the day started with.
   * @default {{}}
   */
  matcher?: JsonObject;
}

/** What an {@linkcode Exchange} is built with, whether it starts a day or recovers one. */
export interface ExchangeOptions {
  /** Accounts that may log in: username to password. Each is registered with the day. */
  users: ReadonlyMap<string, string>;
  /**
   * Each account's configuration (JSON), recorded when the account is registered, so that
   * a replay does not depend on the users file of the restart. Its `limits`, when present,
   * are the account's own limits (K19-K21, `AccountLimits`). @default {{}} for each
   */
  accountConfig?: ReadonlyMap<string, JsonObject>;
  /** Cancel an account's orders when its last session ends (K13). @default {true} */
  cancelOnDisconnect?: boolean;
  /** Where batches are written before delivery; `null` delivers at once. @default {null} */
  log?: DurableLog | null;
  /**
   * Runs a task at the end of the current turn of the event loop: the batch of the turn is
   * written then. @default {queueMicrotask}
   */
  schedule?: (task: () => void) => void;
  /** Nanoseconds since midnight: the time of the day's start (or of the restart). */
  timestamp: number;
  /**
   * Where the account streams put their older messages (a file, from the edge), so that
   * their memory stays bounded; without it they stay in memory. @default {undefined}
   */
  streamStore?: ChunkStore;
  /**
   * Whether the exchange feeds its own account streams and market-data model. An engine
   * whose hosts rebuild both from its log (`ouch engine`) needs neither, and without them
   * it can recover from a snapshot and the records after it alone (`tail`).
   * @default {true}
   */
  followers?: boolean;
}

/** What a snapshot says about its accounts and sessions: see {@linkcode Exchange.describeSnapshot}. */
export interface SnapshotSummary {
  /** How many of the day's records it follows. */
  readonly position: number;
  /** The CRC field of the last record it includes. */
  readonly lastRecordCrc: number;
  /** The day's session id. */
  readonly session: string;
  /** The accounts' names, by account id. */
  readonly accounts: readonly string[];
  /** The sessions open at its position: account name and host. */
  readonly sessions: readonly {
    readonly account: string;
    readonly host: string;
  }[];
}

/** One account as the operator sees it. */
export interface AccountStatus {
  readonly account: string;
  readonly connected: boolean;
  /** The last sequence number of its messages. */
  readonly messages: number;
  readonly openOrders: number;
}

/** A session the exchange counts: given at login, handed back at logout. */
export interface SessionHandle {
  /** The account's id. */
  readonly account: number;
  /** The account's name. */
  readonly name: string;
  /** Where the session is (one per account per host). */
  readonly host: string;
  /** The day it belongs to: a handle of an earlier day is ignored. */
  readonly day: number;
}

/** The exchange's answer to a Login Request. */
export type LoginResult =
  | {
    readonly accept: true;
    /** The day's session id, for Login Accepted. */
    readonly session: string;
    /** The account's stream: what the session sends from. */
    readonly stream: AccountStream;
    /** How many messages the account has been sequenced so far. */
    readonly sequenced: number;
    /** Hand it back to {@linkcode Exchange.logout}. */
    readonly handle: SessionHandle;
  }
  | { readonly accept: false; readonly code: LoginRejectCode };

/** Records that do not match what this engine does with their commands. */
export class RecoveryError extends Error {
  /**
   * Constructs a recovery error.
   *
   * @param message What differs, in the form `Cannot <action>: <state>`.
   */
  constructor(message: string) {
    super(message);
    this.name = "RecoveryError";
  }
}

/** Records replayed between two deliveries during recovery. */
const RECOVERY_BATCH = 4096;

const EMPTY_CONFIG: JsonObject = Object.freeze({});

/**
 * The exchange: every command in, one output record out.
 *
 * Commands are method calls that take their time as an argument: an OUCH message from a
 * session ({@linkcode Exchange.handleMessage}), a web order ({@linkcode Exchange.submit}),
 * a session's start and end ({@linkcode Exchange.login}, {@linkcode Exchange.logout}),
 * operator actions ({@linkcode Exchange.open}, {@linkcode Exchange.close},
 * {@linkcode Exchange.halt}, {@linkcode Exchange.resume}, {@linkcode Exchange.cancelAccount})
 * and the day roll ({@linkcode Exchange.endDay}, {@linkcode Exchange.startDay}). Each
 * writes one record into the turn's batch at once (engine state, such as an account's open
 * orders, changes at once too); at the end of the turn the batch is appended to the durable
 * log, and once the log holds it the records are delivered to the subscribers, in order:
 * first the exchange's own {@linkcode Exchange.streams} and {@linkcode Exchange.market},
 * then every {@linkcode Exchange.subscribe}r. A message is thus never sent before it is
 * durable.
 *
 * @example An order from a logged-in account, delivered after the end of the turn
 * ```ts
 * import { Exchange } from "./exchange.ts";
 * import { decodeOutbound, encodeMessage } from "../codec/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const exchange = new Exchange({
 *   users: new Map([["demo1", "demo"]]),
 *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
 *   timestamp: 0,
 * });
 * const login = exchange.login({
 *   type: "loginRequest", username: "demo1", password: "demo", requestedSession: "",
 *   requestedSequenceNumber: 1,
 * }, "ouch", 1);
 * assert.equal(login.accept, true);
 * if (!login.accept) throw new Error();
 * exchange.handleMessage(login.handle, encodeMessage({
 *   type: "enterOrder", orderToken: 1, clientReference: "Lenny", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0, orderClassification: "1",
 *   cashMarginType: "1",
 * }), 1_000);
 * assert.equal(login.stream.length, 0); // not delivered yet
 * await exchange.drain();
 * assert.equal(login.stream.length, 2);
 * // System Event S is the day's first message (K24), then the answer.
 * assert.equal(decodeOutbound(login.stream.message(1)).type, "systemEvent");
 * assert.equal(decodeOutbound(login.stream.message(2)).type, "orderAccepted");
 * assert.deepEqual(exchange.market.depth("1", 1)?.bids, [{ price: 23000, quantity: 100, orders: 1 }]);
 * ```
 */
export class Exchange {
  /** Every account's stream of durable messages (a subscriber the exchange owns). */
  readonly streams: AccountStreams;
  /** The market-data model (a subscriber the exchange owns). */
  readonly market: MarketData = new MarketData();
  #users: ReadonlyMap<string, string>;
  #accountConfig: ReadonlyMap<string, JsonObject>;
  readonly #cancelOnDisconnect: boolean;
  readonly #schedule: (task: () => void) => void;
  #log: DurableLog | null;
  #day: TradingDay | undefined;
  /** Days started so far: the current day's number. */
  #dayNumber = 0;
  #messagesIn = 0;
  #messagesOut = 0;
  readonly #batch = new WriteBuffer();
  /** Where the current day writes: the turn's batch, and its market events. */
  readonly #sink: DaySink = {
    writer: new RecordWriter(this.#batch),
    events: [],
  };
  #lastDay: DayConfig | undefined;
  readonly #subscribers: Subscriber[];
  /** How many of `#subscribers` are the exchange's own. */
  readonly #builtIn: number;
  readonly #pending: { batch: RecordBatch; durable: boolean }[] = [];
  #waiters: (() => void)[] = [];
  #scheduled = false;
  /** The CRC-32 field of the last record written (or replayed). */
  #lastCrc = 0;
  readonly #flushTask = () => this.flush();

  /**
   * Starts a new trading day: its start record, then one account record per user. Without
   * `day`, no day is started: call {@linkcode Exchange.startDay}.
   *
   * @param options The accounts, the day, the log and the scheduler.
   * @throws {RangeError} When the session id is not 1 to 10 ASCII characters, a halted
   *   orderbook is not configured, or the trading date is not a real date.
   */
  constructor(options: ExchangeOptions & { day?: DayOptions }) {
    this.streams = new AccountStreams(options.streamStore);
    this.#subscribers = options.followers === false
      ? []
      : [this.streams, this.market];
    this.#builtIn = this.#subscribers.length;
    this.#users = options.users;
    this.#accountConfig = options.accountConfig ?? new Map();
    this.#cancelOnDisconnect = options.cancelOnDisconnect ?? true;
    this.#schedule = options.schedule ??
      ((task) => queueMicrotask(task));
    this.#log = options.log ?? null;
    if (options.day !== undefined) {
      this.#startDay(options.day, options.timestamp);
    }
  }

  /**
   * Rebuilds a trading day from its records (a journal): replays every command through the
   * engine and checks that it produces exactly the recorded outputs, byte for byte (OUCH
   * messages and market events). Then a `restart` record (every session of before is gone,
   * no order is canceled) and the accounts new to this start are appended to `log`.
   *
   * @param records The day's framed records in order, its start first.
   * @param options The accounts, the log to continue, the scheduler and the time.
   * @returns The exchange as it was after the last record. When the records end with the
   *   day's end, it has no day: start one with {@linkcode Exchange.startDay}.
   * With `snapshot` (from {@linkcode Exchange.snapshot} on this day's journal), the engine
   * starts from the snapshot's state: the records it already includes are only delivered
   * to the streams and the market-data model (not replayed, not checked), and the rest,
   * the tail, is replayed and checked byte for byte as above.
   *
   * @throws {RecoveryError} When the records do not start with a day's start, a record is
   *   unreadable, or the engine's output differs from a record's.
   * With `tail` as well (and `followers: false`), `records` are only those after the
   * snapshot: `tail.lastRecordCrc` is the CRC field of the record just before them, which
   * must be the last one the snapshot includes.
   *
   * @throws {SnapshotError} When the snapshot is damaged, not this engine's, or not of
   *   these records (then nothing was changed: recover again with an older snapshot or
   *   none).
   * @throws {RangeError} When `tail` is given without a snapshot, or with followers.
   */
  static recover(
    records: Iterable<Uint8Array>,
    options: ExchangeOptions & {
      snapshot?: Uint8Array;
      tail?: { lastRecordCrc: number };
    },
  ): Exchange {
    const { log: _, snapshot, tail, ...rest } = options;
    if (
      tail !== undefined && (snapshot === undefined || rest.followers !== false)
    ) {
      throw new RangeError(
        "Cannot recover from the records after a snapshot: it needs the snapshot, and followers: false (the streams need every record)",
      );
    }
    const exchange = new Exchange(rest);
    const from = snapshot === undefined
      ? undefined
      : exchange.#restore(snapshot);
    if (tail !== undefined && tail.lastRecordCrc !== from!.crc) {
      throw new SnapshotError(
        `Cannot use the snapshot at record ${
          from!.position
        }: the record before the ones given is another`,
      );
    }
    exchange.#replay(records, from, tail !== undefined);
    exchange.#log = options.log ?? null;
    const day = exchange.#day;
    if (day !== undefined) {
      day.restart(options.timestamp);
      exchange.#registerUsers(options.timestamp);
    }
    exchange.#touched();
    return exchange;
  }

  /**
   * Reads a snapshot's accounts and open sessions, checking it as `recover` does but
   * building nothing: what a caller needs to follow the records after it.
   *
   * @param bytes A snapshot from {@linkcode Exchange.snapshot}.
   * @returns Its position, last record CRC, session id, accounts and sessions.
   * @throws {SnapshotError} When it is damaged or not this engine's.
   *
   * @example The accounts and sessions of a snapshot
   * ```ts
   * import { Exchange } from "./exchange.ts";
   * import assert from "node:assert/strict";
   *
   * const exchange = new Exchange({
   *   users: new Map([["demo1", "demo"], ["demo2", "demo"]]),
   *   log: null,
   *   timestamp: 0,
   *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
   * });
   * exchange.login({
   *   type: "loginRequest", username: "demo2", password: "demo", requestedSession: "",
   *   requestedSequenceNumber: 1,
   * }, "gw1", 1);
   * const summary = Exchange.describeSnapshot(exchange.snapshot());
   * assert.deepEqual(summary.accounts, ["demo1", "demo2"]);
   * assert.deepEqual(summary.sessions, [{ account: "demo2", host: "gw1" }]);
   * assert.equal(summary.position, exchange.position);
   * ```
   */
  static describeSnapshot(bytes: Uint8Array): SnapshotSummary {
    const { position, lastRecordCrc, saved } = readSnapshot(bytes);
    const accounts = saved.tradingDay.accounts;
    return {
      position,
      lastRecordCrc,
      session: saved.day.session,
      accounts: accounts.map((account) => account.name),
      sessions: accounts.flatMap((account) =>
        account.hosts.map((host) => ({ account: account.name, host }))
      ),
    };
  }

  /** The current day's configuration; `undefined` between a day's end and the next start. */
  get day(): DayConfig | undefined {
    return this.#day?.config;
  }

  /** The SoupBinTCP session id of the current day (or of the last one). */
  get session(): string {
    return this.#lastConfig.session;
  }

  /** The protocol version of the OUCH messages. */
  get version(): ProtocolVersion {
    return this.#lastConfig.version;
  }

  /** The orderbooks of the current day. */
  get orderbooks(): readonly string[] {
    return this.#day?.matcher.orderbooks ?? [];
  }

  /** Whether the market is open. */
  get isOpen(): boolean {
    return this.#day?.matcher.isOpen ?? false;
  }

  /**
   * Whether an orderbook is halted.
   *
   * @param orderbookId The orderbook.
   * @returns `true` when halted.
   */
  isHalted(orderbookId: string): boolean {
    return this.#day?.matcher.isHalted(orderbookId) ?? false;
  }

  /**
   * Whether an orderbook's short-sell price restriction (K18) is in effect.
   *
   * @param orderbookId The orderbook.
   * @returns `true` when in effect.
   */
  isShortSellRestricted(orderbookId: string): boolean {
    return this.#day?.matcher.isShortSellRestricted(orderbookId) ?? false;
  }

  /**
   * An orderbook's reference data (K17), as the day's matcher applies it.
   *
   * @param orderbookId The orderbook.
   * @returns Its instrument, or `undefined` for an unknown orderbook or no day.
   */
  instrument(orderbookId: string): Instrument | undefined {
    return this.#day?.matcher.instrument(orderbookId);
  }

  /** Inbound messages processed since the exchange was built (every day). */
  get messagesIn(): number {
    return this.#messagesIn + (this.#day?.messagesIn ?? 0);
  }

  /** Outbound messages sequenced since the exchange was built (a broadcast once per account). */
  get messagesOut(): number {
    return this.#messagesOut + (this.#day?.messagesOut ?? 0);
  }

  /** Logged-in sessions of the day, over every account and host. */
  get sessions(): number {
    let count = 0;
    for (const account of this.#day?.accounts ?? []) {
      count += account.hosts.size;
    }
    return count;
  }

  /**
   * An account's id.
   *
   * @param name The account's name.
   * @returns Its id, or `undefined` when the day does not know it.
   */
  accountId(name: string): number | undefined {
    return this.#day?.byName.get(name)?.id;
  }

  /**
   * An account's name.
   *
   * @param id The account's id.
   * @returns Its name, or `undefined` when the day has no such account.
   */
  accountName(id: number): string | undefined {
    return this.#day?.accounts[id]?.name;
  }

  /**
   * An account's stream of durable messages, by name.
   *
   * @param name The account.
   * @returns Its stream, or `undefined` when the day does not know it.
   */
  stream(name: string): AccountStream | undefined {
    const id = this.accountId(name);
    return id === undefined ? undefined : this.streams.stream(id);
  }

  /**
   * Every account of the day with its connection and message counts.
   *
   * @returns The accounts in id order.
   */
  accounts(): AccountStatus[] {
    const day = this.#day;
    if (day === undefined) return [];
    return day.accounts.map((account) => ({
      account: account.name,
      connected: account.hosts.size > 0,
      messages: account.sequenced,
      openOrders: day.matcher.openOrders(account.id).length,
    }));
  }

  /**
   * An account's resting orders, in Order Number order (engine state: it includes the
   * effect of commands not yet delivered).
   *
   * @param name The account.
   * @returns Its open orders.
   */
  openOrders(name: string): OpenOrder[] {
    const day = this.#day;
    const account = day?.byName.get(name);
    return account === undefined ? [] : day!.matcher.openOrders(account.id);
  }

  /**
   * The next token an account can use.
   *
   * @param name The account.
   * @returns Its highest token so far plus one.
   */
  nextToken(name: string): number {
    const day = this.#day;
    const account = day?.byName.get(name);
    return account === undefined ? 1 : day!.matcher.nextToken(account.id);
  }

  /**
   * The next token of the web page's own range for an account (from
   * {@linkcode PAGE_TOKEN_BASE} up, apart from its OUCH sessions' tokens).
   *
   * @param name The account.
   * @returns Its highest page token so far plus one.
   */
  nextPageToken(name: string): number {
    const day = this.#day;
    const account = day?.byName.get(name);
    return account === undefined
      ? PAGE_TOKEN_BASE
      : day!.matcher.nextPageToken(account.id);
  }

  /**
   * Checks a username and password without logging in (the web page).
   *
   * @param username The account.
   * @param password Its password.
   * @returns Whether they match a configured account.
   */
  authenticate(username: string, password: string): boolean {
    const expected = this.#users.get(username);
    return expected !== undefined && expected === password;
  }

  /**
   * Adds a subscriber; it is served after the exchange's own and those added before.
   *
   * @param subscriber The subscriber.
   * @returns A function that removes it.
   */
  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.push(subscriber);
    return () => {
      const at = this.#subscribers.indexOf(subscriber);
      if (at >= this.#builtIn) this.#subscribers.splice(at, 1);
    };
  }

  /**
   * Decides a SoupBinTCP Login Request: `A` for a bad username or password, `S` for another
   * session id, an account that already has a session on `host` (K14, K23), or no trading
   * day. An accepted login is a session start: a record.
   *
   * @param request The Login Request.
   * @param host Where the session is: one session per account per host.
   * @param timestamp Nanoseconds since midnight.
   * @returns The decision, with the account's stream and a handle when accepted.
   */
  login(
    request: LoginRequestPacket,
    host: string,
    timestamp: number,
  ): LoginResult {
    if (!this.authenticate(request.username, request.password)) {
      return { accept: false, code: "A" };
    }
    const day = this.#day;
    if (
      day === undefined ||
      (request.requestedSession !== "" &&
        request.requestedSession !== day.config.session)
    ) {
      return { accept: false, code: "S" };
    }
    const account = day.byName.get(request.username) ??
      this.#register(day, request.username, timestamp);
    if (!day.sessionStart(account, host, timestamp)) {
      return { accept: false, code: "S" };
    }
    this.#touched();
    return {
      accept: true,
      session: day.config.session,
      stream: this.streams.stream(account.id),
      sequenced: account.sequenced,
      handle: {
        account: account.id,
        name: account.name,
        host,
        day: this.#dayNumber,
      },
    };
  }

  /**
   * Opens a session of the current day for an account that proved its password earlier
   * (a web page logged in before a day roll keeps being a session of its account on the
   * next day, K23). A session start is a record, as for {@linkcode Exchange.login}.
   *
   * @param name The account.
   * @param host Where the session is: one session per account per host.
   * @param timestamp Nanoseconds since midnight.
   * @returns The session's handle, or `undefined` without a day, for an account not
   *   configured, or when the account already has a session on `host`.
   */
  resumeSession(
    name: string,
    host: string,
    timestamp: number,
  ): SessionHandle | undefined {
    const day = this.#day;
    if (day === undefined || !this.#users.has(name)) return undefined;
    const account = day.byName.get(name) ??
      this.#register(day, name, timestamp);
    if (!day.sessionStart(account, host, timestamp)) return undefined;
    this.#touched();
    return {
      account: account.id,
      name: account.name,
      host,
      day: this.#dayNumber,
    };
  }

  /**
   * Ends a session: when it was the account's last, its resting orders are canceled with
   * reason `L` (K13) unless that is turned off. A handle of an earlier day, or one already
   * handed back, is ignored.
   *
   * @param handle What {@linkcode Exchange.login} returned.
   * @param timestamp Nanoseconds since midnight.
   * @param cancel Whether this session's end may cancel (a web page's does not).
   *   @default {true}
   */
  logout(handle: SessionHandle, timestamp: number, cancel = true): void {
    const day = this.#day;
    if (day === undefined || handle.day !== this.#dayNumber) return;
    const account = day.accounts[handle.account];
    if (account === undefined) return;
    day.sessionEnd(
      account,
      handle.host,
      cancel && this.#cancelOnDisconnect,
      timestamp,
    );
    this.#touched();
  }

  /**
   * Processes one inbound OUCH message of a logged-in session.
   *
   * @param handle The session.
   * @param message The message bytes (type byte first); not kept after the call.
   * @param timestamp Nanoseconds since midnight.
   * @throws {OuchDecodeError} When the bytes are not a valid inbound message; nothing is
   *   processed or recorded then.
   * @throws {RangeError} When the session is not of the current day.
   */
  handleMessage(
    handle: SessionHandle,
    message: Uint8Array,
    timestamp: number,
  ): void {
    const day = this.#day;
    if (day === undefined || handle.day !== this.#dayNumber) {
      throw new RangeError(
        `Cannot handle a message of account "${handle.name}": its session is not of the current trading day`,
      );
    }
    // Tokens from PAGE_TOKEN_BASE (0xF0000000) up are the web page's own sequence: an OUCH
    // session's Enter or Replace with one is out of its sequence, silently ignored (K4).
    const type = message[0];
    if (
      (type === 0x4f && message.length > 1 && message[1]! >= 0xf0) ||
      (type === 0x55 && message.length > 5 && message[5]! >= 0xf0)
    ) {
      return;
    }
    day.message(day.accounts[handle.account]!, "session", message, timestamp);
    this.#touched();
  }

  /**
   * Processes an inbound message that did not arrive as bytes (a web order): it is encoded,
   * recorded and matched exactly like one from a SoupBinTCP session.
   *
   * @param name The account, which must be configured.
   * @param message The message.
   * @param timestamp Nanoseconds since midnight.
   * @throws {OuchEncodeError} When a field cannot be put on the wire.
   * @throws {RangeError} When the account is unknown or there is no trading day.
   */
  submit(name: string, message: InboundMessage, timestamp: number): void {
    const day = this.#day;
    if (day === undefined) {
      throw new RangeError(
        `Cannot submit for account "${name}": there is no trading day`,
      );
    }
    let account = day.byName.get(name);
    if (account === undefined) {
      if (!this.#users.has(name)) {
        throw new RangeError(
          `Cannot submit for account "${name}": it is not configured`,
        );
      }
      account = this.#register(day, name, timestamp);
    }
    const bytes = encodeMessage(message, { version: day.config.version });
    day.message(account, "web", bytes, timestamp);
    this.#touched();
  }

  /**
   * Opens the market: System Event `S` to every account.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when it was already open (nothing is recorded).
   */
  open(timestamp: number): boolean {
    return this.#run((day) => day.open(timestamp), false);
  }

  /**
   * Closes the market: resting orders canceled (reason `O`), then System Event `E`.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when it was already closed (nothing is recorded).
   */
  close(timestamp: number): boolean {
    return this.#run((day) => day.close(timestamp), false);
  }

  /**
   * Halts an orderbook: new orders on it are rejected with `H`.
   *
   * @param orderbookId The orderbook.
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when unknown or already halted (nothing is recorded).
   */
  halt(orderbookId: string, timestamp: number): boolean {
    return this.#run((day) => day.halt(orderbookId, timestamp), false);
  }

  /**
   * Resumes a halted orderbook.
   *
   * @param orderbookId The orderbook.
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when unknown or not halted (nothing is recorded).
   */
  resume(orderbookId: string, timestamp: number): boolean {
    return this.#run((day) => day.resume(orderbookId, timestamp), false);
  }

  /**
   * Switches an orderbook's short-sell price restriction (K18) on or off: the console's
   * `ssr ID on|off`.
   *
   * @param orderbookId The orderbook.
   * @param restricted Whether the restriction is to be in effect.
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when unknown or already so (nothing is recorded).
   */
  setShortSellRestricted(
    orderbookId: string,
    restricted: boolean,
    timestamp: number,
  ): boolean {
    return this.#run(
      (day) => day.shortSell(orderbookId, restricted, timestamp),
      false,
    );
  }

  /**
   * Cancels every resting order of an account with reason `S` (supervisory).
   *
   * @param name The account.
   * @param timestamp Nanoseconds since midnight.
   * @returns How many orders were canceled; 0 for an account the day does not know
   *   (nothing is recorded then).
   */
  cancelAccount(name: string, timestamp: number): number {
    return this.#run((day) => {
      const account = day.byName.get(name);
      return account === undefined ? 0 : day.cancelAccount(account, timestamp);
    }, 0);
  }

  /**
   * Ends the trading day: its end record. Subscribers are told once it is durable (the OUCH
   * server ends its sessions then); until {@linkcode Exchange.startDay}, logins are refused
   * and commands throw.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns Once the day's end is delivered.
   */
  endDay(timestamp: number): Promise<void> {
    const day = this.#day;
    if (day !== undefined) {
      day.endDay(timestamp);
      this.#retire(day);
    }
    return this.drain();
  }

  /**
   * Starts the next trading day on a new log (the day's start record, then the accounts).
   *
   * @param day The new day's configuration.
   * @param options Its time and the log it is written to.
   * @throws {RangeError} When a day is under way or the configuration is invalid.
   */
  startDay(
    day: DayOptions,
    options: { timestamp: number; log: DurableLog | null },
  ): void {
    if (this.#day !== undefined) {
      throw new RangeError(
        `Cannot start a trading day: day "${this.#day.config.session}" has not ended`,
      );
    }
    this.flush();
    this.#log = options.log;
    this.#startDay(day, options.timestamp);
  }

  /**
   * The current day's journal position: how many records the day has (its start
   * included), those of the turn not written yet too; 0 without a day.
   */
  get position(): number {
    return this.#day?.records ?? 0;
  }

  /**
   * Takes a snapshot of the engine: the day's configuration, its accounts with their
   * sequence numbers and sessions, and the matcher's whole state (books, orders, tokens,
   * Order and Match Numbers, flow-control windows, halts, short-sell flags), tagged with
   * the journal position it follows ({@linkcode Exchange.position}) and the CRC of the
   * record there. The turn's batch is written first ({@linkcode Exchange.flush}), so the
   * position is a batch boundary. `Exchange.recover` with the snapshot and the day's
   * records replays only the records after it.
   *
   * @returns The snapshot's bytes (see `snapshot.ts` for the layout).
   * @throws {RangeError} When no day is under way.
   *
   * @example Recover from a snapshot: only the tail is replayed
   * ```ts
   * import { Exchange } from "./exchange.ts";
   * import { encodeMessage } from "../codec/mod.ts";
   * import assert from "node:assert/strict";
   *
   * const journal: Uint8Array[] = [];
   * const options = {
   *   users: new Map([["demo1", "demo"]]),
   *   log: { append: (batch: Uint8Array) => void journal.push(batch.slice()) },
   *   timestamp: 0,
   * };
   * const exchange = new Exchange({
   *   ...options,
   *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
   * });
   * const order = (orderToken: number) => ({
   *   type: "enterOrder", orderToken, clientReference: "Lenny", buySellIndicator: "B",
   *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
   *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0, orderClassification: "1",
   *   cashMarginType: "1",
   * } as const);
   * exchange.submit("demo1", order(1), 1_000);
   * const snapshot = exchange.snapshot();
   * exchange.submit("demo1", order(2), 2_000);
   * await exchange.drain();
   * const { decodeRecords, encodeRecords } = await import("./record.ts");
   * const records = journal.flatMap((batch) => decodeRecords(batch)).map((r) => encodeRecords([r]));
   * const recovered = Exchange.recover(records, { ...options, log: null, snapshot });
   * await recovered.drain();
   * assert.equal(recovered.streams.stream(0).length, 3);
   * assert.equal(recovered.market.depth("1")?.bids[0]?.quantity, 200);
   * ```
   */
  snapshot(): Uint8Array {
    return encodeSnapshot(this.#snapshotContents());
  }

  /**
   * Takes a snapshot to encode later: the same as {@linkcode Exchange.snapshot} (the
   * turn's batch is flushed, the state is of {@linkcode Exchange.position}), but only
   * copied out of the engine, which costs a copy of its arrays rather than their
   * encoding. Encode it with `encodeSnapshotSteps` a piece at a time while the engine
   * carries on; the bytes are those `snapshot()` would have given at this position.
   *
   * @returns The copy.
   * @throws {RangeError} When no day is under way.
   *
   * @example Encoded after more orders came, it is still of its position
   * ```ts
   * import { Exchange } from "./exchange.ts";
   * import { encodeSnapshotSteps } from "./snapshot.ts";
   * import assert from "node:assert/strict";
   *
   * const exchange = new Exchange({
   *   users: new Map([["demo1", "demo"]]),
   *   log: null,
   *   timestamp: 0,
   *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
   * });
   * const expected = exchange.snapshot();
   * const capture = exchange.captureSnapshot();
   * exchange.login({
   *   type: "loginRequest", username: "demo1", password: "demo", requestedSession: "",
   *   requestedSequenceNumber: 1,
   * }, "ouch", 1);
   * exchange.flush();
   * const steps = encodeSnapshotSteps(capture);
   * let step = steps.next();
   * while (step.done !== true) step = steps.next();
   * assert.deepEqual(step.value, expected);
   * ```
   */
  captureSnapshot(): SnapshotCapture {
    return captureSnapshot(this.#snapshotContents());
  }

  /** The snapshot's contents, after a flush; its arrays are views of the engine's. */
  #snapshotContents(): SnapshotContents {
    const day = this.#day;
    if (day === undefined) {
      throw new RangeError(
        "Cannot take a snapshot: no trading day is under way",
      );
    }
    this.flush();
    const state: SnapshotState = {
      engine: "ouch-exchange-1",
      day: day.config,
      dayNumber: this.#dayNumber,
      messagesIn: this.#messagesIn,
      messagesOut: this.#messagesOut,
      tradingDay: day.exportState(),
    };
    return { position: day.records, lastRecordCrc: this.#lastCrc, state };
  }

  /**
   * Writes the turn's batch to the log now and delivers it once durable. Normally scheduled
   * at the end of every turn in which a command ran.
   */
  flush(): void {
    this.#scheduled = false;
    const bytes = this.#batch.take();
    if (bytes === null) return;
    this.#lastCrc = readUint32(bytes, bytes.length - 4);
    const batch = new RecordBatch(bytes, this.#sink.events);
    this.#sink.events = [];
    const durable = this.#log?.append(bytes);
    if (durable === undefined && this.#pending.length === 0) {
      deliver(this.#subscribers, batch);
      this.#batch.release(bytes);
      return;
    }
    const entry = { batch, durable: durable === undefined };
    this.#pending.push(entry);
    if (durable !== undefined) {
      // A rejection is left unhandled on purpose: a log that cannot make a batch durable
      // must stop the exchange, not let it send what could be lost.
      durable.then(() => {
        entry.durable = true;
        this.#deliverPending();
      });
    }
  }

  /**
   * Flushes and waits until every record so far is delivered.
   *
   * @returns Once delivered.
   */
  drain(): Promise<void> {
    this.flush();
    if (this.#pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  get #lastConfig(): DayConfig {
    const config = this.#day?.config ?? this.#lastDay;
    if (config === undefined) {
      throw new RangeError("Cannot read the trading day: none was started");
    }
    return config;
  }

  #deliverPending(): void {
    const pending = this.#pending;
    while (pending.length > 0 && pending[0]!.durable) {
      deliver(this.#subscribers, pending.shift()!.batch);
    }
    if (pending.length === 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
  }

  #startDay(options: DayOptions, timestamp: number): void {
    const session = options.session ?? sessionId(options.created);
    if (!/^[\x20-\x7e]{1,10}$/.test(session)) {
      throw new RangeError(
        `Cannot use "${session}" as a session id as it must be 1 to 10 ASCII characters`,
      );
    }
    const config: DayConfig = {
      session,
      tradingDate: options.tradingDate,
      created: options.created,
      version: options.version ?? "1.12",
      orderbooks: [
        ...(options.orderbooks ?? instrumentIds(options.matcher) ??
          DEFAULT_ORDERBOOKS),
      ],
      open: options.open ?? true,
      halted: [...(options.halted ?? [])],
      matcher: options.matcher ?? EMPTY_CONFIG,
    };
    const day = this.#newDay(config);
    day.start(timestamp);
    this.#registerUsers(timestamp);
    this.#touched();
  }

  #newDay(config: DayConfig): TradingDay {
    const day = new TradingDay(config, this.#sink);
    this.streams.dayStarted(config);
    this.#day = day;
    this.#lastDay = config;
    this.#dayNumber++;
    return day;
  }

  #retire(day: TradingDay): void {
    this.#messagesIn += day.messagesIn;
    this.#messagesOut += day.messagesOut;
    this.#day = undefined;
  }

  #registerUsers(timestamp: number): void {
    const day = this.#day!;
    for (const name of this.#users.keys()) {
      if (!day.byName.has(name)) this.#register(day, name, timestamp);
    }
  }

  #register(day: TradingDay, name: string, timestamp: number): DayAccount {
    return day.addAccount(
      name,
      this.#accountConfig.get(name) ?? EMPTY_CONFIG,
      timestamp,
    );
  }

  #run<T>(action: (day: TradingDay) => T, idle: T): T {
    const day = this.#day;
    if (day === undefined) return idle;
    const result = action(day);
    this.#touched();
    return result;
  }

  #touched(): void {
    if (this.#scheduled || this.#batch.length === 0) return;
    this.#scheduled = true;
    this.#schedule(this.#flushTask);
  }

  /**
   * Builds the day of a snapshot (on a new exchange): returns its position and the CRC its
   * last record must have.
   */
  #restore(bytes: Uint8Array): { position: number; crc: number } {
    const { position, lastRecordCrc, saved } = readSnapshot(bytes);
    try {
      const day = this.#newDay(saved.day);
      day.importState(saved.tradingDay);
      this.#dayNumber = saved.dayNumber;
      this.#messagesIn = saved.messagesIn;
      this.#messagesOut = saved.messagesOut;
      if (day.records !== position) {
        throw new RangeError(
          `its day has ${day.records} records, its header says ${position}`,
        );
      }
    } catch (error) {
      throw new SnapshotError(
        `Cannot use the snapshot: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    return { position, crc: lastRecordCrc };
  }

  #replay(
    records: Iterable<Uint8Array>,
    from?: { position: number; crc: number },
    tailOnly = false,
  ): void {
    let index = 0;
    const iterator = records[Symbol.iterator]();
    if (from !== undefined && tailOnly) {
      index = from.position;
      this.#lastCrc = from.crc;
    } else if (from !== undefined) {
      const day = this.#day!.config;
      while (index < from.position) {
        const next = iterator.next();
        if (next.done === true) break;
        const record = next.value;
        if (index === 0) {
          const first = decodeBody(record, 4, record.length - 4, 0);
          if (
            first.command.type !== "startDay" ||
            first.command.day.session !== day.session ||
            first.command.day.created !== day.created ||
            first.command.day.tradingDate !== day.tradingDate
          ) {
            throw new SnapshotError(
              `Cannot use the snapshot of session "${day.session}": the records are of another day`,
            );
          }
        }
        this.#batch.append(record);
        this.#lastCrc = readUint32(record, record.length - 4);
        index++;
        if (index % RECOVERY_BATCH === 0) this.#deliverReplayed(true);
      }
      if (index < from.position || this.#lastCrc !== from.crc) {
        throw new SnapshotError(
          index < from.position
            ? `Cannot use the snapshot at record ${from.position}: the journal has ${index} records`
            : `Cannot use the snapshot at record ${from.position}: the journal's record there is another`,
        );
      }
      this.#deliverReplayed(true);
    }
    for (const record of { [Symbol.iterator]: () => iterator }) {
      let decoded: OutputRecord;
      try {
        const end = checkFrame(record, 0);
        if (end !== record.length) {
          throw new RecordError(
            `Cannot read the record: ${record.length - end} bytes follow it`,
            0,
          );
        }
        decoded = decodeBody(record, 4, end - 4, 0, true);
        this.#lastCrc = readUint32(record, end - 4);
      } catch (error) {
        throw new RecoveryError(
          `Cannot recover record ${index}: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
      }
      const command = decoded.command;
      const before = this.#batch.length;
      if (index === 0) {
        if (command.type !== "startDay") {
          throw new RecoveryError(
            `Cannot recover records that do not start with a day's start: the first is "${command.type}"`,
          );
        }
        this.#newDay(command.day).start(decoded.timestamp);
      } else {
        this.#replayCommand(decoded, index);
      }
      this.#check(record, before, index);
      index++;
      if (index % RECOVERY_BATCH === 0) this.#deliverReplayed();
    }
    if (index === 0) {
      throw new RecoveryError("Cannot recover a day without records");
    }
    this.#deliverReplayed();
  }

  #replayCommand(record: OutputRecord, index: number): void {
    const day = this.#day;
    const { command, timestamp } = record;
    if (day === undefined) {
      throw new RecoveryError(
        `Cannot recover record ${index} (${command.type}): it follows the day's end`,
      );
    }
    const account = (id: number): DayAccount => {
      const found = day.accounts[id];
      if (found === undefined) {
        throw new RecoveryError(
          `Cannot recover record ${index} (${command.type}): account ${id} was never registered`,
        );
      }
      return found;
    };
    try {
      switch (command.type) {
        case "startDay":
          throw new RecoveryError(
            `Cannot recover record ${index}: a second start of day`,
          );
        case "restart":
          day.restart(timestamp);
          return;
        case "account":
          if (command.account !== day.accounts.length) {
            throw new RecoveryError(
              `Cannot recover record ${index} (account): it registers "${command.name}" as ${command.account}, the engine would make it ${day.accounts.length}`,
            );
          }
          day.addAccount(command.name, command.config, timestamp);
          return;
        case "message":
          day.message(
            account(command.account),
            command.origin,
            command.message,
            timestamp,
          );
          return;
        case "sessionStart":
          day.sessionStart(account(command.account), command.host, timestamp);
          return;
        case "sessionEnd":
          day.sessionEnd(
            account(command.account),
            command.host,
            command.cancel,
            timestamp,
          );
          return;
        case "open":
          day.open(timestamp);
          return;
        case "close":
          day.close(timestamp);
          return;
        case "halt":
          day.halt(command.orderbookId, timestamp);
          return;
        case "resume":
          day.resume(command.orderbookId, timestamp);
          return;
        case "shortSell":
          day.shortSell(command.orderbookId, command.restricted, timestamp);
          return;
        case "cancelAccount":
          day.cancelAccount(account(command.account), timestamp);
          return;
        case "endDay":
          day.endDay(timestamp);
          this.#retire(day);
          return;
      }
    } catch (error) {
      if (error instanceof RecoveryError) throw error;
      throw new RecoveryError(
        `Cannot recover record ${index} (${command.type}): the engine refused it: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  }

  /** Compares the record the engine just wrote (from `start` of the batch) with the recorded one. */
  #check(recorded: Uint8Array, start: number, index: number): void {
    const produced = start === this.#batch.length
      ? undefined
      : this.#batch.bytes.subarray(start, this.#batch.length);
    if (
      produced !== undefined &&
      sameBytes(outputsOf(produced, 0), outputsOf(recorded, 0))
    ) return;
    throw new RecoveryError(
      `Cannot recover record ${index}: ${
        this.#describeDifference(produced, recorded)
      }`,
    );
  }

  #describeDifference(
    produced: Uint8Array | undefined,
    recorded: Uint8Array,
  ): string {
    const mine = produced === undefined
      ? undefined
      : decodeBody(produced, 4, 4 + readUint32(produced, 0), 0);
    const theirs = decodeBody(recorded, 4, 4 + readUint32(recorded, 0), 0);
    if (mine === undefined) {
      return `the engine produced no record for ${theirs.command.type}, the records have one`;
    }
    const name = (id: number) => this.accountName(id) ?? `account ${id}`;
    const count = Math.max(mine.messages.length, theirs.messages.length);
    for (let i = 0; i < count; i++) {
      const a = mine.messages[i];
      const b = theirs.messages[i];
      if (
        a !== undefined && b !== undefined && a.account === b.account &&
        a.sequenceNumber === b.sequenceNumber && sameBytes(a.message, b.message)
      ) continue;
      const what = (m: typeof a) =>
        m === undefined
          ? "nothing"
          : `${messageType(m.message)} #${m.sequenceNumber} for ${
            name(m.account)
          }`;
      const other = a !== undefined && b !== undefined &&
          a.account === b.account && a.sequenceNumber === b.sequenceNumber
        ? "other bytes"
        : what(b);
      return `the engine produced ${what(a)} where the records have ${other}`;
    }
    const events = Math.max(mine.events.length, theirs.events.length);
    for (let i = 0; i < events; i++) {
      const a = mine.events[i];
      const b = theirs.events[i];
      if (a !== undefined && b !== undefined && sameEvent(a, b)) continue;
      return `the engine produced the market event ${
        a?.type ?? "nothing"
      } where the records have ${b?.type ?? "nothing"} (event ${i})`;
    }
    return "the engine's outputs are in another order";
  }

  /** Delivers the replayed records; `raw` when they were copied, not produced (events are read from them). */
  #deliverReplayed(raw = false): void {
    const bytes = this.#batch.take();
    if (bytes === null) return;
    const batch = new RecordBatch(
      bytes,
      raw ? decodeEvents(bytes) : this.#sink.events,
    );
    this.#sink.events = [];
    deliver(this.#subscribers, batch);
    this.#batch.release(bytes);
  }
}

/** What a snapshot holds: see {@linkcode Exchange.snapshot}. */
/** Decodes a snapshot and checks that it is this engine's. */
function readSnapshot(
  bytes: Uint8Array,
): { position: number; lastRecordCrc: number; saved: SnapshotState } {
  const { position, lastRecordCrc, state } = decodeSnapshot(bytes);
  const saved = state as SnapshotState;
  if (saved?.engine !== "ouch-exchange-1") {
    throw new SnapshotError(
      `Cannot use the snapshot: it is of engine "${
        String(saved?.engine)
      }", not "ouch-exchange-1"`,
    );
  }
  return { position, lastRecordCrc, saved };
}

interface SnapshotState {
  engine: "ouch-exchange-1";
  day: DayConfig;
  dayNumber: number;
  messagesIn: number;
  messagesOut: number;
  tradingDay: TradingDayState;
}

const MESSAGE_NAMES: Record<number, string> = {
  0x53: "systemEvent",
  0x41: "orderAccepted",
  0x55: "orderReplaced",
  0x43: "orderCanceled",
  0x44: "orderAiqCanceled",
  0x45: "orderExecuted",
  0x4a: "orderRejected",
};

function messageType(message: Uint8Array): string {
  return MESSAGE_NAMES[message[0]!] ?? "a message";
}

function sameEvent(a: MarketEvent, b: MarketEvent): boolean {
  const keys = Object.keys(a) as (keyof MarketEvent)[];
  return keys.length === Object.keys(b).length &&
    keys.every((key) => a[key] === b[key]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
