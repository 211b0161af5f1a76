/**
 * The journal directory's lock: one server at a time writes a journal directory (issue #12
 * item 3). Two servers on one directory would each append to the same day and lose
 * acknowledged messages; the second is refused with the directory and the holder named.
 *
 * The lock is an exclusive OS file lock (`flock`) on `LOCK` in the directory, held for the
 * server's life: the OS releases it when the process ends, however it ends (`kill -9`
 * included), so a stale file never blocks a restart. The file holds who took it (PID, host,
 * start time) for the refusal's message.
 *
 * @module
 */

/** The lock file's name in the journal directory. */
export const LOCK_FILE = "LOCK";

/** The journal directory is locked by another process. */
export class JournalLockedError extends Error {
  /** The directory. */
  readonly directory: string;

  /**
   * @param directory The directory.
   * @param holder Who holds it, as the lock file says.
   */
  constructor(directory: string, holder: string) {
    super(
      `Cannot use the journal directory "${directory}": another ouch server is using it (${holder}). Stop that server, or give this one another --journal DIR (or --no-journal)`,
    );
    this.name = "JournalLockedError";
    this.directory = directory;
  }
}

/** A held lock on a journal directory. */
export class JournalLock {
  readonly #file: Deno.FsFile;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Takes the lock of `directory` (creating the directory), without waiting.
   *
   * @param directory The journal directory.
   * @param now Milliseconds since the epoch, written as the start time. @default {Date.now()}
   * @returns The lock, held until {@linkcode JournalLock.release} or the process ends.
   * @throws {JournalLockedError} When another process holds it.
   */
  static async acquire(
    directory: string,
    now: number = Date.now(),
  ): Promise<JournalLock> {
    await Deno.mkdir(directory, { recursive: true });
    const path = `${directory}/${LOCK_FILE}`;
    const file = await Deno.open(path, {
      read: true,
      write: true,
      create: true,
    });
    let locked: boolean;
    try {
      locked = await file.tryLock(true);
    } catch (error) {
      file.close();
      throw error;
    }
    if (!locked) {
      const holder = await Deno.readTextFile(path).catch(() => "");
      file.close();
      throw new JournalLockedError(directory, describeHolder(holder));
    }
    const text = JSON.stringify({
      pid: Deno.pid,
      host: hostname(),
      started: new Date(now).toISOString(),
    }) + "\n";
    await file.truncate(0);
    await file.write(new TextEncoder().encode(text));
    return new JournalLock(file);
  }

  /** Releases the lock (the file stays, empty of meaning once unlocked). */
  release(): void {
    try {
      this.#file.unlockSync();
    } finally {
      this.#file.close();
    }
  }
}

/** The holder as the lock file describes it, for a message. */
function describeHolder(text: string): string {
  try {
    const holder = JSON.parse(text) as {
      pid?: unknown;
      host?: unknown;
      started?: unknown;
    };
    return `PID ${holder.pid} on ${holder.host}, started ${holder.started}`;
  } catch {
    return "its lock file does not say who";
  }
}

/** This machine's name for the lock file, or "unknown" without the `sys` permission. */
function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}
