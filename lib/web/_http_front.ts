/**
 * The web page's public listener: a TCP front that Deno's HTTP server sits behind, because
 * `Deno.serve` has no header or idle timeout and no connection cap. It accepts connections
 * (surviving accept errors), refuses those over the cap with a `503`, reads each request's
 * head within a deadline (slowloris), closes idle keep-alive connections, and pipes the
 * rest to the HTTP server on an internal loopback port; after a WebSocket upgrade it only
 * pipes. The HTTP server learns each connection's real peer address through
 * {@linkcode HttpFront.peer}.
 *
 * @module
 */
import { acceptLoop } from "../net/accept_loop.ts";

/** Limits of an {@linkcode HttpFront}. */
export interface HttpFrontLimits {
  /** A request's head must arrive whole within this long. @default {10000} */
  headerTimeoutMs?: number;
  /** A keep-alive connection with nothing going on either way is closed after this. @default {60000} */
  idleTimeoutMs?: number;
  /** Concurrent connections at most; the excess is answered `503` and closed. @default {256} */
  maxConnections?: number;
}

/** What an {@linkcode HttpFront} tells its owner. */
export interface HttpFrontEvents {
  /** A connection was refused or closed by a limit (count them; warn sparingly). */
  limited?(
    what: "connections" | "header timeout" | "idle timeout" | "body",
  ): void;
  /** Accepting failed (the loop carries on after `retryMs`). */
  acceptError?(error: unknown, retryMs: number): void;
}

const END_OF_HEAD = [13, 10, 13, 10];
const DECODER = new TextDecoder();
/** Request bodies are skipped up to this size (the page sends none); larger ones are refused. */
const MAX_BODY = 64 * 1024;
/** A request head longer than this is refused (Deno's own limit is of this order). */
const MAX_HEAD = 64 * 1024;

function response(status: string, text: string): Uint8Array {
  return new TextEncoder().encode(
    `HTTP/1.1 ${status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${
      text.length + 1
    }\r\nconnection: close\r\n\r\n${text}\n`,
  );
}

const BUSY = response(
  "503 Service Unavailable",
  "Service Unavailable: too many connections to the web page",
);
const TOO_LARGE = response(
  "413 Content Too Large",
  "Content Too Large: the web page takes no chunked or large request bodies",
);
const HEAD_TOO_LARGE = response(
  "431 Request Header Fields Too Large",
  "Request Header Fields Too Large",
);

/** A running front. */
export class HttpFront {
  readonly #listener: Deno.TcpListener;
  /** The HTTP server's internal address (it changes when that server is started again). */
  inner: Deno.NetAddr;
  readonly #headerTimeoutMs: number;
  readonly #idleTimeoutMs: number;
  readonly #maxConnections: number;
  readonly #events: HttpFrontEvents;
  readonly #peers = new Map<number, string>();
  readonly #open = new Set<Deno.Conn>();
  readonly #accepting: Promise<void>;
  #closed = false;

  /**
   * Listens on `hostname:port` and forwards to the HTTP server at `inner`.
   *
   * @param listen Where to listen; port 0 picks a free one.
   * @param inner The HTTP server's internal loopback address.
   * @param limits Timeouts and the connection cap.
   * @param events Told about limits and accept errors.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   */
  constructor(
    listen: { hostname: string; port: number },
    inner: Deno.NetAddr,
    limits: HttpFrontLimits = {},
    events: HttpFrontEvents = {},
  ) {
    this.#listener = Deno.listen({ ...listen, transport: "tcp" });
    this.inner = inner;
    this.#headerTimeoutMs = limits.headerTimeoutMs ?? 10_000;
    this.#idleTimeoutMs = limits.idleTimeoutMs ?? 60_000;
    this.#maxConnections = limits.maxConnections ?? 256;
    this.#events = events;
    this.#accepting = acceptLoop(this.#listener, {
      closed: () => this.#closed,
      error: (error, retryMs) => this.#events.acceptError?.(error, retryMs),
      connection: (conn) => {
        this.#serve(conn).catch(() => {});
      },
    });
  }

  /** The public address. */
  get addr(): Deno.NetAddr {
    return this.#listener.addr;
  }

  /** Connections open now. */
  get connections(): number {
    return this.#open.size;
  }

  /**
   * The real peer address of an internal connection.
   *
   * @param port The internal connection's source port (the HTTP server's `remoteAddr.port`).
   * @returns The client's IP address, or `undefined` for a connection not from the front.
   */
  peer(port: number): string | undefined {
    return this.#peers.get(port);
  }

  /** Stops accepting and closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
    for (const conn of this.#open) close(conn);
    await this.#accepting;
  }

  async #serve(client: Deno.TcpConn): Promise<void> {
    if (this.#open.size >= this.#maxConnections) {
      this.#events.limited?.("connections");
      await refuse(client, BUSY);
      return;
    }
    this.#open.add(client);
    let inner: Deno.TcpConn | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const end = () => {
      clearTimeout(timer);
      close(client);
      if (inner !== undefined) close(inner);
    };
    try {
      let address = "unknown";
      try {
        // Small WebSocket frames must not wait for Nagle's algorithm on either hop.
        client.setNoDelay(true);
        address = client.remoteAddr.hostname;
      } catch {
        // reset at once: the reads below end it
      }
      try {
        inner = await Deno.connect({
          hostname: this.inner.hostname,
          port: this.inner.port,
        });
      } catch {
        this.#open.delete(client);
        await refuse(client, BUSY);
        return;
      }
      inner.setNoDelay(true);
      const port = inner.localAddr.port;
      this.#peers.set(port, address);
      const connected = inner;
      // Timers: a head must arrive within the header timeout from its first byte (or
      // from the connection's start); between requests, the idle timeout.
      const arm = (ms: number, what: "header timeout" | "idle timeout") => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.#events.limited?.(what);
          end();
        }, ms);
      };
      let upgraded = false;
      arm(this.#headerTimeoutMs, "header timeout");
      const scanning = new HeadScanner();
      const toClient = (async () => {
        const buffer = new Uint8Array(64 * 1024);
        while (true) {
          const n = await connected.read(buffer);
          if (n === null) break;
          if (!upgraded && !scanning.inHead) {
            arm(this.#idleTimeoutMs, "idle timeout");
          }
          await writeAll(client, buffer.subarray(0, n));
        }
      })().catch(() => {}).finally(end);
      const buffer = new Uint8Array(64 * 1024);
      while (true) {
        const n = await client.read(buffer);
        if (n === null) break;
        const chunk = buffer.subarray(0, n);
        if (!upgraded) {
          const verdict = scanning.feed(chunk);
          if (verdict === "body" || verdict === "too large") {
            this.#events.limited?.("body");
            clearTimeout(timer);
            await refuse(
              client,
              verdict === "body" ? TOO_LARGE : HEAD_TOO_LARGE,
            );
            break;
          }
          if (verdict === "upgrade") {
            upgraded = true;
            clearTimeout(timer);
          } else if (scanning.inHead) {
            if (!scanning.timed) {
              scanning.timed = true;
              arm(this.#headerTimeoutMs, "header timeout");
            }
          } else {
            arm(this.#idleTimeoutMs, "idle timeout");
          }
        }
        await writeAll(connected, chunk);
      }
      end();
      await toClient;
    } finally {
      end();
      this.#open.delete(client);
      if (inner !== undefined) {
        try {
          this.#peers.delete(inner.localAddr.port);
        } catch {
          // closed
        }
      }
    }
  }
}

/**
 * Follows request boundaries in a client's bytes: heads end at an empty line, then a
 * `Content-Length` body (up to 64 KiB: the page sends none; a larger or chunked one is
 * refused) is skipped; a WebSocket upgrade ends the scanning (what follows are frames).
 */
class HeadScanner {
  /** Whether a head has started and not ended. */
  inHead = false;
  /** Whether the current head's deadline is armed. */
  timed = false;
  #matched = 0;
  #head = new Uint8Array(MAX_HEAD);
  #length = 0;
  #bodyLeft = 0;

  feed(chunk: Uint8Array): "ok" | "upgrade" | "body" | "too large" {
    for (let i = 0; i < chunk.length; i++) {
      if (this.#bodyLeft > 0) {
        const skip = Math.min(this.#bodyLeft, chunk.length - i);
        this.#bodyLeft -= skip;
        i += skip - 1;
        continue;
      }
      const byte = chunk[i]!;
      if (!this.inHead) {
        if (byte === 13 || byte === 10) continue; // blank lines between requests
        this.inHead = true;
        this.timed = false;
        this.#matched = 0;
        this.#length = 0;
      }
      if (this.#length === MAX_HEAD) return "too large";
      this.#head[this.#length++] = byte;
      this.#matched = byte === END_OF_HEAD[this.#matched]
        ? this.#matched + 1
        : byte === 13
        ? 1
        : 0;
      if (this.#matched === 4) {
        this.inHead = false;
        const head = DECODER.decode(this.#head.subarray(0, this.#length))
          .toLowerCase();
        if (/\r\ntransfer-encoding:/.test(head)) return "body";
        const length = /\r\ncontent-length: *(\d+)/.exec(head);
        if (length !== null) {
          const bytes = Number(length[1]);
          if (bytes > MAX_BODY) return "body";
          this.#bodyLeft = bytes;
        }
        if (/\r\nupgrade: *websocket/.test(head)) return "upgrade";
      }
    }
    return "ok";
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

async function refuse(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  try {
    await writeAll(conn, bytes);
  } catch {
    // gone already
  }
  close(conn);
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
