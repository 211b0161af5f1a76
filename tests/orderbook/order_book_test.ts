import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type BookListener,
  type BookSide,
  Order,
  OrderBook,
} from "../../lib/orderbook/mod.ts";

type Event =
  | ["add", number, number, number]
  | ["match", number, number, number, number, number]
  | ["cancel", number, number, number]
  | ["replace", number, number, number, number, number];

/** A book whose listener records every event as a tuple. */
function recordingBook(): { book: OrderBook; events: Event[] } {
  const events: Event[] = [];
  const listener: BookListener = {
    add(order) {
      events.push(["add", order.id, order.price, order.quantity]);
    },
    match(resting, incoming, quantity) {
      events.push([
        "match",
        resting.id,
        incoming.id,
        resting.price,
        quantity,
        resting.quantity,
      ]);
    },
    cancel(order, canceled) {
      events.push(["cancel", order.id, canceled, order.quantity]);
    },
    replace(order, previousPrice, previousQuantity) {
      events.push([
        "replace",
        order.id,
        previousPrice,
        previousQuantity,
        order.price,
        order.quantity,
      ]);
    },
  };
  return { book: new OrderBook(listener), events };
}

function ids(book: OrderBook, side: BookSide): number[] {
  return [...book.orders(side)].map((order) => order.id);
}

Deno.test("OrderBook.enter() fills the best ask first, at the resting price", () => {
  const { book, events } = recordingBook();
  book.enter(new Order(1, "sell", 10_100, 100));
  book.enter(new Order(2, "sell", 10_000, 50));
  events.length = 0;
  const buy = new Order(3, "buy", 10_100, 120);
  assert.equal(book.enter(buy), null);
  assert.deepEqual(events, [
    ["match", 2, 3, 10_000, 50, 0],
    ["match", 1, 3, 10_100, 70, 30],
  ]);
  assert.equal(buy.resting, false);
  assert.deepEqual(book.depth("sell", 10), [{
    price: 10_100,
    quantity: 30,
    orders: 1,
  }]);
  assert.deepEqual(book.depth("buy", 10), []);
});

Deno.test("OrderBook.enter() trades oldest first within a level and rests the rest", () => {
  const { book, events } = recordingBook();
  book.enter(new Order(1, "buy", 500, 10));
  book.enter(new Order(2, "buy", 500, 10));
  book.enter(new Order(3, "buy", 499, 10));
  events.length = 0;
  book.enter(new Order(4, "sell", 500, 25));
  assert.deepEqual(events, [
    ["match", 1, 4, 500, 10, 0],
    ["match", 2, 4, 500, 10, 0],
    ["add", 4, 500, 5],
  ]);
  assert.equal(book.best("buy"), 499);
  assert.equal(book.best("sell"), 500);
  assert.equal(book.size, 2);
});

Deno.test("OrderBook.match() stops at the first resting order with the same self-match key", () => {
  const { book, events } = recordingBook();
  book.add(new Order(1, "sell", 100, 5, 0));
  book.add(new Order(2, "sell", 100, 5, 9));
  book.add(new Order(3, "sell", 100, 5, 0));
  events.length = 0;
  const buy = new Order(4, "buy", 100, 20, 9);
  const stopper = book.match(buy);
  assert.equal(stopper?.id, 2);
  assert.equal(buy.quantity, 15);
  assert.deepEqual(events, [["match", 1, 4, 100, 5, 0]]);
  assert.deepEqual(ids(book, "sell"), [2, 3]);
  assert.equal(book.executableQuantity("buy", 100, 9), 0);
  assert.equal(book.executableQuantity("buy", 100, 0), 10);
  assert.equal(book.executableQuantity("buy", 100, 0, 3), 10);
  assert.equal(book.executableQuantity("buy", 99, 0), 0);
});

Deno.test("OrderBook.cancel() reduces in place and removes at 0", () => {
  const { book, events } = recordingBook();
  const a = new Order(1, "buy", 100, 10);
  const b = new Order(2, "buy", 100, 10);
  book.add(a);
  book.add(b);
  events.length = 0;
  assert.equal(book.cancel(a, 4), 6);
  assert.deepEqual(ids(book, "buy"), [1, 2]);
  assert.equal(book.cancel(a, 4), 0);
  assert.equal(book.cancel(a, 9), 0);
  assert.equal(book.cancel(a), 4);
  assert.equal(book.cancel(a), 0);
  assert.deepEqual(events, [["cancel", 1, 6, 4], ["cancel", 1, 4, 0]]);
  assert.deepEqual(book.depth("buy", 5), [{
    price: 100,
    quantity: 10,
    orders: 1,
  }]);
  const other = recordingBook().book;
  assert.equal(other.cancel(b), 0, "an order of another book is unknown");
});

Deno.test("OrderBook.replace() keeps priority only for the same price and no increase", () => {
  const { book, events } = recordingBook();
  const a = new Order(1, "sell", 100, 10);
  book.add(a);
  book.add(new Order(2, "sell", 100, 10));
  events.length = 0;
  assert.equal(book.replace(a, 100, 10), null);
  assert.deepEqual(ids(book, "sell"), [1, 2]);
  book.replace(a, 100, 11);
  assert.deepEqual(ids(book, "sell"), [2, 1]);
  book.replace(a, 101, 11);
  assert.deepEqual(ids(book, "sell"), [2, 1]);
  assert.deepEqual(book.depth("sell", 5), [
    { price: 100, quantity: 10, orders: 1 },
    { price: 101, quantity: 11, orders: 1 },
  ]);
  book.replace(a, 101, 0);
  assert.equal(a.resting, false);
  assert.deepEqual(events, [
    ["replace", 1, 100, 10, 100, 10],
    ["replace", 1, 100, 10, 100, 11],
    ["add", 1, 100, 11],
    ["replace", 1, 100, 11, 101, 11],
    ["add", 1, 101, 11],
    ["replace", 1, 101, 11, 101, 0],
  ]);
  assert.throws(() => book.replace(a, 100, 1), {
    name: "RangeError",
    message: /does not rest/,
  });
});

Deno.test("OrderBook.replace() to a crossing price trades like a new order", () => {
  const { book, events } = recordingBook();
  const bid = new Order(1, "buy", 99, 10);
  book.add(bid);
  book.add(new Order(2, "sell", 100, 4));
  events.length = 0;
  assert.equal(book.replace(bid, 100, 10), null);
  assert.deepEqual(events, [
    ["replace", 1, 99, 10, 100, 10],
    ["match", 2, 1, 100, 4, 0],
    ["add", 1, 100, 6],
  ]);
});

Deno.test("OrderBook.add() refuses a resting, empty or crossing order", () => {
  const { book } = recordingBook();
  const order = new Order(1, "buy", 100, 10);
  book.add(order);
  assert.throws(() => book.add(order), {
    name: "RangeError",
    message: /already rests/,
  });
  assert.throws(() => book.add(new Order(2, "sell", 100, 1)), {
    name: "RangeError",
    message: /crosses/,
  });
  assert.throws(() => book.add(new Order(3, "sell", 101, 0)), {
    name: "RangeError",
    message: /positive/,
  });
  assert.throws(() => book.match(order), {
    name: "RangeError",
    message: /rests/,
  });
  assert.throws(() => book.depth("buy", -1), { name: "RangeError" });
});

Deno.test("Order() checks its side and numbers", () => {
  assert.throws(() => new Order(1, "hold" as BookSide, 1, 1), {
    name: "TypeError",
  });
  assert.throws(() => new Order(1, "buy", 1.5, 1), {
    name: "RangeError",
    message: /price/,
  });
  assert.throws(() => new Order(1, "buy", 1, -1), {
    name: "RangeError",
    message: /quantity/,
  });
});

Deno.test("OrderBook.depth() aggregates levels best first and drops empty levels", () => {
  const { book } = recordingBook();
  for (
    const [id, price] of [[1, 103], [2, 101], [3, 102], [4, 101], [
      5,
      105,
    ]] as const
  ) {
    book.add(new Order(id, "sell", price, id * 10));
  }
  book.add(new Order(6, "buy", 99, 7));
  assert.deepEqual(book.depth("sell", 3), [
    { price: 101, quantity: 60, orders: 2 },
    { price: 102, quantity: 30, orders: 1 },
    { price: 103, quantity: 10, orders: 1 },
  ]);
  const middle = [...book.orders("sell")].find((order) => order.id === 3)!;
  book.cancel(middle);
  assert.deepEqual(book.depth("sell", 10).map((level) => level.price), [
    101,
    103,
    105,
  ]);
  assert.deepEqual(book.depth("buy", 10), [{
    price: 99,
    quantity: 7,
    orders: 1,
  }]);
});

Deno.test("OrderBook handles a level of 500,000 orders with O(1) operations", () => {
  const { book } = recordingBook();
  const n = 500_000;
  const orders: Order[] = [];
  for (let i = 0; i < n; i++) {
    const order = new Order(i, "buy", 1000, 1 + (i % 3));
    orders.push(order);
    book.add(order);
  }
  const total = orders.reduce((sum, order) => sum + order.quantity, 0);
  assert.deepEqual(book.depth("buy", 1), [{
    price: 1000,
    quantity: total,
    orders: n,
  }]);
  // Removing orders deep inside the level costs the same as at the ends.
  const start = performance.now();
  for (let i = 1; i < 200_001; i += 2) book.cancel(orders[i]!);
  const elapsed = performance.now() - start;
  assert.ok(elapsed < 1_000, `100,000 cancels took ${elapsed} ms`);
  assert.equal(book.size, n - 100_000);
  book.cancel(orders[n - 1]!);
  // A sell takes the oldest orders first.
  const sell = new Order(n, "sell", 1000, 4);
  book.enter(sell);
  assert.equal(orders[0]!.quantity, 0);
  assert.equal(orders[2]!.quantity, 0);
  assert.deepEqual(ids(book, "buy").slice(0, 3), [4, 6, 8]);
  let open = 0;
  for (const order of book.orders("buy")) open += order.quantity;
  assert.deepEqual(book.depth("buy", 1), [{
    price: 1000,
    quantity: open,
    orders: n - 100_000 - 3,
  }]);
});

Deno.test("OrderBook keeps its aggregates and is never crossed on random flows", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          kind: fc.constantFrom("enter", "enter", "cancel", "replace"),
          buy: fc.boolean(),
          price: fc.integer({ min: 95, max: 105 }),
          quantity: fc.integer({ min: 0, max: 20 }),
          key: fc.constantFrom(0, 0, 1, 2),
          pick: fc.nat(),
        }),
        { maxLength: 120 },
      ),
      (commands) => {
        const { book } = recordingBook();
        const resting: Order[] = [];
        let id = 0;
        for (const c of commands) {
          const live = resting.filter((order) => order.resting);
          if (c.kind === "enter" || live.length === 0) {
            const order = new Order(
              ++id,
              c.buy ? "buy" : "sell",
              c.price,
              c.quantity + 1,
              c.key,
            );
            book.enter(order);
            if (order.resting) resting.push(order);
          } else if (c.kind === "cancel") {
            book.cancel(live[c.pick % live.length]!, c.quantity % 5);
          } else {
            const order = live[c.pick % live.length]!;
            book.replace(order, c.price, c.quantity);
            if (order.resting && !resting.includes(order)) resting.push(order);
          }
          const bid = book.best("buy");
          const ask = book.best("sell");
          if (bid !== undefined && ask !== undefined) assert.ok(bid < ask);
          for (const side of ["buy", "sell"] as const) {
            const levels = book.depth(side, 1_000);
            const orders = [...book.orders(side)];
            assert.equal(
              levels.reduce((s, l) => s + l.orders, 0),
              orders.length,
            );
            assert.equal(
              levels.reduce((s, l) => s + l.quantity, 0),
              orders.reduce((s, o) => s + o.quantity, 0),
            );
            assert.ok(orders.every((o) => o.quantity > 0));
          }
          assert.equal(
            book.size,
            resting.filter((order) => order.resting).length,
          );
        }
      },
    ),
    { numRuns: 200 },
  );
});
