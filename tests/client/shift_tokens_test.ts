import assert from "node:assert/strict";
import { parseScenario } from "../../lib/client/scenario.ts";
import { shiftTokens } from "../../lib/client/shift_tokens.ts";

const SEED = new URL("../../test_inputs/client_1.json", import.meta.url);

function tokens(scenario: ReturnType<typeof parseScenario>): number[][] {
  return scenario.actions.map(({ message }) =>
    message.type === "replaceOrder"
      ? [message.existingOrderToken, message.replacementOrderToken]
      : [message.orderToken]
  );
}

Deno.test("shiftTokens() moves every token of the seed by the offset, keeping its repeats", async () => {
  const seed = parseScenario(await Deno.readTextFile(SEED));
  assert.deepEqual(tokens(seed), [[1], [2], [3], [1], [1, 5], [1], [5]]);
  const shifted = shiftTokens(seed, 5_001);
  assert.deepEqual(tokens(shifted), [
    [5_002],
    [5_003],
    [5_004],
    [5_002],
    [5_002, 5_006],
    [5_002],
    [5_006],
  ]);
  assert.deepEqual(
    shifted.actions.map((a) => [a.index, a.expect, a.comment]),
    seed.actions.map((a) => [a.index, a.expect, a.comment]),
  );
  for (const [i, { message }] of shifted.actions.entries()) {
    const back = message.type === "replaceOrder"
      ? {
        ...message,
        existingOrderToken: message.existingOrderToken - 5_001,
        replacementOrderToken: message.replacementOrderToken - 5_001,
      }
      : { ...message, orderToken: message.orderToken - 5_001 };
    assert.deepEqual(back, seed.actions[i]!.message, "only tokens change");
  }
  assert.equal(shiftTokens(seed, 0), seed);
  assert.ok(Object.isFrozen(shifted.actions[0]!.message));
});

Deno.test("shiftTokens() keeps token 0 and refuses tokens that would pass 4294967295", () => {
  const scenario = parseScenario(JSON.stringify({
    actions: [
      { message_type: "X", order_token: 0, quantity: 0 },
      { message_type: "X", order_token: 10, quantity: 0 },
    ],
  }));
  assert.deepEqual(tokens(shiftTokens(scenario, 4_294_967_285)), [[0], [
    4_294_967_295,
  ]]);
  assert.throws(() => shiftTokens(scenario, 4_294_967_286), {
    name: "RangeError",
    message:
      "Cannot shift the tokens by 4294967286 as token 10 of action 2 would be 4294967296, above 4294967295",
  });
  for (const bad of [-1, 1.5, 4_294_967_296]) {
    assert.throws(() => shiftTokens(scenario, bad), {
      name: "RangeError",
      message: /^Cannot shift tokens as the offset must be a whole number/,
    }, String(bad));
  }
});
