import assert from "node:assert/strict";
import { run } from "../../lib/client/cli.ts";
import { capture, openInput, textInput, waitForLine } from "./_capture.ts";
import { startServerProcess } from "./_server_process.ts";
import { spawnServer } from "../server/_process.ts";

Deno.test("run() without a FILE reads prompt commands from a pipe", async () => {
  const server = await startServerProcess();
  try {
    const { out, output } = capture();
    const commands = [
      "buy 100 1 @ 2300",
      "sell 40 1 @ 2300 ref S1",
      "buy 1 1 @ 2300.55",
      "orders",
      "replace 1 30 @ 2299.5",
      "cancel 3 10",
      "reduce 3 10",
      "cancel 4",
      "replace 9 10",
      "bogus",
      "short 5 9999 @ 1",
      "",
      "quit",
    ];
    const code = await run(
      ["--port", String(server.port), "--user", "demo2"],
      output,
      { input: textInput(commands.join("\n") + "\n") },
    );
    assert.equal(code, 0, out.join("\n"));
    const shown = out.filter((line) => !line.startsWith("logged in"));
    const kinds = shown.map((line) =>
      line.startsWith("sent")
        ? line.replace(
          /^sent +(\w) (\w+) +(orderToken|existingOrderToken)=(\d+).*/,
          "sent $1 $4",
        )
        : line.startsWith("recv")
        ? line.replace(
          /^recv seq (\d+) +(\w) .*?(?:orderToken|replacementOrderToken)=(\d+).*/,
          "recv $1 $2 $3",
        ).replace(
          /^recv seq (\d+) +S systemEvent .*eventCode=(\w)$/,
          "recv $1 S $2",
        )
        : line.includes("order#")
        ? "table"
        : line
    );
    assert.deepEqual(kinds, [
      // The day's first message, System Event S (K24), replayed at login.
      "recv 1 S S",
      "replayed 1 message: 0 orders open, highest token 0",
      'type "help" for commands, "quit" to leave',
      "sent O 1",
      "recv 2 A 1",
      "sent O 2",
      "recv 3 A 2",
      "recv 4 E 1",
      "recv 5 E 2",
      'Cannot use "2300.55" as a price: it has more than one decimal place',
      "table",
      "sent U 1",
      "replace 1: Quantity 70 sent = 30 open wanted + 40 already executed (the total of the order chain)",
      "recv 6 U 3",
      'Cannot use "10" in a cancel: a cancel removes the whole order (to keep part of it: "reduce TOKEN QTY")',
      "sent U 3",
      "reduce 3: Quantity 50 sent = 10 open wanted + 40 already executed (the total of the order chain)",
      "recv 7 U 4",
      "sent X 4",
      "recv 8 C 4",
      'Cannot replace token 9: it is not an open order of this account (type "orders")',
      'Cannot run "bogus": commands are buy, sell, short, replace, reduce, cancel, orders, help, quit (type "help")',
      "sent O 5",
      "recv 9 J 5",
    ]);
    const table = shown.find((line) => line.includes("order#"))!.split("\n");
    assert.equal(table.length, 4, "one open order");
    assert.match(table[2]!, /│ +1 │ buy +│ 1 +│ 2300\.0 │ +60 │ +40 │ day │/);
    assert.ok(
      shown.some((line) =>
        /recv seq 6 .* quantity=30 .*orderState=L /.test(line)
      ),
    );
    assert.ok(
      shown.some((line) => /recv seq 8 .* decrementQuantity=10 /.test(line)),
    );
    assert.ok(shown.some((line) => /orderRejectedReason=S /.test(line)));
  } finally {
    await server.close();
  }
});

Deno.test("run() at the prompt continues after the tokens replayed at login", async () => {
  const server = await startServerProcess();
  try {
    const first = capture();
    assert.equal(
      await run(["--port", String(server.port)], first.output, {
        input: textInput("buy 1 1 @ 1\nbuy 1 1 @ 1\nquit\n"),
      }),
      0,
    );
    const second = capture();
    assert.equal(
      await run(
        ["--port", String(server.port), "--json", "--show-replay"],
        second.output,
        { input: textInput("buy 1 1 @ 1\nquit\n") },
      ),
      0,
    );
    const events = second.out.map((line) => JSON.parse(line));
    assert.deepEqual(events.find((e) => e.event === "replayed"), {
      event: "replayed",
      messages: 5,
      openOrders: 0,
      highestToken: 2,
    });
    assert.deepEqual(
      events.filter((e) => e.event === "received").map((e) => [
        e.sequenceNumber,
        e.message.type,
        e.message.orderToken,
        e.message.orderCanceledReason,
      ]),
      [
        [1, "systemEvent", undefined, undefined],
        [2, "orderAccepted", 1, undefined],
        [3, "orderAccepted", 2, undefined],
        [4, "orderCanceled", 1, "L"],
        [5, "orderCanceled", 2, "L"],
        [6, "orderAccepted", 3, undefined],
      ],
    );
    const sent = events.find((e) => e.event === "sent");
    assert.equal(sent.message.orderToken, 3);
  } finally {
    await server.close();
  }
});

Deno.test("run() at the prompt stopped by its signal (Ctrl-C) logs out and says so", async () => {
  const server = await spawnServer(["--no-journal", "--display", "debug"]);
  try {
    const { out, output } = capture();
    const controller = new AbortController();
    // One command, then the input stays open: the signal ends the prompt.
    const running = run(
      ["--port", String(server.port)],
      output,
      { input: openInput("buy 100 7203 @ 2300\n"), signal: controller.signal },
    );
    await waitForLine(out, /^recv seq 2 +A orderAccepted/);
    controller.abort();
    assert.equal(await running, 130);
    assert.deepEqual(out.slice(-2), [
      "interrupted: logging out with 1 order open",
      "logged out",
    ]);
    await server.waitFor(/\(demo1\) closed: logout/);
  } finally {
    await server.stop();
  }
});
