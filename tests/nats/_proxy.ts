/**
 * Test helper: a TCP proxy on 127.0.0.1 that can hold every byte in both directions, to stall
 * a client in-process (its publishes stay in flight) without stopping the test's process.
 *
 * @module
 */

/** A running proxy; `close()` ends every connection. */
export interface PausableProxy extends AsyncDisposable {
  /** The port clients connect to. */
  readonly port: number;
  /** Holds traffic from now on (bytes already read wait at the gate). */
  pause(): void;
  /** Lets held and new traffic through. */
  resume(): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

/** Starts a proxy to `127.0.0.1:targetPort`. */
export function startProxy(targetPort: number): PausableProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const pumps: Promise<void>[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const pass = () => gate?.promise;
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        await pass();
        let at = 0;
        while (at < n) at += await to.write(buffer.subarray(at, n));
      }
    } catch {
      // closed
    }
    for (const conn of [from, to]) {
      if (conns.delete(conn)) conn.close();
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({
        hostname: "127.0.0.1",
        port: targetPort,
      }).catch(() => undefined);
      if (server === undefined) {
        client.close();
        continue;
      }
      conns.add(client);
      conns.add(server);
      pumps.push(pump(client, server), pump(server, client));
    }
  })();
  const resume = () => {
    gate?.open();
    gate = undefined;
  };
  const close = async () => {
    resume();
    listener.close();
    await accepting.catch(() => {});
    for (const conn of conns) conn.close();
    conns.clear();
    await Promise.all(pumps);
  };
  return {
    port: (listener.addr as Deno.NetAddr).port,
    pause() {
      if (gate !== undefined) return;
      const { promise, resolve } = Promise.withResolvers<void>();
      gate = { promise, open: resolve };
    },
    resume,
    close,
    [Symbol.asyncDispose]: close,
  };
}
