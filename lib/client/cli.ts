/**
 * `ouch client`: replays a scenario file, validates one with `--dry-run`, trades at an
 * interactive prompt, or generates load.
 *
 * @module
 */
import { PROTOCOL_VERSIONS, type ProtocolVersion } from "../codec/messages.ts";
import { choiceFlag, parseFlags } from "../cli/flags.ts";
import { UsageError } from "../cli/usage_error.ts";
import { dryRun } from "./dry_run.ts";
import { parseScenario, ScenarioError } from "./scenario.ts";

/** `ouch client --help`. */
export const CLIENT_HELP = `Usage: ouch client [FILE] [flags]

Talks JNX OUCH over SoupBinTCP 3.00 to an exchange (by default "ouch server" on this machine).

  ouch client --dry-run FILE      validate a scenario file and show every packet, send nothing

Flags:
  --protocol 1.12|1.11    OUCH version: Orderbook ID as Alpha (1.12) or uint32 (1.11) (default 1.12)
  --dry-run               validate FILE and print one line per action: index, type, fields, and
                          the SoupBinTCP Unsequenced Data packet in hex; nothing is sent
  -h, --help              show this help`;

const FLAGS = {
  protocol: { type: "string" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Where the client writes: standard output and standard error, line by line. */
export interface ClientOutput {
  out(line: string): void;
  err(line: string): void;
}

const CONSOLE_OUTPUT: ClientOutput = {
  // deno-lint-ignore no-console
  out: (line) => console.log(line),
  // deno-lint-ignore no-console
  err: (line) => console.error(line),
};

/**
 * Runs `ouch client`.
 *
 * @param args The arguments after `client`.
 * @param output Where lines are written.
 * @returns The exit code: 0 on success, 1 when the scenario is refused or fails.
 * @throws {UsageError} For a bad command line.
 */
export async function run(
  args: string[],
  output: ClientOutput = CONSOLE_OUTPUT,
): Promise<number> {
  const { values, positionals } = parseFlags(args, FLAGS);
  if (values.help === true) {
    output.out(CLIENT_HELP);
    return 0;
  }
  const version = choiceFlag(
    "protocol",
    values.protocol,
    PROTOCOL_VERSIONS as [ProtocolVersion, ...ProtocolVersion[]],
  );
  if (positionals.length > 1) {
    throw new UsageError(
      `Cannot use ${positionals.length} files: give at most one scenario`,
    );
  }
  const file = positionals[0];
  if (values["dry-run"] === true) {
    if (file === undefined) {
      throw new UsageError("Cannot use --dry-run without a FILE");
    }
    const scenario = await readScenario(file, version, output);
    if (scenario === undefined) return 1;
    for (const line of dryRun(scenario, { version })) output.out(line);
    return 0;
  }
  throw new UsageError("Cannot run without --dry-run FILE yet");
}

/**
 * Reads and validates a scenario file, printing its problems one per line.
 *
 * @param path The file.
 * @param version The protocol version to check the messages against.
 * @param output Where problems are written.
 * @returns The scenario, or `undefined` when it was refused.
 * @throws {UsageError} When the file cannot be read.
 */
export async function readScenario(
  path: string,
  version: ProtocolVersion,
  output: ClientOutput,
): Promise<ReturnType<typeof parseScenario> | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read scenario "${path}": ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
  try {
    return parseScenario(text, { version });
  } catch (error) {
    if (!(error instanceof ScenarioError)) throw error;
    output.err(`${path}: refused, nothing was sent:`);
    for (const problem of error.problems) output.err(`  ${problem}`);
    return undefined;
  }
}
