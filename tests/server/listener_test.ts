import assert from "node:assert/strict";
import {
  decodeServerPacket,
  encodePacket,
} from "../../lib/codec/soupbintcp.ts";
import { spawnServer } from "./_process.ts";

/** Logs in as demo1 on a new connection; the first packet's type, or `null` at a timeout. */
async function login(port: number, timeoutMs: number): Promise<string | null> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await conn.write(encodePacket({
      type: "loginRequest",
      username: "demo1",
      password: "demo",
      requestedSession: "",
      requestedSequenceNumber: 0,
    }));
    const header = new Uint8Array(64);
    const read = await conn.read(header).catch(() => null);
    if (read === null || read < 3) return null;
    const length = (header[0]! << 8) | header[1]!;
    return decodeServerPacket(header[2]!, header.subarray(3, 2 + length)).type;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed by the timer
    }
  }
}

Deno.test({
  name:
    "ouch server survives the descriptor limit: accept errors are reported and new logins work once descriptors are free (issue #11 item 1)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const server = await spawnServer(["--no-journal"], { nofile: 64 });
    const held: Deno.TcpConn[] = [];
    try {
      assert.equal(await login(server.port, 5_000), "loginAccepted");
      // More connections than the server has descriptors: accept() fails with EMFILE.
      for (let i = 0; i < 80; i++) {
        held.push(
          await Deno.connect({ hostname: "127.0.0.1", port: server.port }),
        );
      }
      await server.waitFor(/Cannot accept a connection: .*open files/i);
      for (const conn of held.splice(0)) conn.close();
      // The listener backed off and carries on: a login is answered again.
      let answer: string | null = null;
      for (let tries = 0; tries < 20 && answer === null; tries++) {
        answer = await login(server.port, 2_000);
      }
      assert.equal(answer, "loginAccepted", server.output());
    } finally {
      for (const conn of held) conn.close();
      await server.stop();
    }
  },
});

Deno.test("ouch server at its descriptor limit keeps its web listener: Deno's HTTP accept loop fails, the page is served again and order entry never stops", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-listener-" });
  // A port found free may be taken by another process before the server binds it: then the
  // server says so and exits, and the test starts it again on another port.
  let port = 0;
  let server: Awaited<ReturnType<typeof spawnServer>> | undefined;
  for (let start = 0; server === undefined; start++) {
    const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    port = free.addr.port;
    free.close();
    const started = await spawnServer(["--journal", dir], {
      nofile: 64,
      http: port,
    });
    await started.waitFor(/web page: http:\/\/|Cannot serve the web page/);
    if (
      start < 5 &&
      /Cannot serve the web page on .*Address already in use/.test(
        started.output(),
      )
    ) {
      await started.stop();
      continue;
    }
    server = started;
  }
  const flood: Deno.TcpConn[] = [];
  try {
    // The page is served a moment after the OUCH listening line.
    for (let attempt = 0; flood.length === 0; attempt++) {
      try {
        flood.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      } catch (error) {
        if (attempt === 200) throw new Error(`${error}: ${server.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    for (let i = 0; i < 90; i++) {
      try {
        flood.push(await Deno.connect({ hostname: "127.0.0.1", port }));
      } catch {
        break; // the failed listener is closed: refused until it is served again
      }
    }
    await server.waitFor(
      /web listener failed \(1 so far\): .*Too many open files.*; serving again in \d+ ms/,
    );
    for (const conn of flood.splice(0)) conn.close();
    // Order entry goes on.
    assert.equal(await login(server.port, 5_000), "loginAccepted");
    // The page is served again on the same port.
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        status = response.status;
        await response.body?.cancel();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    assert.equal(status, 200);
  } finally {
    for (const conn of flood) conn.close();
    await server.stop("SIGTERM");
    await Deno.remove(dir, { recursive: true });
  }
});
