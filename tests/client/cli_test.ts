import assert from "node:assert/strict";
import { clientHelp, run } from "../../lib/client/cli.ts";
import { commandLine, currentStart } from "../../lib/cli/invocation.ts";
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
          args.includes("--port") ? args : [...args, "--port", port],
          capture().output,
        ),
      { name: "UsageError", message },
      args.join(" "),
    );
  }
});
