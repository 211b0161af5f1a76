/**
 * The OUCH client: scenario files and their expectations, message formatting, a connection
 * that reconnects with replay, the scenario replay, the interactive prompt and its parser,
 * and the load generator with its statistics and outcome check.
 *
 * The pure parts (parsers, the response attribution, order tracking, the token shift,
 * latency statistics, the outcome checker, the load generator's logic `LoadGenerator`, the
 * unanswered messages, line editing) take no I/O; `OuchConnection`, `ScenarioReplay`,
 * `runPrompt`, `runSession` and `runLoad` own sockets (through `lib/net`) and timers;
 * `cli.ts` is the `client` subcommand.
 *
 * @example Parsing a prompt command and checking a response against an expectation
 * ```ts
 * import { checkExpectations, parsePromptCommand } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parsePromptCommand("cancel 3").type, "cancel");
 * const rejected = { type: "orderRejected", timestamp: 0, orderToken: 3, orderRejectedReason: "X" } as const;
 * assert.deepEqual(checkExpectations([{ kind: "rejected", reason: "X" }], [rejected]), {
 *   ok: true,
 *   detail: "got rejected:X",
 * });
 * ```
 *
 * @module
 */
export * from "./attribution.ts";
export * from "./client_io.ts";
export * from "./connection.ts";
export * from "./dry_run.ts";
export * from "./expectation.ts";
export * from "../format/format.ts";
export * from "./input.ts";
export * from "./latency.ts";
export * from "./line_editor.ts";
export * from "./load.ts";
export * from "./load_generator.ts";
export * from "./load_report.ts";
export * from "../exchange/order_tracker.ts";
export * from "./orders_table.ts";
export * from "./outcome_checker.ts";
export * from "./printer.ts";
export * from "./prompt.ts";
export * from "./prompt_command.ts";
export * from "./replay.ts";
export * from "./run_session.ts";
export * from "./scenario.ts";
export * from "./shift_tokens.ts";
export * from "./unanswered_messages.ts";
