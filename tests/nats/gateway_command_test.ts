import assert from "node:assert/strict";
import { decodeOutbound, encodeMessage } from "../../lib/codec/mod.ts";
import { Exchange } from "../../lib/exchange/mod.ts";
import {
  decodeGatewayCommand,
  encodeGatewayCommand,
  EngineCommands,
  type GatewayCommand,
  GatewayCommandError,
  messageCommandLength,
  writeMessageCommand,
} from "../../lib/nats/mod.ts";
import { PAGE_TOKEN_BASE as P } from "../../lib/matcher/mod.ts";
import { enterOrder } from "../_fixtures.ts";

const ALL: GatewayCommand[] = [
  {
    type: "login",
    host: "gw1",
    username: "alice",
    password: "pw-a",
    requestedSession: "2026112501",
  },
  {
    type: "message",
    host: "gw1",
    account: "alice",
    message: new Uint8Array([0x58, 0, 0, 0, 7, 0, 0, 0, 0]),
  },
  {
    type: "page",
    host: "gw1/web#2",
    account: "alice",
    message: new Uint8Array([0x58, 0xf0, 0, 0, 1, 0, 0, 0, 0]),
  },
  { type: "logout", host: "gw-ü", account: "alice" },
  { type: "hostDown", host: "gw2" },
  { type: "beat", host: "gw1" },
  { type: "open" },
  { type: "close" },
  { type: "halt", orderbookId: "1" },
  { type: "resume", orderbookId: "1" },
  { type: "ssr", orderbookId: "2", on: true },
  { type: "ssr", orderbookId: "2", on: false },
  { type: "cancel", account: "bob" },
  { type: "endDay" },
];

Deno.test("encodeGatewayCommand()/decodeGatewayCommand() round-trip every command type; the bytes are code then length-prefixed fields", () => {
  for (const command of ALL) {
    assert.deepEqual(
      decodeGatewayCommand(encodeGatewayCommand(command)),
      command,
    );
  }
  assert.deepEqual(
    [...encodeGatewayCommand({ type: "logout", host: "g", account: "ab" })],
    [0x4f, 0, 1, 0x67, 0, 2, 0x61, 0x62],
  );
  assert.deepEqual([...encodeGatewayCommand({ type: "open" })], [0x6f]);
  assert.deepEqual(
    [
      ...encodeGatewayCommand({
        type: "page",
        host: "g/w",
        account: "a",
        message: new Uint8Array([0x58]),
      }),
    ],
    [0x57, 0, 3, 0x67, 0x2f, 0x77, 0, 1, 0x61, 0, 1, 0x58],
  );
});

Deno.test("decodeGatewayCommand() names what is wrong with bad bytes", () => {
  const bad: [number[], RegExp][] = [
    [[], /it is empty/],
    [[0x21], /unknown code 0x21/],
    [[0x68, 0], /halt command: a field length is cut short at byte 1/],
    [
      [0x68, 0, 5, 0x31],
      /a field of 5 bytes at byte 1 runs past the end \(4 bytes\)/,
    ],
    [[0x68], /halt command: it has 0 fields, not 1/],
    [[0x6f, 0, 0], /open command: it has 1 fields, not 0/],
    [[0x68, 0, 1, 0xff], /halt command: field 1 is not UTF-8/],
    [[0x73, 0, 1, 0x31, 0, 1, 0x32], /ssr command: its switch is "2"/],
  ];
  for (const [bytes, message] of bad) {
    assert.throws(
      () => decodeGatewayCommand(new Uint8Array(bytes)),
      (error: unknown) =>
        error instanceof GatewayCommandError && message.test(error.message),
      String(bytes),
    );
  }
  assert.throws(
    () => encodeGatewayCommand({ type: "cancel", account: "x".repeat(70_000) }),
    /a field of 70000 bytes is longer than 65535/,
  );
});

function engine() {
  const exchange = new Exchange({
    users: new Map([["alice", "pw-a"], ["bob", "pw-b"]]),
    day: { session: "2026112501", tradingDate: "20261125", created: 1 },
    timestamp: 0,
  });
  return { exchange, commands: new EngineCommands(exchange) };
}

function types(exchange: Exchange, name: string): string[] {
  const stream = exchange.stream(name)!;
  return Array.from(
    { length: stream.length },
    (_, i) => {
      const message = decodeOutbound(stream.message(i + 1));
      return message.type === "orderCanceled"
        ? `orderCanceled ${message.orderCanceledReason}`
        : message.type;
    },
  );
}

const login = (host: string, username = "alice", password = "pw-a") =>
  ({ type: "login", host, username, password, requestedSession: "" }) as const;
const order = (host: string, token: number) =>
  ({
    type: "message",
    host,
    account: "alice",
    message: encodeMessage(enterOrder(token)),
  }) as const;

Deno.test("EngineCommands: an account on two hosts keeps its orders until its last session ends anywhere (K23), then they are canceled", async () => {
  const { exchange, commands } = engine();
  assert.equal(commands.apply(login("gw1"), 1), undefined);
  assert.equal(commands.apply(login("gw2"), 2), undefined);
  assert.equal(exchange.sessions, 2);
  assert.equal(commands.apply(order("gw1", 1), 3), undefined);
  assert.equal(commands.apply(order("gw2", 2), 4), undefined);
  assert.equal(
    commands.apply({ type: "logout", host: "gw1", account: "alice" }, 5),
    undefined,
  );
  await exchange.drain();
  assert.deepEqual(types(exchange, "alice"), [
    "systemEvent",
    "orderAccepted",
    "orderAccepted",
  ]);
  assert.equal(exchange.openOrders("alice").length, 2);
  // The other host dies: its sessions end, and alice has none left.
  assert.equal(commands.apply({ type: "hostDown", host: "gw2" }, 6), undefined);
  await exchange.drain();
  assert.equal(exchange.sessions, 0);
  assert.equal(commands.sessions, 0);
  assert.deepEqual(types(exchange, "alice"), [
    "systemEvent",
    "orderAccepted",
    "orderAccepted",
    "orderCanceled L",
    "orderCanceled L",
  ]);
});

Deno.test("EngineCommands: refused commands record nothing and say why", async () => {
  const { exchange, commands } = engine();
  await exchange.drain();
  const before = exchange.messagesOut;
  assert.equal(
    commands.apply(login("gw1", "alice", "wrong"), 1),
    'login of "alice" on "gw1" refused (A)',
  );
  assert.equal(commands.apply(login("gw1"), 2), undefined);
  assert.equal(
    commands.apply(login("gw1"), 3),
    'login of "alice" on "gw1" refused: it has a session there',
  );
  assert.equal(
    commands.apply(order("gw2", 1), 4),
    'message of "alice" on "gw2" dropped: no session there',
  );
  assert.match(
    commands.apply({
      type: "message",
      host: "gw1",
      account: "alice",
      message: new Uint8Array([0x4f, 1]),
    }, 5)!,
    /^message of "alice" on "gw1" dropped: /,
  );
  assert.equal(
    commands.apply({ type: "logout", host: "gw2", account: "alice" }, 6),
    'logout of "alice" on "gw2" ignored: no session there',
  );
  // A host without sessions (a gateway starting says so of itself): nothing to say.
  assert.equal(commands.apply({ type: "hostDown", host: "gw9" }, 7), undefined);
  assert.equal(commands.apply({ type: "open" }, 8), "already open");
  await exchange.drain();
  assert.equal(exchange.messagesOut, before);
  assert.equal(exchange.sessions, 1);
});

Deno.test("EngineCommands: operator actions reach the exchange as they would from its console", async () => {
  const { exchange, commands } = engine();
  commands.apply(login("gw1"), 1);
  assert.equal(
    commands.apply({ type: "halt", orderbookId: "1" }, 2),
    undefined,
  );
  assert.equal(exchange.isHalted("1"), true);
  assert.equal(
    commands.apply({ type: "halt", orderbookId: "1" }, 3),
    'orderbook "1" not halted',
  );
  assert.equal(
    commands.apply({ type: "resume", orderbookId: "1" }, 4),
    undefined,
  );
  assert.equal(exchange.isHalted("1"), false);
  assert.equal(
    commands.apply({ type: "ssr", orderbookId: "1", on: true }, 5),
    undefined,
  );
  assert.equal(exchange.isShortSellRestricted("1"), true);
  assert.equal(
    commands.apply({ type: "ssr", orderbookId: "1", on: true }, 6),
    'short-sell restriction of "1" unchanged',
  );
  commands.apply(order("gw1", 1), 7);
  assert.equal(
    commands.apply({ type: "cancel", account: "alice" }, 8),
    undefined,
  );
  assert.equal(exchange.openOrders("alice").length, 0);
  assert.equal(commands.apply({ type: "close" }, 9), undefined);
  assert.equal(exchange.isOpen, false);
  assert.equal(commands.apply({ type: "close" }, 10), "already closed");
  assert.equal(commands.apply({ type: "open" }, 11), undefined);
  assert.equal(exchange.isOpen, true);
  await exchange.drain();
  assert.deepEqual(types(exchange, "alice"), [
    "systemEvent",
    "orderAccepted",
    "orderCanceled S",
    "systemEvent",
    "systemEvent",
  ]);
  assert.equal(commands.apply({ type: "endDay" }, 12), undefined);
  await exchange.drain();
  assert.equal(commands.sessions, 0);
  assert.equal(exchange.session, "2026112501");
  assert.equal(
    commands.apply(login("gw1"), 13),
    'login of "alice" on "gw1" refused (S)',
  );
});

Deno.test("EngineCommands: a beat records nothing; hosts() lists the hosts with sessions", async () => {
  const { exchange, commands } = engine();
  await exchange.drain();
  const before = exchange.messagesOut;
  assert.equal(commands.apply({ type: "beat", host: "gw1" }, 1), undefined);
  assert.deepEqual(commands.hosts(), new Set());
  commands.apply(login("gw1"), 2);
  commands.apply(login("gw2", "bob", "pw-b"), 3);
  assert.deepEqual(commands.hosts(), new Set(["gw1", "gw2"]));
  await exchange.drain();
  assert.equal(exchange.messagesOut, before);
});

/** A page's order command: an Enter Order with `token` from alice's page on `host`. */
const pageOrder = (host: string, token: number, fields = {}) =>
  ({
    type: "page",
    host,
    account: "alice",
    message: encodeMessage(enterOrder(token, fields)),
  }) as const;

/** Alice's stream as "type token" lines. */
function tokens(exchange: Exchange): string[] {
  const stream = exchange.stream("alice")!;
  return Array.from({ length: stream.length }, (_, i) => {
    const message = decodeOutbound(stream.message(i + 1));
    return message.type === "orderAccepted" ||
        message.type === "orderCanceled"
      ? `${message.type} ${message.orderToken}`
      : message.type === "orderReplaced"
      ? `${message.type} ${message.replacementOrderToken}`
      : message.type;
  });
}

Deno.test("EngineCommands: a page's orders need its page session, go in as ouch server's page orders (origin web), and a token another page took meanwhile is raised", async () => {
  const { exchange, commands } = engine();
  assert.equal(
    commands.apply(pageOrder("gw1/web#1", P), 1),
    'page order of "alice" on "gw1/web#1" dropped: no page session there',
  );
  commands.apply(login("gw1"), 2);
  assert.equal(
    commands.apply({ ...pageOrder("gw1", P) }, 3),
    'page order of "alice" on "gw1" dropped: no page session there',
  );
  assert.equal(commands.apply(login("gw1/web#1"), 4), undefined);
  assert.equal(commands.apply(login("gw2/web#7"), 5), undefined);
  assert.equal(commands.apply(pageOrder("gw1/web#1", P), 6), undefined);
  // Both gateways picked P + 1: the later one becomes P + 2.
  assert.equal(commands.apply(pageOrder("gw1/web#1", P + 1), 7), undefined);
  assert.equal(commands.apply(pageOrder("gw2/web#7", P + 1), 8), undefined);
  // A replace's new token is raised too; a cancel keeps its token.
  const replace = encodeMessage({
    type: "replaceOrder",
    existingOrderToken: P,
    replacementOrderToken: P + 1,
    quantity: 50,
    price: 23_000,
    timeInForce: 99999,
    display: " ",
    minimumQuantity: 0,
  });
  assert.equal(
    commands.apply(
      { type: "page", host: "gw2/web#7", account: "alice", message: replace },
      9,
    ),
    undefined,
  );
  assert.equal(
    commands.apply({
      type: "page",
      host: "gw1/web#1",
      account: "alice",
      message: encodeMessage({
        type: "cancelOrder",
        orderToken: P + 1,
        quantity: 0,
      }),
    }, 10),
    undefined,
  );
  assert.match(
    commands.apply({
      type: "page",
      host: "gw1/web#1",
      account: "alice",
      message: new Uint8Array([0x4f, 1]),
    }, 11)!,
    /^page order of "alice" on "gw1\/web#1" dropped: /,
  );
  await exchange.drain();
  assert.deepEqual(tokens(exchange), [
    "systemEvent",
    `orderAccepted ${P}`,
    `orderAccepted ${P + 1}`,
    `orderAccepted ${P + 2}`,
    `orderReplaced ${P + 3}`,
    `orderCanceled ${P + 1}`,
  ]);
  assert.equal(exchange.nextPageToken("alice"), P + 4);
});

Deno.test("EngineCommands: a page's end cancels nothing; a gateway's pages count as its sessions (hosts(), hostDown), and when it dies its pages end first, so accounts left with no session anywhere get cancel on disconnect", async () => {
  const { exchange, commands } = engine();
  commands.apply(login("gw1"), 1);
  commands.apply(login("gw1/web#1"), 2);
  commands.apply(login("gw2/web#3", "bob", "pw-b"), 3);
  assert.deepEqual(commands.hosts(), new Set(["gw1", "gw2"]));
  commands.apply(order("gw1", 1), 4);
  // The page's end, with the OUCH session still there: nothing canceled.
  assert.equal(
    commands.apply({ type: "logout", host: "gw1/web#1", account: "alice" }, 5),
    undefined,
  );
  // The OUCH session's end while a page of the account is open: nothing canceled (K23).
  commands.apply(login("gw1/web#2"), 6);
  commands.apply({ type: "logout", host: "gw1", account: "alice" }, 7);
  // The page's end, the account's last session: a page's end cancels nothing.
  commands.apply({ type: "logout", host: "gw1/web#2", account: "alice" }, 8);
  await exchange.drain();
  assert.deepEqual(tokens(exchange), ["systemEvent", "orderAccepted 1"]);
  assert.equal(exchange.sessions, 1);
  // gw1 dies with an OUCH session and a page of alice: the page ends first, then the OUCH
  // session's end leaves alice with none, and her orders are canceled.
  commands.apply(login("gw1"), 9);
  commands.apply(login("gw1/web#4"), 10);
  assert.equal(
    commands.apply({ type: "hostDown", host: "gw1" }, 11),
    undefined,
  );
  await exchange.drain();
  assert.deepEqual(tokens(exchange), [
    "systemEvent",
    "orderAccepted 1",
    "orderCanceled 1",
  ]);
  // gw2 dies with only bob's page: its end cancels nothing.
  assert.equal(
    commands.apply({ type: "hostDown", host: "gw2" }, 12),
    undefined,
  );
  assert.equal(commands.sessions, 0);
  assert.deepEqual(commands.hosts(), new Set());
});

Deno.test("message commands: names are encoded the same every time (ASCII, non-ASCII, longer than 64 bytes) and a name that is not UTF-8 is refused", () => {
  const long = "a".repeat(70);
  for (
    const [host, account] of [["gw1", "alice"], ["gw-ü", "アリス"], [
      long,
      long,
    ]]
  ) {
    const command: GatewayCommand = {
      type: "message",
      host: host!,
      account: account!,
      message: new Uint8Array([0x4f]),
    };
    const first = encodeGatewayCommand(command);
    assert.deepEqual(encodeGatewayCommand(command), first);
    assert.deepEqual(decodeGatewayCommand(first), command);
  }
  // The engine keeps the names it decoded by a hash of their bytes: "Ab" and "BC" have the
  // same hash, and each still decodes as itself, in any order.
  for (const account of ["Ab", "BC", "Ab", "BC", "Ab"]) {
    const command: GatewayCommand = {
      type: "message",
      host: "gw1",
      account,
      message: new Uint8Array([0x4f]),
    };
    assert.deepEqual(
      decodeGatewayCommand(encodeGatewayCommand(command)),
      command,
    );
  }
  assert.throws(
    () =>
      encodeGatewayCommand({
        type: "message",
        host: "gw1",
        account: "alice",
        message: new Uint8Array(70_000),
      }),
    /Cannot encode a message command: a field of 70000 bytes is longer than 65535/,
  );
  // host "g", account 0xc3 0x28 (a broken two-byte sequence), message "O"
  assert.throws(
    () =>
      decodeGatewayCommand(
        new Uint8Array([0x4d, 0, 1, 0x67, 0, 2, 0xc3, 0x28, 0, 1, 0x4f]),
      ),
    /message command: field 2 is not UTF-8/,
  );
});

Deno.test("writeMessageCommand: in place, the same bytes as encodeGatewayCommand, for fields short and long, names ASCII and not, at any offset", () => {
  for (const size of [1, 64, 65, 300]) {
    const message = Uint8Array.from(
      { length: size },
      (_, i) => (i * 31) & 0xff,
    );
    for (
      const command of [
        { type: "message", host: "gw1", account: "alice", message },
        { type: "page", host: "gw1/web#2", account: "böb", message },
        {
          type: "message",
          host: "h".repeat(70),
          account: "a".repeat(65),
          message,
        },
      ] as const
    ) {
      const length = messageCommandLength(command);
      const bytes = new Uint8Array(3 + length + 2).fill(0xee);
      writeMessageCommand(command, bytes, 3);
      assert.deepEqual(
        bytes.subarray(3, 3 + length),
        encodeGatewayCommand(command),
      );
      assert.deepEqual([...bytes.subarray(0, 3)], [0xee, 0xee, 0xee]);
      assert.deepEqual([...bytes.subarray(3 + length)], [0xee, 0xee]);
      assert.deepEqual(
        decodeGatewayCommand(bytes.subarray(3, 3 + length)),
        command,
      );
    }
  }
});
