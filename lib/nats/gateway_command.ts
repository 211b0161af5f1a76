/**
 * What gateways and `ouch admin` send the engine through the command stream, and how the
 * engine applies it to its {@linkcode Exchange}: logins and logouts (session start and end,
 * so that the engine counts an account's sessions across hosts, K23), inbound OUCH messages,
 * and operator actions. Each command is one record of a command-stream message (see
 * `CommandPublisher`).
 *
 * Wire form: one code byte, then the fields in order, each a 16-bit big-endian length and
 * that many bytes (UTF-8 for text); an inbound message's OUCH bytes are the last field.
 *
 * A gateway's web pages are sessions of their own: a page logged in on gateway `gw1` has the
 * host `gw1/web#N` (see {@linkcode pageHost}). The gateway's beats keep its pages alive, the
 * gateway's end ends them, and a page's end never cancels the account's orders (as on
 * `ouch server`, K23): only an OUCH session's end does, when it was the account's last.
 *
 * @module
 */
import { decodeInbound } from "../codec/mod.ts";
import type { Exchange, SessionHandle } from "../exchange/mod.ts";

/** One command for the engine. */
export type GatewayCommand =
  /** A Login Request the gateway accepted: a session start on `host` once the engine agrees. */
  | {
    readonly type: "login";
    readonly host: string;
    readonly username: string;
    readonly password: string;
    readonly requestedSession: string;
  }
  /** An inbound OUCH message (type byte first) of the account's session on `host`. */
  | {
    readonly type: "message";
    readonly host: string;
    readonly account: string;
    readonly message: Uint8Array;
  }
  /**
   * An order, replace or cancel from a web page logged in as `account` on `host` (a
   * {@linkcode pageHost}): Enter, Replace or Cancel Order bytes, with a token of the page's
   * range (from 0xF0000000); the engine raises a token another page used meanwhile.
   */
  | {
    readonly type: "page";
    readonly host: string;
    readonly account: string;
    readonly message: Uint8Array;
  }
  /** The account's session on `host` ended. */
  | { readonly type: "logout"; readonly host: string; readonly account: string }
  /** `host` is alive: it sends one every second; the engine records nothing for it. */
  | { readonly type: "beat"; readonly host: string }
  /** Every session on `host` ended (the host stopped or was declared dead). */
  | { readonly type: "hostDown"; readonly host: string }
  | { readonly type: "open" }
  | { readonly type: "close" }
  | { readonly type: "halt"; readonly orderbookId: string }
  | { readonly type: "resume"; readonly orderbookId: string }
  | { readonly type: "ssr"; readonly orderbookId: string; readonly on: boolean }
  | { readonly type: "cancel"; readonly account: string }
  | { readonly type: "endDay" };

/** A command's bytes could not be read. */
export class GatewayCommandError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "GatewayCommandError";
  }
}

const CODES = {
  login: 0x4c, // L
  message: 0x4d, // M
  page: 0x57, // W
  logout: 0x4f, // O
  hostDown: 0x44, // D
  beat: 0x42, // B
  open: 0x6f, // o
  close: 0x63, // c
  halt: 0x68, // h
  resume: 0x72, // r
  ssr: 0x73, // s
  cancel: 0x78, // x
  endDay: 0x65, // e
} as const satisfies Record<GatewayCommand["type"], number>;

const TYPES = new Map<number, GatewayCommand["type"]>(
  Object.entries(CODES).map(([type, code]) => [
    code,
    type as GatewayCommand["type"],
  ]),
);

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Host and account names, encoded once: every command of a session carries both. */
const names = new Map<string, Uint8Array>();

/** `value`'s UTF-8 bytes, kept for the next command when it is a host or account name. */
function nameBytes(value: string): Uint8Array {
  let bytes = names.get(value);
  if (bytes === undefined) {
    if (names.size >= 10_000) names.clear();
    bytes = encoder.encode(value);
    names.set(value, bytes);
  }
  return bytes;
}

/** Host and account names decoded lately, by a hash of their bytes. */
const texts = new Map<number, { bytes: Uint8Array; text: string }>();

/**
 * A host or account name's text: the string decoded last time for the same bytes, so that
 * the engine builds no new string per command and its maps find the key's hash cached.
 */
function nameText(bytes: Uint8Array, start: number, end: number): string {
  const length = end - start;
  if (length > 64) return decodeText(bytes.subarray(start, end));
  let hash = length;
  for (let i = start; i < end; i++) {
    hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
  }
  const known = texts.get(hash);
  if (known !== undefined && known.bytes.length === length) {
    let same = true;
    for (let i = 0; i < length && same; i++) {
      same = known.bytes[i] === bytes[start + i];
    }
    if (same) return known.text;
  }
  const text = decodeText(bytes.subarray(start, end));
  if (texts.size >= 10_000) texts.clear();
  texts.set(hash, { bytes: bytes.slice(start, end), text });
  return text;
}

/** Where the fields of the command being decoded start and end (reused: decoding is synchronous). */
const fieldStarts: number[] = [];
const fieldEnds: number[] = [];

/** UTF-8 text; a short ASCII field is read without a call into the runtime. */
function decodeText(bytes: Uint8Array): string {
  if (bytes.length <= 64) {
    let text = "";
    for (const byte of bytes) {
      if (byte >= 0x80) return decoder.decode(bytes);
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decoder.decode(bytes);
}

function fields(command: GatewayCommand): Uint8Array[] {
  const text = (value: string) => encoder.encode(value);
  switch (command.type) {
    case "login":
      return [
        text(command.host),
        text(command.username),
        text(command.password),
        text(command.requestedSession),
      ];
    case "message":
    case "page":
      return [
        nameBytes(command.host),
        nameBytes(command.account),
        command.message,
      ];
    case "logout":
      return [text(command.host), text(command.account)];
    case "hostDown":
    case "beat":
      return [text(command.host)];
    case "halt":
    case "resume":
      return [text(command.orderbookId)];
    case "ssr":
      return [text(command.orderbookId), text(command.on ? "1" : "0")];
    case "cancel":
      return [text(command.account)];
    case "open":
    case "close":
    case "endDay":
      return [];
  }
}

/**
 * Encodes a command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeGatewayCommand, encodeGatewayCommand } from "./gateway_command.ts";
 *
 * const bytes = encodeGatewayCommand({ type: "halt", orderbookId: "1" });
 * assert.deepEqual([...bytes], [0x68, 0, 1, 0x31]);
 * assert.deepEqual(decodeGatewayCommand(bytes), { type: "halt", orderbookId: "1" });
 * ```
 *
 * @param command The command.
 * @returns Its bytes.
 * @throws {RangeError} When a field is longer than 65,535 bytes.
 */
export function encodeGatewayCommand(command: GatewayCommand): Uint8Array {
  if (command.type === "message" || command.type === "page") {
    return encodeMessageCommand(command);
  }
  const parts = fields(command);
  const length = parts.reduce((sum, part) => sum + 2 + part.length, 1);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  bytes[0] = CODES[command.type];
  let at = 1;
  for (const part of parts) {
    if (part.length > 0xffff) {
      throw new RangeError(
        `Cannot encode a ${command.type} command: a field of ${part.length} bytes is longer than 65535`,
      );
    }
    view.setUint16(at, part.length);
    bytes.set(part, at + 2);
    at += 2 + part.length;
  }
  return bytes;
}

/** A message or page command (one per inbound message): written without building a field list. */
function encodeMessageCommand(
  command: Extract<GatewayCommand, { type: "message" | "page" }>,
): Uint8Array {
  const bytes = new Uint8Array(messageCommandLength(command));
  writeMessageCommand(command, bytes, 0);
  return bytes;
}

/**
 * The length of a message or page command's encoding ({@linkcode encodeGatewayCommand}).
 *
 * @param command The command.
 * @returns Its length in bytes.
 * @throws {RangeError} When a field is longer than 65,535 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { messageCommandLength } from "./gateway_command.ts";
 *
 * const message = new Uint8Array([0x4f]);
 * assert.equal(messageCommandLength({ type: "message", host: "g", account: "al", message }), 11);
 * ```
 */
export function messageCommandLength(
  command: Extract<GatewayCommand, { type: "message" | "page" }>,
): number {
  const host = nameBytes(command.host).length;
  const account = nameBytes(command.account).length;
  const message = command.message.length;
  const longest = Math.max(host, account, message);
  if (longest > 0xffff) {
    throw new RangeError(
      `Cannot encode a ${command.type} command: a field of ${longest} bytes is longer than 65535`,
    );
  }
  return 7 + host + account + message;
}

/**
 * Writes a message or page command's encoding ({@linkcode encodeGatewayCommand}) in place:
 * a gateway queues one per inbound message straight into its outgoing message.
 *
 * @param command The command.
 * @param bytes Where it goes, with {@linkcode messageCommandLength} bytes from `at`.
 * @param at Where it starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeGatewayCommand, messageCommandLength, writeMessageCommand } from "./gateway_command.ts";
 *
 * const command = { type: "message", host: "g", account: "al", message: new Uint8Array([0x4f]) } as const;
 * const bytes = new Uint8Array(1 + messageCommandLength(command));
 * writeMessageCommand(command, bytes, 1);
 * assert.deepEqual(bytes.subarray(1), encodeGatewayCommand(command));
 * ```
 */
export function writeMessageCommand(
  command: Extract<GatewayCommand, { type: "message" | "page" }>,
  bytes: Uint8Array,
  at: number,
): void {
  bytes[at] = CODES[command.type];
  // Field by field, not a loop over an array of them: no array per inbound message.
  at = writeField(bytes, at + 1, nameBytes(command.host));
  at = writeField(bytes, at, nameBytes(command.account));
  writeField(bytes, at, command.message);
}

/** Writes one field (its 16-bit length, then its bytes) at `at`; returns where it ends. */
function writeField(bytes: Uint8Array, at: number, part: Uint8Array): number {
  const length = part.length;
  bytes[at] = length >>> 8;
  bytes[at + 1] = length & 0xff;
  at += 2;
  // A loop beats `set()` for the short fields of a command (names, an OUCH message).
  if (length <= 64) {
    for (let i = 0; i < length; i++) bytes[at + i] = part[i]!;
  } else {
    bytes.set(part, at);
  }
  return at + length;
}

/**
 * A text field of the command being decoded ({@linkcode decodeGatewayCommand}), from the
 * offsets it found: a function of the module, not a closure made per command.
 */
function field(
  bytes: Uint8Array,
  type: GatewayCommand["type"],
  index: number,
  name = false,
): string {
  const start = fieldStarts[index]!;
  const end = fieldEnds[index]!;
  try {
    return name
      ? nameText(bytes, start, end)
      : decodeText(bytes.subarray(start, end));
  } catch {
    throw new GatewayCommandError(
      `Cannot decode a ${type} command: field ${index + 1} is not UTF-8`,
    );
  }
}

/**
 * Decodes a command.
 *
 * @param bytes One command's bytes.
 * @returns The command (an inbound message's bytes are a view into `bytes`).
 * @throws {GatewayCommandError} When the code is unknown, a field is cut short, a text field
 *   is not UTF-8, the field count is wrong, or bytes are left over.
 */
export function decodeGatewayCommand(bytes: Uint8Array): GatewayCommand {
  if (bytes.length === 0) {
    throw new GatewayCommandError("Cannot decode a command: it is empty");
  }
  const type = TYPES.get(bytes[0]!);
  if (type === undefined) {
    throw new GatewayCommandError(
      `Cannot decode a command: unknown code 0x${
        bytes[0]!.toString(16).padStart(2, "0")
      }`,
    );
  }
  // Offsets, not a view per field: a subarray costs more than the rest of a command.
  let fields = 0;
  let at = 1;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) {
      throw new GatewayCommandError(
        `Cannot decode a ${type} command: a field length is cut short at byte ${at}`,
      );
    }
    const length = (bytes[at]! << 8) | bytes[at + 1]!;
    if (at + 2 + length > bytes.length) {
      throw new GatewayCommandError(
        `Cannot decode a ${type} command: a field of ${length} bytes at byte ${at} runs past the end (${bytes.length} bytes)`,
      );
    }
    fieldStarts[fields] = at + 2;
    fieldEnds[fields] = at + 2 + length;
    fields++;
    at += 2 + length;
  }
  const expected = FIELD_COUNTS.get(type)!;
  if (fields !== expected) {
    throw new GatewayCommandError(
      `Cannot decode a ${type} command: it has ${fields} fields, not ${expected}`,
    );
  }
  switch (type) {
    case "login":
      return {
        type,
        host: field(bytes, type, 0),
        username: field(bytes, type, 1),
        password: field(bytes, type, 2),
        requestedSession: field(bytes, type, 3),
      };
    case "message":
    case "page":
      return {
        type,
        host: field(bytes, type, 0, true),
        account: field(bytes, type, 1, true),
        message: bytes.subarray(fieldStarts[2]!, fieldEnds[2]!),
      };
    case "logout":
      return {
        type,
        host: field(bytes, type, 0),
        account: field(bytes, type, 1),
      };
    case "hostDown":
    case "beat":
      return { type, host: field(bytes, type, 0) };
    case "halt":
    case "resume":
      return { type, orderbookId: field(bytes, type, 0) };
    case "ssr": {
      const on = field(bytes, type, 1);
      if (on !== "0" && on !== "1") {
        throw new GatewayCommandError(
          `Cannot decode a ssr command: its switch is "${on}", not "0" or "1"`,
        );
      }
      return { type, orderbookId: field(bytes, type, 0), on: on === "1" };
    }
    case "cancel":
      return { type, account: field(bytes, type, 0) };
    case "open":
    case "close":
    case "endDay":
      return { type };
  }
}

/** A command of each type with empty fields: how many fields each type has. */
const EMPTY: { readonly [T in GatewayCommand["type"]]: GatewayCommand } = {
  login: {
    type: "login",
    host: "",
    username: "",
    password: "",
    requestedSession: "",
  },
  message: {
    type: "message",
    host: "",
    account: "",
    message: new Uint8Array(),
  },
  page: { type: "page", host: "", account: "", message: new Uint8Array() },
  logout: { type: "logout", host: "", account: "" },
  hostDown: { type: "hostDown", host: "" },
  beat: { type: "beat", host: "" },
  open: { type: "open" },
  close: { type: "close" },
  halt: { type: "halt", orderbookId: "" },
  resume: { type: "resume", orderbookId: "" },
  ssr: { type: "ssr", orderbookId: "", on: false },
  cancel: { type: "cancel", account: "" },
  endDay: { type: "endDay" },
};

/** Fields of each command type, counted once (not by encoding an empty command per decode). */
const FIELD_COUNTS = new Map(
  Object.entries(EMPTY).map((
    [type, command],
  ) => [type, fields(command).length]),
);

/**
 * The engine's side: applies commands to an {@linkcode Exchange}, keeping the session handle
 * of each account on each host. A command the exchange refuses (a login it rejects, a
 * message of a session it does not know, an undecodable OUCH message) records nothing and is
 * reported in the returned text: a gateway's mistake never stops the engine.
 *
 * @example A login and an order from host "gw1"
 * ```ts
 * import assert from "node:assert/strict";
 * import { Exchange } from "../exchange/mod.ts";
 * import { encodeMessage } from "../codec/mod.ts";
 * import { EngineCommands } from "./gateway_command.ts";
 *
 * const exchange = new Exchange({
 *   users: new Map([["demo1", "demo"]]),
 *   day: { session: "2026112501", tradingDate: "20261125", created: 1 },
 *   timestamp: 0,
 * });
 * const engine = new EngineCommands(exchange);
 * assert.equal(engine.apply({ type: "login", host: "gw1", username: "demo1",
 *   password: "demo", requestedSession: "" }, 1), undefined);
 * assert.equal(exchange.sessions, 1);
 * assert.match(engine.apply({ type: "message", host: "gw2", account: "demo1",
 *   message: new Uint8Array([0x4f]) }, 2)!, /no session/);
 * ```
 */
export class EngineCommands {
  readonly #exchange: Exchange;
  readonly #handles = new Map<string, SessionHandle>();

  /** @param exchange The active engine's exchange. */
  constructor(exchange: Exchange) {
    this.#exchange = exchange;
  }

  /** The hosts (gateways) with at least one session, their pages' sessions included. */
  hosts(): Set<string> {
    return new Set(
      [...this.#handles.values()].map((handle) => gatewayOf(handle.host)),
    );
  }

  /** How many sessions the engine holds, over every host. */
  get sessions(): number {
    return this.#handles.size;
  }

  /**
   * Applies one command.
   *
   * @param command The command.
   * @param timestamp Nanoseconds since midnight.
   * @returns `undefined` when applied, or why nothing was recorded.
   */
  apply(command: GatewayCommand, timestamp: number): string | undefined {
    const exchange = this.#exchange;
    switch (command.type) {
      case "login": {
        const key = sessionKey(command.host, command.username);
        if (this.#handles.has(key)) {
          return `login of "${command.username}" on "${command.host}" refused: it has a session there`;
        }
        const result = exchange.login(
          {
            type: "loginRequest",
            username: command.username,
            password: command.password,
            requestedSession: command.requestedSession,
            requestedSequenceNumber: 0,
          },
          command.host,
          timestamp,
        );
        if (!result.accept) {
          return `login of "${command.username}" on "${command.host}" refused (${result.code})`;
        }
        this.#handles.set(key, result.handle);
        return undefined;
      }
      case "message": {
        const handle = this.#handles.get(
          sessionKey(command.host, command.account),
        );
        if (handle === undefined) {
          return `message of "${command.account}" on "${command.host}" dropped: no session there`;
        }
        try {
          exchange.handleMessage(handle, command.message, timestamp);
        } catch (error) {
          return `message of "${command.account}" on "${command.host}" dropped: ${
            error instanceof Error ? error.message : String(error)
          }`;
        }
        return undefined;
      }
      case "logout": {
        const key = sessionKey(command.host, command.account);
        const handle = this.#handles.get(key);
        if (handle === undefined) {
          return `logout of "${command.account}" on "${command.host}" ignored: no session there`;
        }
        this.#handles.delete(key);
        // A page's end cancels nothing (K23, as on ouch server).
        exchange.logout(handle, timestamp, !isPageHost(command.host));
        return undefined;
      }
      case "page":
        return this.#page(command, timestamp);
      case "beat":
        return undefined;
      case "hostDown": {
        // The host's pages end first: its OUCH sessions' ends then cancel the orders of
        // the accounts left without a session anywhere. A host without sessions is no
        // mistake: every gateway says it as it starts (a restart's predecessor may have
        // left sessions), so nothing is said for it.
        for (const pages of [true, false]) {
          for (const [key, handle] of this.#handles) {
            if (
              gatewayOf(handle.host) !== command.host ||
              isPageHost(handle.host) !== pages
            ) continue;
            this.#handles.delete(key);
            exchange.logout(handle, timestamp, !pages);
          }
        }
        return undefined;
      }
      case "open":
        return exchange.open(timestamp) ? undefined : "already open";
      case "close":
        return exchange.close(timestamp) ? undefined : "already closed";
      case "halt":
        return exchange.halt(command.orderbookId, timestamp)
          ? undefined
          : `orderbook "${command.orderbookId}" not halted`;
      case "resume":
        return exchange.resume(command.orderbookId, timestamp)
          ? undefined
          : `orderbook "${command.orderbookId}" not resumed`;
      case "ssr":
        return exchange.setShortSellRestricted(
            command.orderbookId,
            command.on,
            timestamp,
          )
          ? undefined
          : `short-sell restriction of "${command.orderbookId}" unchanged`;
      case "cancel":
        exchange.cancelAccount(command.account, timestamp);
        return undefined;
      case "endDay":
        this.#handles.clear();
        void exchange.endDay(timestamp);
        return undefined;
    }
  }

  /**
   * A web page's order: decoded, its new token raised above the account's page tokens when
   * another page took it meanwhile (two gateways' pages pick tokens apart), and submitted as
   * `ouch server` submits its page's orders (recorded with origin `web`).
   */
  #page(
    command: Extract<GatewayCommand, { type: "page" }>,
    timestamp: number,
  ): string | undefined {
    const exchange = this.#exchange;
    const what = `page order of "${command.account}" on "${command.host}"`;
    if (
      !isPageHost(command.host) ||
      !this.#handles.has(sessionKey(command.host, command.account))
    ) {
      return `${what} dropped: no page session there`;
    }
    let message;
    try {
      message = decodeInbound(command.message, { version: exchange.version });
    } catch (error) {
      return `${what} dropped: ${
        error instanceof Error ? error.message : String(error)
      }`;
    }
    const next = exchange.nextPageToken(command.account);
    if (message.type === "enterOrder" && message.orderToken < next) {
      message = { ...message, orderToken: next };
    } else if (
      message.type === "replaceOrder" && message.replacementOrderToken < next
    ) {
      message = { ...message, replacementOrderToken: next };
    }
    try {
      exchange.submit(command.account, message, timestamp);
    } catch (error) {
      return `${what} dropped: ${
        error instanceof Error ? error.message : String(error)
      }`;
    }
    return undefined;
  }
}

/**
 * The session host of a web page on a gateway: the gateway's beats keep it alive and its
 * end (or its `hostDown`) ends it; its own end cancels nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gatewayOf, isPageHost, pageHost } from "./gateway_command.ts";
 *
 * assert.equal(pageHost("gw1", "web#3"), "gw1/web#3");
 * assert.equal(gatewayOf("gw1/web#3"), "gw1");
 * assert.equal(gatewayOf("gw1"), "gw1");
 * assert.equal(isPageHost("gw1/web#3"), true);
 * assert.equal(isPageHost("gw1"), false);
 * ```
 *
 * @param gateway The gateway's host id (without `/`).
 * @param page The page's name on it, e.g. `web#3`.
 * @returns `GATEWAY/PAGE`.
 */
export function pageHost(gateway: string, page: string): string {
  return `${gateway}/${page}`;
}

/**
 * The gateway a session host belongs to: itself, or the gateway of a page's host.
 *
 * @param host A session's host.
 * @returns The part before the first `/`.
 */
export function gatewayOf(host: string): string {
  const slash = host.indexOf("/");
  return slash < 0 ? host : host.slice(0, slash);
}

/**
 * Whether a session's host is a web page's ({@linkcode pageHost}).
 *
 * @param host A session's host.
 * @returns Whether it has a `/`.
 */
export function isPageHost(host: string): boolean {
  return host.includes("/");
}

/** Session keys made lately, by host and account: one string per session, not per command. */
const keys = new Map<string, Map<string, string>>();

function sessionKey(host: string, account: string): string {
  let byAccount = keys.get(host);
  if (byAccount === undefined) {
    if (keys.size >= 1_000) keys.clear();
    byAccount = new Map();
    keys.set(host, byAccount);
  }
  let key = byAccount.get(account);
  if (key === undefined) {
    if (byAccount.size >= 10_000) byAccount.clear();
    key = `${host}\u0000${account}`;
    byAccount.set(account, key);
  }
  return key;
}
