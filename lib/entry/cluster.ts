/**
 * `ouch engine` and `ouch gateway`: the exchange split over processes on NATS JetStream
 * (`lib/nats`). An engine follows the lease: the one holding it is the {@linkcode ActiveEngine}
 * (commands in, records out), the others stand by and take over when it stops renewing. A
 * gateway is an OUCH host: SoupBinTCP sessions on a {@linkcode GatewayCore}, which sends
 * commands to the engine and builds the account streams from the log.
 *
 * Both take `ouch server`'s account flags (`--user`, `--users`); the engine also takes its
 * day flags (`--protocol`, `--orderbooks`, `--instruments`, `--throttle`, `--closed`,
 * `--halted`, `--no-cancel-on-disconnect`) and snapshot flags (`--snapshot-records`,
 * `--snapshot-seconds`: snapshots go to the venue's object store, and a successor starts from
 * the newest that fits the log). A gateway also takes `--display`, reads operator commands on
 * its console (sent to the engine through the command stream) and can serve the ITCH feed
 * made from the log, and the web page (`--http`: the market and account streams from the
 * log, the page's orders and operator actions sent to the engine, see `GatewayPages`). Each
 * gateway beats every second; the engine ends the sessions of a host with sessions not heard
 * from for 5 s (its pages' too; cancel on disconnect for the accounts left without a session
 * anywhere). A gateway holds its host id while it runs (`GatewayLease`): a second one with a
 * live gateway's id refuses to start, and one that lost its id while stalled exits (code 3).
 *
 * @module
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { UsageError } from "../cli/usage_error.ts";
import { SYSTEM_CLOCK } from "../clock/clock.ts";
import {
  ActiveEngine,
  CommandPublisher,
  encodeGatewayCommand,
  type EngineRecovery,
  ensureVenue,
  FencedError,
  followRecords,
  GATEWAY_CLOCK,
  type GatewayCommand,
  GatewayCore,
  GatewayLease,
  GatewayPages,
  HostIdInUseError,
  Lease,
  LeaseKeeper,
  type LeaseState,
  LogReader,
  SnapshotStore,
  venueNames,
} from "../nats/mod.ts";
import {
  DEFAULT_SNAPSHOT_RECORDS,
  DEFAULT_SNAPSHOT_SECONDS,
} from "../server/snapshot_file.ts";
import { OuchServer } from "../server/server.ts";
import { createPublisher, startMarketData } from "./market_data.ts";
import { runGatewayConsoleCommand } from "./gateway_console.ts";
import { Display } from "../console/display.ts";
import { MarketData } from "../exchange/mod.ts";
import { LoginThrottle } from "../accounts/login_throttle.ts";
import { WebServer } from "../web/server.ts";
import {
  accountConfig,
  lockWarnings,
  matcherRules,
  moldWarnings,
  parseServerArgs,
  readConsole,
  type ServerConfig,
  tradingDate,
  webLimitWarnings,
} from "./server.ts";

/** `ouch engine --help`. */
export const ENGINE_HELP = `Usage: ouch engine --nats URL[,URL...] [flags]

Runs the matching engine on NATS JetStream. Start two or more: the one holding the lease is
active (it applies the gateways' commands and writes the record log), the others stand by and
take over within a few seconds when it stops; a successor fences the log, so nothing the old
one writes afterwards reaches a client.

Flags:
  --nats URL[,URL...]     NATS servers (required)
  --prefix NAME           names of the venue's streams and buckets (default ouch)
  --id NAME               this engine's name in the lease (default engine-PID)
  --replicas N            replicas of the streams it creates (default 1; 3 on an R3 cluster)
  --snapshot-records N    store a snapshot of the engine in the venue's object store every
                          N records (default ${DEFAULT_SNAPSHOT_RECORDS}; 0: never): a successor or a
                          late start replays only the records after the newest one
  --snapshot-seconds S    ... or every S seconds when records came (default ${DEFAULT_SNAPSHOT_SECONDS}; 0: never)
  --user, --users, --protocol, --orderbooks, --instruments, --throttle, --closed, --halted,
  --no-cancel-on-disconnect
                          as for ouch server
  -h, --help              show this help`;

/** `ouch gateway --help`. */
export const GATEWAY_HELP = `Usage: ouch gateway --nats URL[,URL...] [flags]

Runs an OUCH host on NATS JetStream: SoupBinTCP sessions whose messages go to the engine
through the command stream, and whose sequenced messages come from the engine's record log,
the same on every host. An account may be logged in on several hosts at once. Console
commands as for ouch server (type "help"): operator actions go to the engine through the
command stream, like ouch admin's.

Flags:
  --nats URL[,URL...]     NATS servers (required)
  --prefix NAME           names of the venue's streams and buckets (default ouch)
  --host-id NAME          this host's name: one session per account per host (default gw-PID);
                          held while the gateway runs: next to a live gateway with the same
                          id this one refuses to start (exit 2); after kill -9 a restart takes
                          the id once the dead one has not renewed it for 3 s; a gateway
                          that lost its id while stalled sends nothing more and exits (code 3)
  --replicas N            replicas of the streams it creates (default 1; 3 on an R3 cluster)
  --host HOST             address to listen on (default 127.0.0.1)
  --port PORT             SoupBinTCP port; 0 picks a free one and prints it (default 15000)
  --user, --users         as for ouch server
  --login-throttle on|off as for ouch server (default on)
  --display table|debug|quiet
                          the console display of ouch server, from the log (default: none, plain
                          lines)
  --protocol 1.12|1.11    the OUCH version this host serves: the engine's day decides it, and a
                          day of another version stops the gateway (exit 1); default: the day's
  --http HOST:PORT        serve the web page here (off unless given; 0 as the port picks a free
                          one): the market and the account's messages from the log, its orders
                          and operator actions sent to the engine; a page is a session of its
                          account (its end cancels nothing)
  --no-http               do not serve the web page (the default)
  --itch-port PORT        serve the ITCH feed over SoupBinTCP (off unless given): made from the
                          record log, the same messages at the same numbers on every gateway
  --snapshot-port PORT    serve the ITCH snapshot channel (off unless given)
  --mold HOST:PORT, --mold-request-port PORT, --itch-log FILE
                          MoldUDP64 and the ITCH log file, as for ouch server (off unless given)
  -h, --help              show this help`;

/** The market-data flags a gateway takes: each transport is off unless given. */
const GATEWAY_MARKET_DATA = [
  "--itch-port",
  "--snapshot-port",
  "--mold",
  "--mold-request-port",
  "--itch-log",
];

/** How often a gateway renews its host id. */
const HOST_RENEW_MS = 1_000;
/**
 * How long a gateway must see a host id's holder not renewing before it takes the id: under
 * the engine's host timeout (5 s), so a restart after kill -9 ends its predecessor's sessions
 * no later than the engine would.
 */
const HOST_TTL_MS = 3_000;

/** Failed starts in a row after which an engine gives the lease up and exits. */
const MAX_FAILED_STARTS = 3;

/** Flags of ouch server that are a gateway's, not the engine's. */
const ENGINE_REFUSES = [
  "--host",
  "--port",
  "--login-throttle",
  "--display",
  "--http",
  "--no-http",
  ...GATEWAY_MARKET_DATA,
];

/** Flags of ouch server that make no sense here. */
const SERVER_ONLY = [
  "--journal",
  "--no-journal",
  "--fresh",
  "--fsync",
  "--trade-log",
];

interface ClusterArgs {
  servers: string[];
  prefix: string;
  id: string | undefined;
  replicas: number;
  config: ServerConfig;
}

async function parseClusterArgs(
  command: string,
  args: string[],
  own: readonly string[],
  serverFlags: readonly string[] | undefined,
): Promise<ClusterArgs | "help"> {
  const rest: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [name, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (own.includes(name)) {
      const value = inline ?? args[++i];
      if (value === undefined || value === "") {
        throw new UsageError(`Cannot use ${name}: it needs a value`);
      }
      values.set(name, value);
    } else if (SERVER_ONLY.includes(name)) {
      throw new UsageError(`Cannot use ${name} with ouch ${command}`);
    } else if (
      serverFlags !== undefined && name.startsWith("--") &&
      !serverFlags.includes(name)
    ) {
      throw new UsageError(`Cannot use ${name} with ouch ${command}`);
    } else {
      rest.push(arg);
    }
  }
  // The web page is off unless --http is given: gateways on one machine must not clash.
  const http = rest.some((arg) =>
    arg === "--http" || arg.startsWith("--http=") || arg === "--no-http"
  );
  const config = await parseServerArgs([
    ...rest,
    "--no-journal",
    ...(http ? [] : ["--no-http"]),
  ]);
  if (config === "help") return "help";
  const nats = values.get("--nats");
  if (nats === undefined) {
    throw new UsageError(`Cannot start ouch ${command} without --nats URL`);
  }
  const servers = nats.split(",").map((url) => url.trim());
  if (servers.some((url) => url === "")) {
    throw new UsageError(`Cannot use --nats "${nats}": it has an empty item`);
  }
  const replicas = Number(values.get("--replicas") ?? "1");
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new UsageError(
      `Cannot use --replicas "${values.get("--replicas")}": it must be 1 to 5`,
    );
  }
  return {
    servers,
    prefix: values.get("--prefix") ?? "ouch",
    id: values.get("--id") ?? values.get("--host-id"),
    replicas,
    config,
  };
}

function connectNats(servers: string[], name: string): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    timeout: 20_000,
  });
}

function say(line: string): void {
  // deno-lint-ignore no-console
  console.log(line);
}

/**
 * Listens for SIGINT and SIGTERM: `stopped` resolves on the first; `dispose` stops listening
 * (for a start that fails before it waits for a signal).
 */
function stopSignal(): { stopped: Promise<void>; dispose(): void } {
  const { promise, resolve } = Promise.withResolvers<void>();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  const dispose = () => {
    for (const signal of signals) Deno.removeSignalListener(signal, stop);
  };
  const stop = () => {
    dispose();
    resolve();
  };
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  return { stopped: promise, dispose };
}

/**
 * One line on how an engine rebuilt the day.
 *
 * @param recovery The engine's figures.
 * @returns The line, such as "recovered from the snapshot at record 1000 (log sequence 40,
 *   epoch 2), read 200 and replayed 200 of 1200 records in 0.1 s".
 *
 * @example A full replay after a damaged snapshot
 * ```ts
 * import { describeRecovery } from "./cluster.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   describeRecovery({ records: 12, read: 12, replayed: 12, refused: ["the snapshot at log sequence 9 (epoch 1): bad"], ms: 50 }),
 *   "recovered by a full replay, read 12 and replayed 12 of 12 records in 0.1 s; passed over the snapshot at log sequence 9 (epoch 1): bad",
 * );
 * ```
 */
export function describeRecovery(recovery: EngineRecovery): string {
  const { snapshot, replayed, read, records, refused, ms } = recovery;
  const from = snapshot === undefined
    ? "a full replay"
    : `the snapshot at record ${snapshot.position} (log sequence ${snapshot.seq}, epoch ${snapshot.epoch})`;
  return `recovered ${
    snapshot === undefined ? "by" : "from"
  } ${from}, read ${read} and replayed ${replayed} of ${records} records in ${
    (ms / 1000).toFixed(1)
  } s${refused.map((why) => `; passed over ${why}`).join("")}`;
}

/**
 * Runs `ouch engine`.
 *
 * @param args The arguments after `engine`.
 * @returns The exit code once stopped (SIGINT, SIGTERM).
 * @throws {UsageError} For a bad command line.
 */
export async function runEngine(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    say(ENGINE_HELP);
    return 0;
  }
  const clientSide = args.find((arg) =>
    ENGINE_REFUSES.includes(
      arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg,
    )
  );
  if (clientSide !== undefined) {
    throw new UsageError(
      `Cannot use ${clientSide} with ouch engine: it serves no clients (give it to ouch gateway)`,
    );
  }
  const parsed = await parseClusterArgs(
    "engine",
    args,
    ["--nats", "--prefix", "--id", "--replicas"],
    undefined,
  );
  if (parsed === "help") return 0;
  const { config } = parsed;
  const id = parsed.id ?? `engine-${Deno.pid}`;
  const names = venueNames(parsed.prefix);
  const nc = await connectNats(parsed.servers, id);
  await ensureVenue(nc, { names, replicas: parsed.replicas });
  const lease = await Lease.open(nc, {
    holder: id,
    names,
    replicas: parsed.replicas,
  });
  const snapshots = await SnapshotStore.open(nc, {
    names,
    replicas: parsed.replicas,
  });
  let active: ActiveEngine | undefined;
  let work: Promise<void> = Promise.resolve();
  // An active engine that finds another engine holding the lease, or its writes fenced,
  // was stalled or cut off (a zombie): it exits, and a supervisor may start it afresh.
  const zombie = Promise.withResolvers<string>();
  /** Whether this engine lost the lease while active, and has not held it since. */
  let deposed = false;
  // Holding the lease without being active would stop the venue: a failed start is tried
  // again, then the lease is given up for a standby.
  let failedStarts = 0;
  const gaveUp = Promise.withResolvers<string>();
  const become = (state: LeaseState) => {
    work = work.then(async () => {
      if (state.role === "standby") {
        if (active !== undefined) {
          say(`engine ${id}: standing by (lease held by "${state.holder}")`);
          await active.stop();
          active = undefined;
          deposed = true;
        }
        if (deposed && state.holder !== "" && state.holder !== id) {
          zombie.resolve(
            `the lease moved to "${state.holder}" (epoch ${state.epoch}) while this engine was active`,
          );
        }
        return;
      }
      deposed = false;
      if (active !== undefined) await active.stop();
      const now = Date.now();
      active = await ActiveEngine.start(nc, {
        epoch: state.epoch,
        users: config.users,
        accountConfig: accountConfig(config),
        cancelOnDisconnect: config.cancelOnDisconnect,
        clock: SYSTEM_CLOCK,
        names,
        day: {
          created: Math.floor(now / 1000),
          matcher: matcherRules(config),
          tradingDate: tradingDate(now),
          version: config.version,
          orderbooks: config.orderbooks,
          open: !config.closed,
          halted: config.halted,
        },
        refused: (why) => say(`engine ${id}: refused: ${why}`),
        hostDown: (host, silentMs) =>
          say(
            `engine ${id}: host "${host}" down: not heard from for ${silentMs} ms, its sessions ended`,
          ),
        // The gateways keep the account streams and the market model: the engine
        // needs neither, and then reads only the log after its newest snapshot.
        followers: false,
        snapshots: {
          store: snapshots,
          cadence: config.snapshots,
          report: (event) =>
            say(
              "error" in event
                ? `engine ${id}: snapshot: ${event.error}`
                : `engine ${id}: snapshot at record ${event.position} stored (${event.written}, ${event.bytes} bytes, engine paused ${
                  event.ms.toFixed(1)
                } ms)`,
            ),
        },
      });
      say(
        `engine ${id}: active, epoch ${state.epoch}, fence at log sequence ${active.fenceSeq}, session ${active.exchange.session}`,
      );
      say(`engine ${id}: ${describeRecovery(active.recovery)}`);
      const mine = active;
      void mine.stopped.then((error) => {
        if (error === undefined) return;
        say(`engine ${id}: stopped writing: ${error.message}`);
        if (active === mine) active = undefined;
        if (error instanceof FencedError) {
          zombie.resolve(
            `its writes were fenced by a newer engine (this one had epoch ${error.epoch})`,
          );
        }
      });
      failedStarts = 0;
    }).catch((error) => {
      const why = error instanceof Error ? error.message : String(error);
      failedStarts++;
      say(
        `engine ${id}: cannot become active: ${why}${
          failedStarts < MAX_FAILED_STARTS ? "; trying again in 1 s" : ""
        }`,
      );
      if (failedStarts >= MAX_FAILED_STARTS) {
        gaveUp.resolve(
          `it could not become active ${failedStarts} times (${why}); the lease is given up for a standby`,
        );
        return;
      }
      setTimeout(() => {
        const now = lease.state;
        if (now.role === "active" && active === undefined) become(now);
      }, 1000);
    });
  };
  say(`engine ${id}: standing by on ${parsed.servers.join(",")}`);
  const keeper = new LeaseKeeper(lease, { onChange: become });
  keeper.start();
  const why = await Promise.race([
    stopSignal().stopped.then(() => undefined),
    zombie.promise,
    gaveUp.promise.then((reason) => ({ reason })),
  ]);
  await keeper.stop();
  await work;
  await active?.stop();
  if (why === undefined || typeof why === "object") {
    await lease.release().catch(() => {});
  }
  await nc.close();
  if (why === undefined) return 0;
  if (typeof why === "object") {
    say(`engine ${id}: exiting: ${why.reason}`);
    return 1;
  }
  say(
    `engine ${id}: exiting: ${why}; the log is fenced against it, so nothing it writes from now on reaches a client`,
  );
  return 3;
}

/**
 * Runs `ouch gateway`.
 *
 * @param args The arguments after `gateway`.
 * @returns The exit code once stopped (SIGINT, SIGTERM).
 * @throws {UsageError} For a bad command line.
 */
export async function runGateway(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    say(GATEWAY_HELP);
    return 0;
  }
  const parsed = await parseClusterArgs(
    "gateway",
    args,
    ["--nats", "--prefix", "--host-id", "--replicas"],
    [
      "--host",
      "--port",
      "--user",
      "--users",
      "--login-throttle",
      "--display",
      "--protocol",
      "--http",
      "--no-http",
      ...GATEWAY_MARKET_DATA,
    ],
  );
  if (parsed === "help") return 0;
  const { config } = parsed;
  const given = (flag: string) =>
    args.some((arg) => arg === flag || arg.startsWith(`${flag}=`));
  // On a gateway a transport is on only when asked for: two gateways on one machine must not
  // both take the feed's default ports.
  const marketData = {
    ...config.marketData,
    itchPort: given("--itch-port") ? config.marketData.itchPort : null,
    snapshotPort: given("--snapshot-port")
      ? config.marketData.snapshotPort
      : null,
  };
  const host = parsed.id ?? `gw-${Deno.pid}`;
  if (host.includes("/")) {
    throw new UsageError(
      `Cannot use --host-id "${host}": it may not contain "/" (the gateway's web pages are ${host}/web#N)`,
    );
  }
  if (!/^[A-Za-z0-9_-]+$/.test(host)) {
    throw new UsageError(
      `Cannot use --host-id "${host}": it must be letters, digits, "-" or "_" (it names the gateway's command subject)`,
    );
  }
  const names = venueNames(parsed.prefix);
  const nc = await connectNats(parsed.servers, host);
  await ensureVenue(nc, { names, replicas: parsed.replicas });
  // The host id is this process's while it runs: a live gateway with the same id makes this
  // one refuse before it sends anything; a dead one's id is taken once it stops renewing.
  let hostLease: GatewayLease;
  try {
    hostLease = await GatewayLease.acquire(nc, {
      host,
      holder: `pid ${Deno.pid} on ${machineName()}`,
      names,
      replicas: parsed.replicas,
      renewMs: HOST_RENEW_MS,
      ttlMs: HOST_TTL_MS,
      waiting: (holder, ago) =>
        say(
          `gateway ${host}: the host id is held by ${holder} (renewed ${
            (Math.max(0, ago) / 1000).toFixed(1)
          } s ago); taking it if it is not renewed within ${
            HOST_TTL_MS / 1000
          } s`,
        ),
    });
  } catch (error) {
    await nc.close();
    if (error instanceof HostIdInUseError) throw new UsageError(error.message);
    throw error;
  }
  const publisher = new CommandPublisher(nc, {
    gatewayId: host,
    names,
    gate: hostLease.gate,
  });
  const core = new GatewayCore({ host, users: config.users, publisher });
  // The ITCH feed, made from the log's records as ouch server makes it from its own.
  const itch = createPublisher(marketData);
  if (itch !== undefined) core.subscribe(itch);
  // The market as the log tells it, for the console and the display.
  const market = new MarketData();
  const unsubscribeMarket = core.subscribe(market);
  // The web page: reads from the log, actions to the engine on the gateway's publisher.
  const pages = config.http === null ? undefined : new GatewayPages({
    core,
    publisher,
    market,
    host,
    users: config.users,
  });
  const display = config.display === undefined ? undefined : gatewayDisplay(
    config.display,
    market,
    (id) => core.accountName(id) ?? String(id),
  );
  if (display !== undefined) core.subscribe(display);
  const notice = (line: string) =>
    display === undefined ? say(line) : display.notice(line);
  const warn = (line: string) =>
    display === undefined ? say(line) : display.warn(line);
  const reader = await LogReader.open(nc, { names });
  let marketRead = true;
  const following = followRecords(reader, [core], undefined, () => marketRead);
  // --protocol: the OUCH version this host is meant to serve; the engine's day decides it,
  // so a day of another version stops the gateway rather than serving what was not asked.
  const expected = given("--protocol") ? config.version : undefined;
  const mismatch = Promise.withResolvers<Error>();
  core.subscribe({
    dayStarted: (day) => {
      if (expected !== undefined && day.version !== expected) {
        mismatch.resolve(
          new Error(
            `the engine's trading day ${day.session} is OUCH ${day.version}, and this gateway was started with --protocol ${expected}`,
          ),
        );
        return;
      }
      notice(`gateway ${host}: trading day ${day.session}`);
    },
    dayEnded: () => notice(`gateway ${host}: the trading day ended`),
  });
  const throttle = config.loginThrottle
    ? new LoginThrottle({}, lockWarnings(warn))
    : undefined;
  const server = OuchServer.start({
    exchange: core,
    clock: GATEWAY_CLOCK,
    host,
    hostname: config.host,
    port: config.port,
    ...(throttle === undefined ? {} : { loginThrottle: throttle }),
  });
  // Listened for before the line that says the gateway is up: a SIGTERM sent on seeing it
  // stops the gateway cleanly rather than killing it.
  const signal = stopSignal();
  notice(
    `gateway ${host}: listening on ${config.host}:${server.address.port}, NATS ${
      parsed.servers.join(",")
    }`,
  );
  let feeds;
  try {
    feeds = await startMarketData(
      marketData,
      itch,
      core,
      config.host,
      throttle,
      moldWarnings(warn),
    );
  } catch (error) {
    signal.dispose();
    await server.shutdown();
    publisher.close();
    await hostLease.close();
    await reader.close();
    await following.catch(() => {});
    await nc.close();
    throw error;
  }
  for (const line of feeds.notices) notice(`gateway ${host}: ${line}`);
  const web = pages === undefined ? undefined : new WebServer();
  if (web !== undefined && pages !== undefined && config.http !== null) {
    try {
      web.listen({
        ...config.http,
        exchange: pages,
        operators: config.operators,
        ...(throttle === undefined ? {} : { loginThrottle: throttle }),
        listenerFailed: (error, count, retryInMs) =>
          warn(
            `gateway ${host}: web listener failed (${count} so far): ${error}; serving again in ${retryInMs} ms`,
          ),
        limited: webLimitWarnings(warn),
      });
    } catch (error) {
      signal.dispose();
      await feeds.stop();
      itch?.close();
      await server.shutdown();
      publisher.close();
      await hostLease.close();
      await reader.close();
      await following.catch(() => {});
      await nc.close();
      throw new UsageError(
        `Cannot serve the web page on ${config.http.hostname}:${config.http.port}: ${
          error instanceof Error ? error.message : error
        } (use another --http HOST:PORT)`,
      );
    }
    notice(`gateway ${host}: web page: http://${web.address}/`);
  }
  const beating = setInterval(() => core.beat(), 1000);
  const refresh = display === undefined ? undefined : setInterval(() => {
    display.refresh({
      session: core.day?.session ?? "-",
      messagesIn: core.messagesIn,
      messagesOut: core.messagesOut,
      sessions: core.sessions,
      connections: server.connections().length,
    }, Date.now());
  }, 1000);
  const failed = following.then(
    () => undefined,
    (error: unknown) => error,
  );
  // The operator console: actions go to the engine on a publisher of their own.
  const quit = Promise.withResolvers<void>();
  const operator = new CommandPublisher(nc, {
    gatewayId: `${host}-console`,
    names,
    gate: hostLease.gate,
  });
  const input = readConsole(async (line) => {
    display?.commandTyped();
    await runGatewayConsoleCommand(line, {
      core,
      server,
      market,
      send: async (command) => {
        operator.send(encodeGatewayCommand(command));
        await operator.flushed();
        return operator.lastSeq;
      },
      display: {
        info: (text) => display === undefined ? say(text) : display.info(text),
        warn,
      },
      stop: () => quit.resolve(),
    });
    display?.prompt();
  }, () => {
    // No console command can come any more: with no display, page or ITCH feed either,
    // nothing reads the market, and the log's market events need not be decoded at all.
    if (display === undefined && pages === undefined && itch === undefined) {
      unsubscribeMarket();
      marketRead = false;
    }
  });
  display?.info(`type "help" for console commands`);
  display?.prompt();
  const why = await Promise.race([
    signal.stopped.then(() => undefined),
    quit.promise,
    failed,
    mismatch.promise,
    hostLease.lost.then((reason) => ({ lost: reason })),
  ]);
  signal.dispose();
  if (typeof why === "object" && why !== null && "lost" in why) {
    // Stalled past the lease's ttl while another process took the id: that process ended
    // this one's sessions at the engine, and this one sends nothing more (its publishers are
    // revoked), so its clients are only disconnected.
    warn(
      `gateway ${host}: exiting: ${why.lost}; it ended this gateway's sessions, and nothing this one received since was sent`,
    );
  } else if (why !== undefined) {
    warn(
      `gateway ${host}: cannot ${
        why instanceof Error &&
          why.message.startsWith("the engine's trading day")
          ? "serve"
          : "follow the log"
      }: ${why instanceof Error ? why.message : String(why)}`,
    );
  }
  input.cancel();
  clearInterval(beating);
  if (refresh !== undefined) clearInterval(refresh);
  operator.close();
  await web?.shutdown();
  await feeds.stop();
  itch?.close();
  await server.shutdown();
  await core.drain();
  publisher.close();
  await hostLease.close();
  await reader.close();
  await following.catch(() => {});
  await nc.close();
  display?.close();
  if (why === undefined) return 0;
  return typeof why === "object" && why !== null && "lost" in why ? 3 : 1;
}

/** This machine's name for a host id's holder, or `?` without the permission to read it. */
function machineName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "?";
  }
}

/** The console display of a gateway (`--display`), as `ouch server` makes its own. */
function gatewayDisplay(
  mode: "table" | "debug" | "quiet",
  market: MarketData,
  accountName: (id: number) => string,
): Display {
  const isTerminal = Deno.stdout.isTerminal();
  const encoder = new TextEncoder();
  return new Display(mode, {
    write: (text) => {
      const bytes = encoder.encode(text);
      let at = 0;
      while (at < bytes.length) at += Deno.stdout.writeSync(bytes.subarray(at));
    },
    isTerminal,
    color: isTerminal && !Deno.noColor,
    size: () => {
      try {
        return Deno.consoleSize();
      } catch {
        return { columns: 80, rows: 24 };
      }
    },
    now: SYSTEM_CLOCK.nowNs,
    market,
    accountName,
  });
}

/** `ouch admin --help`. */
export const ADMIN_HELP =
  `Usage: ouch admin --nats URL[,URL...] [--prefix NAME] ACTION

Sends one operator action to the matching engine through the command stream, like an order:
it is applied in turn with every gateway's commands and recorded in the log.

Actions:
  open | close            open or close the market (System Event S or E to every account)
  halt ID | resume ID     halt or resume trading in an orderbook
  ssr ID on|off           turn the short-sell price restriction of an orderbook on or off
  cancel NAME             cancel every resting order of an account (reason S)
  endday                  end the trading day: End of Session on every host`;

/**
 * Turns `ouch admin`'s action words into a command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseAdminAction } from "./cluster.ts";
 *
 * assert.deepEqual(parseAdminAction(["ssr", "1", "on"]), { type: "ssr", orderbookId: "1", on: true });
 * assert.throws(() => parseAdminAction(["halt"]), /halt needs an orderbook ID/);
 * ```
 *
 * @param words The words after the flags.
 * @returns The command.
 * @throws {UsageError} For an unknown action or missing or extra words.
 */
export function parseAdminAction(words: string[]): GatewayCommand {
  const [action, ...rest] = words;
  const arity = (count: number, what: string) => {
    if (rest.length !== count) {
      throw new UsageError(
        `Cannot run "${words.join(" ")}": ${action} ${
          count === 0 ? "takes no argument" : `needs ${what}`
        }`,
      );
    }
  };
  switch (action) {
    case "open":
    case "close":
      arity(0, "");
      return { type: action };
    case "endday":
      arity(0, "");
      return { type: "endDay" };
    case "halt":
    case "resume":
      arity(1, "an orderbook ID");
      return { type: action, orderbookId: rest[0]! };
    case "ssr":
      arity(2, "an orderbook ID and on or off");
      if (rest[1] !== "on" && rest[1] !== "off") {
        throw new UsageError(
          `Cannot run "${words.join(" ")}": ssr takes on or off, not "${
            rest[1]
          }"`,
        );
      }
      return { type: "ssr", orderbookId: rest[0]!, on: rest[1] === "on" };
    case "cancel":
      arity(1, "an account name");
      return { type: "cancel", account: rest[0]! };
    case undefined:
      throw new UsageError(
        "Cannot run ouch admin without an action: open, close, halt ID, resume ID, ssr ID on|off, cancel NAME or endday",
      );
    default:
      throw new UsageError(
        `Cannot run unknown action "${action}": open, close, halt ID, resume ID, ssr ID on|off, cancel NAME or endday`,
      );
  }
}

/**
 * Runs `ouch admin`: sends the action and waits until JetStream has it.
 *
 * @param args The arguments after `admin`.
 * @returns 0 once the action is in the command stream.
 * @throws {UsageError} For a bad command line.
 */
export async function runAdmin(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    say(ADMIN_HELP);
    return 0;
  }
  const words: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--nats" || arg === "--prefix") {
      const value = args[++i];
      if (value === undefined || value === "") {
        throw new UsageError(`Cannot use ${arg}: it needs a value`);
      }
      values.set(arg, value);
    } else if (arg.startsWith("--")) {
      throw new UsageError(`Cannot use ${arg} with ouch admin`);
    } else {
      words.push(arg);
    }
  }
  const command = parseAdminAction(words);
  const nats = values.get("--nats");
  if (nats === undefined) {
    throw new UsageError("Cannot start ouch admin without --nats URL");
  }
  const names = venueNames(values.get("--prefix") ?? "ouch");
  const nc = await connectNats(nats.split(","), `admin-${Deno.pid}`);
  try {
    const publisher = new CommandPublisher(nc, {
      gatewayId: `admin-${Deno.pid}`,
      names,
    });
    publisher.send(encodeGatewayCommand(command));
    await publisher.flushed();
    publisher.close();
    say(
      `admin: ${
        words.join(" ")
      } sent (command stream sequence ${publisher.lastSeq})`,
    );
  } finally {
    await nc.close();
  }
  return 0;
}
