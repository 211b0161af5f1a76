import assert from "node:assert/strict";
import { decodeKeys, LineEditor } from "../../lib/client/line_editor.ts";

function type(editor: LineEditor, text: string) {
  return decodeKeys(text).map((key) => editor.press(key));
}

Deno.test("decodeKeys() decodes text, control keys and escape sequences", () => {
  assert.deepEqual(
    decodeKeys(
      "ab c\x1b[A\x1b[B\x1b[C\x1b[D\x1bOH\x1b[F\x1b[3~\x7f\b\r\n\x03\x04\x15\x0b\x17\x01\x05",
    ),
    [
      { type: "text", text: "ab c" },
      { type: "up" },
      { type: "down" },
      { type: "right" },
      { type: "left" },
      { type: "home" },
      { type: "end" },
      { type: "delete" },
      { type: "backspace" },
      { type: "backspace" },
      { type: "enter" },
      { type: "interrupt" },
      { type: "eof" },
      { type: "clearLine" },
      { type: "clearToEnd" },
      { type: "deleteWord" },
      { type: "home" },
      { type: "end" },
    ],
  );
});

Deno.test("decodeKeys() drops unknown sequences and control characters", () => {
  assert.deepEqual(decodeKeys("\x1b[15~x\x07y\x1b"), [
    { type: "text", text: "x" },
    { type: "text", text: "y" },
  ]);
  assert.deepEqual(decodeKeys("\n\n"), [{ type: "enter" }, { type: "enter" }]);
});

Deno.test("LineEditor.press() inserts at the cursor and moves it", () => {
  const editor = new LineEditor();
  type(editor, "by 100\x1b[D\x1b[D\x1b[D\x1b[D\x1b[Du");
  assert.equal(editor.line, "buy 100");
  assert.equal(editor.cursor, 2);
  type(editor, "\x1b[F\x7f");
  assert.equal(editor.line, "buy 10");
  type(editor, "\x01\x1b[3~");
  assert.deepEqual([editor.line, editor.cursor], ["uy 10", 0]);
  type(editor, "\x1b[D\x7f");
  assert.deepEqual([editor.line, editor.cursor], ["uy 10", 0]);
  type(editor, "\x05\x1b[C");
  assert.equal(editor.cursor, 5);
});

Deno.test("LineEditor.press() clears, kills to the end and deletes words", () => {
  const editor = new LineEditor();
  type(editor, "buy 100 7203");
  type(editor, "\x17");
  assert.deepEqual([editor.line, editor.cursor], ["buy 100 ", 8]);
  type(editor, "\x17");
  assert.equal(editor.line, "buy ");
  type(editor, "100\x01\x1b[C\x1b[C\x1b[C\x0b");
  assert.equal(editor.line, "buy");
  type(editor, "\x15");
  assert.deepEqual([editor.line, editor.cursor], ["", 0]);
});

Deno.test("LineEditor.press() submits and keeps a history on the arrow keys", () => {
  const editor = new LineEditor();
  assert.deepEqual(type(editor, "orders\r").at(-1), {
    type: "submit",
    line: "orders",
  });
  type(editor, "help\r\r   \rhelp\r");
  assert.deepEqual(editor.history, ["orders", "help"]);
  type(editor, "can");
  type(editor, "\x1b[A");
  assert.equal(editor.line, "help");
  type(editor, "\x1b[A\x1b[A");
  assert.equal(editor.line, "orders");
  type(editor, "\x1b[B");
  assert.equal(editor.line, "help");
  type(editor, "\x1b[B");
  assert.deepEqual([editor.line, editor.cursor], ["can", 3]);
  type(editor, "\x1b[B");
  assert.equal(editor.line, "can");
});

Deno.test("LineEditor.press() keeps at most historySize lines", () => {
  const editor = new LineEditor({ historySize: 2 });
  type(editor, "a\rb\rc\r");
  assert.deepEqual(editor.history, ["b", "c"]);
});

Deno.test("LineEditor.press() interrupts on Ctrl-C and ends on Ctrl-D only when empty", () => {
  const editor = new LineEditor();
  assert.deepEqual(type(editor, "ab\x03").at(-1), { type: "interrupt" });
  assert.equal(editor.line, "");
  assert.deepEqual(type(editor, "ab\x01\x04").at(-1), { type: "edit" });
  assert.equal(editor.line, "b");
  assert.deepEqual(type(editor, "\x15\x04").at(-1), { type: "eof" });
});

Deno.test("LineEditor.render() draws the prompt and puts the cursor back", () => {
  const editor = new LineEditor();
  type(editor, "buy\x1b[D");
  assert.equal(editor.render("ouch> "), "\r\x1b[2Kouch> buy\x1b[1D");
  type(editor, "\x05");
  assert.equal(editor.render("> "), "\r\x1b[2K> buy");
});
