/**
 * Test helper: a venue without sockets for the load generator, the real matching engine
 * behind a fake clock, and a loop that drives a {@linkcode LoadGenerator} against it.
 *
 * @module
 */
import type { LoadGenerator } from "../../lib/client/load_generator.ts";
import {
  decodeInbound,
  encodeMessage,
  FrameReader,
  type InboundMessage,
  type OutboundMessage,
} from "../../lib/codec/mod.ts";
import { ALL_ACCOUNTS, Matcher } from "../../lib/matcher/mod.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

/** The matching engine with one account per session, fed the load's packets. */
export class LoadVenue {
  readonly matcher: Matcher;
  /** Every inbound message handled, per session, in order. */
  readonly inbound: InboundMessage[][];
  readonly #outbox: OutboundMessage[][];
  readonly #readers: FrameReader[];
  #timestamp = 1;

  constructor(sessions: number) {
    this.inbound = Array.from({ length: sessions }, () => []);
    this.#outbox = Array.from({ length: sessions }, () => []);
    this.#readers = Array.from({ length: sessions }, () => new FrameReader());
    this.matcher = new Matcher({
      message: (account, message) => {
        if (account === ALL_ACCOUNTS) {
          for (const outbox of this.#outbox) outbox.push(message);
        } else this.#outbox[account]!.push(message);
      },
      market: () => {},
    }, { tradingDate: "20261128" });
  }

  /**
   * Handles the packets a session wrote, in order.
   *
   * @returns The messages handled.
   */
  deliver(session: number, output: WriteBuffer): InboundMessage[] {
    const bytes = output.take();
    if (bytes === null) return [];
    const handled: InboundMessage[] = [];
    this.#readers[session]!.push(bytes, (type, payload) => {
      if (type !== 0x55) throw new TypeError(`Unexpected packet type ${type}`);
      handled.push(decodeInbound(payload));
    });
    output.release(bytes);
    for (const message of handled) {
      this.inbound[session]!.push(message);
      this.matcher.handle(session, message, this.#timestamp++);
    }
    return handled;
  }

  /** Takes the messages for a session since the last call. */
  take(session: number): OutboundMessage[] {
    return this.#outbox[session]!.splice(0);
  }

  /** Resting quantity on the book of `orderbookId`, both sides. */
  resting(orderbookId = "7203"): number {
    const depth = this.matcher.depth(orderbookId, 1_000_000);
    return [...depth?.bids ?? [], ...depth?.asks ?? []].reduce(
      (sum, level) => sum + level.quantity,
      0,
    );
  }
}

/** How {@linkcode driveLoad} runs. */
export interface DriveOptions {
  /** The fake clock's step in ms: each step sends, then delivers the answers. @default {0.25} */
  stepMs?: number;
  /** Feed the answers as bytes instead of decoded messages. @default {false} */
  bytes?: boolean;
  /** Give up after this many steps. @default {100000} */
  maxSteps?: number;
  /** Called after each step with the fake time. */
  afterStep?: (nowMs: number) => void;
}

/**
 * Runs `load` against `venue` on a fake clock until it finishes: every step each session
 * sends what is due (stamped as written at once), the venue handles it, and the answers are
 * read one step later; then the time advances and the load ticks.
 *
 * @returns The fake time at the end.
 */
export function driveLoad(
  load: LoadGenerator,
  venue: LoadVenue,
  options: DriveOptions = {},
): number {
  const stepMs = options.stepMs ?? 0.25;
  const maxSteps = options.maxSteps ?? 100_000;
  const outputs = Array.from(
    { length: load.sessions },
    () => new WriteBuffer(),
  );
  let now = 0;
  load.start(now);
  for (let step = 0; step < maxSteps && !load.finished; step++) {
    for (let i = 0; i < load.sessions; i++) {
      load.send(i, now, outputs[i]!);
      load.written(i, now);
      venue.deliver(i, outputs[i]!);
    }
    now += stepMs;
    for (let i = 0; i < load.sessions; i++) {
      for (const message of venue.take(i)) {
        load.receive(
          i,
          options.bytes === true ? encodeMessage(message) : message,
          now,
        );
      }
      load.send(i, now, outputs[i]!);
      load.written(i, now);
      venue.deliver(i, outputs[i]!);
    }
    load.tick(now);
    options.afterStep?.(now);
  }
  if (!load.finished) throw new Error(`The load did not finish by ${now} ms`);
  return now;
}
