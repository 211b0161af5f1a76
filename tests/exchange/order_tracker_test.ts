import assert from "node:assert/strict";
import { OrderTracker } from "../../lib/exchange/order_tracker.ts";
import { formatOrdersTable } from "../../lib/client/orders_table.ts";
import type { OrderAccepted, OutboundMessage } from "../../lib/codec/mod.ts";

function accepted(
  orderToken: number,
  fields: Partial<OrderAccepted> = {},
): OrderAccepted {
  return {
    type: "orderAccepted",
    timestamp: 0,
    orderToken,
    clientReference: "ref",
    buySellIndicator: "B",
    quantity: 100,
    orderbookId: "7203",
    group: "DAY",
    price: 23000,
    timeInForce: 99999,
    firmId: 7,
    display: " ",
    capacity: "P",
    orderNumber: 202611280000000000n + BigInt(orderToken),
    minimumQuantity: 0,
    orderState: "L",
    orderClassification: "1",
    cashMarginType: "1",
    ...fields,
  };
}

const T = 0;

Deno.test("OrderTracker.update() opens, fills, cancels and closes orders", () => {
  const orders = new OrderTracker();
  orders.update(accepted(1));
  orders.update(
    accepted(2, { buySellIndicator: "S", orderNumber: 202611280000000009n }),
  );
  orders.update(accepted(3, { timeInForce: 0, orderState: "D" }));
  assert.deepEqual(orders.open().map((o) => o.token), [1, 2]);
  orders.update({
    type: "orderExecuted",
    timestamp: T,
    orderToken: 1,
    executedQuantity: 40,
    executionPrice: 23000,
    liquidityIndicator: "A",
    matchNumber: 202611280000000001n,
  });
  orders.update({
    type: "orderCanceled",
    timestamp: T,
    orderToken: 1,
    decrementQuantity: 10,
    orderCanceledReason: "U",
  });
  assert.deepEqual(
    [orders.get(1)?.openQuantity, orders.get(1)?.executedQuantity],
    [50, 40],
  );
  orders.update({
    type: "orderAiqCanceled",
    timestamp: T,
    orderToken: 2,
    decrementQuantity: 100,
    orderCanceledReason: "M",
    quantityPreventedFromTrading: 100,
    executionPrice: 23000,
    liquidityIndicator: "R",
  });
  orders.update({
    type: "orderExecuted",
    timestamp: T,
    orderToken: 1,
    executedQuantity: 50,
    executionPrice: 23000,
    liquidityIndicator: "A",
    matchNumber: 202611280000000002n,
  });
  assert.deepEqual(orders.open(), []);
  assert.equal(orders.highestToken, 3);
});

Deno.test("OrderTracker.update() follows a replace to its new token and to zero", () => {
  const orders = new OrderTracker();
  orders.update(accepted(1));
  const replaced: OutboundMessage = {
    type: "orderReplaced",
    timestamp: T,
    replacementOrderToken: 5,
    buySellIndicator: "B",
    quantity: 60,
    orderbookId: "7203",
    group: "DAY",
    price: 23010,
    timeInForce: 99999,
    display: "P",
    orderNumber: 202611280000000001n,
    minimumQuantity: 0,
    orderState: "L",
    previousOrderToken: 1,
  };
  orders.update(replaced);
  assert.equal(orders.get(1), undefined);
  assert.deepEqual(orders.get(5), {
    token: 5,
    orderNumber: 202611280000000001n,
    side: "B",
    orderbookId: "7203",
    price: 23010,
    openQuantity: 60,
    executedQuantity: 0,
    timeInForce: 99999,
    display: "P",
    minimumQuantity: 0,
    firmId: 7,
    clientReference: "ref",
    group: "DAY",
    capacity: "P",
    orderClassification: "1",
    cashMarginType: "1",
  });
  orders.update({
    ...replaced,
    replacementOrderToken: 6,
    previousOrderToken: 5,
    quantity: 0,
    orderState: "D",
  });
  assert.deepEqual(orders.open(), []);
  assert.equal(orders.highestToken, 6);
});

Deno.test("OrderTracker.update() counts rejected tokens and ignores unknown ones", () => {
  const orders = new OrderTracker();
  orders.update({
    type: "orderRejected",
    timestamp: T,
    orderToken: 12,
    orderRejectedReason: "S",
  });
  orders.update({
    type: "orderCanceled",
    timestamp: T,
    orderToken: 99,
    decrementQuantity: 1,
    orderCanceledReason: "U",
  });
  orders.update({ type: "systemEvent", timestamp: T, eventCode: "S" });
  assert.equal(orders.highestToken, 12);
  assert.deepEqual(orders.open(), []);
});

Deno.test("formatOrdersTable() draws one row per open order", () => {
  const orders = new OrderTracker();
  // Two numbers one apart above 2^53, which a float would not tell apart.
  orders.update(
    accepted(2, { orderNumber: 202307130000000094n, price: 23005 }),
  );
  orders.update(
    accepted(1, {
      orderNumber: 202307130000000093n,
      buySellIndicator: "T",
      timeInForce: 0,
    }),
  );
  const lines = formatOrdersTable(orders.open()).split("\n");
  assert.equal(lines.length, 5);
  assert.match(
    lines[1]!,
    /token.*side.*book.*price.*open.*executed.*tif.*display.*min.*firm.*ref.*order#/,
  );
  assert.match(
    lines[2]!,
    /│ +1 │ short +│ 7203 │ 2300\.0 │ +100 │ +0 │ ioc │ " " +│ +0 │ +7 │ ref │ 202307130000000093 │/,
  );
  assert.match(
    lines[3]!,
    /│ +2 │ buy +│ 7203 │ 2300\.5 │.*│ 202307130000000094 │/,
  );
});
