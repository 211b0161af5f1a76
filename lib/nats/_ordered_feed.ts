/**
 * A stream's messages in order from a sequence, through an ordered consumer that is replaced
 * whenever it stops making progress while the stream has more.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { retryAdmin } from "./venue.ts";

/** Options for {@linkcode OrderedFeed}. */
export interface OrderedFeedOptions {
  /** Messages the ordered consumer asks for at once. */
  maxMessages: number;
  /**
   * The heartbeat period of a pull request is half of it, and the watchdog replaces a
   * consumer that left a message in the stream undelivered for half of it (see
   * {@linkcode OrderedFeed}). Pull requests themselves live {@linkcode PULL_EXPIRES_MS}.
   */
  expiresMs: number;
  /** How long creating a consumer is retried. */
  retryMs: number;
}

/**
 * How long one pull request lives. nats-server 2.9.10 sometimes loses the pull request the
 * library sends the moment the previous one expired (measured: no message, no heartbeat, no
 * 408 for it), and the consumer then stalls until the library misses two heartbeats; with
 * 2-second requests that hit a paced load every few seconds (a 2 s stall). Long requests make
 * the expiry, and with it the race, rare; heartbeats and the watchdog still come every
 * `expiresMs / 2`.
 */
export const PULL_EXPIRES_MS = 30_000;

/**
 * The library's ordered consumer recreates itself after missed heartbeats, but after a
 * reconnect it first asks for its consumer's info and waits for an answer; when that consumer
 * lived on a node that was killed, no answer comes until the node returns. So a watchdog
 * checks every `expiresMs / 4`: when the caller has been waiting for the next message for
 * `expiresMs / 2` although the stream's last sequence is at or past it, it stops that consumer
 * and starts a new one at the next sequence. Messages are never repeated or skipped: anything below the next
 * expected sequence is ignored.
 */
export class OrderedFeed implements AsyncIterable<JsMsg> {
  readonly #nc: NatsConnection;
  readonly #stream: string;
  readonly #options: OrderedFeedOptions;
  #next: number;
  #current: ConsumerMessages | undefined;
  #iterating = false;
  #closed = false;
  #waitingSince: number | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #checking: Promise<void> | undefined;
  #restarts = 0;

  private constructor(
    nc: NatsConnection,
    stream: string,
    start: number,
    options: OrderedFeedOptions,
  ) {
    this.#nc = nc;
    this.#stream = stream;
    this.#next = start;
    this.#options = options;
  }

  /** Opens the first consumer at `start` (retried for `retryMs`). */
  static async open(
    nc: NatsConnection,
    stream: string,
    start: number,
    options: OrderedFeedOptions,
  ): Promise<OrderedFeed> {
    const feed = new OrderedFeed(nc, stream, Math.max(1, start), options);
    feed.#current = await feed.#consume();
    feed.#timer = setInterval(
      () => feed.#watch(),
      Math.max(50, options.expiresMs / 4),
    );
    return feed;
  }

  /** How many times the watchdog replaced a stalled consumer. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Stops; iteration ends. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#checking;
    const current = this.#current;
    if (current === undefined) return;
    const closed = current.close();
    if (!this.#iterating) {
      // The consumer's iterator only finishes once iterated: run it to its end.
      for await (const _ of current) {
        // stopped: nothing more comes
      }
      await closed;
    } else if (this.#waitingSince !== undefined) {
      await closed; // the loop is pulling: it sees the end now
    }
    // Otherwise the caller is holding a message: the loop ends when it pulls again.
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JsMsg> {
    this.#iterating = true;
    while (!this.#closed) {
      const current = this.#current!;
      const messages = current[Symbol.asyncIterator]();
      try {
        while (true) {
          this.#waitingSince = performance.now();
          const next = await messages.next();
          this.#waitingSince = undefined;
          if (next.done === true) break;
          const msg = next.value;
          if (msg.seq < this.#next) continue;
          this.#next = msg.seq + 1;
          yield msg;
        }
      } catch (error) {
        if (this.#closed) return;
        if (this.#current === current) throw error;
      } finally {
        this.#waitingSince = undefined;
        // Also when the caller stops iterating early: end the consumer's iterator.
        await messages.return?.();
      }
      if (this.#closed || this.#current !== current) continue;
      // It ended by itself: open the next one.
      this.#current = await this.#consume();
    }
  }

  #consume(retryMs = this.#options.retryMs): Promise<ConsumerMessages> {
    const start = this.#next;
    return retryAdmin(retryMs, async () => {
      const consumer = await jetstream(this.#nc).consumers.get(this.#stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: start,
      });
      return await consumer.consume({
        max_messages: this.#options.maxMessages,
        expires: Math.max(PULL_EXPIRES_MS, this.#options.expiresMs),
        idle_heartbeat: Math.max(500, this.#options.expiresMs / 2),
      });
    });
  }

  #stalled(): boolean {
    return this.#waitingSince !== undefined &&
      performance.now() - this.#waitingSince >= this.#options.expiresMs / 2;
  }

  #watch(): void {
    if (this.#checking !== undefined || this.#closed || !this.#stalled()) {
      return;
    }
    this.#checking = (async () => {
      try {
        const jsm = await jetstreamManager(this.#nc, {
          checkAPI: false,
          timeout: this.#options.expiresMs,
        });
        const info = await jsm.streams.info(this.#stream);
        if (this.#closed || info.state.last_seq < this.#next) return;
        if (!this.#stalled()) return;
        // Waiting in vain with messages in the stream: replace the consumer.
        this.#restarts++;
        const fresh = await this.#consume(0);
        if (this.#closed) {
          fresh.stop();
          return;
        }
        const stalled = this.#current;
        this.#current = fresh;
        stalled?.stop();
      } catch {
        // JetStream not answering yet: look again next period.
      } finally {
        this.#checking = undefined;
      }
    })();
  }
}
