import assert from "node:assert/strict";
import { encodePacket, fromHex, toHex } from "../../lib/codec/mod.ts";
import type { OutboundMessage } from "../../lib/codec/messages.ts";
import type { Clock, ServerObserver } from "../../lib/server/server.ts";
import {
  enter,
  startServer,
  TestClient,
  testExchange,
  type TestServer,
  types,
} from "./_harness.ts";

/** A clock the test moves by hand. */
function manualClock(): Clock & { ms: number; ns: number } {
  const clock = {
    ms: 0,
    ns: 1_000_000_000,
    nowMs: () => clock.ms,
    nowNs: () => clock.ns++,
  };
  return clock;
}

/** Collects the server's connection events. */
function recorder(): ServerObserver & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    loggedIn: (_, account, session, next) =>
      events.push(`login ${account} ${session} ${next}`),
    loginRejected: (_, username, code) =>
      events.push(`rejected ${username} ${code}`),
    disconnected: (_, account, reason) =>
      events.push(`closed ${account ?? "-"}: ${reason}`),
    protocolError: (_, account, reason) =>
      events.push(`error ${account ?? "-"}: ${reason}`),
  };
}

async function withServer(
  run: (server: TestServer) => Promise<void>,
  options: Parameters<typeof startServer>[0] = {},
): Promise<void> {
  const server = startServer(options);
  try {
    await run(server);
  } finally {
    await server.shutdown();
  }
}

/** Reads from a raw connection until `predicate` holds for the bytes so far. */
async function readUntil(
  conn: Deno.TcpConn,
  predicate: (hex: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  let hex = "";
  const buffer = new Uint8Array(4096);
  const deadline = Date.now() + timeoutMs;
  while (!predicate(hex)) {
    if (Date.now() > deadline) throw new Error(`Timed out; got ${hex}`);
    const read = conn.read(buffer);
    const count = await Promise.race([
      read,
      new Promise<"wait">((resolve) => setTimeout(() => resolve("wait"), 100)),
    ]);
    if (count === "wait") {
      // Leave the pending read to complete on the next loop turn.
      const late = await read;
      if (late === null) return hex + "|closed";
      hex += toHex(buffer.subarray(0, late));
      continue;
    }
    if (count === null) return hex + "|closed";
    hex += toHex(buffer.subarray(0, count));
  }
  return hex;
}

const LOGIN_ALICE = encodePacket({
  type: "loginRequest",
  username: "alice",
  password: "pw-a",
  requestedSession: "",
  requestedSequenceNumber: 1,
});

Deno.test("OuchServer accepts a login with the session id and the next sequence number", async () => {
  const observer = recorder();
  await withServer(async (server) => {
    const client = await TestClient.connect(server);
    await client.login("alice", "pw-a");
    assert.deepEqual(client.loginResult, {
      session: "2026112501",
      sequenceNumber: 1,
    });
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(observer.events, [
      "login alice 2026112501 1",
      "closed alice: the client closed the connection",
    ]);
  }, { server: { observer } });
});

Deno.test("OuchServer refuses bad logins with A, another session or a second login with S, and closes", async () => {
  await withServer(async (server) => {
    const cases: [string, string, string, string][] = [
      ["alice", "wrong", "", "A"],
      ["mallo", "pw-a", "", "A"],
      ["alice", "pw-a", "2026112400", "S"],
    ];
    for (const [user, password, session, code] of cases) {
      const client = await TestClient.connect(server);
      await client.login(user, password, 1, session);
      assert.equal(client.loginResult, code, `${user}/${password}/${session}`);
      await client.closedByServer();
      await client.close();
    }
    const first = await TestClient.connect(server);
    await first.login("alice", "pw-a");
    const second = await TestClient.connect(server);
    await second.login("alice", "pw-a");
    assert.equal(second.loginResult, "S");
    await second.closedByServer();
    await second.close();
    assert.equal(first.closed, false, "the first session is untouched");
    await first.close();
  });
});

Deno.test("OuchServer plays the seed's scenario with the exact messages", async () => {
  const clock = manualClock();
  await withServer(async (server) => {
    const client = await TestClient.connect(server);
    await client.login("alice", "pw-a");
    clock.ns = 1_000_000_000; // the login took a timestamp of its own
    await client.send(
      enter(1, {
        clientReference: "Lenny",
        quantity: 100,
        orderbookId: "1",
        price: 23000,
      }),
      enter(2, {
        clientReference: "Lenny",
        quantity: 200,
        orderbookId: "2",
        price: 5005,
        minimumQuantity: 100,
      }),
      enter(3, {
        clientReference: "Lenny",
        quantity: 200,
        orderbookId: "2",
        price: 5005,
      }),
      enter(1, {
        clientReference: "Lenny",
        buySellIndicator: "S",
        quantity: 500,
        orderbookId: "3",
        price: 12035,
      }),
      {
        type: "replaceOrder",
        existingOrderToken: 1,
        replacementOrderToken: 5,
        quantity: 115,
        price: 23000,
        timeInForce: 99999,
        display: "P",
        minimumQuantity: 0,
      },
      { type: "cancelOrder", orderToken: 1, quantity: 0 },
      { type: "cancelOrder", orderToken: 5, quantity: 0 },
    );
    const received = await client.messages(6);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(client.received.length, 6, "actions 4 and 6 are ignored");
    const base = {
      clientReference: "Lenny",
      buySellIndicator: "B",
      group: "DAY",
      timeInForce: 99999,
      firmId: 0,
      display: " ",
      capacity: "P",
      minimumQuantity: 0,
      orderState: "L",
      orderClassification: "1",
      cashMarginType: "1",
    };
    const expected: OutboundMessage[] = [
      // K24: the day's first message, at the day's start.
      { type: "systemEvent", timestamp: 0, eventCode: "S" },
      {
        type: "orderAccepted",
        timestamp: 1_000_000_000,
        orderToken: 1,
        ...base,
        quantity: 100,
        orderbookId: "1",
        price: 23000,
        orderNumber: 202611250000000001n,
      } as OutboundMessage,
      {
        type: "orderRejected",
        timestamp: 1_000_000_001,
        orderToken: 2,
        orderRejectedReason: "N",
      },
      {
        type: "orderAccepted",
        timestamp: 1_000_000_002,
        orderToken: 3,
        ...base,
        quantity: 200,
        orderbookId: "2",
        price: 5005,
        orderNumber: 202611250000000002n,
      } as OutboundMessage,
      {
        type: "orderReplaced",
        timestamp: 1_000_000_004,
        replacementOrderToken: 5,
        buySellIndicator: "B",
        quantity: 115,
        orderbookId: "1",
        group: "DAY",
        price: 23000,
        timeInForce: 99999,
        display: "P",
        // A replace takes the day's next Order Number (K9).
        orderNumber: 202611250000000003n,
        minimumQuantity: 0,
        orderState: "L",
        previousOrderToken: 1,
      },
      {
        type: "orderCanceled",
        timestamp: 1_000_000_006,
        orderToken: 5,
        decrementQuantity: 115,
        orderCanceledReason: "U",
      },
    ];
    // Field order matters for byte equality, not for deepEqual; compare as objects.
    assert.deepEqual(
      received.map((m) => ({ ...m })),
      expected.map((m) => ({ ...m })),
    );
    assert.deepEqual(client.received.map((r) => r.sequenceNumber), [
      1,
      2,
      3,
      4,
      5,
      6,
    ]);
    await client.close();
  }, { server: { clock } });
});

Deno.test("OuchServer sends a heartbeat after a quiet second and closes after 15 s of silence", async () => {
  const clock = manualClock();
  const observer = recorder();
  await withServer(async (server) => {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.address.port,
    });
    try {
      await conn.write(LOGIN_ALICE);
      await readUntil(conn, (hex) => hex.length >= 66);
      clock.ms = 999;
      server.tick();
      clock.ms = 1000;
      server.tick();
      assert.equal(await readUntil(conn, (hex) => hex.length >= 6), "000148");
      clock.ms = 1500;
      await conn.write(fromHex("000152")); // a client heartbeat resets the idle clock
      await new Promise((resolve) => setTimeout(resolve, 50));
      clock.ms = 16_499;
      server.tick();
      assert.equal(await readUntil(conn, (hex) => hex.length >= 6), "000148");
      clock.ms = 16_500;
      server.tick();
      assert.equal(
        await readUntil(conn, (hex) => hex.endsWith("|closed")),
        "|closed",
      );
    } finally {
      conn.close();
    }
    assert.deepEqual(observer.events, [
      "login alice 2026112501 1",
      "closed alice: no client traffic for 15000 ms",
    ]);
  }, { server: { clock, observer, tickMs: 3_600_000 } });
});

Deno.test("OuchServer closes a connection that does not log in within the login timeout", async () => {
  const clock = manualClock();
  const observer = recorder();
  await withServer(async (server) => {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.address.port,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      clock.ms = 4999;
      server.tick();
      clock.ms = 5000;
      server.tick();
      assert.equal(
        await readUntil(conn, (hex) => hex.endsWith("|closed")),
        "|closed",
      );
    } finally {
      conn.close();
    }
    assert.deepEqual(observer.events, [
      "closed -: no Login Request within 5000 ms",
    ]);
  }, { server: { clock, observer, tickMs: 3_600_000 } });
});

Deno.test("OuchServer answers a 20-digit Requested Sequence Number with the next new message (issue #11 item 7, K2)", async () => {
  await withServer(async (server) => {
    const alice = await TestClient.connect(server);
    await alice.login("alice", "pw-a");
    await alice.send(enter(1));
    await alice.messages(2); // System Event S (K24), Order Accepted
    await alice.logout(); // its order is canceled (L): message 3
    let token = 2;
    for (
      const requested of [
        99_999_999_999_999_999_999n,
        18_446_744_073_709_551_616n,
        9_007_199_254_740_993n,
      ]
    ) {
      // The logout's cancel (L) is in the stream before the next login.
      while (server.exchange.sessions > 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await server.exchange.drain();
      const next = server.exchange.stream("alice")!.length + 1;
      const again = await TestClient.connect(server);
      await again.login("alice", "pw-a", requested);
      assert.deepEqual(again.loginResult, {
        session: "2026112501",
        sequenceNumber: next,
      });
      // Nothing is replayed; the next message is the next new one.
      await again.send(enter(token++));
      await again.messages(1);
      assert.deepEqual(again.received.map((r) => r.sequenceNumber), [next]);
      await again.logout();
      await again.close();
    }
  });
});

Deno.test("OuchServer replays exactly the missed messages after a reconnect", async () => {
  await withServer(async (server) => {
    const alice = await TestClient.connect(server);
    await alice.login("alice", "pw-a");
    await alice.send(enter(1), enter(2), enter(3));
    await alice.messages(4); // System Event S (K24), then the three Accepted
    await alice.close(); // cancel on disconnect: three cancels follow as messages 5 to 7
    const bob = await TestClient.connect(server);
    await bob.login("bob", "pw-b");
    await bob.send(enter(1, { buySellIndicator: "S" }));
    await bob.messages(2);

    const again = await TestClient.connect(server);
    await again.login("alice", "pw-a", 4);
    assert.deepEqual(again.loginResult, {
      session: "2026112501",
      sequenceNumber: 4,
    });
    const replayed = await again.messages(4);
    assert.deepEqual(again.received.map((r) => r.sequenceNumber), [4, 5, 6, 7]);
    assert.deepEqual(types(replayed), [
      "orderAccepted",
      "canceled:L",
      "canceled:L",
      "canceled:L",
    ]);
    // New messages continue the sequence without a gap.
    await again.send(enter(4, { price: 1 }));
    await again.messages(5);
    assert.equal(again.received[4]!.sequenceNumber, 8);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(again.received.length, 5, "nothing twice");
    await again.close();
    await bob.close();
  });
});

Deno.test("OuchServer closes only the offending session for each kind of malformed input", async () => {
  const bad: [string, Uint8Array, RegExp][] = [
    ["unknown packet type", fromHex("000151"), /SoupBinTcpError/],
    ["server packet type", fromHex("000148"), /SoupBinTcpError/],
    ["zero length", fromHex("0000"), /SoupBinTcpError.*length/],
    ["length over the maximum", fromHex("0800 55"), /SoupBinTcpError.*length/],
    ["unknown OUCH message type", fromHex("000255 51"), /OuchDecodeError/],
    [
      "wrong OUCH length",
      fromHex("0030 55 4f" + "00".repeat(46)),
      /OuchDecodeError.*length/,
    ],
    ["second login", LOGIN_ALICE, /SoupBinTcpError.*second Login/],
    [
      "non-ASCII client reference",
      fromHex(
        "0031554f000000094c656e6e79e9202020204200000064312020204441592000" +
          "0059d80001869f000000002050000000003131",
      ),
      /OuchDecodeError.*clientReference/,
    ],
  ];
  for (const [what, bytes, reason] of bad) {
    const observer = recorder();
    await withServer(async (server) => {
      const bob = await TestClient.connect(server);
      await bob.login("bob", "pw-b");
      const alice = await TestClient.connect(server);
      await alice.login("alice", "pw-a");
      // A valid order in the same write as the bad bytes is accepted and kept.
      alice.session.send(enter(1, { quantity: 7 }));
      await alice.flush();
      await alice.raw(bytes);
      await alice.messages(2);
      await alice.closedByServer();
      await alice.close();
      assert.deepEqual(
        types(alice.received.map((r) => r.message)),
        ["system:S", "orderAccepted"],
        what,
      );
      // The other session carries on and trades against the kept order.
      await bob.send(enter(1, { buySellIndicator: "S", quantity: 7 }));
      const got = await bob.messages(3);
      assert.deepEqual(
        types(got),
        ["system:S", "orderAccepted", "orderExecuted"],
        what,
      );
      await bob.close();
      const error = observer.events.find((event) =>
        event.startsWith("error alice")
      );
      assert.match(
        error ?? "",
        reason,
        `${what}: ${observer.events.join(" | ")}`,
      );
    }, {
      server: { observer, maxPacketLength: 1024 },
      market: { cancelOnDisconnect: false },
    });
  }
});

Deno.test("OuchServer closes a connection that sends data before logging in or stops mid-packet", async () => {
  const observer = recorder();
  await withServer(async (server) => {
    for (
      const bytes of [
        fromHex("000a55 58 00000007 00000000"),
        fromHex("002f4c 6465"),
      ]
    ) {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: server.address.port,
      });
      await conn.write(bytes);
      if (bytes.length < 10) conn.close(); // half a Login Request, then gone
      else {
        assert.equal(
          await readUntil(conn, (hex) => hex.endsWith("|closed")),
          "|closed",
        );
        conn.close();
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(
      observer.events.join("\n"),
      /error -: SoupBinTcpError: .*before login/,
    );
    assert.match(
      observer.events.join("\n"),
      /closed -: the client closed the connection/,
    );
    // The server still serves logins.
    const client = await TestClient.connect(server);
    await client.login("carol", "pw-c");
    assert.equal(typeof client.loginResult, "object");
    await client.close();
  }, { server: { observer } });
});

Deno.test("OuchServer answers an order sent in the same write as a Logout Request before closing", async () => {
  await withServer(async (server) => {
    const client = await TestClient.connect(server);
    await client.login("alice", "pw-a");
    client.session.send(enter(1));
    client.session.logout();
    await client.flush();
    await client.closedByServer();
    assert.deepEqual(types(client.received.map((r) => r.message)), [
      "system:S",
      "orderAccepted",
    ]);
    await client.close();
  });
});

Deno.test("OuchServer sends End of Session to every session when it shuts down", async () => {
  const server = startServer();
  const clients = await Promise.all(
    ["alice", "bob"].map(async (name) => {
      const client = await TestClient.connect(server);
      return await client.login(name, `pw-${name[0]}`);
    }),
  );
  await clients[0]!.send(enter(1));
  await clients[0]!.messages(1);
  await server.shutdown();
  for (const client of clients) {
    await client.closedByServer();
    assert.equal(client.ended, true);
    await client.close();
  }
});

Deno.test("OuchServer closes a slow reader alone, and the others carry on", async () => {
  const clock = manualClock();
  const observer = recorder();
  const exchange = testExchange();
  // Alice has 400,000 messages (about 17 MB) waiting: far more than the socket buffers hold.
  for (let token = 1; token <= 200_000; token++) {
    exchange.submit(
      "alice",
      enter(token, { price: 10 + (token % 1000) }),
      token,
    );
  }
  for (let token = 1; token <= 200_000; token++) {
    exchange.submit("alice", {
      type: "cancelOrder",
      orderToken: token,
      quantity: 0,
    }, token);
  }
  await exchange.drain();
  await withServer(async (server) => {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.address.port,
    });
    await conn.write(LOGIN_ALICE); // and never read
    await new Promise((resolve) => setTimeout(resolve, 300));
    const bob = await TestClient.connect(server);
    await bob.login("bob", "pw-b");
    clock.ms = 10_000;
    server.tick();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(observer.events.join("\n"), /error alice: slow reader/);
    await bob.send(enter(1));
    assert.deepEqual(types(await bob.messages(2)), [
      "system:S",
      "orderAccepted",
    ]);
    await bob.close();
    conn.close();
  }, { exchange, server: { clock, observer, tickMs: 3_600_000 } });
});

Deno.test("OuchServer answers every order of 100 concurrent sessions exactly once", async () => {
  const users = new Map(
    Array.from({ length: 100 }, (_, i) => [`u${i}`, `p${i}`]),
  );
  await withServer(async (server) => {
    const clients = await Promise.all(
      [...users].map(async ([name, password]) =>
        (await TestClient.connect(server)).login(name, password)
      ),
    );
    const perClient = 20;
    await Promise.all(clients.map((client, i) =>
      client.send(
        ...Array.from({ length: perClient }, (_, k) =>
          enter(k + 1, {
            buySellIndicator: (i + k) % 2 === 0 ? "B" : "S",
            price: 23000 + ((i * 7 + k) % 5) - 2,
            quantity: 10 + (k % 3),
          })),
      )
    ));
    // Every token gets exactly one Accepted; executions may follow.
    await Promise.all(clients.map((client) =>
      client.until(
        () =>
          client.received.filter((r) => r.message.type === "orderAccepted")
            .length === perClient,
        "every order accepted",
        15_000,
      )
    ));
    const matches = new Map<bigint, string[]>();
    let executed = 0;
    for (const [i, client] of clients.entries()) {
      const accepted = client.received.filter((r) =>
        r.message.type === "orderAccepted"
      )
        .map((r) => (r.message as { orderToken: number }).orderToken);
      assert.deepEqual(
        accepted,
        Array.from({ length: perClient }, (_, k) => k + 1),
        `u${i}`,
      );
      const sequence = client.received.map((r) => r.sequenceNumber);
      assert.deepEqual(
        sequence,
        sequence.map((_, k) => k + 1),
        `u${i} numbering`,
      );
      for (const { message } of client.received) {
        if (message.type !== "orderExecuted") continue;
        executed += message.executedQuantity;
        const sides = matches.get(message.matchNumber) ?? [];
        sides.push(
          `${message.liquidityIndicator}${message.executedQuantity}@${message.executionPrice}`,
        );
        matches.set(message.matchNumber, sides);
      }
    }
    assert.ok(matches.size > 0, "orders traded");
    for (const [match, sides] of matches) {
      assert.equal(sides.length, 2, `match ${match}: ${sides}`);
      assert.deepEqual(sides.map((side) => side.slice(1)), [
        sides[0]!.slice(1),
        sides[0]!.slice(1),
      ]);
      assert.deepEqual(sides.map((side) => side[0]).sort(), ["A", "R"]);
    }
    // Every share entered is either executed (once per side) or still resting.
    await server.exchange.drain();
    const book = server.exchange.market.depth("1", 1000)!;
    const resting = [...book.bids, ...book.asks].reduce(
      (n, level) => n + level.quantity,
      0,
    );
    const entered = clients.length *
      Array.from({ length: perClient }, (_, k) => 10 + (k % 3))
        .reduce((a, b) => a + b, 0);
    assert.equal(executed + resting, entered);
    await Promise.all(clients.map((client) => client.close()));
  }, { exchange: testExchange({ users }) });
});

Deno.test("OuchServer.pauseReading() leaves what clients send unread, keeps their sessions past the idle timeout, then processes it", async () => {
  const clock = manualClock();
  const observer = recorder();
  await withServer(async (server) => {
    const client = await TestClient.connect(server);
    try {
      await client.login("alice", "pw-a");
      await client.messages(1); // System Event S (K24)
      server.pauseReading(true);
      await client.send(
        enter(1, { quantity: 100, orderbookId: "1", price: 23000 }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      // 20 s of server time with the order unread: heartbeats go out, nobody is timed out.
      for (let ms = 1000; ms <= 20_000; ms += 1000) {
        clock.ms = ms;
        server.tick();
        await new Promise((resolve) => setTimeout(resolve, 10)); // the heartbeat is written
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(client.received.length, 1);
      assert.equal(client.closed, false);
      server.pauseReading(false);
      assert.deepEqual(types(await client.messages(2)), [
        "system:S",
        "orderAccepted",
      ]);
    } finally {
      await client.close();
    }
    assert.deepEqual(observer.events, ["login alice 2026112501 1"]);
  }, { server: { clock, observer, tickMs: 3_600_000 } });
});
