/**
 * The closest word to a misspelt one, for "did you mean" hints.
 *
 * @module
 */

/**
 * Finds the candidate closest to `word` (case-insensitive edit distance: insertions,
 * deletions and substitutions), if it is close enough to be a likely misspelling.
 *
 * @param word The word given.
 * @param candidates The words it may have meant, in order of preference on a tie.
 * @param maxDistance The most edits allowed.
 * @returns The closest candidate within `maxDistance` edits, or `undefined`.
 *
 * @example A misspelt display mode
 * ```ts
 * import { closest } from "./closest.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(closest("tabel", ["table", "debug", "quiet"]), "table");
 * assert.equal(closest("xyz", ["table", "debug", "quiet"]), undefined);
 * ```
 */
export function closest(
  word: string,
  candidates: readonly string[],
  maxDistance = 2,
): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
