/**
 * Test helper: runs `tests/nats/_engine_process.ts` as a child process and collects its JSON
 * event lines; plus a paced in-process gateway that publishes numbered commands.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { CommandPublisher, type VenueNames } from "../../lib/nats/mod.ts";

const SCRIPT = new URL("./_engine_process.ts", import.meta.url).pathname;

/** One line the engine printed. */
export interface EngineEvent {
  ev:
    | "started"
    | "active"
    | "ack"
    | "fenced"
    | "lost"
    | "exit"
    | "error"
    | "retry"
    | "status"
    | "flood";
  id: string;
  t: number;
  epoch?: number;
  seq?: number;
  fence?: number;
  first?: string;
  message?: string;
  pending?: number;
  refused?: number;
  lateAccepted?: number;
  lateMaxSeq?: number;
}

/** A running engine process. */
export interface EngineProcess {
  readonly id: string;
  readonly pid: number;
  readonly events: EngineEvent[];
  /** Standard error so far. */
  stderr(): string;
  /** Waits until an event matches (throws after `timeoutMs` or when the process exits). */
  waitFor(
    match: (event: EngineEvent) => boolean,
    timeoutMs?: number,
  ): Promise<EngineEvent>;
  /** Sends a signal. */
  signal(signal: Deno.Signal): void;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
  /** Kills it (SIGCONT first, then SIGKILL) and waits. */
  kill(): Promise<void>;
}

/** Starts an engine process. */
export function spawnEngine(
  id: string,
  options: {
    servers: string[];
    names: VenueNames;
    prefix: string;
    replicas: number;
  },
): EngineProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      SCRIPT,
      "--servers",
      options.servers.join(","),
      "--prefix",
      options.prefix,
      "--id",
      id,
      "--replicas",
      String(options.replicas),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: {
      NO_COLOR: "1",
      OUCH_ENGINE_TRACE: Deno.env.get("OUCH_ENGINE_TRACE") ?? "",
    },
  }).spawn();
  const events: EngineEvent[] = [];
  let errText = "";
  let done = false;
  const pumpOut = (async () => {
    let rest = "";
    for await (
      const chunk of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      rest += chunk;
      const lines = rest.split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        if (line.trim() !== "") events.push(JSON.parse(line));
      }
    }
  })();
  const pumpErr = (async () => {
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      errText += chunk;
    }
  })();
  const exited = child.status.then(async (s) => {
    done = true;
    await pumpOut;
    await pumpErr;
    return s.code;
  });
  return {
    id,
    pid: child.pid,
    events,
    stderr: () => errText,
    async waitFor(match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (true) {
        const found = events.find(match);
        if (found !== undefined) return found;
        if (done || Date.now() > deadline) {
          throw new Error(
            `Engine ${id} never printed the awaited event (${
              done ? "exited" : "timed out"
            }); events: ${JSON.stringify(events.slice(-5))}; stderr: ${
              errText.slice(-1500)
            }`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    signal(signal) {
      if (!done) Deno.kill(child.pid, signal);
    },
    exited,
    async kill() {
      if (!done) {
        try {
          Deno.kill(child.pid, "SIGCONT");
          child.kill("SIGKILL");
        } catch {
          // gone already
        }
      }
      await exited;
    },
  };
}

/** A paced gateway publishing `c1`, `c2`, … */
export interface Gateway {
  /** Commands sent so far. */
  readonly sent: number;
  /** Stops sending, waits for the acknowledgements; returns the number sent. */
  stop(): Promise<number>;
}

/** Sends `perTick` commands every `tickMs` through a {@linkcode CommandPublisher}. */
export function startGateway(
  nc: NatsConnection,
  names: VenueNames,
  options: { perTick?: number; tickMs?: number } = {},
): Gateway {
  const publisher = new CommandPublisher(nc, { names, gatewayId: "gw" });
  const encoder = new TextEncoder();
  let sent = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < (options.perTick ?? 10); i++) {
      publisher.send(encoder.encode(`c${++sent}`));
    }
  }, options.tickMs ?? 5);
  return {
    get sent() {
      return sent;
    },
    async stop() {
      clearInterval(timer);
      await publisher.flushed();
      publisher.close();
      return sent;
    },
  };
}
