/**
 * The web listener's limits: header and idle timeouts (slowloris), the caps on connections
 * and on pages' WebSockets; order entry and other pages carry on.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { WebLimit } from "../../lib/web/server.ts";
import { PageClient, startWeb, type WebSetup } from "./_web_harness.ts";

const encoder = new TextEncoder();

async function connect(setup: WebSetup): Promise<Deno.TcpConn> {
  const [hostname, port] = setup.web.address.split(":");
  return await Deno.connect({ hostname: hostname!, port: Number(port) });
}

/** Reads until the peer closes; resolves with what it sent and when it closed. */
async function readToEnd(
  conn: Deno.TcpConn,
): Promise<{ text: string; atMs: number }> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  try {
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
  } catch {
    // reset: closed too
  }
  try {
    conn.close();
  } catch {
    // closed
  }
  return {
    text: new TextDecoder().decode(
      new Uint8Array(chunks.flatMap((c) => [...c])),
    ),
    atMs: performance.now(),
  };
}

async function withLimits(
  limits: NonNullable<Parameters<typeof startWeb>[0]>["listen"],
  run: (setup: WebSetup, limited: WebLimit[]) => Promise<void>,
): Promise<void> {
  const limited: WebLimit[] = [];
  const setup = startWeb({
    listen: { ...limits, limited: (what) => limited.push(what) },
  });
  try {
    await setup.server.exchange.drain();
    await run(setup, limited);
  } finally {
    await setup.close();
  }
}

Deno.test("web listener: a request head dripped byte by byte is closed after the header timeout, on a first request and on a keep-alive's second; a normal GET and a page login meanwhile work", async () => {
  await withLimits(
    { limits: { headerTimeoutMs: 300, idleTimeoutMs: 5000 } },
    async (setup, limited) => {
      const slow = await connect(setup);
      const t0 = performance.now();
      const ending = readToEnd(slow);
      const head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1";
      let dripping = true;
      const drip = (async () => {
        for (const byte of encoder.encode(head)) {
          if (!dripping) break;
          await slow.write(new Uint8Array([byte])).catch(() =>
            dripping = false
          );
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      // Meanwhile the page is served and a WebSocket logs in.
      const page = await fetch(`${setup.origin}/`);
      assert.equal(page.status, 200);
      await page.body?.cancel();
      const client = await PageClient.connect(setup);
      client.send({ type: "login", username: "alice", password: "pw-a" });
      assert.equal((await client.next("login")).ok, true);
      const { text, atMs } = await ending;
      dripping = false;
      await drip;
      assert.equal(text, "", "nothing answered to a head never finished");
      assert.ok(atMs - t0 >= 250, `closed after ${atMs - t0} ms`);
      assert.ok(atMs - t0 < 3000, `closed after ${atMs - t0} ms`);
      await client.close();

      // A keep-alive connection: the first request is answered, the second drips.
      const keep = await connect(setup);
      const all = readToEnd(keep);
      await keep.write(
        encoder.encode(
          "GET /app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET / HT",
        ),
      );
      const second = await all;
      assert.match(second.text, /^HTTP\/1\.1 200 OK/);
      assert.equal(second.text.match(/HTTP\/1\.1/g)?.length, 1);
      assert.deepEqual(limited, ["header timeout", "header timeout"]);
    },
  );
});

Deno.test("web listener: an idle keep-alive connection is closed after the idle timeout", async () => {
  await withLimits(
    { limits: { headerTimeoutMs: 5000, idleTimeoutMs: 300 } },
    async (setup, limited) => {
      const conn = await connect(setup);
      const t0 = performance.now();
      const ending = readToEnd(conn);
      await conn.write(
        encoder.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
      );
      const { text, atMs } = await ending;
      assert.match(text, /^HTTP\/1\.1 200 OK/);
      assert.ok(atMs - t0 >= 250 && atMs - t0 < 4000, `${atMs - t0} ms`);
      assert.deepEqual(limited, ["idle timeout"]);
    },
  );
});

Deno.test("web listener: connections over the cap get 503 and are closed; after some close, new ones are served", async () => {
  await withLimits(
    { limits: { maxConnections: 3 } },
    async (setup, limited) => {
      const held = await Promise.all([0, 1, 2].map(() => connect(setup)));
      // The front counts a connection once accepted: wait for the three.
      while (setup.web.connections < 3) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const extra = await connect(setup);
      const refused = await readToEnd(extra);
      assert.equal(
        refused.text,
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 58\r\nconnection: close\r\n\r\nService Unavailable: too many connections to the web page\n",
      );
      assert.deepEqual(limited, ["connections"]);
      for (const conn of held) conn.close();
      while (setup.web.connections > 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const page = await fetch(`${setup.origin}/`);
      assert.equal(page.status, 200);
      await page.body?.cancel();
    },
  );
});

Deno.test("web listener: WebSockets over the cap get 503; a request body too large is refused with 413", async () => {
  await withLimits({ limits: { maxWebSockets: 1 } }, async (setup, limited) => {
    const first = await PageClient.connect(setup);
    const upgrade = await fetch(`${setup.origin}/ws`, {
      headers: {
        origin: setup.origin,
        upgrade: "websocket",
        connection: "Upgrade",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    assert.equal(upgrade.status, 503);
    assert.equal(
      await upgrade.text(),
      "Service Unavailable: too many pages open on this server",
    );
    await first.close();
    const conn = await connect(setup);
    const answer = readToEnd(conn);
    await conn.write(
      encoder.encode(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n",
      ),
    );
    assert.match((await answer).text, /^HTTP\/1\.1 413 Content Too Large\r\n/);
    assert.deepEqual(limited, ["websockets", "body"]);
  });
});
