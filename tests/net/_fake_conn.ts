/**
 * Test helper: a `Deno.Conn`-like object that tests feed by hand, for the socket driver.
 *
 * @module
 */
import type { ByteConn } from "../../lib/net/soupbintcp_socket.ts";

interface PendingWrite {
  bytes: Uint8Array;
  resolve: (count: number) => void;
  reject: (error: Error) => void;
}

/**
 * Reads give what {@linkcode FakeConn.feed} queued (split to the reader's buffer size), the
 * end of the stream after {@linkcode FakeConn.end}, or an error. Writes are recorded, at
 * most `writeLimit` bytes per call, and stay pending while `holdWrites` is set.
 */
export class FakeConn implements ByteConn {
  /** A copy of the bytes each write call took, in order. */
  readonly writes: Uint8Array[] = [];
  /** How many times `close()` was called. */
  closeCount = 0;
  /** The most bytes one write call takes. */
  writeLimit = Infinity;
  /** While set, write calls stay pending until {@linkcode FakeConn.releaseWrites}. */
  holdWrites = false;
  /** The buffers reads were made into, in order. */
  readonly readBuffers: Uint8Array[] = [];
  #reads: (Uint8Array | null | Error)[] = [];
  #pendingRead:
    | {
      buffer: Uint8Array;
      resolve: (count: number | null) => void;
      reject: (error: Error) => void;
    }
    | undefined;
  #pendingWrites: PendingWrite[] = [];
  #writeError: Error | undefined;
  #closed = false;

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Every byte written, in order. */
  get written(): Uint8Array {
    const total = this.writes.reduce((sum, bytes) => sum + bytes.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const bytes of this.writes) {
      all.set(bytes, at);
      at += bytes.length;
    }
    return all;
  }

  /** Write calls waiting while `holdWrites` is set. */
  get pendingWrites(): number {
    return this.#pendingWrites.length;
  }

  /** Queues bytes for the reader. */
  feed(bytes: Uint8Array | number[]): void {
    this.#push(Uint8Array.from(bytes));
  }

  /** Ends the stream: the next read after what is queued gives `null`. */
  end(): void {
    this.#push(null);
  }

  /** Makes the next read (after what is queued) fail. */
  failRead(error: Error): void {
    this.#push(error);
  }

  /** Makes every later write fail, and the pending ones. */
  failWrites(error: Error): void {
    this.#writeError = error;
    for (const pending of this.#pendingWrites.splice(0)) pending.reject(error);
  }

  /** Lets the pending writes go through. */
  releaseWrites(): void {
    this.holdWrites = false;
    for (const pending of this.#pendingWrites.splice(0)) {
      pending.resolve(this.#take(pending.bytes));
    }
  }

  read(buffer: Uint8Array): Promise<number | null> {
    if (this.#closed) return Promise.reject(new Error("closed"));
    this.readBuffers.push(buffer);
    return new Promise((resolve, reject) => {
      this.#pendingRead = { buffer, resolve, reject };
      this.#serve();
    });
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Error("closed"));
    if (this.#writeError !== undefined) return Promise.reject(this.#writeError);
    if (this.holdWrites) {
      return new Promise((resolve, reject) => {
        this.#pendingWrites.push({ bytes: bytes.slice(), resolve, reject });
      });
    }
    return Promise.resolve(this.#take(bytes));
  }

  close(): void {
    this.closeCount++;
    if (this.#closed) throw new Error("closed twice");
    this.#closed = true;
    const error = new Error("the connection was closed");
    this.#pendingRead?.reject(error);
    this.#pendingRead = undefined;
    for (const pending of this.#pendingWrites.splice(0)) pending.reject(error);
  }

  #take(bytes: Uint8Array): number {
    const count = Math.min(bytes.length, this.writeLimit);
    this.writes.push(bytes.slice(0, count));
    return count;
  }

  #push(item: Uint8Array | null | Error): void {
    this.#reads.push(item);
    this.#serve();
  }

  #serve(): void {
    const pending = this.#pendingRead;
    if (pending === undefined || this.#reads.length === 0) return;
    this.#pendingRead = undefined;
    const next = this.#reads[0]!;
    if (next === null) {
      pending.resolve(null);
      return;
    }
    if (next instanceof Error) {
      this.#reads.shift();
      pending.reject(next);
      return;
    }
    const count = Math.min(next.length, pending.buffer.length);
    pending.buffer.set(next.subarray(0, count));
    if (count === next.length) this.#reads.shift();
    else this.#reads[0] = next.subarray(count);
    pending.resolve(count);
  }
}

/** Lets every pending microtask and I/O callback run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
