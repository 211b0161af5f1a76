import assert from "node:assert/strict";
import { acceptLoop, isPeerReset } from "../../lib/net/accept_loop.ts";

/** A listener that plays a script of connections and errors, then is closed. */
function scripted(script: (string | Error)[]) {
  let closed = false;
  return {
    listener: {
      accept(): Promise<string> {
        const next = script.shift();
        if (next === undefined) {
          closed = true;
          return Promise.reject(new Deno.errors.BadResource("Bad resource ID"));
        }
        return next instanceof Error
          ? Promise.reject(next)
          : Promise.resolve(next);
      },
    },
    closed: () => closed,
  };
}

const EMFILE = () => new Error("Too many open files (os error 24)");

Deno.test("acceptLoop() survives resets at once and backs off at the descriptor limit, resetting after an accept", async () => {
  const { listener, closed } = scripted([
    "a",
    new Deno.errors.NotConnected("Transport endpoint is not connected"),
    "b",
    EMFILE(),
    EMFILE(),
    EMFILE(),
    "c",
    EMFILE(),
    new Deno.errors.ConnectionReset("reset"),
    "d",
  ]);
  const seen: string[] = [];
  const slept: number[] = [];
  await acceptLoop(listener, {
    connection: (conn) => seen.push(conn),
    error: (error, retryMs) => seen.push(`${(error as Error).name}:${retryMs}`),
    closed,
  }, { sleep: (ms) => (slept.push(ms), Promise.resolve()) });
  assert.deepEqual(seen, [
    "a",
    "NotConnected:0",
    "b",
    "Error:10",
    "Error:20",
    "Error:40",
    "c",
    "Error:10",
    "ConnectionReset:0",
    "d",
  ]);
  assert.deepEqual(slept, [10, 20, 40, 10]);
});

Deno.test("acceptLoop() caps the back-off and ends only when the listener is closed", async () => {
  const { listener, closed } = scripted(
    Array.from({ length: 12 }, EMFILE),
  );
  const delays: number[] = [];
  await acceptLoop(listener, {
    connection: () => assert.fail("no connection"),
    error: (_error, retryMs) => delays.push(retryMs),
    closed,
  }, { sleep: () => Promise.resolve(), maxDelayMs: 500 });
  assert.deepEqual(delays, [
    10,
    20,
    40,
    80,
    160,
    320,
    500,
    500,
    500,
    500,
    500,
    500,
  ]);
  // An error once the owner has closed the listener ends the loop without a report.
  let reported = 0;
  await acceptLoop({
    accept: () => Promise.reject(new Error("whatever")),
  }, {
    connection: () => {},
    error: () => reported++,
    closed: () => true,
  });
  assert.equal(reported, 0);
});

Deno.test("isPeerReset() tells a peer's reset from trouble of the listener", () => {
  assert.equal(isPeerReset(new Deno.errors.NotConnected("x")), true);
  assert.equal(isPeerReset(new Deno.errors.ConnectionAborted("x")), true);
  assert.equal(isPeerReset(EMFILE()), false);
});
