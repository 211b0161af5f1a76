/**
 * The page's files, read from `lib/web/assets/` next to this module (also inside a binary
 * built with `deno compile --include lib/web/assets`), and the headers they are served with.
 *
 * @module
 */

/** One file of the page. */
interface Asset {
  readonly file: string;
  readonly contentType: string;
}

const HTML = "text/html; charset=utf-8";
const JS = "text/javascript; charset=utf-8";

/** URL path to file. */
const ASSETS: ReadonlyMap<string, Asset> = new Map([
  ["/", { file: "index.html", contentType: HTML }],
  ["/index.html", { file: "index.html", contentType: HTML }],
  ["/style.css", { file: "style.css", contentType: "text/css; charset=utf-8" }],
  ["/app.js", { file: "app.js", contentType: JS }],
  ["/view.js", { file: "view.js", contentType: JS }],
  ["/favicon.svg", { file: "favicon.svg", contentType: "image/svg+xml" }],
]);

/**
 * The Content-Security-Policy of every response: only this origin's own files, no inline
 * script or style, no plugins, no framing, no form posts; WebSockets to this origin only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Headers for every response.
 *
 * @param contentType The body's type.
 * @returns Fresh headers.
 */
export function responseHeaders(contentType: string): Headers {
  return new Headers({
    "content-type": contentType,
    "cache-control": "no-store",
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
  });
}

const cache = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * Reads the file served at `path`, once per process.
 *
 * @param path The URL path.
 * @returns The body and its type, or `undefined` when nothing is served there.
 * @throws {Deno.errors.NotFound} When the file is missing from the build.
 */
export async function readAsset(
  path: string,
): Promise<{ body: Uint8Array<ArrayBuffer>; contentType: string } | undefined> {
  const asset = ASSETS.get(path);
  if (asset === undefined) return undefined;
  let body = cache.get(asset.file);
  if (body === undefined) {
    body = Deno.readFile(new URL(`./assets/${asset.file}`, import.meta.url));
    cache.set(asset.file, body);
    body.catch(() => cache.delete(asset.file));
  }
  return { body: await body, contentType: asset.contentType };
}
