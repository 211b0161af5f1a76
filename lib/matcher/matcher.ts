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
  OrderStore,
} from "../orderbook/mod.ts";
import { DATA_LAYOUT, OrderData } from "./_order_data.ts";
import { TokenIndex } from "./_token_index.ts";
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
  sideOf,
  withDisplay,
} from "./_fields.ts";

/** The orderbooks a {@linkcode Matcher} trades when none are configured: the seed's and four stocks. */
export const DEFAULT_ORDERBOOKS: readonly string[] = Object.freeze([
  "0",
  "1",
  "2",
  "3",
  "7203",
  "6758",
  "9984",
  "8306",
]);

/**
 * Receives every outbound OUCH message, synchronously and in order. `account` is the
 * account the message is for, or `null` for a message to every account (System Events
 * only). A listener must not call the matcher's commands.
 */
export type MatcherListener = (
  account: string | null,
  message: OutboundMessage,
) => void;

/** One trade, as kept by {@linkcode Matcher.trades} and sent as a {@linkcode MarketEvent}. */
export interface Trade {
  /** Match Number shared by both Order Executed messages. */
  readonly matchNumber: number;
  /** The orderbook. */
  readonly orderbookId: string;
  /** Price in tenths: the resting order's price. */
  readonly price: number;
  /** Quantity traded. */
  readonly quantity: number;
  /** Time of the command that caused the trade. */
  readonly timestamp: number;
  /** Account of the buy order. */
  readonly buyer: string;
  /** Account of the sell order. */
  readonly seller: string;
  /** Side of the incoming (liquidity removing) order. */
  readonly aggressor: "B" | "S";
}

/** Read-only market data for a display: trades, depth changes, market state and halts. */
export type MarketEvent =
  | { readonly type: "trade"; readonly trade: Trade }
  | { readonly type: "depth"; readonly orderbookId: string }
  | {
    readonly type: "state";
    readonly open: boolean;
    readonly timestamp: number;
  }
  | {
    readonly type: "halt";
    readonly orderbookId: string;
    readonly halted: boolean;
    readonly timestamp: number;
  };

/** Options of a {@linkcode Matcher}. */
export interface MatcherOptions {
  /**
   * The orderbooks that can be traded.
   *
   * @default {DEFAULT_ORDERBOOKS}
   */
  orderbooks?: readonly string[];
  /**
   * Whether the market is open at construction. No message is sent for it.
   *
   * @default {true}
   */
  open?: boolean;
  /**
   * Receives market data. A `depth` event comes at most once per command and
   * orderbook, after the command's OUCH messages.
   */
  onMarket?: (event: MarketEvent) => void;
  /**
   * How many trades {@linkcode Matcher.trades} keeps per orderbook.
   *
   * @default {100}
   */
  tradeHistory?: number;
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
  /** Order Number, kept across replaces. */
  readonly orderNumber: number;
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

/** How many orders the store and the order data make room for up front. */
const INITIAL_ORDERS = 1024;
/** Slots of the account cache, minus one. */
const ACCOUNT_CACHE_MASK = 63;
/** The slot of the account cache for an account name. */
function accountSlot(name: string): number {
  return name.charCodeAt(name.length - 1) & ACCOUNT_CACHE_MASK;
}

/** "No order", as the token map and the book say it. */
const NO_ORDER = -1;

/** Per account and trading day: the highest token seen and the live orders by token. */
class Account {
  readonly name: string;
  /** Position in the matcher's account list, kept per order. */
  readonly index: number;
  highestToken = 0;
  /** Token → order handle. */
  readonly orders: TokenIndex = new TokenIndex();
  /** The Client Reference of the account's latest order. */
  lastReference = "";
  constructor(name: string, index: number) {
    this.name = name;
    this.index = index;
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
  orderNumber = 0;
  matchNumber = 0;
  readonly listener: MatcherListener;
  readonly onMarket: ((event: MarketEvent) => void) | undefined;
  readonly tradeHistory: number;
  /** Venues whose depth changed during the command: the first `dirtyCount` entries. */
  readonly dirty: Venue[] = [];
  dirtyCount = 0;
  /** The orders of every orderbook. */
  readonly store: OrderStore = new OrderStore(INITIAL_ORDERS);
  /** The matcher's fields of each order, by handle. */
  readonly data: OrderData = new OrderData(INITIAL_ORDERS);
  /** Accounts of the trading day, by `Account.index`. */
  readonly accounts: Account[] = [];
  /**
   * The order being entered or replaced while it matches: its account, token, side and
   * executed quantity. Kept here rather than read from its row, which a new order gets
   * only once it rests.
   */
  incomingOwner: Account | null = null;
  incomingToken = 0;
  incomingBuy = false;
  incomingExecuted = 0;
  constructor(
    listener: MatcherListener,
    onMarket: ((event: MarketEvent) => void) | undefined,
    tradeHistory: number,
  ) {
    this.listener = listener;
    this.onMarket = onMarket;
    this.tradeHistory = tradeHistory;
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

/** One orderbook: its book, halt flag, trade history, and the book's listener. */
class Venue implements BookListener {
  readonly id: string;
  /** Position in the matcher's venue list, kept per order. */
  readonly index: number;
  readonly book: OrderBook;
  readonly core: Core;
  halted = false;
  dirty = false;
  /** The kept trades (see `TRADE_SIZE`), allocated as they come. */
  trades: Float64Array | null = null;
  /** Number of kept trades. */
  tradeCount = 0;
  /** The row the next trade goes to. */
  tradeNext = 0;

  constructor(id: string, index: number, core: Core) {
    this.id = id;
    this.index = index;
    this.core = core;
    this.book = new OrderBook(this, core.store);
  }

  add(): void {
    this.touch();
  }

  cancel(): void {
    this.touch();
  }

  replace(): void {
    this.touch();
  }

  match(
    resting: number,
    _incoming: number,
    quantity: number,
    price: number,
    restingQuantity: number,
  ): void {
    const core = this.core;
    const data = core.data;
    const matchNumber = ++core.matchNumber;
    const timestamp = core.timestamp;
    const restingOwner = core.accounts[accountOf(data, resting)]!;
    const incomingOwner = core.incomingOwner!;
    core.listener(restingOwner.name, {
      type: "orderExecuted",
      timestamp,
      orderToken: tokenOf(data, resting),
      executedQuantity: quantity,
      executionPrice: price,
      liquidityIndicator: "A",
      matchNumber,
    });
    core.listener(incomingOwner.name, {
      type: "orderExecuted",
      timestamp,
      orderToken: core.incomingToken,
      executedQuantity: quantity,
      executionPrice: price,
      liquidityIndicator: "R",
      matchNumber,
    });
    data.numbers[numberAt(resting, EXECUTED)]! += quantity;
    core.incomingExecuted += quantity;
    this.touch();
    if (restingQuantity === 0) core.retire(resting, restingOwner);
    const history = core.tradeHistory;
    if (history === 0 && core.onMarket === undefined) return;
    const buy = core.incomingBuy;
    if (history !== 0) {
      let trades = this.trades;
      if (trades === null || this.tradeNext * TRADE_SIZE === trades.length) {
        trades = this.#growTrades(history);
      }
      const at = this.tradeNext * TRADE_SIZE;
      trades[at + TRADE_MATCH_NUMBER] = matchNumber;
      trades[at + TRADE_PRICE] = price;
      trades[at + TRADE_QUANTITY] = quantity;
      trades[at + TRADE_TIMESTAMP] = timestamp;
      trades[at + TRADE_BUYER] = buy ? incomingOwner.index : restingOwner.index;
      trades[at + TRADE_SELLER] = buy
        ? restingOwner.index
        : incomingOwner.index;
      trades[at + TRADE_AGGRESSOR] = buy ? 0 : 1;
      this.tradeNext = this.tradeNext + 1 === history ? 0 : this.tradeNext + 1;
      if (this.tradeCount < history) this.tradeCount++;
    }
    const onMarket = core.onMarket;
    if (onMarket !== undefined) {
      const buyer = buy ? incomingOwner.name : restingOwner.name;
      const seller = buy ? restingOwner.name : incomingOwner.name;
      const aggressor = buy ? "B" : "S";
      const trade: Trade = {
        matchNumber,
        orderbookId: this.id,
        price,
        quantity,
        timestamp,
        buyer,
        seller,
        aggressor,
      };
      onMarket({ type: "trade", trade });
    }
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

  touch(): void {
    if (!this.dirty) {
      this.dirty = true;
      const core = this.core;
      core.dirty[core.dirtyCount++] = this;
    }
  }

  /** The kept trades, oldest first, as fresh objects. */
  tradeList(): Trade[] {
    const trades = this.trades;
    const out: Trade[] = [];
    if (trades === null) return out;
    const count = this.tradeCount;
    const history = this.core.tradeHistory;
    const first = count < history ? 0 : this.tradeNext;
    const accounts = this.core.accounts;
    for (let k = 0; k < count; k++) {
      const at = ((first + k) % history) * TRADE_SIZE;
      out.push({
        matchNumber: trades[at + TRADE_MATCH_NUMBER]!,
        orderbookId: this.id,
        price: trades[at + TRADE_PRICE]!,
        quantity: trades[at + TRADE_QUANTITY]!,
        timestamp: trades[at + TRADE_TIMESTAMP]!,
        buyer: accounts[trades[at + TRADE_BUYER]!]!.name,
        seller: accounts[trades[at + TRADE_SELLER]!]!.name,
        aggressor: trades[at + TRADE_AGGRESSOR] === 0 ? "B" : "S",
      });
    }
    return out;
  }
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
  const numbers = data.numbers;
  return orders.sort((a, b) =>
    numbers[numberAt(a, ORDER_NUMBER)]! - numbers[numberAt(b, ORDER_NUMBER)]!
  );
}

/**
 * The matching engine of the simulator: one {@linkcode OrderBook} per configured
 * orderbook, the per-account token sequence, validation, matching with self-match
 * prevention, Immediate and minimum quantity orders, replaces, cancels, halts and the
 * trading day, exactly as `docs/exchange_rules.md` describes.
 *
 * Commands are method calls that take the time as an argument; the answers go to the
 * listener synchronously, in order, as plain readonly OUCH message objects whose fields
 * follow the order of `lib/codec/messages.ts`. The matcher never reads a clock and is
 * deterministic. Business outcomes are OUCH messages (or silence, for ignored messages);
 * only a programming error throws.
 *
 * A matcher is one trading day: closing and reopening the market keeps tokens, Order and
 * Match Numbers and the trade history. A new day is a new matcher (and a new SoupBinTCP
 * session).
 *
 * @example Two orders trade
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matcher } from "./matcher.ts";
 * import type { EnterOrder, OutboundMessage } from "../codec/messages.ts";
 *
 * const sent: [string | null, OutboundMessage["type"]][] = [];
 * const matcher = new Matcher((account, message) => sent.push([account, message.type]));
 * const order: EnterOrder = {
 *   type: "enterOrder", orderToken: 1, clientReference: "", buySellIndicator: "S",
 *   quantity: 100, orderbookId: "7203", group: "DAY", price: 23_000,
 *   timeInForce: 99999, firmId: 0, display: " ", capacity: "P",
 *   minimumQuantity: 0, orderClassification: "1", cashMarginType: "1",
 * };
 * matcher.handle("alice", order, 1_000);
 * matcher.handle("bob", { ...order, buySellIndicator: "B", quantity: 40 }, 2_000);
 * assert.deepEqual(sent, [
 *   ["alice", "orderAccepted"],
 *   ["bob", "orderAccepted"],
 *   ["alice", "orderExecuted"],
 *   ["bob", "orderExecuted"],
 * ]);
 * assert.deepEqual(matcher.depth("7203")?.asks, [{ price: 23_000, quantity: 60, orders: 1 }]);
 * ```
 */
export class Matcher {
  readonly #core: Core;
  readonly #venues: Map<string, Venue> = new Map();
  /** Venues by `Venue.index`. */
  readonly #venueList: Venue[] = [];
  #lastVenue: Venue | undefined = undefined;
  readonly #accounts: Map<string, Account> = new Map();
  /** Recently used accounts, by the last character code of the name. */
  readonly #accountCache: (Account | undefined)[] = new Array<
    Account | undefined
  >(
    ACCOUNT_CACHE_MASK + 1,
  ).fill(undefined);
  readonly #orderbooks: readonly string[];
  #open: boolean;
  #busy = false;

  /**
   * Creates a matcher with empty books.
   *
   * @param listener Receives every outbound message.
   * @param options Orderbooks, initial market state, market data listener, history size.
   * @throws {TypeError} If an orderbook id is not a string.
   * @throws {RangeError} If an orderbook is listed twice or `tradeHistory` is not a
   *   non-negative integer.
   */
  constructor(listener: MatcherListener, options: MatcherOptions = {}) {
    const tradeHistory = options.tradeHistory ?? 100;
    if (!Number.isSafeInteger(tradeHistory) || tradeHistory < 0) {
      throw new RangeError(
        `Cannot create matcher as tradeHistory must be a non-negative integer: current value is ${tradeHistory}`,
      );
    }
    this.#core = new Core(listener, options.onMarket, tradeHistory);
    const orderbooks = options.orderbooks ?? DEFAULT_ORDERBOOKS;
    for (const id of orderbooks) {
      if (typeof id !== "string") {
        throw new TypeError(
          `Cannot create matcher as orderbook ids must be strings: current id is ${id}`,
        );
      }
      if (this.#venues.has(id)) {
        throw new RangeError(
          `Cannot create matcher as orderbook "${id}" is listed twice`,
        );
      }
      const venue = new Venue(id, this.#venueList.length, this.#core);
      this.#venues.set(id, venue);
      this.#venueList.push(venue);
    }
    this.#orderbooks = Object.freeze([...orderbooks]);
    this.#open = options.open ?? true;
  }

  /** Whether the market is open. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** The configured orderbooks, in configuration order. */
  get orderbooks(): readonly string[] {
    return this.#orderbooks;
  }

  /**
   * Handles one inbound OUCH message of `account`: Enter Order, Replace Order or Cancel
   * Order. The answers (possibly none, for an ignored message) go to the listener before
   * this returns.
   *
   * @param account The account (SoupBinTCP username) that sent the message.
   * @param message The decoded message.
   * @param timestamp Nanoseconds since midnight, stamped on every answer.
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer or a numeric
   *   field is not a uint32 integer.
   * @throws {TypeError} If the message type is unknown, `account` is not a string, or a
   *   listener calls back into the matcher.
   *
   * @example A duplicate token is ignored
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   * import type { OutboundMessage } from "../codec/messages.ts";
   *
   * const sent: OutboundMessage[] = [];
   * const matcher = new Matcher((_account, message) => sent.push(message));
   * const cancel = { type: "cancelOrder", orderToken: 1, quantity: 0 } as const;
   * matcher.handle("alice", cancel, 5);
   * assert.deepEqual(sent, []);
   * ```
   */
  handle(account: string, message: InboundMessage, timestamp: number): void {
    if (typeof account !== "string") {
      throw new TypeError(
        `Cannot handle message as account must be a string: current value is ${account}`,
      );
    }
    this.#begin(timestamp);
    try {
      switch (message.type) {
        case "enterOrder":
          this.#enter(account, message);
          break;
        case "replaceOrder":
          this.#replace(account, message);
          break;
        case "cancelOrder":
          this.#cancel(account, message);
          break;
        default:
          throw new TypeError(
            `Cannot handle message as its type must be enterOrder, replaceOrder or cancelOrder: current type is "${
              (message as { type: unknown }).type
            }"`,
          );
      }
      this.#flushDepth();
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Opens the market: System Event `S` to every account. Reopening after a close continues
   * the same trading day: tokens, Order and Match Numbers carry on.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` if the market was already open (nothing happens).
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   *
   * @example Open a closed market
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const sent: unknown[] = [];
   * const matcher = new Matcher((account, message) => sent.push([account, message]), { open: false });
   * assert.equal(matcher.open(7), true);
   * assert.equal(matcher.open(8), false);
   * assert.deepEqual(sent, [[null, { type: "systemEvent", timestamp: 7, eventCode: "S" }]]);
   * ```
   */
  open(timestamp: number): boolean {
    this.#begin(timestamp);
    try {
      if (this.#open) return false;
      this.#open = true;
      const core = this.#core;
      core.listener(null, { type: "systemEvent", timestamp, eventCode: "S" });
      core.onMarket?.({ type: "state", open: true, timestamp });
      return true;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Closes the market: every resting order is canceled (reason `O`, in Order Number
   * order), then System Event `E` goes to every account.
   *
   * @param timestamp Nanoseconds since midnight.
   * @returns `false` if the market was already closed (nothing happens).
   * @throws {RangeError} If `timestamp` is not a non-negative safe integer.
   *
   * @example End of day
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const sent: unknown[] = [];
   * const matcher = new Matcher((account, message) => sent.push([account, message]));
   * assert.equal(matcher.close(9), true);
   * assert.equal(matcher.isOpen, false);
   * assert.deepEqual(sent, [[null, { type: "systemEvent", timestamp: 9, eventCode: "E" }]]);
   * ```
   */
  close(timestamp: number): boolean {
    this.#begin(timestamp);
    try {
      if (!this.#open) return false;
      const all: number[] = [];
      for (const account of this.#accounts.values()) {
        for (const order of account.orders.values()) all.push(order);
      }
      this.#cancelAll(all, "O");
      this.#open = false;
      const core = this.#core;
      core.listener(null, { type: "systemEvent", timestamp, eventCode: "E" });
      core.onMarket?.({ type: "state", open: false, timestamp });
      this.#flushDepth();
      return true;
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Halts an orderbook: Enter Order is rejected with `H` and a replace that would
   * execute cancels the order with `R`. No OUCH message is sent.
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
   *
   * const matcher = new Matcher(() => {});
   * assert.equal(matcher.halt("7203", 1), true);
   * assert.equal(matcher.isHalted("7203"), true);
   * assert.equal(matcher.halt("7203", 2), false);
   * assert.equal(matcher.resume("7203", 3), true);
   * assert.equal(matcher.halt("nope", 4), false);
   * ```
   */
  halt(orderbookId: string, timestamp: number): boolean {
    return this.#setHalted(orderbookId, timestamp, true);
  }

  /**
   * Resumes a halted orderbook. No OUCH message is sent.
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
   * const matcher = new Matcher(() => {});
   * assert.equal(matcher.resume("7203", 1), false);
   * ```
   */
  resume(orderbookId: string, timestamp: number): boolean {
    return this.#setHalted(orderbookId, timestamp, false);
  }

  /**
   * Cancels every resting order of an account, in Order Number order, with reason `L`
   * (cancel on disconnect) or `S` (supervisory).
   *
   * @param account The account.
   * @param timestamp Nanoseconds since midnight.
   * @param reason `L` or `S`.
   * @returns How many orders were canceled (0 for an unknown account).
   * @throws {RangeError} If `timestamp` is invalid or `reason` is neither `L` nor `S`.
   *
   * @example Nothing to cancel
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * const matcher = new Matcher(() => {});
   * assert.equal(matcher.cancelAccount("alice", 1, "L"), 0);
   * ```
   */
  cancelAccount(account: string, timestamp: number, reason: "L" | "S"): number {
    if (reason !== "L" && reason !== "S") {
      throw new RangeError(
        `Cannot cancel account orders as reason must be "L" or "S": current reason is "${reason}"`,
      );
    }
    this.#begin(timestamp);
    try {
      const state = this.#accounts.get(account);
      if (state === undefined) return 0;
      const orders = state.orders.values();
      this.#cancelAll(orders, reason);
      this.#flushDepth();
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
   * assert.equal(new Matcher(() => {}).isHalted("nope"), false);
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
   * const matcher = new Matcher(() => {});
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
   * assert.deepEqual(new Matcher(() => {}).trades("1"), []);
   * ```
   */
  trades(orderbookId: string): readonly Trade[] {
    return this.#venues.get(orderbookId)?.tradeList() ?? [];
  }

  /**
   * Returns the resting orders of an account.
   *
   * @param account The account.
   * @returns Its resting orders in Order Number order; empty for an unknown account.
   *
   * @example Unknown account
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * assert.deepEqual(new Matcher(() => {}).openOrders("alice"), []);
   * ```
   */
  openOrders(account: string): OpenOrder[] {
    const state = this.#accounts.get(account);
    if (state === undefined) return [];
    const core = this.#core;
    const data = core.data;
    const store = core.store;
    const orders = sortByOrderNumber(state.orders.values(), data);
    return orders.map((order) => {
      const attributes = attributesOf(data, order);
      return {
        orderToken: tokenOf(data, order),
        orderNumber: data.numbers[numberAt(order, ORDER_NUMBER)]!,
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
   * @param account The account.
   * @returns The next usable token (1 for an account not seen today).
   *
   * @example A fresh account starts at 1
   * ```ts
   * import assert from "node:assert/strict";
   * import { Matcher } from "./matcher.ts";
   *
   * assert.equal(new Matcher(() => {}).nextToken("alice"), 1);
   * ```
   */
  nextToken(account: string): number {
    return (this.#accounts.get(account)?.highestToken ?? 0) + 1;
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
      this.#core.onMarket?.({ type: "halt", orderbookId, halted, timestamp });
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

  /** The account of `name`, created if new. */
  #account(name: string): Account {
    let account = this.#findAccount(name);
    if (account === undefined) {
      const accounts = this.#core.accounts;
      account = new Account(name, accounts.length);
      accounts.push(account);
      this.#accounts.set(name, account);
      this.#accountCache[accountSlot(name)] = account;
    }
    return account;
  }

  /** The account of `name`, or `undefined` if it has not been seen today. */
  #findAccount(name: string): Account | undefined {
    // A direct-mapped cache on the name's last character spares most map lookups.
    const slot = accountSlot(name);
    const cached = this.#accountCache[slot];
    if (cached !== undefined && cached.name === name) return cached;
    const account = this.#accounts.get(name);
    if (account !== undefined) this.#accountCache[slot] = account;
    return account;
  }

  #flushDepth(): void {
    const core = this.#core;
    const count = core.dirtyCount;
    if (count === 0) return;
    const onMarket = core.onMarket;
    for (let i = 0; i < count; i++) {
      const venue = core.dirty[i]!;
      venue.dirty = false;
      onMarket?.({ type: "depth", orderbookId: venue.id });
    }
    core.dirtyCount = 0;
  }

  #reject(
    account: string,
    orderToken: number,
    reason: OrderRejectedReason,
  ): void {
    this.#core.listener(account, {
      type: "orderRejected",
      timestamp: this.#core.timestamp,
      orderToken,
      orderRejectedReason: reason,
    });
  }

  #canceled(
    account: string,
    orderToken: number,
    decrementQuantity: number,
    reason: OrderCanceledReason,
  ): void {
    this.#core.listener(account, {
      type: "orderCanceled",
      timestamp: this.#core.timestamp,
      orderToken,
      decrementQuantity,
      orderCanceledReason: reason,
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
      this.#canceled(
        owner.name,
        tokenOf(data, order),
        store.quantity(order),
        reason,
      );
      this.#venueList[venueOf(data, order)]!.book.cancel(order, 0);
      core.retire(order, owner);
    }
  }

  #enter(name: string, message: EnterOrder): void {
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
    const account = this.#account(name);
    if (token <= account.highestToken) return;
    account.highestToken = token;

    if (!this.#open) return this.#reject(name, token, "R");
    const venue = this.#venue(message.orderbookId);
    if (venue === undefined) return this.#reject(name, token, "S");
    if (venue.halted) return this.#reject(name, token, "H");
    if (price === 0 || price > MAX_PRICE) return this.#reject(name, token, "X");
    if (quantity === 0 || quantity > MAX_QUANTITY) {
      return this.#reject(name, token, "Z");
    }
    if (
      (minimumQuantity > 0 && timeInForce !== TIME_IN_FORCE_IMMEDIATE) ||
      minimumQuantity > quantity
    ) {
      return this.#reject(name, token, "N");
    }
    const side = sideCode(message.buySellIndicator);
    const classification = classificationCode(message.orderClassification);
    if (
      side < 0 || classification < 0 ||
      (timeInForce !== TIME_IN_FORCE_IMMEDIATE &&
        timeInForce !== TIME_IN_FORCE_DAY)
    ) {
      return this.#reject(name, token, "Y");
    }
    const display = displayCode(message.display);
    if (display < 0) return this.#reject(name, token, "D");
    const cashMargin = cashMarginCode(message.cashMarginType);
    if (cashMargin < 0) return this.#reject(name, token, "G");
    const group = groupCode(message.group);
    if (group < 0) return this.#reject(name, token, "c");
    const capacity = capacityCode(message.capacity);
    if (capacity < 0) return this.#reject(name, token, "O");
    const bookSide: BookSide = side === 0 ? "buy" : "sell";
    const book = venue.book;
    if (display === 1 && book.crosses(bookSide, price)) {
      return this.#reject(name, token, "O");
    }

    const core = this.#core;
    const orderNumber = ++core.orderNumber;
    core.listener(name, {
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
      orderState: "L",
      orderClassification: message.orderClassification,
      cashMarginType: message.cashMarginType,
    });
    if (
      minimumQuantity > 0 &&
      book.executableQuantity(bookSide, price, firmId, minimumQuantity) <
        minimumQuantity
    ) {
      return this.#canceled(name, token, quantity, "I");
    }
    core.incomingOwner = account;
    core.incomingToken = token;
    core.incomingBuy = side === 0;
    core.incomingExecuted = 0;
    const store = core.store;
    const order = store.create(bookSide, price, quantity, firmId);
    if (timeInForce !== TIME_IN_FORCE_IMMEDIATE) {
      // A Day order: the book rests what is left unless self-match prevention stopped it.
      const stopper = book.enter(order);
      if (stopper !== NO_ORDER) this.#preventMatch(name, token, order, stopper);
      else if (store.resting(order)) {
        const data = core.data;
        data.ensure(order);
        const rows = data.rows;
        const at = order << DATA_SHIFT;
        rows[at + TOKEN] = token;
        rows[at + ACCOUNT] = account.index;
        rows[at + VENUE] = venue.index;
        rows[at + ATTRIBUTES] = packAttributes(
          side,
          display,
          capacity,
          classification,
          cashMargin,
          group,
        );
        const numbers = data.numbers;
        numbers[numberAt(order, ORDER_NUMBER)] = orderNumber;
        numbers[numberAt(order, EXECUTED)] = core.incomingExecuted;
        data.clientReference[order] = account.reference(
          message.clientReference,
        );
        account.orders.add(token, order);
        return;
      }
    } else {
      const stopper = book.match(order);
      if (stopper !== NO_ORDER) this.#preventMatch(name, token, order, stopper);
      else if (store.quantity(order) > 0) {
        this.#canceled(name, token, store.quantity(order), "I");
      }
    }
    // The order never rested, so it has no row of matcher data to clear.
    store.release(order);
  }

  /** Self-match prevention: cancels the incoming order's remaining quantity (AIQ, `M`). */
  #preventMatch(
    name: string,
    token: number,
    order: number,
    resting: number,
  ): void {
    const core = this.#core;
    const store = core.store;
    const remaining = store.quantity(order);
    const restingQuantity = store.quantity(resting);
    core.listener(name, {
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

  #replace(name: string, message: ReplaceOrder): void {
    const existing = message.existingOrderToken;
    const token = message.replacementOrderToken;
    const quantity = message.quantity;
    const price = message.price;
    const timeInForce = message.timeInForce;
    const minimumQuantity = message.minimumQuantity;
    checkUint32(existing, "existingOrderToken");
    checkUint32(token, "replacementOrderToken");
    checkUint32(quantity, "quantity");
    checkUint32(price, "price");
    checkUint32(timeInForce, "timeInForce");
    checkUint32(minimumQuantity, "minimumQuantity");
    const account = this.#findAccount(name);
    if (account === undefined) return;
    const order = account.orders.get(existing);
    if (order === NO_ORDER || token <= account.highestToken) return;
    account.highestToken = token;

    const core = this.#core;
    const store = core.store;
    const data = core.data;
    const venue = this.#venueList[venueOf(data, order)]!;
    const book = venue.book;
    const side = store.side(order);
    let reason: OrderCanceledReason | null = null;
    const display = displayCode(message.display);
    if (price === 0 || price > MAX_PRICE) reason = "X";
    else if (quantity > MAX_QUANTITY) reason = "Z";
    else if (
      (minimumQuantity > 0 && timeInForce !== TIME_IN_FORCE_IMMEDIATE) ||
      minimumQuantity > quantity
    ) {
      reason = "N";
    } else if (
      timeInForce !== TIME_IN_FORCE_IMMEDIATE &&
      timeInForce !== TIME_IN_FORCE_DAY
    ) {
      reason = "Y";
    } else if (display < 0) reason = "D";
    else if (quantity > 0 && book.crosses(side, price)) {
      if (display === 1) reason = "O";
      else if (!this.#open || venue.halted) reason = "R";
    }
    account.orders.delete(existing);
    if (reason !== null) {
      this.#canceled(name, existing, store.quantity(order), reason);
      book.cancel(order, 0);
      core.release(order);
      return;
    }

    const at = order << DATA_SHIFT;
    data.rows[at + TOKEN] = token;
    const attributes = withDisplay(data.rows[at + ATTRIBUTES]!, display);
    data.rows[at + ATTRIBUTES] = attributes;
    core.listener(name, {
      type: "orderReplaced",
      timestamp: core.timestamp,
      replacementOrderToken: token,
      buySellIndicator: sideOf(attributes),
      quantity,
      orderbookId: venue.id,
      group: groupOf(attributes),
      price,
      timeInForce,
      display: message.display,
      orderNumber: data.numbers[numberAt(order, ORDER_NUMBER)]!,
      minimumQuantity,
      orderState: quantity === 0 ? "D" : "L",
      previousOrderToken: existing,
    });
    if (quantity === 0) {
      book.replace(order, price, 0);
      core.release(order);
      return;
    }
    if (
      minimumQuantity > 0 &&
      book.executableQuantity(
          side,
          price,
          store.selfMatchKey(order),
          minimumQuantity,
        ) <
        minimumQuantity
    ) {
      book.cancel(order, 0);
      this.#canceled(name, token, quantity, "I");
      core.release(order);
      return;
    }
    core.incomingOwner = account;
    core.incomingToken = token;
    core.incomingBuy = side === "buy";
    const executed = numberAt(order, EXECUTED);
    core.incomingExecuted = data.numbers[executed]!;
    const stopper = book.replace(order, price, quantity);
    data.numbers[executed] = core.incomingExecuted;
    if (stopper !== NO_ORDER) this.#preventMatch(name, token, order, stopper);
    else if (store.resting(order)) {
      if (timeInForce !== TIME_IN_FORCE_IMMEDIATE) {
        account.orders.add(token, order);
        return;
      }
      const remaining = store.quantity(order);
      book.cancel(order, 0);
      this.#canceled(name, token, remaining, "I");
    }
    core.release(order);
  }

  #cancel(name: string, message: CancelOrder): void {
    const token = message.orderToken;
    const quantity = message.quantity;
    checkUint32(token, "orderToken");
    checkUint32(quantity, "quantity");
    const account = this.#findAccount(name);
    if (account === undefined) return;
    const order = account.orders.get(token);
    if (order === NO_ORDER) return;
    const core = this.#core;
    const store = core.store;
    const open = store.quantity(order);
    if (quantity >= open) return;
    this.#canceled(name, token, open - quantity, "U");
    this.#venueList[venueOf(core.data, order)]!.book.cancel(order, quantity);
    if (quantity === 0) core.retire(order, account);
  }
}
