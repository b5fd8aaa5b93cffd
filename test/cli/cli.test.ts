import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main, processIo, readAll } from "../../src/cli/cli.js";
import { decodeUnverified, sign, verify } from "../../src/index.js";
import { NOW, SECRET } from "../support/fixtures.js";

// The version is read from the package.json found above the CLI's file: the
// tests of that walk stand another layout in for the real one.
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  return { ...fs, existsSync: vi.fn(fs.existsSync), readFileSync: vi.fn(fs.readFileSync) };
});

const HOUR_AGO = new Date(NOW.getTime() - 3600_000);

interface RunOptions {
  stdin?: string | undefined;
  env?: Record<string, string | undefined>;
}

async function run(argv: string[], options: RunOptions = {}) {
  let out = "";
  let err = "";
  const code = await main(argv, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    readStdin: async () => options.stdin,
    env: options.env ?? { JWT_SECRET: SECRET },
    now: () => NOW,
  });
  return { code, out, err };
}

async function tempFile(content: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "jwt-cli-")), "secret");
  await writeFile(path, content);
  return path;
}

describe("help and usage", () => {
  it.each([["--help"], ["-h"], ["help"]])("%s lists every command on stdout", async (flag) => {
    const { code, out, err } = await run([flag]);
    expect(code).toBe(EXIT_OK);
    for (const name of ["sign", "verify", "decode", "secret"]) expect(out).toContain(`  ${name} `);
    expect(err).toBe("");
  });

  it("without a command prints the usage on stderr and exits 2", async () => {
    const { code, out, err } = await run([]);
    expect(code).toBe(EXIT_USAGE);
    expect(out).toBe("");
    expect(err).toMatch(/^Usage: hs256 <command>/);
  });

  it.each(["frob", "toString", "constructor", "__proto__"])(
    "names an unknown command (%s)",
    async (name) => {
      const { code, out, err } = await run([name]);
      expect(code).toBe(EXIT_USAGE);
      expect(out).toBe("");
      expect(err).toContain(`error: unknown command "${name}"`);
    },
  );

  it.each(["sign", "verify", "decode", "secret"])("%s --help prints its usage", async (name) => {
    const { code, out } = await run([name, "--help"], { env: {} });
    expect(code).toBe(EXIT_OK);
    expect(out).toMatch(new RegExp(`^Usage: hs256 ${name}`));
  });

  it("refuses an unknown option, pointing to the command's help", async () => {
    const { code, err } = await run(["sign", "--expires", "1h", "{}"]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("Unknown option '--expires'");
    expect(err).toContain('Run "hs256 sign --help"');
  });

  // An extra argument may be a secret typed in the wrong place: it is counted, not shown.
  it("refuses more than one argument without repeating them", async () => {
    const { code, err } = await run(["verify", "a.b.c", "hunter2-hunter2-hunter2-hunter2"]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("too many arguments: expected at most one, got 2");
    expect(err).not.toContain("hunter2");
  });

  it.each([["--version"], ["-v"]])("%s prints the package's version", async (flag) => {
    const { version } = JSON.parse(
      await readFile(new URL("../../package.json", import.meta.url), "utf8"),
    );
    const { code, out } = await run([flag]);
    expect(code).toBe(EXIT_OK);
    expect(out).toBe(`${version}\n`);
  });

  describe("version, from the package.json above the CLI", () => {
    afterEach(() => {
      vi.mocked(existsSync).mockReset();
      vi.mocked(readFileSync).mockReset();
    });

    it("skips the package.json of another package on the way up", async () => {
      const actual = await vi.importActual<typeof import("node:fs")>("node:fs");
      const nearer = new URL("../../src/cli/package.json", import.meta.url).href;
      vi.mocked(existsSync).mockImplementation(
        (file) => String(file) === nearer || actual.existsSync(file),
      );
      vi.mocked(readFileSync).mockImplementation(((file: URL, encoding: "utf8") =>
        String(file) === nearer
          ? '{"name":"other","version":"9.9.9"}'
          : actual.readFileSync(file, encoding)) as typeof readFileSync);
      const { version } = JSON.parse(
        await readFile(new URL("../../package.json", import.meta.url), "utf8"),
      );
      expect((await run(["--version"])).out).toBe(`${version}\n`);
    });

    it('says "unknown" when no package.json of hs256 is found up to the root', async () => {
      vi.mocked(existsSync).mockReturnValue(false);
      expect(await run(["--version"])).toMatchObject({ code: EXIT_OK, out: "unknown\n" });
    });
  });

  it.each([
    ["sign", "--expires-in", "exp"],
    ["sign", "--issuer", "iss"],
    ["sign", "--subject", "sub"],
    ["verify", "--clock-tolerence", "clock-tolerance"],
    ["verify", "--maxlength", "max-length"],
    ["verify", "--clock-tollerence", "clock-tolerance"],
    ["verify", "--max", "max-token-age"],
    ["sign", "--secret-", "secret-file"],
  ])("names the option closest to an unknown one (%s %s)", async (name, flag, known) => {
    const { code, err } = await run([name, flag, "x", "{}"]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain(`Unknown option '${flag}': did you mean --${known}?`);
  });

  it("passes on a usage error that is not an unknown option", async () => {
    const { code, err } = await run(["sign", "{}", "--exp"]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("error: Option '--exp <value>' argument missing");
  });

  it("suggests nothing for an option like none it knows", async () => {
    const { err } = await run(["verify", "--frobnicate", "x"]);
    expect(err).toContain("Unknown option '--frobnicate'");
    expect(err).not.toContain("did you mean");
  });

  it("shows how to write the secret file readable by its owner alone", async () => {
    const { out } = await run(["secret", "--help"]);
    expect(out).toContain("(umask 077 && hs256 secret > jwt-secret)");
  });
});

describe("secret", () => {
  it("prints 32 random bytes in base64url", async () => {
    const first = await run(["secret"], { env: {} });
    const second = await run(["secret"], { env: {} });
    expect(first.code).toBe(EXIT_OK);
    const value = first.out.trim();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(value, "base64url")).toHaveLength(32);
    expect(second.out).not.toBe(first.out);
  });

  it("takes no argument", async () => {
    const { code, err } = await run(["secret", "64"]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("error: secret takes no arguments");
  });
});

describe("sign", () => {
  it("signs the payload given as an argument", async () => {
    const { code, out, err } = await run(["sign", "--exp", "1m", '{"sub":"alice","role":"admin"}']);
    expect(code).toBe(EXIT_OK);
    expect(err).toBe("");
    expect(out.endsWith("\n")).toBe(true);
    const { payload } = await verify(out.trim(), SECRET, { requireExpiration: false, now: NOW });
    expect(payload).toMatchObject({ sub: "alice", role: "admin" });
    expect(typeof payload.iat).toBe("number");
  });

  it.each([["-"], []])("reads the payload from stdin (args: %j)", async (...args: string[]) => {
    const { code, out } = await run(["sign", "--exp", "1m", ...args], { stdin: '{"sub":"bob"}\n' });
    expect(code).toBe(EXIT_OK);
    expect(decodeUnverified(out.trim()).payload.sub).toBe("bob");
  });

  it.each([undefined, "", " \n"])("without any payload exits 2 (stdin %j)", async (stdin) => {
    const { code, err } = await run(["sign"], { stdin });
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("no payload: give it as an argument or pipe it on standard input");
  });

  it("sets each claim from its option", async () => {
    const { code, out } = await run([
      "sign",
      "--exp",
      "15m",
      "--nbf=-10",
      "--iss",
      "https://issuer.example",
      "--aud",
      "api",
      "--sub",
      "alice",
      "--type",
      "ATK",
      "--kid",
      "k1",
      "{}",
    ]);
    expect(code).toBe(EXIT_OK);
    const { header, payload } = decodeUnverified(out.trim());
    expect(header.kid).toBe("k1");
    const iat = payload.iat as number;
    expect(payload).toEqual({
      iat,
      exp: iat + 900,
      nbf: iat - 10,
      iss: "https://issuer.example",
      aud: "api",
      sub: "alice",
      type: "ATK",
    });
  });

  it("refuses to make a token that never expires unless --no-exp says so", async () => {
    const refused = await run(["sign", '{"sub":"alice"}']);
    expect(refused.code).toBe(EXIT_USAGE);
    expect(refused.err).toContain("give --exp DURATION (such as --exp 15m), or --no-exp");
    const forever = await run(["sign", "--no-exp", '{"sub":"alice"}']);
    expect(forever.code).toBe(EXIT_OK);
    expect(decodeUnverified(forever.out.trim()).payload.exp).toBeUndefined();
    expect((await run(["sign", '{"sub":"alice","exp":1999999999}'])).code).toBe(EXIT_OK);
  });

  it.each([[["--no-exp", "--exp", "1m", "{}"]], [["--no-exp", '{"exp":1999999999}']]])(
    "refuses --no-exp with an exp (%j)",
    async (args) => {
      const { code, err } = await run(["sign", ...args]);
      expect(code).toBe(EXIT_USAGE);
      expect(err).toContain('--no-exp says the token never expires, yet it has "exp"');
    },
  );

  it("makes repeated --aud an array", async () => {
    const { out } = await run(["sign", "--exp", "1m", "--aud", "a", "--aud", "b", "{}"]);
    expect(decodeUnverified(out.trim()).payload.aud).toEqual(["a", "b"]);
  });

  it("reports bad JSON", async () => {
    const { code, out, err } = await run(["sign", "--exp", "1m", "{sub: alice}"]);
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe("");
    expect(err).toMatch(/^error: the payload is not valid JSON: /);
  });

  it.each(["[1]", "null", '"text"', "3"])(
    "refuses a payload that is not an object: %s",
    async (json) => {
      const { code, err } = await run(["sign", "--exp", "1m", json]);
      expect(code).toBe(EXIT_FAILURE);
      expect(err).toContain("the payload must be a JSON object");
    },
  );

  it.each([
    ["--exp", "1h", "exp"],
    ["--nbf", "1h", "nbf"],
    ["--iss", "x", "iss"],
    ["--aud", "x", "aud"],
    ["--sub", "x", "sub"],
    ["--type", "x", "type"],
  ])("refuses %s when the payload has the claim", async (flag, value, claim) => {
    const { code, err } = await run(["sign", flag, value, JSON.stringify({ [claim]: 1 })]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain(`error: ${flag} sets "${claim}", which the payload has`);
  });

  it("refuses a duration it does not understand", async () => {
    const { code, err } = await run(["sign", "--exp", "15min", "{}"]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain('--exp must be seconds or a duration such as "30s"');
  });

  it("reports a claim of the wrong type", async () => {
    const { code, err } = await run(["sign", '{"exp":"tomorrow"}']);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain('"exp" claim has the wrong type');
  });
});

describe("the secret", () => {
  it("without JWT_SECRET says how to give one", async () => {
    const { code, out, err } = await run(["sign", "--exp", "1m", "{}"], { env: {} });
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe("");
    expect(err).toBe(
      "error: no secret: set the environment variable JWT_SECRET, or use --secret-env NAME or --secret-file PATH\n",
    );
  });

  it("treats an empty JWT_SECRET as missing", async () => {
    expect((await run(["sign", "--exp", "1m", "{}"], { env: { JWT_SECRET: "" } })).code).toBe(
      EXIT_FAILURE,
    );
  });

  it("comes from the variable named by --secret-env", async () => {
    const { code, out } = await run(["sign", "--exp", "1m", "--secret-env", "MY_KEY", "{}"], {
      env: { MY_KEY: SECRET, JWT_SECRET: "another-secret-that-is-also-long-enough" },
    });
    expect(code).toBe(EXIT_OK);
    await expect(
      verify(out.trim(), SECRET, { requireExpiration: false, now: NOW }),
    ).resolves.toBeDefined();
  });

  it("names the missing variable of --secret-env", async () => {
    const { code, err } = await run(["sign", "--exp", "1m", "--secret-env", "MY_KEY", "{}"]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain("the environment variable MY_KEY is not set or is empty");
  });

  it.each([
    ["\n", true],
    ["\r\n", true],
    ["", true],
  ])("comes from --secret-file without one trailing newline (%j)", async (ending, same) => {
    const path = await tempFile(`${SECRET}${ending}`);
    const { code, out } = await run(["sign", "--exp", "1m", "--secret-file", path, "{}"], {
      env: {},
    });
    expect(code).toBe(EXIT_OK);
    const verified = verify(out.trim(), SECRET, { requireExpiration: false, now: NOW });
    if (same) await expect(verified).resolves.toBeDefined();
    else await expect(verified).rejects.toMatchObject({ code: "ERR_JWT_SIGNATURE" });
  });

  // Either would make another key than the one the servers read from the same file.
  it.each([
    ["\uFEFF", "\n", "starts with a byte order mark"],
    ["", "\n\n", "ends with more than one newline"],
    ["", "\r\n\r\n", "ends with more than one newline"],
    ["", "\n\r\n", "ends with more than one newline"],
  ])("refuses a secret file with %j before or %j after the secret", async (before, after, why) => {
    const path = await tempFile(`${before}${SECRET}${after}`);
    const { code, out, err } = await run(["sign", "--exp", "1m", "--secret-file", path, "{}"]);
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe("");
    expect(err).toContain(`the secret file ${path} ${why}`);
    expect(err).not.toContain(SECRET);
  });

  it.each(["s3cr3t-v@lue!", "s3cr3t-value", "9s3cr3t"])(
    "does not repeat a --secret-env value that is no variable's name (%s)",
    async (value) => {
      const { code, err } = await run(["sign", "--exp", "1m", "--secret-env", value, "{}"]);
      expect(code).toBe(EXIT_FAILURE);
      expect(err).toContain("the environment variable named by --secret-env is not set");
      expect(err).not.toContain("s3cr3t");
    },
  );

  // Only the file's last newline is not part of the secret: one inside it is.
  it("keeps a newline inside the secret file's secret", async () => {
    const secret = `${SECRET}\n${SECRET}`;
    const path = await tempFile(`${secret}\n`);
    const { code, out } = await run(["sign", "--exp", "1m", "--secret-file", path, "{}"], {
      env: {},
    });
    expect(code).toBe(EXIT_OK);
    await expect(verify(out.trim(), secret, { now: NOW })).resolves.toBeDefined();
  });

  it("reports a secret file it cannot read", async () => {
    const { code, err } = await run(["verify", "--secret-file", "/nonexistent/key", "a.b.c"]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toBe("error: cannot read the secret file /nonexistent/key (ENOENT)\n");
  });

  it("reports an empty secret file", async () => {
    const path = await tempFile("\n");
    const { code, err } = await run(["sign", "--exp", "1m", "--secret-file", path, "{}"]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain(`the secret file ${path} is empty`);
  });

  it("refuses both --secret-env and --secret-file", async () => {
    const args = ["sign", "--exp", "1m", "--secret-env", "A", "--secret-file", "b", "{}"];
    const { code, err } = await run(args);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("either --secret-env or --secret-file, not both");
  });

  it.each([
    ["--secret", "hunter2-hunter2-hunter2-hunter2-hunter2"],
    ["--secret=hunter2-hunter2-hunter2-hunter2-hunter2"],
  ])("is never taken from the command line (%s)", async (...flag) => {
    const { code, err } = await run(["sign", "--exp", "1m", ...flag, "{}"]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("--secret is not accepted: other users can read the command line");
    expect(err).not.toContain("hunter2");
  });

  it("reports a short secret without showing it", async () => {
    const { code, err } = await run(["sign", "--exp", "1m", "{}"], {
      env: { JWT_SECRET: "too-short-secret" },
    });
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toMatch(/^error ERR_JWT_KEY: HS256 secret is 16 bytes/);
    expect(err).not.toContain("too-short-secret");
  });
});

describe("verify", () => {
  const fresh = (payload: object = { sub: "alice" }, options = {}) =>
    sign(payload, SECRET, { expiresIn: "1h", now: NOW, ...options });

  it("prints the header and payload as JSON", async () => {
    const token = await fresh({ sub: "alice", role: "admin" });
    const { code, out, err } = await run(["verify", token]);
    expect(code).toBe(EXIT_OK);
    expect(err).toBe("");
    expect(JSON.parse(out)).toEqual(await verify(token, SECRET, { now: NOW }));
  });

  it("reads the token from stdin", async () => {
    const token = await fresh();
    const { code, out } = await run(["verify"], { stdin: `${token}\n` });
    expect(code).toBe(EXIT_OK);
    expect(JSON.parse(out).payload.sub).toBe("alice");
  });

  it("without a token exits 2", async () => {
    const { code, err } = await run(["verify"]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("no token: give it as an argument or pipe it on standard input");
  });

  it("reports an expired token with its code and when it expired", async () => {
    const token = await sign({}, SECRET, { expiresIn: 60, now: HOUR_AGO });
    const { code, out, err } = await run(["verify", token]);
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe("");
    const expiredAt = new Date((Math.floor(HOUR_AGO.getTime() / 1000) + 60) * 1000);
    expect(err).toBe(
      `error ERR_JWT_EXPIRED: token has expired (expired at ${expiredAt.toISOString()})\n`,
    );
  });

  it("reports a token signed with another secret", async () => {
    const token = await sign({}, `${SECRET}-other`, { expiresIn: "1h", now: NOW });
    const { code, err } = await run(["verify", token]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toBe("error ERR_JWT_SIGNATURE: signature does not match\n");
  });

  it("reports a malformed token", async () => {
    const { code, err } = await run(["verify", "not-a-token"]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toMatch(/^error ERR_JWT_MALFORMED: /);
  });

  it.each([
    [["--type", "ATK"], { type: "RTK" }, "ERR_JWT_TYPE"],
    [["--iss", "a"], { iss: "b" }, "ERR_JWT_CLAIM"],
    [["--aud", "a"], { aud: "b" }, "ERR_JWT_CLAIM"],
    [["--sub", "a"], { sub: "b" }, "ERR_JWT_CLAIM"],
    [["--require", "jti"], { sub: "b" }, "ERR_JWT_CLAIM"],
  ])("checks %j", async (flags, payload, errorCode) => {
    const token = await fresh(payload);
    const { code, err } = await run(["verify", ...flags, token]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toMatch(new RegExp(`^error ${errorCode}: `));
  });

  it.each([
    [["--type", "ATK", "--type", "RTK"], { type: "RTK" }],
    [["--iss", "a", "--iss", "b"], { iss: "b" }],
    [["--aud", "a", "--aud", "b"], { aud: ["b", "c"] }],
    [["--sub", "b"], { sub: "b" }],
    [["--require", "jti", "--require", "sub"], { sub: "b", jti: "1" }],
  ])("accepts %j", async (flags, payload) => {
    expect((await run(["verify", ...flags, await fresh(payload)])).code).toBe(EXIT_OK);
  });

  it("allows for clock skew with --clock-tolerance", async () => {
    const token = await sign({}, SECRET, { expiresIn: 3590, now: HOUR_AGO });
    expect((await run(["verify", token])).code).toBe(EXIT_FAILURE);
    expect((await run(["verify", "--clock-tolerance", "1m", token])).code).toBe(EXIT_OK);
  });

  it("refuses old tokens with --max-token-age", async () => {
    const token = await sign({}, SECRET, { expiresIn: "2h", now: HOUR_AGO });
    expect((await run(["verify", "--max-token-age", "2h", token])).code).toBe(EXIT_OK);
    const { code, err } = await run(["verify", "--max-token-age", "10m", token]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toContain("error ERR_JWT_EXPIRED: token is older than maxTokenAge");
  });

  it("accepts a token without exp only with --allow-no-exp", async () => {
    const token = await sign({ sub: "a" }, SECRET, { requireExpiration: false, now: NOW });
    const refused = await run(["verify", token]);
    expect(refused.code).toBe(EXIT_FAILURE);
    expect(refused.err).toContain('error ERR_JWT_CLAIM: token has no "exp" claim');
    expect((await run(["verify", "--allow-no-exp", token])).code).toBe(EXIT_OK);
  });

  it("refuses tokens longer than --max-length", async () => {
    const token = await fresh();
    expect((await run(["verify", "--max-length", String(token.length), token])).code).toBe(EXIT_OK);
    const { code, err } = await run(["verify", "--max-length", String(token.length - 1), token]);
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toMatch(/^error ERR_JWT_MALFORMED: /);
  });

  it.each(["0", "-1", "1e3", "ten"])("refuses --max-length %s", async (value) => {
    const { code, err } = await run(["verify", `--max-length=${value}`, await fresh()]);
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain(`--max-length must be a positive whole number, got "${value}"`);
  });

  it.each(["--clock-tolerance", "--max-token-age"])(
    "refuses a bad duration for %s",
    async (flag) => {
      const { code, err } = await run(["verify", flag, "soon", await fresh()]);
      expect(code).toBe(EXIT_USAGE);
      expect(err).toContain(`${flag} must be seconds or a duration`);
    },
  );
});

describe("a token pasted with its scheme (RFC 6750 section 2.1)", () => {
  it.each(["Bearer ", "bearer  ", "Authorization: Bearer ", "authorization:Bearer "])(
    "reads %j followed by the token as the token, in verify and decode",
    async (prefix) => {
      const token = await sign({ sub: "alice" }, SECRET, { expiresIn: 60, now: NOW });
      const verified = await run(["verify", `${prefix}${token}`]);
      expect(verified.code).toBe(EXIT_OK);
      expect(JSON.parse(verified.out).payload.sub).toBe("alice");
      const decoded = await run(["decode", "-"], { stdin: `${prefix}${token}\n`, env: {} });
      expect(JSON.parse(decoded.out).payload.sub).toBe("alice");
    },
  );
});

describe("a token with a scheme inside it", () => {
  it("is read as it is, the scheme only being taken off the start", async () => {
    const token = await sign({ sub: "alice" }, SECRET, { expiresIn: 60, now: NOW });
    const at = token.lastIndexOf(".") + 1;
    const { code, out, err } = await run([
      "verify",
      `${token.slice(0, at)}Bearer ${token.slice(at)}`,
    ]);
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe("");
    expect(err).toMatch(/^error ERR_JWT_MALFORMED: signature is not valid base64url/);
  });
});

describe("decode", () => {
  it("prints the header and payload, says they are not verified, and needs no secret", async () => {
    const token = await sign({ sub: "eve" }, `${SECRET}-unknown`, { expiresIn: 60, now: NOW });
    const { code, out, err } = await run(["decode", token], { env: {} });
    expect(code).toBe(EXIT_OK);
    expect(JSON.parse(out)).toEqual(decodeUnverified(token));
    expect(err).toContain("NOT verified");
  });

  it("reads the token from stdin", async () => {
    const token = await sign({ sub: "eve" }, SECRET, { expiresIn: 60, now: NOW });
    const { code, out } = await run(["decode", "-"], { stdin: `${token}\n` });
    expect(code).toBe(EXIT_OK);
    expect(JSON.parse(out).payload.sub).toBe("eve");
  });

  it("without a token exits 2", async () => {
    const { code, err } = await run(["decode"], { env: {} });
    expect(code).toBe(EXIT_USAGE);
    expect(err).toContain("error: no token: give it as an argument or pipe it on standard input");
  });

  it("reports a malformed token", async () => {
    const { code, out, err } = await run(["decode", "a.b"]);
    expect(code).toBe(EXIT_FAILURE);
    expect(out).toBe("");
    expect(err).toMatch(/^error ERR_JWT_MALFORMED: /);
  });
});

describe("failures", () => {
  it("reports a failure that is not an Error", async () => {
    let err = "";
    const code = await main(["sign"], {
      out: () => {},
      err: (text) => {
        err += text;
      },
      readStdin: () => Promise.reject("stdin closed"),
      env: {},
      now: () => NOW,
    });
    expect(code).toBe(EXIT_FAILURE);
    expect(err).toBe("error: stdin closed\n");
  });
});

describe("processIo", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("writes to the process's stdout and stderr and reads its environment", () => {
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    const io = processIo();
    io.out("to stdout");
    io.err("to stderr");
    expect(out).toHaveBeenCalledWith("to stdout");
    expect(err).toHaveBeenCalledWith("to stderr");
    expect(io.env).toBe(process.env);
  });

  it("reads the system clock", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(NOW);
      expect(processIo().now()).toEqual(NOW);
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not wait for a terminal on stdin", async () => {
    const before = process.stdin.isTTY;
    process.stdin.isTTY = true;
    try {
      await expect(processIo().readStdin()).resolves.toBeUndefined();
    } finally {
      process.stdin.isTTY = before;
    }
  });
});

describe("readAll", () => {
  it("joins chunks, including characters split between them", async () => {
    const bytes = Buffer.from('{"name":"Zoë ✓"}');
    const split = bytes.indexOf(Buffer.from("ë")) + 1; // between the two bytes of "ë"
    const stream = Readable.from([bytes.subarray(0, split), bytes.subarray(split), " tail"]);
    expect(await readAll(stream)).toBe('{"name":"Zoë ✓"} tail');
  });
});
