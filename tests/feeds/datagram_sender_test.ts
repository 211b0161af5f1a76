import assert from "node:assert/strict";
import dgram from "node:dgram";
import {
  type DatagramSender,
  type DatagramSenderOptions,
  openDatagramSender,
} from "../../lib/feeds/datagram_sender.ts";
import { until } from "./_itch_decoder.ts";

const TRANSPORTS = ["auto", "node:dgram"] as const;
const GROUP = "239.255.42.99";

/** A socket that keeps every datagram it receives, in order. */
async function sink(
  group?: string,
): Promise<{ socket: dgram.Socket; port: number; got: Uint8Array[] }> {
  const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
  await new Promise<void>((resolve) =>
    socket.bind(
      0,
      group === undefined ? "127.0.0.1" : undefined,
      () => resolve(),
    )
  );
  if (group !== undefined) socket.addMembership(group, "127.0.0.1");
  const got: Uint8Array[] = [];
  socket.on("message", (bytes) => got.push(new Uint8Array(bytes)));
  return { socket, port: socket.address().port, got };
}

function close(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** Datagram `n` of `size` bytes: its number, then bytes that depend on both. */
function datagram(n: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (n * 31 + i * 7) & 0xff;
  if (size >= 4) new DataView(bytes.buffer).setUint32(0, n);
  return bytes;
}

const hex = (bytes: Uint8Array) =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

/** Sizes at the boundaries: empty, tiny, around MoldUDP64's 1,420 bytes, the UDP maximum. */
const SIZES = [0, 1, 20, 21, 1419, 1420, 1421, 8192, 65507];

async function open(
  options: DatagramSenderOptions,
): Promise<DatagramSender> {
  const sender = openDatagramSender(options);
  await sender.ready();
  return sender;
}

function fdCount(): number {
  return [...Deno.readDirSync("/proc/self/fd")].length;
}

Deno.test("openDatagramSender() sends every datagram byte for byte and in order on both paths, over many turns and at boundary sizes", async () => {
  const received: string[][] = [];
  for (const transport of TRANSPORTS) {
    const { socket, port, got } = await sink();
    const sender = await open({
      destination: { hostname: "127.0.0.1", port },
      transport,
    });
    assert.equal(
      sender.kind,
      transport === "auto" ? "sendmmsg" : "node:dgram: forced",
    );
    const sent: Uint8Array[] = [];
    try {
      let n = 0;
      for (let turn = 0; turn < 40; turn++) {
        // 1 to 6 datagrams a turn, at most one of 64 KiB (the receive buffer holds ~3).
        const count = 1 + turn % 6;
        for (let k = 0; k < count; k++) {
          const size = SIZES[(turn * 5 + k) % SIZES.length]!;
          const bytes = datagram(n++, size === 65507 && k > 0 ? 1400 : size);
          sent.push(bytes);
          sender.queue(bytes);
        }
        sender.flush();
        assert.equal(sender.pending, 0);
        await until(() => got.length === sent.length, `turn ${turn}`);
      }
      assert.deepEqual(got.map(hex), sent.map(hex));
      assert.equal(sender.failed, 0);
      received.push(got.map(hex));
    } finally {
      await sender.close();
      await close(socket);
    }
  }
  assert.deepEqual(received[0], received[1]);
});

Deno.test("openDatagramSender() sends to a multicast group joined on the loopback interface on both paths", async () => {
  for (const transport of TRANSPORTS) {
    const { socket, port, got } = await sink(GROUP);
    const sender = await open({
      destination: { hostname: GROUP, port },
      transport,
    });
    const sent = [1, 1420, 20, 700].map((size, n) => datagram(n, size));
    try {
      for (const bytes of sent) sender.queue(bytes);
      sender.flush();
      await until(() => got.length === sent.length, `multicast ${transport}`);
      assert.deepEqual(got.map(hex), sent.map(hex));
    } finally {
      await sender.close();
      await close(socket);
    }
  }
});

Deno.test("openDatagramSender() keeps what the kernel cannot take now (EAGAIN, a partial sendmmsg) and sends it first on the next turn, or on its own timer, losing nothing", async () => {
  const { socket, port, got } = await sink();
  // What the kernel may take in each call: 3 of the turn's, then nothing (EAGAIN), and so on.
  const admits = [3, 0, 1, 0, 0, 2, 0, 4, 0];
  const calls: number[] = [];
  const sender = await open({
    destination: { hostname: "127.0.0.1", port },
    sendBufferBytes: 4096,
    admit: (count) => {
      calls.push(count);
      return admits.shift() ?? count;
    },
  });
  assert.equal(sender.kind, "sendmmsg");
  const sent: Uint8Array[] = [];
  try {
    const turn = (count: number) => {
      for (let k = 0; k < count; k++) {
        const bytes = datagram(sent.length, 100 + sent.length);
        sent.push(bytes);
        sender.queue(bytes);
      }
      sender.flush();
    };
    turn(5); // 3 sent, then EAGAIN: 2 kept
    assert.equal(sender.pending, 2);
    turn(2); // 1 sent (a partial call), then EAGAIN: 3 kept
    assert.equal(sender.pending, 3);
    turn(0); // EAGAIN at once
    assert.equal(sender.pending, 3);
    turn(1); // 2 sent, then EAGAIN
    assert.equal(sender.pending, 2);
    assert.deepEqual(calls, [5, 2, 4, 3, 3, 4, 2]);
    // No next turn: the retry timer sends the 2 left.
    await until(() => got.length === sent.length, "every datagram");
    assert.equal(sender.pending, 0);
    assert.deepEqual(got.map(hex), sent.map(hex));
    assert.equal(sender.failed, 0);
  } finally {
    await sender.close();
    await close(socket);
  }
});

Deno.test("openDatagramSender() drops the oldest half of what waits when more than maxPending datagrams wait for a kernel that says EAGAIN, says so and counts them, and sends the rest in order", async () => {
  const { socket, port, got } = await sink();
  const errors: string[] = [];
  let kernelTakes = false;
  const sender = await openDatagramSender({
    destination: { hostname: "127.0.0.1", port },
    maxPending: 4,
    admit: (count) => kernelTakes ? count : 0,
    onError: (error) => errors.push(error.message),
  });
  const sent = [0, 1, 2, 3, 4, 5].map((n) => datagram(n, 10));
  try {
    for (const bytes of sent.slice(0, 5)) {
      sender.queue(bytes);
      sender.flush();
    }
    assert.deepEqual(errors, [
      "Cannot keep more than 4 datagrams waiting for the kernel: dropped the oldest 2",
    ]);
    assert.equal(sender.pending, 3);
    assert.equal(sender.failed, 2);
    kernelTakes = true;
    sender.queue(sent[5]!);
    sender.flush();
    assert.equal(sender.pending, 0);
    await until(() => got.length === 4, "the four kept");
    assert.deepEqual(got.map(hex), sent.slice(2).map(hex));
  } finally {
    await sender.close();
    await close(socket);
  }
});

Deno.test("openDatagramSender() reports a datagram the kernel refuses (EMSGSIZE), drops it alone and sends the others in order", async () => {
  const { socket, port, got } = await sink();
  const errors: string[] = [];
  const sender = await open({
    destination: { hostname: "127.0.0.1", port },
    onError: (error) => errors.push(error.message),
  });
  try {
    const sent = [datagram(0, 10), datagram(1, 65508), datagram(2, 30)];
    for (const bytes of sent) sender.queue(bytes);
    sender.flush();
    assert.deepEqual(errors, [
      `Cannot send a 65508-byte datagram to 127.0.0.1:${port}: EMSGSIZE (90)`,
    ]);
    assert.equal(sender.failed, 1);
    assert.equal(sender.pending, 0);
    await until(() => got.length === 2, "the other two");
    assert.deepEqual(got.map(hex), [hex(sent[0]!), hex(sent[2]!)]);
  } finally {
    await sender.close();
    await close(socket);
  }
});

Deno.test("openDatagramSender() on the sendmmsg path closes its socket on close(), and a closed sender sends nothing", async () => {
  const { socket, port, got } = await sink();
  const before = fdCount();
  const sender = await open({ destination: { hostname: "127.0.0.1", port } });
  assert.equal(sender.kind, "sendmmsg");
  assert.equal(fdCount(), before + 1);
  sender.queue(datagram(0, 5));
  sender.flush();
  await sender.close();
  assert.equal(fdCount(), before);
  sender.queue(datagram(1, 5));
  sender.flush();
  await sender.close();
  await until(() => got.length === 1, "the first datagram");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(got.map(hex), [hex(datagram(0, 5))]);
  await close(socket);
});

Deno.test("openDatagramSender() falls back to node:dgram and says why: without --allow-ffi, and for a destination that is not a dotted IPv4 address", async () => {
  const sender = await open({
    destination: { hostname: "localhost", port: 9 },
  });
  assert.equal(
    sender.kind,
    "node:dgram: localhost is not a dotted IPv4 address",
  );
  await sender.close();
  const module = new URL("../../lib/feeds/datagram_sender.ts", import.meta.url)
    .href;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      script,
      `import { openDatagramSender } from ${JSON.stringify(module)};
const sender = openDatagramSender({ destination: { hostname: "127.0.0.1", port: 9 } });
await sender.ready();
await Deno.stdout.write(new TextEncoder().encode(sender.kind));
await sender.close();
`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-net=127.0.0.1", script],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    assert.equal(
      new TextDecoder().decode(output.stdout),
      "node:dgram: no --allow-ffi",
    );
  } finally {
    await Deno.remove(script);
  }
});

Deno.test("openDatagramSender() sends datagrams written in place (begin, bytes, commit) byte for byte and in order on both paths, a datagram being written across flushes", async () => {
  for (const transport of TRANSPORTS) {
    const { socket, port, got } = await sink();
    const sender = await open({
      destination: { hostname: "127.0.0.1", port },
      transport,
    });
    const sent: Uint8Array[] = [];
    /** Writes datagram `n` in place; commits it unless told to leave it begun. */
    const write = (size: number, commit = true) => {
      const bytes = datagram(sent.length, size);
      const at = sender.begin(1420);
      sender.bytes.set(bytes, at);
      if (commit) {
        sender.commit(size);
        sent.push(bytes);
      }
      return () => {
        sender.commit(size);
        sent.push(bytes);
      };
    };
    try {
      for (let turn = 0; turn < 30; turn++) {
        for (let k = 0; k < turn % 4; k++) write(20 + (turn * 97 + k) % 1400);
        // The last one of the turn is still being written while the turn is sent.
        const finish = write(1 + turn * 47, false);
        sender.flush();
        assert.equal(sender.pending, 0);
        finish();
        if (turn % 3 === 0) sender.flush();
      }
      sender.flush();
      await until(() => got.length === sent.length, transport);
      assert.deepEqual(got.map(hex), sent.map(hex));
      assert.equal(sender.failed, 0);
    } finally {
      await sender.close();
      await close(socket);
    }
  }
});

Deno.test("openDatagramSender() on the sendmmsg path keeps order when what waits for the kernel wraps round its vector, outgrows it (thousands waiting), and a bigger datagram than its slots comes", async () => {
  const { socket, port, got } = await sink();
  /** How many more datagrams the kernel takes. */
  let budget = 0;
  const sender = await open({
    destination: { hostname: "127.0.0.1", port },
    admit: (count) => {
      const taken = Math.min(count, budget);
      budget -= taken;
      return taken;
    },
  });
  assert.equal(sender.kind, "sendmmsg");
  const sent: Uint8Array[] = [];
  const write = (size: number) => {
    const bytes = datagram(sent.length, size);
    sent.push(bytes);
    if (sent.length % 2 === 0) sender.queue(bytes);
    else {
      const at = sender.begin(size);
      sender.bytes.set(bytes, at);
      sender.commit(size);
    }
  };
  /** Lets the kernel take `count` more, and waits for them to arrive. */
  const take = async (count: number) => {
    budget = count;
    sender.flush();
    await until(() => got.length === sent.length - sender.pending, "taken");
  };
  try {
    // The kernel takes 50 of each turn's 60: what waits starts further on and wraps round.
    for (let turn = 0; turn < 12; turn++) {
      for (let k = 0; k < 60; k++) write(20 + (turn * 60 + k) % 300);
      await take(50);
      assert.equal(sender.pending, (turn + 1) * 10);
    }
    // Then nothing: 3,000 more wait, the vector grows under them, and one of 5,000 bytes.
    for (let k = 0; k < 3000; k++) write(20 + k % 100);
    write(5000);
    for (let k = 0; k < 10; k++) write(100 + k);
    await take(0);
    assert.equal(sender.pending, 120 + 3011);
    // The kernel takes them again, 100 at a time (the sink's buffer holds that many).
    while (sender.pending > 0) await take(100);
    assert.deepEqual(got.map(hex), sent.map(hex));
    assert.equal(sender.failed, 0);
  } finally {
    await sender.close();
    await close(socket);
  }
});
