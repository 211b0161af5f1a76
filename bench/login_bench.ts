/**
 * Login benchmark: a password guesser against the OUCH port and the web page's login, with
 * the failed-login throttle off (the behaviour before it existed) and on, in the same run.
 *
 * For each: good logins' latency (connect, Login Request, Login Accepted) with no attack;
 * then, during an attack of 16 reconnecting connections from 127.0.0.2 guessing one
 * account's password, how many guesses were answered and how many were actually checked
 * per second, and the good logins' latency from 127.0.0.3 meanwhile (other accounts, the
 * OUCH port). The server runs in this process (so the guesses checked can be counted), on
 * 127.0.0.1; the guesser and the good client are two other processes.
 *
 * Run: `deno task bench:login` (about 2 minutes: four rounds, off, on, off, on; the first
 * round's quiet figures include the JIT's warm-up); `-- --seconds S` per attack (default 5).
 * The last line is one JSON object.
 *
 * @module
 */
import net from "node:net";
import { LoginThrottle } from "../lib/accounts/login_throttle.ts";
import { encodePacket } from "../lib/codec/soupbintcp.ts";
import { Exchange } from "../lib/exchange/mod.ts";
import { OuchServer } from "../lib/server/server.ts";
import { WebServer } from "../lib/web/server.ts";

const SECONDS_AT = Deno.args.indexOf("--seconds");
const ATTACK_MS = 1000 *
  (SECONDS_AT >= 0 ? Number(Deno.args[SECONDS_AT + 1]) : 5);
const ATTACKERS = 16;
const SELF = new URL(import.meta.url).pathname;

interface Venue {
  port: number;
  web: string;
  /** Passwords checked so far. */
  checked(): number;
  stop(): Promise<void>;
}

async function startVenue(throttle: boolean): Promise<Venue> {
  const users = new Map<string, string>([["victim", "secret"]]);
  for (let i = 0; i < 20_000; i++) users.set(`g${i}`, "pw");
  const exchange = new Exchange({
    users,
    timestamp: 0,
    day: { session: "2026112801", tradingDate: "20261128", created: 0 },
  });
  let checked = 0;
  const authenticate = exchange.authenticate.bind(exchange);
  exchange.authenticate = (username, password) => {
    checked++;
    return authenticate(username, password);
  };
  const loginThrottle = throttle ? new LoginThrottle() : undefined;
  const server = OuchServer.start({
    hostname: "127.0.0.1",
    port: 0,
    exchange,
    ...(loginThrottle === undefined ? {} : { loginThrottle }),
  });
  // The day's start is delivered in a later turn: wait for it before the first login.
  await exchange.drain();
  const web = new WebServer();
  web.listen({
    hostname: "127.0.0.1",
    port: 0,
    exchange,
    ...(loginThrottle === undefined ? {} : { loginThrottle }),
  });
  return {
    port: server.address.port,
    web: web.address,
    checked: () => checked,
    async stop() {
      await web.shutdown();
      await server.shutdown();
      await exchange.drain();
    },
  };
}

/** One SoupBinTCP login from `localAddress`: resolves `true` when accepted. */
function soupLogin(
  port: number,
  username: string,
  password: string,
  localAddress: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port, localAddress });
    let bytes = new Uint8Array(0);
    const timer = setTimeout(() => done(false), 3000);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.on("connect", () =>
      socket.write(encodePacket({
        type: "loginRequest",
        username,
        password,
        requestedSession: "",
        requestedSequenceNumber: 1,
      })));
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(bytes.length + chunk.length);
      joined.set(bytes);
      joined.set(chunk, bytes.length);
      bytes = joined;
      while (bytes.length >= 3) {
        const type = String.fromCharCode(bytes[2]!);
        if (type === "H") {
          bytes = bytes.subarray(3);
          continue;
        }
        done(type === "A");
        return;
      }
    });
    socket.on("error", () => done(false));
    socket.on("close", () => done(false));
  });
}

/** Good logins one after the other until `stop()`; returns their latencies in ms. */
function goodLogins(
  port: number,
  first: number,
  count: number,
  stop: () => boolean = () => false,
): Promise<{ ms: number[]; failed: number; next: number }> {
  return (async () => {
    const ms: number[] = [];
    let failed = 0;
    let i = first;
    for (; i < first + count && !stop(); i++) {
      const t0 = performance.now();
      const ok = await soupLogin(port, `g${i}`, "pw", "127.0.0.3");
      if (ok) ms.push(performance.now() - t0);
      else failed++;
    }
    return { ms, failed, next: i };
  })();
}

/** Wrong passwords on the OUCH port from 127.0.0.2 until `until`. */
async function attackOuch(port: number, until: number): Promise<number> {
  let attempts = 0;
  await Promise.all(
    Array.from({ length: ATTACKERS }, async (_, a) => {
      while (performance.now() < until) {
        await soupLogin(
          port,
          "victim",
          `x${(a * 1e7 + attempts) % 1e9}`,
          "127.0.0.2",
        );
        attempts++;
      }
    }),
  );
  return attempts;
}

/** Wrong passwords on the page's WebSocket (reconnecting when closed) until `until`. */
async function attackWeb(address: string, until: number): Promise<number> {
  let attempts = 0;
  await Promise.all(
    Array.from({ length: ATTACKERS }, async (_, a) => {
      while (performance.now() < until) {
        await new Promise<void>((resolve) => {
          const socket = new WebSocket(`ws://${address}/ws`, {
            headers: { origin: `http://${address}` },
          });
          const guess = () =>
            socket.send(JSON.stringify({
              type: "login",
              username: "victim",
              password: `x${(a * 1e7 + attempts) % 1e9}`,
            }));
          socket.onmessage = (event) => {
            const message = JSON.parse(String(event.data));
            if (message.type === "snapshot") guess();
            else if (message.type === "login") {
              attempts++;
              if (performance.now() < until) guess();
              else socket.close();
            }
          };
          socket.onclose = () => resolve();
          socket.onerror = () => {};
        });
      }
    }),
  );
  return attempts;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function latency(ms: number[]) {
  return {
    logins: ms.length,
    p50Ms: Number(percentile(ms, 0.5).toFixed(2)),
    p99Ms: Number(percentile(ms, 0.99).toFixed(2)),
  };
}

/** Runs this file as a client process: `--attack ouch|web PORT|ADDRESS MS` or `--good PORT FIRST MS`. */
async function client(args: string[]): Promise<void> {
  const [mode, target, a, b] = args;
  if (mode === "--attack") {
    const until = performance.now() + Number(b);
    const t0 = performance.now();
    const attempts = target === "ouch"
      ? await attackOuch(Number(a), until)
      : await attackWeb(a!, until);
    const seconds = (performance.now() - t0) / 1000;
    // deno-lint-ignore no-console
    console.log(JSON.stringify({ attempts, seconds }));
  } else {
    const until = performance.now() + Number(b);
    const good = await goodLogins(
      Number(target),
      Number(a),
      1_000_000,
      () => performance.now() >= until,
    );
    // deno-lint-ignore no-console
    console.log(JSON.stringify(good));
  }
  Deno.exit(0);
}

async function run<T>(args: string[]): Promise<T> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SELF, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // A client that does not finish in time is killed: its figures are then missing.
  const watchdog = setTimeout(() => {
    // deno-lint-ignore no-console
    console.error(`login bench: ${args.join(" ")} did not finish; killed`);
    child.kill("SIGKILL");
  }, Number(args.at(-1)) + 30_000);
  const output = await child.output();
  clearTimeout(watchdog);
  return JSON.parse(new TextDecoder().decode(output.stdout).trim() || "null");
}

type Good = { ms: number[]; failed: number; next: number };

async function measure(throttle: boolean) {
  const venue = await startVenue(throttle);
  try {
    // Warm-up, then good logins with no attack.
    let next = 0;
    const quiet = await run<Good>([
      "--good",
      `${venue.port}`,
      `${next}`,
      "3000",
    ]);
    next = quiet.next;
    const result: Record<string, unknown> = {
      throttle: throttle ? "on" : "off",
      quiet: latency(quiet.ms),
    };
    for (const target of ["ouch", "web"] as const) {
      const checked0 = venue.checked();
      const [attack, good] = await Promise.all([
        run<{ attempts: number; seconds: number }>([
          "--attack",
          target,
          target === "ouch" ? `${venue.port}` : venue.web,
          `${ATTACK_MS}`,
        ]),
        run<Good>(["--good", `${venue.port}`, `${next}`, `${ATTACK_MS}`]),
      ]);
      next = good.next;
      const checked = venue.checked() - checked0 - good.ms.length -
        good.failed;
      result[target] = {
        guessesPerSecond: Math.round(attack.attempts / attack.seconds),
        checkedPerSecond: Number((checked / attack.seconds).toFixed(1)),
        goodLoginsRefused: good.failed,
        underAttack: latency(good.ms),
      };
    }
    return result;
  } finally {
    // deno-lint-ignore no-console
    console.error("login bench: stopping the venue");
    await venue.stop();
  }
}

if (Deno.args[0] === "--attack" || Deno.args[0] === "--good") {
  await client(Deno.args);
} else {
  const results = [];
  for (const throttle of [false, true, false, true]) {
    const result = await measure(throttle);
    results.push(result);
    // deno-lint-ignore no-console
    console.log(JSON.stringify(result));
  }
  // deno-lint-ignore no-console
  console.log(
    JSON.stringify({ attackMs: ATTACK_MS, attackers: ATTACKERS, results }),
  );
  Deno.exit(0);
}
