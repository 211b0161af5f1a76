import assert from "node:assert/strict";
import { parseMarketDataFlags } from "../../lib/entry/market_data.ts";
import { runMain, spawnServer } from "../server/_process.ts";

Deno.test("parseMarketDataFlags() reads ports, off, --mold and its request port", () => {
  assert.deepEqual(parseMarketDataFlags({}, 15000), {
    itchPort: 15001,
    snapshotPort: 15002,
    itchLog: undefined,
    mold: null,
    moldRequestPort: null,
  });
  assert.deepEqual(
    parseMarketDataFlags({
      "itch-port": "0",
      "snapshot-port": "off",
      "itch-log": "day.itch",
      mold: "239.1.1.1:30001",
    }, 15000),
    {
      itchPort: null,
      snapshotPort: null,
      itchLog: "day.itch",
      mold: { hostname: "239.1.1.1", port: 30001 },
      moldRequestPort: 30002,
    },
  );
  assert.deepEqual(
    parseMarketDataFlags(
      { mold: "127.0.0.1:9", "mold-request-port": "off" },
      0,
    ),
    {
      itchPort: 0,
      snapshotPort: 0,
      itchLog: undefined,
      mold: { hostname: "127.0.0.1", port: 9 },
      moldRequestPort: null,
    },
  );
  // 0 turns a listener off, as the issue says; --port 0 still gives free ports.
  assert.deepEqual(
    parseMarketDataFlags(
      { "snapshot-port": "0", mold: "127.0.0.1:9", "mold-request-port": "0" },
      0,
    ),
    {
      itchPort: 0,
      snapshotPort: null,
      itchLog: undefined,
      mold: { hostname: "127.0.0.1", port: 9 },
      moldRequestPort: null,
    },
  );
});

Deno.test("ouch server --itch-port 0 turns the SoupBinTCP feed off and keeps the snapshot channel", async () => {
  const server = await spawnServer(["--no-journal", "--itch-port", "0"]);
  try {
    await server.waitFor(/itch snapshot listening on 127\.0\.0\.1:\d+/);
    assert.doesNotMatch(server.output(), /itch feed listening/);
  } finally {
    await server.stop();
  }
});

Deno.test("ouch server warns of MoldUDP64 datagrams the kernel refuses (a broadcast address) and keeps serving", async () => {
  // 127.255.255.255 is the loopback network's broadcast address: a socket without
  // SO_BROADCAST may not send to it (EACCES), from the start-of-day's first datagram on.
  const server = await spawnServer([
    "--no-journal",
    "--itch-port",
    "off",
    "--snapshot-port",
    "off",
    "--mold",
    "127.255.255.255:9",
  ]);
  try {
    await server.waitFor(
      /MoldUDP64: Cannot send a \d+-byte datagram to 127\.255\.255\.255:9: EACCES \(13\)/,
    );
    await server.waitFor(/ouch server listening on 127\.0\.0\.1:\d+/);
  } finally {
    await server.stop();
  }
});

Deno.test("parseMarketDataFlags() refuses bad values with the flag's name", () => {
  assert.throws(() => parseMarketDataFlags({ "itch-port": "x" }, 0), {
    name: "UsageError",
    message: /itch-port/,
  });
  assert.throws(() => parseMarketDataFlags({ "snapshot-port": "70000" }, 0), {
    name: "UsageError",
    message: /snapshot-port/,
  });
  assert.throws(() => parseMarketDataFlags({ mold: "nowhere" }, 0), {
    name: "UsageError",
    message: 'Cannot use --mold "nowhere" as HOST:PORT',
  });
  assert.throws(() => parseMarketDataFlags({ "mold-request-port": "5" }, 0), {
    name: "UsageError",
    message: "Cannot use --mold-request-port without --mold",
  });
});

Deno.test("ouch server refuses an ITCH port that is taken, naming the flags", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const result = await runMain([
      "server",
      "--port",
      "0",
      "--no-journal",
      "--no-http",
      "--display",
      "quiet",
      "--itch-port",
      String((taken.addr as Deno.NetAddr).port),
    ]);
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      new RegExp(
        `Cannot serve market data: the ITCH feed on 127\\.0\\.0\\.1:${
          (taken.addr as Deno.NetAddr).port
        } \\(--itch-port\\): .*\\(use --itch-port, --snapshot-port, --mold-request-port PORT, or 0 to turn one off\\)`,
      ),
    );
  } finally {
    taken.close();
  }
});

Deno.test("ouch client --itch refuses a bad flag and a refused login", async () => {
  const bad = await runMain(["client", "--itch", "--itch-port", "nope"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /itch-port/);
  const extra = await runMain(["client", "--itch", "scenario.txt"]);
  assert.notEqual(extra.code, 0);
  assert.match(extra.stderr, /Cannot use argument "scenario.txt" with --itch/);
  const server = await spawnServer(["--no-journal"]);
  try {
    const line = await server.waitFor(
      /itch snapshot listening on 127\.0\.0\.1:\d+/,
    );
    const refused = await runMain([
      "client",
      "--itch",
      "--snapshot-port",
      line.split(":").pop()!,
      "--password",
      "wrong",
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stderr,
      /Cannot log in to the snapshot channel as "demo1": rejected \(A\)/,
    );
  } finally {
    await server.stop();
  }
});
