// Private: the fields Order Added `A` and Order Added with Attributes `F` share (offsets 1
// to 29 of both).
import { readUint32, readUint64 } from "../codec/_binary.ts";
import { SIDE_SET } from "./_codes.ts";
import {
  putAlphaField,
  putCodeField,
  putId64Field,
  putNanoseconds,
  putOrderbookId,
  putUint32Field,
  readAlphaField,
  readCodeField,
  readNanoseconds,
  readOrderbookId,
} from "./_fields.ts";
import type { ItchSide, OrderAdded } from "./messages.ts";

/** The fields of an added order, without its type. */
export type AddedFields = Omit<OrderAdded, "type">;

/** Offsets of the shared fields from the type byte. */
export const ADDED_OFFSETS = Object.freeze({
  messageType: 0,
  nanoseconds: 1,
  orderNumber: 5,
  side: 13,
  quantity: 14,
  orderbookId: 18,
  group: 22,
  price: 26,
});

/** Writes bytes 1 to 29 of an `A` or `F` message at `at`. @throws {ItchEncodeError} */
export function putAddedFields(
  msg: AddedFields,
  target: Uint8Array,
  at: number,
  v16: boolean,
  messageType: string,
): void {
  putNanoseconds(target, at, msg.nanoseconds, messageType);
  putId64Field(target, at + 5, msg.orderNumber, messageType, "orderNumber");
  putCodeField(target, at + 13, msg.side, SIDE_SET, messageType, "side");
  putUint32Field(target, at + 14, msg.quantity, messageType, "quantity");
  putOrderbookId(target, at + 18, msg.orderbookId, v16, messageType);
  putAlphaField(target, at + 22, 4, msg.group, messageType, "group");
  putUint32Field(target, at + 26, msg.price, messageType, "price");
}

/** Reads bytes 1 to 29 of an `A` or `F` message. @throws {ItchDecodeError} */
export function readAddedFields(
  bytes: Uint8Array,
  v16: boolean,
  messageType: string,
): AddedFields {
  return {
    nanoseconds: readNanoseconds(bytes, messageType),
    orderNumber: readUint64(bytes, 5),
    side: readCodeField(bytes, 13, SIDE_SET, messageType, "side") as ItchSide,
    quantity: readUint32(bytes, 14),
    orderbookId: readOrderbookId(bytes, 18, v16, messageType),
    group: readAlphaField(bytes, 22, 4, messageType, "group"),
    price: readUint32(bytes, 26),
  };
}
