/**
 * Gap and duplicate detection for a client that joins the feed: after a snapshot current to
 * sequence number N, the live feed is applied from N + 1, each message once, in order, and
 * missing ones are asked for.
 *
 * @module
 */

/** Options of a {@linkcode FeedSequencer}. */
export interface FeedSequencerOptions {
  /**
   * The sequence number of the first message to deliver: 1 for a whole day, N + 1 after a
   * snapshot's End of Snapshot N.
   *
   * @default {1}
   */
  nextSequenceNumber?: number;
  /**
   * The most messages one request asks for (a MoldUDP64 request's count is a uint16).
   *
   * @default {65535}
   */
  maxRequestCount?: number;
  /**
   * How long to wait before asking again for the same missing messages, in the unit of the
   * times passed to {@linkcode FeedSequencer.request} (milliseconds, say).
   *
   * @default {1000}
   */
  retryAfter?: number;
  /**
   * The most early messages kept while waiting for a gap to fill; messages further ahead are
   * dropped and will be asked for later.
   *
   * @default {100000}
   */
  maxPending?: number;
}

/** A run of missing messages. */
export interface FeedGap {
  /** The first missing sequence number. */
  readonly sequenceNumber: number;
  /** How many are missing from it, within the request limit. */
  readonly messageCount: number;
}

/**
 * Puts a live feed in order: {@linkcode FeedSequencer.receive} takes each message with its
 * sequence number and returns the messages that can now be applied, in order. A message
 * already delivered or already waiting is a duplicate and is dropped; one that comes early
 * waits until the gap before it fills. {@linkcode FeedSequencer.announce} takes what the
 * server says exists (a MoldUDP64 heartbeat's or end of session's sequence number, a
 * packet's last message), so a gap at the end of the feed is seen too.
 * {@linkcode FeedSequencer.request} says what to ask the re-request server for, at most once
 * per `retryAfter` for the same gap. Pure: no clock, no I/O.
 *
 * Messages are kept as given: copy bytes the transport will reuse before passing them.
 *
 * @typeParam T What a message is (bytes, a decoded object).
 *
 * @example Join after a snapshot current to 10; message 12 comes before 11
 * ```ts
 * import { FeedSequencer } from "./feed_sequencer.ts";
 * import assert from "node:assert/strict";
 *
 * const feed = new FeedSequencer<string>({ nextSequenceNumber: 11 });
 * assert.deepEqual(feed.receive(9, "old"), []);
 * assert.deepEqual(feed.receive(12, "twelve"), []);
 * assert.deepEqual(feed.request(0), { sequenceNumber: 11, messageCount: 1 });
 * assert.equal(feed.request(500), null);
 * assert.deepEqual(feed.receive(11, "eleven"), ["eleven", "twelve"]);
 * assert.equal(feed.nextSequenceNumber, 13);
 * assert.equal(feed.duplicates, 1);
 * ```
 */
export class FeedSequencer<T> {
  #next: number;
  readonly #maxRequestCount: number;
  readonly #retryAfter: number;
  readonly #maxPending: number;
  readonly #pending = new Map<number, T>();
  /** The highest sequence number known to exist. */
  #known: number;
  #duplicates = 0;
  #dropped = 0;
  /** The first sequence number of the latest request and when it was made. */
  #requested = -1;
  #requestedAt = -Infinity;

  /**
   * Creates a sequencer.
   *
   * @param options The first sequence number to deliver and the request limits.
   * @throws {RangeError} If an option is not a positive integer (`retryAfter`: not a
   * non-negative number).
   */
  constructor(options: FeedSequencerOptions = {}) {
    const next = options.nextSequenceNumber ?? 1;
    const maxRequestCount = options.maxRequestCount ?? 0xffff;
    const retryAfter = options.retryAfter ?? 1000;
    const maxPending = options.maxPending ?? 100_000;
    for (
      const [name, value] of [
        ["nextSequenceNumber", next],
        ["maxRequestCount", maxRequestCount],
        ["maxPending", maxPending],
      ] as const
    ) {
      if (!(Number.isSafeInteger(value) && value >= 1)) {
        throw new RangeError(
          `Cannot create feed sequencer as ${name} must be a positive safe integer: current value is ${value}`,
        );
      }
    }
    if (!(retryAfter >= 0)) {
      throw new RangeError(
        `Cannot create feed sequencer as retryAfter must be a non-negative number: current value is ${retryAfter}`,
      );
    }
    this.#next = next;
    this.#known = next - 1;
    this.#maxRequestCount = maxRequestCount;
    this.#retryAfter = retryAfter;
    this.#maxPending = maxPending;
  }

  /** The sequence number of the next message to deliver. */
  get nextSequenceNumber(): number {
    return this.#next;
  }

  /** Messages dropped because they were delivered or waiting already. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Early messages dropped because too many were waiting. */
  get dropped(): number {
    return this.#dropped;
  }

  /** How many early messages wait for a gap to fill. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** The highest sequence number known to exist (delivered, waiting or announced). */
  get knownSequenceNumber(): number {
    return this.#known;
  }

  /**
   * The missing messages before the first one waiting (or up to the highest announced),
   * from the next to deliver; `null` when nothing is missing.
   */
  get gap(): FeedGap | null {
    const next = this.#next;
    if (this.#known < next) return null;
    let last = this.#known;
    for (const waiting of this.#pending.keys()) {
      if (waiting <= last) last = waiting - 1;
    }
    return {
      sequenceNumber: next,
      messageCount: Math.min(last - next + 1, this.#maxRequestCount),
    };
  }

  /**
   * Takes one message.
   *
   * @param sequenceNumber Its sequence number.
   * @param message The message.
   * @returns The messages that can be applied now, in order (this one and any that waited
   * behind it); empty for a duplicate or an early message.
   * @throws {RangeError} If `sequenceNumber` is not a positive safe integer.
   */
  receive(sequenceNumber: number, message: T): T[] {
    if (!(Number.isSafeInteger(sequenceNumber) && sequenceNumber >= 1)) {
      throw new RangeError(
        `Cannot receive a message as its sequence number must be a positive safe integer: current value is ${sequenceNumber}`,
      );
    }
    const next = this.#next;
    if (sequenceNumber > this.#known) this.#known = sequenceNumber;
    if (sequenceNumber < next || this.#pending.has(sequenceNumber)) {
      this.#duplicates++;
      return [];
    }
    if (sequenceNumber > next) {
      if (sequenceNumber - next > this.#maxPending) this.#dropped++;
      else this.#pending.set(sequenceNumber, message);
      return [];
    }
    const ready = [message];
    let n = next + 1;
    const pending = this.#pending;
    while (pending.size > 0) {
      const waiting = pending.get(n);
      if (waiting === undefined) break;
      pending.delete(n);
      ready.push(waiting);
      n++;
    }
    this.#next = n;
    return ready;
  }

  /**
   * Takes what the server says exists: every message before `nextSequenceNumber` has been
   * sent (a MoldUDP64 heartbeat or end of session carries it; for a downstream packet it is
   * the first sequence number plus the count).
   *
   * @param nextSequenceNumber The server's next sequence number.
   * @throws {RangeError} If it is not a positive safe integer.
   */
  announce(nextSequenceNumber: number): void {
    if (
      !(Number.isSafeInteger(nextSequenceNumber) && nextSequenceNumber >= 1)
    ) {
      throw new RangeError(
        `Cannot take the server's next sequence number as it must be a positive safe integer: current value is ${nextSequenceNumber}`,
      );
    }
    if (nextSequenceNumber - 1 > this.#known) {
      this.#known = nextSequenceNumber - 1;
    }
  }

  /**
   * What to ask the re-request server for now: the current gap, unless the same gap was
   * asked for less than `retryAfter` ago.
   *
   * @param now The current time, in the unit of `retryAfter`.
   * @returns The request to send, or `null`.
   *
   * @example A gap seen from a heartbeat
   * ```ts
   * import { FeedSequencer } from "./feed_sequencer.ts";
   * import assert from "node:assert/strict";
   *
   * const feed = new FeedSequencer<Uint8Array>({ retryAfter: 100 });
   * feed.announce(4);
   * assert.deepEqual(feed.request(0), { sequenceNumber: 1, messageCount: 3 });
   * assert.equal(feed.request(99), null);
   * assert.deepEqual(feed.request(100), { sequenceNumber: 1, messageCount: 3 });
   * ```
   */
  request(now: number): FeedGap | null {
    const gap = this.gap;
    if (gap === null) return null;
    if (
      gap.sequenceNumber === this.#requested &&
      now - this.#requestedAt < this.#retryAfter
    ) {
      return null;
    }
    this.#requested = gap.sequenceNumber;
    this.#requestedAt = now;
    return gap;
  }
}
