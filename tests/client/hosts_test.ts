import assert from "node:assert/strict";
import { formatHost, parseHosts } from "../../lib/client/hosts.ts";

const DEFAULTS = { hostname: "127.0.0.1", port: 15000 };

Deno.test("parseHosts() reads --host and a list of --port in order", () => {
  assert.deepEqual(parseHosts({}, DEFAULTS), [DEFAULTS]);
  assert.deepEqual(parseHosts({ host: "10.0.0.1" }, DEFAULTS), [
    { hostname: "10.0.0.1", port: 15000 },
  ]);
  assert.deepEqual(
    parseHosts({ host: "127.0.0.2", port: "15010, 15000" }, DEFAULTS),
    [
      { hostname: "127.0.0.2", port: 15010 },
      { hostname: "127.0.0.2", port: 15000 },
    ],
  );
});

Deno.test("parseHosts() reads --hosts HOST:PORT entries in order", () => {
  assert.deepEqual(
    parseHosts({ hosts: "127.0.0.1:15000,localhost:15010" }, DEFAULTS),
    [
      { hostname: "127.0.0.1", port: 15000 },
      { hostname: "localhost", port: 15010 },
    ],
  );
  assert.equal(
    parseHosts({ hosts: "127.0.0.1:15000" }, DEFAULTS).map(formatHost).join(),
    "127.0.0.1:15000",
  );
});

Deno.test("parseHosts() refuses bad lists with a RangeError that says why", () => {
  const cases: [Parameters<typeof parseHosts>[0], string][] = [
    [
      { port: "1,65536" },
      'Cannot use --port as an integer from 1 to 65535: current value is "65536"',
    ],
    [
      { port: "1.5" },
      'Cannot use --port as an integer from 1 to 65535: current value is "1.5"',
    ],
    [{ port: "1," }, 'Cannot read --port "1,": an entry of the list is empty'],
    [{ host: "" }, 'Cannot use --host "": it must name a host'],
    [
      { hosts: "a:1", host: "b" },
      "Cannot use --hosts with --host or --port: give every host as HOST:PORT in --hosts",
    ],
    [{ hosts: ":1" }, 'Cannot read --hosts entry ":1": it must be HOST:PORT'],
    [
      { hosts: "a:" },
      'Cannot use --hosts as its ports must be integers from 1 to 65535: current value is ""',
    ],
    [{ hosts: "a:1,a:1" }, "Cannot list host a:1 twice"],
  ];
  for (const [flags, message] of cases) {
    assert.throws(() => parseHosts(flags, DEFAULTS), {
      name: "RangeError",
      message,
    }, JSON.stringify(flags));
  }
});
