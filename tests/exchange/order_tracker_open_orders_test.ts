/**
 * A gateway shows an account's open orders on its web page from the account's OUCH stream
 * (`OrderTracker`, `toOpenOrder`): they must equal the engine's `Exchange.openOrders` field
 * for field, and its next page token the engine's, after any flow of orders.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeOutbound, encodeMessage } from "../../lib/codec/mod.ts";
import type { InboundMessage } from "../../lib/codec/messages.ts";
import {
  type Exchange,
  OrderTracker,
  type SessionHandle,
  toOpenOrder,
} from "../../lib/exchange/mod.ts";
import { PAGE_TOKEN_BASE } from "../../lib/matcher/mod.ts";
import { enterOrder } from "../_fixtures.ts";
import { testExchange } from "../server/_harness.ts";

const ACCOUNTS = ["alice", "bob"] as const;
const PASSWORDS = { alice: "pw-a", bob: "pw-b" } as const;

type Step =
  | {
    kind: "enter";
    who: 0 | 1;
    page: boolean;
    side: "B" | "S";
    price: number;
    quantity: number;
    ioc: boolean;
    reference: string;
    firmId: number;
    capacity: "A" | "P";
  }
  | {
    kind: "replace";
    who: 0 | 1;
    page: boolean;
    pick: number;
    price: number;
    quantity: number;
  }
  | { kind: "cancel"; who: 0 | 1; page: boolean; pick: number }
  | { kind: "halt" | "resume" | "close" | "open" };

const who = fc.constantFrom(0 as const, 1 as const);
const price = fc.integer({ min: 22_990, max: 23_010 });
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("enter" as const),
      who,
      page: fc.boolean(),
      side: fc.constantFrom("B" as const, "S" as const),
      price,
      quantity: fc.integer({ min: 1, max: 500 }),
      ioc: fc.boolean(),
      reference: fc.constantFrom("", "ref-1", "x"),
      firmId: fc.integer({ min: 0, max: 3 }),
      capacity: fc.constantFrom("A" as const, "P" as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("replace" as const),
      who,
      page: fc.boolean(),
      pick: fc.nat(),
      price,
      quantity: fc.integer({ min: 0, max: 600 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      who,
      page: fc.boolean(),
      pick: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        "halt" as const,
        "resume" as const,
        "close" as const,
        "open" as const,
      ),
    }),
  },
);

/** Runs the steps: OUCH sessions' and pages' orders of two accounts on one exchange. */
function run(exchange: Exchange, steps: readonly Step[]): void {
  const handles: SessionHandle[] = ACCOUNTS.map((name) => {
    const result = exchange.login(
      {
        type: "loginRequest",
        username: name,
        password: PASSWORDS[name],
        requestedSession: "",
        requestedSequenceNumber: 0,
      },
      "ouch",
      1,
    );
    assert.ok(result.accept);
    return result.handle;
  });
  let time = 10;
  const send = (index: 0 | 1, page: boolean, message: InboundMessage) => {
    time++;
    if (page) exchange.submit(ACCOUNTS[index], message, time);
    else exchange.handleMessage(handles[index]!, encodeMessage(message), time);
  };
  const nextToken = (index: 0 | 1, page: boolean) =>
    page
      ? exchange.nextPageToken(ACCOUNTS[index])
      : exchange.nextToken(ACCOUNTS[index]);
  for (const s of steps) {
    switch (s.kind) {
      case "enter":
        send(
          s.who,
          s.page,
          enterOrder(nextToken(s.who, s.page), {
            buySellIndicator: s.side,
            price: s.price,
            quantity: s.quantity,
            timeInForce: s.ioc ? 0 : 99999,
            clientReference: s.reference,
            firmId: s.firmId,
            capacity: s.capacity,
          }),
        );
        break;
      case "replace":
      case "cancel": {
        const open = exchange.openOrders(ACCOUNTS[s.who]);
        const order = open[s.pick % Math.max(1, open.length)];
        if (order === undefined) break;
        if (s.kind === "cancel") {
          send(s.who, s.page, {
            type: "cancelOrder",
            orderToken: order.orderToken,
            quantity: 0,
          });
          break;
        }
        send(s.who, s.page, {
          type: "replaceOrder",
          existingOrderToken: order.orderToken,
          replacementOrderToken: nextToken(s.who, s.page),
          quantity: s.quantity,
          price: s.price,
          timeInForce: 99999,
          display: " ",
          minimumQuantity: 0,
        });
        break;
      }
      case "halt":
        exchange.halt("1", ++time);
        break;
      case "resume":
        exchange.resume("1", ++time);
        break;
      case "close":
        exchange.close(++time);
        break;
      case "open":
        exchange.open(++time);
        break;
    }
  }
  exchange.flush();
}

Deno.test("OrderTracker + toOpenOrder: an account's open orders rebuilt from its OUCH stream equal the engine's, field for field, and its next page token the engine's, after random flows of OUCH and page orders, replaces, cancels, fills, IOC, halts and closes", () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), (steps) => {
      const exchange = testExchange();
      run(exchange, steps);
      for (const name of ACCOUNTS) {
        const tracker = new OrderTracker();
        const stream = exchange.stream(name)!;
        for (let n = 1; n <= stream.length; n++) {
          tracker.update(decodeOutbound(stream.message(n)));
        }
        const byNumber = (
          a: { orderNumber: bigint },
          b: { orderNumber: bigint },
        ) => a.orderNumber < b.orderNumber ? -1 : 1;
        assert.deepEqual(
          tracker.open().map(toOpenOrder),
          [...exchange.openOrders(name)].sort(byNumber),
        );
        assert.equal(
          tracker.highestPageToken === 0
            ? PAGE_TOKEN_BASE
            : tracker.highestPageToken + 1,
          exchange.nextPageToken(name),
        );
      }
    }),
    { numRuns: 300 },
  );
});
