/**
 * The live orders of one account by Order Token: token → order handle.
 *
 * An account's tokens only grow (a new order's token must be above every token the
 * account used today), and clients mostly count them up by one. So the index is a
 * window of consecutive tokens, `[base, base + window.length)`, kept in an `Int32Array`
 * indexed by `token - base`: adding, finding and removing an order is one array access,
 * with no hashing, no probing and 4 bytes per token. When a new token falls past the
 * window, the window doubles if at least a quarter of it is live, and otherwise slides
 * on by half, moving the live orders it leaves behind to a {@linkcode TokenMap}; a token
 * far ahead of the window moves every live order there and restarts the window at it.
 * Sparse tokens, long-lived stragglers and jumps thus end up in the hash map, and the
 * window stays in proportion to the orders it holds.
 *
 * @module
 */

import { TokenMap, type TokenMapState } from "./_token_map.ts";

const MIN_WINDOW = 1024;
/** The window grows no larger than this (4 MiB); beyond, it slides. */
const MAX_WINDOW = 1 << 20;

/** The state of a {@linkcode TokenIndex}, for an engine snapshot. */
export interface TokenIndexState {
  window: Int32Array;
  base: number;
  live: number;
  behind: TokenMapState;
}

/** Maps the live tokens of one account to order handles (non-negative int32). */
export class TokenIndex {
  /** `handle + 1` of the order at each token of the window, `0` for none. */
  #window: Int32Array = new Int32Array(MIN_WINDOW);
  /** The token at the start of the window; `-1` until the first `add`. */
  #base = -1;
  /** Live orders in the window. */
  #live = 0;
  /** Live orders whose tokens are below the window. */
  readonly #behind: TokenMap = new TokenMap();

  /** The index's whole state; arrays are views. */
  exportState(): TokenIndexState {
    return {
      window: this.#window.subarray(0),
      base: this.#base,
      live: this.#live,
      behind: this.#behind.exportState(),
    };
  }

  /** Takes a copy of an exported state. */
  importState(state: TokenIndexState): void {
    this.#window = state.window.slice();
    this.#base = state.base;
    this.#live = state.live;
    this.#behind.importState(state.behind);
  }

  /** Number of live orders. */
  get size(): number {
    return this.#live + this.#behind.size;
  }

  /** The handle of the order with `token`, or `-1`. */
  get(token: number): number {
    const at = token - this.#base;
    if (at >= 0 && at < this.#window.length) return this.#window[at]! - 1;
    return this.#behind.size === 0 ? -1 : this.#behind.get(token);
  }

  /**
   * Adds the order `handle` with `token`, a uint32 not added before: above every token
   * added before is the fast case; one below the window (an account's OUCH tokens after
   * one of the web page's range) is kept in the map behind it.
   */
  add(token: number, handle: number): void {
    let at = token - this.#base;
    if (this.#base >= 0 && at < 0) {
      this.#behind.set(token, handle);
      return;
    }
    if (this.#base < 0) {
      this.#base = token;
      at = 0;
    } else if (at >= this.#window.length) {
      this.#reach(token);
      at = token - this.#base;
    }
    this.#window[at] = handle + 1;
    this.#live++;
  }

  /** Removes `token`; returns whether it was live. */
  delete(token: number): boolean {
    const at = token - this.#base;
    if (at >= 0 && at < this.#window.length) {
      const window = this.#window;
      if (window[at] === 0) return false;
      window[at] = 0;
      this.#live--;
      return true;
    }
    return this.#behind.delete(token);
  }

  /** The handles, in no particular order. */
  values(): number[] {
    const out = this.#behind.values();
    const window = this.#window;
    for (let i = 0; i < window.length; i++) {
      if (window[i] !== 0) out.push(window[i]! - 1);
    }
    return out;
  }

  /** Moves or grows the window until it covers `token`, which is past its end. */
  #reach(token: number): void {
    let length = this.#window.length;
    if (this.#live === 0 || token - this.#base >= 2 * length) {
      // Far ahead, or nothing to keep: restart the window at the token.
      this.#spill(length);
      this.#base = token;
      return;
    }
    while (token - this.#base >= length) {
      if (this.#live * 4 >= length && length < MAX_WINDOW) {
        const grown = new Int32Array(length * 2);
        grown.set(this.#window);
        this.#window = grown;
        length *= 2;
      } else {
        const half = length >>> 1;
        this.#spill(half);
        const window = this.#window;
        window.copyWithin(0, half);
        window.fill(0, half);
        this.#base += half;
      }
    }
  }

  /** Moves the live orders of the first `count` tokens of the window behind it. */
  #spill(count: number): void {
    const window = this.#window;
    const base = this.#base;
    for (let i = 0; i < count; i++) {
      const value = window[i]!;
      if (value !== 0) {
        this.#behind.set(base + i, value - 1);
        window[i] = 0;
        this.#live--;
      }
    }
  }
}
