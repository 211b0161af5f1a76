/**
 * Codec benchmarks: OUCH encode and decode, and stream reading, each against
 * `JSON.stringify` / `JSON.parse` of the same message objects (the baseline of each group).
 * JSON cannot hold a bigint, so the JSON side carries Order and Match Numbers as decimal
 * strings, as the client's `--json` output does.
 *
 * Every bench processes a batch, named in its title (`×1000`), so messages per second =
 * iterations per second × batch. Run with `deno bench --allow-read bench/codec_bench.ts`.
 *
 * The messages vary like a real flow: 100 client references, 40 orderbooks, rising tokens,
 * timestamps and order numbers. The decoders cache the strings of recently seen 4- and
 * 10-byte Alpha fields; the "new client reference every message" bench shows the cost
 * when that cache never hits.
 *
 * @module
 */

import {
  decodeEnterOrder,
  decodeOrderAccepted,
  decodeOutbound,
  encodeEnterOrder,
  encodeOrderAccepted,
  encodeSequencedInto,
  type EnterOrder,
  FrameReader,
  type OrderAccepted,
  type OutboundMessage,
} from "../lib/codec/mod.ts";

const BATCH = 1000;
const BASE_TIME = 32_400_000_000_000; // 09:00 JST in ns since midnight
/** The first Order and Match Number of the day, in the venue's form (K11). */
const FIRST_NUMBER = 202611280000000001n;

/** A message as JSON can hold it: bigints as decimal strings. */
function jsonSafe(value: object): object {
  return Object.fromEntries(
    Object.entries(value).map((
      [key, field],
    ) => [key, typeof field === "bigint" ? String(field) : field]),
  );
}

function enterOrder(i: number): EnterOrder {
  return {
    type: "enterOrder",
    orderToken: i + 1,
    clientReference: `ACCT${(i % 100).toString().padStart(4, "0")}`,
    buySellIndicator: i % 2 === 0 ? "B" : "S",
    quantity: 100 * ((i % 50) + 1),
    orderbookId: String(1300 + (i % 40)),
    group: "DAY",
    price: 23_000 + (i % 200),
    timeInForce: i % 10 === 0 ? 0 : 99_999,
    firmId: 7,
    display: i % 7 === 0 ? "P" : " ",
    capacity: "P",
    minimumQuantity: 0,
    orderClassification: "1",
    cashMarginType: "1",
  };
}

function orderAccepted(i: number, reference?: string): OrderAccepted {
  const order = enterOrder(i);
  return {
    type: "orderAccepted",
    timestamp: BASE_TIME + i * 1_000,
    orderToken: order.orderToken,
    clientReference: reference ?? order.clientReference,
    buySellIndicator: order.buySellIndicator,
    quantity: order.quantity,
    orderbookId: order.orderbookId,
    group: order.group,
    price: order.price,
    timeInForce: order.timeInForce,
    firmId: order.firmId,
    display: order.display,
    capacity: order.capacity,
    orderNumber: FIRST_NUMBER + BigInt(i),
    minimumQuantity: order.minimumQuantity,
    orderState: "L",
    orderClassification: order.orderClassification,
    cashMarginType: order.cashMarginType,
  };
}

/** A mixed outbound flow: accepted, executed, canceled, replaced, rejected, AIQ, events. */
function outbound(i: number): OutboundMessage {
  const timestamp = BASE_TIME + i * 1_000;
  const orderToken = (i >> 1) + 1;
  switch (i % 20) {
    case 0:
      return { type: "systemEvent", timestamp, eventCode: "S" };
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
      return orderAccepted(i);
    case 7:
    case 8:
    case 9:
    case 10:
    case 11:
    case 12:
      return {
        type: "orderExecuted",
        timestamp,
        orderToken,
        executedQuantity: 100,
        executionPrice: 23_000 + (i % 200),
        liquidityIndicator: i % 2 === 0 ? "A" : "R",
        matchNumber: FIRST_NUMBER + BigInt(i),
      };
    case 13:
    case 14:
    case 15:
      return {
        type: "orderCanceled",
        timestamp,
        orderToken,
        decrementQuantity: 100,
        orderCanceledReason: "U",
      };
    case 16:
    case 17:
      return {
        type: "orderReplaced",
        timestamp,
        replacementOrderToken: orderToken + 1,
        buySellIndicator: "B",
        quantity: 200,
        orderbookId: String(1300 + (i % 40)),
        group: "DAY",
        price: 23_010,
        timeInForce: 99_999,
        display: " ",
        orderNumber: FIRST_NUMBER + BigInt(i),
        minimumQuantity: 0,
        orderState: "L",
        previousOrderToken: orderToken,
      };
    case 18:
      return {
        type: "orderRejected",
        timestamp,
        orderToken,
        orderRejectedReason: "X",
      };
    default:
      return {
        type: "orderAiqCanceled",
        timestamp,
        orderToken,
        decrementQuantity: 100,
        orderCanceledReason: "O",
        quantityPreventedFromTrading: 100,
        executionPrice: 23_000,
        liquidityIndicator: "R",
      };
  }
}

/** Results are summed here so that no benchmarked call can be optimized away. */
export let sink = 0;

// --- Enter Order ----------------------------------------------------------------------

const enterOrders = Array.from({ length: BATCH }, (_, i) => enterOrder(i));
const enterBytes = new Uint8Array(48 * BATCH);
enterOrders.forEach((order, i) => encodeEnterOrder(order, enterBytes, i * 48));
const enterViews = enterOrders.map((_, i) =>
  enterBytes.subarray(i * 48, i * 48 + 48)
);
const enterJson = enterOrders.map((order) => JSON.stringify(order));

Deno.bench("JSON.stringify Enter Order ×1000", {
  group: "encode Enter Order",
  baseline: true,
}, () => {
  let total = 0;
  for (let i = 0; i < BATCH; i++) {
    total += JSON.stringify(enterOrders[i]).length;
  }
  sink += total;
});
Deno.bench("encodeEnterOrder ×1000", { group: "encode Enter Order" }, () => {
  let total = 0;
  for (let i = 0; i < BATCH; i++) {
    total += encodeEnterOrder(enterOrders[i]!, enterBytes, i * 48);
  }
  sink += total;
});

Deno.bench("JSON.parse Enter Order ×1000", {
  group: "decode Enter Order",
  baseline: true,
}, () => {
  let total = 0;
  for (let i = 0; i < BATCH; i++) total += JSON.parse(enterJson[i]!).quantity;
  sink += total;
});
Deno.bench("decodeEnterOrder ×1000", { group: "decode Enter Order" }, () => {
  let total = 0;
  for (let i = 0; i < BATCH; i++) {
    total += decodeEnterOrder(enterViews[i]!).quantity;
  }
  sink += total;
});

// --- Order Accepted -------------------------------------------------------------------

const accepted = Array.from({ length: BATCH }, (_, i) => orderAccepted(i));
const acceptedBytes = new Uint8Array(65 * BATCH);
accepted.forEach((msg, i) => encodeOrderAccepted(msg, acceptedBytes, i * 65));
const acceptedViews = accepted.map((_, i) =>
  acceptedBytes.subarray(i * 65, i * 65 + 65)
);
const acceptedForJson = accepted.map(jsonSafe);
const acceptedJson = acceptedForJson.map((msg) => JSON.stringify(msg));

Deno.bench("JSON.stringify Order Accepted ×1000", {
  group: "encode Order Accepted",
  baseline: true,
}, () => {
  let total = 0;
  for (let i = 0; i < BATCH; i++) {
    total += JSON.stringify(acceptedForJson[i]).length;
  }
  sink += total;
});
Deno.bench(
  "encodeOrderAccepted ×1000",
  { group: "encode Order Accepted" },
  () => {
    let total = 0;
    for (let i = 0; i < BATCH; i++) {
      total += encodeOrderAccepted(accepted[i]!, acceptedBytes, i * 65);
    }
    sink += total;
  },
);

Deno.bench("JSON.parse Order Accepted ×1000", {
  group: "decode Order Accepted",
  baseline: true,
}, () => {
  let total = 0;
  for (let i = 0; i < BATCH; i++) {
    total += JSON.parse(acceptedJson[i]!).quantity;
  }
  sink += total;
});
Deno.bench(
  "decodeOrderAccepted ×1000",
  { group: "decode Order Accepted" },
  () => {
    let total = 0;
    for (let i = 0; i < BATCH; i++) {
      total += decodeOrderAccepted(acceptedViews[i]!).quantity;
    }
    sink += total;
  },
);

// Every client reference distinct across 16384 messages: the string cache never hits.
const UNIQUE = 16_384;
const uniqueBytes = new Uint8Array(65 * UNIQUE);
for (let i = 0; i < UNIQUE; i++) {
  encodeOrderAccepted(
    orderAccepted(i, `C${i.toString().padStart(9, "0")}`),
    uniqueBytes,
    i * 65,
  );
}
const uniqueViews = Array.from(
  { length: UNIQUE },
  (_, i) => uniqueBytes.subarray(i * 65, i * 65 + 65),
);
let uniqueNext = 0;
Deno.bench(
  "decodeOrderAccepted ×1000, new client reference every message",
  { group: "decode Order Accepted" },
  () => {
    let total = 0;
    let next = uniqueNext;
    for (let i = 0; i < BATCH; i++) {
      total += decodeOrderAccepted(uniqueViews[next]!).quantity;
      next = (next + 1) & (UNIQUE - 1);
    }
    uniqueNext = next;
    sink += total;
  },
);

// --- Reading a 64 KiB chunk of Sequenced Data -----------------------------------------

const CHUNK_SIZE = 64 * 1024;
const chunkMessages: OutboundMessage[] = [];
const chunk = (() => {
  const bytes = new Uint8Array(CHUNK_SIZE);
  let at = 0;
  for (let i = 0;; i++) {
    const msg = outbound(i);
    if (at + 3 + 65 > CHUNK_SIZE) break;
    at += encodeSequencedInto(msg, bytes, at);
    chunkMessages.push(msg);
  }
  return bytes.subarray(0, at);
})();
const COUNT = chunkMessages.length;
const ndjson = new TextEncoder().encode(
  chunkMessages.map((msg) => JSON.stringify(jsonSafe(msg))).join("\n") + "\n",
);
const reader = new FrameReader();
let decoded = 0;
function onFrame(type: number, payload: Uint8Array): void {
  if (type === 0x53) decoded += decodeOutbound(payload).timestamp & 1;
}

Deno.bench(
  `JSON.parse ${COUNT} NDJSON messages (${ndjson.length} bytes) ×1 chunk`,
  { group: "read 64 KiB chunk", baseline: true },
  () => {
    const lines = new TextDecoder().decode(ndjson).split("\n");
    let total = 0;
    for (let i = 0; i < lines.length - 1; i++) {
      total += JSON.parse(lines[i]!).timestamp & 1;
    }
    sink += total;
  },
);
Deno.bench(
  `FrameReader.push + decodeOutbound ${COUNT} messages (${chunk.length} bytes) ×1 chunk`,
  { group: "read 64 KiB chunk" },
  () => {
    reader.push(chunk, onFrame);
    sink += decoded;
  },
);
