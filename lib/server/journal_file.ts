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
import { JournalError, JournalReader } from "../exchange/journal_reader.ts";

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
/** How many of a sealed segment's last bytes its chain entry holds. */
const TAIL = 16;
const CHAIN_LINE =
  /^segment (\d+) sealed at (\d+) bytes, tail ([0-9a-f]*), next (\d+)$/;

/**
 * The name of a journal's segment chain file: one line per sealed segment, written (and
 * flushed) when the journal moves to the next segment, after that segment exists, such as
 * `segment 1 sealed at 16777190 bytes, tail 0a1b…, next 2`. {@linkcode openJournal} follows
 * it from segment 1 and refuses a journal whose chain is broken: a missing segment, or a
 * sealed segment that no longer holds the bytes it was sealed with.
 *
 * @param journal The journal's name (see {@linkcode journalName}).
 * @returns The file name, such as `20261128-1795833600.chain`.
 *
 * @example Usage
 * ```ts
 * import { chainName } from "./journal_file.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(chainName("20261128-1795833600"), "20261128-1795833600.chain");
 * ```
 */
export function chainName(journal: string): string {
  return `${journal}.chain`;
}

interface ChainEntry {
  segment: number;
  length: number;
  tail: string;
  next: number;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readChain(
  directory: string,
  name: string,
): Promise<ChainEntry[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${directory}/${chainName(name)}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const lines = text.split("\n");
  // A line cut short by a crash while it was written is the last one: the switch it
  // describes did not happen.
  lines.pop();
  return lines.map((line, i) => {
    const match = line.match(CHAIN_LINE);
    if (match === null) {
      throw new JournalError(
        `Cannot continue journal ${name}: line ${i + 1} of ${
          chainName(name)
        } is not a segment chain entry: ${JSON.stringify(line.slice(0, 80))}`,
        0,
      );
    }
    return {
      segment: Number(match[1]),
      length: Number(match[2]),
      tail: match[3]!,
      next: Number(match[4]),
    };
  });
}

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
  /**
   * For tests: called before the journal creates a segment file (`create`) and before each
   * write of a new segment's zeros (`write`); what it throws fails that file operation, as a
   * full or read-only disk would.
   */
  fault?: JournalFault;
}

/** See {@linkcode JournalOptions.fault}. */
export type JournalFault = (
  operation: "create" | "write",
  path: string,
) => void;

/** The first wait before writing again after the journal could not be written. */
export const RETRY_FIRST_MS = 100;
/** The longest wait between attempts to write the journal again. */
export const RETRY_MAX_MS = 5_000;

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
  const file = await prepareSegment(
    directory,
    name,
    1,
    segmentSize,
    options.fault,
  );
  return {
    journal: new JournalFile(
      directory,
      name,
      1,
      file,
      0,
      options.fsync,
      segmentSize,
      options.fault,
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
  const chain = await readChain(directory, name);
  const present = new Set(indexes);
  // The chain from segment 1: each sealed segment names the one it continued in.
  const chained = [1];
  for (const entry of chain) {
    if (entry.segment !== chained.at(-1)) {
      throw new JournalError(
        `Cannot continue journal ${name}: ${
          chainName(name)
        } seals segment ${entry.segment} where segment ${
          chained.at(-1)
        } was expected`,
        0,
      );
    }
    chained.push(entry.next);
  }
  for (const [i, index] of chained.entries()) {
    if (!present.has(index)) {
      throw new JournalError(
        `Cannot continue journal ${name}: segment ${
          segmentName(name, index)
        } is missing` +
          (i === 0
            ? ""
            : ` (segment ${chained[i - 1]} was sealed at ${
              chain[i - 1]!.length
            } bytes and continued in it)`),
        0,
      );
    }
  }
  // Segments off the chain: prepared ahead (or overtaken) and never written to, all
  // zeros; anything else means records the chain does not know of.
  const final = chained.at(-1)!;
  for (const index of indexes.filter((i) => !chained.includes(i))) {
    const file = `${directory}/${segmentName(name, index)}`;
    if (!allZeros(await Deno.readFile(file))) {
      throw new JournalError(
        `Cannot continue journal ${name}: segment ${
          segmentName(name, index)
        } holds records but is not in the segment chain after segment ${final}` +
          (index < final ? "" : ` (segment ${final} was not sealed)`),
        0,
      );
    }
    await Deno.remove(file);
  }
  const pathOf = (index: number) => `${directory}/${segmentName(name, index)}`;
  const bytes = await Deno.readFile(pathOf(final));
  // Read to check every segment, keeping none but the last in memory (the others are read
  // into one reused buffer).
  const reader = new JournalReader({ keep: false });
  const buffer = { bytes: new Uint8Array(0) };
  let last = { validLength: 0, tornTail: undefined as string | undefined };
  const index = final;
  const empty = chained.length === 1 && allZeros(bytes);
  // A journal created but never written to (a crash at once): its day starts again.
  if (!empty) {
    for (const [i, segment] of chained.entries()) {
      const sealed = chain[i];
      const contents = sealed === undefined
        ? bytes
        : readSegment(pathOf(segment), buffer);
      try {
        last = reader.read(contents, { last: sealed === undefined });
      } catch (error) {
        if (!(error instanceof JournalError)) throw error;
        throw new JournalError(
          `${error.message} (segment ${segmentName(name, segment)})`,
          error.offset,
        );
      }
      if (sealed === undefined) continue;
      const tail = hex(
        contents.subarray(
          Math.max(0, last.validLength - TAIL),
          last.validLength,
        ),
      );
      if (last.validLength !== sealed.length || tail !== sealed.tail) {
        throw new JournalError(
          `Cannot continue journal ${name}: segment ${
            segmentName(name, segment)
          } holds ${last.validLength} bytes of records but was sealed at ${sealed.length}` +
            (last.validLength === sealed.length
              ? " with other last bytes"
              : last.validLength < sealed.length
              ? ": it is truncated"
              : ""),
          last.validLength,
        );
      }
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
      options.fault,
    ),
    session,
    records: empty
      ? undefined
      : journalRecords(chained.map(pathOf), reader.count),
    day: reader.day,
    tornTail: last.tornTail,
  };
}

/**
 * An open journal. {@linkcode JournalFile.append} writes synchronously, so the bytes are in
 * the file (and on disk with `fsync` `batch`) when it returns: the batch is durable for the
 * exchange core (against a crash of the server; against a power cut as the mode says)
 * before anything is sent to clients.
 *
 * When the journal cannot be written (a full or read-only disk: the next segment cannot be
 * created, a write or flush fails), the batch and every later one wait in memory, in order,
 * and `append` returns a promise that settles once the batch is written: nothing of them is
 * delivered (acknowledged) before. The journal tries again after {@linkcode RETRY_FIRST_MS},
 * doubling up to {@linkcode RETRY_MAX_MS}, and goes on by itself once it can write; a file
 * it could not finish preparing is removed, and segment numbers stay consecutive.
 * {@linkcode JournalFile.problem} says what failed and where, and
 * {@linkcode JournalFile.onProblem} is told when that changes.
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
  /** The current segment's last {@linkcode TAIL} bytes, for its chain entry when sealed. */
  #tail: Uint8Array = new Uint8Array(0);
  #closed = false;
  /** `interval` mode: written since the last flush; segments waiting for their last flush. */
  #unflushed = false;
  #retired: Deno.FsFile[] = [];
  #flushing: Promise<void> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #fault: JournalFault | undefined;
  /** Batches waiting for the journal to be writable again, in order. */
  #queue: { bytes: Uint8Array; resolve: () => void }[] = [];
  #retry: ReturnType<typeof setTimeout> | undefined;
  #retryMs = RETRY_FIRST_MS;
  /** The file's offset may be past `#position` after a failed write. */
  #rewind = false;
  #writeProblem: string | undefined;
  #prepareProblem: string | undefined;
  #prepareRetry: ReturnType<typeof setTimeout> | undefined;
  #prepareRetryMs = RETRY_FIRST_MS;
  #chainLength: number | undefined;
  /** Called with {@linkcode JournalFile.problem} whenever it changes. */
  onProblem: ((problem: string | undefined) => void) | undefined;

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
   * @param fault See {@linkcode JournalOptions.fault}.
   */
  constructor(
    directory: string,
    name: string,
    index: number,
    file: Deno.FsFile,
    position: number,
    fsync: FsyncMode,
    segmentSize: number,
    fault?: JournalFault,
  ) {
    this.#fault = fault;
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

  /**
   * What is wrong with writing the journal, or `undefined` when nothing is: the batches
   * waiting, the failed operation, the file and the error, such as `cannot write the
   * journal (3 batches waiting): cannot create segment ouch-data/…0002.journal: No space
   * left on device (os error 28)`. Preparing the next segment ahead failing is a problem
   * too (the journal writes on until the current segment is full).
   */
  get problem(): string | undefined {
    if (this.#writeProblem !== undefined) {
      return `cannot write the journal (${this.#queue.length} ${
        this.#queue.length === 1 ? "batch" : "batches"
      } waiting): ${this.#writeProblem}`;
    }
    if (this.#prepareProblem !== undefined) {
      return `cannot prepare the next journal segment: ${this.#prepareProblem}`;
    }
    return undefined;
  }

  /**
   * Whether batches are waiting because the journal cannot be written (not merely for the
   * next segment to be ready): the server stops reading its clients meanwhile.
   */
  get blocked(): boolean {
    return this.#writeProblem !== undefined;
  }

  /** Bytes appended since the journal was opened. */
  get bytesWritten(): number {
    return this.#bytes;
  }

  /**
   * Appends one batch of records and flushes it as the mode says.
   *
   * @param bytes The records.
   * @returns `undefined` when the batch is written; a promise that settles once it is when
   *   the journal cannot be written now (the batch waits, see {@linkcode JournalFile}).
   * @throws {TypeError} When the journal is closed.
   */
  append(bytes: Uint8Array): Promise<void> | undefined {
    if (this.#closed) throw new TypeError("Cannot append to a closed journal");
    if (this.#queue.length === 0) {
      try {
        this.#write(bytes);
        return undefined;
      } catch (error) {
        this.#failed(error);
      }
    }
    const copy = bytes.slice();
    return new Promise((resolve) => this.#queue.push({ bytes: copy, resolve }));
  }

  #write(bytes: Uint8Array): void {
    if (this.#position + bytes.length > this.#capacity) {
      this.#switchSegment(bytes.length);
    }
    if (this.#rewind) {
      this.#file.seekSync(this.#position, Deno.SeekMode.Start);
      this.#rewind = false;
    }
    try {
      let at = 0;
      while (at < bytes.length) at += this.#file.writeSync(bytes.subarray(at));
      if (this.#fsync === "batch") this.#file.syncDataSync();
    } catch (error) {
      this.#rewind = true;
      throw new Error(
        `cannot write segment ${this.#currentPath()}: ${message(error)}`,
      );
    }
    if (this.#fsync !== "batch") this.#unflushed = true;
    this.#position += bytes.length;
    this.#bytes += bytes.length;
    this.#tail = bytes.length >= TAIL
      ? bytes.slice(bytes.length - TAIL)
      : concatTail(this.#tail, bytes);
  }

  #failed(error: unknown): void {
    if (error instanceof Busy) {
      // Not a failure: the next segment will be ready in a moment.
      this.#retry = setTimeout(() => this.#retryWrites(), 1);
      return;
    }
    const first = this.#writeProblem === undefined;
    this.#writeProblem = message(error);
    if (first) this.#retryMs = RETRY_FIRST_MS;
    this.#notify();
    this.#retry = setTimeout(() => this.#retryWrites(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
  }

  #retryWrites(): void {
    this.#retry = undefined;
    if (this.#closed) return;
    while (this.#queue.length > 0) {
      try {
        this.#write(this.#queue[0]!.bytes);
      } catch (error) {
        this.#failed(error);
        return;
      }
      this.#queue.shift()!.resolve();
    }
    this.#writeProblem = undefined;
    this.#notify();
  }

  #notify(): void {
    this.onProblem?.(this.problem);
  }

  /**
   * Closes the journal, removing a prepared segment that was never used. Batches still
   * waiting are written if the journal can be written now; otherwise they are dropped (none
   * of them was delivered).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#queue.length > 0) {
      // One last attempt at the batches waiting (for the segment being prepared, say).
      await this.#preparing;
      clearTimeout(this.#retry);
      this.#retryWrites();
    }
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#retry);
    clearTimeout(this.#prepareRetry);
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

  /**
   * Moves to the next segment, or throws leaving everything as it was (the batch is then
   * retried): the next segment is created (or was prepared ahead) and the chain entry
   * sealing this one is written before anything goes into the next.
   */
  #switchSegment(needed: number): void {
    const index = this.#index + 1;
    let next = this.#next;
    if (next === undefined || needed > this.#segmentSize) {
      if (this.#preparing !== undefined) {
        // The preparation ahead is under way with this number: wait for it, no gap.
        throw new Busy();
      }
      if (next !== undefined) {
        // Prepared, but too small for this batch: replace it.
        next.close();
        this.#next = undefined;
        Deno.removeSync(this.#nextPath());
      }
      next = createSegmentSync(
        this.#nextPath(),
        this.#directory,
        Math.max(this.#segmentSize, needed),
        this.#fsync !== "none",
        this.#fault,
      );
      this.#next = next;
    }
    this.#seal(this.#index, this.#position, index);
    this.#next = undefined;
    if (this.#fsync === "interval") {
      this.#retired.push(this.#file); // closed after its last background flush
    } else {
      this.#file.close();
    }
    this.#index = index;
    this.#capacity = Math.max(this.#segmentSize, needed);
    this.#file = next;
    this.#position = 0;
    this.#rewind = false;
    this.#tail = new Uint8Array(0);
    this.#prepareNext();
  }

  /** Appends the chain entry sealing segment `index` (see {@linkcode chainName}). */
  #seal(index: number, length: number, next: number): void {
    const path = `${this.#directory}/${chainName(this.#name)}`;
    try {
      const chain = Deno.openSync(path, { write: true, create: true });
      try {
        // After a failed attempt, cut what it may have left.
        this.#chainLength ??= chain.statSync().size;
        chain.truncateSync(this.#chainLength);
        chain.seekSync(this.#chainLength, Deno.SeekMode.Start);
        const line = new TextEncoder().encode(
          `segment ${index} sealed at ${length} bytes, tail ${
            hex(this.#tail)
          }, next ${next}\n`,
        );
        let at = 0;
        while (at < line.length) at += chain.writeSync(line.subarray(at));
        if (this.#fsync !== "none") chain.syncDataSync();
        this.#chainLength += line.length;
      } finally {
        chain.close();
      }
    } catch (error) {
      throw new Error(`cannot write ${path}: ${message(error)}`);
    }
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
      this.#fault,
    )
      .then(async (file) => {
        this.#preparing = undefined;
        if (this.#prepareProblem !== undefined) {
          this.#prepareProblem = undefined;
          this.#notify();
        }
        this.#prepareRetryMs = RETRY_FIRST_MS;
        if (this.#closed || this.#index >= index) {
          // Closed, or overtaken: this one is not needed.
          file.close();
          await Deno.remove(
            `${this.#directory}/${segmentName(this.#name, index)}`,
          )
            .catch(() => {});
        } else {
          this.#next = file;
        }
      }, (error) => {
        // Tried again after a back-off (and when the segment is needed, synchronously).
        this.#preparing = undefined;
        if (this.#closed) return;
        this.#prepareProblem = message(error);
        this.#notify();
        this.#prepareRetry = setTimeout(() => {
          this.#prepareRetry = undefined;
          if (this.#next === undefined) this.#prepareNext();
        }, this.#prepareRetryMs);
        this.#prepareRetryMs = Math.min(this.#prepareRetryMs * 2, RETRY_MAX_MS);
      });
  }

  #currentPath(): string {
    return `${this.#directory}/${segmentName(this.#name, this.#index)}`;
  }

  #nextPath(): string {
    return `${this.#directory}/${segmentName(this.#name, this.#index + 1)}`;
  }
}

/**
 * Creates a segment file full of zeros, flushed, positioned at its start; on failure removes
 * what it created and throws an error naming the operation and the file.
 */
async function prepareSegment(
  directory: string,
  name: string,
  index: number,
  size: number,
  fault?: JournalFault,
): Promise<Deno.FsFile> {
  const path = `${directory}/${segmentName(name, index)}`;
  let file: Deno.FsFile;
  try {
    fault?.("create", path);
    file = await Deno.open(path, { write: true, createNew: true });
  } catch (error) {
    throw new Error(`cannot create segment ${path}: ${message(error)}`);
  }
  try {
    for (let left = size; left > 0; left -= ZEROS.length) {
      fault?.("write", path);
      await writeAll(file, ZEROS.subarray(0, Math.min(left, ZEROS.length)));
    }
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
    await Deno.remove(path).catch(() => {});
    throw new Error(`cannot fill segment ${path}: ${message(error)}`);
  }
}

/** {@linkcode prepareSegment} without waiting, for a segment needed now. */
function createSegmentSync(
  path: string,
  directory: string,
  size: number,
  syncDirectory: boolean,
  fault?: JournalFault,
): Deno.FsFile {
  let file: Deno.FsFile;
  try {
    fault?.("create", path);
    file = Deno.openSync(path, { write: true, createNew: true });
  } catch (error) {
    throw new Error(`cannot create segment ${path}: ${message(error)}`);
  }
  try {
    for (let left = size; left > 0; left -= ZEROS.length) {
      fault?.("write", path);
      let at = 0;
      const chunk = ZEROS.subarray(0, Math.min(left, ZEROS.length));
      while (at < chunk.length) at += file.writeSync(chunk.subarray(at));
    }
    file.syncSync();
    if (syncDirectory) {
      // The new file's name must survive a power cut too.
      const parent = Deno.openSync(directory, { read: true });
      try {
        parent.syncSync();
      } finally {
        parent.close();
      }
    }
    file.seekSync(0, Deno.SeekMode.Start);
    return file;
  } catch (error) {
    file.close();
    try {
      Deno.removeSync(path);
    } catch {
      // Nothing more can be done about it here: an all-zero segment is dropped on reopening.
    }
    throw new Error(`cannot fill segment ${path}: ${message(error)}`);
  }
}

/** The next segment is still being prepared ahead. */
class Busy extends Error {}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function concatTail(tail: Uint8Array, bytes: Uint8Array): Uint8Array {
  const joined = new Uint8Array(tail.length + bytes.length);
  joined.set(tail);
  joined.set(bytes, tail.length);
  return joined.slice(Math.max(0, joined.length - TAIL));
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
