/**
 * The MoldUDP64 feed's datagram sender: a turn's datagrams in one `sendmmsg(2)` call
 * through libc (`Deno.dlopen`) on Linux when the process may use FFI, else `node:dgram`.
 *
 * @module
 */
import dgram from "node:dgram";
import type { DatagramWriter } from "../itch/mod.ts";
import {
  AF_INET,
  EAGAIN,
  EINTR,
  ENOBUFS,
  ERRNO_NAMES,
  errnoError,
  errnoOf,
  ffiRefusal,
  int32,
  IOVEC_LENGTH,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IPPROTO_IP,
  type Libc,
  MMSGHDR_LENGTH,
  openLibc,
  SO_SNDBUF,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCKADDR_LENGTH,
  sockaddrIn,
  SOL_SOCKET,
} from "./_linux_udp.ts";

/** Where datagrams go and how. */
export interface DatagramSenderOptions {
  /** A loopback IPv4 address or a multicast group, and a port. */
  destination: { hostname: string; port: number };
  /**
   * `"auto"`: `sendmmsg(2)` when possible (Linux on x86_64 or aarch64, `--allow-ffi`,
   * libc found, a dotted IPv4 destination), else `node:dgram`; `"node:dgram"` forces
   * `node:dgram`.
   *
   * @default {"auto"}
   */
  transport?: "auto" | "node:dgram";
  /** The socket's `SO_SNDBUF` in bytes (the kernel doubles it), unset for the default. */
  sendBufferBytes?: number;
  /**
   * Told of every datagram the kernel refused with a hard error (not `EAGAIN`/`ENOBUFS`,
   * which are retried): that datagram is dropped and counted in `failed`; and of the oldest
   * datagrams dropped when more than `maxPending` wait for a kernel that keeps saying
   * `EAGAIN`.
   * (`node:dgram` reports neither: it leaves its send errors unsaid.)
   */
  onError?: (error: Error) => void;
  /**
   * With `sendmmsg(2)`: how many datagrams may wait for a kernel that keeps saying `EAGAIN`
   * before the oldest half of them is dropped (reported to `onError`, counted in `failed`).
   *
   * @default {16384} (about 23 MB of full MoldUDP64 datagrams)
   */
  maxPending?: number;
  /**
   * A test seam for the `sendmmsg(2)` path: given how many datagrams are about to be
   * handed to the kernel, returns how many it may take in this call (0 behaves as the
   * kernel's `EAGAIN`: nothing sent, the rest kept for the next turn). Unused by
   * `node:dgram`.
   */
  admit?: (count: number) => number;
}

/**
 * Sends datagrams in order. {@linkcode DatagramSender.queue} adds one to the current turn
 * and {@linkcode DatagramSender.flush} sends the turn's (`node:dgram` sends each at once).
 * As a {@linkcode DatagramWriter} it lends the memory a datagram is sent from:
 * `begin`, write into `bytes`, and `commit` adds it to the turn (with `sendmmsg(2)`, written
 * where the kernel reads it: no allocation, no copy; with `node:dgram`, copied at `commit`).
 */
export interface DatagramSender extends DatagramWriter {
  /** `"sendmmsg"`, or `"node:dgram"` and why (`"node:dgram: no --allow-ffi"`). */
  readonly kind: string;
  /** Datagrams queued and not yet taken by the kernel. */
  readonly pending: number;
  /** Datagrams the kernel refused with a hard error (each reported to `onError`). */
  readonly failed: number;
  /**
   * Adds a datagram to the turn, as `begin`, a copy and `commit` do (`node:dgram` keeps the
   * reference until it is sent instead); a datagram begun and not committed is given up.
   */
  queue(datagram: Uint8Array): void;
  /** Sends what is queued, in order; what the kernel cannot take now is retried later. */
  flush(): void;
  /** Resolves once the socket is bound. */
  ready(): Promise<void>;
  /** Sends what it can (for up to about 100 ms) and closes the socket. */
  close(): Promise<void>;
}

/**
 * Opens the sender `options` ask for: `sendmmsg(2)` when it can, else `node:dgram`, and
 * says which in `kind`.
 *
 * @param options The destination and the transport.
 * @returns The sender, its socket bound to 127.0.0.1 (with `node:dgram`: soon, see
 * {@linkcode DatagramSender.ready}).
 *
 * @example Datagrams to a loopback port, on both paths, in order
 * ```ts
 * import { openDatagramSender } from "./datagram_sender.ts";
 * import dgram from "node:dgram";
 * import assert from "node:assert/strict";
 *
 * const sink = dgram.createSocket("udp4");
 * await new Promise<void>((ok) => sink.bind(0, "127.0.0.1", () => ok()));
 * const got: number[] = [];
 * sink.on("message", (bytes) => got.push(bytes[0]!));
 * for (const transport of ["auto", "node:dgram"] as const) {
 *   const sender = openDatagramSender({
 *     destination: { hostname: "127.0.0.1", port: sink.address().port },
 *     transport,
 *   });
 *   await sender.ready();
 *   const expected = got.length + 2;
 *   sender.queue(new Uint8Array([1]));
 *   sender.queue(new Uint8Array([2]));
 *   sender.flush();
 *   while (got.length < expected) await new Promise((ok) => setTimeout(ok, 5));
 *   await sender.close();
 * }
 * assert.deepEqual(got, [1, 2, 1, 2]);
 * sink.close();
 * ```
 */
export function openDatagramSender(
  options: DatagramSenderOptions,
): DatagramSender {
  const refusal = options.transport === "node:dgram"
    ? "forced"
    : sendmmsgRefusal(options.destination.hostname);
  if (refusal === null) {
    try {
      return new SendmmsgSender(options);
    } catch (error) {
      return new NodeDgramSender(
        options,
        `no sendmmsg: ${error instanceof Error ? error.message : error}`,
      );
    }
  }
  return new NodeDgramSender(options, refusal);
}

/** Why `sendmmsg(2)` cannot be used, or `null`. */
function sendmmsgRefusal(hostname: string): string | null {
  const refusal = ffiRefusal();
  if (refusal !== null) return refusal;
  if (ipv4(hostname) === null) {
    return `${hostname} is not a dotted IPv4 address`;
  }
  return null;
}

function ipv4(hostname: string): number[] | null {
  const parts = hostname.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map((part) => /^\d{1,3}$/.test(part) ? Number(part) : -1);
  return bytes.every((byte) => byte >= 0 && byte <= 255) ? bytes : null;
}

function isMulticast(hostname: string): boolean {
  const first = Number(hostname.split(".")[0]);
  return first >= 224 && first <= 239;
}

/** Today's path: one `socket.send` per datagram, sent as queued. */
class NodeDgramSender implements DatagramSender {
  readonly kind: string;
  readonly failed = 0;
  readonly #socket = dgram.createSocket("udp4");
  readonly #destination: { hostname: string; port: number };
  /** Datagrams queued before the socket was bound, sent in order once it is. */
  #unbound: Uint8Array[] | null = [];
  readonly #ready = Promise.withResolvers<void>();

  constructor(options: DatagramSenderOptions, why: string) {
    this.kind = `node:dgram: ${why}`;
    this.#destination = options.destination;
    const multicast = isMulticast(options.destination.hostname);
    // Bound before the first send, which waits for it: a socket left to bind on its first
    // send let a later datagram overtake the first ones (seen with the catch-up's datagrams).
    this.#socket.bind(0, "127.0.0.1", () => {
      if (multicast) {
        this.#socket.setMulticastLoopback(true);
        this.#socket.setMulticastInterface("127.0.0.1");
      }
      if (options.sendBufferBytes !== undefined) {
        this.#socket.setSendBufferSize(options.sendBufferBytes);
      }
      // After the callback: within it the socket still queues sends, and out of order.
      setTimeout(() => this.#sendWaiting(), 0);
    });
  }

  /**
   * Sends the datagrams queued before the socket was bound one at a time, each after the
   * previous one's callback: sent in one loop, the first sends of a fresh socket still
   * arrived in reverse order now and then (Deno 2.9.6). Datagrams queued meanwhile wait
   * behind them.
   */
  #sendWaiting(): void {
    const waiting = this.#unbound!;
    const datagram = waiting.shift();
    if (datagram === undefined) {
      this.#unbound = null;
      this.#ready.resolve();
      return;
    }
    this.#socket.send(
      datagram,
      this.#destination.port,
      this.#destination.hostname,
      () => this.#sendWaiting(),
    );
  }

  get pending(): number {
    return this.#unbound?.length ?? 0;
  }

  /** Where datagrams are written; each is copied out at `commit` (the slow path). */
  bytes = new Uint8Array(0);

  begin(length: number): number {
    if (this.bytes.length < length) this.bytes = new Uint8Array(length);
    return 0;
  }

  commit(length: number): void {
    this.queue(this.bytes.slice(0, length));
  }

  queue(datagram: Uint8Array): void {
    if (this.#unbound !== null) this.#unbound.push(datagram);
    else this.#send(datagram);
  }

  flush(): void {}

  ready(): Promise<void> {
    return this.#ready.promise;
  }

  async close(): Promise<void> {
    await this.#ready.promise;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  #send(datagram: Uint8Array): void {
    this.#socket.send(
      datagram,
      this.#destination.port,
      this.#destination.hostname,
    );
  }
}

/** The kernel takes at most this many messages per `sendmmsg` (`UIO_MAXIOV`). */
const MAX_PER_CALL = 1024;

/** Slots of a new sender's vector. */
const FIRST_CAPACITY = 64;
/** Bytes of a new sender's slot: a full MoldUDP64 datagram (1,420 bytes), rounded up to 16. */
const FIRST_SLOT_BYTES = 1424;

/**
 * A non-blocking socket of its own, written with `sendmmsg(2)`: one call per turn for all
 * its datagrams. One preallocated vector (grown when needed) holds the destination
 * (`sockaddr_in`), a ring of `#capacity` `mmsghdr`s, as many `iovec`s and as many slots of
 * `#slotBytes` bytes, datagram `i` in slot `i`: every pointer and constant field is written
 * when the vector is made, a datagram's `iov_len` when it is committed. A datagram is written
 * in its slot by its maker ({@linkcode DatagramWriter}, no copy) or copied there by `queue`,
 * and handed to the kernel from there; the slots from `#head` (`#pending` of them, wrapping
 * round) wait for the kernel, and the one after them is lent to the datagram being written.
 */
class SendmmsgSender implements DatagramSender {
  readonly kind = "sendmmsg";
  readonly #libc: Libc;
  #fd: number;
  readonly #destination: { hostname: string; port: number };
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #admit: ((count: number) => number) | undefined;
  readonly #maxPending: number;
  /** The first slot waiting for the kernel. */
  #head = 0;
  /** Slots waiting for the kernel, from `#head`. */
  #pending = 0;
  #failed = 0;
  /** The vector: destination, `mmsghdr`s, `iovec`s, slots. */
  #vector = new Uint8Array(0);
  /** `#vector` as 32-bit words (the host's order: little-endian on x86_64 and aarch64). */
  #words = new Uint32Array(0);
  #capacity = 0;
  #slotBytes = 0;
  /** Where the `iovec`s start in `#vector`. */
  #iovecs = 0;
  /** Where the slots start in `#vector`. */
  #slots = 0;
  /** The slot lent by `begin`, or -1. */
  #lent = -1;
  #retry: ReturnType<typeof setTimeout> | undefined;
  readonly #retryLater = () => {
    this.#retry = undefined;
    this.flush();
  };

  constructor(options: DatagramSenderOptions) {
    this.#destination = options.destination;
    this.#onError = options.onError;
    this.#admit = options.admit;
    this.#maxPending = Math.max(1, options.maxPending ?? 16_384);
    this.#libc = openLibc();
    const libc = this.#libc.symbols;
    this.#fd = libc.socket(
      AF_INET,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0,
    );
    try {
      if (this.#fd < 0) this.#fail("open a UDP socket");
      const loopback = sockaddrIn([127, 0, 0, 1], 0);
      if (libc.bind(this.#fd, loopback, SOCKADDR_LENGTH) !== 0) {
        this.#fail("bind to 127.0.0.1");
      }
      if (isMulticast(options.destination.hostname)) {
        this.#option(
          IPPROTO_IP,
          IP_MULTICAST_IF,
          new Uint8Array([127, 0, 0, 1]),
        );
        this.#option(IPPROTO_IP, IP_MULTICAST_LOOP, int32(1));
        this.#option(IPPROTO_IP, IP_MULTICAST_TTL, int32(1));
      }
      if (options.sendBufferBytes !== undefined) {
        this.#option(SOL_SOCKET, SO_SNDBUF, int32(options.sendBufferBytes));
      }
    } catch (error) {
      if (this.#fd >= 0) libc.close(this.#fd);
      this.#libc.close();
      throw error;
    }
    this.#grow(
      Math.min(FIRST_CAPACITY, this.#maxPending + 1),
      FIRST_SLOT_BYTES,
    );
  }

  get pending(): number {
    return this.#pending;
  }

  get failed(): number {
    return this.#failed;
  }

  get bytes(): Uint8Array {
    return this.#vector;
  }

  begin(length: number): number {
    const capacity = this.#capacity;
    if (length > this.#slotBytes || this.#pending === capacity) {
      this.#lent = -1;
      this.#grow(
        this.#pending === capacity
          ? Math.min(capacity * 2, this.#maxPending + 1)
          : capacity,
        Math.max(this.#slotBytes, (length + 15) & ~15),
      );
    }
    let slot = this.#head + this.#pending;
    if (slot >= this.#capacity) slot -= this.#capacity;
    this.#lent = slot;
    return this.#slots + slot * this.#slotBytes;
  }

  commit(length: number): void {
    const slot = this.#lent;
    if (slot < 0) return;
    this.#lent = -1;
    // iov_len (size_t): its high word stays 0.
    this.#words[(this.#iovecs + slot * IOVEC_LENGTH + 8) >>> 2] = length;
    if (++this.#pending > this.#maxPending) this.#dropOldest();
  }

  queue(datagram: Uint8Array): void {
    const at = this.begin(datagram.length);
    this.#vector.set(datagram, at);
    this.commit(datagram.length);
  }

  /**
   * More than `maxPending` datagrams wait: the oldest half goes (readers ask the re-request
   * server for them), said to `onError` and counted in `failed`.
   */
  #dropOldest(): void {
    const dropped = Math.ceil(this.#maxPending / 2);
    this.#head = (this.#head + dropped) % this.#capacity;
    this.#pending -= dropped;
    this.#failed += dropped;
    this.#onError?.(
      new Error(
        `Cannot keep more than ${this.#maxPending} datagrams waiting for the kernel: dropped the oldest ${dropped}`,
      ),
    );
  }

  flush(): void {
    if (this.#fd < 0) return;
    // Fields read afresh each time: `onError` may queue (and so grow the vector) meanwhile.
    while (this.#pending > 0) {
      const wanted = Math.min(
        this.#pending,
        this.#capacity - this.#head,
        MAX_PER_CALL,
      );
      const count = this.#admit === undefined ? wanted : Math.min(
        wanted,
        Math.max(0, this.#admit(wanted)),
      );
      const sent = count === 0 ? 0 : this.#libc.symbols.sendmmsg(
        this.#fd,
        this.#vector.subarray(SOCKADDR_LENGTH + this.#head * MMSGHDR_LENGTH),
        count,
        0,
      );
      if (sent > 0) {
        this.#taken(sent);
        continue;
      }
      // 0 (never from the kernel for a non-empty vector) is taken as EAGAIN.
      const errno = sent === 0 ? EAGAIN : this.#errno();
      if (errno === EINTR) continue;
      if (errno === EAGAIN || errno === ENOBUFS) {
        // Kept, in order, for the next turn (or, if none comes, a timer).
        this.#retry ??= setTimeout(this.#retryLater, 1);
        break;
      }
      // A hard error belongs to the first datagram not sent: it is dropped, and said.
      const length = this
        .#words[(this.#iovecs + this.#head * IOVEC_LENGTH + 8) >>> 2]!;
      this.#taken(1);
      this.#failed++;
      this.#onError?.(
        new Error(
          `Cannot send a ${length}-byte datagram to ${this.#destination.hostname}:${this.#destination.port}: ${
            ERRNO_NAMES[errno] ?? "errno"
          } (${errno})`,
        ),
      );
    }
  }

  /** The first `count` waiting datagrams are gone; with none left, the ring starts again at slot 0. */
  #taken(count: number): void {
    this.#pending -= count;
    this.#head += count;
    if (this.#head >= this.#capacity) this.#head -= this.#capacity;
    if (this.#pending === 0 && this.#lent < 0) this.#head = 0;
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.#fd < 0) return;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    for (let tries = 0; tries < 100 && this.pending > 0; tries++) {
      this.flush();
      clearTimeout(this.#retry);
      this.#retry = undefined;
      if (this.pending > 0) await new Promise((ok) => setTimeout(ok, 1));
    }
    this.#libc.symbols.close(this.#fd);
    this.#fd = -1;
    this.#libc.close();
  }

  /**
   * Makes a vector of `capacity` slots of `slotBytes` bytes, every pointer and constant
   * written, and moves the waiting datagrams into its first slots, in order.
   */
  #grow(capacity: number, slotBytes: number): void {
    const iovecs = SOCKADDR_LENGTH + capacity * MMSGHDR_LENGTH;
    const slots = iovecs + capacity * IOVEC_LENGTH;
    // 16 KiB at least: the backing store of a smaller array may live on the JavaScript heap.
    const vector = new Uint8Array(
      Math.max(16 * 1024, slots + capacity * slotBytes),
    );
    const words = new Uint32Array(vector.buffer);
    // The vector's backing store (off the JavaScript heap at this size) does not move
    // while it lives (kept referenced by `#vector`): its address is taken once, here.
    const base = Deno.UnsafePointer.value(Deno.UnsafePointer.of(vector));
    const view = new DataView(vector.buffer);
    vector.set(
      sockaddrIn(ipv4(this.#destination.hostname)!, this.#destination.port),
    );
    for (let i = 0; i < capacity; i++) {
      const message = SOCKADDR_LENGTH + i * MMSGHDR_LENGTH;
      const iovec = iovecs + i * IOVEC_LENGTH;
      view.setBigUint64(message, base, true); // msg_name: the destination
      view.setUint32(message + 8, SOCKADDR_LENGTH, true); // msg_namelen
      view.setBigUint64(message + 16, base + BigInt(iovec), true); // msg_iov
      view.setBigUint64(message + 24, 1n, true); // msg_iovlen (size_t)
      // msg_control, msg_controllen, msg_flags, msg_len: 0.
      view.setBigUint64(iovec, base + BigInt(slots + i * slotBytes), true); // iov_base
    }
    // The waiting datagrams, oldest first, into slots 0, 1, ...
    const old = this.#vector;
    const oldWords = this.#words;
    for (let k = 0; k < this.#pending; k++) {
      let slot = this.#head + k;
      if (slot >= this.#capacity) slot -= this.#capacity;
      const length = oldWords[(this.#iovecs + slot * IOVEC_LENGTH + 8) >>> 2]!;
      const from = this.#slots + slot * this.#slotBytes;
      vector.set(old.subarray(from, from + length), slots + k * slotBytes);
      words[(iovecs + k * IOVEC_LENGTH + 8) >>> 2] = length;
    }
    this.#vector = vector;
    this.#words = words;
    this.#head = 0;
    this.#capacity = capacity;
    this.#slotBytes = slotBytes;
    this.#iovecs = iovecs;
    this.#slots = slots;
  }

  #option(level: number, name: number, value: Uint8Array): void {
    const result = this.#libc.symbols.setsockopt(
      this.#fd,
      level,
      name,
      value,
      value.length,
    );
    if (result !== 0) this.#fail(`set socket option ${level}/${name}`);
  }

  #errno(): number {
    return errnoOf(this.#libc);
  }

  #fail(action: string): never {
    throw errnoError(this.#libc, action);
  }
}
