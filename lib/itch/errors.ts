/**
 * Typed errors of the market-data layer.
 *
 * Decoding errors extend `SyntaxError` (the input cannot be parsed) and carry the byte
 * `offset` where the problem lies. Encoding errors extend `RangeError` (a value does not fit
 * its field) and name the message, the field, the value and the rule. A feed that decodes
 * but does not make a consistent book (an unknown order, a duplicate Order Number) is an
 * {@linkcode ItchBookError}.
 *
 * @module
 */

/** Options shared by the decode error constructors. */
export interface ItchErrorOptions extends ErrorOptions {
  /** The message or packet being read, e.g. `"orderAdded"`. */
  messageType?: string;
  /** The field at fault, e.g. `"quantity"`. */
  field?: string;
}

/**
 * An ITCH message could not be decoded: wrong length, unknown type byte, or a field whose
 * bytes are not valid for it.
 *
 * @example Usage
 * ```ts
 * import { ItchDecodeError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new ItchDecodeError("Cannot decode ITCH message: unknown type", 0);
 * assert.equal(error.name, "ItchDecodeError");
 * assert.ok(error instanceof SyntaxError);
 * ```
 */
export class ItchDecodeError extends SyntaxError {
  /** Offset of the offending byte from the start of the ITCH message. */
  readonly offset: number;
  /** The message being decoded, when known. */
  readonly messageType: string | undefined;
  /** The field being decoded, when known. */
  readonly field: string | undefined;

  /**
   * Constructs a decode error.
   *
   * @param message What went wrong, in the form `Cannot <action>: <state>`.
   * @param offset Offset of the offending byte.
   * @param options The message type, field and cause.
   */
  constructor(message: string, offset: number, options: ItchErrorOptions = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "ItchDecodeError";
    this.offset = offset;
    this.messageType = options.messageType;
    this.field = options.field;
  }
}

/**
 * A MoldUDP64 datagram could not be read: too short, a message block that does not match
 * its count, or a bad field.
 *
 * @example Usage
 * ```ts
 * import { MoldUdp64Error } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new MoldUdp64Error("Cannot decode MoldUDP64 packet: too short", 0);
 * assert.equal(error.name, "MoldUdp64Error");
 * assert.ok(error instanceof SyntaxError);
 * ```
 */
export class MoldUdp64Error extends SyntaxError {
  /** Offset of the offending byte in the datagram. */
  readonly offset: number;
  /** The packet being decoded, when known. */
  readonly messageType: string | undefined;
  /** The field being decoded, when known. */
  readonly field: string | undefined;

  /**
   * Constructs a datagram error.
   *
   * @param message What went wrong, in the form `Cannot <action>: <state>`.
   * @param offset Offset of the offending byte.
   * @param options The packet type, field and cause.
   */
  constructor(message: string, offset: number, options: ItchErrorOptions = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "MoldUdp64Error";
    this.offset = offset;
    this.messageType = options.messageType;
    this.field = options.field;
  }
}

/**
 * An ITCH message or MoldUDP64 packet could not be encoded because a field's value breaks
 * its rule (uint32 range, nanoseconds range, printable ASCII, Alpha width, enumeration,
 * datagram size).
 *
 * @example Usage
 * ```ts
 * import { ItchEncodeError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new ItchEncodeError(
 *   "Cannot encode orderAdded field quantity as a uint32: current value is -1",
 *   { messageType: "orderAdded", field: "quantity", value: -1 },
 * );
 * assert.ok(error instanceof RangeError);
 * assert.equal(error.field, "quantity");
 * ```
 */
export class ItchEncodeError extends RangeError {
  /** The message or packet being encoded, e.g. `"orderAdded"`. */
  readonly messageType: string;
  /** The field whose value was refused. */
  readonly field: string;
  /** The refused value. */
  readonly value: unknown;

  /**
   * Constructs an encode error.
   *
   * @param message What went wrong, in the form `Cannot encode <type> field <field> as <rule>: <state>`.
   * @param details The message type, field, value and optional cause.
   */
  constructor(
    message: string,
    details: {
      messageType: string;
      field: string;
      value: unknown;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? {} : { cause: details.cause });
    this.name = "ItchEncodeError";
    this.messageType = details.messageType;
    this.field = details.field;
    this.value = details.value;
  }
}

/**
 * ITCH messages that decode but do not make a consistent book: an order that is not on the
 * book, an Order Number added twice, an orderbook without a directory entry, an execution
 * larger than the order.
 *
 * @example Usage
 * ```ts
 * import { ItchBookError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new ItchBookError("Cannot apply orderDeleted as order 7 is not on the book", {
 *   messageType: "orderDeleted",
 *   field: "orderNumber",
 * });
 * assert.ok(error instanceof SyntaxError);
 * assert.equal(error.messageType, "orderDeleted");
 * ```
 */
export class ItchBookError extends SyntaxError {
  /** The message being applied. */
  readonly messageType: string | undefined;
  /** The field that does not fit the book. */
  readonly field: string | undefined;

  /**
   * Constructs a book error.
   *
   * @param message What went wrong, in the form `Cannot apply <type> as <reason>`.
   * @param options The message type, field and cause.
   */
  constructor(message: string, options: ItchErrorOptions = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "ItchBookError";
    this.messageType = options.messageType;
    this.field = options.field;
  }
}
