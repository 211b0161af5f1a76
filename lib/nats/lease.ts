/**
 * Leadership of the matching engine: one lease in a KV bucket, held by compare-and-set, with
 * an epoch that grows by one on every take-over.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, JetStreamApiError } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { type VenueNames, venueNames } from "./names.ts";
import { retryAdmin } from "./venue.ts";

/** The lease's stored value (JSON). */
export interface LeaseValue {
  /** Who holds it; `""` after a release. */
  readonly holder: string;
  /** The holder's epoch. */
  readonly epoch: number;
  /** Renewals so far in this epoch. */
  readonly beat: number;
}

/** A held lease as a standby read it: see {@linkcode Lease.observed}. */
export interface LeaseObservation {
  /** Who holds it. */
  readonly holder: string;
  /** The key's revision: it moves at every renewal. */
  readonly revision: number;
  /** When JetStream stored that revision (milliseconds since the epoch, the server's clock). */
  readonly writtenAt: number;
}

/** What a {@linkcode Lease} knows after a poll. */
export type LeaseState =
  | { readonly role: "active"; readonly epoch: number }
  | {
    readonly role: "standby";
    /** The holder seen last (`""`: none, or unknown while JetStream does not answer). */
    readonly holder: string;
    /** The epoch seen last (0 when unknown). */
    readonly epoch: number;
  };

/** Options for {@linkcode Lease.open}. */
export interface LeaseOptions {
  /** This process's id; unique per process run. */
  holder: string;
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Replicas of the bucket. @default 1 */
  replicas?: number;
  /** The key in the bucket. @default "engine" */
  key?: string;
  /** How often the holder renews. @default 1_000 */
  renewMs?: number;
  /** How long a standby must see the same revision before it takes over. @default 3_000 */
  ttlMs?: number;
  /** How long one KV request may take. @default 5_000 */
  timeoutMs?: number;
  /** The smallest epoch this process may take (e.g. one above the log's newest epoch). @default () => 1 */
  minEpoch?: () => number;
}

/**
 * One process's view of the engine lease, advanced by {@linkcode Lease.poll} with the time
 * passed in (a {@linkcode LeaseKeeper} calls it on a timer).
 *
 * The holder writes the lease again every `renewMs` with `update(key, value, revision)`; a
 * refused update means someone else took it, and the holder becomes a standby. A standby
 * reads the key at every poll and takes over when it has seen the same revision for `ttlMs`
 * through unbroken successful reads (a failed read restarts the count, so a JetStream outage
 * does not hand the lease away), or at once when the key is missing or released. Taking over
 * is an `update` on the revision it saw (or a `create`), so of several standbys exactly one
 * wins, with epoch `max(old epoch + 1, minEpoch())`. The lease only decides who should write;
 * the log's fence is what stops an old holder's writes.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const lease = await Lease.open(nc, { holder: "engine-a" });
 * const state = await lease.poll(performance.now());
 * ```
 */
export class Lease {
  readonly #kv: KV;
  readonly #key: string;
  readonly #holder: string;
  readonly #renewMs: number;
  readonly #ttlMs: number;
  readonly #minEpoch: () => number;
  #state: LeaseState = { role: "standby", holder: "", epoch: 0 };
  #revision = 0;
  #beat = 0;
  #renewedAt = 0;
  #seen: { revision: number; since: number } | undefined;
  #observed: LeaseObservation | undefined;

  private constructor(kv: KV, options: LeaseOptions) {
    this.#kv = kv;
    this.#key = options.key ?? "engine";
    this.#holder = options.holder;
    this.#renewMs = options.renewMs ?? 1_000;
    this.#ttlMs = options.ttlMs ?? 3_000;
    this.#minEpoch = options.minEpoch ?? (() => 1);
  }

  /**
   * Creates or binds the lease bucket.
   *
   * @param nc A connection.
   * @param options This holder's id and the timings.
   * @returns The lease, as a standby until the first poll.
   * @throws {Error} The last JetStream error when the bucket could not be made within 60 s.
   */
  static async open(nc: NatsConnection, options: LeaseOptions): Promise<Lease> {
    const names = options.names ?? venueNames();
    const kv = await retryAdmin(
      60_000,
      () =>
        new Kvm(jetstream(nc, { timeout: options.timeoutMs ?? 5_000 })).create(
          names.leaseBucket,
          {
            history: 1,
            replicas: options.replicas ?? 1,
            timeout: options.timeoutMs ?? 5_000,
          },
        ),
    );
    return new Lease(kv, options);
  }

  /** The state after the last poll. */
  get state(): LeaseState {
    return this.#state;
  }

  /**
   * The key as the last successful read as a standby found it held (`undefined` before one,
   * after a failed read, or when it was missing or released): a caller that sees its
   * revision move knows the holder is renewing.
   */
  get observed(): LeaseObservation | undefined {
    return this.#observed;
  }

  /** The `now` of the last successful renewal or take-over (0 before one). */
  get renewedAt(): number {
    return this.#renewedAt;
  }

  /**
   * Renews (as the holder) or watches and maybe takes over (as a standby).
   *
   * @param now The current time in milliseconds, from a monotonic clock.
   * @returns The new state.
   */
  async poll(now: number): Promise<LeaseState> {
    if (this.#state.role === "active") {
      if (now - this.#renewedAt < this.#renewMs) return this.#state;
      const epoch = this.#state.epoch;
      try {
        this.#revision = await this.#kv.update(
          this.#key,
          encode({ holder: this.#holder, epoch, beat: ++this.#beat }),
          this.#revision,
        );
        this.#renewedAt = now;
      } catch (error) {
        if (isWrongSequence(error)) {
          this.#state = { role: "standby", holder: "", epoch };
          this.#seen = undefined;
        }
        // Otherwise JetStream did not answer: keep the lease, try again next poll.
      }
      return this.#state;
    }
    let entry;
    try {
      entry = await this.#kv.get(this.#key);
    } catch {
      this.#seen = undefined;
      this.#observed = undefined;
      this.#state = { role: "standby", holder: "", epoch: 0 };
      return this.#state;
    }
    this.#observed = undefined;
    if (entry === null || entry.operation !== "PUT") {
      return await this.#take(now, 0, entry?.revision ?? 0);
    }
    const value = decode(entry.value);
    this.#state = {
      role: "standby",
      holder: value.holder,
      epoch: value.epoch,
    };
    if (value.holder === "") {
      return await this.#take(now, value.epoch, entry.revision);
    }
    this.#observed = {
      holder: value.holder,
      revision: entry.revision,
      writtenAt: entry.created.getTime(),
    };
    if (this.#seen?.revision !== entry.revision) {
      this.#seen = { revision: entry.revision, since: now };
      return this.#state;
    }
    if (now - this.#seen.since < this.#ttlMs) return this.#state;
    return await this.#take(now, value.epoch, entry.revision);
  }

  /**
   * Gives the lease up (as the holder) so that a standby takes over at its next poll.
   *
   * @returns When the release is written, or at once when not the holder.
   */
  async release(): Promise<void> {
    if (this.#state.role !== "active") return;
    const epoch = this.#state.epoch;
    this.#state = { role: "standby", holder: "", epoch };
    try {
      await this.#kv.update(
        this.#key,
        encode({ holder: "", epoch, beat: this.#beat + 1 }),
        this.#revision,
      );
    } catch {
      // Taken already, or unreachable: a standby takes over after the ttl anyway.
    }
  }

  async #take(
    now: number,
    epoch: number,
    revision: number,
  ): Promise<LeaseState> {
    const next = Math.max(epoch + 1, this.#minEpoch());
    const data = encode({ holder: this.#holder, epoch: next, beat: 0 });
    try {
      this.#revision = revision === 0
        ? await this.#kv.create(this.#key, data)
        : await this.#kv.update(this.#key, data, revision);
    } catch {
      this.#seen = undefined;
      return this.#state; // another standby won, or JetStream did not answer
    }
    this.#beat = 0;
    this.#renewedAt = now;
    this.#seen = undefined;
    this.#observed = undefined;
    this.#state = { role: "active", epoch: next };
    return this.#state;
  }
}

/** Options for {@linkcode LeaseKeeper}. */
export interface LeaseKeeperOptions {
  /** How often to poll. @default 250 */
  pollMs?: number;
  /** Called after every poll whose role or epoch differs from the one before. */
  onChange: (state: LeaseState) => void;
}

/**
 * Polls a {@linkcode Lease} on a timer with `performance.now()` until stopped.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const keeper = new LeaseKeeper(lease, { onChange: (s) => console.log(s) });
 * keeper.start();
 * ```
 */
export class LeaseKeeper {
  readonly #lease: Lease;
  readonly #pollMs: number;
  readonly #onChange: (state: LeaseState) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  /**
   * @param lease The lease.
   * @param options The poll interval and the listener.
   */
  constructor(lease: Lease, options: LeaseKeeperOptions) {
    this.#lease = lease;
    this.#pollMs = options.pollMs ?? 250;
    this.#onChange = options.onChange;
  }

  /** Starts polling (the first poll is immediate). */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#tick();
  }

  /** Stops polling and waits for a poll under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  #tick(): void {
    this.#timer = undefined;
    const before = this.#lease.state;
    this.#running = this.#lease.poll(performance.now()).then((state) => {
      if (state.role !== before.role || state.epoch !== before.epoch) {
        this.#onChange(state);
      }
    }).finally(() => {
      this.#running = undefined;
      if (!this.#stopped) {
        this.#timer = setTimeout(() => this.#tick(), this.#pollMs);
      }
    });
  }
}

function encode(value: LeaseValue): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function decode(bytes: Uint8Array): LeaseValue {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    return {
      holder: String(value.holder ?? ""),
      epoch: Number(value.epoch ?? 0),
      beat: Number(value.beat ?? 0),
    };
  } catch {
    return { holder: "", epoch: 0, beat: 0 };
  }
}

function isWrongSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === 10071;
}
