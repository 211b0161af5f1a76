/**
 * A gateway's hold on its host id: one {@linkcode Lease} per host id (key `host.ID` in the
 * venue's lease bucket), so that a second process started with the id of a live gateway
 * refuses to start instead of ending that gateway's sessions, a process restarted after
 * kill -9 takes the id once its predecessor has stopped renewing, and a gateway that lost
 * its id (stalled while another process took it) sends nothing more under it.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { Lease } from "./lease.ts";
import type { VenueNames } from "./names.ts";

/** Options for {@linkcode GatewayLease.acquire}. */
export interface GatewayLeaseOptions {
  /** The host id (letters, digits, `-` and `_`, as a command subject token). */
  host: string;
  /** Who this process is, for another process's refusal (e.g. `pid 12 on box`). */
  holder: string;
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Replicas of the lease bucket. @default 1 */
  replicas?: number;
  /** How often the holder renews. @default 1_000 */
  renewMs?: number;
  /**
   * How long a newcomer must see the holder's key unchanged before it takes the id; keep it
   * under the engine's host timeout (5 s). @default 3_000
   */
  ttlMs?: number;
  /** How often to poll (renew when due, or read as a newcomer). @default 250 */
  pollMs?: number;
  /** How long to keep trying while JetStream does not answer. @default 60_000 */
  giveUpMs?: number;
  /** Called once when the id is held and the newcomer waits to see whether it is renewed. */
  waiting?: (holder: string, renewedAgoMs: number) => void;
}

/**
 * A live gateway holds the host id a process asked for: the process must not start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HostIdInUseError } from "./gateway_lease.ts";
 *
 * const error = new HostIdInUseError("gw1", "pid 7 on box", 400);
 * assert.equal(error.name, "HostIdInUseError");
 * assert.match(error.message, /^Cannot start a gateway with --host-id "gw1": /);
 * ```
 */
export class HostIdInUseError extends Error {
  /**
   * @param host The host id.
   * @param holder Who holds it, as it described itself.
   * @param renewedAgoMs How long ago it last renewed, as far as this process can tell.
   */
  constructor(
    readonly host: string,
    readonly holder: string,
    readonly renewedAgoMs: number,
  ) {
    super(
      `Cannot start a gateway with --host-id "${host}": a live gateway holds it (${holder}, renewed ${
        (Math.max(0, renewedAgoMs) / 1000).toFixed(1)
      } s ago); give this one another --host-id, or stop the other first`,
    );
    this.name = "HostIdInUseError";
  }
}

/**
 * The host id's lease, renewed on a timer while the gateway runs; see the module
 * documentation.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const lease = await GatewayLease.acquire(nc, { host: "gw1", holder: "pid 7" });
 * const publisher = new CommandPublisher(nc, { gatewayId: "gw1", gate: lease.gate });
 * lease.lost.then((why) => stop(why));
 * ```
 */
export class GatewayLease {
  readonly #lease: Lease;
  readonly #host: string;
  readonly #pollMs: number;
  readonly #freshMs: number;
  #chain: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sleeps = new Set<{ timer: ReturnType<typeof setTimeout>; wake(): void }>();
  #closed = false;
  readonly #lost = Promise.withResolvers<string>();
  #lostReason: string | undefined;

  private constructor(lease: Lease, options: GatewayLeaseOptions) {
    this.#lease = lease;
    this.#host = options.host;
    this.#pollMs = options.pollMs ?? 250;
    // A newcomer takes the id no sooner than ttl after the holder's last renewal was sent:
    // younger than ttl - renew, the hold is certain.
    this.#freshMs = (options.ttlMs ?? 3_000) - (options.renewMs ?? 1_000);
  }

  /**
   * Takes the host id: at once when nobody holds it (or its holder released it), after
   * `ttlMs` of seeing it unchanged when its holder stopped renewing (kill -9).
   *
   * @param nc A connection.
   * @param options The host id, who this is, and the timings.
   * @returns The held lease, renewing.
   * @throws {HostIdInUseError} When the holder renewed while this process watched.
   * @throws {Error} When JetStream did not answer for `giveUpMs`.
   */
  static async acquire(
    nc: NatsConnection,
    options: GatewayLeaseOptions,
  ): Promise<GatewayLease> {
    const lease = await Lease.open(nc, {
      holder: options.holder,
      key: `host.${options.host}`,
      ...(options.names === undefined ? {} : { names: options.names }),
      replicas: options.replicas ?? 1,
      renewMs: options.renewMs ?? 1_000,
      ttlMs: options.ttlMs ?? 3_000,
    });
    const pollMs = options.pollMs ?? 250;
    const start = performance.now();
    let answered = start;
    let first: { revision: number } | undefined;
    while (true) {
      const now = performance.now();
      const state = await lease.poll(now);
      if (state.role === "active") break;
      const seen = lease.observed;
      if (seen !== undefined) {
        answered = now;
        if (first === undefined) {
          first = seen;
          options.waiting?.(seen.holder, Date.now() - seen.writtenAt);
        } else if (seen.revision !== first.revision) {
          throw new HostIdInUseError(
            options.host,
            seen.holder,
            Date.now() - seen.writtenAt,
          );
        }
      }
      if (now - answered > (options.giveUpMs ?? 60_000)) {
        throw new Error(
          `Cannot take the host id "${options.host}": JetStream did not answer for ${
            Math.round(now - answered)
          } ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    const held = new GatewayLease(lease, options);
    held.#schedule();
    return held;
  }

  /** Resolves with why, once another process took the host id from this one. */
  get lost(): Promise<string> {
    return this.#lost.promise;
  }

  /** Whether the id is still this process's (false once lost or closed). */
  get holds(): boolean {
    return this.#lostReason === undefined && !this.#closed;
  }

  /**
   * A {@linkcode CommandPublisher} gate: `true` while the last renewal is recent enough that
   * nobody can have taken the id; otherwise (a stalled process that just woke up) a promise
   * of the next renewal's outcome: `true` when it is still held, `false` when it was lost.
   */
  readonly gate = (): true | Promise<boolean> => {
    if (
      this.holds &&
      performance.now() - this.#lease.renewedAt < this.#freshMs
    ) {
      return true;
    }
    return this.#confirm();
  };

  /**
   * Stops renewing, and gives the id up when still held, so that a restart takes it at once.
   *
   * @returns When the release is written (or failed).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const held = this.holds;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const sleep of this.#sleeps) {
      clearTimeout(sleep.timer);
      sleep.wake();
    }
    await this.#chain;
    if (held) await this.#lease.release();
  }

  async #confirm(): Promise<boolean> {
    while (this.holds) {
      await this.#poll();
      if (!this.holds) break;
      if (performance.now() - this.#lease.renewedAt < this.#freshMs) {
        return true;
      }
      await new Promise<void>((wake) => {
        const sleep = {
          timer: setTimeout(() => {
            this.#sleeps.delete(sleep);
            wake();
          }, this.#pollMs),
          wake,
        };
        this.#sleeps.add(sleep);
      });
    }
    return false;
  }

  /** One poll of the lease, after any under way (two at once would refuse each other). */
  #poll(): Promise<unknown> {
    this.#chain = this.#chain.then(async () => {
      if (!this.holds) return;
      const before = this.#lease.renewedAt;
      const state = await this.#lease.poll(performance.now()).catch(() =>
        this.#lease.state
      );
      if (state.role !== "active") {
        this.#lostReason =
          `another process took the host id "${this.#host}": this one's renewal was refused ${
            ((performance.now() - before) / 1000).toFixed(1)
          } s after its last one`;
        this.#lost.resolve(this.#lostReason);
      }
    });
    return this.#chain;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#poll().then(() => {
        if (this.holds) this.#schedule();
      });
    }, this.#pollMs);
  }
}
