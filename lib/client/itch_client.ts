/**
 * `ouch client --itch`: reads the ITCH feed. Joins through the snapshot channel, then the
 * SoupBinTCP feed from the snapshot's sequence number + 1, rebuilds every book, and prints
 * the books (or one JSON object per message); survives a server restart by reconnecting
 * and resuming by sequence number.
 *
 * @module
 */
import { integerFlag, parseFlags } from "../cli/flags.ts";
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
import type { ClientOutput } from "./client_io.ts";

/** The help text of `ouch client --itch`. */
export const ITCH_CLIENT_HELP = `Usage: ouch client --itch [flags]

Reads the server's ITCH feed: the snapshot, then the live SoupBinTCP feed; rebuilds every
book and prints them every second (or each message with --json). Reconnects and resumes by
sequence number when the server restarts. Stops at the feed's End of Session (end of day),
after --duration, or at Ctrl-C.

Flags:
  --host HOST             server address (default 127.0.0.1)
  --itch-port PORT        the server's ITCH SoupBinTCP port (default 15001)
  --snapshot-port PORT    the server's snapshot port (default 15002)
  --user NAME             account (default demo1)
  --password PASS         password (default demo)
  --protocol 1.12|1.11    the server's OUCH version: ITCH 1.7 (1.12) or 1.6 (1.11) (default 1.12)
  --json                  one JSON object per ITCH message (64-bit numbers as decimal strings),
                          "sequence" its feed sequence number (null in the snapshot)
  --record FILE           write every message applied (snapshot, then feed) to FILE as a
                          SoupBin file (u16 length + message)
  --verify                at the end, compare every rebuilt book with a fresh snapshot, order
                          by order; exit 1 on a difference
  --duration SEC          stop after SEC seconds (default: at End of Session)
  -h, --help              show this help`;

const FLAGS = {
  itch: { type: "boolean" },
  host: { type: "string" },
  "itch-port": { type: "string" },
  "snapshot-port": { type: "string" },
  user: { type: "string" },
  password: { type: "string" },
  protocol: { type: "string" },
  json: { type: "boolean" },
  record: { type: "string" },
  verify: { type: "boolean" },
  duration: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

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
  done: Promise<{ endOfSession: boolean; rejected?: string }>;
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
    const holder: { session?: ClientSession } = {};
    socket = new SoupBinTcpSocket(conn, {
      receive: (chunk, nowMs) => holder.session?.receive(chunk, nowMs),
    });
    const session = holder.session = new ClientSession(
      {
        loginAccepted: () => {},
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
    return rejected === undefined
      ? { endOfSession }
      : { endOfSession, rejected };
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
): Promise<{ books: BookBuilder; sequenceNumber: number }> {
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
  return { books, sequenceNumber: g };
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
 * The books of two builders, order by order, as comparable text.
 */
function bookState(books: BookBuilder): string {
  return stringifyJson(
    books.orderbooks.map((id) => ({
      id,
      state: books.orderbook(id)!.tradingState,
      ssr: books.orderbook(id)!.shortSellingState,
      bids: books.orders(id, "B"),
      asks: books.orders(id, "S"),
    })),
  );
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

  try {
    const joined = await takeSnapshot(snapshotTarget, version, (message) => {
      print(message, null);
      recordMessage(message);
    });
    const books = joined.books;
    const sequencer = new FeedSequencer<Uint8Array>({
      nextSequenceNumber: joined.sequenceNumber + 1,
    });
    if (!json) {
      output.out(
        `joined by snapshot at sequence ${joined.sequenceNumber}: ${books.orderbooks.length} orderbooks, ${books.orderCount} orders`,
      );
    }
    const started = performance.now();
    let stop = false;
    let current: ReturnType<typeof readSoupBin> | undefined;
    const stopTimer = Number.isFinite(durationMs)
      ? setTimeout(() => {
        stop = true;
        current?.close();
      }, durationMs)
      : undefined;
    const onSignal = () => {
      stop = true;
      current?.close();
    };
    try {
      Deno.addSignalListener("SIGINT", onSignal);
    } catch {
      // no signals here
    }
    const display = json ? undefined : setInterval(() => {
      for (const line of renderItchBooks(books, sequencer.nextSequenceNumber)) {
        output.out(line);
      }
    }, 1000);
    let endOfSession = false;
    let reconnects = 0;
    try {
      while (!stop) {
        current = readSoupBin(
          feedTarget,
          sequencer.nextSequenceNumber,
          (message, n) => {
            for (const ready of sequencer.receive(n, message.slice())) {
              books.applyMessage(ready);
              print(ready, n);
              recordMessage(ready);
            }
          },
        );
        let result;
        try {
          result = await current.done;
        } catch (error) {
          if (stop) break;
          // The server is away (a restart): try again.
          if (reconnects++ === 0 && !json) {
            output.err(
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
            `Cannot log in to the ITCH feed as "${feedTarget.username}": rejected (${result.rejected})`,
          );
        }
        if (result.endOfSession) {
          endOfSession = true;
          break;
        }
        if (!stop) {
          if (!json) {
            output.err(
              `feed connection closed; reconnecting from sequence ${sequencer.nextSequenceNumber}`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    } finally {
      clearTimeout(stopTimer);
      if (display !== undefined) clearInterval(display);
      try {
        Deno.removeSignalListener("SIGINT", onSignal);
      } catch {
        // no signals here
      }
    }
    if (!json) {
      for (const line of renderItchBooks(books, sequencer.nextSequenceNumber)) {
        output.out(line);
      }
      output.out(
        `${endOfSession ? "End of Session" : "stopped"} at sequence ${
          sequencer.nextSequenceNumber - 1
        } after ${Math.round((performance.now() - started) / 1000)} s`,
      );
    }
    if (values.verify !== true) return 0;
    // A fresh snapshot, and the feed up to it.
    const fresh = await takeSnapshot(snapshotTarget, version);
    if (fresh.sequenceNumber >= sequencer.nextSequenceNumber) {
      const catchUp = readSoupBin(
        feedTarget,
        sequencer.nextSequenceNumber,
        (message, n) => {
          if (n > fresh.sequenceNumber) return;
          for (const ready of sequencer.receive(n, message.slice())) {
            books.applyMessage(ready);
          }
          if (sequencer.nextSequenceNumber > fresh.sequenceNumber) {
            catchUp.close();
          }
        },
      );
      await catchUp.done.catch(() => {});
    }
    const same = sequencer.nextSequenceNumber === fresh.sequenceNumber + 1 &&
      bookState(books) === bookState(fresh.books);
    const verdict = same
      ? `verify: ok, the rebuilt books equal a fresh snapshot at sequence ${fresh.sequenceNumber}`
      : `verify: DIFFERENT from a fresh snapshot at sequence ${fresh.sequenceNumber} (rebuilt to ${
        sequencer.nextSequenceNumber - 1
      })`;
    if (json) output.err(verdict);
    else output.out(verdict);
    return same ? 0 : 1;
  } finally {
    record?.close();
  }
}
