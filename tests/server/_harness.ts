/**
 * Test helpers: an in-process server on 127.0.0.1 port 0 and a small SoupBinTCP client.
 *
 * @module
 */
import { decodeOutbound } from "../../lib/codec/mod.ts";
import type {
  InboundMessage,
  OutboundMessage,
  ProtocolVersion,
} from "../../lib/codec/messages.ts";
import type { LoginRejectCode } from "../../lib/codec/packets.ts";
import { SYSTEM_CLOCK } from "../../lib/clock/clock.ts";
import {
  type DayOptions,
  Exchange,
  type ExchangeOptions,
} from "../../lib/exchange/mod.ts";
import { OuchServer, type ServerOptions } from "../../lib/server/server.ts";
import { ClientSession } from "../../lib/session/client_session.ts";
import { WriteBuffer } from "../../lib/session/write_buffer.ts";

/** The trading date of the tests' exchanges: Order Numbers start 20261125… (K11). */
export const TRADING_DATE = "20261125";

/** Demo-style accounts for tests. */
export const USERS: ReadonlyMap<string, string> = new Map([
  ["alice", "pw-a"],
  ["bob", "pw-b"],
  ["carol", "pw-c"],
]);

/** The day of the tests' exchanges: session `2026112501` on {@linkcode TRADING_DATE}. */
export const TEST_DAY: DayOptions = {
  session: "2026112501",
  tradingDate: TRADING_DATE,
  created: 1795564800,
};

/** A fresh exchange of {@linkcode USERS} on {@linkcode TEST_DAY}, changed by `options`. */
export function testExchange(
  options: {
    day?: Partial<DayOptions> | undefined;
  } & Partial<ExchangeOptions> = {},
): Exchange {
  const { day, ...rest } = options;
  return new Exchange({
    users: USERS,
    timestamp: 0,
    ...rest,
    day: { ...TEST_DAY, ...day },
  });
}

/** An in-process server and the exchange it serves. */
export type TestServer = OuchServer & {
  readonly exchange: Exchange;
  /** Runs an action on the exchange with the current time (as the console does). */
  run<T>(action: (exchange: Exchange, timestamp: number) => T): T;
};

/** Starts a server on an ephemeral loopback port, with a fresh exchange unless one is given. */
export function startServer(
  options: {
    exchange?: Exchange;
    /** The day's configuration, and whether to cancel on disconnect. */
    market?: Partial<DayOptions> & { cancelOnDisconnect?: boolean };
    server?: Partial<Omit<ServerOptions, "exchange">>;
  } = {},
): TestServer {
  const { cancelOnDisconnect, ...day } = options.market ?? {};
  const exchange = options.exchange ??
    testExchange({ day, cancelOnDisconnect: cancelOnDisconnect ?? true });
  const server = OuchServer.start({
    ...options.server,
    hostname: "127.0.0.1",
    port: 0,
    exchange,
  });
  const clock = options.server?.clock;
  return Object.assign(server, {
    exchange,
    run<T>(action: (exchange: Exchange, timestamp: number) => T): T {
      return action(exchange, clock?.nowNs() ?? SYSTEM_CLOCK.nowNs());
    },
  });
}

/** A received sequenced message with its number. */
export interface Received {
  sequenceNumber: number;
  message: OutboundMessage;
}

/** A SoupBinTCP client for tests, driven by {@linkcode ClientSession}. */
export class TestClient {
  readonly received: Received[] = [];
  loginResult:
    | { session: string; sequenceNumber: number }
    | LoginRejectCode
    | undefined;
  ended = false;
  closed = false;
  readonly #conn: Deno.TcpConn;
  readonly #output = new WriteBuffer();
  readonly session: ClientSession;
  readonly #reading: Promise<void>;
  #waiters: (() => void)[] = [];

  private constructor(conn: Deno.TcpConn, version: ProtocolVersion) {
    this.#conn = conn;
    this.session = new ClientSession(
      {
        loginAccepted: (session, sequenceNumber) => {
          this.loginResult = { session, sequenceNumber };
        },
        loginRejected: (code) => this.loginResult = code,
        message: (message, sequenceNumber) => {
          this.received.push({
            sequenceNumber,
            message: decodeOutbound(message, { version }),
          });
        },
        endOfSession: () => this.ended = true,
      },
      this.#output,
      performance.now(),
      { version, heartbeatIntervalMs: 1000 },
    );
    this.#reading = this.#read();
  }

  /** Connects to `server`. */
  static async connect(
    server: OuchServer,
    version: ProtocolVersion = "1.12",
  ): Promise<TestClient> {
    const conn = await Deno.connect({
      hostname: "127.0.0.1",
      port: server.address.port,
    });
    return new TestClient(conn, version);
  }

  /** Sends raw bytes. */
  async raw(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) at += await this.#conn.write(bytes.subarray(at));
  }

  /** Logs in and waits for the answer. */
  async login(
    username: string,
    password: string,
    requestedSequenceNumber: number | bigint = 1,
    requestedSession = "",
  ): Promise<TestClient> {
    this.session.login({
      username,
      password,
      requestedSequenceNumber,
      requestedSession,
    });
    await this.flush();
    await this.until(
      () => this.loginResult !== undefined || this.closed,
      "a login answer",
    );
    return this;
  }

  /** Sends messages in one write. */
  async send(...messages: InboundMessage[]): Promise<void> {
    for (const message of messages) this.session.send(message);
    await this.flush();
  }

  /** Sends a Logout Request. */
  async logout(): Promise<void> {
    this.session.logout();
    await this.flush();
  }

  /** Writes what the session has buffered. */
  async flush(): Promise<void> {
    const bytes = this.#output.take();
    if (bytes === null) return;
    await this.raw(bytes);
    this.#output.release(bytes);
  }

  /** Waits until `count` messages have arrived in total. */
  async messages(count: number, timeoutMs = 5000): Promise<OutboundMessage[]> {
    await this.until(
      () => this.received.length >= count,
      `${count} messages`,
      timeoutMs,
    );
    return this.received.map((r) => r.message);
  }

  /** Waits until `condition` holds, checking on every packet received. */
  async until(
    condition: () => boolean,
    what: string,
    timeoutMs = 5000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `Timed out waiting for ${what}: got ${this.received.length} messages, login ${
            JSON.stringify(this.loginResult)
          }, closed ${this.closed}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 50));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the server closes the connection. */
  async closedByServer(timeoutMs = 5000): Promise<void> {
    await this.until(
      () => this.closed,
      "the server to close the connection",
      timeoutMs,
    );
  }

  /** Closes the connection and waits for the reader to stop. */
  async close(): Promise<void> {
    if (!this.closed) {
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
    }
    await this.#reading;
  }

  async #read(): Promise<void> {
    const buffer = new Uint8Array(65536);
    try {
      while (true) {
        const count = await this.#conn.read(buffer);
        if (count === null) break;
        this.session.receive(buffer.subarray(0, count), performance.now());
        this.#wake();
      }
    } catch {
      // closed
    } finally {
      this.closed = true;
      try {
        this.#conn.close();
      } catch {
        // already closed
      }
      this.#wake();
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** A Day buy of 100 at 2300.0 on orderbook "1"; see `tests/_fixtures.ts`. */
export { enterOrder as enter } from "../_fixtures.ts";

/** Message types, for compact assertions. */
export function types(messages: readonly OutboundMessage[]): string[] {
  return messages.map((message) => {
    switch (message.type) {
      case "orderRejected":
        return `rejected:${message.orderRejectedReason}`;
      case "orderCanceled":
        return `canceled:${message.orderCanceledReason}`;
      case "systemEvent":
        return `system:${message.eventCode}`;
      default:
        return message.type;
    }
  });
}
