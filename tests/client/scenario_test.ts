import { SEED_ORDER } from "../_fixtures.ts";
import assert from "node:assert/strict";
import {
  parseScenario,
  type Scenario,
  ScenarioError,
} from "../../lib/client/scenario.ts";
import {
  describeExpectation,
  type Expectation,
} from "../../lib/client/expectation.ts";

const TEST_INPUTS = new URL("../../test_inputs/", import.meta.url);

function readInput(name: string): string {
  return Deno.readTextFileSync(new URL(name, TEST_INPUTS));
}

/** The seed's Enter Order fields (spec §9), as a scenario action. */
const ORDER = {
  "message_type": "O",
  "order_token": 1,
  "client_reference": "Lenny     ",
  "buy_sell_indicator": "B",
  quantity: 100,
  "orderbook_id": 1,
  group: "DAY ",
  price: 2300,
  "time_in_force": 99999,
  "firm_id": 0,
  display: " ",
  capacity: "P",
  "minimum_quantity": 0,
  "order_classification": "1",
  "cash_margin_type": "1",
};

function scenarioOf(...actions: unknown[]): string {
  return JSON.stringify({ actions });
}

/** The first message of a one-action scenario. */
function parseOne(action: unknown, version?: "1.12" | "1.11") {
  const scenario = parseScenario(
    scenarioOf(action),
    version === undefined ? {} : { version },
  );
  return scenario.actions[0]!.message;
}

/** The problem lines of a refused text. */
function problemsOf(text: string, version?: "1.12" | "1.11"): string[] {
  try {
    parseScenario(text, version === undefined ? {} : { version });
  } catch (error) {
    assert.ok(error instanceof ScenarioError, String(error));
    return [...error.problems];
  }
  assert.fail("parseScenario() accepted the scenario");
}

/** The problem lines of a one-action scenario whose action is `ORDER` changed by `patch`. */
function orderProblems(
  patch: Record<string, unknown>,
  version?: "1.12" | "1.11",
): string[] {
  return problemsOf(scenarioOf({ ...ORDER, ...patch }), version);
}

Deno.test("parseScenario() reads the seed file to exact messages", () => {
  const scenario = parseScenario(readInput("client_1.json"));
  const order2 = {
    ...SEED_ORDER,
    orderToken: 2,
    quantity: 200,
    orderbookId: "2",
    price: 5005,
    minimumQuantity: 100,
  };
  assert.deepEqual(scenario.actions.map((action) => action.message), [
    SEED_ORDER,
    order2,
    { ...order2, orderToken: 3, minimumQuantity: 0 },
    {
      ...SEED_ORDER,
      buySellIndicator: "S",
      quantity: 500,
      orderbookId: "3",
      price: 12035,
    },
    {
      type: "replaceOrder",
      existingOrderToken: 1,
      replacementOrderToken: 5,
      quantity: 115,
      price: 23000,
      timeInForce: 99999,
      display: "P",
      minimumQuantity: 0,
    },
    { type: "cancelOrder", orderToken: 1, quantity: 0 },
    { type: "cancelOrder", orderToken: 5, quantity: 0 },
  ]);
  assert.deepEqual(scenario.actions.map((action) => action.index), [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
  ]);
  assert.deepEqual(
    scenario.actions.map((action) => action.expect?.map(describeExpectation)),
    [
      ["accepted"],
      ["rejected:N"],
      ["accepted"],
      [],
      ["replaced"],
      [],
      ["canceled:U"],
    ],
  );
  assert.equal(scenario.expectedBehaviour.length, 7);
  assert.equal(
    scenario.actions[1]!.comment,
    "2. Order message should fail due to invalid minimum quantity",
  );
  assert.deepEqual(scenario.notes, {});
});

Deno.test("parseScenario() reads the seed file the same under v1.11", () => {
  const v112 = parseScenario(readInput("client_1.json"));
  const v111 = parseScenario(readInput("client_1.json"), { version: "1.11" });
  assert.deepEqual(v111, v112);
});

Deno.test("parseScenario() reads actions without expect as undefined", () => {
  const file = JSON.parse(readInput("client_1.json"));
  for (const action of file.actions) delete action.expect;
  const seed = parseScenario(JSON.stringify(file));
  assert.deepEqual(seed.actions[0]!.message, SEED_ORDER);
  assert.ok(seed.actions.every((action) => action.expect === undefined));
});

Deno.test("parseScenario() converts prices to integer tenths", () => {
  const price = (value: number) => {
    const message = parseOne({ ...ORDER, price: value });
    assert.equal(message.type, "enterOrder");
    return message.price;
  };
  assert.equal(price(2300), 23000);
  assert.equal(price(500.5), 5005);
  assert.equal(price(0.1), 1);
  assert.equal(price(0), 0);
  assert.equal(price(1203.5), 12035);
  assert.equal(price(214748364.6), 2_147_483_646);
  assert.equal(price(214748364.7), 2_147_483_647);
  assert.equal(price(429496729.5), 0xffffffff);
  assert.equal(price(4.3), 43);
  assert.equal(price(1e3), 10000);
});

Deno.test("parseScenario() refuses a price with two decimals", () => {
  assert.deepEqual(orderProblems({ price: 4.35 }), [
    'action 1 field "price": Cannot use 4.35 as a price as it has more than one decimal place',
  ]);
  assert.deepEqual(orderProblems({ price: 500.05 }), [
    'action 1 field "price": Cannot use 500.05 as a price as it has more than one decimal place',
  ]);
});

Deno.test("parseScenario() refuses a tiny price written with an exponent", () => {
  assert.deepEqual(orderProblems({ price: 1.5e-7 }), [
    'action 1 field "price": Cannot use 1.5e-7 as a price as it has more than one decimal place',
  ]);
});

Deno.test("parseScenario() refuses a negative, overflowing or non-number price", () => {
  assert.deepEqual(orderProblems({ price: -1 }), [
    'action 1 field "price": Cannot use -1 as a price as it is negative',
  ]);
  assert.deepEqual(orderProblems({ price: 429496729.6 }), [
    'action 1 field "price": Cannot use 429496729.6 as a price as it is above 429496729.5',
  ]);
  assert.deepEqual(orderProblems({ price: 1e21 }), [
    'action 1 field "price": Cannot use 1e+21 as a price as it is above 429496729.5',
  ]);
  assert.deepEqual(orderProblems({ price: "2300" }), [
    'action 1 field "price": Cannot use "2300" as a price as it must be a JSON number',
  ]);
});

Deno.test("parseScenario() refuses bad JSON with its position", () => {
  assert.deepEqual(problemsOf('{"actions": [}'), [
    `Cannot parse scenario as JSON: Unexpected token '}', "{"actions": [}" is not valid JSON at position 13 (line 1 column 14)`,
  ]);
  assert.deepEqual(
    problemsOf('{\n  "actions": [\n    {"message_type": "X",}\n  ]\n}'),
    [
      "Cannot parse scenario as JSON: Expected double-quoted property name in JSON at position 42 (line 3 column 26)",
    ],
  );
  assert.deepEqual(problemsOf('{"actions": [1, ]}'), [
    `Cannot parse scenario as JSON: Unexpected token ']', "{"actions": [1, ]}" is not valid JSON at position 16 (line 1 column 17)`,
  ]);
  assert.throws(() => parseScenario("{"), {
    name: "ScenarioError",
    message:
      "Cannot read scenario as it has 1 problem:\nCannot parse scenario as JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
  });
});

Deno.test("parseScenario() refuses a top level that is not an object", () => {
  assert.deepEqual(problemsOf("[]"), [
    "Cannot read scenario as it must be a JSON object: got an array",
  ]);
  assert.deepEqual(problemsOf("null"), [
    "Cannot read scenario as it must be a JSON object: got null",
  ]);
});

Deno.test("parseScenario() refuses a file without actions", () => {
  assert.deepEqual(problemsOf('{"_expected_behaviour": []}'), [
    'field "actions": Cannot read scenario as this field is missing',
  ]);
  assert.deepEqual(problemsOf('{"actions": {}}'), [
    'field "actions": Cannot use an object as the action list as it must be a JSON array',
  ]);
});

Deno.test("parseScenario() refuses unknown top-level keys and a bad _expected_behaviour", () => {
  assert.deepEqual(
    problemsOf('{"action": [], "actions": [], "_expected_behaviour": "1."}'),
    [
      'field "action": Cannot use an unknown top-level field (did you mean "actions"?)',
      'field "_expected_behaviour": Cannot use "1." as the expected behaviour as it must be an array of strings',
    ],
  );
});

Deno.test("parseScenario() keeps other underscore keys as notes", () => {
  const scenario = parseScenario(JSON.stringify({
    _server_flags: ["--halted", "3"],
    _author: { name: "Lenny" },
    actions: [],
  }));
  assert.deepEqual(scenario.notes, {
    _server_flags: ["--halted", "3"],
    _author: { name: "Lenny" },
  });
  assert.deepEqual(scenario.actions, []);
  assert.deepEqual(scenario.expectedBehaviour, []);
});

Deno.test("parseScenario() refuses an unknown message_type", () => {
  assert.deepEqual(problemsOf(scenarioOf({ "message_type": "Q" })), [
    'action 1 field "message_type": Cannot use "Q" as a message type as it must be "O", "U" or "X"',
  ]);
  assert.deepEqual(problemsOf(scenarioOf({ "message_type": 79 })), [
    'action 1 field "message_type": Cannot use 79 as a message type as it must be "O", "U" or "X"',
  ]);
  assert.deepEqual(problemsOf(scenarioOf({ "order_token": 1 })), [
    'action 1 field "message_type": Cannot build a message as this field is missing',
  ]);
});

Deno.test("parseScenario() refuses an action that is not an object", () => {
  assert.deepEqual(problemsOf(scenarioOf("O")), [
    'action 1: Cannot read action as it must be a JSON object: got "O"',
  ]);
});

Deno.test("parseScenario() refuses a missing field", () => {
  const { price: _price, ...withoutPrice } = ORDER;
  assert.deepEqual(problemsOf(scenarioOf(withoutPrice)), [
    'action 1 field "price": Cannot build enterOrder as this field is missing',
  ]);
  assert.deepEqual(
    problemsOf(scenarioOf({ "message_type": "U", "existing_order_token": 1 })),
    [
      'action 1 field "replacement_order_token": Cannot build replaceOrder as this field is missing',
      'action 1 field "quantity": Cannot build replaceOrder as this field is missing',
      'action 1 field "price": Cannot build replaceOrder as this field is missing',
      'action 1 field "time_in_force": Cannot build replaceOrder as this field is missing',
      'action 1 field "display": Cannot build replaceOrder as this field is missing',
      'action 1 field "minimum_quantity": Cannot build replaceOrder as this field is missing',
    ],
  );
});

Deno.test("parseScenario() refuses an unknown field and suggests the closest", () => {
  const { quantity, ...rest } = ORDER;
  assert.deepEqual(problemsOf(scenarioOf({ ...rest, quantiy: quantity })), [
    'action 1 field "quantity": Cannot build enterOrder as this field is missing',
    'action 1 field "quantiy": Cannot use an unknown field of message type "O" (did you mean "quantity"?)',
  ]);
  assert.deepEqual(
    problemsOf(
      scenarioOf({
        "message_type": "X",
        "order_token": 1,
        quantity: 0,
        colour: "red",
      }),
    ),
    ['action 1 field "colour": Cannot use an unknown field of message type "X"'],
  );
  assert.deepEqual(
    problemsOf(
      scenarioOf({
        "message_type": "X",
        "order_token": 1,
        quantity: 0,
        expects: [],
      }),
    ),
    [
      'action 1 field "expects": Cannot use an unknown field of message type "X" (did you mean "expect"?)',
    ],
  );
});

Deno.test("parseScenario() ignores underscore comments inside an action", () => {
  assert.deepEqual(
    parseOne({ ...ORDER, _comment: "the §9 order", _n: 1 }),
    SEED_ORDER,
  );
});

Deno.test("parseScenario() refuses negative, fractional and overflowing integers", () => {
  assert.deepEqual(orderProblems({ quantity: -10 }), [
    'action 1 field "quantity": Cannot use -10 as a uint32 as it is negative',
  ]);
  assert.deepEqual(orderProblems({ "order_token": 1.5 }), [
    'action 1 field "order_token": Cannot use 1.5 as a uint32 as it is not a whole number',
  ]);
  assert.deepEqual(orderProblems({ "firm_id": 4294967296 }), [
    'action 1 field "firm_id": Cannot use 4294967296 as a uint32 as it is above 4294967295',
  ]);
  assert.deepEqual(orderProblems({ "time_in_force": "99999" }), [
    'action 1 field "time_in_force": Cannot use "99999" as a uint32 as it must be a JSON number',
  ]);
  assert.deepEqual(orderProblems({ "minimum_quantity": null }), [
    'action 1 field "minimum_quantity": Cannot use null as a uint32 as it must be a JSON number',
  ]);
});

Deno.test("parseScenario() accepts the largest uint32", () => {
  const message = parseOne({
    ...ORDER,
    quantity: 4294967295,
    "firm_id": 4294967295,
  });
  assert.equal(message.type, "enterOrder");
  assert.equal(message.quantity, 0xffffffff);
  assert.equal(message.firmId, 0xffffffff);
});

Deno.test("parseScenario() refuses over-long text", () => {
  assert.deepEqual(orderProblems({ group: "something" }), [
    'action 1 field "group": Cannot use "something" as a 4-character Alpha field as it has 9 characters without its right padding',
  ]);
  assert.deepEqual(orderProblems({ "client_reference": "Lenny Smith" }), [
    'action 1 field "client_reference": Cannot use "Lenny Smith" as a 10-character Alpha field as it has 11 characters without its right padding',
  ]);
});

Deno.test("parseScenario() removes right padding from multi-character text only", () => {
  assert.deepEqual(
    parseOne({ ...ORDER, "client_reference": "Lenny      ", group: "DAY" }),
    SEED_ORDER,
  );
  const message = parseOne({ ...ORDER, "client_reference": "  AB CD  " });
  assert.equal(message.type, "enterOrder");
  assert.equal(message.clientReference, "  AB CD");
  assert.equal(message.display, " ");
});

Deno.test("parseScenario() refuses non-ASCII text", () => {
  assert.deepEqual(orderProblems({ "client_reference": "Lénny" }), [
    'action 1 field "client_reference": Cannot use "Lénny" as a 10-character Alpha field as it has "é", which is not printable ASCII',
  ]);
  assert.deepEqual(orderProblems({ capacity: "\t" }), [
    'action 1 field "capacity": Cannot use "\\t" as a one-character field as it has "\\t", which is not printable ASCII',
  ]);
  assert.deepEqual(orderProblems({ group: 1 }), [
    'action 1 field "group": Cannot use 1 as a 4-character Alpha field as it must be a JSON string',
  ]);
});

Deno.test("parseScenario() refuses a one-byte field with two characters or none", () => {
  assert.deepEqual(orderProblems({ display: "PP" }), [
    'action 1 field "display": Cannot use "PP" as a one-character field as it has 2 characters',
  ]);
  assert.deepEqual(orderProblems({ "buy_sell_indicator": "" }), [
    'action 1 field "buy_sell_indicator": Cannot use "" as a one-character field as it has 0 characters',
  ]);
  assert.deepEqual(orderProblems({ "order_classification": 1 }), [
    'action 1 field "order_classification": Cannot use 1 as a one-character field as it must be a JSON string',
  ]);
});

Deno.test("parseScenario() reads numeric and string orderbook IDs", () => {
  const orderbook = (value: unknown, version?: "1.12" | "1.11") => {
    const message = parseOne({ ...ORDER, "orderbook_id": value }, version);
    assert.equal(message.type, "enterOrder");
    return message.orderbookId;
  };
  assert.equal(orderbook(1), "1");
  assert.equal(orderbook(7203), "7203");
  assert.equal(orderbook("7203"), "7203");
  assert.equal(orderbook("1A2C"), "1A2C");
  assert.equal(orderbook("1   "), "1");
  assert.equal(orderbook(1, "1.11"), "1");
  assert.equal(orderbook(12345, "1.11"), "12345");
  assert.equal(orderbook("7203", "1.11"), "7203");
});

Deno.test("parseScenario() refuses an orderbook ID that does not fit", () => {
  assert.deepEqual(orderProblems({ "orderbook_id": 12345 }), [
    'action 1 field "orderbook_id": Cannot use "12345" as a 4-character Alpha field as it has 5 characters without its right padding',
  ]);
  assert.deepEqual(orderProblems({ "orderbook_id": -1 }), [
    'action 1 field "orderbook_id": Cannot use -1 as a uint32 as it is negative',
  ]);
  assert.deepEqual(orderProblems({ "orderbook_id": true }), [
    'action 1 field "orderbook_id": Cannot use true as an orderbook ID as it must be a JSON number or string',
  ]);
});

Deno.test("parseScenario() refuses a non-numeric orderbook under v1.11", () => {
  assert.deepEqual(orderProblems({ "orderbook_id": "1A2C" }, "1.11"), [
    'action 1 field "orderbook_id": Cannot encode enterOrder field orderbookId as a canonical decimal uint32 under version 1.11: current value is "1A2C"',
  ]);
  assert.deepEqual(orderProblems({ "orderbook_id": "0001" }, "1.11"), [
    'action 1 field "orderbook_id": Cannot encode enterOrder field orderbookId as a canonical decimal uint32 under version 1.11: current value is "0001"',
  ]);
});

Deno.test("parseScenario() accepts orders that break exchange rules", () => {
  const message = parseOne({
    ...ORDER,
    "buy_sell_indicator": "Q",
    quantity: 0,
    "orderbook_id": 9999,
    group: "ABCD",
    price: 0,
    "time_in_force": 5,
    display: "X",
    capacity: "Z",
    "minimum_quantity": 100,
    "order_classification": "2",
    "cash_margin_type": "9",
  });
  assert.deepEqual(message, {
    ...SEED_ORDER,
    buySellIndicator: "Q",
    quantity: 0,
    orderbookId: "9999",
    group: "ABCD",
    price: 0,
    timeInForce: 5,
    display: "X",
    capacity: "Z",
    minimumQuantity: 100,
    orderClassification: "2",
    cashMarginType: "9",
  });
});

Deno.test("parseScenario() reads expect and refuses bad expect syntax", () => {
  const cancel = { "message_type": "X", "order_token": 1, quantity: 0 };
  const expectOf = (value: unknown) =>
    parseScenario(scenarioOf({ ...cancel, expect: value })).actions[0]!.expect;
  const none: Expectation[] = [];
  assert.deepEqual(expectOf("none"), none);
  assert.deepEqual(expectOf(["none"]), none);
  assert.deepEqual(expectOf([]), none);
  assert.deepEqual(expectOf(["canceled:U"]), [{
    kind: "canceled",
    reason: "U",
  }]);
  assert.equal(parseScenario(scenarioOf(cancel)).actions[0]!.expect, undefined);
  assert.deepEqual(
    problemsOf(scenarioOf({ ...cancel, expect: ["cancelled:U"] })),
    [
      'action 1 field "expect": Cannot parse expectation "cancelled:U" as it must be one of accepted, rejected:R, replaced, canceled:R, aiq-canceled, executed or none',
    ],
  );
  assert.deepEqual(
    problemsOf(scenarioOf({ ...cancel, expect: ["rejected:Q"] })),
    [
      'action 1 field "expect": Cannot parse expectation "rejected:Q" as "Q" is not an Order Rejected Reason: use one of H S X Z N Y D V i R F G L c O',
    ],
  );
  assert.deepEqual(problemsOf(scenarioOf({ ...cancel, expect: 1 })), [
    'action 1 field "expect": Cannot read expectations as they must be a string or an array of strings: got 1',
  ]);
});

Deno.test("parseScenario() reports every problem of a file together, by action", () => {
  const text = JSON.stringify({
    _expected_behaviour: ["1.", "2.", "3.", "4."],
    actions: [
      ORDER,
      { ...ORDER, "order_token": 2, price: 4.35, display: "PP" },
      {
        "message_type": "X",
        "order_token": 3,
        quantity: -10,
        expect: ["done"],
      },
      { "message_type": "Z" },
      { "message_type": "U", "existing_order_token": 1 },
    ],
  });
  assert.throws(() => parseScenario(text), (error) => {
    assert.ok(error instanceof ScenarioError);
    assert.ok(error instanceof SyntaxError);
    assert.equal(error.name, "ScenarioError");
    const problems = [
      'action 2 field "price": Cannot use 4.35 as a price as it has more than one decimal place',
      'action 2 field "display": Cannot use "PP" as a one-character field as it has 2 characters',
      'action 3 field "quantity": Cannot use -10 as a uint32 as it is negative',
      'action 3 field "expect": Cannot parse expectation "done" as it must be one of accepted, rejected:R, replaced, canceled:R, aiq-canceled, executed or none',
      'action 4 field "message_type": Cannot use "Z" as a message type as it must be "O", "U" or "X"',
      'action 5 field "replacement_order_token": Cannot build replaceOrder as this field is missing',
      'action 5 field "quantity": Cannot build replaceOrder as this field is missing',
      'action 5 field "price": Cannot build replaceOrder as this field is missing',
      'action 5 field "time_in_force": Cannot build replaceOrder as this field is missing',
      'action 5 field "display": Cannot build replaceOrder as this field is missing',
      'action 5 field "minimum_quantity": Cannot build replaceOrder as this field is missing',
    ];
    assert.deepEqual(error.problems, problems);
    assert.equal(
      error.message,
      `Cannot read scenario as it has 11 problems:\n${problems.join("\n")}`,
    );
    return true;
  });
});

Deno.test("parseScenario() refuses an unknown protocol version", () => {
  assert.throws(
    () => parseScenario("{}", { version: "2.0" as "1.12" }),
    {
      name: "RangeError",
      message:
        'Cannot parse scenario as the protocol version must be one of "1.12", "1.11": current version is "2.0"',
    },
  );
});

// ---------------------------------------------------------------------------------------
// Every file in test_inputs/

function inputFiles(): string[] {
  return [...Deno.readDirSync(TEST_INPUTS)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".json"))
    .map((entry) => entry.name)
    .sort();
}

function parseAll(version: "1.12" | "1.11"): Map<string, Scenario> {
  return new Map(
    inputFiles().map((
      name,
    ) => [name, parseScenario(readInput(name), { version })]),
  );
}

Deno.test("parseScenario() reads every test_inputs file, with expectations on every action", () => {
  const names = inputFiles();
  assert.ok(names.length >= 10, names.join(", "));
  for (const version of ["1.12", "1.11"] as const) {
    for (const [name, scenario] of parseAll(version)) {
      assert.ok(scenario.actions.length > 0, name);
      for (const action of scenario.actions) {
        assert.ok(
          action.expect !== undefined,
          `${name} action ${action.index} has no "expect"`,
        );
      }
    }
  }
});

Deno.test("parseScenario() finds our test_inputs documented, with increasing tokens and valid server flags", () => {
  for (const [name, scenario] of parseAll("1.12")) {
    assert.equal(
      scenario.expectedBehaviour.length,
      scenario.actions.length,
      `${name}: one _expected_behaviour line per action`,
    );
    const flags = scenario.notes["_server_flags"];
    if (flags !== undefined) {
      assert.ok(
        Array.isArray(flags) && flags.every((flag) => typeof flag === "string"),
        `${name}: _server_flags must be an array of strings`,
      );
    }
    if (name === "client_1.json") continue; // the seed's file reuses token 1 on purpose
    let highest = 0;
    for (const { message, index, expect } of scenario.actions) {
      const token = message.type === "enterOrder"
        ? message.orderToken
        : message.type === "replaceOrder"
        ? message.replacementOrderToken
        : undefined;
      if (token === undefined) continue;
      assert.ok(token > highest, `${name} action ${index}: token ${token}`);
      // A replace that cancels the order leaves its token unused (K9): it may come again.
      const used = message.type !== "replaceOrder" ||
        expect?.some((e) => e.kind === "replaced") === true;
      if (used) highest = token;
    }
  }
});

Deno.test("parseScenario() finds every outcome the server produces covered by test_inputs", () => {
  const words = new Set<string>();
  const types = new Set<string>();
  for (const scenario of parseAll("1.12").values()) {
    for (const action of scenario.actions) {
      types.add(action.message.type);
      for (const expectation of action.expect ?? []) {
        words.add(describeExpectation(expectation));
      }
    }
  }
  assert.deepEqual([...types].sort(), [
    "cancelOrder",
    "enterOrder",
    "replaceOrder",
  ]);
  const wanted = [
    ..."RSHXZNYDGcOLFVi".split("").map((code) => `rejected:${code}`),
    ..."XZNYDOUIFVi".split("").map((code) => `canceled:${code}`),
    "accepted",
    "replaced",
    "executed",
    "aiq-canceled",
  ];
  assert.deepEqual(wanted.filter((word) => !words.has(word)), []);
});

Deno.test("parseScenario() finds the server flags of the closed and halted files", () => {
  const all = parseAll("1.12");
  assert.deepEqual(all.get("market_closed.json")?.notes, {
    _server_flags: ["--closed"],
  });
  assert.deepEqual(all.get("halted.json")?.notes, {
    _server_flags: ["--halted", "3"],
  });
});
