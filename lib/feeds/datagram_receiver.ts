/**
 * A UDP receiver that takes many datagrams per call: `recvmmsg(2)` through libc
 * (`Deno.dlopen`) on a non-blocking socket, polled on a timer, on Linux when the process may
 * use FFI; else `node:dgram`, one `message` event per datagram. Written for readers of a
 * high-rate MoldUDP64 feed (the `bench:feed` sink), where a wake-up per datagram costs more
 * than the datagram.
 *
 * @module
 */
import dgram from "node:dgram";
import {
  AF_INET,
  EAGAIN,
  EINTR,
  ERRNO_NAMES,
  errnoError,
  errnoOf,
  ffiRefusal,
  int32,
  IOVEC_LENGTH,
  type Libc,
  MMSGHDR_LENGTH,
  MSG_TRUNC,
  openLibc,
  SO_RCVBUF,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCKADDR_LENGTH,
  sockaddrIn,
  SOL_SOCKET,
} from "./_linux_udp.ts";

/** Where the receiver listens, how, and who is told of each datagram. */
export interface DatagramReceiverOptions {
  /**
   * Told of each datagram in the order the kernel delivers them, with the sender's UDP
   * port. With `recvmmsg(2)` the bytes are a view into the receiver's buffer, valid only
   * during the call (copy what you keep). Must not throw.
   */
  onDatagram: (datagram: Uint8Array, sourcePort: number) => void;
  /**
   * `"auto"`: `recvmmsg(2)` when possible (Linux on x86_64 or aarch64, `--allow-ffi`, libc
   * found), else `node:dgram`; `"node:dgram"` forces `node:dgram`.
   *
   * @default {"auto"}
   */
  transport?: "auto" | "node:dgram";
  /** The port to bind on 127.0.0.1 (0 for any free one). @default {0} */
  port?: number;
  /**
   * With `recvmmsg(2)`: how often the socket is read, in ms; each read takes everything
   * that has arrived. 0 starts no timer: the caller calls
   * {@linkcode DatagramReceiver.receive}.
   *
   * @default {1}
   */
  pollMs?: number;
  /**
   * With `recvmmsg(2)`: the longest wait between polls while nothing arrives, ms. After a
   * poll that took nothing the wait doubles, up to this; a poll that takes something
   * goes back to `pollMs`. The receive buffer must hold what arrives in this long.
   *
   * @default {pollMs}
   */
  idlePollMs?: number;
  /**
   * The socket's `SO_RCVBUF` in bytes (the kernel doubles it and caps it at
   * `net.core.rmem_max`), unset for the default: it must hold what arrives between two
   * polls. (`node:dgram` under Deno 2.9.6 says it set it but the socket kept the default:
   * about 95 datagrams of 1,420 bytes.)
   */
  receiveBufferBytes?: number;
  /** With `recvmmsg(2)`: datagrams taken per call at most. @default {256} */
  batch?: number;
  /**
   * With `recvmmsg(2)`: the largest datagram taken whole; a longer one is cut by the kernel,
   * counted in `truncated`, said to `onError` and not given to `onDatagram`. `node:dgram`
   * gives every datagram whole.
   *
   * @default {2048}
   */
  maxDatagramBytes?: number;
  /** Told of each truncated datagram and of a failed read (after which polling stops). */
  onError?: (error: Error) => void;
}

/** A bound UDP socket that hands each datagram it receives to `onDatagram`, in order. */
export interface DatagramReceiver {
  /** `"recvmmsg"`, or `"node:dgram"` and why (`"node:dgram: no --allow-ffi"`). */
  readonly kind: string;
  /** The port it listens on, at 127.0.0.1. */
  readonly port: number;
  /** Datagrams given to `onDatagram` so far. */
  readonly datagrams: number;
  /** Datagrams longer than `maxDatagramBytes`, dropped (`recvmmsg(2)` only). */
  readonly truncated: number;
  /**
   * Takes every datagram that has arrived, now (`recvmmsg(2)`; an empty socket gives
   * nothing). With `node:dgram` datagrams come as events: this returns 0.
   *
   * @returns How many it took.
   */
  receive(): number;
  /** Stops polling and closes the socket; what has not been taken is lost. */
  close(): Promise<void>;
}

/**
 * Opens a receiver on 127.0.0.1: `recvmmsg(2)` when it can, else `node:dgram`, and says
 * which in `kind`.
 *
 * @param options The callback, the port and the transport.
 * @returns The receiver, its socket bound.
 * @throws {Error} When the socket cannot be opened or bound (the port in use:
 * `Cannot bind to 127.0.0.1:PORT: EADDRINUSE (98)` with `recvmmsg(2)`).
 *
 * @example Datagrams from a loopback sender, in order, on both paths
 * ```ts
 * import { openDatagramReceiver } from "./datagram_receiver.ts";
 * import dgram from "node:dgram";
 * import assert from "node:assert/strict";
 *
 * const got: number[] = [];
 * const sender = dgram.createSocket("udp4");
 * for (const transport of ["auto", "node:dgram"] as const) {
 *   const receiver = await openDatagramReceiver({
 *     transport,
 *     onDatagram: (bytes) => got.push(bytes[0]!),
 *   });
 *   const expected = got.length + 2;
 *   for (const byte of [1, 2]) {
 *     await new Promise((ok) =>
 *       sender.send(new Uint8Array([byte]), receiver.port, "127.0.0.1", ok)
 *     );
 *   }
 *   while (got.length < expected) await new Promise((ok) => setTimeout(ok, 5));
 *   await receiver.close();
 * }
 * sender.close();
 * assert.deepEqual(got, [1, 2, 1, 2]);
 * ```
 */
export async function openDatagramReceiver(
  options: DatagramReceiverOptions,
): Promise<DatagramReceiver> {
  const refusal = options.transport === "node:dgram" ? "forced" : ffiRefusal();
  if (refusal !== null) return await NodeDgramReceiver.open(options, refusal);
  let libc: Libc;
  try {
    libc = openLibc();
  } catch (error) {
    return await NodeDgramReceiver.open(
      options,
      `no libc: ${error instanceof Error ? error.message : error}`,
    );
  }
  return new RecvmmsgReceiver(libc, options);
}

/** One `message` event per datagram. */
class NodeDgramReceiver implements DatagramReceiver {
  readonly kind: string;
  readonly truncated = 0;
  readonly #socket: dgram.Socket;
  #datagrams = 0;

  private constructor(socket: dgram.Socket, kind: string) {
    this.#socket = socket;
    this.kind = kind;
  }

  static async open(
    options: DatagramReceiverOptions,
    why: string,
  ): Promise<NodeDgramReceiver> {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.port ?? 0, "127.0.0.1", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    if (options.receiveBufferBytes !== undefined) {
      try {
        socket.setRecvBufferSize(options.receiveBufferBytes);
      } catch {
        // Left at the default where the runtime cannot set it.
      }
    }
    const receiver = new NodeDgramReceiver(socket, `node:dgram: ${why}`);
    const onDatagram = options.onDatagram;
    socket.on("message", (bytes, from) => {
      receiver.#datagrams++;
      onDatagram(bytes, from.port);
    });
    return receiver;
  }

  get port(): number {
    return this.#socket.address().port;
  }

  get datagrams(): number {
    return this.#datagrams;
  }

  receive(): number {
    return 0;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }
}

/**
 * A non-blocking socket of its own, read with `recvmmsg(2)`: each poll takes all that has
 * arrived, `batch` datagrams per call. The `mmsghdr` array, the `iovec`s, the senders'
 * addresses and a slot of `maxDatagramBytes` per message live in one buffer made once, its
 * pointers written once (its backing store, off the JavaScript heap at this size, does not
 * move while `#vector` keeps it).
 */
class RecvmmsgReceiver implements DatagramReceiver {
  readonly kind = "recvmmsg";
  readonly port: number;
  readonly #libc: Libc;
  #fd: number;
  readonly #onDatagram: (datagram: Uint8Array, sourcePort: number) => void;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #batch: number;
  readonly #slot: number;
  readonly #vector: Uint8Array;
  readonly #view: DataView;
  /** Where the senders' addresses and the datagrams' slots start in `#vector`. */
  readonly #names: number;
  readonly #data: number;
  readonly #pollMs: number;
  readonly #idlePollMs: number;
  #waitMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #datagrams = 0;
  #truncated = 0;
  readonly #poll = () => {
    this.#timer = undefined;
    this.#waitMs = this.receive() > 0
      ? this.#pollMs
      : Math.min(this.#waitMs * 2, this.#idlePollMs);
    if (this.#fd >= 0) this.#timer = setTimeout(this.#poll, this.#waitMs);
  };

  constructor(libc: Libc, options: DatagramReceiverOptions) {
    this.#onDatagram = options.onDatagram;
    this.#onError = options.onError;
    this.#batch = Math.max(1, Math.min(1024, options.batch ?? 256));
    this.#slot = Math.max(1, options.maxDatagramBytes ?? 2048);
    this.#pollMs = options.pollMs ?? 1;
    this.#idlePollMs = Math.max(this.#pollMs, options.idlePollMs ?? 0);
    this.#waitMs = this.#pollMs;
    this.#libc = libc;
    const symbols = libc.symbols;
    this.#fd = symbols.socket(
      AF_INET,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0,
    );
    try {
      if (this.#fd < 0) this.#fail("open a UDP socket");
      const address = sockaddrIn([127, 0, 0, 1], options.port ?? 0);
      const view = new DataView(address.buffer);
      if (symbols.bind(this.#fd, address, SOCKADDR_LENGTH) !== 0) {
        this.#fail(`bind to 127.0.0.1:${options.port ?? 0}`);
      }
      const length = new Uint32Array([SOCKADDR_LENGTH]);
      if (symbols.getsockname(this.#fd, address, length) !== 0) {
        this.#fail("read the bound address");
      }
      this.port = view.getUint16(2);
      if (options.receiveBufferBytes !== undefined) {
        const bytes = int32(options.receiveBufferBytes);
        if (
          symbols.setsockopt(this.#fd, SOL_SOCKET, SO_RCVBUF, bytes, 4) !== 0
        ) {
          this.#fail("set SO_RCVBUF");
        }
      }
    } catch (error) {
      if (this.#fd >= 0) symbols.close(this.#fd);
      libc.close();
      throw error;
    }
    const batch = this.#batch;
    const iovecs = batch * MMSGHDR_LENGTH;
    this.#names = iovecs + batch * IOVEC_LENGTH;
    this.#data = this.#names + batch * SOCKADDR_LENGTH;
    this.#vector = new Uint8Array(this.#data + batch * this.#slot);
    this.#view = new DataView(this.#vector.buffer);
    const base = BigInt(
      Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#vector)),
    );
    const view = this.#view;
    for (let i = 0; i < batch; i++) {
      const message = i * MMSGHDR_LENGTH;
      const iovec = iovecs + i * IOVEC_LENGTH;
      view.setBigUint64(
        message,
        base + BigInt(this.#names + i * SOCKADDR_LENGTH),
        true,
      ); // msg_name
      view.setUint32(message + 8, SOCKADDR_LENGTH, true); // msg_namelen
      view.setBigUint64(message + 16, base + BigInt(iovec), true); // msg_iov
      view.setBigUint64(message + 24, 1n, true); // msg_iovlen
      // msg_control, msg_controllen, msg_flags, msg_len: zero.
      view.setBigUint64(
        iovec,
        base + BigInt(this.#data + i * this.#slot),
        true,
      ); // iov_base
      view.setBigUint64(iovec + 8, BigInt(this.#slot), true); // iov_len
    }
    if (this.#pollMs > 0) this.#timer = setTimeout(this.#poll, this.#pollMs);
  }

  get datagrams(): number {
    return this.#datagrams;
  }

  get truncated(): number {
    return this.#truncated;
  }

  receive(): number {
    const view = this.#view;
    const vector = this.#vector;
    const batch = this.#batch;
    const slot = this.#slot;
    let taken = 0;
    while (this.#fd >= 0) {
      // `vector` stays referenced by this frame during the synchronous call.
      const count = this.#libc.symbols.recvmmsg(
        this.#fd,
        vector,
        batch,
        0,
        null,
      );
      if (count < 0) {
        const errno = this.#errno();
        if (errno === EINTR) continue;
        if (errno === EAGAIN) break;
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#onError?.(
          new Error(
            `Cannot receive datagrams: ${
              ERRNO_NAMES[errno] ?? "errno"
            } (${errno}); polling stops`,
          ),
        );
        break;
      }
      for (let i = 0; i < count; i++) {
        const message = i * MMSGHDR_LENGTH;
        const length = view.getUint32(message + 56, true);
        const flags = view.getInt32(message + 48, true);
        const port = view.getUint16(this.#names + i * SOCKADDR_LENGTH + 2);
        view.setUint32(message + 8, SOCKADDR_LENGTH, true); // for the next call
        if ((flags & MSG_TRUNC) !== 0) {
          this.#truncated++;
          this.#onError?.(
            new RangeError(
              `Cannot take a datagram longer than ${slot} bytes from port ${port}: dropped`,
            ),
          );
          continue;
        }
        const start = this.#data + i * slot;
        this.#datagrams++;
        this.#onDatagram(vector.subarray(start, start + length), port);
      }
      taken += count;
      if (count < batch) break;
    }
    return taken;
  }

  close(): Promise<void> {
    if (this.#fd >= 0) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#libc.symbols.close(this.#fd);
      this.#fd = -1;
      this.#libc.close();
    }
    return Promise.resolve();
  }

  #errno(): number {
    return errnoOf(this.#libc);
  }

  #fail(action: string): never {
    throw errnoError(this.#libc, action);
  }
}
