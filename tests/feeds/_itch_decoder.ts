/**
 * Test-only: an ITCH 1.7 / 1.6 decoder and a SoupBinTCP / MoldUDP64 reader written from
 * Japannext's tables (`official/jnx-itch-v1.7.txt`, SoupBinTCP 3.00, MoldUDP64) without
 * importing `lib/itch`, `lib/codec` or `lib/session`, to read what the server sends with
 * something that does not share its code.
 *
 * @module
 */

/** One decoded message: its type letter and its fields by their official names. */
export type Decoded =
  & { type: string }
  & Record<string, string | number | bigint>;

const LENGTHS: Record<string, number> = {
  T: 5,
  S: 10,
  L: 17,
  R: 45,
  H: 14,
  Y: 14,
  A: 30,
  F: 35,
  E: 25,
  D: 13,
  U: 29,
  G: 9,
};

/**
 * Decodes one ITCH message, checking its length and every enumerated field.
 *
 * @param m The message bytes.
 * @param version `1.7` (Orderbook ID Alpha 4) or `1.6` (uint32).
 * @returns The fields.
 * @throws {Error} For an unknown type, a wrong length or a value outside its table.
 */
export function decode(m: Uint8Array, version: "1.7" | "1.6" = "1.7"): Decoded {
  const type = String.fromCharCode(m[0]!);
  const expected = LENGTHS[type];
  if (expected === undefined) throw new Error(`unknown message type ${type}`);
  if (m.length !== expected) {
    throw new Error(`${type} is ${m.length} bytes, the table says ${expected}`);
  }
  const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
  const u32 = (at: number) => v.getUint32(at);
  const u64 = (at: number) => v.getBigUint64(at);
  const alpha = (at: number, n: number) =>
    String.fromCharCode(...m.subarray(at, at + n));
  const book = (at: number) =>
    version === "1.7" ? alpha(at, 4).trimEnd() : String(u32(at));
  const oneOf = (name: string, value: string, allowed: string) => {
    if (!allowed.includes(value)) {
      throw new Error(`${type} ${name} "${value}" not in "${allowed}"`);
    }
    return value;
  };
  switch (type) {
    case "T":
      return { type, seconds: u32(1) };
    case "S":
      return {
        type,
        nanoseconds: u32(1),
        group: alpha(5, 4),
        event: oneOf("event", alpha(9, 1), "OSQMEC"),
      };
    case "L":
      return {
        type,
        nanoseconds: u32(1),
        tickTableId: u32(5),
        tickSize: u32(9),
        priceStart: u32(13),
      };
    case "R":
      if (u32(33) !== 1) throw new Error(`R price decimals ${u32(33)}`);
      return {
        type,
        nanoseconds: u32(1),
        orderbook: book(5),
        isin: alpha(9, 12),
        group: alpha(21, 4),
        roundLot: u32(25),
        tickTableId: u32(29),
        upper: u32(37),
        lower: u32(41),
      };
    case "H":
      return {
        type,
        nanoseconds: u32(1),
        orderbook: book(5),
        group: alpha(9, 4),
        state: oneOf("state", alpha(13, 1), "TV"),
      };
    case "Y":
      return {
        type,
        nanoseconds: u32(1),
        orderbook: book(5),
        group: alpha(9, 4),
        state: oneOf("state", alpha(13, 1), "01"),
      };
    case "A":
    case "F":
      return {
        type,
        nanoseconds: u32(1),
        orderNumber: u64(5),
        side: oneOf("side", alpha(13, 1), "BS"),
        quantity: u32(14),
        orderbook: book(18),
        group: alpha(22, 4),
        price: u32(26),
      };
    case "E":
      return {
        type,
        nanoseconds: u32(1),
        orderNumber: u64(5),
        quantity: u32(13),
        matchNumber: u64(17),
      };
    case "D":
      return { type, nanoseconds: u32(1), orderNumber: u64(5) };
    case "U":
      return {
        type,
        nanoseconds: u32(1),
        original: u64(5),
        orderNumber: u64(13),
        quantity: u32(21),
        price: u32(25),
      };
    default: // G
      return { type, sequenceNumber: u64(1) };
  }
}

/**
 * Splits a SoupBin file (u16 big-endian length + message, back to back).
 *
 * @param bytes The file.
 * @returns The messages.
 */
export function splitSoupBinFile(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw new Error(`torn length at ${at}`);
    const n = (bytes[at]! << 8) | bytes[at + 1]!;
    if (at + 2 + n > bytes.length) throw new Error(`torn message at ${at}`);
    out.push(bytes.slice(at + 2, at + 2 + n));
    at += 2 + n;
  }
  return out;
}

/** What a SoupBinTCP reader saw. */
export interface SoupBinRead {
  session: string;
  /** The sequence number of Login Accepted: the first message's. */
  first: number;
  messages: Uint8Array[];
  heartbeats: number;
  endOfSession: boolean;
}

/** A SoupBinTCP 3.00 client: Login Request by hand, then reads packets. */
export class SoupBinReader {
  readonly read: SoupBinRead = {
    session: "",
    first: 0,
    messages: [],
    heartbeats: 0,
    endOfSession: false,
  };
  rejected: string | undefined;
  closed = false;
  readonly #conn: Deno.TcpConn;
  readonly #done: Promise<void>;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.#done = this.#loop();
  }

  /**
   * Connects and logs in.
   *
   * @returns The reader (login not yet answered).
   */
  static async open(
    port: number,
    username: string,
    password: string,
    sequenceNumber: number,
  ): Promise<SoupBinReader> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const pad = (s: string, n: number) => s.padEnd(n, " ");
    const body = "L" + pad(username, 6) + pad(password, 10) + pad("", 10) +
      String(sequenceNumber).padStart(20, " ");
    const bytes = new Uint8Array(2 + body.length);
    bytes[1] = body.length;
    bytes.set(new TextEncoder().encode(body), 2);
    await conn.write(bytes);
    return new SoupBinReader(conn);
  }

  async #loop(): Promise<void> {
    let pending = new Uint8Array(0);
    const chunk = new Uint8Array(65536);
    try {
      while (true) {
        const n = await this.#conn.read(chunk);
        if (n === null) break;
        const all = new Uint8Array(pending.length + n);
        all.set(pending);
        all.set(chunk.subarray(0, n), pending.length);
        let at = 0;
        while (at + 2 <= all.length) {
          const length = (all[at]! << 8) | all[at + 1]!;
          if (at + 2 + length > all.length) break;
          const type = String.fromCharCode(all[at + 2]!);
          const payload = all.slice(at + 3, at + 2 + length);
          const text = new TextDecoder().decode(payload);
          if (type === "A") {
            this.read.session = text.slice(0, 10).trim();
            this.read.first = Number(text.slice(10, 30).trim());
          } else if (type === "J") this.rejected = text;
          else if (type === "S") this.read.messages.push(payload);
          else if (type === "H") this.read.heartbeats++;
          else if (type === "Z") this.read.endOfSession = true;
          else throw new Error(`unexpected SoupBinTCP packet ${type}`);
          at += 2 + length;
        }
        pending = all.slice(at);
      }
    } catch (error) {
      // Closed by us (Interrupted, BadResource) or reset by the server: the read ends.
      if (
        !(error instanceof Deno.errors.Interrupted ||
          error instanceof Deno.errors.BadResource ||
          error instanceof Deno.errors.ConnectionReset)
      ) throw error;
    }
    this.closed = true;
  }

  /** Waits until `test` holds (polling), or fails after `timeoutMs`. */
  until(test: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return until(test, what, timeoutMs);
  }

  /** Sends a Client Heartbeat. */
  async heartbeat(): Promise<void> {
    await this.#conn.write(new Uint8Array([0, 1, 0x52]));
  }

  /** Closes the connection and waits for the read loop. */
  async close(): Promise<void> {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    await this.#done;
  }

  /** Waits until the server closes the connection. */
  async closedByServer(): Promise<void> {
    await this.#done;
    this.#conn.close();
  }
}

/** A MoldUDP64 downstream packet as read from the wire. */
export interface MoldRead {
  session: string;
  sequenceNumber: number;
  /** 0: heartbeat; 0xFFFF: end of session; else the messages. */
  count: number;
  messages: Uint8Array[];
}

/**
 * Decodes a MoldUDP64 downstream packet: session a10, sequence u64, count u16, then each
 * message as u16 length + bytes.
 *
 * @param bytes The datagram.
 * @returns The packet.
 */
export function decodeMold(bytes: Uint8Array): MoldRead {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const session = String.fromCharCode(...bytes.subarray(0, 10)).trimEnd();
  const sequenceNumber = Number(v.getBigUint64(10));
  const count = v.getUint16(18);
  const messages: Uint8Array[] = [];
  let at = 20;
  if (count !== 0 && count !== 0xffff) {
    for (let i = 0; i < count; i++) {
      const n = v.getUint16(at);
      messages.push(bytes.slice(at + 2, at + 2 + n));
      at += 2 + n;
    }
  }
  if (at !== bytes.length) {
    throw new Error(
      `MoldUDP64 packet has ${bytes.length - at} bytes left over`,
    );
  }
  return { session, sequenceNumber, count, messages };
}

/**
 * Encodes a MoldUDP64 request: session a10, sequence u64, count u16.
 *
 * @returns The datagram.
 */
export function encodeMoldRequest(
  session: string,
  sequenceNumber: number,
  count: number,
): Uint8Array {
  const bytes = new Uint8Array(20);
  bytes.set(new TextEncoder().encode(session.padEnd(10, " ")), 0);
  const v = new DataView(bytes.buffer);
  v.setBigUint64(10, BigInt(sequenceNumber));
  v.setUint16(18, count);
  return bytes;
}

/**
 * Waits until `test` holds (polling every 10 ms), or fails after `timeoutMs`.
 *
 * @param test The condition.
 * @param what What is awaited, for the error.
 * @param timeoutMs How long to wait.
 */
export async function until(
  test: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
