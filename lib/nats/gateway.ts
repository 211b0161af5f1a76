/**
 * An OUCH host's core on JetStream: the stand-in for the {@linkcode Exchange} that an
 * `OuchServer` serves when the engine is another process. Logins are decided here (password,
 * the day's session id, one session per account on this host: K14) and go to the engine as
 * session starts; inbound messages are checked here (a malformed one closes the session,
 * as on `ouch server`) and go to the engine as they are; the account streams are built from
 * the records the engine wrote to the log ({@linkcode followRecords}), so every host gives
 * an account the same messages at the same sequence numbers. It has the shape of the
 * server's `SessionCore` (checked where a server is given one: `lib/nats` may not import
 * `lib/server`).
 *
 * @module
 */
import { decodeInbound, type LoginRequestPacket } from "../codec/mod.ts";
import {
  AccountStreams,
  type DayConfig,
  type LoginResult,
  type RecordBatch,
  type SessionHandle,
  type Subscriber,
} from "../exchange/mod.ts";
import { type Clock, SYSTEM_CLOCK } from "../clock/clock.ts";
import type { CommandPublisher } from "./command_publisher.ts";
import {
  encodeGatewayCommand,
  messageCommandLength,
  writeMessageCommand,
} from "./gateway_command.ts";

/**
 * The gateway's view of the venue, fed by the log; see the module documentation.
 *
 * @example Needs a running `nats-server -js` and an engine, so it is not run here
 * ```ts ignore
 * const gateway = new GatewayCore({ host: "gw1", users, publisher });
 * const following = followRecords(await LogReader.open(nc), [gateway]);
 * const server = OuchServer.start({ exchange: gateway, host: "gw1", port: 15000 });
 * ```
 */
/**
 * The clock for the server in front of a {@linkcode GatewayCore}: real milliseconds (for
 * heartbeats and timeouts), and no OUCH timestamps, which the gateway never uses (the engine
 * stamps every command): the server reads `nowNs()` once per inbound message, and the real
 * clock's read was ~3 % of a gateway's CPU.
 *
 * @example Usage
 * ```ts
 * import { GATEWAY_CLOCK } from "./gateway.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(GATEWAY_CLOCK.nowNs(), 0);
 * const ms = GATEWAY_CLOCK.nowMs();
 * assert.ok(ms > 0 && ms <= performance.now());
 * ```
 */
export const GATEWAY_CLOCK: Clock = {
  nowMs: SYSTEM_CLOCK.nowMs,
  nowNs: () => 0,
};

export class GatewayCore implements Subscriber {
  /** The account streams, as the log gives them. */
  readonly streams: AccountStreams = new AccountStreams();
  readonly #host: string;
  readonly #users: ReadonlyMap<string, string>;
  readonly #publisher: CommandPublisher;
  readonly #subscribers: Subscriber[] = [];
  readonly #ids = new Map<string, number>();
  /** Accounts with a session on this host. */
  readonly #sessions = new Set<number>();
  #day: DayConfig | undefined;
  #dayNumber = 0;
  #messagesIn = 0;

  /**
   * @param options This host's name (the engine counts one session per account per host),
   *   the accounts that may log in, and where commands go.
   * @throws {RangeError} When the host's name is empty or has a `/`.
   */
  constructor(options: {
    host: string;
    users: ReadonlyMap<string, string>;
    publisher: CommandPublisher;
  }) {
    if (options.host === "" || options.host.includes("/")) {
      throw new RangeError(
        `Cannot use the host id "${options.host}": it must be non-empty and without "/" (its web pages are HOST/web#N)`,
      );
    }
    this.#host = options.host;
    this.#users = options.users;
    this.#publisher = options.publisher;
    // A process restarted with this host id within the engine's host timeout keeps beating
    // under the same name: the sessions its previous process left at the engine (OUCH
    // sessions and pages, whose clients are gone) are ended first, with cancel on disconnect
    // for accounts left with no session anywhere, as if that host had been declared down.
    // `ouch gateway` makes this core only once it holds the host id (`GatewayLease`): a live
    // process with the id makes it refuse to start, so this never ends a live host's sessions.
    this.#publisher.send(
      encodeGatewayCommand({ type: "hostDown", host: options.host }),
    );
  }

  /**
   * Whether a username and password are an account's (the ITCH feed's login, M13).
   *
   * @param username The username.
   * @param password The password.
   * @returns Whether they match.
   */
  authenticate(username: string, password: string): boolean {
    const expected = this.#users.get(username);
    return expected !== undefined && expected === password;
  }

  /** Inbound messages sent to the engine so far. */
  get messagesIn(): number {
    return this.#messagesIn;
  }

  /** Sequenced messages of the day's accounts so far, as the log gives them. */
  get messagesOut(): number {
    let total = 0;
    for (const id of this.#ids.values()) {
      total += this.streams.stream(id).length;
    }
    return total;
  }

  /**
   * An account's id in the day's log.
   *
   * @param name The account.
   * @returns The id, or `undefined` before the log announced the account.
   */
  accountId(name: string): number | undefined {
    return this.#ids.get(name);
  }

  /**
   * An account's name by its id in the day's log.
   *
   * @param id The account id.
   * @returns The name, or `undefined` for an id the log has not announced.
   */
  accountName(id: number): string | undefined {
    for (const [name, known] of this.#ids) if (known === id) return name;
    return undefined;
  }

  /**
   * The day's accounts, as the log announced them: each with whether it has a session on
   * this host and how many sequenced messages it has.
   *
   * @returns One entry per account, in the order the log announced them.
   */
  accounts(): { account: string; connected: boolean; messages: number }[] {
    return [...this.#ids].map(([account, id]) => ({
      account,
      connected: this.#sessions.has(id),
      messages: this.streams.stream(id).length,
    }));
  }

  /** The day under way, as the log says. */
  get day(): DayConfig | undefined {
    return this.#day;
  }

  /** Sessions on this host. */
  get sessions(): number {
    return this.#sessions.size;
  }

  /**
   * Adds a subscriber, served after the account streams.
   *
   * @param subscriber The subscriber.
   * @returns A function that removes it.
   */
  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.push(subscriber);
    return () => {
      const at = this.#subscribers.indexOf(subscriber);
      if (at >= 0) this.#subscribers.splice(at, 1);
    };
  }

  /** A day started in the log: a {@linkcode Subscriber} call. */
  dayStarted(day: DayConfig): void {
    this.#day = day;
    this.#dayNumber++;
    this.#ids.clear();
    this.#sessions.clear();
    this.streams.dayStarted(day);
    for (const subscriber of this.#subscribers) subscriber.dayStarted?.(day);
  }

  /** A batch of the log: a {@linkcode Subscriber} call. */
  delivered(batch: RecordBatch): void {
    for (const record of batch.recordsOf("account")) {
      if (record.command.type === "account") {
        this.#ids.set(record.command.name, record.command.account);
      }
    }
    this.streams.delivered(batch);
    for (const subscriber of this.#subscribers) subscriber.delivered?.(batch);
  }

  /** The day ended in the log: a {@linkcode Subscriber} call. */
  dayEnded(): void {
    this.#day = undefined;
    this.#sessions.clear();
    for (const subscriber of this.#subscribers) subscriber.dayEnded?.();
  }

  /**
   * Decides a Login Request as the exchange would (`A`: bad username or password; `S`: no
   * day, another session id, or the account already has a session on this host), and sends
   * the engine the session start.
   *
   * @param request The Login Request.
   * @param host Must be this gateway's host.
   * @param _timestamp Unused: the engine stamps the session start.
   * @returns The decision, with the account's stream as the log gives it.
   */
  login(
    request: LoginRequestPacket,
    host: string,
    _timestamp: number,
  ): LoginResult {
    const expected = this.#users.get(request.username);
    if (expected === undefined || expected !== request.password) {
      return { accept: false, code: "A" };
    }
    const day = this.#day;
    const id = this.#ids.get(request.username);
    if (
      day === undefined || id === undefined || host !== this.#host ||
      (request.requestedSession !== "" &&
        request.requestedSession !== day.session) ||
      this.#sessions.has(id)
    ) {
      return { accept: false, code: "S" };
    }
    this.#sessions.add(id);
    this.#publisher.send(encodeGatewayCommand({
      type: "login",
      host,
      username: request.username,
      password: request.password,
      requestedSession: request.requestedSession,
    }));
    const stream = this.streams.stream(id);
    return {
      accept: true,
      session: day.session,
      stream,
      sequenced: stream.length,
      handle: {
        account: id,
        name: request.username,
        host,
        day: this.#dayNumber,
      },
    };
  }

  /**
   * Ends a session: the engine is told (and cancels on disconnect when it was the account's
   * last session on any host). A handle of an earlier day is ignored.
   *
   * @param handle What {@linkcode GatewayCore.login} returned.
   * @param _timestamp Unused: the engine stamps the session end.
   */
  logout(handle: SessionHandle, _timestamp: number): void {
    if (handle.day !== this.#dayNumber) return;
    if (!this.#sessions.delete(handle.account)) return;
    this.#publisher.send(encodeGatewayCommand({
      type: "logout",
      host: handle.host,
      account: handle.name,
    }));
  }

  /**
   * Checks an inbound message and sends it to the engine.
   *
   * @param handle The session.
   * @param message The message bytes (copied).
   * @param _timestamp Unused: the engine stamps it.
   * @throws {OuchDecodeError} When the bytes are not a valid inbound message; nothing is sent.
   * @throws {RangeError} When the session is not of the current day.
   */
  handleMessage(
    handle: SessionHandle,
    message: Uint8Array,
    _timestamp: number,
  ): void {
    const day = this.#day;
    if (day === undefined || handle.day !== this.#dayNumber) {
      throw new RangeError(
        `Cannot handle a message of account "${handle.name}": its session is not of the current trading day`,
      );
    }
    decodeInbound(message, { version: day.version });
    this.#messagesIn++;
    const command = {
      type: "message",
      host: handle.host,
      account: handle.name,
      message,
    } as const;
    this.#publisher.sendEncoded(
      messageCommandLength(command),
      (bytes, at) => writeMessageCommand(command, bytes, at),
    );
  }

  /** Tells the engine this host is alive: call it every second (`ouch gateway` does). */
  beat(): void {
    this.#publisher.send(
      encodeGatewayCommand({ type: "beat", host: this.#host }),
    );
  }

  /** Nothing to do: the publisher sends once per turn by itself. */
  flush(): void {}

  /** @returns Once every command sent so far is acknowledged by JetStream. */
  drain(): Promise<void> {
    return this.#publisher.flushed();
  }
}
