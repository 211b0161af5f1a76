/**
 * SIGSTOP of a real `ouch engine` process while clients stream orders through two
 * `ouch gateway` processes (every account logged in on both): the standby takes over, the
 * stalled engine is continued (a zombie), and afterwards every account's stream is gapless,
 * holds every order exactly once, and is the same bytes on both hosts. Runs under
 * `deno task test:cluster` (`OUCH_NATS_CLUSTER=1`): about 20 s.
 *
 * @module
 */
import assert from "node:assert/strict";
import { encodeMessage } from "../../lib/codec/mod.ts";
import { enterOrder } from "../_fixtures.ts";
import type { Received, TestClient } from "../server/_harness.ts";
import type { ServerProcess } from "../server/_process.ts";
import {
  connectClient,
  keepClientsAlive,
  spawnEngineProcess,
  spawnGatewayProcess,
  type Venue,
} from "./_cluster_processes.ts";
import { startNats } from "./_nats_harness.ts";

const CLUSTER = Deno.env.get("OUCH_NATS_CLUSTER") === "1";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** "SEQ TYPE TOKEN" of each message. */
function lines(received: Received[]): string[] {
  return received.map(({ sequenceNumber, message }) =>
    `${sequenceNumber} ${message.type}${
      "orderToken" in message ? ` ${message.orderToken}` : ""
    }`
  );
}

/** Each message's bytes as sent on the wire (hex), with its sequence number. */
function wire(received: Received[]): string[] {
  return received.map(({ sequenceNumber, message }) =>
    `${sequenceNumber} ${
      Array.from(encodeMessage(message), (b) => b.toString(16).padStart(2, "0"))
        .join("")
    }`
  );
}

Deno.test({
  name:
    "ouch engine SIGSTOP while clients stream orders through two ouch gateway processes: the standby takes over within 10 s (from a snapshot), SIGCONT makes the old one exit; no order lost or doubled, every stream gapless and the same bytes on both hosts, resting orders cancelable",
  ignore: !CLUSTER,
  async fn() {
    await using nats = await startNats();
    const venue: Venue = {
      servers: nats.servers.join(","),
      prefix: "stop",
      accounts: ["--user", "alice:pw-a", "--user", "bob:pw-b"],
      replicas: 1,
    };
    const processes: ServerProcess[] = [];
    const clients: TestClient[] = [];
    const stopHeartbeats = keepClientsAlive(clients);
    let streaming = true;
    let streamer: Promise<void> = Promise.resolve();
    try {
      const engines = await Promise.all(
        ["e1", "e2"].map((id) =>
          spawnEngineProcess(venue, id, ["--snapshot-records", "50"])
        ),
      );
      processes.push(...engines);
      const gw1 = await spawnGatewayProcess(venue, "gw1");
      processes.push(gw1);
      const gw2 = await spawnGatewayProcess(venue, "gw2");
      processes.push(gw2);
      const first = await Promise.race(
        engines.map((e) => e.waitFor(/engine e\d: active/).then(() => e)),
      );
      const other = engines.find((e) => e !== first)!;
      const [firstId, otherId] = [first, other].map((e) =>
        e.output().match(/engine (e\d): standing by/)![1]!
      );

      const connect = async (port: number, name: string) => {
        const client = await connectClient(port, name, `pw-${name[0]}`);
        clients.push(client);
        assert.equal(typeof client.loginResult, "object", name);
        return client;
      };
      // Alice sends through gw1, Bob through gw2; each is mirrored on the other host.
      const alice1 = await connect(gw1.port, "alice");
      const alice2 = await connect(gw2.port, "alice");
      const bob2 = await connect(gw2.port, "bob");
      const bob1 = await connect(gw1.port, "bob");

      // When each answer reached a sender (polled every few ms): Alice's, and both's.
      const aliceAt: number[] = [];
      const answers: number[] = [];
      const watcher = setInterval(() => {
        const now = performance.now();
        while (aliceAt.length < alice1.received.length) aliceAt.push(now);
        const count = alice1.received.length + bob2.received.length;
        while (answers.length < count) answers.push(now);
      }, 2);

      const sent = { alice: 0, bob: 0 };
      streamer = (async () => {
        while (streaming) {
          const a = ++sent.alice;
          await alice1.send(enterOrder(a, { price: 20000 - (a % 50) * 10 }));
          const b = ++sent.bob;
          await bob2.send(
            enterOrder(b, {
              buySellIndicator: "S",
              price: 26000 + (b % 50) * 10,
            }),
          );
          await sleep(15);
        }
      })();
      await alice1.messages(60, 20_000);
      await first.waitFor(/snapshot at record \d+ stored/, 20_000);

      const stopped = performance.now();
      first.signal("SIGSTOP");
      await other.waitFor(
        new RegExp(`engine ${otherId}: active, epoch \\d+`),
        20_000,
      );
      const takeOver = performance.now() - stopped;
      assert.ok(takeOver < 10_000, `took over after ${takeOver} ms`);
      const recovered = await other.waitFor(
        new RegExp(`engine ${otherId}: recovered [^\\n]*`),
      );
      assert.match(recovered, /from the snapshot at record \d+/);
      const before = alice1.received.length;
      await alice1.messages(before + 20, 20_000);

      first.signal("SIGCONT");
      await first.waitFor(
        new RegExp(`engine ${firstId}: exiting: [^\\n]*`),
        20_000,
      );
      const status = await first.stop(null);
      processes.splice(processes.indexOf(first), 1);
      assert.equal(status.code, 3, first.output());
      await sleep(500); // streaming goes on after the zombie left
      streaming = false;
      await streamer;
      clearInterval(watcher);

      // Every order answered exactly once, in order, with gapless sequence numbers.
      const expect = (count: number) => [
        "1 systemEvent",
        ...Array.from(
          { length: count },
          (_, i) => `${i + 2} orderAccepted ${i + 1}`,
        ),
      ];
      await alice1.messages(sent.alice + 1, 20_000);
      await bob2.messages(sent.bob + 1, 20_000);
      await alice2.messages(sent.alice + 1, 20_000);
      await bob1.messages(sent.bob + 1, 20_000);
      await sleep(300); // nothing more may come
      assert.deepEqual(lines(alice1.received), expect(sent.alice));
      assert.deepEqual(lines(bob2.received), expect(sent.bob));
      // The same bytes on both hosts.
      assert.deepEqual(wire(alice2.received), wire(alice1.received));
      assert.deepEqual(wire(bob1.received), wire(bob2.received));

      // Resting orders of before the stall, of the stall and of after it: cancelable.
      // received[i] is the Accepted of token i (after the day's start at 0).
      const stallToken = aliceAt.findIndex((at) => at > stopped);
      assert.ok(
        stallToken > 1 && stallToken < sent.alice,
        `first token answered after the stop: ${stallToken}`,
      );
      const tokens = [1, stallToken, sent.alice];
      await alice1.send(
        ...tokens.map((orderToken) => ({
          type: "cancelOrder" as const,
          orderToken,
          quantity: 0,
        })),
      );
      await alice2.messages(sent.alice + 4, 10_000);
      await alice1.messages(sent.alice + 4, 10_000);
      assert.deepEqual(
        lines(alice2.received).slice(sent.alice + 1),
        tokens.map((token, i) =>
          `${sent.alice + 2 + i} orderCanceled ${token}`
        ),
      );
      assert.deepEqual(wire(alice1.received), wire(alice2.received));

      // The longest wait for an answer around the stall.
      let stall = 0;
      for (let i = 1; i < answers.length; i++) {
        if (answers[i]! > stopped) {
          stall = Math.max(stall, answers[i]! - answers[i - 1]!);
        }
      }
      // deno-lint-ignore no-console
      console.log(
        `SIGSTOP of the active engine: take-over after ${
          Math.round(takeOver)
        } ms, longest stall (last answer before to first answer after) ${
          Math.round(stall)
        } ms; ${recovered}; ${
          sent.alice + sent.bob
        } orders; the zombie after SIGCONT: ${
          first.output().split("\n").filter((line) =>
            /stopped writing|standing by \(|exiting/.test(line)
          ).join(" | ")
        }`,
      );
    } finally {
      streaming = false;
      await streamer.catch(() => {});
      stopHeartbeats();
      await Promise.all(clients.map((client) => client.close()));
      for (const process of processes.reverse()) {
        try {
          process.signal("SIGCONT");
        } catch {
          // already gone
        }
        await process.stop();
      }
    }
  },
});
