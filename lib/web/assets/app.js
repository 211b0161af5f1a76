/**
 * The page: one WebSocket to `/ws`, the orderbooks (ladder, tape, chart), the market state and
 * operator controls, the login, and the order-entry panel. Everything shown comes from the
 * server's messages and is written with `textContent` and DOM calls, never as HTML. The pure
 * parts live in `view.js`.
 *
 * Typed with JSDoc and type-checked against the DOM library by
 * `tests/web/assets/app_check_test.ts`: it has no `@ts-check` line, because the DOM library
 * would change the global types of every other module `deno check` checks with it.
 *
 * @module
 */
import {
  buildLadder,
  CAPACITY_NAMES,
  CASH_MARGIN_TYPE_NAMES,
  chartPoints,
  describeResponse,
  DISPLAY_NAMES,
  ENTER_DEFAULTS,
  formatPrice,
  formatQuantity,
  formatTime,
  GROUP_NAMES,
  mergeTrades,
  ORDER_CLASSIFICATION_NAMES,
  SIDE_NAMES,
  TIME_IN_FORCE_NAMES,
  validatePageMessage,
} from "./view.js";

/** @typedef {import("./view.js").Level} Level */
/** @typedef {import("./view.js").TapeTrade} TapeTrade */

/**
 * @typedef {object} Book
 * @property {string} id
 * @property {Level[]} bids
 * @property {Level[]} asks
 * @property {TapeTrade[]} trades
 * @property {boolean} halted
 * @property {HTMLElement} card
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

const LADDER_LEVELS = 5;
const TAPE_ROWS = 12;
const TAPE_KEEP = 100;
const FEED_ROWS = 200;
const CHART_WIDTH = 220;
const CHART_HEIGHT = 60;
const SVG = "http://www.w3.org/2000/svg";

const state = {
  /** @type {WebSocket | null} */
  socket: null,
  /** @type {string | null} */
  account: null,
  open: false,
  /** @type {Map<string, Book>} */
  books: new Map(),
  /** @type {OpenOrder[]} */
  orders: [],
  /** @type {number | null} */
  selected: null,
  retryMs: 500,
};

/** @type {Map<string, () => void>} */
const renders = new Map();
let renderFrame = 0;

/**
 * Renders once per animation frame whatever changed, however many updates arrived meanwhile.
 *
 * @param {string} key What to render, e.g. `ladder:7203`.
 * @param {() => void} render
 */
function later(key, render) {
  renders.set(key, render);
  if (renderFrame === 0) renderFrame = requestAnimationFrame(renderNow);
}

function renderNow() {
  renderFrame = 0;
  const pending = [...renders.values()];
  renders.clear();
  for (const render of pending) render();
}

/**
 * @template {HTMLElement} T
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

// ---- errors and status ----

/** @param {string} message */
function showError(message) {
  byId("error-text", HTMLElement).textContent = message;
  byId("error", HTMLElement).hidden = false;
}

function clearError() {
  byId("error", HTMLElement).hidden = true;
  byId("error-text", HTMLElement).textContent = "";
}

/** @param {string} text */
function showStatus(text) {
  byId("status", HTMLElement).textContent = text;
}

// ---- the WebSocket ----

function connect() {
  const url = new URL("/ws", location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  state.socket = socket;
  setConnection("connecting");
  socket.addEventListener("open", () => {
    state.retryMs = 500;
    setConnection("connected");
  });
  socket.addEventListener("message", (event) => {
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
    state.socket = null;
    setConnection("disconnected");
    if (state.account !== null) {
      loggedOut();
      showError(
        `The connection to the server was lost${
          event.reason ? ` (${event.reason})` : ""
        }: log in again once it is back`,
      );
    }
    setTimeout(connect, state.retryMs);
    state.retryMs = Math.min(state.retryMs * 2, 5000);
  });
}

/** @param {"connecting" | "connected" | "disconnected"} value */
function setConnection(value) {
  const badge = byId("connection", HTMLElement);
  badge.textContent = value;
  badge.dataset.state = value;
}

/**
 * Checks a message with the server's own rules, then sends it.
 *
 * @param {Record<string, unknown>} message
 * @returns {boolean} Whether it was sent.
 */
function send(message) {
  try {
    validatePageMessage(message);
  } catch (error) {
    showError(error instanceof Error ? error.message : String(error));
    return false;
  }
  const socket = state.socket;
  if (socket === null || socket.readyState !== WebSocket.OPEN) {
    showError("Cannot send: the page is not connected to the server");
    return false;
  }
  clearError();
  socket.send(JSON.stringify(message));
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
      later(`ladder:${book.id}`, () => renderLadder(book));
      return;
    }
    case "trades": {
      const book = state.books.get(message.orderbookId);
      if (book === undefined) return;
      book.trades = mergeTrades(book.trades, message.trades, TAPE_KEEP);
      later(`trades:${book.id}`, () => renderTrades(book));
      return;
    }
    case "state":
      state.open = message.open;
      for (const book of state.books.values()) {
        book.halted = message.halted.includes(book.id);
        renderHalt(book);
      }
      renderMarket();
      return;
    case "login":
      if (message.ok) {
        loggedIn(message.account);
      } else {
        showError(message.error);
      }
      return;
    case "logout":
      loggedOut();
      return;
    case "responses":
      addResponses(message.items, message.skipped);
      return;
    case "orders":
      state.orders = message.orders;
      later("orders", () => renderOrders(message.total));
      return;
    case "ack":
      showStatus(message.text);
      return;
    case "error":
      showError(message.message);
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
  byId("session", HTMLElement).textContent = message.session;
  state.open = message.open;
  const container = byId("books", HTMLElement);
  for (const key of [...renders.keys()]) {
    if (key !== "orders") renders.delete(key);
  }
  state.books.clear();
  container.replaceChildren();
  const select = byId("enter-orderbook", HTMLSelectElement);
  const previous = select.value;
  select.replaceChildren();
  for (const ob of message.orderbooks) {
    const book = {
      id: String(ob.orderbookId),
      bids: ob.bids,
      asks: ob.asks,
      trades: mergeTrades([], ob.trades, TAPE_KEEP),
      halted: ob.halted,
      card: makeCard(String(ob.orderbookId)),
    };
    state.books.set(book.id, book);
    container.append(book.card);
    renderLadder(book);
    renderTrades(book);
    renderHalt(book);
    const option = el("option", {}, book.id);
    option.value = book.id;
    select.append(option);
  }
  if (state.books.has(previous)) select.value = previous;
  renderMarket();
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function makeCard(id) {
  const halt = el("button", { className: "halt" }, "Halt");
  halt.type = "button";
  halt.addEventListener("click", () => {
    const book = state.books.get(id);
    if (book === undefined) return;
    send({
      type: "operator",
      action: book.halted ? "resume" : "halt",
      orderbookId: id,
    });
  });
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "chart");
  svg.setAttribute("viewBox", `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `Trade prices of ${id} over time`);
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("class", "price-line");
  const dot = document.createElementNS(SVG, "circle");
  dot.setAttribute("class", "price-dot");
  dot.setAttribute("r", "2.5");
  dot.setAttribute("visibility", "hidden");
  svg.append(line, dot);
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
    el("tbody"),
  );
  const tape = el(
    "table",
    { className: "tape grid" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", {}, "Time"),
        el("th", {}, "Price"),
        el("th", {}, "Qty"),
        el("th", {}, "Side"),
      ),
    ),
    el("tbody"),
  );
  return el(
    "article",
    { className: "book", data: { orderbook: id } },
    el(
      "header",
      {},
      el("h2", {}, id),
      el("span", { className: "badge halted-badge" }, "halted"),
      el("span", { className: "last" }, ""),
      halt,
    ),
    el(
      "div",
      { className: "book-body" },
      ladder,
      el(
        "div",
        { className: "book-side" },
        svg,
        el("div", { className: "chart-range muted" }, ""),
        tape,
      ),
    ),
  );
}

/** @param {Book} book */
function renderLadder(book) {
  const body = book.card.querySelector(".ladder tbody");
  if (body === null) return;
  const rows = buildLadder(book, LADDER_LEVELS);
  if (rows.length === 0) {
    const empty = el("td", { className: "muted" }, "no orders");
    empty.colSpan = 3;
    body.replaceChildren(el("tr", {}, empty));
    return;
  }
  body.replaceChildren(
    ...rows.map((row) => {
      const quantity = formatQuantity(row.quantity);
      const title = `${row.orders} order${row.orders === 1 ? "" : "s"}`;
      return el(
        "tr",
        {
          className: `${row.side}${row.best ? " best" : ""}`,
          title,
          data: { side: row.side },
        },
        el("td", { className: "bid-qty" }, row.side === "bid" ? quantity : ""),
        el("td", { className: "price" }, formatPrice(row.price)),
        el("td", { className: "ask-qty" }, row.side === "ask" ? quantity : ""),
      );
    }),
  );
}

/** @param {Book} book */
function renderTrades(book) {
  const body = book.card.querySelector(".tape tbody");
  const last = book.card.querySelector(".last");
  const line = book.card.querySelector(".price-line");
  const dot = book.card.querySelector(".price-dot");
  const range = book.card.querySelector(".chart-range");
  if (
    body === null || last === null || line === null || dot === null ||
    range === null
  ) {
    return;
  }
  const latest = book.trades.slice(-TAPE_ROWS).reverse();
  body.replaceChildren(
    ...latest.map((trade) =>
      el(
        "tr",
        { className: trade.aggressor === "B" ? "buy" : "sell" },
        el("td", {}, formatTime(trade.timestamp)),
        el("td", { className: "price" }, formatPrice(trade.price)),
        el("td", {}, formatQuantity(trade.quantity)),
        el("td", {}, trade.aggressor === "B" ? "buy" : "sell"),
      )
    ),
  );
  const newest = book.trades[book.trades.length - 1];
  last.textContent = newest === undefined
    ? ""
    : `last ${formatPrice(newest.price)}`;
  const chart = chartPoints(book.trades, CHART_WIDTH, CHART_HEIGHT);
  line.setAttribute("points", chart.points);
  const [x, y] = chart.points === ""
    ? ["0", "0"]
    : (chart.points.split(" ").at(-1) ?? "0,0").split(",");
  dot.setAttribute("cx", x ?? "0");
  dot.setAttribute("cy", y ?? "0");
  dot.setAttribute("visibility", chart.points === "" ? "hidden" : "visible");
  range.textContent = book.trades.length === 0
    ? "no trades yet"
    : `${formatPrice(chart.low)} - ${formatPrice(chart.high)}`;
}

/** @param {Book} book */
function renderHalt(book) {
  book.card.classList.toggle("is-halted", book.halted);
  const button = book.card.querySelector("button.halt");
  if (button instanceof HTMLButtonElement) {
    button.textContent = book.halted ? "Resume" : "Halt";
    button.disabled = state.account === null;
    button.title = state.account === null
      ? "Log in to use the operator controls"
      : "";
  }
}

function renderMarket() {
  const badge = byId("market-state", HTMLElement);
  badge.textContent = state.open ? "open" : "closed";
  badge.dataset.state = state.open ? "open" : "closed";
  const loggedIn = state.account !== null;
  byId("market-open", HTMLButtonElement).disabled = !loggedIn || state.open;
  byId("market-close", HTMLButtonElement).disabled = !loggedIn || !state.open;
  for (const book of state.books.values()) renderHalt(book);
}

// ---- login ----

/** @param {string} account */
function loggedIn(account) {
  state.account = account;
  byId("account", HTMLElement).textContent = account;
  byId("account-box", HTMLElement).hidden = false;
  byId("login-form", HTMLElement).hidden = true;
  byId("login-hint", HTMLElement).hidden = true;
  for (const id of ["enter-panel", "orders-panel", "feed-panel"]) {
    byId(id, HTMLElement).hidden = false;
  }
  byId("feed", HTMLElement).replaceChildren();
  clearError();
  showStatus(`Logged in as ${account}`);
  renderMarket();
}

function loggedOut() {
  state.account = null;
  state.orders = [];
  state.selected = null;
  byId("account-box", HTMLElement).hidden = true;
  byId("login-form", HTMLElement).hidden = false;
  byId("login-hint", HTMLElement).hidden = false;
  for (const id of ["enter-panel", "orders-panel", "feed-panel"]) {
    byId(id, HTMLElement).hidden = true;
  }
  byId("feed", HTMLElement).replaceChildren();
  renders.delete("orders");
  renderOrders(0);
  renderMarket();
}

// ---- responses and orders ----

/**
 * @param {{ sequenceNumber: number, message: Record<string, unknown> }[]} items
 * @param {number} skipped
 */
function addResponses(items, skipped) {
  const feed = byId("feed", HTMLElement);
  const rows = [];
  if (skipped > 0) {
    rows.push(
      el(
        "li",
        { className: "skipped" },
        `${formatQuantity(skipped)} responses not shown: they came too fast`,
      ),
    );
  }
  for (const item of items) {
    const line = describeResponse(item.message);
    const timestamp = typeof item.message.timestamp === "number"
      ? formatTime(item.message.timestamp)
      : "";
    rows.push(
      el(
        "li",
        { className: `kind-${line.kind}`, data: { kind: line.kind } },
        el("span", { className: "seq" }, `${item.sequenceNumber}`),
        el("span", { className: "time" }, timestamp),
        el("span", { className: "text" }, line.text),
      ),
    );
  }
  feed.prepend(...rows.reverse());
  while (feed.childElementCount > FEED_ROWS) feed.lastElementChild?.remove();
}

/** @param {number} total */
function renderOrders(total) {
  const body = byId("orders", HTMLTableElement).tBodies[0];
  if (body === undefined) return;
  byId("orders-count", HTMLElement).textContent = total > state.orders.length
    ? `(${state.orders.length} of ${total})`
    : `(${total})`;
  body.replaceChildren(
    ...state.orders.map((order) => {
      const select = el("button", { className: "select" }, "Select");
      select.type = "button";
      return el(
        "tr",
        {
          className: order.orderToken === state.selected ? "selected" : "",
          data: { token: String(order.orderToken) },
        },
        el("td", {}, select),
        el("td", {}, String(order.orderToken)),
        el("td", {}, String(order.orderNumber)),
        el("td", {}, order.orderbookId),
        el("td", {}, sideName(order.buySellIndicator)),
        el("td", { className: "price" }, formatPrice(order.price)),
        el("td", {}, formatQuantity(order.openQuantity)),
        el("td", {}, formatQuantity(order.executedQuantity)),
        el("td", { className: "reference" }, order.clientReference),
      );
    }),
  );
  if (
    state.selected !== null &&
    !state.orders.some((order) => order.orderToken === state.selected)
  ) {
    state.selected = null;
  }
  renderSelection();
}

/** @param {string} code */
function sideName(code) {
  return Object.hasOwn(SIDE_NAMES, code)
    ? SIDE_NAMES[/** @type {keyof typeof SIDE_NAMES} */ (code)]
    : code;
}

/** @param {number} token */
function selectOrder(token) {
  state.selected = token;
  const order = state.orders.find((o) => o.orderToken === token);
  if (order === undefined) return;
  byId("replace-quantity", HTMLInputElement).value = String(
    order.openQuantity,
  );
  byId("replace-price", HTMLInputElement).value = formatPrice(order.price);
  byId("replace-tif", HTMLSelectElement).value = String(order.timeInForce);
  byId("replace-display", HTMLSelectElement).value = order.display;
  byId("replace-minimum", HTMLInputElement).value = String(
    order.minimumQuantity,
  );
  byId("cancel-quantity", HTMLInputElement).value = "0";
  for (const row of byId("orders", HTMLTableElement).querySelectorAll("tr")) {
    row.classList.toggle("selected", row.dataset.token === String(token));
  }
  renderSelection();
}

function renderSelection() {
  const form = byId("amend-form", HTMLFormElement);
  const order = state.orders.find((o) => o.orderToken === state.selected);
  form.hidden = order === undefined;
  byId("amend-selected", HTMLElement).textContent = order === undefined
    ? ""
    : `#${order.orderToken} ${sideName(order.buySellIndicator)} ${
      formatQuantity(order.openQuantity)
    } of ${order.orderbookId} @ ${formatPrice(order.price)}`;
}

// ---- forms ----

/**
 * A whole number typed in a field; anything else is passed on as text, so that the check
 * names the field and shows what was typed.
 *
 * @param {string} id
 * @returns {number | string}
 */
function numberField(id) {
  const text = byId(id, HTMLInputElement).value.trim();
  return /^\d{1,15}$/.test(text) ? Number(text) : text;
}

/** @param {string} id */
function textField(id) {
  return byId(id, HTMLInputElement).value;
}

/** @param {string} id */
function selectField(id) {
  return byId(id, HTMLSelectElement).value;
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
    send({
      type: "login",
      username: textField("login-username").trim(),
      password: password.value,
    });
    password.value = "";
  });
  byId("logout-button", HTMLButtonElement).addEventListener(
    "click",
    () => send({ type: "logout" }),
  );
  byId("enter-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    send({
      type: "enter",
      clientReference: textField("enter-reference"),
      buySellIndicator: selectField("enter-side"),
      quantity: numberField("enter-quantity"),
      orderbookId: selectField("enter-orderbook"),
      group: selectField("enter-group"),
      price: textField("enter-price"),
      timeInForce: Number(selectField("enter-tif")),
      firmId: numberField("enter-firm"),
      display: selectField("enter-display"),
      capacity: selectField("enter-capacity"),
      minimumQuantity: numberField("enter-minimum"),
      orderClassification: selectField("enter-classification"),
      cashMarginType: selectField("enter-cash-margin"),
    });
  });
  byId("enter-reset", HTMLButtonElement).addEventListener(
    "click",
    resetEnterForm,
  );
  byId("amend-form", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.selected === null) return;
    send({
      type: "replace",
      existingOrderToken: state.selected,
      quantity: numberField("replace-quantity"),
      price: textField("replace-price"),
      timeInForce: Number(selectField("replace-tif")),
      display: selectField("replace-display"),
      minimumQuantity: numberField("replace-minimum"),
    });
  });
  byId("cancel-button", HTMLButtonElement).addEventListener("click", () => {
    if (state.selected === null) return;
    send({
      type: "cancel",
      orderToken: state.selected,
      quantity: numberField("cancel-quantity"),
    });
  });
  byId("orders", HTMLTableElement).addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLButtonElement)) return;
    const token = target.closest("tr")?.dataset.token;
    if (token !== undefined) selectOrder(Number(token));
  });
  byId("market-open", HTMLButtonElement).addEventListener(
    "click",
    () => send({ type: "operator", action: "open" }),
  );
  byId("market-close", HTMLButtonElement).addEventListener(
    "click",
    () => send({ type: "operator", action: "close" }),
  );
  byId("error-close", HTMLButtonElement).addEventListener("click", clearError);
}

setUpForms();
loggedOut();
connect();
