import assert from "node:assert/strict";
import {
  parseUsersText,
  readUsersAndLimits,
  readUsersFile,
} from "../../lib/cli/users_file.ts";

Deno.test("parseUsersText() reads plain NAME:PASS lines as before, with comments and blank lines", () => {
  const file = parseUsersText(
    "# desk A\nalice:secret\n\n  bob:hunter2  \r\n",
    "u.txt",
  );
  assert.deepEqual([...file.users], [["alice", "secret"], ["bob", "hunter2"]]);
  assert.deepEqual([...file.limits], []);
});

Deno.test("parseUsersText() reads the word operator anywhere after NAME:PASS (issue #15 item 9)", () => {
  const file = parseUsersText(
    "alice:secret operator\nbob:pw throttle=5 operator\ncarol:pw\n",
    "u.txt",
  );
  assert.deepEqual([...file.operators], ["alice", "bob"]);
  assert.deepEqual([...file.limits], [["bob", { throttle: 5 }]]);
  assert.throws(() => parseUsersText("dave:pw operators\n", "u.txt"), {
    name: "AccountError",
    message: /line 1: "operators" is not a limit key=value/,
  });
});

Deno.test("parseUsersText() reads each account's limits", () => {
  const file = parseUsersText(
    [
      "alice:secret throttle=100 max-value=50000000 firms=12,34 groups=DAY,DAYX",
      "bob:pw\tthrottle=0",
      "carol:pw groups=NGHT",
    ].join("\n"),
    "u.txt",
  );
  assert.deepEqual([...file.limits], [
    ["alice", {
      throttle: 100,
      maxOrderValue: 50_000_000,
      firms: [12, 34],
      groups: ["DAY", "DAYX"],
    }],
    ["bob", { throttle: 0 }],
    ["carol", { groups: ["NGHT"] }],
  ]);
  assert.deepEqual([...file.users.keys()], ["alice", "bob", "carol"]);
});

Deno.test("parseUsersText() refuses every bad line with its number and reason", () => {
  const lines = [
    "alice:secret",
    "bob:pw speed=5",
    "carol:pw throttle=fast",
    "dave:pw max-value=0",
    "erin:pw firms=1,x",
    "frank:pw groups=DAY,DAYZ",
    "grace:pw throttle=1 throttle=2",
    "heidi:pw fast",
    "alice:again",
    "ivan:pw throttle=1000001",
  ];
  assert.throws(() => parseUsersText(lines.join("\n"), "u.txt"), {
    name: "AccountError",
    message: [
      'Cannot read u.txt line 2: unknown limit "speed" (keys are throttle, max-value, firms, groups)',
      'Cannot read u.txt line 3: throttle must be a whole number from 0 to 1000000: current value is "fast"',
      'Cannot read u.txt line 4: max-value must be a whole number from 1: current value is "0"',
      'Cannot read u.txt line 5: firms must be a whole number from 0 to 4294967295: current value is "1,x"',
      'Cannot use the limits of u.txt line 6: groups must be among DAY, NGHT, DAYX, DAYU: current value is "DAYZ"',
      'Cannot read u.txt line 7: limit "throttle" is given twice',
      'Cannot read u.txt line 8: "fast" is not a limit key=value (keys are throttle, max-value, firms, groups)',
      'Cannot add "alice" from u.txt line 9: it is already defined',
      'Cannot read u.txt line 10: throttle must be a whole number from 0 to 1000000: current value is "1000001"',
    ].join("\n"),
  });
});

Deno.test("readUsersAndLimits() and readUsersFile() read a file; a bad one is a one-line usage error", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(path, "alice:secret throttle=5\nbob:pw\n");
    const file = await readUsersAndLimits(path);
    assert.deepEqual([...file.limits], [["alice", { throttle: 5 }]]);
    assert.deepEqual([...await readUsersFile(path)], [["alice", "secret"], [
      "bob",
      "pw",
    ]]);
    await Deno.writeTextFile(path, "alice:secret throttle=x\nbob:pw firms=\n");
    await assert.rejects(readUsersFile(path), {
      name: "UsageError",
      message:
        `Cannot read ${path} line 1: throttle must be a whole number from 0 to 1000000: current value is "x"`,
    });
  } finally {
    await Deno.remove(path);
  }
});
