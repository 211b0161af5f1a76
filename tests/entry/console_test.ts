import assert from "node:assert/strict";
import { spawnServer } from "../server/_process.ts";

Deno.test("ouch server console: cancel of an unknown account warns and cancels nothing; a known one reports its count", async () => {
  const server = await spawnServer(["--no-journal", "--display", "table"], {
    console: true,
  });
  try {
    await server.type("cancel nobody");
    await server.waitFor(/cancel: unknown account "nobody": nothing canceled/);
    assert.doesNotMatch(server.output(), /canceled 0 orders of nobody/);
    await server.type("cancel demo2");
    await server.waitFor(/canceled 0 orders of demo2 \(reason S\)/);
  } finally {
    await server.stop();
  }
});

Deno.test("ouch server: the startup line says how much disk the journal's preallocated segments take", async () => {
  const dir = await Deno.makeTempDir();
  const server = await spawnServer(["--journal", dir]);
  try {
    const line = await server.waitFor(
      /new trading day, disk \d+ MiB \(\d+ segments? of 16 MiB, one more per 16 MiB written\)/,
    );
    let segments = 0;
    for await (const entry of Deno.readDir(dir)) {
      if (entry.name.endsWith(".journal")) segments++;
    }
    assert.ok(segments >= 1);
    assert.match(
      line,
      new RegExp(`disk ${segments * 16} MiB \\(${segments} segments? of`),
    );
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
