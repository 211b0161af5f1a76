/**
 * The web page's token range (issue #15 item 2): page orders take tokens from
 * PAGE_TOKEN_BASE up, OUCH sessions keep their own sequence below it, and neither can take
 * the other's; both survive a replay and a snapshot.
 *
 * @module
 */
import assert from "node:assert/strict";
import { decodeOutbound, encodeMessage } from "../../lib/codec/mod.ts";
import { Exchange, type ExchangeOptions } from "../../lib/exchange/mod.ts";
import { readJournal } from "../../lib/exchange/journal_reader.ts";
import { PAGE_TOKEN_BASE as P } from "../../lib/matcher/mod.ts";
import { enter, testExchange, USERS } from "../server/_harness.ts";

function options(log: Uint8Array[]): ExchangeOptions {
  return {
    users: USERS,
    log: { append: (batch) => void log.push(batch.slice()) },
    schedule: (task) => task(),
    timestamp: 9_000_000_000,
  };
}

function tokens(ex: Exchange): string[] {
  const stream = ex.stream("alice")!;
  return Array.from({ length: stream.length }, (_, i) => {
    const m = decodeOutbound(stream.message(i + 1));
    return m.type === "orderAccepted" ? `A${m.orderToken}` : m.type;
  });
}

Deno.test("Exchange: page tokens from 0xF0000000 and an OUCH session's own count interleave without colliding; an OUCH token in the page's range is ignored", () => {
  const batches: Uint8Array[] = [];
  const ex = testExchange({
    log: { append: (batch) => void batches.push(batch.slice()) },
    schedule: (task) => task(),
  });
  const login = ex.login(
    {
      type: "loginRequest",
      username: "alice",
      password: "pw-a",
      requestedSession: "",
      requestedSequenceNumber: 1,
    },
    "ouch",
    1,
  );
  assert.ok(login.accept);
  const ouch = (token: number) =>
    ex.handleMessage(login.handle, encodeMessage(enter(token)), 2);
  assert.equal(ex.nextPageToken("alice"), P);
  ex.submit("alice", enter(ex.nextPageToken("alice")), 3); // the page: P
  ouch(1); // the OUCH client's first: not taken by the page
  ouch(P + 7); // in the page's range: out of the session's sequence, ignored
  ex.submit("alice", enter(P), 4); // the page's duplicate: ignored (K4)
  ouch(1); // the session's duplicate: ignored (K4)
  ex.submit("alice", enter(ex.nextPageToken("alice")), 5); // P + 1
  ouch(2);
  ex.flush();
  assert.deepEqual(tokens(ex), [
    "systemEvent",
    `A${P}`,
    "A1",
    `A${P + 1}`,
    "A2",
  ]);
  assert.equal(ex.nextToken("alice"), 3);
  assert.equal(ex.nextPageToken("alice"), P + 2);
  assert.deepEqual(
    ex.openOrders("alice").map((o) => o.orderToken).sort((a, b) => a - b),
    [1, 2, P, P + 1],
  );
  // A full replay and a snapshot + tail give the same next tokens.
  const snapshot = ex.snapshot();
  const records = readJournal(
    new Uint8Array(batches.flatMap((b) => [...b])),
  ).records;
  for (
    const recovered of [
      Exchange.recover(records, options([])),
      Exchange.recover(records, { ...options([]), snapshot }),
    ]
  ) {
    assert.equal(recovered.nextToken("alice"), 3);
    assert.equal(recovered.nextPageToken("alice"), P + 2);
    assert.deepEqual(tokens(recovered), tokens(ex));
  }
});
