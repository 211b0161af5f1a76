/**
 * The interactive prompt on a live connection: commands in, OUCH messages out, the open
 * orders tracked from the responses.
 *
 * @module
 */

import type { ProtocolVersion } from "../codec/mod.ts";
import type { OuchConnection } from "./connection.ts";
import type { OrderTracker } from "../exchange/order_tracker.ts";
import { formatOrdersTable } from "./orders_table.ts";
import type { Printer } from "./printer.ts";
import {
  parsePromptCommand,
  PROMPT_HELP,
  promptMessage,
  promptNote,
} from "./prompt_command.ts";

/** What the prompt needs besides the connection. */
export interface PromptOptions {
  /** The protocol version, for orderbook ids. */
  version: ProtocolVersion;
  /** The account's open orders, kept up to date by the owner of the connection. */
  orders: OrderTracker;
  /** Formats the lines. */
  printer: Printer;
  /** Writes one line (or several joined by `\n`). */
  print(line: string): void;
  /** Reads the next command line; `undefined` at the end of the input. */
  readLine(): Promise<string | undefined>;
  /** The highest token already used on this session (by a replayed scenario). @default {0} */
  usedToken?: number;
  /**
   * Called after each message sent, before the next line is read; e.g. to wait for the
   * answers when the commands come from a pipe.
   */
  afterSend?: () => Promise<void>;
  /** Ends the prompt when aborted, as Ctrl-C does; a line being read is dropped. */
  signal?: AbortSignal;
}

/**
 * Why the prompt stopped: `quit` typed, the end of the input (or Ctrl-D), the end of the
 * connection, or `interrupted` by the signal.
 */
export type PromptEnd = "quit" | "eof" | "ended" | "interrupted";

/**
 * Runs the prompt until `quit`, the end of the input, the end of the connection, or the
 * signal.
 *
 * Each line is parsed with `parsePromptCommand`; a bad command prints its one-line
 * explanation and sends nothing. Orders and replaces take the next token: one above both
 * the highest token the exchange has answered (from `orders`) and the highest used here.
 *
 * @param connection A logged-in connection.
 * @param options Version, order tracking, output and input.
 * @returns Why it stopped.
 */
export async function runPrompt(
  connection: OuchConnection,
  options: PromptOptions,
): Promise<PromptEnd> {
  const { printer, print, orders } = options;
  let usedToken = options.usedToken ?? 0;
  type Stop = { readonly stop: "ended" | "interrupted" };
  const ended = connection.done.then((): Stop => ({ stop: "ended" }));
  const signal = options.signal;
  const interrupted = new Promise<Stop>((resolve) => {
    const stop = () => resolve({ stop: "interrupted" });
    if (signal?.aborted) stop();
    signal?.addEventListener("abort", stop, { once: true });
  });
  while (true) {
    if (signal?.aborted) return "interrupted";
    const read = await Promise.race([
      options.readLine().then((line) => ({ line })),
      ended,
      interrupted,
    ]);
    if ("stop" in read) return read.stop;
    if (signal?.aborted) return "interrupted";
    const line = read.line;
    if (line === undefined) return "eof";
    let command;
    try {
      command = parsePromptCommand(line, { version: options.version });
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      print(printer.error(error.message));
      continue;
    }
    switch (command.type) {
      case "empty":
        continue;
      case "help":
        print(printer.notice(PROMPT_HELP));
        continue;
      case "orders":
        print(printer.notice(formatOrdersTable(orders.open())));
        continue;
      case "quit":
        return "quit";
      default: {
        const token = Math.max(usedToken, orders.highestToken) + 1;
        let message;
        let note;
        try {
          message = promptMessage(command, { token, orders });
          note = promptNote(command, message, orders);
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error;
          print(printer.error(error.message));
          continue;
        }
        try {
          connection.send(message);
        } catch (error) {
          print(
            printer.error(
              error instanceof Error ? error.message : String(error),
            ),
          );
          continue;
        }
        if (message.type !== "cancelOrder") usedToken = token;
        print(printer.sent(message));
        if (note !== undefined) print(printer.notice(note));
        await options.afterSend?.();
      }
    }
  }
}
