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

/** Appends state values to a growing buffer. */
export class StateWriter {
  #bytes = new Uint8Array(1 << 16);
  #view = new DataView(this.#bytes.buffer);
  #at = 0;

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
    if (Array.isArray(value)) {
      this.#tag(ARRAY);
      this.uint32(value.length);
      for (const item of value) this.value(item);
      return;
    }
    if (value instanceof Int32Array || value instanceof Float64Array) {
      this.#tag(value instanceof Int32Array ? INT32 : FLOAT64);
      this.uint32(value.length);
      this.raw(
        new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
      );
      return;
    }
    if (typeof value === "object" && Object.getPrototypeOf(value) !== null) {
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype) {
        throw new TypeError(
          `Cannot encode state as it holds a ${
            proto.constructor?.name ?? "non-plain object"
          }`,
        );
      }
    }
    if (typeof value !== "object") {
      throw new TypeError(`Cannot encode state as it holds a ${typeof value}`);
    }
    const entries = Object.entries(value);
    this.#tag(OBJECT);
    this.uint32(entries.length);
    for (const [key, item] of entries) {
      this.#string(key);
      this.value(item);
    }
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
