/**
 * One client session: log in, take in the messages the login replays, then replay a
 * scenario and/or run the interactive prompt, and log out.
 *
 * @module
 */

import type { OutboundMessage, ProtocolVersion } from "../codec/mod.ts";
import { waitDecision } from "./attribution.ts";
import {
  type ClientIo,
  type ClientOutput,
  EXIT_INTERRUPTED,
  interruptible,
} from "./client_io.ts";
import { type ConnectionEnd, OuchConnection } from "./connection.ts";
import { formatHost, type HostAddress } from "./hosts.ts";
import { InputReader, readEditedLine } from "./input.ts";
import { LineEditor } from "./line_editor.ts";
import { OrderTracker } from "../exchange/order_tracker.ts";
import { Printer } from "./printer.ts";
import { type PromptEnd, runPrompt } from "./prompt.ts";
import { ScenarioReplay } from "./replay.ts";
import type { Scenario } from "./scenario.ts";
import { shiftTokens } from "./shift_tokens.ts";

/** The prompt marker of the interactive prompt. */
export const PROMPT = "ouch> ";
/** Quiet time after the last message before the next step. */
const SETTLE_MS = 50;
/** A login replay of at most this many messages is printed in full after all. */
const SHORT_REPLAY = 20;
/**
 * How long the login's replay may take to start: a login with nothing to replay waits this
 * long before it goes on.
 */
const REPLAY_START_MS = 250;
/** The longest the login's replay is waited for while messages keep coming. */
const REPLAY_LIMIT_MS = 30_000;

/** What {@linkcode runSession} does. */
export interface SessionConfig {
  /** The account's mirrored hosts, in order (at least one; see `OuchConnection`). */
  hosts: readonly HostAddress[];
  version: ProtocolVersion;
  username: string;
  password: string;
  /** The scenario to replay, or none for the prompt. */
  scenario: Scenario | undefined;
  /** Send the scenario's actions without waiting for the Enter key. */
  auto: boolean;
  /** Stay at the prompt after the scenario. */
  stay: boolean;
  /** One JSON object per line. */
  json: boolean;
  /** With `auto`, the shortest pause between two sends. */
  intervalMs: number;
  /** The longest wait for an action's answers (see `waitDecision`). */
  waitMs: number;
  /** Send the scenario's tokens as written instead of above the account's highest. */
  rawTokens: boolean;
  /** Print every message the login replays instead of a one-line summary. */
  showReplay: boolean;
  output: ClientOutput;
  io: ClientIo;
  /** Whether the run owns the process's console, so that it listens for SIGINT. */
  processConsole: boolean;
}

/**
 * Runs a scenario replay and/or the prompt on one connection.
 *
 * After Login Accepted the server replays the account's messages of the day (the client
 * asks for sequence number 1). They update the tracked orders and the highest token like
 * any message but are not printed: once they stop (50 ms of quiet; 250 ms when none came),
 * one line sums them up, e.g. `replayed 12 messages: 3 orders open, highest token 9`
 * (`showReplay` prints each one as well; at the prompt, a short replay of at most 20 messages
 * is printed anyway, so that the few messages a venue sends right after a login are seen). A scenario's tokens are then moved above the
 * highest token (see `shiftTokens`) unless `rawTokens` is set, with one line saying so, so
 * that a file runs again on the same trading day.
 *
 * With several `hosts` (mirrored OUCH hosts), a lost link moves to the next one; the
 * connection logs in at the next sequence number expected and sends again what was not
 * answered (see `OuchConnection`), and the lines say which host it went to.
 *
 * Ctrl-C (or `io.signal`) stops the replay or the prompt: the results so far are printed,
 * the client sends a Logout Request, waits for the server to close the connection (at most
 * 2 s) and returns {@linkcode EXIT_INTERRUPTED}.
 *
 * @param config What to run, where and how.
 * @returns The exit code: 0, 1 when the login fails, an expectation fails or the
 * connection fails, or {@linkcode EXIT_INTERRUPTED}.
 */
export async function runSession(config: SessionConfig): Promise<number> {
  const { output, io, scenario } = config;
  const printer = new Printer({ json: config.json, color: io.color ?? false });
  const raw = io.terminal === true && io.write !== undefined;
  const write = io.write ?? (() => {});
  const editor = new LineEditor();
  let editing = false;
  const print = (line: string) => {
    if (editing) {
      write(
        `\r\x1b[2K${line.replaceAll("\n", "\r\n")}\r\n${editor.render(PROMPT)}`,
      );
    } else {
      output.out(line);
    }
  };

  const orders = new OrderTracker();
  let replay: ScenarioReplay | undefined;
  let login: "accepted" | "rejected" | undefined;
  let replaying = true;
  let replayed = 0;
  /** The replay's first messages, printed if the replay turns out short. */
  const shortReplay: [number, OutboundMessage][] = [];
  let loginAt = performance.now();
  let lastMessageAt = -Infinity;
  let messageCount = 0;
  const address = config.hosts.map(formatHost).join(",");
  const multiple = config.hosts.length > 1;
  let connection: OuchConnection;
  try {
    connection = await OuchConnection.open({
      hosts: config.hosts,
      username: config.username,
      password: config.password,
      version: config.version,
    }, (event) => {
      switch (event.type) {
        case "loginAccepted":
          if (login === undefined) loginAt = performance.now();
          login ??= "accepted";
          print(printer.login({
            username: config.username,
            address: event.address,
            session: event.session,
            sequenceNumber: event.sequenceNumber,
            reconnect: event.reconnect,
          }));
          return;
        case "loginRejected":
          login = "rejected";
          print(printer.loginRejected(event.code));
          return;
        case "message": {
          lastMessageAt = performance.now();
          messageCount++;
          orders.update(event.message);
          if (replaying) {
            replayed++;
            if (config.showReplay) {
              print(printer.received(event.sequenceNumber, event.message));
            } else if (shortReplay.length <= SHORT_REPLAY) {
              shortReplay.push([event.sequenceNumber, event.message]);
            }
            return;
          }
          const action = replay?.receive(event.message);
          print(printer.received(event.sequenceNumber, event.message, action));
          return;
        }
        case "disconnected":
          print(
            printer.disconnected(
              event.reason,
              event.retryInMs,
              multiple ? event.next : undefined,
            ),
          );
          return;
        case "endOfSession":
          print(printer.endOfSession());
          return;
      }
    });
  } catch (error) {
    output.err(
      printer.error(
        `Cannot connect to ${address}: ${
          error instanceof Error ? error.message : String(error)
        }`,
      ),
    );
    return 1;
  }

  const interrupt = interruptible(config.processConsole, io.signal);
  const { signal, aborted } = interrupt;
  // The terminal echoed "^C" where the cursor was: what follows starts on a line of its own.
  signal.addEventListener("abort", () => {
    if (!editing) io.write?.("\n");
  }, { once: true });
  let ended: ConnectionEnd | undefined;
  connection.done.then((end) => ended = end);
  const pause = (ms: number) => Promise.race([connection.wait(ms), aborted]);
  while (login === undefined && ended === undefined && !signal.aborted) {
    await pause(1000);
  }
  if (login !== "accepted") {
    interrupt.release();
    const end = signal.aborted && login === undefined
      ? await connection.logout()
      : await connection.close();
    if (end.reason === "failed") {
      output.err(printer.error(`Cannot log in: ${end.detail}`));
    }
    return signal.aborted ? EXIT_INTERRUPTED : 1;
  }

  /** Waits until no message has come for `SETTLE_MS`, at most `limitMs` after `since`. */
  const settle = async (since: number, firstMs: number, limitMs: number) => {
    while (ended === undefined && !signal.aborted) {
      const now = performance.now();
      const quiet = lastMessageAt < since
        ? firstMs - (now - since)
        : SETTLE_MS - (now - lastMessageAt);
      if (quiet <= 0 || now - since >= limitMs) return;
      await pause(quiet);
    }
  };

  /** Waits for the answers to what was just sent: a first message, then 50 ms of quiet. */
  const awaitAnswers = async () => {
    const since = performance.now();
    const before = messageCount;
    while (ended === undefined && !signal.aborted) {
      const now = performance.now();
      const decision = waitDecision(undefined, {
        received: messageCount - before,
        sinceSentMs: now - since,
        sinceLastMs: now - Math.max(since, lastMessageAt),
      }, { waitMs: config.waitMs, settleMs: SETTLE_MS });
      if (decision.done) return;
      await pause(decision.checkInMs);
    }
  };

  let exit = 0;
  let input: InputReader | undefined;
  const reader = () =>
    input ??= new InputReader(io.input ?? Deno.stdin.readable);
  try {
    await settle(loginAt, REPLAY_START_MS, REPLAY_LIMIT_MS);
    replaying = false;
    if (
      !config.showReplay && scenario === undefined && replayed <= SHORT_REPLAY
    ) {
      for (const [sequenceNumber, message] of shortReplay) {
        print(printer.received(sequenceNumber, message));
      }
    }
    shortReplay.length = 0;
    print(printer.replayed({
      messages: replayed,
      openOrders: orders.open().length,
      highestToken: orders.highestToken,
    }));
    let usedToken = 0;
    if (scenario !== undefined && !signal.aborted && ended === undefined) {
      const offset = config.rawTokens ? 0 : orders.highestToken;
      let shifted: Scenario;
      try {
        shifted = shiftTokens(scenario, offset);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        output.err(printer.error(
          `${error.message}: start a new trading day on the server, or send them as written with --raw-tokens`,
        ));
        return 1;
      }
      if (offset > 0) {
        print(printer.tokensShifted({ username: config.username, offset }));
      }
      replay = new ScenarioReplay(shifted, {
        auto: config.auto,
        intervalMs: config.intervalMs,
        waitMs: config.waitMs,
        printer,
        print,
        signal,
        nextKey: async () => {
          const line = await reader().readLine();
          return line !== undefined && !/^q(uit)?$/i.test(line.trim());
        },
      });
      usedToken = replay.highestToken;
      const summary = await replay.run(connection);
      replay = undefined;
      if (summary.stopped === "interrupted") exit = EXIT_INTERRUPTED;
      else if (!summary.ok) exit = 1;
    }
    if (
      (scenario === undefined || config.stay) && ended === undefined &&
      !signal.aborted
    ) {
      if (scenario === undefined) {
        print(printer.notice(`type "help" for commands, "quit" to leave`));
      }
      let end: PromptEnd;
      if (raw) Deno.stdin.setRaw(true);
      try {
        end = await runPrompt(connection, {
          version: config.version,
          orders,
          printer,
          print,
          usedToken,
          signal,
          ...(raw ? {} : { afterSend: awaitAnswers }),
          readLine: raw
            ? async () => {
              editing = true;
              try {
                const read = await readEditedLine(
                  reader(),
                  editor,
                  PROMPT,
                  write,
                );
                if (read.type === "interrupt") interrupt.abort();
                return read.type === "line" ? read.line : undefined;
              } finally {
                editing = false;
              }
            }
            : () => reader().readLine(),
        });
      } finally {
        if (raw) Deno.stdin.setRaw(false);
      }
      if (end === "interrupted") {
        exit = EXIT_INTERRUPTED;
      } else {
        // Let the answers to the last commands arrive before logging out.
        await settle(performance.now(), SETTLE_MS, config.waitMs);
      }
    }
    if (signal.aborted) exit = EXIT_INTERRUPTED;
  } finally {
    interrupt.release();
    if (exit === EXIT_INTERRUPTED) {
      print(printer.interrupted({ openOrders: orders.open().length }));
    }
    const end = await connection.logout();
    await input?.cancel();
    if (end.reason === "failed") {
      output.err(printer.error(`connection failed: ${end.detail}`));
      if (exit === 0) exit = 1;
    } else if (end.reason === "loginRejected") {
      if (exit === 0) exit = 1;
    }
    if (exit === EXIT_INTERRUPTED) print(printer.loggedOut());
  }
  return exit;
}
