/**
 * Output records: what the exchange core produces for every command, as data that can be
 * stored (the journal) and can leave the process (a log on a message broker). A consumer
 * that has a trading day's records, in order, can rebuild every account's sequenced OUCH
 * stream and the order-level market data without asking the engine anything.
 *
 * One record holds the command (an OUCH message from an account, a session start or end,
 * an operator action, a web order, the start or end of the day), its timestamp, and what it
 * produced in causal order: each OUCH message with its account id and sequence number (a
 * System Event to every account is one message per account), and each market event of the
 * matcher.
 *
 * ## Binary form
 *
 * Every record is framed as `[body length: u32][body][CRC-32 of body: u32]`, big-endian, so a
 * record cut short by a crash, or damaged, is recognised. A batch is records back to back.
 * The body is
 *
 * ```text
 * kind: u8  timestamp: u64  command length: u32  command  item count: u32  items
 * item: tag: u8  length: u16  payload
 * ```
 *
 * `kind` is the command's code (see {@linkcode COMMAND_CODES}); the command's layout depends
 * on it. Each item is an OUCH message (tag `m`: account u32, sequence number u32, the
 * message) or a market event (tag {@linkcode EVENT_CODES}: its fixed fields, then the
 * orderbook id as the rest of the payload). Account ids are u32 below 2^31; prices and
 * quantities u32; Order and Match Numbers u64. Every market event of a record carries the
 * record's timestamp, so it is not repeated per item. The start of a day carries its
 * configuration as JSON, and an account record its configuration as JSON, so that fields
 * can be added without changing the layout.
 *
 * @module
 */
import type { ProtocolVersion } from "../codec/messages.ts";
import type { MarketEvent } from "../matcher/market_event.ts";
import { WriteBuffer } from "../session/write_buffer.ts";

/** A JSON value, as configuration carried in records. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** The value of `format` in every day's configuration written by this version. */
export const RECORD_FORMAT = "ouch-records-1";

/**
 * A trading day's configuration, recorded when the day starts, so that replaying the day
 * does not depend on today's command line or files.
 */
export interface DayConfig {
  /** The SoupBinTCP session id of the day (1 to 10 ASCII characters). */
  readonly session: string;
  /** The trading date, `YYYYMMDD`: the first 8 digits of the day's Order and Match Numbers. */
  readonly tradingDate: string;
  /** When the day's session was created, in Unix seconds. */
  readonly created: number;
  /** The OUCH version of every message of the day. */
  readonly version: ProtocolVersion;
  /** The orderbooks of the day, in configuration order. */
  readonly orderbooks: readonly string[];
  /** Whether the market was open when the day started. */
  readonly open: boolean;
  /** Orderbooks halted when the day started. */
  readonly halted: readonly string[];
  /**
   * Further matcher configuration, passed to the matcher as options (for example reference
   * data); `{}` when there is none.
   */
  readonly matcher: JsonObject;
}

/** Where an OUCH message came from: a SoupBinTCP session or the web page. */
export type MessageOrigin = "session" | "web";

/** A command: what went into the exchange core. */
export type Command =
  /** A trading day starts: always the first record of a day. */
  | { readonly type: "startDay"; readonly day: DayConfig }
  /**
   * The exchange restarted on the day's records: every session of the day before it is
   * gone, without canceling any order (a crash of the server ends no session).
   */
  | { readonly type: "restart" }
  /** An account became known: its id (the next one), name and configuration. */
  | {
    readonly type: "account";
    readonly account: number;
    readonly name: string;
    readonly config: JsonObject;
  }
  /** An inbound OUCH message (Enter, Replace or Cancel Order) of an account. */
  | {
    readonly type: "message";
    readonly account: number;
    readonly origin: MessageOrigin;
    readonly message: Uint8Array;
  }
  /** A session of the account started on `host` (a login). */
  | {
    readonly type: "sessionStart";
    readonly account: number;
    readonly host: string;
  }
  /**
   * A session of the account on `host` ended; when it was the account's last and `cancel`
   * is set, its resting orders are canceled (reason `L`).
   */
  | {
    readonly type: "sessionEnd";
    readonly account: number;
    readonly host: string;
    readonly cancel: boolean;
  }
  /** The operator opened the market. */
  | { readonly type: "open" }
  /** The operator closed the market. */
  | { readonly type: "close" }
  /** The operator halted an orderbook. */
  | { readonly type: "halt"; readonly orderbookId: string }
  /** The operator resumed an orderbook. */
  | { readonly type: "resume"; readonly orderbookId: string }
  /** The operator switched an orderbook's short-sell price restriction (K18) on or off. */
  | {
    readonly type: "shortSell";
    readonly orderbookId: string;
    readonly restricted: boolean;
  }
  /** The operator canceled every resting order of an account (reason `S`). */
  | { readonly type: "cancelAccount"; readonly account: number }
  /** The trading day ended: nothing follows it in the day's records. */
  | { readonly type: "endDay" };

/** An outbound OUCH message as sequenced for one account. */
export interface SequencedMessage {
  /** The account id. */
  readonly account: number;
  /** Its number in the account's stream of the day, from 1. */
  readonly sequenceNumber: number;
  /** The OUCH message, type byte first. */
  readonly message: Uint8Array;
}

/** One command and everything it produced. */
export interface OutputRecord {
  /** Nanoseconds since midnight (JST) of the command. */
  readonly timestamp: number;
  /** What went in. */
  readonly command: Command;
  /** The OUCH messages it produced, in order. */
  readonly messages: readonly SequencedMessage[];
  /** The market events it produced, in order; each carries `timestamp`. */
  readonly events: readonly MarketEvent[];
}

/** A record or batch of records that cannot be read. */
export class RecordError extends SyntaxError {
  /** Byte offset of the record in the bytes read. */
  readonly offset: number;

  /**
   * Constructs a record error.
   *
   * @param message What is wrong, in the form `Cannot <action>: <state>`.
   * @param offset Byte offset of the bad record.
   */
  constructor(message: string, offset: number) {
    super(message);
    this.name = "RecordError";
    this.offset = offset;
  }
}

/** The code byte of each command kind. */
export const COMMAND_CODES: { readonly [K in Command["type"]]: number } = {
  startDay: 0x44, // D
  restart: 0x54, // T
  account: 0x41, // A
  message: 0x4d, // M
  sessionStart: 0x49, // I
  sessionEnd: 0x58, // X
  open: 0x4f, // O
  close: 0x43, // C
  halt: 0x48, // H
  resume: 0x52, // R
  shortSell: 0x59, // Y
  cancelAccount: 0x4b, // K
  endDay: 0x45, // E
};

/** The tag byte of each market event kind. */
export const EVENT_CODES: { readonly [K in MarketEvent["type"]]: number } = {
  bookAdd: 0x41, // A
  bookExecute: 0x45, // E
  bookDelete: 0x44, // D
  bookReplace: 0x55, // U
  tradingState: 0x48, // H
  shortSellState: 0x59, // Y
  marketState: 0x53, // S
};

/** The tag byte of an OUCH message item. */
export const MESSAGE_TAG = 0x6d; // m

/** Bytes of a record's frame around its body: length and CRC. */
export const FRAME_LENGTH = 8;
/** Bytes of a body before its command: kind, timestamp, command length. */
const BODY_HEAD = 13;
/** Bytes of an item before its payload: tag and length. */
const ITEM_HEAD = 3;
/** Bytes of a message item's payload before the message: account, sequence number. */
const MESSAGE_HEAD = 8;
/** The largest account id. */
const MAX_ACCOUNT = 0x7fffffff;

const ORIGIN_CODES = { session: 0x53, web: 0x57 } as const;
const SIDE_BUY = 0x42;
const SIDE_SELL = 0x53;

/**
 * CRC-32 lookup tables for slicing by 8: table `k` (at `k * 256`) holds the CRC of a byte
 * followed by `k` zero bytes, so that eight bytes are folded in per step.
 */
const CRC_TABLES = (() => {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n]!;
    for (let k = 1; k < 8; k++) {
      c = tables[c & 0xff]! ^ (c >>> 8);
      tables[k * 256 + n] = c;
    }
  }
  return tables;
})();

/**
 * Computes the CRC-32 (IEEE 802.3, as in zip and PNG) of `bytes` from `start` to `end`,
 * or continues one: the CRC of two pieces is `crc32(second, 0, second.length,
 * crc32(first))`, so a long run of bytes can be checked a piece at a time.
 *
 * @param bytes The bytes.
 * @param start The first byte. @default {0}
 * @param end After the last byte. @default {bytes.length}
 * @param previous The CRC of the bytes before `start`, to continue it. @default {0}
 * @returns The CRC as an unsigned 32-bit integer.
 *
 * @example The standard check value, whole and in two pieces
 * ```ts
 * import { crc32 } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new TextEncoder().encode("123456789");
 * assert.equal(crc32(bytes), 0xcbf43926);
 * assert.equal(crc32(bytes, 4, 9, crc32(bytes, 0, 4)), 0xcbf43926);
 * ```
 */
export function crc32(
  bytes: Uint8Array,
  start = 0,
  end: number = bytes.length,
  previous = 0,
): number {
  const t = CRC_TABLES;
  let crc = (previous ^ 0xffffffff) >>> 0;
  let i = start;
  for (const last = end - 8; i <= last; i += 8) {
    const a = crc ^
      (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) |
        (bytes[i + 3]! << 24));
    crc = t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^ t[1024 + (a >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^ t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!;
  }
  for (; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Writes records into a {@linkcode WriteBuffer}, one at a time: {@linkcode
 * RecordWriter.begin} (or {@linkcode RecordWriter.beginMessage}), then the record's items,
 * then {@linkcode RecordWriter.end}. OUCH messages are encoded in place: {@linkcode
 * RecordWriter.reserveMessage}, write the message at the returned offset of `output.bytes`,
 * then {@linkcode RecordWriter.commitMessage}.
 *
 * @example One record and its bytes read back
 * ```ts
 * import { decodeRecords, RecordWriter } from "./record.ts";
 * import { WriteBuffer } from "../session/write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const output = new WriteBuffer();
 * const writer = new RecordWriter(output);
 * writer.begin(5_000, { type: "halt", orderbookId: "7203" });
 * writer.event({ type: "tradingState", timestamp: 5_000, orderbookId: "7203", halted: true });
 * writer.end();
 * assert.deepEqual(decodeRecords(output.take()!), [{
 *   timestamp: 5_000,
 *   command: { type: "halt", orderbookId: "7203" },
 *   messages: [],
 *   events: [{ type: "tradingState", timestamp: 5_000, orderbookId: "7203", halted: true }],
 * }]);
 * ```
 */
export class RecordWriter {
  readonly #output: WriteBuffer;
  /** Where the record begun last starts in the output; -1 between records. */
  #start = -1;
  #countAt = 0;
  #items = 0;
  #timestamp = 0;
  #messageAt = 0;
  #messageAccount = 0;
  #messageSequence = 0;
  /** A view of the output's current array, for 64-bit fields. */
  #view: DataView = new DataView(new ArrayBuffer(0));

  /**
   * Constructs a writer.
   *
   * @param output Where records go.
   */
  constructor(output: WriteBuffer) {
    this.#output = output;
  }

  /** Whether a record is begun and not yet ended. */
  get open(): boolean {
    return this.#start >= 0;
  }

  /**
   * The output's current backing array: read it again after every
   * {@linkcode RecordWriter.reserveMessage}, which may replace it.
   */
  get bytes(): Uint8Array {
    return this.#output.bytes;
  }

  /**
   * Begins a record.
   *
   * @param timestamp Nanoseconds since midnight.
   * @param command The command.
   * @throws {RangeError} When a record is already begun, the timestamp is not a
   *   non-negative safe integer, or a field of the command is out of range.
   */
  begin(timestamp: number, command: Command): void {
    const output = this.#head(timestamp, COMMAND_CODES[command.type]);
    const lengthAt = output.length - 4;
    writeCommand(output, command);
    writeUint32(output.bytes, lengthAt, output.length - lengthAt - 4);
    this.#beginItems();
  }

  /**
   * Begins the record of an inbound OUCH message without building a command object.
   *
   * @param timestamp Nanoseconds since midnight.
   * @param account The account id.
   * @param origin Where the message came from.
   * @param message The bytes holding the message.
   * @param at Where the message starts in `message`.
   * @param length The message's length.
   * @throws {RangeError} When a record is already begun or a value is out of range.
   */
  beginMessage(
    timestamp: number,
    account: number,
    origin: MessageOrigin,
    message: Uint8Array,
    at: number,
    length: number,
  ): void {
    checkAccount(account);
    const output = this.#head(timestamp, COMMAND_CODES.message);
    const to = output.reserve(5 + length);
    const bytes = output.bytes;
    writeUint32(bytes, to - 4, 5 + length);
    writeUint32(bytes, to, account);
    bytes[to + 4] = ORIGIN_CODES[origin];
    // A loop, not `set(subarray(…))`: no view is made for a message this short.
    for (let i = 0; i < length; i++) bytes[to + 5 + i] = message[at + i]!;
    output.commit(5 + length);
    this.#beginItems();
  }

  /**
   * Makes room for an OUCH message item of at most `maxLength` bytes.
   *
   * @param account The account the message goes to.
   * @param sequenceNumber Its number in the account's stream.
   * @param maxLength The longest the message can be.
   * @returns Where the message goes in the output's `bytes`.
   */
  reserveMessage(
    account: number,
    sequenceNumber: number,
    maxLength: number,
  ): number {
    const output = this.#output;
    const at = output.reserve(ITEM_HEAD + MESSAGE_HEAD + maxLength);
    this.#messageAt = at;
    this.#messageAccount = account;
    this.#messageSequence = sequenceNumber;
    return at + ITEM_HEAD + MESSAGE_HEAD;
  }

  /**
   * Keeps the message written at the offset {@linkcode RecordWriter.reserveMessage}
   * returned.
   *
   * @param length The message's length.
   */
  commitMessage(length: number): void {
    const output = this.#output;
    const bytes = output.bytes;
    const at = this.#messageAt;
    bytes[at] = MESSAGE_TAG;
    const payload = MESSAGE_HEAD + length;
    bytes[at + 1] = payload >> 8;
    bytes[at + 2] = payload & 0xff;
    writeUint32(bytes, at + 3, this.#messageAccount);
    writeUint32(bytes, at + 7, this.#messageSequence);
    output.commit(ITEM_HEAD + payload);
    this.#items++;
  }

  /**
   * Adds a copy of an encoded OUCH message as an item.
   *
   * @param account The account id.
   * @param sequenceNumber Its number in the account's stream.
   * @param message The message bytes.
   */
  message(account: number, sequenceNumber: number, message: Uint8Array): void {
    const at = this.reserveMessage(account, sequenceNumber, message.length);
    this.#output.bytes.set(message, at);
    this.commitMessage(message.length);
  }

  /**
   * Adds a market event as an item.
   *
   * @param event The event; its timestamp must be the record's.
   * @throws {RangeError} When the timestamp differs from the record's or a field is out of
   *   range.
   */
  event(event: MarketEvent): void {
    if (event.timestamp !== this.#timestamp) {
      throw new RangeError(
        `Cannot record a ${event.type} event at ${event.timestamp} in a record at ${this.#timestamp}`,
      );
    }
    const output = this.#output;
    const at = output.reserve(ITEM_HEAD + 64);
    const bytes = output.bytes;
    let view = this.#view;
    if (view.buffer !== bytes.buffer) {
      view = this.#view = new DataView(
        bytes.buffer,
        bytes.byteOffset,
        bytes.byteLength,
      );
    }
    bytes[at] = EVENT_CODES[event.type];
    let to = at + ITEM_HEAD;
    switch (event.type) {
      case "bookAdd":
      case "bookDelete":
        to = writeAccount(bytes, to, event.account);
        to = writeUint64(view, to, event.orderNumber);
        bytes[to++] = sideCode(event.side);
        to = writeUint32Checked(bytes, to, event.price);
        to = writeUint32Checked(bytes, to, event.quantity);
        break;
      case "bookExecute":
        to = writeUint64(view, to, event.orderNumber);
        bytes[to++] = sideCode(event.side);
        to = writeUint32Checked(bytes, to, event.price);
        to = writeUint32Checked(bytes, to, event.quantity);
        to = writeUint32Checked(bytes, to, event.remaining);
        to = writeUint64(view, to, event.matchNumber);
        to = writeAccount(bytes, to, event.restingAccount);
        to = writeAccount(bytes, to, event.incomingAccount);
        to = writeUint64(view, to, event.incomingOrderNumber);
        break;
      case "bookReplace":
        to = writeAccount(bytes, to, event.account);
        to = writeUint64(view, to, event.originalOrderNumber);
        to = writeUint64(view, to, event.orderNumber);
        bytes[to++] = sideCode(event.side);
        to = writeUint32Checked(bytes, to, event.oldPrice);
        to = writeUint32Checked(bytes, to, event.oldQuantity);
        to = writeUint32Checked(bytes, to, event.price);
        to = writeUint32Checked(bytes, to, event.quantity);
        bytes[to++] = event.keepsPriority ? 1 : 0;
        break;
      case "tradingState":
        bytes[to++] = event.halted ? 1 : 0;
        break;
      case "shortSellState":
        bytes[to++] = event.restricted ? 1 : 0;
        break;
      case "marketState":
        bytes[to++] = event.open ? 1 : 0;
        break;
      default:
        throw new RangeError(
          `Cannot record a market event of type "${
            (event as { type: unknown }).type
          }"`,
        );
    }
    if (event.type !== "marketState") {
      to = writeAscii(bytes, to, event.orderbookId, 8, "orderbook id");
    }
    const payload = to - at - ITEM_HEAD;
    bytes[at + 1] = payload >> 8;
    bytes[at + 2] = payload & 0xff;
    output.commit(to - at);
    this.#items++;
  }

  /** Ends the record begun last: fills in its counts and its CRC. */
  end(): void {
    const output = this.#output;
    const bytes = output.bytes;
    writeUint32(bytes, this.#countAt, this.#items);
    const start = this.#start;
    const bodyLength = output.length - start - 4;
    writeUint32(bytes, start, bodyLength);
    const crc = crc32(bytes, start + 4, start + 4 + bodyLength);
    const at = output.reserve(4);
    writeUint32(output.bytes, at, crc);
    output.commit(4);
    this.#start = -1;
  }

  /** Drops the record begun last, as if it had never been begun. */
  abort(): void {
    if (this.#start < 0) return;
    this.#output.truncate(this.#start);
    this.#start = -1;
  }

  #head(timestamp: number, kind: number): WriteBuffer {
    if (this.#start >= 0) {
      throw new RangeError("Cannot begin a record before the last one ended");
    }
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw new RangeError(
        `Cannot record a timestamp of ${timestamp}: it must be a non-negative safe integer`,
      );
    }
    const output = this.#output;
    this.#start = output.length;
    this.#timestamp = timestamp;
    const at = output.reserve(4 + BODY_HEAD);
    const bytes = output.bytes;
    bytes[at + 4] = kind;
    writeUint32(bytes, at + 5, Math.floor(timestamp / 0x100000000));
    writeUint32(bytes, at + 9, timestamp >>> 0);
    output.commit(4 + BODY_HEAD);
    return output;
  }

  #beginItems(): void {
    const output = this.#output;
    this.#countAt = output.reserve(4);
    output.commit(4);
    this.#items = 0;
  }
}

/**
 * Encodes records into fresh bytes: the batch form.
 *
 * @param records The records.
 * @returns Their framed bytes, back to back.
 * @throws {RangeError} When a field is out of range or an event's timestamp is not its
 *   record's.
 *
 * @example Round trip
 * ```ts
 * import { decodeRecords, encodeRecords } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const records = [{ timestamp: 1, command: { type: "open" } as const, messages: [], events: [] }];
 * assert.deepEqual(decodeRecords(encodeRecords(records)), records);
 * ```
 */
export function encodeRecords(records: readonly OutputRecord[]): Uint8Array {
  const output = new WriteBuffer();
  const writer = new RecordWriter(output);
  for (const record of records) {
    writer.begin(record.timestamp, record.command);
    try {
      // Messages and events are kept apart in the object form; within each, order holds.
      for (const message of record.messages) {
        writer.message(
          message.account,
          message.sequenceNumber,
          message.message,
        );
      }
      for (const event of record.events) writer.event(event);
    } catch (error) {
      writer.abort();
      throw error;
    }
    writer.end();
  }
  return output.take()?.slice() ?? new Uint8Array(0);
}

/**
 * Reads a batch: framed records back to back, each checked against its CRC.
 *
 * @param bytes The batch.
 * @param views Whether message bytes are views into `bytes` (valid as long as `bytes` is
 *   unchanged) rather than copies. @default {false}
 * @returns The records, in order.
 * @throws {RecordError} When a record is cut short, fails its CRC check, or is malformed
 *   (unknown command kind or item tag, a wrong length, a value out of range, bad JSON).
 *
 * @example A damaged record is refused
 * ```ts
 * import { decodeRecords, encodeRecords } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRecords([{ timestamp: 1, command: { type: "close" }, messages: [], events: [] }]);
 * bytes[5] = bytes[5]! ^ 1;
 * assert.throws(() => decodeRecords(bytes), { name: "RecordError", message: /CRC/ });
 * ```
 */
export function decodeRecords(
  bytes: Uint8Array,
  views = false,
): OutputRecord[] {
  const records: OutputRecord[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = checkFrame(bytes, at);
    records.push(decodeBody(bytes, at + 4, end - 4, at, views));
    at = end;
  }
  return records;
}

/**
 * The market events of a batch whose frames were checked already (a journal's, read by
 * `JournalReader`, or one passed by {@linkcode checkRecords}): CRCs are not checked again,
 * and commands and OUCH message items are skipped unread, so no objects are built for them.
 *
 * @param bytes The batch.
 * @returns Its events, in order.
 * @throws {RecordError} When a record's layout or an event item is malformed.
 *
 * @example Usage
 * ```ts
 * import { decodeEvents, encodeRecords } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const event = { type: "marketState", timestamp: 1, open: false } as const;
 * const bytes = encodeRecords([{ timestamp: 1, command: { type: "close" }, messages: [
 *   { account: 3, sequenceNumber: 1, message: new Uint8Array([0x53]) },
 * ], events: [event] }]);
 * assert.deepEqual(decodeEvents(bytes), [event]);
 * ```
 */
export function decodeEvents(bytes: Uint8Array): MarketEvent[] {
  const events: MarketEvent[] = [];
  let at = 0;
  while (at + FRAME_LENGTH <= bytes.length) {
    const end = at + 4 + readUint32(bytes, at);
    const head = new Reader(bytes, at + 4, Math.min(end, bytes.length), at);
    head.uint8("the command kind");
    const timestamp = head.uint64Number("the timestamp");
    head.skip(head.uint32("the command length"), "the command");
    const count = head.uint32("the item count");
    for (let i = 0; i < count; i++) {
      const tag = head.uint8("an item tag");
      const length = head.uint16("an item length");
      const itemEnd = head.skip(length, `item ${i}`);
      if (tag === MESSAGE_TAG) continue;
      events.push(
        decodeEvent(
          new Reader(bytes, itemEnd - length, itemEnd, at, true),
          tag,
          timestamp,
          i,
        ),
      );
    }
    head.finish("the record");
    at = end + 4;
  }
  return events;
}

const COMMAND_KINDS: ReadonlySet<number> = new Set(
  Object.values(COMMAND_CODES),
);

/**
 * Checks a batch without building objects: every record's frame and CRC, its command kind,
 * its timestamp, its command and items lying exactly within its body, and each OUCH message
 * item's account, sequence number and message. A command's and an event's fields are read
 * (and checked) by {@linkcode decodeBody} or {@linkcode decodeEvents} when someone needs
 * them; a reader that keeps only the messages (a gateway) needs no more.
 *
 * @param bytes The batch.
 * @throws {RecordError} When a record is cut short, fails its CRC check, or its layout or a
 *   message item is malformed.
 *
 * @example A damaged record is refused
 * ```ts
 * import { checkRecords, encodeRecords } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRecords([{ timestamp: 1, command: { type: "open" }, events: [], messages: [
 *   { account: 3, sequenceNumber: 1, message: new Uint8Array([0x53]) },
 * ] }]);
 * checkRecords(bytes);
 * bytes[bytes.length - 5] = 0x54; // the message's byte: the CRC no longer matches
 * assert.throws(() => checkRecords(bytes), { name: "RecordError", message: /CRC/ });
 * ```
 */
export function checkRecords(bytes: Uint8Array): void {
  let at = 0;
  while (at < bytes.length) {
    const end = checkFrame(bytes, at) - 4;
    const start = at + 4;
    const fail = (what: string) =>
      new RecordError(`Cannot read the record at byte ${at}: ${what}`, at);
    if (end - start < BODY_HEAD + 4) {
      throw fail(`its body of ${end - start} bytes is cut short`);
    }
    if (!COMMAND_KINDS.has(bytes[start]!)) {
      throw fail(`the command kind ${describeByte(bytes[start]!)} is unknown`);
    }
    if (readUint32(bytes, start + 1) > 0x1fffff) {
      throw fail("the timestamp is beyond 2^53");
    }
    let item = start + BODY_HEAD + readUint32(bytes, start + 9);
    if (item + 4 > end) throw fail("the command runs past its end");
    const count = readUint32(bytes, item);
    item += 4;
    for (let i = 0; i < count; i++) {
      if (item + ITEM_HEAD > end) throw fail(`item ${i} is cut short`);
      const length = (bytes[item + 1]! << 8) | bytes[item + 2]!;
      const next = item + ITEM_HEAD + length;
      if (next > end) throw fail(`item ${i} runs past its end`);
      if (bytes[item] === MESSAGE_TAG) {
        if (length <= MESSAGE_HEAD) {
          throw fail(`message item ${i} holds no message`);
        }
        const account = readUint32(bytes, item + ITEM_HEAD);
        if (account > MAX_ACCOUNT) {
          throw fail(`account id ${account} is beyond 2^31 - 1`);
        }
        if (readUint32(bytes, item + ITEM_HEAD + 4) === 0) {
          throw fail(`message item ${i} has sequence number 0`);
        }
      }
      item = next;
    }
    if (item !== end) {
      throw fail(`the record has ${end - item} bytes left over`);
    }
    at = end + 4;
  }
}

/**
 * Checks the frame of the record at `at`: its length fits and its CRC matches.
 *
 * @param bytes The bytes holding the record.
 * @param at Where the record starts.
 * @returns Where the record ends (after its CRC).
 * @throws {RecordError} When the record is cut short or fails its CRC check.
 */
export function checkFrame(bytes: Uint8Array, at: number): number {
  const remaining = bytes.length - at;
  if (remaining < FRAME_LENGTH) {
    throw new RecordError(
      `Cannot read the record at byte ${at}: ${remaining} bytes are cut short of a frame`,
      at,
    );
  }
  const bodyLength = readUint32(bytes, at);
  if (bodyLength > remaining - FRAME_LENGTH) {
    throw new RecordError(
      `Cannot read the record at byte ${at}: ${
        bodyLength + FRAME_LENGTH
      } bytes declared, ${remaining} present`,
      at,
    );
  }
  const end = at + 4 + bodyLength;
  if (crc32(bytes, at + 4, end) !== readUint32(bytes, end)) {
    throw new RecordError(
      `Cannot read the record at byte ${at}: its CRC check fails`,
      at,
    );
  }
  return end + 4;
}

/**
 * Decodes one record's body (without its frame).
 *
 * @param bytes The bytes holding the body.
 * @param start Where the body starts.
 * @param end Where it ends.
 * @param offset The record's offset, for errors. @default {start - 4}
 * @param views Whether message bytes are views into `bytes` (valid as long as `bytes` is
 *   unchanged) rather than copies: cheaper for a record used at once. @default {false}
 * @returns The record.
 * @throws {RecordError} When the body is malformed.
 */
export function decodeBody(
  bytes: Uint8Array,
  start: number,
  end: number,
  offset: number = start - 4,
  views = false,
): OutputRecord {
  const reader = new Reader(bytes, start, end, offset, views);
  const kind = reader.uint8("the command kind");
  const timestamp = reader.uint64Number("the timestamp");
  const commandLength = reader.uint32("the command length");
  const commandEnd = reader.skip(commandLength, "the command");
  const command = decodeCommand(
    new Reader(bytes, commandEnd - commandLength, commandEnd, offset, views),
    kind,
  );
  const count = reader.uint32("the item count");
  const messages: SequencedMessage[] = [];
  const events: MarketEvent[] = [];
  for (let i = 0; i < count; i++) {
    const tag = reader.uint8("an item tag");
    const length = reader.uint16("an item length");
    const itemEnd = reader.skip(length, `item ${i}`);
    const item = new Reader(bytes, itemEnd - length, itemEnd, offset, views);
    if (tag === MESSAGE_TAG) {
      const account = item.account();
      const sequenceNumber = item.uint32("a sequence number");
      if (sequenceNumber === 0) {
        throw reader.fail(`message item ${i} has sequence number 0`);
      }
      const message = item.rest();
      if (message.length === 0) {
        throw reader.fail(`message item ${i} holds no message`);
      }
      messages.push({ account, sequenceNumber, message });
    } else {
      events.push(decodeEvent(item, tag, timestamp, i));
    }
  }
  reader.finish("the record");
  return { timestamp, command, messages, events };
}

function decodeCommand(reader: Reader, kind: number): Command {
  let command: Command;
  switch (kind) {
    case COMMAND_CODES.startDay:
      command = { type: "startDay", day: decodeDay(reader) };
      break;
    case COMMAND_CODES.restart:
      command = { type: "restart" };
      break;
    case COMMAND_CODES.account: {
      const account = reader.account();
      const name = reader.ascii(reader.uint8("a name length"), "account name");
      const config = reader.jsonObject("account configuration");
      command = { type: "account", account, name, config };
      break;
    }
    case COMMAND_CODES.message: {
      const account = reader.account();
      const code = reader.uint8("a message origin");
      const origin = code === ORIGIN_CODES.session
        ? "session"
        : code === ORIGIN_CODES.web
        ? "web"
        : undefined;
      if (origin === undefined) {
        throw reader.fail(`message origin ${describeByte(code)} is unknown`);
      }
      const message = reader.rest();
      if (message.length === 0) throw reader.fail("the message is empty");
      command = { type: "message", account, origin, message };
      break;
    }
    case COMMAND_CODES.sessionStart: {
      const account = reader.account();
      command = {
        type: "sessionStart",
        account,
        host: reader.ascii(reader.left, "host"),
      };
      break;
    }
    case COMMAND_CODES.sessionEnd: {
      const account = reader.account();
      const cancel = reader.flag("the cancel flag");
      command = {
        type: "sessionEnd",
        account,
        host: reader.ascii(reader.left, "host"),
        cancel,
      };
      break;
    }
    case COMMAND_CODES.open:
      command = { type: "open" };
      break;
    case COMMAND_CODES.close:
      command = { type: "close" };
      break;
    case COMMAND_CODES.halt:
    case COMMAND_CODES.resume: {
      const orderbookId = reader.ascii(reader.left, "orderbook id");
      command = kind === COMMAND_CODES.halt
        ? { type: "halt", orderbookId }
        : { type: "resume", orderbookId };
      break;
    }
    case COMMAND_CODES.shortSell: {
      const restricted = reader.flag("the restricted flag");
      const orderbookId = reader.ascii(reader.left, "orderbook id");
      command = { type: "shortSell", orderbookId, restricted };
      break;
    }
    case COMMAND_CODES.cancelAccount:
      command = { type: "cancelAccount", account: reader.account() };
      break;
    case COMMAND_CODES.endDay:
      command = { type: "endDay" };
      break;
    default:
      throw reader.fail(`command kind ${describeByte(kind)} is unknown`);
  }
  reader.finish("the command");
  return command;
}

function decodeDay(reader: Reader): DayConfig {
  const json = reader.jsonObject("day configuration");
  const fail = (field: string, rule: string) =>
    reader.fail(`the day configuration's "${field}" must be ${rule}`);
  if (json.format !== RECORD_FORMAT) {
    throw reader.fail(
      `the day configuration's format is "${
        String(json.format)
      }", not "${RECORD_FORMAT}"`,
    );
  }
  const strings = (field: string): string[] => {
    const value = json[field];
    if (
      !Array.isArray(value) || !value.every((item) => typeof item === "string")
    ) {
      throw fail(field, "a list of strings");
    }
    return [...value] as string[];
  };
  const { session, tradingDate, created, version, open, matcher } = json;
  if (typeof session !== "string") throw fail("session", "a string");
  if (typeof tradingDate !== "string") throw fail("tradingDate", "a string");
  if (typeof created !== "number" || !Number.isSafeInteger(created)) {
    throw fail("created", "an integer");
  }
  if (version !== "1.11" && version !== "1.12") {
    throw fail("version", '"1.11" or "1.12"');
  }
  if (typeof open !== "boolean") throw fail("open", "true or false");
  if (
    matcher === null || typeof matcher !== "object" || Array.isArray(matcher)
  ) {
    throw fail("matcher", "an object");
  }
  return {
    session,
    tradingDate,
    created,
    version,
    orderbooks: strings("orderbooks"),
    open,
    halted: strings("halted"),
    matcher: matcher as JsonObject,
  };
}

function decodeEvent(
  item: Reader,
  tag: number,
  timestamp: number,
  index: number,
): MarketEvent {
  let event: MarketEvent;
  switch (tag) {
    case EVENT_CODES.bookAdd:
    case EVENT_CODES.bookDelete: {
      const account = item.account();
      const orderNumber = item.uint64("an Order Number");
      const side = item.side();
      const price = item.uint32("a price");
      const quantity = item.uint32("a quantity");
      const orderbookId = item.orderbook();
      event = {
        type: tag === EVENT_CODES.bookAdd ? "bookAdd" : "bookDelete",
        timestamp,
        orderbookId,
        orderNumber,
        side,
        price,
        quantity,
        account,
      };
      break;
    }
    case EVENT_CODES.bookExecute: {
      const orderNumber = item.uint64("an Order Number");
      const side = item.side();
      const price = item.uint32("a price");
      const quantity = item.uint32("a quantity");
      const remaining = item.uint32("a remaining quantity");
      const matchNumber = item.uint64("a Match Number");
      const restingAccount = item.account();
      const incomingAccount = item.account();
      const incomingOrderNumber = item.uint64("an Order Number");
      event = {
        type: "bookExecute",
        timestamp,
        orderbookId: item.orderbook(),
        orderNumber,
        side,
        price,
        quantity,
        remaining,
        matchNumber,
        restingAccount,
        incomingAccount,
        incomingOrderNumber,
      };
      break;
    }
    case EVENT_CODES.bookReplace: {
      const account = item.account();
      const originalOrderNumber = item.uint64("an Order Number");
      const orderNumber = item.uint64("an Order Number");
      const side = item.side();
      const oldPrice = item.uint32("a price");
      const oldQuantity = item.uint32("a quantity");
      const price = item.uint32("a price");
      const quantity = item.uint32("a quantity");
      const keepsPriority = item.flag("the priority flag");
      event = {
        type: "bookReplace",
        timestamp,
        orderbookId: item.orderbook(),
        originalOrderNumber,
        orderNumber,
        side,
        oldPrice,
        oldQuantity,
        price,
        quantity,
        account,
        keepsPriority,
      };
      break;
    }
    case EVENT_CODES.tradingState: {
      const halted = item.flag("the halted flag");
      event = {
        type: "tradingState",
        timestamp,
        orderbookId: item.orderbook(),
        halted,
      };
      break;
    }
    case EVENT_CODES.shortSellState: {
      const restricted = item.flag("the restricted flag");
      event = {
        type: "shortSellState",
        timestamp,
        orderbookId: item.orderbook(),
        restricted,
      };
      break;
    }
    case EVENT_CODES.marketState:
      event = { type: "marketState", timestamp, open: item.flag("the flag") };
      break;
    default:
      throw item.fail(`item ${index} has the unknown tag ${describeByte(tag)}`);
  }
  item.finish(`the ${event.type} item`);
  return event;
}

/** Reads the fields of one part of a record, checking every length. */
class Reader {
  readonly #bytes: Uint8Array;
  #at: number;
  readonly #end: number;
  readonly #offset: number;
  readonly #views: boolean;

  constructor(
    bytes: Uint8Array,
    at: number,
    end: number,
    offset: number,
    views = false,
  ) {
    this.#bytes = bytes;
    this.#at = at;
    this.#end = end;
    this.#offset = offset;
    this.#views = views;
  }

  get left(): number {
    return this.#end - this.#at;
  }

  fail(what: string): RecordError {
    return new RecordError(
      `Cannot read the record at byte ${this.#offset}: ${what}`,
      this.#offset,
    );
  }

  #need(size: number, what: string): number {
    if (this.#end - this.#at < size) {
      throw this.fail(
        `${what} needs ${size} bytes, ${this.#end - this.#at} are left`,
      );
    }
    const at = this.#at;
    this.#at += size;
    return at;
  }

  skip(size: number, what: string): number {
    return this.#need(size, what) + size;
  }

  uint8(what: string): number {
    return this.#bytes[this.#need(1, what)]!;
  }

  uint16(what: string): number {
    const at = this.#need(2, what);
    return (this.#bytes[at]! << 8) | this.#bytes[at + 1]!;
  }

  uint32(what: string): number {
    return readUint32(this.#bytes, this.#need(4, what));
  }

  uint64(what: string): bigint {
    const at = this.#need(8, what);
    // Two 32-bit reads, not a DataView: a reader lives for one item, and a view per item
    // cost more than the item.
    const high = readUint32(this.#bytes, at);
    const low = readUint32(this.#bytes, at + 4);
    return high === 0 ? BigInt(low) : (BigInt(high) << 32n) | BigInt(low);
  }

  uint64Number(what: string): number {
    const at = this.#need(8, what);
    const high = readUint32(this.#bytes, at);
    if (high > 0x1fffff) throw this.fail(`${what} is beyond 2^53`);
    return high * 0x100000000 + readUint32(this.#bytes, at + 4);
  }

  account(): number {
    const account = this.uint32("an account id");
    if (account > MAX_ACCOUNT) {
      throw this.fail(`account id ${account} is beyond 2^31 - 1`);
    }
    return account;
  }

  flag(what: string): boolean {
    const value = this.uint8(what);
    if (value > 1) throw this.fail(`${what} is ${value}, not 0 or 1`);
    return value === 1;
  }

  side(): "B" | "S" {
    const code = this.uint8("a side");
    if (code === SIDE_BUY) return "B";
    if (code === SIDE_SELL) return "S";
    throw this.fail(`side ${describeByte(code)} is neither "B" nor "S"`);
  }

  ascii(length: number, what: string): string {
    const at = this.#need(length, what);
    let text = "";
    for (let i = at; i < at + length; i++) {
      const code = this.#bytes[i]!;
      if (code < 0x20 || code > 0x7e) {
        throw this.fail(`${what} holds the byte ${describeByte(code)}`);
      }
      text += String.fromCharCode(code);
    }
    if (text === "") throw this.fail(`${what} is empty`);
    return text;
  }

  orderbook(): string {
    return this.ascii(this.left, "the orderbook id");
  }

  rest(): Uint8Array {
    const at = this.#at;
    this.#at = this.#end;
    return this.#views
      ? this.#bytes.subarray(at, this.#end)
      : this.#bytes.slice(at, this.#end);
  }

  jsonObject(what: string): JsonObject {
    let json: unknown;
    try {
      json = JSON.parse(
        new TextDecoder("utf-8", { fatal: true }).decode(this.rest()),
      );
    } catch {
      throw this.fail(`the ${what} is not valid JSON`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
      throw this.fail(`the ${what} is not a JSON object`);
    }
    return json as JsonObject;
  }

  finish(what: string): void {
    if (this.#at !== this.#end) {
      throw this.fail(`${what} has ${this.#end - this.#at} bytes left over`);
    }
  }
}

function describeByte(code: number): string {
  return code >= 0x21 && code <= 0x7e
    ? `"${String.fromCharCode(code)}" (0x${code.toString(16)})`
    : `0x${code.toString(16).padStart(2, "0")}`;
}

function writeCommand(output: WriteBuffer, command: Command): void {
  switch (command.type) {
    case "startDay":
      writeJson(output, { format: RECORD_FORMAT, ...command.day });
      return;
    case "account": {
      checkAccount(command.account);
      const at = output.reserve(4 + 1 + 255);
      const bytes = output.bytes;
      writeUint32(bytes, at, command.account);
      bytes[at + 4] = command.name.length;
      const end = writeAscii(bytes, at + 5, command.name, 255, "account name");
      output.commit(end - at);
      writeJson(output, command.config);
      return;
    }
    case "message": {
      checkAccount(command.account);
      if (command.message.length === 0) {
        throw new RangeError("Cannot record an empty inbound message");
      }
      const at = output.reserve(5 + command.message.length);
      writeUint32(output.bytes, at, command.account);
      output.bytes[at + 4] = ORIGIN_CODES[command.origin];
      output.bytes.set(command.message, at + 5);
      output.commit(5 + command.message.length);
      return;
    }
    case "sessionStart":
    case "sessionEnd": {
      checkAccount(command.account);
      const at = output.reserve(5 + 255);
      const bytes = output.bytes;
      writeUint32(bytes, at, command.account);
      let to = at + 4;
      if (command.type === "sessionEnd") bytes[to++] = command.cancel ? 1 : 0;
      to = writeAscii(bytes, to, command.host, 255, "host");
      output.commit(to - at);
      return;
    }
    case "halt":
    case "resume": {
      const at = output.reserve(8);
      const end = writeAscii(
        output.bytes,
        at,
        command.orderbookId,
        8,
        "orderbook id",
      );
      output.commit(end - at);
      return;
    }
    case "shortSell": {
      const at = output.reserve(9);
      output.bytes[at] = command.restricted ? 1 : 0;
      const end = writeAscii(
        output.bytes,
        at + 1,
        command.orderbookId,
        8,
        "orderbook id",
      );
      output.commit(end - at);
      return;
    }
    case "cancelAccount": {
      checkAccount(command.account);
      const at = output.reserve(4);
      writeUint32(output.bytes, at, command.account);
      output.commit(4);
      return;
    }
    case "restart":
    case "open":
    case "close":
    case "endDay":
      return;
    default:
      throw new RangeError(
        `Cannot record a command of type "${
          (command as { type: unknown }).type
        }"`,
      );
  }
}

function writeJson(output: WriteBuffer, value: JsonValue): void {
  const json = new TextEncoder().encode(JSON.stringify(value));
  const at = output.reserve(json.length);
  output.bytes.set(json, at);
  output.commit(json.length);
}

function checkAccount(account: number): void {
  if (!Number.isInteger(account) || account < 0 || account > MAX_ACCOUNT) {
    throw new RangeError(
      `Cannot record account id ${account}: it must be an integer from 0 to 2^31 - 1`,
    );
  }
}

function sideCode(side: "B" | "S"): number {
  if (side === "B") return SIDE_BUY;
  if (side === "S") return SIDE_SELL;
  throw new RangeError(`Cannot record side "${side}": it must be "B" or "S"`);
}

function writeAccount(bytes: Uint8Array, at: number, account: number): number {
  checkAccount(account);
  writeUint32(bytes, at, account);
  return at + 4;
}

function writeUint32Checked(
  bytes: Uint8Array,
  at: number,
  value: number,
): number {
  if ((value >>> 0) !== value) {
    throw new RangeError(
      `Cannot record ${value}: it must be an integer from 0 to 2^32 - 1`,
    );
  }
  writeUint32(bytes, at, value);
  return at + 4;
}

function writeUint64(view: DataView, at: number, value: bigint): number {
  if (value < 0n || value > 0xffffffffffffffffn) {
    throw new RangeError(
      `Cannot record ${value}: it must be an integer from 0 to 2^64 - 1`,
    );
  }
  // Native: no intermediate BigInt is made, unlike shifting and masking.
  view.setBigUint64(at, value);
  return at + 8;
}

function writeAscii(
  bytes: Uint8Array,
  at: number,
  text: string,
  maxLength: number,
  what: string,
): number {
  if (text.length === 0 || text.length > maxLength) {
    throw new RangeError(
      `Cannot record ${what} "${text}": it must be 1 to ${maxLength} characters`,
    );
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      throw new RangeError(
        `Cannot record ${what} "${text}": it must be printable ASCII`,
      );
    }
    bytes[at + i] = code;
  }
  return at + text.length;
}

/**
 * Reads a big-endian uint32.
 *
 * @param bytes The bytes.
 * @param at Where it starts.
 * @returns The value.
 */
export function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) |
    bytes[at + 3]!) >>> 0;
}

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

/**
 * Called per OUCH message by {@linkcode forEachMessage}: the account id, the sequence
 * number, and where the message's bytes are (valid during the call only).
 */
export type MessageVisitor = (
  account: number,
  sequenceNumber: number,
  bytes: Uint8Array,
  start: number,
  end: number,
) => void;

/**
 * Visits every OUCH message of a batch without building objects: for the account streams,
 * which copy each message into its account's store. The frames are not checked against
 * their CRC: use it on batches this process wrote or already checked with
 * {@linkcode decodeRecords}.
 *
 * @param bytes The batch.
 * @param visit Called per message with its account, sequence number, and where its bytes
 *   are in `bytes`.
 * @throws {RecordError} When a record's layout is cut short.
 *
 * @example Count each account's messages
 * ```ts
 * import { encodeRecords, forEachMessage } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeRecords([{
 *   timestamp: 1, command: { type: "open" }, events: [],
 *   messages: [
 *     { account: 0, sequenceNumber: 1, message: new Uint8Array([0x53]) },
 *     { account: 1, sequenceNumber: 1, message: new Uint8Array([0x53]) },
 *   ],
 * }]);
 * const seen: number[] = [];
 * forEachMessage(bytes, (account) => seen.push(account));
 * assert.deepEqual(seen, [0, 1]);
 * ```
 */
export function forEachMessage(
  bytes: Uint8Array,
  visit: MessageVisitor,
): void {
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < FRAME_LENGTH + BODY_HEAD + 4) {
      throw new RecordError(
        `Cannot read the record at byte ${at}: it is cut short`,
        at,
      );
    }
    const end = at + 4 + readUint32(bytes, at);
    let item = at + 4 + BODY_HEAD + readUint32(bytes, at + 4 + 9);
    const count = readUint32(bytes, item);
    item += 4;
    for (let i = 0; i < count; i++) {
      const length = (bytes[item + 1]! << 8) | bytes[item + 2]!;
      const next = item + ITEM_HEAD + length;
      if (next > end) {
        throw new RecordError(
          `Cannot read the record at byte ${at}: item ${i} runs past its end`,
          at,
        );
      }
      if (bytes[item] === MESSAGE_TAG) {
        visit(
          readUint32(bytes, item + 3),
          readUint32(bytes, item + 7),
          bytes,
          item + ITEM_HEAD + MESSAGE_HEAD,
          next,
        );
      }
      item = next;
    }
    at = end + 4;
  }
}

/**
 * A view of a framed record's outputs: its item count and items, as bytes, so that two
 * records' outputs can be compared byte for byte.
 *
 * @param bytes The bytes holding the record.
 * @param at Where the record's frame starts.
 * @returns The view.
 * @throws {RecordError} When the record is cut short.
 */
export function outputsOf(bytes: Uint8Array, at: number): Uint8Array {
  if (bytes.length - at < FRAME_LENGTH + BODY_HEAD + 4) {
    throw new RecordError(
      `Cannot read the record at byte ${at}: it is cut short`,
      at,
    );
  }
  const end = at + 4 + readUint32(bytes, at);
  const start = at + 4 + BODY_HEAD + readUint32(bytes, at + 4 + 9);
  if (start + 4 > end || end > bytes.length) {
    throw new RecordError(
      `Cannot read the record at byte ${at}: its command runs past its end`,
      at,
    );
  }
  return bytes.subarray(start, end);
}
