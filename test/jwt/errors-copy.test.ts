import { mkdtemp, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { isJwtError, JwtError } from "../../src/jwt/errors.js";

// Apart from the other tests of errors.ts because it loads a whole second copy
// of the package inside a test: mutation testing leaves it out, since that
// load would make every module-level constant look like code run by this test.

describe("another copy of the package", () => {
  // The CommonJS build as an application that also loads the ESM build gets it:
  // the same source, bundled on its own, with its own JwtError class.
  async function commonJsCopy(): Promise<typeof import("../../src/index.js")> {
    const { outputFiles } = await build({
      entryPoints: [fileURLToPath(new URL("../../src/index.ts", import.meta.url))],
      bundle: true,
      format: "cjs",
      platform: "neutral",
      write: false,
    });
    const dir = await mkdtemp(join(tmpdir(), "hs256-cjs-"));
    const path = join(dir, "index.cjs");
    await writeFile(path, outputFiles[0]?.text ?? "");
    return createRequire(import.meta.url)(path);
  }

  it("is recognised by isJwtError and instanceof, both ways", async () => {
    const copy = await commonJsCopy();
    expect(copy.JwtError).not.toBe(JwtError);
    const theirs = await copy.verify("a.b", "x".repeat(32)).catch((error: unknown) => error);
    const ours = new JwtError("ERR_JWT_MALFORMED", "x");
    expect(isJwtError(theirs, "ERR_JWT_MALFORMED")).toBe(true);
    expect(theirs instanceof JwtError).toBe(true);
    expect(copy.isJwtError(ours, "ERR_JWT_MALFORMED")).toBe(true);
    expect(ours instanceof copy.JwtError).toBe(true);
    expect(copy.isJwtError(new Error("x"))).toBe(false);
  });
});
