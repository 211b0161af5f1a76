import assert from "node:assert/strict";
import {
  type ConnectionEvent,
  OuchConnection,
} from "../../lib/client/connection.ts";
import { runLoad } from "../../lib/client/load.ts";
import type { OutboundMessage } from "../../lib/codec/mod.ts";
import { enter, startServer, TestClient } from "../server/_harness.ts";
import { run } from "../../lib/client/cli.ts";
import { capture, waitForLine } from "./_capture.ts";
import { Proxy } from "./_proxy.ts";
import { until } from "./_until.ts";
import { assertEveryOrderEndedOnce } from "./_load_checks.ts";
import { startServerProcess } from "./_server_process.ts";

const SEED = new URL("../../test_inputs/client_1.json", import.meta.url)
  .pathname;

/** Two mirrored "hosts": two proxies in front of one server. */
function mirrors(port: number): [Proxy, Proxy] {
  return [new Proxy(port), new Proxy(port)];
}

/** Type, token and (for a cancel) reason of a message, for whole-list assertions. */
function brief(message: OutboundMessage): string {
  switch (message.type) {
    case "orderAccepted":
      return `A${message.orderToken}`;
    case "orderCanceled":
      return `C${message.orderToken}${message.orderCanceledReason}`;
    case "orderRejected":
      return `J${message.orderToken}`;
    case "systemEvent":
      return `S${message.eventCode}`;
    default:
      return message.type;
  }
}

Deno.test("OuchConnection moves to the next host on a lost link and sends the unanswered messages again, each answered once", async () => {
  const server = startServer();
  const [a, b] = mirrors(server.address.port);
  const events: ConnectionEvent[] = [];
  const connection = await OuchConnection.open({
    hosts: [
      { hostname: "127.0.0.1", port: a.port },
      { hostname: "127.0.0.1", port: b.port },
    ],
    username: "alice",
    password: "pw-a",
    initialBackoffMs: 20,
  }, (event) => events.push(event));
  const received = () =>
    events.flatMap((event) => event.type === "message" ? [event] : []);
  let bClosed = false;
  try {
    await until(connection, () => connection.active, "the login on A");
    assert.equal(connection.address, `127.0.0.1:${a.port}`);
    connection.send(enter(1, { price: 23000 }));
    await until(connection, () => received().length === 2, "order 1");

    // The server handles 2, 3 and the cancel of 2, but the answers are swallowed: the
    // client cannot tell that they arrived.
    a.swallow = true;
    connection.send(enter(2, { price: 22990 }));
    connection.send(enter(3, { price: 22980 }));
    connection.send({ type: "cancelOrder", orderToken: 2, quantity: 0 });
    const deadline = performance.now() + 5000;
    while (server.connections()[0]?.nextSequenceNumber !== 6) {
      assert.ok(performance.now() < deadline, "the server did not answer");
      await connection.wait(10);
    }
    // Order 4 never reaches the server.
    a.swallowInbound = true;
    connection.send(enter(4, { price: 22970 }));
    await connection.wait(50);
    assert.deepEqual(connection.unanswered().map((entry) => entry.message), [
      enter(2, { price: 22990 }),
      enter(3, { price: 22980 }),
      { type: "cancelOrder", orderToken: 2, quantity: 0 },
      enter(4, { price: 22970 }),
    ]);

    // Host A goes away for good: its links are cut and it takes no more connections.
    await a.close();
    await until(
      connection,
      () => connection.active && connection.unanswered().length === 0,
      "the login on B and the answers",
    );
    await connection.wait(200); // nothing more may come

    const logins = events.flatMap((event) =>
      event.type === "loginAccepted"
        ? [[event.address, event.sequenceNumber, event.reconnect]]
        : []
    );
    assert.deepEqual(logins, [
      [`127.0.0.1:${a.port}`, 1, false],
      [`127.0.0.1:${b.port}`, 3, true],
    ]);
    const disconnected = events.filter((event) =>
      event.type === "disconnected"
    );
    assert.ok(disconnected.length >= 1);
    assert.equal(
      disconnected[0]!.type === "disconnected" && disconnected[0]!.next,
      `127.0.0.1:${b.port}`,
    );
    // Every sequence number once, in order. The re-sent 2, 3 and the cancel of 2 are
    // ignored (K4: tokens not above the highest, an order already gone); 4 is entered
    // once. The account had no session between the hosts: cancel on disconnect (L).
    assert.deepEqual(
      received().map((event) => [event.sequenceNumber, brief(event.message)]),
      [
        [1, "SS"],
        [2, "A1"],
        [3, "A2"],
        [4, "A3"],
        [5, "C2U"],
        [6, "C1L"],
        [7, "C3L"],
        [8, "A4"],
      ],
    );
    assert.equal(connection.nextSequenceNumber, 9);
    assert.deepEqual(await connection.logout(), { reason: "logout" });

    // The account's stream on the server is exactly what the client saw.
    const check = await TestClient.connect(server);
    try {
      await check.login("alice", "pw-a", 1);
      const stream = await check.messages(9);
      assert.deepEqual(
        stream.slice(0, 8),
        received().map((event) => event.message),
      );
      // The logout left alice connected nowhere: order 4 ends with it.
      assert.deepEqual(stream.slice(8).map(brief), ["C4L"]);
    } finally {
      await check.logout();
      await check.closedByServer();
      await check.close();
    }
    await b.close();
    bClosed = true;
  } finally {
    await connection.close();
    await a.close();
    if (!bClosed) await b.close();
    await server.shutdown();
  }
});

Deno.test("OuchConnection.open() tries the next host when the first refuses", async () => {
  const server = startServer();
  const [a, b] = mirrors(server.address.port);
  const refused = a.port;
  await a.close();
  const events: ConnectionEvent[] = [];
  const connection = await OuchConnection.open({
    hosts: [
      { hostname: "127.0.0.1", port: refused },
      { hostname: "127.0.0.1", port: b.port },
    ],
    username: "bob",
    password: "pw-b",
  }, (event) => events.push(event));
  try {
    await until(connection, () => connection.active, "the login on B");
    assert.equal(connection.address, `127.0.0.1:${b.port}`);
    assert.equal(
      events[0]?.type === "loginAccepted" && events[0].address,
      `127.0.0.1:${b.port}`,
    );
  } finally {
    await connection.logout();
    await b.close();
    await server.shutdown();
  }
});

Deno.test("OuchConnection.open() fails with the last host's error when no host accepts", async () => {
  const a = new Proxy(1);
  const b = new Proxy(1);
  const ports = [a.port, b.port];
  await a.close();
  await b.close();
  await assert.rejects(
    OuchConnection.open({
      hosts: ports.map((port) => ({ hostname: "127.0.0.1", port })),
      username: "bob",
      password: "pw-b",
    }, () => {}),
    { name: "ConnectionRefused" },
  );
});

Deno.test("runLoad() fails over to the mirror when its host goes away mid-run, and every order still ends exactly once", async () => {
  const server = startServer({ market: { orderbooks: ["7203"] } });
  const [a, b] = mirrors(server.address.port);
  let cut: Promise<void> | undefined;
  let swallowedAt: number | undefined;
  let swallowedSent = 0;
  try {
    const report = await runLoad({
      hosts: [
        { hostname: "127.0.0.1", port: a.port },
        { hostname: "127.0.0.1", port: b.port },
      ],
      accounts: [
        { username: "alice", password: "pw-a" },
        { username: "bob", password: "pw-b" },
      ],
      count: 3000,
      rate: 3000,
      window: 50,
      crossPercent: 20,
      seed: 11,
      progressIntervalMs: 20,
      progress: (progress) => {
        // A third of the way in, host A stops passing the client's messages on: those
        // reach the server only if they are sent again. 100 ms later A goes away.
        if (swallowedAt === undefined && progress.sent >= 1000) {
          a.swallowInbound = true;
          swallowedAt = progress.elapsedMs;
          swallowedSent = progress.sent;
        }
        if (
          cut === undefined && swallowedAt !== undefined &&
          progress.elapsedMs - swallowedAt >= 100
        ) {
          cut = a.close();
        }
      },
    });
    assert.ok(cut !== undefined, "the cut happened during the run");
    assert.ok(swallowedSent < 3000, "messages were swallowed during the run");
    // Each session failed over once, to B, and sent what A had swallowed again.
    assert.equal(report.failovers.length, 2, report.failovers.join("\n"));
    const resent = report.failovers.map((line) => {
      const match = line.match(
        new RegExp(
          `^(alice|bob): 127\\.0\\.0\\.1:${a.port} lost, logged in to 127\\.0\\.0\\.1:${b.port} after \\d+ ms at message \\d+, (\\d+) unanswered messages sent again$`,
        ),
      );
      assert.ok(match, line);
      return Number(match[2]);
    });
    assert.ok(resent.some((count) => count > 0), resent.join());
    await cut;
    const { sent, outcomes } = report;
    assertEveryOrderEndedOnce(report);
    assert.equal(sent.total, 3000);
    // The cut ended the resting orders of both accounts (cancel on disconnect).
    assert.ok((outcomes.canceled.L ?? 0) > 0, JSON.stringify(outcomes));
    // Each account's stream on the server was received once, whole: the messages counted
    // are exactly the ones the server sequenced for the two accounts.
    await server.exchange.drain();
    let streams = 0;
    for (const [username, password] of [["alice", "pw-a"], ["bob", "pw-b"]]) {
      const check = await TestClient.connect(server);
      try {
        await check.login(username!, password!, 0);
        const login = check.loginResult;
        assert.ok(typeof login === "object");
        streams += login.sequenceNumber - 1;
      } finally {
        await check.logout();
        await check.closedByServer();
        await check.close();
      }
    }
    assert.equal(report.received.total, streams);
  } finally {
    await cut;
    await a.close();
    await b.close();
    await server.shutdown();
  }
});

Deno.test("run() at the prompt with --port A,B fails over and shows the re-sent order's answer once", async () => {
  const server = startServer();
  const [a, b] = mirrors(server.address.port);
  const { out, err, output } = capture();
  const typed = Promise.withResolvers<
    ReadableStreamDefaultController<Uint8Array>
  >();
  const input = new ReadableStream<Uint8Array>({
    start: (controller) => typed.resolve(controller),
  });
  const type = async (line: string) =>
    (await typed.promise).enqueue(new TextEncoder().encode(`${line}\n`));
  const running = run(
    ["--port", `${a.port},${b.port}`, "--user", "alice", "--password", "pw-a"],
    output,
    { input },
  );
  try {
    await waitForLine(out, /^type "help"/);
    // The order never reaches the server through A; A then goes away.
    a.swallowInbound = true;
    await type("buy 100 1 @ 2300");
    await waitForLine(out, /^sent +O/);
    await a.close();
    await waitForLine(out, /^recv seq 2 +A /);
    await type("quit");
    assert.equal(await running, 0, [...out, ...err].join("\n"));
    const shown = out.map((line) =>
      line.replace(/^(recv seq \d+ +\w) .*/, "$1").replace(
        /^(sent +\w) .*/,
        "$1",
      ).replace(/: session \d+, /, ": session, ").replace(/ {2,}/g, " ")
    );
    assert.deepEqual(shown, [
      `logged in as alice to 127.0.0.1:${a.port}: session, next message 1`,
      "recv seq 1 S",
      "replayed 1 message: 0 orders open, highest token 0",
      'type "help" for commands, "quit" to leave',
      "sent O",
      `connection lost (the server closed the connection): reconnecting to 127.0.0.1:${b.port} in 100 ms`,
      `reconnected as alice to 127.0.0.1:${b.port}: session, next message 2`,
      "recv seq 2 A",
    ]);
  } finally {
    try {
      (await typed.promise).close();
    } catch {
      // the client has already cancelled its input
    }
    await running.catch(() => {});
    await a.close();
    await b.close();
    await server.shutdown();
  }
});

Deno.test("runLoad() gives up a silent host after serverTimeoutMs and fails over, every order ending once", async () => {
  const server = startServer({ market: { orderbooks: ["7203"] } });
  const [a, b] = mirrors(server.address.port);
  let silenced = false;
  try {
    const report = await runLoad({
      hosts: [
        { hostname: "127.0.0.1", port: a.port },
        { hostname: "127.0.0.1", port: b.port },
      ],
      accounts: [{ username: "alice", password: "pw-a" }],
      count: 1000,
      rate: 2000,
      window: 50,
      seed: 5,
      serverTimeoutMs: 400,
      progressIntervalMs: 20,
      progress: (progress) => {
        // Host A stops answering (nothing from the server reaches the client, not even
        // heartbeats) while its link stays open.
        if (!silenced && progress.sent >= 300) {
          silenced = true;
          a.swallow = true;
        }
      },
    });
    assert.ok(silenced);
    assertEveryOrderEndedOnce(report);
    assert.equal(report.sent.total, 1000);
    assert.equal(report.failovers.length, 1, report.failovers.join("\n"));
    assert.match(
      report.failovers[0]!,
      new RegExp(
        `^alice: 127\\.0\\.0\\.1:${a.port} lost \\(nothing from the server for 400 ms\\), logged in to 127\\.0\\.0\\.1:${b.port} `,
      ),
    );
  } finally {
    await a.close();
    await b.close();
    await server.shutdown();
  }
});

Deno.test("run() replays a scenario across a fail-over: the swallowed first action is sent again and every expectation passes once", async () => {
  const server = await startServerProcess();
  const [a, b] = mirrors(server.port);
  // A passes the Login Request (49 bytes) and nothing after it: the first action never
  // reaches the server through A. Then A goes away.
  a.inboundLimit = 49;
  const { out, err, output } = capture();
  const running = run(
    [SEED, "--auto", "--port", `${a.port},${b.port}`],
    output,
  );
  try {
    await waitForLine(out, /^sent /);
    await a.close();
    assert.equal(await running, 0, [...out, ...err].join("\n"));
    assert.deepEqual(out.filter((line) => /^(PASS|FAIL) /.test(line)), [
      "PASS action 1    got accepted",
      "PASS action 2    got rejected:N",
      "PASS action 3    got accepted",
      "PASS action 4    got none",
      "PASS action 5    got replaced",
      "PASS action 6    got none",
      "PASS action 7    got canceled:U",
    ]);
    assert.ok(
      out.some((line) =>
        line.startsWith(`reconnected as demo1 to 127.0.0.1:${b.port}:`) &&
        line.endsWith("next message 2")
      ),
      out.join("\n"),
    );
    // Each sequence number is shown once.
    const shown = out.flatMap((line) => {
      const match = line.match(/^recv seq (\d+) /);
      return match ? [Number(match[1])] : [];
    });
    assert.deepEqual(shown, [...new Set(shown)].sort((x, y) => x - y));
  } finally {
    await running.catch(() => {});
    await a.close();
    await b.close();
    await server.close();
  }
});

Deno.test("runLoad() logs in to the second host when the first refuses", async () => {
  const server = startServer({ market: { orderbooks: ["7203"] } });
  const [a, b] = mirrors(server.address.port);
  const refused = a.port;
  await a.close();
  try {
    const report = await runLoad({
      hosts: [
        { hostname: "127.0.0.1", port: refused },
        { hostname: "127.0.0.1", port: b.port },
      ],
      accounts: [{ username: "alice", password: "pw-a" }],
      count: 100,
      seed: 3,
    });
    assert.equal(report.ok, true, report.errors.join("\n"));
    assert.equal(report.sent.total, 100);
    assert.deepEqual(report.failovers, []);
  } finally {
    await b.close();
    await server.shutdown();
  }
});
