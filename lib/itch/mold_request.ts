/**
 * The MoldUDP64 re-request server's answer, as a pure function of the day's messages and one
 * request.
 *
 * @module
 */

import { failMessageSize } from "./_mold.ts";
import {
  encodeMoldUdp64,
  MOLD_UDP64_MAX_PAYLOAD,
  type MoldUdp64Request,
} from "./mold_udp64.ts";

/**
 * The day's feed, numbered from 1: `lib/session`'s `MessageLog` is one, and so is any array
 * wrapper.
 */
export interface MessageSource {
  /** The number of messages, which is also the last sequence number. */
  readonly length: number;
  /** The message with this sequence number, from 1 to `length`. */
  message(sequenceNumber: number): Uint8Array;
}

/** Options of {@linkcode answerMoldUdp64Request}. */
export interface MoldUdp64AnswerOptions {
  /** The feed's session: a request for another session gets no answer. */
  session: string;
  /**
   * The most bytes of message blocks in the answer.
   *
   * @default {MOLD_UDP64_MAX_PAYLOAD} (1,400)
   */
  maxPayload?: number;
}

/**
 * Answers a request: an ordinary downstream datagram, sequence number = the first requested,
 * holding as many of the requested messages as exist and fit in `maxPayload` bytes (at
 * least the first). A request outside what exists gets no answer (`null`): another session,
 * sequence number 0 or past the last message, or a count of 0.
 *
 * @param request The decoded request.
 * @param source The day's messages.
 * @param options The session and the payload limit.
 * @returns A fresh datagram, or `null` for no answer.
 * @throws {ItchEncodeError} If the first requested message alone does not fit `maxPayload`
 * bytes.
 *
 * @example Messages 2 and 3 of 3, asked for 2 to 11
 * ```ts
 * import { answerMoldUdp64Request } from "./mold_request.ts";
 * import { decodeMoldUdp64 } from "./mold_udp64.ts";
 * import assert from "node:assert/strict";
 *
 * const day = [[0x54, 0, 0, 0, 1], [0x44, 9], [0x44, 8]].map((m) => new Uint8Array(m));
 * const source = { length: day.length, message: (n: number) => day[n - 1]! };
 * const answer = answerMoldUdp64Request(
 *   { type: "request", session: "S", sequenceNumber: 2, messageCount: 10 },
 *   source,
 *   { session: "S" },
 * );
 * const packet = decodeMoldUdp64(answer!);
 * assert.equal(packet.sequenceNumber, 2);
 * assert.deepEqual(packet.type === "downstream" && packet.messages.map((m) => [...m]), [[0x44, 9], [0x44, 8]]);
 * assert.equal(
 *   answerMoldUdp64Request({ type: "request", session: "S", sequenceNumber: 4, messageCount: 1 }, source, {
 *     session: "S",
 *   }),
 *   null,
 * );
 * ```
 */
export function answerMoldUdp64Request(
  request: MoldUdp64Request,
  source: MessageSource,
  options: MoldUdp64AnswerOptions,
): Uint8Array | null {
  const maxPayload = options.maxPayload ?? MOLD_UDP64_MAX_PAYLOAD;
  const first = request.sequenceNumber;
  const last = source.length;
  if (
    request.session !== options.session || request.messageCount === 0 ||
    !(first >= 1 && first <= last)
  ) {
    return null;
  }
  const end = Math.min(last, first + request.messageCount - 1);
  const messages: Uint8Array[] = [];
  let payload = 0;
  for (let n = first; n <= end; n++) {
    const message = source.message(n);
    if (payload + 2 + message.length > maxPayload) {
      if (messages.length > 0) break;
      failMessageSize(maxPayload, message.length);
    }
    messages.push(message);
    payload += 2 + message.length;
  }
  return encodeMoldUdp64({
    type: "downstream",
    session: options.session,
    sequenceNumber: first,
    messages,
  });
}
