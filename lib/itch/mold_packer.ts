/**
 * Packs the feed's messages into MoldUDP64 downstream datagrams.
 *
 * @module
 */

import { putAlphaField } from "./_fields.ts";
import { failMessageSize } from "./_mold.ts";
import {
  MOLD_UDP64_END_OF_SESSION_COUNT,
  MOLD_UDP64_HEADER_LENGTH,
  MOLD_UDP64_MAX_MESSAGE_COUNT,
  MOLD_UDP64_MAX_PAYLOAD,
} from "./mold_udp64.ts";

/** Options of a {@linkcode MoldUdp64Packer}. */
export interface MoldUdp64PackerOptions {
  /** The session (M12: the OUCH session id of the day), printable ASCII, at most 10 characters. */
  session: string;
  /**
   * The sequence number of the first message to be added.
   *
   * @default {1}
   */
  nextSequenceNumber?: number;
  /**
   * The most bytes of message blocks (uint16 length + message) per datagram, from 3 to
   * 65,515 (a datagram stays within 65,535 bytes).
   *
   * @default {MOLD_UDP64_MAX_PAYLOAD} (1,400)
   */
  maxPayload?: number;
  /**
   * The most messages per datagram, from 1 to 65,534.
   *
   * @default {MOLD_UDP64_MAX_MESSAGE_COUNT}
   */
  maxMessageCount?: number;
}

/** Where a packer's datagrams go: each is a fresh copy the receiver may keep. */
export type DatagramSink = (datagram: Uint8Array) => void;

const T = "moldUdp64Packet";

/**
 * Fills MoldUDP64 downstream datagrams with messages, in order, numbering them from
 * `nextSequenceNumber`. A datagram is sent (to the sink) when the next message would take
 * its message blocks past `maxPayload` bytes, when it reaches `maxMessageCount` messages or
 * has no room left for even a one-byte message, and on {@linkcode MoldUdp64Packer.flush}.
 * Pure: the caller decides when to flush (after each command's output, say) and when to
 * send heartbeats.
 *
 * @example Two messages, flushed as one datagram
 * ```ts
 * import { MoldUdp64Packer } from "./mold_packer.ts";
 * import { decodeMoldUdp64 } from "./mold_udp64.ts";
 * import assert from "node:assert/strict";
 *
 * const sent: Uint8Array[] = [];
 * const packer = new MoldUdp64Packer((datagram) => sent.push(datagram), { session: "S1" });
 * packer.add(new Uint8Array([0x44, 1, 2]));
 * packer.add(new Uint8Array([0x44, 3, 4]));
 * assert.equal(sent.length, 0);
 * packer.flush();
 * const packet = decodeMoldUdp64(sent[0]!);
 * assert.equal(packet.sequenceNumber, 1);
 * assert.equal(packet.type === "downstream" && packet.messages.length, 2);
 * assert.equal(packer.nextSequenceNumber, 3);
 * ```
 */
export class MoldUdp64Packer {
  readonly #send: DatagramSink;
  readonly #maxPayload: number;
  readonly #maxCount: number;
  /** Header (session written once) and message blocks of the datagram being filled. */
  readonly #buffer: Uint8Array;
  /** Sequence number of the next message added. */
  #next: number;
  /** Messages in the datagram being filled. */
  #count = 0;
  /** End of the message blocks in `#buffer`. */
  #end = MOLD_UDP64_HEADER_LENGTH;

  /**
   * Creates a packer.
   *
   * @param send Receives each datagram.
   * @param options The session, the first sequence number and the limits.
   * @throws {ItchEncodeError} If the session is not printable ASCII of at most 10 characters.
   * @throws {RangeError} If a number option is out of its range.
   */
  constructor(send: DatagramSink, options: MoldUdp64PackerOptions) {
    const next = options.nextSequenceNumber ?? 1;
    const maxPayload = options.maxPayload ?? MOLD_UDP64_MAX_PAYLOAD;
    const maxCount = options.maxMessageCount ?? MOLD_UDP64_MAX_MESSAGE_COUNT;
    checkOption("nextSequenceNumber", next, 1, Number.MAX_SAFE_INTEGER);
    checkOption("maxPayload", maxPayload, 3, 0xffff - MOLD_UDP64_HEADER_LENGTH);
    checkOption("maxMessageCount", maxCount, 1, MOLD_UDP64_MAX_MESSAGE_COUNT);
    this.#send = send;
    this.#maxPayload = maxPayload;
    this.#maxCount = maxCount;
    this.#next = next;
    this.#buffer = new Uint8Array(MOLD_UDP64_HEADER_LENGTH + maxPayload);
    putAlphaField(this.#buffer, 0, 10, options.session, T, "session");
  }

  /** The sequence number the next added message gets. */
  get nextSequenceNumber(): number {
    return this.#next;
  }

  /** How many messages wait in the datagram being filled. */
  get pendingCount(): number {
    return this.#count;
  }

  /**
   * Adds one message (copied). Sends the datagram being filled first if the message does not
   * fit it, and sends the datagram the message completes.
   *
   * @param message The message, type byte first.
   * @throws {ItchEncodeError} If the message is empty or cannot fit even an empty datagram
   * (its length + 2 is above `maxPayload`); nothing is added.
   *
   * @example A message that fills the datagram exactly goes out at once
   * ```ts
   * import { MoldUdp64Packer } from "./mold_packer.ts";
   * import assert from "node:assert/strict";
   *
   * const sent: Uint8Array[] = [];
   * const packer = new MoldUdp64Packer((d) => sent.push(d), { session: "S", maxPayload: 12 });
   * packer.add(new Uint8Array(10));
   * assert.deepEqual(sent.map((d) => d.length), [20 + 12]);
   * ```
   */
  add(message: Uint8Array): void {
    this.addFrom(message, 0, message.length);
  }

  /**
   * Adds the message at `start` to `end` of `bytes` (copied), as {@linkcode add} does,
   * without making a view of it.
   *
   * @param bytes The bytes holding the message.
   * @param start Where the message starts.
   * @param end Where it ends.
   * @throws {ItchEncodeError} If the message is empty or cannot fit even an empty datagram.
   *
   * @example Usage
   * ```ts
   * import { MoldUdp64Packer } from "./mold_packer.ts";
   * import { toHex } from "../codec/hex.ts";
   * import assert from "node:assert/strict";
   *
   * const sent: Uint8Array[] = [];
   * const packer = new MoldUdp64Packer((d) => sent.push(d), { session: "S" });
   * packer.addFrom(new Uint8Array([9, 0x44, 7, 9]), 1, 3);
   * packer.flush();
   * assert.equal(toHex(sent[0]!.subarray(18)), "0001" + "0002" + "4407");
   * ```
   */
  addFrom(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    const maxPayload = this.#maxPayload;
    if (length <= 0 || length + 2 > maxPayload) {
      failMessageSize(maxPayload, Math.max(0, length));
    }
    if (this.#end + 2 + length > MOLD_UDP64_HEADER_LENGTH + maxPayload) {
      this.flush();
    }
    const buffer = this.#buffer;
    const at = this.#end;
    buffer[at] = length >>> 8;
    buffer[at + 1] = length;
    if (length <= 64) {
      for (let i = 0; i < length; i++) buffer[at + 2 + i] = bytes[start + i]!;
    } else {
      buffer.set(bytes.subarray(start, end), at + 2);
    }
    this.#end = at + 2 + length;
    this.#count++;
    this.#next++;
    if (
      this.#count === this.#maxCount ||
      this.#end + 3 > MOLD_UDP64_HEADER_LENGTH + maxPayload
    ) {
      this.flush();
    }
  }

  /**
   * Adds every message of a run of SoupBinTCP Sequenced Data packets (each a uint16
   * big-endian length of 1 + the message, `S`, the message), in order, as
   * {@linkcode addFrom} adds them one by one: the same datagrams, without a call per message.
   * The form the day's log keeps the feed in.
   *
   * @param bytes The bytes holding the packets.
   * @param start Where the first packet starts.
   * @param end Where the last one ends.
   * @returns How many messages were added.
   * @throws {ItchEncodeError} If a message is empty or cannot fit even an empty datagram; the
   *   messages before it are added.
   * @throws {RangeError} If the last packet does not end at `end`; the messages of the whole
   *   packets before it are added.
   *
   * @example Two packets become two message blocks
   * ```ts
   * import { MoldUdp64Packer } from "./mold_packer.ts";
   * import { toHex } from "../codec/hex.ts";
   * import assert from "node:assert/strict";
   *
   * const sent: Uint8Array[] = [];
   * const packer = new MoldUdp64Packer((d) => sent.push(d), { session: "S" });
   * const packets = new Uint8Array([0, 3, 0x53, 0x44, 7, 0, 2, 0x53, 0x45]);
   * assert.equal(packer.addPackets(packets, 0, packets.length), 2);
   * packer.flush();
   * assert.equal(toHex(sent[0]!.subarray(18)), "0002" + "0002" + "4407" + "0001" + "45");
   * ```
   */
  addPackets(bytes: Uint8Array, start: number, end: number): number {
    const buffer = this.#buffer;
    const maxPayload = this.#maxPayload;
    const maxCount = this.#maxCount;
    const limit = MOLD_UDP64_HEADER_LENGTH + maxPayload;
    let at = start;
    let total = 0;
    // #end, #count and #next live in locals during the walk, written back before a flush.
    // A full datagram goes out when the next message comes, or at the end: the same
    // datagrams, in the same order, as `addFrom` sends them.
    let used = this.#end;
    let count = this.#count;
    /** Messages added since `#next` was last written back. */
    let added = 0;
    while (at < end) {
      const length = ((bytes[at]! << 8) | bytes[at + 1]!) - 1;
      const from = at + 3;
      const to = from + length;
      if (length <= 0 || length + 2 > maxPayload || to > end) {
        this.#settle(used, count, added);
        if (to > end && length > 0) {
          throw new RangeError(
            `Cannot add the packet at ${at}: its ${length}-byte message ends at ${to}, past the run's end ${end}`,
          );
        }
        failMessageSize(maxPayload, Math.max(0, length));
      }
      if (count === maxCount || used + 2 + length > limit) {
        this.#settle(used, count, added);
        this.flush();
        used = MOLD_UDP64_HEADER_LENGTH;
        count = 0;
        added = 0;
      }
      buffer[used] = length >>> 8;
      buffer[used + 1] = length;
      const into = used + 2 - from;
      if (length <= 64) {
        for (let i = from; i < to; i++) buffer[into + i] = bytes[i]!;
      } else {
        buffer.set(bytes.subarray(from, to), used + 2);
      }
      used += 2 + length;
      count++;
      added++;
      total++;
      at = to;
    }
    this.#settle(used, count, added);
    return total;
  }

  /**
   * Writes back `addPackets`' locals (the end of the blocks, the messages in the datagram,
   * those added since the last write-back) and sends the datagram if it is full.
   */
  #settle(used: number, count: number, added: number): void {
    this.#end = used;
    this.#count = count;
    this.#next += added;
    if (
      count === this.#maxCount ||
      used + 3 > MOLD_UDP64_HEADER_LENGTH + this.#maxPayload
    ) {
      this.flush();
    }
  }

  /**
   * Sends the datagram being filled, if it holds any message.
   *
   * @returns Whether a datagram was sent.
   */
  flush(): boolean {
    const count = this.#count;
    if (count === 0) return false;
    this.#writeHeader(this.#next - count, count);
    const datagram = this.#buffer.slice(0, this.#end);
    this.#count = 0;
    this.#end = MOLD_UDP64_HEADER_LENGTH;
    this.#send(datagram);
    return true;
  }

  /**
   * Sends any waiting messages, then a heartbeat: message count 0 and the sequence number of
   * the next message.
   *
   * @example Usage
   * ```ts
   * import { MoldUdp64Packer } from "./mold_packer.ts";
   * import { toHex } from "../codec/hex.ts";
   * import assert from "node:assert/strict";
   *
   * const sent: Uint8Array[] = [];
   * new MoldUdp64Packer((d) => sent.push(d), { session: "S", nextSequenceNumber: 9 }).heartbeat();
   * assert.equal(toHex(sent[0]!), "53202020202020202020" + "0000000000000009" + "0000");
   * ```
   */
  heartbeat(): void {
    this.flush();
    this.#sendHeaderOnly(0);
  }

  /**
   * Sends any waiting messages, then an end of session: message count `0xFFFF` and the
   * sequence number one past the last message. Repeat it for a while once the day is over.
   */
  endOfSession(): void {
    this.flush();
    this.#sendHeaderOnly(MOLD_UDP64_END_OF_SESSION_COUNT);
  }

  #sendHeaderOnly(count: number): void {
    this.#writeHeader(this.#next, count);
    this.#send(this.#buffer.slice(0, MOLD_UDP64_HEADER_LENGTH));
  }

  #writeHeader(sequenceNumber: number, count: number): void {
    const b = this.#buffer;
    const high = Math.floor(sequenceNumber / 4294967296);
    b[10] = high >>> 24;
    b[11] = high >>> 16;
    b[12] = high >>> 8;
    b[13] = high;
    b[14] = sequenceNumber >>> 24;
    b[15] = sequenceNumber >>> 16;
    b[16] = sequenceNumber >>> 8;
    b[17] = sequenceNumber;
    b[18] = count >>> 8;
    b[19] = count;
  }
}

/** Checks an integer option. @throws {RangeError} */
function checkOption(
  name: string,
  value: number,
  min: number,
  max: number,
): void {
  if (Number.isInteger(value) && value >= min && value <= max) return;
  throw new RangeError(
    `Cannot create MoldUDP64 packer as ${name} must be an integer from ${min} to ${max}: current value is ${value}`,
  );
}
