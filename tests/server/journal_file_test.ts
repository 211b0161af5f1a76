import assert from "node:assert/strict";
import {
  type Command,
  type DayConfig,
  decodeRecords,
  encodeRecords,
} from "../../lib/exchange/mod.ts";
import { checkFrame } from "../../lib/exchange/record.ts";
import {
  chainName,
  openJournal,
  segmentName,
} from "../../lib/server/journal_file.ts";

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

/** Writes a journal of three segments of 64 KiB (the third partly filled) and closes it. */
async function threeSegments(dir: string): Promise<string> {
  const opened = await openJournal(dir, "20261125", {
    now: NOW,
    fresh: false,
    fsync: "none",
    segmentSize: SEGMENT,
  });
  for (const bytes of batches(6000, 100)) {
    opened.journal.append(bytes);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  await opened.journal.close();
  const chain = await Deno.readTextFile(
    `${dir}/${chainName("20261125-1795564800")}`,
  );
  assert.match(
    chain,
    /^segment 1 sealed at \d+ bytes, tail [0-9a-f]{32}, next 2\nsegment 2 sealed at \d+ bytes, tail [0-9a-f]{32}, next 3\n$/,
  );
  return "20261125-1795564800";
}

async function reopen(dir: string): Promise<void> {
  const reopened = await openJournal(dir, "20261125", {
    now: NOW,
    fresh: false,
    fsync: "none",
    segmentSize: SEGMENT,
  });
  await reopened.journal.close();
}

Deno.test("openJournal() refuses a journal whose newest segment was deleted, naming it", async () => {
  await withDirectory(async (dir) => {
    const name = await threeSegments(dir);
    await Deno.remove(`${dir}/${segmentName(name, 3)}`);
    const sealed = (await Deno.readTextFile(`${dir}/${chainName(name)}`))
      .match(/segment 2 sealed at (\d+)/)![1];
    await assert.rejects(reopen(dir), {
      name: "JournalError",
      message: `Cannot continue journal ${name}: segment ${
        segmentName(name, 3)
      } is missing (segment 2 was sealed at ${sealed} bytes and continued in it)`,
    });
  });
});

Deno.test("openJournal() refuses a journal with a segment missing in the middle or at the start", async () => {
  for (const missing of [1, 2]) {
    await withDirectory(async (dir) => {
      const name = await threeSegments(dir);
      await Deno.remove(`${dir}/${segmentName(name, missing)}`);
      await assert.rejects(reopen(dir), {
        name: "JournalError",
        message: new RegExp(
          `^Cannot continue journal ${name}: segment ${
            segmentName(name, missing).replaceAll(".", "\\.")
          } is missing`,
        ),
      });
    });
  }
});

Deno.test("openJournal() refuses a sealed segment truncated at a record boundary", async () => {
  await withDirectory(async (dir) => {
    const name = await threeSegments(dir);
    const path = `${dir}/${segmentName(name, 2)}`;
    const bytes = await Deno.readFile(path);
    // Cut the segment after its first 100 records: whole records, nothing torn.
    const kept = readJournalPrefix(bytes);
    await Deno.writeFile(path, bytes.subarray(0, kept));
    await assert.rejects(reopen(dir), {
      name: "JournalError",
      message: new RegExp(
        `^Cannot continue journal ${name}: segment ${
          segmentName(name, 2).replaceAll(".", "\\.")
        } holds ${kept} bytes of records but was sealed at \\d+: it is truncated$`,
      ),
    });
  });
});

Deno.test("openJournal() continues a journal whose switch to the next segment was cut before its chain entry", async () => {
  await withDirectory(async (dir) => {
    const name = await threeSegments(dir);
    // The crash came after segment 4 was prepared (all zeros), before the entry sealing 3.
    await Deno.writeFile(
      `${dir}/${segmentName(name, 4)}`,
      new Uint8Array(SEGMENT),
    );
    // And the entry being written was cut short.
    await Deno.writeTextFile(`${dir}/${chainName(name)}`, "segment 3 se", {
      append: true,
    });
    const reopened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "none",
      segmentSize: SEGMENT,
    });
    assert.equal(reopened.records!.length, 6001);
    await reopened.journal.close();
    assert.ok(!(await files(dir)).includes(segmentName(name, 4)));
  });
});

/** Where a segment's first 100 records end: a record boundary. */
function readJournalPrefix(bytes: Uint8Array): number {
  let at = 0;
  for (let i = 0; i < 100; i++) at = checkFrame(bytes, at);
  return at;
}

Deno.test("JournalFile on a full disk: holds batches without a tight retry loop or partial files, then resumes with consecutive segments", async () => {
  await withDirectory(async (dir) => {
    let full = true;
    const attempts: string[] = [];
    const opened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "batch",
      segmentSize: SEGMENT,
      // Segment 1 is there; filling any later one fails as on a full disk.
      fault: (operation, path) => {
        if (!full || path.endsWith(".0001.journal")) return;
        attempts.push(`${operation} ${path.slice(dir.length + 1)}`);
        if (operation === "write") {
          throw new Error("No space left on device (os error 28)");
        }
      },
    });
    const journal = opened.journal;
    const problems: (string | undefined)[] = [];
    journal.onProblem = (problem) => problems.push(problem);
    const all = batches(6000, 100);
    const waiting: Promise<void>[] = [];
    for (const bytes of all) {
      const durable = journal.append(bytes);
      if (durable !== undefined) waiting.push(durable);
    }
    // Everything from the batch that did not fit in segment 1 waits.
    assert.ok(waiting.length > 0 && waiting.length < all.length);
    let durable = 0;
    for (const promise of waiting) promise.then(() => durable++);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(durable, 0);
    const name = "20261125-1795564800";
    assert.match(
      journal.problem!,
      new RegExp(
        `^cannot write the journal \\(${waiting.length} batches waiting\\): cannot fill segment ${dir}/${name}\\.0002\\.journal: No space left on device \\(os error 28\\)$`,
      ),
    );
    // Back-off: a handful of attempts in half a second, not a loop at full speed.
    assert.ok(attempts.length <= 12, attempts.join(", "));
    assert.deepEqual(await files(dir), [`${name}.0001.journal`]);
    full = false;
    await Promise.all(waiting);
    assert.equal(durable, waiting.length);
    assert.equal(journal.problem, undefined);
    assert.equal(problems.at(-1), undefined);
    assert.ok(problems.some((problem) => problem?.includes("No space left")));
    journal.append(record(9999, { type: "halt", orderbookId: "1" }));
    await journal.close();
    assert.deepEqual(
      (await files(dir)).filter((file) => file.endsWith(".journal")),
      [1, 2, 3].map((i) => segmentName(name, i)),
    );
    const reopened = await openJournal(dir, "20261125", {
      now: NOW,
      fresh: false,
      fsync: "none",
      segmentSize: SEGMENT,
    });
    assert.deepEqual(
      // Each record is a view valid until the next segment is read: decode as they come.
      Array.from(
        reopened.records!,
        (bytes) => decodeRecords(bytes)[0]!.timestamp,
      ).slice(1),
      [...Array.from({ length: 6000 }, (_, i) => i), 9999],
    );
    await reopened.journal.close();
  });
});
