import assert from "node:assert/strict";
import { dryRun } from "../../lib/client/dry_run.ts";
import { parseScenario } from "../../lib/client/scenario.ts";

const SEED = Deno.readTextFileSync(
  new URL("../../test_inputs/client_1.json", import.meta.url),
);

/** Spec §9: the Enter Order of the seed's action 1 in an Unsequenced Data packet. */
const SPEC_9_PACKET = (
  "00 31 55 4f 00 00 00 01 4c 65 6e 6e 79 20 20 20 20 20 42 00 00 00 64 31 20 20 20" +
  "44 41 59 20 00 00 59 d8 00 01 86 9f 00 00 00 00 20 50 00 00 00 00 31 31"
).replaceAll(" ", "");

function hexOf(line: string): string {
  return line.slice(line.lastIndexOf(" ") + 1);
}

Deno.test("dryRun() shows the seed file under v1.12", () => {
  assert.deepEqual(dryRun(parseScenario(SEED)), [
    '1 O enterOrder orderToken=1 clientReference=Lenny buySellIndicator=B quantity=100 orderbookId=1 group=DAY price=2300.0 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=0 orderClassification=1 cashMarginType=1  0031554f000000014c656e6e79202020202042000000643120202044415920000059d80001869f000000002050000000003131',
    '2 O enterOrder orderToken=2 clientReference=Lenny buySellIndicator=B quantity=200 orderbookId=2 group=DAY price=500.5 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=100 orderClassification=1 cashMarginType=1 0031554f000000024c656e6e79202020202042000000c832202020444159200000138d0001869f000000002050000000643131',
    '3 O enterOrder orderToken=3 clientReference=Lenny buySellIndicator=B quantity=200 orderbookId=2 group=DAY price=500.5 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=0 orderClassification=1 cashMarginType=1   0031554f000000034c656e6e79202020202042000000c832202020444159200000138d0001869f000000002050000000003131',
    '4 O enterOrder orderToken=1 clientReference=Lenny buySellIndicator=S quantity=500 orderbookId=3 group=DAY price=1203.5 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=0 orderClassification=1 cashMarginType=1  0031554f000000014c656e6e79202020202053000001f4332020204441592000002f030001869f000000002050000000003131',
    "5 U replaceOrder existingOrderToken=1 replacementOrderToken=5 quantity=115 price=2300.0 timeInForce=99999 display=P minimumQuantity=0                                                                                              001b5555000000010000000500000073000059d80001869f5000000000",
    "6 X cancelOrder orderToken=1 quantity=0                                                                                                                                                                                            000a55580000000100000000",
    "7 X cancelOrder orderToken=5 quantity=0                                                                                                                                                                                            000a55580000000500000000",
  ]);
});

Deno.test("dryRun() shows the seed file under v1.11", () => {
  const options = { version: "1.11" } as const;
  assert.deepEqual(dryRun(parseScenario(SEED, options), options), [
    '1 O enterOrder orderToken=1 clientReference=Lenny buySellIndicator=B quantity=100 orderbookId=1 group=DAY price=2300.0 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=0 orderClassification=1 cashMarginType=1  0031554f000000014c656e6e79202020202042000000640000000144415920000059d80001869f000000002050000000003131',
    '2 O enterOrder orderToken=2 clientReference=Lenny buySellIndicator=B quantity=200 orderbookId=2 group=DAY price=500.5 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=100 orderClassification=1 cashMarginType=1 0031554f000000024c656e6e79202020202042000000c800000002444159200000138d0001869f000000002050000000643131',
    '3 O enterOrder orderToken=3 clientReference=Lenny buySellIndicator=B quantity=200 orderbookId=2 group=DAY price=500.5 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=0 orderClassification=1 cashMarginType=1   0031554f000000034c656e6e79202020202042000000c800000002444159200000138d0001869f000000002050000000003131',
    '4 O enterOrder orderToken=1 clientReference=Lenny buySellIndicator=S quantity=500 orderbookId=3 group=DAY price=1203.5 timeInForce=99999 firmId=0 display=" " capacity=P minimumQuantity=0 orderClassification=1 cashMarginType=1  0031554f000000014c656e6e79202020202053000001f4000000034441592000002f030001869f000000002050000000003131',
    "5 U replaceOrder existingOrderToken=1 replacementOrderToken=5 quantity=115 price=2300.0 timeInForce=99999 display=P minimumQuantity=0                                                                                              001b5555000000010000000500000073000059d80001869f5000000000",
    "6 X cancelOrder orderToken=1 quantity=0                                                                                                                                                                                            000a55580000000100000000",
    "7 X cancelOrder orderToken=5 quantity=0                                                                                                                                                                                            000a55580000000500000000",
  ]);
});

Deno.test("dryRun() puts spec §9's 51-byte packet on the wire for action 1", () => {
  const [v112] = dryRun(parseScenario(SEED));
  assert.equal(hexOf(v112!), SPEC_9_PACKET);
  assert.equal(SPEC_9_PACKET.length, 51 * 2);
  const options = { version: "1.11" } as const;
  const [v111] = dryRun(parseScenario(SEED, options), options);
  const at = (2 + 1 + 20) * 2; // length, "U", then the Orderbook ID at message offset 20
  assert.equal(
    hexOf(v111!),
    SPEC_9_PACKET.slice(0, at) + "00000001" + SPEC_9_PACKET.slice(at + 8),
  );
});

Deno.test("dryRun() right-aligns indexes and lines up the hex column", () => {
  const cancel = (token: number) => ({
    "message_type": "X",
    "order_token": token,
    "quantity": token === 10 ? 100 : 0,
  });
  const actions = Array.from({ length: 10 }, (_, i) => cancel(i + 1));
  const lines = dryRun(parseScenario(JSON.stringify({ actions })));
  assert.equal(lines.length, 10);
  assert.equal(
    lines[0],
    " 1 X cancelOrder orderToken=1 quantity=0    000a55580000000100000000",
  );
  assert.equal(
    lines[9],
    "10 X cancelOrder orderToken=10 quantity=100 000a55580000000a00000064",
  );
  const column = lines[0]!.lastIndexOf(" ");
  assert.ok(lines.every((line) => line.lastIndexOf(" ") === column));
});

Deno.test("dryRun() shows what the codec decodes, padding removed", () => {
  const order = JSON.parse(SEED).actions[0];
  const [line] = dryRun(parseScenario(JSON.stringify({
    actions: [{
      ...order,
      "client_reference": "  AB CD   ",
      "orderbook_id": "1A2C",
    }],
  })));
  assert.ok(line!.includes(' clientReference="  AB CD" '), line);
  assert.match(line!, / orderbookId=1A2C /);
  assert.match(
    hexOf(line!),
    /^0031554f000000012020414220434420202042000000643141324344415920/,
  );
});

Deno.test("dryRun() returns no lines for a scenario without actions", () => {
  assert.deepEqual(dryRun(parseScenario('{"actions": []}')), []);
});

Deno.test("dryRun() throws when the scenario does not encode under its version", () => {
  const order = JSON.parse(SEED).actions[0];
  const scenario = parseScenario(JSON.stringify({
    actions: [{ ...order, "orderbook_id": "1A2C" }],
  }));
  assert.throws(() => dryRun(scenario, { version: "1.11" }), {
    name: "OuchEncodeError",
    message: /orderbookId/,
  });
});
