import assert from "node:assert/strict";
import { clientHelp, run } from "../../lib/client/cli.ts";
import { commandLine, currentStart } from "../../lib/cli/invocation.ts";
import {
  decodeClientPacket,
  encodeMessage,
  encodePacket,
  FrameReader,
  fromHex,
} from "../../lib/codec/mod.ts";
import { dryRun } from "../../lib/client/dry_run.ts";
import { parseScenario } from "../../lib/client/scenario.ts";
import { capture, closedPort } from "./_capture.ts";

const SEED = new URL("../../test_inputs/client_1.json", import.meta.url)
  .pathname;

Deno.test("run() --help documents every flag", async () => {
  const { out, output } = capture();
  assert.equal(await run(["--help"], output), 0);
  const start = currentStart(new URL("../../main.ts", import.meta.url).href);
  const help = clientHelp(
    commandLine(start, "client"),
    commandLine(start, "server"),
  );
  assert.deepEqual(out, [help]);
  for (
    const flag of [
      "--host",
      "--port",
      "--hosts",
      "--user",
      "--password",
      "--protocol",
      "--auto",
      "--interval",
      "--wait",
      "--json",
      "--stay",
      "--dry-run",
      "--raw-tokens",
      "--show-replay",
      "--load",
      "--sessions",
      "--users",
      "--count",
      "--duration",
      "--rate",
      "--window",
      "--mix",
      "--cross",
      "--orderbook",
      "--seed",
      "--help",
    ]
  ) {
    assert.match(help, new RegExp(`^ +(-h, )?${flag}\\b`, "m"), flag);
  }
});

Deno.test("run() --dry-run prints what dryRun() shows", async () => {
  const { out, output } = capture();
  assert.equal(await run(["--dry-run", SEED, "--protocol", "1.11"], output), 0);
  const options = { version: "1.11" } as const;
  assert.deepEqual(
    out,
    dryRun(parseScenario(await Deno.readTextFile(SEED), options), options),
  );
});

Deno.test("run() refuses bad command lines with a usage error", async () => {
  const port = String(closedPort());
  const cases: [string[], string][] = [
    [["a.json", "b.json"], "Cannot use 2 files: give at most one scenario"],
    [["--dry-run"], "Cannot use --dry-run without a FILE"],
    [["--auto"], "Cannot use --auto without a scenario FILE"],
    [["--stay"], "Cannot use --stay without a scenario FILE"],
    [[SEED, "--interval", "5"], "Cannot use --interval without --auto"],
    [["--sessions", "2"], "Cannot use --sessions without --load"],
    [["--count", "2"], "Cannot use --count without --load"],
    [
      ["--user", "a", "--user", "b"],
      "Cannot give --user or --password more than once without --load",
    ],
    [
      ["--port", "x"],
      'Cannot use --port as an integer from 1 to 65535: current value is "x"',
    ],
    [
      ["--port", "15000,0"],
      'Cannot use --port as an integer from 1 to 65535: current value is "0"',
    ],
    [
      ["--port", "15000,,15010"],
      'Cannot read --port "15000,,15010": an entry of the list is empty',
    ],
    [
      ["--port", "15000,15000"],
      "Cannot list host 127.0.0.1:15000 twice",
    ],
    [
      ["--hosts", "127.0.0.1:15000", "--port", "15010"],
      "Cannot use --hosts with --host or --port: give every host as HOST:PORT in --hosts",
    ],
    [
      ["--hosts", "127.0.0.1"],
      'Cannot read --hosts entry "127.0.0.1": it must be HOST:PORT',
    ],
    [
      ["--load", "--hosts", "127.0.0.1:15000,127.0.0.1:x"],
      'Cannot use --hosts as its ports must be integers from 1 to 65535: current value is "x"',
    ],
    [
      [SEED, "--wait", "1.5"],
      'Cannot use --wait as an integer from 0 to 3600000: current value is "1.5"',
    ],
    [
      ["--protocol", "2"],
      'Cannot use --protocol "2": give --protocol as one of 1.12, 1.11',
    ],
    [
      ["--protocol", "1.1"],
      'Cannot use --protocol "1.1": did you mean --protocol 1.12? Give --protocol as one of 1.12, 1.11',
    ],
    [["--raw-tokens"], "Cannot use --raw-tokens without a scenario FILE"],
    [["--load", "--show-replay"], "Cannot use --show-replay with --load"],
    [["--load", "--raw-tokens"], "Cannot use --raw-tokens with --load"],
    [["--bogus"], "Cannot use unknown flag --bogus"],
    [["--load", "--auto"], "Cannot use --auto with --load"],
    [["--load", SEED], `Cannot use a scenario file "${SEED}" with --load`],
    [
      ["--load", "--mix", "50:50:1"],
      'Cannot use --mix "50:50:1": give ENTER:CANCEL:REPLACE percentages that add up to 100, with ENTER above 0',
    ],
    [
      ["--load", "--count", "5", "--duration", "1"],
      "Cannot use --count with --duration",
    ],
    [
      ["--load", "--user", "a", "--user", "b", "--sessions", "3"],
      "Cannot run 3 sessions with 2 accounts: give one account per session",
    ],
    [
      [
        "--load",
        "--user",
        "a",
        "--user",
        "b",
        "--password",
        "x",
        "--password",
        "y",
        "--password",
        "z",
      ],
      "Cannot pair 2 --user with 3 --password: give one password, or one per user",
    ],
    [
      ["--load", "--cross", "101"],
      'Cannot use --cross as an integer from 0 to 100: current value is "101"',
    ],
    [
      ["--load", "--orderbook", "ABCDE"],
      'Cannot use --orderbook "ABCDE": it must be 1 to 4 characters',
    ],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(
      () =>
        run(
          args.includes("--port") || args.includes("--hosts")
            ? args
            : [...args, "--port", port],
          capture().output,
        ),
      { name: "UsageError", message },
      args.join(" "),
    );
  }
});

/**
 * A one-connection venue on 127.0.0.1 port 0: it waits for the Login Request, answers with
 * Login Accepted, writes `packets` as they are, then reads whatever the client sends until it
 * closes.
 */
function fakeVenue(packets: readonly Uint8Array[]): {
  port: number;
  /** Resolves with the client's packet types once it closed the connection. */
  done: Promise<string[]>;
} {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const done = (async () => {
    const conn = await listener.accept();
    listener.close();
    const seen: string[] = [];
    const reader = new FrameReader();
    const buffer = new Uint8Array(4096);
    let answered = false;
    try {
      for (;;) {
        const count = await conn.read(buffer);
        if (count === null) break;
        reader.push(buffer.subarray(0, count), (type, payload) => {
          seen.push(decodeClientPacket(type, payload).type);
        });
        if (!answered && seen.includes("loginRequest")) {
          answered = true;
          await writeAll(
            conn,
            encodePacket({
              type: "loginAccepted",
              session: "1689192121",
              sequenceNumber: 1,
            }),
          );
          for (const packet of packets) await writeAll(conn, packet);
        }
      }
    } finally {
      conn.close();
    }
    return seen;
  })();
  return { port, done };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

/** Standard input that gives `quit` once `ready()` holds, polled every 10 ms. */
function quitWhen(ready: () => boolean): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.enqueue(new TextEncoder().encode("quit\n"));
      controller.close();
    },
  });
}

/** The real Japannext capture (v1.11): Sequenced Data holding an Order Accepted. */
const JNX_CAPTURE = fromHex(
  (await Deno.readTextFile(
    new URL("../../test_inputs/jnx_order_accepted_v1_11.hex", import.meta.url),
  )).trim(),
);

/** After the capture: an execution whose Match Number is 2^64 - 1. */
const LARGEST_MATCH = encodePacket({
  type: "sequencedData",
  message: encodeMessage({
    type: "orderExecuted",
    timestamp: 44_659_315_808_001,
    orderToken: 74,
    executedQuantity: 100,
    executionPrice: 11_010,
    liquidityIndicator: "A",
    matchNumber: 2n ** 64n - 1n,
  }),
});

Deno.test("run() prints a real venue's 64-bit Order Number exactly and carries on", async () => {
  const venue = fakeVenue([JNX_CAPTURE, LARGEST_MATCH]);
  const { out, err, output } = capture();
  const code = await run(
    ["--port", String(venue.port), "--protocol", "1.11"],
    output,
    {
      input: quitWhen(() => out.some((line) => line.includes("matchNumber="))),
    },
  );
  assert.equal(code, 0, [...out, ...err].join("\n"));
  const received = out.filter((line) => line.startsWith("recv"));
  assert.equal(received.length, 2, out.join("\n"));
  assert.match(
    received[0]!,
    /^recv seq 1 +A orderAccepted +.* orderToken=74 clientReference=ref1 .* orderbookId=4422 .* orderNumber=202307130000000093 /,
  );
  assert.match(received[1]!, / matchNumber=18446744073709551615$/);
  assert.deepEqual(err, []);
  // The client stayed logged in until it was told to quit: it logged out itself.
  assert.equal((await venue.done).at(-1), "logoutRequest");
});

Deno.test("run() --json writes a real venue's 64-bit numbers as exact decimal strings", async () => {
  const venue = fakeVenue([JNX_CAPTURE, LARGEST_MATCH]);
  const { out, err, output } = capture();
  const code = await run(
    [
      "--port",
      String(venue.port),
      "--protocol",
      "1.11",
      "--json",
      "--show-replay",
    ],
    output,
    { input: quitWhen(() => out.some((line) => line.includes("matchNumber"))) },
  );
  assert.equal(code, 0, [...out, ...err].join("\n"));
  const received = out.filter((line) => line.includes('"event":"received"'));
  assert.equal(received.length, 2, out.join("\n"));
  assert.ok(
    received[0]!.includes('"orderNumber":"202307130000000093"'),
    received[0],
  );
  assert.ok(
    received[1]!.includes('"matchNumber":"18446744073709551615"'),
    received[1],
  );
  assert.equal(
    JSON.parse(received[0]!).message.orderNumber,
    "202307130000000093",
  );
  assert.equal((await venue.done).at(-1), "logoutRequest");
});
