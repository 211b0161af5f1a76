/**
 * Typed errors of the wire codec.
 *
 * Decoding errors extend `SyntaxError` (the input cannot be parsed) and carry the byte
 * `offset` where the problem lies. Encoding errors extend `RangeError` (a value does not fit
 * its field) and name the message, the field, the value and the rule.
 *
 * @module
 */

/** Options shared by the codec's error constructors. */
export interface CodecErrorOptions extends ErrorOptions {
  /** The message or packet being read or written, e.g. `"enterOrder"`. */
  messageType?: string;
  /** The field at fault, e.g. `"quantity"`. */
  field?: string;
}

/**
 * An OUCH message could not be decoded: wrong length, unknown type byte, or a field whose
 * bytes are not valid for it.
 *
 * @example Usage
 * ```ts
 * import { OuchDecodeError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new OuchDecodeError("Cannot decode message: unknown type \"Q\"", 0);
 * assert.equal(error.name, "OuchDecodeError");
 * assert.ok(error instanceof SyntaxError);
 * ```
 */
export class OuchDecodeError extends SyntaxError {
  /** Offset of the offending byte from the start of the OUCH message. */
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
  constructor(
    message: string,
    offset: number,
    options: CodecErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "OuchDecodeError";
    this.offset = offset;
    this.messageType = options.messageType;
    this.field = options.field;
  }
}

/**
 * A SoupBinTCP packet could not be read: a bad length, an unknown or misdirected packet
 * type, or a malformed field.
 *
 * @example Usage
 * ```ts
 * import { SoupBinTcpError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new SoupBinTcpError("Cannot read packet: unknown type \"Q\"", 2);
 * assert.equal(error.name, "SoupBinTcpError");
 * assert.equal(error.offset, 2);
 * ```
 */
export class SoupBinTcpError extends SyntaxError {
  /** Offset of the offending byte in the stream chunk or packet being read. */
  readonly offset: number;
  /** The packet being decoded, when known. */
  readonly messageType: string | undefined;
  /** The field being decoded, when known. */
  readonly field: string | undefined;

  /**
   * Constructs a framing or packet error.
   *
   * @param message What went wrong, in the form `Cannot <action>: <state>`.
   * @param offset Offset of the offending byte.
   * @param options The packet type, field and cause.
   */
  constructor(
    message: string,
    offset: number,
    options: CodecErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "SoupBinTcpError";
    this.offset = offset;
    this.messageType = options.messageType;
    this.field = options.field;
  }
}

/**
 * A message or packet could not be encoded because a field's value breaks its rule
 * (uint32 range, printable ASCII, Alpha width, enumeration, or buffer space).
 *
 * @example Usage
 * ```ts
 * import { OuchEncodeError } from "./errors.ts";
 * import assert from "node:assert/strict";
 *
 * const error = new OuchEncodeError(
 *   "Cannot encode enterOrder field quantity as a uint32: current value is -1",
 *   { messageType: "enterOrder", field: "quantity", value: -1 },
 * );
 * assert.ok(error instanceof RangeError);
 * assert.equal(error.field, "quantity");
 * ```
 */
export class OuchEncodeError extends RangeError {
  /** The message or packet being encoded, e.g. `"enterOrder"` or `"loginRequest"`. */
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
    this.name = "OuchEncodeError";
    this.messageType = details.messageType;
    this.field = details.field;
    this.value = details.value;
  }
}
