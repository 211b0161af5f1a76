/**
 * `ouch`: a Japannext PTS OUCH exchange simulator and client.
 *
 * The single entrypoint: subcommand `server` runs the exchange, `client` talks to it
 * (`deno task server`, `deno task client`, or `./dist/ouch server` as a binary). This is
 * the only module that reads `Deno.args` or calls `Deno.exit`.
 *
 * @module
 */
import denoJson from "./deno.json" with { type: "json" };
import { commandLine, currentStart } from "./lib/cli/invocation.ts";
import { UsageError } from "./lib/cli/usage_error.ts";

/** The program's version, from `deno.json`. */
export const VERSION: string = denoJson.version;

/** Where the program writes lines: standard output and standard error. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** A subcommand: its one-line summary and how to run it. */
interface Command {
  summary: string;
  /** `output` is `undefined` when the subcommand owns the process's console. */
  run(args: string[], output: Output | undefined): Promise<number>;
}

const COMMANDS = new Map<string, Command>([
  ["server", {
    summary:
      "run the exchange: SoupBinTCP sessions, matching, journal, web page",
    run: async (args) => (await import("./lib/entry/server.ts")).run(args),
  }],
  ["client", {
    summary: "replay a scenario file, trade at a prompt, or generate load",
    run: async (args, output) =>
      (await import("./lib/client/cli.ts")).run(args, output),
  }],
  ["engine", {
    summary: "run a matching engine on NATS JetStream (active or standing by)",
    run: async (args) =>
      (await import("./lib/entry/cluster.ts")).runEngine(args),
  }],
  ["gateway", {
    summary: "run an OUCH host on NATS JetStream, mirrored with the others",
    run: async (args) =>
      (await import("./lib/entry/cluster.ts")).runGateway(args),
  }],
  ["admin", {
    summary: "send an operator action to the engine on NATS JetStream",
    run: async (args) =>
      (await import("./lib/entry/cluster.ts")).runAdmin(args),
  }],
]);

/**
 * The top-level help text.
 *
 * @param program The command line that runs the program, e.g. `deno run -A main.ts` or
 * `./dist/ouch`.
 * @returns The text.
 *
 * @example As a compiled binary
 * ```ts
 * import { help } from "./main.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(help("./dist/ouch"), /^  \.\/dist\/ouch <command> \[flags\]$/m);
 * ```
 */
export function help(program: string): string {
  return `ouch ${VERSION}: Japannext PTS OUCH v1.12/v1.11 exchange simulator over SoupBinTCP 3.00

Usage:
  ${program} <command> [flags]
  ${program} --help | --version

Commands:
${
    [...COMMANDS].map(([name, command]) =>
      `  ${name.padEnd(8)}${command.summary}`
    ).join("\n")
  }

Run "${program} <command> --help" for a command's flags.`;
}

/** How this process was started: `main.ts` under Deno, a task, or a compiled binary. */
function start() {
  return currentStart(new URL("./main.ts", import.meta.url).href);
}

/**
 * Runs one subcommand and returns the exit code: 0 on success, 1 on an error, 2 on a usage
 * error, or the subcommand's own (130 after Ctrl-C in the client).
 *
 * @param argv The arguments after the program name.
 * @param output Where help, version and errors are written, and the subcommand's lines.
 * Without it the program owns the process's console: standard output and error, and the
 * terminal (the client's prompt, colours and progress bar, Ctrl-C).
 * @returns The exit code.
 *
 * @example Unknown commands are usage errors
 * ```ts
 * import { main } from "./main.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * const code = await main(["toString"], { out: () => {}, err: (line) => lines.push(line) });
 * assert.equal(code, 2);
 * assert.match(lines[0]!, /unknown command "toString"/);
 * ```
 */
export async function main(
  argv: string[],
  output?: Output,
): Promise<number> {
  const lines = output ?? CONSOLE;
  const [name = "", ...rest] = argv;
  if (name === "--version" || name === "-V") {
    lines.out(`ouch ${VERSION}`);
    return 0;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    lines.out(help(commandLine(start())));
    return 0;
  }
  const command = COMMANDS.get(name); // a Map, so "toString" is not a command
  try {
    if (command === undefined) {
      throw new UsageError(
        name === ""
          ? `Cannot run without a command: use one of ${
            [...COMMANDS.keys()].join(", ")
          }`
          : `Cannot run unknown command "${name}": use one of ${
            [...COMMANDS.keys()].join(", ")
          }`,
      );
    }
    return await command.run(rest, output);
  } catch (error) {
    if (error instanceof UsageError) {
      lines.err(
        `ouch: ${error.message} (see "${
          command ? commandLine(start(), name) : commandLine(start())
        } --help")`,
      );
      return 2;
    }
    lines.err(
      error instanceof Error
        ? `ouch: ${error.name}: ${error.message}`
        : String(error),
    );
    return 1;
  }
}

const CONSOLE: Output = {
  // deno-lint-ignore no-console
  out: (line: string) => console.log(line),
  // deno-lint-ignore no-console
  err: (line: string) => console.error(line),
};

if (import.meta.main) Deno.exit(await main(Deno.args));
