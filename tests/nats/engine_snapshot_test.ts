import assert from "node:assert/strict";
import { encodeMessage, type InboundMessage } from "../../lib/codec/mod.ts";
import {
  checkFrame,
  Exchange,
  snapshotPosition,
} from "../../lib/exchange/mod.ts";
import {
  ActiveEngine,
  type ActiveEngineOptions,
  CommandPublisher,
  decodeGatewayCommand,
  encodeGatewayCommand,
  EngineCommands,
  ensureVenue,
  type GatewayCommand,
  readLogState,
  SnapshotStore,
  type VenueNames,
  venueNames,
} from "../../lib/nats/mod.ts";
import type { SnapshotEvent } from "../../lib/server/snapshot_file.ts";
import { enterOrder } from "../_fixtures.ts";
import { connectTest, startNats } from "./_nats_harness.ts";

const USERS = new Map([["alice", "pw-a"], ["bob", "pw-b"]]);
const DAY = { session: "2026112501", tradingDate: "20261125", created: 1 };
let now = 0;
/** Milliseconds move only when the test says: snapshots every second come when it wants. */
let ms = 0;
const clock = { nowMs: () => ms, nowNs: () => ++now };
const READ_ONLY = { records: 0, seconds: 0 };

/** Which engine: its venue, and whether it keeps its own streams. */
interface Mode {
  readonly names: VenueNames;
  readonly followers: boolean;
}

function options(
  mode: Mode,
  epoch: number,
  store: SnapshotStore,
  cadence = READ_ONLY,
  events: SnapshotEvent[] = [],
): ActiveEngineOptions {
  return {
    epoch,
    users: USERS,
    day: DAY,
    clock,
    names: mode.names,
    followers: mode.followers,
    hostCheckMs: 0,
    snapshots: { store, cadence, report: (event) => void events.push(event) },
  };
}

async function until(what: string, ok: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 400; i++) {
    if (await ok()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const login = (host: string, username: string): GatewayCommand => ({
  type: "login",
  host,
  username,
  password: USERS.get(username)!,
  requestedSession: "",
});
const message = (host: string, account: string, m: InboundMessage) =>
  encodeGatewayCommand({
    type: "message",
    host,
    account,
    message: encodeMessage(m),
  });

const hex = (records: Uint8Array[]) =>
  records.map((r) =>
    Array.from(r, (b) => b.toString(16).padStart(2, "0")).join("")
  );

/** Splits framed core batches into their records. */
function framed(batches: Uint8Array[]): Uint8Array[] {
  const records: Uint8Array[] = [];
  for (const bytes of batches) {
    for (let at = 0; at < bytes.length;) {
      const end = checkFrame(bytes, at);
      records.push(bytes.slice(at, end));
      at = end;
    }
  }
  return records;
}

for (const followers of [true, false]) {
  Deno.test(
    `ActiveEngine snapshots ${
      followers
        ? "with followers (reading the whole log)"
        : "without followers (reading only the log after the snapshot)"
    }: a late engine starts from the newest snapshot, replays only the records after it, continues byte for byte like a full replay, and passes over damaged, foreign and too-new snapshots`,
    async () => {
      const names = venueNames(followers ? "snap" : "snaptail");
      const mode: Mode = { names, followers };
      await using nats = await startNats();
      const nc = await connectTest(nats.servers);
      const gw1 = new CommandPublisher(nc, { gatewayId: "gw1", names });
      const gw2 = new CommandPublisher(nc, { gatewayId: "gw2", names });
      try {
        await ensureVenue(nc, { names });
        const store = await SnapshotStore.open(nc, { names, keep: 5 });
        const events: SnapshotEvent[] = [];
        const first = await ActiveEngine.start(
          nc,
          options(mode, 1, store, { records: 0, seconds: 1 }, events),
        );
        assert.deepEqual(first.recovery.records, 0);
        gw1.send(encodeGatewayCommand(login("gw1", "alice")));
        gw2.send(encodeGatewayCommand(login("gw2", "bob")));
        gw2.send(encodeGatewayCommand(login("gw2", "alice")));
        let sent = 3;
        for (let round = 0; round < 6; round++) {
          // A snapshot at the first batch of rounds 2 and 4.
          if (round === 2 || round === 4) {
            await until(
              "the snapshot before",
              () => first.snapshotting === undefined,
            );
            ms += 1_000;
          }
          for (let i = 1; i <= 5; i++) {
            const token = round * 5 + i;
            gw1.send(
              message(
                "gw1",
                "alice",
                enterOrder(token, { price: 22000 + token * 20 }),
              ),
            );
            gw2.send(
              message(
                "gw2",
                "bob",
                enterOrder(token, {
                  buySellIndicator: "S",
                  price: 22500,
                  quantity: 30,
                }),
              ),
            );
            sent += 2;
          }
          await until(`round ${round}`, () => first.applied === sent);
        }
        // Everything durable, the last snapshot stored.
        await until(
          "the log to hold every record",
          async () =>
            first.snapshotting === undefined &&
            (await readLogState(nc, names)).records.length ===
              first.exchange.position,
        );
        await first.stop();
        const before = await readLogState(nc, names);
        const n = before.records.length;
        const stored = await store.latest();
        assert.ok(stored !== undefined, "the engine stored a snapshot");
        const k = snapshotPosition(stored.bytes);
        assert.ok(k > 20 && k < n - 10, `snapshot at ${k} of ${n} records`);
        assert.equal(stored.epoch, 1);
        assert.equal(events.length, 2, JSON.stringify(events));
        const last = events.at(-1)!;
        assert.ok("written" in last, JSON.stringify(last));
        assert.equal(last.position, k);
        assert.equal(last.written, `log sequence ${stored.seq}, epoch 1`);

        // A late engine: from the snapshot, only the records after it are replayed.
        const t0 = now;
        const second = await ActiveEngine.start(nc, options(mode, 2, store));
        assert.deepEqual(
          { ...second.recovery, ms: 0 },
          {
            records: n,
            read: followers ? n : n - k,
            snapshot: { seq: stored.seq, epoch: 1, position: k },
            replayed: n - k,
            refused: [],
            ms: 0,
          },
        );
        const next = [
          message("gw1", "alice", {
            type: "cancelOrder",
            orderToken: 3,
            quantity: 0,
          }),
          message("gw1", "alice", enterOrder(7)), // a re-sent token: ignored (K4)
          message(
            "gw2",
            "bob",
            enterOrder(31, {
              buySellIndicator: "S",
              price: 22000,
              quantity: 250,
            }),
          ),
          message("gw1", "alice", enterOrder(31, { price: 22100 })),
        ];
        for (const command of next) gw1.send(command);
        await until("the next commands", () => second.applied === next.length);
        // The same day rebuilt by a full replay, fed the same commands at the same times.
        now = t0;
        const written: Uint8Array[] = [];
        const reference = Exchange.recover(before.records, {
          users: USERS,
          log: { append: (batch) => void written.push(batch.slice()) },
          cancelOnDisconnect: true,
          timestamp: clock.nowNs(),
        });
        const engine = new EngineCommands(reference);
        for (const { account, host } of before.sessions) {
          assert.equal(
            engine.apply(login(host, account), clock.nowNs()),
            undefined,
          );
        }
        // One command message: one clock read stamps all of its commands.
        const stamp = clock.nowNs();
        for (const command of next) {
          engine.apply(decodeGatewayCommand(command), stamp);
        }
        await reference.drain();
        const expected = framed(written);
        assert.ok(expected.length >= next.length, `${expected.length} records`);
        let after: Uint8Array[] = [];
        await until("the engine's records", async () => {
          after = (await readLogState(nc, names)).records.slice(n);
          return after.length >= expected.length;
        });
        assert.deepEqual(hex(after), hex(expected));
        assert.deepEqual(second.exchange.snapshot(), reference.snapshot());
        await second.stop();

        // A damaged, a foreign and a too-new snapshot, newer than the good one: passed over.
        const tail = (await readLogState(nc, names)).tail;
        const damaged = stored.bytes.slice();
        damaged[damaged.length - 9]! ^= 1;
        const foreign = new Exchange({
          users: USERS,
          log: null,
          timestamp: 0,
          day: { session: "2026112601", tradingDate: "20261126", created: 2 },
        }).snapshot();
        await store.put({ seq: tail - 2, epoch: 2, bytes: foreign });
        await store.put({ seq: tail - 1, epoch: 2, bytes: damaged });
        await store.put({ seq: tail + 1, epoch: 2, bytes: stored.bytes });
        const all = (await readLogState(nc, names)).records.length;
        const third = await ActiveEngine.start(nc, options(mode, 3, store));
        const refused = third.recovery.refused;
        assert.equal(refused.length, 3, refused.join("\n"));
        assert.match(
          refused[0]!,
          new RegExp(
            `sequence ${
              tail + 1
            } .*newer than the log, which ends at sequence ${tail}`,
          ),
        );
        assert.match(refused[1]!, /CRC/);
        assert.match(
          refused[2]!,
          followers ? /another day/ : /the log's (record|batch) there|no batch/,
        );
        assert.deepEqual(third.recovery.snapshot, {
          seq: stored.seq,
          epoch: 1,
          position: k,
        });
        assert.equal(third.recovery.replayed, all - k);
        assert.equal(third.recovery.read, followers ? all : all - k);
        await third.stop();

        // Nothing usable left: a full replay.
        // (The third engine's fence and batch moved the log past the too-new one.)
        const newTail = (await readLogState(nc, names)).tail;
        assert.ok(newTail > tail + 1, `${newTail}`);
        const only = await SnapshotStore.open(nc, { names, keep: 1 });
        await only.put({ seq: newTail, epoch: 3, bytes: damaged });
        assert.deepEqual(await only.sequences(), [newTail]);
        const full = (await readLogState(nc, names)).records.length;
        const fourth = await ActiveEngine.start(nc, options(mode, 4, store));
        assert.equal(fourth.recovery.snapshot, undefined);
        assert.equal(fourth.recovery.replayed, full);
        assert.equal(fourth.recovery.records, full);
        assert.equal(fourth.recovery.read, full);
        assert.match(fourth.recovery.refused.join("\n"), /CRC/);
        await fourth.stop();
      } finally {
        gw1.close();
        gw2.close();
        await nc.close();
      }
    },
  );
}

Deno.test("ActiveEngine starts by reading the whole log when its snapshot store cannot be read (a fresh bucket on a cluster answers with a timeout), and says so", async () => {
  const names = venueNames("snapfail");
  await using nats = await startNats();
  const nc = await connectTest(nats.servers);
  try {
    await ensureVenue(nc, { names });
    const unreadable = {
      // deno-lint-ignore require-yield
      async *all() {
        throw new Error("timeout");
      },
      put: () => Promise.reject(new Error("timeout")),
    } as unknown as SnapshotStore;
    const engine = await ActiveEngine.start(
      nc,
      options({ names, followers: false }, 1, unreadable),
    );
    try {
      assert.deepEqual(engine.recovery.refused, [
        "the snapshots could not be read (timeout): the whole log is read",
      ]);
      assert.equal(engine.recovery.snapshot, undefined);
      assert.equal(engine.recovery.records, 0);
    } finally {
      await engine.stop();
    }
  } finally {
    await nc.close();
  }
});
