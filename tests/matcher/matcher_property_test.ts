import assert from "node:assert/strict";
import fc from "fast-check";
import type { InboundMessage } from "../../lib/codec/messages.ts";
import type {
  DepthLevel,
  FeedSide,
  MarketEvent,
  Matcher,
} from "../../lib/matcher/mod.ts";
import {
  dayNumber,
  enter,
  isSent,
  type Output,
  recording,
  replace,
  type Sent,
} from "./_helpers.ts";

const ACCOUNTS = [0, 1, 2, 3];
/** Firm of each account: 0 and 1 share firm 1, so self-match prevention happens. */
const FIRMS = [1, 1, 0, 2];
const ORDERBOOKS = ["1", "2"];
/**
 * Book "1" has no rules; book "2" has a round lot of 5, a tick of 0.2 and limits 99.9 to
 * 100.1, so that the flows' prices (99.8 to 100.2) and quantities (0 to 30) are often
 * rejected with `X` or `Z`.
 */
const INSTRUMENTS = [{
  orderbookId: "2",
  roundLot: 5,
  tickTable: 7,
  referencePrice: 1_000,
  lowerLimit: 999,
  upperLimit: 1_001,
}];
const TICK_TABLES = { 7: [{ from: 0, tick: 2 }] };
/** Account 3 is throttled at 2 messages a second and limited to orders of 2,500 yen. */
const LIMITED = 3;
const LIMITS = { throttle: 2, maxOrderValue: 2_500 };
/** Commands are this far apart (nanoseconds): 0.2 s, so flow control sometimes bites. */
const STEP = 200_000_000;

/** One step of a flow: an OUCH message of an account, or an operator action. */
type Command =
  | { kind: "message"; account: number; message: InboundMessage }
  | { kind: "cancelAccount"; account: number; reason: "L" | "S" }
  | { kind: "halt" | "resume"; orderbookId: string }
  | { kind: "ssr"; orderbookId: string; restricted: boolean }
  | { kind: "close" | "open" };

const commandArbitrary = fc.record({
  kind: fc.oneof(
    { weight: 8, arbitrary: fc.constant("enter") },
    { weight: 5, arbitrary: fc.constant("replace") },
    { weight: 2, arbitrary: fc.constant("cancel") },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "cancelAccount",
        "halt",
        "resume",
        "ssr",
        "close",
        "open",
        "open",
      ),
    },
  ),
  account: fc.constantFrom(...ACCOUNTS),
  book: fc.constantFrom(0, 0, 0, 1),
  tokenStep: fc.constantFrom(1, 1, 1, 1, 0, -1, 2),
  pick: fc.nat(6),
  buy: fc.boolean(),
  price: fc.integer({ min: 998, max: 1002 }),
  quantity: fc.integer({ min: 0, max: 30 }),
  immediate: fc.constantFrom(false, false, false, true),
  minimum: fc.constantFrom(0, 0, 0, 5, 15),
  postOnly: fc.constantFrom(false, false, false, true),
});

type Choice = typeof commandArbitrary extends fc.Arbitrary<infer T> ? T : never;

/** Turns random choices into commands with mostly valid, sometimes stale tokens. */
export function build(raw: Choice[]): Command[] {
  const next = ACCOUNTS.map(() => 1);
  const used: number[][] = ACCOUNTS.map(() => []);
  return raw.map((c): Command => {
    const orderbookId = ORDERBOOKS[c.book]!;
    switch (c.kind) {
      case "cancelAccount":
        return {
          kind: "cancelAccount",
          account: c.account,
          reason: c.buy ? "L" : "S",
        };
      case "halt":
      case "resume":
        return { kind: c.kind, orderbookId };
      case "ssr":
        return { kind: "ssr", orderbookId, restricted: c.buy };
      case "close":
      case "open":
        return { kind: c.kind };
    }
    const token = Math.max(0, next[c.account]! + c.tokenStep - 1);
    if (token >= next[c.account]!) next[c.account] = token + 1;
    const tokens = used[c.account]!;
    const earlier = tokens.length === 0
      ? 1
      : tokens[tokens.length - 1 - (c.pick % Math.min(4, tokens.length))]!;
    tokens.push(token);
    const timeInForce = c.immediate ? 0 : 99999;
    const minimumQuantity = c.immediate ? c.minimum : 0;
    const display = c.postOnly ? "P" : " ";
    let message: InboundMessage;
    if (c.kind === "enter") {
      message = enter({
        orderToken: token,
        orderbookId,
        buySellIndicator: c.buy ? "B" : (["S", "T", "E"] as const)[c.pick % 3]!,
        price: c.price,
        quantity: c.quantity === 0 ? 1 : c.quantity,
        timeInForce,
        minimumQuantity,
        display,
        firmId: FIRMS[c.account]!,
      });
    } else if (c.kind === "replace") {
      message = replace(earlier, token, c.quantity, c.price, {
        timeInForce,
        minimumQuantity,
        display,
      });
    } else {
      message = {
        type: "cancelOrder",
        orderToken: earlier,
        quantity: c.quantity % 3 === 0 ? 0 : c.quantity,
      };
    }
    return { kind: "message", account: c.account, message };
  });
}

/** Runs one command; returns what it produced. */
function apply(
  matcher: Matcher,
  command: Command,
  timestamp: number,
): void {
  switch (command.kind) {
    case "message":
      matcher.handle(command.account, command.message, timestamp);
      break;
    case "cancelAccount":
      matcher.cancelAccount(command.account, timestamp, command.reason);
      break;
    case "halt":
      matcher.halt(command.orderbookId, timestamp);
      break;
    case "resume":
      matcher.resume(command.orderbookId, timestamp);
      break;
    case "ssr":
      matcher.setShortSellRestricted(
        command.orderbookId,
        command.restricted,
        timestamp,
      );
      break;
    case "close":
      matcher.close(timestamp);
      break;
    case "open":
      matcher.open(timestamp);
      break;
  }
}

/** Runs a flow; `afterEach` sees the matcher and each command's outputs. */
export function run(
  list: Command[],
  afterEach: (matcher: Matcher, outputs: Output[]) => void = () => {},
): { all: Output[]; sent: Sent[]; perCommand: Output[][]; matcher: Matcher } {
  const { matcher, takeAll } = recording({
    orderbooks: ORDERBOOKS,
    instruments: INSTRUMENTS,
    tickTables: TICK_TABLES,
  });
  matcher.setAccountLimits(LIMITED, LIMITS);
  const perCommand: Output[][] = [];
  list.forEach((command, i) => {
    apply(matcher, command, 1_000 + i * STEP);
    const outputs = takeAll();
    perCommand.push(outputs);
    for (const orderbookId of ORDERBOOKS) {
      const depth = matcher.depth(orderbookId, 1)!;
      if (depth.bids.length > 0 && depth.asks.length > 0) {
        assert.ok(
          depth.bids[0]!.price < depth.asks[0]!.price,
          "the book is crossed at rest",
        );
      }
    }
    afterEach(matcher, outputs);
  });
  const all = perCommand.flat();
  return { all, sent: all.filter(isSent), perCommand, matcher };
}

export const flows = fc.array(commandArbitrary, {
  minLength: 1,
  maxLength: 120,
  size: "max",
}).map(build);

Deno.test("Matcher.handle() never leaves the book crossed and replays identically", () => {
  fc.assert(
    fc.property(flows, (list) => {
      const first = run(list);
      const second = run(list);
      assert.deepEqual(second.all, first.all);
    }),
    { numRuns: 150 },
  );
});

Deno.test("Matcher.handle() accounts for every accepted share: executed + canceled + open", () => {
  fc.assert(
    fc.property(flows, (list) => {
      const { sent, matcher } = run(list);
      interface Entry {
        base: number;
        done: number;
        replaced: boolean;
      }
      const entries = new Map<string, Entry>();
      const key = (account: number, token: number) => `${account}:${token}`;
      for (const [account, message] of sent) {
        switch (message.type) {
          case "orderAccepted":
            assert.ok(!entries.has(key(account, message.orderToken)));
            // State D: accepted and gone at once, nothing else follows (K5).
            entries.set(key(account, message.orderToken), {
              base: message.quantity,
              done: message.orderState === "D" ? message.quantity : 0,
              replaced: false,
            });
            break;
          case "orderExecuted":
            entries.get(key(account, message.orderToken))!.done +=
              message.executedQuantity;
            break;
          case "orderCanceled":
          case "orderAiqCanceled":
            entries.get(key(account, message.orderToken))!.done +=
              message.decrementQuantity;
            break;
          case "orderReplaced": {
            const old = entries.get(key(account, message.previousOrderToken))!;
            assert.ok(!old.replaced && old.done <= old.base);
            old.replaced = true;
            assert.ok(
              !entries.has(key(account, message.replacementOrderToken)),
            );
            entries.set(key(account, message.replacementOrderToken), {
              base: message.quantity,
              done: message.orderState === "D" ? message.quantity : 0,
              replaced: false,
            });
            break;
          }
        }
      }
      const open = new Map<string, number>();
      for (const account of ACCOUNTS) {
        for (const order of matcher.openOrders(account)) {
          open.set(key(account, order.orderToken), order.openQuantity);
        }
      }
      for (const [k, entry] of entries) {
        if (entry.replaced) continue;
        assert.equal(
          entry.base,
          entry.done + (open.get(k) ?? 0),
          `shares of ${k}`,
        );
      }
      for (const k of open.keys()) {
        assert.ok(entries.has(k) && !entries.get(k)!.replaced);
      }
    }),
    { numRuns: 150 },
  );
});

Deno.test("Matcher.handle() replaces to the total minus what the chain executed, and cancels a total below it", () => {
  // Over all runs, both cases must have come up, or the property proves nothing.
  let below = 0;
  let afterFills = 0;
  fc.assert(
    fc.property(flows, (list) => {
      const { perCommand } = run(list);
      /** Shares executed by each live chain, by its current token. */
      const executed = new Map<string, number>();
      const key = (account: number, token: number) => `${account}:${token}`;
      list.forEach((command, i) => {
        const outputs = perCommand[i]!.filter(isSent);
        if (command.kind === "message") {
          const { account, message } = command;
          if (message.type === "replaceOrder" && outputs.length > 0) {
            const chain = executed.get(
              key(account, message.existingOrderToken),
            );
            assert.ok(chain !== undefined, "only a live order is replaced");
            const [[, first]] = outputs as [Sent];
            if (message.quantity < chain) {
              below++;
              // Below the executed quantity: canceled, with U unless an earlier check failed.
              assert.equal(first.type, "orderCanceled");
              assert.ok(
                first.type === "orderCanceled" &&
                  ["F", "X", "Z", "U"].includes(first.orderCanceledReason),
                JSON.stringify(first),
              );
            } else if (first.type === "orderReplaced") {
              if (chain > 0) afterFills++;
              assert.equal(first.quantity, message.quantity - chain);
              assert.equal(
                first.orderState,
                first.quantity === 0 ? "D" : first.orderState,
              );
            }
          }
        }
        for (const [account, message] of outputs) {
          switch (message.type) {
            case "orderAccepted":
              if (message.orderState === "L") {
                executed.set(key(account, message.orderToken), 0);
              }
              break;
            case "orderReplaced": {
              const chain = executed.get(
                key(account, message.previousOrderToken),
              )!;
              executed.delete(key(account, message.previousOrderToken));
              if (message.orderState === "L") {
                executed.set(
                  key(account, message.replacementOrderToken),
                  chain,
                );
              }
              break;
            }
            case "orderExecuted": {
              const k = key(account, message.orderToken);
              executed.set(k, executed.get(k)! + message.executedQuantity);
              break;
            }
          }
        }
      });
    }),
    { numRuns: 150 },
  );
  assert.ok(below > 0 && afterFills > 0, `${below} ${afterFills}`);
});

Deno.test("Matcher flows reach the rules: dead Immediate orders and replaces, flow control, order value, tick, limits, lots, short selling", () => {
  // A fixed seed: the flows are random, and this checks what they cover.
  const reasons = new Set<string>();
  fc.assert(
    fc.property(flows, (list) => {
      for (const [, message] of run(list).sent) {
        if (message.type === "orderRejected") {
          reasons.add(`J${message.orderRejectedReason}`);
        } else if (message.type === "orderCanceled") {
          reasons.add(`C${message.orderCanceledReason}`);
        } else if (message.type === "orderAccepted") {
          reasons.add(`A${message.orderState}`);
        } else if (message.type === "orderReplaced") {
          reasons.add(`U${message.orderState}`);
        }
      }
    }),
    { numRuns: 150, seed: 20261128 },
  );
  const missing = [
    "AD",
    "AL",
    "UD",
    "UL",
    "CI",
    "CF",
    "JF",
    "CV",
    "JV",
    "CX",
    "JX",
    "CU",
    "JZ",
    "Ci",
    "Ji",
  ].filter((reason) => !reasons.has(reason));
  assert.deepEqual(missing, [], [...reasons].sort().join(" "));
});

Deno.test("Matcher.handle() pairs executions by match number and answers each token once", () => {
  fc.assert(
    fc.property(flows, (list) => {
      const { sent, perCommand } = run(list);
      const byMatch = new Map<
        bigint,
        [number, string, number, number][]
      >();
      for (const [account, message] of sent) {
        if (message.type !== "orderExecuted") continue;
        const list = byMatch.get(message.matchNumber) ?? [];
        list.push([
          account,
          message.liquidityIndicator,
          message.executedQuantity,
          message.executionPrice,
        ]);
        byMatch.set(message.matchNumber, list);
      }
      let expected = 1;
      for (const [matchNumber, pair] of byMatch) {
        assert.equal(matchNumber, dayNumber(expected++));
        assert.equal(pair.length, 2);
        assert.deepEqual(pair.map((p) => p[1]), ["A", "R"]);
        assert.equal(pair[0]![2], pair[1]![2]);
        assert.equal(pair[0]![3], pair[1]![3]);
      }
      // Tokens: an Enter Order is answered (Accepted or Rejected) at most once per token,
      // and one that is not above the highest token seen gets no answer at all.
      const highest = new Map<number, number>();
      const answered = new Set<string>();
      list.forEach((command, i) => {
        if (command.kind !== "message") return;
        const { account, message } = command;
        const out = perCommand[i]!.filter(isSent);
        if (message.type === "enterOrder") {
          const stale = message.orderToken <= (highest.get(account) ?? 0);
          if (stale) assert.deepEqual(out, []);
          else {
            highest.set(account, message.orderToken);
            const first = out[0]![1];
            assert.ok(
              first.type === "orderAccepted" || first.type === "orderRejected",
            );
            assert.equal(first.orderToken, message.orderToken);
            const k = `${account}:${message.orderToken}`;
            assert.ok(!answered.has(k));
            answered.add(k);
          }
        } else if (message.type === "replaceOrder") {
          if (message.replacementOrderToken <= (highest.get(account) ?? 0)) {
            assert.deepEqual(out, []);
          } else if (out[0]?.[1].type === "orderReplaced") {
            highest.set(account, message.replacementOrderToken);
            const k = `${account}:${message.replacementOrderToken}`;
            assert.ok(!answered.has(k));
            answered.add(k);
          } else {
            // Canceled by a check, or ignored: the replacement token stays unused.
            assert.ok(
              out.length === 0 ||
                (out.length === 1 && out[0]![1].type === "orderCanceled"),
            );
          }
        }
      });
    }),
    { numRuns: 150 },
  );
});

/** A resting order as a depth model built from market events knows it. */
interface ModelOrder {
  side: FeedSide;
  price: number;
  quantity: number;
  account: number;
}

/**
 * A book rebuilt from market events alone: the resting orders by Order Number and, per
 * side and price, the queue of Order Numbers in time priority. Every event is checked
 * against what the model knows (the order is there, at that price and side, with that
 * quantity; a fill takes the head of the best queue).
 */
class DepthModel {
  readonly orders = new Map<bigint, ModelOrder>();
  /** Queues by `${orderbookId} ${side} ${price}`. */
  readonly queues = new Map<string, bigint[]>();
  readonly books = new Map<bigint, string>();
  readonly halted = new Set<string>();
  readonly restricted = new Set<string>();
  open = true;

  apply(event: MarketEvent): void {
    switch (event.type) {
      case "bookAdd": {
        assert.ok(!this.orders.has(event.orderNumber), "an added order is new");
        assert.ok(event.quantity > 0);
        this.orders.set(event.orderNumber, {
          side: event.side,
          price: event.price,
          quantity: event.quantity,
          account: event.account,
        });
        this.books.set(event.orderNumber, event.orderbookId);
        this.#queue(event.orderbookId, event.side, event.price).push(
          event.orderNumber,
        );
        break;
      }
      case "bookExecute": {
        const order = this.#resting(event.orderbookId, event.orderNumber);
        assert.equal(order.side, event.side);
        assert.equal(order.price, event.price);
        assert.equal(order.account, event.restingAccount);
        assert.ok(event.quantity > 0 && event.quantity <= order.quantity);
        const queue = this.#queue(event.orderbookId, event.side, event.price);
        assert.equal(
          queue[0],
          event.orderNumber,
          "a fill takes the queue head",
        );
        assert.equal(
          event.price,
          this.#best(event.orderbookId, event.side),
          "a fill takes the best price",
        );
        order.quantity -= event.quantity;
        assert.equal(order.quantity, event.remaining);
        if (order.quantity === 0) {
          this.#remove(event.orderbookId, event.orderNumber, order);
        }
        break;
      }
      case "bookDelete": {
        const order = this.#resting(event.orderbookId, event.orderNumber);
        assert.equal(order.side, event.side);
        assert.equal(order.price, event.price);
        assert.equal(order.quantity, event.quantity, "all that was open");
        assert.equal(order.account, event.account);
        this.#remove(event.orderbookId, event.orderNumber, order);
        break;
      }
      case "bookReplace": {
        const order = this.#resting(
          event.orderbookId,
          event.originalOrderNumber,
        );
        assert.equal(order.side, event.side);
        assert.equal(order.price, event.oldPrice);
        assert.equal(order.quantity, event.oldQuantity);
        assert.ok(event.quantity > 0);
        assert.equal(
          event.keepsPriority,
          event.price === event.oldPrice && event.quantity <= event.oldQuantity,
        );
        if (event.keepsPriority) {
          order.quantity = event.quantity;
          const queue = this.#queue(event.orderbookId, order.side, order.price);
          queue[queue.indexOf(event.originalOrderNumber)] = event.orderNumber;
          this.orders.delete(event.originalOrderNumber);
          this.books.delete(event.originalOrderNumber);
        } else {
          this.#remove(event.orderbookId, event.originalOrderNumber, order);
          order.price = event.price;
          order.quantity = event.quantity;
          this.#queue(event.orderbookId, order.side, order.price).push(
            event.orderNumber,
          );
        }
        this.orders.set(event.orderNumber, order);
        this.books.set(event.orderNumber, event.orderbookId);
        break;
      }
      case "tradingState":
        if (event.halted) this.halted.add(event.orderbookId);
        else this.halted.delete(event.orderbookId);
        break;
      case "marketState":
        this.open = event.open;
        break;
      case "shortSellState":
        assert.notEqual(
          this.restricted.has(event.orderbookId),
          event.restricted,
          "a state event is a change",
        );
        if (event.restricted) this.restricted.add(event.orderbookId);
        else this.restricted.delete(event.orderbookId);
        break;
    }
  }

  /** The depth of one book, as `Matcher.depth()` reports it. */
  depth(orderbookId: string): { bids: DepthLevel[]; asks: DepthLevel[] } {
    const side = (feed: FeedSide): DepthLevel[] => {
      const levels: DepthLevel[] = [];
      for (const [key, queue] of this.queues) {
        const [book, s, price] = key.split(" ");
        if (book !== orderbookId || s !== feed || queue.length === 0) continue;
        levels.push({
          price: Number(price),
          quantity: queue.reduce(
            (sum, n) => sum + this.orders.get(n)!.quantity,
            0,
          ),
          orders: queue.length,
        });
      }
      return levels.sort((a, b) =>
        feed === "B" ? b.price - a.price : a.price - b.price
      );
    };
    return { bids: side("B"), asks: side("S") };
  }

  #resting(orderbookId: string, orderNumber: bigint): ModelOrder {
    const order = this.orders.get(orderNumber);
    assert.ok(order !== undefined, `order ${orderNumber} rests`);
    assert.equal(this.books.get(orderNumber), orderbookId);
    return order;
  }

  #queue(orderbookId: string, side: FeedSide, price: number): bigint[] {
    const key = `${orderbookId} ${side} ${price}`;
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = [];
      this.queues.set(key, queue);
    }
    return queue;
  }

  #best(orderbookId: string, side: FeedSide): number | undefined {
    const levels = this.depth(orderbookId);
    return (side === "B" ? levels.bids : levels.asks)[0]?.price;
  }

  #remove(orderbookId: string, orderNumber: bigint, order: ModelOrder): void {
    const queue = this.#queue(orderbookId, order.side, order.price);
    queue.splice(queue.indexOf(orderNumber), 1);
    if (queue.length === 0) {
      this.queues.delete(`${orderbookId} ${order.side} ${order.price}`);
    }
    this.orders.delete(orderNumber);
    this.books.delete(orderNumber);
  }
}

Deno.test("Matcher market events alone rebuild every book's depth after every command", () => {
  fc.assert(
    fc.property(flows, (list) => {
      const model = new DepthModel();
      run(list, (matcher, outputs) => {
        for (const output of outputs) if (!isSent(output)) model.apply(output);
        for (const orderbookId of ORDERBOOKS) {
          const depth = matcher.depth(orderbookId, 1_000)!;
          assert.deepEqual(model.depth(orderbookId), {
            bids: depth.bids,
            asks: depth.asks,
          }, `depth of ${orderbookId}`);
          assert.equal(
            model.halted.has(orderbookId),
            matcher.isHalted(orderbookId),
          );
          assert.equal(
            model.restricted.has(orderbookId),
            matcher.isShortSellRestricted(orderbookId),
          );
        }
        assert.equal(model.open, matcher.isOpen);
        // Every resting order of the model is an open order of its account.
        const open = new Set<bigint>();
        for (const account of ACCOUNTS) {
          for (const order of matcher.openOrders(account)) {
            open.add(order.orderNumber);
            assert.equal(model.orders.get(order.orderNumber)?.account, account);
          }
        }
        assert.equal(open.size, model.orders.size);
      });
    }),
    { numRuns: 200 },
  );
});

Deno.test("Matcher numbers: Order Numbers never repeat, a replace takes the next; each Match Number is one bookExecute and two Order Executed", () => {
  fc.assert(
    fc.property(flows, (list) => {
      const { all, perCommand } = run(list);
      // A fill's incoming order is the one the command entered or replaced.
      for (const outputs of perCommand) {
        let incoming: [number, bigint] | undefined;
        for (const output of outputs) {
          if (isSent(output)) {
            const [account, message] = output;
            if (
              message.type === "orderAccepted" ||
              message.type === "orderReplaced"
            ) {
              incoming = [account, message.orderNumber];
            }
          } else if (output.type === "bookExecute") {
            assert.deepEqual(
              [output.incomingAccount, output.incomingOrderNumber],
              incoming,
            );
          }
        }
      }
      // Every Order Accepted and Order Replaced takes the day's next Order Number.
      const accepted = new Set<bigint>();
      let last = 0n;
      const executed = new Map<bigint, number>();
      const bookExecutes = new Map<bigint, number>();
      for (const output of all) {
        if (isSent(output)) {
          const message = output[1];
          if (
            message.type === "orderAccepted" ||
            message.type === "orderReplaced"
          ) {
            assert.ok(!accepted.has(message.orderNumber), "no repeat");
            assert.equal(
              message.orderNumber,
              last === 0n ? dayNumber(1) : last + 1n,
            );
            last = message.orderNumber;
            accepted.add(message.orderNumber);
          } else if (message.type === "orderExecuted") {
            executed.set(
              message.matchNumber,
              (executed.get(message.matchNumber) ?? 0) + 1,
            );
          }
        } else if (output.type === "bookExecute") {
          assert.ok(accepted.has(output.orderNumber));
          assert.ok(accepted.has(output.incomingOrderNumber));
          bookExecutes.set(
            output.matchNumber,
            (bookExecutes.get(output.matchNumber) ?? 0) + 1,
          );
        } else if (output.type === "bookAdd") {
          assert.ok(accepted.has(output.orderNumber));
        }
      }
      assert.deepEqual([...executed.keys()], [...bookExecutes.keys()]);
      for (const count of executed.values()) assert.equal(count, 2);
      for (const count of bookExecutes.values()) assert.equal(count, 1);
    }),
    { numRuns: 150 },
  );
});
