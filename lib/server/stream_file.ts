/**
 * The account streams' older messages on disk: one scratch file in the journal directory
 * that their full chunks are appended to and read back from (see
 * `lib/exchange/spilled_stream.ts`). It holds nothing the journal does not: it is emptied
 * when the server starts and removed when it stops; a restart rebuilds it from the journal.
 *
 * @module
 */
import type { ChunkStore } from "../exchange/mod.ts";

/** The scratch file's name in the journal directory. */
export const STREAM_FILE_NAME = "account-streams.tmp";

/**
 * A {@linkcode ChunkStore} on a file: `write` appends, `read` reads at the chunk's offset.
 * Both are synchronous (the streams are read while a session pumps).
 *
 * @example Chunks come back
 * ```ts
 * import { StreamFile } from "./stream_file.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const file = StreamFile.open(dir);
 * const a = file.write(new Uint8Array([1, 2, 3]));
 * const b = file.write(new Uint8Array([4, 5]));
 * const into = new Uint8Array(2);
 * file.read(b, into);
 * assert.deepEqual(into, new Uint8Array([4, 5]));
 * assert.equal(a, 0);
 * file.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class StreamFile implements ChunkStore {
  readonly #file: Deno.FsFile;
  readonly #path: string;
  #end = 0;
  #closed = false;

  private constructor(file: Deno.FsFile, path: string) {
    this.#file = file;
    this.#path = path;
  }

  /**
   * Creates (or empties) the scratch file in `directory`.
   *
   * @param directory The journal directory.
   * @returns The store.
   */
  static open(directory: string): StreamFile {
    const path = `${directory}/${STREAM_FILE_NAME}`;
    const file = Deno.openSync(path, {
      read: true,
      write: true,
      create: true,
      truncate: true,
    });
    return new StreamFile(file, path);
  }

  /** Bytes stored so far. */
  get size(): number {
    return this.#end;
  }

  write(chunk: Uint8Array): number {
    const at = this.#end;
    this.#file.seekSync(at, Deno.SeekMode.Start);
    let written = 0;
    while (written < chunk.length) {
      written += this.#file.writeSync(chunk.subarray(written));
    }
    this.#end = at + chunk.length;
    return at;
  }

  read(handle: number, into: Uint8Array): void {
    this.#file.seekSync(handle, Deno.SeekMode.Start);
    let read = 0;
    while (read < into.length) {
      const count = this.#file.readSync(into.subarray(read));
      if (count === null) {
        throw new RangeError(
          `Cannot read ${into.length} bytes at ${handle} of "${this.#path}": it ends at ${
            handle + read
          }`,
        );
      }
      read += count;
    }
  }

  /** Closes and removes the file. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
    try {
      Deno.removeSync(this.#path);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
}
