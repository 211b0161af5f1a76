/**
 * The venue on NATS JetStream: a fenced, batched, replicated log of output records with one
 * active writer and many readers; an inbound command stream that gateways publish to and
 * the engine consumes in one total order; the engine lease with epochs; and snapshot
 * storage. Records and commands are opaque bytes. Design, subjects, headers and failure
 * costs: `docs/nats.md`.
 *
 * - {@linkcode ensureVenue} creates the streams; {@linkcode venueNames} names them.
 * - {@linkcode LogWriter} appends batches after its epoch fence; {@linkcode LogReader}
 *   follows the log and drops anything a fenced writer wrote.
 * - {@linkcode CommandPublisher} (gateway) and {@linkcode CommandReader} (engine).
 * - {@linkcode Lease} and {@linkcode LeaseKeeper}: who is the active engine, and its epoch.
 * - {@linkcode SnapshotStore}: engine snapshots tied to a log sequence.
 *
 * @example The body of a log or command message
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecords, encodeRecords, venueNames } from "./mod.ts";
 *
 * const body = encodeRecords([new TextEncoder().encode("a"), new TextEncoder().encode("bc")]);
 * assert.deepEqual(decodeRecords(body).map((r) => r.length), [1, 2]);
 * assert.equal(venueNames().logSubject, "ouch.log");
 * ```
 *
 * @module
 */
export {
  type CommandBatch,
  CommandReader,
  type CommandReaderOptions,
} from "./command_reader.ts";
export {
  CommandPublisher,
  type CommandPublisherOptions,
} from "./command_publisher.ts";
export { FencedError, JetStreamUnavailableError } from "./errors.ts";
export {
  GatewayLease,
  type GatewayLeaseOptions,
  HostIdInUseError,
} from "./gateway_lease.ts";
export {
  Lease,
  LeaseKeeper,
  type LeaseKeeperOptions,
  type LeaseObservation,
  type LeaseOptions,
  type LeaseState,
  type LeaseValue,
} from "./lease.ts";
export {
  type LogBatch,
  type LogDropped,
  type LogEntry,
  type LogFence,
  LogReader,
  type LogReaderOptions,
} from "./log_reader.ts";
export {
  type CommandCursor,
  type LogAck,
  LogWriter,
  type LogWriterOptions,
} from "./log_writer.ts";
export {
  HEADER_COMMAND,
  HEADER_EPOCH,
  HEADER_EXPECTED_LAST_MSG_ID,
  HEADER_EXPECTED_LAST_SEQUENCE,
  HEADER_FENCE,
  HEADER_MSG_ID,
  HEADER_PART,
  type VenueNames,
  venueNames,
} from "./names.ts";
export {
  decodeRecords,
  encodeRecords,
  RECORD_PREFIX_LENGTH,
  splitRecords,
} from "./records.ts";
export {
  type Snapshot,
  SnapshotStore,
  type SnapshotStoreOptions,
} from "./snapshot_store.ts";
export {
  ensureVenue,
  GENESIS_MSG_ID,
  logTail,
  retryAdmin,
  type VenueOptions,
} from "./venue.ts";
export {
  type FollowProgress,
  followRecords,
  JetStreamLog,
} from "./exchange_log.ts";
export {
  decodeGatewayCommand,
  encodeGatewayCommand,
  EngineCommands,
  type GatewayCommand,
  GatewayCommandError,
  gatewayOf,
  isPageHost,
  messageCommandLength,
  pageHost,
  writeMessageCommand,
} from "./gateway_command.ts";
export {
  ActiveEngine,
  type ActiveEngineOptions,
  type EngineRecovery,
  readLogState,
  STAMP_EVERY,
} from "./engine.ts";
export { GATEWAY_CLOCK, GatewayCore } from "./gateway.ts";
export { GatewayPages, type PageTokenChange } from "./gateway_pages.ts";
