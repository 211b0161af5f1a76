/**
 * The exchange core: the trading day without I/O. Commands go in ({@linkcode Exchange}),
 * one output record per command comes out ({@linkcode OutputRecord}, with a compact binary
 * form), batches of records go to a {@linkcode DurableLog} and, once durable, to every
 * {@linkcode Subscriber}: the account streams ({@linkcode AccountStreams}), the market-data
 * model ({@linkcode MarketData}) and the edges.
 *
 * @example A day, an order, and what the subscribers see
 * ```ts
 * import { Exchange, type RecordBatch } from "./mod.ts";
 * import { encodeMessage } from "../codec/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const written: Uint8Array[] = [];
 * const exchange = new Exchange({
 *   users: new Map([["demo1", "demo"]]),
 *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
 *   log: { append: (batch) => void written.push(batch.slice()) },
 *   timestamp: 0,
 * });
 * const seen: string[] = [];
 * exchange.subscribe({
 *   delivered: (batch: RecordBatch) => {
 *     for (const record of batch.records) seen.push(record.command.type);
 *   },
 * });
 * exchange.submit("demo1", {
 *   type: "enterOrder", orderToken: 1, clientReference: "Lenny", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999,
 *   firmId: 0, display: " ", capacity: "P", minimumQuantity: 0, orderClassification: "1",
 *   cashMarginType: "1",
 * }, 1_000);
 * await exchange.drain();
 * // One turn, one batch: the day's start, its account, the order.
 * assert.deepEqual(seen, ["startDay", "account", "message"]);
 * assert.equal(written.length, 1);
 * assert.equal(exchange.streams.stream(0).length, 2); // System Event S, Order Accepted
 * assert.equal(exchange.market.depth("1")?.bids[0]?.quantity, 100);
 * ```
 *
 * @module
 */
export { type AccountStream, AccountStreams } from "./account_streams.ts";
export type { DurableLog } from "./durable_log.ts";
export {
  type AccountStatus,
  type DayOptions,
  Exchange,
  type ExchangeOptions,
  type LoginResult,
  RecoveryError,
  type SessionHandle,
  sessionId,
  type SnapshotSummary,
} from "./exchange.ts";
export {
  DEFAULT_TRADE_HISTORY,
  type MarketChange,
  MarketData,
  type MarketDataListener,
  type MarketTrade,
} from "./market_data.ts";
export {
  checkFrame,
  checkRecords,
  type Command,
  COMMAND_CODES,
  crc32,
  type DayConfig,
  decodeBody,
  decodeEvents,
  decodeRecords,
  encodeRecords,
  EVENT_CODES,
  forEachMessage,
  FRAME_LENGTH,
  type JsonObject,
  type JsonValue,
  MESSAGE_TAG,
  type MessageOrigin,
  type MessageVisitor,
  type OutputRecord,
  RECORD_FORMAT,
  RecordError,
  RecordWriter,
  type SequencedMessage,
} from "./record.ts";
export {
  captureSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  encodeSnapshotSteps,
  type SnapshotCapture,
  type SnapshotContents,
  SnapshotError,
  snapshotPosition,
} from "./snapshot.ts";
export {
  type SnapshotCadence,
  type SnapshotEvent,
  type SnapshotPut,
  Snapshotter,
  type SnapshotterOptions,
} from "./snapshotter.ts";
export {
  CHUNK_BYTES,
  ChunkCache,
  CHUNKS_CACHED,
  CHUNKS_KEPT,
  type ChunkStore,
  SpilledStream,
} from "./spilled_stream.ts";
export { deliver, RecordBatch, type Subscriber } from "./subscriber.ts";
export {
  OrderTracker,
  toOpenOrder,
  type TrackedOrder,
} from "./order_tracker.ts";
