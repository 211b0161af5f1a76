/**
 * Failed-login throttling in a real `ouch server` process: one throttle for the OUCH port,
 * the ITCH feed and the web page, per address (the test binds 127.0.0.2 as a second one).
 *
 * @module
 */
import assert from "node:assert/strict";
import net from "node:net";
import { encodePacket } from "../../lib/codec/soupbintcp.ts";
import { spawnServer } from "./_process.ts";

/**
 * Logs in over SoupBinTCP from `localAddress` and returns the answer's packet type: `A`
 * (Login Accepted) or `J` (Login Rejected) followed by its reason.
 */
function soupLogin(
  port: number,
  username: string,
  password: string,
  localAddress = "127.0.0.1",
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    let bytes = new Uint8Array(0);
    socket.on("connect", () => {
      socket.write(encodePacket({
        type: "loginRequest",
        username,
        password,
        requestedSession: "",
        requestedSequenceNumber: 1,
      }));
    });
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(bytes.length + chunk.length);
      joined.set(bytes);
      joined.set(chunk, bytes.length);
      bytes = joined;
      if (bytes.length >= 3) {
        const type = String.fromCharCode(bytes[2]!);
        if (type === "A") {
          socket.destroy();
          resolve("A");
        } else if (type === "J" && bytes.length >= 4) {
          socket.destroy();
          resolve(`J${String.fromCharCode(bytes[3]!)}`);
        } else if (type !== "H") {
          socket.destroy();
          reject(new Error(`unexpected packet ${type}`));
        } else {
          bytes = bytes.subarray(3); // a heartbeat before the answer
        }
      }
    });
    socket.on("error", reject);
  });
}

/** Logs in on the page's WebSocket; resolves with the login answer. */
async function webLogin(
  address: string,
  username: string,
  password: string,
): Promise<{ ok: boolean; error?: string }> {
  const socket = new WebSocket(`ws://${address}/ws`, {
    headers: { origin: `http://${address}` },
  });
  try {
    return await new Promise((resolve, reject) => {
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data));
        if (message.type === "snapshot") {
          socket.send(JSON.stringify({ type: "login", username, password }));
        } else if (message.type === "login") {
          resolve(message);
        }
      };
      socket.onerror = () => reject(new Error("WebSocket failed"));
    });
  } finally {
    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;
  }
}

Deno.test("ouch server throttles failed logins per address across the OUCH port, the ITCH feed and the page; another address and the end of the lockout log in", async () => {
  const server = await spawnServer(
    ["--no-journal", "--user", "alice:pw-a", "--user", "bob:pw-b"],
    { command: ["server", "--port", "0", "--display", "quiet"] },
  );
  try {
    const itch = Number(
      (await server.waitFor(/itch feed listening on 127\.0\.0\.1:(\d+)/))
        .split(":").pop(),
    );
    const web = (await server.waitFor(/web page: http:\/\/(\S+)\//))
      .replace(/^web page: http:\/\//, "").replace(/\/$/, "");
    // Four wrong passwords on the feed and one on the OUCH port: five from 127.0.0.1.
    for (let i = 0; i < 4; i++) {
      assert.equal(await soupLogin(itch, "alice", `guess${i}`), "JA");
    }
    assert.equal(await soupLogin(server.port, "bob", "guess4"), "JA");
    // Locked for a second: the right passwords are refused, as if wrong, everywhere.
    assert.equal(await soupLogin(server.port, "alice", "pw-a"), "JA");
    assert.equal(await soupLogin(itch, "alice", "pw-a"), "JA");
    assert.deepEqual(await webLogin(web, "alice", "pw-a"), {
      type: "login",
      ok: false,
      error: 'Cannot log in as "alice": wrong username or password',
    });
    // Another address is not locked.
    assert.equal(
      await soupLogin(server.port, "alice", "pw-a", "127.0.0.2"),
      "A",
    );
    await server.waitFor(
      /login throttle: 5 failed logins; logins from 127\.0\.0\.1 refused for 1 s/,
    );
    // Refused attempts do not extend the lock: once it ends, the right password works.
    const deadline = Date.now() + 10_000;
    let answer = await soupLogin(server.port, "bob", "pw-b");
    while (answer !== "A" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await soupLogin(server.port, "bob", "pw-b");
    }
    assert.equal(answer, "A");
  } finally {
    await server.stop();
  }
});

Deno.test("ouch server --login-throttle off checks every password", async () => {
  const server = await spawnServer([
    "--no-journal",
    "--user",
    "alice:pw-a",
    "--login-throttle",
    "off",
  ]);
  try {
    for (let i = 0; i < 12; i++) {
      assert.equal(await soupLogin(server.port, "alice", `guess${i}`), "JA");
    }
    assert.equal(await soupLogin(server.port, "alice", "pw-a"), "A");
    assert.doesNotMatch(server.output(), /login throttle/);
  } finally {
    await server.stop();
  }
});
