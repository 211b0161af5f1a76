/**
 * The web page on a gateway: what `WebServer` needs of a venue (its `WebVenue` shape; `lib/nats`
 * may not import `lib/web`), made from the log as the gateway's OUCH sessions are.
 *
 * Reads come from what the gateway follows: the market from its {@linkcode MarketData}, the
 * account streams from its {@linkcode GatewayCore}, and an account's open orders and next page
 * token from the account's stream ({@linkcode OrderTracker}: equal to the engine's). Writes go
 * to the engine as commands, in the gateway's batch of the turn: a page's login is a session
 * of its own, `GATEWAY/web#N` ({@linkcode pageHost}), kept alive by the gateway's beats and
 * ended with it, whose end cancels nothing (K23, as on `ouch server`); its orders are `page`
 * commands, submitted by the engine as `ouch server` submits its page's; operator actions are
 * the console's commands.
 *
 * A page's token is this gateway's pick (above the account's page tokens in the log and the
 * ones it sent since); when pages of one account on two gateways pick the same token at once,
 * the engine raises the later one, so no order is lost. The gateway finds its own order in
 * the log (the account's next page order with the fields it sent, in the order it sent them)
 * and tells the web server the token the engine gave it ({@linkcode GatewayPages.watchPageTokens}),
 * which tells the page, so that its responses show against the right order.
 *
 * @module
 */
import {
  decodeInbound,
  decodeOutbound,
  DEFAULT_PROTOCOL_VERSION,
  encodeMessage,
  type InboundMessage,
  type LoginRequestPacket,
  type ProtocolVersion,
} from "../codec/mod.ts";
import {
  type AccountStreams,
  type DayConfig,
  type MarketData,
  OrderTracker,
  type RecordBatch,
  type SessionHandle,
  type Subscriber,
  toOpenOrder,
} from "../exchange/mod.ts";
import { type OpenOrder, PAGE_TOKEN_BASE } from "../matcher/mod.ts";
import type { CommandPublisher } from "./command_publisher.ts";
import type { GatewayCore } from "./gateway.ts";
import {
  encodeGatewayCommand,
  type GatewayCommand,
  pageHost,
} from "./gateway_command.ts";

/**
 * A gateway's venue for its web page; see the module documentation.
 *
 * @example Needs a running `nats-server -js`, an engine and a gateway, so it is not run here
 * ```ts ignore
 * const pages = new GatewayPages({ core, publisher, market, host: "gw1", users });
 * new WebServer().listen({ hostname: "127.0.0.1", port: 8080, exchange: pages });
 * ```
 */
export class GatewayPages implements Subscriber {
  /** The market as the log tells it. */
  readonly market: MarketData;
  readonly #core: GatewayCore;
  readonly #publisher: CommandPublisher;
  readonly #host: string;
  readonly #users: ReadonlyMap<string, string>;
  /** Per account id: its orders, followed from its stream up to `read`. */
  readonly #orders = new Map<number, { tracker: OrderTracker; read: number }>();
  /** Per account: the highest page token this gateway sent today. */
  readonly #sent = new Map<string, number>();
  /** Per account: its pages' session hosts on this gateway. */
  readonly #pages = new Map<string, Set<string>>();
  /**
   * Per account: the page orders and replaces this gateway sent whose record the log has not
   * shown yet, in the order sent: the page's host, its token, the fields without the token.
   */
  readonly #awaiting = new Map<
    string,
    { host: string; token: number; fields: string }[]
  >();
  readonly #tokenListeners = new Set<(change: PageTokenChange) => void>();
  #day = 0;

  /**
   * @param options The gateway's core (streams, accounts) and its command publisher, the
   *   market model it feeds from the log, its host id, and the accounts (a page's session
   *   on a new day logs in with the account's password).
   */
  constructor(options: {
    core: GatewayCore;
    publisher: CommandPublisher;
    market: MarketData;
    host: string;
    users: ReadonlyMap<string, string>;
  }) {
    this.#core = options.core;
    this.#publisher = options.publisher;
    this.market = options.market;
    this.#host = options.host;
    this.#users = options.users;
    this.#core.subscribe(this);
  }

  /** A day started in the log: a {@linkcode Subscriber} call. */
  dayStarted(_day: DayConfig): void {
    this.#day++;
    this.#orders.clear();
    this.#sent.clear();
    this.#pages.clear();
    this.#awaiting.clear();
  }

  /**
   * Finds this gateway's page orders in a batch of the log: a {@linkcode Subscriber} call
   * (made before the web server's, so a page hears of its order's token before its
   * responses).
   *
   * @param batch The batch, already in the account streams.
   */
  delivered(batch: RecordBatch): void {
    if (this.#awaiting.size === 0) return;
    const codec = { version: this.version };
    for (const record of batch.recordsOf("message")) {
      const command = record.command;
      if (command.type !== "message" || command.origin !== "web") continue;
      const name = this.#core.accountName(command.account);
      const awaiting = name === undefined
        ? undefined
        : this.#awaiting.get(name);
      if (name === undefined || awaiting === undefined) continue;
      const message = decodeInbound(command.message, codec);
      const got = pageToken(message);
      const fields = withoutToken(message, codec);
      // This gateway's commands reach the engine in the order sent: the first awaiting one
      // with these fields is this record's (those before it were dropped by the engine).
      // Another gateway's page order with the very same fields at the same moment would be
      // taken for this one's: the two differ in nothing but their tokens.
      const at = awaiting.findIndex((sent) =>
        sent.fields === fields && got >= sent.token
      );
      if (at < 0) continue;
      const sent = awaiting[at]!;
      awaiting.splice(0, at + 1);
      if (awaiting.length === 0) this.#awaiting.delete(name);
      if (got === sent.token) continue;
      const change = {
        account: name,
        host: sent.host,
        sent: sent.token,
        got,
      };
      for (const listener of this.#tokenListeners) listener(change);
    }
  }

  /**
   * Calls `listener` whenever a page's order or replace went in with another token than the
   * page picked: the engine raised it, because a page of the account on another gateway took
   * that token at the same moment.
   *
   * @param listener Told the account, the page's session host, and both tokens.
   * @returns A function that stops the calls.
   */
  watchPageTokens(listener: (change: PageTokenChange) => void): () => void {
    this.#tokenListeners.add(listener);
    return () => this.#tokenListeners.delete(listener);
  }

  /** The account streams, as the log gives them. */
  get streams(): AccountStreams {
    return this.#core.streams;
  }

  /** The OUCH version of the day (the default before the first day). */
  get version(): ProtocolVersion {
    return this.#core.day?.version ?? DEFAULT_PROTOCOL_VERSION;
  }

  /** The day's orderbooks. */
  get orderbooks(): readonly string[] {
    return this.market.orderbooks;
  }

  /**
   * Adds a subscriber, served after the streams and the market model.
   *
   * @param subscriber The subscriber.
   * @returns A function that removes it.
   */
  subscribe(subscriber: Subscriber): () => void {
    return this.#core.subscribe(subscriber);
  }

  /**
   * An account's id in the day's log.
   *
   * @param name The account.
   * @returns Its id, or `undefined` before the log announced it.
   */
  accountId(name: string): number | undefined {
    return this.#core.accountId(name);
  }

  /**
   * An account's name by its id.
   *
   * @param id The id.
   * @returns The name, or `undefined`.
   */
  accountName(id: number): string | undefined {
    return this.#core.accountName(id);
  }

  /**
   * Whether a username and password are an account's.
   *
   * @param username The account.
   * @param password Its password.
   * @returns Whether they match.
   */
  authenticate(username: string, password: string): boolean {
    return this.#core.authenticate(username, password);
  }

  /**
   * Starts a page's session: a login of host `GATEWAY/PAGE` for the engine.
   *
   * @param request The page's username and password.
   * @param host The page's name on this gateway, e.g. `web#3`.
   * @param _timestamp Unused: the engine stamps the session start.
   * @returns Refused when the password is wrong or there is no trading day.
   */
  login(
    request: LoginRequestPacket,
    host: string,
    _timestamp: number,
  ): { accept: true; handle: SessionHandle } | { accept: false } {
    if (
      !this.#core.authenticate(request.username, request.password) ||
      this.#core.day === undefined
    ) {
      return { accept: false };
    }
    return {
      accept: true,
      handle: this.#start(request.username, request.password, host),
    };
  }

  /**
   * Starts a page's session again on a new day.
   *
   * @param name The account.
   * @param host The page's name on this gateway.
   * @param _timestamp Unused.
   * @returns The session, or `undefined` for an unknown account or without a day.
   */
  resumeSession(
    name: string,
    host: string,
    _timestamp: number,
  ): SessionHandle | undefined {
    const password = this.#users.get(name);
    if (password === undefined || this.#core.day === undefined) {
      return undefined;
    }
    return this.#start(name, password, host);
  }

  /**
   * Ends a page's session (a handle of an earlier day is ignored); the engine cancels nothing
   * for it, whatever `_cancel` says (K23).
   *
   * @param handle What {@linkcode GatewayPages.login} returned.
   * @param _timestamp Unused.
   * @param _cancel Unused: a page's end never cancels.
   */
  logout(handle: SessionHandle, _timestamp: number, _cancel?: boolean): void {
    if (handle.day !== this.#day) return;
    const pages = this.#pages.get(handle.name);
    if (pages === undefined || !pages.delete(handle.host)) return;
    if (pages.size === 0) this.#pages.delete(handle.name);
    this.#send({ type: "logout", host: handle.host, account: handle.name });
  }

  /**
   * An account's open orders, from its stream.
   *
   * @param name The account.
   * @returns Its open orders, oldest first, as the engine's `openOrders` gives them.
   */
  openOrders(name: string): OpenOrder[] {
    return this.#tracker(name)?.open().map(toOpenOrder) ?? [];
  }

  /**
   * The next token of the page's range for an account: above its page tokens in the log and
   * the ones this gateway sent.
   *
   * @param name The account.
   * @returns The token.
   */
  nextPageToken(name: string): number {
    const seen = this.#tracker(name)?.highestPageToken ?? 0;
    const highest = Math.max(seen, this.#sent.get(name) ?? 0);
    return highest < PAGE_TOKEN_BASE ? PAGE_TOKEN_BASE : highest + 1;
  }

  /**
   * Sends a page's order, replace or cancel to the engine, on a page session of the account.
   *
   * @param name The account.
   * @param message The message.
   * @param _timestamp Unused: the engine stamps it.
   * @throws {RangeError} When the account has no page session on this gateway.
   * @throws {OuchEncodeError} When a field cannot be put on the wire.
   */
  submit(name: string, message: InboundMessage, _timestamp: number): void {
    const host = this.#pages.get(name)?.values().next().value;
    if (host === undefined) {
      throw new RangeError(
        `Cannot submit for account "${name}": it has no page session on gateway "${this.#host}"`,
      );
    }
    const bytes = encodeMessage(message, { version: this.version });
    const token = pageToken(message);
    if (token > (this.#sent.get(name) ?? 0)) this.#sent.set(name, token);
    if (token !== 0) {
      let awaiting = this.#awaiting.get(name);
      if (awaiting === undefined) {
        awaiting = [];
        this.#awaiting.set(name, awaiting);
      }
      // Bounded: a page that sends faster than the log answers forgets its oldest.
      if (awaiting.length >= MAX_AWAITING) awaiting.shift();
      awaiting.push({
        host,
        token,
        fields: withoutToken(message, { version: this.version }),
      });
    }
    this.#send({ type: "page", host, account: name, message: bytes });
  }

  /**
   * Asks the engine to open the market.
   *
   * @param _timestamp Unused.
   * @returns `false` when the log says it is open.
   */
  open(_timestamp: number): boolean {
    if (this.market.isOpen) return false;
    this.#send({ type: "open" });
    return true;
  }

  /**
   * Asks the engine to close the market.
   *
   * @param _timestamp Unused.
   * @returns `false` when the log says it is closed.
   */
  close(_timestamp: number): boolean {
    if (!this.market.isOpen) return false;
    this.#send({ type: "close" });
    return true;
  }

  /**
   * Asks the engine to halt an orderbook.
   *
   * @param orderbookId The orderbook.
   * @param _timestamp Unused.
   * @returns `false` when the log says it is halted.
   */
  halt(orderbookId: string, _timestamp: number): boolean {
    if (this.market.isHalted(orderbookId)) return false;
    this.#send({ type: "halt", orderbookId });
    return true;
  }

  /**
   * Asks the engine to resume an orderbook.
   *
   * @param orderbookId The orderbook.
   * @param _timestamp Unused.
   * @returns `false` when the log says it is not halted.
   */
  resume(orderbookId: string, _timestamp: number): boolean {
    if (!this.market.isHalted(orderbookId)) return false;
    this.#send({ type: "resume", orderbookId });
    return true;
  }

  #start(name: string, password: string, page: string): SessionHandle {
    const host = pageHost(this.#host, page);
    let pages = this.#pages.get(name);
    if (pages === undefined) {
      pages = new Set();
      this.#pages.set(name, pages);
    }
    pages.add(host);
    this.#send({
      type: "login",
      host,
      username: name,
      password,
      requestedSession: "",
    });
    return {
      account: this.#core.accountId(name) ?? -1,
      name,
      host,
      day: this.#day,
    };
  }

  /** The account's order tracker, caught up with its stream. */
  #tracker(name: string): OrderTracker | undefined {
    const id = this.#core.accountId(name);
    if (id === undefined) return undefined;
    let entry = this.#orders.get(id);
    if (entry === undefined) {
      entry = { tracker: new OrderTracker(), read: 0 };
      this.#orders.set(id, entry);
    }
    const stream = this.#core.streams.stream(id);
    const codec = { version: this.version };
    while (entry.read < stream.length) {
      entry.tracker.update(decodeOutbound(stream.message(++entry.read), codec));
    }
    return entry.tracker;
  }

  #send(command: GatewayCommand): void {
    this.#publisher.send(encodeGatewayCommand(command));
  }
}

/** A page's order or replace that went in with another token than the page picked. */
export interface PageTokenChange {
  /** The account. */
  readonly account: string;
  /** The page's session host, `GATEWAY/web#N`. */
  readonly host: string;
  /** The token the page picked (and was acknowledged). */
  readonly sent: number;
  /** The token the engine gave the order. */
  readonly got: number;
}

/** Page orders awaiting their log record, per account, at most. */
const MAX_AWAITING = 1_000;

/** The token a page's order or replace carries: its new order's; 0 for a cancel. */
function pageToken(message: InboundMessage): number {
  return message.type === "enterOrder"
    ? message.orderToken
    : message.type === "replaceOrder"
    ? message.replacementOrderToken
    : 0;
}

/** A page message's bytes without its new token, as text, to compare with the log's. */
function withoutToken(
  message: InboundMessage,
  codec: { version: ProtocolVersion },
): string {
  const bare = message.type === "enterOrder"
    ? { ...message, orderToken: 0 }
    : message.type === "replaceOrder"
    ? { ...message, replacementOrderToken: 0 }
    : message;
  return String.fromCharCode(...encodeMessage(bare, codec));
}
