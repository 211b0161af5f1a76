/**
 * Chromium for the page's tests: `browserTest()` registers a test that launches
 * `/usr/bin/chromium` (headless, with a fresh user-data directory), fails on any page error
 * or console error, and on failure saves screenshots of every page it opened at 1440×900
 * and 390×844 under `test-results/`. Also a few helpers to drive the page as a user does,
 * and `FakePageServer`, which serves the real page with a WebSocket the test scripts, for
 * server messages the real server cannot be made to send.
 *
 * @module
 */
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { readAsset, responseHeaders } from "../../lib/web/_assets.ts";

/**
 * The page's global object inside `page.evaluate` callbacks, which run in Chromium: the
 * tests are type-checked without the DOM library, so it is untyped
 * (`const w: PageGlobal = globalThis;`).
 */
// deno-lint-ignore no-explicit-any
export type PageGlobal = any;

/** Where the tests expect Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** The flags every Chromium of the tests runs with. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The two screen sizes of the failure screenshots. */
export const SCREENSHOT_SIZES: readonly (readonly [number, number])[] = [
  [1440, 900],
  [390, 844],
];

/** Whether Chromium is installed. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** One running Chromium with the pages a test opened. */
export interface Browsing {
  readonly context: BrowserContext;
  /** Page errors, console errors and CSP violations seen so far. */
  readonly problems: string[];
  /** Console errors matching this are expected (a refused reconnect while a server is down). */
  allow(pattern: RegExp): void;
  /** Runs `cleanup` after the test, once the failure screenshots are taken. */
  defer(cleanup: () => Promise<void> | void): void;
  /** Opens a page at `url` (default size 1440×900) and waits until it is connected. */
  open(
    name: string,
    url: string,
    options?: { width?: number; height?: number; connected?: boolean },
  ): Promise<Page>;
}

/**
 * Launches Chromium with a fresh user-data directory and runs `fn`; removes the directory
 * afterwards.
 */
export async function withChromium<T>(
  fn: (browsing: Browsing, pages: [string, Page][]) => Promise<T>,
): Promise<T> {
  const userDataDir = await Deno.makeTempDir({ prefix: "ouch_chromium_" });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1440, height: 900 },
  });
  const problems: string[] = [];
  const allowed: RegExp[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const pages: [string, Page][] = [];
  const browsing: Browsing = {
    context,
    problems,
    allow: (pattern) => allowed.push(pattern),
    defer: (cleanup) => cleanups.push(cleanup),
    async open(name, url, options = {}) {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.setViewportSize({
        width: options.width ?? 1440,
        height: options.height ?? 900,
      });
      page.on("pageerror", (error) => problems.push(`${name}: ${error}`));
      page.on("console", (message) => {
        const text = message.text();
        if (
          message.type() === "error" &&
          !allowed.some((pattern) => pattern.test(text))
        ) {
          problems.push(`${name} console: ${text}`);
        }
      });
      pages.push([name, page]);
      await page.goto(url);
      if (options.connected ?? true) {
        await page.locator('#connection[data-state="connected"]').waitFor();
      }
      return page;
    },
  };
  try {
    for (const page of context.pages()) await page.close();
    return await fn(browsing, pages);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await context.close().catch(() => {});
    await Deno.remove(userDataDir, { recursive: true }).catch(() => {});
  }
}

/**
 * Registers a Chromium test (ignored, saying why, without Chromium). On failure, every page
 * the test opened is saved at both screenshot sizes as
 * `test-results/<file>_<page>_<width>x<height>.png`, before the cleanups the test deferred
 * (so a server it started still runs); page errors fail the test.
 */
export function browserTest(
  name: string,
  file: string,
  fn: (browsing: Browsing) => Promise<void>,
): void {
  const available = hasChromium();
  Deno.test({
    name: available ? name : `${name} (ignored: ${CHROMIUM} not installed)`,
    ignore: !available,
    async fn() {
      await withChromium(async (browsing, pages) => {
        try {
          await fn(browsing);
          if (browsing.problems.length > 0) {
            throw new Error(
              `The page reported problems: ${browsing.problems.join("; ")}`,
            );
          }
        } catch (error) {
          await screenshots(file, pages);
          if (browsing.problems.length > 0) {
            throw new AggregateError(
              [error],
              `${error}; page said: ${browsing.problems.join("; ")}`,
            );
          }
          throw error;
        }
      });
    },
  });
}

async function screenshots(file: string, pages: [string, Page][]) {
  await Deno.mkdir("test-results", { recursive: true });
  for (const [name, page] of pages) {
    for (const [width, height] of SCREENSHOT_SIZES) {
      try {
        await page.setViewportSize({ width, height });
        await page.screenshot({
          path: `test-results/${file}_${name}_${width}x${height}.png`,
          fullPage: true,
          timeout: 5000,
        });
      } catch {
        // the page is gone; the error says why
      }
    }
  }
}

// ---- driving the page ----

/** Logs in through the header form and waits for the account to show. */
export async function login(
  page: Page,
  username: string,
  password: string,
): Promise<void> {
  await page.locator("#login-username").fill(username);
  await page.locator("#login-password").fill(password);
  await page.locator("#login-button").click();
  await page.locator("#account", { hasText: username }).waitFor();
}

/** An order as typed into the Enter Order form. */
export interface FormOrder {
  orderbook?: string;
  side: "B" | "S" | "T" | "E";
  quantity: string;
  price: string;
  reference?: string;
  tif?: "0" | "99999";
  display?: " " | "P";
  minimum?: string;
}

/**
 * Fills the Enter Order form (opening "More" when a rare field is set) and clicks Buy or
 * Sell.
 */
export async function enterOrder(page: Page, order: FormOrder): Promise<void> {
  await page.locator("#enter-orderbook").selectOption(order.orderbook ?? "1");
  await page.locator("#enter-side").selectOption(order.side);
  await page.locator("#enter-quantity").fill(order.quantity);
  await page.locator("#enter-price").fill(order.price);
  await page.locator("#enter-tif").selectOption(order.tif ?? "99999");
  const more = order.reference !== undefined || order.display !== undefined ||
    order.minimum !== undefined;
  if (more) {
    await page.locator("#enter-more").evaluate((details) =>
      details.setAttribute("open", "")
    );
    await page.locator("#enter-reference").fill(order.reference ?? "");
    await page.locator("#enter-display").selectOption(order.display ?? " ");
    await page.locator("#enter-minimum").fill(order.minimum ?? "0");
  }
  await page.locator(order.side === "B" ? "#buy-button" : "#sell-button")
    .click();
}

/** Waits until an element matching `selector` contains `text`. */
export async function waitText(
  page: Page,
  selector: string,
  text: string | RegExp,
  timeout?: number,
): Promise<void> {
  await page.locator(selector).filter({ hasText: text }).first().waitFor(
    timeout === undefined ? {} : { timeout },
  );
}

/** The selector of a book's ladder cells of one side. */
export function ladderCell(orderbook: string, side: "bid" | "ask"): string {
  return `[data-orderbook="${orderbook}"] .ladder tr.${side} td.${side}-qty`;
}

/** The selector of a book's filled tape rows. */
export function tapeRow(orderbook: string): string {
  return `[data-orderbook="${orderbook}"] .tape tbody tr[data-match]`;
}

// ---- a scripted page server ----

/**
 * Serves the real page (`lib/web/assets/`) on 127.0.0.1 port 0 with a WebSocket at `/ws`
 * that the test scripts: it records what the page sends and sends what the test says, for
 * messages the real server does not send (yet).
 */
export class FakePageServer {
  readonly received: Record<string, unknown>[] = [];
  readonly #sockets = new Set<WebSocket>();
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  /** Called with each message from the page; its answers are sent back. */
  onMessage: (message: Record<string, unknown>) => unknown[] = () => [];
  /** Sent to each page that connects. */
  greeting: unknown[] = [];
  /** Whether to answer pings. */
  answerPings = true;

  constructor() {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      async (request) => {
        const path = new URL(request.url).pathname;
        if (path === "/ws") {
          const { socket, response } = Deno.upgradeWebSocket(request);
          socket.onopen = () => {
            this.#sockets.add(socket);
            for (const message of this.greeting) {
              socket.send(JSON.stringify(message));
            }
          };
          socket.onclose = () => this.#sockets.delete(socket);
          socket.onmessage = (event) => {
            const message = JSON.parse(String(event.data));
            this.received.push(message);
            if (message.type === "ping") {
              if (this.answerPings) socket.send('{"type":"pong"}');
              return;
            }
            for (const answer of this.onMessage(message)) {
              socket.send(JSON.stringify(answer));
            }
          };
          return response;
        }
        const asset = await readAsset(path);
        if (asset === undefined) {
          return new Response("Not Found", { status: 404 });
        }
        return new Response(asset.body, {
          headers: responseHeaders(asset.contentType),
        });
      },
    );
  }

  /** `http://127.0.0.1:port`. */
  get origin(): string {
    return `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** Sends a message to every connected page. */
  send(message: unknown): void {
    for (const socket of this.#sockets) socket.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.close();
    await this.#server.shutdown();
  }
}

/** A snapshot with the given orderbooks, nothing resting and no trades. */
export function fakeSnapshot(
  orderbooks: Record<string, unknown>[],
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: "snapshot",
    session: "2026112801",
    version: "1.12",
    open: true,
    orderbooks: orderbooks.map((fields) => ({
      halted: false,
      bids: [],
      asks: [],
      trades: [],
      ...fields,
    })),
    ...fields,
  };
}
