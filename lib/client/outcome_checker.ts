/**
 * The load generator's bookkeeping of every order of one session: that each Enter Order got
 * exactly one Accepted or Rejected, that each accepted order ended exactly once, and that
 * no message named a token the session never used. No I/O; typed arrays indexed by token.
 *
 * @module
 */

/** Counts of how orders ended, and what went wrong. */
export interface OutcomeReport {
  /** Enter Orders sent. */
  readonly entered: number;
  readonly accepted: number;
  readonly rejected: number;
  /** Enter Orders with neither an Accepted nor a Rejected. */
  readonly unanswered: number;
  /** Accepted orders that ended by executing in full. */
  readonly executed: number;
  /** Accepted orders that ended by an Order Canceled, by reason code. */
  readonly canceled: Readonly<Record<string, number>>;
  /** Accepted orders that ended by an Order AIQ Canceled. */
  readonly aiqCanceled: number;
  /** Accepted orders replaced to quantity 0 (or state `D`). */
  readonly replacedToZero: number;
  /** Orders accepted with state `D`, which ended on acceptance. */
  readonly deadOnArrival: number;
  /** Accepted orders without a final outcome. */
  readonly open: number;
  /** How many rule breaks were seen. */
  readonly violationCount: number;
  /** The first rule breaks, described (at most {@linkcode MAX_VIOLATIONS}). */
  readonly violations: readonly string[];
}

/** How many violations a report describes; the rest are only counted. */
export const MAX_VIOLATIONS = 20;

const SENT = 1;
const LIVE = 2;
const DONE = 3;
const REJECTED = 4;

/**
 * Follows the orders of one session through their outbound messages.
 *
 * The owner registers every Enter Order token with {@linkcode OutcomeChecker.entered} and
 * every replacement token with {@linkcode OutcomeChecker.replacing} before sending, then
 * passes each Order Accepted, Rejected, Replaced, Executed, Canceled and AIQ Canceled to
 * the matching method. An order is identified by its Enter token; replacement tokens map
 * to it. Its open quantity starts at the accepted quantity; executions and cancels lower
 * it, a replace sets it. Reaching 0 is its final outcome.
 *
 * Violations: a message for a token never used (or not the order's current token), a
 * second Accepted or Rejected for one Enter, anything for an order after its final outcome
 * or before its Accepted, an open quantity going below 0, and at the end an Enter without
 * an answer or an accepted order without a final outcome.
 *
 * @example An order accepted, partly executed, then canceled
 * ```ts
 * import { OutcomeChecker } from "./outcome_checker.ts";
 * import assert from "node:assert/strict";
 *
 * const orders = new OutcomeChecker();
 * orders.entered(1);
 * orders.accepted(1, 100, true);
 * orders.executed(1, 40);
 * assert.equal(orders.live, 1);
 * orders.canceled(1, 60, "U");
 * const report = orders.report();
 * assert.deepEqual(report.canceled, { U: 1 });
 * assert.equal(report.open, 0);
 * assert.equal(report.violationCount, 0);
 * ```
 */
export class OutcomeChecker {
  /** Per token: the order (Enter token) it belongs to, or 0. */
  #orderOf: Int32Array;
  /** Per order: its state. */
  #state: Uint8Array;
  /** Per order: Accepted and Rejected messages received. */
  #answers: Uint8Array;
  /** Per order: open quantity once accepted. */
  #open: Float64Array;
  /** Per order: its current token. */
  #current: Int32Array;
  #highestToken = 0;
  #entered = 0;
  #accepted = 0;
  #rejected = 0;
  #executed = 0;
  #aiqCanceled = 0;
  #replacedToZero = 0;
  #deadOnArrival = 0;
  #live = 0;
  #answered = 0;
  readonly #canceled: Record<string, number> = {};
  readonly #violations: string[] = [];
  #violationCount = 0;

  /**
   * Constructs an empty checker.
   *
   * @param capacity The number of tokens to make room for at first; it grows as needed.
   */
  constructor(capacity = 1024) {
    const size = Math.max(16, capacity + 1);
    this.#orderOf = new Int32Array(size);
    this.#state = new Uint8Array(size);
    this.#answers = new Uint8Array(size);
    this.#open = new Float64Array(size);
    this.#current = new Int32Array(size);
  }

  /** Accepted orders without a final outcome yet. */
  get live(): number {
    return this.#live;
  }

  /** Enter Orders that got an Accepted or a Rejected. */
  get answered(): number {
    return this.#answered;
  }

  /** Enter Orders registered. */
  get enteredCount(): number {
    return this.#entered;
  }

  /** The highest token registered. */
  get highestToken(): number {
    return this.#highestToken;
  }

  /**
   * Whether an order is accepted and has not ended.
   *
   * @param order The order's Enter token.
   * @returns `true` while it is live.
   */
  isLive(order: number): boolean {
    return this.#state[order] === LIVE;
  }

  /**
   * The current token of a live order.
   *
   * @param order The order's Enter token.
   * @returns Its latest token (the Enter token or the last replacement token).
   */
  currentToken(order: number): number {
    return this.#current[order]!;
  }

  /**
   * The order a token belongs to.
   *
   * @param token An Enter or replacement token.
   * @returns The order's Enter token, or 0 for a token never registered.
   */
  orderOf(token: number): number {
    return token < this.#orderOf.length ? this.#orderOf[token]! : 0;
  }

  /**
   * Registers an Enter Order about to be sent.
   *
   * @param token Its token, above every token registered before.
   * @throws {RangeError} If the token is not above the highest registered.
   */
  entered(token: number): void {
    this.#claim(token);
    this.#orderOf[token] = token;
    this.#state[token] = SENT;
    this.#current[token] = token;
    this.#entered++;
  }

  /**
   * Registers a Replace Order about to be sent.
   *
   * @param order The order's Enter token.
   * @param token The replacement token, above every token registered before.
   * @throws {RangeError} If the token is not above the highest registered.
   */
  replacing(order: number, token: number): void {
    this.#claim(token);
    this.#orderOf[token] = order;
  }

  /**
   * Applies an Order Accepted.
   *
   * @param token Its Order Token.
   * @param quantity Its quantity.
   * @param live Whether its state is `L`.
   * @returns `true` when it answered an Enter for the first time (count its latency).
   */
  accepted(token: number, quantity: number, live: boolean): boolean {
    if (!this.#answer(token, "Order Accepted")) return false;
    this.#accepted++;
    if (live && quantity > 0) {
      this.#state[token] = LIVE;
      this.#open[token] = quantity;
      this.#live++;
    } else {
      this.#state[token] = DONE;
      this.#deadOnArrival++;
    }
    return true;
  }

  /**
   * Applies an Order Rejected.
   *
   * @param token Its Order Token.
   * @returns `true` when it answered an Enter for the first time.
   */
  rejected(token: number): boolean {
    if (!this.#answer(token, "Order Rejected")) return false;
    this.#rejected++;
    this.#state[token] = REJECTED;
    return true;
  }

  /**
   * Applies an Order Replaced.
   *
   * @param token The replacement token.
   * @param previous The Previous Order Token.
   * @param quantity The new open quantity.
   * @param live Whether its state is `L`.
   * @returns The order it replaced, or 0 when it broke a rule.
   */
  replaced(
    token: number,
    previous: number,
    quantity: number,
    live: boolean,
  ): number {
    const order = this.#liveOrder(previous, "Order Replaced");
    if (order === 0) return 0;
    if (
      this.orderOf(token) !== order || token === order || token === previous
    ) {
      this.#violate(
        `Order Replaced for order ${order} names replacement token ${token}, which was not sent to replace it`,
      );
      return 0;
    }
    this.#current[order] = token;
    this.#open[order] = quantity;
    if (!live || quantity === 0) {
      this.#end(order);
      this.#replacedToZero++;
    }
    return order;
  }

  /**
   * Applies an Order Executed.
   *
   * @param token Its Order Token.
   * @param quantity The executed quantity.
   * @returns The order, or 0 when it broke a rule.
   */
  executed(token: number, quantity: number): number {
    const order = this.#reduce(token, quantity, "Order Executed");
    if (order !== 0 && this.#state[order] === DONE) this.#executed++;
    return order;
  }

  /**
   * Applies an Order Canceled.
   *
   * @param token Its Order Token.
   * @param quantity The Decrement Quantity.
   * @param reason The Order Canceled Reason code.
   * @returns The order, or 0 when it broke a rule.
   */
  canceled(token: number, quantity: number, reason: string): number {
    const order = this.#reduce(token, quantity, "Order Canceled");
    if (order !== 0 && this.#state[order] === DONE) {
      this.#canceled[reason] = (this.#canceled[reason] ?? 0) + 1;
    }
    return order;
  }

  /**
   * Applies an Order AIQ Canceled.
   *
   * @param token Its Order Token.
   * @param quantity The Decrement Quantity.
   * @returns The order, or 0 when it broke a rule.
   */
  aiqCanceled(token: number, quantity: number): number {
    const order = this.#reduce(token, quantity, "Order AIQ Canceled");
    if (order !== 0 && this.#state[order] === DONE) this.#aiqCanceled++;
    return order;
  }

  /**
   * Records a rule break found by the owner, e.g. a message of an unknown type.
   *
   * @param description What happened.
   */
  violation(description: string): void {
    this.#violate(description);
  }

  /**
   * Checks every order and counts the outcomes.
   *
   * @returns The counts, with unanswered Enters and open orders among the violations.
   */
  report(): OutcomeReport {
    const violations = [...this.#violations];
    let count = this.#violationCount;
    let unanswered = 0;
    let open = 0;
    for (let token = 1; token <= this.#highestToken; token++) {
      if (this.#orderOf[token] !== token) continue;
      const state = this.#state[token];
      if (state === SENT) {
        unanswered++;
        count++;
        if (violations.length < MAX_VIOLATIONS) {
          violations.push(`order ${token} got no Accepted or Rejected`);
        }
      } else if (state === LIVE) {
        open++;
        count++;
        if (violations.length < MAX_VIOLATIONS) {
          violations.push(
            `order ${token} has no final outcome: ${
              this.#open[token]
            } still open`,
          );
        }
      }
    }
    return {
      entered: this.#entered,
      accepted: this.#accepted,
      rejected: this.#rejected,
      unanswered,
      executed: this.#executed,
      canceled: { ...this.#canceled },
      aiqCanceled: this.#aiqCanceled,
      replacedToZero: this.#replacedToZero,
      deadOnArrival: this.#deadOnArrival,
      open,
      violationCount: count,
      violations,
    };
  }

  #claim(token: number): void {
    if (!(token > this.#highestToken) || !Number.isSafeInteger(token)) {
      throw new RangeError(
        `Cannot register token ${token} as it must be above ${this.#highestToken}`,
      );
    }
    this.#highestToken = token;
    if (token >= this.#orderOf.length) this.#grow(token);
  }

  #grow(token: number): void {
    let size = this.#orderOf.length * 2;
    while (size <= token) size *= 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(
      old: T,
      make: (size: number) => T,
    ): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.#orderOf = grow(this.#orderOf, (n) => new Int32Array(n));
    this.#state = grow(this.#state, (n) => new Uint8Array(n));
    this.#answers = grow(this.#answers, (n) => new Uint8Array(n));
    this.#open = grow(this.#open, (n) => new Float64Array(n));
    this.#current = grow(this.#current, (n) => new Int32Array(n));
  }

  #answer(token: number, what: string): boolean {
    if (this.orderOf(token) !== token) {
      this.#violate(
        `${what} for token ${token}, which ${
          this.orderOf(token) === 0
            ? "was never sent"
            : "is a replacement token"
        }`,
      );
      return false;
    }
    const answers = ++this.#answers[token]!;
    if (answers > 1) {
      this.#violate(`${what} for order ${token}, which was already answered`);
      return false;
    }
    this.#answered++;
    return true;
  }

  #liveOrder(token: number, what: string): number {
    const order = this.orderOf(token);
    if (order === 0) {
      this.#violate(`${what} for token ${token}, which was never sent`);
      return 0;
    }
    const state = this.#state[order];
    if (state !== LIVE) {
      this.#violate(
        `${what} for order ${order} ${
          state === SENT
            ? "before its Order Accepted"
            : "after its final outcome"
        }`,
      );
      return 0;
    }
    if (this.#current[order] !== token) {
      this.#violate(
        `${what} for token ${token} of order ${order}, whose current token is ${
          this.#current[order]
        }`,
      );
      return 0;
    }
    return order;
  }

  #reduce(token: number, quantity: number, what: string): number {
    const order = this.#liveOrder(token, what);
    if (order === 0) return 0;
    const open = this.#open[order]! - quantity;
    if (open < 0) {
      this.#violate(
        `${what} of ${quantity} for order ${order}, which had only ${
          this.#open[order]
        } open`,
      );
    }
    this.#open[order] = Math.max(0, open);
    if (open <= 0) this.#end(order);
    return order;
  }

  #end(order: number): void {
    this.#state[order] = DONE;
    this.#live--;
  }

  #violate(description: string): void {
    this.#violationCount++;
    if (this.#violations.length < MAX_VIOLATIONS) {
      this.#violations.push(description);
    }
  }
}
