import assert from "node:assert/strict";
import {
  type ConnectAttempt,
  type ConnectionEvent,
  OuchConnection,
} from "../../lib/client/connection.ts";
import type { OuchServer } from "../../lib/server/server.ts";
import { enter, startServer, TestClient } from "../server/_harness.ts";
import { Proxy } from "./_proxy.ts";
import { until } from "./_until.ts";

/** Waits until the server has sent its first connection `count` sequenced messages. */
async function untilServerSent(
  server: OuchServer,
  connection: OuchConnection,
  count: number,
): Promise<void> {
  const deadline = performance.now() + 5000;
  while (server.connections()[0]?.nextSequenceNumber !== count + 1) {
    assert.ok(performance.now() < deadline, "the server did not answer");
    await connection.wait(10);
  }
}

Deno.test("OuchConnection reconnects after a cut and replays exactly the missed messages", async () => {
  const server = startServer();
  const proxy = new Proxy(server.address.port);
  const events: ConnectionEvent[] = [];
  const connection = await OuchConnection.open({
    port: proxy.port,
    username: "alice",
    password: "pw-a",
    initialBackoffMs: 50,
  }, (event) => events.push(event));
  const messages = () =>
    events.flatMap((event) => event.type === "message" ? [event] : []);
  try {
    await until(connection, () => connection.active, "the login");
    connection.send(enter(1, { price: 23000 }));
    // System Event S, the day's first message (K24), then the answer.
    await until(connection, () => messages().length === 2, "the first answer");

    // The server's next answers never reach the client: they are swallowed, then the
    // link is cut, which also cancels alice's resting orders (reason L).
    proxy.swallow = true;
    connection.send(enter(2, { price: 22990 }));
    connection.send(enter(3, { price: 22980 }));
    await untilServerSent(server, connection, 4);
    proxy.swallow = false;
    proxy.cut();

    await until(connection, () => messages().length === 7, "the replay");
    await connection.wait(200); // nothing more may come
    assert.deepEqual(
      messages().map((event) => [
        event.sequenceNumber,
        event.message.type,
        "orderToken" in event.message ? event.message.orderToken : 0,
      ]),
      [
        [1, "systemEvent", 0],
        [2, "orderAccepted", 1],
        [3, "orderAccepted", 2],
        [4, "orderAccepted", 3],
        [5, "orderCanceled", 1],
        [6, "orderCanceled", 2],
        [7, "orderCanceled", 3],
      ],
    );
    const logins = events.filter((event) => event.type === "loginAccepted");
    assert.deepEqual(logins, [
      {
        type: "loginAccepted",
        address: `127.0.0.1:${proxy.port}`,
        session: "2026112501",
        sequenceNumber: 1,
        reconnect: false,
      },
      {
        type: "loginAccepted",
        address: `127.0.0.1:${proxy.port}`,
        session: "2026112501",
        sequenceNumber: 3,
        reconnect: true,
      },
    ]);
    assert.ok(events.some((event) => event.type === "disconnected"));
    assert.equal(connection.nextSequenceNumber, 8);

    // After a clean logout, a fresh login from 1 sees the same stream.
    assert.deepEqual(await connection.logout(), { reason: "logout" });
    const check = await TestClient.connect(server);
    try {
      await check.login("alice", "pw-a", 1);
      assert.deepEqual(
        await check.messages(7),
        messages().map((event) => event.message),
      );
    } finally {
      await check.logout();
      await check.closedByServer();
      await check.close();
    }
  } finally {
    await connection.close();
    await proxy.close();
    await server.shutdown();
  }
});

Deno.test("OuchConnection keeps what is sent while the link is down and sends it after the login", async () => {
  const server = startServer();
  const proxy = new Proxy(server.address.port);
  const events: ConnectionEvent[] = [];
  const connection = await OuchConnection.open({
    port: proxy.port,
    username: "bob",
    password: "pw-b",
    initialBackoffMs: 50,
  }, (event) => events.push(event));
  try {
    await until(connection, () => connection.active, "the login");
    proxy.cut();
    await until(connection, () => !connection.active, "the drop");
    connection.send(enter(1));
    const answers = () =>
      events.flatMap((event) =>
        event.type === "message" && event.message.type !== "systemEvent"
          ? [event.message.type]
          : []
      );
    await until(connection, () => answers().length > 0, "the answer");
    assert.deepEqual(answers(), ["orderAccepted"]);
  } finally {
    await connection.close();
    await proxy.close();
    await server.shutdown();
  }
});

Deno.test("OuchConnection stops on End of Session", async () => {
  const server = startServer();
  const events: ConnectionEvent[] = [];
  const connection = await OuchConnection.open({
    port: server.address.port,
    username: "carol",
    password: "pw-c",
  }, (event) => events.push(event));
  try {
    await until(connection, () => connection.active, "the login");
    await server.shutdown();
    assert.deepEqual(await connection.done, { reason: "endOfSession" });
    assert.deepEqual(events.at(-1), { type: "endOfSession" });
    assert.throws(() => connection.send(enter(1)), { name: "TypeError" });
  } finally {
    await connection.close();
  }
});

Deno.test("OuchConnection lists the messages not answered yet and opens every attempt through connect", async () => {
  const server = startServer();
  const proxy = new Proxy(server.address.port);
  const attempts: ConnectAttempt[] = [];
  const connection = await OuchConnection.open({
    port: 1, // never used: every attempt goes through connect
    username: "alice",
    password: "pw-a",
    initialBackoffMs: 50,
    connect: (attempt) => {
      attempts.push(attempt);
      return Deno.connect({ hostname: "127.0.0.1", port: proxy.port });
    },
  }, () => {});
  try {
    await until(connection, () => connection.active, "the login");
    connection.send(enter(1, { price: 23000 }));
    await until(
      connection,
      () => connection.unanswered().length === 0,
      "the answer to order 1",
    );
    // The answers to 2 and 3 are swallowed: both stay unanswered, written.
    proxy.swallow = true;
    connection.send(enter(2, { price: 22990 }));
    connection.send(enter(3, { price: 22980 }));
    await untilServerSent(server, connection, 4);
    assert.deepEqual(connection.unanswered(), [
      { message: enter(2, { price: 22990 }), written: true },
      { message: enter(3, { price: 22980 }), written: true },
    ]);
    // After the cut, the replay answers them.
    proxy.swallow = false;
    proxy.cut();
    await until(
      connection,
      () => connection.unanswered().length === 0,
      "the replayed answers",
    );
    const host = { hostname: "127.0.0.1", port: 1 };
    assert.deepEqual(attempts, [
      { reconnect: false, failures: 0, host },
      { reconnect: true, failures: 0, host },
    ]);
  } finally {
    await connection.close();
    await proxy.close();
    await server.shutdown();
  }
});
