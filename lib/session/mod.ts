/**
 * SoupBinTCP 3.00 sessions without I/O: the server side of a connection
 * ({@linkcode ServerSession}), the client side ({@linkcode ClientSession}), the per-account
 * store of sequenced messages used for replay ({@linkcode MessageLog}) and the output buffer
 * both write into ({@linkcode WriteBuffer}).
 *
 * The transport owns the socket and the clock: it calls `receive(bytes, nowMs)` with what it
 * reads, `tick(nowMs)` now and then, and writes what `WriteBuffer.take()` returns.
 *
 * @example A client and a server session talking through their buffers
 * ```ts
 * import { ClientSession, MessageLog, ServerSession, WriteBuffer } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const log = new MessageLog();
 * const toServer = new WriteBuffer();
 * const toClient = new WriteBuffer();
 * const received: Uint8Array[] = [];
 * const server = new ServerSession({
 *   login: ({ password }) =>
 *     password === "demo"
 *       ? { accept: true, session: "2026112501", stream: log, sequenced: log.length }
 *       : { accept: false, code: "A" },
 *   message: (message) => received.push(message.slice()),
 *   end: () => {},
 * }, toClient, 0);
 * let accepted = "";
 * const client = new ClientSession({
 *   loginAccepted: (session) => accepted = session,
 *   loginRejected: () => {},
 *   message: () => {},
 *   endOfSession: () => {},
 * }, toServer, 0);
 * client.login({ username: "demo1", password: "demo" });
 * client.send({ type: "cancelOrder", orderToken: 7, quantity: 0 });
 * server.receive(toServer.take()!, 1);
 * client.receive(toClient.take()!, 2);
 * assert.equal(accepted, "2026112501");
 * assert.deepEqual(received, [new Uint8Array([0x58, 0, 0, 0, 7, 0, 0, 0, 0])]);
 * ```
 *
 * @module
 */
export * from "./client_session.ts";
export * from "./message_log.ts";
export * from "./server_session.ts";
export * from "./write_buffer.ts";
