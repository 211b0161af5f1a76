/**
 * The colours of the text renderers: ANSI SGR sequences, or none.
 *
 * @module
 */

/** Colours text with ANSI SGR sequences; see {@linkcode colors}. */
export interface Colors {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
}

/** Whether a renderer colours its text. */
export interface RenderOptions {
  /** Use ANSI colours. @default {false} */
  color?: boolean;
}

/**
 * One SGR attribute: `ESC[openm` text `ESC[closem`. A `close` inside the text (a nested
 * attribute of the same kind ending) is followed by `reopen`, so the outer one goes on.
 */
function attribute(
  open: number,
  close: number,
  reopen = `\x1b[${open}m`,
): (text: string) => string {
  const start = `\x1b[${open}m`;
  const end = `\x1b[${close}m`;
  return (text) => {
    const at = text.indexOf(end, start.length);
    if (at < 0) return `${start}${text}${end}`;
    return `${start}${text.slice(0, at)}${
      text.slice(at).replaceAll(end, reopen)
    }${end}`;
  };
}

const COLORS_ON: Colors = {
  bold: attribute(1, 22, "\x1b[22m\x1b[1m"),
  dim: attribute(2, 22, "\x1b[22m\x1b[2m"),
  red: attribute(31, 39),
  green: attribute(32, 39),
  yellow: attribute(33, 39),
  magenta: attribute(35, 39),
  cyan: attribute(36, 39),
};

const plain = (text: string) => text;
const COLORS_OFF: Colors = {
  bold: plain,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
  magenta: plain,
  cyan: plain,
};

/**
 * The colours, or plain text.
 *
 * @param enabled Whether to colour; `undefined` does not.
 * @returns Functions that wrap text in SGR sequences (bold and dim end with `ESC[22m`, the
 * colours with `ESC[39m`), or return it as it is.
 *
 * @example Green on a terminal, nothing in a pipe
 * ```ts
 * import { colors } from "./colors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(colors(true).green("2300.0"), "\x1b[32m2300.0\x1b[39m");
 * assert.equal(colors(true).yellow(colors(true).bold("HALTED")), "\x1b[33m\x1b[1mHALTED\x1b[22m\x1b[39m");
 * assert.equal(colors(false).green("2300.0"), "2300.0");
 * ```
 */
export function colors(enabled: boolean | undefined): Colors {
  return enabled === true ? COLORS_ON : COLORS_OFF;
}
