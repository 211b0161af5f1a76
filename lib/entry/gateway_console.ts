/**
 * The operator console of `ouch gateway`: the console commands of `ouch server`, where the
 * operator's actions (open, close, halt, resume, ssr, cancel, endday) go through the command
 * stream to the engine, like `ouch admin`'s, and the questions (book, sessions, accounts) are
 * answered from what this gateway has followed of the record log.
 *
 * @module
 */
import {
  CONSOLE_HELP,
  type ConsoleCommand,
  parseConsoleCommand,
} from "../console/console_command.ts";
import type { Display } from "../console/display.ts";
import type { MarketData } from "../exchange/mod.ts";
import type { GatewayCommand, GatewayCore } from "../nats/mod.ts";
import type { OuchServer } from "../server/server.ts";
import { showBooks, showSessions } from "./server.ts";

/** The help of a gateway's console. */
export const GATEWAY_CONSOLE_HELP = `${
  CONSOLE_HELP.replace(
    "  quit           send End of Session to everyone and stop the server",
    "  quit           send End of Session to this host's sessions and stop the gateway",
  )
}
On a gateway, open, close, halt, resume, ssr, cancel and endday are sent to the engine
through the command stream (as ouch admin sends them); book, sessions and accounts answer
from this gateway's copy of the record log.`;

/** What a gateway's console command needs. */
export interface GatewayConsoleContext {
  core: GatewayCore;
  server: OuchServer;
  market: MarketData;
  /** Sends a command to the engine; resolves with its command-stream sequence once stored. */
  send(command: GatewayCommand): Promise<number>;
  /** Where the answers go. */
  display: Pick<Display, "info" | "warn">;
  /** Stops the gateway (`quit`). */
  stop(): void;
}

/**
 * The command an operator action is sent as, or `undefined` for a question.
 *
 * @param command The console command.
 * @returns The gateway command.
 *
 * @example Usage
 * ```ts
 * import { operatorCommand } from "./gateway_console.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(operatorCommand({ type: "ssr", orderbookId: "1", restricted: true }), {
 *   type: "ssr", orderbookId: "1", on: true,
 * });
 * assert.equal(operatorCommand({ type: "book", orderbookId: undefined }), undefined);
 * ```
 */
export function operatorCommand(
  command: ConsoleCommand,
): GatewayCommand | undefined {
  switch (command.type) {
    case "open":
    case "close":
      return { type: command.type };
    case "halt":
    case "resume":
      return { type: command.type, orderbookId: command.orderbookId };
    case "ssr":
      return {
        type: "ssr",
        orderbookId: command.orderbookId,
        on: command.restricted,
      };
    case "cancel":
      return { type: "cancel", account: command.account };
    case "endday":
      return { type: "endDay" };
    default:
      return undefined;
  }
}

/**
 * Runs one line typed at a gateway's console.
 *
 * @param line The line.
 * @param context The gateway.
 */
export async function runGatewayConsoleCommand(
  line: string,
  context: GatewayConsoleContext,
): Promise<void> {
  const { core, display, market } = context;
  let command: ConsoleCommand;
  try {
    command = parseConsoleCommand(line);
  } catch (error) {
    display.warn(error instanceof Error ? error.message : String(error));
    return;
  }
  const action = operatorCommand(command);
  if (action !== undefined) {
    if (
      (action.type === "halt" || action.type === "resume" ||
        action.type === "ssr") &&
      !market.orderbooks.includes(action.orderbookId)
    ) {
      display.warn(
        `Cannot ${command.type} unknown orderbook "${action.orderbookId}"`,
      );
      return;
    }
    if (
      action.type === "cancel" &&
      !core.accounts().some((a) => a.account === action.account)
    ) {
      display.warn(
        `cancel: unknown account "${action.account}": nothing sent (type "accounts" for the accounts)`,
      );
      return;
    }
    try {
      const sequence = await context.send(action);
      display.info(
        `${
          line.trim().split(/\s+/).join(" ")
        } sent to the engine (command stream sequence ${sequence})`,
      );
    } catch (error) {
      display.warn(
        `Cannot send ${command.type} to the engine: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
    return;
  }
  switch (command.type) {
    case "empty":
      return;
    case "help":
      display.info(GATEWAY_CONSOLE_HELP);
      return;
    case "quit":
      context.stop();
      return;
    case "book":
      showBooks(market, command.orderbookId, display);
      return;
    case "sessions":
      showSessions(context.server, display);
      return;
    case "accounts": {
      const accounts = core.accounts();
      display.info(
        accounts.length === 0
          ? "no accounts yet: the day has not started in the log"
          : accounts.map((a) =>
            `${a.account.padEnd(6)} ${
              a.connected ? "connected here" : "not here      "
            } messages ${a.messages}`
          ).join("\n"),
      );
      return;
    }
  }
}
