import assert from "node:assert/strict";
import { help, main, VERSION } from "../main.ts";
import { commandLine, currentStart } from "../lib/cli/invocation.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const PROGRAM = commandLine(
  currentStart(new URL("../main.ts", import.meta.url).href),
);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    output: {
      out: (line: string) => out.push(line),
      err: (line: string) => err.push(line),
    },
  };
}

Deno.test("main() prints the version and the help", async () => {
  const version = capture();
  assert.equal(await main(["--version"], version.output), 0);
  assert.deepEqual(version.out, [`ouch ${VERSION}`]);
  const text = capture();
  assert.equal(await main(["--help"], text.output), 0);
  assert.deepEqual(text.out, [help(PROGRAM)]);
  assert.match(text.out[0]!, /server .*\n.*client/);
  assert.doesNotMatch(text.out[0]!, /\bouch </, "no made-up ouch command");
});

Deno.test("main() exits 2 with one line for a missing or unknown command", async () => {
  for (
    const [argv, message] of [
      [[], /without a command/],
      [["serve"], /unknown command "serve"/],
      [["constructor"], /unknown command "constructor"/],
    ] as const
  ) {
    const run = capture();
    assert.equal(await main([...argv], run.output), 2);
    assert.equal(run.err.length, 1);
    assert.match(run.err[0]!, message);
  }
});

Deno.test("main() exits 2 for a subcommand's usage error and 1 for a refused scenario", async () => {
  const usage = capture();
  assert.equal(await main(["client", "--dry-run"], usage.output), 2);
  assert.equal(
    usage.err[0],
    `ouch: Cannot use --dry-run without a FILE (see "${PROGRAM} client --help")`,
  );
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, "{ not json");
    const refused = capture();
    assert.equal(await main(["client", "--dry-run", file], refused.output), 1);
    assert.match(refused.err.join("\n"), /refused, nothing was sent/);
  } finally {
    await Deno.remove(file);
  }
});

/** Runs `deno ARGS` in the repository with only PATH and HOME from this environment. */
async function deno(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const inherited: Record<string, string> = { NO_COLOR: "1" };
  for (const name of ["PATH", "HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) inherited[name] = value;
  }
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    clearEnv: true,
    env: { ...inherited, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    stdout: decoder.decode(stdout),
    stderr: decoder.decode(stderr),
  };
}

Deno.test("--help shows the command line the program was started with", async () => {
  const npx = { "npm_lifecycle_event": "npx", "npm_lifecycle_script": "deno" };
  const version = Deno.version.deno;
  const cases: [string[], Record<string, string>, string][] = [
    [
      ["task", "client", "--help"],
      {},
      "Usage: deno task client [FILE] [flags]",
    ],
    [
      ["task", "client", "--help"],
      npx,
      `Usage: npx -y deno@${version} task client [FILE] [flags]`,
    ],
    [
      ["run", "-A", "main.ts", "client", "--help"],
      {},
      "Usage: deno run -A main.ts client [FILE] [flags]",
    ],
    [
      ["run", "-A", "main.ts", "--help"],
      {},
      "ouch 0.1.0: Japannext PTS OUCH v1.12/v1.11 exchange simulator over SoupBinTCP 3.00\n\nUsage:\n  deno run -A main.ts <command> [flags]",
    ],
  ];
  for (const [args, env, start] of cases) {
    const run = await deno(args, env);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(
      run.stdout.startsWith(start),
      `${args.join(" ")}:\n${run.stdout.slice(0, 300)}`,
    );
  }
  const client = await deno(["task", "client", "--help"]);
  assert.match(client.stdout, /the one "deno task server"\nstarts/);
  assert.match(client.stdout, /^ {2}deno task client FILE --auto$/m);
  const usage = await deno(["task", "client", "--bogus"]);
  assert.equal(usage.code, 2);
  assert.match(
    usage.stderr,
    /^ouch: Cannot use unknown flag --bogus \(see "deno task client --help"\)$/m,
  );
});

Deno.test("bash .ci/run --help prints its usage and installs nothing", async () => {
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args: [".ci/run", "--help"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  const text = decoder.decode(stdout);
  assert.match(text, /^Usage: bash \.ci\/run \[--help\]\n/);
  assert.doesNotMatch(text, /==>/, "no step ran");
  const bad = await new Deno.Command("bash", {
    args: [".ci/run", "--fast"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  assert.equal(decoder.decode(bad.stdout), "");
  assert.match(decoder.decode(bad.stderr), /argument "--fast": it takes none/);
});

/** Why `deno compile` cannot run here, or `undefined` when it can. */
async function compileBlocker(): Promise<string | undefined> {
  if (Deno.env.get("DENORT_BIN")) return undefined;
  try {
    await Deno.resolveDns("dl.deno.land", "A");
    return undefined;
  } catch {
    return "dl.deno.land is unreachable and DENORT_BIN is not set";
  }
}

const blocker = await compileBlocker();

Deno.test({
  name: `deno task compile builds a standalone binary with the web page inside${
    blocker === undefined ? "" : ` (ignored: ${blocker})`
  }`,
  ignore: blocker !== undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ouch-compile-" });
    try {
      const root = new URL("..", import.meta.url).pathname;
      const build = await new Deno.Command(Deno.execPath(), {
        args: [
          "compile",
          "--allow-net",
          "--allow-read",
          "--allow-write",
          "--allow-env",
          "--include",
          "lib/web/assets",
          "--output",
          `${dir}/ouch`,
          "main.ts",
        ],
        cwd: root,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(build.code, 0, new TextDecoder().decode(build.stderr));
      const version = await new Deno.Command(`${dir}/ouch`, {
        args: ["--version"],
        stdout: "piped",
      })
        .output();
      assert.equal(
        new TextDecoder().decode(version.stdout),
        `ouch ${VERSION}\n`,
      );
      const dry = await new Deno.Command(`${dir}/ouch`, {
        args: ["client", "--dry-run", `${root}test_inputs/client_1.json`],
        stdout: "piped",
      }).output();
      assert.equal(dry.code, 0);
      assert.match(
        new TextDecoder().decode(dry.stdout),
        /0031554f000000014c656e6e79/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
