/**
 * Test helper: reads a venue's log stream raw (every message, no epoch rule) to check what
 * JetStream actually accepted.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import {
  decodeRecords,
  HEADER_EPOCH,
  HEADER_FENCE,
  HEADER_MSG_ID,
  type LogEntry,
  LogReader,
  retryAdmin,
  type VenueNames,
} from "../../lib/nats/mod.ts";

/** One stored message of the log. */
export interface RawEntry {
  seq: number;
  epoch: number;
  fence: boolean;
  msgId: string;
  records: string[];
}

/** Every message of the log stream, in order. */
export async function readRawLog(
  nc: NatsConnection,
  names: VenueNames,
): Promise<RawEntry[]> {
  const last = await retryAdmin(60_000, async () => {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(names.logStream)).state.last_seq;
  });
  const out: RawEntry[] = [];
  if (last === 0) return out;
  const messages = await retryAdmin(60_000, async () => {
    const consumer = await jetstream(nc).consumers.get(names.logStream);
    return await consumer.consume({ max_messages: 10_000, expires: 5_000 });
  });
  for await (const msg of messages) {
    const fence = msg.headers?.get(HEADER_FENCE) === "1";
    out.push({
      seq: msg.seq,
      epoch: Number(msg.headers?.get(HEADER_EPOCH) ?? "-1"),
      fence,
      msgId: msg.headers?.get(HEADER_MSG_ID) ?? "",
      records: fence
        ? []
        : decodeRecords(msg.data).map((r) => new TextDecoder().decode(r)),
    });
    if (msg.seq >= last) break;
  }
  await messages.close();
  return out;
}

/** Reads the log through a {@linkcode LogReader} until stream sequence `until`. */
export async function readLog(
  nc: NatsConnection,
  names: VenueNames,
  until: number,
): Promise<{ entries: LogEntry[]; dropped: number }> {
  const reader = await LogReader.open(nc, { names });
  const entries: LogEntry[] = [];
  if (until > 0) {
    for await (const entry of reader) {
      entries.push(entry);
      if (reader.position >= until) break;
    }
  }
  const dropped = reader.dropped;
  await reader.close();
  return { entries, dropped };
}

/** Text records of the batches among `entries`, in order. */
export function batchTexts(entries: LogEntry[]): string[] {
  return entries.flatMap((e) =>
    e.type === "batch" ? e.records.map((r) => new TextDecoder().decode(r)) : []
  );
}

/** `text` as bytes. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
