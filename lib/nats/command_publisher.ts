/**
 * A gateway's side of the inbound command stream: commands queued during one turn of the
 * event loop go out as one JetStream message, one message in flight at a time.
 *
 * @module
 */
import { headers, type NatsConnection, nuid } from "@nats-io/transport-node";
import { setImmediate } from "node:timers";
import { AckPublisher, type PublishResult } from "./_ack_publisher.ts";
import { JetStreamUnavailableError } from "./errors.ts";
import { HEADER_MSG_ID, type VenueNames, venueNames } from "./names.ts";
import { RECORD_PREFIX_LENGTH } from "./records.ts";

/** Options for {@linkcode CommandPublisher}. */
export interface CommandPublisherOptions {
  /** This gateway's id: letters, digits, `-` and `_`; its subject is `PREFIX.ID`. */
  gatewayId: string;
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Bound on one message's body; the rest waits for the next message. @default 262_144 */
  maxMessageBytes?: number;
  /** How long to wait for an acknowledgement before re-sending. @default 2_000 */
  ackTimeoutMs?: number;
  /** Called once per message that could not be acknowledged yet (it is re-sent). */
  onRetry?: (description: string) => void;
  /**
   * Asked before each message is sent: `true` sends it now; a promise holds it (commands
   * queued meanwhile join it) until it settles: `true` sends it, `false` revokes the
   * publisher: what is queued and everything sent later is dropped (`send()` does not
   * throw). A gateway passes its host-id lease's check here (`GatewayLease.gate`).
   * @default () => true
   */
  gate?: () => true | Promise<boolean>;
}

/**
 * Publishes a gateway's inbound commands to the command stream, in order.
 *
 * `send()` queues a command; at the end of the current turn of the event loop (after the
 * input that the turn read from every socket, not after the first one) everything
 * queued goes out as one message (up to `maxMessageBytes`), with `Nats-Msg-Id`
 * `GATEWAY.INCARNATION.N`. Only one message is in flight: while it waits for its
 * acknowledgement, new commands gather for the next one, so a busy gateway sends larger
 * messages, not more. A message that is not acknowledged is re-sent with the same id until
 * it is; because nothing later is sent meanwhile, one gateway's commands (and so one
 * account's, as an account's session sits on one gateway) keep their order in the stream
 * even across a stream-leader fail-over.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const publisher = new CommandPublisher(nc, { gatewayId: "g1" });
 * publisher.send(enterOrderBytes);
 * await publisher.flushed();
 * ```
 */
export class CommandPublisher {
  readonly #subject: string;
  readonly #idPrefix: string;
  readonly #maxMessageBytes: number;
  readonly #publisher: AckPublisher;
  readonly #onRetry: ((description: string) => void) | undefined;
  readonly #gate: (() => true | Promise<boolean>) | undefined;
  /**
   * The queued commands as the message body holds them (each after its length): written
   * once, where they will be sent from, not one buffer per command.
   */
  #buffer = new Uint8Array(16 * 1024);
  /** Where each queued command's record ends in `#buffer`. */
  #ends: number[] = [];
  #queuedBytes = 0;
  #scheduled = false;
  #busy = false;
  #count = 0;
  #lastSeq = 0;
  #closed = false;
  #revoked = false;
  #idle: (() => void)[] = [];
  #sleep:
    | { timer: ReturnType<typeof setTimeout>; wake: () => void }
    | undefined;

  /**
   * @param nc A connection.
   * @param options The gateway id and limits.
   * @throws {RangeError} When the gateway id is not a valid subject token.
   */
  constructor(nc: NatsConnection, options: CommandPublisherOptions) {
    if (!/^[A-Za-z0-9_-]+$/.test(options.gatewayId)) {
      throw new RangeError(
        `Cannot publish commands as the gateway id must be letters, digits, "-" or "_": current id is "${options.gatewayId}"`,
      );
    }
    const names = options.names ?? venueNames();
    this.#subject = `${names.commandSubjectPrefix}.${options.gatewayId}`;
    this.#idPrefix = `${options.gatewayId}.${nuid.next()}.`;
    this.#maxMessageBytes = options.maxMessageBytes ?? 256 * 1024;
    this.#publisher = new AckPublisher(nc, options.ackTimeoutMs ?? 2_000);
    this.#onRetry = options.onRetry;
    this.#gate = options.gate;
  }

  /** Whether the gate revoked the publisher: everything sent is dropped. */
  get revoked(): boolean {
    return this.#revoked;
  }

  /** Commands queued and not yet acknowledged by the stream. */
  get pending(): number {
    return this.#ends.length;
  }

  /** Bytes of the commands queued and not yet acknowledged (with their length prefixes). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Command-stream sequence of the last acknowledged message (0 before the first). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Queues one command for this turn's message.
   *
   * @param command The command's bytes (copied).
   * @throws {RangeError} When the command alone exceeds `maxMessageBytes`.
   * @throws {JetStreamUnavailableError} After `close()`.
   */
  send(command: Uint8Array): void {
    this.sendEncoded(command.length, (bytes, at) => bytes.set(command, at));
  }

  /**
   * Queues one command that `write` puts in place, so that no buffer is made for it alone.
   *
   * @param length The command's length in bytes.
   * @param write Called at once with where the command's `length` bytes go: `bytes[at]` on.
   * @throws {RangeError} When the command alone exceeds `maxMessageBytes`.
   * @throws {JetStreamUnavailableError} After `close()`.
   */
  sendEncoded(
    length: number,
    write: (bytes: Uint8Array, at: number) => void,
  ): void {
    if (this.#revoked) return;
    if (this.#closed) {
      throw new JetStreamUnavailableError(
        "Cannot send a command: the publisher is closed",
      );
    }
    const bytes = RECORD_PREFIX_LENGTH + length;
    if (bytes > this.#maxMessageBytes) {
      throw new RangeError(
        `Cannot send a command as it must fit in ${this.#maxMessageBytes} bytes: it needs ${bytes}`,
      );
    }
    const start = this.#queuedBytes;
    if (start + bytes > this.#buffer.length) {
      const grown = new Uint8Array(
        Math.max(start + bytes, this.#buffer.length * 2),
      );
      grown.set(this.#buffer.subarray(0, start));
      this.#buffer = grown;
    }
    const buffer = this.#buffer;
    buffer[start] = length >>> 24;
    buffer[start + 1] = (length >>> 16) & 0xff;
    buffer[start + 2] = (length >>> 8) & 0xff;
    buffer[start + 3] = length & 0xff;
    write(buffer, start + RECORD_PREFIX_LENGTH);
    this.#ends.push(start + bytes);
    this.#queuedBytes += bytes;
    if (!this.#scheduled && !this.#busy) {
      this.#scheduled = true;
      // At the end of the turn: every session's input read in this turn goes in one message.
      setImmediate(() => {
        this.#scheduled = false;
        this.#next();
      });
    }
  }

  /** Resolves once every command sent so far is acknowledged (or the publisher closed). */
  flushed(): Promise<void> {
    if (this.#ends.length === 0 || this.#closed) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#idle.push(resolve);
    return promise;
  }

  /** Stops; commands not yet acknowledged are abandoned (a client re-sends them). */
  close(): void {
    this.#closed = true;
    if (this.#sleep !== undefined) {
      clearTimeout(this.#sleep.timer);
      this.#sleep.wake();
    }
    this.#publisher.close();
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #next(): Promise<void> {
    if (this.#busy || this.#closed || this.#ends.length === 0) return;
    this.#busy = true;
    const gate = this.#gate?.();
    if (gate !== undefined && gate !== true) {
      const open = await gate;
      if (this.#closed) return;
      if (!open) {
        this.#revoked = true;
        this.#ends = [];
        this.#queuedBytes = 0;
        this.close();
        return;
      }
    }
    let take = 0;
    let size = 0;
    for (const end of this.#ends) {
      if (end > this.#maxMessageBytes) break;
      size = end;
      take++;
    }
    const data = this.#buffer.slice(0, size);
    const h = headers();
    h.set(HEADER_MSG_ID, `${this.#idPrefix}${++this.#count}`);
    let pause = 20;
    while (!this.#closed) {
      const result: PublishResult = await this.#publisher.publish(
        this.#subject,
        data,
        h,
      );
      if (result.kind === "ack") {
        this.#lastSeq = result.seq;
        break;
      }
      this.#onRetry?.(
        result.kind === "timeout"
          ? "no acknowledgement in time"
          : result.description,
      );
      if (result.kind !== "timeout") {
        await new Promise<void>((wake) => {
          const timer = setTimeout(() => {
            this.#sleep = undefined;
            wake();
          }, pause);
          this.#sleep = { timer, wake };
        });
        pause = Math.min(pause * 2, 1_000);
      }
    }
    if (this.#closed) return;
    // Drop what was sent: the commands queued meanwhile move to the front.
    this.#buffer.copyWithin(0, size, this.#queuedBytes);
    this.#ends = this.#ends.slice(take);
    for (let i = 0; i < this.#ends.length; i++) {
      this.#ends[i] = this.#ends[i]! - size;
    }
    this.#queuedBytes -= size;
    this.#busy = false;
    if (this.#ends.length === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    } else {
      this.#next();
    }
  }
}
