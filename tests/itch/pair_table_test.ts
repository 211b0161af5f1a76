import assert from "node:assert/strict";
import fc from "fast-check";
import { ABSENT, PairTable } from "../../lib/itch/_pair_table.ts";

Deno.test("PairTable.add() keeps the first value and reports it for a key already there", () => {
  const table = new PairTable(4);
  assert.equal(table.add(1, 2, 10), ABSENT);
  assert.equal(table.add(1, 2, 11), 10);
  assert.equal(table.add(2, 1, 12), ABSENT);
  assert.equal(table.get(1, 2), 10);
  assert.equal(table.get(2, 1), 12);
  assert.equal(table.get(1, 1), ABSENT);
  assert.equal(table.size, 2);
  const slot = table.find(2, 1);
  assert.equal(table.valueAt(slot), 12);
  assert.equal(table.deleteAt(slot), 12);
  assert.equal(table.delete(2, 1), ABSENT);
  assert.equal(table.size, 1);
});

Deno.test("PairTable behaves as a Map through growth and deletions, with colliding keys", () => {
  const key = fc.tuple(
    fc.constantFrom(0, 1, -1, 0x7fffffff, -0x80000000, 47_174_361),
    fc.integer({ min: -64, max: 64 }),
  );
  fc.assert(
    fc.property(
      fc.array(fc.tuple(key, fc.boolean()), { maxLength: 3_000, size: "max" }),
      (steps) => {
        const table = new PairTable(2);
        const model = new Map<string, number>();
        steps.forEach(([[a, b], remove], i) => {
          const name = `${a},${b}`;
          if (remove) {
            assert.equal(table.delete(a, b), model.get(name) ?? ABSENT);
            model.delete(name);
          } else {
            assert.equal(table.add(a, b, i), model.get(name) ?? ABSENT);
            if (!model.has(name)) model.set(name, i);
          }
          assert.equal(table.size, model.size);
        });
        for (const [name, value] of model) {
          const [a, b] = name.split(",").map(Number) as [number, number];
          assert.equal(table.get(a, b), value);
        }
      },
    ),
    { numRuns: 100 },
  );
});
