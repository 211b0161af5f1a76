import assert from "node:assert/strict";
import { encodePacket } from "../../lib/codec/mod.ts";
import {
  describeClose,
  type SocketCloseReason,
  SoupBinTcpSocket,
  type SoupBinTcpSocketHandler,
  type SoupBinTcpSocketOptions,
} from "../../lib/net/soupbintcp_socket.ts";
import { ClientSession } from "../../lib/session/client_session.ts";
import { FakeConn, turn } from "./_fake_conn.ts";

/** A driver on a fake connection that records what it hands over. */
function drive(
  handler: Partial<SoupBinTcpSocketHandler> = {},
  options: SoupBinTcpSocketOptions = {},
) {
  const conn = new FakeConn();
  const received: number[][] = [];
  const reasons: SocketCloseReason[] = [];
  const socket = new SoupBinTcpSocket(conn, {
    receive: (chunk) => received.push([...chunk]),
    closed: (reason) => reasons.push(reason),
    ...handler,
  }, options);
  return { conn, socket, received, reasons };
}

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("SoupBinTcpSocket.start() hands every chunk to receive, in order, from one reused buffer", async () => {
  const { conn, socket, received } = drive({}, { readBufferSize: 4 });
  socket.start();
  conn.feed([1, 2, 3]);
  await turn();
  conn.feed([4, 5, 6, 7, 8, 9]); // more than the buffer: two reads
  await turn();
  assert.deepEqual(received, [[1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.equal(new Set(conn.readBuffers).size, 1, "one buffer for every read");
  assert.equal(conn.readBuffers[0]!.length, 4);
  socket.close("done");
  await socket.closed;
});

Deno.test("SoupBinTcpSocket feeds a ClientSession the same packets at every split point", async () => {
  const wire = new Uint8Array([
    ...encodePacket({
      type: "loginAccepted",
      session: "2026112801",
      sequenceNumber: 7,
    }),
    ...encodePacket({ type: "serverHeartbeat" }),
    ...encodePacket({ type: "sequencedData", message: bytes(0x53, 1, 2) }),
    ...encodePacket({ type: "endOfSession" }),
  ]);
  for (let cut = 0; cut <= wire.length; cut++) {
    const events: string[] = [];
    const { conn, socket } = drive({
      receive: (chunk, now) => session.receive(chunk, now),
    });
    const session = new ClientSession(
      {
        loginAccepted: (id, next) => events.push(`accepted ${id} ${next}`),
        loginRejected: (code) => events.push(`rejected ${code}`),
        message: (message, number) => events.push(`${number}: ${[...message]}`),
        endOfSession: () => events.push("end"),
      },
      socket.output,
      0,
    );
    session.login({ username: "demo1", password: "demo" });
    socket.start();
    conn.feed(wire.subarray(0, cut));
    await turn();
    conn.feed(wire.subarray(cut));
    conn.end();
    assert.deepEqual(await socket.closed, { type: "eof" }, `cut at ${cut}`);
    assert.deepEqual(events, [
      "accepted 2026112801 7",
      "7: 83,1,2",
      "end",
    ], `cut at ${cut}`);
  }
});

Deno.test("SoupBinTcpSocket.requestFlush() writes everything of one turn in one write", async () => {
  const { conn, socket } = drive();
  socket.output.append(bytes(1, 2));
  socket.requestFlush();
  socket.output.append(bytes(3));
  socket.requestFlush();
  socket.output.append(bytes(4, 5));
  socket.requestFlush();
  await turn();
  assert.deepEqual(conn.writes, [bytes(1, 2, 3, 4, 5)]);

  // While a write is in flight, what is written in later turns waits and goes out together.
  conn.holdWrites = true;
  socket.output.append(bytes(6));
  socket.requestFlush();
  await turn();
  assert.equal(conn.pendingWrites, 1);
  socket.output.append(bytes(7));
  socket.requestFlush();
  await turn();
  socket.output.append(bytes(8, 9));
  socket.requestFlush();
  await turn();
  assert.equal(conn.pendingWrites, 1, "one write in flight at a time");
  conn.releaseWrites();
  await turn();
  assert.deepEqual(conn.writes.slice(1), [bytes(6), bytes(7, 8, 9)]);
  socket.close("done");
  await socket.closed;
});

Deno.test("SoupBinTcpSocket.flush() keeps the order through partial writes", async () => {
  const { conn, socket } = drive();
  conn.writeLimit = 3;
  const all = Array.from({ length: 40 }, (_, i) => i);
  socket.output.append(Uint8Array.from(all.slice(0, 25)));
  socket.requestFlush();
  await Promise.resolve(); // the flush has started: the rest waits for the next write
  socket.output.append(Uint8Array.from(all.slice(25)));
  socket.requestFlush();
  for (let i = 0; i < 20; i++) await turn();
  assert.deepEqual([...conn.written], all);
  assert.ok(conn.writes.every((write) => write.length <= 3));
  socket.close("done");
  await socket.closed;
});

Deno.test("SoupBinTcpSocket.writable turns false at the high-water mark and drain fires below it", async () => {
  let drains = 0;
  const { conn, socket } = drive({ drain: () => drains++ }, {
    highWaterBytes: 10,
  });
  conn.holdWrites = true;
  assert.equal(socket.writable, true);
  socket.output.append(new Uint8Array(6));
  socket.requestFlush();
  await turn();
  assert.equal(socket.buffered, 6, "in flight");
  assert.equal(socket.writable, true);
  socket.output.append(new Uint8Array(4));
  assert.equal(socket.buffered, 10);
  assert.equal(socket.writable, false);
  socket.requestFlush();
  conn.releaseWrites();
  await turn();
  // The first write completed with 4 bytes waiting: below the mark, so drain fired.
  assert.equal(drains, 1);
  assert.equal(socket.writable, true);
  conn.releaseWrites();
  await turn();
  assert.equal(socket.buffered, 0);
  assert.equal(drains, 1, "once per time the mark was reached");
  assert.deepEqual(conn.writes.map((write) => write.length), [6, 4]);
  socket.close("done");
  await socket.closed;
});

Deno.test("SoupBinTcpSocket calls beforeWrite with the high-water mark before each write", async () => {
  const limits: number[] = [];
  let pulled = 0;
  const made = drive({
    beforeWrite: (maxBytes) => {
      const socket = made.socket;
      limits.push(maxBytes);
      // A pulling producer: 25 bytes in all, at most maxBytes at a time.
      while (pulled < 25 && socket.output.length < maxBytes) {
        socket.output.append(bytes(pulled++));
      }
    },
  }, { highWaterBytes: 10 });
  const socket = made.socket;
  socket.requestFlush();
  for (let i = 0; i < 5; i++) await turn();
  assert.deepEqual(made.conn.writes.map((write) => write.length), [10, 10, 5]);
  assert.deepEqual(
    [...made.conn.written],
    Array.from({ length: 25 }, (_, i) => i),
  );
  assert.deepEqual(
    limits,
    [10, 10, 10, 10],
    "the last call found nothing more",
  );
  socket.close("done");
  await socket.closed;
});

Deno.test("SoupBinTcpSocket reports eof after writing what was waiting", async () => {
  const { conn, socket, reasons } = drive();
  socket.start();
  conn.holdWrites = true;
  socket.output.append(bytes(1, 2, 3));
  socket.requestFlush();
  conn.end();
  await turn();
  assert.equal(conn.closed, false, "still writing");
  assert.equal(socket.open, false, "no longer reading");
  conn.releaseWrites();
  assert.deepEqual(await socket.closed, { type: "eof" });
  assert.deepEqual(reasons, [{ type: "eof" }]);
  assert.deepEqual(conn.writes, [bytes(1, 2, 3)]);
  assert.equal(conn.closeCount, 1);
});

Deno.test("SoupBinTcpSocket reports a failed read and a failed write", async () => {
  const readError = new Error("Connection reset by peer");
  const read = drive();
  read.socket.start();
  read.conn.failRead(readError);
  assert.deepEqual(await read.socket.closed, {
    type: "error",
    during: "read",
    error: readError,
  });
  assert.equal(read.conn.closeCount, 1);

  const writeError = new Error("Broken pipe");
  const write = drive();
  write.socket.start();
  write.conn.failWrites(writeError);
  write.socket.output.append(bytes(1));
  write.socket.requestFlush();
  assert.deepEqual(await write.socket.closed, {
    type: "error",
    during: "write",
    error: writeError,
  });
  assert.deepEqual(write.reasons.map((reason) => reason.type), ["error"]);
  assert.equal(write.conn.closeCount, 1);
  assert.equal(
    describeClose(await write.socket.closed, "the server"),
    "write failed: Broken pipe",
  );
});

Deno.test("SoupBinTcpSocket.close() closes at once, drops the output, and only once", async () => {
  const { conn, socket, reasons, received } = drive();
  socket.start();
  socket.output.append(bytes(1, 2));
  socket.requestFlush();
  socket.close("the operator said so");
  socket.close("again");
  socket.end("and again");
  socket.requestFlush();
  conn.feed([9]);
  assert.deepEqual(await socket.closed, {
    type: "local",
    detail: "the operator said so",
  });
  await turn();
  assert.deepEqual(conn.writes, []);
  assert.deepEqual(received, []);
  assert.equal(conn.closeCount, 1);
  assert.equal(reasons.length, 1);
});

Deno.test("SoupBinTcpSocket.end() stops reading, writes what is waiting, then closes", async () => {
  const { conn, socket, received, reasons } = drive();
  socket.start();
  conn.feed([1]);
  await turn();
  conn.holdWrites = true;
  socket.output.append(bytes(7, 7));
  socket.end("logout");
  conn.feed([2]); // arrives after the end: not handed over
  await turn();
  assert.equal(conn.closed, false);
  conn.releaseWrites();
  assert.deepEqual(await socket.closed, { type: "local", detail: "logout" });
  assert.deepEqual(received, [[1]]);
  assert.deepEqual(conn.writes, [bytes(7, 7)]);
  // The peer's end of stream after ours does not change the reason.
  assert.deepEqual(reasons, [{ type: "local", detail: "logout" }]);
});

Deno.test("SoupBinTcpSocket closes on a protocol error after writing the answers so far", async () => {
  const error = new SyntaxError("Cannot read packet: bad length");
  const made = drive({
    receive: (chunk) => {
      if (chunk[0] === 0xff) throw error;
      made.socket.output.append(chunk); // an echo as the answer
      made.socket.requestFlush();
    },
  });
  const socket = made.socket;
  socket.start();
  made.conn.feed([1, 2]);
  await turn();
  made.conn.holdWrites = true;
  made.conn.feed([3]);
  await turn();
  made.conn.feed([0xff]);
  made.conn.feed([4]);
  await turn();
  made.conn.releaseWrites();
  const reason = await socket.closed;
  assert.deepEqual(reason, { type: "protocol", error });
  assert.equal(
    describeClose(reason, "the client"),
    "SyntaxError: Cannot read packet: bad length",
  );
  assert.deepEqual(made.conn.writes, [bytes(1, 2), bytes(3)]);
  assert.equal(made.conn.closeCount, 1);
});

Deno.test("SoupBinTcpSocket.writeStalledMs() times the write in flight on its clock", async () => {
  let now = 100;
  const { conn, socket } = drive({}, { clock: () => now });
  assert.equal(socket.writeStalledMs(100), 0);
  conn.holdWrites = true;
  socket.output.append(bytes(1));
  socket.requestFlush();
  await turn();
  now = 10_100;
  assert.equal(socket.writeStalledMs(now), 10_000);
  conn.releaseWrites();
  await turn();
  assert.equal(socket.writeStalledMs(now), 0);
  socket.close("slow reader");
  assert.deepEqual(await socket.closed, {
    type: "local",
    detail: "slow reader",
  });
});

Deno.test("SoupBinTcpSocket passes its clock to receive and flushes through its schedule", async () => {
  const times: number[] = [];
  const scheduled: (() => void)[] = [];
  const { conn, socket } = drive({
    receive: (_, nowMs) => times.push(nowMs),
  }, { clock: () => 42, schedule: (flush) => scheduled.push(flush) });
  socket.start();
  conn.feed([1]);
  await turn();
  assert.deepEqual(times, [42]);
  socket.output.append(bytes(5));
  socket.requestFlush();
  socket.requestFlush();
  assert.equal(scheduled.length, 1, "one flush asked for");
  await turn();
  assert.deepEqual(conn.writes, [], "nothing before the schedule runs it");
  scheduled[0]!();
  await turn();
  assert.deepEqual(conn.writes, [bytes(5)]);
  socket.requestFlush();
  assert.equal(scheduled.length, 2, "a new request after the flush");
  socket.close("done");
  await socket.closed;
});

Deno.test("SoupBinTcpSocket refuses sizes that are not positive integers", () => {
  const conn = new FakeConn();
  assert.throws(
    () =>
      new SoupBinTcpSocket(conn, { receive: () => {} }, { readBufferSize: 0 }),
    { name: "RangeError", message: /readBufferSize 0/ },
  );
  assert.throws(
    () =>
      new SoupBinTcpSocket(conn, { receive: () => {} }, {
        highWaterBytes: 1.5,
      }),
    { name: "RangeError", message: /highWaterBytes 1\.5/ },
  );
});
