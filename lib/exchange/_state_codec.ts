/**
 * A compact binary form of state trees (for engine snapshots): `undefined`, `null`,
 * booleans, numbers, strings, bigints, arrays, plain objects, `Int32Array` and
 * `Float64Array`. Typed arrays are copied as their bytes in the host's byte order; the
 * snapshot header records it.
 *
 * @module
 */
import { RecordError } from "./record.ts";

const UNDEFINED = 0;
const NULL = 1;
const FALSE = 2;
const TRUE = 3;
const NUMBER = 4;
const STRING = 5;
const BIGINT = 6;
const ARRAY = 7;
const OBJECT = 8;
const INT32 = 9;
const FLOAT64 = 10;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Items of an array or object written between two yields of {@linkcode StateWriter.steps}. */
const STEP_ITEMS = 4096;
/** Bytes of a typed array copied between two yields of {@linkcode StateWriter.steps}. */
const STEP_BYTES = 1 << 18;

/** Throws unless `value` is a plain object (of `Object.prototype` or none). */
function checkPlain(value: object): void {
  const proto = Object.getPrototypeOf(value);
  if (proto !== null && proto !== Object.prototype) {
    throw new TypeError(
      `Cannot encode state as it holds a ${
        proto.constructor?.name ?? "non-plain object"
      }`,
    );
  }
}

/**
 * A deep copy of a state tree that shares no mutable memory with it (typed arrays, arrays
 * and objects are copied; strings and other primitives are immutable), and the number of
 * bytes {@linkcode StateWriter} will need for it (exact for ASCII strings; more text only
 * grows the writer).
 *
 * @param value The tree.
 * @param copy Whether to copy it, or only measure it (the tree is returned as is).
 * @returns The copy (or the tree) and its encoded size.
 * @throws {TypeError} For anything else than the kinds listed in the module.
 */
export function prepareState(
  value: unknown,
  copy: boolean,
): { state: unknown; size: number } {
  let size = 0;
  const walk = (value: unknown): unknown => {
    switch (typeof value) {
      case "number":
        size += 9;
        return value;
      case "string":
        size += 5 + value.length;
        return value;
      case "bigint":
        size += 25;
        return value;
      case "object":
        break;
      default:
        size += 1;
        return value;
    }
    if (value === null) {
      size += 1;
      return value;
    }
    if (Array.isArray(value)) {
      size += 5;
      // Strings (a Client Reference per order) are measured in line: most items are.
      const out: unknown[] = copy ? value.slice() : value;
      for (let i = 0; i < out.length; i++) {
        const item: unknown = out[i];
        if (typeof item === "string") size += 5 + item.length;
        else if (copy) out[i] = walk(item);
        else walk(item);
      }
      return out;
    }
    if (value instanceof Int32Array || value instanceof Float64Array) {
      size += 5 + value.byteLength;
      return copy ? value.slice() : value;
    }
    checkPlain(value);
    const out: Record<string, unknown> = {};
    size += 5;
    for (const [key, item] of Object.entries(value)) {
      size += 4 + key.length;
      out[key] = walk(item);
    }
    return copy ? out : value;
  };
  const state = walk(value);
  return { state, size };
}

/** Appends state values to a growing buffer. */
export class StateWriter {
  #bytes: Uint8Array;
  #view: DataView;
  #at = 0;

  /**
   * Makes an empty writer.
   *
   * @param capacity The bytes to start with (it grows by doubling past them). @default {65536}
   */
  constructor(capacity = 1 << 16) {
    this.#bytes = new Uint8Array(capacity);
    this.#view = new DataView(this.#bytes.buffer);
  }

  /** The bytes written so far (a view of the writer's buffer). */
  get bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#at);
  }

  /** Reserves `count` bytes and returns where they start. */
  #room(count: number): number {
    const at = this.#at;
    if (at + count > this.#bytes.length) {
      let size = this.#bytes.length * 2;
      while (size < at + count) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#bytes.subarray(0, at));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    this.#at = at + count;
    return at;
  }

  /** Writes a 32-bit unsigned integer. */
  uint32(value: number): void {
    const at = this.#room(4);
    this.#view.setUint32(at, value);
  }

  #tag(tag: number): void {
    const at = this.#room(1);
    this.#bytes[at] = tag;
  }

  /** Writes raw bytes. */
  raw(bytes: Uint8Array): void {
    const at = this.#room(bytes.length);
    this.#bytes.set(bytes, at);
  }

  #string(value: string): void {
    const bytes = encoder.encode(value);
    this.uint32(bytes.length);
    this.raw(bytes);
  }

  /**
   * Writes one value.
   *
   * @throws {TypeError} For anything else than the kinds listed in the module.
   */
  value(value: unknown): void {
    const steps = this.steps(value);
    while (steps.next().done !== true);
  }

  /**
   * Writes one value a piece at a time: the same bytes as {@linkcode StateWriter.value},
   * pausing at each `yield` (every few thousand items of an array or object, every 256 KiB
   * of a typed array), so that a caller can spread a large state over several turns. The
   * value must not change until the steps are done.
   *
   * @throws {TypeError} For anything else than the kinds listed in the module.
   */
  *steps(value: unknown): Generator<void, void, void> {
    if (typeof value !== "object" || value === null) {
      return this.#scalar(value);
    }
    if (Array.isArray(value)) {
      this.#tag(ARRAY);
      this.uint32(value.length);
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === "object" && item !== null) yield* this.steps(item);
        else this.#scalar(item);
        if (i % STEP_ITEMS === STEP_ITEMS - 1) yield;
      }
      return;
    }
    if (value instanceof Int32Array || value instanceof Float64Array) {
      this.#tag(value instanceof Int32Array ? INT32 : FLOAT64);
      this.uint32(value.length);
      const bytes = new Uint8Array(
        value.buffer,
        value.byteOffset,
        value.byteLength,
      );
      for (let at = 0; at < bytes.length; at += STEP_BYTES) {
        if (at > 0) yield;
        this.raw(bytes.subarray(at, at + STEP_BYTES));
      }
      return;
    }
    checkPlain(value);
    const entries = Object.entries(value);
    this.#tag(OBJECT);
    this.uint32(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const [key, item] = entries[i]!;
      this.#string(key);
      if (typeof item === "object" && item !== null) yield* this.steps(item);
      else this.#scalar(item);
      if (i % STEP_ITEMS === STEP_ITEMS - 1) yield;
    }
  }

  #scalar(value: unknown): void {
    if (value === undefined) return this.#tag(UNDEFINED);
    if (value === null) return this.#tag(NULL);
    switch (typeof value) {
      case "boolean":
        return this.#tag(value ? TRUE : FALSE);
      case "number": {
        this.#tag(NUMBER);
        const at = this.#room(8);
        this.#view.setFloat64(at, value);
        return;
      }
      case "string":
        this.#tag(STRING);
        this.#string(value);
        return;
      case "bigint":
        this.#tag(BIGINT);
        this.#string(value.toString());
        return;
    }
    throw new TypeError(`Cannot encode state as it holds a ${typeof value}`);
  }
}

/** Reads state values written by {@linkcode StateWriter}. */
export class StateReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #at: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#at = start;
    this.#end = end;
  }

  /** Whether every byte was read. */
  get done(): boolean {
    return this.#at === this.#end;
  }

  #take(count: number): number {
    const at = this.#at;
    if (count > this.#end - at) {
      throw new RecordError(
        `Cannot read the snapshot's state: it ends inside a value at byte ${at}`,
        at,
      );
    }
    this.#at = at + count;
    return at;
  }

  #uint32(): number {
    return this.#view.getUint32(this.#take(4));
  }

  #string(): string {
    const length = this.#uint32();
    const at = this.#take(length);
    return decoder.decode(this.#bytes.subarray(at, at + length));
  }

  /**
   * Reads one value.
   *
   * @throws {RecordError} When the bytes are not a value.
   */
  value(): unknown {
    const at = this.#take(1);
    const tag = this.#bytes[at];
    switch (tag) {
      case UNDEFINED:
        return undefined;
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case NUMBER:
        return this.#view.getFloat64(this.#take(8));
      case STRING:
        return this.#string();
      case BIGINT:
        return BigInt(this.#string());
      case ARRAY: {
        const length = this.#uint32();
        const out = new Array<unknown>(length);
        for (let i = 0; i < length; i++) out[i] = this.value();
        return out;
      }
      case OBJECT: {
        const count = this.#uint32();
        const out: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.#string();
          out[key] = this.value();
        }
        return out;
      }
      case INT32:
      case FLOAT64: {
        const length = this.#uint32();
        const size = tag === INT32 ? 4 : 8;
        const start = this.#take(length * size);
        const copy = this.#bytes.slice(start, start + length * size);
        return tag === INT32
          ? new Int32Array(copy.buffer)
          : new Float64Array(copy.buffer);
      }
    }
    throw new RecordError(
      `Cannot read the snapshot's state: unknown value tag ${tag} at byte ${at}`,
      at,
    );
  }
}
