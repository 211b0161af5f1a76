/**
 * Matching engine benchmark: our {@linkcode Matcher} against nodejs-order-book on two
 * seeded order flows, at the level of OUCH messages (decoded objects in, outbound
 * message objects out for ours; `limit`/`cancel`/`modify` calls for the peer).
 *
 * - mix 1: Liquibook's `pt_order_book` workload: alternating buy/sell limit orders, buys
 *   at 1880–1889 and sells at 1884–1893 ticks, 100–1000 shares in steps of 100.
 * - mix 2: mix 1 with 10% cancels and 5% replaces of resting orders.
 *
 * Both engines are measured the same way, one after the other: the same untimed warm-up
 * runs, then the same number of timed runs, each from an empty book; the figures are
 * the best run of each engine (the table also shows the median). Memory is the resident set after `gc()` with
 * 1,000,000 non-crossing orders resting, checked through `depth` and `openOrders`.
 *
 * Our matcher's output counts every OUCH message and every order-level market event it is
 * given, so both are produced and handed over as in the server. Its orderbook "7203" is
 * configured without reference data (round lot 1, tick 0.1, no limits), as the flows'
 * prices are Liquibook's, not Toyota's; the checks still run for every order. A replace
 * sends the order chain's total (K9): the new open size the peer is given plus what the
 * order has executed, so that both engines leave the same open size.
 *
 * Run: `deno run --allow-read --allow-env --allow-sys --v8-flags=--expose-gc bench/engine_bench.ts`
 * The last line printed is one JSON object with the figures.
 *
 * @module
 */
// deno-lint-ignore-file no-console

import { OrderBook as PeerBook, Side as PeerSide } from "nodejs-order-book";
import type { InboundMessage, OutboundMessage } from "../lib/codec/messages.ts";
import { ALL_ACCOUNTS, Matcher } from "../lib/matcher/mod.ts";

const SEED = 0x5eed;
/** Account ids, as the server gives them. */
const ACCOUNTS = [0, 1, 2, 3, 4, 5, 6, 7];
const TRADING_DATE = "20261128";
/** The matcher's options: one orderbook with no reference data. */
const OPTIONS = {
  tradingDate: TRADING_DATE,
  orderbooks: ["7203"],
  instruments: [{ orderbookId: "7203" }],
};
/** Order Number `n` of the bench's trading day. */
const DAY_BASE = 202611280000000000n;

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

type PeerOp =
  | {
    kind: 0;
    options: { side: PeerSide; id: string; size: number; price: number };
  }
  | { kind: 1; id: string }
  | { kind: 2; id: string; update: { price: number; size: number } };

/** One flow, in both shapes. */
interface Flow {
  accounts: number[];
  messages: InboundMessage[];
  peer: PeerOp[];
}

function enterOrder(
  token: number,
  buy: boolean,
  price: number,
  quantity: number,
): InboundMessage {
  return {
    type: "enterOrder",
    orderToken: token,
    clientReference: "bench",
    buySellIndicator: buy ? "B" : "S",
    quantity,
    orderbookId: "7203",
    group: "DAY",
    price,
    timeInForce: 99999,
    firmId: 0,
    display: " ",
    capacity: "P",
    minimumQuantity: 0,
    orderClassification: "1",
    cashMarginType: "1",
  };
}

interface Live {
  account: number;
  token: number;
  peerId: string;
  buy: boolean;
  open: number;
  /** Shares executed over the order's chain. */
  executed: number;
  index: number;
}

/**
 * Builds a flow of `n` messages. Cancels and replaces pick a random resting order, which
 * is known by running the flow through a reference matcher while it is generated.
 */
function makeFlow(n: number, cancelRate: number, replaceRate: number): Flow {
  const random = prng(SEED);
  const int = (k: number) => Math.floor(random() * k);
  const accounts: number[] = [];
  const messages: InboundMessage[] = [];
  const peer: PeerOp[] = [];
  const nextToken = new Map<number, number>(ACCOUNTS.map((a) => [a, 1]));
  const live = new Map<string, Live>();
  const pool: Live[] = [];
  const remove = (entry: Live) => {
    const last = pool.pop()!;
    if (last !== entry) {
      pool[entry.index] = last;
      last.index = entry.index;
    }
    live.delete(`${entry.account}:${entry.token}`);
  };
  let pendingEnter: Live | undefined;
  const reference = new Matcher({
    message: (account, message) => follow(account, message),
    market() {},
  }, { ...OPTIONS, tradeHistory: 0 });
  function follow(account: number, message: OutboundMessage): void {
    if (account === ALL_ACCOUNTS) return;
    switch (message.type) {
      case "orderAccepted": {
        const entry = pendingEnter!;
        entry.index = pool.length;
        pool.push(entry);
        live.set(`${account}:${message.orderToken}`, entry);
        break;
      }
      case "orderExecuted":
      case "orderCanceled": {
        const entry = live.get(`${account}:${message.orderToken}`)!;
        if (message.type === "orderExecuted") {
          entry.open -= message.executedQuantity;
          entry.executed += message.executedQuantity;
        } else {
          entry.open -= message.decrementQuantity;
        }
        if (entry.open === 0) remove(entry);
        break;
      }
      case "orderReplaced": {
        const entry = live.get(`${account}:${message.previousOrderToken}`)!;
        live.delete(`${account}:${message.previousOrderToken}`);
        entry.token = message.replacementOrderToken;
        entry.open = message.quantity;
        live.set(`${account}:${entry.token}`, entry);
        if (entry.open === 0) remove(entry);
        break;
      }
    }
  }

  let side = 0;
  for (let i = 0; i < n; i++) {
    const r = random();
    let message: InboundMessage;
    let account: number;
    if (r < cancelRate && pool.length > 0) {
      const entry = pool[int(pool.length)]!;
      account = entry.account;
      message = { type: "cancelOrder", orderToken: entry.token, quantity: 0 };
      peer.push({ kind: 1, id: entry.peerId });
    } else if (r < cancelRate + replaceRate && pool.length > 0) {
      const entry = pool[int(pool.length)]!;
      account = entry.account;
      const token = nextToken.get(account)!;
      nextToken.set(account, token + 1);
      const price = entry.buy ? 1880 + int(10) : 1884 + int(10);
      const quantity = 100 * (1 + int(10));
      message = {
        type: "replaceOrder",
        existingOrderToken: entry.token,
        replacementOrderToken: token,
        quantity: quantity + entry.executed,
        price,
        timeInForce: 99999,
        display: " ",
        minimumQuantity: 0,
      };
      peer.push({
        kind: 2,
        id: entry.peerId,
        update: { price, size: quantity },
      });
    } else {
      const buy = (side++ & 1) === 0;
      account = ACCOUNTS[int(ACCOUNTS.length)]!;
      const token = nextToken.get(account)!;
      nextToken.set(account, token + 1);
      const price = buy ? 1880 + int(10) : 1884 + int(10);
      const quantity = 100 * (1 + int(10));
      message = enterOrder(token, buy, price, quantity);
      const peerId = `${account}:${token}`;
      pendingEnter = {
        account,
        token,
        peerId,
        buy,
        open: quantity,
        executed: 0,
        index: -1,
      };
      peer.push({
        kind: 0,
        options: {
          side: buy ? PeerSide.BUY : PeerSide.SELL,
          id: peerId,
          size: quantity,
          price,
        },
      });
    }
    accounts.push(account);
    messages.push(message);
    reference.handle(account, message, i);
  }
  return { accounts, messages, peer };
}

let sink = 0;

function runOurs(flow: Flow, count = flow.messages.length): number {
  const matcher = new Matcher({
    message() {
      sink++;
    },
    market() {
      sink++;
    },
  }, OPTIONS);
  const { accounts, messages } = flow;
  const start = performance.now();
  for (let i = 0; i < count; i++) matcher.handle(accounts[i]!, messages[i]!, i);
  return performance.now() - start;
}

function runPeer(flow: Flow, count = flow.peer.length): number {
  const book = new PeerBook();
  const ops = flow.peer;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const op = ops[i]!;
    if (op.kind === 0) sink += book.limit(op.options).done.length;
    else if (op.kind === 1) sink += book.cancel(op.id) === undefined ? 0 : 1;
    else sink += book.modify(op.id, op.update).done.length;
  }
  return performance.now() - start;
}

/** Throughput of one engine on one flow: best and median of the timed rounds, ops/s. */
interface Rate {
  best: number;
  median: number;
}

function rate(n: number, times: number[]): Rate {
  const sorted = [...times].sort((a, b) => a - b);
  const opsPerSecond = (ms: number) => Math.round(n / (ms / 1000));
  return {
    best: opsPerSecond(sorted[0]!),
    median: opsPerSecond(sorted[sorted.length >> 1]!),
  };
}

/**
 * Measures one engine: a full collection, `warmups` untimed runs, then `rounds` timed
 * runs, each from an empty book. Every engine is measured this same way. (The collection
 * comes before the warm-up, not after: V8's forced full collection also drops the
 * optimized code, so the first timed runs would compile again.)
 */
function measure(
  run: (count?: number) => number,
  n: number,
  warmups: number,
  rounds: number,
): Rate {
  collect();
  for (let i = 0; i < warmups; i++) run();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) times.push(run());
  return rate(n, times);
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** RSS in MB after gc with 1,000,000 resting (non-crossing) orders. */
function restingMemory(n: number): number {
  collect();
  const matcher = new Matcher({
    message() {},
    market() {},
  }, OPTIONS);
  const tokens = new Array<number>(ACCOUNTS.length).fill(0);
  for (let i = 0; i < n; i++) {
    const a = i % ACCOUNTS.length;
    const buy = (i & 1) === 0;
    const level = (i >> 1) % 500;
    const price = buy ? 10_000 - level : 10_001 + level;
    matcher.handle(ACCOUNTS[a]!, enterOrder(++tokens[a]!, buy, price, 100), i);
  }
  collect();
  const rss = Deno.memoryUsage().rss / 1_048_576;
  // Check that the matcher holds what was measured: every order resting, with all its
  // OUCH fields.
  const depth = matcher.depth("7203", 1_000)!;
  const resting = [...depth.bids, ...depth.asks].reduce(
    (sum, level) => sum + level.orders,
    0,
  );
  const open = matcher.openOrders(ACCOUNTS[3]!);
  const last = open[open.length - 1]!;
  const i = n - ACCOUNTS.length + 3; // the last order of ACCOUNTS[3]
  if (
    depth.bids[0]!.price !== 10_000 || depth.asks[0]!.price !== 10_001 ||
    resting !== n || open.length !== n / ACCOUNTS.length ||
    last.orderToken !== n / ACCOUNTS.length ||
    last.orderNumber !== DAY_BASE + BigInt(i + 1) ||
    last.price !== 10_001 + (i >> 1) % 500 || last.openQuantity !== 100 ||
    last.clientReference !== "bench" || last.buySellIndicator !== "S" ||
    last.orderbookId !== "7203" || last.group !== "DAY" ||
    last.capacity !== "P" || last.cashMarginType !== "1"
  ) {
    throw new RangeError("Cannot measure memory as the book is not as built");
  }
  return Math.round(rss);
}

const N = 100_000;
const N_LARGE = 1_000_000;

const rssMb = restingMemory(N_LARGE);
collect();

const mix1 = makeFlow(N, 0, 0);
const mix2 = makeFlow(N, 0.10, 0.05);
// Each engine in a block of its own, so that neither pays for the other's garbage.
const mix1Ours = measure((count) => runOurs(mix1, count), N, 2, 9);
const mix1Peer = measure((count) => runPeer(mix1, count), N, 2, 9);
const mix2Ours = measure((count) => runOurs(mix2, count), N, 1, 5);
const mix2Peer = measure((count) => runPeer(mix2, count), N, 1, 5);

const large = makeFlow(N_LARGE, 0, 0);
const largeOurs = measure((count) => runOurs(large, count), N_LARGE, 1, 5);

const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
const rows: [string, string, string, string][] = [
  [
    "flow (best / median of the rounds)",
    "ouch ops/s",
    "nodejs-order-book ops/s",
    "ratio",
  ],
  [
    "mix 1, n = 100,000",
    both(mix1Ours),
    both(mix1Peer),
    `${ratio(mix1Ours.best, mix1Peer.best)}x / ${
      ratio(mix1Ours.median, mix1Peer.median)
    }x`,
  ],
  [
    "mix 2, n = 100,000",
    both(mix2Ours),
    both(mix2Peer),
    `${ratio(mix2Ours.best, mix2Peer.best)}x / ${
      ratio(mix2Ours.median, mix2Peer.median)
    }x`,
  ],
  ["mix 1, n = 1,000,000", both(largeOurs), "-", "-"],
  ["RSS, 1,000,000 resting", `${rssMb} MB`, "-", "-"],
];
function both(value: Rate): string {
  return `${fmt(value.best)} / ${fmt(value.median)}`;
}
function fmt(value: number): string {
  return value.toLocaleString("en-US");
}
const widths = [0, 1, 2, 3].map((c) =>
  Math.max(...rows.map((r) => r[c]!.length))
);
for (const [i, row] of rows.entries()) {
  console.log(row.map((cell, c) => cell.padEnd(widths[c]!)).join("  "));
  if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
}
console.log(`(${sink} results consumed)`);
console.log(JSON.stringify({
  mix1: {
    n: N,
    ouch: mix1Ours.best,
    peer: mix1Peer.best,
    ratio: ratio(mix1Ours.best, mix1Peer.best),
  },
  mix2: {
    n: N,
    ouch: mix2Ours.best,
    peer: mix2Peer.best,
    ratio: ratio(mix2Ours.best, mix2Peer.best),
  },
  ouch_1m_mix1: largeOurs.best,
  rss_mb_1m_resting: rssMb,
}));
