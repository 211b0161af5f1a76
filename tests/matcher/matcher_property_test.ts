import assert from "node:assert/strict";
import fc from "fast-check";
import type { InboundMessage } from "../../lib/codec/messages.ts";
import { Matcher } from "../../lib/matcher/mod.ts";
import { enter, replace, type Sent } from "./_helpers.ts";

const ACCOUNTS = ["a", "b", "c", "d"];
/** Firm of each account: a and b share firm 1, so self-match prevention happens. */
const FIRMS: Record<string, number> = { a: 1, b: 1, c: 0, d: 2 };

interface Command {
  account: string;
  message: InboundMessage;
}

const commandArbitrary = fc.record({
  kind: fc.constantFrom(
    "enter",
    "enter",
    "enter",
    "replace",
    "replace",
    "cancel",
  ),
  account: fc.constantFrom(...ACCOUNTS),
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
function build(raw: Choice[]): Command[] {
  const next = new Map<string, number>(ACCOUNTS.map((a) => [a, 1]));
  const used = new Map<string, number[]>(ACCOUNTS.map((a) => [a, []]));
  return raw.map((c) => {
    const token = Math.max(0, next.get(c.account)! + c.tokenStep - 1);
    if (token >= next.get(c.account)!) next.set(c.account, token + 1);
    const tokens = used.get(c.account)!;
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
        buySellIndicator: c.buy ? "B" : (c.pick % 2 === 0 ? "S" : "T"),
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
    return { account: c.account, message };
  });
}

function run(
  list: Command[],
): { sent: Sent[]; perCommand: Sent[][]; matcher: Matcher } {
  const sent: Sent[] = [];
  const matcher = new Matcher(
    (account, message) => sent.push([account, message]),
    {
      orderbooks: ["1"],
    },
  );
  const perCommand: Sent[][] = [];
  list.forEach(({ account, message }, i) => {
    const before = sent.length;
    matcher.handle(account, message, 1_000 + i);
    perCommand.push(sent.slice(before));
    const depth = matcher.depth("1", 1)!;
    if (depth.bids.length > 0 && depth.asks.length > 0) {
      assert.ok(
        depth.bids[0]!.price < depth.asks[0]!.price,
        "the book is crossed at rest",
      );
    }
  });
  return { sent, perCommand, matcher };
}

const flows = fc.array(commandArbitrary, { minLength: 1, maxLength: 60 }).map(
  build,
);

Deno.test("Matcher.handle() never leaves the book crossed and replays identically", () => {
  fc.assert(
    fc.property(flows, (list) => {
      const first = run(list);
      const second = run(list);
      assert.deepEqual(second.sent, first.sent);
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
      const key = (account: string | null, token: number) =>
        `${account}:${token}`;
      for (const [account, message] of sent) {
        switch (message.type) {
          case "orderAccepted":
            assert.ok(!entries.has(key(account, message.orderToken)));
            entries.set(key(account, message.orderToken), {
              base: message.quantity,
              done: 0,
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
              done: 0,
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

Deno.test("Matcher.handle() pairs executions by match number and answers each token once", () => {
  fc.assert(
    fc.property(flows, (list) => {
      const { sent, perCommand } = run(list);
      const byMatch = new Map<
        number,
        [string | null, string, number, number][]
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
        assert.equal(matchNumber, expected++);
        assert.equal(pair.length, 2);
        assert.deepEqual(pair.map((p) => p[1]), ["A", "R"]);
        assert.equal(pair[0]![2], pair[1]![2]);
        assert.equal(pair[0]![3], pair[1]![3]);
      }
      // Tokens: an Enter Order is answered (Accepted or Rejected) at most once per token,
      // and one that is not above the highest token seen gets no answer at all.
      const highest = new Map<string, number>();
      const answered = new Set<string>();
      list.forEach(({ account, message }, i) => {
        const out = perCommand[i]!;
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
          } else if (out.length > 0) {
            highest.set(account, message.replacementOrderToken);
            const k = `${account}:${message.replacementOrderToken}`;
            assert.ok(!answered.has(k));
            answered.add(k);
          }
        }
      });
    }),
    { numRuns: 150 },
  );
});
