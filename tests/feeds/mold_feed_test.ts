import assert from "node:assert/strict";
import dgram from "node:dgram";
import { Exchange } from "../../lib/exchange/mod.ts";
import { ItchPublisher } from "../../lib/feeds/itch_publisher.ts";
import { MoldFeed } from "../../lib/feeds/mold_feed.ts";
import { decodeMoldUdp64 } from "../../lib/itch/mod.ts";
import { until } from "./_itch_decoder.ts";
import { enterOrder } from "../_fixtures.ts";

const START = 34_200_000_000_000;

function dayWithFeed(): { exchange: Exchange; feed: ItchPublisher } {
  const exchange = new Exchange({
    users: new Map([["demo1", "demo"]]),
    day: {
      session: "2026112501",
      tradingDate: "20261125",
      created: 1795564800,
    },
    timestamp: START,
  });
  const feed = new ItchPublisher();
  exchange.subscribe(feed);
  return { exchange, feed };
}

async function enterOrders(
  exchange: Exchange,
  from: number,
  to: number,
): Promise<void> {
  for (let token = from; token <= to; token++) {
    const buy = token % 2 === 0;
    exchange.submit(
      "demo1",
      enterOrder(token, {
        clientReference: "",
        buySellIndicator: buy ? "B" : "S",
        price: buy ? 20000 - token : 30000 + token,
      }),
      START + token * 1000,
    );
  }
  await exchange.drain();
}

const hex = (bytes: Uint8Array) =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** How many file descriptors this process has open. */
/**
 * A UDP socket on 127.0.0.1 that keeps the messages of the MoldUDP64 datagrams it gets, in
 * hex, asserting each datagram starts where the one before ended (no gap, nothing twice).
 */
async function inOrderReceiver(): Promise<{
  port: number;
  received: string[];
  datagrams: () => number;
  close: () => Promise<void>;
}> {
  const receiver = dgram.createSocket("udp4");
  await new Promise<void>((resolve) =>
    receiver.bind(0, "127.0.0.1", () => resolve())
  );
  const received: string[] = [];
  let datagrams = 0;
  let expected = 1;
  receiver.on("message", (bytes) => {
    const packet = decodeMoldUdp64(new Uint8Array(bytes));
    if (packet.type !== "downstream" || packet.messages.length === 0) return;
    datagrams++;
    assert.equal(packet.sequenceNumber, expected, "a gap or a datagram twice");
    expected += packet.messages.length;
    for (const message of packet.messages) received.push(hex(message));
  });
  return {
    port: receiver.address().port,
    received,
    datagrams: () => datagrams,
    close: () =>
      new Promise<void>((resolve) => receiver.close(() => resolve())),
  };
}

function openFileDescriptors(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

for (const transport of ["auto", "node:dgram"] as const) {
  Deno.test(`MoldFeed started in the middle of a day sends the messages before it and after it, numbered from 1, each exactly once and as the log holds it (${transport})`, async () => {
    const fds = openFileDescriptors();
    const { exchange, feed } = dayWithFeed();
    await enterOrders(exchange, 1, 300);
    const receiver = dgram.createSocket("udp4");
    await new Promise<void>((resolve) =>
      receiver.bind(0, "127.0.0.1", () => resolve())
    );
    const received = new Map<number, string>();
    const sizes: number[] = [];
    const arrival: number[] = [];
    let session = "";
    receiver.on("message", (bytes) => {
      const packet = decodeMoldUdp64(new Uint8Array(bytes));
      if (packet.type !== "downstream") return;
      session = packet.session;
      sizes.push(bytes.length);
      if (packet.messages.length > 0) arrival.push(packet.sequenceNumber);
      packet.messages.forEach((message, i) => {
        const n = packet.sequenceNumber + i;
        assert.equal(received.has(n), false, `message ${n} twice`);
        received.set(n, hex(message));
      });
    });
    const mold = MoldFeed.start({
      publisher: feed,
      destination: { hostname: "127.0.0.1", port: receiver.address().port },
      requestPort: null,
      sender: { transport },
    });
    try {
      assert.equal(
        mold.transport,
        transport === "auto" ? "sendmmsg" : "node:dgram: forced",
      );
      const early = feed.log.length;
      await until(() => received.size >= early, "the messages before the feed");
      await enterOrders(exchange, 301, 600);
      const log = feed.log;
      await until(() => received.size >= log.length, "every message");
      assert.equal(session, "2026112501");
      assert.deepEqual(
        [...received.keys()].sort((a, b) => a - b),
        Array.from({ length: log.length }, (_, i) => i + 1),
      );
      for (let n = 1; n <= log.length; n++) {
        assert.equal(received.get(n), hex(log.message(n)), `message ${n}`);
      }
      // The datagrams arrive in the order of their sequence numbers, the first ones too (sent
      // once the socket is bound); within the limit; the catch-up's are full but its last.
      assert.deepEqual(
        arrival,
        [...arrival].sort((a, b) => a - b),
        `${arrival}`,
      );
      assert.ok(sizes.every((size) => size <= 1420));
      assert.ok(
        sizes.filter((size) => size > 1420 - 40).length >= 6,
        `${sizes}`,
      );
    } finally {
      await mold.stop();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
    // stop() closed the feed's socket, as the receiver is closed: no file descriptor left.
    assert.equal(openFileDescriptors(), fds);
  });
}

Deno.test("MoldFeed under load (a turn a few orders, turns back to back) sends every message once, in order, the last partly filled datagram too, and no more datagrams than turns", async () => {
  const { exchange, feed } = dayWithFeed();
  await exchange.drain();
  const { port, received, datagrams, close } = await inOrderReceiver();
  const mold = MoldFeed.start({
    publisher: feed,
    destination: { hostname: "127.0.0.1", port },
    requestPort: null,
  });
  try {
    await until(() => received.length >= feed.log.length, "the start of day");
    const before = datagrams();
    const turns = 300;
    for (let turn = 0; turn < turns; turn++) {
      await enterOrders(exchange, turn * 2 + 1, turn * 2 + 2);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const log = feed.log;
    await until(() => received.length >= log.length, "every message");
    assert.deepEqual(
      received,
      Array.from({ length: log.length }, (_, i) => hex(log.message(i + 1))),
    );
    assert.ok(
      datagrams() - before <= turns,
      `${datagrams() - before} datagrams`,
    );
    // Nothing more comes once the load stops (the timer finds nothing waiting).
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(received.length, log.length);
  } finally {
    await mold.stop();
    await close();
    feed.close();
  }
});

Deno.test("MoldFeed on sendmmsg with a kernel that says EAGAIN every other call (the packer's datagram being written meanwhile) sends every message once and in order", async () => {
  const { exchange, feed } = dayWithFeed();
  await exchange.drain();
  const { port, received, close } = await inOrderReceiver();
  let calls = 0;
  let refused = 0;
  const mold = MoldFeed.start({
    publisher: feed,
    destination: { hostname: "127.0.0.1", port },
    requestPort: null,
    // Every other call: nothing taken (EAGAIN); else one datagram at most.
    sender: {
      admit: (count) => {
        if (calls++ % 2 === 0) {
          refused++;
          return 0;
        }
        return Math.min(count, 1);
      },
    },
  });
  try {
    assert.equal(mold.transport, "sendmmsg");
    for (let turn = 0; turn < 60; turn++) {
      await enterOrders(exchange, turn * 20 + 1, turn * 20 + 20);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const log = feed.log;
    await until(() => received.length >= log.length, "every message");
    assert.deepEqual(
      received,
      Array.from({ length: log.length }, (_, i) => hex(log.message(i + 1))),
    );
    assert.ok(refused > 10, `${refused} calls refused`);
    assert.deepEqual(mold.sendCounts, { pending: 0, failed: 0 });
  } finally {
    await mold.stop();
    await close();
    feed.close();
  }
});
