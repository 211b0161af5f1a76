import assert from "node:assert/strict";
import { InputReader, readEditedLine } from "../../lib/client/input.ts";
import { LineEditor } from "../../lib/client/line_editor.ts";

function keys(...chunks: string[]): InputReader {
  const encoder = new TextEncoder();
  return new InputReader(
    ReadableStream.from(chunks.map((chunk) => encoder.encode(chunk))),
  );
}

Deno.test("readEditedLine() keeps pasted lines after the first for the next reads", async () => {
  const input = keys("buy 1 7203 @ 1\rorders\r\nqu", "it\r");
  const editor = new LineEditor();
  const screen: string[] = [];
  const write = (text: string) => screen.push(text);
  assert.deepEqual(await readEditedLine(input, editor, "> ", write), {
    type: "line",
    line: "buy 1 7203 @ 1",
  });
  assert.deepEqual(await readEditedLine(input, editor, "> ", write), {
    type: "line",
    line: "orders",
  });
  assert.deepEqual(await readEditedLine(input, editor, "> ", write), {
    type: "line",
    line: "quit",
  });
  assert.deepEqual(await readEditedLine(input, editor, "> ", write), {
    type: "eof",
  });
  assert.deepEqual(editor.history, ["buy 1 7203 @ 1", "orders", "quit"]);
  await input.cancel();
});

Deno.test("readEditedLine() tells Ctrl-C from Ctrl-D and shows ^C", async () => {
  const editor = new LineEditor();
  let screen = "";
  const write = (text: string) => screen += text;
  const interrupted = keys("sell 5\x03");
  assert.deepEqual(await readEditedLine(interrupted, editor, "> ", write), {
    type: "interrupt",
  });
  assert.ok(screen.endsWith("\r\x1b[2K> ^C\r\n"), JSON.stringify(screen));
  await interrupted.cancel();
  const ended = keys("\x04");
  assert.deepEqual(await readEditedLine(ended, editor, "> ", write), {
    type: "eof",
  });
  await ended.cancel();
});
