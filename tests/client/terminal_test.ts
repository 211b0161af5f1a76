/**
 * The client in a real terminal: `main.ts client` runs in a tmux pane (a pseudo-terminal)
 * against a server process, keys go in with `send-keys`, and the assertions read the
 * screen with `capture-pane`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type ServerProcess, spawnServer } from "../server/_process.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SEED = new URL("../../test_inputs/client_1.json", import.meta.url)
  .pathname;

/** Why tmux cannot run here, or `undefined` when it can. */
async function tmuxBlocker(): Promise<string | undefined> {
  try {
    const { success } = await new Deno.Command("tmux", {
      args: ["-V"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success ? undefined : "tmux -V failed";
  } catch {
    return "tmux is not installed";
  }
}

const blocker = await tmuxBlocker();
let sessions = 0;

/** One tmux server of its own (`-L`) with one pane running a command. */
class Pane {
  readonly #socket: string;
  readonly #config: string;
  #socketPath = "";

  private constructor(socket: string, config: string) {
    this.#socket = socket;
    this.#config = config;
  }

  /** Starts `command` (a shell command line) in a `columns`×`rows` pane. */
  static async start(
    command: string,
    columns = 140,
    rows = 40,
  ): Promise<Pane> {
    const socket = `ouch-test-${Deno.pid}-${++sessions}`;
    const config = await Deno.makeTempFile({ suffix: ".tmux.conf" });
    // The pane stays after the command exits, so that its last screen and status can be read.
    await Deno.writeTextFile(config, "set -g remain-on-exit on\n");
    const pane = new Pane(socket, config);
    await pane.#tmux(
      "-f",
      config,
      "new-session",
      "-d",
      "-s",
      "main",
      "-x",
      String(columns),
      "-y",
      String(rows),
      "-c",
      ROOT,
      // NO_COLOR may be set for the test run; the client must see a colour terminal. The
      // exit status is printed by the shell: tmux may see the pane's end before it reaps
      // the process, and then never shows a status. Bash carries on after a Ctrl-C that
      // its child caught.
      "bash",
      "-c",
      `env -u NO_COLOR ${command}; echo "exit status $?"`,
    );
    pane.#socketPath = (await pane.#tmux(
      "display-message",
      "-p",
      "#{socket_path}",
    )).trim();
    return pane;
  }

  /** Sends tmux key names (`Enter`, `Up`, `C-c`…). */
  async keys(...keys: string[]): Promise<void> {
    await this.#tmux("send-keys", "-t", "main", ...keys);
  }

  /** Types text literally. */
  async type(text: string): Promise<void> {
    await this.#tmux("send-keys", "-t", "main", "-l", text);
  }

  /** The screen as text; with `escapes`, with its colour sequences. */
  async screen(escapes = false): Promise<string> {
    return await this.#tmux(
      "capture-pane",
      "-p",
      "-J",
      ...(escapes ? ["-e"] : []),
      "-t",
      "main",
    );
  }

  /** Waits until the screen matches, and returns it. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const screen = await this.screen();
      if (pattern.test(screen)) return screen;
      if (performance.now() > deadline) {
        throw new Error(`The screen never matched ${pattern}:\n${screen}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for the command to exit and returns its exit status. */
  async exitStatus(timeoutMs = 20_000): Promise<number> {
    const screen = await this.waitFor(/^exit status \d+$/m, timeoutMs);
    return Number(/^exit status (\d+)$/m.exec(screen)![1]);
  }

  /** Stops this tmux server (and the command, if it still runs) and removes its files. */
  async close(): Promise<void> {
    await this.#tmux("kill-server").catch(() => {});
    await Deno.remove(this.#config).catch(() => {});
    if (this.#socketPath !== "") {
      await Deno.remove(this.#socketPath).catch(() => {});
    }
  }

  async #tmux(...args: string[]): Promise<string> {
    const { success, stdout, stderr } = await new Deno.Command("tmux", {
      args: ["-L", this.#socket, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    if (!success) {
      throw new Error(`tmux ${args.join(" ")}: ${decoder.decode(stderr)}`);
    }
    return decoder.decode(stdout);
  }
}

/**
 * Starts a server (`--display debug`, so that it logs how sessions end) and the client
 * with `args` in a pane, as a newcomer starts it; runs `fn`, then stops both.
 */
async function inTerminal(
  args: string[],
  fn: (pane: Pane, server: ServerProcess) => Promise<void>,
): Promise<void> {
  const server = await spawnServer(["--no-journal", "--display", "debug"]);
  const pane = await Pane.start(
    `${Deno.execPath()} run -A main.ts client --port ${server.port} ${
      args.join(" ")
    }`,
  );
  try {
    await fn(pane, server);
  } finally {
    await pane.close();
    await server.stop();
  }
}

const ignored = blocker === undefined ? "" : ` (ignored: ${blocker})`;

Deno.test({
  name:
    `main.ts client in a terminal: prompt marker, colours, arrow keys and Ctrl-C${ignored}`,
  ignore: blocker !== undefined,
  fn: () =>
    inTerminal([], async (pane, server) => {
      await pane.waitFor(/^ouch> $/m);
      await pane.type("buy 100 7203 @ 2300");
      await pane.keys("Enter");
      await pane.waitFor(/^recv seq 2 +A orderAccepted +timestamp=/m);
      const colours = await pane.screen(true);
      assert.ok(colours.includes("\x1b[32mA orderAccepted"), "green Accepted");
      assert.ok(colours.includes("\x1b[36mO enterOrder"), "cyan sent message");

      // Up recalls the line; Backspace edits its end.
      await pane.keys("Up");
      await pane.waitFor(/^ouch> buy 100 7203 @ 2300$/m);
      await pane.keys("BSpace", "BSpace", "BSpace", "BSpace");
      await pane.type("2301");
      await pane.keys("Enter");
      await pane.waitFor(/^sent +O enterOrder +orderToken=2 .*price=2301\.0 /m);

      // Home and Right move the cursor; Delete removes under it.
      await pane.keys("Up", "Home", "Right", "Right", "Right", "Right");
      await pane.keys("Delete", "Delete", "Delete");
      await pane.type("500");
      await pane.waitFor(/^ouch> buy 500 7203 @ 2301$/m);
      await pane.keys("Enter");
      await pane.waitFor(/^sent +O enterOrder +orderToken=3 .*quantity=500 /m);
      await pane.waitFor(/^recv seq 4 +A orderAccepted .*orderToken=3 /m);
      const screen = await pane.screen();
      assert.doesNotMatch(screen, /\^\[\[/, "no raw escape sequence shown");

      await pane.keys("C-c");
      assert.equal(await pane.exitStatus(), 130);
      assert.match(
        await pane.screen(),
        /^ouch> \^C\ninterrupted: logging out with 3 orders open\nlogged out\nexit status 130$/m,
      );
      await server.waitFor(/\(demo1\) closed: logout/);
    }),
});

Deno.test({
  name:
    `main.ts client FILE in a terminal: Ctrl-C at the Enter prompt reports and logs out${ignored}`,
  ignore: blocker !== undefined,
  fn: () =>
    inTerminal([SEED, "--wait", "300"], async (pane, server) => {
      await pane.waitFor(/^next action 1 .*\[Enter: send, q: stop\]$/m);
      await pane.keys("Enter");
      await pane.waitFor(/^next action 2 /m);
      await pane.keys("C-c");
      assert.equal(await pane.exitStatus(), 130);
      const screen = await pane.screen();
      assert.match(screen, /^\^C\nPASS action 1 +got accepted$/m);
      assert.match(screen, /^---- action 7 +not sent$/m);
      assert.match(
        screen,
        /^interrupted: 7 actions, 1 sent: 1 passed, 0 failed, 6 not sent, 0 without expectations\ninterrupted: logging out with 1 order open\nlogged out$/m,
      );
      await server.waitFor(/\(demo1\) closed: logout/);
    }),
});

Deno.test({
  name:
    `main.ts client --load in a terminal draws its progress bar in place${ignored}`,
  ignore: blocker !== undefined,
  fn: () =>
    inTerminal(
      ["--load", "--count", "4000", "--rate", "1000"],
      async (pane) => {
        const screen = await pane.waitFor(/\] +[1-9]\d*% /);
        assert.equal(
          screen.split("\n").filter((line) => /\] +\d+% /.test(line)).length,
          1,
          `one progress line, redrawn in place:\n${screen}`,
        );
        assert.equal(await pane.exitStatus(), 0);
        assert.doesNotMatch(
          await pane.screen(),
          /\] +\d+% /,
          "the bar is gone once the report is out",
        );
      },
    ),
});
