/**
 * Expectations of a scenario action: the outbound messages it must cause on its own
 * session, in order, written in a small word syntax (`accepted`, `rejected:N`, `executed`…).
 *
 * @module
 */

import {
  ORDER_CANCELED_REASONS,
  ORDER_REJECTED_REASONS,
  type OrderCanceledReason,
  type OrderRejectedReason,
  type OutboundMessage,
} from "../codec/mod.ts";

/**
 * One outbound message an action must cause. `rejected` and `canceled` carry the reason
 * code they must have; the others match any message of their type.
 */
export type Expectation =
  | { readonly kind: "accepted" }
  | { readonly kind: "rejected"; readonly reason: OrderRejectedReason }
  | { readonly kind: "replaced" }
  | { readonly kind: "canceled"; readonly reason: OrderCanceledReason }
  | { readonly kind: "aiqCanceled" }
  | { readonly kind: "executed" };

/** The result of {@linkcode checkExpectations}. */
export interface ExpectationCheck {
  /** `true` when the received messages are exactly the expected ones, in order. */
  readonly ok: boolean;
  /** What was expected and what was got, e.g. `expected accepted, executed; got accepted`. */
  readonly detail: string;
}

const SYNTAX =
  "accepted, rejected:R, replaced, canceled:R, aiq-canceled, executed or none";

/**
 * Reads the `expect` value of a scenario action.
 *
 * The value is either one word or an array of words. Each word is `accepted`, `rejected:R`,
 * `replaced`, `canceled:R`, `aiq-canceled` or `executed`, where `R` is a one-character
 * reason code: an Order Rejected Reason for `rejected`, an Order Canceled Reason for
 * `canceled`. The word `none` (alone, or as the only array element) and the empty array
 * both mean that the action causes no message at all, and give `[]`. A single word other
 * than `none` is read as a one-element list.
 *
 * @param value The parsed JSON value of the `expect` field.
 * @returns The expected messages in order; `[]` means none.
 * @throws {TypeError} If the value is not a string or an array of strings.
 * @throws {SyntaxError} If a word is unknown, lacks its reason code, has an unknown reason
 * code, or `none` is mixed with other words.
 *
 * @example Reading expectations
 * ```ts
 * import { parseExpectations } from "./expectation.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseExpectations(["accepted", "canceled:I"]), [
 *   { kind: "accepted" },
 *   { kind: "canceled", reason: "I" },
 * ]);
 * assert.deepEqual(parseExpectations("none"), []);
 * assert.throws(() => parseExpectations(["rejected:Q"]), SyntaxError);
 * ```
 */
export function parseExpectations(value: unknown): Expectation[] {
  if (typeof value !== "string" && !Array.isArray(value)) {
    throw new TypeError(
      `Cannot read expectations as they must be a string or an array of strings: got ${
        describeJson(value)
      }`,
    );
  }
  const words: readonly unknown[] = typeof value === "string" ? [value] : value;
  const result: Expectation[] = [];
  for (const [position, word] of words.entries()) {
    if (typeof word !== "string") {
      throw new TypeError(
        `Cannot read expectation ${position + 1} as it must be a string: got ${
          describeJson(word)
        }`,
      );
    }
    if (word === "none") {
      if (words.length !== 1) {
        throw new SyntaxError(
          `Cannot use "none" together with other expectations: got ${
            words.map((w) => typeof w === "string" ? w : describeJson(w))
              .join(", ")
          }`,
        );
      }
      continue;
    }
    result.push(parseWord(word));
  }
  return result;
}

function parseWord(word: string): Expectation {
  const colon = word.indexOf(":");
  const head = colon === -1 ? word : word.slice(0, colon);
  const code = colon === -1 ? undefined : word.slice(colon + 1);
  switch (head) {
    case "accepted":
    case "replaced":
    case "executed":
    case "aiq-canceled":
      if (code !== undefined) {
        throw new SyntaxError(
          `Cannot parse expectation "${word}" as "${head}" takes no reason code`,
        );
      }
      return head === "aiq-canceled" ? { kind: "aiqCanceled" } : { kind: head };
    case "rejected":
      return {
        kind: "rejected",
        reason: parseReason(
          word,
          code,
          ORDER_REJECTED_REASONS,
          "Order Rejected",
        ),
      };
    case "canceled":
      return {
        kind: "canceled",
        reason: parseReason(
          word,
          code,
          ORDER_CANCELED_REASONS,
          "Order Canceled",
        ),
      };
    default:
      throw new SyntaxError(
        `Cannot parse expectation "${word}" as it must be one of ${SYNTAX}`,
      );
  }
}

function parseReason<T extends string>(
  word: string,
  code: string | undefined,
  table: Readonly<Record<T, string>>,
  what: string,
): T {
  if (code === undefined || code === "") {
    throw new SyntaxError(
      `Cannot parse expectation "${word}" as it needs a reason code, e.g. "${
        word.replace(/:$/, "")
      }:${Object.keys(table)[0]}"`,
    );
  }
  if (!Object.hasOwn(table, code)) {
    throw new SyntaxError(
      `Cannot parse expectation "${word}" as "${code}" is not an ${what} Reason: use one of ${
        Object.keys(table).join(" ")
      }`,
    );
  }
  return code as T;
}

/**
 * Writes an expectation back in the scenario file syntax.
 *
 * @param expectation The expectation to describe.
 * @returns The word for it, e.g. `rejected:N` or `aiq-canceled`.
 *
 * @example Describing expectations
 * ```ts
 * import { describeExpectation } from "./expectation.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeExpectation({ kind: "rejected", reason: "N" }), "rejected:N");
 * assert.equal(describeExpectation({ kind: "aiqCanceled" }), "aiq-canceled");
 * ```
 */
export function describeExpectation(expectation: Expectation): string {
  switch (expectation.kind) {
    case "rejected":
    case "canceled":
      return `${expectation.kind}:${expectation.reason}`;
    case "aiqCanceled":
      return "aiq-canceled";
    default:
      return expectation.kind;
  }
}

/**
 * Describes a received outbound message in the scenario file syntax, so that it can be
 * compared with {@linkcode describeExpectation}'s output.
 *
 * System events, which no action causes, are written `system-event:S` or `system-event:E`.
 *
 * @param message The received message.
 * @returns Its word, e.g. `rejected:N`, `canceled:U`, `executed` or `system-event:S`.
 *
 * @example Describing a received message
 * ```ts
 * import { describeOutbound } from "./expectation.ts";
 * import assert from "node:assert/strict";
 *
 * const rejected = {
 *   type: "orderRejected",
 *   timestamp: 0,
 *   orderToken: 2,
 *   orderRejectedReason: "N",
 * } as const;
 * assert.equal(describeOutbound(rejected), "rejected:N");
 * ```
 */
export function describeOutbound(message: OutboundMessage): string {
  switch (message.type) {
    case "systemEvent":
      return `system-event:${message.eventCode}`;
    case "orderAccepted":
      return "accepted";
    case "orderReplaced":
      return "replaced";
    case "orderCanceled":
      return `canceled:${message.orderCanceledReason}`;
    case "orderAiqCanceled":
      return "aiq-canceled";
    case "orderExecuted":
      return "executed";
    case "orderRejected":
      return `rejected:${message.orderRejectedReason}`;
  }
}

/**
 * Checks the messages an action caused against its expectations.
 *
 * The check passes when the received messages, in order, are exactly the expected ones:
 * same count, same kinds and, for `rejected` and `canceled`, the same reason codes. An
 * empty expected list passes only when nothing was received. Fields other than the kind and
 * reason (tokens, quantities, prices) are not compared.
 *
 * @param expected The action's expectations (`[]` means none).
 * @param received The outbound messages the action caused, in arrival order.
 * @returns `ok`, and a `detail` of the form `got …` when it passes, or
 * `expected …; got …` when it fails, where an empty list is written `none`.
 *
 * @example A failing check
 * ```ts
 * import { checkExpectations } from "./expectation.ts";
 * import assert from "node:assert/strict";
 *
 * const accepted = {
 *   type: "orderAccepted", timestamp: 0, orderToken: 1, clientReference: "", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999, firmId: 0,
 *   display: " ", capacity: "P", orderNumber: 202611280000000001n, minimumQuantity: 0,
 *   orderState: "L",
 *   orderClassification: "1", cashMarginType: "1",
 * } as const;
 * const check = checkExpectations([{ kind: "accepted" }, { kind: "executed" }], [accepted]);
 * assert.deepEqual(check, { ok: false, detail: "expected accepted, executed; got accepted" });
 * ```
 */
export function checkExpectations(
  expected: readonly Expectation[],
  received: readonly OutboundMessage[],
): ExpectationCheck {
  const want = expected.map(describeExpectation);
  const got = received.map(describeOutbound);
  const ok = want.length === got.length && want.every((w, i) => w === got[i]);
  const gotText = got.length === 0 ? "none" : got.join(", ");
  if (ok) return { ok, detail: `got ${gotText}` };
  const wantText = want.length === 0 ? "none" : want.join(", ");
  return { ok, detail: `expected ${wantText}; got ${gotText}` };
}

function describeJson(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") return "an object";
  return JSON.stringify(value);
}
