/**
 * The ten JNX OUCH v1.12 / v1.11 messages as plain readonly objects, tagged by `type`.
 *
 * Field names are the spec's field names in camelCase (spec §3–§4). Prices are integer
 * tenths, quantities and tokens are unsigned 32-bit integers, timestamps and order/match
 * numbers are `number`s that must be safe integers (nanoseconds since midnight fit easily).
 * Alpha fields longer than one byte hold their text without the right padding (`"DAY"` for
 * `"DAY "`); one-byte Alpha fields keep their byte as-is, so Display `" "` stays `" "`.
 *
 * The business enumerations an exchange validates (side, group, display, capacity,
 * classification, cash margin type) are typed `string`: the codec carries any printable
 * ASCII there, so that a client can send an order the exchange must reject. The
 * enumerations only an exchange writes (order state, reasons, liquidity, system event) are
 * closed unions that the codec checks in both directions.
 *
 * @module
 */

/** Protocol version: `"1.12"` sends Orderbook ID as 4-byte Alpha, `"1.11"` as a uint32 (K1). */
export type ProtocolVersion = "1.12" | "1.11";

/** The versions this codec speaks, newest first. */
export const PROTOCOL_VERSIONS: readonly ProtocolVersion[] = ["1.12", "1.11"];

/** Buy/Sell Indicator values (spec §5.1): Buy, Sell, Short sell, Short sell exempt. */
export const SIDES = ["B", "S", "T", "E"] as const;
/** A valid Buy/Sell Indicator. */
export type Side = typeof SIDES[number];

/** Group values without padding (spec §5.2). */
export const GROUPS = ["DAY", "NGHT", "DAYX", "DAYU"] as const;
/** A valid Group. */
export type Group = typeof GROUPS[number];

/** Time In Force: Immediate (IOC). */
export const TIME_IN_FORCE_IMMEDIATE = 0;
/** Time In Force: Day. */
export const TIME_IN_FORCE_DAY = 99999;

/** Display values (spec §5.4): normal, post-only. */
export const DISPLAYS = [" ", "P"] as const;
/** A valid Display. */
export type Display = typeof DISPLAYS[number];

/** Capacity values (spec §5.5): Agency, Principal. */
export const CAPACITIES = ["A", "P"] as const;
/** A valid Capacity. */
export type Capacity = typeof CAPACITIES[number];

/** Order Classification values (spec §5.6). There is no `2`. */
export const ORDER_CLASSIFICATIONS = ["1", "3", "4", "5", "6"] as const;
/** A valid Order Classification. */
export type OrderClassification = typeof ORDER_CLASSIFICATIONS[number];

/** Cash Margin Type values (spec §5.7). */
export const CASH_MARGIN_TYPES = ["1", "2", "3", "4", "5"] as const;
/** A valid Cash Margin Type. */
export type CashMarginType = typeof CASH_MARGIN_TYPES[number];

/** Order State (spec §5.10): Live, Dead. */
export const ORDER_STATES = ["L", "D"] as const;
/** An Order State. */
export type OrderState = typeof ORDER_STATES[number];

/** System Event codes (spec §5.11): Start of Day, End of Day. */
export const SYSTEM_EVENT_CODES = ["S", "E"] as const;
/** A System Event code. */
export type SystemEventCode = typeof SYSTEM_EVENT_CODES[number];

/** Liquidity Indicator (spec §5.12): Added (resting side), Removed (aggressor). */
export const LIQUIDITY_INDICATORS = ["A", "R"] as const;
/** A Liquidity Indicator. */
export type LiquidityIndicator = typeof LIQUIDITY_INDICATORS[number];

/** Order Rejected Reason codes with their meaning (spec §5.8). */
export const ORDER_REJECTED_REASONS = {
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
} as const;
/** An Order Rejected Reason code. */
export type OrderRejectedReason = keyof typeof ORDER_REJECTED_REASONS;

/** Order Canceled Reason codes with their meaning (spec §5.9), used by `C` and `D`. */
export const ORDER_CANCELED_REASONS = {
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
} as const;
/** An Order Canceled Reason code. */
export type OrderCanceledReason = keyof typeof ORDER_CANCELED_REASONS;

/** Largest valid price in tenths: 214,748,364.6 (spec §1). */
export const MAX_PRICE = 0x7ffffffe;
/** Largest valid quantity (spec §1). */
export const MAX_QUANTITY = 0x7fffffff;
/** Largest value of a uint32 field. */
export const MAX_UINT32 = 0xffffffff;

/** Enter Order `O` (inbound, 48 bytes, spec §3.1). */
export interface EnterOrder {
  readonly type: "enterOrder";
  readonly orderToken: number;
  readonly clientReference: string;
  readonly buySellIndicator: string;
  readonly quantity: number;
  readonly orderbookId: string;
  readonly group: string;
  readonly price: number;
  readonly timeInForce: number;
  readonly firmId: number;
  readonly display: string;
  readonly capacity: string;
  readonly minimumQuantity: number;
  readonly orderClassification: string;
  readonly cashMarginType: string;
}

/** Replace Order `U` (inbound, 26 bytes, spec §3.2). */
export interface ReplaceOrder {
  readonly type: "replaceOrder";
  readonly existingOrderToken: number;
  readonly replacementOrderToken: number;
  readonly quantity: number;
  readonly price: number;
  readonly timeInForce: number;
  readonly display: string;
  readonly minimumQuantity: number;
}

/** Cancel Order `X` (inbound, 9 bytes, spec §3.3). `quantity` is the new intended open quantity. */
export interface CancelOrder {
  readonly type: "cancelOrder";
  readonly orderToken: number;
  readonly quantity: number;
}

/** System Event `S` (outbound, 10 bytes, spec §4.1). */
export interface SystemEvent {
  readonly type: "systemEvent";
  readonly timestamp: number;
  readonly eventCode: SystemEventCode;
}

/** Order Accepted `A` (outbound, 65 bytes, spec §4.2). */
export interface OrderAccepted {
  readonly type: "orderAccepted";
  readonly timestamp: number;
  readonly orderToken: number;
  readonly clientReference: string;
  readonly buySellIndicator: string;
  readonly quantity: number;
  readonly orderbookId: string;
  readonly group: string;
  readonly price: number;
  readonly timeInForce: number;
  readonly firmId: number;
  readonly display: string;
  readonly capacity: string;
  /** Exchange-assigned, unsigned 64-bit: exact as a bigint (real values exceed 2^53). */
  readonly orderNumber: bigint;
  readonly minimumQuantity: number;
  readonly orderState: OrderState;
  readonly orderClassification: string;
  readonly cashMarginType: string;
}

/** Order Replaced `U` (outbound, 52 bytes, spec §4.3). */
export interface OrderReplaced {
  readonly type: "orderReplaced";
  readonly timestamp: number;
  readonly replacementOrderToken: number;
  readonly buySellIndicator: string;
  readonly quantity: number;
  readonly orderbookId: string;
  readonly group: string;
  readonly price: number;
  readonly timeInForce: number;
  readonly display: string;
  /** Exchange-assigned, unsigned 64-bit: exact as a bigint (real values exceed 2^53). */
  readonly orderNumber: bigint;
  readonly minimumQuantity: number;
  readonly orderState: OrderState;
  readonly previousOrderToken: number;
}

/** Order Canceled `C` (outbound, 18 bytes, spec §4.4). `decrementQuantity` is incremental. */
export interface OrderCanceled {
  readonly type: "orderCanceled";
  readonly timestamp: number;
  readonly orderToken: number;
  readonly decrementQuantity: number;
  readonly orderCanceledReason: OrderCanceledReason;
}

/** Order AIQ Canceled `D` (outbound, 27 bytes, spec §4.5): self-match prevention. */
export interface OrderAiqCanceled {
  readonly type: "orderAiqCanceled";
  readonly timestamp: number;
  readonly orderToken: number;
  readonly decrementQuantity: number;
  readonly orderCanceledReason: OrderCanceledReason;
  readonly quantityPreventedFromTrading: number;
  readonly executionPrice: number;
  readonly liquidityIndicator: LiquidityIndicator;
}

/** Order Executed `E` (outbound, 30 bytes, spec §4.6). */
export interface OrderExecuted {
  readonly type: "orderExecuted";
  readonly timestamp: number;
  readonly orderToken: number;
  readonly executedQuantity: number;
  readonly executionPrice: number;
  readonly liquidityIndicator: LiquidityIndicator;
  /** Day-unique, unsigned 64-bit: exact as a bigint (real values exceed 2^53). */
  readonly matchNumber: bigint;
}

/** Order Rejected `J` (outbound, 14 bytes, spec §4.7). */
export interface OrderRejected {
  readonly type: "orderRejected";
  readonly timestamp: number;
  readonly orderToken: number;
  readonly orderRejectedReason: OrderRejectedReason;
}

/** A message a client sends, inside a SoupBinTCP Unsequenced Data packet. */
export type InboundMessage = EnterOrder | ReplaceOrder | CancelOrder;

/** A message an exchange sends, inside a SoupBinTCP Sequenced Data packet. */
export type OutboundMessage =
  | SystemEvent
  | OrderAccepted
  | OrderReplaced
  | OrderCanceled
  | OrderAiqCanceled
  | OrderExecuted
  | OrderRejected;

/** Any of the ten OUCH messages. */
export type OuchMessage = InboundMessage | OutboundMessage;

/** The wire type byte of each message, as a character. */
export const MESSAGE_TYPE_CODES = {
  enterOrder: "O",
  replaceOrder: "U",
  cancelOrder: "X",
  systemEvent: "S",
  orderAccepted: "A",
  orderReplaced: "U",
  orderCanceled: "C",
  orderAiqCanceled: "D",
  orderExecuted: "E",
  orderRejected: "J",
} as const satisfies Record<OuchMessage["type"], string>;

/** The total length in bytes of each message, type byte included (spec §4.8). */
export const MESSAGE_LENGTHS = {
  enterOrder: 48,
  replaceOrder: 26,
  cancelOrder: 9,
  systemEvent: 10,
  orderAccepted: 65,
  orderReplaced: 52,
  orderCanceled: 18,
  orderAiqCanceled: 27,
  orderExecuted: 30,
  orderRejected: 14,
} as const satisfies Record<OuchMessage["type"], number>;
