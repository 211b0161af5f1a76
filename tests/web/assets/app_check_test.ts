/**
 * `app.js` runs in the browser, so it is type-checked on its own against the DOM library
 * (checking it together with the rest of the project would mix the DOM's globals into the
 * Deno ones).
 */
import assert from "node:assert/strict";

Deno.test("app.js type-checks against the DOM library", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch_app_check_" });
  try {
    const config = `${dir}/deno.json`;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        compilerOptions: {
          lib: ["dom", "dom.iterable", "esnext"],
          checkJs: true,
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
        },
      }),
    );
    const app = new URL("../../../lib/web/assets/app.js", import.meta.url);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", "--config", config, app.pathname],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stderr) +
      new TextDecoder().decode(output.stdout);
    assert.equal(output.code, 0, text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
