import assert from "node:assert/strict";
import {
  decodeServerPacket,
  encodePacket,
} from "../../lib/codec/soupbintcp.ts";
import { spawnServer } from "./_process.ts";

/** Logs in as demo1 on a new connection; the first packet's type, or `null` at a timeout. */
async function login(port: number, timeoutMs: number): Promise<string | null> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await conn.write(encodePacket({
      type: "loginRequest",
      username: "demo1",
      password: "demo",
      requestedSession: "",
      requestedSequenceNumber: 0,
    }));
    const header = new Uint8Array(64);
    const read = await conn.read(header).catch(() => null);
    if (read === null || read < 3) return null;
    const length = (header[0]! << 8) | header[1]!;
    return decodeServerPacket(header[2]!, header.subarray(3, 2 + length)).type;
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed by the timer
    }
  }
}

Deno.test({
  name:
    "ouch server survives the descriptor limit: accept errors are reported and new logins work once descriptors are free (issue #11 item 1)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const server = await spawnServer(["--no-journal"], { nofile: 64 });
    const held: Deno.TcpConn[] = [];
    try {
      assert.equal(await login(server.port, 5_000), "loginAccepted");
      // More connections than the server has descriptors: accept() fails with EMFILE.
      for (let i = 0; i < 80; i++) {
        held.push(
          await Deno.connect({ hostname: "127.0.0.1", port: server.port }),
        );
      }
      await server.waitFor(/Cannot accept a connection: .*open files/i);
      for (const conn of held.splice(0)) conn.close();
      // The listener backed off and carries on: a login is answered again.
      let answer: string | null = null;
      for (let tries = 0; tries < 20 && answer === null; tries++) {
        answer = await login(server.port, 2_000);
      }
      assert.equal(answer, "loginAccepted", server.output());
    } finally {
      for (const conn of held) conn.close();
      await server.stop();
    }
  },
});
