// An independent conformance probe: a real `ouch server` over TCP, spoken to in bytes laid
// out by hand from Japannext's own tables (_wire.ts; nothing of lib/codec), checked byte
// for byte. Each answer's timestamp is the only field the probe cannot predict: it is
// checked to be the same for every answer of one command and close to the probe's clock.
import assert from "node:assert/strict";
import { runMain, spawnServer } from "../server/_process.ts";
import { startVenueProcess } from "../client/_server_process.ts";
import { startNats } from "../nats/_nats_harness.ts";
import {
  accepted,
  canceled,
  cancelOrder,
  CLIENT_HEARTBEAT,
  type Enter,
  enterFields,
  enterOrder,
  executed,
  loginRequest,
  LOGOUT_REQUEST,
  PacketReader,
  rejected,
  type Replace,
  replaced,
  replaceOrder,
  systemEvent,
  timestampOf,
  u64At,
  unsequenced,
} from "./_wire.ts";

/** Accounts and their limits, as a users file; every password is "pw". */
const USERS_FILE = [
  "alice:pw",
  "bob:pw",
  "flow:pw throttle=2",
  "value:pw max-value=280000",
  "mpid:pw firms=12",
  "board:pw groups=DAY",
].join("\n");

const NS_PER_DAY = 86_400_000_000_000n;

/** Nanoseconds since midnight in Japan, now. */
function nowInJapan(): bigint {
  const ms = BigInt(Date.now()) + 9n * 3_600_000n;
  return (ms * 1_000_000n) % NS_PER_DAY;
}

/** One SoupBinTCP session of the probe: logs in, reads sequenced messages, heartbeats. */
class Session {
  readonly name: string;
  readonly #conn: Deno.TcpConn;
  readonly #queue: Uint8Array[] = [];
  #waiter: (() => void) | null = null;
  #closed = false;
  readonly #reading: Promise<void>;
  readonly #heartbeat: ReturnType<typeof setInterval>;
  sessionId = "";
  nextSequence = 0;

  private constructor(name: string, conn: Deno.TcpConn) {
    this.name = name;
    this.#conn = conn;
    this.#reading = this.#read();
    // A client sends a heartbeat when it has sent nothing for a second (SoupBinTCP).
    this.#heartbeat = setInterval(() => {
      if (!this.#closed) this.#conn.write(CLIENT_HEARTBEAT).catch(() => {});
    }, 500);
  }

  static async open(port: number, name: string): Promise<Session> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const session = new Session(name, conn);
    await conn.write(loginRequest(name, "pw", 1));
    const login = await session.#next(true);
    assert.equal(
      login.length,
      31,
      `${name}: Login Accepted is 30 bytes + type`,
    );
    assert.equal(
      String.fromCharCode(login[0]!),
      "A",
      `${name}: Login Accepted`,
    );
    const text = new TextDecoder().decode(login.subarray(1));
    session.sessionId = text.slice(0, 10);
    session.nextSequence = Number(text.slice(10).trim());
    assert.match(session.sessionId, /^[\x21-\x7e][\x20-\x7e]{0,9}$/);
    assert.equal(session.nextSequence, 1, `${name}: a new day starts at 1`);
    return session;
  }

  async send(message: Uint8Array): Promise<void> {
    await this.#conn.write(unsequenced(message));
  }

  /** The next Sequenced Data message. */
  next(): Promise<Uint8Array> {
    return this.#next(false);
  }

  /** Whether a message has arrived that nobody read yet. */
  get pending(): number {
    return this.#queue.length;
  }

  async #next(login: boolean): Promise<Uint8Array> {
    const deadline = Date.now() + 15_000;
    while (this.#queue.length === 0) {
      if (this.#closed) {
        assert.fail(`${this.name}: the server closed the session`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        assert.fail(
          `${this.name}: no ${login ? "login answer" : "message"} in 15 s`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.#waiter = null;
    }
    return this.#queue.shift()!;
  }

  async #read(): Promise<void> {
    const reader = new PacketReader();
    const buffer = new Uint8Array(64 * 1024);
    let loggedIn = false;
    try {
      while (true) {
        const count = await this.#conn.read(buffer);
        if (count === null) break;
        for (const packet of reader.push(buffer.subarray(0, count))) {
          if (packet.type === "H") continue; // Server Heartbeat
          if (!loggedIn) {
            // Login Accepted: the probe reads its type too.
            const all = new Uint8Array(packet.payload.length + 1);
            all[0] = packet.type.charCodeAt(0);
            all.set(packet.payload, 1);
            this.#queue.push(all);
            loggedIn = true;
          } else if (packet.type === "S") {
            this.#queue.push(packet.payload);
            this.nextSequence++;
          } else if (packet.type === "Z") {
            break;
          } else {
            assert.fail(`${this.name}: unexpected packet "${packet.type}"`);
          }
          this.#waiter?.();
        }
      }
    } catch {
      // closed under the read
    }
    this.#closed = true;
    this.#waiter?.();
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    if (!this.#closed) {
      await this.#conn.write(LOGOUT_REQUEST).catch(() => {});
    }
    const timer = setTimeout(() => {
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
    }, 2_000);
    await this.#reading;
    clearTimeout(timer);
    try {
      this.#conn.close();
    } catch {
      // closed by the server
    }
  }
}

/** The probe: its sessions, the numbers it expects next, and the checks. */
class Probe {
  readonly sessions = new Map<string, Session>();
  /** The trading date's base, from the first Order Number: YYYYMMDD × 10^10. */
  base = 0n;
  orders = 0n;
  matches = 0n;
  constructor(readonly port: number) {}

  async session(name: string): Promise<Session> {
    let session = this.sessions.get(name);
    if (session === undefined) {
      session = await Session.open(this.port, name);
      this.sessions.set(name, session);
    }
    return session;
  }

  /** The day's next Order Number (every Accepted and every Replaced takes one, K9, K11). */
  nextOrder(): bigint {
    return this.base + ++this.orders;
  }

  nextMatch(): bigint {
    return this.base + ++this.matches;
  }

  /**
   * Reads `expected.length` messages on each named session and compares every byte but
   * the timestamp; every answer of the command has one timestamp, close to now.
   */
  async expect(
    what: string,
    expected: [string, Uint8Array][],
  ): Promise<void> {
    const stamps = new Set<bigint>();
    for (const [name, bytes] of expected) {
      const got = await (await this.session(name)).next();
      const masked = got.slice();
      masked.fill(0, 1, 9);
      assert.deepEqual(
        hex(masked),
        hex(bytes),
        `${what}: ${name}'s message "${String.fromCharCode(bytes[0]!)}"`,
      );
      stamps.add(timestampOf(got));
    }
    assert.equal(stamps.size, 1, `${what}: one timestamp for one command`);
    const [stamp] = stamps;
    const drift = (stamp! - nowInJapan() + NS_PER_DAY) % NS_PER_DAY;
    const near = 10_000_000_000n;
    assert.ok(
      drift < near || NS_PER_DAY - drift < near,
      `${what}: timestamp ${stamp} is ns since midnight in Japan`,
    );
  }

  /** Nothing more arrived on any session than was read. */
  quiet(what: string): void {
    for (const [name, session] of this.sessions) {
      assert.equal(session.pending, 0, `${what}: nothing else for ${name}`);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** What the probe talks to: an OUCH port and the operator. */
interface Target {
  readonly port: number;
  /** Runs an operator action and waits until it is done (`answer`: the console's word for it). */
  operator(action: string, answer?: RegExp): Promise<void>;
  stop(): Promise<void>;
}

Deno.test("An OUCH client written from Japannext's tables sees the venue's semantics and every reject in K22's order, byte for byte", async () => {
  await probeVenue(async (usersFile) => {
    const server = await spawnServer(
      ["--no-journal", "--closed", "--users", usersFile, "--display", "debug"],
      { console: true },
    );
    return {
      port: server.port,
      operator: async (action, answer) => {
        await server.type(action);
        if (answer !== undefined) await server.waitFor(answer);
      },
      stop: async () => void await server.stop(),
    };
  });
});

Deno.test({
  name:
    "The same probe against ouch gateway + ouch engine on NATS, the operator's actions through ouch admin (deno task test:cluster)",
  ignore: Deno.env.get("OUCH_NATS_CLUSTER") !== "1",
  async fn() {
    await using nats = await startNats();
    const servers = nats.servers.join(",");
    await probeVenue(async (usersFile) => {
      const venue = await startVenueProcess(servers, [
        "--closed",
        "--users",
        usersFile,
      ]);
      return {
        port: venue.port,
        // ouch admin returns once the action is in the command stream, ahead of
        // everything the probe sends next.
        operator: async (action) => {
          const result = await runMain([
            "admin",
            "--nats",
            servers,
            "--prefix",
            venue.prefix!,
            ...action.split(" "),
          ]);
          assert.equal(result.code, 0, result.stderr);
        },
        stop: () => venue.close(),
      };
    });
  },
});

async function probeVenue(
  start: (usersFile: string) => Promise<Target>,
): Promise<void> {
  const usersFile = await Deno.makeTempFile({ suffix: ".txt" });
  await Deno.writeTextFile(usersFile, USERS_FILE);
  const server = await start(usersFile);
  const probe = new Probe(server.port);
  try {
    const names = ["alice", "bob", "flow", "value", "mpid", "board"];
    const sessions = await Promise.all(
      names.map((name) => probe.session(name)),
    );
    const alice = sessions[0]!;
    assert.deepEqual(
      new Set(sessions.map((session) => session.sessionId)).size,
      1,
      "one session id for the day",
    );
    /** The last token of each account. */
    const tokens = new Map<string, number>();
    const nextToken = (name: string) => {
      const token = (tokens.get(name) ?? 0) + 1;
      tokens.set(name, token);
      return token;
    };
    /** Sends an Enter Order of `name` (the account's next token unless given). */
    const send = async (name: string, fields: Partial<Enter>) => {
      const token = fields.token ?? nextToken(name);
      if (token > (tokens.get(name) ?? 0)) tokens.set(name, token);
      const order = enterFields({ ...fields, token });
      await (await probe.session(name)).send(enterOrder(order));
      return order;
    };
    const reject = async (
      name: string,
      fields: Partial<Enter>,
      code: string,
      what: string,
    ) => {
      const order = await send(name, fields);
      await probe.expect(what, [[name, rejected(order.token, code)]]);
    };

    // K22, in order. R: the market is closed.
    await reject("alice", {}, "R", "R: market closed");
    await server.operator("open");
    await probe.expect("open", names.map((name) => [name, systemEvent("S")]));
    // S: orderbook unknown.
    await reject("alice", { book: "9999" }, "S", "S: unknown orderbook");
    // H: halted.
    await server.operator("halt 3", /orderbook 3 halted/);
    await reject("alice", { book: "3", price: 1 }, "H", "H: halted");
    await server.operator("resume 3", /orderbook 3 resumed/);
    // c: a group the account may not trade, or no known group.
    await reject("board", { group: "DAYX" }, "c", "c: board not permitted");
    await reject("alice", { group: "ABCD" }, "c", "c: unknown group");
    // L: a Firm ID the account may not use.
    await reject("mpid", { firm: 34 }, "L", "L: MPID");
    // F: the third message within a second of an account throttled at 2.
    const flow1 = await send("flow", { token: 1, book: "1", price: 5_000 });
    // The first Order Number tells the trading date: YYYYMMDD then ten digits (K11).
    const first = await (await probe.session("flow")).next();
    const number = u64At(first, 50);
    assert.match(String(number), /^\d{8}0000000001$/, "18 digits, counter 1");
    assert.ok(number > 2n ** 53n, "beyond a double's exact integers");
    probe.base = number - 1n;
    const date = String(number).slice(0, 8);
    const today = new Date(Date.now() + 9 * 3_600_000).toISOString();
    assert.equal(
      date,
      today.slice(0, 10).replaceAll("-", ""),
      "today in Japan",
    );
    const masked = first.slice();
    masked.fill(0, 1, 9);
    assert.deepEqual(hex(masked), hex(accepted(flow1, probe.nextOrder(), "L")));
    const flow2 = await send("flow", { token: 2, book: "1", price: 5_001 });
    await probe.expect("F: second message", [[
      "flow",
      accepted(flow2, probe.nextOrder(), "L"),
    ]]);
    await reject("flow", { token: 3, book: "1" }, "F", "F: flow control");
    // X: price 0, off the tick (0.5 between 1,000 and 5,000 yen), outside the limits.
    await reject("alice", { price: 0 }, "X", "X: price 0");
    await reject("alice", { price: 28_003 }, "X", "X: off the tick");
    await reject("alice", { price: 22_995 }, "X", "X: below the lower limit");
    await reject("alice", { price: 33_005 }, "X", "X: above the upper limit");
    // Z: quantity 0, not a round lot of 100.
    await reject("alice", { quantity: 0 }, "Z", "Z: quantity 0");
    await reject("alice", { quantity: 150 }, "Z", "Z: odd lot");
    // N, Y, D, G, O: minimum quantity on a Day order, time in force, display, cash
    // margin, capacity.
    await reject("alice", { minimum: 100 }, "N", "N: minimum on a Day order");
    await reject("alice", { tif: 5 }, "Y", "Y: time in force 5");
    await reject("alice", { display: "X" }, "D", "D: display");
    await reject("alice", { cashMargin: "9" }, "G", "G: cash margin");
    await reject("alice", { capacity: "X" }, "O", "O: capacity");
    // V: 2,800 × 200 = 560,000 yen over a limit of 280,000.
    await reject("value", { quantity: 200 }, "V", "V: order value");
    // i: the operator's short-sell restriction; before any trade the bar is the
    // reference price, 2,800.
    await server.operator("ssr 7203 on", /short-sell price restriction on/);
    await reject("alice", { side: "T" }, "i", "i: short sell restriction");
    // O: a post-only order that would execute.
    const ask = await send("bob", { side: "S", price: 29_000 });
    await probe.expect("a resting ask", [[
      "bob",
      accepted(ask, probe.nextOrder(), "L"),
    ]]);
    await reject("alice", { display: "P", price: 29_000 }, "O", "O: post-only");
    // Adjacent checks: the earlier one wins (c before L, X before Z, V before i).
    await reject("mpid", { firm: 34, group: "NITE" }, "c", "c before L");
    await reject("alice", { price: 28_003, quantity: 150 }, "X", "X before Z");
    await reject(
      "value",
      { side: "T", quantity: 200 },
      "V",
      "V before i",
    );
    probe.quiet("the rejects");

    // K5: an Immediate order that executes nothing is accepted dead, and that is all.
    const dead = await send("alice", { tif: 0, price: 28_500 });
    await probe.expect("IOC that executes nothing", [[
      "alice",
      accepted(dead, probe.nextOrder(), "D"),
    ]]);
    probe.quiet("after the dead IOC");
    // K5: one that executes: Accepted L, the fill on both sides, Canceled I for the rest.
    const partial = await send("alice", {
      tif: 0,
      price: 29_000,
      quantity: 300,
    });
    const partialNumber = probe.nextOrder();
    const fill = probe.nextMatch();
    await probe.expect("IOC that executes part", [
      ["alice", accepted(partial, partialNumber, "L")],
      ["bob", executed(ask.token, 100, 29_000, "A", fill)],
      ["alice", executed(partial.token, 100, 29_000, "R", fill)],
      ["alice", canceled(partial.token, 200, "I")],
    ]);
    // K6: less than the minimum can trade at once: accepted dead, nothing trades.
    const ask2 = await send("bob", { side: "S", price: 29_000 });
    await probe.expect("another ask", [[
      "bob",
      accepted(ask2, probe.nextOrder(), "L"),
    ]]);
    const minimum = await send("alice", {
      tif: 0,
      price: 29_000,
      quantity: 300,
      minimum: 200,
    });
    await probe.expect("minimum quantity not met", [[
      "alice",
      accepted(minimum, probe.nextOrder(), "D"),
    ]]);
    probe.quiet("after the minimum quantity");

    // K9: the replace quantity is the order chain's total.
    const buy = await send("alice", { quantity: 500, price: 28_000 });
    await probe.expect("a resting bid", [[
      "alice",
      accepted(buy, probe.nextOrder(), "L"),
    ]]);
    const hit = await send("bob", {
      side: "S",
      quantity: 200,
      price: 28_000,
    });
    const hitNumber = probe.nextOrder();
    const hitMatch = probe.nextMatch();
    await probe.expect("200 of the bid trade", [
      ["bob", accepted(hit, hitNumber, "L")],
      ["alice", executed(buy.token, 200, 28_000, "A", hitMatch)],
      ["bob", executed(hit.token, 200, 28_000, "R", hitMatch)],
    ]);
    // 300 open + 200 executed: a total of 400 leaves 200 open, under a new Order Number.
    const toFour: Replace = {
      existing: buy.token,
      replacement: nextToken("alice"),
      quantity: 400,
      price: 28_000,
      tif: 99999,
      display: " ",
      minimum: 0,
    };
    await alice.send(replaceOrder(toFour));
    const newNumber = probe.nextOrder();
    await probe.expect("replace to a total of 400", [[
      "alice",
      replaced(toFour, buy, 200, newNumber, "L"),
    ]]);
    // A total of 100, below the 200 executed: the order is canceled (JNX §6.2), with U,
    // "sent in response to a Cancel Order Message or a Replace Order Message" (Table 2),
    // and the replacement token is not consumed.
    const below: Replace = {
      ...toFour,
      existing: toFour.replacement,
      replacement: nextToken("alice"),
      quantity: 100,
    };
    await alice.send(replaceOrder(below));
    await probe.expect("replace below the executed quantity", [[
      "alice",
      canceled(toFour.replacement, 200, "U"),
    ]]);
    const reused = await send("alice", {
      token: below.replacement,
      quantity: 300,
      price: 27_900,
    });
    await probe.expect("the unused replacement token, entered", [[
      "alice",
      accepted(reused, probe.nextOrder(), "L"),
    ]]);
    const hit2 = await send("bob", { side: "S", price: 27_900 });
    const hit2Number = probe.nextOrder();
    const hit2Match = probe.nextMatch();
    await probe.expect("100 of it trade", [
      ["bob", accepted(hit2, hit2Number, "L")],
      ["alice", executed(reused.token, 100, 27_900, "A", hit2Match)],
      ["bob", executed(hit2.token, 100, 27_900, "R", hit2Match)],
    ]);
    // A total equal to the 100 executed: Order Replaced with state D and 0 outstanding.
    const equal: Replace = {
      ...toFour,
      existing: reused.token,
      replacement: nextToken("alice"),
      quantity: 100,
      price: 27_900,
    };
    await alice.send(replaceOrder(equal));
    await probe.expect("replace to the executed quantity", [[
      "alice",
      replaced(equal, reused, 0, probe.nextOrder(), "D"),
    ]]);
    await alice.send(cancelOrder(equal.replacement, 0));

    // K10: a Cancel Order's quantity is ignored: the whole open quantity goes.
    const resting = await send("alice", { quantity: 300, price: 27_800 });
    await probe.expect("a bid to cancel", [[
      "alice",
      accepted(resting, probe.nextOrder(), "L"),
    ]]);
    await alice.send(cancelOrder(resting.token, 100));
    await probe.expect("cancel with quantity 100", [[
      "alice",
      canceled(resting.token, 300, "U"),
    ]]);
    await alice.send(cancelOrder(resting.token, 0));
    // The dead replace's cancel and this one were ignored: the next answer is the
    // sentinel's.
    await reject("alice", { price: 0 }, "X", "sentinel");
    probe.quiet("the end");
  } finally {
    await probe.closeAll();
    await server.stop();
    await Deno.remove(usersFile);
  }
}
