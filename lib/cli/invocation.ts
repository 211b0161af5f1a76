/**
 * How the program was started, so that help and error messages show commands that run as
 * written: `deno task client`, `npx -y deno@2.9.6 task client`, `./dist/ouch client` or
 * `deno run -A main.ts client`.
 *
 * @module
 */

/**
 * The name of the environment variable the `deno.json` tasks `server` and `client` set to
 * their own name.
 */
export const TASK_ENV = "OUCH_TASK";

/** What {@linkcode commandLine} looks at; {@linkcode currentStart} reads it from the process. */
export interface ProgramStart {
  /** `Deno.execPath()`: the `deno` executable, or the compiled binary itself. */
  readonly execPath: string;
  /** The file URL of `main.ts`. */
  readonly mainModule: string;
  /** The working directory. */
  readonly cwd: string;
  /** `Deno.version.deno`, e.g. `"2.9.6"`. */
  readonly denoVersion: string;
  /**
   * The variables that tell how it was started: {@linkcode TASK_ENV} (set by the tasks),
   * `npm_lifecycle_event` and `npm_lifecycle_script` (set by `npx`) and `PATH`.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The command line that runs the program, or one of its subcommands, the way it was
 * started this time.
 *
 * - A compiled binary (an executable not named `deno`) is shown by the path it runs from:
 *   `./dist/ouch` inside the working directory, its bare name when its folder is on `PATH`,
 *   otherwise its absolute path.
 * - Under a `deno.json` task (it sets {@linkcode TASK_ENV}), a subcommand is shown as its
 *   task, which has the subcommand's name: `deno task client`, `deno task server`.
 * - Otherwise `deno run -A main.ts` with `main.ts` relative to the working directory.
 * - When `npx` started Deno (`npm_lifecycle_event` is `npx` and its script names `deno`),
 *   `deno` is written `npx -y deno@VERSION`.
 *
 * @param start How the program was started.
 * @param subcommand The subcommand to name, e.g. `"client"`; none for the program itself.
 * @returns The command line, e.g. `npx -y deno@2.9.6 task client`.
 *
 * @example Under `deno task client`, and as a compiled binary
 * ```ts
 * import { commandLine } from "./invocation.ts";
 * import assert from "node:assert/strict";
 *
 * const start = {
 *   execPath: "/usr/bin/deno",
 *   mainModule: "file:///src/ouch/main.ts",
 *   cwd: "/src/ouch",
 *   denoVersion: "2.9.6",
 *   env: { OUCH_TASK: "client" },
 * };
 * assert.equal(commandLine(start, "client"), "deno task client");
 * assert.equal(commandLine({ ...start, env: {} }, "server"), "deno run -A main.ts server");
 * assert.equal(
 *   commandLine({ ...start, execPath: "/src/ouch/dist/ouch", env: {} }, "client"),
 *   "./dist/ouch client",
 * );
 * ```
 */
export function commandLine(start: ProgramStart, subcommand?: string): string {
  const tail = subcommand === undefined ? "" : ` ${subcommand}`;
  const executable = baseName(start.execPath).replace(/\.exe$/i, "");
  if (executable !== "deno") return `${binaryPath(start)}${tail}`;
  const npx = start.env.npm_lifecycle_event === "npx" &&
    /\bdeno\b/.test(start.env.npm_lifecycle_script ?? "");
  const deno = npx ? `npx -y deno@${start.denoVersion}` : "deno";
  if (subcommand !== undefined && start.env[TASK_ENV] !== undefined) {
    return `${deno} task ${subcommand}`;
  }
  return `${deno} run -A ${
    relativePath(start.cwd, filePath(start.mainModule))
  }${tail}`;
}

/**
 * Reads how this process was started. What it may not read (no `--allow-env`, no
 * `--allow-read`) counts as absent, so it never prompts for a permission.
 *
 * @param mainModule The file URL of `main.ts`.
 * @returns The process's start.
 *
 * @example The program under test runs from `deno`
 * ```ts
 * import { commandLine, currentStart } from "./invocation.ts";
 * import assert from "node:assert/strict";
 *
 * const start = currentStart(new URL("../../main.ts", import.meta.url).href);
 * assert.equal(start.mainModule.endsWith("/main.ts"), true);
 * assert.equal(commandLine(start, "client").endsWith(" client"), true);
 * ```
 */
export function currentStart(mainModule: string): ProgramStart {
  const readable = Deno.permissions.querySync({ name: "read" }).state ===
    "granted";
  const env: Record<string, string | undefined> = {};
  for (
    const name of [
      TASK_ENV,
      "npm_lifecycle_event",
      "npm_lifecycle_script",
      "PATH",
    ]
  ) {
    if (
      Deno.permissions.querySync({ name: "env", variable: name }).state ===
        "granted"
    ) {
      env[name] = Deno.env.get(name);
    }
  }
  return {
    execPath: readable ? Deno.execPath() : "deno",
    mainModule,
    cwd: readable ? Deno.cwd() : "",
    denoVersion: Deno.version.deno,
    env,
  };
}

function binaryPath(start: ProgramStart): string {
  const path = start.execPath;
  const folder = path.slice(0, Math.max(0, lastSeparator(path)));
  const onPath = (start.env.PATH ?? "").split(/[:;]/).some((dir) =>
    dir !== "" && trimSeparators(dir) === trimSeparators(folder)
  );
  if (onPath) return baseName(path);
  const relative = relativePath(start.cwd, path);
  return relative === path ? path : relative;
}

/** `./x/y` for a path inside `cwd` (`x/y` for a file directly below it), else `path`. */
function relativePath(cwd: string, path: string): string {
  if (cwd === "") return path;
  const base = trimSeparators(cwd);
  if (!path.startsWith(base) || !/^[\\/]/.test(path.slice(base.length))) {
    return path;
  }
  const inner = path.slice(base.length + 1);
  return /[\\/]/.test(inner) || !/\.ts$/.test(inner) ? `./${inner}` : inner;
}

function filePath(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}

function lastSeparator(path: string): number {
  return Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
}

function baseName(path: string): string {
  return path.slice(lastSeparator(path) + 1);
}

function trimSeparators(path: string): string {
  return path.length > 1 ? path.replace(/[\\/]+$/, "") : path;
}
