import assert from "node:assert/strict";
import { HELP, main, VERSION } from "../main.ts";

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
  const help = capture();
  assert.equal(await main(["--help"], help.output), 0);
  assert.deepEqual(help.out, [HELP]);
  assert.match(HELP, /server .*\n.*client/);
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
  assert.match(
    usage.err[0]!,
    /--dry-run without a FILE.*see "ouch client --help"/,
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
