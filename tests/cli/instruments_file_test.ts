import assert from "node:assert/strict";
import {
  parseInstrumentsFile,
  readInstrumentsFile,
} from "../../lib/cli/instruments_file.ts";
import {
  DEFAULT_INSTRUMENTS,
  Matcher,
  resolveInstrument,
} from "../../lib/matcher/mod.ts";

const EXAMPLE = new URL("../../docs/instruments.json", import.meta.url)
  .pathname;

Deno.test("readInstrumentsFile() of docs/instruments.json gives the built-in instruments", async () => {
  const file = await readInstrumentsFile(EXAMPLE);
  assert.deepEqual(file.tickTables, {});
  assert.deepEqual(
    file.instruments.map((spec) => resolveInstrument(spec)),
    DEFAULT_INSTRUMENTS,
  );
});

Deno.test("parseInstrumentsFile() reads every field, yen to tenths, its own tick tables and comments", () => {
  const file = parseInstrumentsFile(
    JSON.stringify({
      _comment: "a desk's books",
      tickTables: {
        5: [{ from: 0, tick: 0.5 }, { from: 1000, tick: 2.5 }],
      },
      instruments: [{
        orderbookId: "1A2C",
        name: "Test",
        isin: "JP0000000001",
        group: "DAYX",
        roundLot: 10,
        tickTable: 5,
        referencePrice: 1200.5,
        lowerLimit: 1000,
        upperLimit: 1400,
        _note: "ignored",
      }, { orderbookId: "99" }],
    }),
    "desk.json",
  );
  assert.deepEqual(file, {
    tickTables: { 5: [{ from: 0, tick: 5 }, { from: 10_000, tick: 25 }] },
    instruments: [{
      orderbookId: "1A2C",
      name: "Test",
      isin: "JP0000000001",
      group: "DAYX",
      roundLot: 10,
      tickTable: 5,
      referencePrice: 12_005,
      lowerLimit: 10_000,
      upperLimit: 14_000,
    }, { orderbookId: "99" }],
  });
  // The matcher takes it as it is.
  const matcher = new Matcher({ message() {}, market() {} }, {
    tradingDate: "20261128",
    ...file,
  });
  assert.deepEqual(matcher.orderbooks, ["1A2C", "99"]);
  assert.equal(matcher.instrument("1A2C")?.upperLimit, 14_000);
});

Deno.test("parseInstrumentsFile() refuses a bad file naming the file, the entry and the reason", () => {
  const cases: [unknown, string][] = [
    ["{", 'Cannot read --instruments file "x.json" as JSON: '],
    [
      [],
      'Cannot use --instruments file "x.json": it must be an object with "instruments"',
    ],
    [
      { instruments: [] },
      'Cannot use --instruments file "x.json": "instruments" must be a non-empty list of orderbooks',
    ],
    [
      { instrument: [] },
      'Cannot use --instruments file "x.json": unknown top-level field "instrument" (fields are "instruments" and "tickTables"; "_" starts a comment)',
    ],
    [
      { instruments: [5] },
      'Cannot use entry 1 of --instruments file "x.json": it must be an object',
    ],
    [
      { instruments: [{ orderbookId: "12345" }] },
      'Cannot use entry 1 (orderbook "12345") of --instruments file "x.json": orderbookId must be 1 to 4 ASCII characters without spaces: current value is "12345"',
    ],
    [
      { instruments: [{ orderbookId: 7203 }] },
      'Cannot use entry 1 of --instruments file "x.json": orderbookId must be 1 to 4 ASCII characters without spaces: current value is 7203',
    ],
    [
      { instruments: [{ orderbookId: "1" }, { orderbookId: "1" }] },
      'Cannot use entry 2 (orderbook "1") of --instruments file "x.json": orderbook "1" is already entry 1',
    ],
    [
      { instruments: [{ orderbookId: "1", roundlot: 100 }] },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": unknown field "roundlot" (fields are orderbookId, name, isin, group, roundLot, tickTable, referencePrice, lowerLimit, upperLimit)',
    ],
    [
      { instruments: [{ orderbookId: "1", roundLot: 0 }] },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": roundLot must be an integer from 1 to 2147483647: current value is 0',
    ],
    [
      { instruments: [{ orderbookId: "1", tickTable: 2 }] },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": tickTable must be a known table (0, 1, 3): current value is 2',
    ],
    [
      { instruments: [{ orderbookId: "1", isin: "JP36334" }] },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": isin must be 12 capital letters and digits: current value is "JP36334"',
    ],
    [
      { instruments: [{ orderbookId: "1", group: "NIGHT" }] },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": group must be one of DAY, NGHT, DAYX, DAYU: current value is "NIGHT"',
    ],
    [
      { instruments: [{ orderbookId: "1", referencePrice: 2800.25 }] },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": referencePrice must be a number of yen from 0 to 214748364.6 with at most one decimal place: current value is 2800.25',
    ],
    [
      { instruments: [{ orderbookId: "1", referencePrice: "2800" }] },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": referencePrice must be a number of yen from 0 to 214748364.6 with at most one decimal place: current value is "2800"',
    ],
    [
      {
        instruments: [{ orderbookId: "1", lowerLimit: 3000, upperLimit: 2000 }],
      },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": lowerLimit 3000 is above upperLimit 2000',
    ],
    [
      { instruments: [{ orderbookId: "1", upperLimit: 2000 }] },
      'Cannot use entry 1 (orderbook "1") of --instruments file "x.json": lowerLimit must be given together with the other limit: current value is undefined',
    ],
    [
      { tickTables: [], instruments: [{ orderbookId: "1" }] },
      'Cannot use --instruments file "x.json": "tickTables" must be an object of table id to bands',
    ],
    [
      { tickTables: { a: [] }, instruments: [{ orderbookId: "1" }] },
      'Cannot use tick table "a" of --instruments file "x.json": its id must be an integer from 0 to 4294967295',
    ],
    [
      {
        tickTables: { 5: [{ from: 0, tick: 0 }] },
        instruments: [{ orderbookId: "1" }],
      },
      'Cannot use tick table "5" of --instruments file "x.json": band 1 "tick" must be a number of yen from 0.1 to 214748364.6 with at most one decimal place: current value is 0',
    ],
    [
      {
        tickTables: { 5: [{ from: 0, tick: 1, to: 5 }] },
        instruments: [{ orderbookId: "1" }],
      },
      'Cannot use tick table "5" of --instruments file "x.json": band 1 has an unknown field "to" (fields are "from" and "tick")',
    ],
    [
      {
        tickTables: { 5: [{ from: 100, tick: 1 }] },
        instruments: [{ orderbookId: "1" }],
      },
      'Cannot use tick table "5" of --instruments file "x.json" as its first band must start at 0: current start is 1000',
    ],
  ];
  for (const [json, message] of cases) {
    const text = typeof json === "string" ? json : JSON.stringify(json);
    assert.throws(() => parseInstrumentsFile(text, "x.json"), (error) => {
      assert.ok(error instanceof Error && error.name === "UsageError", text);
      assert.ok(error.message.startsWith(message), `${text}\n${error.message}`);
      assert.ok(!error.message.includes("\n"), text);
      return true;
    });
  }
});

Deno.test("parseInstrumentsFile() reads the README's example, and refuses it without its tick table as the README says", async () => {
  const readme = await Deno.readTextFile(
    new URL("../../README.md", import.meta.url),
  );
  const section = readme.slice(readme.indexOf("### Instruments file"));
  const json = /```json\n([\s\S]*?)```/.exec(section)![1]!;
  const file = parseInstrumentsFile(json, "i.json");
  assert.deepEqual(file.instruments.map((i) => i.orderbookId), [
    "7203",
    "1301",
    "1",
  ]);
  const without = JSON.parse(json);
  delete without.tickTables;
  const refused = /`(Cannot use entry 2 [^`]*)`/.exec(section)![1]!;
  assert.throws(
    () => parseInstrumentsFile(JSON.stringify(without), "i.json"),
    { name: "UsageError", message: refused },
  );
});
