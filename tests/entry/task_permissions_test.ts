import assert from "node:assert/strict";
import dgram from "node:dgram";

const ROOT = new URL("../..", import.meta.url).pathname;

/** The permission flags of a `deno.json` task (`--allow-*`), as a user's `deno task` gets them. */
async function taskPermissions(name: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const command: string = config.tasks[name].command;
  return command.split(/\s+/).filter((word) => word.startsWith("--allow-"));
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket("udp4");
  await new Promise<void>((resolve) =>
    socket.bind(0, "127.0.0.1", () => resolve())
  );
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

Deno.test("deno task server and deno task client have the permissions they need (no prompt, no refusal): a server with a journal sends MoldUDP64, the client reads it", async () => {
  const moldPort = await freeUdpPort();
  const dir = await Deno.makeTempDir({ prefix: "ouch-task-permissions-" });
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...await taskPermissions("server"),
      "main.ts",
      "server",
      "--port",
      "0",
      "--no-http",
      "--journal",
      dir,
      "--display",
      "quiet",
      "--mold",
      `127.0.0.1:${moldPort}`,
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let text = "";
  const pumping = (async () => {
    for await (
      const chunk of server.stdout.pipeThrough(new TextDecoderStream())
    ) text += chunk;
  })();
  const errors = new Response(server.stderr).text();
  try {
    const deadline = Date.now() + 20_000;
    while (
      !/itch snapshot listening on 127\.0\.0\.1:\d+/.test(text) ||
      !/itch moldudp64/.test(text)
    ) {
      assert.ok(Date.now() < deadline, `the server did not start:\n${text}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // --allow-ffi: the datagrams go through sendmmsg(2), not node:dgram.
    assert.match(text, /itch moldudp64 to 127\.0\.0\.1:\d+.* \(sendmmsg\)/);
    const snapshotPort = text.match(
      /itch snapshot listening on 127\.0\.0\.1:(\d+)/,
    )![1]!;
    const client = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...await taskPermissions("client"),
        "main.ts",
        "client",
        "--itch",
        "--snapshot-port",
        snapshotPort,
        "--mold",
        `127.0.0.1:${moldPort}`,
        "--duration",
        "2",
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const out = new TextDecoder().decode(client.stdout);
    assert.equal(client.code, 0, new TextDecoder().decode(client.stderr));
    assert.match(out, /joined by snapshot at sequence \d+/);
    assert.match(out, /moldudp64: [1-9]\d* datagrams/); // heartbeats at least
  } finally {
    server.kill("SIGTERM");
    await server.status;
    await pumping;
    const err = await errors;
    // The journal lock names this machine (the sys permission "hostname").
    const lock = JSON.parse(await Deno.readTextFile(`${dir}/LOCK`));
    await Deno.remove(dir, { recursive: true });
    assert.doesNotMatch(err, /access|NotCapable/i);
    assert.equal(lock.host, Deno.hostname());
  }
});
