import assert from "node:assert/strict";
import { run } from "../../lib/client/cli.ts";
import { capture, closedPort, textInput } from "./_capture.ts";
import { startServerProcess } from "./_server_process.ts";

const TEST_INPUTS = new URL("../../test_inputs/", import.meta.url);
const SEED = new URL("client_1.json", TEST_INPUTS).pathname;

interface Replayed {
  name: string;
  code: number;
  out: string[];
  err: string[];
  actions: number;
}

async function replay(name: string, extra: string[] = []): Promise<Replayed> {
  const path = new URL(name, TEST_INPUTS).pathname;
  const file = JSON.parse(await Deno.readTextFile(path));
  const server = await startServerProcess(file._server_flags ?? []);
  try {
    const { out, err, output } = capture();
    const code = await run(
      [path, "--auto", "--port", String(server.port), ...extra],
      output,
    );
    return { name, code, out, err, actions: file.actions.length };
  } finally {
    await server.close();
  }
}

Deno.test("run() replays every file of test_inputs/ against a fresh server with every expectation passing", async () => {
  const names: string[] = [];
  for await (const entry of Deno.readDir(TEST_INPUTS)) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  names.sort();
  assert.ok(names.length >= 10, `only ${names.length} scenario files`);
  for (const name of names) {
    const file = JSON.parse(
      await Deno.readTextFile(new URL(name, TEST_INPUTS)),
    );
    assert.ok(
      file.actions.every((action: object) => "expect" in action),
      `${name}: every action must carry "expect"`,
    );
  }
  // The waits are mostly idle, so a few files run at a time, each with its own server.
  const results: Replayed[] = [];
  const queue = [...names];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      results.push(await replay(name));
    }
  }));
  for (const result of results.sort((a, b) => a.name.localeCompare(b.name))) {
    const failures = [
      ...result.err,
      ...result.out.filter((line) => /FAIL/.test(line)),
    ];
    assert.equal(result.code, 0, `${result.name}:\n${failures.join("\n")}`);
    const n = result.actions;
    assert.equal(
      result.out.at(-1),
      `ok: ${n} actions, ${n} sent: ${n} passed, 0 failed, 0 without expectations`,
      result.name,
    );
    for (let action = 1; action <= n; action++) {
      assert.ok(
        result.out.some((line) => line.startsWith(`PASS action ${action} `)),
        `${result.name}: no PASS line for action ${action}`,
      );
    }
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
  const result = await replay("client_1.json", ["--json"]);
  assert.equal(result.code, 0);
  const events = result.out.map((line) => JSON.parse(line));
  assert.equal(events[0].event, "login");
  assert.equal(events[0].username, "demo1");
  const sent = events.filter((e) => e.event === "sent");
  assert.deepEqual(sent.map((e) => e.action), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(sent[0].message.type, "enterOrder");
  assert.equal(sent[0].message.price, 23000);
  const received = events.filter((e) => e.event === "received");
  assert.deepEqual(
    received.map((e) => [e.sequenceNumber, e.action, e.message.type]),
    [
      [1, 1, "orderAccepted"],
      [2, 2, "orderRejected"],
      [3, 3, "orderAccepted"],
      [4, 5, "orderReplaced"],
      [5, 7, "orderCanceled"],
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
    ok: true,
  });
});

Deno.test("run() without --auto sends one action per Enter and stops on q", async () => {
  const server = await startServerProcess();
  try {
    const { out, output } = capture();
    const code = await run(
      [SEED, "--wait", "300", "--port", String(server.port)],
      output,
      { input: textInput("\n\nq\n") },
    );
    assert.equal(code, 1, "actions 3 to 7 were not sent");
    assert.equal(
      out.filter((line) => line.startsWith("next action ")).length,
      3,
    );
    assert.ok(out.includes("# 1. Order message should be successful"));
    assert.deepEqual(out.filter((line) => /^(PASS|FAIL) /.test(line)), [
      "PASS action 1    got accepted",
      "PASS action 2    got rejected:N",
      "FAIL action 3    not sent",
      "FAIL action 4    not sent",
      "FAIL action 5    not sent",
      "FAIL action 6    not sent",
      "FAIL action 7    not sent",
    ]);
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
