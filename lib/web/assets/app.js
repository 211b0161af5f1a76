/**
 * The page: one WebSocket to `/ws`, the orderbooks (ladder, tape, chart), the market state and
 * operator controls, the login, order entry (form, Buy and Sell buttons, a one-line order
 * entry, click on a ladder price), the account's position, fills, open orders and responses.
 * Everything shown comes from the server's messages and is written with `textContent` and DOM
 * calls, never as HTML. The pure parts live in `view.js`.
 *
 * Rendering is cheap under load: messages only update the model and mark what changed; one
 * animation frame renders the changes, only for the orderbooks on screen
 * (`IntersectionObserver`), and only the cells whose text changed.
 *
 * Typed with JSDoc and type-checked against the DOM library by
 * `tests/web/assets/app_check_test.ts`: it has no `@ts-check` line, because the DOM library
 * would change the global types of every other module `deno check` checks with it.
 *
 * @module
 */
import {
  AccountLedger,
  CAPACITY_NAMES,
  CASH_MARGIN_TYPE_NAMES,
  chartModel,
  compareDecimal,
  DISPLAY_NAMES,
  ENTER_DEFAULTS,
  formatAmount,
  formatAverage,
  formatPrice,
  formatQuantity,
  formatTime,
  GROUP_NAMES,
  jstNanoseconds,
  ladderRows,
  mergeTrades,
  ORDER_CLASSIFICATION_NAMES,
  parseOrderLine,
  parsePrice,
  parseWholeNumber,
  SIDE_NAMES,
  sideName,
  TIME_IN_FORCE_NAMES,
  TradeHistory,
  validatePageMessage,
} from "./view.js";

/** @typedef {import("./view.js").Level} Level */
/** @typedef {import("./view.js").TapeTrade} TapeTrade */
/** @typedef {import("./view.js").FeedLine} FeedLine */
/** @typedef {import("./view.js").Fill} Fill */

/**
 * One orderbook: its data, its card, and what changed since it was last drawn.
 *
 * @typedef {object} Book
 * @property {string} id
 * @property {Level[]} bids
 * @property {Level[]} asks
 * @property {TapeTrade[]} tape The latest trades, oldest first.
 * @property {TradeHistory} history Every trade the page has seen today, for the chart.
 * @property {boolean} halted
 * @property {number | undefined} referencePrice In tenths, when the server sends it.
 * @property {number | undefined} upperLimit
 * @property {number | undefined} lowerLimit
 * @property {HTMLElement} card
 * @property {boolean} visible Whether the card is on screen.
 * @property {number} chartWidth The chart's width in pixels.
 * @property {Set<"ladder" | "tape" | "chart" | "header">} dirty
 * @property {Map<string, HTMLElement | SVGElement>} parts
 */

/**
 * @typedef {object} OpenOrder
 * @property {number} orderToken
 * @property {string} orderNumber Exact decimal (64-bit).
 * @property {string} orderbookId
 * @property {string} buySellIndicator
 * @property {number} price
 * @property {number} openQuantity
 * @property {number} executedQuantity
 * @property {number} timeInForce
 * @property {string} display
 * @property {number} minimumQuantity
 * @property {string} clientReference
 */

/**
 * A message the page sent that the server answers with `ack` or `error` (or `login`,
 * `logout`), in order.
 *
 * @typedef {{ type: string, order?: import("./view.js").SentOrder, display?: string,
 *   existing?: number, action?: string, orderbookId?: string }} Pending
 */

const LADDER_LEVELS = 5;
const TAPE_ROWS = 8;
const TAPE_KEEP = 100;
/** A snapshot holding this many trades of a book may have left older ones out. */
const SNAPSHOT_TRADES = 100;
/** Feed rows about other orders of the account; rows about the page's own orders stay. */
const FEED_MARKET_ROWS = 200;
const FEED_OWN_ROWS = 2000;
/** New feed rows about other orders drawn per update; the rest are counted as not shown. */
const FEED_ROWS_PER_FRAME = 20;
const FILL_ROWS = 200;
/** New fill rows drawn per update; older ones stay in the ledger (and its count). */
const FILL_ROWS_PER_FRAME = 20;
/**
 * The least time between two updates of the panels a flood of the account's other orders
 * keeps changing; the page's own orders are drawn at the next frame.
 */
const THROTTLE_MS = Object.freeze({
  feed: 250,
  fills: 250,
  positions: 250,
  orders: 0,
  banner: 0,
});
const CHART_HEIGHT = 150;
/** Ping the server after this much silence; give it up as stopped after `DEAD_AFTER_MS`. */
const PING_AFTER_MS = 2000;
const DEAD_AFTER_MS = 6000;
const SVG = "http://www.w3.org/2000/svg";

const state = {
  /** @type {WebSocket | null} */
  socket: null,
  /** Whether the page has a live snapshot: connected and up to date. */
  live: false,
  session: "",
  /** @type {string | null} */
  account: null,
  operator: false,
  /**
   * The login to repeat after a reconnect; kept in memory only, until log out.
   *
   * @type {{ username: string, password: string } | null}
   */
  credentials: null,
  open: false,
  /** @type {Map<string, Book>} */
  books: new Map(),
  /** @type {OpenOrder[]} */
  orders: [],
  ordersTotal: 0,
  /** @type {number | null} */
  selected: null,
  retryMs: 500,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  retryTimer: undefined,
  lastMessageMs: 0,
  lastPingMs: 0,
  /** @type {number | null} When the page lost the server (page clock, JST ns). */
  disconnectedAt: null,
  /** @type {number | null} When the market closed (page clock, JST ns). */
  closedSince: null,
  ledger: new AccountLedger(),
  /** @type {string | null} Whose responses the ledger holds. */
  ledgerAccount: null,
  /** @type {Pending[]} */
  pending: [],
  /** @type {"" | "order" | "operator"} */
  statusKind: "",
  /**
   * The operator action the status reports, so that the status goes once the state moves
   * away from what it says.
   *
   * @type {{ action?: string, orderbookId?: string }}
   */
  statusAction: {},
};

// ---- rendering, once per animation frame ----

/** @type {Set<string>} */
const dirty = new Set();
/** @type {Set<Book>} */
const dirtyBooks = new Set();
/** @type {FeedLine[]} */
let feedQueue = [];
let feedSkipped = 0;
/** @type {Fill[]} */
let fillQueue = [];
let frame = 0;

/** @type {Map<string, number>} When each panel was last drawn (`performance.now()`). */
const drawnAt = new Map();
/** Panels with something of the page's own orders to draw: they skip the throttle. */
const urgent = new Set();
/** @type {ReturnType<typeof setTimeout> | undefined} */
let throttleTimer;
/**
 * The least time between two frames that draw only market data or other orders: the
 * server sends ten updates a second, and every frame costs a layout and a paint.
 */
const FRAME_MS = 50;
let lastFrameAt = -Infinity;

/**
 * Marks a panel to draw at the next frame, or later if it was drawn less than its
 * `THROTTLE_MS` ago (unless `now` is set).
 *
 * @param {keyof typeof THROTTLE_MS} what
 * @param {boolean} [now] Draw at the next frame: it shows one of the page's own orders.
 */
function later(what, now = false) {
  dirty.add(what);
  if (now) urgent.add(what);
  schedule();
}

/**
 * @param {Book} book
 * @param {"ladder" | "tape" | "chart" | "header"} part
 */
function laterBook(book, part) {
  book.dirty.add(part);
  if (!book.visible) return;
  dirtyBooks.add(book);
  schedule();
}

function schedule() {
  if (frame !== 0) return;
  const wait = urgent.size > 0 ? 0 : lastFrameAt + FRAME_MS - performance.now();
  if (wait <= 0) {
    clearTimeout(throttleTimer);
    throttleTimer = undefined;
    frame = requestAnimationFrame(renderFrame);
  } else if (throttleTimer === undefined) {
    throttleTimer = setTimeout(() => {
      throttleTimer = undefined;
      schedule();
    }, wait);
  }
}

function renderFrame() {
  frame = 0;
  lastFrameAt = performance.now();
  for (const book of dirtyBooks) {
    if (state.books.get(book.id) === book) renderBook(book);
  }
  dirtyBooks.clear();
  const now = performance.now();
  /** @type {string[]} */
  const what = [];
  let wait = Infinity;
  for (const item of dirty) {
    const interval =
      THROTTLE_MS[/** @type {keyof typeof THROTTLE_MS} */ (item)] ?? 0;
    const due = (drawnAt.get(item) ?? -Infinity) + interval;
    if (urgent.has(item) || due <= now) {
      what.push(item);
    } else {
      wait = Math.min(wait, due - now);
    }
  }
  for (const item of what) {
    dirty.delete(item);
    urgent.delete(item);
    drawnAt.set(item, now);
  }
  if (wait < Infinity && throttleTimer === undefined) {
    throttleTimer = setTimeout(() => {
      throttleTimer = undefined;
      schedule();
    }, Math.max(wait, FRAME_MS));
  }
  for (const item of what) {
    switch (item) {
      case "orders":
        renderOrders();
        break;
      case "positions":
        renderPositions();
        break;
      case "feed":
        renderFeed();
        break;
      case "fills":
        renderFills();
        break;
      case "banner":
        renderBanners();
        break;
    }
  }
}

/** @param {Book} book */
function renderBook(book) {
  const parts = [...book.dirty];
  book.dirty.clear();
  for (const part of parts) {
    if (part === "ladder") renderLadder(book);
    else if (part === "tape") renderTape(book);
    else if (part === "chart") renderChart(book);
    else renderHeader(book);
  }
}

const visibility = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    const id = entry.target instanceof HTMLElement
      ? entry.target.dataset.orderbook
      : undefined;
    const book = id === undefined ? undefined : state.books.get(id);
    if (book === undefined || book.card !== entry.target) continue;
    book.visible = entry.isIntersecting;
    if (book.visible && book.dirty.size > 0) {
      dirtyBooks.add(book);
      schedule();
    }
  }
}, { rootMargin: "200px" });

const resizes = new ResizeObserver((entries) => {
  for (const entry of entries) {
    const target = entry.target;
    const id = target.closest("article")?.getAttribute("data-orderbook");
    const book = id == null ? undefined : state.books.get(id);
    if (book === undefined) continue;
    const width = Math.round(entry.contentRect.width);
    if (width > 0 && width !== book.chartWidth) {
      book.chartWidth = width;
      laterBook(book, "chart");
    }
  }
});

// ---- small DOM helpers ----

/**
 * @template {Element} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  if (!(element instanceof type)) {
    throw new TypeError(`Cannot find element #${id}`);
  }
  return element;
}

/**
 * Makes an element with text children (strings become text nodes, never HTML).
 *
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {{ className?: string, title?: string, data?: Record<string, string> }} [options]
 * @param {(Node | string)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, options = {}, ...children) {
  const element = document.createElement(tag);
  if (options.className !== undefined) element.className = options.className;
  if (options.title !== undefined) element.title = options.title;
  for (const [key, value] of Object.entries(options.data ?? {})) {
    element.dataset[key] = value;
  }
  element.append(...children);
  return element;
}

/**
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @returns {SVGElement}
 */
function svg(tag, attributes = {}) {
  const element =
    /** @type {SVGElement} */ (document.createElementNS(SVG, tag));
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  return element;
}

/**
 * Sets an element's text only when it changed, so that unchanged cells cost nothing.
 *
 * @param {Element} element
 * @param {string} text
 */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/**
 * @param {HTMLSelectElement} select
 * @param {Readonly<Record<string, string>>} names
 * @param {readonly string[]} [order]
 */
function fillSelect(select, names, order = Object.keys(names)) {
  select.replaceChildren(
    ...order.map((code) => {
      const option = el(
        "option",
        {},
        code === " " ? `(space) ${names[code]}` : `${code} ${names[code]}`,
      );
      option.value = code;
      return option;
    }),
  );
}

/** @returns {number} The page's clock as nanoseconds since midnight JST. */
function nowJst() {
  return jstNanoseconds(Date.now());
}

// ---- errors and status ----

/** @param {string} message */
function showError(message) {
  byId("error-text", HTMLElement).textContent = message;
  byId("error", HTMLElement).hidden = false;
  showStatus("", "");
}

function clearError() {
  byId("error", HTMLElement).hidden = true;
  byId("error-text", HTMLElement).textContent = "";
}

/**
 * @param {string} text
 * @param {"" | "order" | "operator"} kind What the status is about: an operator action's
 * status is cleared when the market state changes.
 */
function showStatus(text, kind) {
  byId("status", HTMLElement).textContent = text;
  state.statusKind = kind;
  state.statusAction = {};
}

/** Clears an operator action's status that the market state no longer bears out. */
function checkOperatorStatus() {
  if (state.statusKind !== "operator") return;
  const { action, orderbookId } = state.statusAction;
  const book = orderbookId === undefined
    ? undefined
    : state.books.get(orderbookId);
  const true_ = action === "open"
    ? state.open
    : action === "close"
    ? !state.open
    : action === "halt"
    ? book?.halted === true
    : action === "resume"
    ? book?.halted === false
    : false;
  if (!true_) showStatus("", "");
}

// ---- the WebSocket ----

function connect() {
  clearTimeout(state.retryTimer);
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  state.socket = socket;
  setConnection("connecting");
  socket.addEventListener("open", () => {
    if (state.socket !== socket) return;
    state.lastMessageMs = performance.now();
  });
  socket.addEventListener("message", (event) => {
    if (state.socket !== socket) return;
    state.lastMessageMs = performance.now();
    /** @type {unknown} */
    let message;
    try {
      message = JSON.parse(String(event.data));
    } catch {
      showError("Cannot read a message from the server: it is not JSON");
      return;
    }
    try {
      handle(/** @type {Record<string, any>} */ (message));
    } catch (error) {
      showError(
        `Cannot show a message from the server: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  });
  socket.addEventListener("close", (event) => {
    if (state.socket !== socket) return;
    lost(event.reason || "the connection closed");
  });
}

/**
 * The server is gone (closed, or silent for too long): nothing on screen is live any more.
 *
 * @param {string} why
 */
function lost(why) {
  const socket = state.socket;
  state.socket = null;
  if (socket !== null && socket.readyState < WebSocket.CLOSING) {
    try {
      socket.close();
    } catch {
      // already closing
    }
  }
  state.pending = [];
  if (state.live || state.disconnectedAt === null) {
    state.disconnectedAt = nowJst();
  }
  state.live = false;
  setConnection("disconnected");
  byId("connection-banner", HTMLElement).dataset.reason = why;
  for (const book of state.books.values()) {
    book.card.classList.add("stale");
  }
  renderConnectionBanner();
  later("banner");
  state.retryTimer = setTimeout(connect, state.retryMs);
  state.retryMs = Math.min(state.retryMs * 2, 5000);
}

/** Pings a quiet server and gives up on a silent one. */
function heartbeat() {
  const socket = state.socket;
  if (socket === null || socket.readyState !== WebSocket.OPEN) return;
  const now = performance.now();
  const silent = now - state.lastMessageMs;
  if (silent > DEAD_AFTER_MS) {
    lost(
      `the server stopped answering (nothing for ${
        Math.round(silent / 1000)
      } s)`,
    );
  } else if (silent > PING_AFTER_MS && now - state.lastPingMs > PING_AFTER_MS) {
    state.lastPingMs = now;
    socket.send(JSON.stringify({ type: "ping" }));
  }
}

/** @param {"connecting" | "connected" | "disconnected"} value */
function setConnection(value) {
  const badge = byId("connection", HTMLElement);
  badge.textContent = value;
  badge.dataset.state = value;
  document.body.classList.toggle("is-live", value === "connected");
}

function renderConnectionBanner() {
  const banner = byId("connection-banner", HTMLElement);
  if (state.live) {
    banner.hidden = true;
    banner.textContent = "";
    return;
  }
  const since = state.disconnectedAt === null
    ? ""
    : ` since ${formatTime(state.disconnectedAt).slice(0, 8)} JST`;
  banner.textContent = `Not connected to the server${since} (${
    banner.dataset.reason ?? "connecting"
  }): reconnecting. The books below are not live.`;
  banner.hidden = false;
}

/**
 * Checks a message with the server's own rules, then sends it.
 *
 * @param {Record<string, unknown>} message
 * @param {Omit<Pending, "type">} [pending] What to remember for the answer.
 * @returns {boolean} Whether it was sent.
 */
function send(message, pending = {}) {
  try {
    validatePageMessage(message);
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
    return false;
  }
  const socket = state.socket;
  if (socket === null || socket.readyState !== WebSocket.OPEN || !state.live) {
    showError("Cannot send: the page is not connected to the server");
    return false;
  }
  clearError();
  socket.send(JSON.stringify(message));
  state.pending.push({ ...pending, type: String(message.type) });
  return true;
}

/** @param {Record<string, any>} message */
function handle(message) {
  switch (message.type) {
    case "snapshot":
      return snapshot(message);
    case "depth": {
      const book = state.books.get(message.orderbookId);
      if (book === undefined) return;
      book.bids = message.bids;
      book.asks = message.asks;
      laterBook(book, "ladder");
      return;
    }
    case "trades": {
      const book = state.books.get(message.orderbookId);
      if (book === undefined) return;
      addTrades(book, message.trades, false);
      return;
    }
    case "state":
      return marketState(message.open, message.halted);
    case "login":
      state.pending.shift();
      if (message.ok) {
        loggedIn(message.account, message.operator !== false);
      } else {
        state.credentials = null;
        showError(message.error);
      }
      return;
    case "logout":
      state.pending.shift();
      state.credentials = null;
      loggedOut();
      return;
    case "responses":
      return responses(message.items, message.skipped);
    case "orders":
      state.orders = message.orders;
      state.ordersTotal = message.total;
      state.ledger.learn(message.orders);
      later("orders");
      return;
    case "ack":
      return acknowledged(message);
    case "token":
      // Not an answer to a request: nothing pending is taken.
      state.ledger.renamed(message.sent, message.got);
      showStatus(message.text, "order");
      later("orders");
      return;
    case "error":
      state.pending.shift();
      showError(message.message);
      return;
    case "pong":
      return;
    case "journal":
      if (message.problem === null) clearError();
      else showError(`The exchange is paused: ${message.problem}`);
      return;
    default:
      showError(
        `Cannot show a message of type ${
          JSON.stringify(String(message.type))
        } from the server`,
      );
  }
}

// ---- market data ----

/** @param {Record<string, any>} message */
function snapshot(message) {
  const newDay = message.session !== state.session;
  state.session = message.session;
  byId("session", HTMLElement).textContent = message.session;
  /** @type {Record<string, any>[]} */
  const orderbooks = message.orderbooks;
  const ids = orderbooks.map((ob) => String(ob.orderbookId));
  const sameBooks = !newDay && ids.length === state.books.size &&
    ids.every((id) => state.books.has(id));
  if (!sameBooks) {
    for (const book of state.books.values()) {
      visibility.unobserve(book.card);
    }
    const old = state.books;
    state.books = new Map();
    const container = byId("books", HTMLElement);
    container.replaceChildren();
    for (const id of ids) {
      const kept = newDay ? undefined : old.get(id);
      const book = kept ?? newBook(id);
      state.books.set(id, book);
      container.append(book.card);
      visibility.observe(book.card);
      resizes.observe(/** @type {Element} */ (book.parts.get("chart")));
    }
    const select = byId("enter-orderbook", HTMLSelectElement);
    const previous = select.value;
    select.replaceChildren(...ids.map((id) => {
      const option = el("option", {}, id);
      option.value = id;
      return option;
    }));
    if (state.books.has(previous)) select.value = previous;
  }
  if (newDay) {
    state.closedSince = null;
    resetAccountView();
  }
  for (const ob of orderbooks) {
    const book = /** @type {Book} */ (state.books.get(String(ob.orderbookId)));
    book.bids = ob.bids;
    book.asks = ob.asks;
    book.halted = ob.halted;
    book.referencePrice = limit(ob.referencePrice);
    book.upperLimit = limit(ob.upperLimit);
    book.lowerLimit = limit(ob.lowerLimit);
    book.card.classList.remove("stale");
    addTrades(book, ob.trades, ob.trades.length >= SNAPSHOT_TRADES);
    for (const part of /** @type {const} */ (["ladder", "header"])) {
      laterBook(book, part);
    }
  }
  state.live = true;
  state.disconnectedAt = null;
  state.retryMs = 500;
  setConnection("connected");
  renderConnectionBanner();
  marketState(
    message.open,
    orderbooks.filter((ob) => ob.halted).map((ob) => String(ob.orderbookId)),
  );
  const credentials = state.credentials;
  if (credentials !== null && state.account !== null) {
    send({ type: "login", ...credentials });
  }
}

/**
 * @param {unknown} value
 * @returns {number | undefined}
 */
function limit(value) {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0
    ? value
    : undefined;
}

/**
 * @param {string} id
 * @returns {Book}
 */
function newBook(id) {
  return {
    id,
    bids: [],
    asks: [],
    tape: [],
    history: new TradeHistory(),
    halted: false,
    referencePrice: undefined,
    upperLimit: undefined,
    lowerLimit: undefined,
    ...makeCard(id),
    visible: false,
    chartWidth: 0,
    dirty: new Set(),
  };
}

/**
 * @param {Book} book
 * @param {TapeTrade[]} trades
 * @param {boolean} truncated Whether older trades may be missing from `trades`.
 */
function addTrades(book, trades, truncated) {
  if (trades.length === 0) return;
  const last = book.tape[book.tape.length - 1];
  if (
    last !== undefined &&
    compareDecimal(
        trades[trades.length - 1]?.matchNumber ?? 0,
        last.matchNumber,
      ) <= 0
  ) {
    return;
  }
  book.tape = mergeTrades(book.tape, trades, TAPE_KEEP);
  book.history.add(trades, { truncated });
  laterBook(book, "tape");
  laterBook(book, "chart");
  laterBook(book, "header");
  if (state.ledger.positions.has(book.id)) later("positions");
}

/**
 * @param {boolean} open
 * @param {readonly string[]} halted
 */
function marketState(open, halted) {
  if (open !== state.open) {
    const now = nowJst();
    if (!open) {
      state.closedSince = now;
    } else if (state.closedSince !== null) {
      for (const book of state.books.values()) {
        book.history.addGap(state.closedSince, now);
        laterBook(book, "chart");
      }
      state.closedSince = null;
    }
  }
  state.open = open;
  for (const book of state.books.values()) {
    const isHalted = halted.includes(book.id);
    book.halted = isHalted;
    book.card.classList.toggle("is-halted", book.halted);
    const button = book.parts.get("halt");
    if (button !== undefined) {
      setText(button, book.halted ? "Resume" : "Halt");
    }
  }
  const badge = byId("market-state", HTMLElement);
  badge.textContent = open ? "open" : "closed";
  badge.dataset.state = open ? "open" : "closed";
  byId("market-open", HTMLButtonElement).disabled = open;
  byId("market-close", HTMLButtonElement).disabled = !open;
  checkOperatorStatus();
  later("banner");
}

/**
 * Builds an orderbook's card: a fixed-height ladder, the chart and a fixed-height tape.
 *
 * @param {string} id
 * @returns {{ card: HTMLElement, parts: Map<string, HTMLElement | SVGElement> }}
 */
function makeCard(id) {
  const halt = el("button", { className: "halt operator" }, "Halt");
  halt.type = "button";
  halt.addEventListener("click", () => {
    const current = state.books.get(id);
    if (current === undefined) return;
    const action = current.halted ? "resume" : "halt";
    send({ type: "operator", action, orderbookId: id }, {
      action,
      orderbookId: id,
    });
  });
  const ladderBody = el("tbody");
  for (let i = 0; i < 2 * LADDER_LEVELS; i++) {
    ladderBody.append(
      el(
        "tr",
        { className: i < LADDER_LEVELS ? "ask" : "bid" },
        el("td", { className: "bid-qty" }),
        el("td", { className: "price" }),
        el("td", { className: "ask-qty" }),
      ),
    );
  }
  ladderBody.addEventListener("click", (event) => {
    const target = event.target;
    const row = target instanceof Element ? target.closest("tr") : null;
    const price = row?.dataset.price;
    if (row == null || price === undefined || price === "") return;
    clickPrice(id, row.dataset.side === "ask" ? "B" : "S", Number(price));
  });
  const ladder = el(
    "table",
    { className: "ladder grid" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "Bid"),
        el("th", {}, "Price"),
        el("th", {}, "Ask"),
      ),
    ),
    ladderBody,
  );
  const tapeBody = el("tbody");
  for (let i = 0; i < TAPE_ROWS; i++) {
    tapeBody.append(
      el(
        "tr",
        {},
        el("td"),
        el("td", { className: "price" }),
        el("td"),
      ),
    );
  }
  const tape = el(
    "table",
    { className: "tape grid" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "Time (JST)"),
        el("th", {}, "Price"),
        el("th", {}, "Qty"),
      ),
    ),
    tapeBody,
  );
  const chart = svg("svg", {
    class: "chart",
    role: "img",
    "aria-label": `Trade prices and volume of ${id} over time (JST)`,
    height: String(CHART_HEIGHT),
  });
  const gaps = svg("g", { class: "gaps" });
  const grid = svg("g", { class: "axis price-axis" });
  const times = svg("g", { class: "axis time-axis" });
  const volume = svg("path", { class: "volume" });
  const ranges = svg("path", { class: "ranges" });
  const line = svg("path", { class: "price-line" });
  const empty = svg("text", { class: "empty", x: "50%", y: "45%" });
  empty.textContent = "no trades yet";
  chart.append(gaps, grid, times, volume, ranges, line, empty);
  const last = el("span", { className: "last" });
  const limits = el("span", { className: "limits muted" });
  const card = el(
    "article",
    { className: "book", data: { orderbook: id } },
    el(
      "header",
      {},
      el("h2", {}, id),
      el("span", { className: "badge halted-badge" }, "halted"),
      el("span", { className: "badge stale-badge" }, "not live"),
      last,
      limits,
      halt,
    ),
    el(
      "div",
      { className: "book-body" },
      ladder,
      el("div", { className: "book-side" }, chart, tape),
    ),
  );
  /** @type {Map<string, HTMLElement | SVGElement>} */
  const parts = new Map(Object.entries({
    halt,
    ladder: ladderBody,
    tape: tapeBody,
    chart,
    gaps,
    grid,
    times,
    volume,
    ranges,
    line,
    empty,
    last,
    limits,
  }));
  return { card, parts };
}

/** @param {Book} book */
function renderLadder(book) {
  const body = book.parts.get("ladder");
  if (body === undefined) return;
  const rows = ladderRows(book, LADDER_LEVELS);
  const empty = book.bids.length === 0 && book.asks.length === 0;
  book.card.classList.toggle("is-empty", empty);
  rows.forEach((row, i) => {
    const tr = /** @type {HTMLTableRowElement} */ (body.children[i]);
    const [bid, price, ask] = /** @type {HTMLElement[]} */ ([...tr.cells]);
    if (bid === undefined || price === undefined || ask === undefined) return;
    const quantity = row.quantity === null ? "" : formatQuantity(row.quantity);
    setText(bid, row.side === "bid" ? quantity : "");
    setText(ask, row.side === "ask" ? quantity : "");
    setText(
      price,
      row.price !== null
        ? formatPrice(row.price)
        : empty && i === LADDER_LEVELS
        ? "no orders"
        : "",
    );
    const priceData = row.price === null ? "" : String(row.price);
    if (tr.dataset.price !== priceData) {
      tr.dataset.price = priceData;
      tr.dataset.side = row.side;
      tr.title = row.price === null
        ? ""
        : `${row.orders} order${row.orders === 1 ? "" : "s"}; click to ${
          row.side === "ask" ? "buy" : "sell"
        } at ${formatPrice(row.price)}`;
    }
    tr.classList.toggle("best", row.best);
    tr.classList.toggle("level", row.price !== null);
  });
}

/** @param {Book} book */
function renderTape(book) {
  const body = book.parts.get("tape");
  if (body === undefined) return;
  const tape = book.tape;
  for (let i = 0; i < TAPE_ROWS; i++) {
    const tr = /** @type {HTMLTableRowElement} */ (body.children[i]);
    const trade = tape[tape.length - 1 - i];
    const cells = /** @type {HTMLElement[]} */ ([...tr.cells]);
    if (trade === undefined) {
      for (const cell of cells) setText(cell, "");
      tr.className = "";
      delete tr.dataset.match;
      continue;
    }
    const match = String(trade.matchNumber);
    if (tr.dataset.match === match) continue;
    tr.dataset.match = match;
    tr.dataset.ts = String(trade.timestamp);
    tr.className = trade.aggressor === "B" ? "buy" : "sell";
    const [time, price, quantity] = cells;
    tr.title = `${formatTime(trade.timestamp)} JST, match ${match}, ${
      trade.aggressor === "B" ? "a buyer" : "a seller"
    } took liquidity`;
    if (time) setText(time, formatTime(trade.timestamp).slice(0, 8));
    if (price) setText(price, formatPrice(trade.price));
    if (quantity) setText(quantity, formatQuantity(trade.quantity));
  }
}

/** @param {Book} book */
function renderHeader(book) {
  const last = book.parts.get("last");
  const limits = book.parts.get("limits");
  const newest = book.tape[book.tape.length - 1];
  if (last !== undefined) {
    setText(
      last,
      newest === undefined ? "" : `last ${formatPrice(newest.price)}`,
    );
  }
  if (limits !== undefined) {
    const parts = [];
    if (book.referencePrice !== undefined) {
      parts.push(`ref ${formatPrice(book.referencePrice)}`);
    }
    if (book.lowerLimit !== undefined && book.upperLimit !== undefined) {
      parts.push(
        `limits ${formatPrice(book.lowerLimit)}–${
          formatPrice(book.upperLimit)
        }`,
      );
    }
    setText(limits, parts.join(" · "));
  }
}

/** @param {Book} book */
function renderChart(book) {
  const chart = book.parts.get("chart");
  if (chart === undefined) return;
  const width = book.chartWidth || chart.getBoundingClientRect().width || 300;
  chart.setAttribute("viewBox", `0 0 ${width} ${CHART_HEIGHT}`);
  const model = chartModel(book.history, width, CHART_HEIGHT);
  const get = (
    /** @type {string} */ name,
  ) => /** @type {SVGElement} */ (book.parts.get(name));
  get("empty").setAttribute(
    "visibility",
    model === null ? "visible" : "hidden",
  );
  // What the chart covers, for a reader of the page's markup (and the tests).
  chart.setAttribute("data-from", String(model?.from ?? ""));
  chart.setAttribute("data-to", String(model?.to ?? ""));
  get("line").setAttribute("d", model?.line ?? "");
  get("ranges").setAttribute("d", model?.ranges ?? "");
  get("volume").setAttribute("d", model?.volume ?? "");
  const gaps = get("gaps");
  gaps.replaceChildren(
    ...(model?.gaps ?? []).map((gap) =>
      svg("rect", {
        x: String(gap.x),
        y: String(model?.plot.top ?? 0),
        width: String(gap.width),
        height: String((model?.plot.bottom ?? 0) - (model?.plot.top ?? 0)),
      })
    ),
  );
  const grid = get("grid");
  const times = get("times");
  // The axes change far less often than the line: redraw them only when they change.
  const axes = model === null ? "" : JSON.stringify([
    model.priceTicks,
    model.timeTicks,
    model.plot,
  ]);
  if (chart.getAttribute("data-axes") === axes) return;
  chart.setAttribute("data-axes", axes);
  if (model === null) {
    grid.replaceChildren();
    times.replaceChildren();
    return;
  }
  const labelX = String(model.plot.right + 4);
  grid.replaceChildren(
    ...model.priceTicks.flatMap((tick) => {
      const rule = svg("line", {
        x1: String(model.plot.left),
        x2: String(model.plot.right),
        y1: String(tick.at),
        y2: String(tick.at),
      });
      const label = svg("text", {
        x: labelX,
        y: String(tick.at),
        "dominant-baseline": "middle",
      });
      label.textContent = tick.label;
      return [rule, label];
    }),
  );
  const baseline = String(CHART_HEIGHT - 3);
  const title = svg("text", {
    x: labelX,
    y: baseline,
    class: "axis-title",
  });
  title.textContent = "JST";
  times.replaceChildren(
    svg("line", {
      x1: String(model.plot.left),
      x2: String(model.plot.right),
      y1: String(model.plot.bottom),
      y2: String(model.plot.bottom),
    }),
    ...model.timeTicks.map((tick) => {
      const label = svg("text", {
        x: String(tick.at),
        y: baseline,
        "text-anchor": tick.at < 20
          ? "start"
          : tick.at > model.plot.right - 24
          ? "end"
          : "middle",
      });
      label.textContent = tick.label;
      return label;
    }),
    title,
  );
}

// ---- login ----

/**
 * @param {string} account
 * @param {boolean} operator Whether the account may use the operator controls.
 */
function loggedIn(account, operator) {
  const reconnect = state.account === account &&
    state.ledgerAccount === account;
  state.account = account;
  state.operator = operator;
  if (state.ledgerAccount !== account) resetAccountView();
  state.ledgerAccount = account;
  byId("account", HTMLElement).textContent = account;
  byId("account-box", HTMLElement).hidden = false;
  byId("login-form", HTMLElement).hidden = true;
  byId("login-hint", HTMLElement).hidden = true;
  for (const id of PANELS) byId(id, HTMLElement).hidden = false;
  document.body.classList.toggle("is-operator", operator);
  if (!reconnect) {
    clearError();
    showStatus(`Logged in as ${account}`, "");
  }
  later("banner");
  later("positions");
}

const PANELS = [
  "enter-panel",
  "position-panel",
  "orders-panel",
  "fills-panel",
  "feed-panel",
];

function loggedOut() {
  state.account = null;
  state.operator = false;
  state.orders = [];
  state.ordersTotal = 0;
  state.selected = null;
  byId("account-box", HTMLElement).hidden = true;
  byId("login-form", HTMLElement).hidden = false;
  byId("login-hint", HTMLElement).hidden = false;
  for (const id of PANELS) byId(id, HTMLElement).hidden = true;
  document.body.classList.remove("is-operator");
  later("orders");
  later("banner");
}

/** Forgets the account's responses, fills and position (another account, another day). */
function resetAccountView() {
  state.ledger = new AccountLedger();
  state.ledgerAccount = state.account;
  feedQueue = [];
  feedSkipped = 0;
  fillQueue = [];
  byId("feed", HTMLElement).replaceChildren();
  feedCounts.own = 0;
  feedCounts.market = 0;
  const fills = byId("fills", HTMLTableElement).tBodies[0];
  fills?.replaceChildren();
  later("positions");
  later("fills");
}

// ---- responses, fills, position, orders ----

/**
 * @param {{ sequenceNumber: number, message: Record<string, unknown> }[]} items
 * @param {number} skipped
 */
function responses(items, skipped) {
  const lines = state.ledger.apply(items);
  if (skipped > 0) feedSkipped += skipped;
  let fills = false;
  let own = false;
  let ownFill = false;
  for (const line of lines) {
    feedQueue.push(line);
    own ||= line.own;
    if (line.fill !== undefined) {
      fillQueue.push(line.fill);
      fills = true;
      ownFill ||= line.own;
    }
  }
  if (lines.length > 0 || skipped > 0) later("feed", own);
  if (fills) {
    later("fills", ownFill);
    later("positions", ownFill);
  }
}

const feedCounts = { own: 0, market: 0 };

function renderFeed() {
  const feed = byId("feed", HTMLElement);
  const queue = feedQueue;
  feedQueue = [];
  let marketShown = 0;
  /** @type {HTMLElement[]} */
  const rows = [];
  let notShown = feedSkipped;
  feedSkipped = 0;
  for (let i = queue.length - 1; i >= 0; i--) {
    const line = /** @type {FeedLine} */ (queue[i]);
    if (!line.own) {
      if (marketShown >= FEED_ROWS_PER_FRAME) {
        notShown++;
        continue;
      }
      marketShown++;
    }
    rows.push(feedRow(line));
  }
  if (notShown > 0) {
    rows.splice(
      0,
      0,
      el(
        "li",
        { className: "skipped" },
        `${
          formatQuantity(notShown)
        } responses about other orders of this account not shown: they came too fast`,
      ),
    );
    marketShown++;
  }
  feed.prepend(...rows);
  feedCounts.own += rows.length - marketShown;
  feedCounts.market += marketShown;
  trimFeed(feed);
}

/**
 * @param {FeedLine} line
 * @returns {HTMLElement}
 */
function feedRow(line) {
  return el(
    "li",
    {
      className: `kind-${line.kind}${line.own ? " own" : ""}`,
      data: { kind: line.kind, seq: String(line.sequenceNumber) },
    },
    el("span", { className: "seq" }, formatQuantity(line.sequenceNumber)),
    el(
      "span",
      { className: "time" },
      line.timestamp === undefined ? "" : formatTime(line.timestamp),
    ),
    el("span", { className: "text" }, line.text),
  );
}

/**
 * Removes the oldest rows beyond the limits: rows about other orders first; rows about the
 * page's own orders only beyond their own, much larger, limit.
 *
 * @param {HTMLElement} feed
 */
function trimFeed(feed) {
  let row = feed.lastElementChild;
  while (
    row !== null &&
    (feedCounts.market > FEED_MARKET_ROWS || feedCounts.own > FEED_OWN_ROWS)
  ) {
    const previous = row.previousElementSibling;
    const own = row.classList.contains("own");
    if (own && feedCounts.own > FEED_OWN_ROWS) {
      row.remove();
      feedCounts.own--;
    } else if (!own && feedCounts.market > FEED_MARKET_ROWS) {
      row.remove();
      feedCounts.market--;
    }
    row = previous;
  }
}

function renderFills() {
  const body = byId("fills", HTMLTableElement).tBodies[0];
  if (body === undefined) return;
  // The newest fills, and every fill of the page's own orders.
  const all = fillQueue;
  fillQueue = [];
  const queue = all.filter((fill, i) =>
    fill.own || i >= all.length - FILL_ROWS_PER_FRAME
  );
  const rows = queue.reverse().map((fill) =>
    el(
      "tr",
      {
        className: `${
          fill.side === "B" ? "buy" : fill.side === "?" ? "" : "sell"
        }${fill.own ? " own" : ""}`,
        data: { match: fill.matchNumber },
        title: `#${fill.orderToken}, ${
          fill.liquidity === "A" ? "added" : "removed"
        } liquidity`,
      },
      el("td", {}, formatTime(fill.timestamp)),
      el("td", {}, fill.side === "?" ? "?" : sideName(fill.side)),
      el("td", {}, fill.orderbookId),
      el("td", {}, formatQuantity(fill.quantity)),
      el("td", { className: "price" }, formatPrice(fill.price)),
      el("td", { className: "match" }, fill.matchNumber),
    )
  );
  body.prepend(...rows);
  while (body.rows.length > FILL_ROWS) body.lastElementChild?.remove();
  const total = state.ledger.fills.length;
  byId("fills-count", HTMLElement).textContent = total === 0
    ? ""
    : `(${formatQuantity(total)})`;
}

function renderPositions() {
  const body = byId("positions", HTMLTableElement).tBodies[0];
  if (body === undefined) return;
  const ledger = state.ledger;
  const ids = [...ledger.positions.keys()].sort();
  while (body.rows.length > ids.length) body.lastElementChild?.remove();
  while (body.rows.length < ids.length) {
    body.append(
      el(
        "tr",
        {},
        ...Array.from(
          { length: 6 },
          (_, i) => el("td", { className: i === 0 ? "book-id" : "" }),
        ),
      ),
    );
  }
  ids.forEach((id, i) => {
    const position = /** @type {import("./view.js").Position} */ (
      ledger.positions.get(id)
    );
    const tr = /** @type {HTMLTableRowElement} */ (body.rows[i]);
    tr.dataset.book = id;
    const book = state.books.get(id);
    const last = book?.tape[book.tape.length - 1]?.price;
    const unrealized = last === undefined
      ? undefined
      : position.unrealized(last);
    const cells = /** @type {HTMLElement[]} */ ([...tr.cells]);
    const texts = [
      id,
      formatQuantity(position.net),
      formatAverage(position.cost, position.net),
      last === undefined ? "" : formatPrice(last),
      formatAmount(position.realized, { sign: true }),
      unrealized === undefined ? "" : formatAmount(unrealized, { sign: true }),
    ];
    texts.forEach((text, j) => {
      const cell = cells[j];
      if (cell !== undefined) setText(cell, text);
    });
    cells[4]?.classList.toggle("loss", position.realized < 0n);
    cells[5]?.classList.toggle(
      "loss",
      unrealized !== undefined && unrealized < 0n,
    );
  });
  const notes = [];
  if (ids.length === 0) notes.push("No fills yet.");
  if (ledger.firstSequence > 1) {
    notes.push(
      `Counted from message ${
        formatQuantity(ledger.firstSequence)
      } of today: fills before it are not on this page.`,
    );
  }
  if (ledger.unattributed > 0) {
    notes.push(
      `${
        formatQuantity(ledger.unattributed)
      } fills of orders entered before that are not in the position.`,
    );
  }
  setText(byId("position-note", HTMLElement), notes.join(" "));
}

function renderOrders() {
  const body = byId("orders", HTMLTableElement).tBodies[0];
  if (body === undefined) return;
  const total = state.ordersTotal;
  byId("orders-count", HTMLElement).textContent = total > state.orders.length
    ? `(${state.orders.length} of ${formatQuantity(total)})`
    : `(${total})`;
  /** @type {Map<string, HTMLTableRowElement>} */
  const existing = new Map();
  for (const row of [...body.rows]) {
    existing.set(row.dataset.token ?? "", row);
  }
  /** @type {HTMLTableRowElement[]} */
  const rows = [];
  for (const order of state.orders) {
    const token = String(order.orderToken);
    let row = existing.get(token);
    existing.delete(token);
    if (row === undefined) {
      const select = el("button", { className: "select" }, "Select");
      select.type = "button";
      row = el(
        "tr",
        { data: { token } },
        el("td", {}, select),
        ...Array.from({ length: 7 }, () => el("td")),
      );
    }
    const cells = /** @type {HTMLElement[]} */ ([...row.cells]);
    const texts = [
      token,
      order.orderbookId,
      sideName(order.buySellIndicator),
      formatPrice(order.price),
      formatQuantity(order.openQuantity),
      formatQuantity(order.executedQuantity),
      order.clientReference,
    ];
    texts.forEach((text, i) => {
      const cell = cells[i + 1];
      if (cell !== undefined) setText(cell, text);
    });
    cells[4]?.classList.add("price");
    cells[7]?.classList.add("reference");
    row.title = `Order number ${String(order.orderNumber)}`;
    row.classList.toggle("selected", order.orderToken === state.selected);
    rows.push(row);
  }
  for (const row of existing.values()) row.remove();
  rows.forEach((row, i) => {
    if (body.rows[i] !== row) body.insertBefore(row, body.rows[i] ?? null);
  });
  if (
    state.selected !== null &&
    !state.orders.some((order) => order.orderToken === state.selected)
  ) {
    state.selected = null;
  }
  renderSelection();
}

/** @param {number} token */
function selectOrder(token) {
  state.selected = token;
  const order = state.orders.find((o) => o.orderToken === token);
  if (order === undefined) return;
  const quantity = byId("replace-quantity", HTMLInputElement);
  quantity.value = String(order.openQuantity);
  quantity.dataset.open = quantity.value;
  byId("replace-price", HTMLInputElement).value = formatPrice(order.price);
  byId("replace-tif", HTMLSelectElement).value = String(order.timeInForce);
  byId("replace-display", HTMLSelectElement).value = order.display;
  byId("replace-minimum", HTMLInputElement).value = String(
    order.minimumQuantity,
  );
  for (const row of byId("orders", HTMLTableElement).querySelectorAll("tr")) {
    row.classList.toggle("selected", row.dataset.token === String(token));
  }
  renderSelection();
}

function renderSelection() {
  const form = byId("amend-form", HTMLFormElement);
  const order = state.orders.find((o) => o.orderToken === state.selected);
  form.hidden = order === undefined;
  // The open quantity follows the order (fills, reductions) unless the user typed another.
  const quantity = byId("replace-quantity", HTMLInputElement);
  if (
    order !== undefined && quantity.value === quantity.dataset.open &&
    quantity.value !== String(order.openQuantity)
  ) {
    quantity.value = String(order.openQuantity);
    quantity.dataset.open = quantity.value;
  }
  byId("amend-selected", HTMLElement).textContent = order === undefined
    ? ""
    : `#${order.orderToken} ${sideName(order.buySellIndicator)} ${
      formatQuantity(order.openQuantity)
    } of ${order.orderbookId} @ ${formatPrice(order.price)} (order ${
      String(order.orderNumber)
    })`;
}

/** @param {Record<string, any>} message */
function acknowledged(message) {
  const pending = state.pending.shift();
  const token = typeof message.orderToken === "number"
    ? message.orderToken
    : undefined;
  if (token !== undefined && pending?.order !== undefined) {
    state.ledger.sent(token, pending.order);
  }
  if (
    token !== undefined && pending?.type === "replace" &&
    pending.existing !== undefined
  ) {
    state.ledger.replaceSent(pending.existing, token, pending.display ?? " ");
  }
  const order = pending?.order;
  showStatus(
    order === undefined
      ? message.text
      : `${message.text}: ${sideName(order.buySellIndicator)} ${
        formatQuantity(order.quantity)
      } of ${order.orderbookId} @ ${formatPrice(order.price)}`,
    message.request === "operator" ? "operator" : "order",
  );
  if (message.request === "operator" && pending !== undefined) {
    /** @type {{ action?: string, orderbookId?: string }} */
    const action = {};
    if (pending.action !== undefined) action.action = pending.action;
    if (pending.orderbookId !== undefined) {
      action.orderbookId = pending.orderbookId;
    }
    state.statusAction = action;
  }
}

// ---- banners ----

function renderBanners() {
  renderConnectionBanner();
  const banner = byId("form-banner", HTMLElement);
  const id = byId("enter-orderbook", HTMLSelectElement).value;
  const book = state.books.get(id);
  /** @type {string[]} */
  const lines = [];
  let kind = "";
  if (!state.live) {
    lines.push(
      "Not connected to the server: orders cannot be sent until the page reconnects.",
    );
    kind = "disconnected";
  } else if (!state.open) {
    lines.push(
      "The market is closed: orders are rejected (R) until it opens.",
    );
    kind = "closed";
  }
  if (state.live && book?.halted) {
    lines.push(`Orderbook ${id} is halted: orders on it are rejected (H).`);
    kind ||= "halted";
  }
  setText(banner, lines.join(" "));
  banner.hidden = lines.length === 0;
  banner.dataset.kind = kind;
  for (const button of ["buy-button", "sell-button"]) {
    byId(button, HTMLButtonElement).disabled = !state.live;
  }
}

// ---- forms ----

/**
 * @param {string} id
 * @returns {string}
 */
function inputValue(id) {
  return byId(id, HTMLInputElement).value;
}

/**
 * @param {string} id
 * @returns {string}
 */
function selectValue(id) {
  return byId(id, HTMLSelectElement).value;
}

/**
 * Reads a form field with `read`; a problem is shown and focuses the field.
 *
 * @template T
 * @param {string} id
 * @param {(text: string) => T} read
 * @returns {T}
 */
function field(id, read) {
  try {
    return read(inputValue(id));
  } catch (error) {
    byId(id, HTMLInputElement).focus();
    throw error;
  }
}

/**
 * Sends the Enter Order form.
 *
 * @param {string} side `B`, `S`, `T` or `E`.
 */
function submitOrder(side) {
  byId("enter-side", HTMLSelectElement).value = side;
  /** @type {Record<string, unknown>} */
  let message;
  try {
    const price = field("enter-price", (text) => {
      parsePrice(text);
      return text.normalize("NFKC").trim().replaceAll(",", "");
    });
    message = {
      type: "enter",
      clientReference: inputValue("enter-reference"),
      buySellIndicator: side,
      quantity: field("enter-quantity", (t) => parseWholeNumber("Quantity", t)),
      orderbookId: selectValue("enter-orderbook"),
      group: selectValue("enter-group"),
      price,
      timeInForce: Number(selectValue("enter-tif")),
      firmId: field(
        "enter-firm",
        (t) => parseWholeNumber("Firm ID", t, { empty: 0 }),
      ),
      display: selectValue("enter-display"),
      capacity: selectValue("enter-capacity"),
      minimumQuantity: field(
        "enter-minimum",
        (t) => parseWholeNumber("Minimum Quantity", t, { empty: 0 }),
      ),
      orderClassification: selectValue("enter-classification"),
      cashMarginType: selectValue("enter-cash-margin"),
    };
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
    return false;
  }
  const order = {
    buySellIndicator: side,
    quantity: /** @type {number} */ (message.quantity),
    orderbookId: /** @type {string} */ (message.orderbookId),
    price: safePrice(/** @type {string} */ (message.price)),
    timeInForce: /** @type {number} */ (message.timeInForce),
    display: /** @type {string} */ (message.display),
    minimumQuantity: /** @type {number} */ (message.minimumQuantity),
    capacity: /** @type {string} */ (message.capacity),
  };
  return send(message, { order });
}

/**
 * @param {string} text
 * @returns {number}
 */
function safePrice(text) {
  try {
    return parsePrice(text);
  } catch {
    return 0;
  }
}

/**
 * Fills the form from a click on a ladder price: the book, the side that trades against the
 * level (buy at an ask, sell at a bid), and the price; then focuses the quantity.
 *
 * @param {string} id
 * @param {"B" | "S"} side
 * @param {number} price In tenths.
 */
function clickPrice(id, side, price) {
  if (state.account === null) {
    showStatus(
      "Log in to trade: a click on a price fills in the order form",
      "",
    );
    return;
  }
  byId("enter-orderbook", HTMLSelectElement).value = id;
  const sideSelect = byId("enter-side", HTMLSelectElement);
  sideSelect.value = side;
  byId("enter-price", HTMLInputElement).value = formatPrice(price);
  const quantity = byId("enter-quantity", HTMLInputElement);
  quantity.focus();
  quantity.select();
  later("banner");
}

/** Sends the one-line order entry. */
function submitCommand() {
  const input = byId("command", HTMLInputElement);
  let line;
  try {
    line = parseOrderLine(input.value);
    if (line.orderbookId !== undefined && !state.books.has(line.orderbookId)) {
      throw new RangeError(
        `Cannot use orderbook "${line.orderbookId}" as it is not traded here: choose one of ${
          [...state.books.keys()].join(", ")
        }`,
      );
    }
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
    return;
  }
  if (line.orderbookId !== undefined) {
    byId("enter-orderbook", HTMLSelectElement).value = line.orderbookId;
  }
  byId("enter-quantity", HTMLInputElement).value = String(line.quantity);
  byId("enter-price", HTMLInputElement).value = line.price;
  if (line.timeInForce !== undefined) {
    byId("enter-tif", HTMLSelectElement).value = String(line.timeInForce);
  }
  if (line.display !== undefined) {
    byId("enter-display", HTMLSelectElement).value = line.display;
  }
  if (line.minimumQuantity !== undefined) {
    byId("enter-minimum", HTMLInputElement).value = String(
      line.minimumQuantity,
    );
  }
  if (line.firmId !== undefined) {
    byId("enter-firm", HTMLInputElement).value = String(line.firmId);
  }
  if (line.clientReference !== undefined) {
    byId("enter-reference", HTMLInputElement).value = line.clientReference;
  }
  later("banner");
  if (submitOrder(line.side)) input.value = "";
  input.focus();
}

function resetEnterForm() {
  const d = ENTER_DEFAULTS;
  byId("enter-side", HTMLSelectElement).value = d.buySellIndicator;
  byId("enter-quantity", HTMLInputElement).value = String(d.quantity);
  byId("enter-price", HTMLInputElement).value = d.price;
  byId("enter-tif", HTMLSelectElement).value = String(d.timeInForce);
  byId("enter-minimum", HTMLInputElement).value = String(d.minimumQuantity);
  byId("enter-display", HTMLSelectElement).value = d.display;
  byId("enter-capacity", HTMLSelectElement).value = d.capacity;
  byId("enter-group", HTMLSelectElement).value = d.group;
  byId("enter-firm", HTMLInputElement).value = String(d.firmId);
  byId("enter-classification", HTMLSelectElement).value = d.orderClassification;
  byId("enter-cash-margin", HTMLSelectElement).value = d.cashMarginType;
  byId("enter-reference", HTMLInputElement).value = d.clientReference;
}

/**
 * Asks before an action that cannot be undone.
 *
 * @param {string} text
 * @param {string} yes The label of the button that goes ahead.
 * @returns {Promise<boolean>}
 */
function confirmAction(text, yes) {
  const dialog = byId("confirm", HTMLDialogElement);
  byId("confirm-text", HTMLElement).textContent = text;
  byId("confirm-yes", HTMLButtonElement).textContent = yes;
  dialog.returnValue = "";
  dialog.showModal();
  byId("confirm-no", HTMLButtonElement).focus();
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => resolve(dialog.returnValue === "yes"),
      { once: true },
    );
  });
}

function setUpForms() {
  fillSelect(byId("enter-side", HTMLSelectElement), SIDE_NAMES);
  fillSelect(byId("enter-tif", HTMLSelectElement), TIME_IN_FORCE_NAMES, [
    "99999",
    "0",
  ]);
  fillSelect(byId("replace-tif", HTMLSelectElement), TIME_IN_FORCE_NAMES, [
    "99999",
    "0",
  ]);
  fillSelect(byId("enter-display", HTMLSelectElement), DISPLAY_NAMES);
  fillSelect(byId("replace-display", HTMLSelectElement), DISPLAY_NAMES);
  fillSelect(byId("enter-capacity", HTMLSelectElement), CAPACITY_NAMES);
  fillSelect(byId("enter-group", HTMLSelectElement), GROUP_NAMES);
  fillSelect(
    byId("enter-classification", HTMLSelectElement),
    ORDER_CLASSIFICATION_NAMES,
  );
  fillSelect(
    byId("enter-cash-margin", HTMLSelectElement),
    CASH_MARGIN_TYPE_NAMES,
  );
  resetEnterForm();

  byId("login-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    const password = byId("login-password", HTMLInputElement);
    const credentials = {
      username: inputValue("login-username").trim(),
      password: password.value,
    };
    if (send({ type: "login", ...credentials })) {
      state.credentials = credentials;
    }
    password.value = "";
  });
  byId("logout-button", HTMLButtonElement).addEventListener("click", () => {
    state.credentials = null;
    if (!send({ type: "logout" })) loggedOut();
  });
  const enterForm = byId("enter-form", HTMLFormElement);
  enterForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const submitter = event.submitter;
    const current = selectValue("enter-side");
    let side = current;
    if (submitter instanceof HTMLButtonElement) {
      const wanted = submitter.dataset.side;
      side = wanted === "B"
        ? "B"
        : current === "T" || current === "E"
        ? current
        : "S";
    }
    submitOrder(side);
  });
  // Enter in a field sends the order with the side chosen in the form, as a click on a side
  // button would not.
  enterForm.addEventListener("keydown", (event) => {
    const target = event.target;
    if (
      event.key === "Enter" && !event.isComposing &&
      target instanceof HTMLInputElement
    ) {
      event.preventDefault();
      submitOrder(selectValue("enter-side"));
    }
  });
  byId("enter-orderbook", HTMLSelectElement).addEventListener(
    "change",
    () => later("banner"),
  );
  byId("command-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    submitCommand();
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (
      event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey &&
      !(target instanceof HTMLInputElement) &&
      !(target instanceof HTMLSelectElement) &&
      !(target instanceof HTMLTextAreaElement) &&
      state.account !== null
    ) {
      event.preventDefault();
      byId("command", HTMLInputElement).focus();
    }
  });
  byId("enter-reset", HTMLButtonElement).addEventListener(
    "click",
    resetEnterForm,
  );
  byId("amend-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    const existing = state.selected;
    if (existing === null) return;
    let message;
    try {
      message = {
        type: "replace",
        existingOrderToken: existing,
        quantity: field(
          "replace-quantity",
          (t) => parseWholeNumber("Quantity", t),
        ),
        price: field("replace-price", (text) => {
          parsePrice(text);
          return text.normalize("NFKC").trim().replaceAll(",", "");
        }),
        timeInForce: Number(selectValue("replace-tif")),
        display: selectValue("replace-display"),
        minimumQuantity: field(
          "replace-minimum",
          (t) => parseWholeNumber("Minimum Quantity", t, { empty: 0 }),
        ),
      };
    } catch (error) {
      showError(error instanceof Error ? error.message : String(error));
      return;
    }
    send(message, { existing, display: message.display });
  });
  byId("cancel-button", HTMLButtonElement).addEventListener("click", () => {
    if (state.selected === null) return;
    // A cancel removes the whole order (K10).
    send({ type: "cancel", orderToken: state.selected });
  });
  byId("orders", HTMLTableElement).addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLButtonElement)) return;
    const token = target.closest("tr")?.dataset.token;
    if (token !== undefined) selectOrder(Number(token));
  });
  byId("market-open", HTMLButtonElement).addEventListener(
    "click",
    () => send({ type: "operator", action: "open" }, { action: "open" }),
  );
  byId("market-close", HTMLButtonElement).addEventListener(
    "click",
    async () => {
      const yes = await confirmAction(
        "Close the market? Every resting order of every account is canceled (reason O) and every account is sent End of Day. New orders are rejected until the market opens again.",
        "Close the market",
      );
      if (yes) send({ type: "operator", action: "close" }, { action: "close" });
    },
  );
  for (const id of ["confirm-yes", "confirm-no"]) {
    const button = byId(id, HTMLButtonElement);
    button.addEventListener("click", (event) => {
      event.preventDefault();
      byId("confirm", HTMLDialogElement).close(button.value);
    });
  }
  byId("feed-filter", HTMLElement).addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement) {
      byId("feed", HTMLElement).dataset.filter = target.value;
    }
  });
  byId("error-close", HTMLButtonElement).addEventListener("click", clearError);
}

setUpForms();
loggedOut();
renderBanners();
connect();
setInterval(heartbeat, 1000);
