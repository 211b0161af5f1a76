/**
 * The client's MoldUDP64 transport (`ouch client --itch --mold HOST:PORT`): receives the
 * feed's datagrams on a UDP port (the server's `--mold` destination, or a multicast group it
 * joins), puts their messages in order with a {@linkcode FeedSequencer}, and fills gaps by
 * asking the server's re-request server, on `node:dgram` (Deno's own UDP needs
 * `--unstable-net`).
 *
 * @module
 */
import dgram from "node:dgram";
import {
  decodeMoldUdp64,
  encodeMoldUdp64RequestInto,
  FeedSequencer,
  MOLD_UDP64_REQUEST_LENGTH,
} from "../itch/mod.ts";

/** The most datagrams kept while the snapshot is read (about 140 MB at most). */
const MAX_EARLY = 100_000;

/** A UDP address. */
export interface UdpAddress {
  hostname: string;
  port: number;
}

/** How a {@linkcode MoldReader} listens and asks. */
export interface MoldReaderOptions {
  /** Where the datagrams arrive: a loopback address and port, or a multicast group. */
  listen: UdpAddress;
  /** The re-request server. */
  request: UdpAddress;
  /**
   * The interface a multicast group is joined on.
   *
   * @default {"127.0.0.1"}
   */
  multicastInterface?: string;
  /**
   * How long to wait for an answer before asking again for the same messages.
   *
   * @default {250}
   */
  retryMs?: number;
  /**
   * How many times the same missing messages are asked for before giving up with a
   * {@linkcode MoldGapError}.
   *
   * @default {40}
   */
  maxRequests?: number;
  /**
   * The most messages one request asks for. The server answers with as many as fit one
   * datagram and the rest are asked for next.
   *
   * @default {1000}
   */
  maxRequestCount?: number;
}

/** Counts of what a {@linkcode MoldReader} received and sent. */
export interface MoldReaderStats {
  /** Datagrams received (downstream, heartbeats, end of session, answers). */
  datagrams: number;
  /** Datagrams that did not decode, or belonged to another session: ignored. */
  ignored: number;
  /** Requests sent to the re-request server. */
  requests: number;
  /** Messages received more than once (an answer overlapping the live feed): dropped. */
  duplicates: number;
}

/** The re-request server did not fill a gap: the feed cannot go on in order. */
export class MoldGapError extends Error {
  override name = "MoldGapError";
}

/** Why {@linkcode MoldReader.read} returned. */
export type MoldReadEnd = "endOfSession" | "reached" | "stopped";

/**
 * Multicast is 224.0.0.0 to 239.255.255.255.
 *
 * @param hostname An IPv4 address.
 * @returns Whether it is a multicast group.
 *
 * @example Usage
 * ```ts
 * import { isMulticastAddress } from "./mold_reader.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isMulticastAddress("239.1.1.1"), true);
 * assert.equal(isMulticastAddress("127.0.0.1"), false);
 * ```
 */
export function isMulticastAddress(hostname: string): boolean {
  const match = hostname.match(/^(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
  if (match === null) return false;
  const first = Number(match[1]);
  return first >= 224 && first <= 239;
}

/**
 * Reads the ITCH feed from MoldUDP64 datagrams. Open it (it binds at once and keeps every
 * datagram that arrives), join the feed by the snapshot channel, then {@linkcode begin} from
 * the snapshot's sequence number + 1 and {@linkcode read}: datagrams that came during the snapshot are applied
 * first, messages already in the snapshot are dropped, and every message is delivered once,
 * in sequence order. A gap (a datagram ahead of the next expected message, or a heartbeat or
 * end of session announcing more) is asked for from the re-request server every `retryMs`
 * until filled; after `maxRequests` unanswered requests for the same message the read fails
 * with a {@linkcode MoldGapError}. The feed's session is the one given to
 * {@linkcode begin} (the snapshot login's), else the first datagram's: datagrams of another
 * session are ignored.
 */
export class MoldReader {
  readonly #socket: dgram.Socket;
  readonly #options: Required<MoldReaderOptions>;
  /** Datagrams received before {@linkcode begin}, in order of arrival. */
  #early: Uint8Array[] | null = [];
  #session: string | undefined;
  #sequencer: FeedSequencer<Uint8Array> | undefined;
  #deliver: ((message: Uint8Array, sequenceNumber: number) => void) | undefined;
  #endOfSession = -1;
  #stats: MoldReaderStats = {
    datagrams: 0,
    ignored: 0,
    requests: 0,
    duplicates: 0,
  };
  #asked = -1;
  #askedTimes = 0;
  #wake: (() => void) | undefined;
  #error: Error | undefined;
  #stopped = false;
  readonly #request = new Uint8Array(MOLD_UDP64_REQUEST_LENGTH);

  private constructor(socket: dgram.Socket, options: MoldReaderOptions) {
    this.#socket = socket;
    this.#options = {
      multicastInterface: "127.0.0.1",
      retryMs: 250,
      maxRequests: 40,
      maxRequestCount: 1000,
      ...options,
    };
    socket.on("message", (bytes) => this.#receive(new Uint8Array(bytes)));
  }

  /**
   * Binds the UDP port (joining the group for a multicast address) and starts keeping
   * datagrams.
   *
   * @param options Where to listen and whom to ask.
   * @returns The reader, once bound.
   * @throws {Error} If the port cannot be bound (in use, not a local address).
   */
  static async open(options: MoldReaderOptions): Promise<MoldReader> {
    const multicast = isMulticastAddress(options.listen.hostname);
    const socket = dgram.createSocket({ type: "udp4", reuseAddr: multicast });
    const reader = new MoldReader(socket, options);
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.listen.port, options.listen.hostname, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    socket.on("error", (error) => reader.#fail(error));
    if (multicast) {
      socket.addMembership(
        options.listen.hostname,
        reader.#options.multicastInterface,
      );
    }
    return reader;
  }

  /** The UDP port datagrams arrive on. */
  get port(): number {
    return this.#socket.address().port;
  }

  /** The feed's session (from its first datagram), once known. */
  get session(): string | undefined {
    return this.#session;
  }

  /** What was received and asked for so far. */
  get stats(): Readonly<MoldReaderStats> {
    return {
      ...this.#stats,
      duplicates: this.#sequencer?.duplicates ?? 0,
    };
  }

  /** The sequence number of the next message to deliver (after {@linkcode read} started). */
  get nextSequenceNumber(): number {
    return this.#sequencer?.nextSequenceNumber ?? 1;
  }

  /**
   * Starts putting the feed in order: datagrams kept so far are taken, messages before
   * `nextSequenceNumber` dropped. Call it once, before {@linkcode read}.
   *
   * @param nextSequenceNumber The first message to deliver (the snapshot's `G` + 1).
   * @param session The feed's session when known (the snapshot channel's login says it);
   *   otherwise the first datagram's.
   * @param deliver Takes each message (a copy) and its sequence number, in order.
   * @throws {Error} If called twice.
   */
  begin(
    nextSequenceNumber: number,
    session: string | undefined,
    deliver: (message: Uint8Array, sequenceNumber: number) => void,
  ): void {
    if (this.#sequencer !== undefined) {
      throw new Error("Cannot begin a MoldUDP64 read twice");
    }
    this.#session = session;
    this.#deliver = deliver;
    this.#sequencer = new FeedSequencer({
      nextSequenceNumber,
      maxRequestCount: this.#options.maxRequestCount,
      retryAfter: this.#options.retryMs,
    });
    const early = this.#early ?? [];
    this.#early = null;
    for (const datagram of early) this.#take(datagram);
  }

  /**
   * Delivers messages until End of Session (and every message before it), until the
   * message `until` is delivered, or until {@linkcode stop}. Call it again to go on from
   * where it returned.
   *
   * @param until Return once this message has been delivered.
   * @returns Why it returned.
   * @throws {MoldGapError} If the re-request server does not fill a gap.
   * @throws {Error} If {@linkcode begin} was not called, or the socket failed.
   */
  async read(until = Infinity): Promise<MoldReadEnd> {
    const sequencer = this.#sequencer;
    if (sequencer === undefined) {
      throw new Error("Cannot read MoldUDP64 before begin()");
    }
    this.#stopped = false;
    const timer = setInterval(() => this.#ask(), this.#options.retryMs / 5);
    try {
      while (true) {
        if (this.#error !== undefined) throw this.#error;
        const next = sequencer.nextSequenceNumber;
        if (next > until) return "reached";
        if (this.#endOfSession >= 0 && next >= this.#endOfSession) {
          return "endOfSession";
        }
        if (this.#stopped) return "stopped";
        this.#ask();
        await new Promise<void>((resolve) => this.#wake = resolve);
      }
    } finally {
      clearInterval(timer);
      this.#wake = undefined;
    }
  }

  /** Makes a running {@linkcode read} return `"stopped"`. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  /** Stops and closes the socket. */
  async close(): Promise<void> {
    this.stop();
    await new Promise<void>((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve(); // closed already
      }
    });
  }

  #fail(error: Error): void {
    this.#error ??= error;
    this.#wake?.();
  }

  #receive(datagram: Uint8Array): void {
    this.#stats.datagrams++;
    if (this.#early !== null) {
      if (this.#early.length < MAX_EARLY) this.#early.push(datagram);
      else this.#stats.ignored++; // asked for again once the read begins
      return;
    }
    this.#take(datagram);
    this.#wake?.();
  }

  #take(datagram: Uint8Array): void {
    let packet;
    try {
      packet = decodeMoldUdp64(datagram);
    } catch {
      this.#stats.ignored++;
      return;
    }
    this.#session ??= packet.session;
    if (packet.session !== this.#session) {
      this.#stats.ignored++;
      return;
    }
    const sequencer = this.#sequencer!;
    if (packet.type === "downstream") {
      const deliver = this.#deliver!;
      let n = packet.sequenceNumber;
      for (const message of packet.messages) {
        const first = sequencer.nextSequenceNumber;
        const ready = sequencer.receive(n++, message.slice());
        let at = first;
        for (const applied of ready) deliver(applied, at++);
      }
      sequencer.announce(n);
    } else {
      sequencer.announce(packet.sequenceNumber);
      if (packet.type === "endOfSession") {
        this.#endOfSession = packet.sequenceNumber;
      }
    }
  }

  #ask(): void {
    const sequencer = this.#sequencer;
    const session = this.#session;
    if (sequencer === undefined || session === undefined) return;
    const gap = sequencer.request(performance.now());
    if (gap === null) return;
    if (gap.sequenceNumber === this.#asked) {
      if (++this.#askedTimes > this.#options.maxRequests) {
        const { hostname, port } = this.#options.request;
        this.#fail(
          new MoldGapError(
            `Cannot fill the MoldUDP64 gap at sequence ${gap.sequenceNumber} (${gap.messageCount} messages): the re-request server ${hostname}:${port} did not answer ${this.#options.maxRequests} requests over ${
              (this.#options.maxRequests * this.#options.retryMs / 1000)
                .toFixed(1)
            } s`,
          ),
        );
        return;
      }
    } else {
      this.#asked = gap.sequenceNumber;
      this.#askedTimes = 1;
    }
    encodeMoldUdp64RequestInto({
      type: "request",
      session,
      sequenceNumber: gap.sequenceNumber,
      messageCount: gap.messageCount,
    }, this.#request);
    this.#stats.requests++;
    const { hostname, port } = this.#options.request;
    this.#socket.send(this.#request, port, hostname);
  }
}
