import assert from "node:assert/strict";
import {
  CAPTURE_FILE,
  currentTarget,
  decodeCapture,
  decodeOutbound,
  encodeCapture,
  encodeOutbound,
  firstDifference,
  OUTBOUND_FILE,
  renameSession,
  replay,
  withoutStartOfDay,
} from "../../tools/wire.ts";

// `OUTBOUND_FILE` holds the bytes this tree sends for the capture. It was first recorded
// from the branch point's server (before the exchange core), then re-recorded when K24 added
// System Event S and when the market rules (#9) changed Order Replaced; each time
// `deno run -A tools/wire.ts compare --base DIR` against the server before the core showed
// the session id (K16), the System Events S (K24) and the Login Accepted sequence numbers
// they shift as the only differences.
Deno.test("replay() of the recorded session sends exactly the recorded bytes", async () => {
  const steps = await decodeCapture(await Deno.readFile(CAPTURE_FILE));
  const expected = await decodeOutbound(await Deno.readFile(OUTBOUND_FILE));
  const actual = await replay(steps, currentTarget);
  assert.equal(firstDifference(expected, actual), undefined);
  assert.equal(actual.size, expected.size);
});

Deno.test("renameSession() changes the session id of Login Accepted packets only", () => {
  const accepted = (session: string) =>
    new Uint8Array([
      0,
      31,
      0x41,
      ...new TextEncoder().encode(session.padEnd(10)),
      ...new TextEncoder().encode("1".padStart(20)),
    ]);
  const data = new Uint8Array([
    0,
    11,
    0x53,
    ...new TextEncoder().encode("2026112801"),
  ]);
  const renamed = renameSession(
    new Map([[1, new Uint8Array([...accepted("2026112801"), ...data])]]),
    "2026112801",
    "1795824000",
  );
  assert.deepEqual(
    renamed.get(1),
    new Uint8Array([...accepted("1795824000"), ...data]),
  );
});

Deno.test("firstDifference() names the connection, the byte and the packet that differ", () => {
  const expected = new Map([[
    1,
    new Uint8Array([0, 1, 0x48, 0, 2, 0x53, 0x41]),
  ]]);
  const same = new Map([[1, new Uint8Array([0, 1, 0x48, 0, 2, 0x53, 0x41])]]);
  const other = new Map([[1, new Uint8Array([0, 1, 0x48, 0, 2, 0x53, 0x42])]]);
  assert.equal(firstDifference(expected, same), undefined);
  assert.equal(
    firstDifference(expected, other),
    "connection 1: 7 bytes expected, 7 sent; first difference at byte 6, in the packet starting at 3: expected 00025341, sent 00025342",
  );
  assert.match(
    firstDifference(expected, new Map())!,
    /connection 1: 7 bytes expected, 0 sent/,
  );
});

Deno.test("encodeCapture() and encodeOutbound() read back what they wrote", async () => {
  const steps = [
    { kind: "open", connection: 1 },
    { kind: "data", connection: 1, bytes: new Uint8Array([0, 1, 0x52]) },
    { kind: "operator", action: "halt 7203" },
    { kind: "clientClose", connection: 1 },
    { kind: "serverClose", connection: 1 },
  ] as const;
  assert.deepEqual(await decodeCapture(await encodeCapture(steps)), steps);
  const outbound = new Map([[2, new Uint8Array([1, 2])], [
    1,
    new Uint8Array(),
  ]]);
  assert.deepEqual(
    await decodeOutbound(await encodeOutbound(outbound)),
    new Map([[1, new Uint8Array()], [2, new Uint8Array([1, 2])]]),
  );
  await assert.rejects(decodeCapture(await encodeOutbound(outbound)), {
    name: "SyntaxError",
    message: /must start with "OUCHWIRE1"/,
  });
});

Deno.test("withoutStartOfDay() drops System Events S and blanks Login Accepted sequence numbers only", () => {
  const text = (value: string) => [...new TextEncoder().encode(value)];
  const accepted = (sequence: string) => [
    0,
    31,
    0x41,
    ...text("1795824000"),
    ...text(sequence.padStart(20)),
  ];
  const event = (
    code: string,
  ) => [0, 11, 0x53, 0x53, 0, 0, 0, 0, 0, 0, 0, 9, ...text(code)];
  const heartbeat = [0, 1, 0x48];
  const stripped = withoutStartOfDay(
    new Map([[
      1,
      new Uint8Array([
        ...accepted("2"),
        ...event("S"),
        ...event("E"),
        ...heartbeat,
      ]),
    ]]),
  );
  assert.deepEqual(
    stripped.get(1),
    new Uint8Array([...accepted(""), ...event("E"), ...heartbeat]),
  );
});
