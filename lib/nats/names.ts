/**
 * The JetStream names of one venue: streams, subjects, buckets and the headers this module
 * writes. Every process of a venue must agree on them; tests give each venue a fresh prefix.
 *
 * @module
 */

/** Where a venue keeps its log, commands, lease and snapshots. */
export interface VenueNames {
  /** Stream of output-record batches and epoch fences, e.g. `OUCH_LOG`. */
  readonly logStream: string;
  /** The single subject of the log stream, e.g. `ouch.log`. */
  readonly logSubject: string;
  /** Stream of inbound command batches from every gateway, e.g. `OUCH_CMD`. */
  readonly commandStream: string;
  /** Prefix of the command subjects: gateway `g1` publishes on `PREFIX.g1`, e.g. `ouch.cmd`. */
  readonly commandSubjectPrefix: string;
  /** KV bucket holding the engine lease, e.g. `ouch_lease`. */
  readonly leaseBucket: string;
  /** Object Store bucket of engine snapshots, e.g. `ouch_snapshots`. */
  readonly snapshotBucket: string;
}

/**
 * Builds the names of a venue from a prefix of letters, digits and `_`.
 *
 * @param prefix The prefix, lower case in subjects and bucket names, upper case in stream names.
 * @default "ouch"
 * @returns The names.
 * @throws {RangeError} When the prefix is empty or has other characters.
 *
 * @example The default venue
 * ```ts
 * import assert from "node:assert/strict";
 * import { venueNames } from "./names.ts";
 *
 * assert.equal(venueNames().logStream, "OUCH_LOG");
 * assert.equal(venueNames("t1").commandSubjectPrefix, "t1.cmd");
 * ```
 */
export function venueNames(prefix = "ouch"): VenueNames {
  if (!/^[A-Za-z0-9_]+$/.test(prefix)) {
    throw new RangeError(
      `Cannot name a venue as the prefix must be letters, digits or "_": current prefix is "${prefix}"`,
    );
  }
  const lower = prefix.toLowerCase();
  const upper = prefix.toUpperCase();
  return {
    logStream: `${upper}_LOG`,
    logSubject: `${lower}.log`,
    commandStream: `${upper}_CMD`,
    commandSubjectPrefix: `${lower}.cmd`,
    leaseBucket: `${lower}_lease`,
    snapshotBucket: `${lower}_snapshots`,
  };
}

/** Header carrying the writer's epoch, on every log message (decimal). */
export const HEADER_EPOCH = "Ouch-Epoch";
/** Header marking an epoch fence (value `1`); a fence's body is its writer's id (text). */
export const HEADER_FENCE = "Ouch-Fence";
/**
 * Header of a log batch: the command position it reflects, `SEQ.DONE` (the first `DONE`
 * commands of command-stream message `SEQ` and everything before it are processed).
 */
export const HEADER_COMMAND = "Ouch-Cmd";
/** Header on each piece of a batch split over several messages: `INDEX/COUNT`, from `0/N`. */
export const HEADER_PART = "Ouch-Part";
/** JetStream's idempotence key. */
export const HEADER_MSG_ID = "Nats-Msg-Id";
/** JetStream's compare-and-set on the stream's last sequence. */
export const HEADER_EXPECTED_LAST_SEQUENCE = "Nats-Expected-Last-Sequence";
/** JetStream's compare-and-set on the stream's last message id. */
export const HEADER_EXPECTED_LAST_MSG_ID = "Nats-Expected-Last-Msg-Id";
