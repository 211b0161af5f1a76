/**
 * Replaying a scenario on a live connection: one action per Enter key or automatically,
 * the responses attributed to the actions, and a pass/fail line per action at the end.
 *
 * @module
 */

import type { OutboundMessage } from "../codec/mod.ts";
import {
  type ReplaySummary,
  ResponseAttribution,
  waitDecision,
} from "./attribution.ts";
import type { OuchConnection } from "./connection.ts";
import type { Printer } from "./printer.ts";
import type { Scenario, ScenarioAction } from "./scenario.ts";

/** How a {@linkcode ScenarioReplay} sends, waits and prints. */
export interface ReplayOptions {
  /** Send without waiting for keys. */
  auto: boolean;
  /** The shortest pause between two sends with `auto`. @default {0} */
  intervalMs?: number;
  /**
   * The longest wait for an action's expected messages, the silence an action expecting
   * `none` needs, and the longest wait for the first answer of an action without
   * expectations.
   *
   * @default {1000}
   */
  waitMs?: number;
  /** Quiet time after the expected messages, to catch extra ones. @default {50} */
  settleMs?: number;
  /** Formats the lines. */
  printer: Printer;
  /** Writes one line. */
  print(line: string): void;
  /**
   * Without `auto`: waits for the user; resolves `true` to send the next action, `false`
   * to stop sending (the actions left are then reported as not sent, not as failures).
   */
  nextKey?: () => Promise<boolean>;
  /**
   * Stops sending when aborted, as Ctrl-C does: a wait for the Enter key or for the
   * interval ends at once, the answers to an action already sent are still waited for,
   * the actions left are reported as not sent, and the results are printed.
   */
  signal?: AbortSignal;
}

/**
 * Replays a scenario's actions on a connection and checks their expectations.
 *
 * The owner of the connection passes every received message to
 * {@linkcode ScenarioReplay.receive} (which attributes it as
 * {@linkcode ResponseAttribution} does) and prints it. The owner also waits for the
 * messages a login replays before calling {@linkcode ScenarioReplay.run}, which sends the
 * actions, each after the previous one's wait (see `waitDecision`): with `auto` at least
 * `intervalMs` apart, without it one per `nextKey()` (what arrives before the next key
 * still counts for the previous action). After the last action's wait, or when the user
 * stops it, it prints one result line per action and a summary.
 */
export class ScenarioReplay {
  readonly #scenario: Scenario;
  readonly #options: ReplayOptions;
  readonly #attribution: ResponseAttribution;
  #lastAttributedAt = -Infinity;

  /**
   * Constructs the replay of a scenario.
   *
   * @param scenario The scenario.
   * @param options How to send, wait and print.
   */
  constructor(scenario: Scenario, options: ReplayOptions) {
    this.#scenario = scenario;
    this.#options = options;
    this.#attribution = new ResponseAttribution(scenario.actions);
  }

  /** The highest order token the scenario sends (Enter and replacement tokens), or 0. */
  get highestToken(): number {
    let highest = 0;
    for (const { message } of this.#scenario.actions) {
      const token = message.type === "enterOrder"
        ? message.orderToken
        : message.type === "replaceOrder"
        ? message.replacementOrderToken
        : 0;
      if (token > highest) highest = token;
    }
    return highest;
  }

  /**
   * Attributes one received message.
   *
   * @param message The message, in sequence order.
   * @returns The action it belongs to, or `undefined`.
   */
  receive(message: OutboundMessage): number | undefined {
    const action = this.#attribution.receive(message);
    if (action !== undefined) this.#lastAttributedAt = performance.now();
    return action;
  }

  /**
   * Sends the actions, waits for their answers and prints the results.
   *
   * @param connection A logged-in connection.
   * @returns The totals.
   */
  async run(connection: OuchConnection): Promise<ReplaySummary> {
    const { printer, print, signal } = this.#options;
    const waitMs = this.#options.waitMs ?? 1000;
    const settleMs = this.#options.settleMs ?? 50;
    let finished = false;
    const done = connection.done.then(() => {
      finished = true;
      return false;
    });
    const aborted = new Promise<false>((resolve) => {
      if (signal?.aborted) resolve(false);
      signal?.addEventListener("abort", () => resolve(false), { once: true });
    });
    const stopped = () => finished || signal?.aborted === true;

    let lastSentAt = -Infinity;
    for (const action of this.#scenario.actions) {
      if (stopped()) break;
      if (this.#options.auto) {
        const interval = this.#options.intervalMs ?? 0;
        while (!stopped() && performance.now() - lastSentAt < interval) {
          await Promise.race([
            connection.wait(interval - (performance.now() - lastSentAt)),
            aborted,
          ]);
        }
        if (stopped()) break;
      } else {
        for (
          const line of printer.next(
            action.index,
            action.message,
            action.comment,
          )
        ) {
          print(line);
        }
        const next = this.#options.nextKey ?? (() => Promise.resolve(true));
        const go = await Promise.race([next(), done, aborted]);
        if (stopped()) break;
        if (!go) {
          this.#attribution.stop("quit");
          break;
        }
      }
      try {
        connection.send(action.message);
      } catch (error) {
        if (error instanceof TypeError) break;
        throw error;
      }
      this.#attribution.sent(action.index);
      if (this.#options.auto && action.comment !== undefined && !printer.json) {
        print(printer.comment(action.comment));
      }
      print(printer.sent(action.message, action.index));
      lastSentAt = performance.now();
      await this.#waitFor(connection, action, lastSentAt, () => finished, {
        waitMs,
        settleMs,
      });
    }
    if (signal?.aborted === true && !finished) {
      this.#attribution.stop("interrupted");
    }

    for (const result of this.#attribution.results()) {
      print(printer.result(result));
    }
    const summary = this.#attribution.summary();
    print(printer.summary(summary));
    return summary;
  }

  async #waitFor(
    connection: OuchConnection,
    action: ScenarioAction,
    sentAt: number,
    stopped: () => boolean,
    timing: { waitMs: number; settleMs: number },
  ): Promise<void> {
    while (!stopped()) {
      const now = performance.now();
      const decision = waitDecision(action.expect, {
        received: this.#attribution.received(action.index).length,
        sinceSentMs: now - sentAt,
        sinceLastMs: now - Math.max(sentAt, this.#lastAttributedAt),
      }, timing);
      if (decision.done) return;
      await connection.wait(decision.checkInMs);
    }
  }
}
