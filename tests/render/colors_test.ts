import assert from "node:assert/strict";
import pc from "picocolors";
import { colors } from "../../lib/render/colors.ts";

// The display used picocolors before lib/render; its bytes must not change.
const PICO = pc.createColors(true);
const NAMES = [
  "bold",
  "dim",
  "red",
  "green",
  "yellow",
  "magenta",
  "cyan",
] as const;

Deno.test("colors(true) writes the bytes picocolors writes, nested attributes included", () => {
  const ours = colors(true);
  for (const outer of NAMES) {
    for (const text of ["", "HALTED", "a\x1b[22mb", "a\x1b[39mb\x1b[39mc"]) {
      assert.equal(ours[outer](text), PICO[outer](text), `${outer} ${text}`);
    }
    for (const inner of NAMES) {
      const text = `x ${ours[inner]("y")} z`;
      assert.equal(
        ours[outer](text),
        PICO[outer](PICO[inner]("y").replace(/^/, "x ") + " z"),
        `${outer}(${inner})`,
      );
    }
  }
});

Deno.test("colors(false) and colors(undefined) leave the text as it is", () => {
  for (const name of NAMES) {
    assert.equal(colors(false)[name]("2300.0"), "2300.0");
    assert.equal(colors(undefined)[name]("2300.0"), "2300.0");
  }
});
