/**
 * The ITCH benches' day: the real `Matcher` from a seeded flow on four orderbooks (Day
 * orders around the touch, a third of them crossing, Immediate orders, cancels and replaces
 * of resting orders, 100 µs apart), its market events and the ITCH feed made from them,
 * and that feed as a SoupBin file (uint16 length + message). Shared by `itch_bench.ts` and
 * `itch_rebuild_bench.ts`.
 *
 * @module
 */

import type { InboundMessage } from "../lib/codec/messages.ts";
import {
  FeedGenerator,
  type FeedReferenceData,
} from "../lib/itch/feed_generator.ts";
import type { MarketEvent } from "../lib/matcher/market_event.ts";
import { Matcher } from "../lib/matcher/matcher.ts";
import { MessageLog } from "../lib/session/message_log.ts";
import type { DayConfig } from "../lib/exchange/mod.ts";
import { referenceDataOf } from "../lib/feeds/itch_publisher.ts";

export const COMMANDS = 200_000;
const ORDERBOOKS = ["7203", "6758", "9984", "8306"];
const MIDS = [28_000, 34_000, 90_000, 18_000];
const ACCOUNTS = 16;
export const NINE = 32_400_000_000_000;

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The day's configuration: the built-in instruments of the four orderbooks, with their real
 * tick tables (tick 5 below 50,000 tenths, 10 up to 100,000) and price limits, so that every
 * price below is on the tick and within the limits.
 */
const DAY: DayConfig = {
  session: "1795824000",
  tradingDate: "20261128",
  created: 1795824000,
  version: "1.12",
  orderbooks: ORDERBOOKS,
  open: true,
  halted: [],
  matcher: {},
};
/** The directory the server would announce for that day. */
export const REFERENCE: FeedReferenceData = referenceDataOf(DAY);
/** The tick size at each orderbook's mid price. */
const TICKS = MIDS.map((mid) => (mid < 50_000 ? 5 : 10));

/** The day: the matcher's market events and the ITCH feed made from them. */
export function makeDay(): {
  events: MarketEvent[];
  log: MessageLog;
  feed: FeedGenerator;
} {
  const random = prng(0x17c4);
  const int = (k: number) => Math.floor(random() * k);
  const events: MarketEvent[] = [];
  const log = new MessageLog();
  const feed = new FeedGenerator(log, REFERENCE);
  const matcher = new Matcher({
    message() {},
    market: (event) => {
      events.push(event);
      feed.marketEvent(event);
    },
  }, { tradingDate: DAY.tradingDate, orderbooks: ORDERBOOKS });
  feed.startOfDay(NINE);
  const next = new Array<number>(ACCOUNTS).fill(1);
  const resting: { account: number; token: number; book: number }[] = [];
  for (let i = 0; i < COMMANDS; i++) {
    const account = int(ACCOUNTS);
    const book = int(ORDERBOOKS.length);
    const mid = MIDS[book]!;
    const tick = TICKS[book]!;
    const token = next[account]!++;
    const roll = random();
    let message: InboundMessage;
    if (roll < 0.4 && resting.length > 0) {
      const k = int(resting.length);
      const target = resting[k]!;
      resting[k] = resting[resting.length - 1]!;
      resting.pop();
      next[account]!--;
      message = { type: "cancelOrder", orderToken: target.token, quantity: 0 };
      matcher.handle(target.account, message, NINE + i * 100_000);
      continue;
    }
    if (roll < 0.5 && resting.length > 0) {
      const k = int(resting.length);
      const target = resting[k]!;
      next[account]!--;
      const replacement = next[target.account]!++;
      message = {
        type: "replaceOrder",
        existingOrderToken: target.token,
        replacementOrderToken: replacement,
        quantity: 100 * (1 + int(10)),
        price: MIDS[target.book]! + (int(21) - 10) * TICKS[target.book]!,
        timeInForce: 99999,
        display: " ",
        minimumQuantity: 0,
      };
      resting[k] = { ...target, token: replacement };
      matcher.handle(target.account, message, NINE + i * 100_000);
      continue;
    }
    const buy = random() < 0.5;
    const crossing = random() < 0.33;
    const offset = crossing ? int(5) : 1 + int(15);
    message = {
      type: "enterOrder",
      orderToken: token,
      clientReference: "bench",
      buySellIndicator: buy ? "B" : "S",
      quantity: 100 * (1 + int(10)),
      orderbookId: ORDERBOOKS[book]!,
      group: "DAY",
      price: buy
        ? mid + tick * (crossing ? offset : -5 - offset)
        : mid - tick * (crossing ? offset : -5 - offset),
      timeInForce: roll > 0.95 ? 0 : 99999,
      firmId: 0,
      display: " ",
      capacity: "P",
      minimumQuantity: 0,
      orderClassification: "1",
      cashMarginType: "1",
    };
    matcher.handle(account, message, NINE + i * 100_000);
    if (message.timeInForce !== 0) resting.push({ account, token, book });
  }
  return { events, log, feed };
}

/**
 * A log's messages as a SoupBin file: each a uint16 big-endian length and the message.
 *
 * @param log The messages, numbered from 1.
 * @returns The framed bytes.
 */
export function framesOf(log: MessageLog): Uint8Array {
  const count = log.length;
  let length = 0;
  for (let n = 1; n <= count; n++) length += 2 + log.message(n).length;
  const out = new Uint8Array(length);
  let at = 0;
  for (let n = 1; n <= count; n++) {
    const message = log.message(n);
    out[at] = message.length >> 8;
    out[at + 1] = message.length & 0xff;
    out.set(message, at + 2);
    at += 2 + message.length;
  }
  return out;
}
