// @ts-check
/**
 * The pure part of the web page: formatting, the reason codes in words, the depth ladder, the
 * trade chart, and the checks of every message the page sends. No DOM, no I/O: the page
 * (`app.js`) and the server (`lib/web/server.ts`) both import it, so the page checks a form
 * with the very rules the server enforces again on what arrives.
 *
 * @example Check an order the page is about to send
 * ```ts
 * import { validatePageMessage } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const order = validatePageMessage({ type: "cancel", orderToken: 3, quantity: 0 });
 * assert.deepEqual(order, { type: "cancel", orderToken: 3, quantity: 0 });
 * assert.throws(() => validatePageMessage({ type: "cancel", orderToken: 3 }), TypeError);
 * ```
 *
 * @module
 */

/** Order Rejected Reason codes with their meaning (spec §5.8), as in `lib/codec/messages.ts`. */
export const ORDER_REJECTED_REASONS = Object.freeze({
  H: "Trading halt",
  S: "Invalid orderbook identifier",
  X: "Invalid price",
  Z: "Invalid quantity",
  N: "Invalid minimum quantity",
  Y: "Invalid order type",
  D: "Invalid display type",
  V: "Exceeded order value limit",
  i: "Short sell order restriction",
  R: "Order not allowed at this time",
  F: "Flow control is enabled and this OUCH port is being throttled",
  G: "Invalid margin specification",
  L: "MPID not allowed for this port",
  c: "User has no permission to enter orders on the given board",
  O: "Other",
});

/** Order Canceled Reason codes with their meaning (spec §5.9), as in `lib/codec/messages.ts`. */
export const ORDER_CANCELED_REASONS = Object.freeze({
  U: "User requested cancel",
  L: "User logged off",
  S: "Canceled manually from a supervisory terminal",
  I: "Remaining quantity of an Immediate order canceled",
  M: "Order expired during match",
  X: "Invalid price",
  Z: "Invalid quantity",
  N: "Invalid minimum quantity",
  Y: "Invalid order type",
  D: "Invalid display type",
  V: "Exceeded order value limit",
  i: "Short sell order restriction",
  R: "Order not allowed at this time",
  F: "Flow control throttled",
  G: "Margin order canceled due to margin restriction",
  O: "Other",
});

/** Buy/Sell Indicator values in words (spec §5.1). */
export const SIDE_NAMES = Object.freeze({
  B: "Buy",
  S: "Sell",
  T: "Short sell",
  E: "Short sell exempt",
});

/** Group values in words (spec §5.2), without the padding. */
export const GROUP_NAMES = Object.freeze({
  DAY: "Daytime J-Market",
  NGHT: "Nighttime J-Market",
  DAYX: "X-Market",
  DAYU: "U-Market",
});

/** Time In Force values in words (spec §5.3). */
export const TIME_IN_FORCE_NAMES = Object.freeze({
  99999: "Day",
  0: "Immediate (IOC)",
});

/** Display values in words (spec §5.4). */
export const DISPLAY_NAMES = Object.freeze({
  " ": "Normal",
  P: "Post-only",
});

/** Capacity values in words (spec §5.5). */
export const CAPACITY_NAMES = Object.freeze({
  A: "Agency",
  P: "Principal",
});

/** Order Classification values in words (spec §5.6). There is no `2`. */
export const ORDER_CLASSIFICATION_NAMES = Object.freeze({
  1: "Non-HFT",
  3: "HFT market-making strategy",
  4: "HFT arbitrage strategy",
  5: "HFT directional strategy",
  6: "HFT other strategy",
});

/** Cash Margin Type values in words (spec §5.7). */
export const CASH_MARGIN_TYPE_NAMES = Object.freeze({
  1: "Cash",
  2: "Margin open (negotiable)",
  3: "Margin close (negotiable)",
  4: "Margin open (standardized)",
  5: "Margin close (standardized)",
});

/** The longest text message the server reads from the page, in UTF-16 code units. */
export const MAX_PAGE_MESSAGE_LENGTH = 4096;

/** Largest value of a uint32 field: quantities, tokens, Firm ID, prices in tenths. */
export const MAX_UINT32 = 0xffffffff;

/**
 * The Enter Order fields of spec §3.1 that the page sends, without Order Token (the server
 * assigns it). Price is a decimal string with at most one decimal place.
 *
 * @typedef {object} EnterFields
 * @property {string} clientReference 0 to 10 printable ASCII characters, never checked by the exchange.
 * @property {string} buySellIndicator `B`, `S`, `T` or `E`.
 * @property {number} quantity Shares.
 * @property {string} orderbookId 1 to 4 characters, e.g. `7203`.
 * @property {string} group `DAY`, `NGHT`, `DAYX` or `DAYU`.
 * @property {string} price Decimal, e.g. `"2300.5"`.
 * @property {number} timeInForce `99999` Day or `0` Immediate.
 * @property {number} firmId Firm ID; `0` turns self-match prevention off.
 * @property {string} display `" "` normal or `P` post-only.
 * @property {string} capacity `A` or `P`.
 * @property {number} minimumQuantity `0` for none; only with Time In Force `0`.
 * @property {string} orderClassification `1`, `3`, `4`, `5` or `6`.
 * @property {string} cashMarginType `1` to `5`.
 */

/**
 * A message from the page, as the server handles it once checked: prices are integer tenths.
 *
 * @typedef {{ type: "login", username: string, password: string }
 *   | { type: "logout" }
 *   | { type: "enter", clientReference: string, buySellIndicator: string, quantity: number,
 *       orderbookId: string, group: string, price: number, timeInForce: number, firmId: number,
 *       display: string, capacity: string, minimumQuantity: number,
 *       orderClassification: string, cashMarginType: string }
 *   | { type: "replace", existingOrderToken: number, quantity: number, price: number,
 *       timeInForce: number, display: string, minimumQuantity: number }
 *   | { type: "cancel", orderToken: number, quantity: number }
 *   | { type: "operator", action: "open" | "close" | "halt" | "resume", orderbookId?: string }
 * } PageMessage
 */

/** The sensible defaults of the Enter Order form: a Day buy of 100 for cash, Non-HFT, principal. */
export const ENTER_DEFAULTS = Object.freeze({
  clientReference: "",
  buySellIndicator: "B",
  quantity: 100,
  group: "DAY",
  price: "",
  timeInForce: 99999,
  firmId: 0,
  display: " ",
  capacity: "P",
  minimumQuantity: 0,
  orderClassification: "1",
  cashMarginType: "1",
});

/**
 * Formats a price held in integer tenths as a decimal with one place.
 *
 * @param {number} tenths The price in tenths.
 * @returns {string} The decimal, e.g. `2300.5` for `23005`, or `?` when `tenths` is not a
 * non-negative safe integer.
 *
 * @example Prices
 * ```ts
 * import { formatPrice } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatPrice(23005), "2300.5");
 * assert.equal(formatPrice(7), "0.7");
 * assert.equal(formatPrice(-1), "?");
 * ```
 */
export function formatPrice(tenths) {
  if (!Number.isSafeInteger(tenths) || tenths < 0) return "?";
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/**
 * Reads a decimal price with at most one decimal place into integer tenths, never rounding.
 *
 * @param {unknown} text The price as typed, e.g. `"2300.5"`; spaces around it are allowed.
 * @returns {number} The price in tenths.
 * @throws {TypeError} When `text` is not a string.
 * @throws {RangeError} When it is not such a decimal, or above 429496729.5.
 *
 * @example Prices in tenths
 * ```ts
 * import { parsePrice } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parsePrice("2300.5"), 23005);
 * assert.equal(parsePrice(" 2300 "), 23000);
 * assert.throws(() => parsePrice("2300.55"), RangeError);
 * ```
 */
export function parsePrice(text) {
  if (typeof text !== "string") {
    throw new TypeError(
      `Cannot use Price as it must be a decimal string like "2300.5": current value is ${
        show(text)
      }`,
    );
  }
  const match = /^\s*(\d{1,10})(?:\.(\d))?\s*$/.exec(text);
  if (match === null) {
    throw new RangeError(
      `Cannot use Price as it must be a decimal with at most one decimal place, like "2300.5": current value is ${
        show(text)
      }`,
    );
  }
  const tenths = Number(match[1]) * 10 + Number(match[2] ?? "0");
  if (tenths > MAX_UINT32) {
    throw new RangeError(
      `Cannot use Price as it must be at most 429496729.5: current value is ${
        show(text)
      }`,
    );
  }
  return tenths;
}

/**
 * Formats a quantity with thousands separators.
 *
 * @param {number} quantity A whole number.
 * @returns {string} E.g. `1,234,567`.
 *
 * @example Quantities
 * ```ts
 * import { formatQuantity } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatQuantity(1234567), "1,234,567");
 * assert.equal(formatQuantity(100), "100");
 * ```
 */
export function formatQuantity(quantity) {
  return String(quantity).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Formats an OUCH timestamp (nanoseconds since midnight JST) as `HH:MM:SS.mmm`.
 *
 * @param {number} ns Nanoseconds since midnight.
 * @returns {string} The clock time to the millisecond, or `?` for a bad value.
 *
 * @example Half past nine
 * ```ts
 * import { formatTime } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatTime(34_200_123_456_789), "09:30:00.123");
 * ```
 */
export function formatTime(ns) {
  if (!Number.isSafeInteger(ns) || ns < 0) return "?";
  const ms = Math.floor(ns / 1_000_000);
  const pad = (/** @type {number} */ n, /** @type {number} */ width) =>
    String(n).padStart(width, "0");
  return `${pad(Math.floor(ms / 3_600_000), 2)}:${
    pad(Math.floor(ms / 60_000) % 60, 2)
  }:${pad(Math.floor(ms / 1000) % 60, 2)}.${pad(ms % 1000, 3)}`;
}

/**
 * A reason code followed by its meaning in words.
 *
 * @param {"rejected" | "canceled"} kind Which table: Order Rejected (§5.8) or Order Canceled (§5.9).
 * @param {string} code The reason code.
 * @returns {string} E.g. `X Invalid price`; an unknown code is shown as `? (unknown reason)`.
 *
 * @example Reasons in words
 * ```ts
 * import { reasonText } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(reasonText("rejected", "H"), "H Trading halt");
 * assert.equal(reasonText("canceled", "U"), "U User requested cancel");
 * ```
 */
export function reasonText(kind, code) {
  /** @type {Readonly<Record<string, string>>} */
  const table = kind === "rejected"
    ? ORDER_REJECTED_REASONS
    : ORDER_CANCELED_REASONS;
  const meaning = Object.hasOwn(table, code) ? table[code] : undefined;
  return meaning === undefined
    ? `${code} (unknown reason)`
    : `${code} ${meaning}`;
}

/**
 * One line of the response feed.
 *
 * @typedef {object} ResponseLine
 * @property {"accepted" | "rejected" | "executed" | "canceled" | "replaced" | "system" | "other"} kind
 * @property {string} text The message in words.
 */

/**
 * Describes an outbound OUCH message (as the server relays it) in words, reasons included.
 *
 * @param {Record<string, unknown>} message The message: `type` and its fields.
 * @returns {ResponseLine} Its kind and text.
 *
 * @example An Order Rejected
 * ```ts
 * import { describeResponse } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   describeResponse({ type: "orderRejected", timestamp: 0, orderToken: 4, orderRejectedReason: "X" }),
 *   { kind: "rejected", text: "Rejected #4: X Invalid price" },
 * );
 * ```
 */
export function describeResponse(message) {
  const m = message;
  const n = (/** @type {unknown} */ v) => typeof v === "number" ? v : NaN;
  const s = (/** @type {unknown} */ v) => typeof v === "string" ? v : "?";
  // Order and Match Numbers are 64-bit: the server sends them as exact decimal strings.
  const id = (/** @type {unknown} */ v) =>
    typeof v === "string" && /^\d+$/.test(v) ? v : "?";
  const side = (/** @type {unknown} */ v) => {
    const code = s(v);
    return Object.hasOwn(SIDE_NAMES, code)
      ? SIDE_NAMES[/** @type {keyof typeof SIDE_NAMES} */ (code)]
      : code;
  };
  const qty = (/** @type {unknown} */ v) => formatQuantity(n(v));
  const tif = (/** @type {unknown} */ v) => n(v) === 0 ? " IOC" : "";
  switch (m.type) {
    case "orderAccepted":
      return {
        kind: "accepted",
        text: `Accepted #${n(m.orderToken)}: ${side(m.buySellIndicator)} ${
          qty(m.quantity)
        } of ${s(m.orderbookId)} @ ${formatPrice(n(m.price))}${
          tif(m.timeInForce)
        } (order ${id(m.orderNumber)}${
          m.clientReference === ""
            ? ""
            : `, ref ${JSON.stringify(s(m.clientReference))}`
        }${m.orderState === "D" ? ", dead" : ""})`,
      };
    case "orderRejected":
      return {
        kind: "rejected",
        text: `Rejected #${n(m.orderToken)}: ${
          reasonText("rejected", s(m.orderRejectedReason))
        }`,
      };
    case "orderExecuted":
      return {
        kind: "executed",
        text: `Executed #${n(m.orderToken)}: ${qty(m.executedQuantity)} @ ${
          formatPrice(n(m.executionPrice))
        } (match ${id(m.matchNumber)}, ${
          m.liquidityIndicator === "A" ? "added" : "removed"
        } liquidity)`,
      };
    case "orderCanceled":
      return {
        kind: "canceled",
        text: `Canceled #${n(m.orderToken)}: ${qty(m.decrementQuantity)} (${
          reasonText("canceled", s(m.orderCanceledReason))
        })`,
      };
    case "orderAiqCanceled":
      return {
        kind: "canceled",
        text: `Canceled #${n(m.orderToken)}: ${
          qty(m.decrementQuantity)
        } by self-match prevention, ${
          qty(m.quantityPreventedFromTrading)
        } prevented at ${formatPrice(n(m.executionPrice))} (${
          reasonText("canceled", s(m.orderCanceledReason))
        })`,
      };
    case "orderReplaced":
      return {
        kind: "replaced",
        text: `Replaced #${n(m.previousOrderToken)} by #${
          n(m.replacementOrderToken)
        }: ${side(m.buySellIndicator)} ${qty(m.quantity)} of ${
          s(m.orderbookId)
        } @ ${formatPrice(n(m.price))}${tif(m.timeInForce)} (order ${
          id(m.orderNumber)
        }${m.orderState === "D" ? ", dead" : ""})`,
      };
    case "systemEvent":
      return {
        kind: "system",
        text: `System event: ${
          m.eventCode === "S"
            ? "Start of Day"
            : m.eventCode === "E"
            ? "End of Day"
            : s(m.eventCode)
        }`,
      };
    default:
      return { kind: "other", text: `Unknown message ${show(m.type)}` };
  }
}

/**
 * One aggregated price level as the server sends it.
 *
 * @typedef {{ price: number, quantity: number, orders: number }} Level
 */

/**
 * One row of a depth ladder: a price with the bid or the ask quantity there.
 *
 * @typedef {object} LadderRow
 * @property {"ask" | "bid"} side Which side the level belongs to.
 * @property {number} price Price in tenths.
 * @property {number} quantity Total open quantity at the price.
 * @property {number} orders Number of orders at the price.
 * @property {boolean} best Whether it is the best level of its side.
 */

/**
 * Builds a depth ladder: asks from the highest shown down to the best ask, then bids from the
 * best bid down, so that prices fall from top to bottom and the spread is in the middle.
 *
 * @param {{ bids: readonly Level[], asks: readonly Level[] }} depth Bids and asks, best first.
 * @param {number} levels How many levels per side to show.
 * @returns {LadderRow[]} The rows, top to bottom.
 *
 * @example A one-by-two ladder
 * ```ts
 * import { buildLadder } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const rows = buildLadder({
 *   bids: [{ price: 23000, quantity: 100, orders: 1 }],
 *   asks: [{ price: 23010, quantity: 50, orders: 1 }, { price: 23020, quantity: 70, orders: 2 }],
 * }, 5);
 * assert.deepEqual(rows.map((r) => `${r.side} ${r.price} ${r.quantity}`), [
 *   "ask 23020 70",
 *   "ask 23010 50",
 *   "bid 23000 100",
 * ]);
 * ```
 */
export function buildLadder(depth, levels) {
  /** @type {LadderRow[]} */
  const rows = [];
  const asks = depth.asks.slice(0, levels);
  for (let i = asks.length - 1; i >= 0; i--) {
    const level = /** @type {Level} */ (asks[i]);
    rows.push({ side: "ask", ...pickLevel(level), best: i === 0 });
  }
  depth.bids.slice(0, levels).forEach((level, i) => {
    rows.push({ side: "bid", ...pickLevel(level), best: i === 0 });
  });
  return rows;
}

/**
 * @param {Level} level
 * @returns {Level}
 */
function pickLevel(level) {
  return { price: level.price, quantity: level.quantity, orders: level.orders };
}

/**
 * A trade as the page receives it.
 *
 * @typedef {object} TapeTrade
 * @property {string} matchNumber Match Number as an exact decimal string (64-bit, e.g.
 *   "202611280000000001"), rising through the trading day.
 * @property {number} price Price in tenths.
 * @property {number} quantity Quantity traded.
 * @property {number} timestamp Nanoseconds since midnight.
 * @property {"B" | "S"} aggressor Side of the incoming order.
 */

/**
 * Adds newly received trades to a tape, dropping any already there and keeping the latest.
 *
 * @param {readonly TapeTrade[]} tape The trades so far, oldest first.
 * @param {readonly TapeTrade[]} incoming New trades, oldest first.
 * @param {number} keep How many to keep at most.
 * @returns {TapeTrade[]} The tape, oldest first, in Match Number order.
 *
 * @example Overlapping batches
 * ```ts
 * import { mergeTrades } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const t = (n: number) => ({
 *   matchNumber: String(202611280000000000n + BigInt(n)), price: 1, quantity: 1, timestamp: 0,
 *   aggressor: "B" as const,
 * });
 * assert.deepEqual(
 *   mergeTrades([t(1), t(9)], [t(9), t(10)], 2).map((x) => x.matchNumber),
 *   ["202611280000000009", "202611280000000010"],
 * );
 * ```
 */
export function mergeTrades(tape, incoming, keep) {
  const last = tape.length === 0
    ? 0n
    : BigInt(/** @type {TapeTrade} */ (tape[tape.length - 1]).matchNumber);
  const merged = [
    ...tape,
    ...incoming.filter((t) => BigInt(t.matchNumber) > last),
  ];
  return merged.slice(Math.max(0, merged.length - keep));
}

/**
 * The polyline of a trade price chart.
 *
 * @typedef {object} Chart
 * @property {string} points SVG `points`: `x,y` pairs, oldest trade on the left.
 * @property {number} low Lowest price shown, in tenths (0 when there are no trades).
 * @property {number} high Highest price shown, in tenths (0 when there are no trades).
 */

/**
 * Places trade prices over time in a `width` × `height` box: time runs left to right (by trade
 * order when all trades share one timestamp), the lowest price at the bottom and the highest at
 * the top, with a margin of 2 units; equal prices lie on the middle line.
 *
 * @param {readonly TapeTrade[]} trades Oldest first.
 * @param {number} width Box width.
 * @param {number} height Box height.
 * @returns {Chart} The polyline and the price range.
 *
 * @example Two trades
 * ```ts
 * import { chartPoints } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const chart = chartPoints([
 *   { matchNumber: "1", price: 100, quantity: 1, timestamp: 0, aggressor: "B" },
 *   { matchNumber: "2", price: 200, quantity: 1, timestamp: 10, aggressor: "S" },
 * ], 104, 54);
 * assert.deepEqual(chart, { points: "2,52 102,2", low: 100, high: 200 });
 * ```
 */
export function chartPoints(trades, width, height) {
  if (trades.length === 0) return { points: "", low: 0, high: 0 };
  const margin = 2;
  const w = width - 2 * margin;
  const h = height - 2 * margin;
  let low = Infinity;
  let high = -Infinity;
  for (const trade of trades) {
    low = Math.min(low, trade.price);
    high = Math.max(high, trade.price);
  }
  const first = /** @type {TapeTrade} */ (trades[0]).timestamp;
  const last = /** @type {TapeTrade} */ (trades[trades.length - 1]).timestamp;
  const byTime = last > first;
  const round = (/** @type {number} */ v) => Math.round(v * 10) / 10;
  const points = trades.map((trade, i) => {
    const fx = byTime
      ? (trade.timestamp - first) / (last - first)
      : trades.length === 1
      ? 0.5
      : i / (trades.length - 1);
    const fy = high === low ? 0.5 : (trade.price - low) / (high - low);
    return `${round(margin + fx * w)},${round(margin + (1 - fy) * h)}`;
  });
  return { points: points.join(" "), low, high };
}

/**
 * Checks a message from the page and converts it to the form the server handles. Every
 * field must be present with the right type and range, and no other field may be there.
 * Only what the wire can carry is checked: values the exchange itself rejects (an unknown
 * side, price 0, a halted orderbook …) pass, so that the exchange answers them with Order
 * Rejected as it would an OUCH order.
 *
 * @param {unknown} value The parsed JSON.
 * @returns {PageMessage} The message, with the price in integer tenths.
 * @throws {TypeError} For a value that is not an object, an unknown type, a missing or extra
 * field, or a field of the wrong type.
 * @throws {RangeError} For a number out of range, a price with more than one decimal place,
 * or text that is too long or not printable ASCII.
 *
 * @example A replace, and a bad one
 * ```ts
 * import { validatePageMessage } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const replace = {
 *   type: "replace", existingOrderToken: 2, quantity: 50, price: "2300.5",
 *   timeInForce: 99999, display: " ", minimumQuantity: 0,
 * };
 * assert.equal((validatePageMessage(replace) as { price: number }).price, 23005);
 * assert.throws(
 *   () => validatePageMessage({ ...replace, quantity: -1 }),
 *   { name: "RangeError", message: /Quantity/ },
 * );
 * ```
 */
export function validatePageMessage(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `Cannot read the message as it must be a JSON object: current value is ${
        value === null
          ? "null"
          : Array.isArray(value)
          ? "an array"
          : show(value)
      }`,
    );
  }
  const record = /** @type {Record<string, unknown>} */ (value);
  const type = record.type;
  if (typeof type !== "string") {
    throw new TypeError(
      `Cannot read the message as it must have a "type" string: current value is ${
        show(type)
      }`,
    );
  }
  const schema = Object.hasOwn(SCHEMAS, type)
    ? SCHEMAS[/** @type {keyof typeof SCHEMAS} */ (type)]
    : undefined;
  if (schema === undefined) {
    throw new TypeError(
      `Cannot handle message type ${show(type)}: it is not one of ${
        Object.keys(SCHEMAS).join(", ")
      }`,
    );
  }
  for (const key of Object.keys(record)) {
    if (key !== "type" && !Object.hasOwn(schema, key)) {
      throw new TypeError(
        `Cannot handle "${type}" as field ${show(key)} is not allowed`,
      );
    }
  }
  /** @type {Record<string, unknown>} */
  const out = { type };
  for (const [field, check] of Object.entries(schema)) {
    if (!Object.hasOwn(record, field)) {
      if (check.optional) continue;
      throw new TypeError(
        `Cannot handle "${type}" as field "${field}" is missing`,
      );
    }
    out[field] = check.read(record[field]);
  }
  if (type === "operator") {
    const needsBook = out.action === "halt" || out.action === "resume";
    if (needsBook && out.orderbookId === undefined) {
      throw new TypeError(
        `Cannot ${out.action} as field "orderbookId" is missing`,
      );
    }
    if (!needsBook && out.orderbookId !== undefined) {
      throw new TypeError(
        `Cannot ${out.action} the market as field "orderbookId" is not allowed`,
      );
    }
  }
  return /** @type {PageMessage} */ (/** @type {unknown} */ (out));
}

/**
 * @typedef {object} FieldCheck
 * @property {(value: unknown) => unknown} read Checks and converts a value.
 * @property {boolean} optional Whether the field may be left out.
 */

/**
 * @param {string} label
 * @param {number} min
 * @param {number} max
 * @param {boolean} [optional]
 * @returns {FieldCheck}
 */
function text(label, min, max, optional = false) {
  return {
    optional,
    read: (value) => {
      if (typeof value !== "string") {
        throw new TypeError(
          `Cannot use ${label} as it must be a string: current value is ${
            show(value)
          }`,
        );
      }
      if (
        value.length < min || value.length > max ||
        !/^[\x20-\x7e]*$/.test(value)
      ) {
        throw new RangeError(
          `Cannot use ${label} as it must be ${
            min === max ? min : `${min} to ${max}`
          } printable ASCII characters: current value is ${show(value)}`,
        );
      }
      return value;
    },
  };
}

/**
 * @param {string} label
 * @returns {FieldCheck}
 */
function uint32(label) {
  return {
    optional: false,
    read: (value) => {
      if (typeof value !== "number") {
        throw new TypeError(
          `Cannot use ${label} as it must be a number: current value is ${
            show(value)
          }`,
        );
      }
      if (!Number.isSafeInteger(value) || value < 0 || value > MAX_UINT32) {
        throw new RangeError(
          `Cannot use ${label} as it must be a whole number from 0 to ${MAX_UINT32}: current value is ${
            show(value)
          }`,
        );
      }
      return value;
    },
  };
}

/** @type {FieldCheck} */
const PRICE = { optional: false, read: parsePrice };

/** @type {FieldCheck} */
const ACTION = {
  optional: false,
  read: (value) => {
    if (
      value !== "open" && value !== "close" && value !== "halt" &&
      value !== "resume"
    ) {
      throw new TypeError(
        `Cannot use action as it must be "open", "close", "halt" or "resume": current value is ${
          show(value)
        }`,
      );
    }
    return value;
  },
};

const SCHEMAS = Object.freeze({
  login: {
    username: text("Username", 1, 64),
    password: text("Password", 0, 64),
  },
  logout: {},
  enter: {
    clientReference: text("Client Reference", 0, 10),
    buySellIndicator: text("Buy/Sell Indicator", 1, 1),
    quantity: uint32("Quantity"),
    orderbookId: text("Orderbook ID", 1, 4),
    group: text("Group", 1, 4),
    price: PRICE,
    timeInForce: uint32("Time In Force"),
    firmId: uint32("Firm ID"),
    display: text("Display", 1, 1),
    capacity: text("Capacity", 1, 1),
    minimumQuantity: uint32("Minimum Quantity"),
    orderClassification: text("Order Classification", 1, 1),
    cashMarginType: text("Cash Margin Type", 1, 1),
  },
  replace: {
    existingOrderToken: uint32("Existing Order Token"),
    quantity: uint32("Quantity"),
    price: PRICE,
    timeInForce: uint32("Time In Force"),
    display: text("Display", 1, 1),
    minimumQuantity: uint32("Minimum Quantity"),
  },
  cancel: {
    orderToken: uint32("Order Token"),
    quantity: uint32("Quantity"),
  },
  operator: {
    action: ACTION,
    orderbookId: text("Orderbook ID", 1, 4, true),
  },
});

/**
 * A short, safe rendering of any value for an error message.
 *
 * @param {unknown} value
 * @returns {string}
 */
function show(value) {
  let text;
  try {
    text = typeof value === "string"
      ? JSON.stringify(value)
      : typeof value === "number" || typeof value === "boolean" ||
          value === null
      ? String(value)
      : typeof value === "object"
      ? Array.isArray(value) ? "an array" : "an object"
      : String(value);
  } catch {
    text = "a value";
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
