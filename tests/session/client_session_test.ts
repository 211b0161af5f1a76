import assert from "node:assert/strict";
import { encodePacket, fromHex, toHex } from "../../lib/codec/mod.ts";
import { ClientSession } from "../../lib/session/client_session.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

function setup() {
  const output = new WriteBuffer();
  const events: string[] = [];
  const session = new ClientSession(
    {
      loginAccepted: (session, sequence) =>
        events.push(`accepted ${session} ${sequence}`),
      loginRejected: (code) => events.push(`rejected ${code}`),
      message: (message, sequence) =>
        events.push(`message ${sequence} ${toHex(message)}`),
      endOfSession: () => events.push("end"),
      debug: (text) => events.push(`debug ${text}`),
    },
    output,
    0,
  );
  const sent = () => {
    const bytes = output.take();
    return bytes === null ? "" : toHex(bytes);
  };
  return { session, events, sent };
}

const ACCEPTED = encodePacket({
  type: "loginAccepted",
  session: "2026112501",
  sequenceNumber: 7,
});

Deno.test("ClientSession.login() writes a Login Request padded as SoupBinTCP wants", () => {
  const { session, sent } = setup();
  session.login({
    username: "demo1",
    password: "demo",
    requestedSequenceNumber: 12,
  });
  assert.equal(
    sent(),
    "002f4c" +
      toHex(new TextEncoder().encode("demo1 demo      " + " ".repeat(10))) +
      toHex(new TextEncoder().encode("12".padStart(20))),
  );
  assert.equal(session.state, "loggingIn");
  assert.throws(() => session.login({ username: "x", password: "y" }), {
    name: "TypeError",
  });
});

Deno.test("ClientSession numbers sequenced messages from Login Accepted", () => {
  const { session, events } = setup();
  session.login({ username: "demo1", password: "demo" });
  session.receive(
    new Uint8Array([
      ...ACCEPTED,
      ...fromHex("000b53 53 0000000000000001 53 000148"),
    ]),
    1,
  );
  session.receive(fromHex("000b53 53 0000000000000002 45"), 2);
  assert.deepEqual(events, [
    "accepted 2026112501 7",
    "message 7 53000000000000000153",
    "message 8 53000000000000000245",
  ]);
  assert.equal(session.nextSequenceNumber, 9);
});

Deno.test("ClientSession reports Login Rejected and End of Session", () => {
  const rejected = setup();
  rejected.session.login({ username: "demo1", password: "bad" });
  rejected.session.receive(fromHex("00024a41"), 1);
  assert.deepEqual(rejected.events, ["rejected A"]);
  assert.equal(rejected.session.state, "ended");

  const ended = setup();
  ended.session.login({ username: "demo1", password: "demo" });
  ended.session.receive(new Uint8Array([...ACCEPTED, ...fromHex("00015a")]), 1);
  assert.deepEqual(ended.events, ["accepted 2026112501 7", "end"]);
  assert.equal(ended.session.state, "ended");
});

Deno.test("ClientSession.tick() sends heartbeats when quiet and reports a silent server", () => {
  const { session, sent } = setup();
  session.login({ username: "demo1", password: "demo" });
  sent();
  session.receive(ACCEPTED, 100);
  assert.equal(session.tick(999), "ok");
  assert.equal(
    sent(),
    "",
    "the login was sent at 0, but heartbeats start after login",
  );
  assert.equal(session.tick(1000), "ok");
  assert.equal(sent(), "000152");
  session.send({ type: "cancelOrder", orderToken: 1, quantity: 0 });
  sent();
  assert.equal(session.tick(1999), "ok");
  assert.equal(sent(), "");
  assert.equal(session.tick(15_099), "ok");
  assert.equal(session.tick(15_100), "serverTimeout");
});

Deno.test("ClientSession.receive() refuses packets a server may not send", () => {
  const { session } = setup();
  session.login({ username: "demo1", password: "demo" });
  assert.throws(
    () => session.receive(fromHex("000b53 53 0000000000000001 53"), 1),
    {
      name: "SoupBinTcpError",
      message: /loggingIn/,
    },
  );
  const other = setup();
  other.session.login({ username: "demo1", password: "demo" });
  assert.throws(() => other.session.receive(fromHex("000152"), 1), {
    name: "SoupBinTcpError",
  });
});

Deno.test("ClientSession.logout() still delivers messages in flight", () => {
  const { session, events, sent } = setup();
  session.login({ username: "demo1", password: "demo" });
  session.receive(ACCEPTED, 1);
  sent();
  session.logout();
  assert.equal(sent(), "00014f");
  assert.equal(session.state, "loggingOut");
  session.receive(fromHex("000b53 53 0000000000000001 53"), 2);
  assert.equal(events.length, 2);
  session.logout();
  assert.equal(sent(), "", "a second logout writes nothing");
});
