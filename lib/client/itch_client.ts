/**
 * `ouch client --itch`: reads the ITCH feed. Joins through the snapshot channel, then the
 * SoupBinTCP feed (or MoldUDP64 datagrams with gap requests) from the snapshot's sequence
 * number + 1, rebuilds every book, and prints the books (or one JSON object per message);
 * survives a server restart by reconnecting and resuming by sequence number (over
 * MoldUDP64: by asking for what was missed).
 *
 * @module
 */
import { hostPortFlag, integerFlag, parseFlags } from "../cli/flags.ts";
import { UsageError } from "../cli/usage_error.ts";
import {
  BookBuilder,
  decodeItch,
  FeedSequencer,
  type ItchVersion,
} from "../itch/mod.ts";
import { formatPrice, stringifyJson } from "../format/format.ts";
import { SoupBinTcpSocket } from "../net/soupbintcp_socket.ts";
import { ClientSession } from "../session/client_session.ts";
import type { ClientIo, ClientOutput } from "./client_io.ts";
import { ItchLiveView } from "./itch_view.ts";
import { MoldReader } from "./mold_reader.ts";

/** The help text of `ouch client --itch`. */
export const ITCH_CLIENT_HELP = `Usage: ouch client --itch [flags]

Reads the server's ITCH feed: the snapshot, then the live SoupBinTCP feed (or, with --mold,
MoldUDP64 datagrams); rebuilds every book and shows them (or each message with --json): on a
terminal, redrawn in place every second as the server's display draws its books (a ladder per
orderbook with orders, trades, a halt or the short-sell restriction; a status line with the
transport, the next sequence number and messages/s; colours unless NO_COLOR is set); to a pipe
or a file, a line per orderbook every second. Reconnects and resumes by sequence number when
the server restarts; over MoldUDP64 a lost datagram is asked for again from the re-request
server. Stops at the feed's End of Session (end of day), after --duration, or at Ctrl-C.

Flags:
  --host HOST             server address (default 127.0.0.1)
  --itch-port PORT        the server's ITCH SoupBinTCP port (default 15001)
  --snapshot-port PORT    the server's snapshot port (default 15002)
  --user NAME             account (default demo1)
  --password PASS         password (default demo)
  --mold HOST:PORT        take the live feed from MoldUDP64 datagrams arriving on HOST:PORT (the
                          server's --mold destination: a loopback address, or a multicast
                          group joined on --mold-interface) instead of SoupBinTCP
  --mold-request HOST:PORT
                          the server's MoldUDP64 re-request server (default: --host and the
                          --mold port + 1, the server's default)
  --mold-interface ADDR   the interface a multicast group is joined on (default 127.0.0.1)
  --mold-timeout SEC      give up (exit 1) when missing messages are not received within SEC
                          seconds of asking the re-request server, a request every 250 ms
                          (default 10)
  --protocol 1.12|1.11    the server's OUCH version: ITCH 1.7 (1.12) or 1.6 (1.11) (default 1.12)
  --json                  one JSON object per ITCH message (64-bit numbers as decimal strings),
                          "sequence" its feed sequence number (null in the snapshot)
  --record FILE           write every message applied (snapshot, then feed) to FILE as a
                          SoupBin file (u16 length + message)
  --verify                at the end, compare every rebuilt book with a fresh snapshot, order
                          by order; exit 1 on a difference (after End of Session, when the
                          snapshot channel serves the next day: check every book is empty)
  --duration SEC          stop after SEC seconds (default: at End of Session)
  -h, --help              show this help`;

const FLAGS = {
  itch: { type: "boolean" },
  host: { type: "string" },
  "itch-port": { type: "string" },
  "snapshot-port": { type: "string" },
  mold: { type: "string" },
  "mold-request": { type: "string" },
  "mold-interface": { type: "string" },
  "mold-timeout": { type: "string" },
  user: { type: "string" },
  password: { type: "string" },
  protocol: { type: "string" },
  json: { type: "boolean" },
  record: { type: "string" },
  verify: { type: "boolean" },
  duration: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** How long the MoldUDP64 client waits for an answer before asking again. */
const MOLD_RETRY_MS = 250;

interface Target {
  host: string;
  port: number;
  username: string;
  password: string;
}

/** One SoupBinTCP read of the feed or the snapshot, until the connection closes. */
function readSoupBin(
  target: Target,
  sequenceNumber: number,
  onMessage: (message: Uint8Array, sequenceNumber: number) => void,
): {
  done: Promise<
    { endOfSession: boolean; rejected?: string; session?: string }
  >;
  close(): void;
} {
  let socket: SoupBinTcpSocket | undefined;
  let closed = false;
  let timer: ReturnType<typeof setInterval> | undefined;
  const done = (async () => {
    const conn = await Deno.connect({
      hostname: target.host,
      port: target.port,
    });
    let endOfSession = false;
    let rejected: string | undefined;
    let accepted: string | undefined;
    const holder: { session?: ClientSession } = {};
    socket = new SoupBinTcpSocket(conn, {
      receive: (chunk, nowMs) => holder.session?.receive(chunk, nowMs),
    });
    const session = holder.session = new ClientSession(
      {
        loginAccepted: (session) => {
          accepted = session.trim();
        },
        loginRejected: (code) => {
          rejected = code;
          socket!.end("login rejected");
        },
        message: (message, n) => onMessage(message, n),
        endOfSession: () => {
          endOfSession = true;
          socket!.end("end of session");
        },
      },
      socket.output,
      performance.now(),
    );
    session.login({
      username: target.username,
      password: target.password,
      requestedSequenceNumber: sequenceNumber,
    });
    socket.requestFlush();
    socket.start();
    timer = setInterval(() => {
      if (session.tick(performance.now()) === "serverTimeout") {
        socket!.close("server timeout");
      }
      socket!.requestFlush();
    }, 200);
    if (closed) socket.close("closed");
    await socket.closed;
    clearInterval(timer);
    return {
      endOfSession,
      ...(rejected === undefined ? {} : { rejected }),
      ...(accepted === undefined ? {} : { session: accepted }),
    };
  })();
  done.catch(() => clearInterval(timer));
  return {
    done,
    close: () => {
      closed = true;
      socket?.close("closed");
    },
  };
}

/** Opens (creates, truncates) the `--record` file. */
function openRecord(path: string): Deno.FsFile {
  return Deno.openSync(path, { write: true, create: true, truncate: true });
}

/** Reads a whole snapshot into a new builder; returns it and its `G`. */
async function takeSnapshot(
  target: Target,
  version: ItchVersion,
  onMessage?: (message: Uint8Array) => void,
): Promise<
  { books: BookBuilder; sequenceNumber: number; session: string | undefined }
> {
  const books = new BookBuilder({ version });
  const read = readSoupBin(target, 1, (message) => {
    books.applyMessage(message);
    onMessage?.(message);
  });
  const result = await read.done;
  if (result.rejected !== undefined) {
    throw new UsageError(
      `Cannot log in to the snapshot channel as "${target.username}": rejected (${result.rejected})`,
    );
  }
  const g = books.endOfSnapshot;
  if (g === null) {
    throw new Error(
      "Cannot join the feed: the snapshot ended without End of Snapshot",
    );
  }
  return { books, sequenceNumber: g, session: result.session };
}

/**
 * Renders the books: per orderbook its state, the best five levels a side and its last
 * trade.
 *
 * @param books The rebuilt books.
 * @param next The next sequence number.
 * @returns The lines.
 */
export function renderItchBooks(books: BookBuilder, next: number): string[] {
  const lines = [
    `ITCH feed at sequence ${next - 1}, system ${
      books.systemState() ?? "?"
    }, ${books.orderCount} orders`,
  ];
  for (const id of books.orderbooks) {
    const book = books.orderbook(id)!;
    const depth = books.depth(id, 5);
    const trades = books.trades(id);
    const last = trades.at(-1);
    lines.push(
      `${id.padEnd(4)} ${book.tradingState === "V" ? "halted " : "trading"}${
        book.shortSellingState === "1" ? " ssr" : ""
      }  bid ${
        depth.bids.map((l) => `${l.quantity}@${formatPrice(l.price)}`).join(
          " ",
        ) ||
        "-"
      } | ask ${
        depth.asks.map((l) => `${l.quantity}@${formatPrice(l.price)}`).join(
          " ",
        ) ||
        "-"
      }${
        last === undefined
          ? ""
          : `  last ${last.quantity}@${
            formatPrice(last.price)
          } (${trades.length} trades)`
      }`,
    );
  }
  return lines;
}

/**
 * The first difference between two rebuilt states, book by book, side by side, order by
 * order (in priority order); `null` when they are equal.
 *
 * @param rebuilt The books rebuilt from the feed.
 * @param snapshot The books of a snapshot at the same sequence number.
 * @returns The difference, naming the orderbook, the side and the order.
 *
 * @example An order missing from the rebuilt book
 * ```ts
 * import { compareBooks } from "./itch_client.ts";
 * import { BookBuilder } from "../itch/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const a = new BookBuilder();
 * const b = new BookBuilder();
 * for (const books of [a, b]) {
 *   books.apply({ type: "orderbookDirectory", nanoseconds: 0, orderbookId: "7203",
 *     isin: "JP3633400001", group: "DAY", roundLotSize: 100, tickTableId: 1,
 *     priceDecimals: 1, upperPriceLimit: 33_000, lowerPriceLimit: 23_000 });
 * }
 * b.apply({ type: "orderAdded", nanoseconds: 1, orderNumber: 5n, side: "B",
 *   quantity: 100, orderbookId: "7203", group: "DAY", price: 27_990 });
 * assert.equal(compareBooks(a, a), null);
 * assert.equal(compareBooks(a, b), "orderbook 7203, buy side: order 5 (100@2799.0) is missing");
 * ```
 */
export function compareBooks(
  rebuilt: BookBuilder,
  snapshot: BookBuilder,
): string | null {
  const ids = [...new Set([...snapshot.orderbooks, ...rebuilt.orderbooks])];
  const show = (o: { orderNumber: bigint; price: number; quantity: number }) =>
    `order ${o.orderNumber} (${o.quantity}@${formatPrice(o.price)})`;
  for (const id of ids) {
    const mine = rebuilt.orderbook(id);
    const theirs = snapshot.orderbook(id);
    if (mine === undefined) return `orderbook ${id} is missing`;
    if (theirs === undefined) return `orderbook ${id} is not in the snapshot`;
    if (mine.tradingState !== theirs.tradingState) {
      return `orderbook ${id}: trading state ${mine.tradingState}, the snapshot's ${theirs.tradingState}`;
    }
    if (mine.shortSellingState !== theirs.shortSellingState) {
      return `orderbook ${id}: short-sell state ${mine.shortSellingState}, the snapshot's ${theirs.shortSellingState}`;
    }
    for (const side of ["B", "S"] as const) {
      const a = rebuilt.orders(id, side);
      const b = snapshot.orders(id, side);
      const where = `orderbook ${id}, ${side === "B" ? "buy" : "sell"} side`;
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const x = a[i];
        const y = b[i];
        if (x === undefined) return `${where}: ${show(y!)} is missing`;
        if (y === undefined) {
          return `${where}: ${show(x)} is not in the snapshot`;
        }
        if (
          x.orderNumber !== y.orderNumber || x.price !== y.price ||
          x.quantity !== y.quantity
        ) {
          return `${where}, position ${i + 1}: ${show(x)}, the snapshot's ${
            show(y)
          }`;
        }
      }
    }
  }
  return null;
}

/**
 * The first order still resting in any book, named; `null` when every book is empty.
 *
 * @param books The rebuilt books.
 * @returns The order's orderbook, side and fields, or `null`.
 */
function restingOrder(books: BookBuilder): string | null {
  for (const id of books.orderbooks) {
    for (const side of ["B", "S"] as const) {
      const order = books.orders(id, side)[0];
      if (order !== undefined) {
        return `orderbook ${id}, ${
          side === "B" ? "buy" : "sell"
        } side: order ${order.orderNumber} (${order.quantity}@${
          formatPrice(order.price)
        })`;
      }
    }
  }
  return null;
}

/**
 * Runs `ouch client --itch`.
 *
 * @param args The client's arguments (with `--itch`).
 * @param output Where lines go.
 * @returns The exit code: 0, or 1 when `--verify` found a difference.
 * @throws {UsageError} For a bad command line or a refused login.
 */
export async function runItchClient(
  args: string[],
  output: ClientOutput,
  io: ClientIo = {},
): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (values.help === true) {
    output.out(ITCH_CLIENT_HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(
      `Cannot use argument "${
        positionals[0]
      }" with --itch: it takes only flags`,
    );
  }
  const host = String(values.host ?? "127.0.0.1");
  const credentials = {
    username: String(values.user ?? "demo1"),
    password: String(values.password ?? "demo"),
  };
  const feedTarget = {
    host,
    port: integerFlag("itch-port", values["itch-port"], 15001, {
      min: 1,
      max: 65535,
    }),
    ...credentials,
  };
  const snapshotTarget = {
    host,
    port: integerFlag("snapshot-port", values["snapshot-port"], 15002, {
      min: 1,
      max: 65535,
    }),
    ...credentials,
  };
  const protocol = String(values.protocol ?? "1.12");
  if (protocol !== "1.12" && protocol !== "1.11") {
    throw new UsageError(
      `Cannot use --protocol "${protocol}": give 1.12 or 1.11`,
    );
  }
  const version: ItchVersion = protocol === "1.11" ? "1.6" : "1.7";
  const json = values.json === true;
  const durationMs = values.duration === undefined
    ? Infinity
    : integerFlag("duration", values.duration, 0, { min: 1, max: 86_400 }) *
      1000;
  const mold = values.mold === undefined
    ? undefined
    : hostPortFlag("mold", String(values.mold), 1);
  if (mold === undefined) {
    for (
      const name of ["mold-request", "mold-interface", "mold-timeout"] as const
    ) {
      if (values[name] !== undefined) {
        throw new UsageError(`Cannot use --${name} without --mold`);
      }
    }
  }
  const moldRequest = mold === undefined
    ? undefined
    : values["mold-request"] === undefined
    ? { hostname: host, port: mold.port === 65535 ? 65535 : mold.port + 1 }
    : hostPortFlag("mold-request", String(values["mold-request"]), 1);
  const moldTimeoutMs =
    integerFlag("mold-timeout", values["mold-timeout"], 10, {
      min: 1,
      max: 3600,
    }) * 1000;
  const record = values.record === undefined
    ? undefined
    : openRecord(String(values.record));
  const recordMessage = (message: Uint8Array) => {
    if (record === undefined) return;
    const framed = new Uint8Array(2 + message.length);
    framed[0] = message.length >> 8;
    framed[1] = message.length & 0xff;
    framed.set(message, 2);
    let at = 0;
    while (at < framed.length) at += record.writeSync(framed.subarray(at));
  };
  const print = (message: Uint8Array, sequenceNumber: number | null) => {
    if (!json) return;
    output.out(
      stringifyJson({
        sequence: sequenceNumber,
        ...decodeItch(message, { version }),
      }),
    );
  };

  // Bound before the snapshot, so that no datagram sent meanwhile is missed.
  let moldReader: MoldReader | undefined;
  if (mold !== undefined) {
    try {
      moldReader = await MoldReader.open({
        listen: mold,
        request: moldRequest!,
        retryMs: MOLD_RETRY_MS,
        maxRequests: Math.max(1, Math.round(moldTimeoutMs / MOLD_RETRY_MS)),
        ...(values["mold-interface"] === undefined
          ? {}
          : { multicastInterface: String(values["mold-interface"]) }),
      });
    } catch (error) {
      record?.close();
      throw new UsageError(
        `Cannot receive MoldUDP64 on --mold ${mold.hostname}:${mold.port}: ${
          error instanceof Error ? error.message : error
        }`,
      );
    }
  }

  try {
    const joined = await takeSnapshot(snapshotTarget, version, (message) => {
      print(message, null);
      recordMessage(message);
    });
    const books = joined.books;
    const apply = (message: Uint8Array, n: number) => {
      books.applyMessage(message);
      print(message, n);
      recordMessage(message);
    };
    const feed: FeedTransport = moldReader === undefined
      ? new SoupBinFeed(
        feedTarget,
        joined.sequenceNumber + 1,
        apply,
        output,
        json,
      )
      : new MoldFeedTransport(moldReader, joined, apply);
    if (!json) {
      output.out(
        `joined by snapshot at sequence ${joined.sequenceNumber}: ${books.orderbooks.length} orderbooks, ${books.orderCount} orders${
          mold === undefined
            ? ""
            : `; MoldUDP64 on ${mold.hostname}:${mold.port}, re-requests to ${
              moldRequest!.hostname
            }:${moldRequest!.port}`
        }`,
      );
    }
    const started = performance.now();
    const stopTimer = Number.isFinite(durationMs)
      ? setTimeout(() => feed.stop(), durationMs)
      : undefined;
    const onSignal = () => feed.stop();
    try {
      Deno.addSignalListener("SIGINT", onSignal);
    } catch {
      // no signals here
    }
    // On a terminal the books are redrawn in place as the server's display draws its own;
    // otherwise (a pipe, a file) they are printed every second, a line per orderbook.
    const redraw = io.write;
    const joinedLine =
      `joined by snapshot at sequence ${joined.sequenceNumber}`;
    const liveView = json || redraw === undefined
      ? undefined
      : new ItchLiveView(books, {
        transport: mold === undefined ? "SoupBinTCP" : "MoldUDP64",
        color: io.color ?? false,
        ...(io.size === undefined ? {} : { size: io.size }),
      });
    const draw = () => {
      if (liveView === undefined) {
        for (const line of renderItchBooks(books, feed.nextSequenceNumber)) {
          output.out(line);
        }
        return;
      }
      const status = feed.summary();
      redraw!(liveView.draw({
        nextSequenceNumber: feed.nextSequenceNumber,
        nowMs: performance.now(),
        footer: `${joinedLine}${
          status === "" ? "" : `; ${status}`
        }; Ctrl-C to stop`,
      }));
    };
    if (liveView !== undefined) draw();
    const display = json ? undefined : setInterval(draw, 1000);
    let endOfSession = false;
    try {
      endOfSession = await feed.read() === "endOfSession";
    } finally {
      clearTimeout(stopTimer);
      if (display !== undefined) clearInterval(display);
      // What follows the live view starts on a line of its own.
      if (liveView !== undefined) redraw!("\n");
      try {
        Deno.removeSignalListener("SIGINT", onSignal);
      } catch {
        // no signals here
      }
    }
    const summary = feed.summary();
    if (!json) {
      for (const line of renderItchBooks(books, feed.nextSequenceNumber)) {
        output.out(line);
      }
      output.out(
        `${endOfSession ? "End of Session" : "stopped"} at sequence ${
          feed.nextSequenceNumber - 1
        } after ${Math.round((performance.now() - started) / 1000)} s${
          summary === "" ? "" : `; ${summary}`
        }`,
      );
    } else if (summary !== "") output.err(summary);
    if (values.verify !== true) return 0;
    // A fresh snapshot, and the feed up to it.
    const fresh = await takeSnapshot(snapshotTarget, version);
    const say = (line: string) => json ? output.err(line) : output.out(line);
    if (
      fresh.session !== undefined && joined.session !== undefined &&
      fresh.session !== joined.session
    ) {
      // The day is over: the snapshot channel serves the next one. The close that ends a
      // day cancels every resting order, so the books must be empty.
      if (!endOfSession) {
        say(
          `verify: cannot verify: the server now serves another trading day (session ${fresh.session}; the feed read was of session ${joined.session})`,
        );
        return 1;
      }
      const left = restingOrder(books);
      say(
        left === null
          ? `verify: ok, the day ended (End of Session) with every rebuilt book empty, as the close leaves it (the snapshot channel now serves session ${fresh.session})`
          : `verify: DIFFERENT at End of Session: ${left} still rests after the close`,
      );
      return left === null ? 0 : 1;
    }
    if (fresh.sequenceNumber >= feed.nextSequenceNumber) {
      await feed.read(fresh.sequenceNumber);
    }
    const difference = feed.nextSequenceNumber !== fresh.sequenceNumber + 1
      ? `rebuilt to sequence ${feed.nextSequenceNumber - 1}`
      : compareBooks(books, fresh.books);
    say(
      difference === null
        ? `verify: ok, the rebuilt books equal a fresh snapshot at sequence ${fresh.sequenceNumber}`
        : `verify: DIFFERENT from a fresh snapshot at sequence ${fresh.sequenceNumber}: ${difference}`,
    );
    return difference === null ? 0 : 1;
  } finally {
    record?.close();
    await moldReader?.close();
  }
}

/** Where the live feed comes from after the snapshot. */
interface FeedTransport {
  /** The next message to apply. */
  readonly nextSequenceNumber: number;
  /**
   * Applies messages in order until End of Session, {@linkcode stop}, or (with `until`)
   * until that message is applied; may be called again to go on.
   */
  read(until?: number): Promise<"endOfSession" | "stopped" | "reached">;
  /** Makes `read` return. */
  stop(): void;
  /** A line on what the transport did (empty when nothing to say). */
  summary(): string;
}

/** The SoupBinTCP feed: reconnects after a lost connection and resumes by sequence number. */
class SoupBinFeed implements FeedTransport {
  readonly #sequencer: FeedSequencer<Uint8Array>;
  #current: ReturnType<typeof readSoupBin> | undefined;
  #stopped = false;
  #reconnects = 0;

  constructor(
    readonly target: Target,
    next: number,
    readonly apply: (message: Uint8Array, n: number) => void,
    readonly output: ClientOutput,
    readonly quiet: boolean,
  ) {
    this.#sequencer = new FeedSequencer({ nextSequenceNumber: next });
  }

  get nextSequenceNumber(): number {
    return this.#sequencer.nextSequenceNumber;
  }

  stop(): void {
    this.#stopped = true;
    this.#current?.close();
  }

  summary(): string {
    return this.#reconnects === 0 ? "" : `${this.#reconnects} reconnects`;
  }

  async read(
    until = Infinity,
  ): Promise<"endOfSession" | "stopped" | "reached"> {
    this.#stopped = false;
    const sequencer = this.#sequencer;
    while (!this.#stopped) {
      if (sequencer.nextSequenceNumber > until) return "reached";
      const current = this.#current = readSoupBin(
        this.target,
        sequencer.nextSequenceNumber,
        (message, n) => {
          let at = sequencer.nextSequenceNumber;
          for (const ready of sequencer.receive(n, message.slice())) {
            this.apply(ready, at++);
          }
          if (sequencer.nextSequenceNumber > until) current.close();
        },
      );
      let result;
      try {
        result = await current.done;
      } catch (error) {
        if (this.#stopped) break;
        // The server is away (a restart): try again.
        if (this.#reconnects++ === 0 && !this.quiet) {
          this.output.err(
            `feed connection failed (${
              error instanceof Error ? error.message : error
            }); reconnecting from sequence ${sequencer.nextSequenceNumber}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      if (result.rejected !== undefined) {
        throw new UsageError(
          `Cannot log in to the ITCH feed as "${this.target.username}": rejected (${result.rejected})`,
        );
      }
      if (sequencer.nextSequenceNumber > until) return "reached";
      if (result.endOfSession) return "endOfSession";
      if (!this.#stopped) {
        this.#reconnects++;
        if (!this.quiet) {
          this.output.err(
            `feed connection closed; reconnecting from sequence ${sequencer.nextSequenceNumber}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    return "stopped";
  }
}

/** MoldUDP64 datagrams, gaps asked for from the re-request server. */
class MoldFeedTransport implements FeedTransport {
  constructor(
    readonly reader: MoldReader,
    joined: { sequenceNumber: number; session: string | undefined },
    apply: (message: Uint8Array, n: number) => void,
  ) {
    reader.begin(joined.sequenceNumber + 1, joined.session, apply);
  }

  get nextSequenceNumber(): number {
    return this.reader.nextSequenceNumber;
  }

  read(until?: number): Promise<"endOfSession" | "stopped" | "reached"> {
    return this.reader.read(until);
  }

  stop(): void {
    this.reader.stop();
  }

  summary(): string {
    const stats = this.reader.stats;
    return `moldudp64: ${stats.datagrams} datagrams, ${stats.requests} requests, ${stats.duplicates} duplicate messages, ${stats.ignored} ignored datagrams`;
  }
}
