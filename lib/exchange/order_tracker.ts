/**
 * The open orders of one account, followed from the exchange's outbound messages: the
 * client's view of its orders, and a gateway's view of an account's orders for its web page
 * (equal to the engine's {@linkcode OpenOrder}s, see {@linkcode toOpenOrder}).
 *
 * @module
 */

import type { OutboundMessage } from "../codec/mod.ts";
import { type OpenOrder, PAGE_TOKEN_BASE } from "../matcher/mod.ts";

/** An open order as the responses describe it. */
export interface TrackedOrder {
  /** Its current token: the Enter token, or the replacement token after a replace. */
  readonly token: number;
  /** The exchange's 64-bit Order Number, exact. */
  readonly orderNumber: bigint;
  readonly side: string;
  readonly orderbookId: string;
  /** Limit price in tenths. */
  readonly price: number;
  /** What is still on the book. */
  readonly openQuantity: number;
  /** What has traded since the order was accepted, across replaces. */
  readonly executedQuantity: number;
  readonly timeInForce: number;
  readonly display: string;
  readonly minimumQuantity: number;
  readonly firmId: number;
  readonly clientReference: string;
  /** Group without padding. */
  readonly group: string;
  readonly capacity: string;
  readonly orderClassification: string;
  readonly cashMarginType: string;
}

/**
 * Follows an account's open orders from the outbound messages it receives, in sequence
 * order, and the highest token the exchange has answered.
 *
 * Order Accepted with state `L` opens an order. Order Executed, Order Canceled and Order
 * AIQ Canceled lower its open quantity and close it at 0. Order Replaced moves it to the
 * replacement token with the new quantity, price, Time In Force, Display and minimum
 * quantity; state `D` or quantity 0 closes it. Messages for tokens it does not know (for
 * example an Immediate order's `I` cancel after an Accepted with state `D`) change nothing.
 *
 * @example Following an order through a partial fill and a replace
 * ```ts
 * import { OrderTracker } from "./order_tracker.ts";
 * import assert from "node:assert/strict";
 *
 * const orders = new OrderTracker();
 * orders.update({
 *   type: "orderAccepted", timestamp: 0, orderToken: 1, clientReference: "", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "7203", group: "DAY", price: 23000, timeInForce: 99999, firmId: 0,
 *   display: " ", capacity: "P", orderNumber: 202611280000000001n, minimumQuantity: 0, orderState: "L",
 *   orderClassification: "1", cashMarginType: "1",
 * });
 * orders.update({
 *   type: "orderExecuted", timestamp: 0, orderToken: 1, executedQuantity: 30,
 *   executionPrice: 23000, liquidityIndicator: "A", matchNumber: 202611280000000001n,
 * });
 * assert.equal(orders.get(1)?.openQuantity, 70);
 * orders.update({
 *   type: "orderReplaced", timestamp: 0, replacementOrderToken: 4, buySellIndicator: "B",
 *   quantity: 50, orderbookId: "7203", group: "DAY", price: 23010, timeInForce: 99999,
 *   display: " ", orderNumber: 202611280000000001n, minimumQuantity: 0, orderState: "L",
 *   previousOrderToken: 1,
 * });
 * assert.equal(orders.get(1), undefined);
 * assert.deepEqual(orders.open().map((o) => [o.token, o.openQuantity, o.executedQuantity]), [[4, 50, 30]]);
 * assert.equal(orders.highestToken, 4);
 * ```
 */
export class OrderTracker {
  readonly #orders = new Map<number, TrackedOrder>();
  #highestToken = 0;
  #highestPageToken = 0;

  /**
   * The highest token seen in an Order Accepted, Order Rejected or Order Replaced, below the
   * web page's range ({@linkcode PAGE_TOKEN_BASE}); 0 before.
   */
  get highestToken(): number {
    return this.#highestToken;
  }

  /**
   * The highest token of the web page's range ({@linkcode PAGE_TOKEN_BASE} up) seen in an
   * Order Accepted, Order Rejected or Order Replaced; 0 before.
   */
  get highestPageToken(): number {
    return this.#highestPageToken;
  }

  /**
   * Applies one outbound message.
   *
   * @param message The message, in sequence order.
   */
  update(message: OutboundMessage): void {
    switch (message.type) {
      case "orderAccepted":
        this.#see(message.orderToken);
        if (message.orderState === "L" && message.quantity > 0) {
          this.#orders.set(message.orderToken, {
            token: message.orderToken,
            orderNumber: message.orderNumber,
            side: message.buySellIndicator,
            orderbookId: message.orderbookId,
            price: message.price,
            openQuantity: message.quantity,
            executedQuantity: 0,
            timeInForce: message.timeInForce,
            display: message.display,
            minimumQuantity: message.minimumQuantity,
            firmId: message.firmId,
            clientReference: message.clientReference,
            group: message.group,
            capacity: message.capacity,
            orderClassification: message.orderClassification,
            cashMarginType: message.cashMarginType,
          });
        }
        return;
      case "orderRejected":
        this.#see(message.orderToken);
        return;
      case "orderReplaced": {
        this.#see(message.replacementOrderToken);
        const order = this.#orders.get(message.previousOrderToken);
        this.#orders.delete(message.previousOrderToken);
        if (message.orderState !== "L" || message.quantity === 0) return;
        this.#orders.set(message.replacementOrderToken, {
          token: message.replacementOrderToken,
          orderNumber: message.orderNumber,
          side: message.buySellIndicator,
          orderbookId: message.orderbookId,
          price: message.price,
          openQuantity: message.quantity,
          executedQuantity: order?.executedQuantity ?? 0,
          timeInForce: message.timeInForce,
          display: message.display,
          minimumQuantity: message.minimumQuantity,
          firmId: order?.firmId ?? 0,
          clientReference: order?.clientReference ?? "",
          group: message.group,
          capacity: order?.capacity ?? "",
          orderClassification: order?.orderClassification ?? "",
          cashMarginType: order?.cashMarginType ?? "",
        });
        return;
      }
      case "orderExecuted":
        this.#reduce(
          message.orderToken,
          message.executedQuantity,
          message.executedQuantity,
        );
        return;
      case "orderCanceled":
      case "orderAiqCanceled":
        this.#reduce(message.orderToken, message.decrementQuantity, 0);
        return;
      case "systemEvent":
        return;
    }
  }

  /**
   * Looks up an open order.
   *
   * @param token Its current token.
   * @returns The order, or `undefined` when no open order has this token.
   */
  get(token: number): TrackedOrder | undefined {
    return this.#orders.get(token);
  }

  /**
   * Lists the open orders.
   *
   * @returns The open orders by Order Number (oldest first).
   */
  open(): TrackedOrder[] {
    return [...this.#orders.values()].sort((a, b) =>
      a.orderNumber < b.orderNumber ? -1 : a.orderNumber > b.orderNumber ? 1 : 0
    );
  }

  #see(token: number): void {
    // The web page's tokens are a range of their own: the client's sequence ignores them.
    if (token >= PAGE_TOKEN_BASE) {
      if (token > this.#highestPageToken) this.#highestPageToken = token;
    } else if (token > this.#highestToken) {
      this.#highestToken = token;
    }
  }

  #reduce(token: number, quantity: number, executed: number): void {
    const order = this.#orders.get(token);
    if (order === undefined) return;
    const open = order.openQuantity - quantity;
    if (open <= 0) {
      this.#orders.delete(token);
      return;
    }
    this.#orders.set(token, {
      ...order,
      openQuantity: open,
      executedQuantity: order.executedQuantity + executed,
    });
  }
}

/**
 * An open order in the engine's shape ({@linkcode OpenOrder}, as `Exchange.openOrders` gives
 * it): what a gateway's web page shows.
 *
 * @param order A tracked order.
 * @returns The same order with the engine's field names.
 */
export function toOpenOrder(order: TrackedOrder): OpenOrder {
  return {
    orderToken: order.token,
    orderNumber: order.orderNumber,
    orderbookId: order.orderbookId,
    buySellIndicator: order.side,
    price: order.price,
    openQuantity: order.openQuantity,
    executedQuantity: order.executedQuantity,
    timeInForce: order.timeInForce,
    display: order.display,
    minimumQuantity: order.minimumQuantity,
    clientReference: order.clientReference,
    group: order.group,
    firmId: order.firmId,
    capacity: order.capacity,
    orderClassification: order.orderClassification,
    cashMarginType: order.cashMarginType,
  };
}
