/**
 * Test helpers for the web page: an OUCH server with a {@linkcode WebServer} on 127.0.0.1
 * port 0, and a WebSocket client that records the server's messages.
 *
 * @module
 */
import type { JsonObject } from "../../lib/exchange/mod.ts";
import { DEFAULT_ORDERBOOKS } from "../../lib/matcher/mod.ts";
import { type WebListenOptions, WebServer } from "../../lib/web/server.ts";
import {
  startServer,
  testExchange,
  type TestServer,
} from "../server/_harness.ts";

/** An OUCH server and its web page. */
export interface WebSetup {
  server: TestServer;
  web: WebServer;
  /** `http://127.0.0.1:port` of the page. */
  origin: string;
  close(): Promise<void>;
}

/**
 * The default orderbooks without reference data (round lot 1, tick 0.1, no price limits):
 * the page's tests trade quantities and prices of their own on 7203 and 8306.
 */
const NO_RULES = {
  instruments: DEFAULT_ORDERBOOKS.map((orderbookId) => ({ orderbookId })),
};

/**
 * Starts an in-process OUCH server (accounts of `USERS`) with the web page in front; the
 * day trades without reference data unless `matcher` gives its market rules.
 */
export function startWeb(
  options: {
    open?: boolean;
    matcher?: JsonObject;
    operators?: ReadonlySet<string>;
    /** More listen options (limits, a throttle). */
    listen?: Partial<WebListenOptions>;
  } = {},
): WebSetup {
  const web = new WebServer();
  const server = startServer({
    exchange: testExchange({
      day: { open: options.open ?? true, matcher: options.matcher ?? NO_RULES },
    }),
  });
  web.listen({
    hostname: "127.0.0.1",
    port: 0,
    exchange: server.exchange,
    ...(options.operators === undefined
      ? {}
      : { operators: options.operators }),
    ...options.listen,
  });
  return {
    server,
    web,
    origin: `http://${web.address}`,
    close: async () => {
      await web.shutdown();
      await server.shutdown();
    },
  };
}

/** A message from the web server, loosely typed for assertions. */
// deno-lint-ignore no-explicit-any
export type Received = { type: string } & Record<string, any>;

/** A WebSocket client of the page's protocol that keeps every message it receives. */
export class PageClient {
  readonly received: Received[] = [];
  readonly socket: WebSocket;
  readonly #closed: Promise<void>;
  #waiters: (() => void)[] = [];
  isClosed = false;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.#closed = new Promise((resolve) => {
      socket.onclose = () => {
        this.isClosed = true;
        this.#wake();
        resolve();
      };
    });
    socket.onmessage = (event) => {
      this.received.push(JSON.parse(String(event.data)));
      this.#wake();
    };
  }

  /** Connects to `/ws` with a same-origin `Origin` header and waits for the snapshot. */
  static async connect(setup: WebSetup): Promise<PageClient> {
    const socket = new WebSocket(`ws://${setup.web.address}/ws`, {
      headers: { origin: setup.origin },
    });
    const client = new PageClient(socket);
    await client.next("snapshot");
    return client;
  }

  /** Sends a value as JSON. */
  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends raw text or bytes. */
  sendRaw(data: string | Uint8Array<ArrayBuffer>): void {
    this.socket.send(data);
  }

  /** Logs in and waits for the answer. */
  async login(username: string, password: string): Promise<Received> {
    const from = this.received.length;
    this.send({ type: "login", username, password });
    return await this.next("login", () => true, from);
  }

  /**
   * Waits for a message of `type` (received at index `from` or later) that matches.
   *
   * @returns The message.
   */
  async next(
    type: string,
    matches: (message: Received) => boolean = () => true,
    from = 0,
    timeoutMs = 5000,
  ): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.received.slice(from).find((message) =>
        message.type === type && matches(message)
      );
      if (found !== undefined) return found;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.isClosed) {
        throw new Error(
          `Timed out waiting for a "${type}" message; got ${
            JSON.stringify(this.received.slice(from).map((m) => m.type))
          }${this.isClosed ? " and the socket closed" : ""}`,
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

  /** Sends `message` and waits for the first message that follows it. */
  async request(message: unknown, type: string): Promise<Received> {
    const from = this.received.length;
    this.send(message);
    return await this.next(type, () => true, from);
  }

  /** Waits until the server closed the socket. */
  async closedByServer(): Promise<void> {
    await this.#closed;
  }

  /** Closes the socket and waits for its close event. */
  async close(): Promise<void> {
    if (!this.isClosed) this.socket.close();
    await this.#closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Sends one raw HTTP/1.1 request and returns the status code of the answer, for requests
 * `fetch` does not make (another `Host`, a WebSocket upgrade from a foreign origin).
 */
export async function rawStatus(
  address: string,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  const [hostname, port] = address.split(":");
  const conn = await Deno.connect({ hostname: hostname!, port: Number(port) });
  try {
    const lines = [`GET ${path} HTTP/1.1`];
    for (const [name, value] of Object.entries(headers)) {
      lines.push(`${name}: ${value}`);
    }
    lines.push("Connection: close", "", "");
    await conn.write(new TextEncoder().encode(lines.join("\r\n")));
    const buffer = new Uint8Array(4096);
    let text = "";
    while (!text.includes("\r\n")) {
      const count = await conn.read(buffer);
      if (count === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, count));
    }
    const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
    if (match === null) throw new Error(`No HTTP status in ${text}`);
    return Number(match[1]);
  } finally {
    conn.close();
  }
}

/** The Enter Order fields of a page message with the usual defaults. */
export function pageEnter(
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "enter",
    clientReference: "web",
    buySellIndicator: "B",
    quantity: 100,
    orderbookId: "1",
    group: "DAY",
    price: "2300.0",
    timeInForce: 99999,
    firmId: 0,
    display: " ",
    capacity: "P",
    minimumQuantity: 0,
    orderClassification: "1",
    cashMarginType: "1",
    ...fields,
  };
}

/** An OUCH server whose web page can be stopped and started again on the same port. */
export interface RestartableWeb {
  server: TestServer;
  /** The page's server while it runs. */
  web: WebServer | undefined;
  /** `http://127.0.0.1:port`, the same across restarts. */
  origin: string;
  /** Stops the page's server (the OUCH server keeps running). */
  stopWeb(): Promise<void>;
  /** Starts a new page server on the same port. */
  startWeb(): void;
  close(): Promise<void>;
}

/**
 * Starts an in-process OUCH server (accounts of `USERS`) with a page server in front that
 * the test can stop and start again, as an operator restarting it would: each page server
 * subscribes to the exchange while it runs.
 */
export function startRestartableWeb(): RestartableWeb {
  let current: WebServer | undefined = new WebServer();
  const server = startServer({
    exchange: testExchange({ day: { matcher: NO_RULES } }),
  });
  const exchange = server.exchange;
  current.listen({ hostname: "127.0.0.1", port: 0, exchange });
  const port = Number(current.address.split(":")[1]);
  const setup: RestartableWeb = {
    server,
    web: current,
    origin: `http://127.0.0.1:${port}`,
    async stopWeb() {
      const web = current;
      current = undefined;
      setup.web = undefined;
      await web?.shutdown();
    },
    startWeb() {
      const web = new WebServer();
      web.listen({ hostname: "127.0.0.1", port, exchange });
      current = web;
      setup.web = web;
    },
    async close() {
      await setup.stopWeb();
      await server.shutdown();
    },
  };
  return setup;
}
