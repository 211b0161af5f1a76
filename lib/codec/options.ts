/**
 * Options shared by every OUCH message encoder and decoder.
 *
 * @module
 */

import type { ProtocolVersion } from "./messages.ts";

/** The protocol version the codec speaks when no option says otherwise (K1). */
export const DEFAULT_PROTOCOL_VERSION: ProtocolVersion = "1.12";

/**
 * Options of the OUCH message codec.
 *
 * @example Selecting the pre-2024 layout
 * ```ts
 * import type { CodecOptions } from "./options.ts";
 * import { encodeCancelOrder } from "./cancel_order.ts";
 * import assert from "node:assert/strict";
 *
 * const options: CodecOptions = { version: "1.11" };
 * const target = new Uint8Array(9);
 * assert.equal(encodeCancelOrder({ type: "cancelOrder", orderToken: 1, quantity: 0 }, target, 0, options), 9);
 * ```
 */
export interface CodecOptions {
  /**
   * Protocol version: `"1.12"` carries Orderbook ID as 4-byte Alpha, `"1.11"` as a uint32.
   * Nothing else differs between the two (K1). Any other value throws a `RangeError`.
   *
   * @default {"1.12"}
   */
  version?: ProtocolVersion;
}
