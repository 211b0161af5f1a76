import assert from "node:assert/strict";
import dgram from "node:dgram";
import type { OuchServer } from "../../lib/server/server.ts";
import { runMain, spawnServer } from "../server/_process.ts";
import { enter, TestClient } from "../server/_harness.ts";
import {
  decode,
  decodeMold,
  splitSoupBinFile,
  until,
} from "./_itch_decoder.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

function at(port: number): OuchServer {
  return { address: { port } } as unknown as OuchServer;
}

function freeTcpPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function udpSocket(port = 0): Promise<dgram.Socket> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) =>
    socket.bind(port, "127.0.0.1", () => resolve())
  );
  return socket;
}

async function freeUdpPort(): Promise<number> {
  const socket = await udpSocket();
  const port = socket.address().port;
  await close(socket);
  return port;
}

function close(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/**
 * A UDP proxy in front of the client: forwards the server's datagrams to `to`, letting
 * `edit` drop (null) or change a datagram with messages; heartbeats and end of session
 * always pass.
 */
async function moldProxy(
  to: number,
  edit: (datagram: Uint8Array, index: number) => Uint8Array | null,
): Promise<{ port: number; dropped: () => number; close(): Promise<void> }> {
  const socket = await udpSocket();
  let index = 0;
  let dropped = 0;
  socket.on("message", (bytes) => {
    let datagram: Uint8Array | null = new Uint8Array(bytes);
    const count = (datagram[18]! << 8) | datagram[19]!;
    if (count !== 0 && count !== 0xffff) datagram = edit(datagram, index++);
    if (datagram === null) dropped++;
    else socket.send(datagram, to, "127.0.0.1");
  });
  return {
    port: socket.address().port,
    dropped: () => dropped,
    close: () => close(socket),
  };
}

function spawnClient(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "client", "--itch", ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
}

const hex = (m: Uint8Array) =>
  [...m].map((b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("ouch client --itch --mold: datagrams dropped on purpose (every 3rd, and a burst of 20) are asked for again, the server is killed and restarted, and the client's record equals the server's --itch-log byte for byte, --verify passing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-mold-client-" });
  const clientPort = await freeUdpPort();
  const requestPort = await freeUdpPort();
  const proxy = await moldProxy(
    clientPort,
    (datagram, i) => i % 3 === 2 || (i >= 30 && i < 50) ? null : datagram,
  );
  const snapshotPort = freeTcpPort();
  const flags = [
    "--journal",
    `${dir}/journal`,
    "--itch-port",
    String(freeTcpPort()),
    "--snapshot-port",
    String(snapshotPort),
    "--itch-log",
    `${dir}/day.itch`,
    "--mold",
    `127.0.0.1:${proxy.port}`,
    "--mold-request-port",
    String(requestPort),
  ];
  let server = await spawnServer(flags);
  const clients: TestClient[] = [];
  let client: Deno.ChildProcess | undefined;
  const garbage = await udpSocket();
  try {
    await server.waitFor(/re-requests on 127\.0\.0\.1:\d+/);
    const alice = await TestClient.connect(at(server.port));
    clients.push(alice);
    await alice.login("demo1", "demo", 1);
    await alice.send(
      ...Array.from(
        { length: 5 },
        (_, i) => enter(i + 1, { orderbookId: "1", price: 1000 + i }),
      ),
    );
    await alice.messages(6);
    client = spawnClient([
      "--snapshot-port",
      String(snapshotPort),
      "--mold",
      `127.0.0.1:${clientPort}`,
      "--mold-request",
      `127.0.0.1:${requestPort}`,
      "--json",
      "--duration",
      "10",
      "--verify",
      "--record",
      `${dir}/record.bin`,
    ]);
    const output = client.output();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // One datagram after another: 150 orders sent one by one.
    for (let i = 6; i < 156; i++) {
      await alice.send(
        enter(i, { orderbookId: "1", price: 2000 + i, buySellIndicator: "S" }),
      );
      await alice.messages(i + 1);
    }
    // Bad datagrams are ignored.
    garbage.send(new Uint8Array([1, 2, 3]), clientPort, "127.0.0.1");
    await alice.close();
    clients.length = 0;
    await server.stop("SIGKILL");
    server = await spawnServer(flags);
    await server.waitFor(/re-requests on 127\.0\.0\.1:\d+/);
    const bob = await TestClient.connect(at(server.port));
    clients.push(bob);
    await bob.login("demo2", "demo", 1);
    await bob.send(
      ...Array.from(
        { length: 5 },
        (_, i) => enter(i + 1, { orderbookId: "2", price: 3000 + i }),
      ),
    );
    await bob.messages(6);
    const { code, stdout, stderr } = await output;
    client = undefined;
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    assert.match(
      err,
      /verify: ok, the rebuilt books equal a fresh snapshot at sequence \d+/,
    );
    const stats = err.match(
      /moldudp64: (\d+) datagrams, (\d+) requests, (\d+) duplicate messages, (\d+) ignored datagrams/,
    );
    assert.ok(stats !== null, err);
    assert.ok(proxy.dropped() >= 20 + 10, String(proxy.dropped()));
    assert.ok(Number(stats[2]) > 0, "requests were sent");
    assert.ok(Number(stats[4]) >= 1, "the bad datagram was ignored");
    const lines = new TextDecoder().decode(stdout).trim().split("\n").map((
      line,
    ) => JSON.parse(line));
    const live = lines.filter((m) => m.sequence !== null).map((m) =>
      m.sequence
    );
    assert.deepEqual(
      live,
      live.map((_, i) => live[0] + i),
      "no gap, no duplicate",
    );
    // The record: the snapshot, then the feed from G + 1 exactly as the server's log has it.
    const recorded = splitSoupBinFile(await Deno.readFile(`${dir}/record.bin`));
    const g = recorded.findIndex((m) => m[0] === 0x47);
    const sequence = Number(decode(recorded[g]!).sequenceNumber);
    assert.equal(live[0], sequence + 1);
    const log = splitSoupBinFile(await Deno.readFile(`${dir}/day.itch`));
    assert.equal(recorded.length - g - 1, log.length - sequence);
    assert.deepEqual(
      recorded.slice(g + 1).map(hex),
      log.slice(sequence).map(hex),
    );
    const added = lines.filter((m) =>
      m.type === "orderAdded" && m.orderNumber !== "0"
    );
    assert.equal(added.length, 5 + 150 + 5);
  } finally {
    if (client !== undefined) {
      try {
        client.kill("SIGKILL");
      } catch {
        // gone
      }
      await client.output();
    }
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    await proxy.close();
    await close(garbage);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ouch client --itch --mold gives up with exit 1 when the re-request server never answers, naming the gap and the server", async () => {
  const clientPort = await freeUdpPort();
  const silent = await udpSocket();
  const requests: Uint8Array[] = [];
  silent.on("message", (bytes) => requests.push(new Uint8Array(bytes)));
  // The first datagram with messages after the client joined is lost.
  let joined = false;
  const proxy = await moldProxy(clientPort, (datagram) => {
    if (!joined) return datagram;
    joined = false;
    return null;
  });
  const server = await spawnServer([
    "--no-journal",
    "--mold",
    `127.0.0.1:${proxy.port}`,
  ]);
  const clients: TestClient[] = [];
  try {
    const line = await server.waitFor(/itch snapshot listening on .*:\d+/);
    const alice = await TestClient.connect(at(server.port));
    clients.push(alice);
    await alice.login("demo1", "demo", 1);
    const client = spawnClient([
      "--snapshot-port",
      line.split(":").pop()!,
      "--mold",
      `127.0.0.1:${clientPort}`,
      "--mold-request",
      `127.0.0.1:${silent.address().port}`,
      "--mold-timeout",
      "1",
    ]);
    const output = client.output();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    joined = true;
    for (let i = 1; i <= 3; i++) {
      await alice.send(enter(i, { orderbookId: "1", price: 1000 + i }));
      await alice.messages(i + 1);
    }
    const { code, stdout, stderr } = await output;
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 1, err);
    const match = err.match(
      /ouch: MoldGapError: Cannot fill the MoldUDP64 gap at sequence (\d+) \((\d+) messages\): the re-request server 127\.0\.0\.1:(\d+) did not answer 4 requests over 1\.0 s/,
    );
    assert.ok(match !== null, err);
    assert.equal(Number(match[3]), silent.address().port);
    assert.match(new TextDecoder().decode(stdout), /joined by snapshot/);
    // What the client asked for: the lost message, again and again.
    await until(() => requests.length >= 4, "the requests");
    for (const request of requests) {
      assert.equal(request.length, 20);
      const view = new DataView(request.buffer);
      assert.equal(Number(view.getBigUint64(10)), Number(match[1]));
      assert.equal(view.getUint16(18), Number(match[2]));
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    await proxy.close();
    await close(silent);
  }
});

Deno.test("ouch client --itch --verify exits 1 and names the order when the rebuilt books differ from a fresh snapshot (one Order Added's quantity changed in transit)", async () => {
  const clientPort = await freeUdpPort();
  // Order Added: type, nanoseconds (4), order number (8), side, quantity (4) at 14.
  let changed = 0;
  let armed = false;
  const proxy = await moldProxy(clientPort, (datagram) => {
    if (!armed) return datagram;
    const packet = decodeMold(datagram);
    // The first Order Added of the datagram, wherever it is in it.
    let at = 20;
    for (const message of packet.messages) {
      if (message[0] === 0x41) {
        armed = false;
        changed++;
        const view = new DataView(datagram.buffer, datagram.byteOffset);
        view.setUint32(at + 2 + 14, view.getUint32(at + 2 + 14) + 100);
        break;
      }
      at += 2 + message.length;
    }
    return datagram;
  });
  const server = await spawnServer([
    "--no-journal",
    "--mold",
    `127.0.0.1:${proxy.port}`,
  ]);
  const clients: TestClient[] = [];
  try {
    const line = await server.waitFor(/itch snapshot listening on .*:\d+/);
    const requests = await server.waitFor(/re-requests on 127\.0\.0\.1:\d+/);
    const alice = await TestClient.connect(at(server.port));
    clients.push(alice);
    await alice.login("demo1", "demo", 1);
    const client = spawnClient([
      "--snapshot-port",
      line.split(":").pop()!,
      "--mold",
      `127.0.0.1:${clientPort}`,
      "--mold-request",
      `127.0.0.1:${requests.split(":").pop()}`,
      "--duration",
      "4",
      "--verify",
    ]);
    const output = client.output();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    armed = true;
    for (let i = 1; i <= 3; i++) {
      await alice.send(
        enter(i, { orderbookId: "1", price: 1000 + i, quantity: 100 }),
      );
      await alice.messages(i + 1);
    }
    const { code, stdout } = await output;
    const out = new TextDecoder().decode(stdout);
    assert.equal(changed, 1);
    assert.equal(code, 1, out);
    assert.match(
      out,
      /verify: DIFFERENT from a fresh snapshot at sequence \d+: orderbook 1, buy side, position \d: order (\d+) \(200@100\.\d\), the snapshot.s order \1 \(100@100\.\d\)/,
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
    await proxy.close();
  }
});

Deno.test("ouch client --itch refuses bad MoldUDP64 flags and a port it cannot bind", async () => {
  const withoutMold = await runMain([
    "client",
    "--itch",
    "--mold-request",
    "127.0.0.1:9",
  ]);
  assert.equal(withoutMold.code, 2);
  assert.match(withoutMold.stderr, /Cannot use --mold-request without --mold/);
  const bad = await runMain(["client", "--itch", "--mold", "nowhere"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Cannot use --mold "nowhere" as HOST:PORT/);
  const timeout = await runMain([
    "client",
    "--itch",
    "--mold",
    "127.0.0.1:9",
    "--mold-timeout",
    "0",
  ]);
  assert.equal(timeout.code, 2);
  assert.match(timeout.stderr, /--mold-timeout as an integer from 1 to 3600/);
  const taken = await udpSocket();
  try {
    const port = taken.address().port;
    const busy = await runMain([
      "client",
      "--itch",
      "--mold",
      `127.0.0.1:${port}`,
    ]);
    assert.equal(busy.code, 2);
    assert.match(
      busy.stderr,
      new RegExp(
        `Cannot receive MoldUDP64 on --mold 127\\.0\\.0\\.1:${port}: `,
      ),
    );
  } finally {
    await close(taken);
  }
});
