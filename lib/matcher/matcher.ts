/**
 * The exchange: OUCH commands in, OUCH messages out, by the rules of
 * `docs/exchange_rules.md`.
 *
 * @module
 */

import {
  type CancelOrder,
  type EnterOrder,
  type InboundMessage,
  MAX_PRICE,
  MAX_QUANTITY,
  type OrderCanceledReason,
  type OrderRejectedReason,
  type OutboundMessage,
  type ReplaceOrder,
  TIME_IN_FORCE_DAY,
  TIME_IN_FORCE_IMMEDIATE,
} from "../codec/messages.ts";
import {
  type BookListener,
  type BookSide,
  type Order,
  OrderBook,
  type PriceLevel,
} from "../orderbook/mod.ts";
import { TokenMap } from "./_token_map.ts";
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

/** Per account and trading day: the highest token seen and the live orders by token. */
class Account {
  readonly name: string;
  highestToken = 0;
  readonly orders: TokenMap<MatcherOrder> = new TokenMap();
  /** The profile of the account's latest order, reused while orders look alike. */
  lastProfile: Profile | null = null;
  constructor(name: string) {
    this.name = name;
  }

  /** Returns a profile with these fields, reusing the latest one when it matches. */
  profile(venue: Venue, clientReference: string, attributes: number): Profile {
    const last = this.lastProfile;
    if (
      last !== null && last.venue === venue && last.attributes === attributes &&
      last.clientReference === clientReference
    ) {
      return last;
    }
    return this.lastProfile = new Profile(
      this,
      venue,
      clientReference,
      attributes,
    );
  }
}

/**
 * What orders of one account usually share (account, orderbook, client reference and
 * the packed one-byte fields), kept once instead of per order so that a resting order
 * stays small.
 */
class Profile {
  readonly owner: Account;
  readonly venue: Venue;
  readonly clientReference: string;
  readonly attributes: number;
  constructor(
    owner: Account,
    venue: Venue,
    clientReference: string,
    attributes: number,
  ) {
    this.owner = owner;
    this.venue = venue;
    this.clientReference = clientReference;
    this.attributes = attributes;
  }
}

/**
 * A book order with what the exchange needs to answer for it. It has the fields of
 * {@linkcode Order} without extending it: a base-class constructor call would keep V8
 * from inlining the allocation on the hot path.
 */
class MatcherOrder {
  declare readonly id: number;
  declare readonly side: BookSide;
  declare price: number;
  declare quantity: number;
  declare readonly selfMatchKey: number;
  declare prev: Order | null;
  declare next: Order | null;
  declare level: PriceLevel | null;
  /** The current Order Token. */
  declare token: number;
  /** Quantity executed over the order's life. */
  declare executed: number;
  declare profile: Profile;

  constructor(
    orderNumber: number,
    side: BookSide,
    price: number,
    quantity: number,
    firmId: number,
    token: number,
    profile: Profile,
  ) {
    this.id = orderNumber;
    this.side = side;
    this.price = price;
    this.quantity = quantity;
    this.selfMatchKey = firmId;
    this.prev = null;
    this.next = null;
    this.level = null;
    this.token = token;
    this.executed = 0;
    this.profile = profile;
  }

  get resting(): boolean {
    return this.level !== null;
  }
}

/** One kept trade, overwritten in place when the history is full. */
class TradeSlot {
  matchNumber = 0;
  price = 0;
  quantity = 0;
  timestamp = 0;
  buyer = "";
  seller = "";
  aggressor: "B" | "S" = "B";
}

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
  constructor(
    listener: MatcherListener,
    onMarket: ((event: MarketEvent) => void) | undefined,
    tradeHistory: number,
  ) {
    this.listener = listener;
    this.onMarket = onMarket;
    this.tradeHistory = tradeHistory;
  }
}

/** One orderbook: its book, halt flag, trade history, and the book's listener. */
class Venue implements BookListener<MatcherOrder> {
  readonly id: string;
  readonly book: OrderBook<MatcherOrder>;
  readonly core: Core;
  halted = false;
  dirty = false;
  slots: TradeSlot[] = [];
  slotNext = 0;

  constructor(id: string, core: Core) {
    this.id = id;
    this.core = core;
    this.book = new OrderBook<MatcherOrder>(this);
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

  match(resting: MatcherOrder, incoming: MatcherOrder, quantity: number): void {
    const core = this.core;
    const matchNumber = ++core.matchNumber;
    const timestamp = core.timestamp;
    const price = resting.price;
    const restingOwner = resting.profile.owner;
    const incomingOwner = incoming.profile.owner;
    core.listener(restingOwner.name, {
      type: "orderExecuted",
      timestamp,
      orderToken: resting.token,
      executedQuantity: quantity,
      executionPrice: price,
      liquidityIndicator: "A",
      matchNumber,
    });
    core.listener(incomingOwner.name, {
      type: "orderExecuted",
      timestamp,
      orderToken: incoming.token,
      executedQuantity: quantity,
      executionPrice: price,
      liquidityIndicator: "R",
      matchNumber,
    });
    resting.executed += quantity;
    incoming.executed += quantity;
    this.touch();
    if (resting.quantity === 0) {
      restingOwner.orders.delete(resting.token);
    }
    const history = core.tradeHistory;
    if (history === 0 && core.onMarket === undefined) return;
    const buy = incoming.side === "buy";
    const buyer = buy ? incomingOwner.name : restingOwner.name;
    const seller = buy ? restingOwner.name : incomingOwner.name;
    const aggressor = buy ? "B" : "S";
    if (history !== 0) {
      let slot: TradeSlot;
      if (this.slots.length < history) {
        slot = new TradeSlot();
        this.slots.push(slot);
      } else {
        slot = this.slots[this.slotNext]!;
        this.slotNext = this.slotNext + 1 === history ? 0 : this.slotNext + 1;
      }
      slot.matchNumber = matchNumber;
      slot.price = price;
      slot.quantity = quantity;
      slot.timestamp = timestamp;
      slot.buyer = buyer;
      slot.seller = seller;
      slot.aggressor = aggressor;
    }
    const onMarket = core.onMarket;
    if (onMarket !== undefined) {
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

  touch(): void {
    if (!this.dirty) {
      this.dirty = true;
      const core = this.core;
      core.dirty[core.dirtyCount++] = this;
    }
  }

  /** The kept trades, oldest first, as fresh objects. */
  tradeList(): Trade[] {
    const slots = this.slots;
    const out: Trade[] = [];
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[(this.slotNext + k) % slots.length]!;
      out.push({
        matchNumber: slot.matchNumber,
        orderbookId: this.id,
        price: slot.price,
        quantity: slot.quantity,
        timestamp: slot.timestamp,
        buyer: slot.buyer,
        seller: slot.seller,
        aggressor: slot.aggressor,
      });
    }
    return out;
  }

  /** Forgets the kept trades (new trading day). */
  clearTrades(): void {
    this.slots = [];
    this.slotNext = 0;
  }
}

function checkUint32(value: number, field: string): void {
  if ((value >>> 0) !== value) {
    throw new RangeError(
      `Cannot handle message as ${field} must be a uint32 integer: current value is ${value}`,
    );
  }
}

function byOrderNumber(a: MatcherOrder, b: MatcherOrder): number {
  return a.id - b.id;
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
 * `open()` after a `close()` starts a new trading day: tokens, Order Numbers and Match
 * Numbers start again and the trade history is cleared.
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
  readonly #accounts: Map<string, Account> = new Map();
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
      this.#venues.set(id, new Venue(id, this.#core));
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
   * Opens the market: System Event `S` to every account. Opening after a close starts a
   * new trading day (tokens, Order and Match Numbers restart, trade history cleared).
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
      core.orderNumber = 0;
      core.matchNumber = 0;
      this.#accounts.clear();
      for (const venue of this.#venues.values()) venue.clearTrades();
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
      const all: MatcherOrder[] = [];
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
    return state.orders.values().sort(byOrderNumber).map((order) => {
      const profile = order.profile;
      const attributes = profile.attributes;
      return {
        orderToken: order.token,
        orderNumber: order.id,
        orderbookId: profile.venue.id,
        buySellIndicator: sideOf(attributes),
        price: order.price,
        openQuantity: order.quantity,
        executedQuantity: order.executed,
        timeInForce: TIME_IN_FORCE_DAY,
        display: displayOf(attributes),
        minimumQuantity: 0,
        clientReference: profile.clientReference,
        group: groupOf(attributes),
        firmId: order.selfMatchKey,
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

  #account(name: string): Account {
    let account = this.#accounts.get(name);
    if (account === undefined) {
      account = new Account(name);
      this.#accounts.set(name, account);
    }
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
  #cancelAll(orders: MatcherOrder[], reason: OrderCanceledReason): void {
    orders.sort(byOrderNumber);
    for (const order of orders) {
      const profile = order.profile;
      this.#canceled(profile.owner.name, order.token, order.quantity, reason);
      profile.owner.orders.delete(order.token);
      profile.venue.book.cancel(order, 0);
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
    const venue = this.#venues.get(message.orderbookId);
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
    const order = new MatcherOrder(
      orderNumber,
      bookSide,
      price,
      quantity,
      firmId,
      token,
      account.profile(
        venue,
        message.clientReference,
        packAttributes(
          side,
          display,
          capacity,
          classification,
          cashMargin,
          group,
        ),
      ),
    );
    const stopper = book.match(order);
    if (stopper !== null) this.#preventMatch(order, stopper);
    else if (order.quantity > 0) {
      if (timeInForce !== TIME_IN_FORCE_IMMEDIATE) {
        book.add(order);
        account.orders.set(token, order);
        return;
      }
      this.#canceled(name, token, order.quantity, "I");
    }
  }

  /** Self-match prevention: cancels the incoming order's remaining quantity (AIQ, `M`). */
  #preventMatch(order: MatcherOrder, resting: MatcherOrder): void {
    const remaining = order.quantity;
    this.#core.listener(order.profile.owner.name, {
      type: "orderAiqCanceled",
      timestamp: this.#core.timestamp,
      orderToken: order.token,
      decrementQuantity: remaining,
      orderCanceledReason: "M",
      quantityPreventedFromTrading: remaining < resting.quantity
        ? remaining
        : resting.quantity,
      executionPrice: resting.price,
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
    const account = this.#accounts.get(name);
    if (account === undefined) return;
    const order = account.orders.get(existing);
    if (order === undefined || token <= account.highestToken) return;
    account.highestToken = token;

    const profile = order.profile;
    const venue = profile.venue;
    const book = venue.book;
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
    else if (quantity > 0 && book.crosses(order.side, price)) {
      if (display === 1) reason = "O";
      else if (!this.#open || venue.halted) reason = "R";
    }
    account.orders.delete(existing);
    const core = this.#core;
    if (reason !== null) {
      this.#canceled(name, existing, order.quantity, reason);
      book.cancel(order, 0);
      return;
    }

    order.token = token;
    const attributes = withDisplay(profile.attributes, display);
    if (attributes !== profile.attributes) {
      order.profile = account.profile(
        venue,
        profile.clientReference,
        attributes,
      );
    }
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
      orderNumber: order.id,
      minimumQuantity,
      orderState: quantity === 0 ? "D" : "L",
      previousOrderToken: existing,
    });
    if (quantity === 0) {
      book.replace(order, price, 0);
      return;
    }
    if (
      minimumQuantity > 0 &&
      book.executableQuantity(
          order.side,
          price,
          order.selfMatchKey,
          minimumQuantity,
        ) <
        minimumQuantity
    ) {
      book.cancel(order, 0);
      this.#canceled(name, token, quantity, "I");
      return;
    }
    const stopper = book.replace(order, price, quantity);
    if (stopper !== null) this.#preventMatch(order, stopper);
    else if (order.resting) {
      if (timeInForce !== TIME_IN_FORCE_IMMEDIATE) {
        account.orders.set(token, order);
        return;
      }
      const remaining = order.quantity;
      book.cancel(order, 0);
      this.#canceled(name, token, remaining, "I");
    }
  }

  #cancel(name: string, message: CancelOrder): void {
    const token = message.orderToken;
    const quantity = message.quantity;
    checkUint32(token, "orderToken");
    checkUint32(quantity, "quantity");
    const order = this.#accounts.get(name)?.orders.get(token);
    if (order === undefined || quantity >= order.quantity) return;
    this.#canceled(name, token, order.quantity - quantity, "U");
    const profile = order.profile;
    profile.venue.book.cancel(order, quantity);
    if (quantity === 0) {
      profile.owner.orders.delete(token);
    }
  }
}
