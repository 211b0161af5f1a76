import assert from "node:assert/strict";
import { JournalLock, LOCK_FILE } from "../../lib/server/journal_lock.ts";
import { runMain, spawnServer } from "../server/_process.ts";

Deno.test("A second ouch server on the same journal directory is refused, naming the directory and the holder (issue #12 item 3)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-lock-" });
  const first = await spawnServer(["--journal", dir]);
  try {
    const second = await runMain([
      "server",
      "--port",
      "0",
      "--no-http",
      "--display",
      "quiet",
      "--journal",
      dir,
    ]);
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(
        `Cannot use the journal directory "${dir}": another ouch server is using it \\(PID \\d+ on [^,]+, started \\d{4}-\\d\\d-\\d\\dT[^)]+\\)\\. Stop that server, or give this one another --journal DIR`,
      ),
    );
    // The first one lost nothing and carries on; once it stops, the directory is free.
    assert.equal((await first.stop("SIGTERM")).code, 0);
    const third = await spawnServer(["--journal", dir]);
    await third.waitFor(/recovered/);
    assert.equal((await third.stop("SIGTERM")).code, 0);
  } finally {
    await first.stop("SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("The journal lock dies with its process: a kill -9 leaves no stale lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ouch-lock-" });
  try {
    const first = await spawnServer(["--journal", dir]);
    await first.stop("SIGKILL");
    // The lock file is still there, with the dead holder in it, but the lock is free.
    assert.match(await Deno.readTextFile(`${dir}/${LOCK_FILE}`), /"pid":\d+/);
    const lock = await JournalLock.acquire(dir, Date.UTC(2026, 10, 28));
    assert.match(
      await Deno.readTextFile(`${dir}/${LOCK_FILE}`),
      new RegExp(`"pid":${Deno.pid},.*"started":"2026-11-28T00:00:00.000Z"`),
    );
    lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ouch server on a port in use says which address and which flag to change", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const result = await runMain([
      "server",
      "--port",
      String(port),
      "--no-http",
      "--no-journal",
      "--display",
      "quiet",
    ]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      new RegExp(
        `Cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use \\(another ouch server\\?\\); give --port PORT, or --port 0 for a free one`,
      ),
    );
  } finally {
    listener.close();
  }
});
