/**
 * Test helper: a real `ouch server` process on 127.0.0.1 port 0, without journal, web page
 * or display (see `tests/server/_process.ts`).
 *
 * @module
 */
import { spawnServer } from "../server/_process.ts";

/** A running server process. */
export interface ServerProcess {
  /** The port it listens on. */
  readonly port: number;
  /** The venue's prefix on NATS (gateway + engine only). */
  readonly prefix?: string;
  /** Stops it (SIGTERM) and waits for it to exit. */
  close(): Promise<void>;
}

/**
 * Starts `main.ts server --port 0 --no-journal --no-http --display quiet` plus `flags` and
 * reads the port from its first line.
 *
 * @param flags Extra server flags, e.g. `["--closed"]`.
 * @returns The running server.
 */
export async function startServerProcess(
  flags: readonly string[] = [],
): Promise<ServerProcess> {
  const server = await spawnServer(["--no-journal", ...flags]);
  return {
    port: server.port,
    close: async () => {
      await server.stop();
    },
  };
}

/**
 * Starts gateway + engine on the NATS servers `nats` (a fresh venue prefix each time): an
 * `ouch engine` with `flags`, and an `ouch gateway` with the account flags among them, ready
 * once the gateway has followed the day's start.
 *
 * @param nats The NATS server URLs, comma-separated.
 * @param flags Server flags, e.g. `["--closed"]`.
 * @returns The gateway's port, and a close that stops both.
 */
export async function startVenueProcess(
  nats: string,
  flags: readonly string[] = [],
): Promise<ServerProcess> {
  const prefix = `v${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const venue = ["--nats", nats, "--prefix", prefix];
  const engine = await spawnServer([...flags, ...venue], {
    command: ["engine", "--id", "e1"],
    ready: /engine e1: active/,
  });
  const accounts: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === "--user" || flags[i] === "--users") {
      accounts.push(flags[i]!, flags[i + 1]!);
    }
  }
  let gateway;
  try {
    gateway = await spawnServer([...accounts, ...venue], {
      command: ["gateway", "--host-id", "gw1", "--port", "0"],
    });
    await gateway.waitFor(/gateway gw1: trading day/);
  } catch (error) {
    await gateway?.stop();
    await engine.stop();
    throw error;
  }
  return {
    port: gateway.port,
    prefix,
    close: async () => {
      await gateway.stop();
      await engine.stop();
    },
  };
}
