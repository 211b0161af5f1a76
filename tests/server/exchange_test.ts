import assert from "node:assert/strict";
import { decodeOutbound, encodeMessage } from "../../lib/codec/mod.ts";
import type {
  InboundMessage,
  OutboundMessage,
} from "../../lib/codec/messages.ts";
import type { LoginRequestPacket } from "../../lib/codec/packets.ts";
import type { MarketEvent } from "../../lib/matcher/mod.ts";
import { Exchange, type ExchangeOptions } from "../../lib/server/exchange.ts";
import {
  type JournalRecord,
  readJournal,
} from "../../lib/server/journal_format.ts";
import { enter, TRADING_DATE, types, USERS } from "./_harness.ts";

function exchange(options: Partial<ExchangeOptions> = {}): Exchange {
  return new Exchange({
    session: "2026112501",
    users: USERS,
    tradingDate: TRADING_DATE,
    ...options,
  });
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

function messages(ex: Exchange, account: string): OutboundMessage[] {
  const log = ex.log(account)!;
  return Array.from(
    { length: log.length },
    (_, i) => decodeOutbound(log.message(i + 1)),
  );
}

function bytes(message: InboundMessage): Uint8Array {
  return encodeMessage(message);
}

Deno.test("Exchange.login() refuses bad credentials with A and other sessions or a second login with S", () => {
  const ex = exchange();
  assert.deepEqual(ex.login(request("alice", "wrong")), {
    accept: false,
    code: "A",
  });
  assert.deepEqual(ex.login(request("mallory", "pw-a")), {
    accept: false,
    code: "A",
  });
  assert.deepEqual(ex.login(request("alice", "pw-a", "2026112499")), {
    accept: false,
    code: "S",
  });
  const first = ex.login(request("alice", "pw-a", "2026112501"));
  assert.equal(first.accept, true);
  assert.deepEqual(ex.login(request("alice", "pw-a")), {
    accept: false,
    code: "S",
  });
  ex.disconnect("alice", 1);
  assert.equal(ex.login(request("alice", "pw-a")).accept, true);
});

Deno.test("Exchange sequences messages per account and publishes them only on publish()", () => {
  const ex = exchange();
  ex.handleMessage("alice", bytes(enter(1)), 10);
  const log = ex.log("alice")!;
  assert.equal(log.length, 1);
  assert.equal(log.published, 0);
  assert.deepEqual(ex.publish(), ["alice"]);
  assert.equal(log.published, 1);
  assert.deepEqual(ex.publish(), []);
  assert.equal(ex.messagesIn, 1);
  assert.equal(ex.messagesOut, 1);
});

Deno.test("Exchange.open() and close() reach every account, connected or not", () => {
  const ex = exchange({ open: false });
  assert.equal(ex.open(5), true);
  assert.equal(ex.open(6), false);
  ex.handleMessage("bob", bytes(enter(1, { buySellIndicator: "S" })), 7);
  assert.equal(ex.close(8), true);
  assert.deepEqual(types(messages(ex, "alice")), ["system:S", "system:E"]);
  assert.deepEqual(types(messages(ex, "bob")), [
    "system:S",
    "orderAccepted",
    "canceled:O",
    "system:E",
  ]);
  assert.deepEqual(types(messages(ex, "carol")), ["system:S", "system:E"]);
});

Deno.test("Exchange.disconnect() cancels the account's resting orders with reason L (K13)", () => {
  const ex = exchange();
  assert.equal(ex.login(request("alice", "pw-a")).accept, true);
  ex.handleMessage("alice", bytes(enter(1)), 1);
  ex.handleMessage("alice", bytes(enter(2, { price: 22000 })), 2);
  ex.disconnect("alice", 3);
  const canceled = messages(ex, "alice").slice(2);
  assert.deepEqual(canceled, [
    {
      type: "orderCanceled",
      timestamp: 3,
      orderToken: 1,
      decrementQuantity: 100,
      orderCanceledReason: "L",
    },
    {
      type: "orderCanceled",
      timestamp: 3,
      orderToken: 2,
      decrementQuantity: 100,
      orderCanceledReason: "L",
    },
  ]);
  assert.deepEqual(ex.openOrders("alice"), []);
});

Deno.test("Exchange keeps orders on disconnect when cancel on disconnect is off", () => {
  const ex = exchange({ cancelOnDisconnect: false });
  ex.login(request("alice", "pw-a"));
  ex.handleMessage("alice", bytes(enter(1)), 1);
  ex.disconnect("alice", 3);
  assert.equal(ex.openOrders("alice").length, 1);
  assert.equal(ex.log("alice")!.length, 1);
});

Deno.test("Exchange.handleMessage() throws for malformed bytes and changes nothing", () => {
  const ex = exchange();
  const before = ex.takeJournal()!.length;
  assert.ok(before > 0, "the header and accounts are journaled at once");
  assert.throws(
    () => ex.handleMessage("alice", new Uint8Array([0x51, 1, 2]), 1),
    {
      name: "OuchDecodeError",
    },
  );
  assert.throws(
    () => ex.handleMessage("alice", bytes(enter(1)).subarray(0, 47), 1),
    {
      name: "OuchDecodeError",
      message: /length/,
    },
  );
  assert.equal(ex.takeJournal(), null, "nothing journaled");
  assert.equal(ex.messagesIn, 0);
  assert.equal(ex.log("alice")!.length, 0);
});

Deno.test("Exchange.handleMessage() refuses an account the day does not know and changes nothing", () => {
  const ex = exchange();
  ex.takeJournal();
  assert.throws(() => ex.handleMessage("mallory", bytes(enter(1)), 1), {
    name: "RangeError",
    message:
      'Cannot handle a message of account "mallory": it is not known to this trading day',
  });
  assert.equal(ex.takeJournal(), null, "nothing journaled");
  assert.equal(ex.messagesIn, 0);
  assert.deepEqual(ex.openOrders("mallory"), []);
  assert.equal(ex.nextToken("mallory"), 1);
  assert.equal(ex.cancelAccount("mallory", 2, "S"), 0);
});

Deno.test("Exchange numbers orders with its trading date and relays the matcher's market events", () => {
  const events: MarketEvent[] = [];
  const outbound: [string | null, string][] = [];
  const ex = exchange({
    tradingDate: "20240229",
    listener: {
      market: (event) => events.push(event),
      outbound: (account, message) => outbound.push([account, message.type]),
    },
  });
  ex.handleMessage("alice", bytes(enter(1, { quantity: 30 })), 10);
  ex.handleMessage(
    "bob",
    bytes(enter(1, { buySellIndicator: "S", quantity: 10 })),
    20,
  );
  ex.close(30);
  assert.deepEqual(outbound, [
    ["alice", "orderAccepted"],
    ["bob", "orderAccepted"],
    ["alice", "orderExecuted"],
    ["bob", "orderExecuted"],
    ["alice", "orderCanceled"],
    [null, "systemEvent"],
  ]);
  const alice = 0; // the first account of USERS
  const bob = 1;
  assert.deepEqual(events, [
    {
      type: "bookAdd",
      timestamp: 10,
      orderbookId: "1",
      orderNumber: 202402290000000001n,
      side: "B",
      price: 23000,
      quantity: 30,
      account: alice,
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
      restingAccount: alice,
      incomingAccount: bob,
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
      account: alice,
    },
    { type: "marketState", timestamp: 30, open: false },
  ]);
  const [accepted] = messages(ex, "bob");
  assert.ok(accepted?.type === "orderAccepted");
  assert.equal(accepted.orderNumber, 202402290000000002n);
  assert.equal(ex.trades("1")[0]?.matchNumber, 202402290000000001n);
  assert.throws(() => exchange({ tradingDate: "20240230" }), {
    name: "RangeError",
    message: /tradingDate must be a real date/,
  });
});

Deno.test("Exchange.submit() goes through the same path as a SoupBinTCP message", () => {
  const ex = exchange();
  ex.submit("bob", enter(1, { clientReference: "web" }), 4);
  const [accepted] = messages(ex, "bob");
  assert.equal(accepted?.type, "orderAccepted");
  assert.equal(ex.nextToken("bob"), 2);
  assert.throws(() => ex.submit("mallory", enter(1), 5), {
    name: "RangeError",
  });
  assert.throws(
    () => ex.submit("bob", enter(2, { clientReference: "x".repeat(11) }), 5),
    {
      name: "OuchEncodeError",
    },
  );
});

/** Runs a busy day and returns the exchange and its journal's records. */
function busyDay(): { ex: Exchange; records: JournalRecord[] } {
  const ex = exchange({ orderbooks: ["1", "2"], halted: ["2"] });
  const chunks: Uint8Array[] = [];
  const keep = () => {
    const taken = ex.takeJournal();
    if (taken !== null) chunks.push(taken.slice());
    ex.publish();
  };
  keep();
  ex.login(request("alice", "pw-a"));
  ex.handleMessage("alice", bytes(enter(1, { quantity: 300 })), 100);
  ex.handleMessage(
    "bob",
    bytes(enter(1, { buySellIndicator: "S", quantity: 120 })),
    200,
  );
  keep();
  ex.handleMessage("bob", bytes(enter(2, { orderbookId: "2" })), 300); // halted: H
  ex.resume("2", 350);
  ex.handleMessage("carol", bytes(enter(5, { price: 22990, firmId: 9 })), 400);
  ex.handleMessage(
    "alice",
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
  ex.cancelAccount("carol", 550, "S");
  keep();
  ex.close(600);
  ex.open(700);
  ex.handleMessage("alice", bytes(enter(9, { quantity: 5 })), 800);
  ex.disconnect("alice", 900);
  keep();
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (all.set(c, at), at + c.length), 0);
  return { ex, records: readJournal(all).records };
}

Deno.test("Exchange.recover() rebuilds logs, books, tokens and numbers from the journal", () => {
  const { ex, records } = busyDay();
  const recovered = Exchange.recover(records, {
    users: USERS,
    tradingDate: TRADING_DATE,
  });
  for (const account of ["alice", "bob", "carol"]) {
    const original = ex.log(account)!;
    const copy = recovered.log(account)!;
    assert.equal(copy.length, original.length, account);
    assert.equal(
      copy.published,
      copy.length,
      "recovered messages are sendable",
    );
    for (let seq = 1; seq <= original.length; seq++) {
      assert.deepEqual(
        copy.message(seq),
        original.message(seq),
        `${account} #${seq}`,
      );
    }
    assert.deepEqual(recovered.openOrders(account), ex.openOrders(account));
    assert.equal(recovered.nextToken(account), ex.nextToken(account));
  }
  assert.equal(recovered.session, "2026112501");
  assert.deepEqual(recovered.orderbooks, ["1", "2"]);
  assert.equal(recovered.isHalted("2"), false);
  assert.equal(recovered.isOpen, true);
  assert.deepEqual(recovered.depth("1"), ex.depth("1"));
  // The next command continues the day identically on both.
  for (const day of [ex, recovered]) {
    day.handleMessage(
      "bob",
      bytes(enter(3, { buySellIndicator: "S", quantity: 1 })),
      1000,
    );
  }
  assert.deepEqual(messages(recovered, "bob"), messages(ex, "bob"));
  assert.equal(
    recovered.takeJournal()!.length > 0,
    true,
    "new commands are journaled",
  );
});

Deno.test("Exchange.recover() registers accounts new to this start and journals them", () => {
  const { records } = busyDay();
  const users = new Map([...USERS, ["dave", "pw-d"]]);
  const recovered = Exchange.recover(records, {
    users,
    tradingDate: TRADING_DATE,
  });
  assert.ok(recovered.log("dave"));
  const journal = recovered.takeJournal()!;
  // The bytes continue the old file: only an account record for "dave".
  assert.deepEqual([...journal.subarray(4, 5)], [0x41]);
  assert.ok(new TextDecoder().decode(journal).includes("dave"));
});

Deno.test("Exchange.recover() refuses a journal the engine does not reproduce", () => {
  const { records } = busyDay();
  const tampered = records.map((record) =>
    record.type === "message" && record.timestamp === 200
      ? {
        ...record,
        outputs: record.outputs.map((output, i) =>
          i === 0
            ? {
              ...output,
              message: output.message.map((b, j) => j === 20 ? b ^ 1 : b),
            }
            : output
        ),
      }
      : record
  );
  assert.throws(() =>
    Exchange.recover(tampered, {
      users: USERS,
      tradingDate: TRADING_DATE,
    }), {
    name: "RecoveryError",
    message:
      /the engine produced orderAccepted for bob where the journal has other bytes/,
  });
  const missing = records.map((record) =>
    record.type === "control" && record.action.type === "close"
      ? { ...record, outputs: record.outputs.slice(1) }
      : record
  );
  assert.throws(() =>
    Exchange.recover(missing, {
      users: USERS,
      tradingDate: TRADING_DATE,
    }), {
    name: "RecoveryError",
  });
  // Another trading date numbers orders differently: the journal's bytes do not match.
  assert.throws(
    () => Exchange.recover(records, { users: USERS, tradingDate: "20261126" }),
    {
      name: "RecoveryError",
      message:
        /the engine produced orderAccepted for alice where the journal has other bytes/,
    },
  );
  assert.throws(() =>
    Exchange.recover(records.slice(1), {
      users: USERS,
      tradingDate: TRADING_DATE,
    }), {
    name: "RecoveryError",
    message: /header/,
  });
});

Deno.test("Exchange applies its rules: instruments, every account's limits and each user's own, by name", () => {
  const ex = exchange({
    orderbooks: ["1", "7203"],
    rules: {
      instruments: [{ orderbookId: "7203", roundLot: 100, tickTable: 3 }],
      accountLimits: { throttle: 1 },
    },
    limits: new Map([["alice", { firms: [5] }]]),
  });
  assert.equal(ex.instrument("7203")?.roundLot, 100);
  assert.equal(ex.instrument("1")?.roundLot, 1);
  ex.handleMessage("alice", bytes(enter(1, { firmId: 6 })), 1);
  ex.handleMessage("alice", bytes(enter(2, { firmId: 5 })), 2_000_000_000);
  ex.handleMessage("bob", bytes(enter(1, { firmId: 6 })), 3_000_000_000);
  ex.handleMessage("bob", bytes(enter(2)), 3_000_000_001);
  ex.handleMessage(
    "bob",
    bytes(enter(3, { orderbookId: "7203", quantity: 150 })),
    5_000_000_000,
  );
  assert.deepEqual(
    messages(ex, "alice").map((m) =>
      m.type === "orderRejected" ? m.orderRejectedReason : m.type
    ),
    ["L", "orderAccepted"],
  );
  assert.deepEqual(
    messages(ex, "bob").map((m) =>
      m.type === "orderRejected" ? m.orderRejectedReason : m.type
    ),
    ["orderAccepted", "F", "Z"],
  );
});

Deno.test("Exchange.setShortSellRestricted() is journaled and survives recovery", () => {
  const events: MarketEvent[] = [];
  const ex = exchange({
    orderbooks: ["7203"],
    listener: { market: (event) => events.push(event) },
  });
  assert.equal(ex.setShortSellRestricted("7203", true, 5), true);
  assert.equal(ex.setShortSellRestricted("7203", true, 6), false);
  assert.equal(ex.setShortSellRestricted("9999", true, 7), false);
  assert.equal(ex.isShortSellRestricted("7203"), true);
  ex.handleMessage(
    "alice",
    bytes(enter(1, {
      orderbookId: "7203",
      buySellIndicator: "T",
      price: 28_000,
    })),
    8,
  );
  assert.deepEqual(events, [{
    type: "shortSellState",
    timestamp: 5,
    orderbookId: "7203",
    restricted: true,
  }]);
  const records = readJournal(ex.takeJournal()!.slice()).records;
  assert.deepEqual(
    records.filter((record) => record.type === "control"),
    [{
      type: "control",
      timestamp: 5,
      action: { type: "shortSell", orderbookId: "7203", restricted: true },
      outputs: [],
    }],
  );
  const recovered = Exchange.recover(records, {
    users: USERS,
    tradingDate: TRADING_DATE,
  });
  assert.equal(recovered.isShortSellRestricted("7203"), true);
  assert.deepEqual(messages(recovered, "alice"), messages(ex, "alice"));
  const [first] = messages(ex, "alice");
  assert.equal(
    first?.type === "orderRejected" && first.orderRejectedReason,
    "i",
  );
});
