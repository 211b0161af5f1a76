import assert from "node:assert/strict";
import { toHex } from "../../lib/codec/hex.ts";
import { answerMoldUdp64Request } from "../../lib/itch/mold_request.ts";
import {
  decodeMoldUdp64,
  type MoldUdp64Downstream,
  type MoldUdp64Request,
} from "../../lib/itch/mold_udp64.ts";
import { MessageLog } from "../../lib/session/message_log.ts";

const SESSION = "1689192121";

/** A day of `count` messages: message n is n bytes long, every byte n. */
function day(count: number, lengthOf = (n: number) => n): MessageLog {
  const log = new MessageLog();
  for (let n = 1; n <= count; n++) {
    log.append(new Uint8Array(lengthOf(n)).fill(n & 0xff));
  }
  return log;
}

function request(
  sequenceNumber: number,
  messageCount: number,
): MoldUdp64Request {
  return { type: "request", session: SESSION, sequenceNumber, messageCount };
}

function answer(
  req: MoldUdp64Request,
  log: MessageLog,
  maxPayload?: number,
): MoldUdp64Downstream | null {
  const datagram = answerMoldUdp64Request(
    req,
    log,
    maxPayload === undefined
      ? { session: SESSION }
      : { session: SESSION, maxPayload },
  );
  if (datagram === null) return null;
  const packet = decodeMoldUdp64(datagram);
  assert.equal(packet.type, "downstream");
  return packet as MoldUdp64Downstream;
}

Deno.test("answerMoldUdp64Request() answers with the requested messages from the day's log", () => {
  const log = day(10);
  const packet = answer(request(3, 4), log)!;
  assert.equal(packet.session, SESSION);
  assert.equal(packet.sequenceNumber, 3);
  assert.deepEqual(packet.messages.map((m) => toHex(m)), [
    "030303",
    "04040404",
    "0505050505",
    "060606060606",
  ]);
});

Deno.test("answerMoldUdp64Request() stops at the last message of the day", () => {
  const log = day(10);
  assert.deepEqual(answer(request(9, 100), log)!.messages.map((m) => m[0]), [
    9,
    10,
  ]);
  assert.deepEqual(answer(request(10, 1), log)!.messages.map((m) => m[0]), [
    10,
  ]);
});

Deno.test("answerMoldUdp64Request() holds only as many messages as fit 1,400 bytes", () => {
  const log = day(100, () => 33); // 35 bytes of block each: 40 fit
  const packet = answer(request(1, 100), log)!;
  assert.equal(packet.messages.length, 40);
  assert.equal(
    answerMoldUdp64Request(request(1, 100), log, { session: SESSION })!.length,
    1_420,
  );
  assert.equal(answer(request(1, 100), log, 69)!.messages.length, 1);
  assert.equal(answer(request(1, 100), log, 70)!.messages.length, 2);
});

Deno.test("answerMoldUdp64Request() gives no answer to a request outside what exists", () => {
  const log = day(5);
  for (
    const req of [
      request(0, 5),
      request(6, 1),
      request(2, 0),
      { ...request(1, 1), session: "1689192122" },
    ]
  ) {
    assert.equal(answerMoldUdp64Request(req, log, { session: SESSION }), null);
  }
  assert.equal(
    answerMoldUdp64Request(request(1, 1), new MessageLog(), {
      session: SESSION,
    }),
    null,
  );
});

Deno.test("answerMoldUdp64Request() refuses a first message that alone exceeds the payload", () => {
  const log = day(3, () => 1_399);
  assert.throws(
    () => answerMoldUdp64Request(request(2, 1), log, { session: SESSION }),
    {
      name: "ItchEncodeError",
      message:
        "Cannot encode moldUdp64Packet field messages as a message must be 1 to 1398 bytes to fit 1400 bytes of payload: current length is 1399",
    },
  );
});
