/**
 * One-line text forms of OUCH messages, prices and timestamps, shared by the client and the
 * server's debug display.
 *
 * @module
 */

import {
  ORDER_CANCELED_REASONS,
  ORDER_REJECTED_REASONS,
  type OuchMessage,
} from "../codec/mod.ts";

/** The fields of each message in declaration order (`lib/codec/messages.ts`), tag excluded. */
const FIELDS: { readonly [T in OuchMessage["type"]]: readonly string[] } = {
  enterOrder: [
    "orderToken",
    "clientReference",
    "buySellIndicator",
    "quantity",
    "orderbookId",
    "group",
    "price",
    "timeInForce",
    "firmId",
    "display",
    "capacity",
    "minimumQuantity",
    "orderClassification",
    "cashMarginType",
  ],
  replaceOrder: [
    "existingOrderToken",
    "replacementOrderToken",
    "quantity",
    "price",
    "timeInForce",
    "display",
    "minimumQuantity",
  ],
  cancelOrder: ["orderToken", "quantity"],
  systemEvent: ["timestamp", "eventCode"],
  orderAccepted: [
    "timestamp",
    "orderToken",
    "clientReference",
    "buySellIndicator",
    "quantity",
    "orderbookId",
    "group",
    "price",
    "timeInForce",
    "firmId",
    "display",
    "capacity",
    "orderNumber",
    "minimumQuantity",
    "orderState",
    "orderClassification",
    "cashMarginType",
  ],
  orderReplaced: [
    "timestamp",
    "replacementOrderToken",
    "buySellIndicator",
    "quantity",
    "orderbookId",
    "group",
    "price",
    "timeInForce",
    "display",
    "orderNumber",
    "minimumQuantity",
    "orderState",
    "previousOrderToken",
  ],
  orderCanceled: [
    "timestamp",
    "orderToken",
    "decrementQuantity",
    "orderCanceledReason",
  ],
  orderAiqCanceled: [
    "timestamp",
    "orderToken",
    "decrementQuantity",
    "orderCanceledReason",
    "quantityPreventedFromTrading",
    "executionPrice",
    "liquidityIndicator",
  ],
  orderExecuted: [
    "timestamp",
    "orderToken",
    "executedQuantity",
    "executionPrice",
    "liquidityIndicator",
    "matchNumber",
  ],
  orderRejected: ["timestamp", "orderToken", "orderRejectedReason"],
};

const PRICE_FIELDS = new Set(["price", "executionPrice"]);
const REASONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  orderRejectedReason: ORDER_REJECTED_REASONS,
  orderCanceledReason: ORDER_CANCELED_REASONS,
};

const NS_PER_SECOND = 1_000_000_000;

/**
 * Formats a message on one line: its type name, then `field=value` for each field in
 * declaration order.
 *
 * Strings are shown as-is, or quoted as JSON when they are empty or contain a space
 * (Display `" "`). Prices are decimals with one place, reason codes are followed by their
 * meaning in parentheses, and timestamps are JST clock times (see {@linkcode formatPrice}
 * and {@linkcode formatTimestamp}). Other numbers are shown in decimal, 64-bit Order and
 * Match Numbers exactly.
 *
 * @param message The message to show.
 * @returns One line of text.
 * @throws {RangeError} If a price or timestamp is not a non-negative safe integer.
 *
 * @example Formatting an Order Rejected
 * ```ts
 * import { formatMessage } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * const line = formatMessage({
 *   type: "orderRejected",
 *   timestamp: 34_200_000_000_000,
 *   orderToken: 2,
 *   orderRejectedReason: "N",
 * });
 * assert.equal(
 *   line,
 *   "orderRejected timestamp=09:30:00.000000000 orderToken=2 orderRejectedReason=N (Invalid minimum quantity)",
 * );
 * ```
 */
export function formatMessage(message: OuchMessage): string {
  const record = message as unknown as Readonly<Record<string, unknown>>;
  const parts: string[] = [message.type];
  for (const field of FIELDS[message.type]) {
    parts.push(`${field}=${formatField(field, record[field])}`);
  }
  return parts.join(" ");
}

function formatField(field: string, value: unknown): string {
  if (typeof value === "number") {
    if (PRICE_FIELDS.has(field)) return formatPrice(value);
    if (field === "timestamp") return formatTimestamp(value);
    return String(value);
  }
  if (typeof value === "string") {
    const meaning = REASONS[field]?.[value];
    const text = value === "" || value.includes(" ")
      ? JSON.stringify(value)
      : value;
    return meaning === undefined ? text : `${text} (${meaning})`;
  }
  return String(value);
}

/**
 * Writes a value as JSON, with every bigint (an Order or Match Number) as an exact decimal
 * string: `JSON.stringify` alone throws on bigints, and a JSON number would lose digits
 * above 2^53.
 *
 * @param value The value; objects are written in their key order.
 * @returns The JSON text.
 *
 * @example A 64-bit Order Number stays exact
 * ```ts
 * import { stringifyJson } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   stringifyJson({ orderToken: 1, orderNumber: 202307130000000093n }),
 *   '{"orderToken":1,"orderNumber":"202307130000000093"}',
 * );
 * ```
 */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value, bigintAsDecimal);
}

function bigintAsDecimal(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * Formats a price held in integer tenths as a decimal with exactly one place.
 *
 * @param tenths The price in tenths, a non-negative safe integer.
 * @returns The decimal price, e.g. `2300.0` for `23000`.
 * @throws {RangeError} If `tenths` is negative or not a safe integer.
 *
 * @example Formatting prices
 * ```ts
 * import { formatPrice } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatPrice(23000), "2300.0");
 * assert.equal(formatPrice(5005), "500.5");
 * assert.equal(formatPrice(7), "0.7");
 * ```
 */
export function formatPrice(tenths: number): string {
  if (!Number.isSafeInteger(tenths) || tenths < 0) {
    throw new RangeError(
      `Cannot format price as it must be a non-negative whole number of tenths: current value is ${tenths}`,
    );
  }
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/**
 * Formats an OUCH timestamp (nanoseconds since midnight JST) as the clock time
 * `HH:MM:SS.nnnnnnnnn`.
 *
 * The hours are not wrapped: a value of 24 hours or more (which a correct server never
 * sends) shows as `24:…` and up, so that it is visible.
 *
 * @param ns Nanoseconds since midnight, a non-negative safe integer.
 * @returns The clock time with nanoseconds.
 * @throws {RangeError} If `ns` is negative or not a safe integer.
 *
 * @example Formatting a timestamp
 * ```ts
 * import { formatTimestamp } from "./format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatTimestamp(34_200_000_000_123), "09:30:00.000000123");
 * ```
 */
export function formatTimestamp(ns: number): string {
  if (!Number.isSafeInteger(ns) || ns < 0) {
    throw new RangeError(
      `Cannot format timestamp as it must be a non-negative whole number of nanoseconds: current value is ${ns}`,
    );
  }
  const fraction = ns % NS_PER_SECOND;
  const seconds = (ns - fraction) / NS_PER_SECOND;
  const hh = Math.floor(seconds / 3600);
  const mm = Math.floor(seconds / 60) % 60;
  const ss = seconds % 60;
  return `${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}.${pad(fraction, 9)}`;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}
