/**
 * The layering check (`deno task layers`, part of `deno task ok`): reads the import graph of
 * `main.ts` and of every module under `lib/` with `deno info --json`, and fails with one
 * line per violation when a module imports what its layer may not, or when a layer that
 * must stay free of I/O uses `Deno`, the console, a clock, a timer or randomness.
 *
 * The layers, lowest first, and what each may import, are {@linkcode LAYERS}: the one place
 * they are written down. The rules:
 *
 * - a pure layer (`codec`, `orderbook`, `matcher`, `session`, `itch`) and the shared pure modules
 *   import only the layers listed for them, nothing outside the project, and no I/O;
 * - the core (`exchange`) imports only pure layers, and does no I/O;
 * - a lower layer never imports a higher one;
 * - an edge imports the core and shared lower modules, never another edge;
 * - the entry modules (`main.ts`, `lib/entry`) compose everything.
 *
 * Usage: `deno run --allow-read --allow-run --allow-write --allow-env tools/layers.ts [ROOT]`
 *
 * @module
 */

/** What a layer is: how it may be imported and whether it may do I/O. */
export type LayerKind = "pure" | "core" | "shared" | "edge" | "entry";

/** One layer: a folder of `lib/` (or `main.ts`) and what it may import. */
export interface Layer {
  /** The layer's name. */
  readonly name: string;
  /** Its folder (or file), relative to the project's root. */
  readonly path: string;
  readonly kind: LayerKind;
  /** Whether it must stay free of I/O, clocks, timers and randomness. */
  readonly pure: boolean;
  /**
   * The layers it may import besides itself; `"*"` for anything. Edges may also import
   * packages (`npm:`, `node:`); pure layers and the core may not.
   */
  readonly may: readonly string[] | "*";
}

const PURE = ["codec", "orderbook", "matcher", "session", "itch"];
const SHARED = ["accounts", "format", "render", "clock", "cli", "net"];

/** The layers, lowest first. */
export const LAYERS: readonly Layer[] = [
  { name: "codec", path: "lib/codec", kind: "pure", pure: true, may: [] },
  {
    name: "orderbook",
    path: "lib/orderbook",
    kind: "pure",
    pure: true,
    may: [],
  },
  {
    name: "matcher",
    path: "lib/matcher",
    kind: "pure",
    pure: true,
    may: ["codec", "orderbook"],
  },
  {
    name: "session",
    path: "lib/session",
    kind: "pure",
    pure: true,
    may: ["codec"],
  },
  {
    name: "itch",
    path: "lib/itch",
    kind: "pure",
    pure: true,
    may: ["codec", "matcher"],
  },
  {
    name: "accounts",
    path: "lib/accounts",
    kind: "shared",
    pure: true,
    may: [],
  },
  {
    name: "format",
    path: "lib/format",
    kind: "shared",
    pure: true,
    may: ["codec"],
  },
  // Orderbooks as text (ladders, summaries, colours, escape sequences): pure functions of
  // depth and trades shared by the edges that draw books (console, client). It sits above
  // the pure layers whose types it draws (matcher's depth) and format, and below every edge.
  {
    name: "render",
    path: "lib/render",
    kind: "shared",
    pure: true,
    may: ["matcher", "format"],
  },
  {
    name: "exchange",
    path: "lib/exchange",
    kind: "core",
    pure: true,
    may: PURE,
  },
  { name: "clock", path: "lib/clock", kind: "shared", pure: false, may: [] },
  {
    name: "cli",
    path: "lib/cli",
    kind: "shared",
    pure: false,
    may: [...PURE, "accounts", "format"],
  },
  {
    name: "net",
    path: "lib/net",
    kind: "shared",
    pure: false,
    may: [...PURE, "clock"],
  },
  ...["server", "client", "web", "console", "feeds", "nats"].map((name) => ({
    name,
    path: `lib/${name}`,
    kind: "edge" as const,
    pure: false,
    may: [...PURE, ...SHARED, "exchange"],
  })),
  { name: "entry", path: "lib/entry", kind: "entry", pure: false, may: "*" },
  { name: "main", path: "main.ts", kind: "entry", pure: false, may: "*" },
];

/** What a pure layer or the core must not use, as source patterns. */
const IMPURE: readonly [RegExp, string][] = [
  [/\bDeno\.\w+/, "Deno"],
  [/\bconsole\.\w+/, "the console"],
  [/\bDate\.now\s*\(|\bnew Date\s*\(/, "the clock"],
  [/\bperformance\.\w+/, "the clock"],
  [/\bset(?:Timeout|Interval)\s*\(/, "a timer"],
  [/\bMath\.random\s*\(/, "randomness"],
];

/** The layer of a path relative to the root, or `undefined` outside every layer. */
function layerOf(relative: string): Layer | undefined {
  return LAYERS.find((layer) =>
    relative === layer.path || relative.startsWith(`${layer.path}/`)
  );
}

function describe(relative: string, layer: Layer): string {
  return `${relative} (${layer.name}, ${layer.kind})`;
}

/** The message for a module of `from` importing one of `to`, or `undefined` if allowed. */
function judge(
  fromPath: string,
  from: Layer,
  toPath: string,
  to: Layer,
): string | undefined {
  if (from === to || from.may === "*" || from.may.includes(to.name)) {
    return undefined;
  }
  const head = `${describe(fromPath, from)} imports ${describe(toPath, to)}`;
  if (from.kind === "edge" && to.kind === "edge") {
    return `${head}: an edge reaches another edge only through the core or a shared lower module`;
  }
  const fromIndex = LAYERS.indexOf(from);
  const toIndex = LAYERS.indexOf(to);
  const allowed = from.may.length === 0 ? "nothing" : from.may.join(", ");
  if (toIndex > fromIndex) {
    return `${head}: a lower layer imports a higher one (${from.name} may import ${allowed})`;
  }
  return `${head}: ${from.name} may import ${allowed}`;
}

interface InfoModule {
  specifier: string;
  dependencies?: {
    specifier: string;
    code?: { specifier: string };
    type?: { specifier: string };
  }[];
}

/**
 * Checks a project's layering.
 *
 * @param root The project's directory (with `main.ts` and `lib/`).
 * @returns One line per violation, sorted; empty when the layering holds.
 * @throws {Error} When `deno info` fails (a module that does not resolve).
 */
export async function checkLayers(root: string): Promise<string[]> {
  const base = root.replace(/\/$/, "");
  const files = [
    ...(await exists(`${base}/main.ts`) ? [`${base}/main.ts`] : []),
    ...await sources(`${base}/lib`),
  ];
  const violations = new Set<string>();
  // Every module is a root: modules no entry reaches are checked too.
  const dir = await Deno.makeTempDir({ prefix: "ouch-layers-" });
  try {
    const entry = `${dir}/roots.ts`;
    await Deno.writeTextFile(
      entry,
      files.map((file) => `import ${JSON.stringify(toUrl(file))};`).join("\n"),
    );
    const config = `${base}/deno.json`;
    const args = ["info", "--json"];
    if (await exists(config)) args.push("--config", config);
    args.push(entry);
    const output = await new Deno.Command(Deno.execPath(), {
      args,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (!output.success) {
      throw new Error(
        `Cannot read the import graph: deno info failed: ${
          new TextDecoder().decode(output.stderr).trim()
        }`,
      );
    }
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: InfoModule[];
    };
    const prefix = toUrl(base) + "/";
    const relative = (specifier: string) =>
      specifier.startsWith(prefix) ? specifier.slice(prefix.length) : undefined;
    for (const module of info.modules) {
      const fromPath = relative(module.specifier);
      if (fromPath === undefined) continue;
      const from = layerOf(fromPath);
      if (from === undefined) {
        if (fromPath.startsWith("lib/")) {
          violations.add(
            `${fromPath} is in no layer: add its folder to LAYERS in tools/layers.ts`,
          );
        }
        continue;
      }
      for (const dependency of module.dependencies ?? []) {
        for (
          const target of [
            dependency.code?.specifier,
            dependency.type?.specifier,
          ]
        ) {
          if (target === undefined) continue;
          const toPath = relative(target);
          if (toPath === undefined) {
            if (target.startsWith("file:")) continue; // outside the project: the generated root
            if ((from.kind === "pure" || from.kind === "core") || from.pure) {
              violations.add(
                `${
                  describe(fromPath, from)
                } imports ${target}: a pure layer and the core import nothing outside the project`,
              );
            }
            continue;
          }
          if (!/\.(ts|js)$/.test(toPath)) continue; // data, such as deno.json
          const to = layerOf(toPath);
          if (to === undefined) {
            violations.add(
              `${
                describe(fromPath, from)
              } imports ${toPath}, which is in no layer`,
            );
            continue;
          }
          const message = judge(fromPath, from, toPath, to);
          if (message !== undefined) violations.add(message);
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  for (const file of files) {
    const path = file.slice(base.length + 1);
    const layer = layerOf(path);
    if (layer === undefined || !layer.pure) continue;
    const code = stripComments(await Deno.readTextFile(file));
    for (const [pattern, what] of IMPURE) {
      const match = code.match(pattern);
      if (match !== null) {
        violations.add(
          `${describe(path, layer)} uses ${what} (${
            match[0].replace(/\s*\($/, "")
          }): it must stay free of I/O, clocks, timers and randomness`,
        );
      }
    }
  }
  return [...violations].sort();
}

/** Source with comments and string contents blanked, for the pattern scan. */
function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/(^|[^:\\])\/\/.*$/gm, "$1")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, '""');
}

async function sources(directory: string): Promise<string[]> {
  if (!await exists(directory)) return [];
  const found: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory) found.push(...await sources(path));
    else if (/\.(ts|js)$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function toUrl(path: string): string {
  return new URL(`file://${path}`).href;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname;
  const violations = await checkLayers(root);
  if (violations.length === 0) {
    // deno-lint-ignore no-console
    console.log(`layers: ${LAYERS.length} layers, every import allowed`);
  } else {
    // deno-lint-ignore no-console
    console.error(
      `layers: ${violations.length} violations\n${violations.join("\n")}`,
    );
    Deno.exit(1);
  }
}
