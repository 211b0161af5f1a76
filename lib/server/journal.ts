/**
 * The journal on disk: one file per trading day (session) in the data directory, appended
 * with one write per batch and flushed according to the `--fsync` mode.
 *
 * @module
 */
import { type JournalRecord, readJournal } from "./journal_format.ts";

/** How hard each batch is flushed: `batch` calls fdatasync, `none` leaves it to the OS. */
export type FsyncMode = "batch" | "none";

/** The fsync modes, default first. */
export const FSYNC_MODES: readonly ["batch", "none"] = ["batch", "none"];

/** The file name suffix of journals. */
export const JOURNAL_SUFFIX = ".journal";

/** What {@linkcode openJournal} found or made. */
export interface OpenedJournal {
  /** The open journal, ready to append. */
  journal: JournalFile;
  /** The session id: the date `YYYYMMDD` and a two-digit number of the day's sessions. */
  session: string;
  /** The records of a journal being continued, or `undefined` for a new day. */
  records: JournalRecord[] | undefined;
  /** A description of the torn last record that was cut off, if any. */
  tornTail: string | undefined;
}

/**
 * Opens today's journal in `directory`: the latest one of `date` unless `fresh`, or a new one
 * with the next session number. A torn last record is cut off the file.
 *
 * @param directory The data directory; created when missing.
 * @param date The trading day as `YYYYMMDD`.
 * @param options `fresh` starts a new session even when the day has a journal; `fsync` sets
 * the flush mode.
 * @returns The journal, its session id and, when continuing, its records.
 * @throws {JournalError} When the latest journal is corrupt before its last record.
 * @throws {RangeError} When the day already has 99 sessions.
 */
export async function openJournal(
  directory: string,
  date: string,
  options: { fresh: boolean; fsync: FsyncMode },
): Promise<OpenedJournal> {
  await Deno.mkdir(directory, { recursive: true });
  let latest = 0;
  for await (const entry of Deno.readDir(directory)) {
    const match = entry.name.match(/^(\d{8})(\d{2})\.journal$/);
    if (entry.isFile && match?.[1] === date) {
      latest = Math.max(latest, Number(match[2]));
    }
  }
  if (latest > 0 && !options.fresh) {
    const session = `${date}${String(latest).padStart(2, "0")}`;
    const path = `${directory}/${session}${JOURNAL_SUFFIX}`;
    const bytes = await Deno.readFile(path);
    const { records, validLength, tornTail } = readJournal(bytes);
    if (validLength < bytes.length) await Deno.truncate(path, validLength);
    const file = await Deno.open(path, { write: true, append: true });
    return {
      journal: new JournalFile(path, file, options.fsync),
      session,
      records,
      tornTail,
    };
  }
  if (latest >= 99) {
    throw new RangeError(
      `Cannot start a new session on ${date}: it already has 99`,
    );
  }
  const session = `${date}${String(latest + 1).padStart(2, "0")}`;
  const path = `${directory}/${session}${JOURNAL_SUFFIX}`;
  const file = await Deno.open(path, { write: true, createNew: true });
  return {
    journal: new JournalFile(path, file, options.fsync),
    session,
    records: undefined,
    tornTail: undefined,
  };
}

/**
 * An open journal file. {@linkcode JournalFile.append} writes synchronously, so the bytes are
 * in the file (and on disk with `fsync` `batch`) before anything is sent to clients.
 */
export class JournalFile {
  /** The file's path. */
  readonly path: string;
  readonly #file: Deno.FsFile;
  readonly #fsync: FsyncMode;
  #bytes = 0;
  #closed = false;

  /**
   * Wraps an open file.
   *
   * @param path The file's path, for messages.
   * @param file The file, opened for appending.
   * @param fsync The flush mode.
   */
  constructor(path: string, file: Deno.FsFile, fsync: FsyncMode) {
    this.path = path;
    this.#file = file;
    this.#fsync = fsync;
  }

  /** Bytes appended since the file was opened. */
  get bytesWritten(): number {
    return this.#bytes;
  }

  /**
   * Appends one batch of records and flushes it.
   *
   * @param bytes The records.
   */
  append(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) at += this.#file.writeSync(bytes.subarray(at));
    if (this.#fsync === "batch") this.#file.syncDataSync();
    this.#bytes += bytes.length;
  }

  /** Closes the file. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }
}
