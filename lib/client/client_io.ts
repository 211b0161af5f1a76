/**
 * Where the client (`deno task client`) reads and writes: its lines, its terminal, and Ctrl-C.
 *
 * @module
 */

/** Where the client writes: standard output and standard error, line by line. */
export interface ClientOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The client's terminal, for tests and embedding; by default the process's own. */
export interface ClientIo {
  /** Commands for the prompt and Enter presses for a replay. @default {Deno.stdin.readable} */
  input?: ReadableStream<Uint8Array>;
  /** Edit lines in raw mode with history (the input must be the terminal). @default {false} */
  terminal?: boolean;
  /** Colour the output. @default {false} */
  color?: boolean;
  /** Writes text as-is (line editing, the progress bar); without it they are left out. */
  write?: (text: string) => void;
  /**
   * The terminal's size, read at every redraw of a live view (`--itch`).
   * @default {() => ({ columns: 80, rows: 24 })}
   */
  size?: () => { columns: number; rows: number };
  /** Stops a replay, the prompt or a load run early, as Ctrl-C does. */
  signal?: AbortSignal;
}

/** The exit code of a run stopped by Ctrl-C, as shells report a SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130;

/** Lines to the process's standard output and standard error. */
export const CONSOLE_OUTPUT: ClientOutput = {
  // deno-lint-ignore no-console
  out: (line) => console.log(line),
  // deno-lint-ignore no-console
  err: (line) => console.error(line),
};

const encoder = new TextEncoder();

/**
 * The process's own terminal: raw-mode line editing when standard input and output are
 * both terminals, colour when standard output is one and `NO_COLOR` is not set, and
 * in-place writes (the prompt, the progress bar) to a terminal standard output.
 *
 * @returns The settings, with `input` and `signal` left to their defaults.
 *
 * @example Under `deno test` the output is a pipe, so nothing is drawn in place
 * ```ts
 * import { consoleIo } from "./client_io.ts";
 * import assert from "node:assert/strict";
 *
 * const io = consoleIo();
 * assert.equal(io.write === undefined, !Deno.stdout.isTerminal());
 * ```
 */
export function consoleIo(): ClientIo {
  const terminal = Deno.stdin.isTerminal() && Deno.stdout.isTerminal();
  const io: ClientIo = {
    terminal,
    color: Deno.stdout.isTerminal() && !Deno.noColor,
  };
  if (Deno.stdout.isTerminal()) {
    io.write = (text) => {
      const bytes = encoder.encode(text);
      let at = 0;
      while (at < bytes.length) {
        at += Deno.stdout.writeSync(bytes.subarray(at));
      }
    };
    io.size = () => {
      try {
        return Deno.consoleSize();
      } catch {
        return { columns: 80, rows: 24 };
      }
    };
  }
  return io;
}

/** A Ctrl-C that a run can wait for; see {@linkcode interruptible}. */
export interface Interrupt {
  /** Aborted by the first Ctrl-C, by {@linkcode Interrupt.abort}, or by the caller's signal. */
  readonly signal: AbortSignal;
  /** Resolves when `signal` aborts. */
  readonly aborted: Promise<void>;
  /** Aborts `signal`, e.g. for a Ctrl-C read as a key in raw mode. */
  abort(): void;
  /** Stops listening for SIGINT; a later Ctrl-C ends the process as usual. */
  release(): void;
}

/**
 * Turns the first Ctrl-C (SIGINT) of a process-console run into an aborted signal, so that
 * the run can log out and report; the next Ctrl-C ends the process as usual.
 *
 * @param listen Whether to listen for SIGINT (only when the run owns the process's console).
 * @param signal The caller's own signal, which aborts it too.
 * @returns The interrupt; call `release()` when the run is over.
 *
 * @example Aborting by hand
 * ```ts
 * import { interruptible } from "./client_io.ts";
 * import assert from "node:assert/strict";
 *
 * const interrupt = interruptible(false);
 * interrupt.abort();
 * await interrupt.aborted;
 * assert.equal(interrupt.signal.aborted, true);
 * interrupt.release();
 * ```
 */
export function interruptible(
  listen: boolean,
  signal?: AbortSignal,
): Interrupt {
  const controller = new AbortController();
  const combined = signal === undefined
    ? controller.signal
    : AbortSignal.any([signal, controller.signal]);
  const aborted = new Promise<void>((resolve) => {
    if (combined.aborted) resolve();
    combined.addEventListener("abort", () => resolve(), { once: true });
  });
  let listening = false;
  const release = () => {
    if (!listening) return;
    listening = false;
    Deno.removeSignalListener("SIGINT", onSignal);
  };
  const onSignal = () => {
    controller.abort();
    release();
  };
  if (listen) {
    Deno.addSignalListener("SIGINT", onSignal);
    listening = true;
  }
  return {
    signal: combined,
    aborted,
    abort: () => controller.abort(),
    release,
  };
}
