/**
 * The operator console's commands, parsed from one line of text.
 *
 * @module
 */

/** A command typed at the server's console. */
export type ConsoleCommand =
  | { readonly type: "open" }
  | { readonly type: "close" }
  | { readonly type: "halt"; readonly orderbookId: string }
  | { readonly type: "resume"; readonly orderbookId: string }
  | {
    readonly type: "ssr";
    readonly orderbookId: string;
    readonly restricted: boolean;
  }
  | { readonly type: "book"; readonly orderbookId: string | undefined }
  | { readonly type: "sessions" }
  | { readonly type: "accounts" }
  | { readonly type: "cancel"; readonly account: string }
  | { readonly type: "endday" }
  | { readonly type: "help" }
  | { readonly type: "quit" }
  | { readonly type: "empty" };

/** The console's help text. */
export const CONSOLE_HELP = `Commands:
  open           open the market: System Event S to every account
  close          close the market: cancel resting orders (reason O), then System Event E
  halt ID        halt an orderbook: new orders on it are rejected with H
  resume ID      resume a halted orderbook
  ssr ID on|off  switch an orderbook's short-sell price restriction: while on, short sells
                 at or below the last price are rejected with i
  book [ID]      show an orderbook's depth and last trades (every active one without ID)
  sessions       list connected sessions
  accounts       list accounts with their message counts and open orders
  cancel NAME    cancel every resting order of an account (reason S, supervisory)
  endday         close the market, send End of Session, start the next trading day
  help           show this help
  quit           send End of Session to everyone and stop the server`;

const NO_ARGUMENT = new Set([
  "open",
  "close",
  "sessions",
  "accounts",
  "endday",
  "help",
  "quit",
]);

/**
 * Parses one console line. Words are separated by spaces; case does not matter for the
 * command name.
 *
 * @param line The line typed.
 * @returns The command.
 * @throws {SyntaxError} With a one-line explanation when the line is not a command.
 *
 * @example Usage
 * ```ts
 * import { parseConsoleCommand } from "./console_command.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseConsoleCommand("halt 7203"), { type: "halt", orderbookId: "7203" });
 * assert.deepEqual(parseConsoleCommand("ssr 7203 on"), {
 *   type: "ssr", orderbookId: "7203", restricted: true,
 * });
 * assert.deepEqual(parseConsoleCommand("book"), { type: "book", orderbookId: undefined });
 * assert.throws(() => parseConsoleCommand("halt"), { message: /needs an orderbook/ });
 * ```
 */
export function parseConsoleCommand(line: string): ConsoleCommand {
  const [word = "", ...rest] = line.trim().split(/\s+/).filter((part) =>
    part !== ""
  );
  const name = word.toLowerCase();
  if (name === "") return { type: "empty" };
  if (name === "exit") return checkNone({ type: "quit" }, name, rest);
  if (name === "?") return checkNone({ type: "help" }, name, rest);
  if (NO_ARGUMENT.has(name)) {
    return checkNone({ type: name } as ConsoleCommand, name, rest);
  }
  switch (name) {
    case "halt":
    case "resume": {
      if (rest.length !== 1) {
        throw new SyntaxError(
          `Cannot run "${name}" as it needs an orderbook: ${name} ID`,
        );
      }
      return { type: name, orderbookId: rest[0]! };
    }
    case "ssr": {
      const state = rest[1]?.toLowerCase();
      if (rest.length !== 2 || (state !== "on" && state !== "off")) {
        throw new SyntaxError(
          `Cannot run "ssr" as it needs an orderbook and on or off: ssr ID on|off`,
        );
      }
      return { type: "ssr", orderbookId: rest[0]!, restricted: state === "on" };
    }
    case "book": {
      if (rest.length > 1) {
        throw new SyntaxError(
          `Cannot run "book" with ${rest.length} arguments: book [ID]`,
        );
      }
      return { type: "book", orderbookId: rest[0] };
    }
    case "cancel": {
      if (rest.length !== 1) {
        throw new SyntaxError(
          `Cannot run "cancel" as it needs an account: cancel NAME`,
        );
      }
      return { type: "cancel", account: rest[0]! };
    }
  }
  throw new SyntaxError(
    `Cannot run unknown command "${word}": type "help" for the list`,
  );
}

function checkNone(
  command: ConsoleCommand,
  name: string,
  rest: string[],
): ConsoleCommand {
  if (rest.length > 0) {
    throw new SyntaxError(`Cannot run "${name}" with arguments: it takes none`);
  }
  return command;
}
