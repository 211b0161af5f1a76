/**
 * The snapshot channel's content: the state of the day so far as ITCH messages.
 *
 * @module
 */

import type { BookBuilder } from "./book_builder.ts";
import {
  ITCH_SIDES,
  type ItchMessage,
  NO_REFERENCE_PRICE,
} from "./messages.ts";

/**
 * The snapshot of a builder's state at feed sequence number `sequenceNumber` (the builder has
 * applied the feed's messages 1 to `sequenceNumber`), in the order `jnx-itch.md` §3 gives:
 *
 * 1. `T` with the seconds of the builder's latest message;
 * 2. every `L` announced, in order;
 * 3. every `R`, in directory order;
 * 4. one reference price `A` (Order Number 0, side `B`, quantity 0) per orderbook;
 * 5. `H` for every orderbook, `T` or `V` (a snapshot states each one, not only the trading
 *    ones as the spin does);
 * 6. `Y` for every orderbook, `0` or `1`;
 * 7. each group's latest System Event, the system-wide one first when it came first;
 * 8. every order on the book as `A`, orderbook by orderbook in directory order, bids then
 *    asks, each side in priority order (best price first, oldest first);
 * 9. `G` End of Snapshot with `sequenceNumber`.
 *
 * Every message but `T` and `G` carries the nanoseconds of the builder's latest message, so a
 * snapshot at a given sequence number is the same whenever it is taken. Applying it to an
 * empty builder and then the feed from `sequenceNumber + 1` gives the same orderbooks, order
 * by order, as the whole feed (trades and last prices aside: a snapshot carries none).
 *
 * @param builder The builder holding the state.
 * @param sequenceNumber The feed sequence number the state is current to.
 * @returns The messages, fresh objects.
 * @throws {RangeError} If `sequenceNumber` is not a non-negative safe integer.
 *
 * @example A snapshot joins a new builder to the feed
 * ```ts
 * import { BookBuilder } from "./book_builder.ts";
 * import { snapshotMessages } from "./snapshot.ts";
 * import assert from "node:assert/strict";
 *
 * const server = new BookBuilder();
 * server.apply({
 *   type: "orderbookDirectory", nanoseconds: 0, orderbookId: "1", isin: "", group: "DAY",
 *   roundLotSize: 1, tickTableId: 1, priceDecimals: 1, upperPriceLimit: 99_999,
 *   lowerPriceLimit: 1,
 * });
 * server.apply({
 *   type: "orderAdded", nanoseconds: 4, orderNumber: 8n, side: "B", quantity: 5,
 *   orderbookId: "1", group: "DAY", price: 1_000,
 * });
 * const snapshot = snapshotMessages(server, 2);
 * assert.deepEqual(snapshot.map((m) => m.type), [
 *   "timestampSeconds", "orderbookDirectory", "orderAdded", "tradingState",
 *   "shortSellingState", "orderAdded", "endOfSnapshot",
 * ]);
 * const client = new BookBuilder();
 * for (const message of snapshot) client.apply(message);
 * assert.deepEqual(client.depth("1"), server.depth("1"));
 * assert.equal(client.endOfSnapshot, 2);
 * ```
 */
export function snapshotMessages(
  builder: BookBuilder,
  sequenceNumber: number,
): ItchMessage[] {
  if (!(Number.isSafeInteger(sequenceNumber) && sequenceNumber >= 0)) {
    throw new RangeError(
      `Cannot take a snapshot as sequenceNumber must be a non-negative safe integer: current value is ${sequenceNumber}`,
    );
  }
  const nanoseconds = builder.nanoseconds;
  const out: ItchMessage[] = [{
    type: "timestampSeconds",
    seconds: builder.seconds,
  }];
  for (const band of builder.tickSizes) out.push({ ...band, nanoseconds });
  const books = builder.orderbooks.map((id) => builder.orderbook(id)!);
  for (const book of books) {
    out.push({
      type: "orderbookDirectory",
      nanoseconds,
      orderbookId: book.orderbookId,
      isin: book.isin,
      group: book.group,
      roundLotSize: book.roundLotSize,
      tickTableId: book.tickTableId,
      priceDecimals: book.priceDecimals,
      upperPriceLimit: book.upperPriceLimit,
      lowerPriceLimit: book.lowerPriceLimit,
    });
  }
  for (const book of books) {
    out.push({
      type: "orderAdded",
      nanoseconds,
      orderNumber: 0n,
      side: "B",
      quantity: 0,
      orderbookId: book.orderbookId,
      group: book.group,
      price: book.referencePrice ?? NO_REFERENCE_PRICE,
    });
  }
  for (const book of books) {
    out.push({
      type: "tradingState",
      nanoseconds,
      orderbookId: book.orderbookId,
      group: book.group,
      tradingState: book.tradingState,
    });
  }
  for (const book of books) {
    out.push({
      type: "shortSellingState",
      nanoseconds,
      orderbookId: book.orderbookId,
      group: book.group,
      shortSellingState: book.shortSellingState,
    });
  }
  for (const [group, eventCode] of builder.systemStates) {
    out.push({ type: "systemEvent", nanoseconds, group, eventCode });
  }
  for (const book of books) {
    for (const side of ITCH_SIDES) {
      for (const order of builder.orders(book.orderbookId, side)) {
        out.push({
          type: "orderAdded",
          nanoseconds,
          orderNumber: order.orderNumber,
          side,
          quantity: order.quantity,
          orderbookId: book.orderbookId,
          group: book.group,
          price: order.price,
        });
      }
    }
  }
  out.push({ type: "endOfSnapshot", sequenceNumber });
  return out;
}
