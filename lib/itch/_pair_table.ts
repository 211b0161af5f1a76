// Private: a hash table from pairs of int32 keys to non-negative int32 values, in one
// Int32Array with open addressing and linear probing. The book builder keys orders by the
// two halves of their Order Number and price levels by (book and side, price), so that no
// bigint, string or object is made per message.

/** "No entry", as values and as the value slot of an empty slot. */
export const ABSENT = -1;

/** Slots per entry: key a, key b, value, unused (a power of two for shifts). */
export const PAIR_SHIFT = 2;
const SHIFT = PAIR_SHIFT;
/** Offsets in an entry's slots. */
export const PAIR_A = 0;
export const PAIR_B = 1;
export const PAIR_VALUE = 2;
/**
 * The value slot of an empty entry: a value is stored plus one, so that a fresh (zeroed)
 * `Int32Array` is an empty table with no fill and its untouched pages stay unmapped.
 */
export const PAIR_EMPTY = 0;
const A = PAIR_A;
const B = PAIR_B;
const VALUE = PAIR_VALUE;

/**
 * The home slot of (a, b) in a table whose `shift` is given: the hash's top bits.
 * `BookBuilder`'s inlined probes compute the same.
 */
export function pairHome(a: number, b: number, shift: number): number {
  return Math.imul(b ^ Math.imul(a, 0x85ebca6b), 0x9e3779b1) >>> shift;
}

/**
 * A map from (a, b) int32 pairs to int32 values from 0 to 2^31 - 2.
 *
 * The fields are public so that the book builder's hot loop can probe, fill and empty
 * `slots` with no call; it keeps the invariants the methods keep: an entry is added only
 * while the load stays at most one half, with its value plus one, counted in `size`, and
 * removed by the backward shift of `deleteAt`.
 */
export class PairTable {
  /** The entries, `PAIR_SHIFT` int32 each: a, b, value plus one (`PAIR_EMPTY`: none). */
  slots: Int32Array;
  /** Capacity minus 1. */
  mask: number;
  /** 32 minus log2 of the capacity: the hash's top bits pick the slot. */
  shift: number;
  /** The number of entries. */
  size = 0;

  /** Creates a table for at least `capacity` entries before it grows (a power of two). */
  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size << SHIFT);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
  }

  /** The value of (a, b), or `ABSENT`. */
  get(a: number, b: number): number {
    const slot = this.find(a, b);
    return slot === ABSENT ? ABSENT : this.slots[(slot << SHIFT) + VALUE]! - 1;
  }

  /** The slot of (a, b), for `valueAt` and `deleteAt`; `ABSENT` when it is not there. */
  find(a: number, b: number): number {
    const slots = this.slots;
    const mask = this.mask;
    let slot = pairHome(a, b, this.shift);
    while (true) {
      const at = slot << SHIFT;
      if (slots[at + VALUE] === PAIR_EMPTY) return ABSENT;
      if (slots[at + B] === b && slots[at + A] === a) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** The value in a slot `find` returned. */
  valueAt(slot: number): number {
    return this.slots[(slot << SHIFT) + VALUE]! - 1;
  }

  /**
   * Adds (a, b) → `value` unless (a, b) is there already.
   *
   * @returns `ABSENT` when added; the value already there otherwise (nothing changes).
   */
  add(a: number, b: number, value: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.#grow();
    const slots = this.slots;
    const mask = this.mask;
    let slot = pairHome(a, b, this.shift);
    while (true) {
      const at = slot << SHIFT;
      const found = slots[at + VALUE]!;
      if (found === PAIR_EMPTY) {
        slots[at + A] = a;
        slots[at + B] = b;
        slots[at + VALUE] = value + 1;
        this.size++;
        return ABSENT;
      }
      if (slots[at + B] === b && slots[at + A] === a) return found - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** Removes (a, b); returns its value or `ABSENT`. */
  delete(a: number, b: number): number {
    const slot = this.find(a, b);
    return slot === ABSENT ? ABSENT : this.deleteAt(slot);
  }

  /**
   * Removes the entry in a slot `find` returned; returns its value. Later entries of its run
   * shift back, so no slot is left marked deleted.
   */
  deleteAt(slot: number): number {
    const slots = this.slots;
    const mask = this.mask;
    const shift = this.shift;
    const value = slots[(slot << SHIFT) + VALUE]! - 1;
    let hole = slot;
    let next = hole;
    while (true) {
      next = (next + 1) & mask;
      const at = next << SHIFT;
      if (slots[at + VALUE] === PAIR_EMPTY) break;
      const home = pairHome(slots[at + A]!, slots[at + B]!, shift);
      // The entry stays if its home lies cyclically in (hole, next].
      if (
        hole <= next ? hole < home && home <= next : hole < home || home <= next
      ) {
        continue;
      }
      const to = hole << SHIFT;
      slots[to + A] = slots[at + A]!;
      slots[to + B] = slots[at + B]!;
      slots[to + VALUE] = slots[at + VALUE]!;
      hole = next;
    }
    slots[(hole << SHIFT) + VALUE] = PAIR_EMPTY;
    this.size--;
    return value;
  }

  #grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    const slots = new Int32Array(size << SHIFT);
    this.slots = slots;
    this.mask = size - 1;
    this.shift--;
    const mask = this.mask;
    for (let at = 0; at < old.length; at += 1 << SHIFT) {
      const value = old[at + VALUE]!;
      if (value === PAIR_EMPTY) continue;
      const a = old[at + A]!;
      const b = old[at + B]!;
      let slot = pairHome(a, b, this.shift);
      while (slots[(slot << SHIFT) + VALUE] !== PAIR_EMPTY) {
        slot = (slot + 1) & mask;
      }
      const to = slot << SHIFT;
      slots[to + A] = a;
      slots[to + B] = b;
      slots[to + VALUE] = value;
    }
  }
}
