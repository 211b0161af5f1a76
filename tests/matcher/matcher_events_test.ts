// The market events of every case, as whole ordered lists interleaved with the OUCH
// messages in the order the matcher produced them.
import assert from "node:assert/strict";
import {
  ALL_ACCOUNTS,
  type BookAddEvent,
  type BookDeleteEvent,
  type BookExecuteEvent,
  type BookReplaceEvent,
  type FeedSide,
} from "../../lib/matcher/mod.ts";
import {
  accepted,
  canceled,
  dayNumber,
  enter,
  executed,
  recording,
  replace,
  replacedMessage,
  sell,
} from "./_helpers.ts";

const A = 0;
const B = 1;
const C = 2;

/** A `bookAdd` on orderbook "1"; `n` is the Order Number's counter. */
function added(
  timestamp: number,
  n: number,
  side: FeedSide,
  price: number,
  quantity: number,
  account: number,
): BookAddEvent {
  return {
    type: "bookAdd",
    timestamp,
    orderbookId: "1",
    orderNumber: dayNumber(n),
    side,
    price,
    quantity,
    account,
  };
}

/** A `bookExecute` on orderbook "1"; `n`, `match` and `incomingN` are counters. */
function filled(
  timestamp: number,
  n: number,
  side: FeedSide,
  price: number,
  quantity: number,
  remaining: number,
  match: number,
  restingAccount: number,
  incomingAccount: number,
  incomingN: number,
): BookExecuteEvent {
  return {
    type: "bookExecute",
    timestamp,
    orderbookId: "1",
    orderNumber: dayNumber(n),
    side,
    price,
    quantity,
    remaining,
    matchNumber: dayNumber(match),
    restingAccount,
    incomingAccount,
    incomingOrderNumber: dayNumber(incomingN),
  };
}

/** A `bookDelete` on orderbook "1". */
function deleted(
  timestamp: number,
  n: number,
  side: FeedSide,
  price: number,
  quantity: number,
  account: number,
): BookDeleteEvent {
  return {
    type: "bookDelete",
    timestamp,
    orderbookId: "1",
    orderNumber: dayNumber(n),
    side,
    price,
    quantity,
    account,
  };
}

/** A `bookReplace` on orderbook "1" from Order Number `n` to the replace's new one, `newN`. */
function replacedInBook(
  timestamp: number,
  n: number,
  newN: number,
  side: FeedSide,
  [oldPrice, oldQuantity]: [number, number],
  [price, quantity]: [number, number],
  account: number,
  keepsPriority: boolean,
): BookReplaceEvent {
  return {
    type: "bookReplace",
    timestamp,
    orderbookId: "1",
    originalOrderNumber: dayNumber(n),
    orderNumber: dayNumber(newN),
    side,
    oldPrice,
    oldQuantity,
    price,
    quantity,
    account,
    keepsPriority,
  };
}

Deno.test("Matcher: a Day order that rests is one bookAdd after its Order Accepted; S, T and E rest as S", () => {
  const { matcher, takeAll } = recording();
  const buy = enter({ orderToken: 1, price: 9_990, quantity: 10 });
  matcher.handle(A, buy, 1);
  const sells = (["S", "T", "E"] as const).map((side, i) =>
    enter({
      orderToken: 2 + i,
      buySellIndicator: side,
      price: 10_010 + i,
      quantity: 5,
    })
  );
  sells.forEach((order, i) => matcher.handle(A, order, 2 + i));
  assert.deepEqual(takeAll(), [
    [A, accepted(buy, 1, 1)],
    added(1, 1, "B", 9_990, 10, A),
    [A, accepted(sells[0]!, 2, 2)],
    added(2, 2, "S", 10_010, 5, A),
    [A, accepted(sells[1]!, 3, 3)],
    added(3, 3, "S", 10_011, 5, A),
    [A, accepted(sells[2]!, 4, 4)],
    added(4, 4, "S", 10_012, 5, A),
  ]);
});

Deno.test("Matcher: each fill is two Order Executed then one bookExecute; the rest is added last", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, sell(1, 10_000, 30), 1);
  matcher.handle(B, sell(1, 10_010, 40), 2);
  takeAll();
  const buy = enter({ orderToken: 1, price: 10_010, quantity: 100 });
  matcher.handle(C, buy, 3);
  assert.deepEqual(takeAll(), [
    [C, accepted(buy, 3, 3)],
    [A, executed(3, 1, 30, 10_000, "A", 1)],
    [C, executed(3, 1, 30, 10_000, "R", 1)],
    filled(3, 1, "S", 10_000, 30, 0, 1, A, C, 3),
    [B, executed(3, 1, 40, 10_010, "A", 2)],
    [C, executed(3, 1, 40, 10_010, "R", 2)],
    filled(3, 2, "S", 10_010, 40, 0, 2, B, C, 3),
    added(3, 3, "B", 10_010, 30, C),
  ]);
  // A sell that leaves part of the resting buy: remaining says what is left.
  const short = enter({
    orderToken: 2,
    buySellIndicator: "T",
    price: 9_000,
    quantity: 10,
  });
  matcher.handle(A, short, 4);
  assert.deepEqual(takeAll(), [
    [A, accepted(short, 4, 4)],
    [C, executed(4, 1, 10, 10_010, "A", 3)],
    [A, executed(4, 2, 10, 10_010, "R", 3)],
    filled(4, 3, "B", 10_010, 10, 20, 3, C, A, 4),
  ]);
});

Deno.test("Matcher: an Immediate order never rests: fills, then Order Canceled I, no bookAdd; accepted dead when nothing executes", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, sell(1, 10_000, 10), 1);
  takeAll();
  const ioc = enter({ orderToken: 1, quantity: 25, timeInForce: 0 });
  matcher.handle(B, ioc, 2);
  const nothing = enter({ orderToken: 2, quantity: 5, timeInForce: 0 });
  matcher.handle(B, nothing, 3);
  assert.deepEqual(takeAll(), [
    [B, accepted(ioc, 2, 2)],
    [A, executed(2, 1, 10, 10_000, "A", 1)],
    [B, executed(2, 1, 10, 10_000, "R", 1)],
    filled(2, 1, "S", 10_000, 10, 0, 1, A, B, 2),
    [B, canceled(2, 1, 15, "I")],
    [B, accepted(nothing, 3, 3, "D")],
  ]);
});

Deno.test("Matcher: a minimum quantity that cannot trade, a post-only reject and a reject have no event", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, sell(1, 10_000, 10), 1);
  takeAll();
  const minimum = enter({
    orderToken: 1,
    quantity: 20,
    timeInForce: 0,
    minimumQuantity: 15,
  });
  matcher.handle(B, minimum, 2);
  matcher.handle(B, enter({ orderToken: 2, display: "P" }), 3);
  matcher.handle(B, enter({ orderToken: 3, price: 0 }), 4);
  assert.deepEqual(takeAll(), [
    [B, accepted(minimum, 2, 2, "D")],
    [B, {
      type: "orderRejected",
      timestamp: 3,
      orderToken: 2,
      orderRejectedReason: "O",
    }],
    [B, {
      type: "orderRejected",
      timestamp: 4,
      orderToken: 3,
      orderRejectedReason: "X",
    }],
  ]);
});

Deno.test("Matcher: self-match prevention stops the incoming order: no bookAdd for it", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, sell(1, 10_000, 10), 1);
  matcher.handle(B, sell(1, 10_000, 10, { firmId: 7 }), 2);
  takeAll();
  const buy = enter({ orderToken: 1, quantity: 30, firmId: 7 });
  matcher.handle(C, buy, 3);
  assert.deepEqual(takeAll(), [
    [C, accepted(buy, 3, 3)],
    [A, executed(3, 1, 10, 10_000, "A", 1)],
    [C, executed(3, 1, 10, 10_000, "R", 1)],
    filled(3, 1, "S", 10_000, 10, 0, 1, A, C, 3),
    [C, {
      type: "orderAiqCanceled",
      timestamp: 3,
      orderToken: 1,
      decrementQuantity: 20,
      orderCanceledReason: "M",
      quantityPreventedFromTrading: 10,
      executionPrice: 10_000,
      liquidityIndicator: "R",
    }],
  ]);
});

Deno.test("Matcher: a cancel, whatever its Quantity field, is Order Canceled then bookDelete of the whole order", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, enter({ orderToken: 1, quantity: 100 }), 1);
  matcher.handle(A, enter({ orderToken: 2, quantity: 50, price: 9_990 }), 2);
  takeAll();
  matcher.handle(A, { type: "cancelOrder", orderToken: 1, quantity: 60 }, 3);
  matcher.handle(A, { type: "cancelOrder", orderToken: 1, quantity: 0 }, 4);
  assert.deepEqual(takeAll(), [
    [A, canceled(3, 1, 100, "U")],
    deleted(3, 1, "B", 10_000, 100, A),
  ]);
  // Disconnect and supervisory cancels, in Order Number order.
  matcher.handle(A, sell(3, 10_100, 7), 6);
  takeAll();
  assert.equal(matcher.cancelAccount(A, 7, "L"), 2);
  assert.equal(matcher.cancelAccount(B, 8, "S"), 0);
  assert.deepEqual(takeAll(), [
    [A, canceled(7, 2, 50, "L")],
    deleted(7, 2, "B", 9_990, 50, A),
    [A, canceled(7, 3, 7, "L")],
    deleted(7, 3, "S", 10_100, 7, A),
  ]);
});

Deno.test("Matcher: close cancels with O and bookDelete, then System Event and marketState; open likewise", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, enter({ orderToken: 1, quantity: 10 }), 1);
  takeAll();
  matcher.close(2);
  matcher.open(3);
  assert.deepEqual(takeAll(), [
    [A, canceled(2, 1, 10, "O")],
    deleted(2, 1, "B", 10_000, 10, A),
    [ALL_ACCOUNTS, { type: "systemEvent", timestamp: 2, eventCode: "E" }],
    { type: "marketState", timestamp: 2, open: false },
    [ALL_ACCOUNTS, { type: "systemEvent", timestamp: 3, eventCode: "S" }],
    { type: "marketState", timestamp: 3, open: true },
  ]);
});

Deno.test("Matcher: halt and resume are tradingState events only", () => {
  const { matcher, takeAll } = recording();
  matcher.halt("1", 1);
  matcher.handle(A, enter({ orderToken: 1 }), 2);
  matcher.resume("1", 3);
  assert.deepEqual(takeAll(), [
    { type: "tradingState", timestamp: 1, orderbookId: "1", halted: true },
    [A, {
      type: "orderRejected",
      timestamp: 2,
      orderToken: 1,
      orderRejectedReason: "H",
    }],
    { type: "tradingState", timestamp: 3, orderbookId: "1", halted: false },
  ]);
});

Deno.test("Matcher: a replace that does not cross is a bookReplace that says whether it kept priority", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(A, enter({ orderToken: 1, quantity: 100 }), 1);
  takeAll();
  matcher.handle(A, replace(1, 2, 80, 10_000), 2); // smaller: keeps its place
  matcher.handle(A, replace(2, 3, 90, 10_000), 3); // larger: back of the queue
  matcher.handle(A, replace(3, 4, 90, 9_990), 4); // new price: back of the queue
  // Each replace gives the order the day's next Order Number.
  assert.deepEqual(takeAll(), [
    [A, replacedMessage(2, 1, 2, 80, 10_000, 2)],
    replacedInBook(2, 1, 2, "B", [10_000, 100], [10_000, 80], A, true),
    [A, replacedMessage(3, 2, 3, 90, 10_000, 3)],
    replacedInBook(3, 2, 3, "B", [10_000, 80], [10_000, 90], A, false),
    [A, replacedMessage(4, 3, 4, 90, 9_990, 4)],
    replacedInBook(4, 3, 4, "B", [10_000, 90], [9_990, 90], A, false),
  ]);
});

Deno.test("Matcher: a replace that crosses is bookDelete, the fills, then bookAdd of the rest", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(B, sell(1, 10_010, 30), 1);
  matcher.handle(A, enter({ orderToken: 1, quantity: 100 }), 2);
  takeAll();
  matcher.handle(A, replace(1, 2, 50, 10_010), 3);
  assert.deepEqual(takeAll(), [
    [A, replacedMessage(3, 1, 2, 50, 10_010, 3)],
    deleted(3, 2, "B", 10_000, 100, A),
    [B, executed(3, 1, 30, 10_010, "A", 1)],
    [A, executed(3, 2, 30, 10_010, "R", 1)],
    filled(3, 1, "S", 10_010, 30, 0, 1, B, A, 3),
    added(3, 3, "B", 10_010, 20, A),
  ]);
  // Fully filled: no bookAdd. The total is the 20 wanted open plus the 30 executed.
  matcher.handle(B, sell(2, 10_020, 20), 4);
  takeAll();
  matcher.handle(A, replace(2, 3, 50, 10_020), 5);
  assert.deepEqual(takeAll(), [
    [A, replacedMessage(5, 2, 3, 20, 10_020, 5)],
    deleted(5, 3, "B", 10_010, 20, A),
    [B, executed(5, 2, 20, 10_020, "A", 2)],
    [A, executed(5, 3, 20, 10_020, "R", 2)],
    filled(5, 4, "S", 10_020, 20, 0, 2, B, A, 5),
  ]);
});

Deno.test("Matcher: a replace that turns Immediate is bookDelete, the fills and the I cancel, never a bookAdd; dead when nothing executes", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(B, sell(1, 10_010, 30), 1);
  matcher.handle(A, enter({ orderToken: 1, quantity: 100 }), 2);
  matcher.handle(A, enter({ orderToken: 2, quantity: 10, price: 9_000 }), 3);
  takeAll();
  matcher.handle(A, replace(1, 3, 50, 10_010, { timeInForce: 0 }), 4);
  matcher.handle(A, replace(2, 4, 10, 9_000, { timeInForce: 0 }), 5);
  assert.deepEqual(takeAll(), [
    [A, replacedMessage(4, 1, 3, 50, 10_010, 4, { timeInForce: 0 })],
    deleted(4, 2, "B", 10_000, 100, A),
    [B, executed(4, 1, 30, 10_010, "A", 1)],
    [A, executed(4, 3, 30, 10_010, "R", 1)],
    filled(4, 1, "S", 10_010, 30, 0, 1, B, A, 4),
    [A, canceled(4, 3, 20, "I")],
    [
      A,
      replacedMessage(5, 2, 4, 10, 9_000, 5, {
        timeInForce: 0,
        orderState: "D",
      }),
    ],
    deleted(5, 3, "B", 9_000, 10, A),
  ]);
});

Deno.test("Matcher: a replace canceled by a check, dead, or stopped by self-match is a bookDelete", () => {
  const { matcher, takeAll } = recording();
  matcher.handle(B, sell(1, 10_100, 30, { firmId: 4 }), 1);
  for (let token = 1; token <= 5; token++) {
    matcher.handle(
      A,
      enter({ orderToken: token, quantity: 10 * token, firmId: 4 }),
      1 + token,
    );
  }
  takeAll();
  matcher.handle(A, replace(1, 11, 10, 0), 10); // bad price: X
  matcher.handle(A, replace(2, 12, 20, 10_100, { display: "P" }), 11); // post-only crosses: O
  matcher.halt("1", 12);
  matcher.handle(A, replace(3, 13, 30, 10_100), 13); // crosses while halted: R
  matcher.resume("1", 14);
  matcher.handle(A, replace(4, 14, 0, 10_000), 15); // total 0 = executed: state D
  matcher.handle(A, replace(5, 15, 50, 10_100), 16); // same firm on the ask: AIQ
  assert.deepEqual(takeAll(), [
    [A, canceled(10, 1, 10, "X")],
    deleted(10, 2, "B", 10_000, 10, A),
    [A, canceled(11, 2, 20, "O")],
    deleted(11, 3, "B", 10_000, 20, A),
    { type: "tradingState", timestamp: 12, orderbookId: "1", halted: true },
    [A, canceled(13, 3, 30, "R")],
    deleted(13, 4, "B", 10_000, 30, A),
    { type: "tradingState", timestamp: 14, orderbookId: "1", halted: false },
    [A, replacedMessage(15, 4, 14, 0, 10_000, 7)],
    deleted(15, 5, "B", 10_000, 40, A),
    [A, replacedMessage(16, 5, 15, 50, 10_100, 8)],
    deleted(16, 6, "B", 10_000, 50, A),
    [A, {
      type: "orderAiqCanceled",
      timestamp: 16,
      orderToken: 15,
      decrementQuantity: 50,
      orderCanceledReason: "M",
      quantityPreventedFromTrading: 30,
      executionPrice: 10_100,
      liquidityIndicator: "R",
    }],
  ]);
  assert.deepEqual(matcher.depth("1")?.bids, []);
});
