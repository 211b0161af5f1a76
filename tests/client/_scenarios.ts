/**
 * Helpers of the scenario tests: replaying `test_inputs/` files with the client against a
 * target (an `ouch server` process, or gateway + engine on NATS).
 *
 * @module
 */
import assert from "node:assert/strict";
import { run } from "../../lib/client/cli.ts";
import { capture } from "./_capture.ts";
import type { ServerProcess } from "./_server_process.ts";

/** The scenario files' directory. */
export const TEST_INPUTS = new URL("../../test_inputs/", import.meta.url);

/** Starts a fresh target with a scenario's server flags. */
export type StartTarget = (flags: readonly string[]) => Promise<ServerProcess>;

/** What replaying one file gave. */
export interface Replayed {
  name: string;
  code: number;
  out: string[];
  err: string[];
  actions: number;
}

/** Server flags that name a file, whose value a scenario gives relative to `test_inputs/`. */
const FILE_FLAGS = new Set(["--users", "--instruments"]);

export /**
 * A scenario's `_server_flags`, with the files they name made paths: the flags that only
 * a new server takes (`--users`, `--instruments`) and those a running server's console can
 * also set (`--closed`, `--halted LIST`).
 */
function serverFlags(file: { _server_flags?: string[] }): {
  start: string[];
  live: string[];
} {
  const flags = file._server_flags ?? [];
  const start: string[] = [];
  const live: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    if (FILE_FLAGS.has(flags[i]!)) {
      start.push(flags[i]!, new URL(flags[++i]!, TEST_INPUTS).pathname);
    } else {
      live.push(flags[i]!);
      if (flags[i] === "--halted") live.push(flags[++i]!);
    }
  }
  return { start, live };
}

/**
 * Replays one file against a fresh target.
 *
 * @param name The file in `test_inputs/`.
 * @param start Starts the target.
 * @param extra More client flags.
 */
export async function replay(
  name: string,
  start: StartTarget,
  extra: string[] = [],
): Promise<Replayed> {
  const path = new URL(name, TEST_INPUTS).pathname;
  const file = JSON.parse(await Deno.readTextFile(path));
  const flags = serverFlags(file);
  const server = await start([...flags.start, ...flags.live]);
  try {
    const { out, err, output } = capture();
    const code = await run(
      [
        path,
        "--auto",
        "--port",
        String(server.port),
        ...(file._client_flags ?? []),
        ...extra,
      ],
      output,
    );
    return { name, code, out, err, actions: file.actions.length };
  } finally {
    await server.close();
  }
}

export /** The scenario files of `test_inputs/`, sorted. */
async function scenarioNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(TEST_INPUTS)) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  return names.sort();
}

/**
 * Replays every file of `test_inputs/`, four at a time, each against a fresh target, and
 * asserts that every expectation passed.
 *
 * @param start Starts a target.
 */
export async function replayAll(start: StartTarget): Promise<void> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(TEST_INPUTS)) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  names.sort();
  assert.ok(names.length >= 10, `only ${names.length} scenario files`);
  for (const name of names) {
    const file = JSON.parse(
      await Deno.readTextFile(new URL(name, TEST_INPUTS)),
    );
    assert.ok(
      file.actions.every((action: object) => "expect" in action),
      `${name}: every action must carry "expect"`,
    );
  }
  // The waits are mostly idle, so a few files run at a time, each with its own server.
  const results: Replayed[] = [];
  const queue = [...names];
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      results.push(await replay(name, start));
    }
  }));
  for (const result of results.sort((a, b) => a.name.localeCompare(b.name))) {
    const failures = [
      ...result.err,
      ...result.out.filter((line) => /FAIL/.test(line)),
    ];
    assert.equal(result.code, 0, `${result.name}:\n${failures.join("\n")}`);
    const n = result.actions;
    assert.equal(
      result.out.at(-1),
      `ok: ${n} actions, ${n} sent: ${n} passed, 0 failed, 0 without expectations`,
      result.name,
    );
    for (let action = 1; action <= n; action++) {
      assert.ok(
        result.out.some((line) => line.startsWith(`PASS action ${action} `)),
        `${result.name}: no PASS line for action ${action}`,
      );
    }
  }
}
