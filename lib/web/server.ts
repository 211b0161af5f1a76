/**
 * The web page's server: the page's files over HTTP and one WebSocket per page at `/ws`
 * that relays market data, an account's OUCH responses, and the page's orders and operator
 * actions.
 *
 * @module
 */
import { SYSTEM_CLOCK } from "../clock/clock.ts";
import type { LoginThrottle } from "../accounts/login_throttle.ts";
import { stringifyJson } from "../format/format.ts";
import { decodeOutbound } from "../codec/mod.ts";
import type { OutboundMessage } from "../codec/messages.ts";
import type {
  InboundMessage,
  LoginRequestPacket,
  ProtocolVersion,
} from "../codec/mod.ts";
import type {
  AccountStreams,
  DayConfig,
  MarketChange,
  MarketData,
  MarketTrade,
  RecordBatch,
  SessionHandle,
  Subscriber,
} from "../exchange/mod.ts";
import type { Depth, OpenOrder } from "../matcher/mod.ts";
import { readAsset, responseHeaders } from "./_assets.ts";
import { HttpFront, type HttpFrontLimits } from "./_http_front.ts";
import {
  MAX_PAGE_MESSAGE_LENGTH,
  type PageMessage,
  validatePageMessage,
} from "./assets/view.js";

/**
 * What the web page shows and trades on: the exchange core (`Exchange` of `ouch server`
 * is one), or a gateway's view of the engine's log (`GatewayPages` of `ouch gateway`), whose
 * actions go to the engine as commands.
 */
export interface WebVenue {
  /** The market-data model: depth, trades, state, the day. */
  readonly market: MarketData;
  /** The account streams, as the venue sequences them. */
  readonly streams: AccountStreams;
  /** The OUCH version of the day. */
  readonly version: ProtocolVersion;
  /** The configured orderbooks. */
  readonly orderbooks: readonly string[];
  /** Adds a subscriber, called after the venue's own streams and market model are fed. */
  subscribe(subscriber: Subscriber): () => void;
  /** An account's id in the day's streams. */
  accountId(name: string): number | undefined;
  /** An account's name by its id. */
  accountName(id: number): string | undefined;
  /** Whether a username and password are an account's. */
  authenticate(username: string, password: string): boolean;
  /** Starts a page's session of an account (K23); `host` names the page. */
  login(
    request: LoginRequestPacket,
    host: string,
    timestamp: number,
  ): { accept: true; handle: SessionHandle } | { accept: false };
  /** Ends a page's session; a page's end cancels nothing (`cancel` false). */
  logout(handle: SessionHandle, timestamp: number, cancel?: boolean): void;
  /** Starts a page's session again on a new day. */
  resumeSession(
    name: string,
    host: string,
    timestamp: number,
  ): SessionHandle | undefined;
  /** An account's open orders, oldest first. */
  openOrders(name: string): OpenOrder[];
  /** The next token of the page's range for an account. */
  nextPageToken(name: string): number;
  /** Enters a page's order, replace or cancel for an account. */
  submit(name: string, message: InboundMessage, timestamp: number): void;
  /**
   * A gateway's venue (`GatewayPages`): calls `listener` when a page's order or replace went
   * in with another token than the one acknowledged (pages of the account on two gateways
   * picked the same token at once); the server tells that page. `ouch server` has no such
   * case: its tokens are picked where they are submitted.
   */
  watchPageTokens?(
    listener: (change: {
      readonly account: string;
      readonly host: string;
      readonly sent: number;
      readonly got: number;
    }) => void,
  ): () => void;
  /** Opens the market; `false` when it is open already. */
  open(timestamp: number): boolean;
  /** Closes the market; `false` when it is closed already. */
  close(timestamp: number): boolean;
  /** Halts an orderbook; `false` when it is halted already. */
  halt(orderbookId: string, timestamp: number): boolean;
  /** Resumes an orderbook; `false` when it is not halted. */
  resume(orderbookId: string, timestamp: number): boolean;
}

/** Where and for which exchange a {@linkcode WebServer} listens. */
export interface WebListenOptions {
  /** The address, e.g. `127.0.0.1`. */
  hostname: string;
  /**
   * The accounts allowed the operator actions (open, close, halt, resume) from the page;
   * the login tells the page whether it is one. @default {every account}
   */
  operators?: ReadonlySet<string>;
  /** The port; `0` picks a free one. */
  port: number;
  /** The exchange core the page shows and trades on, or a gateway's view of it. */
  exchange: WebVenue;
  /**
   * The time of the page's commands, nanoseconds since midnight (JST).
   *
   * @default {SYSTEM_CLOCK.nowNs}
   */
  now?: () => number;
  /**
   * The HTTP listener failed (e.g. out of descriptors: Deno's accept loop stops at the first
   * error): the order entry goes on and the page is served again on the same port after
   * `retryInMs`, doubling up to 5 s while it keeps failing.
   */
  listenerFailed?: (error: string, count: number, retryInMs: number) => void;
  /**
   * Refuses logins from an address or for an account that failed too often (shared with
   * the process's other listeners). @default {no throttling}
   */
  loginThrottle?: LoginThrottle;
  /** The throttle's clock, milliseconds. @default {SYSTEM_CLOCK.nowMs} */
  nowMs?: () => number;
  /** Timeouts and caps of the HTTP listener (defaults: 10 s, 60 s, 256, 64). */
  limits?: HttpFrontLimits & {
    /** Pages' WebSockets open at once at most; the excess is answered `503`. */
    maxWebSockets?: number;
  };
  /** A connection was refused or closed by a limit (count them; warn sparingly). */
  limited?: (what: WebLimit) => void;
}

/** Which limit of the web listener refused or closed a connection. */
export type WebLimit =
  | "connections"
  | "websockets"
  | "header timeout"
  | "idle timeout"
  | "body";

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
  /** The reference price in tenths (K17), when the orderbook has one. */
  readonly referencePrice?: number;
  /** The lowest accepted price in tenths, when the orderbook has price limits. */
  readonly lowerLimit?: number;
  /** The highest accepted price in tenths, when the orderbook has price limits. */
  readonly upperLimit?: number;
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
  /** What is wrong with writing the journal (nothing is processed meanwhile), or `null`. */
  | { readonly type: "journal"; readonly problem: string | null }
  | {
    readonly type: "login";
    readonly ok: true;
    readonly account: string;
    /** Whether the page may send operator actions. */
    readonly operator: boolean;
  }
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
  /**
   * The page's order or replace acknowledged as `sent` went in as `got` (another page of the
   * account took `sent` at the same moment): its responses are about `got`.
   */
  | {
    readonly type: "token";
    readonly sent: number;
    readonly got: number;
    readonly text: string;
  }
  /** The answer to the page's `ping`: the page uses it to tell a live server from a stopped one. */
  | { readonly type: "pong" };

/** At most one market update per orderbook per this many milliseconds. */
const UPDATE_INTERVAL_MS = 100;
/** Trades per orderbook in a snapshot. */
const SNAPSHOT_TRADES = 100;
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
  static #nextId = 1;
  readonly socket: WebSocket;
  /** The peer's IP address (for the failed-login throttle). */
  readonly address: string;
  /** Names the page's session: host `web#ID` (one session per page, K23). */
  readonly id = WebClient.#nextId++;
  account: string | undefined;
  /** The page's session of its account, while logged in. */
  session: SessionHandle | undefined;
  /** The sequence number of the account's next message this page is to get. */
  nextSequence = 1;
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

  constructor(socket: WebSocket, address: string) {
    this.socket = socket;
    this.address = address;
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
 * Serves the web page of a {@linkcode WebVenue} (the `Exchange` of `ouch server`, or a
 * gateway's `GatewayPages`): one page (`/`), its files, and a WebSocket at `/ws`. An edge of
 * the exchange core: it subscribes to the core, reads the market from its market-data
 * model, and sends the page's orders and operator actions to it as commands; it never polls.
 *
 * Market data (depth, trades, market state and halts) is coalesced: every page gets at most
 * one update per orderbook every 100 ms, however many orders arrive, and a new snapshot
 * when a trading day starts. A logged-in page also gets the account's sequenced messages
 * (the latest 1,000 at login, then each new one once durable, batched the same way, at
 * most 100 per batch with the rest counted as skipped, except that a response about an
 * order the page entered itself is never dropped and is sent at once) and its open orders
 * (the first 100, at most four times a second). Orders from the page enter through
 * `Exchange.submit`, the same path as a SoupBinTCP message, with tokens the server assigns
 * (`Exchange.nextPageToken`: the page's own range from 0xF0000000, so they never collide with
 * an OUCH session's); they appear in the account's OUCH sequence.
 *
 * Security: the WebSocket is accepted only from the page's own origin (the `Origin` host must
 * equal the `Host` header, else 403). When listening on a loopback address, any request whose
 * `Host` is not a loopback name is refused with 403 (DNS rebinding). Trading and the operator
 * controls need a login with the account's SoupBinTCP credentials, per WebSocket. A `ping`
 * is answered with `pong` (the page tells a stopped server from a quiet one by it). A page
 * message that is not valid is answered with an `error` and changes nothing.
 *
 * @example Serve the page for an exchange on an ephemeral port
 * ```ts
 * import { WebServer } from "./server.ts";
 * import { Exchange } from "../exchange/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const exchange = new Exchange({
 *   users: new Map([["demo1", "demo"]]),
 *   day: { session: "2026112501", tradingDate: "20261125", created: 1795564800 },
 *   timestamp: 0,
 * });
 * const web = new WebServer();
 * web.listen({ hostname: "127.0.0.1", port: 0, exchange });
 * try {
 *   const response = await fetch(`http://${web.address}/`);
 *   assert.equal(response.status, 200);
 *   assert.match(await response.text(), /<title>/);
 * } finally {
 *   await web.shutdown();
 * }
 * ```
 */
export class WebServer implements Subscriber {
  #exchange: WebVenue | undefined;
  #journalProblem: string | null = null;
  #now: () => number = SYSTEM_CLOCK.nowNs;
  #unsubscribe: (() => void) | undefined;
  #http: Deno.HttpServer<Deno.NetAddr> | undefined;
  #front: HttpFront | undefined;
  #maxWebSockets = 64;
  #limited: ((what: WebLimit) => void) | undefined;
  #loopbackOnly = false;
  #operators: ReadonlySet<string> | undefined;
  #loginThrottle: LoginThrottle | undefined;
  #nowMs: () => number = SYSTEM_CLOCK.nowMs;
  #listenerErrors = 0;
  #retryMs = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #clients = new Set<WebClient>();
  readonly #byAccount = new Map<string, Set<WebClient>>();
  /** Whether the pages are owed a snapshot: a new trading day started. */
  #newDay = false;
  /** The trading day of the last snapshot sent. */
  #shownDay: DayConfig | undefined;
  readonly #dirtyDepth = new Set<string>();
  readonly #dirtyTrades = new Set<string>();
  #stateDirty = false;
  /** The last Match Number sent per orderbook. */
  readonly #lastMatch = new Map<string, bigint>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastUpdateMs = -Infinity;
  #closing = false;
  #urgentTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Starts serving.
   *
   * @param options Address and the exchange.
   * @throws {Deno.errors.AddrInUse} When the port is taken.
   * @throws {TypeError} When it is already listening.
   */
  listen(options: WebListenOptions): void {
    if (this.#http !== undefined) {
      throw new TypeError("Cannot listen: the web server is already listening");
    }
    const exchange = options.exchange;
    this.#exchange = exchange;
    this.#now = options.now ?? SYSTEM_CLOCK.nowNs;
    this.#operators = options.operators;
    this.#loginThrottle = options.loginThrottle;
    this.#nowMs = options.nowMs ?? SYSTEM_CLOCK.nowMs;
    this.#loopbackOnly = isLoopbackName(options.hostname);
    this.#maxWebSockets = options.limits?.maxWebSockets ?? 64;
    this.#limited = options.limited;
    this.#serve(options, options.port);
    this.#rememberTrades();
    this.#shownDay = exchange.market.day;
    const stopListening = exchange.market.listen({
      dayStarted: (day) => {
        // The day the pages were shown already (the exchange's first day, delivered after
        // this server started) is no news.
        const shown = this.#shownDay;
        if (
          shown !== undefined && shown.session === day.session &&
          shown.created === day.created
        ) return;
        this.#newDay = true;
        this.#schedule();
      },
      changed: (change) => this.#marketChanged(change),
    });
    const unsubscribe = exchange.subscribe(this);
    const unwatch = exchange.watchPageTokens?.((change) =>
      this.#pageToken(change)
    );
    this.#unsubscribe = () => {
      stopListening();
      unsubscribe();
      unwatch?.();
    };
  }

  /**
   * Queues the new messages of the accounts that have pages: a {@linkcode Subscriber} call.
   *
   * @param _batch The batch, already in the account streams.
   */
  delivered(_batch: RecordBatch): void {
    if (this.#byAccount.size === 0) return;
    const exchange = this.#exchange!;
    let any = false;
    for (const id of exchange.streams.touched) {
      const name = exchange.accountName(id);
      const clients = name === undefined
        ? undefined
        : this.#byAccount.get(name);
      if (clients === undefined) continue;
      const stream = exchange.streams.stream(id);
      const codec = { version: exchange.version };
      for (const client of clients) {
        while (client.nextSequence <= stream.length) {
          const sequenceNumber = client.nextSequence++;
          client.push({
            sequenceNumber,
            message: decodeOutbound(stream.message(sequenceNumber), codec),
          });
        }
        if (client.urgent) this.#flushUrgentSoon();
        any = true;
      }
    }
    if (any) this.#schedule();
  }

  /** Tells the page whose order went in with another token, before its responses. */
  #pageToken(
    change: { account: string; host: string; sent: number; got: number },
  ): void {
    for (const client of this.#byAccount.get(change.account) ?? []) {
      if (client.session?.host !== change.host) continue;
      client.own.delete(change.sent);
      client.own.add(change.got);
      client.send({
        type: "token",
        sent: change.sent,
        got: change.got,
        text:
          `Order #${change.sent} went in as #${change.got}: a page of ${change.account} elsewhere took #${change.sent} at the same moment`,
      });
    }
  }

  /** The address served, e.g. `127.0.0.1:8080`, with the real port once listening. */
  get address(): string {
    if (this.#front === undefined) return "";
    const addr = this.#front.addr;
    const host = addr.hostname.includes(":")
      ? `[${addr.hostname}]`
      : addr.hostname;
    return `${host}:${addr.port}`;
  }

  /** Closes every WebSocket and the HTTP server. */
  async shutdown(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#timer);
    clearTimeout(this.#urgentTimer);
    this.#timer = undefined;
    this.#unsubscribe?.();
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
    await this.#front?.close();
    await this.#http?.shutdown();
  }

  /** HTTP connections open now (the page's WebSockets included). */
  get connections(): number {
    return this.#front?.connections ?? 0;
  }

  /** How many times the HTTP listener failed and was started again. */
  get listenerErrors(): number {
    return this.#listenerErrors;
  }

  #serve(options: WebListenOptions, port: number): void {
    // Deno's HTTP server listens on an internal loopback port behind the public front,
    // which enforces the timeouts and the connection cap Deno.serve lacks.
    const http = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen: () => {},
      onError: () =>
        new Response("Internal Server Error", {
          status: 500,
          headers: responseHeaders("text/plain; charset=utf-8"),
        }),
    }, (request, info) =>
      this.#respond(
        request,
        this.#front?.peer(info.remoteAddr.port) ?? info.remoteAddr.hostname,
      ));
    if (this.#front === undefined) {
      try {
        this.#front = new HttpFront(
          { hostname: options.hostname, port },
          http.addr,
          options.limits,
          {
            limited: (what) => options.limited?.(what),
            acceptError: (error, retryMs) => {
              this.#listenerErrors++;
              options.listenerFailed?.(
                error instanceof Error ? error.message : String(error),
                this.#listenerErrors,
                retryMs,
              );
            },
          },
        );
      } catch (error) {
        http.shutdown().catch(() => {});
        throw error;
      }
    } else {
      this.#front.inner = http.addr;
    }
    this.#http = http;
    this.#retryMs = 0;
    http.finished.catch((error) => {
      if (this.#closing) return;
      this.#listenerFailed(options, http.addr.port, error);
    });
  }

  #listenerFailed(
    options: WebListenOptions,
    port: number,
    error: unknown,
  ): void {
    this.#listenerErrors++;
    this.#retryMs = Math.min(5000, Math.max(50, this.#retryMs * 2));
    const retryMs = this.#retryMs;
    options.listenerFailed?.(
      error instanceof Error ? error.message : String(error),
      this.#listenerErrors,
      retryMs,
    );
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#closing) return;
      try {
        this.#serve(options, port);
        this.#retryMs = retryMs; // doubled again if this listener fails too
      } catch (again) {
        this.#listenerFailed(options, port, again);
      }
    }, retryMs);
  }

  async #respond(request: Request, address: string): Promise<Response> {
    const host = request.headers.get("host");
    if (this.#loopbackOnly && !isLoopbackHost(host)) {
      return plain(403, "Forbidden: this server only answers loopback names");
    }
    const path = new URL(request.url).pathname;
    if (path === "/ws") return this.#upgrade(request, host, address);
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

  #upgrade(request: Request, host: string | null, address: string): Response {
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
    if (this.#clients.size >= this.#maxWebSockets) {
      this.#limited?.("websockets");
      return plain(
        503,
        "Service Unavailable: too many pages open on this server",
      );
    }
    const { socket, response } = Deno.upgradeWebSocket(request);
    const client = new WebClient(socket, address);
    socket.onopen = () => this.#connect(client);
    socket.onmessage = (event) => this.#receive(client, event.data);
    socket.onclose = () => this.#disconnect(client);
    socket.onerror = () => {}; // a close event follows
    return response;
  }

  #connect(client: WebClient): void {
    const exchange = this.#exchange;
    if (exchange === undefined || this.#closing) {
      client.socket.close(1001, "server shutting down");
      return;
    }
    this.#clients.add(client);
    client.send(this.#snapshot(exchange));
    if (this.#journalProblem !== null) {
      client.send({ type: "journal", problem: this.#journalProblem });
    }
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
    const exchange = this.#exchange!;
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
        const orderToken = exchange.nextPageToken(account);
        // Before the submit: its responses are the page's own as they are sent.
        client.own.add(orderToken);
        exchange.submit(
          account,
          { type: "enterOrder", orderToken, ...fields },
          this.#now(),
        );
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
        // The page asks for the open quantity it wants; OUCH's Quantity is the total of
        // the order chain (K9), so what has executed is added, as the engine knows it now.
        const { type: _, quantity: open, ...fields } = message;
        const executed = existing.executedQuantity;
        const total = open + executed;
        if (total > 0xffffffff) {
          client.error(
            `Cannot replace order #${existing.orderToken} with ${open} open: with the ${executed} executed the total exceeds 4294967295`,
          );
          return;
        }
        const orderToken = exchange.nextPageToken(account);
        client.own.add(orderToken);
        exchange.submit(
          account,
          {
            type: "replaceOrder",
            ...fields,
            quantity: total,
            replacementOrderToken: orderToken,
          },
          this.#now(),
        );
        client.send({
          type: "ack",
          request: "replace",
          text:
            `Replace of order #${existing.orderToken} by #${orderToken} sent${
              executed === 0
                ? ""
                : `: Quantity ${total} = ${open} open + ${executed} already executed (the total of the order chain)`
            }`,
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
        if ((message.quantity ?? 0) !== 0) {
          client.error(
            `Cannot cancel order #${message.orderToken} leaving ${message.quantity} open: a cancel removes the whole order (K10); to keep part of it, replace it with the open quantity wanted`,
          );
          return;
        }
        exchange.submit(account, {
          type: "cancelOrder",
          orderToken: message.orderToken,
          quantity: 0,
        }, this.#now());
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
    const exchange = this.#exchange!;
    const verdict = this.#loginThrottle === undefined
      ? (exchange.authenticate(username, password) ? "ok" : "wrong")
      : this.#loginThrottle.attempt(
        client.address,
        username,
        this.#nowMs(),
        () => exchange.authenticate(username, password),
      );
    // A refused attempt is answered as a wrong password: a guesser learns nothing.
    if (verdict !== "ok") {
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
    // A logged-in page is a session of its account (K23): while it is open, the end of
    // the account's OUCH sessions cancels nothing.
    this.#setAccount(client, undefined);
    const result = exchange.login(
      {
        type: "loginRequest",
        username,
        password,
        requestedSession: "",
        requestedSequenceNumber: 0,
      },
      `web#${client.id}`,
      this.#now(),
    );
    if (!result.accept) {
      client.send({
        type: "login",
        ok: false,
        error:
          `Cannot log in as "${username}": the trading day is not open to sessions`,
      });
      return;
    }
    this.#setAccount(client, username);
    client.session = result.handle;
    client.send({
      type: "login",
      ok: true,
      account: username,
      operator: this.#isOperator(username),
    });
    const id = exchange.accountId(username);
    const items: WebResponse[] = [];
    if (id !== undefined) {
      const stream = exchange.streams.stream(id);
      for (
        let number = Math.max(1, stream.length - LOGIN_HISTORY + 1);
        number <= stream.length;
        number++
      ) {
        items.push({
          sequenceNumber: number,
          message: decodeOutbound(stream.message(number), {
            version: exchange.version,
          }),
        });
      }
      client.nextSequence = stream.length + 1;
    }
    client.send({ type: "responses", items, skipped: 0, history: true });
    client.send(ordersMessage(exchange, username));
  }

  #isOperator(account: string): boolean {
    return this.#operators === undefined || this.#operators.has(account);
  }

  #operator(
    client: WebClient,
    message: Extract<PageMessage, { type: "operator" }>,
  ): void {
    const exchange = this.#exchange!;
    const { action, orderbookId } = message;
    if (!this.#isOperator(client.account!)) {
      client.error(
        `Cannot ${action} ${
          orderbookId === undefined
            ? "the market"
            : `orderbook "${orderbookId}"`
        }: "${client.account}" is not an operator (the users file marks operators with the word operator)`,
      );
      return;
    }
    if (orderbookId === undefined) {
      const timestamp = this.#now();
      const changed = action === "open"
        ? exchange.open(timestamp)
        : exchange.close(timestamp);
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
    if (!exchange.orderbooks.includes(orderbookId)) {
      client.error(
        `Cannot ${action} orderbook "${orderbookId}": it is not configured`,
      );
      return;
    }
    const changed = action === "halt"
      ? exchange.halt(orderbookId, this.#now())
      : exchange.resume(orderbookId, this.#now());
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
    return this.#exchange!.openOrders(account).find((order) =>
      order.orderToken === orderToken
    );
  }

  #setAccount(client: WebClient, account: string | undefined): void {
    if (client.session !== undefined) {
      // A page's end cancels nothing: a closed tab or a network blip must not pull the
      // trader's orders (an OUCH session's end still does when it is the last).
      this.#exchange?.logout(client.session, this.#now(), false);
      client.session = undefined;
    }
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

  #marketChanged(change: MarketChange): void {
    if (this.#clients.size === 0) return;
    for (const id of change.depth) this.#dirtyDepth.add(id);
    for (const id of change.trades) this.#dirtyTrades.add(id);
    if (change.state) this.#stateDirty = true;
    this.#schedule();
  }

  /** Remembers the newest trade of every orderbook: the pages have seen up to it. */
  #rememberTrades(): void {
    const market = this.#exchange!.market;
    this.#lastMatch.clear();
    for (const id of market.orderbooks) {
      this.#lastMatch.set(id, market.lastTrade(id)?.matchNumber ?? 0n);
    }
  }

  /** Sends every page what changed since the last update. */
  #update(): void {
    this.#lastUpdateMs = performance.now();
    const exchange = this.#exchange;
    if (exchange === undefined || this.#clients.size === 0) {
      this.#dirtyDepth.clear();
      this.#dirtyTrades.clear();
      this.#stateDirty = false;
      if (this.#newDay && exchange !== undefined) {
        this.#newDay = false;
        this.#rememberTrades();
      }
      return;
    }
    if (this.#newDay) {
      this.#startDay(exchange);
      return;
    }
    const market = exchange.market;
    for (const orderbookId of this.#dirtyDepth) {
      const depth = market.depth(orderbookId, DEPTH_LEVELS);
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
      const trades = market.tradesAfter(
        orderbookId,
        this.#lastMatch.get(orderbookId) ?? 0n,
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

  /** A new trading day: every page gets a snapshot and its orders. */
  #startDay(exchange: WebVenue): void {
    this.#newDay = false;
    this.#dirtyDepth.clear();
    this.#dirtyTrades.clear();
    this.#stateDirty = false;
    this.#rememberTrades();
    this.#broadcast(this.#snapshot(exchange));
    for (const client of this.#clients) {
      if (client.account === undefined) continue;
      // The page stays a session of its account on the new day (K23): its orders there
      // are not canceled by the end of the account's OUCH sessions.
      client.session = exchange.resumeSession(
        client.account,
        `web#${client.id}`,
        this.#now(),
      );
      client.responses = [];
      client.skipped = 0;
      client.ordersDirty = false;
      client.nextSequence = 1;
      client.send(ordersMessage(exchange, client.account));
    }
  }

  #snapshot(exchange: WebVenue): WebServerMessage {
    const market = exchange.market;
    const day = market.day;
    this.#shownDay = day;
    return {
      type: "snapshot",
      session: day?.session ?? "",
      version: day?.version ?? exchange.version,
      open: market.isOpen,
      orderbooks: market.orderbooks.map((orderbookId) => {
        const depth: Depth = market.depth(orderbookId, DEPTH_LEVELS) ??
          { orderbookId, bids: [], asks: [] };
        const instrument = market.instrument(orderbookId);
        return {
          orderbookId,
          halted: market.isHalted(orderbookId),
          ...(instrument !== undefined && instrument.referencePrice > 0
            ? { referencePrice: instrument.referencePrice }
            : {}),
          ...(instrument !== undefined && instrument.upperLimit > 0
            ? {
              lowerLimit: instrument.lowerLimit,
              upperLimit: instrument.upperLimit,
            }
            : {}),
          bids: levels(depth.bids),
          asks: levels(depth.asks),
          trades: market.trades(orderbookId, SNAPSHOT_TRADES).map(webTrade),
        };
      }),
    };
  }

  /**
   * Tells the pages what is wrong with writing the journal, or that it is writable again.
   *
   * @param problem What failed and where, or `null`.
   */
  journalProblem(problem: string | null): void {
    if (problem === this.#journalProblem) return;
    this.#journalProblem = problem;
    this.#broadcast({ type: "journal", problem });
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

function webTrade(trade: MarketTrade): WebTrade {
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

function stateMessage(exchange: WebVenue): WebServerMessage {
  const market = exchange.market;
  return {
    type: "state",
    open: market.isOpen,
    halted: market.orderbooks.filter((id) => market.isHalted(id)),
  };
}

function ordersMessage(
  exchange: WebVenue,
  account: string,
): WebServerMessage {
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
