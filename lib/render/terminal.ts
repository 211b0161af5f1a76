/**
 * ANSI escape sequences and width helpers for text drawn in place on a terminal: the
 * server's console display and the ITCH client's live view. Pure.
 *
 * @example Cutting a coloured line to the terminal's width
 * ```ts
 * import { truncateVisible, visibleLength } from "./terminal.ts";
 * import assert from "node:assert/strict";
 *
 * const line = "\x1b[32mbid\x1b[39m 2300.0";
 * assert.equal(visibleLength(line), 10);
 * assert.equal(truncateVisible(line, 2), "\x1b[32mbi\x1b[0m");
 * ```
 *
 * @module
 */

const ESC = "\x1b";

/** `ESC 7`: saves the cursor position (DECSC). */
export const SAVE_CURSOR = `${ESC}7`;
/** `ESC 8`: restores the cursor position saved by {@linkcode SAVE_CURSOR} (DECRC). */
export const RESTORE_CURSOR = `${ESC}8`;
/** `ESC[K`: clears from the cursor to the end of the line. */
export const CLEAR_TO_END_OF_LINE = `${ESC}[K`;
/** `ESC[J`: clears from the cursor to the end of the screen. */
export const CLEAR_TO_END_OF_SCREEN = `${ESC}[J`;
/** `ESC[2K`: clears the whole line the cursor is on. */
export const CLEAR_LINE = `${ESC}[2K`;
/** `ESC[2J`: clears the screen. */
export const CLEAR_SCREEN = `${ESC}[2J`;
/** `ESC[r`: makes the whole screen the scrolling region again (DECSTBM without margins). */
export const RESET_SCROLL_REGION = `${ESC}[r`;

/**
 * `ESC[top;bottomr`: limits scrolling to rows `top` to `bottom` (1-based, inclusive). The
 * terminal moves the cursor to the home position.
 *
 * @param top The first row of the region.
 * @param bottom The last row of the region.
 * @returns The escape sequence.
 */
export function scrollRegion(top: number, bottom: number): string {
  return `${ESC}[${top};${bottom}r`;
}

/**
 * `ESC[row;columnH`: moves the cursor (1-based).
 *
 * @param row The row.
 * @param column The column.
 * @returns The escape sequence.
 */
export function moveTo(row: number, column = 1): string {
  return `${ESC}[${row};${column}H`;
}

/**
 * How many columns `text` takes: its length without SGR colour sequences (`ESC[…m`).
 *
 * @param text A line, possibly coloured.
 * @returns The number of visible characters.
 */
export function visibleLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 0x1b) {
      i = skipEscape(text, i);
    } else {
      length++;
    }
  }
  return length;
}

/**
 * Cuts `text` to at most `width` visible characters, keeping its colour sequences; a cut
 * coloured line ends with a reset (`ESC[0m`).
 *
 * @param text A line, possibly coloured.
 * @param width The most columns it may take.
 * @returns `text` itself when it fits.
 */
export function truncateVisible(text: string, width: number): string {
  let length = 0;
  let coloured = false;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 0x1b) {
      coloured = true;
      i = skipEscape(text, i);
      continue;
    }
    if (length === width) {
      return coloured ? `${text.slice(0, i)}${ESC}[0m` : text.slice(0, i);
    }
    length++;
  }
  return text;
}

/**
 * Pads `text` with spaces on the right to `width` visible characters.
 *
 * @param text A line, possibly coloured.
 * @param width The columns it should take.
 * @returns The padded line, or `text` when it is already as wide.
 */
export function padVisible(text: string, width: number): string {
  const length = visibleLength(text);
  return length >= width ? text : text + " ".repeat(width - length);
}

/** Returns the index of the last character of the escape sequence starting at `at`. */
function skipEscape(text: string, at: number): number {
  if (text[at + 1] !== "[") return at + 1;
  let i = at + 2;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code >= 0x40 && code <= 0x7e) return i; // the final byte
    i++;
  }
  return i;
}
