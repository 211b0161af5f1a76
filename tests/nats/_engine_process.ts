/**
 * Test process: a stand-in matching engine built only from `lib/nats`. Run as
 * `deno run -A tests/nats/_engine_process.ts --servers URL[,URL] --prefix P --id ID
 * [--replicas N]`.
 *
 * It follows the log as a standby; when it wins the lease it catches up, writes its epoch
 * fence right after the last sequence it read, and consumes the command stream from the log's
 * last cursor, appending one record `out:COMMAND` per command (one batch per command
 * message), pipelined. It prints one JSON line per event on standard output:
 * `{"ev":"active","epoch":E,"fence":SEQ,"t":MS}`, `{"ev":"ack","epoch":E,"seq":SEQ,
 * "first":"out:…","t":MS}`, `{"ev":"fenced"|"lost","pending":N}` (appends not yet
 * acknowledged when it noticed), then `{"ev":"exit","refused":N,"lateAccepted":N,
 * "lateMaxSeq":SEQ}` once those settled (refused, or acknowledged because they had landed before
 * the new fence), and exits
 * (a real engine would go back to standing by): 3 when fenced, 4 when the lease was lost.
 * SIGUSR1 makes the active engine also keep 300 appends of filler records (`fill:…`) in
 * flight, so that a SIGSTOP catches it with many publishes in flight. With
 * `OUCH_ENGINE_TRACE=1` the active engine also prints a `status` line every second (pending
 * appends, bytes in flight, last command read, the server it is connected to).
 *
 * @module
 */
import { connect } from "@nats-io/transport-node";
import {
  CommandReader,
  ensureVenue,
  FencedError,
  Lease,
  LeaseKeeper,
  LogReader,
  logTail,
  LogWriter,
  venueNames,
} from "../../lib/nats/mod.ts";

function flag(name: string, fallback?: string): string {
  const at = Deno.args.indexOf(name);
  const value = at >= 0 ? Deno.args[at + 1] : fallback;
  if (value === undefined) {
    throw new TypeError(`Cannot start: ${name} is missing`);
  }
  return value;
}

const servers = flag("--servers").split(",");
const names = venueNames(flag("--prefix"));
const id = flag("--id");
const replicas = Number(flag("--replicas", "1"));
const FLOOD = 300;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function emit(event: Record<string, unknown>): void {
  // deno-lint-ignore no-console
  console.log(JSON.stringify({ ...event, id, t: Date.now() }));
}

const nc = await connect({
  servers,
  name: id,
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
  timeout: 20_000,
  noAsyncTraces: true,
});
await ensureVenue(nc, { names, replicas });
const reader = await LogReader.open(nc, { names });
let active = false;
let writer: LogWriter | undefined;
let stopping = false;
let refused = 0;
/** Appends not settled yet, counted here: the writer's own count may already exclude one
 * whose settling callback has not run yet, which made the report off by one. */
let outstanding = 0;
let refusedAtStop = 0;
let lateAccepted = 0; // acknowledged after it noticed it was fenced or lost the lease
let lateMaxSeq = 0;

function late(seq: number): void {
  if (!stopping) return;
  lateAccepted++;
  lateMaxSeq = Math.max(lateMaxSeq, seq);
}

/** Lets every pending append settle (acknowledged or refused), reports, and exits. */
async function stop(ev: "fenced" | "lost", code: number, message = "") {
  if (stopping) return;
  stopping = true;
  const pending = outstanding;
  refusedAtStop = refused;
  emit({ ev, epoch: writer?.epoch ?? 0, pending, message });
  await writer?.flushed();
  emit({
    ev: "exit",
    refused: refused - refusedAtStop,
    pending,
    lateAccepted,
    lateMaxSeq,
  });
  Deno.exit(code);
}
const lease = await Lease.open(nc, {
  names,
  holder: `${id}-${Deno.pid}`,
  replicas,
  minEpoch: () => reader.epoch + 1,
});

// Follow the log all the time: as a standby this is the state; as the writer, the position.
const following = (async () => {
  for await (const _ of reader) {
    // state would be applied here
  }
})();

const keeper = new LeaseKeeper(lease, {
  onChange: (state) => {
    if (state.role === "active" && !active) {
      active = true;
      run(state.epoch).catch((error) => {
        emit({ ev: "error", message: String(error) });
        Deno.exit(5);
      });
    } else if (state.role === "standby" && active) {
      stop("lost", 4);
    }
  },
});
keeper.start();
emit({ ev: "started" });

async function caughtUp(): Promise<number> {
  const tail = (await logTail(nc, names)).seq;
  while (reader.position < tail) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return reader.position;
}

async function run(epoch: number): Promise<void> {
  // As `ouch engine` does: a start that fails on something else than a fence (a JetStream
  // request timing out while a killed node's streams elect new leaders) is tried again
  // after 1 s, a few times.
  let failed = 0;
  while (writer === undefined) {
    try {
      const after = await caughtUp();
      writer = await LogWriter.open(nc, { names, epoch, after });
    } catch (error) {
      if (error instanceof FencedError) continue;
      if (++failed >= 10) throw error;
      emit({ ev: "retry", message: String(error) });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  const from = reader.cursor;
  const out = writer;
  emit({ ev: "active", epoch, fence: writer.fenceSeq, from });
  const commands = await CommandReader.open(nc, { names, from });
  let lastCommand = 0;
  let cursor = from;
  // SIGUSR1: keep FLOOD appends of filler records in flight from now on, so that a SIGSTOP
  // catches the writer with many publishes in flight. Filler records carry the cursor of the
  // last command batch appended, so they change nothing about which commands are done.
  Deno.addSignalListener("SIGUSR1", () => {
    emit({ ev: "flood" });
    let n = 0;
    const fill = () => {
      if (stopping) return;
      while (out.pending < FLOOD) {
        outstanding++;
        out.append([encoder.encode(`fill:${epoch}:${n++}`)], cursor).then(
          (ack) => {
            outstanding--;
            late(ack.seq);
          },
          () => {
            outstanding--;
            refused++;
          },
        );
      }
      setTimeout(fill, 1);
    };
    fill();
  });
  if (Deno.env.get("OUCH_ENGINE_TRACE") === "1") {
    setInterval(() =>
      emit({
        ev: "status",
        pending: out.pending,
        inFlight: out.bytesInFlight,
        lastCommand,
        server: nc.info?.server_name,
      }), 1_000);
  }
  for await (const batch of commands) {
    lastCommand = batch.seq;
    const records = batch.commands.map((c) =>
      encoder.encode(`out:${decoder.decode(c)}`)
    );
    const first = decoder.decode(records[0]!);
    if (stopping) break;
    cursor = { seq: batch.seq, done: batch.first + batch.commands.length };
    outstanding++;
    out.append(records, cursor).then(
      (ack) => {
        outstanding--;
        late(ack.seq);
        emit({ ev: "ack", epoch, seq: ack.seq, first });
      },
      (error) => {
        outstanding--;
        refused++;
        if (error instanceof FencedError) {
          stop("fenced", 3, error.message);
        } else {
          emit({ ev: "error", message: String(error) });
          Deno.exit(5);
        }
      },
    );
    // Do not run far ahead of the log.
    while (out.pending > 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

Deno.addSignalListener("SIGTERM", async () => {
  await keeper.stop();
  await reader.close();
  await following;
  await nc.close();
  Deno.exit(0);
});
