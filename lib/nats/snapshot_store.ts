/**
 * Engine snapshots (opaque bytes, tens of MB) in a JetStream Object Store, each tied to the
 * log sequence it reflects.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { type ObjectStore, Objm } from "@nats-io/obj";
import { type VenueNames, venueNames } from "./names.ts";
import { retryAdmin } from "./venue.ts";

/** A stored snapshot. */
export interface Snapshot {
  /** The log sequence it reflects: a reader resumes after it. */
  readonly seq: number;
  /** The log's epoch at `seq`. */
  readonly epoch: number;
  /** The snapshot itself. */
  readonly bytes: Uint8Array;
}

/** Options for {@linkcode SnapshotStore.open}. */
export interface SnapshotStoreOptions {
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Replicas of the bucket. @default 1 */
  replicas?: number;
  /** How many snapshots to keep; older ones are deleted after each put. @default 2 */
  keep?: number;
}

/** The object store's chunk size (its default). */
const CHUNK = 128 * 1024;

const NAME = /^snapshot\.(\d{16})\.(\d+)$/;

/**
 * Puts and finds snapshots. Each is one object named `snapshot.SEQ.EPOCH` (SEQ zero-padded
 * to 16 digits), sent in 128 KiB chunks, so size is bounded by the bucket, not by
 * `max_payload`; {@linkcode SnapshotStore.latest} picks the highest SEQ among complete
 * objects. An interrupted put leaves no visible object, so the previous snapshot stays the
 * newest.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const store = await SnapshotStore.open(nc);
 * await store.put({ seq: 1200, epoch: 3, bytes });
 * const newest = await store.latest();
 * ```
 */
export class SnapshotStore {
  readonly #os: ObjectStore;
  readonly #keep: number;

  private constructor(os: ObjectStore, keep: number) {
    this.#os = os;
    this.#keep = keep;
  }

  /**
   * Creates or binds the snapshot bucket.
   *
   * @param nc A connection.
   * @param options Names, replicas, how many to keep.
   * @returns The store.
   * @throws {RangeError} When `keep` is below 1.
   * @throws {Error} The last JetStream error when the bucket could not be made within 60 s.
   */
  static async open(
    nc: NatsConnection,
    options: SnapshotStoreOptions = {},
  ): Promise<SnapshotStore> {
    const keep = options.keep ?? 2;
    if (!Number.isSafeInteger(keep) || keep < 1) {
      throw new RangeError(
        `Cannot keep snapshots as at least 1 must be kept: current keep is ${keep}`,
      );
    }
    const names = options.names ?? venueNames();
    const os = await retryAdmin(
      60_000,
      () =>
        new Objm(nc).create(names.snapshotBucket, {
          replicas: options.replicas ?? 1,
        }),
    );
    // A bucket just made on a cluster still electing its stream's leader answers nothing
    // yet, and the first listing would wait out a 5 s timeout (an engine started with the
    // cluster then passed over the snapshots and took 5 s longer): it is asked every half
    // second until it answers (at most 30 s; a store that never answers is no reason not
    // to start, the engine reads the whole log then).
    try {
      await retryAdmin(30_000, () => within(os.status(), 500));
    } catch {
      // the listing will say why
    }
    return new SnapshotStore(os, keep);
  }

  /**
   * Stores a snapshot, then deletes all but the newest `keep`.
   *
   * @param snapshot The log sequence and epoch it reflects, and its bytes.
   * @returns When it is stored.
   * @throws {RangeError} When `seq` or `epoch` is not a non-negative integer.
   */
  async put(snapshot: Snapshot): Promise<void> {
    for (
      const [field, value] of [["seq", snapshot.seq], [
        "epoch",
        snapshot.epoch,
      ]] as const
    ) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(
          `Cannot store a snapshot as ${field} must be a non-negative integer: current ${field} is ${value}`,
        );
      }
    }
    const name = `snapshot.${
      String(snapshot.seq).padStart(16, "0")
    }.${snapshot.epoch}`;
    // Handed over a chunk at a time (not in one piece, as `putBlob` would): the store then
    // copies and hashes a chunk per turn, and the engine keeps running in between.
    const bytes = snapshot.bytes;
    let at = 0;
    await this.#os.put(
      { name },
      new ReadableStream<Uint8Array>({
        pull(controller) {
          if (at >= bytes.length) {
            controller.close();
            return;
          }
          controller.enqueue(bytes.subarray(at, at + CHUNK));
          at += CHUNK;
        },
      }),
    );
    const stored = await this.#list();
    for (const old of stored.slice(this.#keep)) await this.#os.delete(old.name);
  }

  /**
   * Finds the newest snapshot.
   *
   * @returns It, or `undefined` when there is none.
   */
  async latest(): Promise<Snapshot | undefined> {
    for await (const snapshot of this.all()) return snapshot;
    return undefined;
  }

  /**
   * Every stored snapshot, newest first, each read only when the caller asks for it (so
   * that one that turns out unusable can be passed over for the one before).
   *
   * @returns The snapshots whose objects are complete.
   */
  async *all(): AsyncGenerator<Snapshot> {
    for (const candidate of await this.#list()) {
      const bytes = await this.#os.getBlob(candidate.name);
      if (bytes !== null) {
        yield { seq: candidate.seq, epoch: candidate.epoch, bytes };
      }
    }
  }

  /** Sequences of the stored snapshots, newest first. */
  async sequences(): Promise<number[]> {
    return (await this.#list()).map((s) => s.seq);
  }

  async #list(): Promise<{ name: string; seq: number; epoch: number }[]> {
    const found = [];
    for (const info of await this.#os.list()) {
      const match = NAME.exec(info.name);
      if (info.deleted || match === null) continue;
      found.push({
        name: info.name,
        seq: Number(match[1]),
        epoch: Number(match[2]),
      });
    }
    return found.sort((a, b) => b.seq - a.seq);
  }
}

/** `promise`, or a rejection after `ms` (the promise's own outcome is then ignored). */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}
