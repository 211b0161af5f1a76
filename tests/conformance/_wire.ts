/**
 * The conformance probe's own wire format, written from Japannext's tables alone
 * (`official/jnx-ouch-v1.12.txt` §5–7, SoupBinTCP 3.00) and nothing of `lib/`: every
 * message is laid out here field by field, offset by offset, so that the probe checks the
 * server against the specification rather than against the server's own codec.
 *
 * Integers are unsigned big-endian; Alpha fields are left-justified and padded with spaces;
 * prices are integer tenths.
 *
 * @module
 */

/** Bytes laid out field by field at the official offsets. */
class Layout {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.#view = new DataView(this.bytes.buffer);
  }
  alpha(offset: number, length: number, text: string): this {
    if (text.length > length) throw new RangeError(`"${text}" over ${length}`);
    for (let i = 0; i < length; i++) {
      this.bytes[offset + i] = i < text.length ? text.charCodeAt(i) : 0x20;
    }
    return this;
  }
  u32(offset: number, value: number): this {
    this.#view.setUint32(offset, value);
    return this;
  }
  u64(offset: number, value: bigint): this {
    this.#view.setBigUint64(offset, value);
    return this;
  }
}

/** Fields of an Enter Order (JNX §6.1). */
export interface Enter {
  token: number;
  ref: string;
  side: string;
  quantity: number;
  book: string;
  group: string;
  price: number;
  tif: number;
  firm: number;
  display: string;
  capacity: string;
  minimum: number;
  classification: string;
  cashMargin: string;
}

/** A valid Day buy of 100 at 2800.0 on 7203, changed by `fields`. */
export function enterFields(fields: Partial<Enter>): Enter {
  return {
    token: 1,
    ref: "PROBE",
    side: "B",
    quantity: 100,
    book: "7203",
    group: "DAY",
    price: 28_000,
    tif: 99999,
    firm: 0,
    display: " ",
    capacity: "P",
    minimum: 0,
    classification: "1",
    cashMargin: "1",
    ...fields,
  };
}

/** Enter Order `O`, 48 bytes. */
export function enterOrder(o: Enter): Uint8Array {
  return new Layout(48)
    .alpha(0, 1, "O")
    .u32(1, o.token)
    .alpha(5, 10, o.ref)
    .alpha(15, 1, o.side)
    .u32(16, o.quantity)
    .alpha(20, 4, o.book)
    .alpha(24, 4, o.group)
    .u32(28, o.price)
    .u32(32, o.tif)
    .u32(36, o.firm)
    .alpha(40, 1, o.display)
    .alpha(41, 1, o.capacity)
    .u32(42, o.minimum)
    .alpha(46, 1, o.classification)
    .alpha(47, 1, o.cashMargin).bytes;
}

/** Fields of a Replace Order (JNX §6.2); `quantity` is the order chain's total. */
export interface Replace {
  existing: number;
  replacement: number;
  quantity: number;
  price: number;
  tif: number;
  display: string;
  minimum: number;
}

/** Replace Order `U`, 26 bytes. */
export function replaceOrder(r: Replace): Uint8Array {
  return new Layout(26)
    .alpha(0, 1, "U")
    .u32(1, r.existing)
    .u32(5, r.replacement)
    .u32(9, r.quantity)
    .u32(13, r.price)
    .u32(17, r.tif)
    .alpha(21, 1, r.display)
    .u32(22, r.minimum).bytes;
}

/** Cancel Order `X`, 9 bytes; the quantity is "reserved" (JNX §6.3). */
export function cancelOrder(token: number, quantity: number): Uint8Array {
  return new Layout(9).alpha(0, 1, "X").u32(1, token).u32(5, quantity).bytes;
}

// Outbound messages, as the probe expects them. The timestamp (bytes 1 to 8 of each) is
// left 0: the probe checks it apart, as it cannot know the server's clock.

/** System Event `S`, 10 bytes. */
export function systemEvent(event: string): Uint8Array {
  return new Layout(10).alpha(0, 1, "S").alpha(9, 1, event).bytes;
}

/** Order Accepted `A`, 65 bytes: the Enter Order's fields echoed, its number and state. */
export function accepted(
  o: Enter,
  orderNumber: bigint,
  state: "L" | "D",
): Uint8Array {
  return new Layout(65)
    .alpha(0, 1, "A")
    .u32(9, o.token)
    .alpha(13, 10, o.ref)
    .alpha(23, 1, o.side)
    .u32(24, o.quantity)
    .alpha(28, 4, o.book)
    .alpha(32, 4, o.group)
    .u32(36, o.price)
    .u32(40, o.tif)
    .u32(44, o.firm)
    .alpha(48, 1, o.display)
    .alpha(49, 1, o.capacity)
    .u64(50, orderNumber)
    .u32(58, o.minimum)
    .alpha(62, 1, state)
    .alpha(63, 1, o.classification)
    .alpha(64, 1, o.cashMargin).bytes;
}

/** Order Replaced `U`, 52 bytes; `quantity` is the shares outstanding. */
export function replaced(
  r: Replace,
  original: Enter,
  quantity: number,
  orderNumber: bigint,
  state: "L" | "D",
): Uint8Array {
  return new Layout(52)
    .alpha(0, 1, "U")
    .u32(9, r.replacement)
    .alpha(13, 1, original.side)
    .u32(14, quantity)
    .alpha(18, 4, original.book)
    .alpha(22, 4, original.group)
    .u32(26, r.price)
    .u32(30, r.tif)
    .alpha(34, 1, r.display)
    .u64(35, orderNumber)
    .u32(43, r.minimum)
    .alpha(47, 1, state)
    .u32(48, r.existing).bytes;
}

/** Order Canceled `C`, 18 bytes. */
export function canceled(
  token: number,
  decrement: number,
  reason: string,
): Uint8Array {
  return new Layout(18)
    .alpha(0, 1, "C")
    .u32(9, token)
    .u32(13, decrement)
    .alpha(17, 1, reason).bytes;
}

/** Order Executed `E`, 30 bytes. */
export function executed(
  token: number,
  quantity: number,
  price: number,
  liquidity: "A" | "R",
  matchNumber: bigint,
): Uint8Array {
  return new Layout(30)
    .alpha(0, 1, "E")
    .u32(9, token)
    .u32(13, quantity)
    .u32(17, price)
    .alpha(21, 1, liquidity)
    .u64(22, matchNumber).bytes;
}

/** Order Rejected `J`, 14 bytes. */
export function rejected(token: number, reason: string): Uint8Array {
  return new Layout(14).alpha(0, 1, "J").u32(9, token).alpha(13, 1, reason)
    .bytes;
}

/** The 8-byte Timestamp of an outbound message (offset 1), nanoseconds since midnight. */
export function timestampOf(message: Uint8Array): bigint {
  return new DataView(message.buffer, message.byteOffset, message.byteLength)
    .getBigUint64(1);
}

/** An 8-byte Order or Match Number at `offset`. */
export function u64At(message: Uint8Array, offset: number): bigint {
  return new DataView(message.buffer, message.byteOffset, message.byteLength)
    .getBigUint64(offset);
}

// SoupBinTCP 3.00.

/** Login Request `L`: packet length 47, username a6, password a10, session a10, sequence n20. */
export function loginRequest(
  username: string,
  password: string,
  sequence: number,
): Uint8Array {
  const packet = new Layout(49)
    .alpha(2, 1, "L")
    .alpha(3, 6, username)
    .alpha(9, 10, password)
    .alpha(19, 10, "")
    .alpha(29, 20, String(sequence).padStart(20, " ")).bytes;
  packet[1] = 47;
  return packet;
}

/** Unsequenced Data `U` holding one inbound message. */
export function unsequenced(message: Uint8Array): Uint8Array {
  const packet = new Uint8Array(3 + message.length);
  new DataView(packet.buffer).setUint16(0, message.length + 1);
  packet[2] = 0x55;
  packet.set(message, 3);
  return packet;
}

/** Client Heartbeat `R`, and Logout Request `O`. */
export const CLIENT_HEARTBEAT = new Uint8Array([0, 1, 0x52]);
export const LOGOUT_REQUEST = new Uint8Array([0, 1, 0x4f]);

/** One SoupBinTCP packet: its type character and payload. */
export interface Packet {
  type: string;
  payload: Uint8Array;
}

/** Cuts a byte stream into packets: `[length u16][type][payload]`, any chunking. */
export class PacketReader {
  #pending = new Uint8Array(0);
  push(chunk: Uint8Array): Packet[] {
    const all = new Uint8Array(this.#pending.length + chunk.length);
    all.set(this.#pending);
    all.set(chunk, this.#pending.length);
    const packets: Packet[] = [];
    let at = 0;
    while (all.length - at >= 2) {
      const length = (all[at]! << 8) | all[at + 1]!;
      if (all.length - at - 2 < length) break;
      packets.push({
        type: String.fromCharCode(all[at + 2]!),
        payload: all.slice(at + 3, at + 2 + length),
      });
      at += 2 + length;
    }
    this.#pending = all.slice(at);
    return packets;
  }
}
