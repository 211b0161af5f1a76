// The TSE tables of jnx-ouch.md §12 as the matcher keeps them, row by row.
import assert from "node:assert/strict";
import {
  checkTickTable,
  dailyPriceLimit,
  DEFAULT_INSTRUMENTS,
  priceLimits,
  resolveInstrument,
  TICK_TABLES,
  tickSize,
} from "../../lib/matcher/mod.ts";

Deno.test("dailyPriceLimit() follows the TSE daily-limit table of §12 at both ends of every row", () => {
  // [base below (yen), limit (yen)], as §12 lists them.
  const rows: [number, number][] = [
    [100, 30],
    [200, 50],
    [500, 80],
    [700, 100],
    [1_000, 150],
    [1_500, 300],
    [2_000, 400],
    [3_000, 500],
    [5_000, 700],
    [7_000, 1_000],
    [10_000, 1_500],
    [15_000, 3_000],
    [20_000, 4_000],
    [30_000, 5_000],
    [50_000, 7_000],
    [70_000, 10_000],
    [100_000, 15_000],
    [150_000, 30_000],
    [200_000, 40_000],
    [300_000, 50_000],
    [500_000, 70_000],
    [700_000, 100_000],
    [1_000_000, 150_000],
    [1_500_000, 300_000],
    [2_000_000, 400_000],
    // Beyond the published rows, the same pattern (§12: "extend with the same pattern").
    [3_000_000, 500_000],
    [5_000_000, 700_000],
  ];
  let from = 1; // tenths
  for (const [below, limit] of rows) {
    const last = below * 10 - 1;
    assert.equal(dailyPriceLimit(from), limit * 10, `base ${from / 10}`);
    assert.equal(dailyPriceLimit(last), limit * 10, `base ${last / 10}`);
    from = below * 10;
  }
  assert.equal(dailyPriceLimit(2_147_483_646), 50_000_000 * 10); // below 300,000,000 yen
  assert.throws(() => dailyPriceLimit(0), {
    name: "RangeError",
    message:
      /reference price must be an integer from 1 to 2147483646 tenths: current value is 0/,
  });
  assert.throws(() => dailyPriceLimit(2.5), { name: "RangeError" });
});

Deno.test("priceLimits() keeps the lower limit at 0.1 or above and the upper within the protocol", () => {
  assert.deepEqual(priceLimits(1), { lower: 1, upper: 301 });
  assert.deepEqual(priceLimits(90_000), { lower: 75_000, upper: 105_000 });
  assert.deepEqual(priceLimits(2_147_483_646), {
    lower: 2_147_483_646 - 500_000_000,
    upper: 2_147_483_646,
  });
});

Deno.test("TICK_TABLES 1 and 3 have the bands of §12; tickSize() puts each band's upper bound in it", () => {
  // [up to (yen), tick (yen)]; the last band has no upper bound.
  const table1: [number, number][] = [
    [3_000, 1],
    [5_000, 5],
    [30_000, 10],
    [50_000, 50],
    [300_000, 100],
    [500_000, 500],
    [3_000_000, 1_000],
    [5_000_000, 5_000],
    [30_000_000, 10_000],
    [50_000_000, 50_000],
    [Infinity, 100_000],
  ];
  const table3: [number, number][] = [
    [1_000, 0.1],
    [5_000, 0.5],
    [10_000, 1],
    [50_000, 5],
    [100_000, 10],
    [500_000, 50],
    [1_000_000, 100],
    [5_000_000, 500],
    [10_000_000, 1_000],
    [50_000_000, 5_000],
    [Infinity, 10_000],
  ];
  for (const [id, rows] of [[1, table1], [3, table3]] as const) {
    const table = TICK_TABLES[id]!;
    assert.equal(table.length, rows.length);
    let lower = 0;
    rows.forEach(([upTo, tick], i) => {
      const ticks = Math.round(tick * 10);
      assert.deepEqual(
        table[i],
        { from: lower, tick: ticks },
        `table ${id} band ${i + 1}`,
      );
      assert.equal(tickSize(table, lower + 1), ticks);
      if (upTo !== Infinity) assert.equal(tickSize(table, upTo * 10), ticks);
      lower = upTo * 10;
    });
  }
  assert.deepEqual(TICK_TABLES[0], [{ from: 0, tick: 1 }]);
});

Deno.test("checkTickTable() refuses tables it cannot use, naming the band", () => {
  const bad: [unknown, RegExp][] = [
    [[], /must be a non-empty list of bands/],
    ["x", /must be a non-empty list of bands/],
    [
      [{ from: 0, tick: 0 }],
      /band 1 must have integer "from" \(0 or more\) and "tick" \(1 or more\)/,
    ],
    [[{ from: 0, tick: 1.5 }], /band 1 must have integer/],
    [
      [{ from: 0, tick: 1 }, { from: 0, tick: 5 }],
      /band 2 must start above band 1: current starts are 0 and 0/,
    ],
    [
      [{ from: 5, tick: 1 }],
      /its first band must start at 0: current start is 5/,
    ],
  ];
  for (const [table, message] of bad) {
    assert.throws(() => checkTickTable(table, "tick table 4"), {
      name: "RangeError",
      message,
    });
  }
});

Deno.test("resolveInstrument() fills the defaults and refuses bad fields by name", () => {
  assert.deepEqual(resolveInstrument({ orderbookId: "9" }), {
    orderbookId: "9",
    name: "",
    isin: "",
    group: "DAY",
    roundLot: 1,
    tickTable: 0,
    referencePrice: 0,
    lowerLimit: 0,
    upperLimit: 0,
  });
  assert.deepEqual(
    resolveInstrument({
      orderbookId: "9",
      referencePrice: 500,
      lowerLimit: 0,
      upperLimit: 0,
    }),
    {
      orderbookId: "9",
      name: "",
      isin: "",
      group: "DAY",
      roundLot: 1,
      tickTable: 0,
      referencePrice: 500,
      lowerLimit: 0,
      upperLimit: 0,
    },
    "both limits 0: no limits, even with a reference price",
  );
  const bad: [Record<string, unknown>, RegExp][] = [
    [
      { orderbookId: "" },
      /orderbookId must be 1 to 10 printable ASCII characters: current value is ""/,
    ],
    [
      { orderbookId: "A", isin: "jp3633400001" },
      /"A": isin must be 12 capital letters and digits/,
    ],
    [
      { orderbookId: "A", group: "DAYZ" },
      /group must be one of DAY, NGHT, DAYX, DAYU: current value is "DAYZ"/,
    ],
    [
      { orderbookId: "A", roundLot: 2 ** 31 },
      /roundLot must be an integer from 1 to 2147483647/,
    ],
    [{ orderbookId: "A", tickTable: -1 }, /tickTable must be a table id/],
    [
      { orderbookId: "A", referencePrice: 2 ** 31 },
      /referencePrice must be a price from 1 to 2147483646 tenths/,
    ],
    [
      { orderbookId: "A", lowerLimit: 0, upperLimit: 9 },
      /lowerLimit must be a price/,
    ],
    [{ orderbookId: "A", name: 5 }, /name must be a string/],
  ];
  for (const [spec, message] of bad) {
    assert.throws(
      () => resolveInstrument(spec as { orderbookId: string }),
      { name: "RangeError", message },
    );
  }
  assert.deepEqual(
    DEFAULT_INSTRUMENTS.map((i) => i.orderbookId),
    ["0", "1", "2", "3", "7203", "6758", "9984", "8306"],
  );
});
