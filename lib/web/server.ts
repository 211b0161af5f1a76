/**
 * The web page's server: the page's files over HTTP and one WebSocket per page at `/ws`
 * that relays market data, an account's OUCH responses, and the page's orders and operator
 * actions.
 *
 * @module
 */
import { stringifyJson } from "../format/format.ts";
import { decodeOutbound } from "../codec/mod.ts";
import type { OutboundMessage } from "../codec/messages.ts";
import type { Depth, OpenOrder, Trade } from "../matcher/mod.ts";
import type { Exchange, ExchangeListener } from "../server/exchange.ts";
import type { OuchServer } from "../server/server.ts";
import { readAsset, responseHeaders } from "./_assets.ts";
import {
  MAX_PAGE_MESSAGE_LENGTH,
  type PageMessage,
  validatePageMessage,
} from "./assets/view.js";

export { combineListeners } from "./combine_listeners.ts";

/** Where and for which OUCH server a {@linkcode WebServer} listens. */
export interface WebListenOptions {
  /** The address, e.g. `127.0.0.1`. */
  hostname: string;
  /** The port; `0` picks a free one. */
  port: number;
  /** The OUCH server whose exchange the page shows and trades on. */
  server: OuchServer;
}

/** A price level as sent to the page. */
export interface WebLevel {
  readonly price: number;
  readonly quantity: number;
  readonly orders: number;
}

/** A trade as sent to the page: the tape shows no accounts. */
export interface WebTrade {
  /** The 64-bit Match Number as an exact decimal string. */
  readonly matchNumber: string;
  readonly price: number;
  readonly quantity: number;
  readonly timestamp: number;
  readonly aggressor: "B" | "S";
}

/** One orderbook in a snapshot. */
export interface WebOrderbook {
  readonly orderbookId: string;
  readonly halted: boolean;
  readonly bids: readonly WebLevel[];
  readonly asks: readonly WebLevel[];
  readonly trades: readonly WebTrade[];
}

/** A sequenced message of the logged-in account, as in its OUCH sequence. */
export interface WebResponse {
  readonly sequenceNumber: number;
  readonly message: OutboundMessage;
}

/**
 * What the server sends to a page over the WebSocket, as JSON. The 64-bit Order and Match
 * Numbers (in `responses` and `orders`, typed `bigint` here) travel as exact decimal
 * strings, as `WebTrade.matchNumber` does.
 */
export type WebServerMessage =
  | {
    readonly type: "snapshot";
    readonly session: string;
    readonly version: string;
    readonly open: boolean;
    readonly orderbooks: readonly WebOrderbook[];
  }
  | {
    readonly type: "depth";
    readonly orderbookId: string;
    readonly bids: readonly WebLevel[];
    readonly asks: readonly WebLevel[];
  }
  | {
    readonly type: "trades";
    readonly orderbookId: string;
    readonly trades: readonly WebTrade[];
  }
  | {
    readonly type: "state";
    readonly open: boolean;
    readonly halted: readonly string[];
  }
  | { readonly type: "login"; readonly ok: true; readonly account: string }
  | { readonly type: "login"; readonly ok: false; readonly error: string }
  | { readonly type: "logout" }
  | {
    readonly type: "responses";
    readonly items: readonly WebResponse[];
    /** Responses left out because they came faster than the page is updated. */
    readonly skipped: number;
    /** Whether these are the account's latest messages sent at login. */
    readonly history: boolean;
  }
  | {
    readonly type: "orders";
    readonly orders: readonly OpenOrder[];
    /** How many open orders the account has; only the first 100 are sent. */
    readonly total: number;
  }
  | {
    readonly type: "ack";
    readonly request: "enter" | "replace" | "cancel" | "operator";
    readonly text: string;
    readonly orderToken?: number;
  }
  | { readonly type: "error"; readonly message: string }
  /** The answer to the page's `ping`: the page uses it to tell a live server from a stopped one. */
  | { readonly type: "pong" };

/** At most one market update per orderbook per this many milliseconds. */
const UPDATE_INTERVAL_MS = 100;
/** How often a replaced trading day is looked for when nothing else happens. */
const DAY_CHECK_MS = 1000;
/** Price levels per side sent to the page. */
const DEPTH_LEVELS = 10;
/** Responses kept per page between two updates; older ones are counted as skipped. */
const MAX_RESPONSES = 100;
/** The account's latest messages sent at login (the page counts fills and position from them). */
const LOGIN_HISTORY = 1000;
/** Open orders sent to the page. */
const MAX_ORDERS = 100;
/** At most one open-orders update per page per this many milliseconds. */
const ORDERS_INTERVAL_MS = 250;
/** Failed logins after which a page's WebSocket is closed. */
const MAX_FAILED_LOGINS = 5;
/** How long shutdown waits for the pages to answer the WebSocket close handshake. */
const CLOSE_WAIT_MS = 1000;
/** A page whose socket has this much unsent data is closed as too slow. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** One page's WebSocket and its login. */
class WebClient {
  readonly socket: WebSocket;
  account: string | undefined;
  failedLogins = 0;
  responses: WebResponse[] = [];
  skipped = 0;
  ordersDirty = false;
  lastOrdersMs = -Infinity;
  /** Tokens of the orders this page entered or replaced: their responses are never dropped. */
  own = new Set<number>();
  /** Whether a response about one of `own` waits: it is sent at once, not with the next update. */
  urgent = false;
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  markClosed(): void {
    this.#resolveClosed();
  }

  send(message: WebServerMessage): void {
    this.sendText(stringifyJson(message));
  }

  sendText(text: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.close(1013, "too slow: the page is not reading its updates");
      return;
    }
    try {
      this.socket.send(text);
    } catch {
      // The socket closed meanwhile; its close event cleans up.
    }
  }

  error(message: string): void {
    this.send({ type: "error", message });
  }

  push(response: WebResponse): void {
    this.responses.push(response);
    this.ordersDirty = true;
    if (!this.urgent && isOwnResponse(response.message, this.own)) {
      this.urgent = true;
    }
    if (this.responses.length >= 2 * MAX_RESPONSES + this.own.size) {
      const { kept, dropped } = trimResponses(
        this.responses,
        this.own,
        MAX_RESPONSES,
      );
      this.responses = kept;
      this.skipped += dropped;
    }
  }
}

/**
 * Serves the web page of an {@linkcode OuchServer}: one page (`/`), its files, and a WebSocket
 * at `/ws`.
 *
 * Attach {@linkcode WebServer.listener} to every trading day's `Exchange`, then call
 * {@linkcode WebServer.listen}. The server always reads `server.exchange` afresh, so a day roll
 * sends every page a new snapshot.
 *
 * Market data (depth, trades, market state and halts) is coalesced: every page gets at most
 * one update per orderbook every 100 ms, however many orders arrive. A logged-in page also
 * gets the account's sequenced messages (the latest 1,000 at login, then each new one, batched
 * the same way, at most 100 per batch with the rest counted as skipped, except that a response
 * about an order the page entered itself is never dropped and is sent at once) and its open
 * orders (the first 100, at most four times a second). Orders from the page enter through
 * `server.run(…)` and `Exchange.submit`, the same path as a SoupBinTCP message, with tokens
 * the server assigns (`Exchange.nextToken`); they appear in the account's OUCH sequence.
 *
 * Security: the WebSocket is accepted only from the page's own origin (the `Origin` host must
 * equal the `Host` header, else 403). When listening on a loopback address, any request whose
 * `Host` is not a loopback name is refused with 403 (DNS rebinding). Trading and the operator
 * controls need a login with the account's SoupBinTCP credentials, per WebSocket. A `ping`
 * is answered with `pong` (the page tells a stopped server from a quiet one by it). A page
 * message that is not valid is answered with an `error` and changes nothing.
 *
 * @example Serve the page for a server on an ephemeral port
 * ```ts
 * import { WebServer } from "./server.ts";
 * import { Exchange } from "../server/exchange.ts";
 * import { OuchServer } from "../server/server.ts";
 * import assert from "node:assert/strict";
 *
 * const web = new WebServer();
 * const exchange = new Exchange({
 *   session: "2026112501", users: new Map([["demo1", "demo"]]), tradingDate: "20261125",
 *   journal: false, listener: web.listener,
 * });
 * const server = OuchServer.start({ hostname: "127.0.0.1", port: 0, exchange, journal: null });
 * web.listen({ hostname: "127.0.0.1", port: 0, server });
 * try {
 *   const response = await fetch(`http://${web.address}/`);
 *   assert.equal(response.status, 200);
 *   assert.match(await response.text(), /<title>/);
 * } finally {
 *   await web.shutdown();
 *   await server.shutdown();
 * }
 * ```
 */
export class WebServer {
  /** Attach to every `Exchange`: it tells the page what changed and what an account was sent. */
  readonly listener: ExchangeListener;
  #server: OuchServer | undefined;
  #http: Deno.HttpServer<Deno.NetAddr> | undefined;
  #loopbackOnly = false;
  readonly #clients = new Set<WebClient>();
  readonly #byAccount = new Map<string, Set<WebClient>>();
  /** The trading day the pages were last sent a snapshot of. */
  #exchange: Exchange | undefined;
  readonly #dirtyDepth = new Set<string>();
  readonly #dirtyTrades = new Set<string>();
  #stateDirty = false;
  /** The last Match Number sent per orderbook. */
  readonly #lastMatch = new Map<string, bigint>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dayTimer: ReturnType<typeof setInterval> | undefined;
  #lastUpdateMs = -Infinity;
  #closing = false;
  #urgentTimer: ReturnType<typeof setTimeout> | undefined;

  /** Creates a web server; it serves nothing until {@linkcode WebServer.listen}. */
  constructor() {
    this.listener = {
      market: (event) => {
        if (this.#clients.size === 0) return;
        switch (event.type) {
          case "bookExecute":
            this.#dirtyTrades.add(event.orderbookId);
            this.#dirtyDepth.add(event.orderbookId);
            break;
          case "bookAdd":
          case "bookDelete":
          case "bookReplace":
            this.#dirtyDepth.add(event.orderbookId);
            break;
          default:
            this.#stateDirty = true;
        }
        this.#schedule();
      },
      outbound: (account, message, sequenceNumber) => {
        if (this.#byAccount.size === 0) return;
        if (account !== null) {
          const clients = this.#byAccount.get(account);
          if (clients === undefined) return;
          for (const client of clients) {
            client.push({ sequenceNumber, message });
            if (client.urgent) this.#flushUrgentSoon();
          }
        } else {
          // A System Event to every account: it was appended to each log just before.
          const exchange = this.#server?.exchange;
          for (const [name, clients] of this.#byAccount) {
            const number = exchange?.log(name)?.length ?? 0;
            for (const client of clients) {
              client.push({ sequenceNumber: number, message });
            }
          }
        }
        this.#schedule();
      },
    };
  }

  /**
   * Starts serving.
   *
   * @param options Address and the OUCH server.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   * @throws {TypeError} When it is already listening.
   */
  listen(options: WebListenOptions): void {
    if (this.#http !== undefined) {
      throw new TypeError("Cannot listen: the web server is already listening");
    }
    this.#server = options.server;
    this.#loopbackOnly = isLoopbackName(options.hostname);
    this.#http = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      onListen: () => {},
      onError: () =>
        new Response("Internal Server Error", {
          status: 500,
          headers: responseHeaders("text/plain; charset=utf-8"),
        }),
    }, (request) => this.#respond(request));
    this.#dayTimer = setInterval(() => {
      if (
        this.#clients.size > 0 && this.#server !== undefined &&
        this.#server.exchange !== this.#exchange
      ) {
        this.#update();
      }
    }, DAY_CHECK_MS);
  }

  /** The address served, e.g. `127.0.0.1:8080`, with the real port once listening. */
  get address(): string {
    if (this.#http === undefined) return "";
    const addr = this.#http.addr;
    const host = addr.hostname.includes(":")
      ? `[${addr.hostname}]`
      : addr.hostname;
    return `${host}:${addr.port}`;
  }

  /** Closes every WebSocket and the HTTP server. */
  async shutdown(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#urgentTimer);
    clearInterval(this.#dayTimer);
    this.#timer = undefined;
    const clients = [...this.#clients];
    for (const client of clients) {
      try {
        client.socket.close(1001, "server shutting down");
      } catch {
        client.markClosed();
      }
    }
    // A peer that never answers the close handshake must not hold the shutdown up.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(clients.map((client) => client.closed)),
      new Promise((resolve) => timer = setTimeout(resolve, CLOSE_WAIT_MS)),
    ]);
    clearTimeout(timer);
    await this.#http?.shutdown();
  }

  async #respond(request: Request): Promise<Response> {
    const host = request.headers.get("host");
    if (this.#loopbackOnly && !isLoopbackHost(host)) {
      return plain(403, "Forbidden: this server only answers loopback names");
    }
    const path = new URL(request.url).pathname;
    if (path === "/ws") return this.#upgrade(request, host);
    if (request.method !== "GET" && request.method !== "HEAD") {
      const response = plain(405, "Method Not Allowed");
      response.headers.set("allow", "GET, HEAD");
      return response;
    }
    const asset = await readAsset(path);
    if (asset === undefined) return plain(404, "Not Found");
    return new Response(request.method === "HEAD" ? null : asset.body, {
      status: 200,
      headers: responseHeaders(asset.contentType),
    });
  }

  #upgrade(request: Request, host: string | null): Response {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return plain(426, "Upgrade Required: /ws is a WebSocket");
    }
    if (!isSameOrigin(request.headers.get("origin"), host)) {
      return plain(
        403,
        "Forbidden: the WebSocket is only for pages of this origin",
      );
    }
    if (this.#closing) return plain(503, "Service Unavailable");
    const { socket, response } = Deno.upgradeWebSocket(request);
    const client = new WebClient(socket);
    socket.onopen = () => this.#connect(client);
    socket.onmessage = (event) => this.#receive(client, event.data);
    socket.onclose = () => this.#disconnect(client);
    socket.onerror = () => {}; // a close event follows
    return response;
  }

  #connect(client: WebClient): void {
    const server = this.#server;
    if (server === undefined || this.#closing) {
      client.socket.close(1001, "server shutting down");
      return;
    }
    if (server.exchange !== this.#exchange) this.#newDay(server.exchange);
    this.#clients.add(client);
    client.send(this.#snapshot(server.exchange));
  }

  #disconnect(client: WebClient): void {
    this.#clients.delete(client);
    this.#setAccount(client, undefined);
    client.markClosed();
  }

  #receive(client: WebClient, data: unknown): void {
    let message: PageMessage;
    try {
      if (typeof data !== "string") {
        throw new TypeError(
          "Cannot read a binary message: send JSON text",
        );
      }
      if (data.length > MAX_PAGE_MESSAGE_LENGTH) {
        throw new RangeError(
          `Cannot read a message of ${data.length} characters: the limit is ${MAX_PAGE_MESSAGE_LENGTH}`,
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch (error) {
        throw new SyntaxError(
          `Cannot parse the message as JSON: ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
      }
      message = validatePageMessage(parsed);
    } catch (error) {
      client.error(errorText(error));
      return;
    }
    try {
      this.#handle(client, message);
    } catch (error) {
      client.error(errorText(error));
    }
  }

  #handle(client: WebClient, message: PageMessage): void {
    const server = this.#server!;
    if (server.exchange !== this.#exchange) this.#update();
    switch (message.type) {
      case "ping":
        client.send({ type: "pong" });
        return;
      case "login":
        return this.#login(client, message.username, message.password);
      case "logout":
        this.#setAccount(client, undefined);
        client.send({ type: "logout" });
        return;
    }
    const account = client.account;
    if (account === undefined) {
      const what = message.type === "operator"
        ? `${message.action} ${
          message.orderbookId === undefined
            ? "the market"
            : `orderbook "${message.orderbookId}"`
        }`
        : `${message.type} an order`;
      client.error(`Cannot ${what}: log in first`);
      return;
    }
    switch (message.type) {
      case "enter": {
        const { type: _, ...fields } = message;
        const orderToken = server.run((exchange, timestamp) => {
          const orderToken = exchange.nextToken(account);
          // Before the submit: its responses are the page's own as they are sent.
          client.own.add(orderToken);
          exchange.submit(
            account,
            { type: "enterOrder", orderToken, ...fields },
            timestamp,
          );
          return orderToken;
        });
        client.send({
          type: "ack",
          request: "enter",
          text: `Order #${orderToken} sent`,
          orderToken,
        });
        return;
      }
      case "replace": {
        const existing = this.#openOrder(account, message.existingOrderToken);
        if (existing === undefined) {
          client.error(
            `Cannot replace order #${message.existingOrderToken}: "${account}" has no live order with that token`,
          );
          return;
        }
        const { type: _, ...fields } = message;
        const orderToken = server.run((exchange, timestamp) => {
          const replacementOrderToken = exchange.nextToken(account);
          client.own.add(replacementOrderToken);
          exchange.submit(
            account,
            { type: "replaceOrder", ...fields, replacementOrderToken },
            timestamp,
          );
          return replacementOrderToken;
        });
        client.send({
          type: "ack",
          request: "replace",
          text:
            `Replace of order #${existing.orderToken} by #${orderToken} sent`,
          orderToken,
        });
        return;
      }
      case "cancel": {
        const existing = this.#openOrder(account, message.orderToken);
        if (existing === undefined) {
          client.error(
            `Cannot cancel order #${message.orderToken}: "${account}" has no live order with that token`,
          );
          return;
        }
        if (message.quantity >= existing.openQuantity) {
          client.error(
            `Cannot cancel order #${message.orderToken} down to ${message.quantity}: its open quantity is ${existing.openQuantity}`,
          );
          return;
        }
        server.run((exchange, timestamp) =>
          exchange.submit(account, {
            type: "cancelOrder",
            orderToken: message.orderToken,
            quantity: message.quantity,
          }, timestamp)
        );
        client.send({
          type: "ack",
          request: "cancel",
          text: `Cancel of order #${message.orderToken} sent`,
          orderToken: message.orderToken,
        });
        return;
      }
      case "operator":
        return this.#operator(client, message);
    }
  }

  #login(client: WebClient, username: string, password: string): void {
    const exchange = this.#server!.exchange;
    if (!exchange.authenticate(username, password)) {
      client.failedLogins++;
      client.send({
        type: "login",
        ok: false,
        error: `Cannot log in as "${username}": wrong username or password`,
      });
      if (client.failedLogins >= MAX_FAILED_LOGINS) {
        client.socket.close(1008, "too many failed logins");
      }
      return;
    }
    this.#setAccount(client, username);
    client.send({ type: "login", ok: true, account: username });
    const log = exchange.log(username);
    const items: WebResponse[] = [];
    if (log !== undefined) {
      for (
        let number = Math.max(1, log.length - LOGIN_HISTORY + 1);
        number <= log.length;
        number++
      ) {
        items.push({
          sequenceNumber: number,
          message: decodeOutbound(log.message(number), {
            version: exchange.version,
          }),
        });
      }
    }
    client.send({ type: "responses", items, skipped: 0, history: true });
    client.send(ordersMessage(exchange, username));
  }

  #operator(
    client: WebClient,
    message: Extract<PageMessage, { type: "operator" }>,
  ): void {
    const server = this.#server!;
    const { action, orderbookId } = message;
    if (orderbookId === undefined) {
      const changed = server.run((exchange, timestamp) =>
        action === "open" ? exchange.open(timestamp) : exchange.close(timestamp)
      );
      if (!changed) {
        client.error(
          `Cannot ${action} the market: it is already ${
            action === "open" ? "open" : "closed"
          }`,
        );
        return;
      }
      client.send({
        type: "ack",
        request: "operator",
        text: `Market ${action === "open" ? "opened" : "closed"}`,
      });
      return;
    }
    const exchange = server.exchange;
    if (!exchange.orderbooks.includes(orderbookId)) {
      client.error(
        `Cannot ${action} orderbook "${orderbookId}": it is not configured`,
      );
      return;
    }
    const changed = server.run((exchange, timestamp) =>
      action === "halt"
        ? exchange.halt(orderbookId, timestamp)
        : exchange.resume(orderbookId, timestamp)
    );
    if (!changed) {
      client.error(
        `Cannot ${action} orderbook "${orderbookId}": it is ${
          action === "halt" ? "already halted" : "not halted"
        }`,
      );
      return;
    }
    client.send({
      type: "ack",
      request: "operator",
      text: `Orderbook ${orderbookId} ${
        action === "halt" ? "halted" : "resumed"
      }`,
    });
  }

  #openOrder(account: string, orderToken: number): OpenOrder | undefined {
    return this.#server!.exchange.openOrders(account).find((order) =>
      order.orderToken === orderToken
    );
  }

  #setAccount(client: WebClient, account: string | undefined): void {
    if (client.account !== undefined) {
      const clients = this.#byAccount.get(client.account);
      clients?.delete(client);
      if (clients?.size === 0) this.#byAccount.delete(client.account);
    }
    client.account = account;
    client.responses = [];
    client.skipped = 0;
    client.own = new Set();
    client.ordersDirty = false;
    if (account !== undefined) {
      let clients = this.#byAccount.get(account);
      if (clients === undefined) {
        clients = new Set();
        this.#byAccount.set(account, clients);
      }
      clients.add(client);
    }
  }

  /**
   * Sends the pages with a response about their own order their responses in the next turn
   * of the event loop (after the acknowledgement of the order), not with the next update.
   */
  #flushUrgentSoon(): void {
    if (this.#urgentTimer !== undefined || this.#closing) return;
    this.#urgentTimer = setTimeout(() => {
      this.#urgentTimer = undefined;
      for (const client of this.#clients) {
        if (!client.urgent || client.account === undefined) continue;
        client.urgent = false;
        this.#sendResponses(client);
      }
    }, 0);
  }

  /** Sends a page the responses waiting for it. */
  #sendResponses(client: WebClient): void {
    if (client.responses.length === 0 && client.skipped === 0) return;
    const { kept, dropped } = trimResponses(
      client.responses,
      client.own,
      MAX_RESPONSES,
    );
    client.send({
      type: "responses",
      items: kept,
      skipped: client.skipped + dropped,
      history: false,
    });
    client.responses = [];
    client.skipped = 0;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#closing) return;
    const wait = Math.max(
      0,
      this.#lastUpdateMs + UPDATE_INTERVAL_MS - performance.now(),
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#update();
    }, wait);
  }

  /** Sends every page what changed since the last update. */
  #update(): void {
    this.#lastUpdateMs = performance.now();
    const server = this.#server;
    if (server === undefined || this.#clients.size === 0) {
      this.#dirtyDepth.clear();
      this.#dirtyTrades.clear();
      this.#stateDirty = false;
      return;
    }
    const exchange = server.exchange;
    if (exchange !== this.#exchange) {
      this.#newDay(exchange);
      return;
    }
    for (const orderbookId of this.#dirtyDepth) {
      const depth = exchange.depth(orderbookId, DEPTH_LEVELS);
      if (depth === undefined) continue;
      this.#broadcast({
        type: "depth",
        orderbookId,
        bids: levels(depth.bids),
        asks: levels(depth.asks),
      });
    }
    this.#dirtyDepth.clear();
    for (const orderbookId of this.#dirtyTrades) {
      const last = this.#lastMatch.get(orderbookId) ?? 0n;
      const trades = exchange.trades(orderbookId).filter((trade) =>
        trade.matchNumber > last
      );
      if (trades.length === 0) continue;
      this.#lastMatch.set(orderbookId, trades[trades.length - 1]!.matchNumber);
      this.#broadcast({
        type: "trades",
        orderbookId,
        trades: trades.map(webTrade),
      });
    }
    this.#dirtyTrades.clear();
    if (this.#stateDirty) {
      this.#stateDirty = false;
      this.#broadcast(stateMessage(exchange));
    }
    let ordersWaiting = false;
    for (const client of this.#clients) {
      const account = client.account;
      if (account === undefined) continue;
      client.urgent = false;
      this.#sendResponses(client);
      if (client.ordersDirty) {
        if (this.#lastUpdateMs - client.lastOrdersMs >= ORDERS_INTERVAL_MS) {
          client.ordersDirty = false;
          client.lastOrdersMs = this.#lastUpdateMs;
          client.send(ordersMessage(exchange, account));
        } else {
          ordersWaiting = true;
        }
      }
    }
    if (ordersWaiting) this.#schedule();
  }

  /** A new trading day (or the first page): every page gets a snapshot and its orders. */
  #newDay(exchange: Exchange): void {
    this.#exchange = exchange;
    this.#dirtyDepth.clear();
    this.#dirtyTrades.clear();
    this.#stateDirty = false;
    this.#lastMatch.clear();
    for (const id of exchange.orderbooks) {
      const trades = exchange.trades(id);
      this.#lastMatch.set(id, trades[trades.length - 1]?.matchNumber ?? 0n);
    }
    if (this.#clients.size === 0) return;
    this.#broadcast(this.#snapshot(exchange));
    for (const client of this.#clients) {
      if (client.account === undefined) continue;
      client.responses = [];
      client.skipped = 0;
      client.ordersDirty = false;
      client.send(ordersMessage(exchange, client.account));
    }
  }

  #snapshot(exchange: Exchange): WebServerMessage {
    return {
      type: "snapshot",
      session: exchange.session,
      version: exchange.version,
      open: exchange.isOpen,
      orderbooks: exchange.orderbooks.map((orderbookId) => {
        const depth: Depth = exchange.depth(orderbookId, DEPTH_LEVELS) ??
          { orderbookId, bids: [], asks: [] };
        return {
          orderbookId,
          halted: exchange.isHalted(orderbookId),
          bids: levels(depth.bids),
          asks: levels(depth.asks),
          trades: exchange.trades(orderbookId).map(webTrade),
        };
      }),
    };
  }

  #broadcast(message: WebServerMessage): void {
    const text = stringifyJson(message);
    for (const client of this.#clients) client.sendText(text);
  }
}

function levels(
  depthLevels: readonly { price: number; quantity: number; orders: number }[],
): WebLevel[] {
  return depthLevels.map(({ price, quantity, orders }) => ({
    price,
    quantity,
    orders,
  }));
}

function webTrade(trade: Trade): WebTrade {
  return {
    matchNumber: String(trade.matchNumber),
    price: trade.price,
    quantity: trade.quantity,
    timestamp: trade.timestamp,
    aggressor: trade.aggressor,
  };
}

/**
 * Keeps the latest `keep` responses plus every response about an order in `own` (the
 * orders a page entered itself), in their order; the others are dropped.
 */
function trimResponses(
  responses: readonly WebResponse[],
  own: ReadonlySet<number>,
  keep: number,
): { kept: WebResponse[]; dropped: number } {
  if (responses.length <= keep) {
    return { kept: [...responses], dropped: 0 };
  }
  const from = responses.length - keep;
  const kept = responses.filter((response, i) =>
    i >= from || isOwnResponse(response.message, own)
  );
  return { kept, dropped: responses.length - kept.length };
}

/** Whether a response is about one of the orders in `own`. */
function isOwnResponse(
  message: OutboundMessage,
  own: ReadonlySet<number>,
): boolean {
  if (own.size === 0) return false;
  switch (message.type) {
    case "systemEvent":
      return false;
    case "orderReplaced":
      return own.has(message.replacementOrderToken) ||
        own.has(message.previousOrderToken);
    default:
      return own.has(message.orderToken);
  }
}

function stateMessage(exchange: Exchange): WebServerMessage {
  return {
    type: "state",
    open: exchange.isOpen,
    halted: exchange.orderbooks.filter((id) => exchange.isHalted(id)),
  };
}

function ordersMessage(exchange: Exchange, account: string): WebServerMessage {
  const orders = exchange.openOrders(account);
  return {
    type: "orders",
    orders: orders.length > MAX_ORDERS ? orders.slice(0, MAX_ORDERS) : orders,
    total: orders.length,
  };
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: responseHeaders("text/plain; charset=utf-8"),
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether the WebSocket request comes from a page of this origin: the `Origin` header's
 * host (name and port) equals the `Host` header.
 */
function isSameOrigin(origin: string | null, host: string | null): boolean {
  if (origin === null || host === null) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return url.host.toLowerCase() === host.toLowerCase();
}

function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === "localhost" || name.endsWith(".localhost") ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || name === "::1" ||
    name === "[::1]";
}

function isLoopbackHost(host: string | null): boolean {
  if (host === null) return false;
  let url: URL;
  try {
    url = new URL(`http://${host}`);
  } catch {
    return false;
  }
  return isLoopbackName(url.hostname);
}
