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

/**
 * Where a packer writes its datagrams in place, one at a time: it asks for room with
 * {@linkcode DatagramWriter.begin}, writes the datagram into
 * {@linkcode DatagramWriter.bytes} from the offset returned, and sends it with
 * {@linkcode DatagramWriter.commit}. A sender that lends the memory it sends from (the
 * `sendmmsg(2)` sender's vector) so gets each datagram with no allocation and no copy.
 */
export interface DatagramWriter {
  /**
   * The bytes the datagram begun last is written into. Read it after each `begin`: it may
   * be another array then, never between a `begin` and its `commit`.
   */
  readonly bytes: Uint8Array;
  /**
   * Makes room for one datagram of at most `length` bytes; a datagram begun and not
   * committed is given up.
   *
   * @param length The most bytes the datagram will have.
   * @returns Where the datagram starts in {@linkcode DatagramWriter.bytes}.
   */
  begin(length: number): number;
  /**
   * Sends the datagram begun last: its first `length` bytes.
   *
   * @param length Its length, at most the `length` given to `begin`.
   */
  commit(length: number): void;
}

/** A {@linkcode DatagramWriter} over a buffer of its own that hands a copy of each datagram to a sink. */
class CopyingWriter implements DatagramWriter {
  bytes = new Uint8Array(0);
  readonly #sink: DatagramSink;

  constructor(sink: DatagramSink) {
    this.#sink = sink;
  }

  begin(length: number): number {
    if (this.bytes.length < length) this.bytes = new Uint8Array(length);
    return 0;
  }

  commit(length: number): void {
    this.#sink(this.bytes.slice(0, length));
  }
}

const T = "moldUdp64Packet";

/**
 * Fills MoldUDP64 downstream datagrams with messages, in order, numbering them from
 * `nextSequenceNumber`. A datagram is sent when the next message would take its message
 * blocks past `maxPayload` bytes, when it reaches `maxMessageCount` messages or has no room
 * left for even a one-byte message, and on {@linkcode MoldUdp64Packer.flush}. Sent to a
 * sink function, each datagram is a fresh copy; written to a {@linkcode DatagramWriter},
 * each is written where the writer says (begun at the first message of the datagram,
 * committed when it is sent) and nothing is copied or allocated. Pure: the caller decides
 * when to flush (after each command's output, say) and when to send heartbeats.
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
 *
 * @example Written in place into a writer's memory
 * ```ts
 * import { type DatagramWriter, MoldUdp64Packer } from "./mold_packer.ts";
 * import { toHex } from "../codec/hex.ts";
 * import assert from "node:assert/strict";
 *
 * const memory = new Uint8Array(4096);
 * const sent: [number, number][] = [];
 * let at = 0;
 * const writer: DatagramWriter = {
 *   bytes: memory,
 *   begin: () => at,
 *   commit: (length) => {
 *     sent.push([at, length]);
 *     at += length;
 *   },
 * };
 * const packer = new MoldUdp64Packer(writer, { session: "S" });
 * packer.add(new Uint8Array([0x44, 7]));
 * packer.flush();
 * packer.heartbeat();
 * assert.deepEqual(sent, [[0, 24], [24, 20]]);
 * assert.equal(toHex(memory.subarray(18, 24)), "0001" + "0002" + "4407");
 * ```
 */
export class MoldUdp64Packer {
  readonly #writer: DatagramWriter;
  readonly #maxPayload: number;
  readonly #maxCount: number;
  /** The session, space-padded to 10 bytes: the first bytes of every datagram. */
  readonly #session: Uint8Array;
  /** The writer's bytes holding the datagram being filled (while `#count` > 0). */
  #bytes: Uint8Array = new Uint8Array(0);
  /** Where the datagram being filled starts in `#bytes`. */
  #base = 0;
  /** Sequence number of the next message added. */
  #next: number;
  /** Messages in the datagram being filled; a datagram is begun at its first message. */
  #count = 0;
  /** End of the message blocks in `#bytes`. */
  #end = 0;
  /** A view of `#bytes`, made when the writer lends another array. */
  #target: DataView = viewOf(this.#bytes);
  /** The array `addPackets` read last (a chunk of the day's log, the same for many calls), and a view of it. */
  #run: Uint8Array = this.#bytes;
  #source: DataView = this.#target;

  /**
   * Creates a packer.
   *
   * @param send Receives each datagram (a fresh copy), or writes them in place.
   * @param options The session, the first sequence number and the limits.
   * @throws {ItchEncodeError} If the session is not printable ASCII of at most 10 characters.
   * @throws {RangeError} If a number option is out of its range.
   */
  constructor(
    send: DatagramSink | DatagramWriter,
    options: MoldUdp64PackerOptions,
  ) {
    const next = options.nextSequenceNumber ?? 1;
    const maxPayload = options.maxPayload ?? MOLD_UDP64_MAX_PAYLOAD;
    const maxCount = options.maxMessageCount ?? MOLD_UDP64_MAX_MESSAGE_COUNT;
    checkOption("nextSequenceNumber", next, 1, Number.MAX_SAFE_INTEGER);
    checkOption("maxPayload", maxPayload, 3, 0xffff - MOLD_UDP64_HEADER_LENGTH);
    checkOption("maxMessageCount", maxCount, 1, MOLD_UDP64_MAX_MESSAGE_COUNT);
    this.#session = new Uint8Array(10);
    putAlphaField(this.#session, 0, 10, options.session, T, "session");
    this.#writer = typeof send === "function" ? new CopyingWriter(send) : send;
    this.#maxPayload = maxPayload;
    this.#maxCount = maxCount;
    this.#next = next;
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
    if (
      this.#count > 0 &&
      this.#end + 2 + length >
        this.#base + MOLD_UDP64_HEADER_LENGTH + maxPayload
    ) {
      this.flush();
    }
    if (this.#count === 0) this.#begin();
    const buffer = this.#bytes;
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
      this.#end + 3 > this.#base + MOLD_UDP64_HEADER_LENGTH + maxPayload
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
    const maxPayload = this.#maxPayload;
    const maxCount = this.#maxCount;
    let at = start;
    let total = 0;
    // #end, #count and #next live in locals during the walk, written back before a flush.
    // A full datagram goes out when the next message comes, or at the end: the same
    // datagrams, in the same order, as `addFrom` sends them.
    let buffer = this.#bytes;
    let target = this.#target;
    if (bytes !== this.#run) {
      this.#run = bytes;
      this.#source = viewOf(bytes);
    }
    const source = this.#source;
    let used = this.#end;
    let count = this.#count;
    let limit = this.#base + MOLD_UDP64_HEADER_LENGTH + maxPayload;
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
      if (count !== 0 && (count === maxCount || used + 2 + length > limit)) {
        this.#settle(used, count, added);
        this.flush();
        count = 0;
        added = 0;
      }
      if (count === 0) {
        this.#begin();
        buffer = this.#bytes;
        target = this.#target;
        used = this.#end;
        limit = this.#base + MOLD_UDP64_HEADER_LENGTH + maxPayload;
      }
      buffer[used] = length >>> 8;
      buffer[used + 1] = length;
      if (length <= 64) {
        // 8 bytes a step through DataViews (optimised code keeps the 64-bit values out of
        // the heap), then 4, then the last 0-3 bytes one by one: half the time of a byte
        // loop for the feed's 5- to 36-byte messages.
        let i = from;
        let o = used + 2;
        for (; i + 8 <= to; i += 8, o += 8) {
          target.setBigUint64(o, source.getBigUint64(i));
        }
        if (i + 4 <= to) {
          target.setUint32(o, source.getUint32(i));
          i += 4;
          o += 4;
        }
        for (; i < to; i++, o++) buffer[o] = bytes[i]!;
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
      count > 0 && (count === this.#maxCount ||
        used + 3 > this.#base + MOLD_UDP64_HEADER_LENGTH + this.#maxPayload)
    ) {
      this.flush();
    }
  }

  /** Begins a datagram in the writer's bytes: the session written, no message yet. */
  #begin(): void {
    const writer = this.#writer;
    const base = writer.begin(MOLD_UDP64_HEADER_LENGTH + this.#maxPayload);
    const bytes = writer.bytes;
    const session = this.#session;
    for (let i = 0; i < 10; i++) bytes[base + i] = session[i]!;
    if (bytes !== this.#bytes) {
      this.#bytes = bytes;
      this.#target = viewOf(bytes);
    }
    this.#base = base;
    this.#end = base + MOLD_UDP64_HEADER_LENGTH;
  }

  /**
   * Sends the datagram being filled, if it holds any message.
   *
   * @returns Whether a datagram was sent.
   */
  flush(): boolean {
    const count = this.#count;
    if (count === 0) return false;
    const base = this.#base;
    putHeader(this.#bytes, base, this.#next - count, count);
    this.#count = 0;
    this.#writer.commit(this.#end - base);
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
    const writer = this.#writer;
    const base = writer.begin(MOLD_UDP64_HEADER_LENGTH);
    const bytes = writer.bytes;
    bytes.set(this.#session, base);
    putHeader(bytes, base, this.#next, count);
    writer.commit(MOLD_UDP64_HEADER_LENGTH);
  }
}

/** A view of all of `bytes`. */
function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Writes a header's sequence number and message count (the session is there already). */
function putHeader(
  b: Uint8Array,
  base: number,
  sequenceNumber: number,
  count: number,
): void {
  const high = Math.floor(sequenceNumber / 4294967296);
  b[base + 10] = high >>> 24;
  b[base + 11] = high >>> 16;
  b[base + 12] = high >>> 8;
  b[base + 13] = high;
  b[base + 14] = sequenceNumber >>> 24;
  b[base + 15] = sequenceNumber >>> 16;
  b[base + 16] = sequenceNumber >>> 8;
  b[base + 17] = sequenceNumber;
  b[base + 18] = count >>> 8;
  b[base + 19] = count;
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
