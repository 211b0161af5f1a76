// Private: the closed one-byte code sets the ITCH codec checks in both directions.
import { codeSet } from "../codec/_ascii.ts";
import {
  ITCH_ORDER_TYPES,
  ITCH_SIDES,
  ITCH_SYSTEM_EVENT_CODES,
  SHORT_SELLING_STATES,
  TRADING_STATES,
} from "./messages.ts";

/** System Event `O` `S` `Q` `M` `E` `C`. */
export const SYSTEM_EVENT_SET = codeSet(ITCH_SYSTEM_EVENT_CODES);
/** Trading State `T` `V`. */
export const TRADING_STATE_SET = codeSet(TRADING_STATES);
/** Short Selling State `0` `1`. */
export const SHORT_SELLING_SET = codeSet(SHORT_SELLING_STATES);
/** Buy/Sell Indicator `B` `S`. */
export const SIDE_SET = codeSet(ITCH_SIDES);
/** Order Type `Q`. */
export const ORDER_TYPE_SET = codeSet(ITCH_ORDER_TYPES);
