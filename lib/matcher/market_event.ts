/**
 * Order-level market events: what happens to the books, order by order, as the matcher
 * reports it. A market-data feed (Japannext ITCH: Order Added, Executed, Deleted, Replaced,
 * Trading State, System Event) and a depth model can be built from these events alone,
 * without asking the engine anything.
 *
 * Order and Match Numbers are the ones the OUCH messages of the same command carry.
 * Nothing here is an OUCH token or a Client Reference; `account` is the matcher's integer
 * account id, which a public feed must not reveal.
 *
 * @example A depth model kept from events
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MarketEvent } from "./market_event.ts";
 *
 * const events: MarketEvent[] = [
 *   { type: "bookAdd", timestamp: 1, orderbookId: "7203", orderNumber: 202611280000000001n,
 *     side: "S", price: 23_000, quantity: 300, account: 0 },
 *   { type: "bookExecute", timestamp: 2, orderbookId: "7203", orderNumber: 202611280000000001n,
 *     side: "S", price: 23_000, quantity: 100, remaining: 200,
 *     matchNumber: 202611280000000001n, restingAccount: 0, incomingAccount: 1,
 *     incomingOrderNumber: 202611280000000002n },
 * ];
 * const asks = new Map<number, number>();
 * for (const event of events) {
 *   if (event.type === "bookAdd") {
 *     asks.set(event.price, (asks.get(event.price) ?? 0) + event.quantity);
 *   } else if (event.type === "bookExecute") {
 *     asks.set(event.price, asks.get(event.price)! - event.quantity);
 *   }
 * }
 * assert.deepEqual([...asks], [[23_000, 200]]);
 * ```
 *
 * @module
 */

/**
 * The side of the book an order rests on: OUCH `B` is `"B"`; `S`, `T` (short sell) and `E`
 * (short sell exempt) are all `"S"`.
 */
export type FeedSide = "B" | "S";

/** What every market event carries. */
interface Base {
  /** Nanoseconds since midnight: the time of the command that caused the event. */
  readonly timestamp: number;
}

/**
 * An order (or what is left of it after matching) now rests on the book, at the back of the
 * queue at its price: a Day order entered, or an order put back, under its new Order
 * Number, after a replace that crossed. Immediate orders never rest, so never appear here.
 */
export interface BookAddEvent extends Base {
  readonly type: "bookAdd";
  /** The orderbook. */
  readonly orderbookId: string;
  /** The order's Order Number, as in its Order Accepted or Order Replaced. */
  readonly orderNumber: bigint;
  /** The book's side. */
  readonly side: FeedSide;
  /** Limit price in tenths. */
  readonly price: number;
  /** The quantity that rests (what is left after matching). */
  readonly quantity: number;
  /** The owner's account id. */
  readonly account: number;
}

/**
 * A resting order traded against an incoming order: one fill. The fill prints at the resting
 * order's price. The incoming order's side of the fill is not an event of its own: it was
 * never on the book.
 */
export interface BookExecuteEvent extends Base {
  readonly type: "bookExecute";
  /** The orderbook. */
  readonly orderbookId: string;
  /** The resting order. */
  readonly orderNumber: bigint;
  /** The resting order's side. */
  readonly side: FeedSide;
  /** The resting order's price, which is the trade price, in tenths. */
  readonly price: number;
  /** The quantity executed in this fill. */
  readonly quantity: number;
  /** The resting order's open quantity after this fill; `0`: it left the book. */
  readonly remaining: number;
  /** The Match Number both OUCH Order Executed messages of the fill carry. */
  readonly matchNumber: bigint;
  /** The resting order's account id. */
  readonly restingAccount: number;
  /** The incoming (liquidity removing) order's account id. */
  readonly incomingAccount: number;
  /** The incoming order's Order Number. */
  readonly incomingOrderNumber: bigint;
}

/**
 * A resting order left the book other than by execution: a cancel (user `U`, disconnect
 * `L`, supervisory `S`, market close `O`), a replace that cancels it (invalid details, a
 * total below the executed quantity, post-only, market closed or halted), a replace
 * answered with state `D` (a total equal to the executed quantity, or an Immediate replace
 * that can execute nothing), or the original of a replace that crosses or turns Immediate
 * (whose fills and rest follow as other events, under the replace's new Order Number).
 */
export interface BookDeleteEvent extends Base {
  readonly type: "bookDelete";
  /** The orderbook. */
  readonly orderbookId: string;
  /** The order that left. */
  readonly orderNumber: bigint;
  /** The book's side. */
  readonly side: FeedSide;
  /** The price it rested at, in tenths. */
  readonly price: number;
  /** The open quantity removed from the book: all the order had left. */
  readonly quantity: number;
  /** The owner's account id. */
  readonly account: number;
}

/**
 * A resting order changed in place: a replace that does not cross. It stays on the book at
 * `price` with `quantity` open, under the new Order Number the replace gave it (K9).
 */
export interface BookReplaceEvent extends Base {
  readonly type: "bookReplace";
  /** The orderbook. */
  readonly orderbookId: string;
  /** The Order Number the order had. */
  readonly originalOrderNumber: bigint;
  /** The Order Number it has now: the one its Order Replaced carries. */
  readonly orderNumber: bigint;
  /** The book's side. */
  readonly side: FeedSide;
  /** The price it rested at before, in tenths. */
  readonly oldPrice: number;
  /** The open quantity it had before. */
  readonly oldQuantity: number;
  /** The price it rests at now, in tenths. */
  readonly price: number;
  /** The open quantity it has now, above 0. */
  readonly quantity: number;
  /** The owner's account id. */
  readonly account: number;
  /**
   * Whether it kept its place in the queue: the price is unchanged and the open quantity
   * did not increase. Otherwise it went to the back of the queue at `price`.
   */
  readonly keepsPriority: boolean;
}

/** An orderbook was halted (entry rejected with `H`) or resumed. */
export interface TradingStateEvent extends Base {
  readonly type: "tradingState";
  /** The orderbook. */
  readonly orderbookId: string;
  /** Whether it is halted now. */
  readonly halted: boolean;
}

/**
 * The short-sell price restriction (K18) of an orderbook switched on or off: by the
 * operator, or on by itself after a trade at or below 90 % of the reference price (right
 * after that trade's `bookExecute`).
 */
export interface ShortSellStateEvent extends Base {
  readonly type: "shortSellState";
  /** The orderbook. */
  readonly orderbookId: string;
  /** Whether the restriction is in effect now. */
  readonly restricted: boolean;
}

/** The market opened (System Event `S`) or closed (System Event `E`). */
export interface MarketStateEvent extends Base {
  readonly type: "marketState";
  /** Whether the market is open now. */
  readonly open: boolean;
}

/** One order-level market event. */
export type MarketEvent =
  | BookAddEvent
  | BookExecuteEvent
  | BookDeleteEvent
  | BookReplaceEvent
  | TradingStateEvent
  | ShortSellStateEvent
  | MarketStateEvent;
