/**
 * The Japannext PTS ITCH (equities) market-data messages, v1.7 and v1.6, as plain readonly
 * objects tagged by `type`, plus `G` End of Snapshot from Japannext's own dissector.
 *
 * Field names are the venue's field names in camelCase (`jnx-itch.md` §2, official
 * `jnx-itch-v1.7.txt` §4), shortened where the venue repeats itself: `nanoseconds` is
 * "Timestamp – Nanoseconds", `seconds` is "Timestamp – Seconds", `isin` is "Orderbook
 * Code", `tickTableId` is "Price Tick Size Table Id". Prices are integer tenths and
 * quantities unsigned 32-bit integers; Order and Match Numbers are exact `bigint`s (real
 * values exceed 2^53). Alpha fields longer than one byte hold their text without the right
 * padding (`"DAY"` for `"DAY "`). One-byte codes are closed unions that the codec checks in
 * both directions.
 *
 * @module
 */

/**
 * ITCH version: `"1.7"` carries Orderbook Id as 4-byte Alpha, `"1.6"` as a uint32. Nothing
 * else differs (M1).
 */
export type ItchVersion = "1.7" | "1.6";

/** The versions this codec speaks, newest first. */
export const ITCH_VERSIONS: readonly ItchVersion[] = ["1.7", "1.6"];

/**
 * The ITCH version that goes with an OUCH version (M1): 1.7 with OUCH 1.12, 1.6 with 1.11.
 *
 * @param ouchVersion The OUCH protocol version.
 * @returns The matching ITCH version.
 * @throws {RangeError} If `ouchVersion` is neither `"1.12"` nor `"1.11"`.
 *
 * @example Usage
 * ```ts
 * import { itchVersionFor } from "./messages.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(itchVersionFor("1.12"), "1.7");
 * assert.equal(itchVersionFor("1.11"), "1.6");
 * ```
 */
export function itchVersionFor(ouchVersion: "1.12" | "1.11"): ItchVersion {
  if (ouchVersion === "1.12") return "1.7";
  if (ouchVersion === "1.11") return "1.6";
  throw new RangeError(
    `Cannot choose the ITCH version as the OUCH version must be one of "1.12", "1.11": current version is ${
      JSON.stringify(ouchVersion) ?? String(ouchVersion)
    }`,
  );
}

/**
 * System Event codes (official Table 1): Start of Messages, Start of System Hours, Start of
 * Market Hours, End of Market Hours, End of System Hours, End of Messages.
 */
export const ITCH_SYSTEM_EVENT_CODES = ["O", "S", "Q", "M", "E", "C"] as const;
/** A System Event code. */
export type ItchSystemEventCode = typeof ITCH_SYSTEM_EVENT_CODES[number];

/** Trading State values: Trading, Suspended. */
export const TRADING_STATES = ["T", "V"] as const;
/** A Trading State. */
export type TradingStateCode = typeof TRADING_STATES[number];

/** Short Selling State values: no price restriction, price restriction in effect. */
export const SHORT_SELLING_STATES = ["0", "1"] as const;
/** A Short Selling State. */
export type ShortSellingStateCode = typeof SHORT_SELLING_STATES[number];

/** Buy/Sell Indicator values of an order on the book. */
export const ITCH_SIDES = ["B", "S"] as const;
/** A Buy/Sell Indicator. */
export type ItchSide = typeof ITCH_SIDES[number];

/** Order Type values of Order Added with Attributes: `Q` = DLP order. */
export const ITCH_ORDER_TYPES = ["Q"] as const;
/** An Order Type. */
export type ItchOrderType = typeof ITCH_ORDER_TYPES[number];

/** The price of a reference price message (Order Number 0) when there is none: 214,748,364.7. */
export const NO_REFERENCE_PRICE = 0x7fffffff;

/** Nanoseconds in a second: the nanoseconds field is below this. */
export const NANOSECONDS_PER_SECOND = 1_000_000_000;

/** `T` Timestamp – Seconds (5 bytes): seconds since midnight of the day the session started. */
export interface TimestampSeconds {
  readonly type: "timestampSeconds";
  readonly seconds: number;
}

/** `S` System Event (10 bytes). `group` is `""` for a system-wide event. */
export interface ItchSystemEvent {
  readonly type: "systemEvent";
  readonly nanoseconds: number;
  readonly group: string;
  readonly eventCode: ItchSystemEventCode;
}

/** `L` Price Tick Size (17 bytes): one band of a tick size table. */
export interface PriceTickSize {
  readonly type: "priceTickSize";
  readonly nanoseconds: number;
  readonly tickTableId: number;
  readonly tickSize: number;
  /** The lowest price of the band, in tenths. */
  readonly priceStart: number;
}

/** `R` Orderbook Directory (45 bytes). */
export interface OrderbookDirectory {
  readonly type: "orderbookDirectory";
  readonly nanoseconds: number;
  readonly orderbookId: string;
  /** Orderbook Code: the ISIN (12 characters; may be blank). */
  readonly isin: string;
  readonly group: string;
  readonly roundLotSize: number;
  readonly tickTableId: number;
  /** Decimal places of the price fields: 1 at Japannext. */
  readonly priceDecimals: number;
  readonly upperPriceLimit: number;
  readonly lowerPriceLimit: number;
}

/** `H` Trading State (14 bytes). */
export interface TradingState {
  readonly type: "tradingState";
  readonly nanoseconds: number;
  readonly orderbookId: string;
  readonly group: string;
  readonly tradingState: TradingStateCode;
}

/** `Y` Short Selling Price Restriction State (14 bytes). */
export interface ShortSellingState {
  readonly type: "shortSellingState";
  readonly nanoseconds: number;
  readonly orderbookId: string;
  readonly group: string;
  readonly shortSellingState: ShortSellingStateCode;
}

/**
 * `A` Order Added (30 bytes). Order Number 0 is a reference price message: `price` is the
 * reference price ({@linkcode NO_REFERENCE_PRICE} for none) and side and quantity mean
 * nothing.
 */
export interface OrderAdded {
  readonly type: "orderAdded";
  readonly nanoseconds: number;
  /** Unsigned 64-bit: exact as a bigint. */
  readonly orderNumber: bigint;
  readonly side: ItchSide;
  readonly quantity: number;
  readonly orderbookId: string;
  readonly group: string;
  readonly price: number;
}

/** `F` Order Added with Attributes (35 bytes): a DLP order. */
export interface OrderAddedWithAttributes {
  readonly type: "orderAddedWithAttributes";
  readonly nanoseconds: number;
  /** Unsigned 64-bit: exact as a bigint. */
  readonly orderNumber: bigint;
  readonly side: ItchSide;
  readonly quantity: number;
  readonly orderbookId: string;
  readonly group: string;
  readonly price: number;
  /** Reserved, always blank at Japannext. */
  readonly attribution: string;
  readonly orderType: ItchOrderType;
}

/** `E` Order Executed (25 bytes): a resting order traded; the price is the order's. */
export interface ItchOrderExecuted {
  readonly type: "orderExecuted";
  readonly nanoseconds: number;
  /** Unsigned 64-bit: exact as a bigint. */
  readonly orderNumber: bigint;
  readonly executedQuantity: number;
  /** Unsigned 64-bit: exact as a bigint. */
  readonly matchNumber: bigint;
}

/** `D` Order Deleted (13 bytes). */
export interface OrderDeleted {
  readonly type: "orderDeleted";
  readonly nanoseconds: number;
  /** Unsigned 64-bit: exact as a bigint. */
  readonly orderNumber: bigint;
}

/** `U` Order Replaced (29 bytes). `quantity` is the new displayed (open) quantity. */
export interface ItchOrderReplaced {
  readonly type: "orderReplaced";
  readonly nanoseconds: number;
  /** Unsigned 64-bit: exact as a bigint. */
  readonly originalOrderNumber: bigint;
  /** Unsigned 64-bit: exact as a bigint. */
  readonly newOrderNumber: bigint;
  readonly quantity: number;
  readonly price: number;
}

/**
 * `G` End of Snapshot (9 bytes, from Japannext's dissector): the feed sequence number the
 * snapshot is current to. A safe integer (the wire field is 8 bytes).
 */
export interface EndOfSnapshot {
  readonly type: "endOfSnapshot";
  readonly sequenceNumber: number;
}

/** Any ITCH message. */
export type ItchMessage =
  | TimestampSeconds
  | ItchSystemEvent
  | PriceTickSize
  | OrderbookDirectory
  | TradingState
  | ShortSellingState
  | OrderAdded
  | OrderAddedWithAttributes
  | ItchOrderExecuted
  | OrderDeleted
  | ItchOrderReplaced
  | EndOfSnapshot;

/** The wire type byte of each message, as a character. */
export const ITCH_MESSAGE_TYPE_CODES = {
  timestampSeconds: "T",
  systemEvent: "S",
  priceTickSize: "L",
  orderbookDirectory: "R",
  tradingState: "H",
  shortSellingState: "Y",
  orderAdded: "A",
  orderAddedWithAttributes: "F",
  orderExecuted: "E",
  orderDeleted: "D",
  orderReplaced: "U",
  endOfSnapshot: "G",
} as const satisfies Record<ItchMessage["type"], string>;

/** The total length in bytes of each message, type byte included. */
export const ITCH_MESSAGE_LENGTHS = {
  timestampSeconds: 5,
  systemEvent: 10,
  priceTickSize: 17,
  orderbookDirectory: 45,
  tradingState: 14,
  shortSellingState: 14,
  orderAdded: 30,
  orderAddedWithAttributes: 35,
  orderExecuted: 25,
  orderDeleted: 13,
  orderReplaced: 29,
  endOfSnapshot: 9,
} as const satisfies Record<ItchMessage["type"], number>;
