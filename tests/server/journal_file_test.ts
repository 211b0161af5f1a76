import assert from "node:assert/strict";
import {
  type Command,
  type DayConfig,
  decodeRecords,
  encodeRecords,
} from "../../lib/exchange/mod.ts";
import { openJournal, segmentName } from "../../lib/server/journal_file.ts";

const SEGMENT = 64 * 1024;
/** 2026-11-25 09:00 JST in Unix seconds: the clock of the journals made here. */
const NOW = 1795564800;

const DAY: DayConfig = {
  session: "1795564800",
  tradingDate: "20261125",
  created: 1795564800,
  version: "1.12",
  orderbooks: ["1"],
  open: true,
  halted: [],
  matcher: {},
};

/** The bytes of one record of `command` without outputs. */
function record(timestamp: number, command: Command): Uint8Array {
  return encodeRecords([{ timestamp, command, messages: [], events: [] }]);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  parts.reduce((at, part) => (out.set(part, at), at + part.length), 0);
  return out;
}

async function withDirectory(
  run: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ouch-journal-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function files(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name)
    .sort();
}

/** Journal bytes: the day's start, then `count` halt/resume records of about 30 bytes each. */
function batches(count: number, perBatch: number): Uint8Array[] {
  const result = [record(0, { type: "startDay", day: DAY })];
  for (let i = 0; i < count; i += perBatch) {
    const parts: Uint8Array[] = [];
    for (let k = i; k < Math.min(count, i + perBatch); k++) {
      parts.push(record(k, {
        type: k % 2 === 0 ? "halt" : "resume",
        orderbookId: "1",
      }));
    }
    result.push(concat(parts));
  }
  return result;
}

async function settle(): Promise<void> {
  // Lets a background segment preparation finish.
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

Deno.test("openJournal() starts a session named by the time (K16) with a preallocated segment, then continues it", async () => {
  await withDirectory(async (dir) => {
    const first = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
    });
    assert.equal(first.session, "1795564800");
    assert.equal(first.records, undefined);
    for (const bytes of batches(10, 5)) first.journal.append(bytes);
    await settle();
    assert.deepEqual(await files(dir), [
      "20261125-1795564800.0001.journal",
      "20261125-1795564800.0002.journal",
    ]);
    assert.equal(
      (await Deno.stat(`${dir}/20261125-1795564800.0001.journal`)).size,
      SEGMENT,
    );
    await first.journal.close();
    assert.deepEqual(
      await files(dir),
      ["20261125-1795564800.0001.journal"],
      "the unused segment is removed",
    );

    const again = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
    });
    assert.equal(again.session, "1795564800");
    assert.equal(again.records!.length, 11);
    assert.equal(again.day?.session, "1795564800");
    assert.deepEqual(
      decodeRecords(
        Array.from(again.records!, (record) => record.slice())[10]!,
      ),
      [{
        timestamp: 9,
        command: { type: "resume", orderbookId: "1" },
        messages: [],
        events: [],
      }],
    );
    // Appending carries on after the last record.
    again.journal.append(record(10, { type: "halt", orderbookId: "1" }));
    await again.journal.close();
    const third = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "none",
      segmentSize: SEGMENT,
    });
    assert.equal(third.records!.length, 12);
    await third.journal.close();
  });
});

Deno.test("openJournal() with fresh, or another day, starts a new session named by the time", async () => {
  await withDirectory(async (dir) => {
    const options = {
      now: NOW,
      fresh: false,
      fsync: "none",
      segmentSize: SEGMENT,
    } as const;
    await (await openJournal(dir, "20261125", options)).journal.close();
    // Fresh a minute later: the time then.
    const fresh = await openJournal(dir, "20261125", {
      ...options,
      now: NOW + 60,
      fresh: true,
    });
    assert.equal(fresh.session, "1795564860");
    await fresh.journal.close();
    // Fresh again in the same second, or with a clock behind: one second after the latest.
    const again = await openJournal(dir, "20261125", {
      ...options,
      now: NOW,
      fresh: true,
    });
    assert.equal(again.session, "1795564861");
    await again.journal.close();
    // Not fresh: the date's latest session goes on (never written to: as a new one).
    const latest = await openJournal(dir, "20261125", options);
    assert.equal(latest.session, "1795564861");
    assert.equal(latest.records, undefined);
    await latest.journal.close();
    const tomorrow = await openJournal(dir, "20261126", {
      ...options,
      now: NOW + 86_400,
    });
    assert.equal(tomorrow.session, "1795651200");
    await tomorrow.journal.close();
    // Journals named before K16 are left alone.
    await Deno.writeFile(`${dir}/2026112701.0001.journal`, new Uint8Array(8));
    const day = await openJournal(dir, "20261127", {
      ...options,
      now: NOW + 2 * 86_400,
    });
    assert.equal(day.records, undefined);
    await day.journal.close();
    assert.deepEqual(await files(dir), [
      "20261125-1795564800.0001.journal",
      "20261125-1795564860.0001.journal",
      "20261125-1795564861.0001.journal",
      "20261126-1795651200.0001.journal",
      "20261127-1795737600.0001.journal",
      "2026112701.0001.journal",
    ]);
  });
});

Deno.test("JournalFile.append() moves to the next segment and reads back in order (fsync interval)", async () => {
  await withDirectory(async (dir) => {
    const opened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "interval",
      segmentSize: SEGMENT,
    });
    const all = batches(12_000, 100); // about 290 KB: five segments of 64 KiB
    for (const bytes of all) {
      opened.journal.append(bytes);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const total = all.reduce((n, b) => n + b.length, 0);
    assert.equal(opened.journal.bytesWritten, total);
    await opened.journal.close();
    const names = await files(dir);
    assert.ok(names.length >= Math.ceil(total / SEGMENT), names.join(" "));
    const reopened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
    });
    assert.equal(reopened.records!.length, 12_001);
    assert.deepEqual(
      Array.from(reopened.records!, (record) => record.slice()).slice(1).map((
        bytes,
      ) => decodeRecords(bytes)[0]!.timestamp),
      Array.from({ length: 12_000 }, (_, i) => i),
    );
    await reopened.journal.close();
  });
});

Deno.test("JournalFile.append() takes a batch larger than a segment", async () => {
  await withDirectory(async (dir) => {
    const opened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
    });
    const [header, huge] = batches(5000, 5000); // about 150 KB in one batch
    opened.journal.append(header!);
    opened.journal.append(huge!);
    await opened.journal.close();
    const reopened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
    });
    assert.equal(reopened.records!.length, 5001);
    await reopened.journal.close();
  });
});

Deno.test("openJournal() zeroes a torn last record and drops unused segments", async () => {
  await withDirectory(async (dir) => {
    const opened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
    });
    for (const bytes of batches(10, 10)) opened.journal.append(bytes);
    await settle();
    // Simulate a crash: the prepared second segment stays, the first gets half a record.
    const path = `${dir}/${segmentName("20261125-1795564800", 1)}`;
    const written = opened.journal.bytesWritten;
    await opened.journal.close();
    await Deno.writeFile(
      `${dir}/${segmentName("20261125-1795564800", 2)}`,
      new Uint8Array(SEGMENT),
    );
    const file = await Deno.open(path, { write: true });
    await file.seek(written, Deno.SeekMode.Start);
    await file.write(new Uint8Array([0, 0, 0, 40, 0x43, 1, 2, 3]));
    file.close();

    const reopened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
    });
    assert.match(
      reopened.tornTail!,
      new RegExp(`record at byte ${written} is cut short|fails its CRC`),
    );
    assert.equal(reopened.records!.length, 11);
    await reopened.journal.close();
    assert.deepEqual(await files(dir), ["20261125-1795564800.0001.journal"]);
    const bytes = await Deno.readFile(path);
    assert.ok(
      bytes.subarray(written).every((b) => b === 0),
      "the torn bytes are zeroed",
    );
    // It now reads cleanly.
    const clean = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
    });
    assert.equal(clean.tornTail, undefined);
    await clean.journal.close();
  });
});

Deno.test("openJournal() refuses a journal corrupt before its end", async () => {
  await withDirectory(async (dir) => {
    const opened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "none",
      segmentSize: SEGMENT,
    });
    for (const bytes of batches(10, 10)) opened.journal.append(bytes);
    await opened.journal.close();
    const path = `${dir}/${segmentName("20261125-1795564800", 1)}`;
    const bytes = await Deno.readFile(path);
    bytes[40] = bytes[40]! ^ 0xff;
    await Deno.writeFile(path, bytes);
    await assert.rejects(
      openJournal(dir, "20261125", {
        now: NOW,
        fresh: false,
        fsync: "none",
        segmentSize: SEGMENT,
      }),
      { name: "JournalError" },
    );
  });
});

Deno.test("openJournal() streams a continued journal's records: read from the segments one at a time, again at each iteration", async () => {
  await withDirectory(async (dir) => {
    const opened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "none",
      segmentSize: SEGMENT,
    });
    const all = batches(6_000, 100); // several segments of 64 KiB
    for (const bytes of all) {
      opened.journal.append(bytes);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await opened.journal.close();
    const reopened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "none",
      segmentSize: SEGMENT,
    });
    const records = reopened.records!;
    // Not an array of the day's records held in memory.
    assert.equal(Array.isArray(records), false);
    assert.equal(records.length, 6_001);
    const read = () => {
      const seen = new Set<ArrayBufferLike>();
      let count = 0;
      let bytes = 0;
      for (const record of records) {
        seen.add(record.buffer);
        count++;
        bytes += record.length;
      }
      return { count, bytes, buffers: seen.size };
    };
    const first = read();
    assert.deepEqual(read(), first, "the same records again");
    assert.equal(first.count, 6_001);
    assert.equal(first.bytes, all.reduce((n, b) => n + b.length, 0));
    // Every segment is read into one buffer.
    assert.equal(first.buffers, 1);
    await reopened.journal.close();
  });
});
