import assert from "node:assert/strict";
import { decodeOutbound } from "../../lib/codec/mod.ts";
import { PAGE_TOKEN_BASE as P } from "../../lib/matcher/mod.ts";
import { WebServer } from "../../lib/web/server.ts";
import { enter, TestClient, types } from "../server/_harness.ts";
import {
  PageClient,
  pageEnter,
  rawStatus,
  startWeb,
  type WebSetup,
} from "./_web_harness.ts";

async function withWeb(
  run: (setup: WebSetup) => Promise<void>,
  options: Parameters<typeof startWeb>[0] = {},
): Promise<void> {
  const setup = startWeb(options);
  try {
    await run(setup);
  } finally {
    await setup.close();
  }
}

async function withPage(
  setup: WebSetup,
  run: (page: PageClient) => void | Promise<void>,
): Promise<void> {
  // The day's start reaches the market data once durable: a page that connected before
  // would get an empty snapshot, then the day's in the middle of the test.
  await setup.server.exchange.drain();
  const page = await PageClient.connect(setup);
  try {
    await run(page);
  } finally {
    await page.close();
  }
}

/** What an account's exchange state looks like, to show that something changed nothing. */
function accountState(setup: WebSetup, account: string) {
  const exchange = setup.server.exchange;
  return {
    messages: exchange.stream(account)?.length,
    nextToken: exchange.nextToken(account),
    openOrders: exchange.openOrders(account).length,
    open: exchange.isOpen,
    halted: exchange.orderbooks.filter((id) => exchange.isHalted(id)),
    messagesIn: exchange.messagesIn,
  };
}

Deno.test("WebServer serves the page with a strict Content-Security-Policy and no caching", async () => {
  await withWeb(async ({ origin }) => {
    const response = await fetch(`${origin}/`);
    assert.equal(response.status, 200);
    assert.equal(
      response.headers.get("content-type"),
      "text/html; charset=utf-8",
    );
    assert.equal(response.headers.get("cache-control"), "no-store");
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    const html = await response.text();
    assert.match(html, /<script type="module" src="\/app\.js"><\/script>/);
    assert.doesNotMatch(html, /<script>/, "no inline script");

    for (
      const [path, type] of [
        ["/index.html", "text/html; charset=utf-8"],
        ["/app.js", "text/javascript; charset=utf-8"],
        ["/view.js", "text/javascript; charset=utf-8"],
        ["/style.css", "text/css; charset=utf-8"],
        ["/favicon.svg", "image/svg+xml"],
      ]
    ) {
      const asset = await fetch(`${origin}${path}`);
      assert.equal(asset.status, 200, path);
      assert.equal(asset.headers.get("content-type"), type, path);
      assert.equal(asset.headers.get("cache-control"), "no-store", path);
      assert.ok((await asset.bytes()).length > 0, path);
    }
  });
});

Deno.test("WebServer answers 404 for unknown paths and 405 for other methods", async () => {
  await withWeb(async ({ origin }) => {
    for (const path of ["/nothing", "/assets/view.js", "/../deno.json"]) {
      const response = await fetch(`${origin}${path}`);
      assert.equal(response.status, 404, path);
      assert.ok(response.headers.get("content-security-policy"));
      await response.body?.cancel();
    }
    const post = await fetch(`${origin}/`, { method: "POST", body: "x" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get("allow"), "GET, HEAD");
    await post.body?.cancel();
    const head = await fetch(`${origin}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    await head.body?.cancel();
  });
});

Deno.test("WebServer refuses a WebSocket from another origin or without one with 403", async () => {
  await withWeb(async ({ web, origin }) => {
    const upgrade = {
      Host: web.address,
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    };
    const port = web.address.split(":")[1];
    assert.equal(
      await rawStatus(web.address, "/ws", {
        ...upgrade,
        Origin: "http://evil.example",
      }),
      403,
    );
    assert.equal(
      await rawStatus(web.address, "/ws", {
        ...upgrade,
        Origin: `http://localhost:${port}`,
      }),
      403,
      "same port, other host name",
    );
    assert.equal(
      await rawStatus(web.address, "/ws", {
        ...upgrade,
        Origin: `http://127.0.0.1:${Number(port) + 1}`,
      }),
      403,
      "other port",
    );
    assert.equal(await rawStatus(web.address, "/ws", upgrade), 403, "none");
    assert.equal(
      await rawStatus(web.address, "/ws", { ...upgrade, Origin: origin }),
      101,
    );
    assert.equal(
      await rawStatus(web.address, "/ws", { Host: web.address }),
      426,
      "not an upgrade",
    );
  });
});

Deno.test("WebServer on loopback refuses a Host that is not a loopback name (DNS rebinding)", async () => {
  await withWeb(async ({ web }) => {
    const port = web.address.split(":")[1];
    assert.equal(
      await rawStatus(web.address, "/", { Host: `evil.example:${port}` }),
      403,
    );
    assert.equal(
      await rawStatus(web.address, "/", { Host: `localhost:${port}` }),
      200,
    );
    assert.equal(await rawStatus(web.address, "/", { Host: web.address }), 200);
  });
});

Deno.test("WebServer sends a snapshot of every orderbook on connect", async () => {
  await withWeb(async (setup) => {
    const { server } = setup;
    server.run((exchange, ts) => {
      exchange.submit("alice", enter(1, { quantity: 300 }), ts);
      exchange.submit(
        "bob",
        enter(1, { buySellIndicator: "S", quantity: 100 }),
        ts,
      );
      exchange.halt("2", ts);
    });
    await withPage(setup, (page) => {
      const snapshot = page.received[0]!;
      assert.equal(snapshot.type, "snapshot");
      assert.equal(snapshot.session, "2026112501");
      assert.equal(snapshot.open, true);
      assert.deepEqual(
        snapshot.orderbooks.map((ob: { orderbookId: string }) =>
          ob.orderbookId
        ),
        server.exchange.orderbooks,
      );
      const book = snapshot.orderbooks.find((ob: { orderbookId: string }) =>
        ob.orderbookId === "1"
      );
      assert.deepEqual(book.bids, [{ price: 23000, quantity: 200, orders: 1 }]);
      assert.deepEqual(book.asks, []);
      assert.equal(book.trades.length, 1);
      assert.equal(book.trades[0].price, 23000);
      assert.equal(book.trades[0].quantity, 100);
      assert.equal(book.trades[0].matchNumber, "202611250000000001");
      assert.equal(book.trades[0].buyer, undefined, "no accounts on the tape");
      assert.equal(
        snapshot.orderbooks.find((ob: { orderbookId: string }) =>
          ob.orderbookId === "2"
        ).halted,
        true,
      );
    });
  });
});

Deno.test("WebServer: the page's replace asks for the open quantity; the total of the chain is sent (K9), and a cancel removes the whole order (K10)", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      await page.login("bob", "pw-b");
      await page.request(pageEnter({ quantity: 100, price: "2300.0" }), "ack");
      setup.server.run((exchange, ts) =>
        exchange.submit(
          "alice",
          enter(1, { buySellIndicator: "S", quantity: 40, price: 23000 }),
          ts,
        )
      );
      await setup.server.exchange.drain();
      const ack = await page.request({
        type: "replace",
        existingOrderToken: P,
        quantity: 30,
        price: "2300.0",
        timeInForce: 99999,
        display: " ",
        minimumQuantity: 0,
      }, "ack");
      assert.equal(
        ack.text,
        `Replace of order #${P} by #${
          P + 1
        } sent: Quantity 70 = 30 open + 40 already executed (the total of the order chain)`,
      );
      await setup.server.exchange.drain();
      const [order] = setup.server.exchange.openOrders("bob");
      assert.equal(order?.orderToken, P + 1);
      assert.equal(order?.openQuantity, 30);
      assert.equal(order?.executedQuantity, 40);
      // The cancel without a quantity (the page's) removes all of it.
      await page.request({ type: "cancel", orderToken: P + 1 }, "ack");
      await setup.server.exchange.drain();
      assert.deepEqual(setup.server.exchange.openOrders("bob"), []);
      const log = setup.server.exchange.stream("bob")!;
      const last = decodeOutbound(log.message(log.length));
      assert.equal(last.type, "orderCanceled");
      assert.equal(
        last.type === "orderCanceled" && last.decrementQuantity,
        30,
      );
    });
  });
});

Deno.test("WebServer: a logged-in page is a session of its account, so an OUCH session's end does not cancel the page's orders, nor does the page's own end (K13, K23)", async () => {
  await withWeb(async (setup) => {
    const exchange = setup.server.exchange;
    const page = await PageClient.connect(setup);
    try {
      await page.login("bob", "pw-b");
      await page.request(pageEnter({ quantity: 100 }), "ack");
      assert.equal(exchange.sessions, 1, "the page's session");
      // An OUCH session of the same account comes and goes.
      const ouch = await TestClient.connect(setup.server);
      await ouch.login("bob", "pw-b");
      assert.equal(exchange.sessions, 2);
      await ouch.logout();
      await ouch.close();
      while (exchange.sessions > 1) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await exchange.drain();
      assert.deepEqual(
        exchange.openOrders("bob").map((order) => order.orderToken),
        [P],
        "the page's order rests while the page is open",
      );
    } finally {
      await page.close();
    }
    // The page's end cancels nothing either: its order rests with no session left.
    while (exchange.sessions > 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await exchange.drain();
    assert.deepEqual(
      exchange.openOrders("bob").map((order) => order.orderToken),
      [P],
    );
  });
});

Deno.test("WebServer lets only operator accounts open, close, halt and resume, and tells each page at login (issue #15 item 9)", async () => {
  await withWeb(async (setup) => {
    const exchange = setup.server.exchange;
    await withPage(setup, async (page) => {
      assert.equal((await page.login("bob", "pw-b")).operator, false);
      const refused = await page.request(
        { type: "operator", action: "halt", orderbookId: "1" },
        "error",
      );
      assert.equal(
        refused.message,
        'Cannot halt orderbook "1": "bob" is not an operator (the users file marks operators with the word operator)',
      );
      assert.equal(exchange.isHalted("1"), false);
      assert.equal((await page.login("alice", "pw-a")).operator, true);
      await page.request(
        { type: "operator", action: "halt", orderbookId: "1" },
        "ack",
      );
      await exchange.drain();
      assert.equal(exchange.isHalted("1"), true);
    });
  }, { operators: new Set(["alice"]) });
});

Deno.test("WebServer's snapshot carries each orderbook's reference price and price limits (K17)", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, (page) => {
      const books = page.received[0]!.orderbooks as Record<string, unknown>[];
      const fields = (id: string) => {
        const book = books.find((ob) => ob.orderbookId === id)!;
        return [book.referencePrice, book.lowerLimit, book.upperLimit];
      };
      // Toyota with its built-in reference price, limits derived from it.
      assert.deepEqual(fields("7203"), [28_000, 23_000, 33_000]);
      // Limits given outright, no reference price.
      assert.deepEqual(fields("6758"), [undefined, 1_000, 2_000]);
      // The seed's orderbook has no rules: nothing is sent.
      assert.deepEqual(fields("1"), [undefined, undefined, undefined]);
    });
  }, {
    matcher: {
      instruments: [
        { orderbookId: "1" },
        { orderbookId: "7203", referencePrice: 28_000 },
        { orderbookId: "6758", lowerLimit: 1_000, upperLimit: 2_000 },
      ],
    },
  });
});

Deno.test("WebServer answers every bad page message with an error and changes nothing", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      const enterFields = pageEnter();
      const { type: _, ...withoutType } = enterFields;
      const { quantity: _q, ...withoutQuantity } = enterFields;
      const cases: [string, unknown, RegExp][] = [
        ["not JSON", "{type: enter", /Cannot parse the message as JSON/],
        ["an array", [], /must be a JSON object: current value is an array/],
        ["null", null, /must be a JSON object/],
        ["a number", 7, /must be a JSON object/],
        ["no type", withoutType, /must have a "type" string/],
        ["unknown type", { type: "hack" }, /message type "hack"/],
        ["inherited type", { type: "toString" }, /message type "toString"/],
        [
          "extra field",
          { ...enterFields, orderToken: 5 },
          /field "orderToken" is not allowed/,
        ],
        [
          "extra field on logout",
          { type: "logout", now: true },
          /field "now" is not allowed/,
        ],
        ["missing field", withoutQuantity, /field "quantity" is missing/],
        [
          "wrong type",
          { ...enterFields, quantity: "100" },
          /Quantity as it must be a number/,
        ],
        [
          "negative",
          { ...enterFields, quantity: -1 },
          /Quantity as it is negative: current value is -1/,
        ],
        [
          "fraction",
          { ...enterFields, quantity: 1.5 },
          /Quantity as it must be a whole number/,
        ],
        [
          "above uint32",
          { ...enterFields, firmId: 2 ** 32 },
          /Firm ID as it is too large \(at most 4294967295\)/,
        ],
        [
          "two decimals",
          { ...enterFields, price: "2300.55" },
          /Price as it has too many decimals \(at most one/,
        ],
        [
          "price as a number",
          { ...enterFields, price: 2300 },
          /Price as it must be a decimal string/,
        ],
        [
          "long client reference",
          { ...enterFields, clientReference: "12345678901" },
          /Client Reference as it is too long \(11 characters, at most 10; nothing was cut\)/,
        ],
        [
          "non-ASCII client reference",
          { ...enterFields, clientReference: "caf\u00e9" },
          /Client Reference as it must be printable ASCII \("\u00e9" at position 4 is not\)/,
        ],
        [
          "halt without an orderbook",
          { type: "operator", action: "halt" },
          /field "orderbookId" is missing/,
        ],
        [
          "open with an orderbook",
          { type: "operator", action: "open", orderbookId: "1" },
          /"orderbookId" is not allowed/,
        ],
        [
          "unknown operator action",
          { type: "operator", action: "reboot" },
          /must be "open", "close", "halt" or "resume"/,
        ],
        [
          "enter before login",
          enterFields,
          /Cannot enter an order: log in first/,
        ],
        [
          "cancel before login",
          { type: "cancel", orderToken: 1, quantity: 0 },
          /Cannot cancel an order: log in first/,
        ],
        [
          "operator before login",
          { type: "operator", action: "close" },
          /Cannot close the market: log in first/,
        ],
      ];
      const before = accountState(setup, "alice");
      for (const [name, message, pattern] of cases) {
        const from = page.received.length;
        if (typeof message === "string") page.sendRaw(message);
        else page.send(message);
        const answer = await page.next("error", () => true, from);
        assert.match(answer.message, pattern, name);
      }
      let from = page.received.length;
      page.sendRaw(new Uint8Array([1, 2, 3]));
      assert.match(
        (await page.next("error", () => true, from)).message,
        /Cannot read a binary message/,
      );
      from = page.received.length;
      page.sendRaw(JSON.stringify({ type: "logout", pad: "x".repeat(5000) }));
      assert.match(
        (await page.next("error", () => true, from)).message,
        /limit is 4096/,
      );

      // Logged in, the same bad orders still change nothing.
      assert.equal((await page.login("alice", "pw-a")).ok, true);
      for (const [name, message, pattern] of cases.slice(7, 21)) {
        const answer = await page.request(message, "error");
        assert.match(answer.message, pattern, name);
      }
      assert.match(
        (await page.request(
          { type: "cancel", orderToken: 9, quantity: 0 },
          "error",
        ))
          .message,
        /Cannot cancel order #9: "alice" has no live order with that token/,
      );
      assert.match(
        (await page.request({
          type: "replace",
          existingOrderToken: 9,
          quantity: 1,
          price: "1.0",
          timeInForce: 99999,
          display: " ",
          minimumQuantity: 0,
        }, "error")).message,
        /Cannot replace order #9/,
      );
      assert.match(
        (await page.request({ type: "operator", action: "open" }, "error"))
          .message,
        /Cannot open the market: it is already open/,
      );
      assert.match(
        (await page.request(
          { type: "operator", action: "halt", orderbookId: "ZZZZ" },
          "error",
        )).message,
        /Cannot halt orderbook "ZZZZ": it is not configured/,
      );
      assert.match(
        (await page.request(
          { type: "operator", action: "resume", orderbookId: "1" },
          "error",
        )).message,
        /Cannot resume orderbook "1": it is not halted/,
      );
      assert.deepEqual(accountState(setup, "alice"), before);
      assert.equal(page.isClosed, false, "the socket stays open");
    });
  });
});

Deno.test("WebServer refuses a wrong password and closes the socket after five", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      const answer = await page.login("alice", "wrong");
      assert.deepEqual(answer, {
        type: "login",
        ok: false,
        error: 'Cannot log in as "alice": wrong username or password',
      });
      assert.equal((await page.login("mallory", "pw-a")).ok, false);
      const refused = await page.request(pageEnter(), "error");
      assert.match(refused.message, /log in first/);
      assert.equal(
        setup.server.exchange.stream("alice")?.length,
        1,
        "System Event S only",
      );
      for (let i = 0; i < 3; i++) await page.login("alice", `guess${i}`);
      await page.closedByServer();
    });
  });
});

Deno.test("WebServer enters a page's order into the account's OUCH sequence with a server token", async () => {
  await withWeb(async (setup) => {
    const ouch = await TestClient.connect(setup.server);
    try {
      await ouch.login("alice", "pw-a");
      await ouch.send(enter(1, { clientReference: "ouch" }));
      await ouch.messages(2); // System Event S (K24), Order Accepted
      await withPage(setup, async (page) => {
        const login = await page.login("alice", "pw-a");
        assert.deepEqual(login, {
          type: "login",
          ok: true,
          account: "alice",
          operator: true,
        });
        const history = await page.next("responses", (m) => m.history);
        assert.deepEqual(
          history.items.map((item: { sequenceNumber: number }) =>
            item.sequenceNumber
          ),
          [1, 2],
        );
        const ack = await page.request(
          pageEnter({ clientReference: "<b>x</b>", quantity: 50 }),
          "ack",
        );
        assert.equal(
          ack.orderToken,
          P,
          "the server assigns the first token of the page's own range",
        );
        const received = await ouch.messages(3);
        assert.deepEqual(types(received), [
          "system:S",
          "orderAccepted",
          "orderAccepted",
        ]);
        assert.equal(ouch.received[2]!.sequenceNumber, 3);
        assert.deepEqual(received[2], {
          ...received[2],
          orderToken: P,
          clientReference: "<b>x</b>",
          quantity: 50,
          price: 23000,
        });
        const feed = await page.next("responses", (m) => !m.history);
        assert.equal(feed.items[0].sequenceNumber, 3);
        // The page gets the same message, its 64-bit Order Number as an exact decimal string.
        const accepted = received[2]!;
        assert.ok(accepted.type === "orderAccepted");
        assert.deepEqual(feed.items[0].message, {
          ...accepted,
          orderNumber: "202611250000000002",
        });
        assert.equal(accepted.orderNumber, 202611250000000002n);
        const orders = await page.next(
          "orders",
          (m) => m.orders.length === 2,
        );
        assert.deepEqual(
          orders.orders.map((
            o: { orderToken: number; orderNumber: string },
          ) => [o.orderToken, o.orderNumber]),
          [[1, "202611250000000001"], [P, "202611250000000002"]],
        );
        // The OUCH session counts its own tokens: its next, 2, is not taken by the page's
        // order (issue #15 item 2), and the page's next token follows the page's.
        await ouch.send(enter(2));
        const [, , , accepted2] = await ouch.messages(4);
        assert.deepEqual(
          accepted2?.type === "orderAccepted" && accepted2.orderToken,
          2,
        );
        assert.equal(
          (await page.request(pageEnter(), "ack")).orderToken,
          P + 1,
        );
        await ouch.messages(5);
        assert.deepEqual(
          ouch.received.map((r) => r.sequenceNumber),
          [1, 2, 3, 4, 5],
        );
      });
    } finally {
      await ouch.close();
    }
  });
});

Deno.test("WebServer replaces and cancels the page account's orders and relays the reasons", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      await page.login("bob", "pw-b");
      await page.request(pageEnter({ quantity: 100 }), "ack");
      const replaced = await page.request({
        type: "replace",
        existingOrderToken: P,
        quantity: 80,
        price: "2299.5",
        timeInForce: 99999,
        display: " ",
        minimumQuantity: 0,
      }, "ack");
      assert.equal(replaced.orderToken, P + 1);
      assert.match(
        (await page.request(
          { type: "cancel", orderToken: P + 1, quantity: 10 },
          "error",
        ))
          .message,
        new RegExp(
          `Cannot cancel order #${
            P + 1
          } leaving 10 open: a cancel removes the whole order \\(K10\\)`,
        ),
      );
      await page.request(
        { type: "cancel", orderToken: P + 1, quantity: 0 },
        "ack",
      );
      await page.request(pageEnter({ price: "0" }), "ack");
      const log = setup.server.exchange.stream("bob")!;
      await page.next(
        "responses",
        () =>
          page.received.filter((m) => m.type === "responses").flatMap((m) =>
            m.items
          ).length === log.length,
      );
      const messages = page.received.filter((m) => m.type === "responses")
        .flatMap((m) => m.items.map((i: { message: unknown }) => i.message));
      assert.deepEqual(
        messages.map((m) => ({ ...m, timestamp: 0 })),
        [
          { type: "systemEvent", timestamp: 0, eventCode: "S" },
          {
            ...messages[1],
            timestamp: 0,
            type: "orderAccepted",
            orderToken: P,
          },
          {
            ...messages[2],
            timestamp: 0,
            type: "orderReplaced",
            previousOrderToken: P,
            replacementOrderToken: P + 1,
            price: 22995,
            quantity: 80,
          },
          {
            type: "orderCanceled",
            timestamp: 0,
            orderToken: P + 1,
            decrementQuantity: 80,
            orderCanceledReason: "U",
          },
          {
            type: "orderRejected",
            timestamp: 0,
            orderToken: P + 2,
            orderRejectedReason: "X",
          },
        ],
      );
      const orders = await page.next("orders", (m) => m.total === 0);
      assert.deepEqual(orders.orders, []);
    });
  });
});

Deno.test("WebServer runs operator actions for a logged-in page and broadcasts the state", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (operator) => {
      await withPage(setup, async (viewer) => {
        await operator.login("carol", "pw-c");
        let from = viewer.received.length;
        assert.equal(
          (await operator.request(
            { type: "operator", action: "halt", orderbookId: "7203" },
            "ack",
          )).text,
          "Orderbook 7203 halted",
        );
        await viewer.next(
          "state",
          (m) => m.open && m.halted.includes("7203"),
          from,
        );
        await operator.request(pageEnter({ orderbookId: "7203" }), "ack");
        const rejected = await operator.next(
          "responses",
          (m) =>
            m.items.some((i: { message: { type: string } }) =>
              i.message.type === "orderRejected"
            ),
        );
        assert.equal(
          rejected.items.at(-1).message.orderRejectedReason,
          "H",
        );
        await operator.request(
          { type: "operator", action: "resume", orderbookId: "7203" },
          "ack",
        );
        from = viewer.received.length;
        await operator.request({ type: "operator", action: "close" }, "ack");
        await viewer.next("state", (m) => !m.open, from);
        assert.equal(setup.server.exchange.isOpen, false);
        await operator.request({ type: "operator", action: "open" }, "ack");
        assert.equal(setup.server.exchange.isOpen, true);
        // A logged-in page sees the System Events with their place in its account's sequence.
        await operator.next(
          "responses",
          (m) =>
            !m.history &&
            m.items.some((i: { message: { eventCode?: string } }) =>
              i.message.eventCode === "S"
            ),
        );
        const events = operator.received.filter((m) => m.type === "responses")
          .flatMap((m) => m.items)
          .filter((i: { message: { type: string } }) =>
            i.message.type === "systemEvent"
          )
          .map((
            i: { sequenceNumber: number; message: { eventCode: string } },
          ) => `${i.sequenceNumber}:${i.message.eventCode}`);
        // The day's first message is S (K24), in the history sent at login.
        assert.deepEqual(events, ["1:S", "3:E", "4:S"]);
        assert.equal(setup.server.exchange.stream("carol")?.length, 4);
      });
    });
  });
});

Deno.test("WebServer sends an account's responses only to pages logged in as it", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (alice) => {
      await withPage(setup, async (bob) => {
        await alice.login("alice", "pw-a");
        await bob.login("bob", "pw-b");
        await alice.request(pageEnter({ quantity: 100 }), "ack");
        await bob.request(
          pageEnter({ buySellIndicator: "S", quantity: 40 }),
          "ack",
        );
        const trade = await alice.next("trades", (m) => m.orderbookId === "1");
        assert.deepEqual(
          trade.trades.map((t: { quantity: number }) => t.quantity),
          [40],
        );
        await bob.next("trades");
        await alice.next(
          "responses",
          (m) =>
            m.items.some((i: { message: { type: string } }) =>
              i.message.type === "orderExecuted"
            ),
        );
        await bob.next(
          "responses",
          (m) =>
            m.items.some((i: { message: { type: string } }) =>
              i.message.type === "orderExecuted"
            ),
        );
        const tokensSeen = (page: PageClient) =>
          page.received.filter((m) => m.type === "responses" && !m.history)
            .flatMap((m) => m.items)
            .map((i: { sequenceNumber: number; message: { type: string } }) =>
              `${i.sequenceNumber}:${i.message.type}`
            );
        // Message 1 of each, System Event S (K24), came with the history at login.
        assert.deepEqual(tokensSeen(alice), [
          "2:orderAccepted",
          "3:orderExecuted",
        ]);
        assert.deepEqual(tokensSeen(bob), [
          "2:orderAccepted",
          "3:orderExecuted",
        ]);
      });
    });
  });
});

Deno.test("WebServer coalesces market updates to about ten a second per orderbook", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      const started = performance.now();
      let token = 0;
      for (let round = 0; round < 40; round++) {
        setup.server.run((exchange, ts) => {
          for (let i = 0; i < 50; i++) {
            token++;
            exchange.submit(
              "alice",
              enter(token, { price: 20000 + (token % 20) }),
              ts,
            );
            exchange.submit(
              "bob",
              enter(token, {
                buySellIndicator: "S",
                quantity: 60,
                price: 20000 + (token % 20),
              }),
              ts,
            );
          }
        });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const elapsed = performance.now() - started;
      const depth = await page.next("depth", (m) => m.orderbookId === "1");
      assert.ok(depth.bids.length + depth.asks.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const depthFrames = page.received.filter((m) =>
        m.type === "depth" && m.orderbookId === "1"
      ).length;
      const tradeFrames = page.received.filter((m) => m.type === "trades")
        .length;
      const limit = Math.ceil((elapsed + 250) / 100) + 2;
      assert.ok(
        depthFrames <= limit,
        `${depthFrames} depth frames in ${elapsed} ms`,
      );
      assert.ok(tradeFrames <= limit, `${tradeFrames} trade frames`);
      assert.ok(token === 2000);
      // The last depth sent is the book as it is now.
      const last = page.received.filter((m) =>
        m.type === "depth" && m.orderbookId === "1"
      ).at(-1)!;
      const now = setup.server.exchange.market.depth("1", 10)!;
      assert.deepEqual(last.bids, now.bids);
      assert.deepEqual(last.asks, now.asks);
    });
  });
});

Deno.test("WebServer sends a new snapshot when the trading day rolls", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      await page.login("alice", "pw-a");
      const from = page.received.length;
      const exchange = setup.server.exchange;
      exchange.close(1);
      await exchange.endDay(2);
      exchange.startDay(
        { session: "2026112601", tradingDate: "20261126", created: 1795651200 },
        { timestamp: 3, log: null },
      );
      const snapshot = await page.next(
        "snapshot",
        (m) => m.session === "2026112601",
        from,
        3000,
      );
      assert.equal(snapshot.open, true);
      await page.request(pageEnter(), "ack");
      // The new day starts open: System Event S (K24), then the order.
      await setup.server.exchange.drain();
      assert.equal(setup.server.exchange.stream("alice")?.length, 2);
    });
  });
});

Deno.test("WebServer: a page logged in across a day roll is a session of its account on the new day, so an OUCH session's end does not cancel its order (issue #15 item 2)", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      await page.login("bob", "pw-b");
      const from = page.received.length;
      const exchange = setup.server.exchange;
      exchange.close(1);
      await exchange.endDay(2);
      assert.equal(exchange.sessions, 0);
      exchange.startDay(
        { session: "2026112601", tradingDate: "20261126", created: 1795651200 },
        { timestamp: 3, log: null },
      );
      await page.next(
        "snapshot",
        (m) => m.session === "2026112601",
        from,
        3000,
      );
      assert.equal(exchange.sessions, 1, "the page's session of the new day");
      const ack = await page.request(pageEnter({ quantity: 100 }), "ack");
      const ouch = await TestClient.connect(setup.server);
      await ouch.login("bob", "pw-b");
      await ouch.logout();
      await ouch.close();
      while (exchange.sessions > 1) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await exchange.drain();
      assert.deepEqual(
        exchange.openOrders("bob").map((order) => order.orderToken),
        [ack.orderToken],
      );
    });
  });
});

Deno.test("WebServer.shutdown() closes the pages' WebSockets", async () => {
  const setup = startWeb();
  const page = await PageClient.connect(setup);
  try {
    await setup.web.shutdown();
    await page.closedByServer();
    assert.equal(page.isClosed, true);
  } finally {
    await page.close();
    await setup.close();
  }
});

Deno.test("WebServer.shutdown() does not wait long for a page that never answers the close", async () => {
  const setup = startWeb();
  const [hostname, port] = setup.web.address.split(":");
  const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
  try {
    const request = [
      "GET /ws HTTP/1.1",
      `Host: ${setup.web.address}`,
      `Origin: ${setup.origin}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Version: 13",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "",
      "",
    ].join("\r\n");
    await conn.write(new TextEncoder().encode(request));
    const buffer = new Uint8Array(65536);
    const count = await conn.read(buffer);
    assert.match(
      new TextDecoder().decode(buffer.subarray(0, count ?? 0)),
      /^HTTP\/1\.1 101/,
    );
    const started = performance.now();
    await setup.close();
    assert.ok(performance.now() - started < 3000);
  } finally {
    conn.close();
  }
});

Deno.test("WebServer.listen() throws when the port is taken", async () => {
  const setup = startWeb();
  const other = new WebServer();
  try {
    const port = Number(setup.web.address.split(":")[1]);
    assert.throws(
      () =>
        other.listen({
          hostname: "127.0.0.1",
          port,
          exchange: setup.server.exchange,
        }),
      Deno.errors.AddrInUse,
    );
  } finally {
    await other.shutdown();
    await setup.close();
  }
});

Deno.test("WebServer answers a ping with a pong, logged in or not", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      assert.deepEqual(await page.request({ type: "ping" }, "pong"), {
        type: "pong",
      });
      await page.login("alice", "pw-a");
      assert.deepEqual(await page.request({ type: "ping" }, "pong"), {
        type: "pong",
      });
      assert.match(
        (await page.request({ type: "ping", now: 1 }, "error")).message,
        /field "now" is not allowed/,
      );
    });
  });
});

Deno.test("WebServer never drops a response about the page's own order when the account floods", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      await page.login("alice", "pw-a");
      const ack = await page.request(
        pageEnter({ orderbookId: "7203", price: "100.0", quantity: 10 }),
        "ack",
      );
      const own = ack.orderToken as number;
      await page.next(
        "responses",
        (m) =>
          m.items.some((i: { message: { orderToken?: number } }) =>
            i.message.orderToken === own
          ),
      );
      const from = page.received.length;
      // In one turn: 300 orders of the account's OUCH session, a fill of the page's order,
      // 300 more. Only the latest 100 of the others can be kept.
      setup.server.run((exchange, ts) => {
        for (let i = 1; i <= 300; i++) {
          exchange.submit("alice", enter(own + i, { price: 20000 + i }), ts);
        }
        exchange.submit(
          "bob",
          enter(1, { orderbookId: "7203", buySellIndicator: "S", price: 1000 }),
          ts,
        );
        for (let i = 301; i <= 600; i++) {
          exchange.submit("alice", enter(own + i, { price: 20000 + i }), ts);
        }
      });
      const batch = await page.next("responses", () => true, from);
      const kinds = batch.items.map((
        i: { message: { type: string; orderToken?: number } },
      ) => `${i.message.type}:${i.message.orderToken}`);
      assert.deepEqual(kinds[0], `orderExecuted:${own}`);
      assert.equal(kinds.length, 101);
      assert.deepEqual(kinds.slice(1, 3), [
        `orderAccepted:${own + 501}`,
        `orderAccepted:${own + 502}`,
      ]);
      assert.equal(batch.skipped, 500);
    });
  });
});

Deno.test("WebServer sends the account's latest 1,000 messages at login", async () => {
  await withWeb(async (setup) => {
    setup.server.run((exchange, ts) => {
      for (let token = 1; token <= 1200; token++) {
        exchange.submit("alice", enter(token, { price: 20000 + token }), ts);
      }
    });
    await withPage(setup, async (page) => {
      await page.login("alice", "pw-a");
      const history = await page.next("responses", (m) => m.history);
      // 1,201 messages: System Event S (K24) and the 1,200 Accepted.
      assert.equal(history.items.length, 1000);
      assert.equal(history.items[0].sequenceNumber, 202);
      assert.equal(history.items[999].sequenceNumber, 1201);
    });
  });
});

Deno.test("WebServer keeps every response about the page's order when that order alone floods the account", async () => {
  await withWeb(async (setup) => {
    // 300 resting sells of the account's OUCH session, one share each.
    setup.server.run((exchange, ts) => {
      for (let token = 1; token <= 300; token++) {
        exchange.submit(
          "alice",
          enter(token, {
            buySellIndicator: "S",
            quantity: 1,
            price: 20000 + token,
          }),
          ts,
        );
      }
    });
    await withPage(setup, async (page) => {
      await page.login("alice", "pw-a");
      await page.next("responses", (m) => m.history);
      const from = page.received.length;
      // The page's buy sweeps them in one turn: 600 executions, 301 of them its own.
      const ack = await page.request(
        pageEnter({ quantity: 300, price: "2030.0", timeInForce: 0 }),
        "ack",
      );
      assert.equal(ack.orderToken, P);
      const own = () =>
        page.received.slice(from).filter((m) => m.type === "responses")
          .flatMap((m) => m.items)
          .filter((i: { message: { orderToken?: number } }) =>
            i.message.orderToken === P
          );
      await page.next("responses", () => own().length === 301, from);
      assert.deepEqual(
        own().map((i: { message: { type: string } }) => i.message.type),
        [
          "orderAccepted",
          ...Array.from({ length: 300 }, () => "orderExecuted"),
        ],
      );
      const batches = page.received.slice(from).filter((m) =>
        m.type === "responses"
      );
      // The latest 100 (50 of them the page's) and the page's others; the rest skipped.
      assert.deepEqual(
        [
          batches.reduce((sum, m) => sum + m.items.length, 0),
          batches.reduce((sum, m) => sum + m.skipped, 0),
        ],
        [351, 250],
      );
    });
  });
});

Deno.test("WebServer.journalProblem() tells every page what failed, and new pages too, until it is cleared", async () => {
  await withWeb(async (setup) => {
    await withPage(setup, async (page) => {
      const problem =
        "cannot write the journal (2 batches waiting): cannot create segment d/x.0003.journal: No space left on device (os error 28)";
      setup.web.journalProblem(problem);
      assert.deepEqual(await page.next("journal"), {
        type: "journal",
        problem,
      });
      await withPage(setup, async (late) => {
        assert.deepEqual(await late.next("journal"), {
          type: "journal",
          problem,
        });
      });
      const from = page.received.length;
      setup.web.journalProblem(null);
      assert.deepEqual(await page.next("journal", () => true, from), {
        type: "journal",
        problem: null,
      });
    });
  });
});
