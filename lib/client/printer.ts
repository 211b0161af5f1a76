/**
 * The lines the client prints while it replays a scenario or runs the prompt: aligned and
 * optionally coloured text, or one JSON object per line.
 *
 * @module
 */

import pc from "picocolors";
import {
  type InboundMessage,
  LOGIN_REJECT_CODES,
  type LoginRejectCode,
  MESSAGE_TYPE_CODES,
  type OutboundMessage,
} from "../codec/mod.ts";
import type { ActionResult, ReplaySummary } from "./attribution.ts";
import { formatMessage, stringifyJson } from "../format/format.ts";

/** Options of {@linkcode Printer}. */
export interface PrinterOptions {
  /**
   * Print one JSON object per line instead of text.
   *
   * @default {false}
   */
  json?: boolean;
  /**
   * Colour the text with ANSI escapes (ignored with `json`).
   *
   * @default {false}
   */
  color?: boolean;
}

/** Width of the longest message type name, `orderAiqCanceled`. */
const NAME_WIDTH = 16;
/** Width of the label column: `action 12`, `seq 1234`. */
const LABEL_WIDTH = 11;

type Colors = ReturnType<typeof pc.createColors>;

/**
 * Turns client events into output lines: aligned text, coloured on request, or JSON.
 *
 * Text lines start with `sent` or `recv`, then a label (`action N` for a scenario action,
 * `seq N` for a received message's sequence number), the message type character and name,
 * and the fields as `formatMessage` shows them. JSON lines are objects with an `event`
 * field: `login`, `replayed`, `tokensShifted`, `loginRejected`, `disconnected`,
 * `endOfSession`, `next`, `comment`, `sent`, `received`, `result`, `summary`,
 * `interrupted`, `loggedOut`, `notice` or `error`. Messages appear in JSON as the codec's objects,
 * prices in integer tenths, and the 64-bit Order and Match Numbers as exact decimal strings
 * (`"orderNumber":"202307130000000093"`), which a JSON number could not hold.
 *
 * @example A received message as text and as JSON
 * ```ts
 * import { Printer } from "./printer.ts";
 * import assert from "node:assert/strict";
 *
 * const rejected = { type: "orderRejected", timestamp: 34_200_000_000_000, orderToken: 2, orderRejectedReason: "N" } as const;
 * assert.equal(
 *   new Printer().received(3, rejected, 2),
 *   "recv seq 3       J orderRejected    timestamp=09:30:00.000000000 orderToken=2 orderRejectedReason=N (Invalid minimum quantity)",
 * );
 * assert.deepEqual(JSON.parse(new Printer({ json: true }).received(3, rejected, 2)), {
 *   event: "received", sequenceNumber: 3, action: 2, message: rejected,
 * });
 * ```
 */
export class Printer {
  readonly #json: boolean;
  readonly #c: Colors;

  /**
   * Constructs a printer.
   *
   * @param options JSON or text, and colour.
   */
  constructor(options: PrinterOptions = {}) {
    this.#json = options.json ?? false;
    this.#c = pc.createColors(!this.#json && (options.color ?? false));
  }

  /** Whether this printer writes JSON. */
  get json(): boolean {
    return this.#json;
  }

  /**
   * A successful login.
   *
   * @param details Who logged in where, the session and the next sequence number.
   * @returns One line.
   */
  login(details: {
    username: string;
    address: string;
    session: string;
    sequenceNumber: number;
    reconnect: boolean;
  }): string {
    if (this.#json) return stringifyJson({ event: "login", ...details });
    return this.#c.dim(
      `${
        details.reconnect ? "reconnected" : "logged in"
      } as ${details.username} to ${details.address}: session ${details.session}, next message ${details.sequenceNumber}`,
    );
  }

  /**
   * The messages the login replayed (the account's messages of the day so far), which were
   * applied to the tracked orders without being printed one by one.
   *
   * @param details How many messages, the open orders they leave, and the highest token
   * they name.
   * @returns One line, e.g. `replayed 60,823 messages: 1,204 orders open, highest token 5,001`.
   */
  replayed(details: {
    messages: number;
    openOrders: number;
    highestToken: number;
  }): string {
    if (this.#json) return JSON.stringify({ event: "replayed", ...details });
    return this.#c.dim(
      `replayed ${count(details.messages, "message")}: ${
        count(details.openOrders, "order")
      } open, highest token ${groupDigits(details.highestToken)}`,
    );
  }

  /**
   * The scenario's tokens were moved above the account's highest token of the day.
   *
   * @param details The account and the amount added to every token.
   * @returns One line.
   */
  tokensShifted(details: { username: string; offset: number }): string {
    if (this.#json) {
      return JSON.stringify({ event: "tokensShifted", ...details });
    }
    const offset = groupDigits(details.offset);
    return this.#c.dim(
      `tokens shifted by ${offset}, ${details.username}'s highest token today: file token 1 is sent as ${
        groupDigits(details.offset + 1)
      } (--raw-tokens sends them as written)`,
    );
  }

  /**
   * Ctrl-C stopped the run; the client logs out next.
   *
   * @param details The open orders this account has (the server cancels them on
   * disconnect unless it was told not to).
   * @returns One line.
   */
  interrupted(details: { openOrders: number }): string {
    if (this.#json) return JSON.stringify({ event: "interrupted", ...details });
    return this.#c.yellow(
      `interrupted: logging out with ${
        count(details.openOrders, "order")
      } open`,
    );
  }

  /**
   * The logout after an interruption is done.
   *
   * @returns One line.
   */
  loggedOut(): string {
    if (this.#json) return JSON.stringify({ event: "loggedOut" });
    return this.#c.dim("logged out");
  }

  /**
   * A refused login.
   *
   * @param code The Login Reject Reason Code.
   * @returns One line.
   */
  loginRejected(code: LoginRejectCode): string {
    if (this.#json) return stringifyJson({ event: "loginRejected", code });
    return this.#c.red(
      `login rejected: ${code} (${LOGIN_REJECT_CODES[code]})`,
    );
  }

  /**
   * A lost connection that will be retried.
   *
   * @param reason Why it was lost.
   * @param retryInMs When the next attempt starts.
   * @param next `host:port` of the next attempt, when it goes to another host than
   * the lost one (a mirrored host).
   * @returns One line.
   */
  disconnected(reason: string, retryInMs: number, next?: string): string {
    if (this.#json) {
      return stringifyJson({
        event: "disconnected",
        reason,
        retryInMs,
        ...(next === undefined ? {} : { next }),
      });
    }
    return this.#c.yellow(
      `connection lost (${reason}): reconnecting${
        next === undefined ? "" : ` to ${next}`
      } in ${retryInMs} ms`,
    );
  }

  /**
   * The server's End of Session.
   *
   * @returns One line.
   */
  endOfSession(): string {
    if (this.#json) return stringifyJson({ event: "endOfSession" });
    return this.#c.yellow("end of session: the server ended the session");
  }

  /**
   * A sent message.
   *
   * @param message The message.
   * @param action The scenario action it is, if any.
   * @returns One line.
   */
  sent(message: InboundMessage, action?: number): string {
    if (this.#json) {
      return stringifyJson({ event: "sent", action: action ?? null, message });
    }
    const label = action === undefined ? "" : `action ${action}`;
    return this.#line("sent", label, message, this.#c.cyan);
  }

  /**
   * A received sequenced message.
   *
   * @param sequenceNumber Its sequence number.
   * @param message The message.
   * @param action The scenario action it is attributed to, if any.
   * @returns One line.
   */
  received(
    sequenceNumber: number,
    message: OutboundMessage,
    action?: number,
  ): string {
    if (this.#json) {
      return stringifyJson({
        event: "received",
        sequenceNumber,
        action: action ?? null,
        message,
      });
    }
    return this.#line(
      "recv",
      `seq ${sequenceNumber}`,
      message,
      this.#colorOf(message),
    );
  }

  /**
   * The next action, shown before it is sent on Enter.
   *
   * @param index The action's index.
   * @param message Its message.
   * @param comment Its `_expected_behaviour` line, if any.
   * @returns One or two lines.
   */
  next(index: number, message: InboundMessage, comment?: string): string[] {
    if (this.#json) {
      return [stringifyJson({
        event: "next",
        action: index,
        comment: comment ?? null,
        message,
      })];
    }
    const lines = comment === undefined ? [] : [this.#c.dim(`# ${comment}`)];
    lines.push(
      `next ${
        this.#line("", `action ${index}`, message, this.#c.bold)
          .trimStart()
      }  ${this.#c.dim("[Enter: send, q: stop]")}`,
    );
    return lines;
  }

  /**
   * An action's `_expected_behaviour` line, shown before it is sent.
   *
   * @param text The line.
   * @returns One line.
   */
  comment(text: string): string {
    if (this.#json) return stringifyJson({ event: "comment", text });
    return this.#c.dim(`# ${text}`);
  }

  /**
   * The result of one action.
   *
   * @param result The result.
   * @returns One line.
   */
  result(result: ActionResult): string {
    if (this.#json) {
      return stringifyJson({
        event: "result",
        action: result.index,
        status: result.status,
        expected: result.expected ?? null,
        got: result.got,
        detail: result.detail,
      });
    }
    const mark = result.status === "pass"
      ? this.#c.green("PASS")
      : result.status === "fail"
      ? this.#c.red("FAIL")
      : this.#c.dim("----");
    return `${mark} ${
      `action ${result.index}`.padEnd(LABEL_WIDTH)
    } ${result.detail}`;
  }

  /**
   * The totals of a replay.
   *
   * @param summary The totals.
   * @returns One line.
   */
  summary(summary: ReplaySummary): string {
    if (this.#json) return stringifyJson({ event: "summary", ...summary });
    const text =
      `${summary.actions} actions, ${summary.sent} sent: ${summary.passed} passed, ${summary.failed} failed, ${
        summary.unsent > 0 ? `${summary.unsent} not sent, ` : ""
      }${summary.unchecked} without expectations`;
    if (!summary.ok) return this.#c.red(`FAILED: ${text}`);
    if (summary.stopped === "interrupted") {
      return this.#c.yellow(`interrupted: ${text}`);
    }
    if (summary.stopped === "quit") return this.#c.yellow(`stopped: ${text}`);
    return this.#c.green(`ok: ${text}`);
  }

  /**
   * A note for the user.
   *
   * @param text The note.
   * @returns One line (or several, for multi-line text).
   */
  notice(text: string): string {
    if (this.#json) return stringifyJson({ event: "notice", text });
    return text;
  }

  /**
   * A problem with a command or the connection.
   *
   * @param text The problem.
   * @returns One line.
   */
  error(text: string): string {
    if (this.#json) return stringifyJson({ event: "error", text });
    return this.#c.red(text);
  }

  #line(
    direction: string,
    label: string,
    message: InboundMessage | OutboundMessage,
    color: (text: string) => string,
  ): string {
    const text = formatMessage(message);
    const space = text.indexOf(" ");
    const name = space < 0 ? text : text.slice(0, space);
    const fields = space < 0 ? "" : text.slice(space + 1);
    return `${direction.padEnd(4)} ${label.padEnd(LABEL_WIDTH)} ${
      color(`${MESSAGE_TYPE_CODES[message.type]} ${name.padEnd(NAME_WIDTH)}`)
    } ${fields}`.trimEnd();
  }

  #colorOf(message: OutboundMessage): (text: string) => string {
    const c = this.#c;
    switch (message.type) {
      case "orderAccepted":
        return c.green;
      case "orderReplaced":
        return c.blue;
      case "orderExecuted":
        return c.magenta;
      case "orderRejected":
        return c.red;
      case "orderCanceled":
      case "orderAiqCanceled":
        return c.yellow;
      case "systemEvent":
        return c.bold;
    }
  }
}

/** `1 message`, `2 messages`, with digits grouped by thousands. */
function count(n: number, noun: string): string {
  return `${groupDigits(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** `60823` as `60,823`. */
function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
