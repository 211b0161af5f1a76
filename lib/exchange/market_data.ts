/**
 * The one market-data model: built once from the matcher's order-level events, read by the
 * console, the web page and any other feed.
 *
 * @module
 */
import {
  type Depth,
  type DepthLevel,
  type MatcherOptions,
  resolveOrderbooks,
} from "../matcher/matcher.ts";
import type { Instrument } from "../matcher/instrument.ts";
import type { FeedSide, MarketEvent } from "../matcher/market_event.ts";
import type { DayConfig } from "./record.ts";
import type { RecordBatch, Subscriber } from "./subscriber.ts";

/** One trade as the market sees it: no accounts. */
export interface MarketTrade {
  /** The Match Number both Order Executed messages carry. */
  readonly matchNumber: bigint;
  /** The orderbook. */
  readonly orderbookId: string;
  /** Price in tenths: the resting order's price. */
  readonly price: number;
  /** Quantity traded. */
  readonly quantity: number;
  /** Nanoseconds since midnight of the command that caused it. */
  readonly timestamp: number;
  /** Side of the incoming (liquidity removing) order. */
  readonly aggressor: FeedSide;
}

/** What changed with one delivered batch. */
export interface MarketChange {
  /** Orderbooks whose depth changed. */
  readonly depth: ReadonlySet<string>;
  /** Orderbooks with new trades. */
  readonly trades: ReadonlySet<string>;
  /** Orderbooks halted, resumed, or short-sell restricted or not. */
  readonly books: ReadonlySet<string>;
  /** Whether the market state, a halt or a short-sell restriction changed. */
  readonly state: boolean;
}

/** Is told when the market data changed; coalescing is the listener's business. */
export interface MarketDataListener {
  /** A new day started: every book is empty, the state is the day's. */
  dayStarted?(day: DayConfig): void;
  /** A delivered batch changed something. */
  changed?(change: MarketChange): void;
}

/** How many trades {@linkcode MarketData} keeps per orderbook by default. */
export const DEFAULT_TRADE_HISTORY = 10_000;

interface Level {
  readonly price: number;
  quantity: number;
  orders: number;
}

class BookSide {
  readonly levels = new Map<number, Level>();
  /** Levels best first, rebuilt after a level comes or goes. */
  #sorted: Level[] | null = [];
  readonly #descending: boolean;

  constructor(descending: boolean) {
    this.#descending = descending;
  }

  add(price: number, quantity: number, orders: number): void {
    const level = this.levels.get(price);
    if (level === undefined) {
      this.levels.set(price, { price, quantity, orders });
      this.#sorted = null;
      return;
    }
    level.quantity += quantity;
    level.orders += orders;
    if (level.orders <= 0 || level.quantity <= 0) {
      this.levels.delete(price);
      this.#sorted = null;
    }
  }

  top(count: number): DepthLevel[] {
    let sorted = this.#sorted;
    if (sorted === null) {
      sorted = [...this.levels.values()].sort(
        this.#descending
          ? (a, b) => b.price - a.price
          : (a, b) => a.price - b.price,
      );
      this.#sorted = sorted;
    }
    const out: DepthLevel[] = [];
    const end = Math.min(count, sorted.length);
    for (let i = 0; i < end; i++) {
      const { price, quantity, orders } = sorted[i]!;
      out.push({ price, quantity, orders });
    }
    return out;
  }
}

class Book {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  halted = false;
  shortSellRestricted = false;
  /** The kept trades, a ring of at most `history`. */
  readonly trades: MarketTrade[] = [];
  next = 0;

  side(side: FeedSide): BookSide {
    return side === "B" ? this.bids : this.asks;
  }
}

/**
 * Depth per orderbook and side (price levels with quantity and order count, best first),
 * the latest trades (10,000 per orderbook by default), the last price, the market state,
 * halts and short-sell restrictions, kept from the market events of delivered records
 * alone: the same model can be built in another process from the records it receives.
 *
 * Listeners are told once per delivered batch what changed; they coalesce as they like.
 *
 * @example Depth and a trade from events
 * ```ts
 * import { MarketData } from "./market_data.ts";
 * import assert from "node:assert/strict";
 *
 * const market = new MarketData();
 * market.apply({ type: "bookAdd", timestamp: 1, orderbookId: "7203",
 *   orderNumber: 1n, side: "S", price: 23_000, quantity: 300, account: 0 });
 * market.apply({ type: "bookExecute", timestamp: 2, orderbookId: "7203",
 *   orderNumber: 1n, side: "S", price: 23_000, quantity: 100, remaining: 200,
 *   matchNumber: 5n, restingAccount: 0, incomingAccount: 1, incomingOrderNumber: 2n });
 * assert.deepEqual(market.depth("7203")?.asks, [{ price: 23_000, quantity: 200, orders: 1 }]);
 * assert.deepEqual(market.lastTrade("7203"), {
 *   matchNumber: 5n, orderbookId: "7203", price: 23_000, quantity: 100, timestamp: 2,
 *   aggressor: "B",
 * });
 * ```
 */
export class MarketData implements Subscriber {
  readonly #history: number;
  #day: DayConfig | undefined;
  #instruments = new Map<string, Instrument>();
  #books = new Map<string, Book>();
  #orderbooks: readonly string[] = [];
  #open = false;
  readonly #listeners = new Set<MarketDataListener>();
  #depthChanged = new Set<string>();
  #tradesChanged = new Set<string>();
  #booksChanged = new Set<string>();
  #stateChanged = false;

  /**
   * Makes an empty model; it fills from delivered batches (or {@linkcode MarketData.apply}).
   *
   * @param options How many trades to keep per orderbook.
   * @throws {RangeError} When `tradeHistory` is not a positive integer.
   */
  constructor(options: { tradeHistory?: number } = {}) {
    const history = options.tradeHistory ?? DEFAULT_TRADE_HISTORY;
    if (!Number.isSafeInteger(history) || history < 1) {
      throw new RangeError(
        `Cannot keep ${history} trades per orderbook: it must be a positive integer`,
      );
    }
    this.#history = history;
  }

  /** The configuration of the current day, or `undefined` before the first. */
  get day(): DayConfig | undefined {
    return this.#day;
  }

  /** The day's orderbooks, in configuration order. */
  get orderbooks(): readonly string[] {
    return this.#orderbooks;
  }

  /** Whether the market is open. */
  get isOpen(): boolean {
    return this.#open;
  }

  /**
   * Whether an orderbook is halted.
   *
   * @param orderbookId The orderbook.
   * @returns `true` when halted; `false` when trading or unknown.
   */
  isHalted(orderbookId: string): boolean {
    return this.#books.get(orderbookId)?.halted ?? false;
  }

  /**
   * An orderbook's reference data (K17) as the day's recorded configuration gives it, the
   * same as the engine applies: round lot, tick table, reference price, price limits.
   *
   * @param orderbookId The orderbook.
   * @returns Its instrument; `undefined` for an orderbook the day does not have.
   */
  instrument(orderbookId: string): Instrument | undefined {
    return this.#instruments.get(orderbookId);
  }

  /**
   * Whether the short-sell price restriction of an orderbook is in effect.
   *
   * @param orderbookId The orderbook.
   * @returns `true` when restricted.
   */
  isShortSellRestricted(orderbookId: string): boolean {
    return this.#books.get(orderbookId)?.shortSellRestricted ?? false;
  }

  /**
   * The aggregated depth of an orderbook.
   *
   * @param orderbookId The orderbook.
   * @param levels How many price levels per side at most. @default {10}
   * @returns Bids (highest first) and asks (lowest first), fresh objects; `undefined` for
   *   an orderbook the day does not have.
   */
  depth(orderbookId: string, levels = 10): Depth | undefined {
    const book = this.#books.get(orderbookId);
    if (book === undefined) return undefined;
    return {
      orderbookId,
      bids: book.bids.top(levels),
      asks: book.asks.top(levels),
    };
  }

  /**
   * The latest trades of an orderbook, oldest first.
   *
   * @param orderbookId The orderbook.
   * @param limit At most this many, the newest. @default {Infinity}
   * @returns The trades; empty for an unknown orderbook.
   */
  trades(orderbookId: string, limit = Infinity): MarketTrade[] {
    const book = this.#books.get(orderbookId);
    if (book === undefined) return [];
    const trades = book.trades;
    const count = Math.min(limit, trades.length);
    const out: MarketTrade[] = [];
    const full = trades.length === this.#history;
    for (let k = trades.length - count; k < trades.length; k++) {
      out.push(trades[full ? (book.next + k) % this.#history : k]!);
    }
    return out;
  }

  /**
   * The trades of an orderbook after a Match Number, oldest first: what a feed has not
   * sent yet.
   *
   * @param orderbookId The orderbook.
   * @param matchNumber The last Match Number already seen.
   * @returns The newer trades still kept.
   */
  tradesAfter(orderbookId: string, matchNumber: bigint): MarketTrade[] {
    const book = this.#books.get(orderbookId);
    if (book === undefined) return [];
    let newer = 0;
    const trades = this.trades(orderbookId);
    while (
      newer < trades.length &&
      trades[trades.length - 1 - newer]!.matchNumber > matchNumber
    ) newer++;
    return trades.slice(trades.length - newer);
  }

  /**
   * The last trade of an orderbook.
   *
   * @param orderbookId The orderbook.
   * @returns The trade, or `undefined` when there was none today.
   */
  lastTrade(orderbookId: string): MarketTrade | undefined {
    const book = this.#books.get(orderbookId);
    if (book === undefined || book.trades.length === 0) return undefined;
    const trades = book.trades;
    return trades.length === this.#history
      ? trades[(book.next + this.#history - 1) % this.#history]
      : trades[trades.length - 1];
  }

  /**
   * Adds a listener.
   *
   * @param listener Told of new days and of changes.
   * @returns A function that removes it.
   */
  listen(listener: MarketDataListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Starts a day: empty books for its orderbooks, its market state.
   *
   * @param day The day's configuration.
   */
  dayStarted(day: DayConfig): void {
    this.#day = day;
    this.#instruments = new Map(
      resolveOrderbooks({
        ...(day.matcher as Partial<MatcherOptions>),
        orderbooks: day.orderbooks,
      }).instruments.map((instrument) => [instrument.orderbookId, instrument]),
    );
    this.#orderbooks = day.orderbooks;
    this.#books = new Map(day.orderbooks.map((id) => [id, new Book()]));
    this.#open = day.open;
    this.#depthChanged.clear();
    this.#tradesChanged.clear();
    this.#booksChanged.clear();
    this.#stateChanged = false;
    for (const listener of this.#listeners) listener.dayStarted?.(day);
  }

  /**
   * Applies a batch's market events, then tells the listeners what changed.
   *
   * @param batch The batch.
   */
  delivered(batch: RecordBatch): void {
    const events = batch.events;
    if (events.length === 0) return;
    for (const event of events) this.apply(event);
    this.#notify();
  }

  /**
   * Applies one market event (without telling the listeners).
   *
   * @param event The event.
   */
  apply(event: MarketEvent): void {
    switch (event.type) {
      case "bookAdd": {
        const book = this.#book(event.orderbookId);
        book.side(event.side).add(event.price, event.quantity, 1);
        this.#depthChanged.add(event.orderbookId);
        return;
      }
      case "bookDelete": {
        const book = this.#book(event.orderbookId);
        book.side(event.side).add(event.price, -event.quantity, -1);
        this.#depthChanged.add(event.orderbookId);
        return;
      }
      case "bookReplace": {
        const side = this.#book(event.orderbookId).side(event.side);
        side.add(event.oldPrice, -event.oldQuantity, -1);
        side.add(event.price, event.quantity, 1);
        this.#depthChanged.add(event.orderbookId);
        return;
      }
      case "bookExecute": {
        const book = this.#book(event.orderbookId);
        book.side(event.side).add(
          event.price,
          -event.quantity,
          event.remaining === 0 ? -1 : 0,
        );
        const trade: MarketTrade = {
          matchNumber: event.matchNumber,
          orderbookId: event.orderbookId,
          price: event.price,
          quantity: event.quantity,
          timestamp: event.timestamp,
          aggressor: event.side === "B" ? "S" : "B",
        };
        if (book.trades.length < this.#history) {
          book.trades.push(trade);
        } else {
          book.trades[book.next] = trade;
          book.next = (book.next + 1) % this.#history;
        }
        this.#depthChanged.add(event.orderbookId);
        this.#tradesChanged.add(event.orderbookId);
        return;
      }
      case "tradingState":
        this.#book(event.orderbookId).halted = event.halted;
        this.#booksChanged.add(event.orderbookId);
        this.#stateChanged = true;
        return;
      case "shortSellState":
        this.#book(event.orderbookId).shortSellRestricted = event.restricted;
        this.#booksChanged.add(event.orderbookId);
        this.#stateChanged = true;
        return;
      case "marketState":
        this.#open = event.open;
        this.#stateChanged = true;
        return;
    }
  }

  #book(orderbookId: string): Book {
    let book = this.#books.get(orderbookId);
    if (book === undefined) {
      book = new Book();
      this.#books.set(orderbookId, book);
    }
    return book;
  }

  #notify(): void {
    if (
      this.#depthChanged.size === 0 && this.#tradesChanged.size === 0 &&
      !this.#stateChanged
    ) return;
    const change: MarketChange = {
      depth: this.#depthChanged,
      trades: this.#tradesChanged,
      books: this.#booksChanged,
      state: this.#stateChanged,
    };
    this.#depthChanged = new Set();
    this.#tradesChanged = new Set();
    this.#booksChanged = new Set();
    this.#stateChanged = false;
    for (const listener of this.#listeners) listener.changed?.(change);
  }
}
