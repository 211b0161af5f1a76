/**
 * Dry run of a scenario: what each action would put on the wire, without a connection.
 *
 * @module
 */

import {
  decodeClientPacket,
  decodeInbound,
  encodeUnsequencedInto,
  MESSAGE_LENGTHS,
  MESSAGE_TYPE_CODES,
  type ProtocolVersion,
  toHex,
} from "../codec/mod.ts";
import { formatMessage } from "../format/format.ts";
import type { Scenario } from "./scenario.ts";

/** Options of {@linkcode dryRun}. */
export interface DryRunOptions {
  /**
   * Protocol version to encode under; use the one the scenario was parsed with.
   *
   * @default {"1.12"}
   */
  version?: ProtocolVersion;
}

/** Bytes before the OUCH message in a SoupBinTCP packet: length (2) and type (1). */
const PACKET_HEADER_LENGTH = 3;

/**
 * Shows what each action of a scenario puts on the wire.
 *
 * Each action gives one line: its index, its message type character, the message as
 * {@linkcode formatMessage} shows it after a real encode and decode through the codec (so
 * padding, trimming and the v1.11 Orderbook ID are what the exchange will read), and the
 * whole SoupBinTCP Unsequenced Data packet (length, `U`, message) as lowercase hex without
 * separators. The index is right-aligned and the message text padded, so that the hex
 * columns line up.
 *
 * @param scenario A scenario from `parseScenario`.
 * @param options The protocol version.
 * @returns One line per action, in order; `[]` for a scenario without actions.
 * @throws {OuchEncodeError} If a message does not encode under `version`, which cannot
 * happen when the scenario was parsed with the same version.
 * @throws {RangeError} If `version` is not a known protocol version.
 *
 * @example A cancel, dry
 * ```ts
 * import { dryRun } from "./dry_run.ts";
 * import { parseScenario } from "./scenario.ts";
 * import assert from "node:assert/strict";
 *
 * const scenario = parseScenario(
 *   '{"actions": [{"message_type": "X", "order_token": 5, "quantity": 0}]}',
 * );
 * assert.deepEqual(dryRun(scenario), [
 *   "1 X cancelOrder orderToken=5 quantity=0 000a55580000000500000000",
 * ]);
 * ```
 */
export function dryRun(
  scenario: Scenario,
  options: DryRunOptions = {},
): string[] {
  const codecOptions = { version: options.version ?? "1.12" } as const;
  const target = new Uint8Array(
    PACKET_HEADER_LENGTH + Math.max(...Object.values(MESSAGE_LENGTHS)),
  );
  const rows = scenario.actions.map((action) => {
    const length = encodeUnsequencedInto(
      action.message,
      target,
      0,
      codecOptions,
    );
    const packet = target.slice(0, length);
    // Read it back the way a server does: packet type and payload, then the message.
    const read = decodeClientPacket(
      packet[2]!,
      packet.subarray(PACKET_HEADER_LENGTH),
    );
    if (read.type !== "unsequencedData") {
      throw new TypeError(
        `Cannot dry-run action ${action.index} as its packet reads back as ${read.type}`,
      );
    }
    const decoded = decodeInbound(read.message, codecOptions);
    return {
      index: String(action.index),
      code: MESSAGE_TYPE_CODES[action.message.type],
      text: formatMessage(decoded),
      hex: toHex(packet),
    };
  });
  const indexWidth = Math.max(0, ...rows.map((row) => row.index.length));
  const textWidth = Math.max(0, ...rows.map((row) => row.text.length));
  return rows.map((row) =>
    `${row.index.padStart(indexWidth)} ${row.code} ${
      row.text.padEnd(textWidth)
    } ${row.hex}`
  );
}
