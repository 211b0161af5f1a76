import assert from "node:assert/strict";
import {
  commandLine,
  currentStart,
  type ProgramStart,
} from "../../lib/cli/invocation.ts";

const DENO: ProgramStart = {
  execPath: "/usr/lib/node_modules/deno/deno",
  mainModule: "file:///home/me/ouch/main.ts",
  cwd: "/home/me/ouch",
  denoVersion: "2.9.6",
  env: { PATH: "/usr/bin:/bin" },
};
const NPX = { "npm_lifecycle_event": "npx", "npm_lifecycle_script": "deno" };

Deno.test("commandLine() names the deno task, with the npx prefix when npx started Deno", () => {
  const cases: [Partial<ProgramStart>, string | undefined, string][] = [
    [{ env: { OUCH_TASK: "client" } }, "client", "deno task client"],
    [{ env: { OUCH_TASK: "client" } }, "server", "deno task server"],
    [
      { env: { OUCH_TASK: "client", ...NPX } },
      "client",
      "npx -y deno@2.9.6 task client",
    ],
    [{ env: {} }, "client", "deno run -A main.ts client"],
    [{ env: {} }, undefined, "deno run -A main.ts"],
    [{ env: NPX }, undefined, "npx -y deno@2.9.6 run -A main.ts"],
    [
      { env: { npm_lifecycle_event: "npx", npm_lifecycle_script: "cowsay" } },
      undefined,
      "deno run -A main.ts",
    ],
    [{ cwd: "/home/me" }, "client", "deno run -A ./ouch/main.ts client"],
    [{ cwd: "/tmp" }, "client", "deno run -A /home/me/ouch/main.ts client"],
    [
      { cwd: "/home/me/ouchx" },
      undefined,
      "deno run -A /home/me/ouch/main.ts",
    ],
    [
      { mainModule: "file:///home/me/my%20ouch/main.ts", cwd: "/home/me" },
      undefined,
      "deno run -A ./my ouch/main.ts",
    ],
  ];
  for (const [change, subcommand, expected] of cases) {
    assert.equal(
      commandLine({ ...DENO, ...change }, subcommand),
      expected,
      JSON.stringify(change),
    );
  }
});

Deno.test("commandLine() shows a compiled binary by the path it runs from", () => {
  const cases: [Partial<ProgramStart>, string][] = [
    [{ execPath: "/home/me/ouch/dist/ouch" }, "./dist/ouch client"],
    [{ execPath: "/home/me/ouch/ouch" }, "./ouch client"],
    [{ execPath: "/usr/bin/ouch" }, "ouch client"],
    [
      { execPath: "/opt/ouch/ouch-linux-x64" },
      "/opt/ouch/ouch-linux-x64 client",
    ],
    [
      { execPath: "/home/me/ouch/dist/ouch", env: { OUCH_TASK: "client" } },
      "./dist/ouch client",
    ],
  ];
  for (const [change, expected] of cases) {
    assert.equal(
      commandLine({ ...DENO, ...change }, "client"),
      expected,
      JSON.stringify(change),
    );
  }
});

Deno.test("currentStart() reads this process: deno, main.ts and the working directory", () => {
  const main = new URL("../../main.ts", import.meta.url).href;
  const start = currentStart(main);
  assert.equal(start.execPath, Deno.execPath());
  assert.equal(start.mainModule, main);
  assert.equal(start.cwd, Deno.cwd());
  assert.equal(start.denoVersion, Deno.version.deno);
  assert.equal(start.env.PATH, Deno.env.get("PATH"));
});
