/**
 * The exchange without I/O: accounts and logins, the matcher, each account's sequenced
 * messages, and the journal records of every command.
 *
 * @module
 */
import {
  decodeInbound,
  encodeMessage,
  encodeMessageInto,
} from "../codec/mod.ts";
import type {
  InboundMessage,
  OutboundMessage,
  ProtocolVersion,
} from "../codec/messages.ts";
import type { LoginRequestPacket } from "../codec/packets.ts";
import { ALL_ACCOUNTS, DEFAULT_ORDERBOOKS, Matcher } from "../matcher/mod.ts";
import type {
  AccountLimits,
  Depth,
  Instrument,
  MarketEvent,
  MatcherRules,
  OpenOrder,
  Trade,
} from "../matcher/mod.ts";
import { MessageLog } from "../session/message_log.ts";
import type { LoginDecision } from "../session/server_session.ts";
import { WriteBuffer } from "../session/write_buffer.ts";
import {
  type ControlAction,
  JournalEncoder,
  type JournalHeader,
  type JournalOutput,
  type JournalRecord,
} from "./journal_format.ts";

/** The longest outbound OUCH message (Order Accepted). */
const MAX_MESSAGE_LENGTH = 65;

/** Observes what the exchange does; used by the console display and the web page. */
export interface ExchangeListener {
  /** An inbound message was accepted for processing. */
  inbound?(account: string, message: InboundMessage, timestamp: number): void;
  /**
   * An outbound message was sequenced. `account` is `null` for a System Event sent to every
   * account, and `sequenceNumber` is then `0`.
   */
  outbound?(
    account: string | null,
    message: OutboundMessage,
    sequenceNumber: number,
  ): void;
  /**
   * The market changed: an order-level event of the matcher (an order added, executed,
   * deleted or replaced on a book, a halt, the market state), in order with `outbound`.
   */
  market?(event: MarketEvent): void;
}

/** How to build an {@linkcode Exchange}. */
export interface ExchangeOptions {
  /** The SoupBinTCP session id of the trading day (at most 10 ASCII characters). */
  session: string;
  /** Accounts that may log in: username to password. */
  users: ReadonlyMap<string, string>;
  /**
   * The trading day, `YYYYMMDD`: the first 8 digits of the day's Order and Match Numbers
   * (K11). No default: the server passes the day's date (JST).
   */
  tradingDate: string;
  /** @default {"1.12"} */
  version?: ProtocolVersion;
  /** @default {the orderbooks of `rules.instruments`, else DEFAULT_ORDERBOOKS} */
  orderbooks?: readonly string[];
  /**
   * The market rules the matcher applies (K17–K21): reference data, tick tables, the
   * limits of every account. Not journaled: a restart must be given the same.
   *
   * @default {{} (the built-in instruments, no account limits)}
   */
  rules?: MatcherRules;
  /**
   * Limits of single accounts by username (from the users file), over
   * `rules.accountLimits`; set when the account becomes known.
   *
   * @default {none}
   */
  limits?: ReadonlyMap<string, AccountLimits>;
  /** Whether the market is open when the day starts. @default {true} */
  open?: boolean;
  /** Orderbooks halted when the day starts. @default {[]} */
  halted?: readonly string[];
  /** Cancel an account's orders when its last session ends (K13). @default {true} */
  cancelOnDisconnect?: boolean;
  /** Produce journal records for {@linkcode Exchange.takeJournal}. @default {true} */
  journal?: boolean;
  /** When the day's journal was created, ISO 8601, for its header. @default {""} */
  created?: string;
  /** Observes messages and market events. */
  listener?: ExchangeListener;
}

/** One account as the operator sees it. */
export interface AccountStatus {
  readonly account: string;
  readonly connected: boolean;
  /** The last sequence number of its messages. */
  readonly messages: number;
  readonly openOrders: number;
}

/** A journal that does not match what this engine does with its commands. */
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

interface Account {
  readonly name: string;
  /** The matcher's id of the account: its position in `Exchange.#accountList`. */
  readonly id: number;
  readonly log: MessageLog;
  sessions: number;
  dirty: boolean;
}

/**
 * One trading day of the exchange: logins, the matcher, each account's sequenced messages,
 * and journal records, with no sockets, files or clocks.
 *
 * Every command takes its time (nanoseconds since midnight) as an argument. Outbound messages
 * are appended to the accounts' {@linkcode MessageLog}s but only published (made sendable)
 * by {@linkcode Exchange.publish}, which the server calls after writing
 * {@linkcode Exchange.takeJournal}'s bytes to the journal.
 *
 * @example An order from a logged-in account is accepted and sequenced
 * ```ts
 * import { Exchange } from "./exchange.ts";
 * import { decodeOutbound } from "../codec/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const exchange = new Exchange({
 *   session: "2026112501",
 *   users: new Map([["demo1", "demo"]]),
 *   tradingDate: "20261125",
 * });
 * exchange.submit("demo1", {
 *   type: "enterOrder", orderToken: 1, clientReference: "Lenny", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0, orderClassification: "1",
 *   cashMarginType: "1",
 * }, 1_000);
 * exchange.publish();
 * const log = exchange.log("demo1")!;
 * assert.equal(log.published, 1);
 * assert.equal(decodeOutbound(log.message(1)).type, "orderAccepted");
 * ```
 */
export class Exchange {
  readonly #session: string;
  readonly #version: ProtocolVersion;
  #users: ReadonlyMap<string, string>;
  readonly #accounts = new Map<string, Account>();
  /** The accounts by matcher id. */
  readonly #accountList: Account[] = [];
  readonly #matcher: Matcher;
  readonly #cancelOnDisconnect: boolean;
  readonly #limits: ReadonlyMap<string, AccountLimits>;
  #listener: ExchangeListener;
  readonly #journalBuffer = new WriteBuffer();
  #journal: JournalEncoder | undefined;
  readonly #header: JournalHeader;
  readonly #dirty: Account[] = [];
  readonly #scratch = new Uint8Array(MAX_MESSAGE_LENGTH);
  /** During recovery: the journaled outputs of the record being replayed, and the next one. */
  #expected: readonly JournalOutput[] | undefined;
  #expectedAt = 0;
  #messagesIn = 0;
  #messagesOut = 0;

  /**
   * Starts a new trading day.
   *
   * @param options Session id, accounts and market configuration.
   */
  constructor(options: ExchangeOptions) {
    if (!/^[\x20-\x7e]{1,10}$/.test(options.session)) {
      throw new RangeError(
        `Cannot use "${options.session}" as a session id as it must be 1 to 10 ASCII characters`,
      );
    }
    this.#session = options.session;
    this.#version = options.version ?? "1.12";
    this.#users = options.users;
    this.#cancelOnDisconnect = options.cancelOnDisconnect ?? true;
    this.#listener = options.listener ?? {};
    this.#limits = options.limits ?? new Map();
    const orderbooks = options.orderbooks ??
      options.rules?.instruments?.map((instrument) => instrument.orderbookId) ??
      DEFAULT_ORDERBOOKS;
    const halted = options.halted ?? [];
    for (const id of halted) {
      if (!orderbooks.includes(id)) {
        throw new RangeError(
          `Cannot halt orderbook "${id}" as it is not configured`,
        );
      }
    }
    this.#header = {
      type: "header",
      session: this.#session,
      created: options.created ?? "",
      version: this.#version,
      orderbooks: [...orderbooks],
      open: options.open ?? true,
      halted: [...halted],
    };
    this.#matcher = new Matcher({
      message: (account, message) => this.#emit(account, message),
      market: (event) => this.#listener.market?.(event),
    }, {
      ...options.rules,
      tradingDate: options.tradingDate,
      orderbooks,
      open: this.#header.open,
    });
    for (const id of halted) this.#matcher.halt(id, 0);
    if (options.journal ?? true) {
      this.#journal = new JournalEncoder(this.#journalBuffer);
      this.#journal.header(this.#header);
    }
    for (const user of this.#users.keys()) this.#account(user);
  }

  /**
   * Rebuilds a trading day from its journal: replays every command through the matcher and
   * checks that it produces exactly the journaled messages.
   *
   * @param records The journal's records, header first (see `readJournal`).
   * @param options Accounts, listener, disconnect behaviour and the trading date (the
   * journal's day: the numbers it holds start with it); the day's session id and market
   * configuration come from the header.
   * @returns The exchange as it was after the last record.
   * @throws {RecoveryError} When the journal does not start with a header or the engine's
   * output differs from the journal.
   */
  static recover(
    records: readonly JournalRecord[],
    options: Omit<
      ExchangeOptions,
      "session" | "version" | "orderbooks" | "open" | "halted"
    >,
  ): Exchange {
    const header = records[0];
    if (header?.type !== "header") {
      throw new RecoveryError(
        "Cannot recover a journal that does not start with its header",
      );
    }
    // Build with the journal's own accounts first, in journal order, so logs match.
    const exchange = new Exchange({
      ...options,
      users: new Map(),
      session: header.session,
      version: header.version,
      orderbooks: header.orderbooks,
      open: header.open,
      halted: header.halted,
      created: header.created,
      journal: false,
    });
    const listener = exchange.#listener;
    exchange.#listener = {}; // replaying is silent
    for (let index = 1; index < records.length; index++) {
      exchange.#replay(records[index]!, index);
    }
    exchange.#listener = listener;
    exchange.#users = options.users;
    // The journal file already holds the header and the accounts so far: the new encoder
    // carries on their indexes and only writes accounts new to this start.
    exchange.#journal = (options.journal ?? true)
      ? new JournalEncoder(exchange.#journalBuffer, [
        ...exchange.#accounts.keys(),
      ])
      : undefined;
    for (const user of options.users.keys()) exchange.#account(user);
    exchange.publish();
    return exchange;
  }

  /** The session id of this trading day. */
  get session(): string {
    return this.#session;
  }

  /** The protocol version of the OUCH messages. */
  get version(): ProtocolVersion {
    return this.#version;
  }

  /** The configured orderbooks. */
  get orderbooks(): readonly string[] {
    return this.#matcher.orderbooks;
  }

  /** Whether the market is open. */
  get isOpen(): boolean {
    return this.#matcher.isOpen;
  }

  /** Inbound messages processed since the start. */
  get messagesIn(): number {
    return this.#messagesIn;
  }

  /** Outbound messages sequenced since the start (a broadcast counts once per account). */
  get messagesOut(): number {
    return this.#messagesOut;
  }

  /**
   * Whether an orderbook is halted.
   *
   * @param orderbookId The orderbook.
   * @returns `true` when halted.
   */
  isHalted(orderbookId: string): boolean {
    return this.#matcher.isHalted(orderbookId);
  }

  /**
   * An orderbook's reference data (K17).
   *
   * @param orderbookId The orderbook.
   * @returns Its instrument, or `undefined` for an unknown orderbook.
   */
  instrument(orderbookId: string): Instrument | undefined {
    return this.#matcher.instrument(orderbookId);
  }

  /**
   * Whether an orderbook's short-sell price restriction (K18) is in effect.
   *
   * @param orderbookId The orderbook.
   * @returns `true` when in effect.
   */
  isShortSellRestricted(orderbookId: string): boolean {
    return this.#matcher.isShortSellRestricted(orderbookId);
  }

  /**
   * The aggregated depth of an orderbook.
   *
   * @param orderbookId The orderbook.
   * @param levels How many price levels per side.
   * @returns Bids and asks, best first, or `undefined` for an unknown orderbook.
   */
  depth(orderbookId: string, levels = 10): Depth | undefined {
    return this.#matcher.depth(orderbookId, levels);
  }

  /**
   * The latest trades of an orderbook, oldest first.
   *
   * @param orderbookId The orderbook.
   * @returns The trades kept for it.
   */
  trades(orderbookId: string): readonly Trade[] {
    return this.#matcher.trades(orderbookId);
  }

  /**
   * An account's resting orders, in order-number order.
   *
   * @param account The account.
   * @returns Its open orders.
   */
  openOrders(account: string): OpenOrder[] {
    const state = this.#accounts.get(account);
    return state === undefined ? [] : this.#matcher.openOrders(state.id);
  }

  /**
   * The next token an account can use.
   *
   * @param account The account.
   * @returns Its highest token so far plus one.
   */
  nextToken(account: string): number {
    const state = this.#accounts.get(account);
    return state === undefined ? 1 : this.#matcher.nextToken(state.id);
  }

  /**
   * An account's sequenced messages.
   *
   * @param account The account.
   * @returns Its log, or `undefined` for an unknown account.
   */
  log(account: string): MessageLog | undefined {
    return this.#accounts.get(account)?.log;
  }

  /**
   * Every known account with its connection and message counts.
   *
   * @returns The accounts in the order they became known.
   */
  accounts(): AccountStatus[] {
    return [...this.#accounts.values()].map((account) => ({
      account: account.name,
      connected: account.sessions > 0,
      messages: account.log.length,
      openOrders: this.#matcher.openOrders(account.id).length,
    }));
  }

  /**
   * Checks a username and password without logging in, for the web page.
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
   * Decides a SoupBinTCP Login Request: `A` for a bad username or password, `S` for another
   * session id or an account that already has a session (K14). An accepted login counts as a
   * connected session until {@linkcode Exchange.disconnect}.
   *
   * @param request The Login Request.
   * @returns The decision, with the account's log when accepted.
   */
  login(request: LoginRequestPacket): LoginDecision {
    if (!this.authenticate(request.username, request.password)) {
      return { accept: false, code: "A" };
    }
    if (
      request.requestedSession !== "" &&
      request.requestedSession !== this.#session
    ) {
      return { accept: false, code: "S" };
    }
    const account = this.#account(request.username);
    if (account.sessions > 0) return { accept: false, code: "S" };
    account.sessions++;
    return { accept: true, session: this.#session, log: account.log };
  }

  /**
   * Records that a logged-in session of `account` ended. When it was the account's last
   * session, its resting orders are canceled with reason `L` (K13) unless that is turned off.
   *
   * @param account The account.
   * @param timestamp Nanoseconds since midnight.
   */
  disconnect(account: string, timestamp: number): void {
    const state = this.#accounts.get(account);
    if (state === undefined || state.sessions === 0) return;
    state.sessions--;
    if (state.sessions === 0 && this.#cancelOnDisconnect) {
      if (this.#matcher.openOrders(state.id).length > 0) {
        this.cancelAccount(account, timestamp, "L");
      }
    }
  }

  /**
   * Processes one inbound OUCH message from a logged-in account.
   *
   * @param account The sending account.
   * @param message The message bytes (type byte first); not kept after the call.
   * @param timestamp Nanoseconds since midnight.
   * @throws {OuchDecodeError} When the bytes are not a valid inbound message; nothing is
   * processed or journaled then.
   * @throws {RangeError} When the account has not logged in or been submitted for; nothing
   * is processed or journaled then.
   */
  handleMessage(account: string, message: Uint8Array, timestamp: number): void {
    const state = this.#accounts.get(account);
    if (state === undefined) {
      throw new RangeError(
        `Cannot handle a message of account "${account}": it is not known to this trading day`,
      );
    }
    const decoded = decodeInbound(message, { version: this.#version });
    this.#messagesIn++;
    this.#journal?.beginMessage(timestamp, account, message);
    this.#listener.inbound?.(account, decoded, timestamp);
    this.#matcher.handle(state.id, decoded, timestamp);
    this.#journal?.end();
  }

  /**
   * Processes an inbound message that did not arrive as bytes (from the web page): it is
   * encoded, journaled and matched exactly like one from a SoupBinTCP session.
   *
   * @param account The account, which must be configured.
   * @param message The message.
   * @param timestamp Nanoseconds since midnight.
   * @throws {OuchEncodeError} When a field cannot be put on the wire.
   * @throws {RangeError} When the account is unknown.
   */
  submit(account: string, message: InboundMessage, timestamp: number): void {
    if (!this.#users.has(account) && !this.#accounts.has(account)) {
      throw new RangeError(
        `Cannot submit for account "${account}": it is not configured`,
      );
    }
    this.#account(account);
    this.handleMessage(
      account,
      encodeMessage(message, { version: this.#version }),
      timestamp,
    );
  }

  /**
   * Opens the market: System Event `S` to every account.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when it was already open.
   */
  open(timestamp: number): boolean {
    return this.#control(
      timestamp,
      { type: "open" },
      () => this.#matcher.open(timestamp),
    );
  }

  /**
   * Closes the market: resting orders canceled (reason `O`), then System Event `E`.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when it was already closed.
   */
  close(timestamp: number): boolean {
    return this.#control(
      timestamp,
      { type: "close" },
      () => this.#matcher.close(timestamp),
    );
  }

  /**
   * Halts an orderbook: new orders on it are rejected with `H`.
   *
   * @param orderbookId The orderbook.
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when unknown or already halted.
   */
  halt(orderbookId: string, timestamp: number): boolean {
    if (!this.orderbooks.includes(orderbookId) || this.isHalted(orderbookId)) {
      return false;
    }
    return this.#control(
      timestamp,
      { type: "halt", orderbookId },
      () => this.#matcher.halt(orderbookId, timestamp),
    );
  }

  /**
   * Resumes a halted orderbook.
   *
   * @param orderbookId The orderbook.
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when unknown or not halted.
   */
  resume(orderbookId: string, timestamp: number): boolean {
    if (!this.isHalted(orderbookId)) return false;
    return this.#control(
      timestamp,
      { type: "resume", orderbookId },
      () => this.#matcher.resume(orderbookId, timestamp),
    );
  }

  /**
   * Switches an orderbook's short-sell price restriction (K18) on or off: the console's
   * `ssr ID on|off`.
   *
   * @param orderbookId The orderbook.
   * @param restricted Whether the restriction is to be in effect.
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` when unknown or already so.
   */
  setShortSellRestricted(
    orderbookId: string,
    restricted: boolean,
    timestamp: number,
  ): boolean {
    if (
      !this.orderbooks.includes(orderbookId) ||
      this.isShortSellRestricted(orderbookId) === restricted
    ) {
      return false;
    }
    return this.#control(
      timestamp,
      { type: "shortSell", orderbookId, restricted },
      () =>
        this.#matcher.setShortSellRestricted(
          orderbookId,
          restricted,
          timestamp,
        ),
    );
  }

  /**
   * Cancels every resting order of an account: reason `L` for a disconnect, `S` for the
   * operator (supervisory).
   *
   * @param account The account.
   * @param timestamp Nanoseconds since midnight.
   * @param reason `L` or `S`.
   * @returns How many orders were canceled.
   */
  cancelAccount(account: string, timestamp: number, reason: "L" | "S"): number {
    const state = this.#accounts.get(account);
    if (state === undefined) return 0;
    let canceled = 0;
    this.#control(timestamp, { type: "cancelAccount", account, reason }, () => {
      canceled = this.#matcher.cancelAccount(state.id, timestamp, reason);
      return canceled > 0;
    });
    return canceled;
  }

  /**
   * Takes the journal bytes of every command since the last call, for one write.
   *
   * @returns The bytes, or `null` when there are none. Pass them back with
   * {@linkcode Exchange.releaseJournal} once written.
   */
  takeJournal(): Uint8Array | null {
    return this.#journalBuffer.take();
  }

  /**
   * Gives back journal bytes once written, so their memory is reused.
   *
   * @param bytes What {@linkcode Exchange.takeJournal} returned.
   */
  releaseJournal(bytes: Uint8Array): void {
    this.#journalBuffer.release(bytes);
  }

  /**
   * Makes every message sequenced so far sendable. Call it after the journal holds them.
   *
   * @returns The accounts that have newly sendable messages.
   */
  publish(): string[] {
    const accounts = this.#dirty.map((account) => {
      account.log.publish();
      account.dirty = false;
      return account.name;
    });
    this.#dirty.length = 0;
    return accounts;
  }

  #control(
    timestamp: number,
    action: ControlAction,
    run: () => boolean,
  ): boolean {
    this.#journal?.beginControl(timestamp, action);
    const changed = run();
    this.#journal?.end();
    return changed;
  }

  #account(name: string): Account {
    let account = this.#accounts.get(name);
    if (account === undefined) {
      account = {
        name,
        id: this.#accountList.length,
        log: new MessageLog(),
        sessions: 0,
        dirty: false,
      };
      this.#accounts.set(name, account);
      this.#accountList.push(account);
      this.#journal?.account(name);
      const limits = this.#limits.get(name);
      if (limits !== undefined) {
        this.#matcher.setAccountLimits(account.id, limits);
      }
    }
    return account;
  }

  #emit(id: number, message: OutboundMessage): void {
    const account = id === ALL_ACCOUNTS ? null : this.#accountList[id]!.name;
    if (this.#expected !== undefined) {
      this.#check(account, message);
      return;
    }
    if (account === null) {
      const length = encodeMessageInto(message, this.#scratch, 0, {
        version: this.#version,
      });
      this.#journal?.output(null, this.#scratch, 0, length);
      for (const state of this.#accounts.values()) {
        this.#append(state, this.#scratch.subarray(0, length));
      }
      this.#listener.outbound?.(null, message, 0);
      return;
    }
    const state = this.#accountList[id]!;
    const log = state.log;
    const at = log.reserve(MAX_MESSAGE_LENGTH);
    const length = encodeMessageInto(message, log.chunk, at, {
      version: this.#version,
    });
    const sequenceNumber = log.commit(length);
    this.#journal?.output(account, log.chunk, at, length);
    this.#touch(state);
    this.#listener.outbound?.(account, message, sequenceNumber);
  }

  #append(state: Account, message: Uint8Array): void {
    state.log.append(message);
    this.#touch(state);
  }

  #touch(state: Account): void {
    this.#messagesOut++;
    if (!state.dirty) {
      state.dirty = true;
      this.#dirty.push(state);
    }
  }

  #replay(record: JournalRecord, index: number): void {
    switch (record.type) {
      case "header":
        throw new RecoveryError(
          `Cannot recover record ${index}: a second header`,
        );
      case "account":
        this.#account(record.account);
        return;
      case "message":
        this.#expect(record.outputs);
        this.#account(record.account);
        this.handleMessage(record.account, record.message, record.timestamp);
        break;
      case "control": {
        this.#expect(record.outputs);
        const { action, timestamp } = record;
        switch (action.type) {
          case "open":
            this.#matcher.open(timestamp);
            break;
          case "close":
            this.#matcher.close(timestamp);
            break;
          case "halt":
            this.#matcher.halt(action.orderbookId, timestamp);
            break;
          case "resume":
            this.#matcher.resume(action.orderbookId, timestamp);
            break;
          case "shortSell":
            this.#matcher.setShortSellRestricted(
              action.orderbookId,
              action.restricted,
              timestamp,
            );
            break;
          case "cancelAccount": {
            const state = this.#accounts.get(action.account);
            if (state !== undefined) {
              this.#matcher.cancelAccount(state.id, timestamp, action.reason);
            }
            break;
          }
        }
        break;
      }
    }
    const expected = this.#expected!;
    if (this.#expectedAt !== expected.length) {
      throw new RecoveryError(
        `Cannot recover record ${index}: the journal has ${expected.length} messages for it, the engine produced ${this.#expectedAt}`,
      );
    }
    this.#expected = undefined;
    for (const output of expected) {
      if (output.account === null) {
        for (const state of this.#accounts.values()) {
          this.#append(state, output.message);
        }
      } else {
        this.#append(this.#account(output.account), output.message);
      }
    }
  }

  #expect(outputs: readonly JournalOutput[]): void {
    this.#expected = outputs;
    this.#expectedAt = 0;
  }

  #check(account: string | null, message: OutboundMessage): void {
    const expected = this.#expected![this.#expectedAt++];
    const length = encodeMessageInto(message, this.#scratch, 0, {
      version: this.#version,
    });
    const produced = this.#scratch.subarray(0, length);
    if (
      expected === undefined || expected.account !== account ||
      !sameBytes(expected.message, produced)
    ) {
      throw new RecoveryError(
        `Cannot recover: the engine produced ${message.type} for ${
          account ?? "every account"
        } where the journal has ${
          expected === undefined
            ? "nothing"
            : `other bytes for ${expected.account ?? "every account"}`
        }`,
      );
    }
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
