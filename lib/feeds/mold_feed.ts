/**
 * The ITCH feed over MoldUDP64 (`--mold HOST:PORT`) and its re-request server
 * (`--mold-request-port`): the datagrams through `sendmmsg(2)` when the process may use FFI, else
 * `node:dgram` (Deno's own UDP needs `--unstable-net`), as is the re-request server.
 *
 * @module
 */
import dgram from "node:dgram";
import {
  answerMoldUdp64Request,
  type DatagramWriter,
  decodeMoldUdp64Request,
  MoldUdp64Packer,
} from "../itch/mod.ts";
import type { ItchPublisher } from "./itch_publisher.ts";
import {
  type DatagramSender,
  type DatagramSenderOptions,
  openDatagramSender,
} from "./datagram_sender.ts";

/** How to run a {@linkcode MoldFeed}. */
export interface MoldFeedOptions {
  publisher: ItchPublisher;
  /** Where the datagrams go: a loopback address, or a multicast group. */
  destination: { hostname: string; port: number };
  /** The re-request server's address. @default {"127.0.0.1"} */
  requestHostname?: string;
  /** The re-request server's port (0: a free one), `null` for none. */
  requestPort: number | null;
  /**
   * Heartbeat (or, after the day's end, End of Session) after this long without a datagram.
   *
   * @default {1000}
   */
  heartbeatIntervalMs?: number;
  /**
   * How the datagrams are sent: `transport: "node:dgram"` forces `node:dgram`; the other
   * fields are {@linkcode DatagramSenderOptions}'.
   *
   * @default {{}} (`sendmmsg(2)` when possible)
   */
  sender?: Omit<DatagramSenderOptions, "destination">;
}

/**
 * Sends every message of the feed as MoldUDP64 downstream datagrams (at most 1,400 bytes of
 * message blocks, numbered as the feed, M2), as the publisher appends them: at once when the
 * feed is quiet; under load (a datagram sent in the same millisecond) the last, partly
 * filled datagram of a batch waits for the next timer, so that the batches arriving meanwhile
 * fill it (at most about a millisecond later). When idle for a second it sends a heartbeat (count 0, the
 * next sequence number); after the day's last message, End of Session (count 0xFFFF) every
 * second instead. The re-request server answers a request with one downstream datagram of
 * as many of the asked messages as fit, sent to the asker; requests for another session or
 * beyond the feed, and malformed ones, get no answer.
 */
export class MoldFeed {
  readonly #publisher: ItchPublisher;
  readonly #sender: DatagramSender;
  readonly #requests: dgram.Socket | null;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #unlisten: () => void;
  readonly #heartbeatMs: number;
  #packer: MoldUdp64Packer | undefined;
  /**
   * Under load, a 1 ms interval that sends the partly filled datagram a turn left waiting
   * (`#flushWaiting`); it stops at its first tick with nothing waiting. One timer per spell of
   * load rather than one per millisecond: making a timer costs more than a tick.
   */
  #flushTimer: ReturnType<typeof setInterval> | undefined;
  #flushWaiting = false;
  readonly #flushLater = () => {
    if (!this.#flushWaiting) {
      clearInterval(this.#flushTimer);
      this.#flushTimer = undefined;
      return;
    }
    this.#flushWaiting = false;
    this.#packer?.flush();
    this.#sender.flush();
  };
  readonly #add = (bytes: Uint8Array, start: number, end: number) => {
    this.#packer!.addPackets(bytes, start, end);
  };
  /**
   * The packer writes each datagram where the sender sends it from (with `sendmmsg(2)`, no
   * copy); its commit notes the time of the last datagram.
   */
  readonly #writer: DatagramWriter;
  #sent = 0;
  #lastSentAt = 0;
  #requestPort: number | null = null;
  #ignored = 0;
  #answered = 0;

  private constructor(options: MoldFeedOptions) {
    this.#publisher = options.publisher;
    this.#heartbeatMs = options.heartbeatIntervalMs ?? 1000;
    const sender = openDatagramSender({
      ...options.sender,
      destination: options.destination,
    });
    this.#sender = sender;
    this.#writer = {
      get bytes() {
        return sender.bytes;
      },
      begin: (length) => sender.begin(length),
      commit: (length) => {
        this.#lastSentAt = Date.now();
        sender.commit(length);
      },
    };
    this.#requests = options.requestPort === null
      ? null
      : dgram.createSocket("udp4");
    this.#unlisten = this.#publisher.listen({
      dayStarted: (session) => {
        this.#packer?.flush();
        this.#sender.flush();
        this.#sent = 0;
        this.#packer = new MoldUdp64Packer(this.#writer, {
          session,
        });
      },
      appended: (last) => this.#pump(last),
      dayEnded: () => {
        this.#packer?.endOfSession();
        this.#sender.flush();
      },
    });
    if (this.#publisher.session !== undefined) {
      this.#packer = new MoldUdp64Packer(this.#writer, {
        session: this.#publisher.session,
      });
      this.#pump(this.#publisher.log.length);
    }
    this.#timer = setInterval(() => this.#idle(), 100);
  }

  /**
   * Starts sending and (with a port) answering requests.
   *
   * @param options The feed, the destination, the request server's address.
   * @returns The running feed, once the request server is bound.
   */
  static start(options: MoldFeedOptions): MoldFeed {
    const feed = new MoldFeed(options);
    feed.#bindRequests(
      options.requestHostname ?? "127.0.0.1",
      options.requestPort,
    );
    return feed;
  }

  /**
   * Waits until the re-request server is bound.
   *
   * @returns Its port, or `null` without one.
   */
  async ready(): Promise<number | null> {
    await this.#bound;
    return this.#requestPort;
  }

  /** The re-request server's port once bound, else `null`. */
  get requestPort(): number | null {
    return this.#requestPort;
  }

  /**
   * How the datagrams go: `"sendmmsg"`, or `"node:dgram: "` and why (`"node:dgram: no
   * --allow-ffi"`).
   */
  get transport(): string {
    return this.#sender.kind;
  }

  /** Datagrams waiting for the kernel (it said `EAGAIN`), and datagrams it refused. */
  get sendCounts(): { pending: number; failed: number } {
    return { pending: this.#sender.pending, failed: this.#sender.failed };
  }

  /** Requests answered, and requests ignored (malformed, or nothing to answer). */
  get requestCounts(): { answered: number; ignored: number } {
    return { answered: this.#answered, ignored: this.#ignored };
  }

  /** Stops sending and answering. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#flushTimer);
    this.#unlisten();
    await this.#sender.ready();
    this.#packer?.flush();
    this.#sender.flush();
    await this.#sender.close();
    if (this.#requests !== null) {
      await new Promise<void>((resolve) =>
        this.#requests!.close(() => resolve())
      );
    }
  }

  #bound: Promise<void> = Promise.resolve();

  #bindRequests(hostname: string, port: number | null): void {
    const requests = this.#requests;
    if (requests === null || port === null) return;
    const bound = Promise.withResolvers<void>();
    this.#bound = bound.promise;
    requests.on("error", (error) => bound.reject(error));
    requests.on("message", (bytes, from) => this.#answer(bytes, from));
    requests.bind(port, hostname, () => {
      this.#requestPort = requests.address().port;
      bound.resolve();
    });
  }

  #answer(bytes: Uint8Array, from: dgram.RemoteInfo): void {
    const session = this.#publisher.session;
    let answer: Uint8Array | null = null;
    try {
      answer = session === undefined ? null : answerMoldUdp64Request(
        decodeMoldUdp64Request(bytes),
        this.#publisher.log,
        { session },
      );
    } catch {
      answer = null;
    }
    if (answer === null) {
      this.#ignored++;
      return;
    }
    this.#answered++;
    this.#requests!.send(answer, from.port, from.address);
  }

  #pump(last: number): void {
    const packer = this.#packer;
    if (packer === undefined) return;
    if (last > this.#sent) {
      this.#publisher.log.forEachPacketRun(this.#sent + 1, last, this.#add);
    }
    this.#sent = last;
    this.#flushPacker(packer);
    this.#sender.flush();
  }

  #flushPacker(packer: MoldUdp64Packer): void {
    // The partly filled datagram goes out now, unless one went out in the same millisecond
    // (Date.now(): no op call, unlike performance.now()): then at the next timer (within
    // about a millisecond), so that under load the batches of several turns share datagrams
    // (fewer, fuller sends).
    if (packer.pendingCount === 0 || this.#flushWaiting) return;
    if (Date.now() - this.#lastSentAt >= COALESCE_MS) packer.flush();
    else {
      this.#flushWaiting = true;
      this.#flushTimer ??= setInterval(this.#flushLater, COALESCE_MS);
    }
  }

  #idle(): void {
    const now = Date.now();
    if (now - this.#lastSentAt < this.#heartbeatMs) return;
    const packer = this.#packer;
    if (packer === undefined) return;
    if (this.#publisher.ended) packer.endOfSession();
    else packer.heartbeat();
    this.#sender.flush();
  }
}

/** Datagrams closer together than this are coalesced. */
const COALESCE_MS = 1;
