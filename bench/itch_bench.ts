/**
 * ITCH benchmarks, each group against a JSON baseline in the same run:
 *
 * - **decode + rebuild**: a client reading a day's feed: `BookBuilder.applyFrames` over the
 *   day as a SoupBin file (uint16 length + message, the ITCH log and MoldUDP64 layout),
 *   rebuilding every book from an empty builder, against `JSON.parse` of the same messages
 *   as NDJSON lines (one object a message, Order and Match Numbers as decimal strings, as
 *   `--json` prints them), which only parses and rebuilds nothing. `decodeItch` to objects
 *   is shown too.
 * - **feed generator**: `FeedGenerator.marketEvent` over the day's market events, writing
 *   each message into a `MessageLog` as the server would, against `JSON.stringify` of the
 *   same events.
 *
 * The day is made by the real `Matcher` from a seeded flow on four orderbooks: Day orders
 * around the touch (a third of them crossing), Immediate orders, cancels and replaces of
 * resting orders, 100 µs apart. Every bench processes the whole day per iteration; the
 * count is in its name, so messages (or events) per second = count / time per iteration.
 *
 * Run: `deno task bench:itch` (`deno bench --allow-read bench/itch_bench.ts`). The day is
 * made in `_itch_day.ts`; `itch_rebuild_bench.ts --ref DIR` runs the decode + rebuild
 * against another checkout's in alternated rounds and reports ns per message and the ratio.
 *
 * @module
 */

import { BookBuilder } from "../lib/itch/book_builder.ts";
import { FeedGenerator } from "../lib/itch/feed_generator.ts";
import { decodeItch } from "../lib/itch/message.ts";
import { MessageLog } from "../lib/session/message_log.ts";
import { COMMANDS, framesOf, makeDay, NINE, REFERENCE } from "./_itch_day.ts";

const { events, log } = makeDay();
const count = log.length;

/** The day as a SoupBin file. */
const file = framesOf(log);
const views = Array.from({ length: count }, (_, i) => log.message(i + 1));

/** JSON cannot hold a bigint: decimal strings, as the client's `--json` prints them. */
function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? String(value) : value;
}
const lines = views.map((bytes) => JSON.stringify(decodeItch(bytes), replacer));

// A check that the day is what the benches claim: the rebuilt books hold orders.
const check = new BookBuilder();
check.applyFrames(file);
if (check.orderCount === 0 || events.length < COMMANDS / 2) {
  throw new Error("Cannot run the ITCH bench as the day made no book");
}

/** Results are summed here so that no benchmarked call can be optimized away. */
export let sink = 0;

const decodeGroup = `decode + rebuild, ${count} messages`;

Deno.bench(`JSON.parse of NDJSON ×${count}`, {
  group: decodeGroup,
  baseline: true,
}, () => {
  let total = 0;
  for (let i = 0; i < count; i++) total += JSON.parse(lines[i]!).type.length;
  sink += total;
});

Deno.bench(`BookBuilder.applyFrames (decode + rebuild) ×${count}`, {
  group: decodeGroup,
}, () => {
  const builder = new BookBuilder();
  sink += builder.applyFrames(file);
});

Deno.bench(`decodeItch to objects ×${count}`, { group: decodeGroup }, () => {
  let total = 0;
  for (let i = 0; i < count; i++) total += decodeItch(views[i]!).type.length;
  sink += total;
});

const generatorGroup = `feed generator, ${events.length} market events`;

Deno.bench(`JSON.stringify of the events ×${events.length}`, {
  group: generatorGroup,
  baseline: true,
}, () => {
  let total = 0;
  for (let i = 0; i < events.length; i++) {
    total += JSON.stringify(events[i], replacer).length;
  }
  sink += total;
});

Deno.bench(`FeedGenerator.marketEvent into a MessageLog ×${events.length}`, {
  group: generatorGroup,
}, () => {
  const out = new MessageLog();
  const feed = new FeedGenerator(out, REFERENCE);
  feed.startOfDay(NINE);
  for (let i = 0; i < events.length; i++) feed.marketEvent(events[i]!);
  sink += feed.sequenceNumber;
});

Deno.bench(`FeedGenerator.marketEvent into a null sink ×${events.length}`, {
  group: generatorGroup,
}, () => {
  const feed = new FeedGenerator({ append() {} }, REFERENCE);
  feed.startOfDay(NINE);
  for (let i = 0; i < events.length; i++) feed.marketEvent(events[i]!);
  sink += feed.sequenceNumber;
});
