import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  type DatagramReceiver,
  openDatagramReceiver,
} from "../../lib/feeds/datagram_receiver.ts";
import { openDatagramSender } from "../../lib/feeds/datagram_sender.ts";

const TRANSPORTS = ["auto", "node:dgram"] as const;

/** Datagram `n` of `size` bytes: its number, then bytes that depend on both. */
function datagram(n: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (n * 31 + i * 7) & 0xff;
  if (size >= 4) new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
}

const hex = (bytes: Uint8Array) =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

function fdCount(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

async function sender(): Promise<{ socket: dgram.Socket; port: number }> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((ok) => socket.bind(0, "127.0.0.1", () => ok()));
  return { socket, port: socket.address().port };
}

function send(socket: dgram.Socket, bytes: Uint8Array, port: number) {
  return new Promise((ok) => socket.send(bytes, port, "127.0.0.1", ok));
}

async function until(done: () => boolean): Promise<void> {
  for (let tries = 0; !done(); tries++) {
    if (tries > 2000) throw new Error("Timed out waiting");
    await new Promise((ok) => setTimeout(ok, 2));
  }
}

/** Sizes at the boundaries: empty, tiny, around MoldUDP64's 1,420 bytes, the slot's 2,048. */
const SIZES = [0, 1, 20, 1419, 1420, 1421, 2047, 2048];

for (const transport of TRANSPORTS) {
  Deno.test(`openDatagramReceiver() ${transport}: every datagram's bytes, in order, with the sender's port`, async () => {
    const got: [string, number][] = [];
    const receiver = await openDatagramReceiver({
      transport,
      receiveBufferBytes: 4 << 20,
      idlePollMs: 8,
      onDatagram: (bytes, port) => got.push([hex(bytes), port]),
    });
    if (transport === "auto") assert.equal(receiver.kind, "recvmmsg");
    else assert.equal(receiver.kind, "node:dgram: forced");
    // With recvmmsg(2), 600 datagrams in one sendmmsg(2) call: more than a batch (256)
    // per poll. node:dgram's socket keeps the kernel's default receive buffer under Deno
    // 2.9.6 whatever `receiveBufferBytes` says (about 95 such datagrams): bursts of 50.
    const burst = openDatagramSender({
      destination: { hostname: "127.0.0.1", port: receiver.port },
    });
    assert.equal(burst.kind, "sendmmsg");
    const sent: string[] = [];
    const perBurst = transport === "auto" ? 600 : 50;
    for (let n = 0; n < 600; n++) {
      const bytes = datagram(n, SIZES[n % SIZES.length]!);
      sent.push(hex(bytes));
      burst.queue(bytes);
      if ((n + 1) % perBurst === 0) {
        burst.flush();
        await until(() => got.length >= n + 1);
      }
    }
    await burst.close();
    assert.deepEqual(got.map(([bytes]) => bytes), sent);
    const ports = new Set(got.map(([, port]) => port));
    assert.equal(ports.size, 1);
    // And one from a socket whose port is known.
    const from = await sender();
    await send(from.socket, datagram(600, 3), receiver.port);
    await until(() => got.length > sent.length);
    assert.deepEqual(got.slice(600), [[hex(datagram(600, 3)), from.port]]);
    assert.notEqual(from.port, [...ports][0]);
    assert.equal(receiver.datagrams, 601);
    assert.equal(receiver.truncated, 0);
    await receiver.close();
    from.socket.close();
  });

  Deno.test(`openDatagramReceiver() ${transport}: closing leaves no descriptor open`, async () => {
    const before = fdCount();
    const receiver = await openDatagramReceiver({
      transport,
      onDatagram: () => {},
    });
    assert.equal(fdCount(), before + 1);
    await receiver.close();
    assert.equal(fdCount(), before);
  });
}

Deno.test("DatagramReceiver.receive() takes nothing from an empty socket (EAGAIN), then what arrived", async () => {
  const from = await sender();
  const got: string[] = [];
  const receiver: DatagramReceiver = await openDatagramReceiver({
    pollMs: 0,
    batch: 4,
    onDatagram: (bytes) => got.push(hex(bytes)),
  });
  assert.equal(receiver.kind, "recvmmsg");
  assert.equal(receiver.receive(), 0);
  assert.equal(receiver.receive(), 0);
  assert.deepEqual(got, []);
  // Ten datagrams: three calls of at most 4, taken in one receive().
  for (let n = 0; n < 10; n++) {
    await send(from.socket, datagram(n, 8), receiver.port);
  }
  await new Promise((ok) => setTimeout(ok, 20));
  assert.equal(receiver.receive(), 10);
  assert.deepEqual(got, [...Array(10).keys()].map((n) => hex(datagram(n, 8))));
  assert.equal(receiver.receive(), 0);
  assert.equal(receiver.datagrams, 10);
  await receiver.close();
  assert.equal(receiver.receive(), 0);
  from.socket.close();
});

Deno.test("DatagramReceiver.receive() drops a datagram longer than maxDatagramBytes and says so", async () => {
  const from = await sender();
  const got: string[] = [];
  const errors: string[] = [];
  const receiver = await openDatagramReceiver({
    pollMs: 0,
    maxDatagramBytes: 16,
    onDatagram: (bytes) => got.push(hex(bytes)),
    onError: (error) => errors.push(`${error.name}: ${error.message}`),
  });
  await send(from.socket, datagram(1, 16), receiver.port);
  await send(from.socket, datagram(2, 17), receiver.port);
  await send(from.socket, datagram(3, 1), receiver.port);
  await new Promise((ok) => setTimeout(ok, 20));
  assert.equal(receiver.receive(), 3);
  assert.deepEqual(got, [hex(datagram(1, 16)), hex(datagram(3, 1))]);
  assert.deepEqual(errors, [
    `RangeError: Cannot take a datagram longer than 16 bytes from port ${from.port}: dropped`,
  ]);
  assert.equal(receiver.truncated, 1);
  assert.equal(receiver.datagrams, 2);
  await receiver.close();
  from.socket.close();
});

Deno.test("openDatagramReceiver() says why it cannot bind a port in use", async () => {
  const first = await openDatagramReceiver({ onDatagram: () => {} });
  for (const transport of TRANSPORTS) {
    await assert.rejects(
      openDatagramReceiver({
        transport,
        port: first.port,
        onDatagram: () => {},
      }),
      transport === "auto"
        ? {
          message: new RegExp(
            `^Cannot bind to 127\\.0\\.0\\.1:${first.port}: EADDRINUSE \\(98\\)$`,
          ),
        }
        : /EADDRINUSE/,
    );
  }
  await first.close();
});
