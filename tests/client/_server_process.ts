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
