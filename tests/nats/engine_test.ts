import assert from "node:assert/strict";
import { decodeOutbound, encodeMessage } from "../../lib/codec/mod.ts";
import { AccountStreams } from "../../lib/exchange/mod.ts";
import {
  ActiveEngine,
  CommandPublisher,
  encodeGatewayCommand,
  ensureVenue,
  FencedError,
  followRecords,
  type GatewayCommand,
  LogReader,
  STAMP_EVERY,
  venueNames,
} from "../../lib/nats/mod.ts";
import { enterOrder } from "../_fixtures.ts";
import { jetstreamManager } from "@nats-io/jetstream";
import { connectTest, startNats, until } from "./_nats_harness.ts";

const names = venueNames("e");
const USERS = new Map([["alice", "pw-a"], ["bob", "pw-b"]]);
const DAY = { session: "2026112501", tradingDate: "20261125", created: 1 };
let now = 0;
const clock = { nowMs: () => now, nowNs: () => ++now };

function options(epoch: number, refused: string[] = []) {
  return {
    epoch,
    users: USERS,
    day: DAY,
    clock,
    names,
    refused: (why: string) => void refused.push(why),
  };
}

/** Follows the log into account streams, in the background. */
async function follower(nc: Parameters<typeof LogReader.open>[0]) {
  const streams = new AccountStreams();
  const reader = await LogReader.open(nc, { names });
  const running = followRecords(reader, [streams]);
  return {
    streams,
    /** The account's messages so far, as "type token reason". */
    seen(account: number): string[] {
      const stream = streams.stream(account);
      return Array.from({ length: stream.length }, (_, i) => {
        const m = decodeOutbound(stream.message(i + 1));
        switch (m.type) {
          case "orderAccepted":
            return `A${m.orderToken}`;
          case "orderCanceled":
            return `C${m.orderToken}${m.orderCanceledReason}`;
          case "orderRejected":
            return `J${m.orderToken}${m.orderRejectedReason}`;
          case "systemEvent":
            return `S${m.eventCode}`;
          default:
            return m.type;
        }
      });
    },
    async close() {
      await reader.close();
      await running;
    },
  };
}

/**
 * An engine on the test's clock `ms` whose hosts are checked only when the test calls
 * `checkHosts()` (timeout 5 s); the hosts declared down go to `down` as "HOST SILENT_MS".
 */
function checkingEngine(
  nc: Parameters<typeof ActiveEngine.start>[0],
  ms: () => number,
  down: string[],
): Promise<ActiveEngine> {
  return ActiveEngine.start(nc, {
    ...options(1),
    clock: { nowMs: ms, nowNs: () => ++now },
    hostTimeoutMs: 5_000,
    hostCheckMs: 0,
    hostDown: (host, silent) => void down.push(`${host} ${silent}`),
  });
}

const login = (host: string, username: string): GatewayCommand => ({
  type: "login",
  host,
  username,
  password: USERS.get(username)!,
  requestedSession: "",
});
const order = (host: string, account: string, token: number) =>
  encodeGatewayCommand({
    type: "message",
    host,
    account,
    message: encodeMessage(enterOrder(token)),
  });

Deno.test("ActiveEngine: gateways' commands in, records out; a successor rebuilds the day from the log, keeps the sessions and resumes after the last command", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  const gw1 = new CommandPublisher(nc, { gatewayId: "gw1", names });
  const gw2 = new CommandPublisher(nc, { gatewayId: "gw2", names });
  const refused: string[] = [];
  try {
    await ensureVenue(nc, { names });
    const first = await ActiveEngine.start(nc, options(1, refused));
    const log = await follower(nc);
    gw1.send(encodeGatewayCommand(login("gw1", "alice")));
    gw2.send(encodeGatewayCommand(login("gw2", "alice")));
    gw2.send(encodeGatewayCommand(login("gw2", "bob")));
    gw1.send(order("gw1", "alice", 1));
    gw2.send(order("gw2", "alice", 2));
    gw2.send(order("gw2", "bob", 1));
    await until(
      "three orders",
      () => log.seen(0).length === 3 && log.seen(1).length === 2,
    );
    assert.deepEqual(log.seen(0), ["SS", "A1", "A2"]);
    assert.deepEqual(log.seen(1), ["SS", "A1"]);
    await first.stop();
    assert.equal(await first.stopped, undefined);

    // Commands sent while no engine runs wait in the command stream.
    gw1.send(order("gw1", "alice", 3));
    gw1.send(order("gw1", "alice", 2)); // a re-sent token: ignored (K4)
    const second = await ActiveEngine.start(nc, options(2, refused));
    await until("order 3", () => log.seen(0).length === 4);
    assert.equal(second.exchange.sessions, 3);
    assert.equal(second.exchange.openOrders("alice").length, 3);
    assert.equal(second.exchange.nextToken("alice"), 4);
    // alice is still on gw2: gw1's end cancels nothing; gw2's death ends both accounts there.
    gw1.send(
      encodeGatewayCommand({ type: "logout", host: "gw1", account: "alice" }),
    );
    gw1.send(encodeGatewayCommand({ type: "hostDown", host: "gw2" }));
    await until(
      "cancels",
      () => log.seen(0).length === 7 && log.seen(1).length === 3,
    );
    assert.deepEqual(log.seen(0), [
      "SS",
      "A1",
      "A2",
      "A3",
      "C1L",
      "C2L",
      "C3L",
    ]);
    assert.deepEqual(log.seen(1), ["SS", "A1", "C1L"]);
    for (const [id, name] of [[0, "alice"], [1, "bob"]] as const) {
      const engineStream = second.exchange.stream(name)!;
      assert.equal(engineStream.length, log.streams.stream(id).length);
      for (let seq = 1; seq <= engineStream.length; seq++) {
        assert.deepEqual(
          log.streams.stream(id).message(seq),
          engineStream.message(seq),
        );
      }
    }
    assert.deepEqual(refused, []);
    await second.stop();
    await log.close();
  } finally {
    gw1.close();
    gw2.close();
    await nc.close();
  }
});

Deno.test("ActiveEngine: a stalled engine that a successor fenced stops with FencedError and none of its records reach a follower", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  const gw1 = new CommandPublisher(nc, { gatewayId: "gw1", names });
  try {
    await ensureVenue(nc, { names });
    const zombie = await ActiveEngine.start(nc, options(1));
    const log = await follower(nc);
    gw1.send(encodeGatewayCommand(login("gw1", "alice")));
    gw1.send(order("gw1", "alice", 1));
    await until("order 1", () => log.seen(0).length === 2);
    const successor = await ActiveEngine.start(nc, options(2));
    // Both consume the next command; only the successor's records may land.
    gw1.send(order("gw1", "alice", 2));
    const error = await zombie.stopped;
    assert.ok(error instanceof FencedError, String(error));
    await until("order 2", () => log.seen(0).length === 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(log.seen(0), ["SS", "A1", "A2"]);
    assert.equal(successor.exchange.stream("alice")!.length, 3);
    await zombie.stop();
    await successor.stop();
    await log.close();
  } finally {
    gw1.close();
    await nc.close();
  }
});

Deno.test("ActiveEngine.checkHosts(): a host not heard from for hostTimeoutMs is declared down; its accounts with no session elsewhere get cancel on disconnect; beats keep a host alive", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  const gw1 = new CommandPublisher(nc, { gatewayId: "gw1", names });
  const gw2 = new CommandPublisher(nc, { gatewayId: "gw2", names });
  let ms = 0;
  const down: string[] = [];
  try {
    await ensureVenue(nc, { names });
    const engine = await checkingEngine(nc, () => ms, down);
    const log = await follower(nc);
    gw1.send(encodeGatewayCommand(login("gw1", "alice")));
    gw2.send(encodeGatewayCommand(login("gw2", "alice")));
    gw2.send(encodeGatewayCommand(login("gw2", "bob")));
    gw2.send(order("gw2", "bob", 1));
    gw2.send(order("gw2", "alice", 1));
    await until(
      "two orders",
      () => log.seen(0).length === 2 && log.seen(1).length === 2,
    );
    ms = 3_000;
    gw1.send(encodeGatewayCommand({ type: "beat", host: "gw1" }));
    await gw1.flushed();
    await until("the beat", () => engine.applied === 6);
    ms = 4_999;
    assert.deepEqual(engine.checkHosts(), []);
    ms = 5_000;
    assert.deepEqual(engine.checkHosts(), ["gw2"]);
    assert.deepEqual(down, ["gw2 5000"]);
    await until("bob's cancel", () => log.seen(1).length === 3);
    assert.deepEqual(log.seen(1), ["SS", "A1", "C1L"]);
    // alice is still on gw1, heard from at 3 000: her order rests.
    assert.deepEqual(log.seen(0), ["SS", "A1"]);
    assert.equal(engine.exchange.sessions, 1);
    ms = 8_000;
    assert.deepEqual(engine.checkHosts(), ["gw1"]);
    await until("alice's cancel", () => log.seen(0).length === 3);
    assert.deepEqual(log.seen(0), ["SS", "A1", "C1L"]);
    assert.equal(engine.exchange.sessions, 0);
    await engine.stop();
    await log.close();
  } finally {
    gw1.close();
    gw2.close();
    await nc.close();
  }
});

Deno.test("ActiveEngine: after endday, the next engine starts the next day and does not apply the endday again (it ended that day as it started)", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  const admin = new CommandPublisher(nc, { gatewayId: "admin", names });
  try {
    await ensureVenue(nc, { names });
    const first = await ActiveEngine.start(nc, options(1));
    admin.send(encodeGatewayCommand({ type: "endDay" }));
    await until("the day's end", () => first.exchange.day === undefined);
    await first.stop();
    const refused: string[] = [];
    const second = await ActiveEngine.start(nc, {
      ...options(2, refused),
      day: { ...DAY, session: "2026112601", tradingDate: "20261126" },
    });
    const applied = second.applied;
    admin.send(encodeGatewayCommand(login("gw1", "alice")));
    await until("the login", () => second.applied > applied);
    assert.equal(second.applied, applied + 1);
    assert.equal(second.exchange.session, "2026112601");
    assert.notEqual(second.exchange.day, undefined);
    assert.equal(second.exchange.sessions, 1);
    assert.deepEqual(refused, []);
    await second.stop();
  } finally {
    admin.close();
    await nc.close();
  }
});

Deno.test("ActiveEngine.checkHosts(): a gateway's web pages live by its beats (a page's own commands count as the gateway's), and end with it, pages first, so an account left with no session gets cancel on disconnect", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  const gw1 = new CommandPublisher(nc, { gatewayId: "gw1", names });
  let ms = 0;
  const down: string[] = [];
  try {
    await ensureVenue(nc, { names });
    const engine = await checkingEngine(nc, () => ms, down);
    const log = await follower(nc);
    gw1.send(encodeGatewayCommand(login("gw1/web#1", "bob")));
    gw1.send(encodeGatewayCommand(login("gw1", "alice")));
    gw1.send(encodeGatewayCommand(login("gw1/web#2", "alice")));
    gw1.send(order("gw1", "alice", 1));
    await until("alice's order", () => log.seen(0).length === 2);
    // At 4 000 only bob's page says something: that is gw1 heard from.
    ms = 4_000;
    gw1.send(encodeGatewayCommand({
      type: "page",
      host: "gw1/web#1",
      account: "bob",
      message: encodeMessage(enterOrder(0xf0000000)),
    }));
    await until("bob's page order", () => log.seen(1).length === 2);
    ms = 8_999;
    assert.deepEqual(engine.checkHosts(), []);
    assert.equal(engine.exchange.sessions, 3);
    ms = 9_000;
    assert.deepEqual(engine.checkHosts(), ["gw1"]);
    assert.deepEqual(down, ["gw1 5000"]);
    // alice's page ended before her OUCH session: she has none left, her order is
    // canceled; bob had only a page, whose end cancels nothing.
    await until("alice's cancel", () => log.seen(0).length === 3);
    assert.deepEqual(log.seen(0), ["SS", "A1", "C1L"]);
    assert.deepEqual(log.seen(1), ["SS", "A4026531840"]);
    assert.equal(engine.exchange.sessions, 0);
    await engine.stop();
    await log.close();
  } finally {
    gw1.close();
    await nc.close();
  }
});

/** The venue, and gw1's publisher with alice's login stored in the command stream. */
async function gatewayWithAlice(
  nc: Parameters<typeof ActiveEngine.start>[0],
): Promise<CommandPublisher> {
  await ensureVenue(nc, { names });
  const gw = new CommandPublisher(nc, { gatewayId: "gw1", names });
  gw.send(encodeGatewayCommand(login("gw1", "alice")));
  await gw.flushed();
  return gw;
}

Deno.test("ActiveEngine: the command messages of one read from NATS become one log batch, not one log message each", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  const gw = await gatewayWithAlice(nc);
  try {
    // Eleven command messages wait in the stream before the engine reads any.
    for (let token = 1; token <= 10; token++) {
      gw.send(order("gw1", "alice", token));
      await gw.flushed();
    }
    assert.equal(gw.lastSeq, 11);
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(names.logStream)).state.last_seq;
    const engine = await ActiveEngine.start(nc, options(1));
    const log = await follower(nc);
    await until("ten orders", () => log.seen(0).length === 11);
    assert.deepEqual(log.seen(0), [
      "SS",
      ...Array.from({ length: 10 }, (_, i) => `A${i + 1}`),
    ]);
    const after = (await jsm.streams.info(names.logStream)).state.last_seq;
    // The fence, then the batches: one per command message would be 11 (and a day start).
    const batches = after - before - 1;
    assert.ok(
      batches >= 1 && batches <= 4,
      `expected 1 to 4 log batches, got ${batches}`,
    );
    await engine.stop();
    await log.close();
  } finally {
    gw.close();
    await nc.close();
  }
});

Deno.test("ActiveEngine: the commands of one command message are stamped with one clock read, read again every STAMP_EVERY commands", async () => {
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  const gw = await gatewayWithAlice(nc);
  try {
    // 130 orders in one command message.
    for (let token = 1; token <= 130; token++) {
      gw.send(order("gw1", "alice", token));
    }
    await gw.flushed();
    assert.equal(gw.lastSeq, 2);
    let reads = 0;
    const engine = await ActiveEngine.start(nc, {
      ...options(1),
      clock: { nowMs: () => now, nowNs: () => 1_000_000 * ++reads },
    });
    const stamps: number[] = [];
    const reader = await LogReader.open(nc, { names });
    const running = followRecords(reader, [{
      delivered: (batch) => {
        for (const record of batch.recordsOf("message")) {
          for (const { message } of record.messages) {
            const decoded = decodeOutbound(message);
            assert.equal(decoded.type, "orderAccepted");
            assert.equal(decoded.timestamp, record.timestamp);
            stamps.push(record.timestamp);
          }
        }
      },
    }]);
    await until("130 orders", () => stamps.length === 130);
    // The login's message (one read), then 64 + 64 + 2 orders (three reads).
    const first = stamps[0]!;
    assert.equal(STAMP_EVERY, 64);
    assert.deepEqual(stamps, [
      ...Array(64).fill(first),
      ...Array(64).fill(first + 1_000_000),
      ...Array(2).fill(first + 2_000_000),
    ]);
    assert.equal(reads, first / 1_000_000 + 2);
    await engine.stop();
    await reader.close();
    await running;
  } finally {
    gw.close();
    await nc.close();
  }
});
