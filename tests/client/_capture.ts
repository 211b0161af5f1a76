/**
 * Test helper: a `ClientOutput` that keeps the lines, and a port nothing listens on.
 *
 * @module
 */
import type { ClientOutput } from "../../lib/client/cli.ts";

/** The lines written to standard output and standard error. */
export interface Captured {
  readonly out: string[];
  readonly err: string[];
  readonly output: ClientOutput;
}

/** Makes an output that records its lines. */
export function capture(): Captured {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    output: { out: (line) => out.push(line), err: (line) => err.push(line) },
  };
}

/** A loopback port that was free a moment ago and has no listener. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A stream of the given text, as standard input. */
export function textInput(text: string): ReadableStream<Uint8Array> {
  return ReadableStream.from([new TextEncoder().encode(text)]);
}
