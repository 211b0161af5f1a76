import assert from "node:assert/strict";
import type { OuchServer } from "../../lib/server/server.ts";
import { spawnServer } from "../server/_process.ts";
import { enter, TestClient } from "../server/_harness.ts";
import { decode, SoupBinReader, splitSoupBinFile } from "./_itch_decoder.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function at(port: number): OuchServer {
  return { address: { port } } as unknown as OuchServer;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const hex = (m: Uint8Array) =>
  [...m].map((b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("ouch client --itch joins by snapshot, survives a kill -9 and restart of the server by resuming by sequence number, records the feed and verifies its books against a fresh snapshot", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-itch-client-" });
  const itchPort = freePort();
  const snapshotPort = freePort();
  const flags = [
    "--journal",
    `${dir}/journal`,
    "--itch-port",
    String(itchPort),
    "--snapshot-port",
    String(snapshotPort),
  ];
  let server = await spawnServer(flags);
  const clients: TestClient[] = [];
  let client: Deno.ChildProcess | undefined;
  try {
    await server.waitFor(/itch snapshot listening/);
    const alice = await TestClient.connect(at(server.port));
    clients.push(alice);
    await alice.login("demo1", "demo", 1);
    await alice.send(
      ...Array.from(
        { length: 5 },
        (_, i) => enter(i + 1, { orderbookId: "1", price: 1000 + i }),
      ),
    );
    await alice.messages(6);
    client = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "client",
        "--itch",
        "--itch-port",
        String(itchPort),
        "--snapshot-port",
        String(snapshotPort),
        "--json",
        "--duration",
        "6",
        "--verify",
        "--record",
        `${dir}/record.bin`,
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const output = client.output();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await alice.send(
      ...Array.from({ length: 5 }, (_, i) =>
        enter(i + 6, {
          orderbookId: "1",
          price: 2000 + i,
          buySellIndicator: "S",
        })),
    );
    await alice.messages(11);
    await alice.close();
    clients.length = 0;
    await server.stop("SIGKILL");
    server = await spawnServer(flags);
    await server.waitFor(/itch snapshot listening/);
    const bob = await TestClient.connect(at(server.port));
    clients.push(bob);
    await bob.login("demo2", "demo", 1);
    await bob.send(
      ...Array.from(
        { length: 5 },
        (_, i) => enter(i + 1, { orderbookId: "2", price: 3000 + i }),
      ),
    );
    await bob.messages(6);
    const { code, stdout, stderr } = await output;
    client = undefined;
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    assert.match(
      err,
      /verify: ok, the rebuilt books equal a fresh snapshot at sequence \d+/,
    );
    const lines = new TextDecoder().decode(stdout).trim().split("\n").map((
      line,
    ) => JSON.parse(line));
    // Every order added on the feed, before and after the restart, once: the snapshot's 5 (no
    // sequence number) and 10 from the live feed.
    const added = lines.filter((m) =>
      m.type === "orderAdded" && m.orderNumber !== "0"
    );
    assert.deepEqual(
      added.map((m) => [m.sequence === null, m.orderbookId, m.price]),
      [
        // The snapshot sends the bids best first.
        ...[4, 3, 2, 1, 0].map((i) => [true, "1", 1000 + i]),
        ...[0, 1, 2, 3, 4].map((i) => [false, "1", 2000 + i]),
        ...[0, 1, 2, 3, 4].map((i) => [false, "2", 3000 + i]),
      ],
    );
    const live = lines.filter((m) => m.sequence !== null).map((m) =>
      m.sequence
    );
    assert.deepEqual(
      live,
      live.map((_, i) => live[0] + i),
      "no gap, no duplicate",
    );
    // The record: the snapshot, then the feed from G + 1 as the server has it.
    const recorded = splitSoupBinFile(await Deno.readFile(`${dir}/record.bin`));
    recorded.forEach((m) => decode(m));
    const g = recorded.findIndex((m) => m[0] === 0x47);
    const sequence = Number(decode(recorded[g]!).sequenceNumber);
    assert.equal(live[0], sequence + 1);
    const reader = await SoupBinReader.open(
      itchPort,
      "demo3",
      "demo",
      sequence + 1,
    );
    await reader.until(
      () => reader.read.messages.length >= recorded.length - g - 1,
      "the feed",
    );
    await reader.close();
    assert.deepEqual(
      recorded.slice(g + 1).map(hex),
      reader.read.messages.slice(0, recorded.length - g - 1).map(hex),
    );
  } finally {
    if (client !== undefined) {
      try {
        client.kill("SIGKILL");
      } catch {
        // gone
      }
      await client.output();
    }
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ouch client --itch on a terminal redraws the server's ladders in place every second; on a pipe it prints a line per book", async () => {
  const { run } = await import("../../lib/client/cli.ts");
  const server = await spawnServer(["--no-journal"]);
  const clients: TestClient[] = [];
  try {
    const feed = await server.waitFor(/itch feed listening on .*:\d+/);
    const line = await server.waitFor(/itch snapshot listening on .*:\d+/);
    const port = line.split(":").pop()!;
    // Known orders on orderbook 1: bids of 300 @ 100.0 and 100 @ 99.0, an ask of 200 @ 101.0.
    const alice = await TestClient.connect(at(server.port));
    clients.push(alice);
    await alice.login("demo1", "demo", 1);
    await alice.send(
      enter(1, { orderbookId: "1", price: 1000, quantity: 300 }),
      enter(2, { orderbookId: "1", price: 990, quantity: 100 }),
      enter(3, {
        orderbookId: "1",
        price: 1010,
        quantity: 200,
        buySellIndicator: "S",
      }),
    );
    await alice.messages(4);
    const drawn: string[] = [];
    const lines: string[] = [];
    const output = { out: (l: string) => lines.push(l), err: () => {} };
    const args = [
      "--itch",
      "--itch-port",
      feed.split(":").pop()!,
      "--snapshot-port",
      port,
      "--duration",
      "3",
    ];
    const running = run(args, output, {
      write: (text) => drawn.push(text),
      size: () => ({ columns: 100, rows: 12 }),
    });
    // A trade after the client joined (the snapshot carries orders, not trades): another
    // account buys 50 of the ask.
    const started = Date.now();
    while (drawn.length === 0 && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const bob = await TestClient.connect(at(server.port));
    clients.push(bob);
    await bob.login("demo2", "demo", 1);
    await bob.send(enter(1, { orderbookId: "1", price: 1010, quantity: 50 }));
    await bob.messages(3);
    assert.equal(await running, 0);
    // Drawn at once, then every second, then a line break before the final lines.
    assert.ok(drawn.length >= 3, String(drawn.length));
    assert.equal(drawn.at(-1), "\n");
    assert.ok(drawn[0]!.includes("\n1  last -\x1b[K\n"), drawn[0]);
    const screen = drawn.at(-2)!;
    assert.ok(screen.startsWith("\x1b[1;1H"), JSON.stringify(screen));
    assert.ok(screen.endsWith("\x1b[K\x1b[J"), JSON.stringify(screen));
    const rows = screen.slice(6, -6).split("\x1b[K\n");
    assert.equal(rows.length, 12);
    assert.match(
      rows[0]!,
      /^OPEN {2}system Q {2}SoupBinTCP {2}next \d+ {2}\d+ msg\/s {2}3 orders$/,
    );
    assert.equal(rows[1], "");
    assert.match(rows[2]!, /^1 {2}last 50 @ 101\.0 \d\d:\d\d:\d\d\.\d{3}$/);
    assert.deepEqual(rows.slice(3, 6), [
      "Orders  Quantity      Bid |     Ask  Quantity  Orders",
      "     1       300    100.0 |   101.0       150       1",
      "     1       100     99.0 |",
    ]);
    assert.match(
      rows[11]!,
      /^joined by snapshot at sequence \d+; Ctrl-C to stop$/,
    );
    assert.ok(!screen.includes("\x1b[3"), "no colour without io.color");
    // Only the final books (one line per book) and the end line went to the output.
    assert.equal(lines.filter((l) => l.startsWith("ITCH feed at")).length, 1);
    assert.ok(
      lines.includes(
        "1    trading  bid 300@100.0 100@99.0 | ask 150@101.0  last 50@101.0 (1 trades)",
      ),
      lines.join("\n"),
    );
    const piped: string[] = [];
    assert.equal(
      await run(
        [...args.slice(0, -1), "2"],
        { out: (l) => piped.push(l), err: () => {} },
        {},
      ),
      0,
    );
    assert.ok(piped.filter((l) => l.startsWith("ITCH feed at")).length >= 2);
    assert.ok(piped.every((l) => !l.includes("\x1b[")));
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
});

Deno.test("ouch client --itch --verify at the end of the day: End of Session, every rebuilt book empty after the close (the snapshot channel already serves the next day)", async () => {
  const server = await spawnServer(["--no-journal"], { console: true });
  const clients: TestClient[] = [];
  try {
    const feed = await server.waitFor(/itch feed listening on .*:\d+/);
    const snapshot = await server.waitFor(/itch snapshot listening on .*:\d+/);
    const alice = await TestClient.connect(at(server.port));
    clients.push(alice);
    await alice.login("demo1", "demo", 1);
    await alice.send(
      enter(1, { orderbookId: "1", price: 1000 }),
      enter(2, { orderbookId: "1", price: 1001 }),
    );
    await alice.messages(3);
    const client = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "client",
        "--itch",
        "--itch-port",
        feed.split(":").pop()!,
        "--snapshot-port",
        snapshot.split(":").pop()!,
        "--verify",
      ],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const output = client.output();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await server.type("endday");
    const { code, stdout, stderr } = await output;
    const out = new TextDecoder().decode(stdout);
    assert.equal(code, 0, out + new TextDecoder().decode(stderr));
    assert.match(
      out,
      /joined by snapshot at sequence \d+: 8 orderbooks, 2 orders/,
    );
    assert.match(out, /End of Session at sequence \d+/);
    assert.match(
      out,
      /verify: ok, the day ended \(End of Session\) with every rebuilt book empty, as the close leaves it \(the snapshot channel now serves session \d+\)/,
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  }
});
