/**
 * The inbound OUCH messages of a client session that the server has not answered yet, in
 * the order they were sent: the one place a reconnect, or a fail-over to a mirrored host
 * (issue #14), finds what it may have to send again. No I/O.
 *
 * @module
 */

import type {
  InboundMessage,
  OrderCanceledReason,
  OutboundMessage,
} from "../codec/messages.ts";

/** A message sent and not answered yet. */
export interface UnansweredMessage {
  readonly message: InboundMessage;
  /** Whether it was written to a server; `false` while it waits for a login. */
  readonly written: boolean;
}

/** The reasons a failed Replace Order cancels its order with (exchange rules, K9). */
const REPLACE_FAILURES: ReadonlySet<OrderCanceledReason> = new Set([
  "X",
  "Z",
  "N",
  "Y",
  "D",
  "O",
  "R",
]);

interface Entry {
  readonly message: InboundMessage;
  written: boolean;
}

/**
 * Keeps every inbound message from the moment it is sent until an outbound message answers
 * it: an Enter Order until its Order Accepted or Rejected, a Replace Order until its Order
 * Replaced (or the Order Canceled of its existing token with a replace failure's reason), a
 * Cancel Order until its Order Canceled with reason `U`.
 *
 * The server handles one session's messages in order, so an answer to a message also
 * settles every message written before it: those the server ignores without an answer (a
 * token not above the account's highest, a cancel of an order already gone, K4) leave the
 * list with the next answered message. Only the messages written after the last answer
 * stay, and those are exactly the ones a server may not have seen. Sending them again is
 * harmless: a token the server has already seen is ignored (K4).
 *
 * The answers are matched by token: an Order Canceled with another reason (IOC remainder,
 * logoff, market close) answers nothing, and neither do executions.
 *
 * @example Two orders sent, one answered
 * ```ts
 * import { UnansweredMessages } from "./unanswered_messages.ts";
 * import assert from "node:assert/strict";
 *
 * const messages = new UnansweredMessages();
 * messages.add({ type: "cancelOrder", orderToken: 1, quantity: 0 }, true);
 * messages.add({ type: "cancelOrder", orderToken: 2, quantity: 0 }, true);
 * assert.equal(
 *   messages.answer({ type: "orderCanceled", timestamp: 0, orderToken: 1, decrementQuantity: 100, orderCanceledReason: "U" }),
 *   1,
 * );
 * assert.deepEqual(messages.list().map((entry) => entry.message), [
 *   { type: "cancelOrder", orderToken: 2, quantity: 0 },
 * ]);
 * ```
 */
export class UnansweredMessages {
  #entries: Entry[] = [];
  #head = 0;

  /** How many messages are unanswered, written or not. */
  get size(): number {
    return this.#entries.length - this.#head;
  }

  /**
   * Adds a message being sent, after every earlier one.
   *
   * @param message The message.
   * @param written `true` when it is written to a server now, `false` when it waits for
   * the next login.
   */
  add(message: InboundMessage, written: boolean): void {
    this.#entries.push({ message, written });
  }

  /**
   * Takes the messages waiting for a login, to write them now; they stay until answered.
   *
   * @returns Them, in order.
   */
  takeUnwritten(): InboundMessage[] {
    const taken: InboundMessage[] = [];
    for (let i = this.#head; i < this.#entries.length; i++) {
      const entry = this.#entries[i]!;
      if (entry.written) continue;
      entry.written = true;
      taken.push(entry.message);
    }
    return taken;
  }

  /**
   * Marks every unanswered message as not written, so that
   * {@linkcode UnansweredMessages.takeUnwritten} hands them out again: the hook for a
   * fail-over to a mirrored host (issue #14), which logs in there and sends again what the
   * old host may not have handled.
   *
   * @returns How many messages will be sent again.
   */
  rewind(): number {
    for (let i = this.#head; i < this.#entries.length; i++) {
      this.#entries[i]!.written = false;
    }
    return this.size;
  }

  /**
   * Applies an outbound message: the message it answers leaves the list, with every
   * message written before it (see the class).
   *
   * @param message A sequenced message from the server.
   * @returns How many messages it settled (0 when it answers none).
   */
  answer(message: OutboundMessage): number {
    switch (message.type) {
      case "orderAccepted":
      case "orderRejected": {
        const token = message.orderToken;
        return this.#settleThrough((m) =>
          m.type === "enterOrder" && m.orderToken === token
        );
      }
      case "orderReplaced": {
        const token = message.replacementOrderToken;
        return this.#settleThrough((m) =>
          m.type === "replaceOrder" && m.replacementOrderToken === token
        );
      }
      case "orderCanceled": {
        const token = message.orderToken;
        if (message.orderCanceledReason === "U") {
          return this.#settleThrough((m) =>
            m.type === "cancelOrder" && m.orderToken === token
          );
        }
        if (!REPLACE_FAILURES.has(message.orderCanceledReason)) return 0;
        // A market close (`O`) or a halt (`R`) may cancel an order with a replace in
        // flight too, so this settles the replace alone, not what was written before it.
        return this.#settleOne((m) =>
          m.type === "replaceOrder" && m.existingOrderToken === token
        );
      }
      default:
        return 0;
    }
  }

  /**
   * The unanswered messages, oldest first.
   *
   * @returns A snapshot.
   */
  list(): UnansweredMessage[] {
    return this.#entries.slice(this.#head).map((entry) => ({ ...entry }));
  }

  #find(match: (message: InboundMessage) => boolean): number {
    const entries = this.#entries;
    for (let i = this.#head; i < entries.length; i++) {
      const entry = entries[i]!;
      if (!entry.written) return -1; // the rest waits for a login
      if (match(entry.message)) return i;
    }
    return -1;
  }

  #settleThrough(match: (message: InboundMessage) => boolean): number {
    const at = this.#find(match);
    if (at < 0) return 0;
    const settled = at + 1 - this.#head;
    this.#head = at + 1;
    if (this.#head === this.#entries.length) {
      this.#entries = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return settled;
  }

  #settleOne(match: (message: InboundMessage) => boolean): number {
    const at = this.#find(match);
    if (at < 0) return 0;
    this.#entries.splice(at, 1);
    return 1;
  }
}
