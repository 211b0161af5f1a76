// Private: the closed one-byte code sets the codec checks in both directions.
import { codeSet } from "./_ascii.ts";
import {
  LIQUIDITY_INDICATORS,
  ORDER_CANCELED_REASONS,
  ORDER_REJECTED_REASONS,
  ORDER_STATES,
  SYSTEM_EVENT_CODES,
} from "./messages.ts";
import { LOGIN_REJECT_CODES } from "./packets.ts";

/** Order State `L` `D`. */
export const ORDER_STATE_SET = codeSet(ORDER_STATES);
/** System Event `S` `E`. */
export const SYSTEM_EVENT_SET = codeSet(SYSTEM_EVENT_CODES);
/** Liquidity Indicator `A` `R`. */
export const LIQUIDITY_SET = codeSet(LIQUIDITY_INDICATORS);
/** Order Canceled Reason (spec §5.9). */
export const CANCELED_REASON_SET = codeSet(Object.keys(ORDER_CANCELED_REASONS));
/** Order Rejected Reason (spec §5.8). */
export const REJECTED_REASON_SET = codeSet(Object.keys(ORDER_REJECTED_REASONS));
/** Login Reject Reason Code `A` `S`. */
export const LOGIN_REJECT_SET = codeSet(Object.keys(LOGIN_REJECT_CODES));
