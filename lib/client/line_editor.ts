/**
 * Line editing for the interactive prompt on a terminal in raw mode: keys decoded from the
 * bytes a terminal sends, an editable line with a cursor, and history on the arrow keys.
 * No I/O: the caller reads the terminal and writes what {@linkcode LineEditor.render} returns.
 *
 * @module
 */

/** A key press, decoded by {@linkcode decodeKeys}. */
export type Key =
  | { readonly type: "text"; readonly text: string }
  | {
    readonly type:
      | "enter"
      | "backspace"
      | "delete"
      | "left"
      | "right"
      | "home"
      | "end"
      | "up"
      | "down"
      | "interrupt"
      | "eof"
      | "clearLine"
      | "clearToEnd"
      | "deleteWord";
  };

/** Escape sequences of the keys the editor knows; others are dropped. */
const SEQUENCES: ReadonlyMap<string, Key["type"]> = new Map([
  ["\x1b[A", "up"],
  ["\x1b[B", "down"],
  ["\x1b[C", "right"],
  ["\x1b[D", "left"],
  ["\x1bOA", "up"],
  ["\x1bOB", "down"],
  ["\x1bOC", "right"],
  ["\x1bOD", "left"],
  ["\x1b[H", "home"],
  ["\x1b[F", "end"],
  ["\x1bOH", "home"],
  ["\x1bOF", "end"],
  ["\x1b[1~", "home"],
  ["\x1b[4~", "end"],
  ["\x1b[3~", "delete"],
]);

/** Control characters and their keys. */
const CONTROLS: ReadonlyMap<string, Key["type"]> = new Map([
  ["\r", "enter"],
  ["\n", "enter"],
  ["\x7f", "backspace"],
  ["\b", "backspace"],
  ["\x01", "home"],
  ["\x05", "end"],
  ["\x02", "left"],
  ["\x06", "right"],
  ["\x10", "up"],
  ["\x0e", "down"],
  ["\x03", "interrupt"],
  ["\x04", "eof"],
  ["\x15", "clearLine"],
  ["\x0b", "clearToEnd"],
  ["\x17", "deleteWord"],
]);

/**
 * Decodes what a terminal in raw mode sent into key presses.
 *
 * Printable text (runs of characters from U+0020 on, except DEL) becomes one `text` key;
 * `\r` and `\n` are Enter (a `\r\n` pair counts once); the arrow, Home, End and Delete
 * escape sequences of xterm and VT100 and the Emacs control keys (Ctrl-A, -E, -B, -F, -P,
 * -N, -U, -K, -W) are decoded; Ctrl-C is `interrupt`, Ctrl-D `eof`. Unknown escape
 * sequences and other control characters are dropped.
 *
 * @param text The characters read.
 * @returns The keys, in order.
 *
 * @example Decoding typing and an arrow key
 * ```ts
 * import { decodeKeys } from "./line_editor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeKeys("buy\x1b[A\r"), [
 *   { type: "text", text: "buy" },
 *   { type: "up" },
 *   { type: "enter" },
 * ]);
 * ```
 */
export function decodeKeys(text: string): Key[] {
  const keys: Key[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (char === "\x1b") {
      // deno-lint-ignore no-control-regex
      const match = /^\x1b(?:\[[0-9;]*[~A-Za-z]|O[A-Za-z])?/.exec(
        text.slice(at),
      )!;
      const type = SEQUENCES.get(match[0]);
      if (type !== undefined) keys.push({ type } as Key);
      at += match[0].length;
      continue;
    }
    const control = CONTROLS.get(char);
    if (control !== undefined) {
      if (!(char === "\n" && text[at - 1] === "\r")) {
        keys.push({ type: control } as Key);
      }
      at++;
      continue;
    }
    if (char < " ") {
      at++;
      continue;
    }
    let end = at + 1;
    while (end < text.length && text[end]! >= " " && text[end] !== "\x7f") {
      end++;
    }
    keys.push({ type: "text", text: text.slice(at, end) });
    at = end;
  }
  return keys;
}

/** What a key press did to a {@linkcode LineEditor}. */
export type EditResult =
  | { readonly type: "edit" }
  | { readonly type: "submit"; readonly line: string }
  | { readonly type: "interrupt" }
  | { readonly type: "eof" };

/** Options of {@linkcode LineEditor}. */
export interface LineEditorOptions {
  /**
   * How many submitted lines the history keeps.
   *
   * @default {100}
   */
  historySize?: number;
}

/**
 * One editable line with a cursor and a history of submitted lines.
 *
 * Text is inserted at the cursor; Left, Right, Home and End move it; Backspace and Delete
 * remove a character; Ctrl-U clears the line, Ctrl-K clears to its end, Ctrl-W deletes the
 * word before the cursor. Up and Down walk the history, keeping the line being typed as
 * the entry below the newest. Enter submits the line and adds it to the history unless it
 * is blank or repeats the newest entry. Ctrl-C interrupts; Ctrl-D on an empty line is the
 * end of input, elsewhere it deletes under the cursor.
 *
 * @example Typing, submitting and recalling a line
 * ```ts
 * import { decodeKeys, LineEditor } from "./line_editor.ts";
 * import assert from "node:assert/strict";
 *
 * const editor = new LineEditor();
 * const results = decodeKeys("orders\r\x1b[A").map((key) => editor.press(key));
 * assert.deepEqual(results[1], { type: "submit", line: "orders" });
 * assert.equal(editor.line, "orders");
 * assert.equal(editor.cursor, 6);
 * ```
 */
export class LineEditor {
  readonly #historySize: number;
  readonly #history: string[] = [];
  #line = "";
  #cursor = 0;
  #historyIndex = 0;
  #draft = "";

  /**
   * Constructs an empty editor.
   *
   * @param options The history size.
   */
  constructor(options: LineEditorOptions = {}) {
    this.#historySize = options.historySize ?? 100;
  }

  /** The line being edited. */
  get line(): string {
    return this.#line;
  }

  /** The cursor position: the number of characters before it. */
  get cursor(): number {
    return this.#cursor;
  }

  /** The submitted lines, oldest first. */
  get history(): readonly string[] {
    return this.#history;
  }

  /**
   * Applies one key press.
   *
   * @param key The key.
   * @returns `submit` with the line on Enter (the editor is then empty), `interrupt`,
   * `eof`, or `edit` for anything else.
   */
  press(key: Key): EditResult {
    const line = this.#line;
    const cursor = this.#cursor;
    switch (key.type) {
      case "text":
        this.#set(
          line.slice(0, cursor) + key.text + line.slice(cursor),
          cursor + key.text.length,
        );
        break;
      case "enter": {
        this.#set("", 0);
        const newest = this.#history[this.#history.length - 1];
        if (line.trim() !== "" && line !== newest) {
          this.#history.push(line);
          if (this.#history.length > this.#historySize) this.#history.shift();
        }
        this.#historyIndex = this.#history.length;
        this.#draft = "";
        return { type: "submit", line };
      }
      case "backspace":
        if (cursor > 0) {
          this.#set(line.slice(0, cursor - 1) + line.slice(cursor), cursor - 1);
        }
        break;
      case "delete":
        this.#set(line.slice(0, cursor) + line.slice(cursor + 1), cursor);
        break;
      case "left":
        this.#cursor = Math.max(0, cursor - 1);
        break;
      case "right":
        this.#cursor = Math.min(line.length, cursor + 1);
        break;
      case "home":
        this.#cursor = 0;
        break;
      case "end":
        this.#cursor = line.length;
        break;
      case "up":
        if (this.#historyIndex > 0) {
          if (this.#historyIndex === this.#history.length) this.#draft = line;
          this.#historyIndex--;
          const entry = this.#history[this.#historyIndex]!;
          this.#set(entry, entry.length);
        }
        break;
      case "down":
        if (this.#historyIndex < this.#history.length) {
          this.#historyIndex++;
          const entry = this.#historyIndex === this.#history.length
            ? this.#draft
            : this.#history[this.#historyIndex]!;
          this.#set(entry, entry.length);
        }
        break;
      case "interrupt":
        this.#set("", 0);
        return { type: "interrupt" };
      case "eof":
        if (line === "") return { type: "eof" };
        this.#set(line.slice(0, cursor) + line.slice(cursor + 1), cursor);
        break;
      case "clearLine":
        this.#set("", 0);
        break;
      case "clearToEnd":
        this.#set(line.slice(0, cursor), cursor);
        break;
      case "deleteWord": {
        const start = line.slice(0, cursor).replace(/\S+\s*$/, "").length;
        this.#set(line.slice(0, start) + line.slice(cursor), start);
        break;
      }
    }
    return { type: "edit" };
  }

  /**
   * Draws the prompt and the line over the current terminal line, with the cursor in place.
   *
   * @param prompt The prompt text before the line, without control characters.
   * @returns The characters to write: carriage return, erase line, prompt, line, and a
   * cursor move back when the cursor is not at the end.
   */
  render(prompt: string): string {
    const back = this.#line.length - this.#cursor;
    return `\r\x1b[2K${prompt}${this.#line}${back > 0 ? `\x1b[${back}D` : ""}`;
  }

  #set(line: string, cursor: number): void {
    this.#line = line;
    this.#cursor = cursor;
  }
}
