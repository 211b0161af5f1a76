/**
 * The Japannext PTS ITCH market-data layer, without sockets: the ITCH v1.7 / v1.6 messages
 * and `G` End of Snapshot to and from bytes, MoldUDP64 datagrams and their packing, the re-
 * request answer, the feed generator that turns the matcher's market events into a day's
 * ITCH messages (M3–M9 of `jnx-itch.md`), the book builder a client rebuilds every orderbook
 * with, the snapshot of a builder's state and the sequencer a joining client puts the live
 * feed in order with.
 *
 * Like `lib/codec`, everything here is pure: no clock, no I/O. Messages and packets are plain
 * readonly objects tagged by `type`; Order and Match Numbers are exact `bigint`s. Malformed
 * input throws `ItchDecodeError` or `MoldUdp64Error`, values that do not fit throw
 * `ItchEncodeError`, and a feed that does not make a consistent book throws `ItchBookError`.
 *
 * @example From market events to a rebuilt book
 * ```ts
 * import { BookBuilder, FeedGenerator } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const builder = new BookBuilder();
 * const feed = new FeedGenerator({ append: (message) => builder.applyMessage(message) }, {
 *   tickTables: [{ tickTableId: 1, bands: [{ tickSize: 1, priceStart: 0 }] }],
 *   orderbooks: [{
 *     orderbookId: "7203", isin: "JP3633400001", group: "DAY", roundLotSize: 100,
 *     tickTableId: 1, referencePrice: 28_000, upperPriceLimit: 33_000, lowerPriceLimit: 23_000,
 *   }],
 * });
 * feed.startOfDay(32_400_000_000_000);
 * feed.marketEvent({
 *   type: "bookAdd", timestamp: 32_400_000_000_001, orderbookId: "7203",
 *   orderNumber: 202611280000000001n, side: "S", price: 28_010, quantity: 300, account: 0,
 * });
 * assert.deepEqual(builder.depth("7203").asks, [{ price: 28_010, quantity: 300, orders: 1 }]);
 * assert.equal(builder.orderbook("7203")?.referencePrice, 28_000);
 * assert.equal(builder.systemState(), "Q");
 * ```
 *
 * @module
 */

export * from "./messages.ts";
export * from "./errors.ts";
export * from "./options.ts";
export * from "./timestamp_seconds.ts";
export * from "./system_event.ts";
export * from "./price_tick_size.ts";
export * from "./orderbook_directory.ts";
export * from "./trading_state.ts";
export * from "./short_selling_state.ts";
export * from "./order_added.ts";
export * from "./order_added_with_attributes.ts";
export * from "./order_executed.ts";
export * from "./order_deleted.ts";
export * from "./order_replaced.ts";
export * from "./end_of_snapshot.ts";
export * from "./message.ts";
export * from "./mold_udp64.ts";
export * from "./mold_packer.ts";
export * from "./mold_request.ts";
export * from "./feed_generator.ts";
export * from "./book_builder.ts";
export * from "./snapshot.ts";
export * from "./feed_sequencer.ts";
