/**
 * Edge infrastructure shared by every TCP edge: {@linkcode SoupBinTcpSocket}, the one
 * SoupBinTCP socket driver (read loop, ordered and coalesced writes, back-pressure, close)
 * under the server's connections, the client's connection and the load generator.
 *
 * This layer sits between the pure session layer (`lib/session`, which it drives) and the
 * edges (`lib/server`, `lib/client`); it imports `lib/codec` and `lib/session` and nothing
 * above them.
 *
 * @example A session's output written through the driver
 * ```ts
 * import { SoupBinTcpSocket } from "./mod.ts";
 * import { ClientSession } from "../session/mod.ts";
 * import assert from "node:assert/strict";
 *
 * let wire = 0;
 * const conn = {
 *   read: () => Promise.resolve(null),
 *   write: (bytes: Uint8Array) => {
 *     wire += bytes.length;
 *     return Promise.resolve(bytes.length);
 *   },
 *   close: () => {},
 * };
 * const socket = new SoupBinTcpSocket(conn, { receive: () => {} });
 * const session = new ClientSession({
 *   loginAccepted: () => {},
 *   loginRejected: () => {},
 *   message: () => {},
 *   endOfSession: () => {},
 * }, socket.output, 0);
 * session.login({ username: "demo1", password: "demo" });
 * socket.requestFlush();
 * socket.start();
 * await socket.closed;
 * assert.equal(wire, 49); // one Login Request
 * ```
 *
 * @module
 */
export * from "./soupbintcp_socket.ts";
