import assert from "node:assert/strict";
import { decodeOutbound, encodeMessage } from "../../lib/codec/mod.ts";
import type {
  InboundMessage,
  OutboundMessage,
} from "../../lib/codec/messages.ts";
import type { LoginRequestPacket } from "../../lib/codec/packets.ts";
import {
  type Command,
  decodeRecords,
  encodeRecords,
  Exchange,
  type ExchangeOptions,
  type OutputRecord,
  type SessionHandle,
} from "../../lib/exchange/mod.ts";
import { readJournal } from "../../lib/exchange/journal_reader.ts";
import {
  enter,
  TEST_DAY,
  testExchange,
  types,
  USERS,
} from "../server/_harness.ts";

/** An exchange whose turns the test runs by hand, with its log in memory. */
function setup(
  options: Parameters<typeof testExchange>[0] = {},
) {
  const batches: Uint8Array[] = [];
  const tasks: (() => void)[] = [];
  const ex = testExchange({
    log: { append: (batch) => void batches.push(batch.slice()) },
    schedule: (task) => tasks.push(task),
    ...options,
  });
  /** Ends the turn: the batch is written and delivered. */
  const turn = () => {
    for (const task of tasks.splice(0)) task();
  };
  /** Every record written so far. */
  const records = (): OutputRecord[] =>
    batches.flatMap((batch) => decodeRecords(batch));
  return { ex, batches, turn, records };
}

function request(
  username: string,
  password: string,
  session = "",
): LoginRequestPacket {
  return {
    type: "loginRequest",
    username,
    password,
    requestedSession: session,
    requestedSequenceNumber: 1,
  };
}

function login(ex: Exchange, name: string, host = "ouch"): SessionHandle {
  const result = ex.login(request(name, USERS.get(name)!), host, 0);
  if (!result.accept) throw new Error(`login of ${name} refused`);
  return result.handle;
}

function messages(ex: Exchange, account: string): OutboundMessage[] {
  const stream = ex.stream(account)!;
  return Array.from(
    { length: stream.length },
    (_, i) => decodeOutbound(stream.message(i + 1)),
  );
}

function bytes(message: InboundMessage): Uint8Array {
  return encodeMessage(message);
}

function commands(records: readonly OutputRecord[]): Command["type"][] {
  return records.map((record) => record.command.type);
}

Deno.test("Exchange starts a day with its start record and one account record per user", () => {
  const { ex, turn, records } = setup({ day: { halted: ["2"] } });
  turn();
  const written = records();
  assert.deepEqual(commands(written), [
    "startDay",
    "account",
    "account",
    "account",
  ]);
  assert.deepEqual(written[0]!.command, {
    type: "startDay",
    day: {
      ...TEST_DAY,
      version: "1.12",
      orderbooks: ["0", "1", "2", "3", "7203", "6758", "9984", "8306"],
      open: true,
      halted: ["2"],
      matcher: {},
    },
  });
  // The halt the day starts with is the start record's market event.
  assert.deepEqual(written[0]!.events, [
    { type: "tradingState", timestamp: 0, orderbookId: "2", halted: true },
  ]);
  assert.deepEqual(written.slice(1).map((record) => record.command), [
    { type: "account", account: 0, name: "alice", config: {} },
    { type: "account", account: 1, name: "bob", config: {} },
    { type: "account", account: 2, name: "carol", config: {} },
  ]);
  assert.equal(ex.accountId("carol"), 2);
  assert.equal(ex.accountName(1), "bob");
  assert.equal(ex.market.isHalted("2"), true);
  assert.throws(() => testExchange({ day: { session: "12345678901" } }), {
    name: "RangeError",
    message: /session id/,
  });
  assert.throws(() => testExchange({ day: { tradingDate: "20240230" } }), {
    name: "RangeError",
    message: /tradingDate must be a real date/,
  });
});

Deno.test("Exchange.login() refuses bad credentials with A, and another session id or a second session on the host with S", () => {
  const { ex, turn, records } = setup();
  assert.deepEqual(ex.login(request("alice", "wrong"), "ouch", 1), {
    accept: false,
    code: "A",
  });
  assert.deepEqual(ex.login(request("mallory", "pw-a"), "ouch", 1), {
    accept: false,
    code: "A",
  });
  assert.deepEqual(
    ex.login(request("alice", "pw-a", "2026112499"), "ouch", 1),
    {
      accept: false,
      code: "S",
    },
  );
  const first = ex.login(request("alice", "pw-a", "2026112501"), "ouch", 2);
  assert.equal(first.accept, true);
  assert.deepEqual(ex.login(request("alice", "pw-a"), "ouch", 3), {
    accept: false,
    code: "S",
  });
  // Another host (K23) may hold a session of the same account.
  assert.equal(ex.login(request("alice", "pw-a"), "mirror", 4).accept, true);
  assert.equal(ex.sessions, 2);
  if (!first.accept) throw new Error();
  ex.logout(first.handle, 5);
  ex.logout(first.handle, 6); // handed back twice: nothing
  assert.equal(ex.login(request("alice", "pw-a"), "ouch", 7).accept, true);
  turn();
  // Only accepted logins and real logouts are records.
  assert.deepEqual(
    records().slice(4).map((record) => [record.command, record.timestamp]),
    [
      [{ type: "sessionStart", account: 0, host: "ouch" }, 2],
      [{ type: "sessionStart", account: 0, host: "mirror" }, 4],
      [{ type: "sessionEnd", account: 0, host: "ouch", cancel: true }, 5],
      [{ type: "sessionStart", account: 0, host: "ouch" }, 7],
    ],
  );
});

Deno.test("Exchange delivers a batch only once the log holds it, in the order of the batches", async () => {
  const pending: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const ex = testExchange({
    log: {
      append: () => new Promise<void>((resolve) => pending.push(resolve)),
    },
    schedule: (task) => tasks.push(task),
  });
  const delivered: string[] = [];
  ex.subscribe({
    delivered: (batch) => delivered.push(commands(batch.records).join(",")),
  });
  const alice = login(ex, "alice");
  ex.handleMessage(alice, bytes(enter(1)), 10);
  for (const task of tasks.splice(0)) task();
  ex.handleMessage(alice, bytes(enter(2)), 20);
  for (const task of tasks.splice(0)) task();
  assert.equal(pending.length, 2);
  assert.equal(ex.stream("alice")!.length, 0, "nothing is durable yet");
  // The second batch is durable first: it waits for the first.
  pending[1]!();
  await Promise.resolve();
  assert.deepEqual(delivered, []);
  const drained = ex.drain();
  pending[0]!();
  await drained;
  assert.deepEqual(delivered, [
    "startDay,account,account,account,sessionStart,message",
    "message",
  ]);
  assert.deepEqual(types(messages(ex, "alice")), [
    "system:S",
    "orderAccepted",
    "orderAccepted",
  ]);
  // Engine state moves at once; messages are counted as sequenced (S to each of three).
  assert.equal(ex.messagesIn, 2);
  assert.equal(ex.messagesOut, 5);
});

Deno.test("Exchange.open() and close() reach every account, connected or not", () => {
  const { ex, turn } = setup({ day: { open: false } });
  assert.equal(ex.open(5), true);
  assert.equal(ex.open(6), false);
  ex.submit("bob", enter(1, { buySellIndicator: "S" }), 7);
  assert.equal(ex.close(8), true);
  assert.equal(ex.close(9), false);
  turn();
  assert.deepEqual(types(messages(ex, "alice")), ["system:S", "system:E"]);
  assert.deepEqual(types(messages(ex, "bob")), [
    "system:S",
    "orderAccepted",
    "canceled:O",
    "system:E",
  ]);
  assert.deepEqual(types(messages(ex, "carol")), ["system:S", "system:E"]);
  assert.equal(ex.market.isOpen, false);
});

Deno.test("Exchange.logout() cancels the account's resting orders with reason L when its last session ends (K13, K23)", () => {
  const { ex, turn } = setup();
  const alice = login(ex, "alice");
  const mirror = login(ex, "alice", "mirror");
  ex.handleMessage(alice, bytes(enter(1)), 1);
  ex.handleMessage(alice, bytes(enter(2, { price: 22000 })), 2);
  ex.logout(alice, 3);
  assert.equal(ex.openOrders("alice").length, 2, "a session is left");
  ex.logout(mirror, 4);
  turn();
  assert.deepEqual(messages(ex, "alice").slice(3), [
    {
      type: "orderCanceled",
      timestamp: 4,
      orderToken: 1,
      decrementQuantity: 100,
      orderCanceledReason: "L",
    },
    {
      type: "orderCanceled",
      timestamp: 4,
      orderToken: 2,
      decrementQuantity: 100,
      orderCanceledReason: "L",
    },
  ]);
  assert.deepEqual(ex.openOrders("alice"), []);
});

Deno.test("Exchange keeps orders at a logout when cancel on disconnect is off", () => {
  const { ex, turn, records } = setup({ cancelOnDisconnect: false });
  const alice = login(ex, "alice");
  ex.handleMessage(alice, bytes(enter(1)), 1);
  ex.logout(alice, 3);
  turn();
  assert.equal(ex.openOrders("alice").length, 1);
  assert.equal(ex.stream("alice")!.length, 2);
  assert.deepEqual(records().at(-1)!.command, {
    type: "sessionEnd",
    account: 0,
    host: "ouch",
    cancel: false,
  });
});

Deno.test("Exchange.handleMessage() throws for malformed bytes and records nothing", () => {
  const { ex, turn, batches } = setup();
  const alice = login(ex, "alice");
  turn();
  const before = batches.length;
  assert.throws(
    () => ex.handleMessage(alice, new Uint8Array([0x51, 1, 2]), 1),
    {
      name: "OuchDecodeError",
    },
  );
  assert.throws(
    () => ex.handleMessage(alice, bytes(enter(1)).subarray(0, 47), 1),
    { name: "OuchDecodeError", message: /length/ },
  );
  turn();
  assert.equal(batches.length, before, "nothing recorded");
  assert.equal(ex.messagesIn, 0);
  assert.equal(ex.stream("alice")!.length, 1, "System Event S only");
});

Deno.test("Exchange refuses what the day does not know and records nothing", () => {
  const { ex, turn, batches } = setup();
  turn();
  const before = batches.length;
  assert.deepEqual(ex.openOrders("mallory"), []);
  assert.equal(ex.nextToken("mallory"), 1);
  assert.equal(ex.cancelAccount("mallory", 2), 0);
  assert.equal(ex.halt("nope", 3), false);
  assert.equal(ex.resume("1", 4), false);
  assert.throws(() => ex.submit("mallory", enter(1), 5), {
    name: "RangeError",
    message: 'Cannot submit for account "mallory": it is not configured',
  });
  turn();
  assert.equal(batches.length, before);
});

Deno.test("Exchange numbers orders with its trading date and records the matcher's market events", () => {
  const { ex, turn, records } = setup({ day: { tradingDate: "20240229" } });
  turn();
  const from = records().length;
  const alice = login(ex, "alice");
  const bob = login(ex, "bob");
  ex.handleMessage(alice, bytes(enter(1, { quantity: 30 })), 10);
  ex.handleMessage(
    bob,
    bytes(enter(1, { buySellIndicator: "S", quantity: 10 })),
    20,
  );
  ex.close(30);
  turn();
  const written = records().slice(from);
  assert.deepEqual(commands(written), [
    "sessionStart",
    "sessionStart",
    "message",
    "message",
    "close",
  ]);
  const outputs = written.map((record) =>
    record.messages.map((m) =>
      `${m.account}#${m.sequenceNumber} ${decodeOutbound(m.message).type}`
    )
  );
  assert.deepEqual(outputs.slice(2), [
    ["0#2 orderAccepted"],
    ["1#2 orderAccepted", "0#3 orderExecuted", "1#3 orderExecuted"],
    [
      "0#4 orderCanceled",
      "0#5 systemEvent",
      "1#4 systemEvent",
      "2#2 systemEvent",
    ],
  ]);
  assert.deepEqual(written.flatMap((record) => record.events), [
    {
      type: "bookAdd",
      timestamp: 10,
      orderbookId: "1",
      orderNumber: 202402290000000001n,
      side: "B",
      price: 23000,
      quantity: 30,
      account: 0,
    },
    {
      type: "bookExecute",
      timestamp: 20,
      orderbookId: "1",
      orderNumber: 202402290000000001n,
      side: "B",
      price: 23000,
      quantity: 10,
      remaining: 20,
      matchNumber: 202402290000000001n,
      restingAccount: 0,
      incomingAccount: 1,
      incomingOrderNumber: 202402290000000002n,
    },
    {
      type: "bookDelete",
      timestamp: 30,
      orderbookId: "1",
      orderNumber: 202402290000000001n,
      side: "B",
      price: 23000,
      quantity: 20,
      account: 0,
    },
    { type: "marketState", timestamp: 30, open: false },
  ]);
  assert.equal(ex.market.lastTrade("1")?.matchNumber, 202402290000000001n);
});

Deno.test("Exchange.submit() goes through the same path as a SoupBinTCP message", () => {
  const { ex, turn, records } = setup();
  ex.submit("bob", enter(1, { clientReference: "web" }), 4);
  turn();
  const [, accepted] = messages(ex, "bob");
  assert.equal(accepted?.type, "orderAccepted");
  assert.equal(ex.nextToken("bob"), 2);
  const record = records().at(-1)!;
  assert.deepEqual(record.command, {
    type: "message",
    account: 1,
    origin: "web",
    message: bytes(enter(1, { clientReference: "web" })),
  });
  assert.throws(
    () => ex.submit("bob", enter(2, { clientReference: "x".repeat(11) }), 5),
    { name: "OuchEncodeError" },
  );
});

Deno.test("Exchange writes one record per command that changes something, each in the turn's batch", () => {
  const { ex, turn, batches, records } = setup();
  turn();
  const from = records().length;
  const alice = login(ex, "alice", "ouch");
  ex.handleMessage(alice, bytes(enter(1)), 1);
  ex.halt("1", 2);
  ex.resume("1", 3);
  ex.cancelAccount("alice", 4);
  ex.close(5);
  ex.open(6);
  ex.logout(alice, 7);
  const before = batches.length;
  turn();
  assert.equal(batches.length, before + 1, "one write for the turn");
  assert.deepEqual(commands(records().slice(from)), [
    "sessionStart",
    "message",
    "halt",
    "resume",
    "cancelAccount",
    "close",
    "open",
    "sessionEnd",
  ]);
});

Deno.test("Exchange.endDay() and startDay() roll the day: subscribers hear of both, old sessions are ignored", async () => {
  const { ex, turn, records } = setup();
  const heard: string[] = [];
  ex.subscribe({
    dayStarted: (day) => heard.push(`started ${day.session}`),
    dayEnded: () => heard.push("ended"),
  });
  const alice = login(ex, "alice");
  ex.handleMessage(alice, bytes(enter(1)), 1);
  turn();
  const ending = ex.endDay(2);
  turn();
  await ending;
  assert.equal(ex.day, undefined);
  assert.deepEqual(ex.login(request("alice", "pw-a"), "ouch", 3), {
    accept: false,
    code: "S",
  });
  assert.equal(ex.open(3), false);
  assert.throws(() => ex.handleMessage(alice, bytes(enter(2)), 3), {
    name: "RangeError",
    message: /not of the current trading day/,
  });
  const next: Uint8Array[] = [];
  ex.startDay({ ...TEST_DAY, session: "2026112601", tradingDate: "20261126" }, {
    timestamp: 4,
    log: { append: (batch) => void next.push(batch.slice()) },
  });
  ex.logout(alice, 5); // of the day before: nothing
  turn();
  assert.deepEqual(heard, [
    "started 2026112501",
    "ended",
    "started 2026112601",
  ]);
  assert.equal(records().at(-1)!.command.type, "endDay");
  assert.deepEqual(
    commands(next.flatMap((batch) => decodeRecords(batch))),
    ["startDay", "account", "account", "account"],
  );
  assert.deepEqual(
    types(messages(ex, "alice")),
    ["system:S"],
    "a new day's streams",
  );
  assert.equal(ex.session, "2026112601");
  assert.throws(
    () => ex.startDay(TEST_DAY, { timestamp: 6, log: null }),
    { name: "RangeError", message: /has not ended/ },
  );
});

/** A busy day: the exchange and its records. */
function busyDay() {
  const { ex, turn, batches } = setup({
    day: { orderbooks: ["1", "2"], halted: ["2"] },
  });
  const alice = login(ex, "alice");
  const bob = login(ex, "bob");
  ex.handleMessage(alice, bytes(enter(1, { quantity: 300 })), 100);
  ex.handleMessage(
    bob,
    bytes(enter(1, { buySellIndicator: "S", quantity: 120 })),
    200,
  );
  turn();
  ex.handleMessage(bob, bytes(enter(2, { orderbookId: "2" })), 300); // halted: H
  ex.resume("2", 350);
  ex.submit("carol", enter(5, { price: 22990, firmId: 9 }), 400);
  ex.handleMessage(
    alice,
    bytes({
      type: "replaceOrder",
      existingOrderToken: 1,
      replacementOrderToken: 2,
      quantity: 150,
      price: 23010,
      timeInForce: 99999,
      display: " ",
      minimumQuantity: 0,
    }),
    500,
  );
  ex.cancelAccount("carol", 550);
  turn();
  ex.close(600);
  ex.open(700);
  ex.handleMessage(alice, bytes(enter(9, { quantity: 5 })), 800);
  ex.logout(alice, 900);
  turn();
  return { ex, records: readJournal(concat(batches)).records };
}

function recoverOptions(
  log: Uint8Array[],
  users: ReadonlyMap<string, string> = USERS,
): ExchangeOptions {
  return {
    users,
    log: { append: (batch) => void log.push(batch.slice()) },
    schedule: (task) => task(),
    timestamp: 1_000,
  };
}

Deno.test("Exchange.recover() rebuilds streams, books, tokens, numbers and market data from the records", () => {
  const { ex, records } = busyDay();
  const log: Uint8Array[] = [];
  const recovered = Exchange.recover(records, recoverOptions(log));
  for (const account of ["alice", "bob", "carol"]) {
    const original = ex.stream(account)!;
    const copy = recovered.stream(account)!;
    assert.equal(copy.length, original.length, account);
    for (let seq = 1; seq <= original.length; seq++) {
      assert.deepEqual(copy.message(seq), original.message(seq), account);
    }
    assert.deepEqual(recovered.openOrders(account), ex.openOrders(account));
    assert.equal(recovered.nextToken(account), ex.nextToken(account));
  }
  assert.equal(recovered.session, "2026112501");
  assert.deepEqual(recovered.orderbooks, ["1", "2"]);
  assert.equal(recovered.isHalted("2"), false);
  assert.equal(recovered.isOpen, true);
  assert.deepEqual(recovered.market.depth("1"), ex.market.depth("1"));
  assert.deepEqual(recovered.market.trades("1"), ex.market.trades("1"));
  // A crash ends no session: the restart forgets them, without a cancel.
  assert.deepEqual(
    log.flatMap((batch) => decodeRecords(batch)).map((r) => r.command),
    [{ type: "restart" }],
  );
  assert.equal(recovered.sessions, 0);
  assert.equal(
    recovered.login(request("bob", "pw-b"), "ouch", 1_001).accept,
    true,
  );
  // The next command continues the day identically on both.
  for (const day of [ex, recovered]) {
    day.submit("bob", enter(3, { buySellIndicator: "S", quantity: 1 }), 2_000);
  }
  ex.flush();
  recovered.flush();
  assert.deepEqual(messages(recovered, "bob"), messages(ex, "bob"));
});

Deno.test("Exchange.recover() registers accounts new to this start after the restart", () => {
  const { records } = busyDay();
  const users = new Map([...USERS, ["dave", "pw-d"]]);
  const log: Uint8Array[] = [];
  const recovered = Exchange.recover(records, recoverOptions(log, users));
  assert.equal(recovered.accountId("dave"), 3);
  assert.deepEqual(
    log.flatMap((batch) => decodeRecords(batch)).map((r) => r.command),
    [
      { type: "restart" },
      { type: "account", account: 3, name: "dave", config: {} },
    ],
  );
});

Deno.test("Exchange.recover() refuses records the engine does not reproduce, naming the difference", () => {
  const { records } = busyDay();
  const options = recoverOptions([]);
  const decoded = records.map((record) => decodeRecords(record)[0]!);
  const rewrite = (change: (record: OutputRecord) => OutputRecord) =>
    decoded.map((record) => encodeRecords([change(record)]));
  // An Order Accepted with another byte.
  const tampered = rewrite((record) =>
    record.timestamp === 200
      ? {
        ...record,
        messages: record.messages.map((m, i) =>
          i === 0
            ? { ...m, message: m.message.map((b, j) => j === 20 ? b ^ 1 : b) }
            : m
        ),
      }
      : record
  );
  assert.throws(() => Exchange.recover(tampered, options), {
    name: "RecoveryError",
    message:
      /Cannot recover record \d+: the engine produced orderAccepted #2 for bob where the records have other bytes/,
  });
  // A System Event left out of the close.
  const missing = rewrite((record) =>
    record.command.type === "close"
      ? { ...record, messages: record.messages.slice(0, -1) }
      : record
  );
  assert.throws(() => Exchange.recover(missing, options), {
    name: "RecoveryError",
    message:
      /the engine produced systemEvent #\d+ for carol where the records have nothing/,
  });
  // A market event with another quantity.
  const event = rewrite((record) =>
    record.timestamp === 100
      ? {
        ...record,
        events: [{ ...record.events[0]!, quantity: 299 } as never],
      }
      : record
  );
  assert.throws(() => Exchange.recover(event, options), {
    name: "RecoveryError",
    message:
      /the engine produced the market event bookAdd where the records have bookAdd/,
  });
  assert.throws(() => Exchange.recover(records.slice(1), options), {
    name: "RecoveryError",
    message: /do not start with a day's start: the first is "account"/,
  });
  assert.throws(() => Exchange.recover([], options), {
    name: "RecoveryError",
    message: /without records/,
  });
  const damaged = records.map((record, i) =>
    i === 3 ? record.map((b, j) => j === 10 ? b ^ 1 : b) : record
  );
  assert.throws(() => Exchange.recover(damaged, options), {
    name: "RecoveryError",
    message: /Cannot recover record 3: .*CRC/,
  });
});

Deno.test("Exchange makes System Event S the first message of every account's stream (K24)", async () => {
  const S = (timestamp: number) => ({
    type: "systemEvent",
    timestamp,
    eventCode: "S",
  });
  const E = (timestamp: number) => ({
    type: "systemEvent",
    timestamp,
    eventCode: "E",
  });
  // A day that starts open: every account's message 1, at the day's start.
  const open = testExchange({ timestamp: 100 });
  await open.drain();
  for (const name of USERS.keys()) {
    assert.deepEqual(messages(open, name), [S(100)], name);
  }
  // A day that starts closed: nothing until the open, which is everybody's message 1.
  const closed = testExchange({ day: { open: false }, timestamp: 100 });
  await closed.drain();
  assert.deepEqual(messages(closed, "alice"), []);
  closed.open(200);
  await closed.drain();
  assert.deepEqual(messages(closed, "alice"), [S(200)]);
  // An account that first appears once the market has opened gets S with the open's time,
  // and E with the close's time when the market has closed since.
  const log: Uint8Array[] = [];
  const day = testExchange({
    day: { open: false },
    log: { append: (batch) => void log.push(batch.slice()) },
  });
  day.open(300);
  await day.drain();
  const users = new Map([...USERS, ["dave", "pw-d"]]);
  const during = Exchange.recover(
    readJournal(concat(log)).records,
    { users, log: null, schedule: (task) => task(), timestamp: 400 },
  );
  assert.deepEqual(messages(during, "dave"), [S(300)]);
  day.close(500);
  await day.drain();
  const after = Exchange.recover(
    readJournal(concat(log)).records,
    { users, log: null, schedule: (task) => task(), timestamp: 600 },
  );
  assert.deepEqual(messages(after, "dave"), [S(300), E(500)]);
  after.open(700);
  after.flush();
  assert.deepEqual(messages(after, "dave"), [S(300), E(500), S(700)]);
});

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}

Deno.test("Exchange applies the day's market rules and each account's own limits, and a recovery applies the recorded ones", () => {
  const { ex, turn, batches, records } = setup({
    day: {
      orderbooks: ["1", "7203"],
      matcher: {
        instruments: [{ orderbookId: "7203", roundLot: 100, tickTable: 3 }],
        accountLimits: { throttle: 1 },
      },
    },
    accountConfig: new Map([["alice", { limits: { firms: [5] } }]]),
  });
  assert.equal(ex.instrument("7203")?.roundLot, 100);
  assert.equal(ex.instrument("1")?.roundLot, 1);
  ex.submit("alice", enter(1, { firmId: 6 }), 1);
  ex.submit("alice", enter(2, { firmId: 5 }), 2_000_000_000);
  ex.submit("bob", enter(1, { firmId: 6 }), 3_000_000_000);
  ex.submit("bob", enter(2), 3_000_000_001);
  ex.submit(
    "bob",
    enter(3, { orderbookId: "7203", quantity: 150 }),
    5_000_000_000,
  );
  turn();
  const reasons = (account: string) =>
    messages(ex, account).map((m) =>
      m.type === "orderRejected" ? m.orderRejectedReason : m.type
    );
  assert.deepEqual(reasons("alice"), ["systemEvent", "L", "orderAccepted"]);
  assert.deepEqual(reasons("bob"), ["systemEvent", "orderAccepted", "F", "Z"]);
  assert.deepEqual(records()[1]!.command, {
    type: "account",
    account: 0,
    name: "alice",
    config: { limits: { firms: [5] } },
  });
  // The restart is given no rules: those of the records apply.
  const recovered = Exchange.recover(
    readJournal(concat(batches)).records,
    recoverOptions([]),
  );
  assert.equal(recovered.instrument("7203")?.roundLot, 100);
  assert.deepEqual(messages(recovered, "alice"), messages(ex, "alice"));
  assert.deepEqual(messages(recovered, "bob"), messages(ex, "bob"));
  recovered.submit("alice", enter(3, { firmId: 6 }), 9_000_000_000);
  recovered.flush();
  assert.equal(
    messages(recovered, "alice").at(-1)?.type === "orderRejected" &&
      (messages(recovered, "alice").at(-1) as { orderRejectedReason: string })
        .orderRejectedReason,
    "L",
  );
});

Deno.test("Exchange.setShortSellRestricted() is recorded with its event and survives recovery (K18)", () => {
  const { ex, turn, batches, records } = setup({
    day: { orderbooks: ["7203"] },
  });
  assert.equal(ex.setShortSellRestricted("7203", true, 5), true);
  assert.equal(ex.setShortSellRestricted("7203", true, 6), false);
  assert.equal(ex.setShortSellRestricted("9999", true, 7), false);
  assert.equal(ex.isShortSellRestricted("7203"), true);
  ex.submit(
    "alice",
    enter(1, { orderbookId: "7203", buySellIndicator: "T", price: 28_000 }),
    8,
  );
  turn();
  const record = records().find((r) => r.command.type === "shortSell")!;
  assert.deepEqual(record.command, {
    type: "shortSell",
    orderbookId: "7203",
    restricted: true,
  });
  assert.deepEqual(record.events, [{
    type: "shortSellState",
    timestamp: 5,
    orderbookId: "7203",
    restricted: true,
  }]);
  assert.equal(ex.market.isShortSellRestricted("7203"), true);
  const recovered = Exchange.recover(
    readJournal(concat(batches)).records,
    recoverOptions([]),
  );
  assert.equal(recovered.isShortSellRestricted("7203"), true);
  assert.deepEqual(messages(recovered, "alice"), messages(ex, "alice"));
  const rejected = messages(ex, "alice").at(-1);
  assert.equal(
    rejected?.type === "orderRejected" && rejected.orderRejectedReason,
    "i",
  );
});
