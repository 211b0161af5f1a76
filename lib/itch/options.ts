/**
 * Options shared by every ITCH message encoder and decoder.
 *
 * @module
 */

import type { ItchVersion } from "./messages.ts";

/** The ITCH version the codec speaks when no option says otherwise (M1). */
export const DEFAULT_ITCH_VERSION: ItchVersion = "1.7";

/**
 * Options of the ITCH message codec.
 *
 * @example Selecting the v1.6 layout
 * ```ts
 * import type { ItchCodecOptions } from "./options.ts";
 * import { encodeTradingState } from "./trading_state.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const options: ItchCodecOptions = { version: "1.6" };
 * const target = new Uint8Array(14);
 * encodeTradingState({
 *   type: "tradingState", nanoseconds: 0, orderbookId: "7203", group: "DAY", tradingState: "T",
 * }, target, 0, options);
 * assert.equal(toHex(target.subarray(5, 9)), "00001c23");
 * ```
 */
export interface ItchCodecOptions {
  /**
   * ITCH version: `"1.7"` carries Orderbook Id as 4-byte Alpha, `"1.6"` as a uint32 (whose
   * decimal text is the id: `"7203"` is 0x00001c23). Any other value throws a `RangeError`.
   *
   * @default {"1.7"}
   */
  version?: ItchVersion;
}
