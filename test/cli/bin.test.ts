// Runs the built `hs256` executable as a user would: a separate process,
// started through its shebang, with stdin, stdout, stderr and an exit code.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign } from "../../src/index.js";
import { SECRET } from "../support/fixtures.js";
import { run } from "../support/spawn.js";

let outDir: string;
let cli: string;

beforeAll(() => {
  // A build of its own, so that tests never race with `npm run build` over dist/.
  outDir = mkdtempSync(join(tmpdir(), "jwt-bin-"));
  execFileSync("npx", ["--no", "--", "tsup", "--out-dir", outDir, "--no-dts", "--silent"], {
    stdio: "pipe",
  });
  cli = join(outDir, "cli.js");
}, 120_000);

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

function jwt(args: string[], stdin = "", env: Record<string, string> = { JWT_SECRET: SECRET }) {
  return run(cli, args, { env: { PATH: process.env.PATH ?? "", ...env } }, stdin);
}

describe("the built executable", () => {
  it("is an executable node script", () => {
    expect(readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(statSync(cli).mode & 0o111).not.toBe(0);
  });

  it("leaves the main entry free of imports", () => {
    expect(readFileSync(join(outDir, "index.js"), "utf8")).not.toMatch(
      /^\s*(import|export .* from)\b/m,
    );
    expect(readFileSync(join(outDir, "index.cjs"), "utf8")).not.toMatch(/\brequire\(/);
  });

  it("signs a payload from stdin and verifies the token from stdin", async () => {
    const signed = await jwt(["sign", "--exp", "5m", "--type", "ATK"], '{"sub":"alice"}\n');
    expect(signed).toMatchObject({ code: 0, stderr: "" });
    const verified = await jwt(["verify", "--type", "ATK"], signed.stdout);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout).payload).toMatchObject({ sub: "alice", type: "ATK" });
  });

  it("uses a secret made by `secret`", async () => {
    const secret = (await jwt(["secret"], "", {})).stdout.trim();
    const env = { KEY: secret };
    const token = (await jwt(["sign", "--secret-env", "KEY", "--exp", "1m", "{}"], "", env)).stdout;
    expect((await jwt(["verify", "--secret-env", "KEY", token.trim()], "", env)).code).toBe(0);
    expect((await jwt(["verify", token.trim()])).code).toBe(1);
  });

  it("exits 1 on bad JSON", async () => {
    const { code, stdout, stderr } = await jwt(["sign"], "{not json");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error: the payload is not valid JSON: /);
  });

  it("exits 1 without a secret", async () => {
    const { code, stderr } = await jwt(["sign", "--exp", "1m", "{}"], "", {});
    expect(code).toBe(1);
    expect(stderr).toContain("error: no secret: set the environment variable JWT_SECRET");
  });

  it("exits 1 on an expired token", async () => {
    const token = await sign({}, SECRET, { expiresIn: 1, now: new Date(Date.now() - 60_000) });
    const { code, stdout, stderr } = await jwt(["verify", token]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^error ERR_JWT_EXPIRED: token has expired \(expired at /);
  });

  it("exits 2 on wrong usage, and 0 with --help", async () => {
    expect((await jwt(["verify", "--nope"])).code).toBe(2);
    expect((await jwt([])).code).toBe(2);
    const help = await jwt(["verify", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: hs256 verify");
  });

  it("marks decoded output as unverified", async () => {
    const token = await sign({ sub: "x" }, SECRET, { expiresIn: 60 });
    const { code, stdout, stderr } = await jwt(["decode", token], "", {});
    expect(code).toBe(0);
    expect(JSON.parse(stdout).payload.sub).toBe("x");
    expect(stderr).toContain("NOT verified");
  });
});
