/**
 * Moving a scenario's order tokens above the ones an account has already used today, so
 * that a file with fixed tokens runs again and again against the same trading day.
 *
 * @module
 */

import { type InboundMessage, MAX_UINT32 } from "../codec/mod.ts";
import type { Scenario, ScenarioAction } from "./scenario.ts";

/**
 * Adds `offset` to every token of a scenario: Enter Order tokens, both tokens of a Replace
 * Order and Cancel Order tokens.
 *
 * Every token moves by the same amount, so the file's order of tokens and its deliberate
 * repeats stay as written: a token reused in the file is reused on the wire, a cancel of a
 * token never entered still names a token never entered, and token 0, which is never valid,
 * stays 0. Expectations name message kinds and reason codes, not tokens, so they stay as
 * written; the action indexes and comments do too.
 *
 * @param scenario The scenario, as read from its file.
 * @param offset The amount to add, usually the account's highest token today; 0 returns the
 * scenario unchanged.
 * @returns The scenario with its tokens moved.
 * @throws {RangeError} If `offset` is not a whole number from 0 to 4294967295, or a moved
 * token would not fit a uint32; the message names the first such action and token.
 *
 * @example A second run of a file that uses tokens 1 and 2 and reuses 1
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * import { shiftTokens } from "./shift_tokens.ts";
 * import assert from "node:assert/strict";
 *
 * const scenario = parseScenario(JSON.stringify({ actions: [
 *   { message_type: "U", existing_order_token: 1, replacement_order_token: 2, quantity: 5,
 *     price: 10, time_in_force: 0, display: " ", minimum_quantity: 0 },
 *   { message_type: "X", order_token: 1, quantity: 0 },
 *   { message_type: "X", order_token: 0, quantity: 0 },
 * ] }));
 * const shifted = shiftTokens(scenario, 7);
 * assert.deepEqual(shifted.actions.map((a) => a.message), [
 *   { type: "replaceOrder", existingOrderToken: 8, replacementOrderToken: 9, quantity: 5,
 *     price: 100, timeInForce: 0, display: " ", minimumQuantity: 0 },
 *   { type: "cancelOrder", orderToken: 8, quantity: 0 },
 *   { type: "cancelOrder", orderToken: 0, quantity: 0 },
 * ]);
 * ```
 */
export function shiftTokens(scenario: Scenario, offset: number): Scenario {
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_UINT32) {
    throw new RangeError(
      `Cannot shift tokens as the offset must be a whole number from 0 to ${MAX_UINT32}: current offset is ${offset}`,
    );
  }
  if (offset === 0) return scenario;
  const move = (token: number, index: number): number => {
    if (token === 0) return 0;
    const moved = token + offset;
    if (moved > MAX_UINT32) {
      throw new RangeError(
        `Cannot shift the tokens by ${offset} as token ${token} of action ${index} would be ${moved}, above ${MAX_UINT32}`,
      );
    }
    return moved;
  };
  const actions = scenario.actions.map((action): ScenarioAction => {
    const message = action.message;
    let shifted: InboundMessage;
    switch (message.type) {
      case "enterOrder":
        shifted = {
          ...message,
          orderToken: move(message.orderToken, action.index),
        };
        break;
      case "replaceOrder":
        shifted = {
          ...message,
          existingOrderToken: move(message.existingOrderToken, action.index),
          replacementOrderToken: move(
            message.replacementOrderToken,
            action.index,
          ),
        };
        break;
      case "cancelOrder":
        shifted = {
          ...message,
          orderToken: move(message.orderToken, action.index),
        };
        break;
    }
    return Object.freeze({ ...action, message: Object.freeze(shifted) });
  });
  return Object.freeze({ ...scenario, actions: Object.freeze(actions) });
}
