/**
 * Wire capture and replay: proves that a change leaves the server's bytes on the wire alone.
 *
 * - `record` runs a checkout's `ouch server` as a process behind a recording TCP proxy, runs
 *   scenario files and the load generator of the same checkout against it (plus a market
 *   close and open from the console) and keeps every inbound byte, per connection, in the
 *   order the proxy read them: a capture.
 * - `replay` feeds a capture's inbound bytes to an in-process server on a fake clock, one
 *   step at a time (each step is processed before the next is sent), and keeps every byte
 *   the server sends per connection. The fake clock makes the OUCH timestamps a function of
 *   the step, so two servers that behave alike produce identical bytes.
 * - `compare --base DIR` replays a capture against the checkout at `DIR` (a server built
 *   the way the branch point builds it) and against this tree, and compares the bytes.
 *
 * `tests/tools/wire_test.ts` replays the committed capture against this tree and compares it
 * with the committed outbound bytes: recorded from the branch point, re-recorded when K24
 * added System Event S as every account's first message (`compare` shows that the session
 * id (K16) and those System Events are the only differences from the branch point).
 *
 * Usage:
 *   deno run -A tools/wire.ts record [--root DIR] [--out FILE]
 *   deno run -A tools/wire.ts replay [--root DIR] [--capture FILE] [--out FILE]
 *   deno run -A tools/wire.ts compare --base DIR [--capture FILE]
 *
 * @module
 */
import { DEMO_USERS } from "../lib/accounts/accounts.ts";
import { encodeMessage, encodePacket } from "../lib/codec/mod.ts";
import { Exchange, sessionId } from "../lib/exchange/mod.ts";
import { OuchServer } from "../lib/server/server.ts";

/** The default capture and outbound files, committed with the tests. */
export const CAPTURE_FILE = new URL(
  "../test_inputs/wire_capture.bin.gz",
  import.meta.url,
).pathname;
/** The outbound bytes recorded from the branch point's server for {@linkcode CAPTURE_FILE}. */
export const OUTBOUND_FILE = new URL(
  "../test_inputs/wire_outbound.bin.gz",
  import.meta.url,
).pathname;

const CAPTURE_MAGIC = "OUCHWIRE1";
const OUTBOUND_MAGIC = "OUCHWOUT1";

/** One step of a capture. */
export type WireStep =
  | { readonly kind: "open"; readonly connection: number }
  | {
    readonly kind: "data";
    readonly connection: number;
    readonly bytes: Uint8Array;
  }
  | { readonly kind: "clientClose"; readonly connection: number }
  | { readonly kind: "serverClose"; readonly connection: number }
  | { readonly kind: "operator"; readonly action: string };

const KIND_CODES = {
  open: 0x6f,
  data: 0x69,
  clientClose: 0x63,
  serverClose: 0x73,
  operator: 0x70,
} as const;

/** The fake clock of a replay: frozen milliseconds, nanoseconds set per step. */
export interface ReplayClock {
  nowMs(): number;
  nowNs(): number;
}

/** A server under replay, as a target checkout builds it. */
export interface WireTarget {
  /** The SoupBinTCP port. */
  readonly port: number;
  /** Inbound OUCH messages processed so far. */
  messagesIn(): number;
  /** Connections the server has seen closed so far. */
  disconnects(): number;
  /** Runs a console action (`open`, `close`, `halt ID`, `resume ID`). */
  operator(action: string): void;
  /** Stops: End of Session to every session still connected. */
  shutdown(): Promise<void>;
}

/** Builds a {@linkcode WireTarget} on a clock. */
export type TargetFactory = (clock: ReplayClock) => Promise<WireTarget>;

/**
 * The day every replay trades: its date and when its session was created. This tree's
 * session id is that time (K16); the branch point's was `2026112801`.
 */
export const REPLAY_DAY = {
  /** The branch point's session id for the day. */
  baseSession: "2026112801",
  tradingDate: "20261128",
  /** 2026-11-28 09:00:00 JST, in Unix seconds. */
  createdSeconds: 1795824000,
} as const;

/** The server of this tree. */
export const currentTarget: TargetFactory = (clock) => {
  let disconnects = 0;
  const exchange = new Exchange({
    users: DEMO_USERS,
    day: {
      tradingDate: REPLAY_DAY.tradingDate,
      created: REPLAY_DAY.createdSeconds,
    },
    timestamp: clock.nowNs(),
  });
  const server = OuchServer.start({
    hostname: "127.0.0.1",
    port: 0,
    exchange,
    clock,
    observer: { disconnected: () => disconnects++ },
  });
  return Promise.resolve({
    port: server.address.port,
    messagesIn: () => exchange.messagesIn,
    disconnects: () => disconnects,
    operator: (action) => {
      const [name, argument = ""] = action.split(" ");
      const timestamp = clock.nowNs();
      if (name === "open") exchange.open(timestamp);
      else if (name === "close") exchange.close(timestamp);
      else if (name === "halt") exchange.halt(argument, timestamp);
      else if (name === "resume") exchange.resume(argument, timestamp);
      else throw new RangeError(`Cannot run operator action "${action}"`);
    },
    shutdown: async () => {
      await server.shutdown();
      await exchange.drain();
    },
  });
};

/**
 * The server of a checkout at the branch point (before the exchange core): `Exchange` and
 * `OuchServer` from its `lib/server/`.
 *
 * @param root The checkout's directory.
 * @returns A factory for its server.
 */
export function baseTarget(root: string): TargetFactory {
  return async (clock) => {
    // deno-lint-ignore no-explicit-any
    const load = (path: string): Promise<any> =>
      import(new URL(path, `file://${root}/`).href);
    const { Exchange } = await load("lib/server/exchange.ts");
    const { OuchServer } = await load("lib/server/server.ts");
    const { DEMO_USERS } = await load("lib/server/accounts.ts");
    let disconnects = 0;
    const exchange = new Exchange({
      session: REPLAY_DAY.baseSession,
      users: DEMO_USERS,
      tradingDate: REPLAY_DAY.tradingDate,
      journal: false,
    });
    const server = OuchServer.start({
      hostname: "127.0.0.1",
      port: 0,
      exchange,
      journal: null,
      clock,
      observer: { disconnected: () => disconnects++ },
    });
    return {
      port: server.address.port,
      messagesIn: () => exchange.messagesIn,
      disconnects: () => disconnects,
      operator: (action: string) => {
        const [name, argument = ""] = action.split(" ");
        // deno-lint-ignore no-explicit-any
        server.run((e: any, t: number) => {
          if (name === "open") return e.open(t);
          if (name === "close") return e.close(t);
          if (name === "halt") return e.halt(argument, t);
          if (name === "resume") return e.resume(argument, t);
          throw new RangeError(`Cannot run operator action "${action}"`);
        });
      },
      shutdown: () => server.shutdown(),
    };
  };
}

/**
 * Encodes a capture.
 *
 * @param steps The steps.
 * @returns The bytes, gzipped.
 */
export async function encodeCapture(
  steps: readonly WireStep[],
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [new TextEncoder().encode(CAPTURE_MAGIC)];
  for (const step of steps) {
    const body = step.kind === "data"
      ? step.bytes
      : step.kind === "operator"
      ? new TextEncoder().encode(step.action)
      : new Uint8Array(0);
    const head = new Uint8Array(7);
    const view = new DataView(head.buffer);
    view.setUint8(0, KIND_CODES[step.kind]);
    view.setUint16(1, step.kind === "operator" ? 0 : step.connection);
    view.setUint32(3, body.length);
    parts.push(head, body);
  }
  return await gzip(concat(parts));
}

/**
 * Decodes a capture.
 *
 * @param gzipped What {@linkcode encodeCapture} wrote.
 * @returns The steps.
 * @throws {SyntaxError} When the bytes are not a capture.
 */
export async function decodeCapture(gzipped: Uint8Array): Promise<WireStep[]> {
  const bytes = await gunzip(gzipped);
  expectMagic(bytes, CAPTURE_MAGIC);
  const steps: WireStep[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = CAPTURE_MAGIC.length;
  while (at < bytes.length) {
    if (bytes.length - at < 7) {
      throw new SyntaxError(`Cannot read a capture step at byte ${at}`);
    }
    const code = view.getUint8(at);
    const connection = view.getUint16(at + 1);
    const length = view.getUint32(at + 3);
    const body = bytes.slice(at + 7, at + 7 + length);
    at += 7 + length;
    switch (code) {
      case KIND_CODES.open:
        steps.push({ kind: "open", connection });
        break;
      case KIND_CODES.data:
        steps.push({ kind: "data", connection, bytes: body });
        break;
      case KIND_CODES.clientClose:
        steps.push({ kind: "clientClose", connection });
        break;
      case KIND_CODES.serverClose:
        steps.push({ kind: "serverClose", connection });
        break;
      case KIND_CODES.operator:
        steps.push({
          kind: "operator",
          action: new TextDecoder().decode(body),
        });
        break;
      default:
        throw new SyntaxError(
          `Cannot read capture step kind 0x${code.toString(16)}`,
        );
    }
  }
  return steps;
}

/**
 * Encodes what a server sent, per connection.
 *
 * @param outbound The bytes of each connection, by connection number.
 * @returns The bytes, gzipped.
 */
export async function encodeOutbound(
  outbound: ReadonlyMap<number, Uint8Array>,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [new TextEncoder().encode(OUTBOUND_MAGIC)];
  for (const [connection, bytes] of [...outbound].sort((a, b) => a[0] - b[0])) {
    const head = new Uint8Array(6);
    const view = new DataView(head.buffer);
    view.setUint16(0, connection);
    view.setUint32(2, bytes.length);
    parts.push(head, bytes);
  }
  return await gzip(concat(parts));
}

/**
 * Decodes what {@linkcode encodeOutbound} wrote.
 *
 * @param gzipped The file's bytes.
 * @returns The bytes of each connection.
 * @throws {SyntaxError} When the bytes are not an outbound file.
 */
export async function decodeOutbound(
  gzipped: Uint8Array,
): Promise<Map<number, Uint8Array>> {
  const bytes = await gunzip(gzipped);
  expectMagic(bytes, OUTBOUND_MAGIC);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const outbound = new Map<number, Uint8Array>();
  let at = OUTBOUND_MAGIC.length;
  while (at < bytes.length) {
    const connection = view.getUint16(at);
    const length = view.getUint32(at + 2);
    outbound.set(connection, bytes.slice(at + 6, at + 6 + length));
    at += 6 + length;
  }
  return outbound;
}

/** One replay connection: the socket and every byte the server sent on it. */
class ReplayConnection {
  readonly conn: Deno.TcpConn;
  readonly chunks: Uint8Array[] = [];
  received = 0;
  eof = false;
  readonly done: Promise<void>;

  constructor(conn: Deno.TcpConn) {
    this.conn = conn;
    this.done = this.#read();
  }

  bytes(): Uint8Array {
    return concat(this.chunks);
  }

  /** Complete SoupBinTCP packets received so far. */
  packets(): number {
    const bytes = this.bytes();
    let count = 0;
    let at = 0;
    while (bytes.length - at >= 2) {
      const length = (bytes[at]! << 8) | bytes[at + 1]!;
      if (bytes.length - at - 2 < length) break;
      count++;
      at += 2 + length;
    }
    return count;
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(65536);
    try {
      while (true) {
        const count = await this.conn.read(buffer);
        if (count === null) break;
        this.chunks.push(buffer.slice(0, count));
        this.received += count;
      }
    } catch {
      // reset by the server: what arrived is what it sent
    } finally {
      this.eof = true;
      try {
        this.conn.close();
      } catch {
        // already closed
      }
    }
  }
}

/** Counts the packets of each type in a stream of inbound bytes, across chunks. */
class InboundCounter {
  #pending = new Uint8Array(0);

  push(
    chunk: Uint8Array,
  ): { messages: number; logins: number; logouts: number } {
    const bytes = concat([this.#pending, chunk]);
    const counts = { messages: 0, logins: 0, logouts: 0 };
    let at = 0;
    while (bytes.length - at >= 3) {
      const length = (bytes[at]! << 8) | bytes[at + 1]!;
      if (bytes.length - at - 2 < length) break;
      const type = bytes[at + 2];
      if (type === 0x55) counts.messages++;
      else if (type === 0x4c) counts.logins++;
      else if (type === 0x4f) counts.logouts++;
      at += 2 + length;
    }
    this.#pending = bytes.slice(at);
    return counts;
  }
}

/** 09:00 JST in nanoseconds since midnight: the replay clock's first value. */
const REPLAY_START_NS = 9 * 3_600_000_000_000;
/** How far the replay clock moves per step. */
const STEP_NS = 1_000_000;

/**
 * Replays a capture against a server and returns what it sent on each connection.
 *
 * @param steps The capture.
 * @param factory Builds the server under replay.
 * @returns The outbound bytes of each connection.
 * @throws {Error} When the server does not process a step within 20 s.
 */
export async function replay(
  steps: readonly WireStep[],
  factory: TargetFactory,
): Promise<Map<number, Uint8Array>> {
  let nowNs = REPLAY_START_NS;
  const clock: ReplayClock = { nowMs: () => 0, nowNs: () => nowNs };
  const target = await factory(clock);
  const connections = new Map<number, ReplayConnection>();
  const counters = new Map<number, InboundCounter>();
  const serverClosed = new Set<number>();
  let messages = 0;
  let disconnects = 0;
  try {
    for (const [index, step] of steps.entries()) {
      nowNs = REPLAY_START_NS + (index + 1) * STEP_NS;
      switch (step.kind) {
        case "open": {
          const conn = await Deno.connect({
            hostname: "127.0.0.1",
            port: target.port,
          });
          connections.set(step.connection, new ReplayConnection(conn));
          counters.set(step.connection, new InboundCounter());
          break;
        }
        case "data": {
          const connection = connections.get(step.connection)!;
          if (connection.eof) break; // the server had closed it
          const counts = counters.get(step.connection)!.push(step.bytes);
          const before = connection.packets();
          try {
            let at = 0;
            while (at < step.bytes.length) {
              at += await connection.conn.write(step.bytes.subarray(at));
            }
          } catch {
            break; // closed meanwhile
          }
          messages += counts.messages;
          await until(
            () => target.messagesIn() >= messages,
            `step ${index}: ${messages} messages processed`,
          );
          if (counts.logins > 0) {
            await until(
              () => connection.packets() > before || connection.eof,
              `step ${index}: a login answer`,
            );
          }
          if (counts.logouts > 0) {
            await until(() => connection.eof, `step ${index}: logout`);
            disconnects++;
          }
          break;
        }
        case "clientClose": {
          const connection = connections.get(step.connection)!;
          if (connection.eof || serverClosed.has(step.connection)) break;
          try {
            await connection.conn.closeWrite();
          } catch {
            break;
          }
          disconnects++;
          await until(
            () => target.disconnects() >= disconnects,
            `step ${index}: the server to see connection ${step.connection} close`,
          );
          break;
        }
        case "serverClose":
          // A consequence of an earlier step (a logout, waited for there) or of the final
          // shutdown, which the replay ends with too; a client close after it is its echo.
          serverClosed.add(step.connection);
          break;
        case "operator":
          target.operator(step.action);
          break;
      }
      // Let the server's end-of-turn work (journal, publish, writes) run before the next step.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    nowNs += STEP_NS;
  } finally {
    await target.shutdown();
    await Promise.all([...connections.values()].map((c) => c.done));
  }
  return new Map(
    [...connections].map(([number, connection]) => [
      number,
      connection.bytes(),
    ]),
  );
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * Describes the first difference between two outbound captures, or returns `undefined` when
 * they are identical.
 *
 * @param expected The reference bytes per connection.
 * @param actual The bytes to check.
 * @returns A one-line description, or `undefined`.
 */
export function firstDifference(
  expected: ReadonlyMap<number, Uint8Array>,
  actual: ReadonlyMap<number, Uint8Array>,
): string | undefined {
  const numbers = [...new Set([...expected.keys(), ...actual.keys()])].sort((
    a,
    b,
  ) => a - b);
  for (const number of numbers) {
    const a = expected.get(number) ?? new Uint8Array(0);
    const b = actual.get(number) ?? new Uint8Array(0);
    const length = Math.min(a.length, b.length);
    let at = 0;
    while (at < length && a[at] === b[at]) at++;
    if (at === length && a.length === b.length) continue;
    const packetStart = packetAt(a, at);
    return `connection ${number}: ${a.length} bytes expected, ${b.length} sent; first difference at byte ${at}, in the packet starting at ${packetStart}: expected ${
      hex(a.subarray(packetStart, packetStart + 70))
    }, sent ${hex(b.subarray(packetStart, packetStart + 70))}`;
  }
  return undefined;
}

/**
 * Replaces the session id of every Login Accepted packet, so that outputs from before K16
 * compare with outputs after it.
 *
 * @param outbound The bytes of each connection.
 * @param from The session id to replace (10 characters).
 * @param to Its replacement (10 characters).
 * @returns A copy with the packets changed.
 */
export function renameSession(
  outbound: ReadonlyMap<number, Uint8Array>,
  from: string,
  to: string,
): Map<number, Uint8Array> {
  const pad = (id: string) => new TextEncoder().encode(id.padEnd(10));
  const [old, replacement] = [pad(from), pad(to)];
  return new Map(
    [...outbound].map(([connection, original]) => {
      const bytes = original.slice();
      let at = 0;
      while (bytes.length - at >= 3) {
        const length = (bytes[at]! << 8) | bytes[at + 1]!;
        if (
          bytes[at + 2] === 0x41 &&
          old.every((byte, i) => bytes[at + 3 + i] === byte)
        ) bytes.set(replacement, at + 3);
        at += 2 + length;
      }
      return [connection, bytes];
    }),
  );
}

/**
 * Removes every System Event `S` (K24 makes it the first message of every account's stream,
 * so a replay after K24 has more of them) and blanks the sequence number of every Login
 * Accepted (which the added messages shift), so that outputs from before K24 compare with
 * outputs after it on everything else.
 *
 * @param outbound The bytes of each connection.
 * @returns A copy without those packets and with those numbers blanked.
 */
export function withoutStartOfDay(
  outbound: ReadonlyMap<number, Uint8Array>,
): Map<number, Uint8Array> {
  return new Map(
    [...outbound].map(([connection, bytes]) => {
      const kept: Uint8Array[] = [];
      let at = 0;
      while (bytes.length - at >= 3) {
        const length = (bytes[at]! << 8) | bytes[at + 1]!;
        const packet = bytes.slice(at, at + 2 + length);
        at += 2 + length;
        const systemEventS = packet[2] === 0x53 && length === 11 &&
          packet[3] === 0x53 && packet[12] === 0x53;
        if (systemEventS) continue;
        if (packet[2] === 0x41 && length === 31) packet.fill(0x20, 13, 33);
        kept.push(packet);
      }
      kept.push(bytes.slice(at));
      const out = new Uint8Array(kept.reduce((n, p) => n + p.length, 0));
      let to = 0;
      for (const packet of kept) {
        out.set(packet, to);
        to += packet.length;
      }
      return [connection, out];
    }),
  );
}

/** How many packets of each type (System Events by code) two outputs hold, where they differ. */
function packetCounts(
  a: ReadonlyMap<number, Uint8Array>,
  b: ReadonlyMap<number, Uint8Array>,
): string {
  const count = (outbound: ReadonlyMap<number, Uint8Array>) => {
    const counts = new Map<string, number>();
    for (const bytes of outbound.values()) {
      let at = 0;
      while (bytes.length - at >= 3) {
        const length = (bytes[at]! << 8) | bytes[at + 1]!;
        const packet = String.fromCharCode(bytes[at + 2]!);
        const ouch = String.fromCharCode(bytes[at + 3]!);
        const type = packet !== "S"
          ? `packet ${packet}`
          : ouch === "S"
          ? `System Event ${String.fromCharCode(bytes[at + 12]!)}`
          : `OUCH ${ouch}`;
        counts.set(type, (counts.get(type) ?? 0) + 1);
        at += 2 + length;
      }
    }
    return counts;
  };
  const [before, after] = [count(a), count(b)];
  return [...new Set([...before.keys(), ...after.keys()])].sort()
    .filter((type) => before.get(type) !== after.get(type))
    .map((type) =>
      `${type}: ${before.get(type) ?? 0} -> ${after.get(type) ?? 0}`
    )
    .join(", ");
}

function packetAt(bytes: Uint8Array, offset: number): number {
  let at = 0;
  while (bytes.length - at >= 2) {
    const next = at + 2 + ((bytes[at]! << 8) | bytes[at + 1]!);
    if (next > offset) return at;
    at = next;
  }
  return at;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function expectMagic(bytes: Uint8Array, magic: string): void {
  const found = new TextDecoder().decode(bytes.subarray(0, magic.length));
  if (found !== magic) {
    throw new SyntaxError(
      `Cannot read the file as it must start with "${magic}": it starts with "${found}"`,
    );
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

async function transform(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const blob = new Blob([bytes.slice()]);
  return new Uint8Array(
    await new Response(blob.stream().pipeThrough(stream)).arrayBuffer(),
  );
}

function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return transform(bytes, new CompressionStream("gzip"));
}

function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return transform(bytes, new DecompressionStream("gzip"));
}

// ---------------------------------------------------------------------------------------
// Recording: a real server process behind a proxy, real clients.

/** The scenario files recorded, each as its own account. */
const SCENARIOS = [
  ["client_1.json", "demo5"],
  ["matching.json", "demo6"],
  ["replace.json", "demo7"],
  ["cancel.json", "demo8"],
  ["enter_rejects.json", "demo9"],
  ["self_match.json", "demo10"],
  ["post_only.json", "demo11"],
  ["immediate.json", "demo12"],
  ["halted.json", "demo15"],
] as const;

async function record(root: string): Promise<WireStep[]> {
  const steps: WireStep[] = [];
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `${root}/main.ts`,
      "server",
      "--port",
      "0",
      "--no-journal",
      "--no-http",
      "--display",
      "quiet",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = server.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  const pattern = /listening on 127\.0\.0\.1:(\d+)/;
  while (!pattern.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The server exited: ${text}`);
    text += value;
  }
  const serverPort = Number(text.match(pattern)![1]);
  const draining = (async () => {
    while (!(await reader.read()).done) {
      // discard
    }
  })();
  const consoleInput = server.stdin.getWriter();
  const operator = async (action: string) => {
    steps.push({ kind: "operator", action });
    await consoleInput.write(new TextEncoder().encode(`${action}\n`));
    await new Promise((resolve) => setTimeout(resolve, 200));
  };

  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let next = 1;
  const proxies: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const client of listener) {
      const number = next++;
      steps.push({ kind: "open", connection: number });
      proxies.push(proxy(number, client, serverPort, steps));
    }
  })();
  const port = listener.addr.port;
  const client = async (args: string[]) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${root}/main.ts`,
        "client",
        "--port",
        String(port),
        ...args,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const out = new TextDecoder().decode(output.stdout);
    // deno-lint-ignore no-console
    console.log(
      `client ${args.join(" ")}: exit ${output.code}\n${
        out.split("\n").slice(-3).join("\n")
      }`,
    );
  };

  const scenario = (file: string, user: string) =>
    client([
      `${root}/test_inputs/${file}`,
      "--auto",
      "--wait",
      "300",
      "--user",
      user,
    ]);
  for (const [file, user] of SCENARIOS.slice(0, 4)) await scenario(file, user);
  await client([
    "--load",
    "--sessions",
    "4",
    "--count",
    "4000",
    "--seed",
    "7",
    "--cross",
    "20",
    "--window",
    "200",
  ]);
  await operator("halt 3");
  for (const [file, user] of SCENARIOS.slice(4)) await scenario(file, user);
  await operator("close");
  await scenario("market_closed.json", "demo13");
  await operator("open");
  await operator("resume 3");
  await client([
    "--load",
    "--sessions",
    "3",
    "--count",
    "3000",
    "--seed",
    "11",
    "--mix",
    "70:20:10",
    "--cross",
    "30",
    "--window",
    "100",
  ]);
  // Orders left when a session drops are canceled (L); the account sees it at its next login.
  await dropWithOrders(port, "demo16");
  await scenario("client_1.json", "demo16");
  // A session that is still connected when the server stops gets End of Session.
  const lingering = await rawSession(port, "demo2");
  await new Promise((resolve) => setTimeout(resolve, 300));
  await scenario("client_1.json", "demo14");
  server.kill("SIGTERM");
  await lingering.closed;
  listener.close();
  await accepting.catch(() => {});
  await Promise.all(proxies);
  await consoleInput.close().catch(() => {});
  await server.status;
  await draining;
  return steps;
}

/** Logs in as `user` without the client, so that the connection can be dropped at will. */
async function rawSession(
  port: number,
  user: string,
): Promise<{ conn: Deno.TcpConn; closed: Promise<void> }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await writeAll(
    conn,
    encodePacket({
      type: "loginRequest",
      username: user,
      password: "demo",
      requestedSession: "",
      requestedSequenceNumber: 0,
    }),
  );
  const closed = (async () => {
    const buffer = new Uint8Array(65536);
    try {
      while ((await conn.read(buffer)) !== null) {
        // the answers are the server's business
      }
    } catch {
      // closed
    }
  })();
  return { conn, closed };
}

/** Enters two Day orders as `user`, then drops the connection without logging out. */
async function dropWithOrders(port: number, user: string): Promise<void> {
  const session = await rawSession(port, user);
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const [token, price] of [[1001, 1_000], [1002, 1_010]] as const) {
    await writeAll(
      session.conn,
      encodePacket({
        type: "unsequencedData",
        message: encodeMessage({
          type: "enterOrder",
          orderToken: token,
          clientReference: "drop",
          buySellIndicator: "B",
          quantity: 100,
          orderbookId: "8306",
          group: "DAY",
          price,
          timeInForce: 99999,
          firmId: 0,
          display: " ",
          capacity: "P",
          minimumQuantity: 0,
          orderClassification: "1",
          cashMarginType: "1",
        }),
      }),
    );
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  session.conn.close();
  await session.closed;
  await new Promise((resolve) => setTimeout(resolve, 200));
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  let at = 0;
  while (at < bytes.length) at += await conn.write(bytes.subarray(at));
}

async function proxy(
  number: number,
  client: Deno.TcpConn,
  serverPort: number,
  steps: WireStep[],
): Promise<void> {
  const upstream = await Deno.connect({
    hostname: "127.0.0.1",
    port: serverPort,
  });
  const inbound = (async () => {
    const buffer = new Uint8Array(65536);
    try {
      while (true) {
        const count = await client.read(buffer);
        if (count === null) break;
        const bytes = buffer.slice(0, count);
        steps.push({ kind: "data", connection: number, bytes });
        let at = 0;
        while (at < bytes.length) {
          at += await upstream.write(bytes.subarray(at));
        }
      }
    } catch {
      // closed
    }
    steps.push({ kind: "clientClose", connection: number });
    try {
      await upstream.closeWrite();
    } catch {
      // closed
    }
  })();
  const outbound = (async () => {
    const buffer = new Uint8Array(65536);
    try {
      while (true) {
        const count = await upstream.read(buffer);
        if (count === null) break;
        let at = 0;
        while (at < count) {
          at += await client.write(buffer.subarray(at, count));
        }
      }
    } catch {
      // closed
    }
    steps.push({ kind: "serverClose", connection: number });
    try {
      client.close();
    } catch {
      // closed
    }
  })();
  await Promise.all([inbound, outbound]);
  try {
    upstream.close();
  } catch {
    // closed
  }
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function cli(args: string[]): Promise<void> {
  const [command] = args;
  const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const capturePath = flag(args, "--capture") ?? CAPTURE_FILE;
  switch (command) {
    case "record": {
      const root = flag(args, "--root") ?? here;
      const steps = await record(root);
      await Deno.writeFile(
        flag(args, "--out") ?? CAPTURE_FILE,
        await encodeCapture(steps),
      );
      // deno-lint-ignore no-console
      console.log(`recorded ${steps.length} steps`);
      return;
    }
    case "replay": {
      const root = flag(args, "--root");
      const steps = await decodeCapture(await Deno.readFile(capturePath));
      const outbound = await replay(
        steps,
        root === undefined ? currentTarget : baseTarget(root),
      );
      await Deno.writeFile(
        flag(args, "--out") ?? OUTBOUND_FILE,
        await encodeOutbound(outbound),
      );
      // deno-lint-ignore no-console
      console.log(
        `replayed ${steps.length} steps: ${outbound.size} connections, ${
          [...outbound.values()].reduce((sum, b) => sum + b.length, 0)
        } bytes out`,
      );
      return;
    }
    case "compare": {
      const base = flag(args, "--base");
      if (base === undefined) throw new TypeError("compare needs --base DIR");
      const steps = await decodeCapture(await Deno.readFile(capturePath));
      const expected = await replay(steps, baseTarget(base));
      const actual = await replay(steps, currentTarget);
      const bytes = [...expected.values()].reduce((s, b) => s + b.length, 0);
      const exact = firstDifference(expected, actual);
      // The branch point's session id was not a time (K16): compare with it replaced too.
      const renamed = firstDifference(
        renameSession(
          expected,
          REPLAY_DAY.baseSession,
          sessionId(REPLAY_DAY.createdSeconds),
        ),
        actual,
      );
      // K24 adds System Event S as every account's first message: compare without them too.
      const dayStart = renamed === undefined ? undefined : firstDifference(
        withoutStartOfDay(
          renameSession(
            expected,
            REPLAY_DAY.baseSession,
            sessionId(REPLAY_DAY.createdSeconds),
          ),
        ),
        withoutStartOfDay(actual),
      );
      const summary =
        `${expected.size} connections, ${bytes} bytes out of ${steps.length} steps`;
      // deno-lint-ignore no-console
      console.log(
        exact === undefined
          ? `identical: ${summary}`
          : renamed === undefined
          ? `identical but for the session id in Login Accepted (K16): ${summary}`
          : dayStart === undefined
          ? `identical but for the session id (K16), System Event S as each account's first message (K24) and the Login Accepted sequence numbers it shifts: ${summary}; packets by type, base -> this tree: ${
            packetCounts(expected, actual)
          }`
          : `DIFFERENT: ${dayStart}\npackets by type, base -> this tree: ${
            packetCounts(expected, actual)
          }`,
      );
      if (dayStart !== undefined) Deno.exitCode = 1;
      return;
    }
  }
  throw new TypeError(
    "Usage: deno run -A tools/wire.ts record|replay|compare [flags]",
  );
}

if (import.meta.main) await cli(Deno.args);
