/**
 * The prompt's `orders` table.
 *
 * @module
 */

import Table from "cli-table3";
import { formatPrice } from "../format/format.ts";
import type { TrackedOrder } from "../exchange/order_tracker.ts";

const SIDE_NAMES: Readonly<Record<string, string>> = {
  B: "buy",
  S: "sell",
  T: "short",
  E: "short-exempt",
};

/**
 * Draws open orders as a table with one row per order: token, side, orderbook, price, open
 * and executed quantity, Time In Force (`day` or `ioc`), Display, minimum quantity, Firm
 * ID, Client Reference and Order Number.
 *
 * @param orders The orders, in the order to show them.
 * @returns The table as lines joined by `\n`, or `no open orders`.
 *
 * @example An empty table
 * ```ts
 * import { formatOrdersTable } from "./orders_table.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatOrdersTable([]), "no open orders");
 * ```
 */
export function formatOrdersTable(orders: readonly TrackedOrder[]): string {
  if (orders.length === 0) return "no open orders";
  const table = new Table({
    head: [
      "token",
      "side",
      "book",
      "price",
      "open",
      "executed",
      "tif",
      "display",
      "min",
      "firm",
      "ref",
      "order#",
    ],
    style: { head: [], border: [] },
    // No rule between rows: one line per order.
    chars: { "mid": "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    colAligns: [
      "right",
      "left",
      "left",
      "right",
      "right",
      "right",
      "left",
      "left",
      "right",
      "right",
      "left",
      "right",
    ],
  });
  for (const order of orders) {
    table.push([
      order.token,
      SIDE_NAMES[order.side] ?? order.side,
      order.orderbookId,
      formatPrice(order.price),
      order.openQuantity,
      order.executedQuantity,
      order.timeInForce === 0
        ? "ioc"
        : order.timeInForce === 99999
        ? "day"
        : String(order.timeInForce),
      order.display === "P" ? "post" : JSON.stringify(order.display),
      order.minimumQuantity,
      order.firmId,
      order.clientReference,
      String(order.orderNumber),
    ]);
  }
  return table.toString();
}
