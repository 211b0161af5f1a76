/**
 * Reading a journal without I/O: the records of one trading day, stored in segments that
 * were preallocated with zeros, as the journal file writes them.
 *
 * A journal holds one trading day: its records (see `record.ts`), the day's start first,
 * each framed as `[body length: u32][body][CRC-32 of body: u32]`. A body length of 0 where
 * a record would start marks the end of a segment's data (the zeros it was preallocated
 * with).
 *
 * @module
 */
import {
  checkFrame,
  COMMAND_CODES,
  type DayConfig,
  decodeBody,
  FRAME_LENGTH,
  readUint32,
  RecordError,
} from "./record.ts";

/** A journal that cannot be read: corrupt in the middle, or not a journal at all. */
export class JournalError extends SyntaxError {
  /** Byte offset of the bad record in its segment. */
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

/** What {@linkcode JournalReader.read} found in one segment. */
export interface SegmentContents {
  /** Bytes of whole, valid records at the start of the segment. */
  validLength: number;
  /** A description of a torn last record, or `undefined`. */
  tornTail: string | undefined;
}

/**
 * Reads a journal segment by segment, checking every record's frame and CRC. In the last
 * segment, a record that is cut short or fails its CRC check with nothing but zeros after
 * it is a torn write from a crash: it is reported and left out. Anything else that does not
 * read is corruption and throws. The first record must start a day.
 *
 * @example Two segments read as one journal
 * ```ts
 * import { JournalReader } from "./journal_reader.ts";
 * import { encodeRecords, RECORD_FORMAT } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const day = {
 *   session: "2026112501", tradingDate: "20261125", created: 1795564800, version: "1.12",
 *   orderbooks: ["1"], open: true, halted: [], matcher: {},
 * } as const;
 * const first = new Uint8Array(512);
 * first.set(encodeRecords([{ timestamp: 0, command: { type: "startDay", day }, messages: [], events: [] }]));
 * const second = encodeRecords([{ timestamp: 5, command: { type: "close" }, messages: [], events: [] }]);
 * const reader = new JournalReader();
 * reader.read(first, { last: false });
 * assert.equal(reader.read(second, { last: true }).validLength, second.length);
 * assert.equal(reader.records.length, 2);
 * assert.equal(reader.day?.session, "2026112501");
 * assert.equal(RECORD_FORMAT, "ouch-records-1");
 * ```
 */
export class JournalReader {
  /**
   * Every record read so far (framed, as views into the segments), the day's start first;
   * empty when made with `keep: false`.
   */
  readonly records: Uint8Array[] = [];
  /** How many records were read so far. */
  count = 0;
  /** The day's configuration, from its first record. */
  day: DayConfig | undefined;
  readonly #keep: boolean;

  /**
   * Makes a reader.
   *
   * @param options `keep: false` reads without keeping the records (recovery streams
   *   them segment by segment with `read`'s `visit`, in bounded memory). @default {{ keep: true }}
   */
  constructor(options: { keep?: boolean } = {}) {
    this.#keep = options.keep ?? true;
  }

  /**
   * Reads one segment's records.
   *
   * @param bytes The whole segment file.
   * @param options `last` when no segment follows, which allows a torn last record;
   *   `visit`, called with each valid record (a view into `bytes`) as it is read.
   * @returns Where the segment's valid data ends, and the torn tail if any.
   * @throws {JournalError} When the segment is corrupt, or the journal does not start with
   *   a day's start.
   */
  read(
    bytes: Uint8Array,
    options: { last: boolean; visit?: (record: Uint8Array) => void },
  ): SegmentContents {
    let at = 0;
    // A torn record runs to the end of the last segment's data: nothing but zeros after it.
    const torn = (reason: string): SegmentContents => {
      if (!options.last) {
        throw new JournalError(
          `Cannot read the journal: ${reason} in a segment that is not the last`,
          at,
        );
      }
      if (this.count === 0) {
        throw new JournalError(
          `Cannot read the journal's first record: ${reason}`,
          at,
        );
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
      if (remaining < bodyLength + FRAME_LENGTH) {
        return torn(
          `the record at byte ${at} is cut short: ${
            bodyLength + FRAME_LENGTH
          } bytes declared, ${remaining} present`,
        );
      }
      let end: number;
      try {
        end = checkFrame(bytes, at);
      } catch {
        if (options.last && zeros(bytes, at + FRAME_LENGTH + bodyLength)) {
          return torn(`the last record at byte ${at} fails its CRC check`);
        }
        throw new JournalError(
          `Cannot read the journal record at byte ${at}: its CRC check fails and records follow it`,
          at,
        );
      }
      if (this.count === 0) this.day = readDay(bytes, at, end);
      const record = bytes.subarray(at, end);
      if (this.#keep) this.records.push(record);
      options.visit?.(record);
      this.count++;
      at = end;
    }
    if (this.count === 0) {
      throw new JournalError(
        "Cannot read the journal's first record: the journal is empty",
        0,
      );
    }
    return { validLength: at, tornTail: undefined };
  }
}

function readDay(bytes: Uint8Array, at: number, end: number): DayConfig {
  if (bytes[at + 4] !== COMMAND_CODES.startDay) {
    throw new JournalError(
      "Cannot read the file as a journal: its first record does not start a trading day",
      at,
    );
  }
  try {
    const record = decodeBody(bytes, at + 4, end - 4, at);
    if (record.command.type === "startDay") return record.command.day;
  } catch (error) {
    if (error instanceof RecordError) {
      throw new JournalError(
        `Cannot read the file as a journal: ${error.message}`,
        at,
      );
    }
    throw error;
  }
  throw new JournalError("Cannot read the journal's day", at);
}

/** What {@linkcode readJournal} found. */
export interface JournalContents {
  /** The records, the day's start first. */
  records: Uint8Array[];
  /** The day's configuration. */
  day: DayConfig;
  /** Bytes of whole, valid records; anything after is zeros or a torn tail to cut off. */
  validLength: number;
  /** A description of the torn tail, or `undefined` when the journal ends cleanly. */
  tornTail: string | undefined;
}

/**
 * Reads every record of a one-segment journal; see {@linkcode JournalReader}.
 *
 * @param bytes The whole journal file.
 * @returns The records, the day, the length of the valid part, and the torn tail if any.
 * @throws {JournalError} When the file is not a journal or is corrupt before its last record.
 *
 * @example A torn last record is cut off
 * ```ts
 * import { readJournal } from "./journal_reader.ts";
 * import { encodeRecords } from "./record.ts";
 * import assert from "node:assert/strict";
 *
 * const day = {
 *   session: "2026112501", tradingDate: "20261125", created: 1795564800, version: "1.12",
 *   orderbooks: ["1"], open: true, halted: [], matcher: {},
 * } as const;
 * const start = encodeRecords([{ timestamp: 0, command: { type: "startDay", day }, messages: [], events: [] }]);
 * const close = encodeRecords([{ timestamp: 5, command: { type: "close" }, messages: [], events: [] }]);
 * const bytes = new Uint8Array(start.length + close.length - 2);
 * bytes.set(start);
 * bytes.set(close.subarray(0, -2), start.length);
 * const journal = readJournal(bytes);
 * assert.equal(journal.records.length, 1);
 * assert.equal(journal.validLength, start.length);
 * assert.match(journal.tornTail!, /cut short/);
 * ```
 */
export function readJournal(bytes: Uint8Array): JournalContents {
  const reader = new JournalReader();
  const { validLength, tornTail } = reader.read(bytes, { last: true });
  return { records: reader.records, day: reader.day!, validLength, tornTail };
}

/** Whether every byte from `at` on is zero. */
function zeros(bytes: Uint8Array, at: number): boolean {
  for (let i = at; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}
