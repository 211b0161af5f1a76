/**
 * Per-account trading limits (K19–K21): flow control, order value, the Firm IDs (MPIDs) and
 * the boards (groups) an account may use.
 *
 * @module
 */

/**
 * What one account may do. Every field is optional; a field left out does not restrict.
 */
export interface AccountLimits {
  /**
   * Flow control (`F`): at most this many inbound messages (Enter, Replace and Cancel
   * together, whatever becomes of them) in any window of one second of command timestamps.
   * `0` switches it off.
   */
  readonly throttle?: number;
  /**
   * Order value limit (`V`): the largest price × quantity of one order, in yen. For a
   * replace the quantity is the new open quantity.
   */
  readonly maxOrderValue?: number;
  /** MPIDs (`L`): the Firm IDs the account may use besides 0, which is always allowed. */
  readonly firms?: readonly number[];
  /** Boards (`c`): the groups the account may trade, among `DAY`, `NGHT`, `DAYX`, `DAYU`. */
  readonly groups?: readonly string[];
}

/** The most `throttle` may be: the engine keeps that many timestamps per account. */
export const MAX_THROTTLE = 1_000_000;

const GROUPS = ["DAY", "NGHT", "DAYX", "DAYU"];

/**
 * Checks account limits.
 *
 * @param limits The limits.
 * @param where What to name in an error, e.g. `account 3`.
 * @returns The same limits.
 * @throws {RangeError} If `throttle` is not an integer from 0 to 1,000,000,
 *   `maxOrderValue` not an integer from 1 to 900,719,925,474,099 yen (so that ten times it
 *   is exact), a Firm ID not a uint32 or a group not one of the four.
 *
 * @example A bad group
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAccountLimits } from "./account_limits.ts";
 *
 * assert.deepEqual(checkAccountLimits({ throttle: 5 }, "alice"), { throttle: 5 });
 * assert.throws(() => checkAccountLimits({ groups: ["DAYZ"] }, "alice"), {
 *   name: "RangeError",
 *   message: /alice: groups must be among DAY, NGHT, DAYX, DAYU: current value is "DAYZ"/,
 * });
 * ```
 */
export function checkAccountLimits(
  limits: AccountLimits,
  where: string,
): AccountLimits {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new RangeError(
      `Cannot use the limits of ${where}: ${field} must be ${rule}: current value is ${
        JSON.stringify(value)
      }`,
    );
  };
  if (typeof limits !== "object" || limits === null) {
    fail("limits", "an object", limits);
  }
  const { throttle, maxOrderValue, firms, groups } = limits;
  if (
    throttle !== undefined &&
    !(Number.isInteger(throttle) && throttle >= 0 && throttle <= MAX_THROTTLE)
  ) {
    fail("throttle", `an integer from 0 to ${MAX_THROTTLE}`, throttle);
  }
  if (
    maxOrderValue !== undefined &&
    !(Number.isInteger(maxOrderValue) && maxOrderValue >= 1 &&
      Number.isSafeInteger(maxOrderValue * 10))
  ) {
    fail(
      "maxOrderValue",
      "an integer from 1 to 900719925474099",
      maxOrderValue,
    );
  }
  if (firms !== undefined) {
    if (!Array.isArray(firms)) fail("firms", "a list", firms);
    for (const firm of firms!) {
      if (!(Number.isInteger(firm) && firm >= 0 && firm <= 0xffffffff)) {
        fail("firms", "Firm IDs from 0 to 4294967295", firm);
      }
    }
  }
  if (groups !== undefined) {
    if (!Array.isArray(groups)) fail("groups", "a list", groups);
    for (const group of groups!) {
      if (!GROUPS.includes(group)) {
        fail("groups", `among ${GROUPS.join(", ")}`, group);
      }
    }
  }
  return limits;
}
