import assert from "node:assert/strict";
import { parseAdminAction } from "../../lib/entry/cluster.ts";
import { runMain } from "../server/_process.ts";

Deno.test("parseAdminAction() reads every action and names what is wrong with the others", () => {
  assert.deepEqual(parseAdminAction(["open"]), { type: "open" });
  assert.deepEqual(parseAdminAction(["close"]), { type: "close" });
  assert.deepEqual(parseAdminAction(["endday"]), { type: "endDay" });
  assert.deepEqual(parseAdminAction(["halt", "7203"]), {
    type: "halt",
    orderbookId: "7203",
  });
  assert.deepEqual(parseAdminAction(["resume", "1"]), {
    type: "resume",
    orderbookId: "1",
  });
  assert.deepEqual(parseAdminAction(["ssr", "1", "off"]), {
    type: "ssr",
    orderbookId: "1",
    on: false,
  });
  assert.deepEqual(parseAdminAction(["cancel", "alice"]), {
    type: "cancel",
    account: "alice",
  });
  const bad: [string[], string][] = [
    [
      [],
      "Cannot run ouch admin without an action: open, close, halt ID, resume ID, ssr ID on|off, cancel NAME or endday",
    ],
    [
      ["stop"],
      'Cannot run unknown action "stop": open, close, halt ID, resume ID, ssr ID on|off, cancel NAME or endday',
    ],
    [["open", "now"], 'Cannot run "open now": open takes no argument'],
    [["halt"], 'Cannot run "halt": halt needs an orderbook ID'],
    [
      ["ssr", "1"],
      'Cannot run "ssr 1": ssr needs an orderbook ID and on or off',
    ],
    [
      ["ssr", "1", "yes"],
      'Cannot run "ssr 1 yes": ssr takes on or off, not "yes"',
    ],
    [["cancel"], 'Cannot run "cancel": cancel needs an account name'],
  ];
  for (const [words, message] of bad) {
    assert.throws(() => parseAdminAction(words), {
      name: "UsageError",
      message,
    });
  }
});

Deno.test("ouch engine, gateway and admin refuse bad command lines with exit code 2 and say why", async () => {
  const cases: [string[], RegExp][] = [
    [["engine"], /Cannot start ouch engine without --nats URL/],
    [
      ["gateway", "--port", "0"],
      /Cannot start ouch gateway without --nats URL/,
    ],
    [
      ["engine", "--nats", "nats://127.0.0.1:1", "--journal", "x"],
      /Cannot use --journal with ouch engine/,
    ],
    [
      ["gateway", "--nats", "nats://127.0.0.1:1", "--closed"],
      /Cannot use --closed with ouch gateway/,
    ],
    [
      ["engine", "--nats", "nats://127.0.0.1:1", "--http", "127.0.0.1:0"],
      /Cannot use --http with ouch engine: it serves no clients/,
    ],
    [
      ["engine", "--nats", "nats://127.0.0.1:1", "--no-http"],
      /Cannot use --no-http with ouch engine: it serves no clients/,
    ],
    [
      ["gateway", "--nats", "nats://127.0.0.1:1", "--http", "0.0.0.0:8080"],
      /Cannot serve the web page on non-loopback --http "0.0.0.0" with the demo accounts/,
    ],
    [
      ["gateway", "--nats", "nats://127.0.0.1:1", "--http", "x"],
      /--http/,
    ],
    [
      ["gateway", "--nats", "nats://127.0.0.1:1", "--host-id", "gw/1"],
      /Cannot use --host-id "gw\/1": it may not contain "\/"/,
    ],
    [
      ["engine", "--nats", "nats://127.0.0.1:1", "--display", "debug"],
      /Cannot use --display with ouch engine: it serves no clients \(give it to ouch gateway\)/,
    ],
    [
      ["engine", "--nats", "nats://127.0.0.1:1", "--itch-port=15001"],
      /Cannot use --itch-port=15001 with ouch engine: it serves no clients/,
    ],
    [
      ["engine", "--nats", "nats://127.0.0.1:1,", "--id", "e"],
      /Cannot use --nats "nats:\/\/127.0.0.1:1,": it has an empty item/,
    ],
    [
      ["engine", "--nats", "nats://127.0.0.1:1", "--replicas", "9"],
      /Cannot use --replicas "9": it must be 1 to 5/,
    ],
    [["engine", "--nats"], /Cannot use --nats: it needs a value/],
    [["admin", "open"], /Cannot start ouch admin without --nats URL/],
    [
      ["admin", "--nats", "nats://127.0.0.1:1", "--user", "x"],
      /Cannot use --user with ouch admin/,
    ],
  ];
  for (const [args, message] of cases) {
    const result = await runMain(args);
    assert.equal(
      result.code,
      2,
      `${args.join(" ")}: ${result.stdout}${result.stderr}`,
    );
    assert.match(result.stderr, message, args.join(" "));
  }
  const help = await runMain(["gateway", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: ouch gateway --nats URL/);
});
