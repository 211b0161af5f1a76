/**
 * The active matching engine on JetStream: it rebuilds the day from the log (replaying every
 * record's command and checking every output byte, as recovery from a journal does), fences
 * the log with its epoch, and then consumes the command stream from the cursor of the log's
 * last batch, applying each command to its {@linkcode Exchange}, whose batches go to the log
 * through a {@linkcode JetStreamLog}. Each batch carries the cursor of the last command it
 * reflects, so a successor resumes exactly after it: no command is applied twice or skipped.
 *
 * With a {@linkcode SnapshotStore}, the engine stores a snapshot of its state at a cadence,
 * tagged with the log sequence and epoch of the batch it ends with; a successor starts from
 * the newest one that fits the log and replays (and checks) only the records after it.
 *
 * Who may be active (the lease) is the caller's business: `ouch engine` takes the lease
 * first and passes its epoch.
 *
 * @module
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { setImmediate } from "node:timers";
import type { Clock } from "../clock/clock.ts";
import {
  checkFrame,
  type DayOptions,
  Exchange,
  type JsonObject,
  RecordBatch,
  RecoveryError,
  type SnapshotCadence,
  SnapshotError,
  type SnapshotEvent,
  snapshotPosition,
  type SnapshotSummary,
  Snapshotter,
} from "../exchange/mod.ts";
import { CommandReader } from "./command_reader.ts";
import { JetStreamLog, joinPieces } from "./exchange_log.ts";
import { CommandPublisher } from "./command_publisher.ts";
import {
  decodeGatewayCommand,
  encodeGatewayCommand,
  EngineCommands,
  GatewayCommandError,
  gatewayOf,
} from "./gateway_command.ts";
import { LogReader, parseCursor } from "./log_reader.ts";
import { type CommandCursor, LogWriter } from "./log_writer.ts";
import {
  HEADER_COMMAND,
  HEADER_EPOCH,
  HEADER_FENCE,
  type VenueNames,
  venueNames,
} from "./names.ts";
import type { Snapshot, SnapshotStore } from "./snapshot_store.ts";
import { logTail } from "./venue.ts";

/**
 * The engine stamps the commands of one command message with one clock read, taken again
 * every this many commands, so that a long message's last commands are not stamped late.
 */
export const STAMP_EVERY = 64;

/** How to start an {@linkcode ActiveEngine}. */
export interface ActiveEngineOptions {
  /** This engine's epoch (from the lease): larger than any before it. */
  epoch: number;
  /** The accounts that may log in: username to password. */
  users: ReadonlyMap<string, string>;
  /** Each account's configuration, recorded when it is registered. */
  accountConfig?: ReadonlyMap<string, JsonObject>;
  /** The day to start when the log holds none under way. */
  day: DayOptions;
  /** Cancel an account's orders when its last session anywhere ends (K13, K23). @default {true} */
  cancelOnDisconnect?: boolean;
  /** OUCH timestamps. */
  clock: Clock;
  /** The venue's names. @default venueNames() */
  names?: VenueNames;
  /** Told about each command that recorded nothing, and why. */
  refused?: (why: string) => void;
  /**
   * A host with sessions that sends nothing (no beat, no command) for this long is declared
   * down: its sessions end (cancel on disconnect for accounts left with none). @default {5000}
   */
  hostTimeoutMs?: number;
  /**
   * How often hosts are checked, and how often the engine sends itself a beat through the
   * command stream; 0 for neither (tests call `checkHosts`). A host is only declared down
   * while the engine's own beats come back within two intervals: a stalled command stream
   * (a stream-leader election) silences every host at once, and declares none down.
   * @default {1000}
   */
  hostCheckMs?: number;
  /** Told of each host declared down. */
  hostDown?: (host: string, silentMs: number) => void;
  /**
   * Whether the exchange keeps its own account streams and market-data model (the
   * gateways keep theirs). Without them, a start with a usable snapshot reads only the log
   * after it. `ouch engine` runs without. @default {true}
   */
  followers?: boolean;
  /**
   * Where snapshots are found (to recover from the newest that fits the log) and written
   * (at `cadence`, each tagged with the log sequence and epoch of the batch it follows,
   * once that batch is durable); without it, every start replays the whole day.
   */
  snapshots?: {
    readonly store: SnapshotStore;
    /** When to write one; `{ records: 0, seconds: 0 }` only reads them. */
    readonly cadence: SnapshotCadence;
    /** Told of each snapshot written (and how long taking it stalled the engine) or not. */
    readonly report?: (event: SnapshotEvent) => void;
  };
}

/** How an {@linkcode ActiveEngine} rebuilt the day. */
export interface EngineRecovery {
  /** The day's records in the log when it started. */
  readonly records: number;
  /** The records it read from the log: all the day's, or (without followers) those after the snapshot. */
  readonly read: number;
  /** The snapshot it started from, if any: its log sequence, epoch and record position. */
  readonly snapshot?: {
    readonly seq: number;
    readonly epoch: number;
    readonly position: number;
  };
  /** Records replayed through the engine and checked byte for byte (the rest came with the snapshot). */
  readonly replayed: number;
  /** Snapshots passed over, newest first, and why. */
  readonly refused: readonly string[];
  /** How long reading the log and rebuilding took, in milliseconds. */
  readonly ms: number;
}

/** What the log held when an engine took over. */
interface LogState {
  /** The current day's records, framed one by one; empty when no day is under way. */
  readonly records: Uint8Array[];
  /** The command cursor of the log's last batch. */
  readonly cursor: CommandCursor;
  /** The log's last stream sequence. */
  readonly tail: number;
  /** The sessions open at the end of the log (account name and host), by host, then account. */
  readonly sessions: { readonly account: string; readonly host: string }[];
  /** Whether a day started or ended in what was read (`records` are then the whole day under way, if any). */
  readonly dayChanged: boolean;
}

/** Where to start reading the log instead of its beginning: a snapshot's place. */
export interface LogStart {
  /** Read after this stream sequence. */
  readonly after: number;
  /** The epoch in force there. */
  readonly epoch: number;
  /** The command cursor of the batch there. */
  readonly cursor: CommandCursor;
  /** The accounts' names by id, as of there. */
  readonly accounts: readonly string[];
  /** The sessions open there. */
  readonly sessions: readonly {
    readonly account: string;
    readonly host: string;
  }[];
}

/**
 * Reads the log: the records of the day under way, the last command cursor and the
 * sessions open at its end; from its beginning, or only after `from` (then `records` are
 * only those after it, unless a day started since).
 *
 * @param nc A connection.
 * @param names The venue's names.
 * @param from Where to start, and what held there.
 * @returns What the log holds.
 */
export async function readLogState(
  nc: NatsConnection,
  names: VenueNames,
  from?: LogStart,
): Promise<LogState> {
  const tail = (await logTail(nc, names)).seq;
  let records: Uint8Array[] = [];
  let cursor: CommandCursor = from?.cursor ?? { seq: 0, done: 0 };
  let dayChanged = false;
  const accountNames = new Map<number, string>(
    from?.accounts.map((name, id) => [id, name]),
  );
  const open = new Map<string, { account: string; host: string }>(
    from?.sessions.map((s) => [`${s.host}\u0000${s.account}`, { ...s }]),
  );
  if (tail <= (from?.after ?? 1)) {
    return { records, cursor, tail, sessions: sorted(open), dayChanged };
  }
  const reader = await LogReader.open(nc, {
    names,
    ...(from === undefined ? {} : { after: from.after, epoch: from.epoch }),
  });
  try {
    for await (const entry of reader) {
      if (entry.type === "batch") {
        cursor = entry.cursor;
        for (
          const bytes of entry.records.length === 0
            ? []
            : [joinPieces(entry.records)]
        ) {
          const batch = new RecordBatch(bytes);
          if (batch.startsDay !== undefined || batch.endsDay) {
            dayChanged = true;
          }
          if (batch.startsDay !== undefined) records = [];
          for (const record of batch.records) {
            const command = record.command;
            switch (command.type) {
              case "startDay":
              case "restart":
              case "endDay":
                open.clear();
                break;
              case "account":
                accountNames.set(command.account, command.name);
                break;
              case "sessionStart":
                open.set(`${command.host}\u0000${command.account}`, {
                  account: accountNames.get(command.account) ?? "",
                  host: command.host,
                });
                break;
              case "sessionEnd":
                open.delete(`${command.host}\u0000${command.account}`);
                break;
            }
          }
          for (let at = 0; at < bytes.length;) {
            const end = checkFrame(bytes, at);
            records.push(bytes.subarray(at, end));
            at = end;
          }
          if (batch.endsDay) records = [];
        }
      }
      if (entry.seq >= tail) break;
    }
  } finally {
    await reader.close();
  }
  return { records, cursor, tail, sessions: sorted(open), dayChanged };
}

/**
 * The one engine that writes the log, until it is stopped or fenced.
 *
 * @example Needs a running `nats-server -js`, so it is not run here
 * ```ts ignore
 * const engine = await ActiveEngine.start(nc, { epoch, users, day, clock: SYSTEM_CLOCK });
 * const why = await engine.stopped; // a FencedError once a successor took over
 * ```
 */
export class ActiveEngine {
  /** The exchange, rebuilt from the log. */
  readonly exchange: Exchange;
  /** Settles with the error that stopped the engine's writes (fenced, JetStream gone), or `undefined` after `stop()`. */
  readonly stopped: Promise<Error | undefined>;
  readonly #writer: LogWriter;
  readonly #commands: CommandReader;
  readonly #running: Promise<void>;
  readonly #stop: (error: Error | undefined) => void;
  readonly #engine: EngineCommands;
  readonly #options: ActiveEngineOptions;
  /** When each host was last heard from (the clock's milliseconds). */
  readonly #heard = new Map<string, number>();
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  readonly #self: CommandPublisher | undefined;
  readonly #selfHost: string;
  readonly #snapshotter: Snapshotter | undefined;
  readonly #recovery: EngineRecovery;
  #applied = 0;

  private constructor(
    nc: NatsConnection,
    exchange: Exchange,
    writer: LogWriter,
    commands: CommandReader,
    engine: EngineCommands,
    cursor: { value: CommandCursor },
    stopped: PromiseWithResolvers<Error | undefined>,
    options: ActiveEngineOptions,
    recovery: EngineRecovery,
    snapshotter: Snapshotter | undefined,
  ) {
    this.exchange = exchange;
    this.#recovery = recovery;
    this.#snapshotter = snapshotter;
    this.#writer = writer;
    this.#commands = commands;
    this.stopped = stopped.promise;
    this.#stop = stopped.resolve;
    this.#engine = engine;
    this.#options = options;
    // A successor gives every host it inherits a full timeout to be heard from.
    const now = options.clock.nowMs();
    for (const host of engine.hosts()) this.#heard.set(host, now);
    const every = options.hostCheckMs ?? 1000;
    this.#selfHost = `engine-epoch-${options.epoch}`;
    this.#self = every > 0
      ? new CommandPublisher(nc, {
        gatewayId: this.#selfHost,
        names: options.names ?? venueNames(),
      })
      : undefined;
    this.#timer = every > 0
      ? setInterval(() => {
        this.#self?.send(
          encodeGatewayCommand({ type: "beat", host: this.#selfHost }),
        );
        this.checkHosts();
        this.#snapshotter?.tick(options.clock.nowMs());
      }, every)
      : undefined;
    this.#running = this.#run(engine, cursor, options);
  }

  /**
   * Rebuilds the day from the log, fences it at `epoch` and starts consuming commands.
   *
   * @param nc A connection.
   * @param options Epoch, accounts, day and clock.
   * @returns The running engine.
   * @throws {RecoveryError} When the log's records do not replay to the same bytes.
   * @throws {FencedError} When the log moved while fencing (another engine is writing).
   */
  static async start(
    nc: NatsConnection,
    options: ActiveEngineOptions,
  ): Promise<ActiveEngine> {
    const names = options.names ?? venueNames();
    const started = performance.now();
    const followers = options.followers ?? true;
    const store = options.snapshots?.store;
    const refused: string[] = [];
    // Without followers, the log is read only after the newest usable snapshot.
    const planned = !followers && store !== undefined
      ? await planFromSnapshot(nc, names, store, refused)
      : undefined;
    let state = planned?.state ?? await readLogState(nc, names);
    const writer = await LogWriter.open(nc, {
      names,
      epoch: options.epoch,
      after: state.tail,
    });
    const cursor = { value: state.cursor };
    const stopped = Promise.withResolvers<Error | undefined>();
    const log = new JetStreamLog(writer, () => cursor.value, (error) => {
      stopped.resolve(error);
    });
    const base = {
      users: options.users,
      log,
      // One log batch per turn of the event loop, not per command message: the messages of
      // one read from NATS are applied in microtasks of that turn, and a batch flushed in a
      // microtask would cut a log message after each of them.
      schedule: (task: () => void) => void setImmediate(task),
      cancelOnDisconnect: options.cancelOnDisconnect ?? true,
      timestamp: options.clock.nowNs(),
      followers,
      ...(options.accountConfig === undefined
        ? {}
        : { accountConfig: options.accountConfig }),
    };
    let exchange: Exchange;
    let recovery: EngineRecovery;
    try {
      let result: [Exchange, EngineRecovery] | undefined;
      const snapshot = planned?.snapshot;
      if (snapshot !== undefined) {
        const tail = state.records.length;
        try {
          result = [
            Exchange.recover(state.records, {
              ...base,
              snapshot: snapshot.bytes,
              tail: { lastRecordCrc: snapshot.lastRecordCrc },
            }),
            {
              records: snapshot.position + tail,
              read: tail,
              replayed: tail,
              snapshot: {
                seq: snapshot.seq,
                epoch: snapshot.epoch,
                position: snapshot.position,
              },
              refused,
              ms: 0,
            },
          ];
        } catch (error) {
          if (
            !(error instanceof SnapshotError || error instanceof RecoveryError)
          ) throw error;
          refused.push(`${snapshotName(snapshot)}: ${error.message}`);
          // The whole log, up to this engine's fence: nothing else was written since.
          state = await readLogState(nc, names);
          cursor.value = state.cursor;
        }
      }
      result ??= state.records.length > 0
        ? await recover(
          state,
          base,
          followers ? store : undefined,
          refused,
        )
        : [new Exchange({ ...base, day: options.day }), {
          records: 0,
          read: 0,
          replayed: 0,
          refused,
          ms: 0,
        }];
      [exchange, recovery] = result;
    } catch (error) {
      writer.close();
      throw error;
    }
    recovery = { ...recovery, ms: performance.now() - started };
    // Recovery records a restart, which ends every session without canceling anything;
    // the gateways' sessions are still there, so they start again (recorded).
    const engine = new EngineCommands(exchange);
    for (const { account, host } of state.sessions) {
      const password = options.users.get(account);
      const why = password === undefined
        ? `session of "${account}" on "${host}" not resumed: the account is not configured`
        : engine.apply({
          type: "login",
          host,
          username: account,
          password,
          requestedSession: "",
        }, options.clock.nowNs());
      if (why !== undefined) options.refused?.(why);
    }
    const commands = await CommandReader.open(nc, {
      names,
      from: state.cursor,
    });
    const snapshots = options.snapshots;
    const snapshotter = snapshots === undefined ||
        (snapshots.cadence.records <= 0 && snapshots.cadence.seconds <= 0)
      ? undefined
      : new Snapshotter({
        exchange,
        cadence: snapshots.cadence,
        report: snapshots.report ?? (() => {}),
        now: options.clock.nowMs(),
        elapsed: () => performance.now(),
        // Encoded in slices, between which commands are applied.
        pause: () => new Promise((resolve) => setTimeout(resolve, 0)),
        put: async (_day, _position, bytes) => {
          // Called in the turn the snapshot is taken: the snapshot's flush appended the
          // batch it ends with, if any was pending; otherwise the last one appended ends
          // with the same record.
          const landed = log.landed;
          if (landed === undefined) {
            throw new RangeError("this engine has written no batch yet");
          }
          const { seq } = await landed;
          await snapshots.store.put({
            seq,
            epoch: options.epoch,
            bytes: await bytes,
          });
          return `log sequence ${seq}, epoch ${options.epoch}`;
        },
      });
    return new ActiveEngine(
      nc,
      exchange,
      writer,
      commands,
      engine,
      cursor,
      stopped,
      options,
      recovery,
      snapshotter,
    );
  }

  /** How the engine rebuilt the day: from which snapshot, how many records it replayed. */
  get recovery(): EngineRecovery {
    return this.#recovery;
  }

  /** The snapshot being stored, if one is. */
  get snapshotting(): Promise<void> | undefined {
    return this.#snapshotter?.writing;
  }

  /** Commands applied (or refused) since the engine started. */
  get applied(): number {
    return this.#applied;
  }

  /** The stream sequence of this engine's epoch fence. */
  get fenceSeq(): number {
    return this.#writer.fenceSeq;
  }

  /**
   * Declares down every host with sessions not heard from for `hostTimeoutMs`: its sessions
   * end through the log, as if it had logged them all out. Runs every `hostCheckMs`.
   *
   * @returns The hosts declared down.
   */
  checkHosts(): string[] {
    const now = this.#options.clock.nowMs();
    const timeout = this.#options.hostTimeoutMs ?? 5000;
    const down: string[] = [];
    if (this.#self !== undefined) {
      const flowing = this.#heard.get(this.#selfHost);
      const every = this.#options.hostCheckMs ?? 1000;
      if (flowing === undefined || now - flowing > 2 * every) return down;
    }
    for (const host of this.#engine.hosts()) {
      if (host === this.#selfHost) continue;
      const heard = this.#heard.get(host) ?? now;
      if (!this.#heard.has(host)) this.#heard.set(host, now);
      if (now - heard < timeout) continue;
      this.#engine.apply(
        { type: "hostDown", host },
        this.#options.clock.nowNs(),
      );
      this.#heard.delete(host);
      this.#options.hostDown?.(host, now - heard);
      down.push(host);
    }
    return down;
  }

  /** Stops consuming commands and writing; what was appended but not acknowledged is abandoned. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#self?.close();
    await this.#commands.close();
    await this.#running;
    this.#writer.close();
    await this.#snapshotter?.abandon("the engine stopped");
    this.#stop(undefined);
  }

  async #run(
    engine: EngineCommands,
    cursor: { value: CommandCursor },
    options: ActiveEngineOptions,
  ): Promise<void> {
    try {
      await this.#consume(engine, cursor, options);
    } catch (error) {
      // A fenced or failed engine stores no snapshot it had not finished encoding.
      void this.#snapshotter?.abandon(
        error instanceof Error ? error.message : String(error),
      );
      this.#stop(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async #consume(
    engine: EngineCommands,
    cursor: { value: CommandCursor },
    options: ActiveEngineOptions,
  ): Promise<void> {
    for await (const batch of this.#commands) {
      // Hosts are heard at the time of their command's message (one clock read a message).
      const now = options.clock.nowMs();
      const commands = batch.commands;
      let timestamp = 0;
      let heardHost: string | undefined;
      for (let index = 0; index < commands.length; index++) {
        const bytes = commands[index]!;
        // Commands are stamped at the time their message is taken, read again every
        // STAMP_EVERY commands: a clock read per command was 6 % of the engine's CPU.
        if (index % STAMP_EVERY === 0) timestamp = options.clock.nowNs();
        let why: string | undefined;
        // Counted before it is applied: a command whose records are written during the
        // call (endday flushes its End of Session at once) is in that batch's cursor, so a
        // successor does not apply it again (it ended the next day as it started).
        cursor.value = { seq: batch.seq, done: batch.first + index + 1 };
        try {
          const command = decodeGatewayCommand(bytes);
          // The next command of the same host in this message changes nothing here (same
          // `now`; nothing else touches the map during the loop): skipped.
          if ("host" in command && command.host !== heardHost) {
            heardHost = command.host;
            const self = this.#heard.get(this.#selfHost);
            if (
              command.host === this.#selfHost &&
              (self === undefined ||
                now - self > 2 * (options.hostCheckMs ?? 1000))
            ) {
              // The stream flows again after a stall: every host gets a full timeout.
              for (const host of engine.hosts()) this.#heard.set(host, now);
            }
            // A page's command is its gateway's sign of life.
            this.#heard.set(gatewayOf(command.host), now);
          }
          why = engine.apply(command, timestamp);
        } catch (error) {
          if (!(error instanceof GatewayCommandError)) throw error;
          why = `${batch.subject}: ${error.message}`;
        }
        this.#applied++;
        if (why !== undefined) options.refused?.(why);
      }
      this.#snapshotter?.tick(now);
    }
  }
}

/**
 * Rebuilds the day of `state` from the newest stored snapshot that fits the log (only the
 * records after it are replayed and checked), else the one before, else from all records.
 */
async function recover(
  state: LogState,
  options: ConstructorParameters<typeof Exchange>[0],
  store: SnapshotStore | undefined,
  refused: string[],
): Promise<[Exchange, EngineRecovery]> {
  const records = state.records.length;
  for await (const snapshot of store?.all() ?? []) {
    const name = snapshotName(snapshot);
    if (snapshot.seq > state.tail) {
      refused.push(
        `${name}: it is newer than the log, which ends at sequence ${state.tail}`,
      );
      continue;
    }
    try {
      const exchange = Exchange.recover(state.records, {
        ...options,
        snapshot: snapshot.bytes,
      });
      const position = snapshotPosition(snapshot.bytes);
      return [exchange, {
        records,
        read: records,
        snapshot: { seq: snapshot.seq, epoch: snapshot.epoch, position },
        replayed: records - position,
        refused,
        ms: 0,
      }];
    } catch (error) {
      if (!(error instanceof SnapshotError || error instanceof RecoveryError)) {
        throw error;
      }
      refused.push(`${name}: ${error.message}`);
    }
  }
  const exchange = Exchange.recover(state.records, options);
  return [exchange, {
    records,
    read: records,
    replayed: records,
    refused,
    ms: 0,
  }];
}

/** The sessions in one order whichever way they were found: by host, then account. */
function sorted(
  open: Map<string, { account: string; host: string }>,
): { account: string; host: string }[] {
  return [...open.keys()].sort().map((key) => open.get(key)!);
}

function snapshotName(snapshot: { seq: number; epoch: number }): string {
  return `the snapshot at log sequence ${snapshot.seq} (epoch ${snapshot.epoch})`;
}

/** A snapshot that fits the log, and the log after it. */
interface Plan {
  /** The log after the snapshot, or (without one) the whole log. */
  readonly state: LogState;
  readonly snapshot?: {
    readonly seq: number;
    readonly epoch: number;
    readonly bytes: Uint8Array;
    readonly position: number;
    readonly lastRecordCrc: number;
  };
}

/**
 * The stored snapshots, newest first; a store that cannot be read (a bucket just created on
 * a cluster whose stream has no leader yet answers with a timeout) yields none, and says
 * so: snapshots only spare reading the log, they must never stop an engine from starting.
 */
async function* listed(
  store: SnapshotStore,
  refused: string[],
): AsyncGenerator<Snapshot> {
  const snapshots = store.all();
  while (true) {
    let next: IteratorResult<Snapshot>;
    try {
      next = await snapshots.next();
    } catch (error) {
      refused.push(
        `the snapshots could not be read (${
          error instanceof Error ? error.message : String(error)
        }): the whole log is read`,
      );
      return;
    }
    if (next.done === true) return;
    yield next.value;
  }
}

/**
 * Finds the newest snapshot that fits the log (not newer than it, intact, this engine's,
 * its last record's CRC the same as the log's batch at its sequence, no day started or
 * ended since) and reads the log after it; else reads the whole log.
 */
async function planFromSnapshot(
  nc: NatsConnection,
  names: VenueNames,
  store: SnapshotStore,
  refused: string[],
): Promise<Plan> {
  const tail = (await logTail(nc, names)).seq;
  for await (const snapshot of listed(store, refused)) {
    const name = snapshotName(snapshot);
    if (snapshot.seq > tail) {
      refused.push(
        `${name}: it is newer than the log, which ends at sequence ${tail}`,
      );
      continue;
    }
    let summary: SnapshotSummary;
    try {
      summary = Exchange.describeSnapshot(snapshot.bytes);
    } catch (error) {
      if (!(error instanceof SnapshotError)) throw error;
      refused.push(`${name}: ${error.message}`);
      continue;
    }
    const at = await logBatchAt(nc, names, snapshot.seq);
    if (
      at === undefined || at.epoch !== snapshot.epoch ||
      at.lastRecordCrc !== summary.lastRecordCrc
    ) {
      refused.push(
        `${name}: ${
          at === undefined
            ? "the log holds no batch at that sequence"
            : at.epoch !== snapshot.epoch
            ? `the log's batch there is of epoch ${at.epoch}`
            : "the log's record there is another"
        }`,
      );
      continue;
    }
    const state = await readLogState(nc, names, {
      after: snapshot.seq,
      epoch: snapshot.epoch,
      cursor: at.cursor,
      accounts: summary.accounts,
      sessions: summary.sessions,
    });
    if (state.dayChanged) {
      refused.push(`${name}: a day started or ended after it`);
      return { state: await readLogState(nc, names) };
    }
    return {
      state,
      snapshot: {
        seq: snapshot.seq,
        epoch: snapshot.epoch,
        bytes: snapshot.bytes,
        position: summary.position,
        lastRecordCrc: summary.lastRecordCrc,
      },
    };
  }
  return { state: await readLogState(nc, names) };
}

/**
 * The log's batch message at `seq` (the last one of its batch): its epoch, command cursor
 * and the CRC field of its last record; `undefined` when there is none (a fence, a purged
 * or foreign message).
 */
async function logBatchAt(
  nc: NatsConnection,
  names: VenueNames,
  seq: number,
): Promise<
  { epoch: number; cursor: CommandCursor; lastRecordCrc: number } | undefined
> {
  const jsm = await jetstreamManager(nc, { checkAPI: false });
  const msg = await jsm.streams.getMessage(names.logStream, { seq }).catch(
    () => null,
  );
  if (msg === null || msg.header.get(HEADER_FENCE) === "1") return undefined;
  const epoch = Number(msg.header.get(HEADER_EPOCH));
  const cursor = parseCursor(msg.header.get(HEADER_COMMAND));
  const data = msg.data;
  if (!Number.isSafeInteger(epoch) || cursor === undefined || data.length < 4) {
    return undefined;
  }
  const lastRecordCrc = new DataView(
    data.buffer,
    data.byteOffset,
    data.byteLength,
  ).getUint32(data.length - 4);
  return { epoch, cursor, lastRecordCrc };
}
