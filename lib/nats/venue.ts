/**
 * Creates (or finds) a venue's streams on JetStream and reads the log's tail.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { headers, nanos } from "@nats-io/transport-node";
import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import {
  HEADER_EPOCH,
  HEADER_FENCE,
  HEADER_MSG_ID,
  type VenueNames,
  venueNames,
} from "./names.ts";

/** Options for {@linkcode ensureVenue}. */
export interface VenueOptions {
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Replicas of every stream (1, or 3 on a 3-node cluster). @default 1 */
  replicas?: number;
  /** JetStream's duplicate window for `Nats-Msg-Id`. @default 120_000 */
  duplicateWindowMs?: number;
  /** How long admin calls are retried (a meta leader election takes ~10 s). @default 60_000 */
  retryMs?: number;
}

/** Message id of the log's first message: the fence of epoch 0. */
export const GENESIS_MSG_ID = "fence.0";

/**
 * Creates the log stream (one subject) and the command stream (one subject per gateway) if
 * they do not exist, and writes the log's genesis message (a fence of epoch 0, so that every
 * later fence has a last sequence to compare against). Safe to run from every process at once.
 *
 * @param nc A connection.
 * @param options Names, replicas and retries.
 * @returns When both streams exist and the log is not empty.
 * @throws {Error} The last admin error when JetStream did not answer within `retryMs`.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * await ensureVenue(nc, { replicas: 3 });
 * ```
 */
export async function ensureVenue(
  nc: NatsConnection,
  options: VenueOptions = {},
): Promise<void> {
  const names = options.names ?? venueNames();
  const retryMs = options.retryMs ?? 60_000;
  const common: Partial<StreamConfig> = {
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    "num_replicas": options.replicas ?? 1,
    "duplicate_window": nanos(options.duplicateWindowMs ?? 120_000),
    "allow_direct": true,
  };
  await retryAdmin(retryMs, () =>
    addStream(nc, {
      ...common,
      name: names.logStream,
      subjects: [names.logSubject],
    }));
  await retryAdmin(retryMs, () =>
    addStream(nc, {
      ...common,
      name: names.commandStream,
      subjects: [`${names.commandSubjectPrefix}.>`],
    }));
  await retryAdmin(retryMs, async () => {
    if ((await logTail(nc, names)).seq > 0) return;
    const h = headers();
    h.set(HEADER_MSG_ID, GENESIS_MSG_ID);
    h.set(HEADER_EPOCH, "0");
    h.set(HEADER_FENCE, "1");
    await jetstream(nc).publish(names.logSubject, new Uint8Array(), {
      headers: h,
    });
  });
}

/**
 * Reads the log stream's last sequence and the message id stored there.
 *
 * @param nc A connection.
 * @param names The venue's names.
 * @returns `{ seq: 0, msgId: "" }` for an empty log.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const { seq } = await logTail(nc, venueNames());
 * ```
 */
export async function logTail(
  nc: NatsConnection,
  names: VenueNames,
): Promise<{ seq: number; msgId: string }> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const info = await jsm.streams.info(names.logStream);
  const seq = info.state.last_seq;
  if (seq === 0) return { seq, msgId: "" };
  const msg = await jsm.streams.getMessage(names.logStream, { seq });
  return { seq, msgId: msg?.header.get(HEADER_MSG_ID) ?? "" };
}

/**
 * Runs `fn` until it succeeds or `ms` have passed, with a growing pause between attempts.
 *
 * @param ms How long to keep trying.
 * @param fn The admin call.
 * @returns Its result.
 * @throws The last error once the time is up.
 *
 * @example A call that succeeds the second time
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryAdmin } from "./venue.ts";
 *
 * let calls = 0;
 * const result = await retryAdmin(5_000, () => {
 *   calls++;
 *   if (calls === 1) throw new Error("JetStream system temporarily unavailable");
 *   return Promise.resolve("ok");
 * });
 * assert.equal(result, "ok");
 * assert.equal(calls, 2);
 * ```
 */
export async function retryAdmin<T>(
  ms: number,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = performance.now() + ms;
  let pause = 50;
  while (true) {
    try {
      return await fn();
    } catch (error) {
      if (performance.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 1_000);
    }
  }
}

async function addStream(
  nc: NatsConnection,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  try {
    await jsm.streams.info(config.name);
    return;
  } catch (error) {
    if (!/not found/i.test(String(error))) throw error;
  }
  await jsm.streams.add(config);
}
