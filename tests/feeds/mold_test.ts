import assert from "node:assert/strict";
import dgram from "node:dgram";
import type { OuchServer } from "../../lib/server/server.ts";
import { spawnServer } from "../server/_process.ts";
import { enter, TestClient } from "../server/_harness.ts";
import {
  decode,
  decodeMold,
  encodeMoldRequest,
  type MoldRead,
  SoupBinReader,
  until,
} from "./_itch_decoder.ts";

function at(port: number): OuchServer {
  return { address: { port } } as unknown as OuchServer;
}

const hex = (m: Uint8Array) =>
  [...m].map((b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("MoldUDP64 from a real server: datagrams dropped on purpose are recovered by requests to the re-request server, the feed equals the SoupBinTCP feed message for message (M2), and idle time brings heartbeats", async () => {
  const receiver = dgram.createSocket("udp4");
  await new Promise<void>((resolve) =>
    receiver.bind(0, "127.0.0.1", () => resolve())
  );
  const port = receiver.address().port;
  const packets: MoldRead[] = [];
  const answers: MoldRead[] = [];
  let datagrams = 0;
  receiver.on("message", (bytes, from) => {
    const packet = decodeMold(new Uint8Array(bytes));
    if (from.port === requestPort) answers.push(packet);
    // Every second downstream datagram with messages is lost on purpose.
    else if (
      packet.count === 0 || packet.count === 0xffff || datagrams++ % 2 === 0
    ) packets.push(packet);
  });
  let requestPort = -1;
  const server = await spawnServer([
    "--no-journal",
    "--mold",
    `127.0.0.1:${port}`,
  ]);
  const clients: TestClient[] = [];
  try {
    const line = await server.waitFor(/re-requests on 127\.0\.0\.1:\d+/);
    requestPort = Number(line.split(":").pop());
    const feedLine = await server.waitFor(
      /itch feed listening on 127\.0\.0\.1:\d+/,
    );
    const alice = await TestClient.connect(at(server.port));
    clients.push(alice);
    await alice.login("demo1", "demo", 1);
    // 200 orders, sent one by one: many datagrams.
    for (let i = 1; i <= 200; i++) {
      await alice.send(
        enter(i, { orderbookId: "1", price: 10000 + i, quantity: 100 }),
      );
    }
    await alice.messages(201);
    // The TCP feed is the reference.
    const tcpFeed = await SoupBinReader.open(
      Number(feedLine.split(":").pop()),
      "demo2",
      "demo",
      1,
    );
    await until(
      () => tcpFeed.read.messages.filter((m) => m[0] === 0x41).length >= 208,
      "the TCP feed",
    ); // 8 reference prices + 200
    await new Promise((resolve) => setTimeout(resolve, 200));
    await tcpFeed.close();
    const reference = tcpFeed.read.messages;
    const session = tcpFeed.read.session;
    await until(
      () =>
        packets.some((p) =>
          p.count === 0 && p.sequenceNumber === reference.length + 1
        ),
      "a heartbeat at the end",
    );
    // Fill the gaps with requests.
    const got = new Map<number, Uint8Array>();
    const take = (p: MoldRead) => {
      assert.equal(p.session, session);
      p.messages.forEach((m, i) => got.set(p.sequenceNumber + i, m));
    };
    packets.forEach(take);
    assert.ok(got.size < reference.length, "some datagrams were dropped");
    let requests = 0;
    for (let n = 1; n <= reference.length; n++) {
      if (got.has(n)) continue;
      let end = n;
      while (end + 1 <= reference.length && !got.has(end + 1)) end++;
      const before = answers.length;
      receiver.send(
        encodeMoldRequest(session, n, end - n + 1),
        requestPort,
        "127.0.0.1",
      );
      requests++;
      await until(() => answers.length > before, `the answer to ${n}`);
      take(answers.at(-1)!);
      assert.equal(answers.at(-1)!.sequenceNumber, n);
      n--; // look again from n: the answer may hold fewer than asked
    }
    assert.ok(requests > 0);
    const mold = Array.from(
      { length: reference.length },
      (_, i) => got.get(i + 1)!,
    );
    assert.deepEqual(mold.map(hex), reference.map(hex));
    mold.forEach((m) => decode(m));
    // A request beyond the feed or for another session gets no answer.
    const before = answers.length;
    receiver.send(
      encodeMoldRequest(session, reference.length + 5, 1),
      requestPort,
      "127.0.0.1",
    );
    receiver.send(encodeMoldRequest("nope", 1, 1), requestPort, "127.0.0.1");
    receiver.send(encodeMoldRequest(session, 1, 1), requestPort, "127.0.0.1");
    await until(() => answers.length > before, "the valid answer");
    assert.equal(answers.length, before + 1);
    assert.equal(answers.at(-1)!.sequenceNumber, 1);
    // Every datagram within 1,400 bytes of message blocks.
    for (const p of [...packets, ...answers]) {
      assert.ok(p.messages.reduce((sum, m) => sum + 2 + m.length, 0) <= 1400);
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
});
