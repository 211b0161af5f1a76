import assert from "node:assert/strict";
import { TradeLog } from "../../lib/feeds/trade_log.ts";
import { enter, testExchange } from "../server/_harness.ts";

const NINE = 32_400_000_000_000;

Deno.test("TradeLog, subscribed with one line, writes one line per durable trade", async () => {
  const exchange = testExchange();
  const lines: string[] = [];
  exchange.subscribe(new TradeLog((line) => lines.push(line)));
  exchange.submit("alice", enter(1, { quantity: 300, price: 23000 }), NINE);
  exchange.submit("alice", enter(2, { quantity: 100, price: 23010 }), NINE);
  assert.deepEqual(lines, [], "nothing before the batch is durable");
  exchange.submit(
    "bob",
    enter(1, { buySellIndicator: "S", quantity: 350, price: 22990 }),
    NINE + 5,
  );
  exchange.submit(
    "carol",
    enter(1, { buySellIndicator: "B", quantity: 10, price: 23000 }),
    NINE + 6,
  );
  await exchange.drain();
  assert.deepEqual(lines, [
    "09:00:00.000000005 1 100 @ 2301.0 match 202611250000000001 aggressor S",
    "09:00:00.000000005 1 250 @ 2300.0 match 202611250000000002 aggressor S",
  ]);
});

Deno.test("TradeLog.open() appends lines to a file", async () => {
  const path = await Deno.makeTempFile({ prefix: "ouch-trades-" });
  try {
    await Deno.writeTextFile(path, "earlier\n");
    const exchange = testExchange();
    const log = TradeLog.open(path);
    exchange.subscribe(log);
    exchange.submit("alice", enter(1), NINE);
    exchange.submit("bob", enter(1, { buySellIndicator: "S" }), NINE + 1);
    await exchange.drain();
    log.close();
    assert.equal(
      await Deno.readTextFile(path),
      "earlier\n09:00:00.000000001 1 100 @ 2300.0 match 202611250000000001 aggressor S\n",
    );
  } finally {
    await Deno.remove(path);
  }
});
