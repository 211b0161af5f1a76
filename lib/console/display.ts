/**
 * The server's console display, in three modes: `table` (order books and a status line,
 * redrawn in place on a terminal), `debug` (one line per OUCH message and connection event)
 * and `quiet` (warnings and errors only).
 *
 * The text is made by pure `render*` functions; {@linkcode Display} only decides what to
 * write when, through the `write` sink it is given.
 *
 * @example A ladder, as the table shows it
 * ```ts
 * import { renderLadder } from "./display.ts";
 * import assert from "node:assert/strict";
 *
 * const depth = {
 *   orderbookId: "7203",
 *   bids: [{ price: 23_000, quantity: 300, orders: 2 }],
 *   asks: [{ price: 23_010, quantity: 100, orders: 1 }],
 * };
 * assert.deepEqual(renderLadder(depth, []), [
 *   "7203  last -",
 *   "Orders  Quantity      Bid |     Ask  Quantity  Orders",
 *   "     2       300   2300.0 |  2301.0       100       1",
 * ]);
 * ```
 *
 * @module
 */
import { formatMessage, formatTimestamp } from "../format/format.ts";
import { decodeInbound, decodeOutbound } from "../codec/mod.ts";
import type {
  InboundMessage,
  OutboundMessage,
  ProtocolVersion,
} from "../codec/messages.ts";
import { LOGIN_REJECT_CODES, type LoginRejectCode } from "../codec/packets.ts";
import type {
  DayConfig,
  MarketData,
  RecordBatch,
  Subscriber,
} from "../exchange/mod.ts";
import type { Depth } from "../matcher/mod.ts";
import {
  type BookView,
  checkLevels,
  CLEAR_LINE,
  CLEAR_SCREEN,
  CLEAR_TO_END_OF_LINE,
  colors,
  DEFAULT_LEVELS,
  moveTo,
  renderBookTable,
  type RenderOptions,
  renderSummary,
  RESET_SCROLL_REGION,
  RESTORE_CURSOR,
  SAVE_CURSOR,
  scrollRegion,
  type ShownTrade,
  type TableOptions,
  visibleLength,
} from "../render/mod.ts";

// The ladder and its types moved to lib/render (shared with the ITCH client); the console
// exports them still.
export {
  type BookView,
  type LadderOptions,
  renderLadder,
  type RenderOptions,
  renderSummary,
  type ShownTrade,
  type TableOptions,
} from "../render/mod.ts";

/** How the server shows what happens: see {@linkcode Display}. */
export type DisplayMode = "table" | "debug" | "quiet";

/**
 * Every {@linkcode DisplayMode}, the default (`table`) first.
 *
 * @example Checking a `--display` flag
 * ```ts
 * import { DISPLAY_MODES } from "./display.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DISPLAY_MODES.includes("debug"), true);
 * assert.equal((DISPLAY_MODES as readonly string[]).includes("verbose"), false);
 * ```
 */
export const DISPLAY_MODES: readonly ["table", "debug", "quiet"] = Object
  .freeze(
    ["table", "debug", "quiet"] as const,
  );

/** The figures of the status line. */
export interface StatusInfo {
  /** Whether the market is open. */
  readonly open: boolean;
  /** The SoupBinTCP session id of the trading day. */
  readonly session: string;
  /** Logged-in sessions. */
  readonly sessions: number;
  /** Open TCP connections, logged in or not. */
  readonly connections: number;
  /** Inbound messages per second, or `undefined` when not known yet. */
  readonly inPerSecond: number | undefined;
  /** Outbound messages per second, or `undefined` when not known yet. */
  readonly outPerSecond: number | undefined;
}

/** One inbound OUCH message for the debug display. */
export interface InboundEntry {
  /** The sending account. */
  readonly account: string;
  readonly message: InboundMessage;
  /** When it was processed, nanoseconds since midnight. */
  readonly timestamp: number;
}

/** One outbound OUCH message for the debug display. */
export interface OutboundEntry {
  /** The receiving account, or `null` for a System Event to every account. */
  readonly account: string | null;
  readonly message: OutboundMessage;
  /** Its sequence number for the account; `0` for a broadcast. */
  readonly sequenceNumber: number;
}

/** What happened to a connection of the OUCH server. */
export type ConnectionEvent =
  | { readonly type: "connected"; readonly id: number; readonly remote: string }
  | {
    readonly type: "loggedIn";
    readonly id: number;
    readonly account: string;
    readonly session: string;
    readonly nextSequenceNumber: number;
  }
  | {
    readonly type: "loginRejected";
    readonly id: number;
    readonly username: string;
    readonly code: LoginRejectCode;
  }
  | {
    readonly type: "disconnected";
    readonly id: number;
    readonly account: string | undefined;
    readonly reason: string;
  }
  | {
    readonly type: "protocolError";
    readonly id: number;
    readonly account: string | undefined;
    readonly reason: string;
  };

/** How {@linkcode renderConnectionEvent} draws a line. */
export interface ConnectionEventOptions extends RenderOptions {
  /** When it happened, nanoseconds since midnight. */
  timestamp: number;
}

const ACCOUNT_WIDTH = 6; // the SoupBinTCP Username field
const SUMMARY_INTERVAL_MS = 5_000;
const CONSOLE_ROWS = 8;
const PROMPT = "> ";

/**
 * Draws the status line: market state, session id, sessions, connections and message rates.
 *
 * @param status The figures.
 * @param options Colour: OPEN is green, CLOSED red.
 * @returns One line; an unknown rate shows as `-/s`.
 *
 * @example An open market with traffic
 * ```ts
 * import { renderStatus } from "./display.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   renderStatus({
 *     open: true, session: "2026112501", sessions: 1, connections: 2,
 *     inPerSecond: 1200, outPerSecond: undefined,
 *   }),
 *   "OPEN  session 2026112501  1 session  2 connections  in 1200/s  out -/s",
 * );
 * ```
 */
export function renderStatus(
  status: StatusInfo,
  options: RenderOptions = {},
): string {
  const c = colors(options.color);
  return [
    status.open ? c.green(c.bold("OPEN")) : c.red(c.bold("CLOSED")),
    `session ${status.session}`,
    plural(status.sessions, "session"),
    plural(status.connections, "connection"),
    `in ${status.inPerSecond ?? "-"}/s`,
    `out ${status.outPerSecond ?? "-"}/s`,
  ].join("  ");
}

/**
 * Draws the whole table: the status line, a blank line, then the orderbooks' ladders, side by
 * side when the width allows. When they do not fit in `rows`, fewer price levels are shown
 * (down to one); what still does not fit is replaced by a last line `… N more lines`. Lines
 * are cut to `columns`.
 *
 * @param status The status line's figures.
 * @param books The orderbooks to show, in order; none shows `No orders`.
 * @param options Size, levels and colour.
 * @returns At most `rows` lines.
 * @throws {RangeError} When `levels` is not a positive integer.
 *
 * @example One book in a small window
 * ```ts
 * import { renderTable } from "./display.ts";
 * import assert from "node:assert/strict";
 *
 * const status = {
 *   open: false, session: "S1", sessions: 0, connections: 0,
 *   inPerSecond: 0, outPerSecond: 0,
 * };
 * const depth = {
 *   orderbookId: "1",
 *   bids: [{ price: 100, quantity: 1, orders: 1 }, { price: 90, quantity: 1, orders: 1 }],
 *   asks: [],
 * };
 * const book = { depth, trades: [], halted: false };
 * assert.deepEqual(renderTable(status, [book], { columns: 40, rows: 6 }), [
 *   "CLOSED  session S1  0 sessions  0 connec",
 *   "",
 *   "1  last -",
 *   "Orders  Quantity      Bid |     Ask  Qua",
 *   "     1         1     10.0 |",
 *   "     1         1      9.0 |",
 * ]);
 * // No room for two levels: one line per book.
 * assert.deepEqual(renderTable(status, [book], { columns: 40, rows: 5 }).slice(2), [
 *   "1  bid 1 @ 10.0  ask -  last -",
 * ]);
 * ```
 */
export function renderTable(
  status: StatusInfo,
  books: readonly BookView[],
  options: TableOptions,
): string[] {
  return renderBookTable(renderStatus(status, options), books, options);
}

/**
 * Draws an inbound message for the debug display.
 *
 * @param entry The account, the decoded message and when it was processed.
 * @param options Colour.
 * @returns `TIME ACCOUNT <- MESSAGE`, the account padded to 6 characters and the message as
 * `formatMessage` shows it.
 * @throws {RangeError} When the timestamp or a price is invalid.
 *
 * @example A Cancel Order
 * ```ts
 * import { renderDebugInbound } from "./display.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   renderDebugInbound({
 *     account: "demo1",
 *     message: { type: "cancelOrder", orderToken: 7, quantity: 0 },
 *     timestamp: 34_200_000_000_001,
 *   }),
 *   "09:30:00.000000001 demo1  <- cancelOrder orderToken=7 quantity=0",
 * );
 * ```
 */
export function renderDebugInbound(
  entry: InboundEntry,
  options: RenderOptions = {},
): string {
  const c = colors(options.color);
  return `${c.dim(formatTimestamp(entry.timestamp))} ${
    entry.account.padEnd(ACCOUNT_WIDTH)
  } ${c.cyan("<-")} ${formatMessage(entry.message)}`;
}

/**
 * Draws an outbound message for the debug display, timed by the message's own timestamp.
 *
 * @param entry The account (`null` for every account), the message and its sequence number.
 * @param options Colour.
 * @returns `TIME ACCOUNT -> #SEQ MESSAGE`; a System Event to every account shows account `*`
 * and no sequence number, as each account numbers it on its own.
 * @throws {RangeError} When the timestamp or a price is invalid.
 *
 * @example A broadcast System Event
 * ```ts
 * import { renderDebugOutbound } from "./display.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   renderDebugOutbound({
 *     account: null,
 *     message: { type: "systemEvent", timestamp: 30_600_000_000_000, eventCode: "S" },
 *     sequenceNumber: 0,
 *   }),
 *   "08:30:00.000000000 *      -> systemEvent timestamp=08:30:00.000000000 eventCode=S",
 * );
 * ```
 */
export function renderDebugOutbound(
  entry: OutboundEntry,
  options: RenderOptions = {},
): string {
  const c = colors(options.color);
  const who = (entry.account ?? "*").padEnd(ACCOUNT_WIDTH);
  const sequence = entry.account === null ? "" : `#${entry.sequenceNumber} `;
  return `${c.dim(formatTimestamp(entry.message.timestamp))} ${who} ${
    c.magenta("->")
  } ${sequence}${formatMessage(entry.message)}`;
}

/**
 * Draws a connection event: a connect, a login (with its session and next sequence number),
 * a login reject (with its code and meaning), a disconnect or a protocol error (with the
 * reason).
 *
 * @param event What happened.
 * @param options When it happened, and colour.
 * @returns `TIME connection ID …`.
 * @throws {RangeError} When the timestamp is invalid.
 *
 * @example A rejected login
 * ```ts
 * import { renderConnectionEvent } from "./display.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   renderConnectionEvent(
 *     { type: "loginRejected", id: 3, username: "demo1", code: "A" },
 *     { timestamp: 34_200_000_000_000 },
 *   ),
 *   '09:30:00.000000000 connection 3 login rejected for "demo1": A (Not authorized)',
 * );
 * ```
 */
export function renderConnectionEvent(
  event: ConnectionEvent,
  options: ConnectionEventOptions,
): string {
  const c = colors(options.color);
  const who = (account: string | undefined) =>
    account === undefined
      ? `connection ${event.id}`
      : `connection ${event.id} (${account})`;
  let text: string;
  switch (event.type) {
    case "connected":
      text = `connection ${event.id} opened from ${event.remote}`;
      break;
    case "loggedIn":
      text =
        `connection ${event.id} logged in as ${event.account}: session ${event.session}, ` +
        `next sequence number ${event.nextSequenceNumber}`;
      break;
    case "loginRejected":
      text =
        `connection ${event.id} login rejected for ${
          JSON.stringify(event.username)
        }: ` +
        `${event.code} (${LOGIN_REJECT_CODES[event.code] ?? "unknown code"})`;
      break;
    case "disconnected":
      text = `${who(event.account)} closed: ${event.reason}`;
      break;
    case "protocolError":
      text = `${who(event.account)} protocol error: ${event.reason}`;
      break;
  }
  return `${c.dim(formatTimestamp(options.timestamp))} ${text}`;
}

/** Where a {@linkcode Display} writes and how it looks. */
export interface DisplayOptions {
  /** Writes raw text to the console (the caller writes it synchronously). */
  write: (text: string) => void;
  /** Whether the output is a terminal: only then is the screen laid out with escape sequences. */
  isTerminal: boolean;
  /** Use ANSI colours. */
  color: boolean;
  /** The terminal size, read at every refresh. @default {() => ({ columns: 80, rows: 24 })} */
  size?: () => { columns: number; rows: number };
  /** The most price levels per side in the table. @default {10} */
  levels?: number;
  /** The time of connection events, nanoseconds since midnight. */
  now: () => number;
  /**
   * The market-data model the table shows; without it the table has no orderbooks.
   */
  market?: MarketData;
  /**
   * An account's name by id, for the debug lines. @default {String}
   */
  accountName?: (id: number) => string;
}

/** The figures a {@linkcode Display.refresh} shows besides the orderbooks. */
export interface DisplaySource {
  /** The SoupBinTCP session id of the current trading day. */
  readonly session: string;
  /** Inbound messages processed so far (the rates are made from it). */
  readonly messagesIn: number;
  /** Outbound messages sequenced so far. */
  readonly messagesOut: number;
  /** Logged-in sessions. */
  readonly sessions: number;
  /** Open connections, logged in or not. */
  readonly connections: number;
}

/**
 * The server's console output.
 *
 * - `table`: on a terminal, the top of the screen shows the status line and the ladder of
 *   every orderbook that has orders, trades or a halt, redrawn in place at each
 *   {@linkcode Display.refresh}; the bottom 8 rows scroll console lines above the prompt,
 *   which stays on the last row. Not on a terminal, a refresh prints the status line and one
 *   line per changed orderbook, at most every 5 seconds and only when something changed.
 * - `debug`: a line per inbound and outbound message and per connection event.
 * - `quiet`: warnings and errors only (a protocol error closing a session is a warning).
 *
 * On a terminal, in every mode, console lines are inserted above the prompt row so that the
 * operator's typing is not disturbed. Not on a terminal, no escape sequence other than
 * colours (when `color` is set) is ever written.
 *
 * The table reads the {@linkcode MarketData} model, and only the orderbooks it reported
 * changed since the last refresh. As a {@linkcode Subscriber} of the exchange, the display
 * reads delivered records only in `debug` mode, so it can stay subscribed at any message
 * rate.
 *
 * @example Quiet mode shows warnings only
 * ```ts
 * import { Display } from "./display.ts";
 * import assert from "node:assert/strict";
 *
 * let out = "";
 * const display = new Display("quiet", {
 *   write: (text) => out += text, isTerminal: false, color: false, now: () => 0,
 * });
 * display.info("listening on 127.0.0.1:15000");
 * display.warn("connection 1 (demo1) protocol error: bad packet");
 * display.close();
 * assert.equal(out, "connection 1 (demo1) protocol error: bad packet\n");
 * ```
 */
export class Display implements Subscriber {
  /** The mode chosen at construction. */
  readonly mode: DisplayMode;
  readonly #write: (text: string) => void;
  readonly #terminal: boolean;
  readonly #color: boolean;
  readonly #size: () => { columns: number; rows: number };
  readonly #levels: number;
  readonly #now: () => number;
  readonly #market: MarketData | undefined;
  readonly #accountName: (id: number) => string;
  #version: ProtocolVersion = "1.12";
  #closed = false;
  // Terminal layout: the size it was set up for, and rows 1..#tableRows hold the table.
  #columns = 0;
  #rows = 0;
  #tableRows = 0;
  /** Rows of the console below the table: more while a long answer is on screen. */
  #consoleRows = CONSOLE_ROWS;
  #laidOut = false;
  #promptShown = false;
  // Market tracking for the table.
  #day: DayConfig | undefined;
  readonly #dirty = new Set<string>();
  readonly #books = new Map<
    string,
    { depth: Depth; trades: readonly ShownTrade[] }
  >();
  // Message rates: the counters at the last sample.
  #sampleMs: number | undefined;
  #sampleIn = 0;
  #sampleOut = 0;
  #inPerSecond: number | undefined;
  #outPerSecond: number | undefined;
  // The log summary (not a terminal).
  #summaryMs: number | undefined;
  #summaryStatus = "";
  readonly #summaries = new Map<string, string>();

  /**
   * Makes a display; it writes nothing until it is used.
   *
   * @param mode `table`, `debug` or `quiet`.
   * @param options The sink, whether it is a terminal, colours, size and levels.
   * @throws {RangeError} When `mode` is unknown or `levels` is not a positive integer.
   */
  constructor(mode: DisplayMode, options: DisplayOptions) {
    if (!(DISPLAY_MODES as readonly string[]).includes(mode)) {
      throw new RangeError(
        `Cannot display in mode "${mode}" as it must be one of ${
          DISPLAY_MODES.join(", ")
        }`,
      );
    }
    this.mode = mode;
    this.#write = options.write;
    this.#terminal = options.isTerminal;
    this.#color = options.color;
    this.#size = options.size ?? (() => ({ columns: 80, rows: 24 }));
    this.#levels = checkLevels(options.levels ?? DEFAULT_LEVELS);
    this.#now = options.now;
    this.#market = options.market;
    this.#accountName = options.accountName ?? String;
    this.#version = options.market?.day?.version ?? "1.12";
    if (mode === "table" && options.market !== undefined) {
      options.market.listen({
        dayStarted: (day) => this.#newDay(day),
        changed: (change) => {
          for (const id of change.depth) this.#dirty.add(id);
          for (const id of change.trades) this.#dirty.add(id);
          for (const id of change.books) this.#dirty.add(id);
        },
      });
    } else {
      options.market?.listen({
        dayStarted: (day) => this.#version = day.version,
      });
    }
  }

  /**
   * Shows a line in `table` and `debug` modes; hidden in `quiet`.
   *
   * @param line The text; it may hold several lines separated by `\n`.
   */
  info(line: string): void {
    if (this.mode !== "quiet") this.#line(line);
  }

  /**
   * Shows a line in every mode, uncoloured: for what must always be seen, such as the address
   * the server listens on.
   *
   * @param line The text.
   */
  notice(line: string): void {
    this.#line(line);
  }

  /**
   * Shows a warning (yellow) in every mode.
   *
   * @param line The text.
   */
  warn(line: string): void {
    this.#line(colors(this.#color).yellow(line));
  }

  /**
   * Shows an error (red) in every mode.
   *
   * @param line The text.
   */
  error(line: string): void {
    this.#line(colors(this.#color).red(line));
  }

  /**
   * A console command was typed: the console goes back to its usual height, the table gets
   * its rows back.
   */
  commandTyped(): void {
    if (this.#consoleRows === CONSOLE_ROWS) return;
    this.#consoleRows = CONSOLE_ROWS;
    if (this.#terminal && !this.#closed && this.#laidOut) this.#relayOut();
  }

  /** Lays the screen out again at the same size (the console's height changed). */
  #relayOut(): void {
    this.#layOut(false, true);
  }

  /** Draws the prompt `> ` on the terminal's last row; does nothing when not a terminal. */
  prompt(): void {
    if (!this.#terminal || this.#closed) return;
    this.#layOut();
    this.#write(`${moveTo(this.#rows)}${CLEAR_LINE}${PROMPT}`);
    this.#promptShown = true;
  }

  /**
   * Updates the display; the CLI calls it every second. Reads the terminal size again; in
   * `table` mode, redraws the table (terminal) or prints a summary when due (not a terminal).
   *
   * @param source The session, the message counters and the connection counts.
   * @param nowMs The time in milliseconds, for the message rates and the summary interval.
   */
  refresh(source: DisplaySource, nowMs: number): void {
    if (this.#closed) return;
    if (this.#terminal) this.#layOut(true);
    if (this.mode !== "table") return;
    const day = this.#market?.day;
    if (day !== undefined && day !== this.#day) this.#newDay(day);
    if (this.#terminal) {
      this.#drawTable(source, nowMs);
    } else {
      this.#printSummary(source, nowMs);
    }
  }

  /** Gives the terminal back: full-screen scrolling, cursor on the last row. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#laidOut) {
      this.#write(`${RESET_SCROLL_REGION}${moveTo(this.#rows)}${CLEAR_LINE}`);
    }
  }

  /**
   * Shows a connection event of the OUCH server: in `table` and `debug` modes; in `quiet`
   * mode only protocol errors, as warnings.
   *
   * @param event What happened.
   */
  connectionEvent(event: ConnectionEvent): void {
    const line = renderConnectionEvent(event, {
      timestamp: this.#now(),
      color: this.#color,
    });
    if (event.type === "protocolError") this.warn(line);
    else this.info(line);
  }

  /**
   * In `debug` mode, prints a line per inbound message and per outbound message of the
   * batch (a System Event that went to every account once, as `*`); a
   * {@linkcode Subscriber} call.
   *
   * @param batch The delivered batch.
   */
  delivered(batch: RecordBatch): void {
    if (this.mode !== "debug" || this.#closed) return;
    const options = { color: this.#color };
    const codec = { version: this.#version };
    for (const record of batch.records) {
      const command = record.command;
      if (command.type === "startDay") this.#version = command.day.version;
      if (command.type === "message") {
        this.#line(renderDebugInbound({
          account: this.#accountName(command.account),
          message: decodeInbound(command.message, codec),
          timestamp: record.timestamp,
        }, options));
      }
      const messages = record.messages;
      for (let i = 0; i < messages.length; i++) {
        const entry = messages[i]!;
        let broadcast = entry.message[0] === 0x53 && entry.account === 0;
        let end = i + 1;
        while (
          broadcast && end < messages.length &&
          messages[end]!.account === end - i &&
          sameBytes(messages[end]!.message, entry.message)
        ) end++;
        broadcast &&= end - i > 1;
        this.#line(renderDebugOutbound({
          account: broadcast ? null : this.#accountName(entry.account),
          message: decodeOutbound(entry.message, codec),
          sequenceNumber: broadcast ? 0 : entry.sequenceNumber,
        }, options));
        if (broadcast) i = end - 1;
      }
    }
  }

  /** Writes console lines: above the prompt on a terminal, plainly otherwise. */
  #line(text: string): void {
    if (!this.#terminal || this.#closed) {
      this.#write(`${text}\n`);
      return;
    }
    this.#layOut();
    // A long answer (help, accounts, book) gets the room it needs: the live table shrinks
    // until the next command (issue #12 item 6).
    // Rows, not lines: a line wider than the terminal wraps.
    const count = text.split("\n").reduce(
      (rows, line) =>
        rows + Math.max(1, Math.ceil(visibleLength(line) / this.#columns)),
      0,
    );
    if (
      this.mode === "table" && count + 1 > this.#consoleRows &&
      this.#rows >= 2 * CONSOLE_ROWS
    ) {
      this.#consoleRows = Math.min(count + 1, this.#rows - 2);
      this.#relayOut();
    }
    const top = this.#tableRows + 1;
    const bottom = this.#rows - 1;
    // Scroll only the rows above the prompt, so the prompt row and its cursor stay put.
    let out = `${SAVE_CURSOR}${scrollRegion(top, bottom)}${moveTo(bottom)}`;
    for (const line of text.split("\n")) out += `\r\n${line}`;
    out += this.#tableRows > 0
      ? scrollRegion(top, this.#rows)
      : RESET_SCROLL_REGION;
    this.#write(`${out}${RESTORE_CURSOR}`);
  }

  /**
   * Sets up the terminal layout the first time, and again when the size changed (when
   * `reread`, the size is read again, as at every refresh).
   */
  #layOut(reread = false, force = false): void {
    if (this.#laidOut && !reread && !force) return;
    const size = this.#size();
    const columns = Math.max(20, Math.floor(size.columns));
    const rows = Math.max(4, Math.floor(size.rows));
    if (
      this.#laidOut && !force && columns === this.#columns &&
      rows === this.#rows
    ) {
      return;
    }
    const first = !this.#laidOut;
    this.#laidOut = true;
    this.#columns = columns;
    this.#rows = rows;
    let out = "";
    if (this.mode === "table") {
      this.#tableRows = rows >= 2 * CONSOLE_ROWS
        ? Math.max(1, rows - Math.min(this.#consoleRows, rows - 1))
        : rows - Math.max(2, Math.floor(rows / 2));
      // Push what was on the screen into the scrollback before taking the screen over.
      if (first) out += `${moveTo(rows)}${"\n".repeat(rows)}`;
      out += `${CLEAR_SCREEN}${scrollRegion(this.#tableRows + 1, rows)}`;
    }
    out += moveTo(rows);
    if (this.#promptShown) out += `${CLEAR_LINE}${PROMPT}`;
    this.#write(out);
  }

  #newDay(day: DayConfig): void {
    this.#day = day;
    this.#version = day.version;
    this.#books.clear();
    this.#dirty.clear();
    for (const id of day.orderbooks) this.#dirty.add(id);
    this.#sampleMs = undefined;
    this.#inPerSecond = undefined;
    this.#outPerSecond = undefined;
    this.#summaries.clear();
    this.#summaryStatus = "";
  }

  /** Reads the depth and last trade of the orderbooks changed since the last call. */
  #readChanged(market: MarketData): void {
    for (const id of this.#dirty) {
      const depth = market.depth(id, this.#levels);
      const last = market.lastTrade(id);
      if (depth === undefined) this.#books.delete(id);
      else {this.#books.set(id, {
          depth,
          trades: last === undefined ? [] : [last],
        });}
    }
    this.#dirty.clear();
  }

  /** The orderbooks worth showing: with orders, trades or a halt. */
  #view(market: MarketData, id: string): BookView | undefined {
    const book = this.#books.get(id);
    if (book === undefined) return undefined;
    const halted = market.isHalted(id);
    const restricted = market.isShortSellRestricted(id);
    const { depth, trades } = book;
    if (
      depth.bids.length === 0 && depth.asks.length === 0 &&
      trades.length === 0 && !halted && !restricted
    ) {
      return undefined;
    }
    const instrument = market.instrument(id);
    return {
      depth,
      trades,
      halted,
      restricted,
      ...(instrument === undefined ? {} : { instrument }),
    };
  }

  /** Samples the message counters and returns the rates since the previous sample. */
  #sampleRates(source: DisplaySource, nowMs: number): void {
    const messagesIn = source.messagesIn;
    const messagesOut = source.messagesOut;
    if (this.#sampleMs !== undefined) {
      const elapsed = nowMs - this.#sampleMs;
      if (elapsed <= 0) return; // keep the last rates and sample
      this.#inPerSecond = Math.round(
        Math.max(0, messagesIn - this.#sampleIn) * 1000 / elapsed,
      );
      this.#outPerSecond = Math.round(
        Math.max(0, messagesOut - this.#sampleOut) * 1000 / elapsed,
      );
    }
    this.#sampleMs = nowMs;
    this.#sampleIn = messagesIn;
    this.#sampleOut = messagesOut;
  }

  #status(source: DisplaySource): StatusInfo {
    return {
      open: this.#market?.isOpen ?? false,
      session: source.session,
      sessions: source.sessions,
      connections: source.connections,
      inPerSecond: this.#inPerSecond,
      outPerSecond: this.#outPerSecond,
    };
  }

  #drawTable(source: DisplaySource, nowMs: number): void {
    this.#sampleRates(source, nowMs);
    const books: BookView[] = [];
    const market = this.#market;
    if (market !== undefined) {
      this.#readChanged(market);
      for (const id of market.orderbooks) {
        const view = this.#view(market, id);
        if (view !== undefined) books.push(view);
      }
    }
    const lines = renderTable(this.#status(source), books, {
      columns: this.#columns,
      rows: this.#tableRows,
      levels: this.#levels,
      color: this.#color,
    });
    let out = SAVE_CURSOR;
    for (let row = 0; row < this.#tableRows; row++) {
      out += `${moveTo(row + 1)}${lines[row] ?? ""}${CLEAR_TO_END_OF_LINE}`;
    }
    this.#write(`${out}${RESTORE_CURSOR}`);
  }

  #printSummary(source: DisplaySource, nowMs: number): void {
    if (
      this.#summaryMs !== undefined &&
      nowMs - this.#summaryMs < SUMMARY_INTERVAL_MS
    ) return;
    const market = this.#market;
    if (market !== undefined) this.#readChanged(market);
    const lines: string[] = [];
    for (const id of market?.orderbooks ?? []) {
      const view = this.#view(market!, id);
      const previous = this.#summaries.get(id);
      if (view === undefined) {
        if (previous === undefined) continue;
        // It was shown: show once that it is empty now.
        const book = this.#books.get(id);
        const empty = book === undefined
          ? { orderbookId: id, bids: [], asks: [] }
          : book.depth;
        lines.push(
          renderSummary(empty, book?.trades ?? [], { color: this.#color }),
        );
        this.#summaries.delete(id);
        continue;
      }
      const line = renderSummary(view.depth, view.trades, {
        halted: view.halted,
        color: this.#color,
      });
      if (line === previous) continue;
      this.#summaries.set(id, line);
      lines.push(line);
    }
    const status = this.#status(source);
    const key =
      `${status.open} ${status.session} ${status.sessions} ${status.connections}`;
    if (lines.length === 0 && key === this.#summaryStatus) return;
    this.#summaryStatus = key;
    this.#summaryMs = nowMs;
    this.#sampleRates(source, nowMs);
    const rated = {
      ...status,
      inPerSecond: this.#inPerSecond,
      outPerSecond: this.#outPerSecond,
    };
    this.#write(
      `${[renderStatus(rated, { color: this.#color }), ...lines].join("\n")}\n`,
    );
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
