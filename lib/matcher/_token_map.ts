/**
 * A hash map from Order Token (a non-zero uint32) to an order handle (a non-negative
 * int32), for the tokens a {@linkcode TokenIndex} leaves behind its window: open addressing with linear probing and backward-shift deletion, keys and
 * values interleaved in one `Int32Array`, so the garbage collector has nothing to trace
 * and it allocates only to grow.
 *
 * Tokens mostly come in sequence, so a token's home slot is the token itself modulo the
 * capacity: consecutive tokens take consecutive slots, which neither collide nor leave
 * the cache, however many orders are live. The map tracks the largest distance of any
 * entry from its home slot, which bounds every search, so long runs of neighbouring
 * entries cost nothing. Should tokens alias (a stride of a large power of two, say) so
 * that an entry lands too far from home, the map switches for good to Fibonacci
 * hashing, which spreads any pattern evenly.
 *
 * @module
 */

const MIN_CAPACITY = 64;
/** An entry this far from home in low-bits mode switches the map to hashed slots. */
const MAX_DISTANCE = 32;
/** 2^32 / golden ratio, for Fibonacci hashing. */
const GOLDEN = 0x9e3779b9;

/** The state of a {@linkcode TokenMap}, for an engine snapshot. */
export interface TokenMapState {
  table: Int32Array;
  bits: number;
  hashed: boolean;
  distance: number;
  size: number;
}

/**
 * Maps non-zero uint32 tokens to non-negative int32 values. Slot `i` is the pair at
 * `2i` (the key's bits as an int32, `0` when empty) and `2i + 1` (the value).
 */
export class TokenMap {
  #table: Int32Array;
  #mask: number;
  /** `log2(capacity)`. */
  #bits: number;
  /** Whether home slots are Fibonacci hashes rather than the token's low bits. */
  #hashed = false;
  /** No entry is farther than this from its home slot. */
  #distance = 0;
  #size = 0;

  /** Creates an empty map; `capacity` must be a power of two. */
  constructor(capacity = MIN_CAPACITY) {
    this.#table = new Int32Array(capacity * 2);
    this.#mask = capacity - 1;
    this.#bits = Math.log2(capacity);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** The map's whole state; the table is a view. */
  exportState(): TokenMapState {
    return {
      table: this.#table.subarray(0),
      bits: this.#bits,
      hashed: this.#hashed,
      distance: this.#distance,
      size: this.#size,
    };
  }

  /** Takes a copy of an exported state. */
  importState(state: TokenMapState): void {
    if (state.table.length !== 2 << state.bits) {
      throw new RangeError(
        `Cannot restore a token map: its table has ${state.table.length} slots for ${state.bits} bits`,
      );
    }
    this.#table = state.table.slice();
    this.#bits = state.bits;
    this.#mask = (1 << state.bits) - 1;
    this.#hashed = state.hashed;
    this.#distance = state.distance;
    this.#size = state.size;
  }

  /** Whether the map switched to hashed slots. */
  get hashed(): boolean {
    return this.#hashed;
  }

  /** The value of `key`, or `-1`. */
  get(key: number): number {
    const i = this.#find(key | 0);
    return i < 0 ? -1 : this.#table[(i << 1) | 1]!;
  }

  /** Sets `key` (a non-zero uint32) to `value` (a non-negative int32). */
  set(key: number, value: number): void {
    const bits = key | 0;
    const found = this.#find(bits);
    if (found >= 0) {
      this.#table[(found << 1) | 1] = value;
      return;
    }
    for (;;) {
      const table = this.#table;
      const mask = this.#mask;
      let i = this.#home(bits);
      let distance = 0;
      while (table[i << 1] !== 0) {
        i = (i + 1) & mask;
        distance++;
      }
      if (distance > MAX_DISTANCE && !this.#hashed) {
        this.#hashed = true;
        this.#rehash(mask + 1);
        continue;
      }
      table[i << 1] = bits;
      table[(i << 1) | 1] = value;
      if (distance > this.#distance) this.#distance = distance;
      if (++this.#size * 2 > mask + 1) this.#rehash((mask + 1) * 2);
      return;
    }
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: number): boolean {
    let i = this.#find(key | 0);
    if (i < 0) return false;
    const table = this.#table;
    const mask = this.#mask;
    const distance = this.#distance;
    // Backward-shift deletion: move a later entry of the run whose home is not in
    // (i, j] into the hole. An entry more than `distance` past the hole cannot be one.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (((j - i) & mask) > distance) break;
      const k = table[j << 1]!;
      if (k === 0) break;
      const home = this.#home(k);
      if (((j - home) & mask) >= ((j - i) & mask)) {
        table[i << 1] = k;
        table[(i << 1) | 1] = table[(j << 1) | 1]!;
        i = j;
      }
    }
    table[i << 1] = 0;
    table[(i << 1) | 1] = 0;
    this.#size--;
    return true;
  }

  /** The values, in no particular order. */
  values(): number[] {
    const out: number[] = [];
    const table = this.#table;
    for (let i = 0; i < table.length; i += 2) {
      if (table[i] !== 0) out.push(table[i + 1]!);
    }
    return out;
  }

  /** The slot of a key given as int32 bits, or `-1`. */
  #find(bits: number): number {
    if (bits === 0) return -1;
    const table = this.#table;
    const mask = this.#mask;
    let i = this.#home(bits);
    for (let d = this.#distance; d >= 0; d--) {
      const k = table[i << 1]!;
      if (k === bits) return i;
      if (k === 0) return -1;
      i = (i + 1) & mask;
    }
    return -1;
  }

  /** The home slot of a key given as int32 bits. */
  #home(bits: number): number {
    return this.#hashed
      ? Math.imul(bits, GOLDEN) >>> (32 - this.#bits)
      : bits & this.#mask;
  }

  /** Re-inserts every entry into a table of `capacity` slots. */
  #rehash(capacity: number): void {
    const old = this.#table;
    const table = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    this.#table = table;
    this.#mask = mask;
    this.#bits = Math.log2(capacity);
    let longest = 0;
    for (let j = 0; j < old.length; j += 2) {
      const k = old[j]!;
      if (k === 0) continue;
      let i = this.#home(k);
      let distance = 0;
      while (table[i << 1] !== 0) {
        i = (i + 1) & mask;
        distance++;
      }
      table[i << 1] = k;
      table[(i << 1) | 1] = old[j + 1]!;
      if (distance > longest) longest = distance;
    }
    this.#distance = longest;
  }
}
