// @ts-check
/**
 * The pure part of the web page: formatting, reading what a trader types (form fields and
 * the one-line order entry), the reason codes in words with the order repeated, the
 * account's orders, fills and position in integer tenths, the depth ladder, the trade
 * history and its chart, and the checks of every message the page sends. No DOM, no I/O,
 * no clock: the page (`app.js`) and the server (`lib/web/server.ts`) both import it, so the
 * page checks a form with the very rules the server enforces again on what arrives.
 *
 * Order Numbers and Match Numbers are 64-bit: they are carried as opaque decimal strings
 * (`String(value)`), never converted to a `number`.
 *
 * @example Check an order the page is about to send
 * ```ts
 * import { validatePageMessage } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const order = validatePageMessage({ type: "cancel", orderToken: 3, quantity: 0 });
 * assert.deepEqual(order, { type: "cancel", orderToken: 3, quantity: 0 });
 * assert.throws(() => validatePageMessage({ type: "cancel", quantity: 0 }), TypeError);
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

/** The highest price the exchange accepts, in tenths (`docs/exchange_rules.md`). */
export const MAX_EXCHANGE_PRICE = 0x7ffffffe;

/** The highest quantity the exchange accepts (`docs/exchange_rules.md`). */
export const MAX_EXCHANGE_QUANTITY = 0x7fffffff;

/** The longest Client Reference: the field is 10 bytes on the wire. */
export const MAX_CLIENT_REFERENCE = 10;

/**
 * A message from the page, as the server handles it once checked: prices are integer tenths.
 *
 * @typedef {{ type: "login", username: string, password: string }
 *   | { type: "logout" }
 *   | { type: "ping" }
 *   | { type: "enter", clientReference: string, buySellIndicator: string, quantity: number,
 *       orderbookId: string, group: string, price: number, timeInForce: number, firmId: number,
 *       display: string, capacity: string, minimumQuantity: number,
 *       orderClassification: string, cashMarginType: string }
 *   | { type: "replace", existingOrderToken: number, quantity: number, price: number,
 *       timeInForce: number, display: string, minimumQuantity: number }
 *   | { type: "cancel", orderToken: number, quantity?: number }
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

// ---- formatting ----

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
 * Formats a quantity with thousands separators.
 *
 * @param {number | bigint} quantity A whole number.
 * @returns {string} E.g. `1,234,567`.
 *
 * @example Quantities
 * ```ts
 * import { formatQuantity } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatQuantity(1234567), "1,234,567");
 * assert.equal(formatQuantity(-1500), "-1,500");
 * assert.equal(formatQuantity(100), "100");
 * ```
 */
export function formatQuantity(quantity) {
  return String(quantity).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Formats an amount of money held as a whole number of tenths of a yen (price in tenths
 * times shares), with thousands separators and one decimal place.
 *
 * @param {bigint} tenths The amount in tenths of a yen.
 * @param {{ sign?: boolean }} [options] `sign`: put `+` before a positive amount.
 * @returns {string} E.g. `+1,234.5`, `-0.5`, `0.0`.
 *
 * @example Profit and loss
 * ```ts
 * import { formatAmount } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatAmount(12345n, { sign: true }), "+1,234.5");
 * assert.equal(formatAmount(-5n), "-0.5");
 * assert.equal(formatAmount(0n, { sign: true }), "0.0");
 * ```
 */
export function formatAmount(tenths, options = {}) {
  const negative = tenths < 0n;
  const abs = negative ? -tenths : tenths;
  const text = `${formatQuantity(abs / 10n)}.${abs % 10n}`;
  return negative ? `-${text}` : options.sign && abs > 0n ? `+${text}` : text;
}

/**
 * Formats an average price, `cost / shares` in tenths, to the hundredth of a yen (rounded
 * half away from zero), without a sign.
 *
 * @param {bigint} cost Price in tenths times shares.
 * @param {number} shares The number of shares (its sign is ignored); `0` gives `""`.
 * @returns {string} E.g. `2,300.25`.
 *
 * @example Bought 100 at 2300.0 and 100 at 2300.5
 * ```ts
 * import { formatAverage } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatAverage(23000n * 100n + 23005n * 100n, 200), "2,300.25");
 * assert.equal(formatAverage(-69001n, -3), "2,300.03");
 * ```
 */
export function formatAverage(cost, shares) {
  if (shares === 0) return "";
  const c = cost < 0n ? -cost : cost;
  const n = BigInt(Math.abs(shares));
  const hundredths = divideRounded(c * 10n, n);
  return `${formatQuantity(hundredths / 100n)}.${
    String(hundredths % 100n).padStart(2, "0")
  }`;
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
  return `${formatClock(ns, true)}.${pad(ms % 1000, 3)}`;
}

/**
 * Formats nanoseconds since midnight JST as `HH:MM` or `HH:MM:SS`, for an axis.
 *
 * @param {number} ns Nanoseconds since midnight.
 * @param {boolean} seconds Whether to show seconds.
 * @returns {string} E.g. `09:30` or `09:30:05`.
 *
 * @example An axis label
 * ```ts
 * import { formatClock } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatClock(34_205_000_000_000, true), "09:30:05");
 * assert.equal(formatClock(34_205_000_000_000, false), "09:30");
 * ```
 */
export function formatClock(ns, seconds) {
  const s = Math.floor(ns / 1_000_000_000);
  const hm = `${pad(Math.floor(s / 3600), 2)}:${
    pad(Math.floor(s / 60) % 60, 2)
  }`;
  return seconds ? `${hm}:${pad(s % 60, 2)}` : hm;
}

/**
 * Nanoseconds since midnight JST (UTC+9) of a Unix time in milliseconds: the clock of OUCH
 * timestamps, for comparing the page's clock with the exchange's.
 *
 * @param {number} unixMs Milliseconds since 1970-01-01 UTC, e.g. `Date.now()`.
 * @returns {number} Nanoseconds since midnight JST, to the millisecond.
 *
 * @example Midnight UTC is nine in the morning in Tokyo
 * ```ts
 * import { jstNanoseconds } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(jstNanoseconds(Date.UTC(2026, 10, 28, 0, 0, 1)), 32_401_000_000_000);
 * ```
 */
export function jstNanoseconds(unixMs) {
  const day = 86_400_000;
  const ms = ((Math.floor(unixMs) + 9 * 3_600_000) % day + day) % day;
  return ms * 1_000_000;
}

/**
 * Compares two non-negative decimal integers given as strings (or numbers) without
 * converting them to `number`: exact for 64-bit Order and Match Numbers.
 *
 * @param {string | number | bigint} a
 * @param {string | number | bigint} b
 * @returns {number} Negative when `a < b`, `0` when equal, positive when `a > b`.
 *
 * @example Numbers beyond 2^53
 * ```ts
 * import { compareDecimal } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.ok(compareDecimal("202611280000000002", "202611280000000001") > 0);
 * assert.ok(compareDecimal("99", "100") < 0);
 * assert.equal(compareDecimal(7, "7"), 0);
 * ```
 */
export function compareDecimal(a, b) {
  const x = String(a);
  const y = String(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A reason code followed by its meaning in words (the spec's wording).
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
 * The name of a Buy/Sell Indicator value, or the value itself when unknown.
 *
 * @param {string} code `B`, `S`, `T` or `E`.
 * @returns {string} E.g. `Buy`.
 *
 * @example Sides
 * ```ts
 * import { sideName } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sideName("T"), "Short sell");
 * assert.equal(sideName("?"), "?");
 * ```
 */
export function sideName(code) {
  return Object.hasOwn(SIDE_NAMES, code)
    ? SIDE_NAMES[/** @type {keyof typeof SIDE_NAMES} */ (code)]
    : code;
}

// ---- reading what a trader types ----

/**
 * Turns text typed on any keyboard into the ASCII the page reads: full-width digits and
 * signs (`１００`, `．`, `＠`, `－`) become their ASCII forms (Unicode NFKC), the minus sign
 * `−` becomes `-`, and spaces around it are removed.
 *
 * @param {string} text As typed.
 * @returns {string} The normalised text.
 *
 * @example Full-width digits
 * ```ts
 * import { normalizeInput } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(normalizeInput(" １００ "), "100");
 * assert.equal(normalizeInput("２８００．５"), "2800.5");
 * ```
 */
export function normalizeInput(text) {
  return text.normalize("NFKC").replace(/\u2212/g, "-").trim();
}

/**
 * Reads a decimal price with at most one decimal place into integer tenths, never rounding.
 * Full-width digits are read as digits and thousands separators are allowed (`2,300.5`).
 *
 * @param {unknown} text The price as typed, e.g. `"2300.5"`; spaces around it are allowed.
 * @returns {number} The price in tenths.
 * @throws {TypeError} When `text` is not a string.
 * @throws {RangeError} When it is empty, negative, has more than one decimal place, is above
 * 429496729.5 or is not a decimal at all; the message names which.
 *
 * @example Prices in tenths
 * ```ts
 * import { parsePrice } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parsePrice("2300.5"), 23005);
 * assert.equal(parsePrice(" ２３００ "), 23000);
 * assert.throws(() => parsePrice("2300.55"), { name: "RangeError", message: /too many decimals/ });
 * assert.throws(() => parsePrice("-1"), { name: "RangeError", message: /negative/ });
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
  const value = normalizeInput(text);
  if (value === "") {
    throw new RangeError(
      'Cannot use Price as it is empty: type a price like "2300.5"',
    );
  }
  const match = /^(\d+|\d{1,3}(?:,\d{3})+)(?:\.(\d*))?$/.exec(value);
  if (match === null) {
    if (/^-\s*[\d.]/.test(value)) {
      throw new RangeError(
        `Cannot use Price as it is negative: current value is ${show(text)}`,
      );
    }
    throw new RangeError(
      `Cannot use Price as it must be a decimal with at most one decimal place, like "2300.5": current value is ${
        show(text)
      }`,
    );
  }
  const whole = (match[1] ?? "").replaceAll(",", "");
  const decimals = match[2] ?? "";
  if (decimals.length > 1 && /[1-9]/.test(decimals.slice(1))) {
    throw new RangeError(
      `Cannot use Price as it has too many decimals (at most one: prices are in tenths of a yen): current value is ${
        show(text)
      }`,
    );
  }
  const digits = whole.replace(/^0+(?=\d)/, "");
  const tenths = digits.length > 10
    ? Infinity
    : Number(digits) * 10 + Number(decimals.slice(0, 1) || "0");
  if (tenths > MAX_UINT32) {
    throw new RangeError(
      `Cannot use Price as it is too large (at most 429496729.5): current value is ${
        show(text)
      }`,
    );
  }
  return tenths;
}

/**
 * Reads a whole number typed in a form field (a quantity, a Firm ID), with a message that
 * names the real problem: empty, negative, decimals, too large, or not a number. Full-width
 * digits are read as digits and thousands separators are allowed (`1,500,000`).
 *
 * @param {string} label The field's name for the message, e.g. `Quantity`.
 * @param {string} text As typed.
 * @param {{ max?: number, empty?: number }} [options] `max`: the largest value (default
 * 4294967295); `empty`: the value of an empty field (default: an empty field is an error).
 * @returns {number} The number.
 * @throws {RangeError} When it is not a whole number from 0 to `max`.
 *
 * @example Quantities as typed
 * ```ts
 * import { parseWholeNumber } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseWholeNumber("Quantity", "１００"), 100);
 * assert.equal(parseWholeNumber("Quantity", "1,500,000"), 1500000);
 * assert.throws(() => parseWholeNumber("Quantity", "-5"), /Quantity as it is negative/);
 * assert.throws(() => parseWholeNumber("Quantity", "1.5"), /whole number, without decimals/);
 * ```
 */
export function parseWholeNumber(label, text, options = {}) {
  const max = options.max ?? MAX_UINT32;
  const value = normalizeInput(text);
  if (value === "") {
    if (options.empty !== undefined) return options.empty;
    throw new RangeError(
      `Cannot use ${label} as it is empty: type a whole number`,
    );
  }
  if (/^-\s*\d/.test(value)) {
    throw new RangeError(
      `Cannot use ${label} as it is negative: current value is ${show(text)}`,
    );
  }
  if (/^\d+\.\d*$/.test(value) && /\.\d*[1-9]/.test(value)) {
    throw new RangeError(
      `Cannot use ${label} as it must be a whole number, without decimals: current value is ${
        show(text)
      }`,
    );
  }
  const match = /^(\d+|\d{1,3}(?:,\d{3})+)(?:\.0*)?$/.exec(value);
  if (match === null) {
    throw new RangeError(
      `Cannot use ${label} as it must be a number: current value is ${
        show(text)
      }`,
    );
  }
  const digits = (match[1] ?? "").replaceAll(",", "").replace(/^0+(?=\d)/, "");
  const number = digits.length > 16 ? Infinity : Number(digits);
  if (number > max) {
    throw new RangeError(
      `Cannot use ${label} as it is too large (at most ${
        formatQuantity(max)
      }): current value is ${show(text)}`,
    );
  }
  return number;
}

/**
 * An order typed on one line, as {@linkcode parseOrderLine} reads it. Fields left out keep
 * the form's values.
 *
 * @typedef {object} OrderLine
 * @property {"B" | "S" | "T" | "E"} side
 * @property {number} quantity
 * @property {string} price The price as a decimal string, e.g. `"2800"`.
 * @property {string} [orderbookId] When the line names one.
 * @property {number} [timeInForce] `0` with `ioc`, `99999` with `day`.
 * @property {string} [display] `P` with `post`.
 * @property {number} [minimumQuantity] With `min N`.
 * @property {number} [firmId] With `firm N`.
 * @property {string} [clientReference] With `ref TEXT`.
 */

/** Words of the order line that set the side. */
const SIDE_WORDS = Object.freeze({
  b: "B",
  buy: "B",
  s: "S",
  sell: "S",
  t: "T",
  short: "T",
  e: "E",
  exempt: "E",
});

/**
 * Reads a whole order typed on one line:
 * `SIDE QTY [BOOK] @ PRICE [ioc|day] [post] [min N] [firm N] [ref TEXT]`, where SIDE is
 * `b`/`buy`, `s`/`sell`, `t`/`short` or `e`/`exempt`. Full-width characters are read as
 * ASCII (`ｂ １００ ＠ ２８００`).
 *
 * @param {string} text The line.
 * @returns {OrderLine} The order's fields.
 * @throws {SyntaxError} When the line is not such an order; the message says what is wrong.
 * @throws {RangeError} When a number in it is not valid (see {@linkcode parseWholeNumber}).
 *
 * @example Buy 100 at 2800 in the form's orderbook, and an IOC sell in 7203
 * ```ts
 * import { parseOrderLine } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseOrderLine("b 100 @ 2800"), { side: "B", quantity: 100, price: "2800" });
 * assert.deepEqual(parseOrderLine("sell 50 7203 @ 2801.5 ioc"), {
 *   side: "S", quantity: 50, orderbookId: "7203", price: "2801.5", timeInForce: 0,
 * });
 * ```
 */
export function parseOrderLine(text) {
  const words = normalizeInput(text).replace(/@/g, " @ ").split(/\s+/)
    .filter((word) => word !== "");
  const example = 'like "b 100 @ 2800"';
  const first = words.shift();
  if (first === undefined) {
    throw new SyntaxError(
      `Cannot read the order as the line is empty: type an order ${example}`,
    );
  }
  const sideWord = first.toLowerCase();
  const side = Object.hasOwn(SIDE_WORDS, sideWord)
    ? SIDE_WORDS[/** @type {keyof typeof SIDE_WORDS} */ (sideWord)]
    : undefined;
  if (side === undefined) {
    throw new SyntaxError(
      `Cannot read the order as it must start with b, s, t or e (buy, sell, short, exempt): current value is ${
        show(first)
      }`,
    );
  }
  const quantityWord = words.shift();
  if (quantityWord === undefined || quantityWord === "@") {
    throw new SyntaxError(
      `Cannot read the order as it has no quantity: type one after "${first}", ${example}`,
    );
  }
  /** @type {OrderLine} */
  const order = {
    side: /** @type {"B" | "S" | "T" | "E"} */ (side),
    quantity: parseWholeNumber("Quantity", quantityWord),
    price: "",
  };
  /** @param {string} keyword */
  const operand = (keyword) => {
    const value = words.shift();
    if (value === undefined) {
      throw new SyntaxError(
        `Cannot read the order as "${keyword}" needs a value after it`,
      );
    }
    return value;
  };
  while (words.length > 0) {
    const word = /** @type {string} */ (words.shift());
    switch (word.toLowerCase()) {
      case "@": {
        const price = operand("@");
        parsePrice(price);
        order.price = price;
        break;
      }
      case "ioc":
        order.timeInForce = 0;
        break;
      case "day":
        order.timeInForce = 99999;
        break;
      case "post":
        order.display = "P";
        break;
      case "min":
        order.minimumQuantity = parseWholeNumber(
          "Minimum Quantity",
          operand("min"),
        );
        break;
      case "firm":
        order.firmId = parseWholeNumber("Firm ID", operand("firm"));
        break;
      case "ref":
        order.clientReference = operand("ref");
        break;
      default:
        if (
          order.orderbookId === undefined && order.price === "" &&
          /^[\x21-\x7e]{1,4}$/.test(word)
        ) {
          order.orderbookId = word;
          break;
        }
        throw new SyntaxError(
          `Cannot read the order as ${
            show(word)
          } is not a book, "@ PRICE", ioc, day, post, min N, firm N or ref TEXT`,
        );
    }
  }
  if (order.price === "") {
    throw new SyntaxError(
      `Cannot read the order as it has no price: add "@ PRICE", ${example}`,
    );
  }
  return order;
}

// ---- the account's orders, fills and position ----

/**
 * What the page knows of one of the account's orders, from its own request or from the
 * exchange's answers.
 *
 * @typedef {object} KnownOrder
 * @property {string} side `B`, `S`, `T` or `E`.
 * @property {string} orderbookId
 * @property {number} price In tenths.
 * @property {number} quantity The order's quantity as entered or last replaced.
 * @property {number} open Open quantity as far as the page knows.
 * @property {number} timeInForce
 * @property {string} display
 * @property {number} minimumQuantity
 * @property {string} capacity `A`, `P`, or `""` when unknown.
 * @property {number} executed Executed so far, as far as the page knows.
 * @property {boolean} own Whether this page entered it.
 * @property {string} [replaceDisplay] The display of a replace this page sent for it.
 */

/**
 * One fill of the account.
 *
 * @typedef {object} Fill
 * @property {number} sequenceNumber Its place in the account's OUCH sequence.
 * @property {number} timestamp Nanoseconds since midnight JST.
 * @property {number} orderToken
 * @property {string} side `B`, `S`, `T`, `E`, or `?` when the order is unknown to the page.
 * @property {string} orderbookId The orderbook, or `?` when unknown.
 * @property {number} quantity
 * @property {number} price In tenths.
 * @property {string} matchNumber Exact, as a decimal string.
 * @property {"A" | "R" | string} liquidity `A` added, `R` removed.
 * @property {boolean} own Whether the order was entered from this page.
 */

/**
 * One line of the account's feed.
 *
 * @typedef {object} FeedLine
 * @property {number} sequenceNumber
 * @property {number | undefined} timestamp Nanoseconds since midnight JST.
 * @property {"accepted" | "rejected" | "executed" | "canceled" | "replaced" | "system" | "other"} kind
 * @property {string} text The message in words, with the order repeated when known.
 * @property {boolean} own Whether it concerns an order entered from this page.
 * @property {Fill} [fill] For an execution.
 */

/**
 * What the page sent for a token, so that an Order Rejected (which carries only the token)
 * can repeat the order.
 *
 * @typedef {object} SentOrder
 * @property {string} buySellIndicator
 * @property {number} quantity
 * @property {string} orderbookId
 * @property {number} price In tenths.
 * @property {number} timeInForce
 * @property {string} display
 * @property {number} minimumQuantity
 * @property {string} capacity
 */

/**
 * A position in one orderbook, by the average-cost method, in integer arithmetic: shares,
 * and money in tenths of a yen (price in tenths times shares).
 *
 * A fill that reduces the position realises the difference between its price and the
 * average cost of the shares it closes; that cost is the open cost times the closed share of
 * the position, rounded half away from zero to a tenth of a yen. The rounding moves at most
 * half a tenth between realised and unrealised P&L; their sum is always exact.
 *
 * @example Buy 100 at 2300.0, sell 40 at 2301.0, mark at 2299.0
 * ```ts
 * import { Position } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const position = new Position();
 * position.fill("B", 100, 23000);
 * position.fill("S", 40, 23010);
 * assert.equal(position.net, 60);
 * assert.equal(position.realized, 400n); // 40 × 1.0 yen = 40.0 yen
 * assert.equal(position.unrealized(22990), -600n); // 60 × -1.0 yen
 * ```
 */
export class Position {
  /** Shares held: positive long, negative short. */
  net = 0;
  /** The open position's cost in tenths of a yen, signed like `net`. */
  cost = 0n;
  /** Realised profit and loss in tenths of a yen. */
  realized = 0n;
  /** Shares bought today. */
  bought = 0;
  /** Shares sold today (short sells included). */
  sold = 0;

  /**
   * Adds a fill.
   *
   * @param {string} side `B` buys; `S`, `T` and `E` sell.
   * @param {number} quantity Shares.
   * @param {number} price In tenths.
   */
  fill(side, quantity, price) {
    const buy = side === "B";
    if (buy) this.bought += quantity;
    else this.sold += quantity;
    let q = BigInt(buy ? quantity : -quantity);
    const p = BigInt(price);
    const net = BigInt(this.net);
    if (net !== 0n && (net > 0n) !== (q > 0n)) {
      const abs = net > 0n ? net : -net;
      const absQ = q > 0n ? q : -q;
      const closing = absQ < abs ? absQ : abs;
      const closed = net > 0n ? -closing : closing;
      const removed = divideRounded(this.cost * closing, abs);
      this.realized += -closed * p - removed;
      this.cost -= removed;
      this.net = Number(net + closed);
      q -= closed;
    }
    if (q !== 0n) {
      this.net = Number(BigInt(this.net) + q);
      this.cost += q * p;
    }
    if (this.net === 0) this.cost = 0n;
  }

  /**
   * Unrealised profit and loss at a price: what the open position gains or loses if it
   * were closed there.
   *
   * @param {number} last The price to mark at, in tenths.
   * @returns {bigint} In tenths of a yen.
   */
  unrealized(last) {
    return BigInt(this.net) * BigInt(last) - this.cost;
  }
}

/** Fills kept by an {@linkcode AccountLedger}, newest last. */
export const MAX_FILLS = 2000;

/**
 * The page's record of its account: the orders it knows (from what the page sent, the
 * Accepted and Replaced answers and the open-orders list), each response in words with the
 * order repeated, the fills and the position per orderbook. It reads the account's OUCH
 * responses in sequence order and ignores any it has already read, so a reconnect that
 * sends the latest messages again counts nothing twice.
 *
 * Orders are forgotten once nothing is left open, so the ledger stays as small as the
 * account's open orders. Fills of an order the page never heard of (entered before the
 * responses the page was sent) are listed with side and orderbook `?` and left out of the
 * position; {@linkcode AccountLedger.unattributed} counts them.
 *
 * @example A buy that fills
 * ```ts
 * import { AccountLedger } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const ledger = new AccountLedger();
 * ledger.sent(1, {
 *   buySellIndicator: "B", quantity: 100, orderbookId: "7203", price: 28000,
 *   timeInForce: 99999, display: " ", minimumQuantity: 0, capacity: "P",
 * });
 * const lines = ledger.apply([
 *   { sequenceNumber: 1, message: { type: "orderRejected", timestamp: 0, orderToken: 1, orderRejectedReason: "R" } },
 * ]);
 * assert.equal(lines[0]?.text, "Rejected #1 Buy 100 of 7203 @ 2800.0: the market is closed (R Order not allowed at this time)");
 * assert.equal(lines[0]?.own, true);
 * ```
 */
export class AccountLedger {
  /** @type {Map<number, KnownOrder>} */
  #orders = new Map();
  /** @type {Map<number, SentOrder>} */
  #sent = new Map();
  /** @type {Set<number>} */
  #ownTokens = new Set();
  /** @type {Fill[]} */
  fills = [];
  /** @type {Map<string, Position>} */
  positions = new Map();
  /** Fills whose order the page does not know: not in any position. */
  unattributed = 0;
  /** The highest sequence number read. */
  lastSequence = 0;
  /** The first sequence number read, or 0 before any. */
  firstSequence = 0;

  /**
   * Remembers what the page sent for a token, once the server acknowledged it.
   *
   * @param {number} token The Order Token the server assigned.
   * @param {SentOrder} order The order's fields.
   */
  sent(token, order) {
    this.#ownTokens.add(token);
    this.#sent.set(token, order);
    if (this.#sent.size > 10_000) {
      const oldest = this.#sent.keys().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
  }

  /**
   * Remembers a replace the page sent.
   *
   * @param {number} existing The existing order's token.
   * @param {number} replacement The replacement token the server assigned.
   * @param {string} display The new display (`P` for post-only).
   */
  replaceSent(existing, replacement, display) {
    this.#ownTokens.add(replacement);
    const order = this.#orders.get(existing);
    if (order !== undefined) order.replaceDisplay = display;
  }

  /**
   * The page's order or replace acknowledged as `sent` went in as `got` (a gateway's page:
   * another page of the account took `sent` at the same moment): what the page sent is its
   * order `got`, and `sent` is another page's.
   *
   * @param {number} sent The token the server acknowledged.
   * @param {number} got The token the order went in with.
   */
  renamed(sent, got) {
    const order = this.#sent.get(sent);
    this.#sent.delete(sent);
    if (order !== undefined) this.#sent.set(got, order);
    if (this.#ownTokens.delete(sent)) this.#ownTokens.add(got);
    const other = this.#orders.get(sent);
    if (other !== undefined) other.own = false;
    const mine = this.#orders.get(got);
    if (mine !== undefined) mine.own = true;
  }

  /**
   * Whether the page entered (or replaced) the order with this token.
   *
   * @param {number} token
   * @returns {boolean}
   */
  isOwn(token) {
    return this.#ownTokens.has(token);
  }

  /**
   * Learns orders from the server's open-orders list that the page has not seen entered.
   *
   * @param {readonly { orderToken: number, orderbookId: string, buySellIndicator: string,
   *   price: number, openQuantity: number, executedQuantity: number, timeInForce: number,
   *   display: string, minimumQuantity: number }[]} orders
   */
  learn(orders) {
    for (const order of orders) {
      if (this.#orders.has(order.orderToken)) continue;
      this.#orders.set(order.orderToken, {
        side: order.buySellIndicator,
        orderbookId: order.orderbookId,
        price: order.price,
        quantity: order.openQuantity + order.executedQuantity,
        open: order.openQuantity,
        timeInForce: order.timeInForce,
        display: order.display,
        minimumQuantity: order.minimumQuantity,
        capacity: "",
        executed: order.executedQuantity,
        own: this.#ownTokens.has(order.orderToken),
      });
    }
  }

  /**
   * The order with this token, if the page knows it.
   *
   * @param {number} token
   * @returns {KnownOrder | undefined}
   */
  order(token) {
    return this.#orders.get(token);
  }

  /**
   * Reads responses in sequence order; those at or below {@linkcode AccountLedger.lastSequence}
   * are skipped.
   *
   * @param {readonly { sequenceNumber: number, message: Record<string, unknown> }[]} items
   * @returns {FeedLine[]} One line per new response, in order.
   */
  apply(items) {
    /** @type {FeedLine[]} */
    const lines = [];
    for (let i = 0; i < items.length; i++) {
      const item =
        /** @type {{ sequenceNumber: number, message: Record<string, unknown> }} */ (
          items[i]
        );
      if (item.sequenceNumber <= this.lastSequence && item.sequenceNumber > 0) {
        continue;
      }
      if (item.sequenceNumber > 0) {
        this.lastSequence = item.sequenceNumber;
        if (this.firstSequence === 0) this.firstSequence = item.sequenceNumber;
      }
      const closing = items.slice(i + 1).some((later) =>
        later.message.type === "systemEvent" && later.message.eventCode === "E"
      );
      lines.push(this.#read(item.sequenceNumber, item.message, closing));
    }
    return lines;
  }

  /**
   * @param {number} sequenceNumber
   * @param {Record<string, unknown>} m
   * @param {boolean} closing Whether an End of Day event follows in the same batch.
   * @returns {FeedLine}
   */
  #read(sequenceNumber, m, closing) {
    const timestamp = typeof m.timestamp === "number" ? m.timestamp : undefined;
    const token = num(m.orderToken);
    /**
     * @param {FeedLine["kind"]} kind
     * @param {string} text
     * @param {boolean} own
     * @returns {FeedLine}
     */
    const line = (kind, text, own) => ({
      sequenceNumber,
      timestamp,
      kind,
      text,
      own,
    });
    switch (m.type) {
      case "orderAccepted": {
        const order = knownOrder(m, {
          capacity: str(m.capacity),
          executed: 0,
          own: this.#ownTokens.has(token),
        });
        this.#sent.delete(token);
        if (order.open > 0) this.#orders.set(token, order);
        return line(
          "accepted",
          `Accepted #${token} ${orderText(order)} (order ${
            String(m.orderNumber)
          }${
            m.clientReference === "" || m.clientReference === undefined
              ? ""
              : `, ref ${JSON.stringify(str(m.clientReference))}`
          }${m.orderState === "D" ? ", dead on arrival" : ""})`,
          order.own,
        );
      }
      case "orderRejected": {
        const sent = this.#sent.get(token);
        this.#sent.delete(token);
        const reason = str(m.orderRejectedReason);
        const order = sent === undefined ? undefined : {
          side: sent.buySellIndicator,
          orderbookId: sent.orderbookId,
          price: sent.price,
          quantity: sent.quantity,
          open: 0,
          timeInForce: sent.timeInForce,
          display: sent.display,
          minimumQuantity: sent.minimumQuantity,
          capacity: sent.capacity,
          executed: 0,
          own: true,
        };
        return line(
          "rejected",
          `Rejected #${token}${
            order === undefined ? "" : ` ${orderText(order)}`
          }: ${rejectWords(reason, order)} (${reasonText("rejected", reason)})`,
          this.#ownTokens.has(token),
        );
      }
      case "orderReplaced": {
        const previous = num(m.previousOrderToken);
        const replacement = num(m.replacementOrderToken);
        const before = this.#orders.get(previous);
        this.#orders.delete(previous);
        const own = this.#ownTokens.has(replacement) ||
          this.#ownTokens.has(previous);
        if (own) this.#ownTokens.add(replacement);
        const order = knownOrder(m, {
          capacity: before?.capacity ?? "",
          executed: before?.executed ?? 0,
          own,
        });
        if (order.open > 0) this.#orders.set(replacement, order);
        return line(
          "replaced",
          `Replaced #${previous} by #${replacement}: ${
            orderText(order)
          } (order ${String(m.orderNumber)}${
            m.orderState === "D" ? ", now 0 open: it left the book" : ""
          })`,
          own,
        );
      }
      case "orderExecuted": {
        const order = this.#orders.get(token);
        const quantity = num(m.executedQuantity);
        const price = num(m.executionPrice);
        const own = this.#ownTokens.has(token);
        /** @type {Fill} */
        const fill = {
          sequenceNumber,
          timestamp: timestamp ?? 0,
          orderToken: token,
          side: order?.side ?? "?",
          orderbookId: order?.orderbookId ?? "?",
          quantity,
          price,
          matchNumber: String(m.matchNumber),
          liquidity: str(m.liquidityIndicator),
          own,
        };
        this.fills.push(fill);
        if (this.fills.length > MAX_FILLS) this.fills.shift();
        if (order === undefined) {
          this.unattributed++;
        } else {
          let position = this.positions.get(order.orderbookId);
          if (position === undefined) {
            position = new Position();
            this.positions.set(order.orderbookId, position);
          }
          position.fill(order.side, quantity, price);
          order.executed += quantity;
          order.open = Math.max(0, order.open - quantity);
          if (order.open === 0) this.#orders.delete(token);
        }
        return {
          ...line(
            "executed",
            `Executed #${token} ${
              order === undefined
                ? `${formatQuantity(quantity)} @ ${formatPrice(price)}`
                : `${sideName(order.side)} ${
                  formatQuantity(quantity)
                } of ${order.orderbookId} @ ${formatPrice(price)}`
            } (match ${fill.matchNumber}, ${
              fill.liquidity === "A" ? "added" : "removed"
            } liquidity${
              order !== undefined && order.open > 0
                ? `, ${formatQuantity(order.open)} still open`
                : ""
            })`,
            own,
          ),
          fill,
        };
      }
      case "orderCanceled":
      case "orderAiqCanceled": {
        const order = this.#orders.get(token);
        const decrement = num(m.decrementQuantity);
        const reason = str(m.orderCanceledReason);
        const own = this.#ownTokens.has(token);
        const shown = order === undefined
          ? `${formatQuantity(decrement)}`
          : orderText({ ...order, quantity: decrement });
        let words;
        if (m.type === "orderAiqCanceled") {
          words = `self-match prevention: ${
            formatQuantity(num(m.quantityPreventedFromTrading))
          } would have traded with the same firm's order at ${
            formatPrice(num(m.executionPrice))
          }`;
        } else {
          words = cancelWords(reason, order, decrement, closing);
        }
        if (order !== undefined) {
          order.open = Math.max(0, order.open - decrement);
          if (order.open === 0) this.#orders.delete(token);
        }
        const left = order !== undefined && order.open > 0
          ? `, ${formatQuantity(order.open)} still open`
          : "";
        return line(
          "canceled",
          `Canceled #${token} ${shown}: ${words} (${
            reasonText("canceled", reason)
          }${left})`,
          own,
        );
      }
      case "systemEvent":
        return line(
          "system",
          `System event: ${
            m.eventCode === "S"
              ? "Start of Day: the market is open"
              : m.eventCode === "E"
              ? "End of Day: the market is closed"
              : str(m.eventCode)
          }`,
          false,
        );
      default:
        return line("other", `Unknown message ${show(m.type)}`, false);
    }
  }
}

/**
 * An order as an Order Accepted or Order Replaced describes it.
 *
 * @param {Record<string, unknown>} m The message.
 * @param {{ capacity: string, executed: number, own: boolean }} known What the message does
 * not say.
 * @returns {KnownOrder}
 */
function knownOrder(m, known) {
  return {
    side: str(m.buySellIndicator),
    orderbookId: str(m.orderbookId),
    price: num(m.price),
    quantity: num(m.quantity),
    open: m.orderState === "D" ? 0 : num(m.quantity),
    timeInForce: num(m.timeInForce),
    display: str(m.display),
    minimumQuantity: num(m.minimumQuantity),
    ...known,
  };
}

/**
 * The order in words: `Buy 100 of 7203 @ 2800.0`, with `IOC`, `post-only` and `min N` when
 * they apply.
 *
 * @param {{ side: string, quantity: number, orderbookId: string, price: number,
 *   timeInForce: number, display: string, minimumQuantity: number }} order
 * @returns {string}
 */
function orderText(order) {
  return `${sideName(order.side)} ${
    formatQuantity(order.quantity)
  } of ${order.orderbookId} @ ${formatPrice(order.price)}${
    order.timeInForce === 0 ? " IOC" : ""
  }${order.display === "P" ? " post-only" : ""}${
    order.minimumQuantity > 0
      ? ` min ${formatQuantity(order.minimumQuantity)}`
      : ""
  }`;
}

/**
 * Why an order was rejected, in the words of `docs/exchange_rules.md`.
 *
 * @param {string} reason
 * @param {KnownOrder | undefined} order What the page sent, when it did.
 * @returns {string}
 */
function rejectWords(reason, order) {
  switch (reason) {
    case "R":
      return "the market is closed";
    case "S":
      return order === undefined
        ? "the orderbook is not traded here"
        : `orderbook ${order.orderbookId} is not traded here`;
    case "H":
      return order === undefined
        ? "the orderbook is halted"
        : `orderbook ${order.orderbookId} is halted`;
    case "X":
      if (order !== undefined && order.price === 0) {
        return "the price must be above zero";
      }
      return `the price must be from 0.1 to ${
        formatQuantity(Math.floor(MAX_EXCHANGE_PRICE / 10))
      }.${MAX_EXCHANGE_PRICE % 10}`;
    case "Z":
      if (order !== undefined && order.quantity === 0) {
        return "the quantity must be above zero";
      }
      return `the quantity must be from 1 to ${
        formatQuantity(MAX_EXCHANGE_QUANTITY)
      }`;
    case "N":
      return "a minimum quantity needs Time In Force IOC and must not exceed the quantity";
    case "Y":
      return "the side, the order classification or the time in force is not valid";
    case "D":
      return "the display is not valid";
    case "G":
      return "the cash margin type is not valid";
    case "c":
      return "the group is not valid";
    case "O":
      if (order !== undefined) {
        if (
          order.capacity !== "" && order.capacity !== "A" &&
          order.capacity !== "P"
        ) {
          return "the capacity must be Agency or Principal";
        }
        if (order.display === "P") return "post-only order would have traded";
      }
      return "a post-only order that would have traded, or a capacity that is not valid";
    default:
      return "rejected by the exchange";
  }
}

/**
 * Why an order was canceled, in the words of `docs/exchange_rules.md`.
 *
 * @param {string} reason
 * @param {KnownOrder | undefined} order
 * @param {number} decrement
 * @param {boolean} closing Whether End of Day follows in the same batch.
 * @returns {string}
 */
function cancelWords(reason, order, decrement, closing) {
  switch (reason) {
    case "U":
      return "canceled on request";
    case "L":
      return "canceled because the account's session logged off";
    case "S":
      return "canceled by the exchange operator";
    case "M":
      return "canceled by self-match prevention";
    case "I":
      if (
        order !== undefined && order.minimumQuantity > 0 &&
        order.executed === 0 && decrement === order.quantity
      ) {
        return "minimum quantity not available";
      }
      return "the rest of an Immediate (IOC) order is canceled";
    case "O":
      if (closing) return "canceled at market close";
      if (order?.replaceDisplay === "P" || order?.display === "P") {
        return "post-only replace would have traded";
      }
      return "canceled at market close, or a post-only replace that would have traded";
    case "R":
      return "the replace would have traded while the market is closed or the orderbook halted";
    case "X":
      return "the replace's price is not valid";
    case "Z":
      return "the replace's quantity is not valid";
    case "N":
      return "the replace's minimum quantity is not valid";
    case "Y":
      return "the replace's time in force is not valid";
    case "D":
      return "the replace's display is not valid";
    default:
      return "canceled by the exchange";
  }
}

// ---- the depth ladder ----

/**
 * One aggregated price level as the server sends it.
 *
 * @typedef {{ price: number, quantity: number, orders: number }} Level
 */

/**
 * One row of a depth ladder. An empty row (fewer levels than rows) has `price` `null`.
 *
 * @typedef {object} LadderRow
 * @property {"ask" | "bid"} side Which half of the ladder the row is in.
 * @property {number | null} price Price in tenths.
 * @property {number | null} quantity Total open quantity at the price.
 * @property {number | null} orders Number of orders at the price.
 * @property {boolean} best Whether it is the best level of its side.
 */

/**
 * Builds a depth ladder of a fixed height: `levels` ask rows, the best ask at the bottom of
 * them, then `levels` bid rows, the best bid at the top, so prices fall from top to bottom,
 * the spread stays in the middle and the ladder never changes height. Missing levels are
 * empty rows at the outer ends.
 *
 * @param {{ bids: readonly Level[], asks: readonly Level[] }} depth Bids and asks, best first.
 * @param {number} levels Rows per side.
 * @returns {LadderRow[]} Exactly `2 × levels` rows, top to bottom.
 *
 * @example One bid and two asks in a two-level ladder
 * ```ts
 * import { ladderRows } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const rows = ladderRows({
 *   bids: [{ price: 23000, quantity: 100, orders: 1 }],
 *   asks: [{ price: 23010, quantity: 50, orders: 1 }, { price: 23020, quantity: 70, orders: 2 }],
 * }, 2);
 * assert.deepEqual(rows.map((r) => `${r.side} ${r.price} ${r.quantity}`), [
 *   "ask 23020 70",
 *   "ask 23010 50",
 *   "bid 23000 100",
 *   "bid null null",
 * ]);
 * ```
 */
export function ladderRows(depth, levels) {
  /** @type {LadderRow[]} */
  const rows = [];
  /**
   * @param {"ask" | "bid"} side
   * @param {Level | undefined} level
   * @param {boolean} best
   * @returns {LadderRow}
   */
  const row = (side, level, best) =>
    level === undefined
      ? { side, price: null, quantity: null, orders: null, best: false }
      : {
        side,
        price: level.price,
        quantity: level.quantity,
        orders: level.orders,
        best,
      };
  for (let i = levels - 1; i >= 0; i--) {
    rows.push(row("ask", depth.asks[i], i === 0));
  }
  for (let i = 0; i < levels; i++) {
    rows.push(row("bid", depth.bids[i], i === 0));
  }
  return rows;
}

// ---- trades, their history and the chart ----

/**
 * A trade as the page receives it. `matchNumber` may be a number or an exact decimal string.
 *
 * @typedef {object} TapeTrade
 * @property {number | string} matchNumber Match Number, increasing through the trading day.
 * @property {number} price Price in tenths.
 * @property {number} quantity Quantity traded.
 * @property {number} timestamp Nanoseconds since midnight.
 * @property {"B" | "S"} aggressor Side of the incoming order.
 */

/**
 * Adds newly received trades to a tape, dropping any already there (by Match Number,
 * compared exactly) and keeping the latest.
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
 * const t = (matchNumber: string) => ({ matchNumber, price: 1, quantity: 1, timestamp: 0, aggressor: "B" as const });
 * assert.deepEqual(
 *   mergeTrades([t("202611280000000001"), t("202611280000000002")], [t("202611280000000002"), t("202611280000000003")], 2)
 *     .map((x) => x.matchNumber),
 *   ["202611280000000002", "202611280000000003"],
 * );
 * ```
 */
export function mergeTrades(tape, incoming, keep) {
  const lastTrade = tape[tape.length - 1];
  const fresh = lastTrade === undefined
    ? [...incoming]
    : incoming.filter((t) =>
      compareDecimal(t.matchNumber, lastTrade.matchNumber) > 0
    );
  const merged = fresh.length === 0 ? [...tape] : [...tape, ...fresh];
  return merged.length > keep ? merged.slice(merged.length - keep) : merged;
}

/**
 * Trades in one time bucket.
 *
 * @typedef {object} Bar
 * @property {number} start Start of the bucket, nanoseconds since midnight.
 * @property {number} open
 * @property {number} high
 * @property {number} low
 * @property {number} close
 * @property {number} volume Shares traded.
 */

/**
 * A time span the page knows nothing about (trades it missed while disconnected) or when the
 * market was closed; the chart draws it as a gap.
 *
 * @typedef {{ from: number, to: number }} Gap
 */

/**
 * One orderbook's trade history for the chart: bars of one second that merge into coarser
 * ones when there are too many, so it covers the whole day in bounded memory; and the gaps
 * the chart must not draw a line across.
 *
 * @example Three trades in two seconds
 * ```ts
 * import { TradeHistory } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const history = new TradeHistory();
 * const s = 1_000_000_000;
 * history.add([
 *   { matchNumber: 1, price: 100, quantity: 5, timestamp: 10 * s, aggressor: "B" },
 *   { matchNumber: 2, price: 102, quantity: 5, timestamp: 10 * s + 1, aggressor: "B" },
 *   { matchNumber: 3, price: 101, quantity: 1, timestamp: 11 * s, aggressor: "S" },
 * ]);
 * assert.deepEqual(history.bars.map((b) => [b.open, b.high, b.low, b.close, b.volume]), [
 *   [100, 102, 100, 102, 10],
 *   [101, 101, 101, 101, 1],
 * ]);
 * ```
 */
export class TradeHistory {
  /** @type {Bar[]} */
  bars = [];
  /** @type {Gap[]} */
  gaps = [];
  /** The Match Number of the latest trade added, exact; `""` before any. */
  lastMatch = "";
  /** Time of the latest trade added, nanoseconds since midnight. */
  lastTime = 0;
  /** Bucket width in nanoseconds: one second, doubled each time the bars are merged. */
  bucketNs;
  #maxBars;

  /**
   * @param {{ maxBars?: number, bucketNs?: number }} [options] `maxBars`: at most this many
   * bars before merging pairs (default 2048); `bucketNs`: the first bucket width (default
   * one second).
   */
  constructor(options = {}) {
    this.#maxBars = options.maxBars ?? 2048;
    this.bucketNs = options.bucketNs ?? 1_000_000_000;
  }

  /**
   * Adds trades newer than the latest one added (older ones and repeats are ignored).
   *
   * @param {readonly TapeTrade[]} trades Oldest first.
   * @param {{ truncated?: boolean }} [options] `truncated`: the list may not reach back to the
   * latest trade added (a snapshot after a reconnect holding only the book's latest trades);
   * when its oldest trade is newer than that, the time between the two is a gap.
   * @returns {number} How many were added.
   */
  add(trades, options = {}) {
    const first = trades[0];
    const reachesBack = this.lastMatch === "" || first === undefined ||
      compareDecimal(first.matchNumber, this.lastMatch) <= 0;
    let added = 0;
    for (const trade of trades) {
      if (
        this.lastMatch !== "" &&
        compareDecimal(trade.matchNumber, this.lastMatch) <= 0
      ) {
        continue;
      }
      if (added === 0 && options.truncated && !reachesBack) {
        this.addGap(this.lastTime, trade.timestamp);
      }
      this.#bar(trade);
      this.lastMatch = String(trade.matchNumber);
      this.lastTime = Math.max(this.lastTime, trade.timestamp);
      added++;
    }
    return added;
  }

  /**
   * Marks a span as a gap (the market closed, or trades missed); spans that touch or overlap
   * are merged. At most 200 are kept.
   *
   * @param {number} from Nanoseconds since midnight.
   * @param {number} to Nanoseconds since midnight; a span that ends before it starts is ignored.
   */
  addGap(from, to) {
    if (!(to > from)) return;
    const last = this.gaps[this.gaps.length - 1];
    if (last !== undefined && from <= last.to) {
      last.to = Math.max(last.to, to);
      last.from = Math.min(last.from, from);
    } else {
      this.gaps.push({ from, to });
      if (this.gaps.length > 200) this.gaps.shift();
    }
  }

  /** @param {TapeTrade} trade */
  #bar(trade) {
    const start = Math.floor(trade.timestamp / this.bucketNs) * this.bucketNs;
    const last = this.bars[this.bars.length - 1];
    if (last !== undefined && start <= last.start) {
      last.high = Math.max(last.high, trade.price);
      last.low = Math.min(last.low, trade.price);
      last.close = trade.price;
      last.volume += trade.quantity;
      return;
    }
    this.bars.push({
      start,
      open: trade.price,
      high: trade.price,
      low: trade.price,
      close: trade.price,
      volume: trade.quantity,
    });
    if (this.bars.length > this.#maxBars) this.#coarsen();
  }

  /** Doubles the bucket width and merges the bars into it. */
  #coarsen() {
    this.bucketNs *= 2;
    /** @type {Bar[]} */
    const merged = [];
    for (const bar of this.bars) {
      const start = Math.floor(bar.start / this.bucketNs) * this.bucketNs;
      const last = merged[merged.length - 1];
      if (last !== undefined && last.start === start) {
        last.high = Math.max(last.high, bar.high);
        last.low = Math.min(last.low, bar.low);
        last.close = bar.close;
        last.volume += bar.volume;
      } else {
        merged.push({ ...bar, start });
      }
    }
    this.bars = merged;
  }
}

/**
 * An axis label.
 *
 * @typedef {{ at: number, label: string }} Tick
 */

/**
 * Everything the chart draws, in the pixel space of a `width` × `height` SVG.
 *
 * @typedef {object} ChartModel
 * @property {string} line Path data of the price step line; each `M` starts a segment, so a
 * gap shows as a break.
 * @property {string} ranges Path data of each column's high-low range (vertical strokes).
 * @property {string} volume Path data of the volume bars (closed rectangles).
 * @property {{ x: number, width: number }[]} gaps The gaps' spans in pixels.
 * @property {Tick[]} priceTicks `at` is a y coordinate; labels are prices.
 * @property {Tick[]} timeTicks `at` is an x coordinate; labels are JST clock times.
 * @property {{ left: number, right: number, top: number, priceBottom: number, bottom: number }} plot
 * The plot area: prices between `top` and `priceBottom`, volume between `priceBottom` and `bottom`.
 * @property {number} low Lowest price on the axis, in tenths.
 * @property {number} high Highest price on the axis, in tenths.
 * @property {number} from Left edge, nanoseconds since midnight.
 * @property {number} to Right edge, nanoseconds since midnight.
 * @property {number | null} lastY The latest price's y, or `null` with no trades.
 */

/** Steps of the time axis, in seconds. */
const TIME_STEPS = [
  1,
  2,
  5,
  10,
  15,
  30,
  60,
  120,
  300,
  600,
  900,
  1800,
  3600,
  7200,
  10800,
  21600,
];

/**
 * Lays out a trade chart: a step line of the last price through time (JST) with the price
 * axis on the right, each column's high-low range, volume bars along the bottom, and gaps
 * (spans the page missed or the market was closed) left blank. Columns are about 3 pixels
 * wide; the bars of a column are merged. The time axis runs from the first bar to the end of
 * the last one (at least one minute); the price axis from a round price below the lowest to
 * one above the highest.
 *
 * @param {{ bars: readonly Bar[], gaps: readonly Gap[], bucketNs: number }} history
 * @param {number} width Pixels.
 * @param {number} height Pixels.
 * @returns {ChartModel | null} `null` when there are no trades.
 *
 * @example Two trades a minute apart in a 300 × 120 chart
 * ```ts
 * import { chartModel, TradeHistory } from "./view.js";
 * import assert from "node:assert/strict";
 *
 * const history = new TradeHistory();
 * const s = 1_000_000_000;
 * history.add([
 *   { matchNumber: 1, price: 23000, quantity: 100, timestamp: 34_200 * s, aggressor: "B" },
 *   { matchNumber: 2, price: 23010, quantity: 100, timestamp: 34_260 * s, aggressor: "B" },
 * ]);
 * const chart = chartModel(history, 300, 120)!;
 * assert.equal(chart.line.split("M").length - 1, 1);
 * assert.equal(chart.timeTicks[0]?.label, "09:30:00");
 * assert.ok(chart.priceTicks.some((tick) => tick.label === "2300.0"));
 * ```
 */
export function chartModel(history, width, height) {
  const bars = history.bars;
  const firstBar = bars[0];
  const lastBar = bars[bars.length - 1];
  if (firstBar === undefined || lastBar === undefined) return null;
  const plot = {
    left: 2,
    right: Math.max(40, width - 52),
    top: 6,
    priceBottom: Math.max(30, Math.round(height * 0.72)),
    bottom: Math.max(40, height - 16),
  };
  // Time: from the first bar to the end of the last, at least a minute.
  let to = lastBar.start + history.bucketNs;
  let from = firstBar.start;
  const minSpan = 60_000_000_000;
  if (to - from < minSpan) {
    const middle = (from + to) / 2;
    from = Math.max(0, Math.round(middle - minSpan / 2));
    to = from + minSpan;
  }
  const plotWidth = plot.right - plot.left;
  const x = (/** @type {number} */ ns) =>
    round1(plot.left + (ns - from) / (to - from) * plotWidth);
  // Columns of about 3 px, each with the bars that start in it.
  const columns = Math.max(1, Math.floor(plotWidth / 3));
  const columnNs = (to - from) / columns;
  /** @type {{ index: number, first: number, last: number, high: number, low: number, close: number, volume: number }[]} */
  const merged = [];
  let low = Infinity;
  let high = -Infinity;
  let maxVolume = 0;
  for (const bar of bars) {
    const index = Math.min(
      columns - 1,
      Math.floor((bar.start - from) / columnNs),
    );
    const last = merged[merged.length - 1];
    if (last !== undefined && last.index === index) {
      last.high = Math.max(last.high, bar.high);
      last.low = Math.min(last.low, bar.low);
      last.close = bar.close;
      last.volume += bar.volume;
      last.last = bar.start;
    } else {
      merged.push({
        index,
        first: bar.start,
        last: bar.start,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: bar.volume,
      });
    }
    low = Math.min(low, bar.low);
    high = Math.max(high, bar.high);
  }
  for (const column of merged) maxVolume = Math.max(maxVolume, column.volume);
  // Price axis: round steps of 1, 2 or 5 times a power of ten (in tenths).
  const plotHeight = plot.priceBottom - plot.top;
  const maxTicks = Math.max(2, Math.floor(plotHeight / 22));
  const step = niceStep(Math.max(high - low, 1), maxTicks);
  let axisLow = Math.floor(low / step) * step;
  let axisHigh = Math.ceil(high / step) * step;
  if (axisHigh === axisLow) {
    axisLow = Math.max(0, axisLow - step);
    axisHigh += step;
  }
  const y = (/** @type {number} */ price) =>
    round1(
      plot.priceBottom - (price - axisLow) / (axisHigh - axisLow) * plotHeight,
    );
  /** @type {Tick[]} */
  const priceTicks = [];
  for (let price = axisLow; price <= axisHigh; price += step) {
    priceTicks.push({ at: y(price), label: formatPrice(price) });
  }
  // Time axis.
  const maxTimeTicks = Math.max(2, Math.floor(plotWidth / 60));
  const spanSeconds = (to - from) / 1e9;
  const timeStep = TIME_STEPS.find((s) => spanSeconds / s <= maxTimeTicks) ??
    TIME_STEPS[TIME_STEPS.length - 1] ?? 3600;
  const stepNs = timeStep * 1e9;
  /** @type {Tick[]} */
  const timeTicks = [];
  for (
    let t = Math.ceil(from / stepNs) * stepNs;
    t <= to;
    t += stepNs
  ) {
    timeTicks.push({ at: x(t), label: formatClock(t, timeStep < 60) });
  }
  // The step line, broken at gaps; the ranges; the volume.
  const columnX = (/** @type {number} */ index) =>
    round1(plot.left + index * plotWidth / columns);
  const columnW = Math.max(1, round1(plotWidth / columns - 1));
  const gaps = history.gaps.filter((gap) => gap.to > from && gap.from < to);
  let line = "";
  let ranges = "";
  let volume = "";
  /** @type {typeof merged[number] | undefined} */
  let previous;
  for (const column of merged) {
    const cx = columnX(column.index);
    const cy = y(column.close);
    if (previous === undefined) {
      line += `M${cx},${cy}`;
    } else {
      const before = previous;
      // A gap between the two: it starts before this column's first bucket and ends after
      // the previous column's last one.
      const gap = gaps.find((g) =>
        g.from < column.first && g.to > before.last + history.bucketNs
      );
      if (gap === undefined) {
        line += `H${cx}V${cy}`;
      } else {
        const end = columnX(before.index) + columnW;
        const stop = Math.min(cx, Math.max(end, x(gap.from)));
        line += `H${round1(stop)}M${cx},${cy}`;
      }
    }
    if (column.high !== column.low) {
      const mid = round1(cx + columnW / 2);
      ranges += `M${mid},${y(column.high)}V${y(column.low)}`;
    }
    if (maxVolume > 0 && column.volume > 0) {
      const h = Math.max(
        1,
        round1(
          column.volume / maxVolume * (plot.bottom - plot.priceBottom - 4),
        ),
      );
      volume += `M${cx},${plot.bottom}v-${h}h${columnW}v${h}z`;
    }
    previous = column;
  }
  if (previous !== undefined) {
    line += `H${round1(columnX(previous.index) + columnW)}`;
  }
  return {
    line,
    ranges,
    volume,
    gaps: gaps.map((gap) => {
      const left = Math.max(plot.left, x(gap.from));
      const right = Math.min(plot.right, x(gap.to));
      return { x: left, width: round1(Math.max(1, right - left)) };
    }),
    priceTicks,
    timeTicks,
    plot,
    low: axisLow,
    high: axisHigh,
    from,
    to,
    lastY: y(lastBar.close),
  };
}

/**
 * The smallest step of 1, 2 or 5 times a power of ten that cuts `span` into at most
 * `maxTicks` parts.
 *
 * @param {number} span
 * @param {number} maxTicks
 * @returns {number}
 */
function niceStep(span, maxTicks) {
  let power = 1;
  while (true) {
    for (const factor of [1, 2, 5]) {
      const step = factor * power;
      if (span / step <= maxTicks) return step;
    }
    power *= 10;
  }
}

// ---- checking what the page sends ----

/**
 * Checks a message from the page and converts it to the form the server handles. Every
 * field must be present with the right type and range, and no other field may be there.
 * Only what the wire can carry is checked: values the exchange itself rejects (an unknown
 * side, price 0, a halted orderbook …) pass, so that the exchange answers them with Order
 * Rejected as it would an OUCH order. Text is never cut: an over-long Client Reference is
 * refused.
 *
 * @param {unknown} value The parsed JSON.
 * @returns {PageMessage} The message, with the price in integer tenths.
 * @throws {TypeError} For a value that is not an object, an unknown type, a missing or extra
 * field, or a field of the wrong type.
 * @throws {RangeError} For a number out of range (negative, too large, not whole), a price
 * with more than one decimal place, or text that is too long or not printable ASCII.
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
 *   { name: "RangeError", message: /Quantity as it is negative/ },
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
      const bad = /[^\x20-\x7e]/.exec(value);
      if (bad !== null) {
        throw new RangeError(
          `Cannot use ${label} as it must be printable ASCII (${
            JSON.stringify(bad[0])
          } at position ${bad.index + 1} is not): current value is ${
            show(value)
          }`,
        );
      }
      if (value.length > max) {
        throw new RangeError(
          `Cannot use ${label} as it is too long (${value.length} characters, at most ${max}; nothing was cut): current value is ${
            show(value)
          }`,
        );
      }
      if (value.length < min) {
        throw new RangeError(
          `Cannot use ${label} as it must be ${
            min === max ? `exactly ${min}` : `at least ${min}`
          } printable ASCII character${
            min === 1 ? "" : "s"
          }: current value is ${show(value)}`,
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
      if (value < 0) {
        throw new RangeError(
          `Cannot use ${label} as it is negative: current value is ${
            show(value)
          }`,
        );
      }
      if (value > MAX_UINT32) {
        throw new RangeError(
          `Cannot use ${label} as it is too large (at most ${MAX_UINT32}): current value is ${
            show(value)
          }`,
        );
      }
      if (!Number.isSafeInteger(value)) {
        throw new RangeError(
          `Cannot use ${label} as it must be a whole number: current value is ${
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
  ping: {},
  enter: {
    clientReference: text("Client Reference", 0, MAX_CLIENT_REFERENCE),
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
    // Reserved (K10): a cancel removes the whole order. Only 0 is accepted, or nothing.
    quantity: { ...uint32("Quantity"), optional: true },
  },
  operator: {
    action: ACTION,
    orderbookId: text("Orderbook ID", 1, 4, true),
  },
});

// ---- small helpers ----

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

/**
 * @param {number} n
 * @param {number} width
 * @returns {string}
 */
function pad(n, width) {
  return String(n).padStart(width, "0");
}

/**
 * @param {number} v
 * @returns {number}
 */
function round1(v) {
  return Math.round(v * 10) / 10;
}

/**
 * `a / b` rounded half away from zero, for `b > 0`.
 *
 * @param {bigint} a
 * @param {bigint} b
 * @returns {bigint}
 */
function divideRounded(a, b) {
  const negative = a < 0n;
  const abs = negative ? -a : a;
  const q = (abs * 2n + b) / (2n * b);
  return negative ? -q : q;
}

/**
 * @param {unknown} v
 * @returns {number}
 */
function num(v) {
  return typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN;
}

/**
 * @param {unknown} v
 * @returns {string}
 */
function str(v) {
  return typeof v === "string" ? v : "?";
}
