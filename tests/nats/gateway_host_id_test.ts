/**
 * One live gateway per host id, with real `ouch engine` and `ouch gateway` processes on a
 * single-node NATS server: a second `ouch gateway --host-id gw1` next to a live gw1 refuses
 * and sends nothing; after kill -9 a restart with the id takes it and ends the old sessions
 * (cancel on disconnect); a gw1 SIGSTOPped while a new process took the id stops serving at
 * SIGCONT and sends nothing of what it received meanwhile.
 *
 * @module
 */
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { decodeInbound } from "../../lib/codec/mod.ts";
import {
  decodeGatewayCommand,
  decodeRecords,
  type GatewayCommand,
  venueNames,
} from "../../lib/nats/mod.ts";
import { enterOrder } from "../_fixtures.ts";
import type { Received, TestClient } from "../server/_harness.ts";
import {
  runMain,
  type ServerProcess,
  spawnServer,
} from "../server/_process.ts";
import {
  connectClient,
  keepClientsAlive,
  spawnEngineProcess,
  spawnGatewayProcess,
  type Venue,
} from "./_cluster_processes.ts";
import { connectTest, startNats } from "./_nats_harness.ts";

const ACCOUNTS = ["--user", "alice:pw-a", "--user", "bob:pw-b"];

function lines(received: Received[]): string[] {
  return received.map(({ sequenceNumber, message }) =>
    `${sequenceNumber} ${message.type}${
      "orderToken" in message ? ` ${message.orderToken}` : ""
    }`
  );
}

Deno.test("ouch gateway --host-id: a second process with a live gateway's id refuses and sends nothing; after kill -9 a restart takes the id and ends the old sessions; a gateway SIGSTOPped while another took its id stops serving at SIGCONT; the default id gw-PID works next to them", async () => {
  await using nats = await startNats();
  const servers = nats.servers.join(",");
  const venue: Venue = {
    servers,
    prefix: "hid",
    accounts: ACCOUNTS,
    replicas: 1,
  };
  const names = venueNames("hid");
  const nc = await connectTest(servers);
  const processes: ServerProcess[] = [];
  const clients: TestClient[] = [];
  const stopHeartbeats = keepClientsAlive(clients);
  const connect = async (port: number, name: string) => {
    const client = await connectClient(port, name, `pw-${name[0]}`);
    clients.push(client);
    return client;
  };
  /** Every command in the command stream so far. */
  const commands = async (): Promise<GatewayCommand[]> => {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(names.commandStream);
    const all: GatewayCommand[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(names.commandStream, {
        seq,
      });
      for (const record of decodeRecords(message!.data)) {
        all.push(decodeGatewayCommand(record));
      }
    }
    return all;
  };
  const hostDowns = async () =>
    (await commands()).filter((c) => c.type === "hostDown").length;
  try {
    const engine = await spawnEngineProcess(venue, "e1");
    processes.push(engine);
    const gw1 = await spawnGatewayProcess(venue, "gw1");
    processes.push(gw1);
    const gw2 = await spawnGatewayProcess(venue, "gw2");
    processes.push(gw2);
    await engine.waitFor(/engine e1: active/);
    const alice = await connect(gw1.port, "alice");
    const bob = await connect(gw2.port, "bob");
    await alice.send(enterOrder(1));
    await alice.messages(2);
    assert.deepEqual(await hostDowns(), 2); // gw1's and gw2's starts

    // 1. A second gw1 next to the live one: refused, one line, exit code 2, nothing sent.
    const duplicate = await runMain([
      "gateway",
      "--host-id",
      "gw1",
      "--port",
      "0",
      ...ACCOUNTS,
      "--nats",
      servers,
      "--prefix",
      "hid",
    ]);
    assert.equal(duplicate.code, 2, duplicate.stderr);
    assert.match(
      duplicate.stderr,
      /^ouch: Cannot start a gateway with --host-id "gw1": a live gateway holds it \(pid \d+ on [^,]+, renewed \d+\.\d s ago\); give this one another --host-id, or stop the other first \(see "[^"]*gateway --help"\)\n$/,
    );
    assert.doesNotMatch(duplicate.stdout, /listening/);
    assert.equal(await hostDowns(), 2, "the refused gateway sent nothing");
    // The live gw1's session goes on, and its resting order stays.
    await alice.send(enterOrder(2));
    await alice.messages(3);
    assert.deepEqual(lines(alice.received), [
      "1 systemEvent",
      "2 orderAccepted 1",
      "3 orderAccepted 2",
    ]);
    assert.equal(alice.closed, false);
    assert.doesNotMatch(engine.output(), /host "gw1" down/);

    // 2. kill -9 of gw1, restarted with the same id: it takes the id once the dead one
    // stopped renewing, and its hostDown ends the old sessions: alice has none left anywhere,
    // so her orders are canceled.
    const killed = performance.now();
    await gw1.stop("SIGKILL");
    const restarted = await spawnGatewayProcess(venue, "gw1");
    processes.push(restarted);
    const tookAfter = performance.now() - killed;
    assert.match(
      restarted.output(),
      /gateway gw1: the host id is held by pid \d+ on [^ ]+ \(renewed \d+\.\d s ago\); taking it if it is not renewed within 3 s/,
    );
    const alice2 = await connect(restarted.port, "alice");
    await alice2.messages(5, 10_000);
    assert.deepEqual(lines(alice2.received), [
      "1 systemEvent",
      "2 orderAccepted 1",
      "3 orderAccepted 2",
      "4 orderCanceled 1",
      "5 orderCanceled 2",
    ]);
    // deno-lint-ignore no-console
    console.log(
      `kill -9, restart: the new gw1 listened ${
        Math.round(tookAfter)
      } ms after the kill`,
    );

    // 3. SIGSTOP of gw1 past the ttl while a third process takes the id, then SIGCONT.
    await alice2.send(enterOrder(3));
    await alice2.messages(6);
    restarted.signal("SIGSTOP");
    // Read by nobody until SIGCONT: the stalled gateway must not send it then.
    await alice2.send(enterOrder(4));
    const third = await spawnGatewayProcess(venue, "gw1");
    processes.push(third);
    const alice3 = await connect(third.port, "alice");
    await alice3.messages(7, 10_000);
    assert.deepEqual(lines(alice3.received).slice(5), [
      "6 orderAccepted 3",
      "7 orderCanceled 3",
    ]);
    restarted.signal("SIGCONT");
    await restarted.waitFor(
      /gateway gw1: exiting: another process took the host id "gw1": this one's renewal was refused \d+\.\d s after its last one; it ended this gateway's sessions, and nothing this one received since was sent/,
    );
    const status = await restarted.stop(null);
    assert.equal(status.code, 3);
    await alice2.closedByServer();
    // Everything the stalled gateway might have sent is before bob's order in the command
    // stream: once bob's order is answered, nothing of token 4 is there.
    await bob.send(enterOrder(1, { buySellIndicator: "S" }));
    await bob.messages(2, 10_000);
    const tokens = (await commands()).flatMap((command) =>
      command.type === "message" && command.account === "alice"
        ? [decodeInbound(command.message)].flatMap((message) =>
          "orderToken" in message ? [message.orderToken] : []
        )
        : []
    );
    assert.deepEqual(tokens, [1, 2, 3]);
    assert.equal(alice3.received.length, 7);
    // A gateway without --host-id holds gw-PID, next to the others.
    const unnamed = await spawnServer([
      ...ACCOUNTS,
      "--nats",
      servers,
      "--prefix",
      "hid",
    ], { command: ["gateway", "--port", "0"] });
    processes.push(unnamed);
    assert.match(unnamed.output(), /gateway gw-\d+: listening on/);
    const bob2 = await connect(unnamed.port, "bob");
    await bob2.send(enterOrder(2, { buySellIndicator: "S" }));
    await bob2.messages(3);
    assert.deepEqual(lines(bob2.received), [
      "1 systemEvent",
      "2 orderAccepted 1",
      "3 orderAccepted 2",
    ]);
    // The new gw1 serves: alice trades on (against bob's order).
    await alice3.send(enterOrder(5));
    await alice3.messages(9);
    assert.deepEqual(lines(alice3.received).slice(7), [
      "8 orderAccepted 5",
      "9 orderExecuted 5",
    ]);
  } finally {
    stopHeartbeats();
    for (const client of clients) await client.close().catch(() => {});
    for (const process of processes.reverse()) await process.stop();
    await nc.close();
  }
});

Deno.test("ouch gateway --host-id with a character a command subject cannot have is refused with exit code 2 before connecting", async () => {
  const { code, stderr } = await runMain([
    "gateway",
    "--host-id",
    "gw.1",
    "--nats",
    "nats://127.0.0.1:1",
  ]);
  assert.equal(code, 2);
  assert.match(
    stderr,
    /^ouch: Cannot use --host-id "gw\.1": it must be letters, digits, "-" or "_" \(it names the gateway's command subject\)/,
  );
});
