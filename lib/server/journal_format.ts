/**
 * The journal's file format, without I/O: records in, bytes out, and back.
 *
 * A journal holds one trading day (one SoupBinTCP session). It starts with a header record
 * and continues with one record per command (an inbound OUCH message or an operator action),
 * each carrying the outbound messages the command produced. Every record is framed as
 * `[body length: u32][body][CRC-32 of body: u32]`, big-endian, so a record cut short by a
 * crash is recognised and dropped. A journal is stored in segments preallocated with zeros;
 * a body length of 0 marks the end of a segment's data.
 *
 * @module
 */
import type { ProtocolVersion } from "../codec/messages.ts";
import type { WriteBuffer } from "../session/write_buffer.ts";

/** The first bytes of every journal file. */
export const JOURNAL_MAGIC = "OUCHJNL1";

/** What a journal header records about its trading day. */
export interface JournalHeader {
  readonly type: "header";
  /** The SoupBinTCP session id of the day. */
  readonly session: string;
  /** When the journal was created, ISO 8601. */
  readonly created: string;
  readonly version: ProtocolVersion;
  readonly orderbooks: readonly string[];
  /** Whether the market was open when the day started. */
  readonly open: boolean;
  /** Orderbooks halted when the day started. */
  readonly halted: readonly string[];
}

/** An outbound message as journaled: the account it went to, or `null` for every account. */
export interface JournalOutput {
  readonly account: string | null;
  readonly message: Uint8Array;
}

/** An account became known; its sequenced messages start at 1. */
export interface AccountRecord {
  readonly type: "account";
  readonly account: string;
}

/** An inbound OUCH message from an account, with what it produced. */
export interface MessageRecord {
  readonly type: "message";
  readonly timestamp: number;
  readonly account: string;
  readonly message: Uint8Array;
  readonly outputs: readonly JournalOutput[];
}

/** An operator or exchange action, with what it produced. */
export interface ControlRecord {
  readonly type: "control";
  readonly timestamp: number;
  readonly action: ControlAction;
  readonly outputs: readonly JournalOutput[];
}

/** The actions a control record can hold. */
export type ControlAction =
  | { readonly type: "open" }
  | { readonly type: "close" }
  | { readonly type: "halt"; readonly orderbookId: string }
  | { readonly type: "resume"; readonly orderbookId: string }
  | {
    readonly type: "shortSell";
    readonly orderbookId: string;
    readonly restricted: boolean;
  }
  | {
    readonly type: "cancelAccount";
    readonly account: string;
    readonly reason: "L" | "S";
  };

/** Any journal record. */
export type JournalRecord =
  | JournalHeader
  | AccountRecord
  | MessageRecord
  | ControlRecord;

/** A journal that cannot be read: corrupt in the middle, or not a journal at all. */
export class JournalError extends SyntaxError {
  /** Byte offset of the bad record. */
  readonly offset: number;

  /**
   * Constructs a journal error.
   *
   * @param message What is wrong, in the form `Cannot <action>: <state>`.
   * @param offset Byte offset of the bad record.
   */
  constructor(message: string, offset: number) {
    super(message);
    this.name = "JournalError";
    this.offset = offset;
  }
}

const KIND_HEADER = 0x48; // H
const KIND_ACCOUNT = 0x41; // A
const KIND_MESSAGE = 0x4d; // M
const KIND_CONTROL = 0x43; // C
const BROADCAST = 0xffff;
const CONTROL_CODES = {
  open: 0x4f,
  close: 0x45,
  halt: 0x48,
  resume: 0x52,
  cancelAccount: 0x58,
  shortSell: 0x59,
};

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * Computes the CRC-32 (IEEE 802.3, as in zip and PNG) of `bytes`.
 *
 * @param bytes The bytes to check.
 * @returns The CRC as an unsigned 32-bit integer.
 *
 * @example The standard check value
 * ```ts
 * import { crc32 } from "./journal_format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Writes journal records into a buffer. Accounts are written once, as an `account` record,
 * and then referred to by their index.
 *
 * @example Encode a header and read it back
 * ```ts
 * import { JournalEncoder, readJournal } from "./journal_format.ts";
 * import { WriteBuffer } from "../session/write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const output = new WriteBuffer();
 * const encoder = new JournalEncoder(output);
 * encoder.header({
 *   type: "header", session: "2026112501", created: "2026-11-25T00:00:00.000Z",
 *   version: "1.12", orderbooks: ["1"], open: true, halted: [],
 * });
 * encoder.account("demo1");
 * const { records, validLength } = readJournal(output.take()!);
 * assert.deepEqual(records.map((record) => record.type), ["header", "account"]);
 * assert.ok(validLength > 0);
 * ```
 */
export class JournalEncoder {
  readonly #output: WriteBuffer;
  readonly #accounts = new Map<string, number>();
  #start = -1;
  #outputsAt = -1;
  #outputs = 0;

  /**
   * Constructs an encoder writing into `output`.
   *
   * @param output Where records go; the owner writes its bytes to the journal file.
   * @param accounts Accounts the journal already holds, in their order, when appending to an
   * existing journal.
   */
  constructor(output: WriteBuffer, accounts: readonly string[] = []) {
    this.#output = output;
    for (const account of accounts) {
      this.#accounts.set(account, this.#accounts.size);
    }
  }

  /**
   * Writes the header record that starts a journal.
   *
   * @param header The day's session and configuration.
   */
  header(header: JournalHeader): void {
    const json = new TextEncoder().encode(
      JSON.stringify({ ...header, magic: JOURNAL_MAGIC }),
    );
    this.#begin(KIND_HEADER);
    const at = this.#output.reserve(json.length);
    this.#output.bytes.set(json, at);
    this.#output.commit(json.length);
    this.#finish();
  }

  /**
   * Writes an account record unless the account is already known.
   *
   * @param account The account name (printable ASCII, at most 255 bytes).
   * @returns The account's index.
   */
  account(account: string): number {
    let index = this.#accounts.get(account);
    if (index !== undefined) return index;
    index = this.#accounts.size;
    this.#accounts.set(account, index);
    this.#begin(KIND_ACCOUNT);
    this.#string(account);
    this.#finish();
    return index;
  }

  /**
   * Starts a message record. Add its outputs with {@linkcode JournalEncoder.output}, then
   * call {@linkcode JournalEncoder.end}.
   *
   * @param timestamp The command's time in nanoseconds since midnight.
   * @param account The sending account, already written with `account()`.
   * @param message The inbound OUCH message.
   */
  beginMessage(timestamp: number, account: string, message: Uint8Array): void {
    const index = this.account(account);
    this.#begin(KIND_MESSAGE);
    this.#uint64(timestamp);
    this.#uint16(index);
    this.#uint8(message.length);
    const at = this.#output.reserve(message.length);
    this.#output.bytes.set(message, at);
    this.#output.commit(message.length);
    this.#beginOutputs();
  }

  /**
   * Starts a control record. Add its outputs, then call {@linkcode JournalEncoder.end}.
   *
   * @param timestamp The action's time in nanoseconds since midnight.
   * @param action The action.
   */
  beginControl(timestamp: number, action: ControlAction): void {
    const account = action.type === "cancelAccount"
      ? this.account(action.account)
      : 0;
    this.#begin(KIND_CONTROL);
    this.#uint64(timestamp);
    this.#uint8(CONTROL_CODES[action.type]);
    switch (action.type) {
      case "halt":
      case "resume":
        this.#string(action.orderbookId);
        break;
      case "shortSell":
        this.#string(action.orderbookId);
        this.#uint8(action.restricted ? 1 : 0);
        break;
      case "cancelAccount":
        this.#uint16(account);
        this.#uint8(action.reason.charCodeAt(0));
        break;
    }
    this.#beginOutputs();
  }

  /**
   * Adds one outbound message to the record begun last.
   *
   * @param account The account it went to, or `null` for every account.
   * @param message The encoded OUCH message.
   * @param at Where the message starts in `message`.
   * @param length The message's length.
   */
  output(
    account: string | null,
    message: Uint8Array,
    at: number,
    length: number,
  ): void {
    const index = account === null ? BROADCAST : this.#accounts.get(account);
    if (index === undefined) {
      throw new RangeError(
        `Cannot journal a message for account "${account}": it is unknown`,
      );
    }
    this.#uint16(index);
    this.#uint8(length);
    const to = this.#output.reserve(length);
    this.#output.bytes.set(message.subarray(at, at + length), to);
    this.#output.commit(length);
    this.#outputs++;
  }

  /** Ends the record begun last. */
  end(): void {
    writeUint32(this.#output.bytes, this.#outputsAt, this.#outputs);
    this.#finish();
  }

  #beginOutputs(): void {
    this.#outputsAt = this.#output.length;
    this.#uint32(0);
    this.#outputs = 0;
  }

  #begin(kind: number): void {
    this.#start = this.#output.length;
    this.#uint32(0); // body length, filled in by #finish
    this.#uint8(kind);
  }

  #finish(): void {
    const bodyStart = this.#start + 4;
    const bodyLength = this.#output.length - bodyStart;
    const bytes = this.#output.bytes;
    writeUint32(bytes, this.#start, bodyLength);
    const crc = crc32(bytes.subarray(bodyStart, bodyStart + bodyLength));
    this.#uint32(crc);
  }

  #uint8(value: number): void {
    const at = this.#output.reserve(1);
    this.#output.bytes[at] = value;
    this.#output.commit(1);
  }

  #uint16(value: number): void {
    const at = this.#output.reserve(2);
    this.#output.bytes[at] = value >> 8;
    this.#output.bytes[at + 1] = value & 0xff;
    this.#output.commit(2);
  }

  #uint32(value: number): void {
    const at = this.#output.reserve(4);
    writeUint32(this.#output.bytes, at, value);
    this.#output.commit(4);
  }

  #uint64(value: number): void {
    this.#uint32(Math.floor(value / 0x100000000));
    this.#uint32(value >>> 0);
  }

  #string(text: string): void {
    this.#uint8(text.length);
    const at = this.#output.reserve(text.length);
    for (let i = 0; i < text.length; i++) {
      this.#output.bytes[at + i] = text.charCodeAt(i);
    }
    this.#output.commit(text.length);
  }
}

/** What {@linkcode readJournal} found. */
export interface JournalContents {
  /** The records, header first. */
  records: JournalRecord[];
  /** Bytes of whole, valid records; anything after is zeros or a torn tail to cut off. */
  validLength: number;
  /** A description of the torn tail, or `undefined` when the journal ends cleanly. */
  tornTail: string | undefined;
}

/** What {@linkcode JournalReader.read} found in one segment. */
export interface SegmentContents {
  /** Bytes of whole, valid records at the start of the segment. */
  validLength: number;
  /** A description of a torn last record, or `undefined`. */
  tornTail: string | undefined;
}

/**
 * Reads a journal segment by segment. Journal files are preallocated with zeros, so a record
 * length of 0 where a record would start marks the end of a segment's data. In the last
 * segment, a record that is cut short or fails its CRC check with nothing but zeros after it
 * is a torn write from a crash: it is reported and left out. Anything else that does not read
 * is corruption and throws.
 *
 * @example Two segments read as one journal
 * ```ts
 * import { JournalEncoder, JournalReader } from "./journal_format.ts";
 * import { WriteBuffer } from "../session/write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const output = new WriteBuffer();
 * const encoder = new JournalEncoder(output);
 * encoder.header({
 *   type: "header", session: "2026112501", created: "2026-11-25T00:00:00.000Z",
 *   version: "1.12", orderbooks: ["1"], open: true, halted: [],
 * });
 * const first = new Uint8Array(256);
 * first.set(output.take()!);
 * encoder.account("demo1");
 * const second = output.take()!.slice();
 * const reader = new JournalReader();
 * reader.read(first, { last: false });
 * assert.equal(reader.read(second, { last: true }).validLength, second.length);
 * assert.deepEqual(reader.records.map((record) => record.type), ["header", "account"]);
 * ```
 */
export class JournalReader {
  /** Every record read so far, header first. */
  readonly records: JournalRecord[] = [];
  readonly #accounts: string[] = [];

  /**
   * Reads one segment's records.
   *
   * @param bytes The whole segment file.
   * @param options `last` when no segment follows, which allows a torn last record.
   * @returns Where the segment's valid data ends, and the torn tail if any.
   * @throws {JournalError} When the segment is corrupt, or the first one has no header.
   */
  read(bytes: Uint8Array, options: { last: boolean }): SegmentContents {
    let at = 0;
    // A torn record runs to the end of the last segment's data: nothing but zeros after it.
    const torn = (reason: string): SegmentContents => {
      if (!options.last) {
        throw new JournalError(
          `Cannot read the journal: ${reason} in a segment that is not the last`,
          at,
        );
      }
      if (this.records.length === 0) {
        throw new JournalError(`Cannot read the journal header: ${reason}`, at);
      }
      return { validLength: at, tornTail: reason };
    };
    while (at < bytes.length) {
      const remaining = bytes.length - at;
      if (remaining < 4) {
        if (zeros(bytes, at)) break;
        return torn(
          `${remaining} bytes at byte ${at} are cut short of a record`,
        );
      }
      const bodyLength = readUint32(bytes, at);
      if (bodyLength === 0) {
        if (!zeros(bytes, at)) {
          throw new JournalError(
            `Cannot read the journal record at byte ${at}: its length is 0 and data follows`,
            at,
          );
        }
        break; // the preallocated rest of the segment
      }
      if (remaining < 4 + bodyLength + 4) {
        return torn(
          `the record at byte ${at} is cut short: ${
            bodyLength + 8
          } bytes declared, ${remaining} present`,
        );
      }
      const body = bytes.subarray(at + 4, at + 4 + bodyLength);
      const crc = readUint32(bytes, at + 4 + bodyLength);
      if (crc32(body) !== crc) {
        if (options.last && zeros(bytes, at + 8 + bodyLength)) {
          return torn(`the last record at byte ${at} fails its CRC check`);
        }
        throw new JournalError(
          `Cannot read the journal record at byte ${at}: its CRC check fails and records follow it`,
          at,
        );
      }
      try {
        this.records.push(
          decodeRecord(body, this.#accounts, this.records.length === 0),
        );
      } catch (error) {
        if (error instanceof JournalError) {
          throw new JournalError(error.message, at);
        }
        throw error;
      }
      at += 8 + bodyLength;
    }
    if (this.records.length === 0) {
      throw new JournalError(
        "Cannot read the journal header: the journal is empty",
        0,
      );
    }
    return { validLength: at, tornTail: undefined };
  }
}

/**
 * Reads every record of a one-segment journal; see {@linkcode JournalReader}.
 *
 * @param bytes The whole journal file.
 * @returns The records, the length of the valid part, and the torn tail if any.
 * @throws {JournalError} When the file is not a journal or is corrupt before its last record.
 *
 * @example A torn last record is cut off
 * ```ts
 * import { JournalEncoder, readJournal } from "./journal_format.ts";
 * import { WriteBuffer } from "../session/write_buffer.ts";
 * import assert from "node:assert/strict";
 *
 * const output = new WriteBuffer();
 * const encoder = new JournalEncoder(output);
 * encoder.header({
 *   type: "header", session: "2026112501", created: "2026-11-25T00:00:00.000Z",
 *   version: "1.12", orderbooks: ["1"], open: true, halted: [],
 * });
 * const whole = output.length;
 * encoder.account("demo1");
 * const bytes = output.take()!.slice(0, -2);
 * const journal = readJournal(bytes);
 * assert.equal(journal.records.length, 1);
 * assert.equal(journal.validLength, whole);
 * assert.match(journal.tornTail!, /cut short/);
 * ```
 */
export function readJournal(bytes: Uint8Array): JournalContents {
  const reader = new JournalReader();
  const { validLength, tornTail } = reader.read(bytes, { last: true });
  return { records: reader.records, validLength, tornTail };
}

/** Whether every byte from `at` on is zero. */
function zeros(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

function decodeRecord(
  body: Uint8Array,
  accounts: string[],
  first: boolean,
): JournalRecord {
  const kind = body[0];
  if (first !== (kind === KIND_HEADER)) {
    throw new JournalError(
      first
        ? `Cannot read the file as a journal: it does not start with a header record`
        : `Cannot read a second header record in one journal`,
      0,
    );
  }
  const reader = new Reader(body, 1);
  switch (kind) {
    case KIND_HEADER: {
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(new TextDecoder().decode(body.subarray(1)));
      } catch {
        throw new JournalError(
          "Cannot read the journal header: it is not valid JSON",
          0,
        );
      }
      if (json.magic !== JOURNAL_MAGIC) {
        throw new JournalError(
          `Cannot read the file as a journal: the magic is "${
            String(json.magic)
          }"`,
          0,
        );
      }
      return {
        type: "header",
        session: String(json.session),
        created: String(json.created),
        version: json.version === "1.11" ? "1.11" : "1.12",
        orderbooks: (json.orderbooks as string[]).map(String),
        open: json.open === true,
        halted: ((json.halted ?? []) as string[]).map(String),
      };
    }
    case KIND_ACCOUNT: {
      const account = reader.string();
      accounts.push(account);
      return { type: "account", account };
    }
    case KIND_MESSAGE: {
      const timestamp = reader.uint64();
      const account = reader.account(accounts);
      const message = reader.bytes(reader.uint8());
      return {
        type: "message",
        timestamp,
        account,
        message,
        outputs: reader.outputs(accounts),
      };
    }
    case KIND_CONTROL: {
      const timestamp = reader.uint64();
      const code = reader.uint8();
      let action: ControlAction;
      switch (code) {
        case CONTROL_CODES.open:
          action = { type: "open" };
          break;
        case CONTROL_CODES.close:
          action = { type: "close" };
          break;
        case CONTROL_CODES.halt:
          action = { type: "halt", orderbookId: reader.string() };
          break;
        case CONTROL_CODES.resume:
          action = { type: "resume", orderbookId: reader.string() };
          break;
        case CONTROL_CODES.shortSell: {
          const orderbookId = reader.string();
          const restricted = reader.uint8();
          if (restricted > 1) {
            throw new JournalError(
              `Cannot read short-sell state ${restricted}`,
              0,
            );
          }
          action = {
            type: "shortSell",
            orderbookId,
            restricted: restricted === 1,
          };
          break;
        }
        case CONTROL_CODES.cancelAccount: {
          const account = reader.account(accounts);
          const reason = String.fromCharCode(reader.uint8());
          if (reason !== "L" && reason !== "S") {
            throw new JournalError(`Cannot read cancel reason "${reason}"`, 0);
          }
          action = { type: "cancelAccount", account, reason };
          break;
        }
        default:
          throw new JournalError(
            `Cannot read control action 0x${code.toString(16)}`,
            0,
          );
      }
      return {
        type: "control",
        timestamp,
        action,
        outputs: reader.outputs(accounts),
      };
    }
    default:
      throw new JournalError(
        `Cannot read record kind 0x${(kind ?? 0).toString(16)}`,
        0,
      );
  }
}

class Reader {
  #bytes: Uint8Array;
  #at: number;

  constructor(bytes: Uint8Array, at: number) {
    this.#bytes = bytes;
    this.#at = at;
  }

  #need(size: number): void {
    if (this.#at + size > this.#bytes.length) {
      throw new JournalError(
        `Cannot read ${size} bytes at ${this.#at} of a ${this.#bytes.length}-byte record`,
        0,
      );
    }
  }

  uint8(): number {
    this.#need(1);
    return this.#bytes[this.#at++]!;
  }

  uint16(): number {
    this.#need(2);
    const value = (this.#bytes[this.#at]! << 8) | this.#bytes[this.#at + 1]!;
    this.#at += 2;
    return value;
  }

  uint64(): number {
    this.#need(8);
    const value = readUint32(this.#bytes, this.#at) * 0x100000000 +
      readUint32(this.#bytes, this.#at + 4);
    this.#at += 8;
    return value;
  }

  bytes(length: number): Uint8Array {
    this.#need(length);
    const value = this.#bytes.slice(this.#at, this.#at + length);
    this.#at += length;
    return value;
  }

  string(): string {
    return String.fromCharCode(...this.bytes(this.uint8()));
  }

  account(accounts: readonly string[]): string {
    const index = this.uint16();
    const account = accounts[index];
    if (account === undefined) {
      throw new JournalError(
        `Cannot read account index ${index}: it was never recorded`,
        0,
      );
    }
    return account;
  }

  uint32(): number {
    this.#need(4);
    const value = readUint32(this.#bytes, this.#at);
    this.#at += 4;
    return value;
  }

  outputs(accounts: readonly string[]): JournalOutput[] {
    const count = this.uint32();
    const outputs: JournalOutput[] = [];
    for (let i = 0; i < count; i++) {
      const index = this.uint16();
      const account = index === BROADCAST ? null : accounts[index];
      if (account === undefined) {
        throw new JournalError(
          `Cannot read account index ${index}: it was never recorded`,
          0,
        );
      }
      outputs.push({ account, message: this.bytes(this.uint8()) });
    }
    if (this.#at !== this.#bytes.length) {
      throw new JournalError(
        `Cannot read the record: ${
          this.#bytes.length - this.#at
        } bytes are left over`,
        0,
      );
    }
    return outputs;
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) |
    bytes[at + 3]!) >>>
    0;
}

function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}
