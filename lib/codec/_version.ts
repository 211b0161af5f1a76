// Private: resolves `CodecOptions.version` once per call.
import type { CodecOptions } from "./options.ts";

/**
 * Tells whether `options` select the v1.11 layout (Orderbook ID as a uint32).
 *
 * @param options The codec options; `version` defaults to `"1.12"`.
 * @returns `true` for `"1.11"`, `false` for `"1.12"` or no version.
 * @throws {RangeError} If `version` is neither `"1.12"` nor `"1.11"`.
 */
export function isVersion111(options: CodecOptions): boolean {
  const version = options.version;
  if (version === undefined || version === "1.12") return false;
  if (version === "1.11") return true;
  throw new RangeError(
    `Cannot select protocol version as one of "1.12", "1.11": current version is ${
      JSON.stringify(version) ?? String(version)
    }`,
  );
}
