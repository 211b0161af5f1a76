import assert from "node:assert/strict";
import { run } from "../../lib/client/cli.ts";
import {
  capture,
  closedPort,
  openInput,
  textInput,
  waitForLine,
} from "./_capture.ts";
import { startServerProcess } from "./_server_process.ts";
import { type ServerProcess, spawnServer } from "../server/_process.ts";
import {
  replay,
  replayAll,
  scenarioNames,
  serverFlags,
  TEST_INPUTS,
} from "./_scenarios.ts";

const SEED = new URL("client_1.json", TEST_INPUTS).pathname;

/** The account a scenario logs in as: `--user` in its `_client_flags`, else demo1. */
function userOf(file: { _client_flags?: string[] }): string {
  const flags = file._client_flags ?? [];
  const at = flags.indexOf("--user");
  return at < 0 ? "demo1" : flags[at + 1]!;
}

Deno.test("run() replays every file of test_inputs/ against a fresh server with every expectation passing", async () => {
  await replayAll(startServerProcess);
});

/** Types a console command and waits for one more line matching `answer`. */
async function consoleCommand(
  server: ServerProcess,
  line: string,
  answer: RegExp,
): Promise<void> {
  const global = new RegExp(answer.source, "g");
  const count = () => server.output().match(global)?.length ?? 0;
  const before = count();
  await server.type(line);
  const deadline = performance.now() + 20_000;
  while (count() === before) {
    if (performance.now() > deadline) {
      throw new Error(
        `The console never answered "${line}":\n${server.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The console commands that put a running server in the state a file's `_server_flags`
 * start a new one in, and back: `[before, after]`, each a command and its answer.
 */
function consoleFor(name: string, flags: readonly string[]) {
  const before: [string, RegExp][] = [];
  const after: [string, RegExp][] = [];
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === "--closed") {
      before.push(["close", /market closed/]);
      after.push(["open", /market open/]);
    } else if (flags[i] === "--halted") {
      for (const id of (flags[++i] ?? "").split(",")) {
        before.push([`halt ${id}`, new RegExp(`orderbook ${id} halted`)]);
        after.push([`resume ${id}`, new RegExp(`orderbook ${id} resumed`)]);
      }
    } else {
      assert.fail(`${name}: no console command for server flag ${flags[i]}`);
    }
  }
  return { before, after };
}

Deno.test("run() replays every file of test_inputs/ three times against one running server, moving the tokens", async () => {
  const names = await scenarioNames();
  // Flags only a new server takes (the users file) are given to the one server; every
  // file that needs none of them logs in as demo1, which that file has too.
  const start = new Set<string>();
  for (const name of names) {
    const file = JSON.parse(
      await Deno.readTextFile(new URL(name, TEST_INPUTS)),
    );
    for (const flag of serverFlags(file).start) start.add(flag);
  }
  const server = await spawnServer(
    ["--no-journal", "--display", "table", ...start],
    { console: true },
  );
  try {
    /** The highest token each account used so far, as its login replay tells. */
    const highest = new Map<string, number>();
    for (let round = 1; round <= 3; round++) {
      for (const name of names) {
        const path = new URL(name, TEST_INPUTS).pathname;
        const file = JSON.parse(await Deno.readTextFile(path));
        const { before, after } = consoleFor(name, serverFlags(file).live);
        const user = userOf(file);
        for (const [line, answer] of before) {
          await consoleCommand(server, line, answer);
        }
        const { out, err, output } = capture();
        const code = await run(
          [
            path,
            "--auto",
            "--wait",
            "500",
            "--port",
            String(server.port),
            ...(file._client_flags ?? []),
          ],
          output,
        );
        const where = `round ${round}, ${name}`;
        assert.equal(code, 0, `${where}:\n${[...err, ...out].join("\n")}`);
        const n = file.actions.length;
        assert.equal(
          out.at(-1),
          `ok: ${n} actions, ${n} sent: ${n} passed, 0 failed, 0 without expectations`,
          where,
        );
        const replayed = out.find((line) => line.startsWith("replayed "));
        const learned = Number(
          /highest token ([\d,]+)$/.exec(replayed ?? "")?.[1]?.replaceAll(
            ",",
            "",
          ),
        );
        assert.ok(learned >= (highest.get(user) ?? 0), `${where}: ${replayed}`);
        highest.set(user, learned);
        const shifted = out.filter((line) => line.startsWith("tokens shifted"));
        assert.deepEqual(
          shifted,
          learned === 0 ? [] : [
            `tokens shifted by ${
              learned.toLocaleString("en-US")
            }, ${user}'s highest token today: file token 1 is sent as ${
              (learned + 1).toLocaleString("en-US")
            } (--raw-tokens sends them as written)`,
          ],
          where,
        );
        const firstSent = out.findIndex((line) => line.startsWith("sent "));
        const firstReceived = out.findIndex((line) => line.startsWith("recv "));
        assert.ok(
          out.indexOf(replayed!) < firstSent && firstSent < firstReceived,
          `${where}: the login's replay is summed up, not printed`,
        );
        for (const [line, answer] of after) {
          await consoleCommand(server, line, answer);
        }
      }
    }
    assert.ok(
      [...highest.values()].every((token) => token > 0),
      "the last runs moved their tokens",
    );
    assert.deepEqual(
      [...highest.keys()].sort(),
      ["board", "demo1", "flow", "mpid", "value"],
    );
  } finally {
    await server.stop();
  }
});

Deno.test("run() of the seed a second time moves its tokens above the replayed ones; --raw-tokens does not", async () => {
  const server = await startServerProcess();
  try {
    const port = ["--port", String(server.port), "--wait", "400"];
    const first = capture();
    assert.equal(await run([SEED, "--auto", ...port], first.output), 0);
    assert.equal(
      first.out[1],
      // System Event S, the day's first message (K24).
      "replayed 1 message: 0 orders open, highest token 0",
    );
    assert.ok(!first.out.some((line) => line.startsWith("tokens shifted")));

    const second = capture();
    const code = await run(
      [SEED, "--auto", "--show-replay", ...port],
      second.output,
    );
    assert.equal(code, 0, second.out.join("\n"));
    assert.deepEqual(
      second.out.slice(1, 10).map((line) =>
        line.replace(
          /^(recv seq \d+) +(\w \w+) .*?((?:orderToken|replacementOrderToken)=\d+).*/,
          "$1 $2 $3",
        ).replace(/^(recv seq 1) +S systemEvent .*(eventCode=S)$/, "$1 S $2")
      ),
      [
        "recv seq 1 S eventCode=S",
        "recv seq 2 A orderAccepted orderToken=1",
        "recv seq 3 J orderRejected orderToken=2",
        "recv seq 4 A orderAccepted orderToken=3",
        "recv seq 5 U orderReplaced replacementOrderToken=5",
        "recv seq 6 C orderCanceled orderToken=5",
        "recv seq 7 C orderCanceled orderToken=3",
        "replayed 7 messages: 0 orders open, highest token 5",
        "tokens shifted by 5, demo1's highest token today: file token 1 is sent as 6 (--raw-tokens sends them as written)",
      ],
    );
    assert.deepEqual(
      second.out.filter((line) => line.startsWith("sent ")).map((line) =>
        line.replace(
          /^sent action (\d+) +\w \w+ +(\w+=\d+(?: \w+=\d+)?).*/,
          "$1 $2",
        )
      ),
      [
        "1 orderToken=6",
        "2 orderToken=7",
        "3 orderToken=8",
        "4 orderToken=6",
        "5 existingOrderToken=6 replacementOrderToken=10",
        "6 orderToken=6 quantity=0",
        "7 orderToken=10 quantity=0",
      ],
    );

    const raw = capture();
    assert.equal(
      await run([SEED, "--auto", "--raw-tokens", ...port], raw.output),
      1,
    );
    assert.equal(
      raw.out[1],
      "replayed 13 messages: 0 orders open, highest token 10",
    );
    assert.ok(!raw.out.some((line) => line.startsWith("tokens shifted")));
    assert.ok(
      raw.out.includes("FAIL action 1    expected accepted; got none"),
      raw.out.join("\n"),
    );
  } finally {
    await server.close();
  }
});

Deno.test("run() stopped by its signal (Ctrl-C) at the Enter prompt prints the results so far and logs out", async () => {
  const server = await spawnServer(["--no-journal", "--display", "debug"]);
  try {
    const { out, output } = capture();
    const controller = new AbortController();
    // One Enter now; the second never comes: the signal stops the replay instead.
    const running = run(
      [SEED, "--wait", "300", "--port", String(server.port)],
      output,
      { input: openInput("\n"), signal: controller.signal },
    );
    await waitForLine(out, /^next action 2 /);
    controller.abort();
    assert.equal(await running, 130);
    assert.deepEqual(out.slice(-10), [
      "PASS action 1    got accepted",
      "---- action 2    not sent",
      "---- action 3    not sent",
      "---- action 4    not sent",
      "---- action 5    not sent",
      "---- action 6    not sent",
      "---- action 7    not sent",
      "interrupted: 7 actions, 1 sent: 1 passed, 0 failed, 6 not sent, 0 without expectations",
      "interrupted: logging out with 1 order open",
      "logged out",
    ]);
    await server.waitFor(/\(demo1\) closed: logout/);
  } finally {
    await server.stop();
  }
});

Deno.test("run() fails a wrong expectation and shows what it got instead", async () => {
  const seed = JSON.parse(await Deno.readTextFile(SEED));
  seed.actions[0].expect = ["accepted", "executed"];
  seed.actions[1].expect = ["rejected:X"];
  seed.actions[3].expect = ["accepted"];
  const path = await Deno.makeTempFile({ suffix: ".json" });
  const server = await startServerProcess();
  try {
    await Deno.writeTextFile(path, JSON.stringify(seed));
    const { out, output } = capture();
    const code = await run(
      [path, "--auto", "--wait", "400", "--port", String(server.port)],
      output,
    );
    assert.equal(code, 1);
    const results = out.filter((line) => /^(PASS|FAIL) /.test(line));
    assert.deepEqual(results, [
      "FAIL action 1    expected accepted, executed; got accepted",
      "FAIL action 2    expected rejected:X; got rejected:N",
      "PASS action 3    got accepted",
      "FAIL action 4    expected accepted; got none",
      "PASS action 5    got replaced",
      "PASS action 6    got none",
      "PASS action 7    got canceled:U",
    ]);
    assert.equal(
      out.at(-1),
      "FAILED: 7 actions, 7 sent: 4 passed, 3 failed, 0 without expectations",
    );
  } finally {
    await server.close();
    await Deno.remove(path);
  }
});

Deno.test("run() with --json prints one object per line with the results", async () => {
  const result = await replay("client_1.json", startServerProcess, ["--json"]);
  assert.equal(result.code, 0);
  const events = result.out.map((line) => JSON.parse(line));
  assert.equal(events[0].event, "login");
  assert.equal(events[0].username, "demo1");
  assert.deepEqual(events[1], {
    event: "replayed",
    messages: 1, // System Event S, the day's first message (K24)
    openOrders: 0,
    highestToken: 0,
  });
  const sent = events.filter((e) => e.event === "sent");
  assert.deepEqual(sent.map((e) => e.action), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(sent[0].message.type, "enterOrder");
  assert.equal(sent[0].message.price, 23000);
  const received = events.filter((e) => e.event === "received");
  assert.deepEqual(
    received.map((e) => [e.sequenceNumber, e.action, e.message.type]),
    [
      [2, 1, "orderAccepted"],
      [3, 2, "orderRejected"],
      [4, 3, "orderAccepted"],
      [5, 5, "orderReplaced"],
      [6, 7, "orderCanceled"],
    ],
  );
  const results = events.filter((e) => e.event === "result");
  assert.deepEqual(results.map((e) => e.status), Array(7).fill("pass"));
  assert.deepEqual(results[1], {
    event: "result",
    action: 2,
    status: "pass",
    expected: ["rejected:N"],
    got: ["rejected:N"],
    detail: "got rejected:N",
  });
  assert.deepEqual(events.at(-1), {
    event: "summary",
    actions: 7,
    sent: 7,
    passed: 7,
    failed: 0,
    unchecked: 0,
    unsent: 0,
    stopped: null,
    ok: true,
  });
});

Deno.test("run() without --auto sends one action per Enter and stops on q without failing the rest", async () => {
  const server = await startServerProcess();
  try {
    const { out, output } = capture();
    const code = await run(
      [SEED, "--wait", "300", "--port", String(server.port)],
      output,
      { input: textInput("\n\nq\n") },
    );
    assert.equal(
      code,
      0,
      "actions 3 to 7 were not sent, and that is no failure",
    );
    assert.equal(
      out.filter((line) => line.startsWith("next action ")).length,
      3,
    );
    assert.ok(out.includes("# 1. Order message should be successful"));
    assert.deepEqual(out.filter((line) => /^(PASS|FAIL) /.test(line)), [
      "PASS action 1    got accepted",
      "PASS action 2    got rejected:N",
    ]);
    assert.deepEqual(out.filter((line) => line.includes(" not sent")), [
      "---- action 3    not sent",
      "---- action 4    not sent",
      "---- action 5    not sent",
      "---- action 6    not sent",
      "---- action 7    not sent",
      "stopped: 7 actions, 2 sent: 2 passed, 0 failed, 5 not sent, 0 without expectations",
    ]);
    assert.equal(
      out.at(-1),
      "stopped: 7 actions, 2 sent: 2 passed, 0 failed, 5 not sent, 0 without expectations",
    );
  } finally {
    await server.close();
  }
});

Deno.test("run() with --stay continues at the prompt with the next token", async () => {
  const server = await startServerProcess();
  try {
    const { out, output } = capture();
    const code = await run(
      [SEED, "--auto", "--stay", "--port", String(server.port)],
      output,
      { input: textInput("buy 10 2 @ 500.5\norders\nquit\n") },
    );
    assert.equal(code, 0, out.join("\n"));
    assert.ok(
      out.some((line) =>
        /^sent +O enterOrder +orderToken=6 .*price=500\.5 /.test(line)
      ),
      out.join("\n"),
    );
    const table = out.find((line) => line.includes("order#"))!.split("\n");
    assert.match(table[2]!, /│ +3 │ buy +│ 2 +│ 500\.5 │ +200 │ +0 │/);
    assert.match(table[3]!, /│ +6 │ buy +│ 2 +│ 500\.5 │ +10 │ +0 │/);
  } finally {
    await server.close();
  }
});

Deno.test("run() refuses a bad scenario before connecting", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        actions: [{ message_type: "X", order_token: -1, quantity: 0 }, {
          message_type: "Q",
        }],
      }),
    );
    const { out, err, output } = capture();
    const code = await run([path, "--port", String(closedPort())], output);
    assert.equal(code, 1);
    assert.deepEqual(out, []);
    assert.deepEqual(err, [
      `${path}: refused, nothing was sent:`,
      '  action 1 field "order_token": Cannot use -1 as a uint32 as it is negative',
      '  action 2 field "message_type": Cannot use "Q" as a message type as it must be "O", "U" or "X"',
    ]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("run() exits 1 when it cannot connect or log in", async () => {
  const port = closedPort();
  const refused = capture();
  assert.equal(
    await run([SEED, "--auto", "--port", String(port)], refused.output),
    1,
  );
  assert.match(
    refused.err[0]!,
    new RegExp(`^Cannot connect to 127\\.0\\.0\\.1:${port}: `),
  );

  const server = await startServerProcess();
  try {
    const rejected = capture();
    const code = await run(
      [SEED, "--auto", "--port", String(server.port), "--password", "wrong"],
      rejected.output,
    );
    assert.equal(code, 1);
    assert.deepEqual(rejected.out, ["login rejected: A (Not authorized)"]);
  } finally {
    await server.close();
  }
});
