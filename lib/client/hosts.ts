/**
 * The mirrored OUCH hosts a client may log in to (JNX §3, issue #14): `--host`/`--port`
 * with a list of ports, or `--hosts` with a list of `HOST:PORT`. No I/O.
 *
 * @module
 */

/** One OUCH host. */
export interface HostAddress {
  readonly hostname: string;
  readonly port: number;
}

/** The flags {@linkcode parseHosts} reads, as given on the command line. */
export interface HostFlags {
  /** `--host HOST`: the address of every port in `port`. */
  host?: string | undefined;
  /** `--port P[,P…]`: one or more ports of `host`. */
  port?: string | undefined;
  /** `--hosts HOST:PORT[,HOST:PORT…]`: a list of hosts; not with `host` or `port`. */
  hosts?: string | undefined;
}

/**
 * Reads the list of mirrored hosts from `--host`/`--port` or `--hosts`, in the order
 * given: the client logs in to the first and moves to the next when a link is lost.
 *
 * @param flags The flags as given.
 * @param defaults The host and port when neither is given.
 * @returns At least one host.
 * @throws {RangeError} For a port that is not a whole number from 1 to 65535, an empty
 * entry, an entry of `--hosts` without `:PORT`, a host listed twice, or `--hosts` together
 * with `--host` or `--port`.
 *
 * @example Two ports of one host
 * ```ts
 * import { parseHosts } from "./hosts.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   parseHosts({ port: "15000,15010" }, { hostname: "127.0.0.1", port: 15000 }),
 *   [{ hostname: "127.0.0.1", port: 15000 }, { hostname: "127.0.0.1", port: 15010 }],
 * );
 * ```
 */
export function parseHosts(
  flags: HostFlags,
  defaults: HostAddress,
): HostAddress[] {
  let hosts: HostAddress[];
  if (flags.hosts !== undefined) {
    if (flags.host !== undefined || flags.port !== undefined) {
      throw new RangeError(
        "Cannot use --hosts with --host or --port: give every host as HOST:PORT in --hosts",
      );
    }
    hosts = entries("hosts", flags.hosts).map((entry) => {
      const colon = entry.lastIndexOf(":");
      if (colon <= 0) {
        throw new RangeError(
          `Cannot read --hosts entry "${entry}": it must be HOST:PORT`,
        );
      }
      return {
        hostname: entry.slice(0, colon),
        port: port("hosts", entry.slice(colon + 1)),
      };
    });
  } else {
    const hostname = flags.host ?? defaults.hostname;
    if (hostname === "") {
      throw new RangeError('Cannot use --host "": it must name a host');
    }
    hosts = flags.port === undefined
      ? [{ hostname, port: defaults.port }]
      : entries("port", flags.port).map((text) => ({
        hostname,
        port: port("port", text),
      }));
  }
  const seen = new Set<string>();
  for (const host of hosts) {
    const key = `${host.hostname}:${host.port}`;
    if (seen.has(key)) {
      throw new RangeError(`Cannot list host ${key} twice`);
    }
    seen.add(key);
  }
  return hosts;
}

/**
 * `host:port`.
 *
 * @param host The host.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatHost } from "./hosts.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatHost({ hostname: "127.0.0.1", port: 15010 }), "127.0.0.1:15010");
 * ```
 */
export function formatHost(host: HostAddress): string {
  return `${host.hostname}:${host.port}`;
}

function entries(flag: string, text: string): string[] {
  const parts = text.split(",").map((part) => part.trim());
  if (parts.some((part) => part === "")) {
    throw new RangeError(
      `Cannot read --${flag} "${text}": an entry of the list is empty`,
    );
  }
  return parts;
}

function port(flag: string, text: string): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= 65535)) {
    throw new RangeError(
      flag === "hosts"
        ? `Cannot use --hosts as its ports must be integers from 1 to 65535: current value is "${text}"`
        : `Cannot use --${flag} as an integer from 1 to 65535: current value is "${text}"`,
    );
  }
  return value;
}
