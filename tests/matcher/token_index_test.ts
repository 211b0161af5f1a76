import assert from "node:assert/strict";
import fc from "fast-check";
import { TokenIndex } from "../../lib/matcher/_token_index.ts";
import { TokenMap } from "../../lib/matcher/_token_map.ts";

/** Replays adds and deletes of growing tokens against a `Map`, checking every answer. */
function replay(steps: { gap: number; drop: number }[]): void {
  const index = new TokenIndex();
  const model = new Map<number, number>();
  const live: number[] = [];
  let token = 0;
  let handle = 0;
  for (const { gap, drop } of steps) {
    token += gap;
    if (token > 0xffff_ffff) break;
    index.add(token, handle);
    model.set(token, handle);
    live.push(token);
    handle++;
    if (drop > 0 && live.length > 0) {
      const victim = live.splice(drop % live.length, 1)[0]!;
      assert.equal(index.delete(victim), true);
      assert.equal(index.delete(victim), false);
      model.delete(victim);
    }
  }
  assert.equal(index.size, model.size);
  for (const [t, h] of model) assert.equal(index.get(t), h);
  for (const t of [0, 1, token + 1, token + 5_000, 0xffff_ffff]) {
    if (!model.has(t)) assert.equal(index.get(t), -1);
  }
  assert.deepEqual(
    index.values().sort((a, b) => a - b),
    [...model.values()].sort((a, b) => a - b),
  );
}

Deno.test("TokenIndex answers like a Map for consecutive tokens", () => {
  // 20,000 tokens, every third removed at once and every fifth kept for good: the window
  // grows well past its first size and keeps stragglers.
  replay(
    Array.from({ length: 20_000 }, (_, i) => ({
      gap: 1,
      drop: i % 3 === 0 ? 0 : i % 5 === 0 ? 0 : 1_000_000,
    })),
  );
});

Deno.test("TokenIndex moves stragglers behind the window as it slides", () => {
  const index = new TokenIndex();
  index.add(1, 100); // stays live for good
  for (let t = 2; t < 50_000; t++) {
    index.add(t, t);
    assert.equal(index.delete(t), true);
  }
  assert.equal(index.size, 1);
  assert.equal(index.get(1), 100);
  assert.deepEqual(index.values(), [100]);
  assert.equal(index.delete(1), true);
  assert.equal(index.size, 0);
});

Deno.test("TokenIndex restarts its window after a jump and keeps the orders before it", () => {
  const index = new TokenIndex();
  for (let t = 1; t <= 10; t++) index.add(t, t);
  index.add(3_000_000_000, 11);
  index.add(0xffff_ffff, 12);
  for (let t = 1; t <= 10; t++) assert.equal(index.get(t), t);
  assert.equal(index.get(3_000_000_000), 11);
  assert.equal(index.get(0xffff_ffff), 12);
  assert.equal(index.get(3_000_000_001), -1);
  assert.equal(index.size, 12);
});

Deno.test("TokenIndex answers like a Map for any growing tokens", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          gap: fc.oneof(
            { arbitrary: fc.constant(1), weight: 20 },
            { arbitrary: fc.integer({ min: 1, max: 5_000 }), weight: 3 },
            { arbitrary: fc.integer({ min: 1, max: 2 ** 31 }), weight: 1 },
          ),
          drop: fc.nat(40),
        }),
        { maxLength: 3_000, size: "max" },
      ),
      (steps) => replay(steps),
    ),
    { numRuns: 60 },
  );
});

Deno.test("TokenMap answers like a Map, in low-bits and in hashed mode", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          key: fc.oneof(
            fc.integer({ min: 1, max: 300 }),
            fc.integer({ min: 1, max: 200 }).map((k) => k * 4096),
            fc.integer({ min: 1, max: 0xffff_ffff }),
          ),
          remove: fc.boolean(),
        }),
        { maxLength: 800, size: "max" },
      ),
      (ops) => {
        const map = new TokenMap();
        const model = new Map<number, number>();
        ops.forEach(({ key, remove }, i) => {
          if (remove) assert.equal(map.delete(key), model.delete(key));
          else {
            map.set(key, i);
            model.set(key, i);
          }
          assert.equal(map.size, model.size);
        });
        for (const [k, v] of model) assert.equal(map.get(k), v);
        assert.equal(map.get(0), -1);
        assert.deepEqual(
          map.values().sort((a, b) => a - b),
          [...model.values()].sort((a, b) => a - b),
        );
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("TokenMap switches to hashed slots when tokens alias", () => {
  const map = new TokenMap();
  for (let i = 1; i <= 2_000; i++) map.set(i * 65_536, i);
  assert.equal(map.hashed, true);
  for (let i = 1; i <= 2_000; i++) assert.equal(map.get(i * 65_536), i);
  for (let i = 1; i <= 2_000; i += 2) {
    assert.equal(map.delete(i * 65_536), true);
  }
  for (let i = 1; i <= 2_000; i++) {
    assert.equal(map.get(i * 65_536), i % 2 === 0 ? i : -1);
  }
  const sequential = new TokenMap();
  for (let i = 1; i <= 100_000; i++) sequential.set(i, i);
  assert.equal(sequential.hashed, false);
});

Deno.test("TokenIndex answers like a Map for two growing ranges interleaved (OUCH tokens and the web page's from 0xF0000000)", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({ page: fc.boolean(), drop: fc.nat(40) }),
        { maxLength: 3_000 },
      ),
      (steps) => {
        const index = new TokenIndex();
        const model = new Map<number, number>();
        const live: number[] = [];
        let ouch = 0;
        let page = 0xf000_0000 - 1;
        let handle = 0;
        for (const step of steps) {
          const token = step.page ? ++page : ++ouch;
          index.add(token, handle);
          model.set(token, handle++);
          live.push(token);
          if (step.drop > 0) {
            const victim = live.splice(step.drop % live.length, 1)[0]!;
            assert.equal(index.delete(victim), true);
            model.delete(victim);
          }
        }
        assert.equal(index.size, model.size);
        for (const [t, h] of model) assert.equal(index.get(t), h);
        assert.equal(index.get(ouch + 1), -1);
        assert.equal(index.get(page + 1), -1);
      },
    ),
    { numRuns: 60 },
  );
});
