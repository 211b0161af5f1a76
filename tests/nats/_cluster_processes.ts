/**
 * Test helpers: `ouch engine` and `ouch gateway` as real processes on a venue, and OUCH
 * clients that log in once a gateway has followed the day's start.
 *
 * @module
 */
import type { OuchServer } from "../../lib/server/server.ts";
import { TestClient } from "../server/_harness.ts";
import { type ServerProcess, spawnServer } from "../server/_process.ts";

/** Where the processes meet: NATS servers, the venue's prefix, accounts and extra flags. */
export interface Venue {
  /** Comma-separated NATS URLs. */
  readonly servers: string;
  readonly prefix: string;
  /** `--user NAME:PASS` flags. */
  readonly accounts: readonly string[];
  readonly replicas: number;
}

function common(venue: Venue): string[] {
  return [
    ...venue.accounts,
    "--nats",
    venue.servers,
    "--prefix",
    venue.prefix,
    "--replicas",
    String(venue.replicas),
  ];
}

/** Starts `ouch engine --id ID` and waits for its first line (it listens on no port). */
export function spawnEngineProcess(
  venue: Venue,
  id: string,
  flags: string[] = [],
): Promise<ServerProcess> {
  return spawnServer([...common(venue), ...flags], {
    command: ["engine", "--id", id],
    ready: new RegExp(`engine ${id}: standing by`),
  });
}

/**
 * Starts `ouch gateway --host-id ID --port 0` with extra `flags` and waits for its listening
 * line; `console` pipes its standard input (for `type`).
 */
export function spawnGatewayProcess(
  venue: Venue,
  id: string,
  flags: string[] = [],
  options: { console?: boolean } = {},
): Promise<ServerProcess> {
  return spawnServer([...common(venue), ...flags], {
    command: ["gateway", "--host-id", id, "--port", "0"],
    ...options,
  });
}

/**
 * Connects to a gateway's port and logs in, again while the answer is "S" (the gateway
 * has not followed the day's start yet), up to 100 times.
 */
export async function connectClient(
  port: number,
  username: string,
  password: string,
): Promise<TestClient> {
  const server = { address: { port } } as unknown as OuchServer;
  for (let i = 0;; i++) {
    const client = await TestClient.connect(server);
    await client.login(username, password);
    if (client.loginResult !== "S" || i === 100) return client;
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Sends a Client Heartbeat on every open client of `clients` (read at each tick, so clients
 * added later count) every 500 ms, so that no session idles out during a long fail-over.
 *
 * @returns A function that stops it.
 */
export function keepClientsAlive(clients: readonly TestClient[]): () => void {
  const timer = setInterval(() => {
    for (const client of clients) {
      if (client.closed) continue;
      client.session.tick(performance.now());
      client.flush().catch(() => {});
    }
  }, 500);
  return () => clearInterval(timer);
}
