/**
 * The `deno bench` files build their data at load time and check it (the ITCH bench's day
 * must leave orders on the books): loading them without running a benchmark catches a
 * bench whose data the engine has come to reject, which nothing else in the suite runs.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;

for (const file of ["bench/itch_bench.ts", "bench/codec_bench.ts"]) {
  Deno.test(`${file} loads and its data passes its own checks`, async () => {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bench",
        "--allow-read",
        "--no-check",
        "--filter",
        "^no benchmark has this name$",
        file,
      ],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  });
}
