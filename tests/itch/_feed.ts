// Private to the ITCH tests: reference data and a sink that keeps the feed.
import type {
  FeedReferenceData,
  FeedSink,
} from "../../lib/itch/feed_generator.ts";
import { decodeItch } from "../../lib/itch/message.ts";
import type { ItchMessage, ItchVersion } from "../../lib/itch/messages.ts";

/** 09:00:00 JST in nanoseconds since midnight. */
export const NINE = 32_400_000_000_000;

/**
 * Two tick tables (the low bands of TSE tables 1 and 3) and four orderbooks: two stocks,
 * and the seed's books "1" (no reference price, halted at the start) and "2" (short-sell
 * restriction on). Ids are decimal so that both versions can carry them.
 */
export const REFERENCE: FeedReferenceData = {
  tickTables: [
    {
      tickTableId: 1,
      bands: [
        { tickSize: 10, priceStart: 0 },
        { tickSize: 50, priceStart: 30_001 },
      ],
    },
    {
      tickTableId: 3,
      bands: [
        { tickSize: 1, priceStart: 0 },
        { tickSize: 5, priceStart: 10_001 },
        { tickSize: 10, priceStart: 50_001 },
      ],
    },
  ],
  orderbooks: [
    {
      orderbookId: "7203",
      isin: "JP3633400001",
      group: "DAY",
      roundLotSize: 100,
      tickTableId: 3,
      referencePrice: 28_000,
      upperPriceLimit: 33_000,
      lowerPriceLimit: 23_000,
    },
    {
      orderbookId: "6758",
      isin: "JP3435000009",
      group: "DAY",
      roundLotSize: 100,
      tickTableId: 3,
      referencePrice: 34_000,
      upperPriceLimit: 41_000,
      lowerPriceLimit: 27_000,
    },
    {
      orderbookId: "1",
      isin: "",
      group: "DAY",
      roundLotSize: 1,
      tickTableId: 1,
      referencePrice: null,
      upperPriceLimit: 0x7ffffffe,
      lowerPriceLimit: 1,
      halted: true,
    },
    {
      orderbookId: "2",
      isin: "",
      group: "NGHT",
      roundLotSize: 1,
      tickTableId: 1,
      referencePrice: 5_005,
      upperPriceLimit: 0x7ffffffe,
      lowerPriceLimit: 1,
      shortSellRestricted: true,
    },
  ],
};

/** A sink that keeps a copy of every message, and decodes them on demand. */
export class Recorder implements FeedSink {
  readonly messages: Uint8Array[] = [];
  readonly version: ItchVersion;

  constructor(version: ItchVersion = "1.7") {
    this.version = version;
  }

  append(message: Uint8Array): void {
    this.messages.push(message.slice());
  }

  /** The messages decoded, from `from` (0-based) on. */
  decoded(from = 0): ItchMessage[] {
    return this.messages.slice(from).map((m) =>
      decodeItch(m, { version: this.version })
    );
  }

  /** The type bytes of the messages from `from` on, as a string. */
  types(from = 0): string {
    return this.messages.slice(from).map((m) => String.fromCharCode(m[0]!))
      .join("");
  }

  /** The day so far as a SoupBin file: uint16 length + message, back to back. */
  frames(from = 0): Uint8Array {
    const list = this.messages.slice(from);
    const out = new Uint8Array(list.reduce((n, m) => n + 2 + m.length, 0));
    let at = 0;
    for (const m of list) {
      out[at] = m.length >> 8;
      out[at + 1] = m.length & 0xff;
      out.set(m, at + 2);
      at += 2 + m.length;
    }
    return out;
  }
}
