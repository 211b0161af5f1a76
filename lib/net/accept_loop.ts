/**
 * The accept loop of a TCP listener that survives what `accept()` throws while the listener
 * is still open: a connection reset before it was accepted (`NotConnected`, ENOTCONN), the
 * descriptor limit (EMFILE, "Too many open files"), and anything else. Each error is
 * reported with the delay before the next attempt; at the descriptor limit and for unknown
 * errors the delay backs off (so a full descriptor table does not spin a core), and a
 * successful accept resets it. Only the listener's own closing ends the loop.
 *
 * @module
 */

/** What {@linkcode acceptLoop} calls. */
export interface AcceptLoopHandler<C> {
  /** A new connection. */
  connection(conn: C): void;
  /** `accept()` failed while the listener is open; the next attempt is in `retryMs`. */
  error(error: unknown, retryMs: number): void;
  /** Whether the owner has closed the listener: the loop ends at its next error. */
  closed(): boolean;
}

/** Timing of {@linkcode acceptLoop}. */
export interface AcceptLoopOptions {
  /** The first back-off delay. @default {10} */
  minDelayMs?: number;
  /** The longest back-off delay. @default {1000} */
  maxDelayMs?: number;
  /** Waits `ms` milliseconds. @default {a timer} */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Whether an accept error is a connection the peer reset before it was accepted: nothing
 * is wrong with the listener, so the next accept follows at once.
 *
 * @param error What `accept()` threw.
 * @returns `true` for ENOTCONN, ECONNRESET and ECONNABORTED.
 */
export function isPeerReset(error: unknown): boolean {
  return error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted;
}

/**
 * Accepts connections until the listener is closed, surviving every other error.
 *
 * @param listener What to accept from.
 * @param handler Where connections and errors go.
 * @param options Back-off timing.
 * @returns A promise that settles when the listener has been closed.
 *
 * @example A reset connection does not stop the loop
 * ```ts
 * import { acceptLoop } from "./accept_loop.ts";
 * import assert from "node:assert/strict";
 *
 * const script: (string | Error)[] = [new Deno.errors.NotConnected("reset"), "a", "b"];
 * let closed = false;
 * const seen: string[] = [];
 * const listener = {
 *   accept: () => {
 *     const next = script.shift();
 *     if (next === undefined) {
 *       closed = true;
 *       return Promise.reject(new Deno.errors.BadResource("closed"));
 *     }
 *     return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
 *   },
 * };
 * await acceptLoop(listener, {
 *   connection: (conn) => seen.push(conn),
 *   error: (error, retryMs) => seen.push(`${(error as Error).name} ${retryMs}`),
 *   closed: () => closed,
 * });
 * assert.deepEqual(seen, ["NotConnected 0", "a", "b"]);
 * ```
 */
export async function acceptLoop<C>(
  listener: { accept(): Promise<C> },
  handler: AcceptLoopHandler<C>,
  options: AcceptLoopOptions = {},
): Promise<void> {
  const minDelayMs = options.minDelayMs ?? 10;
  const maxDelayMs = options.maxDelayMs ?? 1000;
  const sleep = options.sleep ??
    ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let delayMs = 0;
  while (true) {
    let conn: C;
    try {
      conn = await listener.accept();
    } catch (error) {
      if (
        handler.closed() || error instanceof Deno.errors.BadResource ||
        error instanceof Deno.errors.Interrupted
      ) {
        return; // the listener was closed
      }
      const retryMs = isPeerReset(error) ? 0 : (delayMs = Math.min(
        maxDelayMs,
        delayMs === 0 ? minDelayMs : delayMs * 2,
      ));
      handler.error(error, retryMs);
      if (retryMs > 0) await sleep(retryMs);
      continue;
    }
    delayMs = 0;
    handler.connection(conn);
  }
}
