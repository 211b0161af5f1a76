/**
 * The one SoupBinTCP socket driver: it owns a connection's read loop, its ordered and
 * coalesced writes, back-pressure and close, for the server's connections, the client and
 * the load generator alike.
 *
 * @module
 */

import { WriteBuffer } from "../session/write_buffer.ts";

/**
 * The part of a `Deno.Conn` the driver uses: a `Deno.TcpConn`, or a fake in tests.
 * `setNoDelay` is called when present.
 */
export interface ByteConn {
  /** Reads into `buffer`; resolves with the count, or `null` at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `bytes`; resolves with how many were written. */
  write(bytes: Uint8Array): Promise<number>;
  /** Closes the connection; pending reads and writes then fail. */
  close(): void;
  /** Turns Nagle's algorithm off (TCP only). */
  setNoDelay?(noDelay?: boolean): void;
}

/**
 * Why a {@linkcode SoupBinTcpSocket} closed: the first cause wins.
 *
 * - `eof`: the peer closed its side; what was waiting was still written.
 * - `error`: a read or a write failed (a reset, a broken pipe).
 * - `local`: the owner closed it, with {@linkcode SoupBinTcpSocket.close} (at once) or
 *   {@linkcode SoupBinTcpSocket.end} (after writing what was waiting); `detail` is the
 *   owner's own words.
 * - `protocol`: the owner's `receive` threw (malformed input); what was waiting was still
 *   written.
 */
export type SocketCloseReason =
  | { readonly type: "eof" }
  | {
    readonly type: "error";
    readonly during: "read" | "write";
    readonly error: unknown;
  }
  | { readonly type: "local"; readonly detail: string }
  | { readonly type: "protocol"; readonly error: unknown };

/** The owner of a {@linkcode SoupBinTcpSocket}: where the bytes read go, and more. */
export interface SoupBinTcpSocketHandler {
  /**
   * Takes bytes read, usually by passing them to a `ServerSession` or `ClientSession`.
   * `chunk` is a view of the driver's reused read buffer, valid only during the call.
   * Throwing is a protocol error: the driver stops reading, writes what is waiting and
   * closes.
   */
  receive(chunk: Uint8Array, nowMs: number): void;
  /**
   * Called before each write takes the output: a pulling producer (the server's session
   * copying from its message log) adds what it has, up to `maxBytes` of output in all; a
   * pushing one may note the time its bytes go out.
   */
  beforeWrite?(maxBytes: number): void;
  /**
   * Called when the output had reached the high-water mark and a write has brought it
   * below again: a producer that stopped at {@linkcode SoupBinTcpSocket.writable} may go on.
   */
  drain?(): void;
  /**
   * Called once, when the connection is closed and no read or write is pending any more;
   * {@linkcode SoupBinTcpSocket.closed} resolves right after. It must not throw.
   */
  closed?(reason: SocketCloseReason): void;
}

/** Sizes, clock and write scheduling of a {@linkcode SoupBinTcpSocket}. */
export interface SoupBinTcpSocketOptions {
  /** Where the session encodes its packets. @default {new WriteBuffer()} */
  output?: WriteBuffer;
  /** The size of the read buffer, reused for every read. @default {65536} */
  readBufferSize?: number;
  /**
   * Output bytes (waiting plus the write in flight) above which
   * {@linkcode SoupBinTcpSocket.writable} is `false`; also the `maxBytes` given to
   * `beforeWrite`.
   *
   * @default {262144}
   */
  highWaterBytes?: number;
  /** Milliseconds for `receive` and for timing writes. @default {() => performance.now()} */
  clock?: () => number;
  /**
   * Runs `flush` later for {@linkcode SoupBinTcpSocket.requestFlush}; the default runs it
   * in a microtask, so that everything written in one turn of the event loop goes out in
   * one write. The server passes its own, so that every connection writes after the
   * journal.
   *
   * @default {queueMicrotask}
   */
  schedule?: (flush: () => void) => void;
}

const OPEN = 0;
const CLOSING = 1;
const CLOSED = 2;

/**
 * Drives one SoupBinTCP connection for a sans-I/O session.
 *
 * Reads go into one reused buffer and are handed to `handler.receive` as they arrive. The
 * session encodes its packets into {@linkcode SoupBinTcpSocket.output}; the owner then calls
 * {@linkcode SoupBinTcpSocket.requestFlush}, and everything written until the flush runs
 * goes out in one write. There is one write in flight at a time, and what is written
 * meanwhile waits in the output and goes out in the next one, in order. A producer checks
 * {@linkcode SoupBinTcpSocket.writable} against the high-water mark and resumes on
 * `handler.drain`; a pulling one fills the output in `handler.beforeWrite`.
 *
 * {@linkcode SoupBinTcpSocket.end} stops reading and closes once what is waiting has been
 * written, as does the end of the peer's stream or a protocol error;
 * {@linkcode SoupBinTcpSocket.close} closes at once. Either is idempotent, and the first
 * cause is the one reported, to `handler.closed` and by {@linkcode SoupBinTcpSocket.closed},
 * once no read or write is pending any more.
 *
 * For a reconnect, to the same host or (issue #14) to a mirror, the owner makes a new
 * driver on a new connection with a new session; what the old one had not written is
 * dropped with it.
 *
 * @example Two packets written in one turn go out in one write
 * ```ts
 * import { SoupBinTcpSocket } from "./soupbintcp_socket.ts";
 * import assert from "node:assert/strict";
 *
 * const writes: number[][] = [];
 * const conn = {
 *   read: () => Promise.resolve(null), // the peer has nothing to say
 *   write: (bytes: Uint8Array) => {
 *     writes.push([...bytes]);
 *     return Promise.resolve(bytes.length);
 *   },
 *   close: () => {},
 * };
 * const socket = new SoupBinTcpSocket(conn, { receive: () => {} });
 * socket.output.append(new Uint8Array([0, 1, 0x52])); // Client Heartbeat
 * socket.output.append(new Uint8Array([0, 1, 0x4f])); // Logout Request
 * socket.requestFlush();
 * socket.start();
 * assert.deepEqual(await socket.closed, { type: "eof" });
 * assert.deepEqual(writes, [[0, 1, 0x52, 0, 1, 0x4f]]);
 * ```
 */
export class SoupBinTcpSocket {
  readonly #conn: ByteConn;
  readonly #handler: SoupBinTcpSocketHandler;
  readonly #output: WriteBuffer;
  readonly #readBufferSize: number;
  readonly #highWater: number;
  readonly #clock: () => number;
  readonly #schedule: (flush: () => void) => void;
  readonly #runFlush = () => this.flush();
  readonly #closed = Promise.withResolvers<SocketCloseReason>();
  #state = OPEN;
  #reason: SocketCloseReason | undefined;
  #started = false;
  #reading = false;
  #paused: { promise: Promise<void>; resume: () => void } | undefined;
  #writing = false;
  #settled = false;
  #flushRequested = false;
  #full = false;
  #inFlight = 0;
  #writeStartedAt = -1;

  /**
   * Takes over a connection. Nothing is read until {@linkcode SoupBinTcpSocket.start}, so
   * that the owner can make its session on {@linkcode SoupBinTcpSocket.output} first.
   *
   * @param conn The connection; a `Deno.TcpConn` gets `setNoDelay(true)`.
   * @param handler Where bytes read go, and the write and close callbacks.
   * @param options Buffer sizes, clock and scheduling.
   * @throws {RangeError} If a size is not a positive integer.
   */
  constructor(
    conn: ByteConn,
    handler: SoupBinTcpSocketHandler,
    options: SoupBinTcpSocketOptions = {},
  ) {
    const readBufferSize = options.readBufferSize ?? 64 * 1024;
    const highWater = options.highWaterBytes ?? 256 * 1024;
    for (
      const [name, value] of [
        ["readBufferSize", readBufferSize],
        ["highWaterBytes", highWater],
      ] as const
    ) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(
          `Cannot drive a socket with ${name} ${value}: it must be a positive integer`,
        );
      }
    }
    this.#conn = conn;
    this.#handler = handler;
    this.#output = options.output ?? new WriteBuffer();
    this.#readBufferSize = readBufferSize;
    this.#highWater = highWater;
    this.#clock = options.clock ?? (() => performance.now());
    this.#schedule = options.schedule ?? queueMicrotask;
    try {
      conn.setNoDelay?.(true);
    } catch {
      // Not fatal: only latency suffers.
    }
  }

  /** Where the session encodes what to send. */
  get output(): WriteBuffer {
    return this.#output;
  }

  /** Output bytes not written yet: waiting, plus what is left of the write in flight. */
  get buffered(): number {
    return this.#output.length + this.#inFlight;
  }

  /**
   * Whether the output is below the high-water mark. A producer that sees `false` should
   * stop and go on at `handler.drain`.
   */
  get writable(): boolean {
    if (this.#output.length + this.#inFlight < this.#highWater) return true;
    this.#full = true;
    return false;
  }

  /** Whether the driver is still reading: neither ending nor closed. */
  get open(): boolean {
    return this.#state === OPEN;
  }

  /** Resolves once the connection is closed and nothing is pending, with the first cause. */
  get closed(): Promise<SocketCloseReason> {
    return this.#closed.promise;
  }

  /**
   * Stops reading (after the read under way, if any) until {@linkcode SoupBinTcpSocket.resume}:
   * the peer's bytes wait in the operating system's buffers. Writing goes on.
   */
  pause(): void {
    if (this.#paused !== undefined) return;
    let resume!: () => void;
    this.#paused = { promise: new Promise((r) => resume = r), resume };
  }

  /** Reads again after {@linkcode SoupBinTcpSocket.pause}. */
  resume(): void {
    const paused = this.#paused;
    this.#paused = undefined;
    paused?.resume();
  }

  /** Starts the read loop; a second call does nothing. */
  start(): void {
    if (this.#started || this.#state === CLOSED) return;
    this.#started = true;
    this.#reading = true;
    this.#read();
  }

  /**
   * Asks for a flush: the schedule runs {@linkcode SoupBinTcpSocket.flush} later, once
   * however often this is called before it does.
   */
  requestFlush(): void {
    if (this.#flushRequested || this.#state === CLOSED) return;
    this.#flushRequested = true;
    this.#schedule(this.#runFlush);
  }

  /**
   * Starts writing what is waiting, unless a write is in flight (which then goes on with
   * it). While ending, closes the connection once nothing is left.
   */
  flush(): void {
    this.#flushRequested = false;
    if (this.#writing || this.#state === CLOSED) return;
    this.#writing = true;
    this.#write();
  }

  /**
   * How long the write in flight has been waiting for the connection to take any bytes.
   *
   * @param nowMs The current time on the driver's clock.
   * @returns Milliseconds, or 0 when no write is waiting.
   */
  writeStalledMs(nowMs: number): number {
    return this.#writeStartedAt < 0 ? 0 : nowMs - this.#writeStartedAt;
  }

  /**
   * Stops reading and closes once what is waiting has been written: at the next flush,
   * which this requests.
   *
   * @param detail Why, in the owner's words, reported as a `local` close unless something
   * else came first.
   */
  end(detail: string): void {
    if (this.#state !== OPEN) return;
    this.#reason ??= { type: "local", detail };
    this.#state = CLOSING;
    this.requestFlush();
  }

  /**
   * Closes at once; what is waiting is dropped.
   *
   * @param detail Why, reported as a `local` close unless something else came first.
   */
  close(detail: string): void {
    this.#reason ??= { type: "local", detail };
    this.#closeConn();
  }

  async #whilePaused(): Promise<void> {
    for (
      let paused = this.#paused;
      paused !== undefined;
      paused = this.#paused
    ) {
      await paused.promise;
    }
  }

  async #read(): Promise<void> {
    const conn = this.#conn;
    const handler = this.#handler;
    const clock = this.#clock;
    const buffer = new Uint8Array(this.#readBufferSize);
    const memory = buffer.buffer;
    try {
      while (this.#state === OPEN) {
        await this.#whilePaused();
        const count = await conn.read(buffer);
        if (count === null) {
          this.#endInput({ type: "eof" });
          break;
        }
        // Paused while the read was pending: what it got waits too.
        await this.#whilePaused();
        if (this.#state !== OPEN) break; // ended while the read was pending
        try {
          // A constructed view is cheaper than `subarray()`.
          handler.receive(new Uint8Array(memory, 0, count), clock());
        } catch (error) {
          this.#endInput({ type: "protocol", error });
          break;
        }
      }
    } catch (error) {
      this.#endInput({ type: "error", during: "read", error });
    }
    this.#reading = false;
    this.#settle();
  }

  /** The input is over: write what is waiting, then close. */
  #endInput(reason: SocketCloseReason): void {
    this.#reason ??= reason;
    if (this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.requestFlush();
  }

  async #write(): Promise<void> {
    const conn = this.#conn;
    const output = this.#output;
    const handler = this.#handler;
    const highWater = this.#highWater;
    try {
      while (this.#state !== CLOSED) {
        handler.beforeWrite?.(highWater);
        const bytes = output.take();
        if (bytes === null) break;
        const length = bytes.length;
        if (length >= highWater) this.#full = true;
        let at = 0;
        while (at < length) {
          this.#inFlight = length - at;
          this.#writeStartedAt = this.#clock();
          at += await conn.write(at === 0 ? bytes : bytes.subarray(at));
        }
        this.#inFlight = 0;
        this.#writeStartedAt = -1;
        output.release(bytes);
        if (this.#full && output.length < highWater) {
          this.#full = false;
          handler.drain?.();
        }
      }
    } catch (error) {
      this.#reason ??= { type: "error", during: "write", error };
      this.#closeConn();
    }
    this.#inFlight = 0;
    this.#writeStartedAt = -1;
    this.#writing = false;
    if (this.#state === CLOSING) this.#closeConn();
    this.#settle();
  }

  #closeConn(): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    this.#settle();
  }

  #settle(): void {
    if (
      this.#settled || this.#state !== CLOSED || this.#reading || this.#writing
    ) {
      return;
    }
    this.#settled = true;
    const reason = this.#reason ?? { type: "local", detail: "closed" };
    try {
      this.#handler.closed?.(reason);
    } finally {
      this.#closed.resolve(reason);
    }
  }
}

/**
 * Describes why a socket closed, in words for logs and reports.
 *
 * @param reason The reason a {@linkcode SoupBinTcpSocket} reported.
 * @param peer Who is at the other end, e.g. `"the server"`.
 * @returns `"<peer> closed the connection"`, `"read failed: …"`, `"write failed: …"`, the
 * local detail, or `"<name>: <message>"` of a protocol error.
 *
 * @example Every kind
 * ```ts
 * import { describeClose } from "./soupbintcp_socket.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeClose({ type: "eof" }, "the client"), "the client closed the connection");
 * assert.equal(
 *   describeClose({ type: "error", during: "write", error: new Error("Broken pipe") }, "the client"),
 *   "write failed: Broken pipe",
 * );
 * assert.equal(describeClose({ type: "local", detail: "logout" }, "the client"), "logout");
 * assert.equal(
 *   describeClose({ type: "protocol", error: new SyntaxError("bad length") }, "the client"),
 *   "SyntaxError: bad length",
 * );
 * ```
 */
export function describeClose(reason: SocketCloseReason, peer: string): string {
  switch (reason.type) {
    case "eof":
      return `${peer} closed the connection`;
    case "error":
      return `${reason.during} failed: ${errorText(reason.error)}`;
    case "local":
      return reason.detail;
    case "protocol":
      return reason.error instanceof Error
        ? `${reason.error.name}: ${reason.error.message}`
        : String(reason.error);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
