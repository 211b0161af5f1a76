/**
 * The engine's side of the inbound command stream: every gateway's command messages in the
 * stream's one total order, from a command cursor.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { OrderedFeed } from "./_ordered_feed.ts";
import type { CommandCursor } from "./log_writer.ts";
import { type VenueNames, venueNames } from "./names.ts";
import { decodeRecords } from "./records.ts";

/** The commands of one command-stream message still to process. */
export interface CommandBatch {
  /** Its command-stream sequence. */
  readonly seq: number;
  /** The subject it came on (`PREFIX.GATEWAY`). */
  readonly subject: string;
  /** Index of `commands[0]` within the message (non-zero only when resuming mid-message). */
  readonly first: number;
  /** How many commands the message holds in all. */
  readonly count: number;
  /** The commands, in the order the gateway sent them. */
  readonly commands: Uint8Array[];
}

/** Options for {@linkcode CommandReader.open}. */
export interface CommandReaderOptions {
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Resume here: the cursor of the log's last batch. @default { seq: 0, done: 0 } */
  from?: CommandCursor;
  /** Messages the ordered consumer asks for at once. @default 10_000 */
  maxMessages?: number;
  /**
   * How long one pull request lives; the server heartbeats at half of it, and two missed
   * heartbeats make the ordered consumer recreate itself (after a node failure). @default 2_000
   */
  expiresMs?: number;
  /** How long creating the consumer is retried. @default 60_000 */
  retryMs?: number;
}

/**
 * Yields command batches in stream order, starting from a cursor: message `from.seq` without
 * its first `from.done` commands (skipped entirely when none is left), then every later
 * message. An engine that stores the cursor of its last processed command in each log batch
 * and resumes from the log's last batch neither repeats nor skips a command across a
 * fail-over.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const commands = await CommandReader.open(nc, { from: reader.cursor });
 * for await (const batch of commands) process(batch);
 * ```
 */
export class CommandReader implements AsyncIterable<CommandBatch> {
  readonly #feed: OrderedFeed;
  readonly #from: CommandCursor;

  private constructor(feed: OrderedFeed, from: CommandCursor) {
    this.#feed = feed;
    this.#from = from;
  }

  /**
   * Starts an ordered consumer on the command stream at the cursor.
   *
   * @param nc A connection.
   * @param options Where to start, and tuning.
   * @returns The reader; iterate it once.
   * @throws {Error} The last JetStream error when no consumer could be made within `retryMs`.
   */
  static async open(
    nc: NatsConnection,
    options: CommandReaderOptions = {},
  ): Promise<CommandReader> {
    const names = options.names ?? venueNames();
    const from = options.from ?? { seq: 0, done: 0 };
    const start = Math.max(1, from.seq);
    const feed = await OrderedFeed.open(nc, names.commandStream, start, {
      maxMessages: options.maxMessages ?? 10_000,
      expiresMs: options.expiresMs ?? 2_000,
      retryMs: options.retryMs ?? 60_000,
    });
    return new CommandReader(feed, from);
  }

  /** Stops the consumer; iteration ends. */
  async close(): Promise<void> {
    await this.#feed.close();
  }

  /** How many times a stalled consumer was replaced (after a node failure). */
  get restarts(): number {
    return this.#feed.restarts;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<CommandBatch> {
    for await (const msg of this.#feed) {
      const all = decodeRecords(msg.data);
      const first = msg.seq === this.#from.seq ? this.#from.done : 0;
      if (first >= all.length) continue;
      yield {
        seq: msg.seq,
        subject: msg.subject,
        first,
        count: all.length,
        commands: first === 0 ? all : all.slice(first),
      };
    }
  }
}
