// Private to the codec tests: the field tables of spec §3 and §4, written from the spec.
import fc from "fast-check";
import type {
  CancelOrder,
  EnterOrder,
  InboundMessage,
  OrderAccepted,
  OrderAiqCanceled,
  OrderCanceled,
  OrderExecuted,
  OrderRejected,
  OrderReplaced,
  OutboundMessage,
  ProtocolVersion,
  ReplaceOrder,
  SystemEvent,
} from "../../lib/codec/messages.ts";
import {
  CANCELED_REASONS,
  type Field,
  messageArbitrary,
  REJECTED_REASONS,
} from "./_message_cases.ts";

/** Spec §3.1. */
export const ENTER_ORDER_FIELDS: readonly Field[] = [
  { name: "orderToken", offset: 1, kind: "uint32" },
  { name: "clientReference", offset: 5, kind: "alpha", width: 10 },
  { name: "buySellIndicator", offset: 15, kind: "char" },
  { name: "quantity", offset: 16, kind: "uint32" },
  { name: "orderbookId", offset: 20, kind: "orderbookId" },
  { name: "group", offset: 24, kind: "alpha", width: 4 },
  { name: "price", offset: 28, kind: "uint32" },
  { name: "timeInForce", offset: 32, kind: "uint32" },
  { name: "firmId", offset: 36, kind: "uint32" },
  { name: "display", offset: 40, kind: "char" },
  { name: "capacity", offset: 41, kind: "char" },
  { name: "minimumQuantity", offset: 42, kind: "uint32" },
  { name: "orderClassification", offset: 46, kind: "char" },
  { name: "cashMarginType", offset: 47, kind: "char" },
];

/** Spec §3.2. */
export const REPLACE_ORDER_FIELDS: readonly Field[] = [
  { name: "existingOrderToken", offset: 1, kind: "uint32" },
  { name: "replacementOrderToken", offset: 5, kind: "uint32" },
  { name: "quantity", offset: 9, kind: "uint32" },
  { name: "price", offset: 13, kind: "uint32" },
  { name: "timeInForce", offset: 17, kind: "uint32" },
  { name: "display", offset: 21, kind: "char" },
  { name: "minimumQuantity", offset: 22, kind: "uint32" },
];

/** Spec §3.3. */
export const CANCEL_ORDER_FIELDS: readonly Field[] = [
  { name: "orderToken", offset: 1, kind: "uint32" },
  { name: "quantity", offset: 5, kind: "uint32" },
];

/** Spec §4.1. */
export const SYSTEM_EVENT_FIELDS: readonly Field[] = [
  { name: "timestamp", offset: 1, kind: "uint64" },
  { name: "eventCode", offset: 9, kind: "code", codes: ["S", "E"] },
];

/** Spec §4.2. */
export const ORDER_ACCEPTED_FIELDS: readonly Field[] = [
  { name: "timestamp", offset: 1, kind: "uint64" },
  { name: "orderToken", offset: 9, kind: "uint32" },
  { name: "clientReference", offset: 13, kind: "alpha", width: 10 },
  { name: "buySellIndicator", offset: 23, kind: "char" },
  { name: "quantity", offset: 24, kind: "uint32" },
  { name: "orderbookId", offset: 28, kind: "orderbookId" },
  { name: "group", offset: 32, kind: "alpha", width: 4 },
  { name: "price", offset: 36, kind: "uint32" },
  { name: "timeInForce", offset: 40, kind: "uint32" },
  { name: "firmId", offset: 44, kind: "uint32" },
  { name: "display", offset: 48, kind: "char" },
  { name: "capacity", offset: 49, kind: "char" },
  { name: "orderNumber", offset: 50, kind: "id64" },
  { name: "minimumQuantity", offset: 58, kind: "uint32" },
  { name: "orderState", offset: 62, kind: "code", codes: ["L", "D"] },
  { name: "orderClassification", offset: 63, kind: "char" },
  { name: "cashMarginType", offset: 64, kind: "char" },
];

/** Spec §4.3. */
export const ORDER_REPLACED_FIELDS: readonly Field[] = [
  { name: "timestamp", offset: 1, kind: "uint64" },
  { name: "replacementOrderToken", offset: 9, kind: "uint32" },
  { name: "buySellIndicator", offset: 13, kind: "char" },
  { name: "quantity", offset: 14, kind: "uint32" },
  { name: "orderbookId", offset: 18, kind: "orderbookId" },
  { name: "group", offset: 22, kind: "alpha", width: 4 },
  { name: "price", offset: 26, kind: "uint32" },
  { name: "timeInForce", offset: 30, kind: "uint32" },
  { name: "display", offset: 34, kind: "char" },
  { name: "orderNumber", offset: 35, kind: "id64" },
  { name: "minimumQuantity", offset: 43, kind: "uint32" },
  { name: "orderState", offset: 47, kind: "code", codes: ["L", "D"] },
  { name: "previousOrderToken", offset: 48, kind: "uint32" },
];

/** Spec §4.4. */
export const ORDER_CANCELED_FIELDS: readonly Field[] = [
  { name: "timestamp", offset: 1, kind: "uint64" },
  { name: "orderToken", offset: 9, kind: "uint32" },
  { name: "decrementQuantity", offset: 13, kind: "uint32" },
  {
    name: "orderCanceledReason",
    offset: 17,
    kind: "code",
    codes: CANCELED_REASONS,
  },
];

/** Spec §4.5. */
export const ORDER_AIQ_CANCELED_FIELDS: readonly Field[] = [
  { name: "timestamp", offset: 1, kind: "uint64" },
  { name: "orderToken", offset: 9, kind: "uint32" },
  { name: "decrementQuantity", offset: 13, kind: "uint32" },
  {
    name: "orderCanceledReason",
    offset: 17,
    kind: "code",
    codes: CANCELED_REASONS,
  },
  { name: "quantityPreventedFromTrading", offset: 18, kind: "uint32" },
  { name: "executionPrice", offset: 22, kind: "uint32" },
  { name: "liquidityIndicator", offset: 26, kind: "code", codes: ["A", "R"] },
];

/** Spec §4.6. */
export const ORDER_EXECUTED_FIELDS: readonly Field[] = [
  { name: "timestamp", offset: 1, kind: "uint64" },
  { name: "orderToken", offset: 9, kind: "uint32" },
  { name: "executedQuantity", offset: 13, kind: "uint32" },
  { name: "executionPrice", offset: 17, kind: "uint32" },
  { name: "liquidityIndicator", offset: 21, kind: "code", codes: ["A", "R"] },
  { name: "matchNumber", offset: 22, kind: "id64" },
];

/** Spec §4.7. */
export const ORDER_REJECTED_FIELDS: readonly Field[] = [
  { name: "timestamp", offset: 1, kind: "uint64" },
  { name: "orderToken", offset: 9, kind: "uint32" },
  {
    name: "orderRejectedReason",
    offset: 13,
    kind: "code",
    codes: REJECTED_REASONS,
  },
];

/** The field table of every message type. */
export const FIELDS_BY_TYPE = {
  enterOrder: ENTER_ORDER_FIELDS,
  replaceOrder: REPLACE_ORDER_FIELDS,
  cancelOrder: CANCEL_ORDER_FIELDS,
  systemEvent: SYSTEM_EVENT_FIELDS,
  orderAccepted: ORDER_ACCEPTED_FIELDS,
  orderReplaced: ORDER_REPLACED_FIELDS,
  orderCanceled: ORDER_CANCELED_FIELDS,
  orderAiqCanceled: ORDER_AIQ_CANCELED_FIELDS,
  orderExecuted: ORDER_EXECUTED_FIELDS,
  orderRejected: ORDER_REJECTED_FIELDS,
} as const;

/** Any inbound message valid in `version`. */
export function inboundArbitrary(
  version: ProtocolVersion,
): fc.Arbitrary<InboundMessage> {
  return fc.oneof(
    messageArbitrary<EnterOrder>("enterOrder", ENTER_ORDER_FIELDS, version),
    messageArbitrary<ReplaceOrder>(
      "replaceOrder",
      REPLACE_ORDER_FIELDS,
      version,
    ),
    messageArbitrary<CancelOrder>("cancelOrder", CANCEL_ORDER_FIELDS, version),
  );
}

/** Any outbound message valid in `version`. */
export function outboundArbitrary(
  version: ProtocolVersion,
): fc.Arbitrary<OutboundMessage> {
  return fc.oneof(
    messageArbitrary<SystemEvent>("systemEvent", SYSTEM_EVENT_FIELDS, version),
    messageArbitrary<OrderAccepted>(
      "orderAccepted",
      ORDER_ACCEPTED_FIELDS,
      version,
    ),
    messageArbitrary<OrderReplaced>(
      "orderReplaced",
      ORDER_REPLACED_FIELDS,
      version,
    ),
    messageArbitrary<OrderCanceled>(
      "orderCanceled",
      ORDER_CANCELED_FIELDS,
      version,
    ),
    messageArbitrary<OrderAiqCanceled>(
      "orderAiqCanceled",
      ORDER_AIQ_CANCELED_FIELDS,
      version,
    ),
    messageArbitrary<OrderExecuted>(
      "orderExecuted",
      ORDER_EXECUTED_FIELDS,
      version,
    ),
    messageArbitrary<OrderRejected>(
      "orderRejected",
      ORDER_REJECTED_FIELDS,
      version,
    ),
  );
}
