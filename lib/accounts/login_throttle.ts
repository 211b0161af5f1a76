/**
 * Failed-login throttling, per address and per account, shared by every listener that checks
 * passwords (OUCH, the ITCH feed, the web page). Pure: the time is an argument.
 *
 * @module
 */

/** How {@linkcode LoginThrottle} decides. */
export interface LoginThrottleOptions {
  /** Failed logins from one address within `windowMs` before it is locked. @default 5 */
  addressFailures?: number;
  /** Failed logins for one account (from any address) within `windowMs` before it is locked. @default 20 */
  accountFailures?: number;
  /** The window the failures are counted in, in milliseconds. @default 60000 */
  windowMs?: number;
  /** The first lockout, in milliseconds; each further failure doubles it. @default 1000 */
  firstLockoutMs?: number;
  /** The longest lockout, in milliseconds. @default 300000 */
  maxLockoutMs?: number;
  /** How many addresses, accounts and known-good pairs are remembered (the oldest are forgotten). @default 100000 */
  maxEntries?: number;
}

/** A lock that has just started, for the operator's console. */
export interface LoginLock {
  /** What is locked. */
  readonly kind: "address" | "account";
  /** The address or the account name. */
  readonly key: string;
  /** How long, in milliseconds. */
  readonly lockoutMs: number;
  /** Failed logins counted against it so far. */
  readonly failures: number;
}

/** What the throttle has done since it was made. */
export interface LoginThrottleStats {
  /** Password checks it allowed. */
  readonly checked: number;
  /** Checks that failed. */
  readonly failed: number;
  /** Attempts refused without a check. */
  readonly refused: number;
  /** Locks started. */
  readonly locks: number;
}

interface Strikes {
  windowStart: number;
  failures: number;
  /** How many lockouts so far: the next lasts `firstLockoutMs * 2 ** level`. */
  level: number;
  lockedUntil: number;
  lastFailure: number;
}

/**
 * Counts failed logins and refuses attempts, without checking their password, from an
 * address or for an account that failed too often:
 *
 * - an address is locked after `addressFailures` failures within `windowMs`;
 * - an account after `accountFailures` failures within `windowMs` from any addresses, except
 *   for an address that has logged in to it successfully (the real user is not locked out by
 *   someone guessing from elsewhere);
 * - the first lockout lasts `firstLockoutMs`; once locked, every further failure locks again
 *   for twice as long, up to `maxLockoutMs`; a success from the address, or a quiet window
 *   after the lock ends, forgets it.
 *
 * A refused attempt must be answered exactly like a wrong password, so a guesser learns
 * nothing; good logins cost two map lookups.
 *
 * @example Five wrong passwords lock the address for a second
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoginThrottle } from "./login_throttle.ts";
 *
 * const throttle = new LoginThrottle();
 * for (let i = 0; i < 5; i++) {
 *   assert.equal(throttle.attempt("10.0.0.9", "alice", 1000, () => false), "wrong");
 * }
 * // The right password is not even checked while the address is locked.
 * assert.equal(throttle.attempt("10.0.0.9", "alice", 1500, () => true), "refused");
 * assert.equal(throttle.attempt("10.0.0.9", "alice", 2000, () => true), "ok");
 * assert.deepEqual(throttle.stats, { checked: 6, failed: 5, refused: 1, locks: 1 });
 * ```
 */
export class LoginThrottle {
  readonly #addressFailures: number;
  readonly #accountFailures: number;
  readonly #windowMs: number;
  readonly #firstLockoutMs: number;
  readonly #maxLockoutMs: number;
  readonly #maxEntries: number;
  readonly #addresses = new Map<string, Strikes>();
  readonly #accounts = new Map<string, Strikes>();
  readonly #knownGood = new Map<string, true>();
  readonly #onLock: ((lock: LoginLock) => void) | undefined;
  #checked = 0;
  #failed = 0;
  #refused = 0;
  #locks = 0;

  /**
   * Makes a throttle.
   *
   * @param options Limits and durations.
   * @param onLock Told each time a lock starts.
   * @throws {RangeError} If a limit is not a positive safe integer.
   */
  constructor(
    options: LoginThrottleOptions = {},
    onLock?: (lock: LoginLock) => void,
  ) {
    const positive = (name: keyof LoginThrottleOptions, fallback: number) => {
      const value = options[name] ?? fallback;
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new RangeError(
          `Cannot throttle logins as ${name} must be a positive integer: current value is ${value}`,
        );
      }
      return value;
    };
    this.#addressFailures = positive("addressFailures", 5);
    this.#accountFailures = positive("accountFailures", 20);
    this.#windowMs = positive("windowMs", 60_000);
    this.#firstLockoutMs = positive("firstLockoutMs", 1000);
    this.#maxLockoutMs = Math.max(
      this.#firstLockoutMs,
      positive("maxLockoutMs", 300_000),
    );
    this.#maxEntries = positive("maxEntries", 100_000);
    this.#onLock = onLock;
  }

  /** What it has done so far. */
  get stats(): LoginThrottleStats {
    return {
      checked: this.#checked,
      failed: this.#failed,
      refused: this.#refused,
      locks: this.#locks,
    };
  }

  /**
   * One login attempt: refused without calling `check` while the address or the account is
   * locked, else `check` decides and the outcome is counted.
   *
   * @param address The peer's IP address.
   * @param account The username given.
   * @param nowMs Milliseconds on any monotonic clock.
   * @param check Checks the password: `true` when it is right.
   * @returns `ok` (checked, right), `wrong` (checked, wrong) or `refused` (not checked).
   */
  attempt(
    address: string,
    account: string,
    nowMs: number,
    check: () => boolean,
  ): "ok" | "wrong" | "refused" {
    if (!this.allowed(address, account, nowMs)) {
      this.#refused++;
      return "refused";
    }
    const ok = check();
    this.record(address, account, ok, nowMs);
    return ok ? "ok" : "wrong";
  }

  /**
   * Whether a password check may be made now (for a caller that checks elsewhere; follow it
   * with {@linkcode LoginThrottle.record}). A `false` is counted as refused.
   *
   * @param address The peer's IP address.
   * @param account The username given.
   * @param nowMs Milliseconds on any monotonic clock.
   * @returns `false` while the address, or the account for this address, is locked.
   */
  allowed(address: string, account: string, nowMs: number): boolean {
    const byAddress = this.#current(this.#addresses, address, nowMs);
    if (byAddress !== undefined && nowMs < byAddress.lockedUntil) return false;
    const byAccount = this.#current(this.#accounts, account, nowMs);
    if (
      byAccount !== undefined && nowMs < byAccount.lockedUntil &&
      !this.#knownGood.has(pair(account, address))
    ) {
      return false;
    }
    return true;
  }

  /**
   * Counts a password check's outcome.
   *
   * @param address The peer's IP address.
   * @param account The username given.
   * @param ok Whether the password was right.
   * @param nowMs Milliseconds on any monotonic clock.
   */
  record(address: string, account: string, ok: boolean, nowMs: number): void {
    this.#checked++;
    if (ok) {
      this.#addresses.delete(address);
      remember(this.#knownGood, pair(account, address), true, this.#maxEntries);
      return;
    }
    this.#failed++;
    this.#strike(this.#addresses, "address", address, nowMs);
    if (!this.#knownGood.has(pair(account, address))) {
      this.#strike(this.#accounts, "account", account, nowMs);
    }
  }

  /** The entry for `key`, forgotten once quiet for a window after its lock ended. */
  #current(
    table: Map<string, Strikes>,
    key: string,
    nowMs: number,
  ): Strikes | undefined {
    const entry = table.get(key);
    if (entry === undefined) return undefined;
    if (
      nowMs - Math.max(entry.lockedUntil, entry.lastFailure) >= this.#windowMs
    ) {
      table.delete(key);
      return undefined;
    }
    return entry;
  }

  #strike(
    table: Map<string, Strikes>,
    kind: "address" | "account",
    key: string,
    nowMs: number,
  ): void {
    let entry = this.#current(table, key, nowMs);
    if (entry === undefined) {
      entry = {
        windowStart: nowMs,
        failures: 0,
        level: 0,
        lockedUntil: 0,
        lastFailure: nowMs,
      };
    } else if (
      entry.level === 0 && nowMs - entry.windowStart >= this.#windowMs
    ) {
      entry.windowStart = nowMs;
      entry.failures = 0;
    }
    entry.failures++;
    entry.lastFailure = nowMs;
    const limit = kind === "address"
      ? this.#addressFailures
      : this.#accountFailures;
    if (entry.level > 0 || entry.failures >= limit) {
      const lockoutMs = Math.min(
        this.#firstLockoutMs * 2 ** entry.level,
        this.#maxLockoutMs,
      );
      entry.lockedUntil = Math.max(entry.lockedUntil, nowMs + lockoutMs);
      if (lockoutMs < this.#maxLockoutMs) entry.level++;
      this.#locks++;
      this.#onLock?.({ kind, key, lockoutMs, failures: entry.failures });
    }
    remember(table, key, entry, this.#maxEntries);
  }
}

function pair(account: string, address: string): string {
  return `${account}\n${address}`;
}

/** Sets `key` as the newest entry, forgetting the oldest beyond `max`. */
function remember<T>(
  table: Map<string, T>,
  key: string,
  value: T,
  max: number,
): void {
  table.delete(key);
  table.set(key, value);
  if (table.size > max) {
    table.delete(table.keys().next().value!);
  }
}
