/**
 * Scenario files: the seed's JSON list of OUCH actions, read into inbound messages that are
 * known to fit on the wire, with the outbound messages each one must cause.
 *
 * @module
 */

import {
  encodeUnsequencedInto,
  type InboundMessage,
  MAX_UINT32,
  OuchEncodeError,
  PROTOCOL_VERSIONS,
  type ProtocolVersion,
  tenthsFromDecimal,
} from "../codec/mod.ts";
import { closest } from "../cli/closest.ts";
import { type Expectation, parseExpectations } from "./expectation.ts";

/** One action of a scenario: a message to send and what it must cause. */
export interface ScenarioAction {
  /** Position in the file's `actions` array, counted from 1 like `_expected_behaviour`. */
  readonly index: number;
  /** The message to send, already checked to encode under the chosen version. */
  readonly message: InboundMessage;
  /** The outbound messages it must cause (`[]`: none), or `undefined` without `expect`. */
  readonly expect: readonly Expectation[] | undefined;
  /** The `_expected_behaviour` line of the same position, if there is one. */
  readonly comment: string | undefined;
}

/** A parsed scenario file. */
export interface Scenario {
  /** The file's `_expected_behaviour` lines (`[]` without them). */
  readonly expectedBehaviour: readonly string[];
  /** Every other top-level key starting with `_`, e.g. `_server_flags`, with its value. */
  readonly notes: Readonly<Record<string, unknown>>;
  /** The actions in file order. */
  readonly actions: readonly ScenarioAction[];
}

/** Options of {@linkcode parseScenario}. */
export interface ParseScenarioOptions {
  /**
   * Protocol version the messages must encode under. Under `"1.11"` the Orderbook ID must be
   * a number (or a string holding one in canonical decimal).
   *
   * @default {"1.12"}
   */
  version?: ProtocolVersion;
}

/**
 * A scenario file was refused: it is not JSON, or some of its actions cannot be put on
 * the wire. `problems` holds one line per problem, e.g.
 * `action 2 field "price": Cannot use 4.35 as a price as it has more than one decimal place`.
 *
 * @example Usage
 * ```ts
 * import { ScenarioError } from "./scenario.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new ScenarioError(["action 1 field \"quantity\": Cannot build enterOrder as this field is missing"]);
 * assert.equal(error.name, "ScenarioError");
 * assert.ok(error instanceof SyntaxError);
 * assert.equal(error.problems.length, 1);
 * ```
 */
export class ScenarioError extends SyntaxError {
  /** Every problem found, one line each, in file order. */
  readonly problems: readonly string[];

  /**
   * Constructs a scenario error.
   *
   * @param problems One line per problem, at least one.
   * @param options The cause, if any.
   */
  constructor(problems: readonly string[], options?: ErrorOptions) {
    const count = problems.length === 1
      ? "1 problem"
      : `${problems.length} problems`;
    super(
      `Cannot read scenario as it has ${count}:\n${problems.join("\n")}`,
      options,
    );
    this.name = "ScenarioError";
    this.problems = Object.freeze([...problems]);
  }
}

type FieldKind = "uint32" | "price" | "alpha" | "orderbook";

interface FieldSpec {
  /** The key in the scenario file (the seed's snake_case name). */
  readonly key: string;
  /** The property of the codec message. */
  readonly property: string;
  readonly kind: FieldKind;
  /** Width in bytes of an Alpha field. */
  readonly width: number;
}

function field(
  key: string,
  property: string,
  kind: FieldKind,
  width = 4,
): FieldSpec {
  return { key, property, kind, width };
}

const MESSAGE_SPECS = {
  O: {
    type: "enterOrder",
    fields: [
      field("order_token", "orderToken", "uint32"),
      field("client_reference", "clientReference", "alpha", 10),
      field("buy_sell_indicator", "buySellIndicator", "alpha", 1),
      field("quantity", "quantity", "uint32"),
      field("orderbook_id", "orderbookId", "orderbook"),
      field("group", "group", "alpha", 4),
      field("price", "price", "price"),
      field("time_in_force", "timeInForce", "uint32"),
      field("firm_id", "firmId", "uint32"),
      field("display", "display", "alpha", 1),
      field("capacity", "capacity", "alpha", 1),
      field("minimum_quantity", "minimumQuantity", "uint32"),
      field("order_classification", "orderClassification", "alpha", 1),
      field("cash_margin_type", "cashMarginType", "alpha", 1),
    ],
  },
  U: {
    type: "replaceOrder",
    fields: [
      field("existing_order_token", "existingOrderToken", "uint32"),
      field("replacement_order_token", "replacementOrderToken", "uint32"),
      field("quantity", "quantity", "uint32"),
      field("price", "price", "price"),
      field("time_in_force", "timeInForce", "uint32"),
      field("display", "display", "alpha", 1),
      field("minimum_quantity", "minimumQuantity", "uint32"),
    ],
  },
  X: {
    type: "cancelOrder",
    fields: [
      field("order_token", "orderToken", "uint32"),
      field("quantity", "quantity", "uint32"),
    ],
  },
} as const satisfies Record<
  string,
  { type: InboundMessage["type"]; fields: readonly FieldSpec[] }
>;

type MessageTypeChar = keyof typeof MESSAGE_SPECS;

const EXPECTED_BEHAVIOUR = "_expected_behaviour";
const ACTIONS = "actions";
const MESSAGE_TYPE = "message_type";
const EXPECT = "expect";

/** A field's value, or the reason it cannot be used. */
type Converted = { readonly value: unknown } | { readonly problem: string };

/**
 * Reads a scenario file in the seed's JSON format.
 *
 * The top level is an object with `actions` (an array, required) and `_expected_behaviour`
 * (an array of strings, optional). Other top-level keys starting with `_` are documentation
 * and are returned in `notes`; any other key is a problem.
 *
 * Each action has `message_type` `"O"`, `"U"` or `"X"` and the seed's snake_case fields of
 * that message, all required. Keys starting with `_` are comments, `expect` lists the
 * outbound messages the action must cause (see `parseExpectations`), and any other key is
 * a problem. Integers are JSON numbers that fit a uint32. Prices are JSON numbers with at
 * most one decimal place, converted to integer tenths (`500.5` gives `5005`); a price with
 * more decimals is refused, never rounded. A numeric `orderbook_id` N becomes the code
 * `String(N)`, which the codec writes as Alpha under v1.12 and as the uint32 N under v1.11;
 * a string `orderbook_id` is taken as-is. Text fields must be printable ASCII, and their
 * right padding is removed (`"DAY "` gives `"DAY"`; the codec pads again) except in
 * one-character fields, where a space is a value (Display `" "`).
 *
 * Only what cannot be put on the wire is refused. Values an exchange must reject (side
 * `"Q"`, TIF 5, price 0, quantity 0, minimum quantity on a Day order, an unknown
 * orderbook) are accepted, so that a scenario can test the exchange's rejects. Every
 * message is also encoded with the codec under `version`, and whatever the codec refuses
 * is a problem too.
 *
 * A file with any problem is refused as a whole, with every problem listed.
 *
 * @param text The file's text.
 * @param options The protocol version the messages must encode under.
 * @returns The scenario.
 * @throws {ScenarioError} If the text is not JSON or has any problem; `problems` holds one
 * line per problem, naming the action (from 1) and field.
 * @throws {RangeError} If `options.version` is not a known protocol version.
 *
 * @example Reading a one-action scenario
 * ```ts
 * import { parseScenario } from "./scenario.ts";
 * import assert from "node:assert/strict";
 *
 * const scenario = parseScenario(JSON.stringify({
 *   _expected_behaviour: ["1. Cancel is ignored"],
 *   actions: [{ message_type: "X", order_token: 7, quantity: 0, expect: "none" }],
 * }));
 * assert.deepEqual(scenario.actions, [{
 *   index: 1,
 *   message: { type: "cancelOrder", orderToken: 7, quantity: 0 },
 *   expect: [],
 *   comment: "1. Cancel is ignored",
 * }]);
 * ```
 *
 * @example A refused file lists every problem
 * ```ts
 * import { parseScenario, ScenarioError } from "./scenario.ts";
 * import assert from "node:assert/strict";
 *
 * const text = JSON.stringify({
 *   actions: [{ message_type: "X", order_token: -1, quantiy: 0 }],
 * });
 * assert.throws(() => parseScenario(text), (error) => {
 *   assert.ok(error instanceof ScenarioError);
 *   assert.deepEqual(error.problems, [
 *     'action 1 field "order_token": Cannot use -1 as a uint32 as it is negative',
 *     'action 1 field "quantity": Cannot build cancelOrder as this field is missing',
 *     'action 1 field "quantiy": Cannot use an unknown field of message type "X" (did you mean "quantity"?)',
 *   ]);
 *   return true;
 * });
 * ```
 */
export function parseScenario(
  text: string,
  options: ParseScenarioOptions = {},
): Scenario {
  const version = options.version ?? "1.12";
  if (!PROTOCOL_VERSIONS.includes(version)) {
    throw new RangeError(
      `Cannot parse scenario as the protocol version must be one of ${
        PROTOCOL_VERSIONS.map((v) => JSON.stringify(v)).join(", ")
      }: current version is ${describeJson(version)}`,
    );
  }
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ScenarioError([
      `Cannot parse scenario as JSON: ${withPosition(error.message, text)}`,
    ], { cause: error });
  }
  if (!isObject(root)) {
    throw new ScenarioError([
      `Cannot read scenario as it must be a JSON object: got ${
        describeJson(root)
      }`,
    ]);
  }

  const problems: string[] = [];
  const notes: Record<string, unknown> = {};
  let expectedBehaviour: readonly string[] = [];
  let rawActions: readonly unknown[] = [];
  for (const [key, value] of Object.entries(root)) {
    if (key === EXPECTED_BEHAVIOUR) {
      if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
        expectedBehaviour = value;
      } else {
        problems.push(
          `field ${JSON.stringify(key)}: Cannot use ${
            describeJson(value)
          } as the expected behaviour as it must be an array of strings`,
        );
      }
    } else if (key === ACTIONS) {
      if (Array.isArray(value)) {
        rawActions = value;
      } else {
        problems.push(
          `field ${JSON.stringify(key)}: Cannot use ${
            describeJson(value)
          } as the action list as it must be a JSON array`,
        );
      }
    } else if (key.startsWith("_")) {
      // defineProperty, so that a key "__proto__" stays a plain key
      Object.defineProperty(notes, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      problems.push(
        `field ${JSON.stringify(key)}: Cannot use an unknown top-level field${
          suggest(key, [ACTIONS])
        }`,
      );
    }
  }
  if (!Object.hasOwn(root, ACTIONS)) {
    problems.push(
      `field "${ACTIONS}": Cannot read scenario as this field is missing`,
    );
  }

  const target = new Uint8Array(64);
  const actions: ScenarioAction[] = [];
  for (const [position, raw] of rawActions.entries()) {
    const index = position + 1;
    const action = readAction(raw, index, version, target, problems);
    if (action === undefined) continue;
    actions.push({
      index,
      message: action.message,
      expect: action.expect,
      comment: expectedBehaviour[position],
    });
  }

  if (problems.length > 0) throw new ScenarioError(problems);
  return Object.freeze({
    expectedBehaviour: Object.freeze([...expectedBehaviour]),
    notes: Object.freeze(notes),
    actions: Object.freeze(actions),
  });
}

/** Reads one action; pushes its problems and returns `undefined` if it has any. */
function readAction(
  raw: unknown,
  index: number,
  version: ProtocolVersion,
  target: Uint8Array,
  problems: string[],
):
  | { message: InboundMessage; expect: readonly Expectation[] | undefined }
  | undefined {
  const where = `action ${index}`;
  if (!isObject(raw)) {
    problems.push(
      `${where}: Cannot read action as it must be a JSON object: got ${
        describeJson(raw)
      }`,
    );
    return undefined;
  }
  const before = problems.length;
  const at = (key: string) => `${where} field ${JSON.stringify(key)}`;

  const typeChar = raw[MESSAGE_TYPE];
  let spec: (typeof MESSAGE_SPECS)[MessageTypeChar] | undefined;
  if (!Object.hasOwn(raw, MESSAGE_TYPE)) {
    problems.push(
      `${at(MESSAGE_TYPE)}: Cannot build a message as this field is missing`,
    );
  } else if (
    typeof typeChar === "string" && Object.hasOwn(MESSAGE_SPECS, typeChar)
  ) {
    spec = MESSAGE_SPECS[typeChar as MessageTypeChar];
  } else {
    problems.push(
      `${at(MESSAGE_TYPE)}: Cannot use ${
        describeJson(typeChar)
      } as a message type as it must be "O", "U" or "X"`,
    );
  }

  const message: Record<string, unknown> = {};
  if (spec !== undefined) {
    message.type = spec.type;
    for (const fieldSpec of spec.fields) {
      if (!Object.hasOwn(raw, fieldSpec.key)) {
        problems.push(
          `${
            at(fieldSpec.key)
          }: Cannot build ${spec.type} as this field is missing`,
        );
        continue;
      }
      const converted = convert(fieldSpec, raw[fieldSpec.key], version);
      if ("problem" in converted) {
        problems.push(`${at(fieldSpec.key)}: ${converted.problem}`);
      } else {
        message[fieldSpec.property] = converted.value;
      }
    }
    const known: string[] = spec.fields.map((f) => f.key);
    for (const key of Object.keys(raw)) {
      if (
        key === MESSAGE_TYPE || key === EXPECT || key.startsWith("_") ||
        known.includes(key)
      ) continue;
      problems.push(
        `${at(key)}: Cannot use an unknown field of message type "${typeChar}"${
          suggest(key, [...known, EXPECT])
        }`,
      );
    }
  }

  let expect: readonly Expectation[] | undefined;
  if (Object.hasOwn(raw, EXPECT)) {
    try {
      expect = Object.freeze(parseExpectations(raw[EXPECT]));
    } catch (error) {
      if (!(error instanceof TypeError || error instanceof SyntaxError)) {
        throw error;
      }
      problems.push(`${at(EXPECT)}: ${error.message}`);
    }
  }

  if (problems.length > before || spec === undefined) return undefined;
  const built = Object.freeze(message) as unknown as InboundMessage;
  try {
    encodeUnsequencedInto(built, target, 0, { version });
  } catch (error) {
    if (!(error instanceof OuchEncodeError)) throw error;
    const fieldSpec = spec.fields.find((f) => f.property === error.field);
    problems.push(
      `${
        fieldSpec === undefined ? where : at(fieldSpec.key)
      }: ${error.message}`,
    );
    return undefined;
  }
  return { message: built, expect };
}

function convert(
  spec: FieldSpec,
  value: unknown,
  version: ProtocolVersion,
): Converted {
  switch (spec.kind) {
    case "uint32":
      return convertUint32(value);
    case "price":
      return convertPrice(value);
    case "alpha":
      return convertAlpha(value, spec.width);
    case "orderbook":
      if (typeof value === "number") {
        const converted = convertUint32(value);
        if ("problem" in converted) return converted;
        // Under v1.12 the code `String(N)` must fit the 4-byte Alpha field.
        return version === "1.11"
          ? { value: String(converted.value) }
          : convertAlpha(String(converted.value), spec.width);
      }
      if (typeof value !== "string") {
        return {
          problem: `Cannot use ${
            describeJson(value)
          } as an orderbook ID as it must be a JSON number or string`,
        };
      }
      // Under v1.11 the codec checks that the text is a uint32 in canonical decimal.
      return convertAlpha(value, version === "1.11" ? Infinity : spec.width);
  }
}

function convertUint32(value: unknown): Converted {
  if (typeof value !== "number") {
    return {
      problem: `Cannot use ${
        describeJson(value)
      } as a uint32 as it must be a JSON number`,
    };
  }
  const shown = describeJson(value);
  if (value < 0) {
    return { problem: `Cannot use ${shown} as a uint32 as it is negative` };
  }
  if (!Number.isInteger(value)) {
    return {
      problem: `Cannot use ${shown} as a uint32 as it is not a whole number`,
    };
  }
  if (value > MAX_UINT32) {
    return {
      problem: `Cannot use ${shown} as a uint32 as it is above ${MAX_UINT32}`,
    };
  }
  return { value: value + 0 }; // `+ 0` turns -0 into 0
}

function convertPrice(value: unknown): Converted {
  if (typeof value !== "number") {
    return {
      problem: `Cannot use ${
        describeJson(value)
      } as a price as it must be a JSON number`,
    };
  }
  const shown = describeJson(value);
  if (value < 0) {
    return { problem: `Cannot use ${shown} as a price as it is negative` };
  }
  const price = tenthsFromDecimal(String(value), { exponent: true });
  if (!price.ok && price.reason !== "range") {
    return {
      problem:
        `Cannot use ${shown} as a price as it has more than one decimal place`,
    };
  }
  if (!price.ok) {
    return {
      problem: `Cannot use ${shown} as a price as it is above ${
        Math.floor(MAX_UINT32 / 10)
      }.${MAX_UINT32 % 10}`,
    };
  }
  const tenths = price.tenths;
  return { value: tenths };
}

function convertAlpha(value: unknown, width: number): Converted {
  const rule = width === 1
    ? "a one-character field"
    : width === Infinity
    ? "text"
    : `a ${width}-character Alpha field`;
  if (typeof value !== "string") {
    return {
      problem: `Cannot use ${
        describeJson(value)
      } as ${rule} as it must be a JSON string`,
    };
  }
  const shown = JSON.stringify(value);
  const bad = /[^\x20-\x7e]/.exec(value);
  if (bad !== null) {
    return {
      problem: `Cannot use ${shown} as ${rule} as it has ${
        JSON.stringify(bad[0])
      }, which is not printable ASCII`,
    };
  }
  const text = width === 1 ? value : value.replace(/ +$/, "");
  if (width === 1 ? text.length !== 1 : text.length > width) {
    return {
      problem:
        `Cannot use ${shown} as ${rule} as it has ${text.length} characters${
          width === 1 ? "" : " without its right padding"
        }`,
    };
  }
  return { value: text };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Shows a JSON value in a problem line: scalars as JSON, containers by kind. */
function describeJson(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") return "an object";
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

/** ` (did you mean "x"?)` for the closest candidate within two edits, else `""`. */
function suggest(key: string, candidates: readonly string[]): string {
  const best = closest(key, candidates);
  return best === undefined ? "" : ` (did you mean "${best}"?)`;
}

/**
 * Adds ` at position N (line L column C)` to a `JSON.parse` message that lacks a position,
 * as V8's "Unexpected token" messages do.
 */
function withPosition(message: string, text: string): string {
  if (/\bposition \d+/.test(message)) return message;
  let position: number | undefined;
  try {
    position = jsonErrorPosition(text);
  } catch {
    return message; // nested too deeply to scan; the message is all there is
  }
  if (position === undefined) return message;
  const before = text.slice(0, position).split("\n");
  const line = before.length;
  const column = before[line - 1]!.length + 1;
  return `${message} at position ${position} (line ${line} column ${column})`;
}

/** Offset of the first JSON syntax error in `text`, or `undefined` if it is valid. */
function jsonErrorPosition(text: string): number | undefined {
  let at = 0;
  const fail = (): never => {
    throw new JsonScanError(at);
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const literal = (word: string) => {
    for (const char of word) {
      if (text[at] !== char) fail();
      at++;
    }
  };
  const string = () => {
    at++; // opening quote
    while (true) {
      const char = text[at];
      if (char === undefined || char < " ") fail();
      if (char === '"') {
        at++;
        return;
      }
      if (char === "\\") {
        at++;
        const escape = text[at];
        if (escape === "u") {
          for (let i = 1; i <= 4; i++) {
            if (!/[0-9a-fA-F]/.test(text[at + i] ?? "")) {
              at += i;
              fail();
            }
          }
          at += 5;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) fail();
      }
      at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (match === null) fail();
    at += match![0].length;
  };
  const value = () => {
    space();
    const char = text[at];
    if (char === "{") {
      at++;
      space();
      if (text[at] === "}") {
        at++;
        return;
      }
      while (true) {
        space();
        if (text[at] !== '"') fail();
        string();
        space();
        if (text[at] !== ":") fail();
        at++;
        value();
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (text[at] !== "}") fail();
        at++;
        return;
      }
    }
    if (char === "[") {
      at++;
      space();
      if (text[at] === "]") {
        at++;
        return;
      }
      while (true) {
        value();
        space();
        if (text[at] === ",") {
          at++;
          continue;
        }
        if (text[at] !== "]") fail();
        at++;
        return;
      }
    }
    if (char === '"') return string();
    if (char === "t") return literal("true");
    if (char === "f") return literal("false");
    if (char === "n") return literal("null");
    return number();
  };
  try {
    value();
    space();
    if (at < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof JsonScanError) return error.position;
    throw error;
  }
}

class JsonScanError extends SyntaxError {
  constructor(readonly position: number) {
    super(`Cannot parse JSON at position ${position}`);
    this.name = "JsonScanError";
  }
}
