/**
 * The journal on disk, the exchange core's durable log as files: one trading day (session)
 * per journal, stored as numbered segment files preallocated with zeros, appended with one
 * write per batch and flushed according to the `--fsync` mode. The format of what is in
 * them is the core's (`lib/exchange/journal_reader.ts`).
 *
 * Segments are preallocated because flushing an overwrite of blocks that already exist costs
 * a fraction of flushing an append (which also changes the file's size): on the machines this
 * was measured on, fdatasync after appending had a p99 of 3–7 ms, after overwriting 0.2 ms.
 * The next segment is prepared in the background while the current one fills.
 *
 * @module
 */
import { type DayConfig, type DurableLog, sessionId } from "../exchange/mod.ts";
import { JournalReader } from "../exchange/journal_reader.ts";

/**
 * How hard the journal is flushed. Every batch is written to the file before its messages are
 * sent, so a crash of the server loses nothing in any mode; the modes differ on a power cut:
 *
 * - `interval`: fdatasync in the background every {@linkcode FSYNC_INTERVAL_MS} ms, off the
 *   event loop: a power cut loses at most that much.
 * - `batch`: fdatasync every batch before its messages are sent: a power cut loses nothing
 *   acknowledged, and latency follows the disk's.
 * - `none`: never fdatasync; the operating system writes back when it likes.
 */
export type FsyncMode = "interval" | "batch" | "none";

/** The fsync modes, default first. */
export const FSYNC_MODES: readonly ["interval", "batch", "none"] = [
  "interval",
  "batch",
  "none",
];

/** How often `interval` mode flushes the journal to disk. */
export const FSYNC_INTERVAL_MS = 100;

/** The size of a journal segment file. */
export const DEFAULT_SEGMENT_SIZE = 16 * 1024 * 1024;

const SEGMENT_NAME = /^(\d{8})-(\d{10})\.(\d{4})\.journal$/;
const ZEROS = new Uint8Array(1 << 20);

/** How to open a journal. */
export interface JournalOptions {
  /** Start a new session even when the day has a journal. */
  fresh: boolean;
  /**
   * Now, in Unix seconds: a new session's id (K16), unless the day already has a session
   * at this second or later (then the one after its latest). @default {the clock}
   */
  now?: number;
  /** The flush mode. */
  fsync: FsyncMode;
  /** The size of each segment file. @default {DEFAULT_SEGMENT_SIZE} */
  segmentSize?: number;
}

/**
 * A journal's records, read again from its segment files (one in memory at a time) each
 * time they are iterated; each record is a view valid until the next segment is read.
 */
export interface JournalRecords extends Iterable<Uint8Array> {
  /** How many records the journal holds. */
  readonly length: number;
}

/** What {@linkcode openJournal} found or made. */
export interface OpenedJournal {
  /** The open journal, ready to append. */
  journal: JournalFile;
  /**
   * The session id (K16): the Unix time in seconds at which the session was created, ten
   * digits.
   */
  session: string;
  /**
   * The framed records of a journal being continued, or `undefined` for a new day: read
   * from the segment files one segment at a time each time they are iterated, so that a
   * long day is recovered in bounded memory.
   */
  records: JournalRecords | undefined;
  /** The configuration of the day being continued, or `undefined` for a new day. */
  day: DayConfig | undefined;
  /** A description of the torn last record that was cut off, if any. */
  tornTail: string | undefined;
}

/**
 * The name of a journal: the trading date and the session id, so that a directory holds
 * the journals of many days and a day's sessions sort by time.
 *
 * @param date The trading date, `YYYYMMDD`.
 * @param session The session id: ten digits (K16).
 * @returns The name, such as `20261128-1795833600`.
 *
 * @example Usage
 * ```ts
 * import { journalName } from "./journal_file.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(journalName("20261128", "1795833600"), "20261128-1795833600");
 * ```
 */
export function journalName(date: string, session: string): string {
  return `${date}-${session}`;
}

/**
 * The name of a journal segment file.
 *
 * @param journal The journal's name (see {@linkcode journalName}).
 * @param index The segment number, from 1.
 * @returns The file name, such as `20261128-1795833600.0001.journal`.
 *
 * @example Usage
 * ```ts
 * import { segmentName } from "./journal_file.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   segmentName("20261128-1795833600", 12),
 *   "20261128-1795833600.0012.journal",
 * );
 * ```
 */
export function segmentName(journal: string, index: number): string {
  return `${journal}.${String(index).padStart(4, "0")}.journal`;
}

/**
 * Opens today's journal in `directory`: the latest session of `date` unless `fresh`, or a
 * new session whose id is the time now in Unix seconds (K16), ten digits (one second after
 * the day's latest session when that is not earlier). A torn last record is zeroed out.
 * Files with other names (journals of other days, or of versions before K16, named
 * `YYYYMMDDNN.NNNN.journal`) are left alone.
 *
 * @param directory The data directory; created when missing.
 * @param date The trading day as `YYYYMMDD`.
 * @param options Whether to start fresh, the time, the flush mode and the segment size.
 * @returns The journal, its session id and, when continuing, its records.
 * @throws {JournalError} When the latest journal is corrupt before its last record.
 */
export async function openJournal(
  directory: string,
  date: string,
  options: JournalOptions,
): Promise<OpenedJournal> {
  const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  await Deno.mkdir(directory, { recursive: true });
  const sessions = new Map<string, number[]>();
  for await (const entry of Deno.readDir(directory)) {
    const match = entry.name.match(SEGMENT_NAME);
    if (!entry.isFile || match?.[1] !== date) continue;
    const session = match[2]!;
    sessions.set(session, [...(sessions.get(session) ?? []), Number(match[3])]);
  }
  const latest = [...sessions.keys()].sort().at(-1);
  if (latest !== undefined && !options.fresh) {
    return await continueJournal(
      directory,
      latest,
      journalName(date, latest),
      sessions.get(latest)!,
      { ...options, segmentSize },
    );
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const session = sessionId(
    latest === undefined ? now : Math.max(now, Number(latest) + 1),
  );
  const name = journalName(date, session);
  const file = await prepareSegment(directory, name, 1, segmentSize);
  return {
    journal: new JournalFile(
      directory,
      name,
      1,
      file,
      0,
      options.fsync,
      segmentSize,
    ),
    session,
    records: undefined,
    day: undefined,
    tornTail: undefined,
  };
}

async function continueJournal(
  directory: string,
  session: string,
  name: string,
  indexes: number[],
  options: JournalOptions & { segmentSize: number },
): Promise<OpenedJournal> {
  indexes.sort((a, b) => a - b);
  const pathOf = (index: number) => `${directory}/${segmentName(name, index)}`;
  // Segments prepared ahead but never written to are all zeros: drop them.
  let bytes = await Deno.readFile(pathOf(indexes.at(-1)!));
  while (indexes.length > 1 && allZeros(bytes)) {
    await Deno.remove(pathOf(indexes.pop()!));
    bytes = await Deno.readFile(pathOf(indexes.at(-1)!));
  }
  // Read to check every segment, keeping none but the last in memory (the others are read
  // into one reused buffer).
  const reader = new JournalReader({ keep: false });
  const buffer = { bytes: new Uint8Array(0) };
  let last = { validLength: 0, tornTail: undefined as string | undefined };
  const index = indexes.at(-1)!;
  const empty = indexes.length === 1 && allZeros(bytes);
  // A journal created but never written to (a crash at once): its day starts again.
  if (!empty) {
    for (const [i, segment] of indexes.entries()) {
      const isLast = i === indexes.length - 1;
      last = reader.read(
        isLast ? bytes : readSegment(pathOf(segment), buffer),
        { last: isLast },
      );
    }
  }
  const path = `${directory}/${segmentName(name, index)}`;
  const file = await Deno.open(path, { write: true });
  if (last.tornTail !== undefined) {
    // Zero the torn record so that the segment reads cleanly from here on.
    let end = bytes.length;
    while (end > last.validLength && bytes[end - 1] === 0) end--;
    await file.seek(last.validLength, Deno.SeekMode.Start);
    await writeAll(file, new Uint8Array(end - last.validLength));
    await file.syncData();
  }
  if (bytes.length < options.segmentSize) {
    // A segment from a journal without preallocation, or a smaller segment size: extend it.
    await file.seek(bytes.length, Deno.SeekMode.Start);
    await writeZeros(file, options.segmentSize - bytes.length);
    await file.syncData();
  }
  await file.seek(last.validLength, Deno.SeekMode.Start);
  return {
    journal: new JournalFile(
      directory,
      name,
      index,
      file,
      last.validLength,
      options.fsync,
      Math.max(options.segmentSize, bytes.length),
    ),
    session,
    records: empty
      ? undefined
      : journalRecords(indexes.map(pathOf), reader.count),
    day: reader.day,
    tornTail: last.tornTail,
  };
}

/**
 * An open journal. {@linkcode JournalFile.append} writes synchronously, so the bytes are in
 * the file (and on disk with `fsync` `batch`) when it returns: the batch is durable for the
 * exchange core (against a crash of the server; against a power cut as the mode says)
 * before anything is sent to clients.
 */
export class JournalFile implements DurableLog {
  readonly #directory: string;
  readonly #name: string;
  readonly #fsync: FsyncMode;
  readonly #segmentSize: number;
  #index: number;
  #file: Deno.FsFile;
  #position: number;
  #capacity: number;
  #next: Deno.FsFile | undefined;
  #preparing: Promise<void> | undefined;
  #bytes = 0;
  #closed = false;
  /** `interval` mode: written since the last flush; segments waiting for their last flush. */
  #unflushed = false;
  #retired: Deno.FsFile[] = [];
  #flushing: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * Wraps an open segment positioned where the next record goes.
   *
   * @param directory The data directory.
   * @param name The journal's name (see {@linkcode journalName}).
   * @param index The segment's number.
   * @param file The segment, opened for writing.
   * @param position Where the next record goes in it.
   * @param fsync The flush mode.
   * @param segmentSize The size of segments.
   */
  constructor(
    directory: string,
    name: string,
    index: number,
    file: Deno.FsFile,
    position: number,
    fsync: FsyncMode,
    segmentSize: number,
  ) {
    this.#directory = directory;
    this.#name = name;
    this.#index = index;
    this.#file = file;
    this.#position = position;
    this.#capacity = segmentSize;
    this.#fsync = fsync;
    this.#segmentSize = segmentSize;
    this.#prepareNext();
    if (fsync === "interval") {
      this.#timer = setInterval(
        () => this.#flushInBackground(),
        FSYNC_INTERVAL_MS,
      );
    }
  }

  /** Where the journal is, for messages: its files' pattern. */
  get path(): string {
    return `${this.#directory}/${this.#name}.*.journal`;
  }

  /** Bytes appended since the journal was opened. */
  get bytesWritten(): number {
    return this.#bytes;
  }

  /**
   * Appends one batch of records and flushes it as the mode says.
   *
   * @param bytes The records.
   * @throws {TypeError} When the journal is closed.
   */
  append(bytes: Uint8Array): void {
    if (this.#closed) throw new TypeError("Cannot append to a closed journal");
    if (this.#position + bytes.length > this.#capacity) {
      this.#switchSegment(bytes.length);
    }
    let at = 0;
    while (at < bytes.length) at += this.#file.writeSync(bytes.subarray(at));
    if (this.#fsync === "batch") this.#file.syncDataSync();
    else this.#unflushed = true;
    this.#position += bytes.length;
    this.#bytes += bytes.length;
  }

  /** Closes the journal, removing a prepared segment that was never used. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#flushing;
    if (this.#fsync === "interval") {
      for (const file of [...this.#retired, this.#file]) await file.syncData();
      for (const file of this.#retired) file.close();
      this.#retired = [];
    }
    this.#file.close();
    await this.#preparing;
    if (this.#next !== undefined) {
      this.#next.close();
      this.#next = undefined;
      await Deno.remove(this.#nextPath()).catch(() => {});
    }
  }

  #switchSegment(needed: number): void {
    if (this.#fsync === "interval") {
      this.#retired.push(this.#file); // closed after its last background flush
    } else {
      this.#file.close();
    }
    let next = this.#next;
    this.#next = undefined;
    if (next === undefined || needed > this.#segmentSize) {
      // The background preparation is late (or the batch is huge): prepare synchronously,
      // one number further, and let the late one be removed when it completes.
      if (next !== undefined) {
        // Prepared, but too small for this batch: replace it.
        next.close();
        Deno.removeSync(this.#nextPath());
      }
      this.#index++;
      if (this.#preparing !== undefined) this.#index++;
      const size = Math.max(this.#segmentSize, needed);
      next = Deno.openSync(this.#currentPath(), {
        write: true,
        createNew: true,
      });
      for (let left = size; left > 0; left -= ZEROS.length) {
        next.writeSync(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
      }
      next.syncSync();
      if (this.#fsync !== "none") {
        // The new file's name must survive a power cut too.
        const directory = Deno.openSync(this.#directory, { read: true });
        directory.syncSync();
        directory.close();
      }
      next.seekSync(0, Deno.SeekMode.Start);
      this.#capacity = size;
    } else {
      this.#index++;
      this.#capacity = this.#segmentSize;
    }
    this.#file = next;
    this.#position = 0;
    this.#prepareNext();
  }

  /** `interval` mode: flushes what was written, without blocking the event loop. */
  #flushInBackground(): void {
    if (
      this.#flushing !== undefined ||
      (!this.#unflushed && this.#retired.length === 0)
    ) return;
    this.#unflushed = false;
    const retired = this.#retired;
    this.#retired = [];
    const current = this.#file;
    this.#flushing = (async () => {
      for (const file of retired) {
        await file.syncData();
        file.close();
      }
      await current.syncData();
    })().catch(() => {
      // The next flush tries again; a file that cannot be flushed fails its writes too.
      this.#unflushed = true;
    }).finally(() => this.#flushing = undefined);
  }

  #prepareNext(): void {
    if (this.#preparing !== undefined || this.#closed) return;
    const index = this.#index + 1;
    this.#preparing = prepareSegment(
      this.#directory,
      this.#name,
      index,
      this.#segmentSize,
    )
      .then(async (file) => {
        if (this.#closed || this.#index >= index) {
          // Closed, or overtaken by a synchronous preparation: this one is not needed.
          file.close();
          await Deno.remove(
            `${this.#directory}/${segmentName(this.#name, index)}`,
          )
            .catch(() => {});
        } else {
          this.#next = file;
        }
      }, () => {
        // A failed preparation is retried synchronously when the segment is needed.
      })
      .finally(() => {
        this.#preparing = undefined;
        if (this.#next === undefined) this.#prepareNext();
      });
  }

  #currentPath(): string {
    return `${this.#directory}/${segmentName(this.#name, this.#index)}`;
  }

  #nextPath(): string {
    return `${this.#directory}/${segmentName(this.#name, this.#index + 1)}`;
  }
}

/** Creates a segment file full of zeros, flushed, positioned at its start. */
async function prepareSegment(
  directory: string,
  name: string,
  index: number,
  size: number,
): Promise<Deno.FsFile> {
  const file = await Deno.open(`${directory}/${segmentName(name, index)}`, {
    write: true,
    createNew: true,
  });
  try {
    await writeZeros(file, size);
    await file.sync();
    // The new file's name must survive a power cut too.
    const parent = await Deno.open(directory, { read: true });
    try {
      await parent.sync();
    } finally {
      parent.close();
    }
    await file.seek(0, Deno.SeekMode.Start);
    return file;
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * Reads a segment file into `buffer.bytes` (grown when too small), so that reading a long
 * journal does not leave one garbage buffer per segment for the collector to find.
 *
 * @returns A view of the file's bytes, valid until the next read into the buffer.
 */
function readSegment(path: string, buffer: { bytes: Uint8Array }): Uint8Array {
  const file = Deno.openSync(path, { read: true });
  try {
    const size = file.statSync().size;
    if (buffer.bytes.length < size) buffer.bytes = new Uint8Array(size);
    const bytes = buffer.bytes.subarray(0, size);
    let at = 0;
    while (at < size) {
      const read = file.readSync(bytes.subarray(at));
      if (read === null) break;
      at += read;
    }
    return bytes.subarray(0, at);
  } finally {
    file.close();
  }
}

/** Whether every byte is zero. */
function allZeros(bytes: Uint8Array): boolean {
  const words = new Uint32Array(
    bytes.buffer,
    bytes.byteOffset,
    bytes.byteLength >>> 2,
  );
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  for (let i = words.length << 2; i < bytes.length; i++) {
    if (bytes[i] !== 0) return false;
  }
  return true;
}

/**
 * The records of checked segments, read again one segment at a time per iteration (the
 * torn tail, if any, is zeros by then).
 */
function journalRecords(
  paths: readonly string[],
  count: number,
): JournalRecords {
  return {
    length: count,
    *[Symbol.iterator]() {
      const reader = new JournalReader({ keep: false });
      const buffer = { bytes: new Uint8Array(0) };
      for (const [i, path] of paths.entries()) {
        const segment: Uint8Array[] = [];
        reader.read(readSegment(path, buffer), {
          last: i === paths.length - 1,
          visit: (record) => segment.push(record),
        });
        yield* segment;
      }
    },
  };
}

async function writeZeros(file: Deno.FsFile, size: number): Promise<void> {
  for (let left = size; left > 0; left -= ZEROS.length) {
    await writeAll(file, ZEROS.subarray(0, Math.min(left, ZEROS.length)));
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await file.write(bytes.subarray(at));
}
