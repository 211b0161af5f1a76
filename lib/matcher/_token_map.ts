/**
 * A hash map from Order Token (a non-zero uint32) to a value: open addressing with
 * linear probing and backward-shift deletion, keys in a `Uint32Array`. Unlike a
 * `Map<number, V>`, consecutive tokens land in neighbouring slots, which keeps the hot
 * path in cache with hundreds of thousands of live orders; it allocates only to grow.
 *
 * @module
 */

const MIN_CAPACITY = 64;
const BLOCK_BITS = 6;
const BLOCK_MASK = (1 << BLOCK_BITS) - 1;

/**
 * The home slot of `key`. Tokens mostly come in sequence, so the low 6 bits pick a slot
 * inside a block of 64 and Fibonacci hashing of the rest picks the block: consecutive
 * tokens share cache lines, and strided or sparse tokens still spread over the table.
 */
function slotOf(key: number, shift: number, mask: number): number {
  return (((Math.imul(key >>> BLOCK_BITS, 0x9e3779b1) >>> shift) <<
    BLOCK_BITS) |
    (key & BLOCK_MASK)) & mask;
}

/** The shift that leaves as many top bits as there are blocks in `capacity` slots. */
function blockShift(capacity: number): number {
  return 32 - Math.log2(capacity) + BLOCK_BITS;
}

/** Maps non-zero uint32 tokens to values. `0` is the empty-slot marker. */
export class TokenMap<V> {
  #keys: Uint32Array;
  #values: (V | undefined)[];
  #mask: number;
  /** See {@linkcode slotOf}. */
  #shift: number;
  #size = 0;

  /** Creates an empty map; `capacity` must be a power of two. */
  constructor(capacity = MIN_CAPACITY) {
    this.#keys = new Uint32Array(capacity);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
    this.#shift = blockShift(capacity);
  }

  /** Number of entries. */
  get size(): number {
    return this.#size;
  }

  /** The value of `key`, or `undefined`. */
  get(key: number): V | undefined {
    if (key === 0) return undefined;
    const keys = this.#keys;
    const mask = this.#mask;
    const shift = this.#shift;
    let i = slotOf(key, shift, mask);
    for (;;) {
      const k = keys[i]!;
      if (k === key) return this.#values[i];
      if (k === 0) return undefined;
      i = (i + 1) & mask;
    }
  }

  /** Sets `key` (a non-zero uint32) to `value`. */
  set(key: number, value: V): void {
    const keys = this.#keys;
    const mask = this.#mask;
    const shift = this.#shift;
    let i = slotOf(key, shift, mask);
    for (;;) {
      const k = keys[i]!;
      if (k === key) {
        this.#values[i] = value;
        return;
      }
      if (k === 0) break;
      i = (i + 1) & mask;
    }
    keys[i] = key;
    this.#values[i] = value;
    if (++this.#size * 2 > keys.length) this.#grow();
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: number): boolean {
    if (key === 0) return false;
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    const shift = this.#shift;
    let i = slotOf(key, shift, mask);
    for (;;) {
      const k = keys[i]!;
      if (k === key) break;
      if (k === 0) return false;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: move later entries of the probe run into the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = keys[j]!;
      if (k === 0) break;
      const home = slotOf(k, shift, mask);
      // Move k into the hole at i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        keys[i] = k;
        values[i] = values[j];
        i = j;
      }
    }
    keys[i] = 0;
    values[i] = undefined;
    this.#size--;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.#keys = new Uint32Array(MIN_CAPACITY);
    this.#values = new Array<V | undefined>(MIN_CAPACITY).fill(undefined);
    this.#mask = MIN_CAPACITY - 1;
    this.#shift = blockShift(MIN_CAPACITY);
    this.#size = 0;
  }

  /** The values, in no particular order. */
  values(): V[] {
    const out: V[] = [];
    const keys = this.#keys;
    const values = this.#values;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== 0) out.push(values[i]!);
    }
    return out;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    const capacity = oldKeys.length * 2;
    const keys = new Uint32Array(capacity);
    const values = new Array<V | undefined>(capacity).fill(undefined);
    const mask = capacity - 1;
    const shift = blockShift(capacity);
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k === 0) continue;
      let i = slotOf(k, shift, mask);
      while (keys[i] !== 0) i = (i + 1) & mask;
      keys[i] = k;
      values[i] = oldValues[j];
    }
    this.#keys = keys;
    this.#values = values;
    this.#mask = mask;
    this.#shift = shift;
  }
}
