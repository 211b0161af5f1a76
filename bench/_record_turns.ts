/**
 * Bench helper: records an exchange's delivered batches turn by turn while it takes `count`
 * orders in turns of 40 (a drain after each), for `--replay` runs that hand the same
 * batches to a feed without the exchange.
 *
 * @module
 */
import type { InboundMessage } from "../lib/codec/messages.ts";
import type { RecordBatch } from "../lib/exchange/mod.ts";
import type { MarketEvent } from "../lib/matcher/market_event.ts";

/** One recorded batch: its bytes (a copy) and its market events. */
export interface RecordedBatch {
  bytes: Uint8Array;
  events: MarketEvent[];
}

/** What of an exchange the recording uses (any checkout's `Exchange`). */
export interface RecordableExchange {
  subscribe(subscriber: { delivered(batch: RecordBatch): void }): unknown;
  drain(): Promise<unknown>;
  submit(username: string, message: InboundMessage, timestamp: number): unknown;
}

/**
 * Submits `count` orders from `demo1`, 1 µs apart from `start`, draining every 40.
 *
 * @returns The batches of each turn, in order.
 */
export async function recordTurns(
  exchange: RecordableExchange,
  count: number,
  order: (token: number) => InboundMessage,
  start: number,
): Promise<RecordedBatch[][]> {
  const turns: RecordedBatch[][] = [[]];
  exchange.subscribe({
    delivered: (batch) =>
      turns.at(-1)!.push({
        bytes: batch.bytes.slice(),
        events: [...batch.events],
      }),
  });
  await exchange.drain();
  for (let token = 1; token <= count; token++) {
    exchange.submit("demo1", order(token), start + token * 1000);
    if (token % 40 === 0) {
      await exchange.drain();
      turns.push([]);
    }
  }
  await exchange.drain();
  return turns;
}
