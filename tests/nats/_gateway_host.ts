/**
 * Test helper: an in-process OUCH host on a venue, as `ouch gateway` makes it: a gateway core
 * following the log, served by an `OuchServer`, and with `web` its page on a `WebServer`
 * over `GatewayPages`.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { MarketData } from "../../lib/exchange/mod.ts";
import {
  CommandPublisher,
  followRecords,
  GatewayCore,
  GatewayPages,
  LogReader,
  type VenueNames,
} from "../../lib/nats/mod.ts";
import { OuchServer } from "../../lib/server/server.ts";
import { WebServer } from "../../lib/web/server.ts";
import { PageClient, type WebSetup } from "../web/_web_harness.ts";

/** A running host; `page()` connects a page's WebSocket (only with `web`). */
export interface GatewayHost {
  readonly core: GatewayCore;
  readonly server: OuchServer;
  /** The page's `http://HOST:PORT` (only with `web`), for a browser. */
  readonly origin: string | undefined;
  page(): Promise<PageClient>;
  stop(): Promise<void>;
}

/**
 * Starts a host.
 *
 * @param nc The connection.
 * @param options Its host id, the venue's names, the accounts, and whether it serves the page.
 * @returns The host, following the log.
 */
export async function startGatewayHost(
  nc: NatsConnection,
  options: {
    host: string;
    names: VenueNames;
    users: ReadonlyMap<string, string>;
    web?: boolean;
  },
): Promise<GatewayHost> {
  const { host, names, users } = options;
  const publisher = new CommandPublisher(nc, { gatewayId: host, names });
  const core = new GatewayCore({ host, users, publisher });
  let web: WebServer | undefined;
  if (options.web === true) {
    const market = new MarketData();
    core.subscribe(market);
    const pages = new GatewayPages({ core, publisher, market, host, users });
    web = new WebServer();
    web.listen({ hostname: "127.0.0.1", port: 0, exchange: pages });
  }
  const reader = await LogReader.open(nc, { names });
  const following = followRecords(reader, [core]);
  const server = OuchServer.start({ exchange: core, host, port: 0 });
  return {
    core,
    server,
    origin: web === undefined ? undefined : `http://${web.address}`,
    page() {
      if (web === undefined) throw new TypeError("This host serves no page");
      const setup = { web, origin: `http://${web.address}` } as WebSetup;
      return PageClient.connect(setup);
    },
    async stop() {
      await web?.shutdown();
      await server.shutdown();
      await core.drain();
      publisher.close();
      await reader.close();
      await following;
    },
  };
}
