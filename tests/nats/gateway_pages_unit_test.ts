/**
 * `GatewayPages` without NATS: the commands a gateway's page sends the engine, and what it
 * refuses itself, with a gateway core fed the records of a real exchange.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  deliver,
  Exchange,
  MarketData,
  RecordBatch,
} from "../../lib/exchange/mod.ts";
import { PAGE_TOKEN_BASE as P } from "../../lib/matcher/mod.ts";
import {
  type CommandPublisher,
  decodeGatewayCommand,
  GatewayCore,
  GatewayPages,
} from "../../lib/nats/mod.ts";
import { enterOrder } from "../_fixtures.ts";

const USERS = new Map([["alice", "pw-a"], ["bob", "pw-b"]]);

function setup() {
  const sent: string[] = [];
  const publisher = {
    send: (bytes: Uint8Array) => {
      const command = decodeGatewayCommand(bytes);
      sent.push(
        command.type === "page"
          ? `page ${command.host} ${command.account} ${command.message[0]}`
          : JSON.stringify(command),
      );
    },
  } as unknown as CommandPublisher;
  const core = new GatewayCore({ host: "gw1", users: USERS, publisher });
  const market = new MarketData();
  core.subscribe(market);
  const pages = new GatewayPages({
    core,
    publisher,
    market,
    host: "gw1",
    users: USERS,
  });
  // The engine's records, as the log gives them.
  const log = {
    append: (batch: Uint8Array) =>
      void deliver([core], new RecordBatch(batch.slice())),
  };
  const exchange = new Exchange({
    users: USERS,
    day: { session: "2026112501", tradingDate: "20261125", created: 1 },
    timestamp: 0,
    log,
    schedule: (task) => task(),
  });
  exchange.flush();
  sent.length = 0;
  return { sent, core, pages, exchange, log };
}

const request = (username: string, password: string) => ({
  type: "loginRequest" as const,
  username,
  password,
  requestedSession: "",
  requestedSequenceNumber: 0,
});

Deno.test("GatewayPages: a page's login, orders, tokens, operator actions and logout become engine commands; a wrong password, an order without a page session and an old day's handle send nothing", () => {
  const { sent, core, pages, exchange, log } = setup();
  assert.equal(core.day?.session, "2026112501");
  assert.deepEqual(pages.login(request("alice", "nope"), "web#1", 0), {
    accept: false,
  });
  assert.throws(
    () => pages.submit("alice", enterOrder(P), 0),
    {
      name: "RangeError",
      message:
        'Cannot submit for account "alice": it has no page session on gateway "gw1"',
    },
  );
  assert.deepEqual(sent, []);
  const login = pages.login(request("alice", "pw-a"), "web#1", 0);
  assert.ok(login.accept);
  assert.deepEqual(login.handle, {
    account: core.accountId("alice"),
    name: "alice",
    host: "gw1/web#1",
    day: 1,
  });
  assert.equal(pages.nextPageToken("alice"), P);
  pages.submit("alice", enterOrder(P), 0);
  // The token it sent counts before the log shows it.
  assert.equal(pages.nextPageToken("alice"), P + 1);
  assert.equal(pages.open(0), false); // the log says it is open
  assert.equal(pages.halt("1", 0), true);
  pages.logout(login.handle, 0);
  pages.logout(login.handle, 0); // twice: nothing more
  assert.deepEqual(sent, [
    '{"type":"login","host":"gw1/web#1","username":"alice","password":"pw-a","requestedSession":""}',
    "page gw1/web#1 alice 79",
    '{"type":"halt","orderbookId":"1"}',
    '{"type":"logout","host":"gw1/web#1","account":"alice"}',
  ]);
  // The engine's answers come through the log: the open orders and the next token follow.
  exchange.submit("alice", enterOrder(P + 5), 1);
  exchange.flush();
  assert.deepEqual(
    pages.openOrders("alice").map((order) => order.orderToken),
    [P + 5],
  );
  assert.equal(pages.nextPageToken("alice"), P + 6);
  // A handle of the day before is ignored after a new day.
  sent.length = 0;
  const again = pages.login(request("bob", "pw-b"), "web#2", 0);
  assert.ok(again.accept);
  void exchange.endDay(2);
  exchange.startDay(
    { session: "2026112601", tradingDate: "20261126", created: 2 },
    { timestamp: 3, log },
  );
  exchange.flush();
  assert.equal(core.day?.session, "2026112601");
  sent.length = 0;
  pages.logout(again.handle, 4);
  assert.deepEqual(sent, []);
});

Deno.test("GatewayPages.watchPageTokens(): a page order or replace the engine raised (another page took its token first) is told with both tokens and the page's host; one that went in as sent, or another gateway's, is not", () => {
  const { pages, exchange } = setup();
  const login = pages.login(request("alice", "pw-a"), "web#1", 0);
  assert.ok(login.accept);
  const changes: string[] = [];
  const stop = pages.watchPageTokens((change) =>
    changes.push(
      `${change.account} ${change.host} ${change.sent - P} -> ${
        change.got - P
      }`,
    )
  );
  // This gateway's page enters P; another gateway's page entered P first (another price),
  // so the engine gave this one P + 1.
  pages.submit("alice", enterOrder(P), 0);
  exchange.submit("alice", enterOrder(P, { price: 27_990 }), 1);
  exchange.submit("alice", enterOrder(P + 1), 2);
  exchange.flush();
  assert.deepEqual(changes, ["alice gw1/web#1 0 -> 1"]);
  // A replace raised the same way.
  const replace = {
    type: "replaceOrder" as const,
    existingOrderToken: P + 1,
    replacementOrderToken: P + 2,
    quantity: 300,
    price: 28_000,
    timeInForce: 99_999,
    display: " ",
    minimumQuantity: 0,
  };
  pages.submit("alice", replace, 3);
  exchange.submit("alice", enterOrder(P + 2, { quantity: 5 }), 4);
  exchange.submit("alice", { ...replace, replacementOrderToken: P + 3 }, 5);
  exchange.flush();
  assert.deepEqual(changes.slice(1), ["alice gw1/web#1 2 -> 3"]);
  // An order that went in with its own token: nothing to tell.
  pages.submit("alice", enterOrder(P + 4), 6);
  exchange.submit("alice", enterOrder(P + 4), 7);
  exchange.flush();
  assert.equal(changes.length, 2);
  // One the engine dropped (no record) is passed over for the next one's record.
  pages.submit("alice", enterOrder(P + 5, { price: 27_900 }), 8);
  pages.submit("alice", enterOrder(P + 6), 9);
  exchange.submit("alice", enterOrder(P + 6, { quantity: 1 }), 10);
  exchange.submit("alice", enterOrder(P + 7), 11);
  exchange.flush();
  assert.deepEqual(changes.slice(2), ["alice gw1/web#1 6 -> 7"]);
  stop();
  pages.submit("alice", enterOrder(P + 8), 12);
  exchange.submit("alice", enterOrder(P + 8, { buySellIndicator: "S" }), 13);
  exchange.submit("alice", enterOrder(P + 9), 14);
  exchange.flush();
  assert.equal(changes.length, 3, "stopped");
});
