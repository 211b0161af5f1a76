/**
 * Engine snapshots in the journal directory, next to the journal they belong to: written
 * atomically (a temporary file, fsync, rename, fsync of the directory), named after the
 * journal and the position they follow, the newest two kept.
 *
 * @module
 */
import {
  type Exchange,
  type SnapshotCadence,
  type SnapshotEvent,
  Snapshotter as CoreSnapshotter,
} from "../exchange/mod.ts";
import { journalName } from "./journal_file.ts";

export type { SnapshotCadence, SnapshotEvent } from "../exchange/mod.ts";

/** Snapshots kept per journal: the newest and the one before, in case the newest is bad. */
export const SNAPSHOTS_KEPT = 2;

/** By default, a snapshot every this many records... */
export const DEFAULT_SNAPSHOT_RECORDS = 1_000_000;
/** ...or every this many seconds when records came since the last one. */
export const DEFAULT_SNAPSHOT_SECONDS = 300;

const SNAPSHOT_NAME = /^(\d{8}-\d{10})\.(\d{12})\.snapshot$/;

/**
 * The file name of a snapshot.
 *
 * @param journal The journal's name (see `journalName`).
 * @param position The number of the journal's records the snapshot follows.
 * @returns The name, such as `20261128-1795833600.000001000000.snapshot`.
 *
 * @example Usage
 * ```ts
 * import { snapshotName } from "./snapshot_file.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   snapshotName("20261128-1795833600", 1_000_000),
 *   "20261128-1795833600.000001000000.snapshot",
 * );
 * ```
 */
export function snapshotName(journal: string, position: number): string {
  return `${journal}.${String(position).padStart(12, "0")}.snapshot`;
}

/**
 * The snapshots of a journal in `directory`, newest (highest position) first.
 *
 * @param directory The journal directory.
 * @param journal The journal's name.
 * @returns Their paths and positions.
 */
export async function listSnapshots(
  directory: string,
  journal: string,
): Promise<{ path: string; position: number }[]> {
  const found: { path: string; position: number }[] = [];
  for await (const entry of Deno.readDir(directory)) {
    const match = entry.name.match(SNAPSHOT_NAME);
    if (!entry.isFile || match?.[1] !== journal) continue;
    found.push({
      path: `${directory}/${entry.name}`,
      position: Number(match[2]),
    });
  }
  return found.sort((a, b) => b.position - a.position);
}

/**
 * Writes a snapshot atomically: a reader sees the whole file or none. Then removes all
 * but the newest {@linkcode SNAPSHOTS_KEPT} of the journal.
 *
 * @param directory The journal directory.
 * @param journal The journal's name.
 * @param position The position the snapshot follows.
 * @param bytes The snapshot.
 * @returns The path written.
 */
export async function writeSnapshot(
  directory: string,
  journal: string,
  position: number,
  bytes: Uint8Array,
): Promise<string> {
  const path = `${directory}/${snapshotName(journal, position)}`;
  const temporary = `${path}.tmp`;
  const file = await Deno.open(temporary, {
    write: true,
    create: true,
    truncate: true,
  });
  try {
    let at = 0;
    while (at < bytes.length) at += await file.write(bytes.subarray(at));
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(temporary, path);
  await syncDirectory(directory);
  const all = await listSnapshots(directory, journal);
  for (const old of all.slice(SNAPSHOTS_KEPT)) {
    await Deno.remove(old.path).catch(() => {});
  }
  return path;
}

/** Makes a rename in `directory` durable (where the platform allows it). */
async function syncDirectory(directory: string): Promise<void> {
  let handle: Deno.FsFile | undefined;
  try {
    handle = await Deno.open(directory, { read: true });
    await handle.sync();
  } catch {
    // Not every platform can open or fsync a directory; the rename still happened.
  } finally {
    handle?.close();
  }
}

/** Lets the event loop run: what the snapshot's encoding pauses with between slices. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Takes the exchange's snapshots at a cadence and writes them next to its journal, one at
 * a time (the core's `Snapshotter` with this directory as its store, encoding each in
 * slices of about 5 ms between which the server runs). Call
 * {@linkcode Snapshotter.tick} every second or so.
 */
export class Snapshotter extends CoreSnapshotter {
  /**
   * Watches an exchange.
   *
   * @param options The journal directory, the exchange, the cadence, who hears of each
   *   snapshot or failure, and the time now (milliseconds).
   */
  constructor(options: {
    directory: string;
    exchange: Exchange;
    cadence: SnapshotCadence;
    report: (event: SnapshotEvent) => void;
    now: number;
  }) {
    super({
      ...options,
      put: async (day, position, bytes) =>
        writeSnapshot(
          options.directory,
          journalName(day.tradingDate, day.session),
          position,
          await bytes,
        ),
      elapsed: () => performance.now(),
      pause: nextTurn,
    });
  }
}
