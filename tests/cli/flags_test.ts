import assert from "node:assert/strict";
import { choiceFlag, integerFlag, parseFlags } from "../../lib/cli/flags.ts";

const SPEC = {
  port: { type: "string" },
  fresh: { type: "boolean" },
  user: { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const;

Deno.test("parseFlags() reads values, repeated flags, short aliases and positionals", () => {
  const { values, positionals } = parseFlags(
    [
      "--port=1",
      "--user",
      "a:b",
      "-h",
      "file.json",
      "--user",
      "c:d",
      "--fresh",
    ],
    SPEC,
  );
  assert.deepEqual({ ...values }, {
    port: "1",
    user: ["a:b", "c:d"],
    help: true,
    fresh: true,
  });
  assert.deepEqual(positionals, ["file.json"]);
});

Deno.test("parseFlags() turns parseArgs errors into one-line usage errors", () => {
  const cases: [string[], string][] = [
    [["--bogus"], "Cannot use unknown flag --bogus"],
    [["--port"], "Cannot use --port without a value"],
    [["--fresh=yes"], "Cannot give --fresh a value: it is a switch"],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseFlags(args, SPEC),
      { name: "UsageError", message },
      args.join(" "),
    );
  }
});

Deno.test("integerFlag() accepts only decimal integers in range", () => {
  const range = { min: 0, max: 65535 };
  assert.equal(integerFlag("port", "0", 1, range), 0);
  assert.equal(integerFlag("port", "65535", 1, range), 65535);
  for (const bad of ["-1", "65536", "1.5", "1e3", "", " 1", "0x10"]) {
    assert.throws(() => integerFlag("port", bad, 1, range), {
      name: "UsageError",
      message:
        `Cannot use --port as an integer from 0 to 65535: current value is "${bad}"`,
    }, bad);
  }
});

Deno.test("choiceFlag() accepts only the listed choices", () => {
  const choices = ["table", "debug", "quiet"] as const;
  assert.equal(choiceFlag("display", "debug", choices), "debug");
  assert.equal(choiceFlag("display", undefined, choices), "table");
  const cases: [string, string][] = [
    [
      "tabel",
      'Cannot use --display "tabel": did you mean --display table? Give --display as one of table, debug, quiet',
    ],
    [
      "Table",
      'Cannot use --display "Table": did you mean --display table? Give --display as one of table, debug, quiet',
    ],
    [
      "fancy",
      'Cannot use --display "fancy": give --display as one of table, debug, quiet',
    ],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => choiceFlag("display", value, choices), {
      name: "UsageError",
      message,
    }, value);
  }
});
