/**
 * The market-data side of `ouch server`: its flags, and the ITCH publisher with its
 * transports started on an exchange.
 *
 * @module
 */
import type { LoginThrottle } from "../accounts/login_throttle.ts";
import { SYSTEM_CLOCK } from "../clock/clock.ts";
import { hostPortFlag, integerFlag } from "../cli/flags.ts";
import { UsageError } from "../cli/usage_error.ts";
import { deliver, type Exchange, RecordBatch } from "../exchange/mod.ts";
import { ItchLogFile, ItchPublisher } from "../feeds/itch_publisher.ts";
import { ItchTcpServer } from "../feeds/itch_tcp_server.ts";
import { MoldFeed } from "../feeds/mold_feed.ts";

/** The default ITCH SoupBinTCP port. */
export const DEFAULT_ITCH_PORT = 15001;
/** The default snapshot port. */
export const DEFAULT_SNAPSHOT_PORT = 15002;

/** The flags of `ouch server` for market data, for `parseFlags`. */
export const MARKET_DATA_FLAGS = {
  "itch-port": { type: "string" },
  "snapshot-port": { type: "string" },
  "itch-log": { type: "string" },
  mold: { type: "string" },
  "mold-request-port": { type: "string" },
} as const;

/** The help lines of the market-data flags. */
export const MARKET_DATA_HELP =
  `  --itch-port PORT        ITCH feed over SoupBinTCP (any account's login); 0 or off turns it
                          off (default ${DEFAULT_ITCH_PORT}; with --port 0, a free port)
  --snapshot-port PORT    ITCH snapshot channel: the state so far, G, End of Session; 0 or off
                          turns it off (default ${DEFAULT_SNAPSHOT_PORT}; with --port 0, a free port)
  --mold HOST:PORT        also send the feed as MoldUDP64 datagrams to HOST:PORT (loopback
                          unicast or a multicast group); off by default; a turn's datagrams in
                          one sendmmsg(2) call when FFI is allowed (--allow-ffi, Linux), else
                          node:dgram (the startup line says which)
  --mold-request-port PORT
                          MoldUDP64 re-request server (UDP) with --mold; 0 or off turns it off
                          (default: the --mold port + 1; with --port 0, a free port)
  --itch-log FILE         write the day's ITCH feed to FILE as a SoupBin file (u16 length +
                          message), rewritten from the journal at a restart`;

/** What the market-data flags asked for; a port `null` is off. */
export interface MarketDataConfig {
  itchPort: number | null;
  snapshotPort: number | null;
  itchLog: string | undefined;
  mold: { hostname: string; port: number } | null;
  moldRequestPort: number | null;
}

/**
 * Reads the market-data flags. A port is a number, `0` or `off` turning its listener off (the
 * issue's rule: "0 turns it off"); left out it is its default, or a free port when the OUCH
 * `--port` is 0 (so that servers started on free ports in parallel do not clash on the feed's
 * defaults). In the returned configuration `0` means a free port and `null` off.
 *
 * @param values The parsed flags.
 * @param ouchPort The OUCH `--port`.
 * @returns The configuration.
 * @throws {UsageError} For a bad value.
 *
 * @example Defaults, and `--port 0`
 * ```ts
 * import { parseMarketDataFlags } from "./market_data.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseMarketDataFlags({}, 15000).itchPort, 15001);
 * assert.equal(parseMarketDataFlags({}, 0).snapshotPort, 0);
 * assert.equal(parseMarketDataFlags({ "itch-port": "off" }, 0).itchPort, null);
 * assert.equal(parseMarketDataFlags({ "itch-port": "0" }, 15000).itchPort, null);
 * ```
 */
export function parseMarketDataFlags(
  values: Record<string, unknown>,
  ouchPort: number,
): MarketDataConfig {
  const port = (name: string, fallback: number): number | null => {
    const value = values[name];
    if (value === "off") return null;
    const chosen = integerFlag(name, value, ouchPort === 0 ? 0 : fallback, {
      min: 0,
      max: 65535,
    });
    return value !== undefined && chosen === 0 ? null : chosen;
  };
  let mold: MarketDataConfig["mold"] = null;
  if (values.mold !== undefined) {
    mold = hostPortFlag("mold", String(values.mold), 1);
  } else if (values["mold-request-port"] !== undefined) {
    throw new UsageError("Cannot use --mold-request-port without --mold");
  }
  return {
    itchPort: port("itch-port", DEFAULT_ITCH_PORT),
    snapshotPort: port("snapshot-port", DEFAULT_SNAPSHOT_PORT),
    itchLog: values["itch-log"] === undefined
      ? undefined
      : String(values["itch-log"]),
    mold,
    moldRequestPort: mold === null
      ? null
      : port("mold-request-port", mold.port === 65535 ? 0 : mold.port + 1),
  };
}

/** The market data of a running server. */
export interface MarketDataEdges {
  publisher: ItchPublisher | undefined;
  /** One line per listener, for the console. */
  notices: string[];
  stop(): Promise<void>;
}

/**
 * Makes the ITCH publisher of `--itch-log` (or none).
 *
 * @param config The market-data flags.
 * @returns The publisher, or `undefined` when every transport is off: subscribe it to the exchange as soon as it exists (see
 *   {@linkcode attachPublisher}), so that it sees the day's start.
 */
export function createPublisher(
  config: MarketDataConfig,
): ItchPublisher | undefined {
  if (
    config.itchPort === null && config.snapshotPort === null &&
    config.mold === null && config.itchLog === undefined
  ) {
    return undefined; // every transport off: no feed is made
  }
  return new ItchPublisher(
    config.itchLog === undefined
      ? {}
      : { file: ItchLogFile.open(config.itchLog) },
  );
}

/**
 * Subscribes the publisher to an exchange that has just been made, first feeding it the
 * records a recovery replayed (the core delivers those only to its own subscribers), so the
 * feed is regenerated byte for byte (M11). Call it in the same turn as the exchange's
 * construction or recovery: the core delivers its first batch in a later one.
 *
 * @param publisher The publisher (nothing is done without one).
 * @param exchange The exchange.
 * @param recovered The records it recovered its day from, if any.
 * @returns A function that unsubscribes it.
 */
export function attachPublisher(
  publisher: ItchPublisher | undefined,
  exchange: Exchange,
  recovered?: Iterable<Uint8Array>,
): () => void {
  if (publisher === undefined) return () => {};
  if (recovered !== undefined) {
    // In batches of a few MiB: a journal streamed segment by segment is never held whole.
    const limit = 4 * 1024 * 1024;
    let parts: Uint8Array[] = [];
    let length = 0;
    const flush = () => {
      if (parts.length === 0) return;
      const bytes = new Uint8Array(length);
      let at = 0;
      for (const part of parts) {
        bytes.set(part, at);
        at += part.length;
      }
      parts = [];
      length = 0;
      deliver([publisher], new RecordBatch(bytes));
    };
    for (const record of recovered) {
      // The reader may reuse its buffer: keep a copy.
      parts.push(record.slice());
      length += record.length;
      if (length >= limit) flush();
    }
    flush();
  }
  return exchange.subscribe(publisher);
}

/**
 * Starts the transports of an attached publisher.
 *
 * @param config The market-data flags.
 * @param publisher The publisher, attached to `exchange`.
 * @param exchange The exchange, or a gateway (its accounts log in to the feed).
 * @param host The address to listen on.
 * @param loginThrottle Throttles failed logins (shared with the other listeners).
 * @param moldError Told of each MoldUDP64 datagram the kernel refused (or that waited too
 *   long for it) and so never went out.
 * @returns The running edges, once every listener is bound.
 * @throws {UsageError} When a listener cannot be bound.
 */
export async function startMarketData(
  config: MarketDataConfig,
  publisher: ItchPublisher | undefined,
  exchange: Pick<Exchange, "authenticate">,
  host: string,
  loginThrottle?: LoginThrottle,
  moldError?: (error: Error) => void,
): Promise<MarketDataEdges> {
  if (publisher === undefined) {
    return { publisher, notices: [], stop: () => Promise.resolve() };
  }
  const authenticate = (username: string, password: string, address: string) =>
    loginThrottle === undefined
      ? exchange.authenticate(username, password)
      : loginThrottle.attempt(
        address,
        username,
        SYSTEM_CLOCK.nowMs(),
        () => exchange.authenticate(username, password),
      ) === "ok";
  const servers: ItchTcpServer[] = [];
  const notices: string[] = [];
  const started: { stop(): Promise<void> }[] = [];
  /** Which listener is being started, for the error. */
  let starting = "";
  try {
    if (config.itchPort !== null) {
      starting = `the ITCH feed on ${host}:${config.itchPort} (--itch-port)`;
      const server = ItchTcpServer.start({
        publisher,
        authenticate,
        hostname: host,
        port: config.itchPort,
      });
      servers.push(server);
      notices.push(
        `itch feed listening on ${host}:${server.address.port}: ITCH ${publisher.version} over SoupBinTCP 3.00`,
      );
    }
    if (config.snapshotPort !== null) {
      starting =
        `the snapshot channel on ${host}:${config.snapshotPort} (--snapshot-port)`;
      const server = ItchTcpServer.start({
        publisher,
        authenticate,
        hostname: host,
        port: config.snapshotPort,
        mode: "snapshot",
      });
      servers.push(server);
      notices.push(
        `itch snapshot listening on ${host}:${server.address.port}`,
      );
    }
    if (config.mold !== null) {
      starting = config.moldRequestPort === null
        ? `MoldUDP64 to ${config.mold.hostname}:${config.mold.port} (--mold)`
        : `the MoldUDP64 re-request server on ${host}:${config.moldRequestPort} (--mold-request-port)`;
      const mold = MoldFeed.start({
        publisher,
        destination: config.mold,
        requestHostname: host,
        requestPort: config.moldRequestPort,
        ...(moldError === undefined ? {} : { sender: { onError: moldError } }),
      });
      started.push(mold);
      await mold.ready();
      notices.push(
        `itch moldudp64 to ${config.mold.hostname}:${config.mold.port}${
          mold.requestPort === null
            ? ""
            : `, re-requests on ${host}:${mold.requestPort}`
        } (${mold.transport})`,
      );
    }
  } catch (error) {
    for (const server of servers) server.shutdown();
    for (const other of started) other.stop();
    publisher.close();
    throw new UsageError(
      `Cannot serve market data: ${starting}: ${
        error instanceof Error ? error.message : error
      } (use --itch-port, --snapshot-port, --mold-request-port PORT, or 0 to turn one off)`,
    );
  }
  return {
    publisher,
    notices,
    stop: async () => {
      await Promise.all([
        ...servers.map((server) => server.shutdown()),
        ...started.map((other) => other.stop()),
      ]);
      publisher.close();
    },
  };
}
