import assert from "node:assert/strict";
import { checkLayers, LAYERS } from "../../tools/layers.ts";

/** Writes a small project: `files` maps paths to source. */
async function project(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "ouch-layers-test-" });
  for (const [path, source] of Object.entries(files)) {
    const file = `${root}/${path}`;
    await Deno.mkdir(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(file, source);
  }
  return root;
}

Deno.test("checkLayers() passes this project", async () => {
  assert.deepEqual(
    await checkLayers(new URL("../..", import.meta.url).pathname),
    [],
  );
});

Deno.test("checkLayers() names each planted violation with its rule", async () => {
  const root = await project({
    "main.ts": 'import "./lib/entry/run.ts";\n',
    "lib/entry/run.ts":
      'import "../server/edge.ts";\nimport "../web/page.ts";\nimport "../exchange/core.ts";\n',
    // A pure layer importing an edge.
    "lib/codec/wire.ts":
      'import { edge } from "../server/edge.ts";\nexport const wire = edge;\n',
    // An edge importing another edge.
    "lib/web/page.ts":
      'import { edge } from "../server/edge.ts";\nexport const page = edge;\n',
    "lib/server/edge.ts":
      'import { core } from "../exchange/core.ts";\nexport const edge = core;\n',
    // The core importing an edge, and a lower pure layer a higher one.
    "lib/exchange/core.ts":
      'import type { page } from "../web/page.ts";\nexport const core = 1 as unknown as typeof page;\n',
    "lib/orderbook/book.ts":
      'import "../matcher/match.ts";\nexport const book = 1;\n',
    // A pure layer doing I/O, and importing outside the project; a comment is no use.
    "lib/matcher/match.ts":
      '// Deno.exit() in a comment is not a use\nimport "node:fs";\nexport const pid = Deno.pid;\nexport const at = Date.now();\n',
    // A folder in no layer.
    "lib/extra/thing.ts": "export const thing = 1;\n",
  });
  try {
    assert.deepEqual(await checkLayers(root), [
      "lib/codec/wire.ts (codec, pure) imports lib/server/edge.ts (server, edge): a lower layer imports a higher one (codec may import nothing)",
      "lib/exchange/core.ts (exchange, core) imports lib/web/page.ts (web, edge): a lower layer imports a higher one (exchange may import codec, orderbook, matcher, session, itch)",
      "lib/extra/thing.ts is in no layer: add its folder to LAYERS in tools/layers.ts",
      "lib/matcher/match.ts (matcher, pure) imports node:fs: a pure layer and the core import nothing outside the project",
      "lib/matcher/match.ts (matcher, pure) uses Deno (Deno.pid): it must stay free of I/O, clocks, timers and randomness",
      "lib/matcher/match.ts (matcher, pure) uses the clock (Date.now): it must stay free of I/O, clocks, timers and randomness",
      "lib/orderbook/book.ts (orderbook, pure) imports lib/matcher/match.ts (matcher, pure): a lower layer imports a higher one (orderbook may import nothing)",
      "lib/web/page.ts (web, edge) imports lib/server/edge.ts (server, edge): an edge reaches another edge only through the core or a shared lower module",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LAYERS lists every folder of lib/ once, lowest first", async () => {
  const folders = (await Array.fromAsync(
    Deno.readDir(new URL("../../lib", import.meta.url)),
  )).filter((entry) => entry.isDirectory).map((entry) => `lib/${entry.name}`);
  const paths = LAYERS.map((layer) => layer.path);
  assert.equal(new Set(paths).size, paths.length);
  for (const folder of folders) assert.ok(paths.includes(folder), folder);
  // A layer may import only layers listed before it.
  for (const [index, layer] of LAYERS.entries()) {
    if (layer.may === "*") continue;
    for (const name of layer.may) {
      const at = LAYERS.findIndex((other) => other.name === name);
      assert.ok(at >= 0 && at < index, `${layer.name} may import ${name}`);
    }
  }
});
