// Private: what the feed's FFI datagram sockets (`sendmmsg(2)` in datagram_sender.ts,
// `recvmmsg(2)` in datagram_receiver.ts) share: Linux's constants and struct sizes (the
// same on x86_64 and aarch64), libc's symbols, errno, and the checks before FFI is used.

export const AF_INET = 2;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const IPPROTO_IP = 0;
export const IP_MULTICAST_IF = 32;
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const MSG_TRUNC = 0x20;
export const EINTR = 4;
export const EAGAIN = 11;
export const ENOBUFS = 105;
/** The names of the errors these sockets meet. */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  9: "EBADF",
  13: "EACCES",
  22: "EINVAL",
  24: "EMFILE",
  90: "EMSGSIZE",
  97: "EAFNOSUPPORT",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  101: "ENETUNREACH",
  105: "ENOBUFS",
  111: "ECONNREFUSED",
  113: "EHOSTUNREACH",
};
/** `struct sockaddr_in`. */
export const SOCKADDR_LENGTH = 16;
/** `struct mmsghdr` (LP64): `struct msghdr` (56 bytes) + `msg_len` + padding. */
export const MMSGHDR_LENGTH = 64;
/** `struct iovec` (LP64): base pointer + length. */
export const IOVEC_LENGTH = 16;

const LIBC_SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  sendmmsg: { parameters: ["i32", "buffer", "u32", "i32"], result: "i32" },
  recvmmsg: {
    parameters: ["i32", "buffer", "u32", "i32", "pointer"],
    result: "i32",
  },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** libc, opened with the symbols above. */
export type Libc = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>;

/** Opens libc; throws when it cannot (no such library, a symbol missing). */
export function openLibc(): Libc {
  return Deno.dlopen("libc.so.6", LIBC_SYMBOLS);
}

/** Why these FFI sockets cannot be used here, or `null`. */
export function ffiRefusal(): string | null {
  if (Deno.build.os !== "linux") return `not Linux (${Deno.build.os})`;
  if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") {
    return `not x86_64 or aarch64 (${Deno.build.arch})`;
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return "no --allow-ffi";
  }
  return null;
}

/** The calling thread's `errno` (0 when libc cannot say). */
export function errnoOf(libc: Libc): number {
  const location = libc.symbols.__errno_location();
  return location === null
    ? 0
    : new Deno.UnsafePointerView(location).getInt32(0);
}

/** `Cannot ACTION: ENAME (N)` for the current `errno`. */
export function errnoError(libc: Libc, action: string): Error {
  const errno = errnoOf(libc);
  return new Error(
    `Cannot ${action}: ${ERRNO_NAMES[errno] ?? "errno"} (${errno})`,
  );
}

/** `struct sockaddr_in`: family in host order (little-endian here), port and address in network order. */
export function sockaddrIn(
  address: readonly number[],
  port: number,
): Uint8Array {
  const bytes = new Uint8Array(SOCKADDR_LENGTH);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port);
  bytes.set(address, 4);
  return bytes;
}

/** An `int` socket option's value. */
export function int32(value: number): Uint8Array {
  return new Uint8Array(new Int32Array([value]).buffer);
}
