import assert from "node:assert/strict";
import {
  type LoginLock,
  LoginThrottle,
} from "../../lib/accounts/login_throttle.ts";

const wrong = () => false;
const right = () => true;

Deno.test("login throttle: the 5th failure from an address locks it for 1 s; the 4th does not", () => {
  const locks: LoginLock[] = [];
  const throttle = new LoginThrottle({}, (lock) => locks.push(lock));
  for (let i = 0; i < 4; i++) {
    assert.equal(
      throttle.attempt("10.0.0.1", "alice", 100 * i, wrong),
      "wrong",
    );
  }
  assert.equal(throttle.allowed("10.0.0.1", "alice", 400), true);
  assert.deepEqual(locks, []);
  assert.equal(throttle.attempt("10.0.0.1", "alice", 400, wrong), "wrong");
  assert.deepEqual(locks, [{
    kind: "address",
    key: "10.0.0.1",
    lockoutMs: 1000,
    failures: 5,
  }]);
  // Locked: even the right password is not checked, for any account, until 1400.
  let checks = 0;
  const counted = () => (checks++, true);
  assert.equal(throttle.attempt("10.0.0.1", "alice", 401, counted), "refused");
  assert.equal(throttle.attempt("10.0.0.1", "bob", 1399, counted), "refused");
  assert.equal(checks, 0);
  // Another address is not affected.
  assert.equal(throttle.attempt("10.0.0.2", "alice", 500, right), "ok");
  assert.equal(throttle.attempt("10.0.0.1", "alice", 1400, right), "ok");
  assert.deepEqual(throttle.stats, {
    checked: 7,
    failed: 5,
    refused: 2,
    locks: 1,
  });
});

Deno.test("login throttle: each failure after a lock doubles the lockout up to the maximum", () => {
  const locks: number[] = [];
  const throttle = new LoginThrottle(
    { firstLockoutMs: 1000, maxLockoutMs: 8000, windowMs: 600_000 },
    (lock) => locks.push(lock.lockoutMs),
  );
  let now = 0;
  for (let i = 0; i < 5; i++) throttle.attempt("a", "alice", now, wrong);
  // Guess once at the end of every lockout.
  const until: number[] = [];
  for (let round = 0; round < 5; round++) {
    let t = now;
    while (!throttle.allowed("a", "alice", t)) t++;
    until.push(t - now);
    now = t;
    assert.equal(throttle.attempt("a", "alice", now, wrong), "wrong");
  }
  assert.deepEqual(locks, [1000, 2000, 4000, 8000, 8000, 8000]);
  assert.deepEqual(until, [1000, 2000, 4000, 8000, 8000]);
});

Deno.test("login throttle: a success from the address forgets its failures", () => {
  const throttle = new LoginThrottle();
  for (let i = 0; i < 4; i++) throttle.attempt("a", "alice", i, wrong);
  assert.equal(throttle.attempt("a", "alice", 10, right), "ok");
  for (let i = 0; i < 4; i++) {
    assert.equal(throttle.attempt("a", "alice", 20 + i, wrong), "wrong");
  }
  assert.equal(throttle.allowed("a", "alice", 30), true);
});

Deno.test("login throttle: failures spread over more than the window never lock", () => {
  const throttle = new LoginThrottle({ windowMs: 60_000 });
  // Four failures, then the window starts again: four more.
  for (let i = 0; i < 4; i++) throttle.attempt("a", "alice", i * 1000, wrong);
  for (let i = 0; i < 4; i++) {
    throttle.attempt("a", "alice", 60_000 + i * 1000, wrong);
  }
  assert.equal(throttle.allowed("a", "alice", 64_000), true);
  assert.equal(throttle.stats.locks, 0);
});

Deno.test("login throttle: a lock is forgotten a quiet window after it ends", () => {
  const throttle = new LoginThrottle({ windowMs: 60_000 });
  for (let i = 0; i < 5; i++) throttle.attempt("a", "alice", 0, wrong);
  assert.equal(throttle.allowed("a", "alice", 999), false);
  // At 1000 the lock has ended, but a failure would lock again for 2 s ...
  throttle.attempt("a", "alice", 1000, wrong);
  assert.equal(throttle.allowed("a", "alice", 2999), false);
  // ... until a window has passed since: then it starts from nothing.
  assert.equal(throttle.allowed("a", "alice", 63_000), true);
  for (let i = 0; i < 4; i++) throttle.attempt("a", "alice", 63_000, wrong);
  assert.equal(throttle.allowed("a", "alice", 63_000), true);
});

Deno.test("login throttle: 20 failures for an account from many addresses lock it, except from an address it logged in from", () => {
  const throttle = new LoginThrottle();
  assert.equal(throttle.attempt("home", "alice", 0, right), "ok");
  for (let i = 0; i < 19; i++) {
    throttle.attempt(`10.0.${i}.1`, "alice", 10, wrong);
  }
  assert.equal(throttle.allowed("10.9.9.9", "alice", 10), true);
  throttle.attempt("10.0.19.1", "alice", 10, wrong);
  assert.equal(throttle.allowed("10.9.9.9", "alice", 11), false);
  assert.equal(throttle.attempt("10.9.9.9", "alice", 11, right), "refused");
  // The real user still logs in; other accounts are not touched.
  assert.equal(throttle.attempt("home", "alice", 12, right), "ok");
  assert.equal(throttle.attempt("10.9.9.9", "bob", 12, right), "ok");
  assert.equal(throttle.allowed("10.9.9.9", "alice", 1010), true);
});

Deno.test("login throttle: the real user's own wrong passwords do not lock the account for others", () => {
  const throttle = new LoginThrottle({ addressFailures: 100 });
  throttle.attempt("home", "alice", 0, right);
  for (let i = 0; i < 30; i++) throttle.attempt("home", "alice", 1, wrong);
  assert.equal(throttle.allowed("office", "alice", 2), true);
});

Deno.test("login throttle: the tables keep at most maxEntries, forgetting the oldest", () => {
  const throttle = new LoginThrottle({ maxEntries: 3, addressFailures: 1 });
  for (const address of ["a", "b", "c", "d"]) {
    throttle.attempt(address, "x", 0, wrong);
  }
  // "a" was forgotten to make room for "d"; the others are still locked.
  assert.equal(throttle.allowed("a", "y", 1), true);
  assert.equal(throttle.allowed("b", "y", 1), false);
  assert.equal(throttle.allowed("d", "y", 1), false);
});

Deno.test("login throttle: a limit that is not a positive integer is refused", () => {
  assert.throws(
    () => new LoginThrottle({ addressFailures: 0 }),
    {
      name: "RangeError",
      message:
        "Cannot throttle logins as addressFailures must be a positive integer: current value is 0",
    },
  );
  assert.throws(() => new LoginThrottle({ windowMs: 1.5 }), RangeError);
});
