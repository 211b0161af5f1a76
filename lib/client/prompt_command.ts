/**
 * The commands of the client's interactive prompt, parsed from one line of text, and the
 * OUCH messages they stand for.
 *
 * @module
 */

import {
  type EnterOrder,
  type InboundMessage,
  MAX_PRICE,
  MAX_UINT32,
  type ProtocolVersion,
  type ReplaceOrder,
  tenthsFromDecimal,
  TIME_IN_FORCE_DAY,
  TIME_IN_FORCE_IMMEDIATE,
} from "../codec/mod.ts";
import type { OrderTracker } from "../exchange/order_tracker.ts";

/** A new order: `buy`, `sell` or `short`. */
export interface OrderCommand {
  readonly type: "order";
  /** Buy/Sell Indicator: `B` for buy, `S` for sell, `T` for short. */
  readonly side: "B" | "S" | "T";
  readonly quantity: number;
  readonly orderbookId: string;
  /** Limit price in tenths, or `undefined` for a market order (see {@linkcode promptMessage}). */
  readonly price: number | undefined;
  /** `ioc`: Time In Force 0 instead of Day. */
  readonly immediate: boolean;
  /** `post`: Display `P` (post-only) instead of `" "`. */
  readonly postOnly: boolean;
  /** `min N`, else 0. */
  readonly minimumQuantity: number;
  /** `firm N`, else 0. */
  readonly firmId: number;
  /** `ref TEXT`, else `""`. */
  readonly clientReference: string;
}

/**
 * `replace TOKEN QTY [@ PRICE]`: QTY is the open quantity wanted. The Replace Order sent
 * carries the order chain's total (K9): QTY plus what the order has executed.
 */
export interface ReplaceCommand {
  readonly type: "replace";
  readonly token: number;
  /** The open quantity wanted. */
  readonly quantity: number;
  /** New price in tenths, or `undefined` to keep the order's price. */
  readonly price: number | undefined;
}

/** `reduce TOKEN QTY`: a replace to a smaller open quantity at the same price. */
export interface ReduceCommand {
  readonly type: "reduce";
  readonly token: number;
  /** The open quantity wanted, below the current one. */
  readonly quantity: number;
}

/** `cancel TOKEN`: the whole order (a Cancel Order's quantity is ignored, K10). */
export interface CancelCommand {
  readonly type: "cancel";
  readonly token: number;
}

/** A command of the interactive prompt. `empty` is a blank line. */
export type PromptCommand =
  | OrderCommand
  | ReplaceCommand
  | ReduceCommand
  | CancelCommand
  | { readonly type: "orders" }
  | { readonly type: "help" }
  | { readonly type: "quit" }
  | { readonly type: "empty" };

/** Options of {@linkcode parsePromptCommand}. */
export interface PromptCommandOptions {
  /**
   * Protocol version: under `"1.11"` an orderbook must be a number.
   *
   * @default {"1.12"}
   */
  version?: ProtocolVersion;
}

/** The prompt's `help` text. */
export const PROMPT_HELP = `Commands:
  buy QTY BOOK [@ PRICE] [ioc] [post] [min N] [firm N] [ref TEXT]
                           enter a buy order; without @ PRICE a market order (Immediate,
                           at the most aggressive price)
  sell ...                 enter a sell order, same options
  short ...                enter a short sell order (side T), same options
  replace TOKEN QTY [@ PRICE]
                           replace an open order: QTY is the open quantity you want, PRICE the
                           new price (default: same); the Replace Order carries the total of
                           the order chain, QTY plus what already executed, and says so
  reduce TOKEN QTY         replace an order down to QTY open, same price (keeps its priority)
  cancel TOKEN             cancel an order: all of what is open
  orders                   this account's open orders
  help                     this text
  quit                     log out and leave
Prices are decimals with at most one decimal place (2300.5). Tokens are assigned automatically.
Options: ioc = Time In Force 0 (Immediate), post = post-only (Display P), min N = minimum
quantity (Immediate orders only), firm N = Firm ID, ref TEXT = Client Reference (10 characters).`;

const COMMANDS =
  "buy, sell, short, replace, reduce, cancel, orders, help, quit";
const OPTIONS = "@ PRICE, ioc, post, min N, firm N, ref TEXT";
const SIDES = { buy: "B", sell: "S", short: "T" } as const;

/**
 * Parses one line typed at the prompt.
 *
 * Words are separated by spaces; command and option words are case-insensitive, `@2300`
 * is read as `@ 2300`. Only what cannot be put on the wire is refused (a quantity that is
 * not a uint32, a price with two decimals, an orderbook of five characters); values the
 * exchange must reject, such as quantity 0, are let through so that the prompt can show
 * the exchange's answer.
 *
 * @param line The line, without its newline.
 * @param options The protocol version.
 * @returns The command; `{ type: "empty" }` for a blank line.
 * @throws {SyntaxError} With a one-line explanation for anything else, e.g.
 * `Cannot use "2300.55" as a price: it has more than one decimal place`.
 *
 * @example Parsing an order and a cancel
 * ```ts
 * import { parsePromptCommand } from "./prompt_command.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parsePromptCommand("buy 100 7203 @ 2300.5 ioc"), {
 *   type: "order", side: "B", quantity: 100, orderbookId: "7203", price: 23005,
 *   immediate: true, postOnly: false, minimumQuantity: 0, firmId: 0, clientReference: "",
 * });
 * assert.deepEqual(parsePromptCommand("cancel 4"), { type: "cancel", token: 4 });
 * assert.throws(() => parsePromptCommand("buy 100"), SyntaxError);
 * ```
 */
export function parsePromptCommand(
  line: string,
  options: PromptCommandOptions = {},
): PromptCommand {
  const words = splitWords(line);
  const [head, ...rest] = words;
  if (head === undefined) return { type: "empty" };
  const command = head.toLowerCase();
  switch (command) {
    case "buy":
    case "sell":
    case "short":
      return parseOrder(command, rest, options.version ?? "1.12");
    case "replace":
      return parseReplace(rest);
    case "reduce":
      return parseReduce(rest);
    case "cancel":
      return parseCancel(rest);
    case "orders":
    case "help":
    case "quit":
      if (rest.length > 0) {
        throw new SyntaxError(
          `Cannot use "${command}" with arguments: type just "${command}"`,
        );
      }
      return { type: command };
    case "exit":
      if (rest.length > 0) {
        throw new SyntaxError(
          `Cannot use "exit" with arguments: type just "quit"`,
        );
      }
      return { type: "quit" };
    default:
      throw new SyntaxError(
        `Cannot run "${head}": commands are ${COMMANDS} (type "help")`,
      );
  }
}

/** Splits on spaces, and splits a leading `@` off the word it starts. */
function splitWords(line: string): string[] {
  const words: string[] = [];
  for (const word of line.trim().split(/\s+/)) {
    if (word === "") continue;
    if (word.startsWith("@") && word.length > 1) {
      words.push("@", word.slice(1));
    } else {
      words.push(word);
    }
  }
  return words;
}

function parseOrder(
  command: "buy" | "sell" | "short",
  words: string[],
  version: ProtocolVersion,
): OrderCommand {
  const [quantityText, book, ...rest] = words;
  if (quantityText === undefined || book === undefined) {
    throw new SyntaxError(
      `Cannot ${command} without a quantity and an orderbook: e.g. "${command} 100 7203 @ 2300"`,
    );
  }
  const quantity = parseWhole(quantityText, "a quantity");
  const orderbookId = parseOrderbook(book, version);
  let price: number | undefined;
  let immediate = false;
  let postOnly = false;
  let minimumQuantity: number | undefined;
  let firmId: number | undefined;
  let clientReference: string | undefined;
  const seen = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i]!;
    const option = word.toLowerCase();
    if (seen.has(option)) {
      throw new SyntaxError(`Cannot use "${option}" twice in one order`);
    }
    const value = () => {
      const next = rest[++i];
      if (next === undefined) {
        throw new SyntaxError(
          option === "@"
            ? `Cannot read a price after "@": give one, e.g. "@ 2300.5"`
            : `Cannot use "${option}" without ${
              option === "ref" ? "a text" : "a number"
            }: e.g. "${option} ${option === "ref" ? "ABC" : "100"}"`,
        );
      }
      return next;
    };
    switch (option) {
      case "@":
        price = parsePrice(value());
        break;
      case "ioc":
        immediate = true;
        break;
      case "post":
        postOnly = true;
        break;
      case "min":
        minimumQuantity = parseWhole(value(), "a minimum quantity");
        break;
      case "firm":
        firmId = parseWhole(value(), "a firm ID");
        break;
      case "ref":
        clientReference = parseReference(value());
        break;
      default:
        throw new SyntaxError(
          /^\d/.test(word) && price === undefined && !seen.has("@")
            ? `Cannot use "${word}" here: write the price after "@", e.g. "@ ${word}"`
            : `Cannot use "${word}" in an order: options are ${OPTIONS}`,
        );
    }
    seen.add(option);
  }
  return {
    type: "order",
    side: SIDES[command],
    quantity,
    orderbookId,
    price,
    immediate,
    postOnly,
    minimumQuantity: minimumQuantity ?? 0,
    firmId: firmId ?? 0,
    clientReference: clientReference ?? "",
  };
}

function parseReplace(words: string[]): ReplaceCommand {
  const [tokenText, quantityText, ...rest] = words;
  if (tokenText === undefined || quantityText === undefined) {
    throw new SyntaxError(
      `Cannot replace without a token and a quantity: e.g. "replace 3 200 @ 2301"`,
    );
  }
  const token = parseWhole(tokenText, "a token");
  const quantity = parseWhole(quantityText, "a quantity");
  if (rest.length === 0) {
    return { type: "replace", token, quantity, price: undefined };
  }
  if (rest[0] !== "@") {
    throw new SyntaxError(
      `Cannot use "${
        rest[0]
      }" in a replace: only "@ PRICE" may follow the quantity`,
    );
  }
  if (rest[1] === undefined) {
    throw new SyntaxError(
      `Cannot read a price after "@": give one, e.g. "@ 2300.5"`,
    );
  }
  if (rest.length > 2) {
    throw new SyntaxError(
      `Cannot use "${
        rest[2]
      }" in a replace: only "@ PRICE" may follow the quantity`,
    );
  }
  return { type: "replace", token, quantity, price: parsePrice(rest[1]) };
}

function parseReduce(words: string[]): ReduceCommand {
  const [tokenText, quantityText, extra] = words;
  if (tokenText === undefined || quantityText === undefined) {
    throw new SyntaxError(
      `Cannot reduce without a token and a quantity: e.g. "reduce 3 100"`,
    );
  }
  if (extra !== undefined) {
    throw new SyntaxError(
      `Cannot use "${extra}" in a reduce: it takes TOKEN and QTY (to move the price: "replace TOKEN QTY @ PRICE")`,
    );
  }
  return {
    type: "reduce",
    token: parseWhole(tokenText, "a token"),
    quantity: parseWhole(quantityText, "a quantity"),
  };
}

function parseCancel(words: string[]): CancelCommand {
  const [tokenText, extra] = words;
  if (tokenText === undefined) {
    throw new SyntaxError(`Cannot cancel without a token: e.g. "cancel 3"`);
  }
  if (extra !== undefined) {
    throw new SyntaxError(
      `Cannot use "${extra}" in a cancel: a cancel removes the whole order (to keep part of it: "reduce TOKEN QTY")`,
    );
  }
  return { type: "cancel", token: parseWhole(tokenText, "a token") };
}

function parseWhole(text: string, what: string): number {
  if (/^-\d+(\.\d*)?$/.test(text) && Number(text) !== 0) {
    throw new SyntaxError(
      `Cannot use "${text}" as ${what}: it is negative (the smallest is 0)`,
    );
  }
  if (!/^\d+$/.test(text)) {
    throw new SyntaxError(
      `Cannot use "${text}" as ${what}: it must be a whole number`,
    );
  }
  const value = Number(text);
  if (value > MAX_UINT32) {
    throw new SyntaxError(
      `Cannot use "${text}" as ${what}: it is above ${MAX_UINT32}`,
    );
  }
  return value;
}

function parsePrice(text: string): number {
  if (/^-(\d|\.\d)/.test(text)) {
    throw new SyntaxError(
      `Cannot use "${text}" as a price: it is negative (prices are above 0)`,
    );
  }
  const price = tenthsFromDecimal(text);
  if (price.ok) return price.tenths;
  switch (price.reason) {
    case "syntax":
      throw new SyntaxError(
        `Cannot use "${text}" as a price: it must be a decimal number such as 2300 or 2300.5`,
      );
    case "decimals":
      throw new SyntaxError(
        `Cannot use "${text}" as a price: it has more than one decimal place`,
      );
    case "range":
      throw new SyntaxError(
        `Cannot use "${text}" as a price: it is above ${
          Math.floor(MAX_UINT32 / 10)
        }.${MAX_UINT32 % 10}`,
      );
  }
}

function parseOrderbook(text: string, version: ProtocolVersion): string {
  if (version === "1.11") {
    if (!/^(0|[1-9]\d*)$/.test(text) || Number(text) > MAX_UINT32) {
      throw new SyntaxError(
        `Cannot use "${text}" as an orderbook under OUCH 1.11: it must be a number`,
      );
    }
    return text;
  }
  if (!/^[\x21-\x7e]{1,4}$/.test(text)) {
    throw new SyntaxError(
      `Cannot use "${text}" as an orderbook: it must be 1 to 4 characters`,
    );
  }
  return text;
}

function parseReference(text: string): string {
  if (!/^[\x21-\x7e]{1,10}$/.test(text)) {
    throw new SyntaxError(
      `Cannot use "${text}" as a client reference: it must be 1 to 10 characters`,
    );
  }
  return text;
}

/**
 * Builds the OUCH message for an order, replace, reduce or cancel command.
 *
 * An order gets group `DAY`, capacity `P`, classification `1`, cash margin type `1`, Time
 * In Force Day (99999) or 0 with `ioc`, Display `" "` or `P` with `post`. An order without
 * a price is a market order: Immediate, at `MAX_PRICE` for a buy and at 0.1 for a sell. A
 * replace or reduce keeps the order's Time In Force, Display and minimum quantity, and its
 * price unless a new one is given; its Quantity is the order chain's total (K9): the open
 * quantity wanted plus what the order has executed, as `orders` tracked it. A cancel's
 * Quantity is 0 (the exchange ignores it, K10).
 *
 * @param command An `order`, `replace`, `reduce` or `cancel` command.
 * @param context The token to use for an order or as the replacement token, and the open
 * orders of this account.
 * @returns The message to send.
 * @throws {SyntaxError} If a replace or reduce names a token that is not an open order, a
 * reduce does not reduce, or the total is above a uint32.
 *
 * @example A market buy
 * ```ts
 * import { parsePromptCommand, promptMessage, type OrderCommand } from "./prompt_command.ts";
 * import { OrderTracker } from "../exchange/order_tracker.ts";
 * import assert from "node:assert/strict";
 *
 * const command = parsePromptCommand("buy 100 7203") as OrderCommand;
 * const message = promptMessage(command, { token: 7, orders: new OrderTracker() });
 * assert.equal(message.type, "enterOrder");
 * assert.equal(message.type === "enterOrder" && message.timeInForce, 0);
 * ```
 */
export function promptMessage(
  command: OrderCommand | ReplaceCommand | ReduceCommand | CancelCommand,
  context: { token: number; orders: OrderTracker },
): InboundMessage {
  switch (command.type) {
    case "order": {
      const market = command.price === undefined;
      const order: EnterOrder = {
        type: "enterOrder",
        orderToken: context.token,
        clientReference: command.clientReference,
        buySellIndicator: command.side,
        quantity: command.quantity,
        orderbookId: command.orderbookId,
        group: "DAY",
        price: command.price ?? (command.side === "B" ? MAX_PRICE : 1),
        timeInForce: command.immediate || market
          ? TIME_IN_FORCE_IMMEDIATE
          : TIME_IN_FORCE_DAY,
        firmId: command.firmId,
        display: command.postOnly ? "P" : " ",
        capacity: "P",
        minimumQuantity: command.minimumQuantity,
        orderClassification: "1",
        cashMarginType: "1",
      };
      return order;
    }
    case "replace":
    case "reduce": {
      const order = context.orders.get(command.token);
      if (order === undefined) {
        throw new SyntaxError(
          `Cannot ${command.type} token ${command.token}: it is not an open order of this account (type "orders")`,
        );
      }
      if (
        command.type === "reduce" && command.quantity >= order.openQuantity
      ) {
        throw new SyntaxError(
          `Cannot reduce token ${command.token} to ${command.quantity}: its open quantity is ${order.openQuantity} (to enlarge it: "replace TOKEN QTY")`,
        );
      }
      const total = command.quantity + order.executedQuantity;
      if (total > MAX_UINT32) {
        throw new SyntaxError(
          `Cannot ${command.type} token ${command.token} to ${command.quantity} open: with the ${order.executedQuantity} executed the total is above ${MAX_UINT32}`,
        );
      }
      const replace: ReplaceOrder = {
        type: "replaceOrder",
        existingOrderToken: command.token,
        replacementOrderToken: context.token,
        quantity: total,
        price: command.type === "replace"
          ? command.price ?? order.price
          : order.price,
        timeInForce: order.timeInForce,
        display: order.display,
        minimumQuantity: order.minimumQuantity,
      };
      return replace;
    }
    case "cancel":
      return { type: "cancelOrder", orderToken: command.token, quantity: 0 };
  }
}

/**
 * The line the prompt prints after sending a replace or reduce: the total it sent and how
 * it was made, since a Replace Order's Quantity is the order chain's total (K9).
 *
 * @param command The command sent.
 * @param message The message {@linkcode promptMessage} made of it.
 * @param orders The open orders as they were when it was made.
 * @returns The line, or `undefined` for other commands.
 *
 * @example 60 open wanted after 40 executed
 * ```ts
 * import { parsePromptCommand, promptMessage, promptNote } from "./prompt_command.ts";
 * import { OrderTracker } from "../exchange/order_tracker.ts";
 * import assert from "node:assert/strict";
 *
 * const orders = new OrderTracker();
 * orders.update({
 *   type: "orderAccepted", timestamp: 0, orderToken: 1, clientReference: "", buySellIndicator: "B",
 *   quantity: 100, orderbookId: "1", group: "DAY", price: 23000, timeInForce: 99999, firmId: 0,
 *   display: " ", capacity: "P", orderNumber: 202611280000000001n, minimumQuantity: 0,
 *   orderState: "L", orderClassification: "1", cashMarginType: "1",
 * });
 * orders.update({
 *   type: "orderExecuted", timestamp: 0, orderToken: 1, executedQuantity: 40,
 *   executionPrice: 23000, liquidityIndicator: "A", matchNumber: 202611280000000001n,
 * });
 * const command = parsePromptCommand("replace 1 60");
 * assert.ok(command.type === "replace");
 * const message = promptMessage(command, { token: 2, orders });
 * assert.equal(message.type === "replaceOrder" && message.quantity, 100);
 * assert.equal(
 *   promptNote(command, message, orders),
 *   "replace 1: Quantity 100 sent = 60 open wanted + 40 already executed (the total of the order chain)",
 * );
 * ```
 */
export function promptNote(
  command: PromptCommand,
  message: InboundMessage,
  orders: OrderTracker,
): string | undefined {
  if (
    (command.type !== "replace" && command.type !== "reduce") ||
    message.type !== "replaceOrder"
  ) {
    return undefined;
  }
  const executed = orders.get(command.token)?.executedQuantity ?? 0;
  return `${command.type} ${command.token}: Quantity ${message.quantity} sent = ${command.quantity} open wanted + ${executed} already executed (the total of the order chain)`;
}
