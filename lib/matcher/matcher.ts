/**
 * The exchange: OUCH commands in, OUCH messages out, by the rules of
 * `docs/exchange_rules.md`.
 *
 * Orders live as integer handles in one {@linkcode OrderStore} shared by the books of all
 * orderbooks; what the exchange needs beyond the book (token, account, orderbook, the
 * one-byte fields, Order Number, executed quantity, Client Reference) is a row of
 * `OrderData` under the same handle, written once the order rests, and each account
 * finds its orders by token through a `TokenIndex`. A resting order is thus a few rows
 * of typed arrays and one shared string, not objects for the garbage collector to trace.
 *
 * Accounts are dense integer ids chosen by the caller. Order and Match Numbers take the
 * venue's 64-bit form (K11); each is made once, as the previous one plus 1n, where a
 * message or an event first carries it, and an order's is kept in its row as a uint64.
 *
 * @module
 */

import * as codec from "../codec/messages.ts";
import type {
  CancelOrder,
  EnterOrder,
  InboundMessage,
  OrderCanceledReason,
  OrderRejectedReason,
  OutboundMessage,
  ReplaceOrder,
} from "../codec/messages.ts";
import {
  type BookListener,
  type BookSide,
  OrderBook,
  type OrderBookState,
  OrderStore,
  type OrderStoreState,
} from "../orderbook/mod.ts";
import { DATA_LAYOUT, OrderData } from "./_order_data.ts";
import { MAX_COUNTER, numberBase } from "./_trading_date.ts";
import type { FeedSide, MarketEvent } from "./market_event.ts";
import { TokenIndex, type TokenIndexState } from "./_token_index.ts";
import { type AccountLimits, checkAccountLimits } from "./account_limits.ts";
import {
  DEFAULT_INSTRUMENTS,
  type Instrument,
  type InstrumentSpec,
  resolveInstrument,
} from "./instrument.ts";
import { checkTickTable, TICK_TABLES, type TickTable } from "./tick_table.ts";
import {
  capacityCode,
  capacityOf,
  cashMarginCode,
  cashMarginOf,
  classificationCode,
  classificationOf,
  displayCode,
  displayOf,
  groupCode,
  groupOf,
  packAttributes,
  sideCode,
  sideCodeOf,
  sideOf,
  withDisplay,
} from "./_fields.ts";

/**
 * The orderbooks a {@linkcode Matcher} trades when none are configured: those of
 * `DEFAULT_INSTRUMENTS`, the seed's `0` to `3` and four stocks.
 */
export const DEFAULT_ORDERBOOKS: readonly string[] = Object.freeze(
  DEFAULT_INSTRUMENTS.map((instrument) => instrument.orderbookId),
);

/** The account of a message to every account (System Events only). */
export const ALL_ACCOUNTS = -1;

/**
 * Where a {@linkcode Matcher} sends what it produces. Both methods are called
 * synchronously, in causal order, during the command that causes them, so a caller that
 * appends both to one record keeps their relative order. Within one command the OUCH
 * message of an action comes before its market event (Order Accepted before the fills'
 * events and `bookAdd`; each fill's two Order Executed before its `bookExecute`; Order
 * Canceled or Order Replaced before `bookDelete` or `bookReplace`; System Event before
 * `marketState`). A listener must not call back into the matcher.
 */
export interface MatcherOutput {
  /** One OUCH message for `account`, or for every account when `account` is ALL_ACCOUNTS (-1). */
  message(account: number, message: OutboundMessage): void;
  /** One order-level market event (see market_event.ts). */
  market(event: MarketEvent): void;
}

/** One trade, as kept by {@linkcode Matcher.trades}. */
export interface Trade {
  /** Match Number shared by both Order Executed messages. */
  readonly matchNumber: bigint;
  /** The orderbook. */
  readonly orderbookId: string;
  /** Price in tenths: the resting order's price. */
  readonly price: number;
  /** Quantity traded. */
  readonly quantity: number;
  /** Time of the command that caused the trade. */
  readonly timestamp: number;
  /** Account id of the buy order. */
  readonly buyer: number;
  /** Account id of the sell order. */
  readonly seller: number;
  /** Side of the incoming (liquidity removing) order. */
  readonly aggressor: "B" | "S";
}

/** Options of a {@linkcode Matcher}. */
export interface MatcherOptions {
  /**
   * The trading day, `YYYYMMDD`: the first 8 digits of every Order and Match Number of the
   * day (K11). There is no default: the server passes the day's date; tests may pass any
   * real date.
   */
  tradingDate: string;
  /**
   * The orderbooks that can be traded. One without an entry in `instruments` trades with
   * no rules: round lot 1, tick table 0 (0.1 everywhere), no reference price, no limits.
   *
   * @default {the orderbooks of `instruments`}
   */
  orderbooks?: readonly string[];
  /**
   * The reference data of the orderbooks (K17): round lot, tick table, reference price,
   * price limits. Entries for orderbooks not in `orderbooks` are ignored.
   *
   * @default {DEFAULT_INSTRUMENTS}
   */
  instruments?: readonly InstrumentSpec[];
  /**
   * Tick tables by id, in addition to (or in place of) the built-in `TICK_TABLES` 0, 1
   * and 3.
   *
   * @default {{}}
   */
  tickTables?: Readonly<Record<string, TickTable>>;
  /**
   * The limits of every account (K19–K21) unless {@linkcode Matcher.setAccountLimits}
   * gives it others.
   *
   * @default {{} (no limits)}
   */
  accountLimits?: AccountLimits;
  /**
   * Whether the market is open at construction. No message is sent for it.
   *
   * @default {true}
   */
  open?: boolean;
  /**
   * How many trades {@linkcode Matcher.trades} keeps per orderbook.
   *
   * @default {100}
   */
  tradeHistory?: number;
}

/**
 * The venue's market rules of a {@linkcode Matcher} (K17–K21): the options a server takes
 * from its instruments file and flags, passed through as they are.
 */
export type MatcherRules = Pick<
  MatcherOptions,
  "instruments" | "tickTables" | "accountLimits"
>;

/**
 * The orderbooks of a day with their reference data, as a {@linkcode Matcher} built with
 * these options trades them: every tick table (the built-in ones and the options' own), and
 * one {@linkcode Instrument} per orderbook in order (an orderbook without an entry in
 * `instruments` has no rules). A process that has only a day's recorded configuration (a
 * display, a feed) gets the same reference data as the engine.
 *
 * @param options The orderbooks, instruments and tick tables, as the matcher takes them.
 * @returns The tick tables by id and the instruments in orderbook order.
 * @throws {RangeError} When a tick table, an instrument or an orderbook id is invalid, or
 *   an orderbook is listed twice.
 *
 * @example The seed's orderbook has no rules; Toyota has its reference data
 * ```ts
 * import { resolveOrderbooks } from "./matcher.ts";
 * import assert from "node:assert/strict";
 *
 * const { instruments } = resolveOrderbooks({ orderbooks: ["1", "7203"] });
 * assert.deepEqual(instruments.map((i) => [i.orderbookId, i.roundLot]), [["1", 1], ["7203", 100]]);
 * ```
 */
export function resolveOrderbooks(
  options: Pick<MatcherOptions, "orderbooks" | "instruments" | "tickTables">,
): { tickTables: Map<number, TickTable>; instruments: Instrument[] } {
  const tables = new Map<number, TickTable>();
  for (const [id, table] of Object.entries(TICK_TABLES)) {
    tables.set(Number(id), table);
  }
  for (const [id, table] of Object.entries(options.tickTables ?? {})) {
    if (!/^(0|[1-9]\d{0,9})$/.test(id) || Number(id) > 0xffffffff) {
      throw new RangeError(
        `Cannot create matcher as tick table ids must be integers from 0 to 4294967295: current id is "${id}"`,
      );
    }
    tables.set(Number(id), checkTickTable(table, `tick table ${id}`));
  }
  const specs = new Map<string, InstrumentSpec>();
  for (const spec of options.instruments ?? DEFAULT_INSTRUMENTS) {
    const id = spec?.orderbookId;
    if (specs.has(id)) {
      throw new RangeError(
        `Cannot create matcher as orderbook "${id}" has two instruments`,
      );
    }
    specs.set(id, spec);
  }
  const orderbooks = options.orderbooks ?? [...specs.keys()];
  const instruments: Instrument[] = [];
  const seen = new Set<string>();
  for (const id of orderbooks) {
    if (typeof id !== "string") {
      throw new TypeError(
        `Cannot create matcher as orderbook ids must be strings: current id is ${id}`,
      );
    }
    if (seen.has(id)) {
      throw new RangeError(
        `Cannot create matcher as orderbook "${id}" is listed twice`,
      );
    }
    const instrument = resolveInstrument(
      specs.get(id) ?? { orderbookId: id },
      tables,
    );
    seen.add(id);
    instruments.push(instrument);
  }
  return { tickTables: tables, instruments };
}

/** One aggregated price level. */
export interface DepthLevel {
  /** Price in tenths. */
  readonly price: number;
  /** Total open quantity at the price. */
  readonly quantity: number;
  /** Number of orders at the price. */
  readonly orders: number;
}

/** The top of one orderbook, best levels first. */
export interface Depth {
  /** The orderbook. */
  readonly orderbookId: string;
  /** Bids, highest price first. */
  readonly bids: DepthLevel[];
  /** Asks, lowest price first. */
  readonly asks: DepthLevel[];
}

/** A resting order as {@linkcode Matcher.openOrders} shows it. */
export interface OpenOrder {
  /** Current token (the latest replacement token). */
  readonly orderToken: number;
  /** Order Number: the latest, as a replace gives the order a new one (K9). */
  readonly orderNumber: bigint;
  /** The orderbook. */
  readonly orderbookId: string;
  /** `B`, `S`, `T` or `E`. */
  readonly buySellIndicator: string;
  /** Price in tenths. */
  readonly price: number;
  /** Quantity still on the book. */
  readonly openQuantity: number;
  /** Quantity executed over the order's life. */
  readonly executedQuantity: number;
  /** Always `99999`: only Day orders rest. */
  readonly timeInForce: number;
  /** `" "` or `P`. */
  readonly display: string;
  /** Always `0`: only Immediate orders may have a minimum quantity. */
  readonly minimumQuantity: number;
  /** As entered. */
  readonly clientReference: string;
  /** Group without padding. */
  readonly group: string;
  /** As entered. */
  readonly firmId: number;
  /** `A` or `P`. */
  readonly capacity: string;
  /** As entered. */
  readonly orderClassification: string;
  /** As entered. */
  readonly cashMarginType: string;
}

// Local copies of imported constants: V8 folds a module's own constants into the code
// it compiles, but loads imported bindings at run time.
const { MAX_PRICE, MAX_QUANTITY, TIME_IN_FORCE_DAY, TIME_IN_FORCE_IMMEDIATE } =
  codec;
const {
  ACCOUNT,
  ATTRIBUTES,
  DATA_SHIFT,
  EXECUTED,
  ORDER_NUMBER,
  TOKEN,
  VENUE,
} = DATA_LAYOUT;

/** The current Order Token of an order. */
function tokenOf(data: OrderData, order: number): number {
  return data.rows[(order << DATA_SHIFT) + TOKEN]! >>> 0;
}

/** The index of the account of an order. */
function accountOf(data: OrderData, order: number): number {
  return data.rows[(order << DATA_SHIFT) + ACCOUNT]!;
}

/** The index of the venue of an order. */
function venueOf(data: OrderData, order: number): number {
  return data.rows[(order << DATA_SHIFT) + VENUE]!;
}

/** The packed one-byte fields of an order. */
function attributesOf(data: OrderData, order: number): number {
  return data.rows[(order << DATA_SHIFT) + ATTRIBUTES]!;
}

/** The index in `OrderData.numbers` of a double field of an order. */
function numberAt(order: number, field: number): number {
  return (order << (DATA_SHIFT - 1)) + field;
}

/** Whether this machine stores a uint64's low 32 bits first, as typed arrays see it. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** The int32 index of a uint64's high and low halves, relative to its first half. */
const HIGH_WORD = LITTLE_ENDIAN ? 1 : 0;
const LOW_WORD = LITTLE_ENDIAN ? 0 : 1;

/** How many orders the store and the order data make room for up front. */
const INITIAL_ORDERS = 1024;

/** "No order", as the token map and the book say it. */
const NO_ORDER = -1;

/** The `sideCode` of a short sell (`T`). */
const SHORT_SELL = 2;

/** One second in nanoseconds: the window of flow control. */
const SECOND = 1_000_000_000;

/** Every group allowed: one bit per `groupCode`. */
const ALL_GROUPS = 0b1111;

/**
 * A matcher's whole state, from {@linkcode Matcher.exportState}: only meaningful to
 * {@linkcode Matcher.importState} of a matcher made with the same options. Its arrays are
 * views of the matcher's own until copied.
 */
export interface MatcherState {
  open: boolean;
  timestamp: number;
  orderNumber: number;
  matchNumber: number;
  store: OrderStoreState;
  /** The matcher's order rows and each order's Client Reference. */
  data: { rows: Int32Array; clientReference: string[] };
  /** The accounts in the order they appeared. */
  accounts: MatcherAccountState[];
  /** The orderbooks in configuration order. */
  venues: MatcherVenueState[];
}

/** One account's part of a {@linkcode MatcherState}. */
export interface MatcherAccountState {
  id: number;
  highestToken: number;
  /** The highest token of the web page's range (0: none yet; absent in older snapshots). */
  highestPageToken?: number;
  orders: TokenIndexState;
  lastReference: string;
  limits: AccountLimits;
  ring: Float64Array | null;
  ringAt: number;
  throttled: boolean;
}

/** One orderbook's part of a {@linkcode MatcherState}. */
export interface MatcherVenueState {
  id: string;
  halted: boolean;
  shortSellRestricted: boolean;
  lastPrice: number;
  trades: Float64Array | null;
  tradeCount: number;
  tradeNext: number;
  book: OrderBookState;
}

/**
 * The first token of the web page's own range: the page's orders take tokens from here up,
 * the OUCH sessions' stay below, each range strictly increasing on its own (K4 within each).
 */
export const PAGE_TOKEN_BASE = 0xf0000000;

/** Whether `token` is above the highest of its range (K4). */
function freshToken(account: Account, token: number): boolean {
  return token < PAGE_TOKEN_BASE
    ? token > account.highestToken
    : token > account.highestPageToken;
}

/** Consumes `token` in its range. */
function useToken(account: Account, token: number): void {
  if (token < PAGE_TOKEN_BASE) account.highestToken = token;
  else account.highestPageToken = token;
}

/**
 * Per account and trading day: the highest token seen, the live orders by token, and the
 * account's limits (K19–K21) in the form the checks read.
 */
class Account {
  /** The caller's id, also the position in the matcher's account list, kept per order. */
  readonly id: number;
  highestToken = 0;
  /** The highest token at or above {@linkcode PAGE_TOKEN_BASE} seen today; 0 for none. */
  highestPageToken = 0;
  /** Token → order handle. */
  readonly orders: TokenIndex = new TokenIndex();
  /** The Client Reference of the account's latest order. */
  lastReference = "";
  /** The limits as given, for {@linkcode Matcher.accountLimits}. */
  limits: AccountLimits = {};
  /** Flow control: most messages per second, `0` for none. */
  throttle = 0;
  /** The timestamps of the last `throttle` messages, oldest at `ringAt`. */
  ring: Float64Array | null = null;
  ringAt = 0;
  /** Whether the message being handled is over the flow control limit. */
  throttled = false;
  /** Ten times the order value limit in yen (price × quantity is in tenths × shares). */
  maxValue = Number.POSITIVE_INFINITY;
  /** The Firm IDs allowed besides 0, or `null` for any. */
  firms: Set<number> | null = null;
  /** The groups allowed, one bit per `groupCode`. */
  groups = ALL_GROUPS;
  constructor(id: number, limits: AccountLimits) {
    this.id = id;
    this.setLimits(limits);
  }

  /** Takes new (checked) limits; the flow control window starts afresh. */
  setLimits(limits: AccountLimits): void {
    this.limits = limits;
    const throttle = limits.throttle ?? 0;
    this.throttle = throttle;
    this.ring = throttle === 0
      ? null
      : new Float64Array(throttle).fill(Number.NEGATIVE_INFINITY);
    this.ringAt = 0;
    this.throttled = false;
    this.maxValue = limits.maxOrderValue === undefined
      ? Number.POSITIVE_INFINITY
      : limits.maxOrderValue * 10;
    this.firms = limits.firms === undefined ? null : new Set(limits.firms);
    let groups = ALL_GROUPS;
    if (limits.groups !== undefined) {
      groups = 0;
      for (const group of limits.groups) groups |= 1 << groupCode(group);
    }
    this.groups = groups;
  }

  /**
   * Counts one inbound message at `timestamp` for flow control and sets `throttled`: the
   * message is over the limit when the `throttle`-th message before it came less than a
   * second earlier. Every message counts, throttled or not. A timestamp below the one it
   * is compared with (the clock passed midnight) starts the window afresh.
   */
  count(timestamp: number): void {
    const ring = this.ring;
    if (ring === null) return;
    const at = this.ringAt;
    const oldest = ring[at]!;
    this.throttled = timestamp >= oldest && timestamp - oldest < SECOND;
    ring[at] = timestamp;
    this.ringAt = at + 1 === ring.length ? 0 : at + 1;
  }

  /**
   * Returns `clientReference`, or the equal string kept for the previous order, so that
   * orders with the same reference share one string rather than one each.
   */
  reference(clientReference: string): string {
    const last = this.lastReference;
    if (clientReference === last) return last;
    this.lastReference = clientReference;
    return clientReference;
  }
}

/**
 * Layout of a kept trade: a row of 8 doubles in `Venue.trades`, overwritten in place
 * once the history is full. Buyer and seller are account indexes, valid for the day.
 */
const TRADE_SIZE = 8;
const TRADE_MATCH_NUMBER = 0;
const TRADE_PRICE = 1;
const TRADE_QUANTITY = 2;
const TRADE_TIMESTAMP = 3;
const TRADE_BUYER = 4;
const TRADE_SELLER = 5;
/** `0` when the buyer was the aggressor, `1` when the seller was. */
const TRADE_AGGRESSOR = 6;

/** State shared by the matcher and its orderbooks during a command. */
class Core {
  timestamp = 0;
  /** The day's Order Number counter: the last one given. */
  orderNumber = 0;
  /** The day's Match Number counter: the last one given. */
  matchNumber = 0;
  /** The trading date times 10^10: Order and Match Numbers are this plus the counter. */
  readonly numberBase: bigint;
  /**
   * The last Order and Match Numbers given, as bigints. The next is the last plus 1n: one
   * bigint made, where `numberBase + BigInt(counter)` makes two (measured: the matcher's
   * throughput with it is about a quarter higher).
   */
  lastOrderNumber: bigint;
  lastMatchNumber: bigint;
  readonly output: MatcherOutput;
  readonly tradeHistory: number;
  /** The orders of every orderbook. */
  readonly store: OrderStore = new OrderStore(INITIAL_ORDERS);
  /** The matcher's fields of each order, by handle. */
  readonly data: OrderData = new OrderData(INITIAL_ORDERS);
  /** Accounts of the trading day, by id; `undefined` for ids not seen yet. */
  readonly accounts: (Account | undefined)[] = [];
  /** The same accounts in the order they appeared, for walks that ignore unused ids. */
  readonly accountList: Account[] = [];
  /**
   * The order being entered or replaced while it matches: its account, token, side,
   * executed quantity and Order Number. Kept here rather than read from its row, which a
   * new order gets only once it rests.
   */
  incomingOwner: Account | null = null;
  incomingToken = 0;
  incomingBuy = false;
  incomingExecuted = 0;
  incomingOrderNumber = 0n;
  constructor(output: MatcherOutput, numberBase: bigint, tradeHistory: number) {
    this.output = output;
    this.numberBase = numberBase;
    this.lastOrderNumber = numberBase;
    this.lastMatchNumber = numberBase;
    this.tradeHistory = tradeHistory;
  }

  /** Gives the next Order Number of the day. */
  nextOrderNumber(): bigint {
    if (++this.orderNumber > MAX_COUNTER) failCounter("Order");
    return this.lastOrderNumber = this.lastOrderNumber + 1n;
  }

  /** The 64-bit Order Number of a resting order. */
  orderNumberOf(order: number): bigint {
    return this.data.orderNumbers[numberAt(order, ORDER_NUMBER)]!;
  }

  /** Removes a done order from its account's live orders and frees its handle. */
  retire(order: number, owner: Account): void {
    owner.orders.delete(tokenOf(this.data, order));
    this.release(order);
  }

  /** Frees the handle of an order that does not rest. */
  release(order: number): void {
    this.store.release(order);
    this.data.clientReference[order] = "";
  }
}

/**
 * One orderbook: its book, reference data, halt and short-sell state, trade history, and
 * the book's listener.
 */
class Venue implements BookListener {
  readonly id: string;
  /** Position in the matcher's venue list, kept per order. */
  readonly index: number;
  readonly book: OrderBook;
  readonly core: Core;
  readonly instrument: Instrument;
  /** Quantities must be multiples of it. */
  readonly roundLot: number;
  /** The lowest and highest valid prices, inclusive (0.1 and the protocol's maximum without limits). */
  readonly lower: number;
  readonly upper: number;
  /** The tick table's bands: lower bounds and ticks; `tickFree` when every tick is 0.1. */
  readonly tickFrom: Int32Array;
  readonly ticks: Int32Array;
  readonly tickFree: boolean;
  /** A trade at or below this price switches the short-sell restriction on; -1 for never. */
  readonly shortSellTrigger: number;
  halted = false;
  /** Whether the short-sell price restriction (K18) is in effect. */
  shortSellRestricted = false;
  /** The price of the latest trade, `0` before the first. */
  lastPrice = 0;
  /** The kept trades (see `TRADE_SIZE`), allocated as they come. */
  trades: Float64Array | null = null;
  /** Number of kept trades. */
  tradeCount = 0;
  /** The row the next trade goes to. */
  tradeNext = 0;

  constructor(
    instrument: Instrument,
    table: TickTable,
    index: number,
    core: Core,
  ) {
    this.id = instrument.orderbookId;
    this.index = index;
    this.core = core;
    this.book = new OrderBook(this, core.store);
    this.instrument = instrument;
    this.roundLot = instrument.roundLot;
    const limited = instrument.upperLimit !== 0;
    this.lower = limited ? instrument.lowerLimit : 1;
    this.upper = limited ? instrument.upperLimit : MAX_PRICE;
    this.tickFrom = Int32Array.from(table, (band) => band.from);
    this.ticks = Int32Array.from(table, (band) => band.tick);
    this.tickFree = table.every((band) => band.tick === 1);
    const reference = instrument.referencePrice;
    this.shortSellTrigger = reference === 0
      ? -1
      : Math.floor(reference * 9 / 10);
  }

  /**
   * Whether a price is valid here (K17): within the price limits (and so above 0 and at
   * most the protocol's maximum) and a multiple of its band's tick.
   */
  validPrice(price: number): boolean {
    return price >= this.lower && price <= this.upper &&
      (this.tickFree || this.onTick(price));
  }

  /** Whether a price is a multiple of the tick of its band. */
  onTick(price: number): boolean {
    const from = this.tickFrom;
    let i = from.length - 1;
    while (i > 0 && from[i]! >= price) i--;
    return price % this.ticks[i]! === 0;
  }

  /**
   * Whether the short-sell restriction forbids a short sell at `price`: it is in effect
   * and the price is at or below the last trade price (the reference price before the
   * first trade; nothing to compare with, nothing forbidden).
   */
  shortSellForbidden(price: number): boolean {
    if (!this.shortSellRestricted) return false;
    const last = this.lastPrice !== 0
      ? this.lastPrice
      : this.instrument.referencePrice;
    return price <= last;
  }

  // Adds, cancels and replaces are reported by the matcher, which knows what they mean
  // (a replace that crosses is a delete, fills and an add); fills are reported here.
  add(): void {}

  cancel(): void {}

  replace(): void {}

  match(
    resting: number,
    _incoming: number,
    quantity: number,
    price: number,
    restingQuantity: number,
  ): void {
    const core = this.core;
    const data = core.data;
    const counter = ++core.matchNumber;
    if (counter > MAX_COUNTER) failCounter("Match");
    const matchNumber = core.lastMatchNumber = core.lastMatchNumber + 1n;
    const timestamp = core.timestamp;
    const restingOwner = core.accounts[accountOf(data, resting)]!;
    const incomingOwner = core.incomingOwner!;
    const output = core.output;
    output.message(restingOwner.id, {
      type: "orderExecuted",
      timestamp,
      orderToken: tokenOf(data, resting),
      executedQuantity: quantity,
      executionPrice: price,
      liquidityIndicator: "A",
      matchNumber,
    });
    output.message(incomingOwner.id, {
      type: "orderExecuted",
      timestamp,
      orderToken: core.incomingToken,
      executedQuantity: quantity,
      executionPrice: price,
      liquidityIndicator: "R",
      matchNumber,
    });
    const buy = core.incomingBuy;
    output.market({
      type: "bookExecute",
      timestamp,
      orderbookId: this.id,
      orderNumber: core.orderNumberOf(resting),
      side: buy ? "S" : "B",
      price,
      quantity,
      remaining: restingQuantity,
      matchNumber,
      restingAccount: restingOwner.id,
      incomingAccount: incomingOwner.id,
      incomingOrderNumber: core.incomingOrderNumber,
    });
    this.lastPrice = price;
    if (price <= this.shortSellTrigger && !this.shortSellRestricted) {
      this.shortSellRestricted = true;
      output.market({
        type: "shortSellState",
        timestamp,
        orderbookId: this.id,
        restricted: true,
      });
    }
    data.numbers[numberAt(resting, EXECUTED)]! += quantity;
    core.incomingExecuted += quantity;
    if (restingQuantity === 0) core.retire(resting, restingOwner);
    const history = core.tradeHistory;
    if (history === 0) return;
    let trades = this.trades;
    if (trades === null || this.tradeNext * TRADE_SIZE === trades.length) {
      trades = this.#growTrades(history);
    }
    const at = this.tradeNext * TRADE_SIZE;
    trades[at + TRADE_MATCH_NUMBER] = counter;
    trades[at + TRADE_PRICE] = price;
    trades[at + TRADE_QUANTITY] = quantity;
    trades[at + TRADE_TIMESTAMP] = timestamp;
    trades[at + TRADE_BUYER] = buy ? incomingOwner.id : restingOwner.id;
    trades[at + TRADE_SELLER] = buy ? restingOwner.id : incomingOwner.id;
    trades[at + TRADE_AGGRESSOR] = buy ? 0 : 1;
    this.tradeNext = this.tradeNext + 1 === history ? 0 : this.tradeNext + 1;
    if (this.tradeCount < history) this.tradeCount++;
  }

  /**
   * Makes room for one more kept trade while fewer than `history` are kept: the rows
   * double, up to `history`, so that a long history costs memory only once it fills.
   */
  #growTrades(history: number): Float64Array {
    const old = this.trades;
    const rows = old === null ? 0 : old.length / TRADE_SIZE;
    const grown = new Float64Array(
      Math.min(history, Math.max(16, rows * 2)) * TRADE_SIZE,
    );
    if (old !== null) grown.set(old);
    return this.trades = grown;
  }

  /** The kept trades, oldest first, as fresh objects. */
  tradeList(): Trade[] {
    const trades = this.trades;
    const out: Trade[] = [];
    if (trades === null) return out;
    const count = this.tradeCount;
    const history = this.core.tradeHistory;
    const first = count < history ? 0 : this.tradeNext;
    const base = this.core.numberBase;
    for (let k = 0; k < count; k++) {
      const at = ((first + k) % history) * TRADE_SIZE;
      out.push({
        matchNumber: base + BigInt(trades[at + TRADE_MATCH_NUMBER]!),
        orderbookId: this.id,
        price: trades[at + TRADE_PRICE]!,
        quantity: trades[at + TRADE_QUANTITY]!,
        timestamp: trades[at + TRADE_TIMESTAMP]!,
        buyer: trades[at + TRADE_BUYER]!,
        seller: trades[at + TRADE_SELLER]!,
        aggressor: trades[at + TRADE_AGGRESSOR] === 0 ? "B" : "S",
      });
    }
    return out;
  }
}

/** Throws the error for a day that has used up its ten-digit counter. */
function failCounter(what: string): never {
  throw new RangeError(
    `Cannot number the order as the day's ${what} Number counter is past ${MAX_COUNTER}`,
  );
}

/**
 * Checks an account id: a non-negative int32 integer.
 *
 * @throws {TypeError} If it is not a number.
 * @throws {RangeError} If it is not an integer from 0 to 2^31 - 1.
 */
function checkAccount(account: number, action: string): void {
  if ((account | 0) === account && account >= 0) return;
  if (typeof account !== "number") {
    throw new TypeError(
      `Cannot ${action} as account must be a number: current value is ${
        typeof account === "string" ? `"${account}"` : String(account)
      }`,
    );
  }
  throw new RangeError(
    `Cannot ${action} as account must be an integer from 0 to 2147483647: current value is ${account}`,
  );
}

/** The book's side of a stored order, as a market event says it. */
function feedSide(side: BookSide): FeedSide {
  return side === "buy" ? "B" : "S";
}

function checkUint32(value: number, field: string): void {
  if ((value >>> 0) !== value) {
    throw new RangeError(
      `Cannot handle message as ${field} must be a uint32 integer: current value is ${value}`,
    );
  }
}

/** Sorts order handles by Order Number. */
function sortByOrderNumber(orders: number[], data: OrderData): number[] {
  // Compare the two 32-bit halves: reading the uint64s would make a bigint per read.
  const rows = data.rows;
  return orders.sort((a, b) => {
    const x = numberAt(a, ORDER_NUMBER) << 1;
    const y = numberAt(b, ORDER_NUMBER) << 1;
    return ((rows[x + HIGH_WORD]! >>> 0) - (rows[y + HIGH_WORD]! >>> 0)) ||
      ((rows[x + LOW_WORD]! >>> 0) - (rows[y + LOW_WORD]! >>> 0));
  });
}

/**
 * The matching engine of the simulator: one {@linkcode OrderBook} per configured
 * orderbook, the per-account token sequence, validation in the order of K22 (with each
 * orderbook's reference data: round lot, tick table, price limits; the short-sell price
 * restriction; each account's flow control, order value limit, Firm IDs and groups),
 * matching with self-match prevention, Immediate and minimum quantity orders, replaces
 * whose quantity is the order chain's total, cancels, halts and the trading day, exactly
 * as `docs/exchange_rules.md` describes.
 *
 * Commands are method calls that take the time as an argument; the answers go to the
 * output synchronously, in order: plain readonly OUCH message objects whose fields follow
 * the order of `lib/codec/messages.ts`, for one account id or for {@linkcode ALL_ACCOUNTS},
 * and the order-level {@linkcode MarketEvent}s a market-data feed is built from. The
 * matcher never reads a clock and is deterministic. Business outcomes are OUCH messages
 * (or silence, for ignored messages); only a programming error throws.
 *
 * Accounts are dense non-negative integer ids (0, 1, 2 …) chosen by the caller: the
 * matcher knows no names, and grows its per-account tables as new ids appear.
 *
 * A matcher is one trading day: closing and reopening the market keeps tokens, Order and
 * Match Numbers and the trade history. A new day is a new matcher (and a new SoupBinTCP
 * session).
 *
 * @example Two orders trade
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matcher } from "./matcher.ts";
 * import type { EnterOrder } from "../codec/messages.ts";
 *
 * const seen: string[] = [];
 * const matcher = new Matcher({
 *   message: (account, message) => seen.push(`${account} ${message.type}`),
 *   market: (event) => seen.push(event.type),
 * }, { tradingDate: "20261128" });
 * const order: EnterOrder = {
 *   type: "enterOrder", orderToken: 1, clientReference: "", buySellIndicator: "S",
 *   quantity: 300, orderbookId: "7203", group: "DAY", price: 28_000,
 *   timeInForce: 99999, firmId: 0, display: " ", capacity: "P",
 *   minimumQuantity: 0, orderClassification: "1", cashMarginType: "1",
 * };
 * matcher.handle(0, order, 1_000);
 * matcher.handle(1, { ...order, buySellIndicator: "B", quantity: 100 }, 2_000);
 * assert.deepEqual(seen, [
 *   "0 orderAccepted",
 *   "bookAdd",
 *   "1 orderAccepted",
 *   "0 orderExecuted",
 *   "1 orderExecuted",
 *   "bookExecute",
 * ]);
 * assert.deepEqual(matcher.depth("7203")?.asks, [{ price: 28_000, quantity: 200, orders: 1 }]);
 * assert.equal(matcher.trades("7203")[0]?.matchNumber, 202611280000000001n);
 * ```
 */
export class Matcher {
  readonly #core: Core;
  readonly #venues: Map<string, Venue> = new Map();
  /** Venues by `Venue.index`. */
  readonly #venueList: Venue[] = [];
  #lastVenue: Venue | undefined = undefined;
  readonly #orderbooks: readonly string[];
  /** Every known tick table by id: the built-in ones and the configured ones. */
  readonly #tickTables: ReadonlyMap<number, TickTable>;
  /** The limits of accounts without limits of their own. */
  readonly #defaultLimits: AccountLimits;
  #open: boolean;
  #busy = false;

  /**
   * Creates a matcher with empty books.
   *
   * @param output Receives every outbound message and market event.
   * @param options The trading date, orderbooks, initial market state, history size.
   * @throws {TypeError} If `output` lacks `message` or `market`, an orderbook id is not a
   *   string, or `tradingDate` is not a string.
   * @throws {RangeError} If `tradingDate` is not a real date `YYYYMMDD`, an orderbook is
   *   listed twice or `tradeHistory` is not a non-negative integer.
   *
   * @example The trading date starts every number
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * assert.throws(
   *   () => new Matcher({ message() {}, market() {} }, { tradingDate: "20261131" }),
   *   { name: "RangeError", message: /real date/ },
   * );
   * ```
   */
  constructor(output: MatcherOutput, options: MatcherOptions) {
    if (
      typeof output?.message !== "function" ||
      typeof output?.market !== "function"
    ) {
      throw new TypeError(
        "Cannot create matcher as output must have message() and market() methods",
      );
    }
    const base = numberBase(options.tradingDate);
    const tradeHistory = options.tradeHistory ?? 100;
    if (!Number.isSafeInteger(tradeHistory) || tradeHistory < 0) {
      throw new RangeError(
        `Cannot create matcher as tradeHistory must be a non-negative integer: current value is ${tradeHistory}`,
      );
    }
    this.#core = new Core(output, base, tradeHistory);
    const { tickTables: tables, instruments } = resolveOrderbooks(options);
    this.#tickTables = tables;
    for (const instrument of instruments) {
      const venue = new Venue(
        instrument,
        tables.get(instrument.tickTable)!,
        this.#venueList.length,
        this.#core,
      );
      this.#venues.set(instrument.orderbookId, venue);
      this.#venueList.push(venue);
    }
    const orderbooks = instruments.map((instrument) => instrument.orderbookId);
    this.#orderbooks = Object.freeze([...orderbooks]);
    this.#defaultLimits = Object.freeze({
      ...checkAccountLimits(options.accountLimits ?? {}, "every account"),
    });
    this.#open = options.open ?? true;
  }

  /** Whether the market is open. */
  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * The matcher's whole state (books, orders, tokens, Order and Match Numbers, flow-control
   * windows, halts and short-sell flags), for an engine snapshot. A matcher made with the
   * same options that imports it ({@linkcode Matcher.importState}) answers every later
   * command exactly as this one would. The arrays are views of the matcher's own: encode
   * or copy them before the next command.
   *
   * @returns The state.
   *
   * @example A copy carries on where the original is
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   * import type { EnterOrder } from "../codec/messages.ts";
   *
   * const seen: string[] = [];
   * const output = {
   *   message: (account: number, message: { type: string }) => seen.push(`${account} ${message.type}`),
   *   market() {},
   * };
   * const order: EnterOrder = {
   *   type: "enterOrder", orderToken: 1, clientReference: "", buySellIndicator: "S",
   *   quantity: 300, orderbookId: "7203", group: "DAY", price: 28_000,
   *   timeInForce: 99999, firmId: 0, display: " ", capacity: "P",
   *   minimumQuantity: 0, orderClassification: "1", cashMarginType: "1",
   * };
   * const matcher = new Matcher(output, { tradingDate: "20261128" });
   * matcher.handle(0, order, 1_000);
   * const copy = new Matcher(output, { tradingDate: "20261128" });
   * copy.importState(structuredClone(matcher.exportState()));
   * seen.length = 0;
   * copy.handle(1, { ...order, buySellIndicator: "B", quantity: 100 }, 2_000);
   * assert.deepEqual(seen, ["1 orderAccepted", "0 orderExecuted", "1 orderExecuted"]);
   * assert.equal(copy.trades("7203").length, 1);
   * ```
   */
  exportState(): MatcherState {
    const core = this.#core;
    return {
      open: this.#open,
      timestamp: core.timestamp,
      orderNumber: core.orderNumber,
      matchNumber: core.matchNumber,
      store: core.store.exportState(),
      data: {
        rows: core.data.rows.subarray(0),
        clientReference: core.data.clientReference.slice(),
      },
      accounts: core.accountList.map((account) => ({
        id: account.id,
        highestToken: account.highestToken,
        highestPageToken: account.highestPageToken,
        orders: account.orders.exportState(),
        lastReference: account.lastReference,
        limits: account.limits,
        ring: account.ring,
        ringAt: account.ringAt,
        throttled: account.throttled,
      })),
      venues: this.#venueList.map((venue) => ({
        id: venue.id,
        halted: venue.halted,
        shortSellRestricted: venue.shortSellRestricted,
        lastPrice: venue.lastPrice,
        trades: venue.trades,
        tradeCount: venue.tradeCount,
        tradeNext: venue.tradeNext,
        book: venue.book.exportState(),
      })),
    };
  }

  /**
   * Replaces the state of a matcher that has handled nothing yet with a copy of one from
   * {@linkcode Matcher.exportState} of a matcher made with the same options.
   *
   * @param state The state.
   * @throws {RangeError} When the state's orderbooks are not this matcher's, or its arrays
   *   do not fit.
   */
  importState(state: MatcherState): void {
    const venues = this.#venueList;
    if (
      state.venues.length !== venues.length ||
      state.venues.some((venue, i) => venue.id !== venues[i]!.id)
    ) {
      throw new RangeError(
        `Cannot restore the matcher: its orderbooks are ${
          state.venues.map((venue) => `"${venue.id}"`).join(", ")
        }, this matcher's ${venues.map((venue) => `"${venue.id}"`).join(", ")}`,
      );
    }
    const core = this.#core;
    this.#open = state.open;
    core.timestamp = state.timestamp;
    core.orderNumber = state.orderNumber;
    core.matchNumber = state.matchNumber;
    core.lastOrderNumber = core.numberBase + BigInt(state.orderNumber);
    core.lastMatchNumber = core.numberBase + BigInt(state.matchNumber);
    core.store.importState(state.store);
    core.data.importState(state.data.rows, state.data.clientReference);
    core.accounts.length = 0;
    core.accountList.length = 0;
    for (const saved of state.accounts) {
      const account = new Account(saved.id, Object.freeze({ ...saved.limits }));
      account.highestToken = saved.highestToken;
      account.highestPageToken = saved.highestPageToken ?? 0;
      account.orders.importState(saved.orders);
      account.lastReference = saved.lastReference;
      if ((saved.ring?.length ?? 0) !== (account.ring?.length ?? 0)) {
        throw new RangeError(
          `Cannot restore the matcher: account ${saved.id}'s flow-control window does not fit its limits`,
        );
      }
      account.ring = saved.ring === null ? null : saved.ring.slice();
      account.ringAt = saved.ringAt;
      account.throttled = saved.throttled;
      core.accounts[saved.id] = account;
      core.accountList.push(account);
    }
    state.venues.forEach((saved, i) => {
      const venue = venues[i]!;
      venue.halted = saved.halted;
      venue.shortSellRestricted = saved.shortSellRestricted;
      venue.lastPrice = saved.lastPrice;
      venue.trades = saved.trades === null ? null : saved.trades.slice();
      venue.tradeCount = saved.tradeCount;
      venue.tradeNext = saved.tradeNext;
      venue.book.importState(saved.book);
    });
    this.#lastVenue = undefined;
  }

  /** The configured orderbooks, in configuration order. */
  get orderbooks(): readonly string[] {
    return this.#orderbooks;
  }

  /**
   * Handles one inbound OUCH message of `account`: Enter Order, Replace Order or Cancel
   * Order. The answers (possibly none, for an ignored message) and the market events go to
   * the output before this returns.
   *
   * @param account The id of the account that sent the message: an integer from 0 to
   *   2^31 - 1. A new id is a new account.
   * @param message The decoded message.
   * @param timestamp Nanoseconds since midnight, stamped on every answer and event.
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer, `account` is
   *   not an integer from 0 to 2^31 - 1, or a numeric field is not a uint32 integer.
   * @throws {TypeError} If the message type is unknown, `account` is not a number, or a
   *   listener calls back into the matcher.
   *
   * @example A duplicate token is ignored
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   * import type { OutboundMessage } from "../codec/messages.ts";
   *
   * const sent: OutboundMessage[] = [];
   * const matcher = new Matcher(
   *   { message: (_account, message) => sent.push(message), market() {} },
   *   { tradingDate: "20261128" },
   * );
   * const cancel = { type: "cancelOrder", orderToken: 1, quantity: 0 } as const;
   * matcher.handle(0, cancel, 5);
   * assert.deepEqual(sent, []);
   * ```
   */
  handle(account: number, message: InboundMessage, timestamp: number): void {
    checkAccount(account, "handle message");
    this.#begin(timestamp);
    try {
      const owner = this.#account(account);
      if (owner.ring !== null) owner.count(timestamp);
      switch (message.type) {
        case "enterOrder":
          this.#enter(owner, message);
          break;
        case "replaceOrder":
          this.#replace(owner, message);
          break;
        case "cancelOrder":
          this.#cancel(owner, message);
          break;
        default:
          throw new TypeError(
            `Cannot handle message as its type must be enterOrder, replaceOrder or cancelOrder: current type is "${
              (message as { type: unknown }).type
            }"`,
          );
      }
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Opens the market: System Event `S` to every account, then a `marketState` event.
   * Reopening after a close continues the same trading day: tokens, Order and Match
   * Numbers carry on.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` if the market was already open (nothing happens).
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   *
   * @example Open a closed market
   * ```ts
   * import assert from "node:assert/strict";
   * import { ALL_ACCOUNTS, Matcher } from "./matcher.ts";
   *
   * const sent: unknown[] = [];
   * const matcher = new Matcher({
   *   message: (account, message) => sent.push([account, message]),
   *   market: (event) => sent.push(event),
   * }, { tradingDate: "20261128", open: false });
   * assert.equal(matcher.open(7), true);
   * assert.equal(matcher.open(8), false);
   * assert.deepEqual(sent, [
   *   [ALL_ACCOUNTS, { type: "systemEvent", timestamp: 7, eventCode: "S" }],
   *   { type: "marketState", timestamp: 7, open: true },
   * ]);
   * ```
   */
  open(timestamp: number): boolean {
    this.#begin(timestamp);
    try {
      if (this.#open) return false;
      this.#open = true;
      const output = this.#core.output;
      output.message(ALL_ACCOUNTS, {
        type: "systemEvent",
        timestamp,
        eventCode: "S",
      });
      output.market({ type: "marketState", timestamp, open: true });
      return true;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Closes the market: every resting order is canceled (reason `O`, in Order Number
   * order, each followed by its `bookDelete`), then System Event `E` goes to every account,
   * then a `marketState` event.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` if the market was already closed (nothing happens).
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   *
   * @example End of day
   * ```ts
   * import assert from "node:assert/strict";
   * import { ALL_ACCOUNTS, Matcher } from "./matcher.ts";
   *
   * const sent: unknown[] = [];
   * const matcher = new Matcher({
   *   message: (account, message) => sent.push([account, message]),
   *   market: (event) => sent.push(event),
   * }, { tradingDate: "20261128" });
   * assert.equal(matcher.close(9), true);
   * assert.equal(matcher.isOpen, false);
   * assert.deepEqual(sent, [
   *   [ALL_ACCOUNTS, { type: "systemEvent", timestamp: 9, eventCode: "E" }],
   *   { type: "marketState", timestamp: 9, open: false },
   * ]);
   * ```
   */
  close(timestamp: number): boolean {
    this.#begin(timestamp);
    try {
      if (!this.#open) return false;
      const all: number[] = [];
      for (const account of this.#core.accountList) {
        for (const order of account.orders.values()) all.push(order);
      }
      this.#cancelAll(all, "O");
      this.#open = false;
      const output = this.#core.output;
      output.message(ALL_ACCOUNTS, {
        type: "systemEvent",
        timestamp,
        eventCode: "E",
      });
      output.market({ type: "marketState", timestamp, open: false });
      return true;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Halts an orderbook: Enter Order is rejected with `H` and a replace that would
   * execute cancels the order with `R`. No OUCH message is sent; a `tradingState` event
   * is.
   *
   * @param orderbookId The orderbook.
   * @param timestamp Nanoseconds since midnight, for the market event.
   * @returns `false` if the orderbook is unknown or already halted.
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   *
   * @example Halt and resume
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   * import type { MarketEvent } from "./market_event.ts";
   *
   * const events: MarketEvent[] = [];
   * const matcher = new Matcher(
   *   { message() {}, market: (event) => events.push(event) },
   *   { tradingDate: "20261128" },
   * );
   * assert.equal(matcher.halt("7203", 1), true);
   * assert.equal(matcher.isHalted("7203"), true);
   * assert.equal(matcher.halt("7203", 2), false);
   * assert.equal(matcher.resume("7203", 3), true);
   * assert.equal(matcher.halt("nope", 4), false);
   * assert.deepEqual(events, [
   *   { type: "tradingState", timestamp: 1, orderbookId: "7203", halted: true },
   *   { type: "tradingState", timestamp: 3, orderbookId: "7203", halted: false },
   * ]);
   * ```
   */
  halt(orderbookId: string, timestamp: number): boolean {
    return this.#setHalted(orderbookId, timestamp, true);
  }

  /**
   * Resumes a halted orderbook. No OUCH message is sent; a `tradingState` event is.
   *
   * @param orderbookId The orderbook.
   * @param timestamp Nanoseconds since midnight, for the market event.
   * @returns `false` if the orderbook is unknown or not halted.
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   *
   * @example Resume a running orderbook
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.equal(matcher.resume("7203", 1), false);
   * ```
   */
  resume(orderbookId: string, timestamp: number): boolean {
    return this.#setHalted(orderbookId, timestamp, false);
  }

  /**
   * Switches the short-sell price restriction (K18) of an orderbook on or off, as the
   * operator's `ssr ID on|off` does: while on, a short sell (`T`) at or below the last trade
   * price is rejected with `i` (a replace canceled with `i`). No OUCH message is sent; a
   * `shortSellState` event is. A trade at or below 90 % of the reference price switches it
   * on by itself.
   *
   * @param orderbookId The orderbook.
   * @param restricted Whether the restriction is to be in effect.
   * @param timestamp Nanoseconds since midnight, for the market event.
   * @returns `false` if the orderbook is unknown or already in that state.
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   *
   * @example On, then off
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   * import type { MarketEvent } from "./market_event.ts";
   *
   * const events: MarketEvent[] = [];
   * const matcher = new Matcher(
   *   { message() {}, market: (event) => events.push(event) },
   *   { tradingDate: "20261128" },
   * );
   * assert.equal(matcher.setShortSellRestricted("7203", true, 1), true);
   * assert.equal(matcher.setShortSellRestricted("7203", true, 2), false);
   * assert.equal(matcher.isShortSellRestricted("7203"), true);
   * assert.equal(matcher.setShortSellRestricted("7203", false, 3), true);
   * assert.deepEqual(events, [
   *   { type: "shortSellState", timestamp: 1, orderbookId: "7203", restricted: true },
   *   { type: "shortSellState", timestamp: 3, orderbookId: "7203", restricted: false },
   * ]);
   * ```
   */
  setShortSellRestricted(
    orderbookId: string,
    restricted: boolean,
    timestamp: number,
  ): boolean {
    this.#begin(timestamp);
    try {
      const venue = this.#venues.get(orderbookId);
      if (venue === undefined || venue.shortSellRestricted === restricted) {
        return false;
      }
      venue.shortSellRestricted = restricted;
      this.#core.output.market({
        type: "shortSellState",
        timestamp,
        orderbookId,
        restricted,
      });
      return true;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Tells whether the short-sell price restriction of an orderbook is in effect.
   *
   * @param orderbookId The orderbook.
   * @returns `true` if in effect, `false` if not or unknown.
   *
   * @example Off at the start of the day
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.equal(matcher.isShortSellRestricted("7203"), false);
   * ```
   */
  isShortSellRestricted(orderbookId: string): boolean {
    return this.#venues.get(orderbookId)?.shortSellRestricted ?? false;
  }

  /**
   * Returns an orderbook's reference data (K17), limits resolved.
   *
   * @param orderbookId The orderbook.
   * @returns Its instrument, or `undefined` for an unknown orderbook.
   *
   * @example The seed's books have no rules
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.equal(matcher.instrument("7203")?.referencePrice, 28_000);
   * assert.equal(matcher.instrument("7203")?.roundLot, 100);
   * assert.equal(matcher.instrument("1")?.tickTable, 0);
   * assert.equal(matcher.instrument("nope"), undefined);
   * ```
   */
  instrument(orderbookId: string): Instrument | undefined {
    return this.#venues.get(orderbookId)?.instrument;
  }

  /**
   * The tick tables the matcher knows, by id: the built-in ones (0, 1, 3) and the
   * configured ones.
   *
   * @returns Table id to table.
   *
   * @example Table 3 starts with a tick of 0.1 up to 1,000 yen
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.deepEqual(matcher.tickTables.get(3)?.slice(0, 2), [
   *   { from: 0, tick: 1 },
   *   { from: 10_000, tick: 5 },
   * ]);
   * ```
   */
  get tickTables(): ReadonlyMap<number, TickTable> {
    return this.#tickTables;
  }

  /**
   * Gives an account its own limits (K19–K21), in place of the matcher's `accountLimits`:
   * fields left out here take the matcher's. The flow control window starts afresh. Call
   * it when the account becomes known, before its first message, so that a replay of the
   * day's commands does the same.
   *
   * @param account The account id.
   * @param limits Its limits.
   * @throws {RangeError} If `account` is not an integer from 0 to 2^31 - 1 or a limit is
   *   out of range (see `checkAccountLimits`).
   *
   * @example Firm 12 only
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, {
   *   tradingDate: "20261128",
   *   accountLimits: { throttle: 100 },
   * });
   * matcher.setAccountLimits(0, { firms: [12] });
   * assert.deepEqual(matcher.accountLimits(0), { throttle: 100, firms: [12] });
   * assert.deepEqual(matcher.accountLimits(1), { throttle: 100 });
   * ```
   */
  setAccountLimits(account: number, limits: AccountLimits): void {
    checkAccount(account, "set account limits");
    const merged = Object.freeze({
      ...this.#defaultLimits,
      ...checkAccountLimits(limits, `account ${account}`),
    });
    this.#account(account).setLimits(merged);
  }

  /**
   * Returns the limits an account trades under.
   *
   * @param account The account id.
   * @returns Its limits: its own merged over the matcher's, or the matcher's.
   * @throws {RangeError} If `account` is not an integer from 0 to 2^31 - 1.
   *
   * @example No limits by default
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.deepEqual(matcher.accountLimits(0), {});
   * ```
   */
  accountLimits(account: number): AccountLimits {
    checkAccount(account, "read account limits");
    return this.#core.accounts[account]?.limits ?? this.#defaultLimits;
  }

  /**
   * Cancels every resting order of an account, in Order Number order, with reason `L`
   * (cancel on disconnect) or `S` (supervisory); each cancel is followed by its
   * `bookDelete`.
   *
   * @param account The account id.
   * @param timestamp Nanoseconds since midnight.
   * @param reason `L` or `S`.
   * @returns How many orders were canceled (0 for an account not seen today).
   * @throws {RangeError} If `timestamp` is invalid, `account` is not an integer from 0 to
   *   2^31 - 1, or `reason` is neither `L` nor `S`.
   *
   * @example Nothing to cancel
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.equal(matcher.cancelAccount(0, 1, "L"), 0);
   * ```
   */
  cancelAccount(account: number, timestamp: number, reason: "L" | "S"): number {
    if (reason !== "L" && reason !== "S") {
      throw new RangeError(
        `Cannot cancel account orders as reason must be "L" or "S": current reason is "${reason}"`,
      );
    }
    checkAccount(account, "cancel account orders");
    this.#begin(timestamp);
    try {
      const state = this.#core.accounts[account];
      if (state === undefined) return 0;
      const orders = state.orders.values();
      this.#cancelAll(orders, reason);
      return orders.length;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Tells whether an orderbook is halted.
   *
   * @param orderbookId The orderbook.
   * @returns `true` if halted, `false` if running or unknown.
   *
   * @example Unknown orderbooks are not halted
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.equal(matcher.isHalted("nope"), false);
   * ```
   */
  isHalted(orderbookId: string): boolean {
    return this.#venues.get(orderbookId)?.halted ?? false;
  }

  /**
   * Returns the aggregated top of an orderbook.
   *
   * @param orderbookId The orderbook.
   * @param levels How many levels per side at most.
   * @returns The depth, best levels first, or `undefined` for an unknown orderbook.
   * @throws {RangeError} If `levels` is not a non-negative integer.
   *
   * @example An empty book
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.deepEqual(matcher.depth("1"), { orderbookId: "1", bids: [], asks: [] });
   * assert.equal(matcher.depth("nope"), undefined);
   * ```
   */
  depth(orderbookId: string, levels = 10): Depth | undefined {
    const venue = this.#venues.get(orderbookId);
    if (venue === undefined) return undefined;
    return {
      orderbookId,
      bids: venue.book.depth("buy", levels),
      asks: venue.book.depth("sell", levels),
    };
  }

  /**
   * Returns the resting orders of one side of an orderbook in priority order (best price
   * first, oldest first within a price). Read-only; for checking a market-data feed
   * against the book.
   *
   * @param orderbookId The orderbook.
   * @param side `B` for bids, `S` for asks.
   * @returns The orders, or `undefined` for an unknown orderbook.
   *
   * @example One bid
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * matcher.handle(0, {
   *   type: "enterOrder", orderToken: 1, clientReference: "", buySellIndicator: "B",
   *   quantity: 5, orderbookId: "1", group: "DAY", price: 990, timeInForce: 99999,
   *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0,
   *   orderClassification: "1", cashMarginType: "1",
   * }, 1);
   * assert.deepEqual(matcher.bookOrders("1", "B"), [
   *   { orderNumber: 202611280000000001n, price: 990, quantity: 5 },
   * ]);
   * assert.deepEqual(matcher.bookOrders("1", "S"), []);
   * ```
   */
  bookOrders(
    orderbookId: string,
    side: "B" | "S",
  ):
    | {
      readonly orderNumber: bigint;
      readonly price: number;
      readonly quantity: number;
    }[]
    | undefined {
    const venue = this.#venues.get(orderbookId);
    if (venue === undefined) return undefined;
    const core = this.#core;
    return [...venue.book.orders(side === "B" ? "buy" : "sell")].map((
      order,
    ) => ({
      orderNumber: core.orderNumberOf(order),
      price: core.store.price(order),
      quantity: core.store.quantity(order),
    }));
  }

  /**
   * Returns the latest trades of an orderbook.
   *
   * @param orderbookId The orderbook.
   * @returns At most `tradeHistory` trades, oldest first; empty for an unknown orderbook.
   *
   * @example No trades yet
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.deepEqual(matcher.trades("1"), []);
   * ```
   */
  trades(orderbookId: string): readonly Trade[] {
    return this.#venues.get(orderbookId)?.tradeList() ?? [];
  }

  /**
   * Returns the resting orders of an account.
   *
   * @param account The account id.
   * @returns Its resting orders in Order Number order; empty for an account not seen today.
   * @throws {RangeError} If `account` is not an integer from 0 to 2^31 - 1.
   *
   * @example Unknown account
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.deepEqual(matcher.openOrders(3), []);
   * ```
   */
  openOrders(account: number): OpenOrder[] {
    checkAccount(account, "list open orders");
    const state = this.#core.accounts[account];
    if (state === undefined) return [];
    const core = this.#core;
    const data = core.data;
    const store = core.store;
    const orders = sortByOrderNumber(state.orders.values(), data);
    return orders.map((order) => {
      const attributes = attributesOf(data, order);
      return {
        orderToken: tokenOf(data, order),
        orderNumber: core.orderNumberOf(order),
        orderbookId: this.#venueList[venueOf(data, order)]!.id,
        buySellIndicator: sideOf(attributes),
        price: store.price(order),
        openQuantity: store.quantity(order),
        executedQuantity: data.numbers[numberAt(order, EXECUTED)]!,
        timeInForce: TIME_IN_FORCE_DAY,
        display: displayOf(attributes),
        minimumQuantity: 0,
        clientReference: data.clientReference[order]!,
        group: groupOf(attributes),
        firmId: store.selfMatchKey(order),
        capacity: capacityOf(attributes),
        orderClassification: classificationOf(attributes),
        cashMarginType: cashMarginOf(attributes),
      };
    });
  }

  /**
   * Returns the smallest token the account can use next: the highest token seen today
   * plus 1.
   *
   * @param account The account id.
   * @returns The next usable token (1 for an account not seen today).
   * @throws {RangeError} If `account` is not an integer from 0 to 2^31 - 1.
   *
   * @example A fresh account starts at 1
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.equal(matcher.nextToken(0), 1);
   * ```
   */
  nextToken(account: number): number {
    checkAccount(account, "read the next token");
    return (this.#core.accounts[account]?.highestToken ?? 0) + 1;
  }

  /**
   * Returns the smallest token the web page can use next for the account: tokens from
   * {@linkcode PAGE_TOKEN_BASE} up are the page's own sequence, apart from the OUCH
   * sessions' (ours, not JNX's: so the two never collide).
   *
   * @param account The account id.
   * @returns The next usable page token ({@linkcode PAGE_TOKEN_BASE} for an account not seen today).
   * @throws {RangeError} If `account` is not an integer from 0 to 2^31 - 1.
   *
   * @example The page's range is apart from the OUCH tokens
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher, PAGE_TOKEN_BASE } from "./matcher.ts";
   *
   * const matcher = new Matcher({ message() {}, market() {} }, { tradingDate: "20261128" });
   * assert.equal(matcher.nextPageToken(0), PAGE_TOKEN_BASE);
   * assert.equal(matcher.nextToken(0), 1);
   * ```
   */
  nextPageToken(account: number): number {
    checkAccount(account, "read the next page token");
    const highest = this.#core.accounts[account]?.highestPageToken ?? 0;
    return highest === 0 ? PAGE_TOKEN_BASE : highest + 1;
  }

  #begin(timestamp: number): void {
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new RangeError(
        `Cannot run command as timestamp must be a non-negative safe integer: current value is ${timestamp}`,
      );
    }
    if (this.#busy) {
      throw new TypeError(
        "Cannot run command as a listener called back into the matcher",
      );
    }
    this.#busy = true;
    this.#core.timestamp = timestamp;
  }

  #setHalted(orderbookId: string, timestamp: number, halted: boolean): boolean {
    this.#begin(timestamp);
    try {
      const venue = this.#venues.get(orderbookId);
      if (venue === undefined || venue.halted === halted) return false;
      venue.halted = halted;
      this.#core.output.market({
        type: "tradingState",
        timestamp,
        orderbookId,
        halted,
      });
      return true;
    } finally {
      this.#busy = false;
    }
  }

  /** The venue of an orderbook id; the last one found is checked first. */
  #venue(orderbookId: string): Venue | undefined {
    const last = this.#lastVenue;
    if (last !== undefined && last.id === orderbookId) return last;
    const venue = this.#venues.get(orderbookId);
    if (venue !== undefined) this.#lastVenue = venue;
    return venue;
  }

  /**
   * The account of `id`, created if new. Ids that come in order (0, 1, 2 …) keep the list
   * a packed array; others leave holes, which cost only lookup speed.
   */
  #account(id: number): Account {
    const core = this.#core;
    let account = core.accounts[id];
    if (account === undefined) {
      account = new Account(id, this.#defaultLimits);
      core.accounts[id] = account;
      core.accountList.push(account);
    }
    return account;
  }

  #reject(
    account: Account,
    orderToken: number,
    reason: OrderRejectedReason,
  ): void {
    this.#core.output.message(account.id, {
      type: "orderRejected",
      timestamp: this.#core.timestamp,
      orderToken,
      orderRejectedReason: reason,
    });
  }

  #canceled(
    account: Account,
    orderToken: number,
    decrementQuantity: number,
    reason: OrderCanceledReason,
  ): void {
    this.#core.output.message(account.id, {
      type: "orderCanceled",
      timestamp: this.#core.timestamp,
      orderToken,
      decrementQuantity,
      orderCanceledReason: reason,
    });
  }

  /**
   * Reports that a resting order leaves its book other than by execution, with all its
   * open quantity. Call it before the book removes the order.
   */
  #bookDelete(venue: Venue, order: number, owner: Account): void {
    const core = this.#core;
    const store = core.store;
    core.output.market({
      type: "bookDelete",
      timestamp: core.timestamp,
      orderbookId: venue.id,
      orderNumber: core.orderNumberOf(order),
      side: feedSide(store.side(order)),
      price: store.price(order),
      quantity: store.quantity(order),
      account: owner.id,
    });
  }

  /** Reports that `order` now rests on `venue`'s book with its current price and quantity. */
  #bookAdd(venue: Venue, order: number, owner: Account, number: bigint): void {
    const core = this.#core;
    const store = core.store;
    core.output.market({
      type: "bookAdd",
      timestamp: core.timestamp,
      orderbookId: venue.id,
      orderNumber: number,
      side: feedSide(store.side(order)),
      price: store.price(order),
      quantity: store.quantity(order),
      account: owner.id,
    });
  }

  /**
   * Reports that a resting order changed in place from `originalOrderNumber`, `oldPrice`
   * and `oldQuantity` to its current Order Number, price and quantity.
   */
  #bookReplace(
    venue: Venue,
    order: number,
    owner: Account,
    originalOrderNumber: bigint,
    oldPrice: number,
    oldQuantity: number,
  ): void {
    const core = this.#core;
    const store = core.store;
    const price = store.price(order);
    const quantity = store.quantity(order);
    core.output.market({
      type: "bookReplace",
      timestamp: core.timestamp,
      orderbookId: venue.id,
      originalOrderNumber,
      orderNumber: core.orderNumberOf(order),
      side: feedSide(store.side(order)),
      oldPrice,
      oldQuantity,
      price,
      quantity,
      account: owner.id,
      keepsPriority: price === oldPrice && quantity <= oldQuantity,
    });
  }

  /** Cancels resting orders in Order Number order, with one reason. */
  #cancelAll(orders: number[], reason: OrderCanceledReason): void {
    const core = this.#core;
    const data = core.data;
    const store = core.store;
    sortByOrderNumber(orders, data);
    for (const order of orders) {
      const owner = core.accounts[accountOf(data, order)]!;
      const venue = this.#venueList[venueOf(data, order)]!;
      this.#canceled(
        owner,
        tokenOf(data, order),
        store.quantity(order),
        reason,
      );
      this.#bookDelete(venue, order, owner);
      venue.book.cancel(order, 0);
      core.retire(order, owner);
    }
  }

  /**
   * An Enter Order: the token, then the checks of K22 in their order, then Order Accepted
   * and matching. An Immediate order that can execute nothing (no opposite order at its
   * limit, or less than its minimum quantity) is accepted dead (`D`) and that is all (K5,
   * K6); one that meets an order of its own firm first is accepted live and AIQ-canceled.
   */
  #enter(account: Account, message: EnterOrder): void {
    const token = message.orderToken;
    const quantity = message.quantity;
    const price = message.price;
    const timeInForce = message.timeInForce;
    const minimumQuantity = message.minimumQuantity;
    const firmId = message.firmId;
    checkUint32(token, "orderToken");
    checkUint32(quantity, "quantity");
    checkUint32(price, "price");
    checkUint32(timeInForce, "timeInForce");
    checkUint32(firmId, "firmId");
    checkUint32(minimumQuantity, "minimumQuantity");
    if (!freshToken(account, token)) return;
    useToken(account, token);

    if (!this.#open) return this.#reject(account, token, "R");
    const venue = this.#venue(message.orderbookId);
    if (venue === undefined) return this.#reject(account, token, "S");
    if (venue.halted) return this.#reject(account, token, "H");
    const group = groupCode(message.group);
    if (group < 0 || (account.groups & (1 << group)) === 0) {
      return this.#reject(account, token, "c");
    }
    if (firmId !== 0 && account.firms !== null && !account.firms.has(firmId)) {
      return this.#reject(account, token, "L");
    }
    if (account.throttled) return this.#reject(account, token, "F");
    if (
      price < venue.lower || price > venue.upper ||
      (!venue.tickFree && !venue.onTick(price))
    ) {
      return this.#reject(account, token, "X");
    }
    const lot = venue.roundLot;
    if (
      quantity === 0 || quantity > MAX_QUANTITY ||
      (lot !== 1 && quantity % lot !== 0)
    ) {
      return this.#reject(account, token, "Z");
    }
    if (
      (minimumQuantity > 0 && timeInForce !== TIME_IN_FORCE_IMMEDIATE) ||
      minimumQuantity > quantity
    ) {
      return this.#reject(account, token, "N");
    }
    const side = sideCode(message.buySellIndicator);
    const classification = classificationCode(message.orderClassification);
    if (
      side < 0 || classification < 0 ||
      (timeInForce !== TIME_IN_FORCE_IMMEDIATE &&
        timeInForce !== TIME_IN_FORCE_DAY)
    ) {
      return this.#reject(account, token, "Y");
    }
    const display = displayCode(message.display);
    if (display < 0) return this.#reject(account, token, "D");
    const cashMargin = cashMarginCode(message.cashMarginType);
    if (cashMargin < 0) return this.#reject(account, token, "G");
    const capacity = capacityCode(message.capacity);
    if (capacity < 0) return this.#reject(account, token, "O");
    if (price * quantity > account.maxValue) {
      return this.#reject(account, token, "V");
    }
    if (side === SHORT_SELL && venue.shortSellForbidden(price)) {
      return this.#reject(account, token, "i");
    }
    const bookSide: BookSide = side === 0 ? "buy" : "sell";
    const book = venue.book;
    if (display === 1 && book.crosses(bookSide, price)) {
      return this.#reject(account, token, "O");
    }

    const immediate = timeInForce === TIME_IN_FORCE_IMMEDIATE;
    const dead = immediate &&
      (minimumQuantity > 0
        ? book.executableQuantity(bookSide, price, firmId, minimumQuantity) <
          minimumQuantity
        : !book.crosses(bookSide, price));
    const core = this.#core;
    const orderNumber = core.nextOrderNumber();
    core.output.message(account.id, {
      type: "orderAccepted",
      timestamp: core.timestamp,
      orderToken: token,
      clientReference: message.clientReference,
      buySellIndicator: message.buySellIndicator,
      quantity,
      orderbookId: message.orderbookId,
      group: message.group,
      price,
      timeInForce,
      firmId,
      display: message.display,
      capacity: message.capacity,
      orderNumber,
      minimumQuantity,
      orderState: dead ? "D" : "L",
      orderClassification: message.orderClassification,
      cashMarginType: message.cashMarginType,
    });
    if (dead) return;
    core.incomingOwner = account;
    core.incomingToken = token;
    core.incomingBuy = side === 0;
    core.incomingExecuted = 0;
    core.incomingOrderNumber = orderNumber;
    const store = core.store;
    const order = store.create(bookSide, price, quantity, firmId);
    if (!immediate) {
      // A Day order: the book rests what is left unless self-match prevention stopped it.
      const stopper = book.enter(order);
      if (stopper !== NO_ORDER) {
        this.#preventMatch(account, token, order, stopper);
      } else if (store.resting(order)) {
        const data = core.data;
        data.ensure(order);
        const rows = data.rows;
        const at = order << DATA_SHIFT;
        rows[at + TOKEN] = token;
        rows[at + ACCOUNT] = account.id;
        rows[at + VENUE] = venue.index;
        rows[at + ATTRIBUTES] = packAttributes(
          side,
          display,
          capacity,
          classification,
          cashMargin,
          group,
        );
        data.orderNumbers[numberAt(order, ORDER_NUMBER)] = orderNumber;
        data.numbers[numberAt(order, EXECUTED)] = core.incomingExecuted;
        data.clientReference[order] = account.reference(
          message.clientReference,
        );
        account.orders.add(token, order);
        this.#bookAdd(venue, order, account, orderNumber);
        return;
      }
    } else {
      const stopper = book.match(order);
      if (stopper !== NO_ORDER) {
        this.#preventMatch(account, token, order, stopper);
      } else if (store.quantity(order) > 0) {
        this.#canceled(account, token, store.quantity(order), "I");
      }
    }
    // The order never rested, so it has no row of matcher data to clear.
    store.release(order);
  }

  /** Self-match prevention: cancels the incoming order's remaining quantity (AIQ, `M`). */
  #preventMatch(
    account: Account,
    token: number,
    order: number,
    resting: number,
  ): void {
    const core = this.#core;
    const store = core.store;
    const remaining = store.quantity(order);
    const restingQuantity = store.quantity(resting);
    core.output.message(account.id, {
      type: "orderAiqCanceled",
      timestamp: core.timestamp,
      orderToken: token,
      decrementQuantity: remaining,
      orderCanceledReason: "M",
      quantityPreventedFromTrading: remaining < restingQuantity
        ? remaining
        : restingQuantity,
      executionPrice: store.price(resting),
      liquidityIndicator: "R",
    });
  }

  /**
   * A replace of a resting order (K9). Quantity is the total of the order chain: the new
   * open quantity is Quantity minus what the chain has executed. Invalid details cancel the
   * order with the failed check's code, a total below the executed quantity with `U`; both
   * leave the replacement token unused. A valid
   * replace is Order Replaced with a new Order Number: state `D` when nothing is left open
   * (a total equal to the executed quantity, or an Immediate replace that can execute
   * nothing), else `L`, then any fills.
   *
   * Its market events: an order that stays on the book without crossing is a `bookReplace`
   * with the new Order Number; one that leaves it (canceled, dead, turned Immediate) is a
   * `bookDelete`; one that crosses is a `bookDelete`, its fills, and a `bookAdd` with the
   * new Order Number for any rest.
   */
  #replace(account: Account, message: ReplaceOrder): void {
    const existing = message.existingOrderToken;
    const token = message.replacementOrderToken;
    const quantity = message.quantity;
    const price = message.price;
    const timeInForce = message.timeInForce;
    const minimumQuantity = message.minimumQuantity;
    checkReplace(message);
    const order = account.orders.get(existing);
    if (order === NO_ORDER || !freshToken(account, token)) return;

    const core = this.#core;
    const store = core.store;
    const data = core.data;
    const venue = this.#venueList[venueOf(data, order)]!;
    const book = venue.book;
    const side = store.side(order);
    const open = store.quantity(order);
    const executedAt = numberAt(order, EXECUTED);
    const executed = data.numbers[executedAt]!;
    const left = quantity - executed;
    const display = displayCode(message.display);
    const attributes = data.rows[(order << DATA_SHIFT) + ATTRIBUTES]!;
    let reason: OrderCanceledReason | null = null;
    if (account.throttled) reason = "F";
    else if (!venue.validPrice(price)) reason = "X";
    else if (quantity > MAX_QUANTITY || quantity % venue.roundLot !== 0) {
      reason = "Z";
    } else if (left < 0) {
      // Below what the chain executed: the order is canceled (JNX §6.2), as the user
      // asked by a Replace Order (JNX Table 2, reason U).
      reason = "U";
    } else if (
      (minimumQuantity > 0 && timeInForce !== TIME_IN_FORCE_IMMEDIATE) ||
      minimumQuantity > left
    ) {
      reason = "N";
    } else if (
      timeInForce !== TIME_IN_FORCE_IMMEDIATE &&
      timeInForce !== TIME_IN_FORCE_DAY
    ) {
      reason = "Y";
    } else if (display < 0) reason = "D";
    else if (price * left > account.maxValue) reason = "V";
    else if (
      sideCodeOf(attributes) === SHORT_SELL && venue.shortSellForbidden(price)
    ) {
      reason = "i";
    } else if (left > 0 && book.crosses(side, price)) {
      if (display === 1) reason = "O";
      else if (!this.#open || venue.halted) reason = "R";
    }
    if (reason !== null) {
      this.#canceled(account, existing, open, reason);
      this.#bookDelete(venue, order, account);
      book.cancel(order, 0);
      core.retire(order, account);
      return;
    }

    useToken(account, token);
    account.orders.delete(existing);
    const immediate = timeInForce === TIME_IN_FORCE_IMMEDIATE;
    const key = store.selfMatchKey(order);
    const dead = left === 0 ||
      (immediate &&
        (minimumQuantity > 0
          ? book.executableQuantity(side, price, key, minimumQuantity) <
            minimumQuantity
          : !book.crosses(side, price)));
    const attributesNow = withDisplay(attributes, display);
    const orderNumber = core.nextOrderNumber();
    core.output.message(account.id, {
      type: "orderReplaced",
      timestamp: core.timestamp,
      replacementOrderToken: token,
      buySellIndicator: sideOf(attributesNow),
      quantity: left,
      orderbookId: venue.id,
      group: groupOf(attributesNow),
      price,
      timeInForce,
      display: message.display,
      orderNumber,
      minimumQuantity,
      orderState: dead ? "D" : "L",
      previousOrderToken: existing,
    });
    if (dead) {
      this.#bookDelete(venue, order, account);
      book.cancel(order, 0);
      core.release(order);
      return;
    }
    const oldPrice = store.price(order);
    // Whether the order leaves its place for good or to cross: it is then deleted from the
    // book's point of view, and what rests after matching is added again.
    const leaves = immediate ||
      (!(price === oldPrice && left <= open) && book.crosses(side, price));
    if (leaves) this.#bookDelete(venue, order, account);
    const previousNumber = leaves ? 0n : core.orderNumberOf(order);
    const at = order << DATA_SHIFT;
    data.rows[at + TOKEN] = token;
    data.rows[at + ATTRIBUTES] = attributesNow;
    data.orderNumbers[numberAt(order, ORDER_NUMBER)] = orderNumber;
    core.incomingOwner = account;
    core.incomingToken = token;
    core.incomingBuy = side === "buy";
    core.incomingOrderNumber = orderNumber;
    core.incomingExecuted = executed;
    const stopper = book.replace(order, price, left);
    data.numbers[executedAt] = core.incomingExecuted;
    if (stopper !== NO_ORDER) {
      this.#preventMatch(account, token, order, stopper);
    } else if (store.resting(order)) {
      if (!immediate) {
        account.orders.add(token, order);
        if (leaves) this.#bookAdd(venue, order, account, orderNumber);
        else {
          this.#bookReplace(
            venue,
            order,
            account,
            previousNumber,
            oldPrice,
            open,
          );
        }
        return;
      }
      const remaining = store.quantity(order);
      book.cancel(order, 0);
      this.#canceled(account, token, remaining, "I");
    }
    core.release(order);
  }

  /** A cancel (K10): the whole open quantity, whatever the message's Quantity says. */
  #cancel(account: Account, message: CancelOrder): void {
    const token = message.orderToken;
    checkCancel(message);
    const order = account.orders.get(token);
    if (order === NO_ORDER) return;
    const core = this.#core;
    const venue = this.#venueList[venueOf(core.data, order)]!;
    this.#canceled(account, token, core.store.quantity(order), "U");
    this.#bookDelete(venue, order, account);
    venue.book.cancel(order, 0);
    core.retire(order, account);
  }
}

/** Checks the numeric fields of a Replace Order. */
function checkReplace(message: ReplaceOrder): void {
  checkUint32(message.existingOrderToken, "existingOrderToken");
  checkUint32(message.replacementOrderToken, "replacementOrderToken");
  checkUint32(message.quantity, "quantity");
  checkUint32(message.price, "price");
  checkUint32(message.timeInForce, "timeInForce");
  checkUint32(message.minimumQuantity, "minimumQuantity");
}

/** Checks the numeric fields of a Cancel Order. */
function checkCancel(message: CancelOrder): void {
  checkUint32(message.orderToken, "orderToken");
  checkUint32(message.quantity, "quantity");
}
