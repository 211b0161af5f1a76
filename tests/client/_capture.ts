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

/** A stream that gives `text`, then stays open like a terminal nobody types at. */
export function openInput(text: string): ReadableStream<Uint8Array> {
  let given = false;
  return new ReadableStream<Uint8Array>({
    pull(stream) {
      if (given) return;
      given = true;
      stream.enqueue(new TextEncoder().encode(text));
    },
  });
}

/** Waits until one of `lines` (which grows meanwhile) matches `pattern`. */
export async function waitForLine(
  lines: readonly string[],
  pattern: RegExp,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!lines.some((line) => pattern.test(line))) {
    if (performance.now() > deadline) {
      throw new Error(`No line matched ${pattern}:\n${lines.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
