/**
 * Reading the client's standard input: whole lines from a pipe or a terminal in cooked
 * mode, or key presses edited by a {@linkcode LineEditor} from a terminal in raw mode.
 *
 * @module
 */

import { decodeKeys, LineEditor } from "./line_editor.ts";

/**
 * Reads a byte stream as text, by line or by chunk. One reader serves a whole run, so
 * that an Enter-key replay can hand over to the prompt.
 *
 * @example Lines from a stream
 * ```ts
 * import { InputReader } from "./input.ts";
 * import assert from "node:assert/strict";
 *
 * const input = new InputReader(ReadableStream.from([new TextEncoder().encode("help\norders\r\nqu"), new TextEncoder().encode("it")]));
 * assert.equal(await input.readLine(), "help");
 * assert.equal(await input.readLine(), "orders");
 * assert.equal(await input.readLine(), "quit");
 * assert.equal(await input.readLine(), undefined);
 * await input.cancel();
 * ```
 */
export class InputReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #pending = "";
  #ended = false;

  /**
   * Constructs a reader.
   *
   * @param stream The input, e.g. `Deno.stdin.readable`.
   */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /**
   * Reads the next line.
   *
   * @returns The line without `\n` or `\r\n`, or `undefined` at the end of the input (a
   * last line without a newline is returned first).
   */
  async readLine(): Promise<string | undefined> {
    while (true) {
      const newline = this.#pending.indexOf("\n");
      if (newline >= 0) {
        const line = this.#pending.slice(0, newline).replace(/\r$/, "");
        this.#pending = this.#pending.slice(newline + 1);
        return line;
      }
      const text = await this.#read();
      if (text === undefined) {
        if (this.#pending === "") return undefined;
        const line = this.#pending;
        this.#pending = "";
        return line;
      }
      this.#pending += text;
    }
  }

  /**
   * Reads whatever arrives next, for raw mode.
   *
   * @returns The text, or `undefined` at the end of the input.
   */
  async readText(): Promise<string | undefined> {
    if (this.#pending !== "") {
      const text = this.#pending;
      this.#pending = "";
      return text;
    }
    return await this.#read();
  }

  /**
   * Puts text back in front of what is still to be read.
   *
   * @param text The text, e.g. the keys after an Enter that a raw-mode read returned.
   */
  unread(text: string): void {
    this.#pending = text + this.#pending;
  }

  /** Stops reading; a pending read resolves as the end of the input. */
  async cancel(): Promise<void> {
    this.#ended = true;
    await this.#reader.cancel().catch(() => {});
    this.#reader.releaseLock();
  }

  async #read(): Promise<string | undefined> {
    if (this.#ended) return undefined;
    try {
      const { value, done } = await this.#reader.read();
      if (done) {
        this.#ended = true;
        return undefined;
      }
      return this.#decoder.decode(value, { stream: true });
    } catch {
      this.#ended = true;
      return undefined;
    }
  }
}

/** What {@linkcode readEditedLine} read: a line, the end of the input, or Ctrl-C. */
export type EditedLine =
  | { readonly type: "line"; readonly line: string }
  | { readonly type: "eof" }
  | { readonly type: "interrupt" };

/**
 * Reads one line from a terminal in raw mode with a {@linkcode LineEditor}, echoing the
 * editing through `write`.
 *
 * @param input The reader of the terminal.
 * @param editor The editor, which keeps the history between lines.
 * @param prompt The prompt text.
 * @param write Writes text to the terminal as-is.
 * @returns The line; `eof` for Ctrl-D on an empty line or the end of the input;
 * `interrupt` for Ctrl-C (in raw mode the terminal sends it as a key, not as SIGINT).
 *
 * @example Typing a line, recalling it with the Up arrow, then Ctrl-C
 * ```ts
 * import { InputReader, readEditedLine } from "./input.ts";
 * import { LineEditor } from "./line_editor.ts";
 * import assert from "node:assert/strict";
 *
 * const keys = ["orders\r", "\x1b[A\r", "\x03"].map((text) => new TextEncoder().encode(text));
 * const input = new InputReader(ReadableStream.from(keys));
 * const editor = new LineEditor();
 * let screen = "";
 * const write = (text: string) => screen += text;
 * assert.deepEqual(await readEditedLine(input, editor, "> ", write), { type: "line", line: "orders" });
 * assert.deepEqual(await readEditedLine(input, editor, "> ", write), { type: "line", line: "orders" });
 * assert.deepEqual(await readEditedLine(input, editor, "> ", write), { type: "interrupt" });
 * assert.ok(screen.endsWith("\r\x1b[2K> ^C\r\n"));
 * await input.cancel();
 * ```
 */
export async function readEditedLine(
  input: InputReader,
  editor: LineEditor,
  prompt: string,
  write: (text: string) => void,
): Promise<EditedLine> {
  write(editor.render(prompt));
  while (true) {
    const text = await input.readText();
    if (text === undefined) {
      write("\r\n");
      return { type: "eof" };
    }
    // Up to the first Enter: what follows (pasted lines) is kept for the next call.
    const enter = /\r\n?|\n/.exec(text);
    const end = enter === null ? text.length : enter.index + enter[0].length;
    input.unread(text.slice(end));
    for (const key of decodeKeys(text.slice(0, end))) {
      const result = editor.press(key);
      switch (result.type) {
        case "submit":
          write(`${editor.render(prompt)}${result.line}\r\n`);
          return { type: "line", line: result.line };
        case "interrupt":
          write(`${editor.render(prompt)}^C\r\n`);
          return { type: "interrupt" };
        case "eof":
          write(`${editor.render(prompt)}\r\n`);
          return { type: "eof" };
        case "edit":
          break;
      }
    }
    write(editor.render(prompt));
  }
}
