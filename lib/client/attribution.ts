/**
 * The pure part of a scenario replay: which action each received message belongs to, when
 * to send the next action, and the pass/fail result of every action.
 *
 * @module
 */

import type { OutboundMessage } from "../codec/mod.ts";
import {
  checkExpectations,
  describeExpectation,
  describeOutbound,
  type Expectation,
} from "./expectation.ts";
import type { ScenarioAction } from "./scenario.ts";

/** The outcome of one action after a replay. */
export interface ActionResult {
  /** The action's index in the file, from 1. */
  readonly index: number;
  /** Whether it was sent. */
  readonly sent: boolean;
  /** The messages attributed to it, in arrival order. */
  readonly received: readonly OutboundMessage[];
  /** Its expectations in file syntax (`["none"]` for none), or `undefined` without any. */
  readonly expected: readonly string[] | undefined;
  /** What it got in file syntax (`["none"]` for nothing). */
  readonly got: readonly string[];
  /**
   * `"pass"` or `"fail"` for a sent action with expectations, `"unchecked"` for one
   * without; for an action that was not sent, `"unsent"` when the user stopped the replay
   * (see {@linkcode ResponseAttribution.stop}), otherwise `"fail"` with expectations and
   * `"unchecked"` without.
   */
  readonly status: "pass" | "fail" | "unchecked" | "unsent";
  /** `got …` or `expected …; got …`, or `not sent` for an action that was not sent. */
  readonly detail: string;
}

/** Why the user stopped a replay before its last action: `q` at the Enter prompt, or Ctrl-C. */
export type ReplayStop = "quit" | "interrupted";

/** The totals of a replay. */
export interface ReplaySummary {
  readonly actions: number;
  readonly sent: number;
  readonly passed: number;
  readonly failed: number;
  readonly unchecked: number;
  /** Actions not sent because the user stopped the replay (they are not failures). */
  readonly unsent: number;
  /** How the user stopped the replay, or `null` when it ran to its end or the link failed. */
  readonly stopped: ReplayStop | null;
  /** `true` when no action failed. */
  readonly ok: boolean;
}

/** Timing of {@linkcode waitDecision}. */
export interface WaitTiming {
  /** The longest wait for an action's messages, and the silence an action expecting `none` needs. */
  readonly waitMs: number;
  /** The quiet time after the expected messages, to catch extra ones. */
  readonly settleMs: number;
}

/** What to do while waiting after an action: go on, or look again after `checkInMs`. */
export type WaitDecision =
  | { readonly done: true }
  | { readonly done: false; readonly checkInMs: number };

/**
 * Decides whether the wait after sending an action is over.
 *
 * - An action expecting `n > 0` messages waits until `n` have arrived and then `settleMs`
 *   of quiet, or at most `waitMs` after it was sent.
 * - An action expecting `none` waits the full `waitMs`.
 * - An action without expectations waits for its first message and then `settleMs` of
 *   quiet, or at most `waitMs`.
 *
 * @param expect The action's expectations (`[]` for none), or `undefined` without any.
 * @param state How many messages the action got, and the milliseconds since it was sent
 * and since the last message arrived (since sending when none has).
 * @param timing The wait and settle times.
 * @returns `done`, or when to look again at the latest.
 *
 * @example Waiting for one expected message
 * ```ts
 * import { waitDecision } from "./attribution.ts";
 * import assert from "node:assert/strict";
 *
 * const timing = { waitMs: 1000, settleMs: 50 };
 * const expect = [{ kind: "accepted" }] as const;
 * assert.deepEqual(waitDecision(expect, { received: 0, sinceSentMs: 10, sinceLastMs: 10 }, timing), { done: false, checkInMs: 990 });
 * assert.deepEqual(waitDecision(expect, { received: 1, sinceSentMs: 12, sinceLastMs: 0 }, timing), { done: false, checkInMs: 50 });
 * assert.deepEqual(waitDecision(expect, { received: 1, sinceSentMs: 70, sinceLastMs: 50 }, timing), { done: true });
 * ```
 */
export function waitDecision(
  expect: readonly Expectation[] | undefined,
  state: {
    readonly received: number;
    readonly sinceSentMs: number;
    readonly sinceLastMs: number;
  },
  timing: WaitTiming,
): WaitDecision {
  const left = timing.waitMs - state.sinceSentMs;
  if (left <= 0) return { done: true };
  const wanted = expect === undefined ? 1 : expect.length;
  if (wanted === 0 || state.received < wanted) {
    return { done: false, checkInMs: left };
  }
  const quiet = timing.settleMs - state.sinceLastMs;
  return quiet <= 0 ? { done: true } : { done: false, checkInMs: quiet };
}

/**
 * Attributes the messages received on a session to the actions of a scenario, in order:
 * everything that arrives after action `k` is sent and before action `k + 1` is sent
 * belongs to action `k`. System Events are never attributed, and neither is anything
 * that arrives before the first action is sent (a replay at login, for instance).
 *
 * @example Two actions and their answers
 * ```ts
 * import { ResponseAttribution } from "./attribution.ts";
 * import { parseScenario } from "./scenario.ts";
 * import assert from "node:assert/strict";
 *
 * const scenario = parseScenario(JSON.stringify({ actions: [
 *   { message_type: "X", order_token: 1, quantity: 0, expect: "none" },
 *   { message_type: "X", order_token: 2, quantity: 0, expect: ["canceled:U"] },
 * ] }));
 * const replay = new ResponseAttribution(scenario.actions);
 * replay.sent(1);
 * replay.sent(2);
 * const canceled = {
 *   type: "orderCanceled", timestamp: 0, orderToken: 2, decrementQuantity: 100, orderCanceledReason: "U",
 * } as const;
 * assert.equal(replay.receive(canceled), 2);
 * assert.deepEqual(replay.results().map((r) => r.status), ["pass", "pass"]);
 * assert.equal(replay.summary().ok, true);
 * ```
 */
export class ResponseAttribution {
  readonly #actions: readonly ScenarioAction[];
  readonly #received: OutboundMessage[][];
  #current = 0;
  #stopped: ReplayStop | null = null;

  /**
   * Constructs the attribution of a scenario's actions, none sent yet.
   *
   * @param actions The scenario's actions, in order.
   */
  constructor(actions: readonly ScenarioAction[]) {
    this.#actions = actions;
    this.#received = actions.map(() => []);
  }

  /** How many actions have been sent: the index of the last one sent, or 0. */
  get sentCount(): number {
    return this.#current;
  }

  /**
   * Records that the next action was sent.
   *
   * @param index The action's index, from 1; it must be the one after the last sent.
   * @throws {RangeError} If `index` is not the next action.
   */
  sent(index: number): void {
    if (index !== this.#current + 1 || index > this.#actions.length) {
      throw new RangeError(
        `Cannot send action ${index} as the next action is ${
          this.#current + 1
        } of ${this.#actions.length}`,
      );
    }
    this.#current = index;
  }

  /**
   * Records that the user stopped the replay: the actions not sent from then on are
   * reported as `unsent`, not as failures. The first reason given is kept.
   *
   * @param reason `quit` for `q` at the Enter prompt, `interrupted` for Ctrl-C.
   */
  stop(reason: ReplayStop): void {
    this.#stopped ??= reason;
  }

  /** How the user stopped the replay, or `null`. */
  get stopped(): ReplayStop | null {
    return this.#stopped;
  }

  /**
   * Attributes one received message.
   *
   * @param message The message, in sequence order.
   * @returns The index of the action it belongs to, or `undefined` for a System Event or a
   * message before the first action.
   */
  receive(message: OutboundMessage): number | undefined {
    if (message.type === "systemEvent" || this.#current === 0) return undefined;
    this.#received[this.#current - 1]!.push(message);
    return this.#current;
  }

  /**
   * The messages attributed so far to an action.
   *
   * @param index The action's index, from 1.
   * @returns Its messages in arrival order; `[]` for an unknown index.
   */
  received(index: number): readonly OutboundMessage[] {
    return this.#received[index - 1] ?? [];
  }

  /**
   * Checks every action against its expectations.
   *
   * @returns One result per action, in order.
   */
  results(): ActionResult[] {
    return this.#actions.map((action, position) => {
      const received = this.#received[position]!;
      const sent = action.index <= this.#current;
      const got = received.length === 0
        ? ["none"]
        : received.map(describeOutbound);
      const expected = action.expect === undefined
        ? undefined
        : action.expect.length === 0
        ? ["none"]
        : action.expect.map(describeExpectation);
      if (!sent) {
        return {
          index: action.index,
          sent,
          received,
          expected,
          got,
          status: this.#stopped !== null
            ? "unsent"
            : action.expect === undefined
            ? "unchecked"
            : "fail",
          detail: "not sent",
        };
      }
      if (action.expect === undefined) {
        return {
          index: action.index,
          sent,
          received,
          expected,
          got,
          status: "unchecked",
          detail: `got ${got.join(", ")}`,
        };
      }
      const check = checkExpectations(action.expect, received);
      return {
        index: action.index,
        sent,
        received,
        expected,
        got,
        status: check.ok ? "pass" : "fail",
        detail: check.detail,
      };
    });
  }

  /**
   * Totals the results.
   *
   * @returns Counts of actions, sent, passed, failed, unchecked and unsent, how the user
   * stopped the replay, and `ok`.
   */
  summary(): ReplaySummary {
    const results = this.results();
    const count = (status: ActionResult["status"]) =>
      results.filter((result) => result.status === status).length;
    const failed = count("fail");
    return {
      actions: results.length,
      sent: this.#current,
      passed: count("pass"),
      failed,
      unchecked: count("unchecked"),
      unsent: count("unsent"),
      stopped: this.#stopped,
      ok: failed === 0,
    };
  }
}
