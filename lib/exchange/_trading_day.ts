/**
 * One trading day's engine: the matcher, the accounts and their sequence numbers, sessions
 * per account, and one output record per command, written by a {@linkcode RecordWriter}.
 *
 * @module
 */
import { decodeInbound, encodeMessageInto } from "../codec/mod.ts";
import type { OutboundMessage } from "../codec/messages.ts";
import {
  type AccountLimits,
  ALL_ACCOUNTS,
  Matcher,
  type MatcherOptions,
  type MatcherState,
} from "../matcher/mod.ts";
import type { MarketEvent } from "../matcher/market_event.ts";
import type {
  Command,
  DayConfig,
  JsonObject,
  MessageOrigin,
  RecordWriter,
} from "./record.ts";

/** The longest outbound OUCH message (Order Accepted). */
const MAX_MESSAGE_LENGTH = 65;

/** An account of the day. */
export interface DayAccount {
  readonly name: string;
  /** Its id: its position in the day's accounts, the same after recovery. */
  readonly id: number;
  /** Its configuration as recorded when it was registered. */
  readonly config: JsonObject;
  /** How many messages it has been sequenced: the last sequence number. */
  sequenced: number;
  /** The hosts it has a session on. */
  readonly hosts: Set<string>;
}

/** A day's state besides its configuration: see {@linkcode TradingDay.exportState}. */
export interface TradingDayState {
  accounts: {
    name: string;
    config: JsonObject;
    sequenced: number;
    hosts: string[];
  }[];
  messagesIn: number;
  messagesOut: number;
  records: number;
  openedAt: number | undefined;
  closedAt: number | undefined;
  matcher: MatcherState;
}

/** Where a day writes its records and market events. */
export interface DaySink {
  /** Writes the records. */
  writer: RecordWriter;
  /** Receives every market event, in order, for in-process delivery. */
  events: MarketEvent[];
}

/**
 * The engine of one day. Every method that changes something writes exactly one record
 * (begun and ended here); a method that changes nothing writes none.
 */
export class TradingDay {
  readonly config: DayConfig;
  readonly matcher: Matcher;
  readonly accounts: DayAccount[] = [];
  readonly byName = new Map<string, DayAccount>();
  sink: DaySink;
  messagesIn = 0;
  messagesOut = 0;
  /** Records written for the day so far, its start included: the day's journal position. */
  records = 0;
  /**
   * When the market last opened (the day's start, if it starts open), or `undefined`
   * before it first opens: the trading session has started (K24).
   */
  openedAt: number | undefined;
  /** When the market last closed after it had opened, or `undefined`. */
  closedAt: number | undefined;
  readonly #scratch = new Uint8Array(MAX_MESSAGE_LENGTH);
  readonly #codec: { version: DayConfig["version"] };

  constructor(config: DayConfig, sink: DaySink) {
    this.config = config;
    this.sink = sink;
    this.#codec = { version: config.version };
    for (const id of config.halted) {
      if (!config.orderbooks.includes(id)) {
        throw new RangeError(
          `Cannot halt orderbook "${id}" as it is not configured`,
        );
      }
    }
    const options = {
      ...config.matcher,
      tradingDate: config.tradingDate,
      orderbooks: config.orderbooks,
      open: config.open,
      // The market-data model keeps the trades; the matcher need not.
      tradeHistory: 0,
    } as MatcherOptions;
    this.matcher = new Matcher({
      message: (account, message) => this.#emit(account, message),
      market: (event) => {
        this.sink.writer.event(event);
        this.sink.events.push(event);
      },
    }, options);
  }

  /** The day's state besides its configuration, for a snapshot (arrays are views). */
  exportState(): TradingDayState {
    return {
      accounts: this.accounts.map((account) => ({
        name: account.name,
        config: account.config,
        sequenced: account.sequenced,
        hosts: [...account.hosts],
      })),
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      records: this.records,
      openedAt: this.openedAt,
      closedAt: this.closedAt,
      matcher: this.matcher.exportState(),
    };
  }

  /** Takes a state from {@linkcode TradingDay.exportState} (a new day's only). */
  importState(state: TradingDayState): void {
    for (const saved of state.accounts) {
      const account: DayAccount = {
        name: saved.name,
        id: this.accounts.length,
        config: saved.config,
        sequenced: saved.sequenced,
        hosts: new Set(saved.hosts),
      };
      this.accounts.push(account);
      this.byName.set(account.name, account);
    }
    this.messagesIn = state.messagesIn;
    this.messagesOut = state.messagesOut;
    this.records = state.records;
    this.openedAt = state.openedAt;
    this.closedAt = state.closedAt;
    this.matcher.importState(state.matcher);
  }

  /** Writes the day's start record; the halts the day starts with are its events. */
  start(timestamp: number): void {
    this.#record(timestamp, { type: "startDay", day: this.config }, () => {
      for (const id of this.config.halted) this.matcher.halt(id, timestamp);
      if (this.config.open) this.openedAt = timestamp;
    });
  }

  /**
   * Registers an account: the next id. System Event `S` is the first message of every
   * account's stream (K24): an account that appears once the trading session has started
   * gets it at once, with the time the market opened (and `E`, with the time it closed,
   * when it has closed since); one that appears before the first open gets it then.
   */
  addAccount(name: string, config: JsonObject, timestamp: number): DayAccount {
    const account: DayAccount = {
      name,
      id: this.accounts.length,
      config,
      sequenced: 0,
      hosts: new Set(),
    };
    this.#record(timestamp, {
      type: "account",
      account: account.id,
      name,
      config,
    }, () => {
      this.accounts.push(account);
      this.byName.set(name, account);
      // K19-K21: the account's own limits travel in its recorded configuration.
      const limits = config.limits;
      if (limits !== undefined && limits !== null) {
        this.matcher.setAccountLimits(
          account.id,
          limits as unknown as AccountLimits,
        );
      }
      if (this.openedAt !== undefined) {
        this.#send(account, {
          type: "systemEvent",
          timestamp: this.openedAt,
          eventCode: "S",
        });
        if (this.closedAt !== undefined) {
          this.#send(account, {
            type: "systemEvent",
            timestamp: this.closedAt,
            eventCode: "E",
          });
        }
      }
    });
    return account;
  }

  /**
   * Processes an inbound OUCH message.
   *
   * @throws {OuchDecodeError} When the bytes are not an inbound message; nothing is recorded.
   */
  message(
    account: DayAccount,
    origin: MessageOrigin,
    bytes: Uint8Array,
    timestamp: number,
  ): void {
    const decoded = decodeInbound(bytes, this.#codec);
    const writer = this.sink.writer;
    writer.beginMessage(
      timestamp,
      account.id,
      origin,
      bytes,
      0,
      bytes.length,
    );
    try {
      this.messagesIn++;
      this.matcher.handle(account.id, decoded, timestamp);
    } catch (error) {
      writer.abort();
      throw error;
    }
    writer.end();
    this.records++;
  }

  /** Starts a session of the account on `host`; `false` when it has one there. */
  sessionStart(account: DayAccount, host: string, timestamp: number): boolean {
    if (account.hosts.has(host)) return false;
    this.#record(
      timestamp,
      { type: "sessionStart", account: account.id, host },
      () => account.hosts.add(host),
    );
    return true;
  }

  /**
   * Ends the account's session on `host`; when it was the last and `cancel` is set, its
   * resting orders are canceled with reason `L`. Nothing happens without such a session.
   */
  sessionEnd(
    account: DayAccount,
    host: string,
    cancel: boolean,
    timestamp: number,
  ): void {
    if (!account.hosts.has(host)) return;
    this.#record(
      timestamp,
      { type: "sessionEnd", account: account.id, host, cancel },
      () => {
        account.hosts.delete(host);
        if (account.hosts.size === 0 && cancel) {
          this.matcher.cancelAccount(account.id, timestamp, "L");
        }
      },
    );
  }

  /** Forgets every session, canceling nothing. */
  restart(timestamp: number): void {
    this.#record(timestamp, { type: "restart" }, () => {
      for (const account of this.accounts) account.hosts.clear();
    });
  }

  /** Opens the market; `false` when it is open (nothing is recorded). */
  open(timestamp: number): boolean {
    if (this.matcher.isOpen) return false;
    this.#record(timestamp, { type: "open" }, () => {
      this.matcher.open(timestamp);
      this.openedAt = timestamp;
      this.closedAt = undefined;
    });
    return true;
  }

  /** Closes the market; `false` when it is closed (nothing is recorded). */
  close(timestamp: number): boolean {
    if (!this.matcher.isOpen) return false;
    this.#record(timestamp, { type: "close" }, () => {
      this.matcher.close(timestamp);
      this.closedAt = timestamp;
    });
    return true;
  }

  /** Halts an orderbook; `false` when unknown or halted (nothing is recorded). */
  halt(orderbookId: string, timestamp: number): boolean {
    if (
      !this.matcher.orderbooks.includes(orderbookId) ||
      this.matcher.isHalted(orderbookId)
    ) return false;
    this.#record(timestamp, { type: "halt", orderbookId }, () => {
      this.matcher.halt(orderbookId, timestamp);
    });
    return true;
  }

  /** Resumes an orderbook; `false` when unknown or not halted (nothing is recorded). */
  resume(orderbookId: string, timestamp: number): boolean {
    if (!this.matcher.isHalted(orderbookId)) return false;
    this.#record(timestamp, { type: "resume", orderbookId }, () => {
      this.matcher.resume(orderbookId, timestamp);
    });
    return true;
  }

  /**
   * Switches an orderbook's short-sell price restriction (K18); `false` when unknown or
   * already so (nothing is recorded).
   */
  shortSell(
    orderbookId: string,
    restricted: boolean,
    timestamp: number,
  ): boolean {
    if (
      !this.matcher.orderbooks.includes(orderbookId) ||
      this.matcher.isShortSellRestricted(orderbookId) === restricted
    ) return false;
    this.#record(
      timestamp,
      { type: "shortSell", orderbookId, restricted },
      () => {
        this.matcher.setShortSellRestricted(orderbookId, restricted, timestamp);
      },
    );
    return true;
  }

  /** Cancels every resting order of an account with reason `S`; returns how many. */
  cancelAccount(account: DayAccount, timestamp: number): number {
    let canceled = 0;
    this.#record(
      timestamp,
      { type: "cancelAccount", account: account.id },
      () => {
        canceled = this.matcher.cancelAccount(account.id, timestamp, "S");
      },
    );
    return canceled;
  }

  /** Writes the day's end record. */
  endDay(timestamp: number): void {
    this.#record(timestamp, { type: "endDay" }, () => {});
  }

  #record(timestamp: number, command: Command, run: () => void): void {
    const writer = this.sink.writer;
    writer.begin(timestamp, command);
    try {
      run();
    } catch (error) {
      writer.abort();
      throw error;
    }
    writer.end();
    this.records++;
  }

  #emit(id: number, message: OutboundMessage): void {
    const writer = this.sink.writer;
    if (id === ALL_ACCOUNTS) {
      const length = encodeMessageInto(message, this.#scratch, 0, this.#codec);
      const bytes = this.#scratch.subarray(0, length);
      for (const account of this.accounts) {
        writer.message(account.id, ++account.sequenced, bytes);
        this.messagesOut++;
      }
      return;
    }
    this.#send(this.accounts[id]!, message);
  }

  /** Sequences one message for one account. */
  #send(account: DayAccount, message: OutboundMessage): void {
    const writer = this.sink.writer;
    const at = writer.reserveMessage(
      account.id,
      account.sequenced + 1,
      MAX_MESSAGE_LENGTH,
    );
    const length = encodeMessageInto(message, writer.bytes, at, this.#codec);
    writer.commitMessage(length);
    account.sequenced++;
    this.messagesOut++;
  }
}
