import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type BookListener,
  type BookSide,
  OrderBook,
  OrderStore,
} from "../../lib/orderbook/mod.ts";

type Event =
  | ["add", number, number, number]
  | ["match", number, number, number, number, number]
  | ["cancel", number, number, number]
  | ["replace", number, number, number, number, number];

/**
 * A book whose listener records every event as a tuple, and `order()`, which creates
 * orders whose handles are 1, 2, 3 … (a handle 0 is taken up front), so that the events
 * read like the ids in the tests.
 */
function recordingBook(store = new OrderStore()): {
  book: OrderBook;
  store: OrderStore;
  events: Event[];
  order: (
    side: BookSide,
    price: number,
    quantity: number,
    key?: number,
  ) => number;
} {
  const events: Event[] = [];
  const listener: BookListener = {
    add(order) {
      events.push(["add", order, store.price(order), store.quantity(order)]);
    },
    match(resting, incoming, quantity, price, restingQuantity) {
      assert.equal(price, store.price(resting));
      assert.equal(restingQuantity, store.quantity(resting));
      events.push([
        "match",
        resting,
        incoming,
        price,
        quantity,
        restingQuantity,
      ]);
    },
    cancel(order, canceled) {
      events.push(["cancel", order, canceled, store.quantity(order)]);
    },
    replace(order, previousPrice, previousQuantity) {
      events.push([
        "replace",
        order,
        previousPrice,
        previousQuantity,
        store.price(order),
        store.quantity(order),
      ]);
    },
  };
  if (store.size === 0) store.create("buy", 0, 0);
  return {
    book: new OrderBook(listener, store),
    store,
    events,
    order: (side, price, quantity, key = 0) =>
      store.create(side, price, quantity, key),
  };
}

function ids(book: OrderBook, side: BookSide): number[] {
  return [...book.orders(side)];
}

Deno.test("OrderBook.enter() fills the best ask first, at the resting price", () => {
  const { book, store, events, order } = recordingBook();
  book.enter(order("sell", 10_100, 100));
  book.enter(order("sell", 10_000, 50));
  events.length = 0;
  const buy = order("buy", 10_100, 120);
  assert.equal(buy, 3);
  assert.equal(book.enter(buy), -1);
  assert.deepEqual(events, [
    ["match", 2, 3, 10_000, 50, 0],
    ["match", 1, 3, 10_100, 70, 30],
  ]);
  assert.equal(store.resting(buy), false);
  assert.equal(store.quantity(buy), 0);
  assert.deepEqual(book.depth("sell", 10), [{
    price: 10_100,
    quantity: 30,
    orders: 1,
  }]);
  assert.deepEqual(book.depth("buy", 10), []);
});

Deno.test("OrderBook.enter() trades oldest first within a level and rests the rest", () => {
  const { book, events, order } = recordingBook();
  book.enter(order("buy", 500, 10));
  book.enter(order("buy", 500, 10));
  book.enter(order("buy", 499, 10));
  events.length = 0;
  book.enter(order("sell", 500, 25));
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
  const { book, store, events, order } = recordingBook();
  book.add(order("sell", 100, 5, 0));
  book.add(order("sell", 100, 5, 9));
  book.add(order("sell", 100, 5, 0));
  events.length = 0;
  const buy = order("buy", 100, 20, 9);
  const stopper = book.match(buy);
  assert.equal(stopper, 2);
  assert.equal(store.quantity(buy), 15);
  assert.deepEqual(events, [["match", 1, 4, 100, 5, 0]]);
  assert.deepEqual(ids(book, "sell"), [2, 3]);
  assert.equal(book.executableQuantity("buy", 100, 9), 0);
  assert.equal(book.executableQuantity("buy", 100, 0), 10);
  assert.equal(book.executableQuantity("buy", 100, 0, 3), 10);
  assert.equal(book.executableQuantity("buy", 99, 0), 0);
});

Deno.test("OrderBook.cancel() reduces in place and removes at 0", () => {
  const { book, store, events, order } = recordingBook();
  const a = order("buy", 100, 10);
  const b = order("buy", 100, 10);
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
  const other = recordingBook(store).book;
  assert.equal(other.cancel(b), 0, "an order of another book is unknown");
  assert.equal(book.cancel(99), 0, "an unknown handle is unknown");
  assert.equal(book.cancel(-1), 0);
  assert.equal(book.cancel(1.5), 0);
  assert.deepEqual(ids(book, "buy"), [2]);
});

Deno.test("OrderBook.replace() keeps priority only for the same price and no increase", () => {
  const { book, store, events, order } = recordingBook();
  const a = order("sell", 100, 10);
  book.add(a);
  book.add(order("sell", 100, 10));
  events.length = 0;
  assert.equal(book.replace(a, 100, 10), -1);
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
  assert.equal(store.resting(a), false);
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
  const b = order("sell", 200, 1);
  book.add(b);
  assert.throws(() => book.replace(b, 100.5, 1), {
    name: "RangeError",
    message: /32-bit/,
  });
  assert.throws(() => book.replace(b, 100, 2 ** 31), { name: "RangeError" });
});

Deno.test("OrderBook.replace() to a crossing price trades like a new order", () => {
  const { book, events, order } = recordingBook();
  const bid = order("buy", 99, 10);
  book.add(bid);
  book.add(order("sell", 100, 4));
  events.length = 0;
  assert.equal(book.replace(bid, 100, 10), -1);
  assert.deepEqual(events, [
    ["replace", 1, 99, 10, 100, 10],
    ["match", 2, 1, 100, 4, 0],
    ["add", 1, 100, 6],
  ]);
});

Deno.test("OrderBook.add() refuses a resting, empty, crossing or unknown order", () => {
  const { book, store, order } = recordingBook();
  const resting = order("buy", 100, 10);
  book.add(resting);
  assert.throws(() => book.add(resting), {
    name: "RangeError",
    message: /already rests/,
  });
  assert.throws(() => book.add(order("sell", 100, 1)), {
    name: "RangeError",
    message: /crosses/,
  });
  assert.throws(() => book.add(order("sell", 101, 0)), {
    name: "RangeError",
    message: /positive/,
  });
  assert.throws(() => book.match(resting), {
    name: "RangeError",
    message: /rests/,
  });
  assert.throws(() => book.add(1_000), {
    name: "RangeError",
    message: /not a live order/,
  });
  const released = order("sell", 200, 1);
  store.release(released);
  assert.throws(() => book.enter(released), {
    name: "RangeError",
    message: /not a live order/,
  });
  assert.throws(() => book.depth("buy", -1), { name: "RangeError" });
});

Deno.test("OrderStore.create() checks its side and numbers", () => {
  const store = new OrderStore();
  assert.throws(() => store.create("hold" as BookSide, 1, 1), {
    name: "TypeError",
  });
  assert.throws(() => store.create("buy", 1.5, 1), {
    name: "RangeError",
    message: /price/,
  });
  assert.throws(() => store.create("buy", 2 ** 31, 1), {
    name: "RangeError",
    message: /price/,
  });
  assert.throws(() => store.create("buy", 1, -1), {
    name: "RangeError",
    message: /quantity/,
  });
  assert.throws(() => store.create("buy", 1, 1, -1), {
    name: "RangeError",
    message: /self-match key/,
  });
  assert.throws(() => store.create("buy", 1, 1, 2 ** 32), {
    name: "RangeError",
    message: /self-match key/,
  });
  assert.equal(store.size, 0);
  const order = store.create("sell", -(2 ** 31), 2 ** 31 - 1, 2 ** 32 - 1);
  assert.equal(store.price(order), -(2 ** 31));
  assert.equal(store.quantity(order), 2 ** 31 - 1);
  assert.equal(store.selfMatchKey(order), 2 ** 32 - 1);
  assert.equal(store.side(order), "sell");
  assert.throws(() => new OrderBook({} as BookListener, {} as OrderStore), {
    name: "TypeError",
  });
});

Deno.test("OrderStore reuses released handles and grows without losing orders", () => {
  const store = new OrderStore(1);
  const { book, order } = recordingBook(store);
  const orders: number[] = [];
  for (let i = 1; i <= 100; i++) {
    const o = order(
      i % 2 === 0 ? "buy" : "sell",
      i % 2 === 0 ? i : 1000 + i,
      i,
    );
    assert.equal(o, i);
    orders.push(o);
    book.add(o);
  }
  assert.equal(store.size, 101);
  for (const o of orders) {
    assert.equal(store.quantity(o), o);
    assert.equal(store.resting(o), true);
  }
  book.cancel(7);
  book.cancel(9);
  store.release(7);
  store.release(9);
  assert.equal(store.has(7), false);
  assert.equal(store.has(8), true);
  assert.equal(store.size, 99);
  assert.equal(order("buy", 1, 1), 9, "the last released first");
  assert.equal(order("buy", 1, 1), 7);
  assert.equal(order("buy", 1, 1), 101);
  assert.equal(store.has(7), true);
  assert.equal(store.resting(7), false);
  assert.equal(store.quantity(7), 1);
  assert.equal(book.size, 98);
});

Deno.test("OrderBook.depth() aggregates levels best first and drops empty levels", () => {
  const { book, order } = recordingBook();
  for (
    const [id, price] of [[1, 103], [2, 101], [3, 102], [4, 101], [
      5,
      105,
    ]] as const
  ) {
    assert.equal(order("sell", price, id * 10), id);
    book.add(id);
  }
  book.add(order("buy", 99, 7));
  assert.deepEqual(book.depth("sell", 3), [
    { price: 101, quantity: 60, orders: 2 },
    { price: 102, quantity: 30, orders: 1 },
    { price: 103, quantity: 10, orders: 1 },
  ]);
  book.cancel(3);
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

Deno.test("OrderBook books sharing a store keep their levels apart", () => {
  const store = new OrderStore();
  const first = recordingBook(store);
  const second = recordingBook(store);
  const a = store.create("sell", 100, 10);
  const b = store.create("sell", 100, 20);
  first.book.add(a);
  second.book.add(b);
  assert.deepEqual(first.book.depth("sell", 5), [
    { price: 100, quantity: 10, orders: 1 },
  ]);
  assert.deepEqual(second.book.depth("sell", 5), [
    { price: 100, quantity: 20, orders: 1 },
  ]);
  second.book.enter(store.create("buy", 100, 5));
  assert.deepEqual(first.events, [["add", a, 100, 10]]);
  assert.equal(store.quantity(a), 10);
  assert.equal(store.quantity(b), 15);
  assert.equal(first.book.cancel(b), 0);
  assert.throws(() => first.book.replace(b, 100, 1), RangeError);
});

Deno.test("OrderBook handles a level of 500,000 orders with O(1) operations", () => {
  const { book, store, order } = recordingBook();
  const n = 500_000;
  const orders: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = order("buy", 1000, 1 + (i % 3));
    orders.push(o);
    book.add(o);
  }
  const total = orders.reduce((sum, o) => sum + store.quantity(o), 0);
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
  const sell = order("sell", 1000, 4);
  book.enter(sell);
  assert.equal(store.quantity(orders[0]!), 0);
  assert.equal(store.quantity(orders[2]!), 0);
  assert.deepEqual(
    ids(book, "buy").slice(0, 3),
    [orders[4], orders[6], orders[8]],
  );
  let open = 0;
  for (const o of book.orders("buy")) open += store.quantity(o);
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
        const { book, store, order } = recordingBook();
        // Every order ever entered, with the fields the book must keep for it.
        const model = new Map<number, { side: BookSide; key: number }>();
        let resting: number[] = [];
        for (const c of commands) {
          resting = resting.filter((o) => store.resting(o));
          if (c.kind === "enter" || resting.length === 0) {
            const side = c.buy ? "buy" : "sell";
            const o = order(side, c.price, c.quantity + 1, c.key);
            model.set(o, { side, key: c.key });
            book.enter(o);
            if (store.resting(o)) resting.push(o);
            // Orders that are done are released, so handles get reused.
            else store.release(o);
          } else if (c.kind === "cancel") {
            const o = resting[c.pick % resting.length]!;
            book.cancel(o, c.quantity % 5);
            if (!store.resting(o)) store.release(o);
          } else {
            const o = resting[c.pick % resting.length]!;
            book.replace(o, c.price, c.quantity);
            if (!store.resting(o)) store.release(o);
          }
          for (const o of [...resting]) {
            if (store.has(o) && !store.resting(o)) store.release(o);
          }
          resting = resting.filter((o) => store.has(o) && store.resting(o));
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
              orders.reduce((s, o) => s + store.quantity(o), 0),
            );
            assert.ok(orders.every((o) => store.quantity(o) > 0));
            assert.ok(orders.every((o) => store.side(o) === side));
            assert.ok(orders.every((o) => model.get(o)!.side === side));
            assert.ok(
              orders.every((o) => store.selfMatchKey(o) === model.get(o)!.key),
            );
            // Priority order: prices never get worse-to-better along the side.
            for (let i = 1; i < orders.length; i++) {
              const before = store.price(orders[i - 1]!);
              const after = store.price(orders[i]!);
              assert.ok(side === "buy" ? before >= after : before <= after);
            }
          }
          assert.equal(book.size, resting.length);
          // The store holds exactly the resting orders plus the placeholder handle 0.
          assert.equal(store.size, resting.length + 1);
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("OrderBook keeps price priority for levels far outside its price band", () => {
  const { book, store, order } = recordingBook();
  // The band starts around the first price; the others lie far below, far above and
  // at the ends of the 32-bit range, and interleave with levels inside the band.
  const prices = [
    1_000,
    -(2 ** 31),
    900_000,
    1_001,
    2 ** 31 - 1,
    999,
    -5,
    5_000,
  ];
  for (const price of prices) book.add(order("sell", price, 1));
  assert.deepEqual(
    book.depth("sell", 20).map((level) => level.price),
    [...prices].sort((a, b) => a - b),
  );
  // Orders join the right level whether it was found in the band or by search.
  for (const price of prices) book.add(order("sell", price, 2));
  assert.ok(book.depth("sell", 20).every((level) => level.quantity === 3));
  const buy = order("buy", 2 ** 31 - 1, 3 * prices.length);
  book.enter(buy);
  assert.equal(store.quantity(buy), 0);
  assert.equal(book.size, 0);
  // Empty again: the band moves to the next first price.
  book.add(order("buy", 7_000_000, 1));
  book.add(order("buy", 7_000_001, 1));
  book.add(order("buy", 6_999_999, 1));
  book.add(order("buy", 7_000_000, 1));
  assert.deepEqual(book.depth("buy", 5), [
    { price: 7_000_001, quantity: 1, orders: 1 },
    { price: 7_000_000, quantity: 2, orders: 2 },
    { price: 6_999_999, quantity: 1, orders: 1 },
  ]);
});
