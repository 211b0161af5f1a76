import assert from "node:assert/strict";
import {
  CONSOLE_HELP,
  parseConsoleCommand,
} from "../../lib/console/console_command.ts";

Deno.test("parseConsoleCommand() reads ssr ID on|off, in any case", () => {
  assert.deepEqual(parseConsoleCommand("ssr 7203 on"), {
    type: "ssr",
    orderbookId: "7203",
    restricted: true,
  });
  assert.deepEqual(parseConsoleCommand("  SSR 1 OFF "), {
    type: "ssr",
    orderbookId: "1",
    restricted: false,
  });
  for (const line of ["ssr", "ssr 7203", "ssr 7203 maybe", "ssr 7203 on now"]) {
    assert.throws(() => parseConsoleCommand(line), {
      name: "SyntaxError",
      message:
        'Cannot run "ssr" as it needs an orderbook and on or off: ssr ID on|off',
    }, line);
  }
  assert.match(
    CONSOLE_HELP,
    /\n {2}ssr ID on\|off {2}switch an orderbook's short-sell/,
  );
});
