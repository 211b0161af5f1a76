/**
 * Test helper: a loopback TCP proxy in front of a server, standing for one OUCH host of a
 * mirrored pair; it can swallow bytes, cut its links, or close (the host is gone).
 *
 * @module
 */

/** A TCP proxy on 127.0.0.1 port 0 that can swallow either side's bytes and cut links. */
export class Proxy {
  readonly #listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  readonly #links = new Set<Deno.TcpConn[]>();
  readonly #tasks: Promise<void>[] = [];
  readonly #accepting: Promise<void>;
  #closed = false;
  /** While set, bytes from the server are read and dropped. */
  swallow = false;
  /** While set, bytes from the client are read and dropped. */
  swallowInbound = false;
  /**
   * Each link passes this many bytes from the client, then drops the rest: e.g. the Login
   * Request only.
   */
  inboundLimit = Infinity;

  constructor(readonly target: number) {
    this.#accepting = this.#accept();
  }

  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port;
  }

  /** Closes every open link, both sides. */
  cut(): void {
    for (const link of this.#links) for (const conn of link) close(conn);
    this.#links.clear();
  }

  /** Stops listening and cuts every link; a second call only waits. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#listener.close();
    }
    this.cut();
    await this.#accepting;
    await Promise.all(this.#tasks);
  }

  async #accept(): Promise<void> {
    for await (const client of this.#listener) {
      const server = await Deno.connect({
        hostname: "127.0.0.1",
        port: this.target,
      });
      const link = [client, server];
      this.#links.add(link);
      this.#tasks.push(
        this.#pump(client, server, () => this.swallowInbound, link, {
          limit: () => this.inboundLimit,
        }),
        this.#pump(server, client, () => this.swallow, link, {
          limit: () => Infinity,
        }),
      );
    }
  }

  async #pump(
    from: Deno.TcpConn,
    to: Deno.TcpConn,
    drop: () => boolean,
    link: Deno.TcpConn[],
    options: { limit: () => number },
  ): Promise<void> {
    const buffer = new Uint8Array(65536);
    let passed = 0;
    try {
      while (true) {
        const read = await from.read(buffer);
        if (read === null) break;
        if (drop()) continue;
        const count = Math.min(read, Math.max(0, options.limit() - passed));
        passed += count;
        let at = 0;
        while (at < count) at += await to.write(buffer.subarray(at, count));
      }
    } catch {
      // cut
    }
    for (const conn of link) close(conn);
    this.#links.delete(link);
  }
}

function close(conn: Deno.TcpConn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
