/**
 * Test and benchmark harness: real `nats-server` processes with JetStream on loopback.
 *
 * {@linkcode startNats} starts one node, {@linkcode startNatsCluster} a 3-node cluster (distinct
 * client, route and monitor ports, `server_name`s and store directories, full route mesh). Both
 * wait until JetStream answers `$JS.API.INFO` (which, in a cluster, needs an elected meta leader)
 * before they return. Nodes can be killed (`SIGKILL`), paused (`SIGSTOP`), resumed (`SIGCONT`)
 * and restarted on the same ports and store. `close()` kills every process it started by PID and
 * removes the temporary directories, also after a failed test (use `await using` or `try/finally`).
 *
 * Readiness is polled with generous deadlines and no fixed sleeps, so it holds up on a loaded
 * 2-core machine.
 *
 * @module
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";

const NATS_SERVER = "/usr/sbin/nats-server";
/** How long a node or cluster may take to become ready. */
export const READY_TIMEOUT_MS = 90_000;

/** One `nats-server` process. */
export interface NatsNode {
  /** Its `server_name`, e.g. `n1`. */
  readonly name: string;
  /** Client port on 127.0.0.1. */
  readonly port: number;
  /** `nats://127.0.0.1:PORT`. */
  readonly url: string;
  /** HTTP monitoring port. */
  readonly monitorPort: number;
  /** Its JetStream store directory. */
  readonly storeDir: string;
  /** Its log file. */
  readonly logFile: string;
  /** Process id of the running process (changes on restart). */
  readonly pid: number;
  /** Whether the process is running (possibly paused). */
  readonly running: boolean;
  /** Sends `SIGKILL` and waits until the process is gone. */
  kill(): Promise<void>;
  /** Sends `SIGSTOP` and waits until every thread is stopped: the process answers nothing. */
  pause(): Promise<void>;
  /** Sends `SIGCONT` after {@linkcode NatsNode.pause}. */
  resume(): void;
  /** Starts the process again on the same ports and store (after `kill`). */
  restart(): Promise<void>;
}

/** A set of nodes started together; `close()` stops them all. */
export interface NatsCluster extends AsyncDisposable {
  /** The nodes, in start order. */
  readonly nodes: readonly NatsNode[];
  /** Every client URL, as a list for `connect({ servers })`. */
  readonly servers: string[];
  /** Waits until JetStream answers through any running node. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** The node whose `server_name` leads the stream (a single node leads everything). */
  streamLeader(stream: string): Promise<NatsNode>;
  /** The JetStream meta leader. */
  metaLeader(): Promise<NatsNode>;
  /** Kills every process (resuming paused ones first) and removes the directories. */
  close(): Promise<void>;
}

/** Options for {@linkcode startNats} and {@linkcode startNatsCluster}. */
export interface NatsOptions {
  /** Extra lines for every node's configuration file. */
  extraConfig?: string;
}

/** Starts a single JetStream node and waits until JetStream answers. */
export function startNats(options: NatsOptions = {}): Promise<NatsCluster> {
  return startNodes(1, options);
}

/** Starts a 3-node JetStream cluster and waits until it has a meta leader. */
export function startNatsCluster(
  options: NatsOptions = {},
): Promise<NatsCluster> {
  return startNodes(3, options);
}

/** Connects a client to `servers` with settings suited to tests (fast reconnect, no limit). */
export function connectTest(
  servers: string | string[],
  name = "test",
): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    timeout: 20_000,
    noAsyncTraces: true,
  });
}

/** Picks `count` distinct free TCP ports on 127.0.0.1 (held open together, then released). */
export function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const listener of listeners) listener.close();
  return ports;
}

class Node implements NatsNode {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly monitorPort: number;
  readonly storeDir: string;
  readonly logFile: string;
  readonly #configFile: string;
  #child: Deno.ChildProcess | undefined;
  #exited: Promise<unknown> = Promise.resolve();
  #paused = false;

  constructor(
    name: string,
    ports: { client: number; route: number; monitor: number },
    dir: string,
    config: string,
  ) {
    this.name = name;
    this.port = ports.client;
    this.url = `nats://127.0.0.1:${ports.client}`;
    this.monitorPort = ports.monitor;
    this.storeDir = `${dir}/store`;
    this.logFile = `${dir}/nats.log`;
    this.#configFile = `${dir}/nats.conf`;
    Deno.writeTextFileSync(this.#configFile, config);
  }

  get pid(): number {
    if (this.#child === undefined) {
      throw new TypeError(
        `Cannot read pid: node "${this.name}" is not running`,
      );
    }
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  start(): void {
    const child = new Deno.Command(NATS_SERVER, {
      args: ["-c", this.#configFile],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    this.#child = child;
    this.#paused = false;
    this.#exited = child.status.then(() => {
      if (this.#child === child) this.#child = undefined;
    });
  }

  async kill(): Promise<void> {
    const child = this.#child;
    if (child === undefined) return;
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await this.#exited;
    this.#paused = false;
  }

  async pause(): Promise<void> {
    if (this.#child === undefined) return;
    const pid = this.#child.pid;
    Deno.kill(pid, "SIGSTOP");
    this.#paused = true;
    // The signal takes effect asynchronously: wait until /proc shows every thread stopped.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const states = [];
      for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
        const stat = await Deno.readTextFile(
          `/proc/${pid}/task/${task.name}/stat`,
        )
          .catch(() => "");
        states.push(
          stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3),
        );
      }
      if (states.every((state) => state === "T" || state === "t")) return;
      await delay(5);
    }
    throw new Error(`Cannot pause NATS node "${this.name}": it did not stop`);
  }

  resume(): void {
    if (this.#child === undefined || !this.#paused) return;
    Deno.kill(this.#child.pid, "SIGCONT");
    this.#paused = false;
  }

  async restart(): Promise<void> {
    await this.kill();
    this.start();
    await waitListening(this, READY_TIMEOUT_MS);
  }
}

async function startNodes(
  count: number,
  options: NatsOptions,
): Promise<NatsCluster> {
  const root = await Deno.makeTempDir({ prefix: "ouch-nats-" });
  const ports = freePorts(count * 3);
  const layout = Array.from({ length: count }, (_, i) => ({
    client: ports[i * 3]!,
    route: ports[i * 3 + 1]!,
    monitor: ports[i * 3 + 2]!,
  }));
  const nodes: Node[] = [];
  const cluster = new Cluster(root, nodes);
  try {
    for (const [i, p] of layout.entries()) {
      const name = `n${i + 1}`;
      const dir = `${root}/${name}`;
      await Deno.mkdir(dir);
      const routes = layout.map((q) => `"nats-route://127.0.0.1:${q.route}"`)
        .join(", ");
      const clusterBlock = count === 1 ? "" : [
        `cluster {`,
        `  name: "ouch"`,
        `  listen: "127.0.0.1:${p.route}"`,
        `  routes: [${routes}]`,
        `}`,
      ].join("\n");
      const config = [
        `server_name: "${name}"`,
        `listen: "127.0.0.1:${p.client}"`,
        `http: "127.0.0.1:${p.monitor}"`,
        `log_file: "${dir}/nats.log"`,
        `jetstream {`,
        `  store_dir: "${dir}/store"`,
        `  max_memory_store: 256MB`,
        `  max_file_store: 4GB`,
        `}`,
        clusterBlock,
        options.extraConfig ?? "",
      ].join("\n");
      nodes.push(new Node(name, p, dir, config));
    }
    for (const node of nodes) node.start();
    for (const node of nodes) await waitListening(node, READY_TIMEOUT_MS);
    await cluster.waitReady();
    return cluster;
  } catch (error) {
    await cluster.close();
    throw error;
  }
}

class Cluster implements NatsCluster {
  readonly #root: string;
  readonly nodes: Node[];

  constructor(root: string, nodes: Node[]) {
    this.#root = root;
    this.nodes = nodes;
  }

  get servers(): string[] {
    return this.nodes.map((n) => n.url);
  }

  async waitReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const running = this.nodes.filter((n) => n.running);
      for (const node of running) {
        const info = await jsz(node).catch((error) => {
          last = error;
          return undefined;
        });
        const ready = info !== undefined &&
          (this.nodes.length === 1 ||
            (info["meta_cluster"]?.leader ?? "") !== "");
        if (!ready) continue;
        // The API answers through a client connection too.
        const nc = await connectTest(node.url, "harness").catch((error) => {
          last = error;
          return undefined;
        });
        if (nc === undefined) continue;
        try {
          const jsm = await jetstreamManager(nc, { timeout: 5_000 });
          await jsm.getAccountInfo();
          return;
        } catch (error) {
          last = error;
        } finally {
          await nc.close();
        }
      }
      await delay(100);
    }
    throw new Error(`Cannot start NATS: JetStream was not ready in time`, {
      cause: last,
    });
  }

  async streamLeader(stream: string): Promise<NatsNode> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      for (const node of this.nodes.filter((n) => n.running)) {
        const info = await jsz(node, "streams=true").catch(() => undefined);
        const found = info?.["account_details"]?.flatMap((a) =>
          a["stream_detail"]
        )
          .find((s) => s?.name === stream);
        const leader = this.nodes.length === 1
          ? (found === undefined ? undefined : node.name)
          : found?.cluster?.leader;
        const match = this.nodes.find((n) => n.name === leader && n.running);
        if (match !== undefined) return match;
      }
      await delay(100);
    }
    throw new Error(`Cannot find the leader of stream "${stream}"`);
  }

  async metaLeader(): Promise<NatsNode> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      for (const node of this.nodes.filter((n) => n.running)) {
        const info = await jsz(node).catch(() => undefined);
        const leader = this.nodes.length === 1
          ? node.name
          : info?.["meta_cluster"]?.leader;
        const match = this.nodes.find((n) => n.name === leader && n.running);
        if (match !== undefined) return match;
      }
      await delay(100);
    }
    throw new Error("Cannot find the JetStream meta leader");
  }

  async close(): Promise<void> {
    for (const node of this.nodes) node.resume();
    await Promise.all(this.nodes.map((node) => node.kill()));
    await Deno.remove(this.#root, { recursive: true }).catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

interface Jsz {
  "meta_cluster"?: { leader?: string };
  "account_details"?: {
    "stream_detail"?: { name: string; cluster?: { leader?: string } }[];
  }[];
}

async function jsz(node: NatsNode, query = ""): Promise<Jsz> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5_000);
  try {
    const response = await fetch(
      `http://127.0.0.1:${node.monitorPort}/jsz?${query}`,
      { signal: controller.signal },
    );
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Cannot read /jsz: HTTP ${response.status}`);
    }
    return await response.json() as Jsz;
  } finally {
    clearTimeout(timer);
  }
}

async function waitListening(node: NatsNode, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!node.running) {
      const log = await Deno.readTextFile(node.logFile).catch(() => "");
      throw new Error(
        `Cannot start NATS node "${node.name}": it exited\n${log.slice(-2000)}`,
      );
    }
    try {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: node.port,
      });
      conn.close();
      return;
    } catch {
      await delay(50);
    }
  }
  throw new Error(`Cannot start NATS node "${node.name}": no listener in time`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `ok` every 25 ms until it holds.
 *
 * @param what Named in the error.
 * @param ok What to wait for.
 * @throws {Error} After 10 s.
 */
export async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (ok()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
