import assert from "node:assert/strict";
import { encodePacket, fromHex, toHex } from "../../lib/codec/mod.ts";
import type { LoginRequestPacket } from "../../lib/codec/packets.ts";
import { MessageLog } from "../../lib/session/message_log.ts";
import {
  type LoginDecision,
  ServerSession,
  type ServerSessionEnd,
  type ServerSessionOptions,
} from "../../lib/session/server_session.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

const SYSTEM_EVENT = fromHex("53 0000000000000001 53");

function login(overrides: Partial<LoginRequestPacket> = {}): Uint8Array {
  return encodePacket({
    type: "loginRequest",
    username: "demo1",
    password: "demo",
    requestedSession: "",
    requestedSequenceNumber: 1,
    ...overrides,
  });
}

function setup(
  decide: (request: LoginRequestPacket) => LoginDecision = () => ({
    accept: true,
    session: "2026112501",
    stream: log,
    sequenced: log.length,
  }),
  options: ServerSessionOptions = {},
  log = new MessageLog(),
) {
  const output = new WriteBuffer();
  const messages: number[][] = [];
  const ends: ServerSessionEnd[] = [];
  const requests: LoginRequestPacket[] = [];
  const session = new ServerSession(
    {
      login: (request) => {
        requests.push(request);
        return decide(request);
      },
      message: (message) => messages.push([...message]),
      end: (end) => ends.push(end),
    },
    output,
    0,
    options,
  );
  const sent = () => {
    const bytes = output.take();
    return bytes === null
      ? ""
      : [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  };
  return { session, output, messages, ends, requests, sent, log };
}

const LOGIN_ACCEPTED_1 = "001f41" + "32303236313132353031" +
  " ".repeat(19).replace(/ /g, "20") +
  "31";

Deno.test("ServerSession.receive() accepts a login and answers Login Accepted with the next sequence number", () => {
  const { session, sent, requests } = setup();
  session.receive(login(), 5);
  assert.equal(session.state, "active");
  assert.equal(session.username, "demo1");
  assert.deepEqual(requests, [{
    type: "loginRequest",
    username: "demo1",
    password: "demo",
    requestedSession: "",
    requestedSequenceNumber: 1,
  }]);
  assert.equal(sent(), LOGIN_ACCEPTED_1);
});

Deno.test("ServerSession.receive() answers a refused login with Login Rejected and ends", () => {
  for (const code of ["A", "S"] as const) {
    const { session, sent, ends } = setup(() => ({ accept: false, code }));
    session.receive(login({ password: "wrong" }), 0);
    assert.equal(session.state, "ended");
    assert.equal(sent(), "00024a" + code.charCodeAt(0).toString(16));
    assert.deepEqual(ends, [{ reason: "loginRejected", code }]);
  }
});

Deno.test("ServerSession.pump() replays from the requested sequence number", () => {
  const log = new MessageLog();
  for (let i = 0; i < 5; i++) log.append(SYSTEM_EVENT);
  const { session, output } = setup(undefined, {}, log);
  session.receive(login({ requestedSequenceNumber: 4 }), 0);
  assert.equal(session.backlog, 2);
  assert.equal(session.pump(1 << 20), 0);
  const bytes = output.take()!;
  // Login Accepted says 4, then messages 4 and 5.
  assert.equal(new TextDecoder().decode(bytes.subarray(13, 33)).trim(), "4");
  assert.equal(bytes.length, 33 + 2 * 13);
  assert.equal(session.nextSequenceNumber, 6);
});

Deno.test("ServerSession login with sequence number 0 or beyond the log sends only new messages", () => {
  for (const requested of [0, 99]) {
    const log = new MessageLog();
    for (let i = 0; i < 3; i++) log.append(SYSTEM_EVENT);
    const { session, output } = setup(undefined, {}, log);
    session.receive(login({ requestedSequenceNumber: requested }), 0);
    session.pump(1 << 20);
    const bytes = output.take()!;
    assert.equal(bytes.length, 33, `requested ${requested}`);
    assert.equal(new TextDecoder().decode(bytes.subarray(13, 33)).trim(), "4");
    log.append(SYSTEM_EVENT);
    session.pump(1 << 20);
    assert.equal(output.take()!.length, 13);
  }
});

Deno.test("ServerSession login with sequence number 0 starts after the messages sequenced, durable or not", () => {
  const log = new MessageLog();
  log.append(SYSTEM_EVENT);
  // Two messages are sequenced; only the first is in the stream (durable) so far.
  const { session, output } = setup(
    () => ({ accept: true, session: "S", stream: log, sequenced: 2 }),
    {},
    log,
  );
  session.receive(login({ requestedSequenceNumber: 0 }), 0);
  assert.equal(session.nextSequenceNumber, 3);
  assert.equal(session.backlog, 0);
  assert.equal(session.pump(1 << 20), 0);
  assert.equal(output.take()!.length, 33, "Login Accepted only");
  log.append(SYSTEM_EVENT);
  assert.equal(session.pump(1 << 20), 0);
  assert.equal(output.take(), null, "message 2 was before the login");
  log.append(SYSTEM_EVENT);
  assert.equal(session.backlog, 1);
  assert.equal(session.pump(1 << 20), 0);
  assert.equal(output.take()!.length, 13);
  assert.equal(session.nextSequenceNumber, 4);
});

Deno.test("ServerSession.receive() hands Unsequenced Data to the handler after login", () => {
  const { session, messages } = setup();
  session.receive(login(), 0);
  session.receive(fromHex("000a55 58 00000007 00000000"), 1);
  assert.deepEqual(messages, [[0x58, 0, 0, 0, 7, 0, 0, 0, 0]]);
});

Deno.test("ServerSession.receive() handles a login and messages split at every byte", () => {
  const wire = new Uint8Array([
    ...login(),
    ...fromHex("000a55 58 00000007 00000000 000152"),
  ]);
  for (let cut = 0; cut <= wire.length; cut++) {
    const { session, messages } = setup();
    session.receive(wire.subarray(0, cut), 0);
    session.receive(wire.subarray(cut), 0);
    assert.equal(session.state, "active", `cut at ${cut}`);
    assert.equal(messages.length, 1, `cut at ${cut}`);
  }
});

Deno.test("ServerSession.receive() refuses data before login", () => {
  for (const packet of ["000a55 58 00000007 00000000", "000152", "00014f"]) {
    const { session } = setup();
    assert.throws(() => session.receive(fromHex(packet), 0), {
      name: "SoupBinTcpError",
      message: /before login/,
    });
    assert.equal(session.state, "ended");
  }
});

Deno.test("ServerSession.receive() refuses a second Login Request", () => {
  const { session } = setup();
  session.receive(login(), 0);
  assert.throws(() => session.receive(login(), 1), {
    name: "SoupBinTcpError",
    message: /second Login Request/,
  });
});

Deno.test("ServerSession.receive() refuses unknown, server-only and oversized packets", () => {
  const cases: [string, RegExp][] = [
    ["000151", /unknown|type/i], // "Q"
    ["000148", /type|direction|server/i], // a Server Heartbeat from a client
    ["0000", /length/], // zero length
    ["ffff55", /length/], // over the maximum packet length
    ["000155", /empty/], // Unsequenced Data without a message
  ];
  for (const [hex, message] of cases) {
    const { session } = setup(undefined, { maxPacketLength: 1024 });
    session.receive(login(), 0);
    assert.throws(() => session.receive(fromHex(hex), 1), {
      name: "SoupBinTcpError",
      message,
    }, hex);
    assert.equal(session.state, "ended");
  }
});

Deno.test("ServerSession.receive() passes a handler's error up and ends the session", () => {
  const output = new WriteBuffer();
  const session = new ServerSession(
    {
      login: () => ({
        accept: true,
        session: "S",
        stream: new MessageLog(),
        sequenced: 0,
      }),
      message: () => {
        throw new SyntaxError("bad message");
      },
      end: () => {},
    },
    output,
    0,
  );
  session.receive(login(), 0);
  assert.throws(
    () => session.receive(fromHex("000a55 58 00000007 00000000"), 1),
    {
      message: "bad message",
    },
  );
  assert.equal(session.state, "ended");
});

Deno.test("ServerSession.tick() sends a heartbeat after a quiet second, not before", () => {
  const { session, sent } = setup();
  session.receive(login(), 0);
  sent();
  session.tick(999);
  assert.equal(sent(), "");
  session.tick(1000);
  assert.equal(sent(), "000148");
  session.tick(1500);
  assert.equal(sent(), "");
  session.receive(fromHex("000152"), 1900); // client heartbeat: receiving does not count as sending
  session.tick(2000);
  assert.equal(sent(), "000148");
});

Deno.test("ServerSession.tick() ends the session after 15 s without client traffic", () => {
  const { session, ends } = setup();
  session.receive(login(), 0);
  session.receive(fromHex("000152"), 10_000);
  session.tick(24_999);
  assert.equal(session.state, "active");
  session.tick(25_000);
  assert.equal(session.state, "ended");
  assert.deepEqual(ends, [{ reason: "idleTimeout", afterMs: 15_000 }]);
});

Deno.test("ServerSession.tick() ends a connection that does not log in in time", () => {
  const { session, ends, sent } = setup(undefined, { loginTimeoutMs: 5000 });
  session.tick(4999);
  assert.equal(session.state, "awaitingLogin");
  session.tick(5000);
  assert.deepEqual(ends, [{ reason: "loginTimeout", afterMs: 5000 }]);
  assert.equal(sent(), "", "no heartbeat before login");
});

Deno.test("ServerSession logout ends the session; endSession() sends the rest and End of Session", () => {
  const first = setup();
  first.session.receive(login(), 0);
  first.session.receive(fromHex("00014f"), 1);
  assert.deepEqual(first.ends, [{ reason: "logout" }]);

  const log = new MessageLog();
  const second = setup(undefined, {}, log);
  second.session.receive(login(), 0);
  second.sent();
  log.append(SYSTEM_EVENT);
  second.session.endSession();
  assert.equal(
    second.sent(),
    "000b53" + "530000000000000001" + "53" + "00015a",
  );
  assert.deepEqual(second.ends, [{ reason: "endOfSession" }]);
});

Deno.test("ServerSession.pump() still sends the answers to messages read before a logout", () => {
  const log = new MessageLog();
  const output = new WriteBuffer();
  const session = new ServerSession(
    {
      login: () => ({ accept: true, session: "S", stream: log, sequenced: 0 }),
      // The exchange answers the order by appending to the log, as the server does.
      message: () => log.append(SYSTEM_EVENT),
      end: () => {},
    },
    output,
    0,
  );
  session.receive(login(), 0);
  output.take();
  // An order and a Logout Request in the same read.
  session.receive(fromHex("000a55 58 00000007 00000000 00014f"), 1);
  assert.equal(session.state, "ended");
  assert.equal(session.pump(1 << 20), 0);
  assert.equal(toHex(output.take()!), "000b53" + toHex(SYSTEM_EVENT));
  // After End of Session nothing more goes out.
  const second = setup(undefined, {}, new MessageLog());
  second.session.receive(login(), 0);
  second.session.endSession();
  second.sent();
  second.log.append(SYSTEM_EVENT);
  assert.equal(second.session.pump(1 << 20), 0);
  assert.equal(second.sent(), "");
});

Deno.test("ServerSession ignores Debug packets in either state", () => {
  const { session, messages } = setup();
  session.receive(fromHex("00032b6869"), 0);
  session.receive(login(), 0);
  session.receive(fromHex("00032b6869"), 0);
  assert.equal(session.state, "active");
  assert.equal(messages.length, 0);
});
