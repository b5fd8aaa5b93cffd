import { describe, expect, it, vi } from "vitest";
import {
  authenticate,
  createTokens,
  importSecret,
  memoryStore,
  sign,
  verify,
} from "../../src/index.js";
import { type HmacBackend, pickScheduler, webCryptoHmac } from "../../src/jwt/hmac.js";
import { nodeHmac } from "../../src/node.js";
import { SECRET } from "../support/fixtures.js";

const encoder = new TextEncoder();

// RFC 7515 appendix A.1: the HS256 example, its key (a JWK "k") and its token.
const A1_KEY = Buffer.from(
  "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
  "base64url",
);
const A1_TOKEN =
  "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
  ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
  ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const A1_VALID_AT = new Date(1300819379 * 1000);

function flipLastSignatureChar(token: string): string {
  // "A" and "Q" differ in the top bits of the last sextet, which carry signature bits.
  return token.slice(0, -1) + (token.endsWith("A") ? "Q" : "A");
}

const backends: [string, HmacBackend | undefined][] = [
  ["Web Crypto (default)", undefined],
  ["Web Crypto (explicit)", webCryptoHmac],
  ["node:crypto", nodeHmac()],
];

describe.each(backends)("HMAC backend: %s", (_name, hmac) => {
  it("verifies the RFC 7515 A.1 example", async () => {
    const { header, payload } = await verify(A1_TOKEN, new Uint8Array(A1_KEY), {
      hmac,
      now: A1_VALID_AT,
    });
    expect(header).toEqual({ typ: "JWT", alg: "HS256" });
    expect(payload).toEqual({ iss: "joe", exp: 1300819380, "http://example.com/is_root": true });
  });

  it("refuses the A.1 example with one signature bit changed", async () => {
    await expect(
      verify(flipLastSignatureChar(A1_TOKEN), new Uint8Array(A1_KEY), { hmac, now: A1_VALID_AT }),
    ).rejects.toMatchObject({ code: "ERR_JWT_SIGNATURE" });
  });

  it("refuses a signature of the wrong length", async () => {
    const token = await sign({ sub: "a" }, SECRET, { hmac, expiresIn: 60 });
    await expect(verify(token.slice(0, -3), SECRET, { hmac })).rejects.toMatchObject({
      code: "ERR_JWT_SIGNATURE",
    });
  });

  it("refuses a signature that is not base64url", async () => {
    const token = await sign({ sub: "a" }, SECRET, { hmac, expiresIn: 60 });
    await expect(verify(`${token.slice(0, -1)}*`, SECRET, { hmac })).rejects.toMatchObject({
      code: "ERR_JWT_MALFORMED",
    });
  });

  it("signs exactly the token the other backends sign", async () => {
    const now = new Date(1700000000000);
    const options = { expiresIn: "15m", issuer: "iss", now };
    const expected = await sign({ sub: "alice", type: "ATK" }, SECRET, options);
    expect(await sign({ sub: "alice", type: "ATK" }, SECRET, { ...options, hmac })).toBe(expected);
  });

  it.each([
    ["a string", SECRET],
    ["a Uint8Array", encoder.encode(SECRET)],
    ["an ArrayBuffer", encoder.encode(SECRET).buffer],
  ])("round-trips with %s secret", async (_kind, secret) => {
    const token = await sign({ sub: "bob" }, secret, { hmac, expiresIn: 60 });
    const { payload } = await verify(token, secret, { hmac });
    expect(payload.sub).toBe("bob");
    await expect(verify(token, `${SECRET}!`, { hmac })).rejects.toMatchObject({
      code: "ERR_JWT_SIGNATURE",
    });
  });

  it("round-trips with a CryptoKey, and checks its usages", async () => {
    const key = await importSecret(SECRET);
    const token = await sign({ sub: "carol" }, key, { hmac, expiresIn: 60 });
    expect((await verify(token, key, { hmac })).payload.sub).toBe("carol");
    expect((await verify(token, SECRET, { hmac })).payload.sub).toBe("carol");
    const verifyOnly = await crypto.subtle.importKey(
      "raw",
      encoder.encode(SECRET),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    await expect(sign({ sub: "carol" }, verifyOnly, { hmac, expiresIn: 60 })).rejects.toMatchObject(
      {
        code: "ERR_JWT_KEY",
      },
    );
  });

  it.each([
    ["string", "x".repeat(31)],
    ["Uint8Array", new Uint8Array(31)],
  ])("refuses a %s secret under 32 bytes", async (_kind, secret) => {
    await expect(sign({ sub: "a" }, secret, { hmac, expiresIn: 60 })).rejects.toMatchObject({
      code: "ERR_JWT_KEY",
    });
    await expect(verify(A1_TOKEN, secret, { hmac })).rejects.toMatchObject({
      code: "ERR_JWT_KEY",
    });
  });

  it("notices a byte secret changed in place", async () => {
    const secret = encoder.encode(SECRET);
    const token = await sign({ sub: "a" }, secret, { hmac, expiresIn: 60 });
    secret[0] = 0x7a;
    await expect(verify(token, secret, { hmac })).rejects.toMatchObject({
      code: "ERR_JWT_SIGNATURE",
    });
  });

  it("keeps each of many concurrent calls apart", async () => {
    // Sign and verify reuse buffers between calls: a call in flight must not see another's bytes.
    const subjects = Array.from({ length: 64 }, (_, i) => `user-${i}-${"x".repeat(i * 7)}`);
    const tokens = await Promise.all(
      subjects.map((sub) => sign({ sub }, SECRET, { hmac, expiresIn: 60 })),
    );
    const mixed = tokens.map((token, i) => (i % 3 === 0 ? flipLastSignatureChar(token) : token));
    const results = await Promise.allSettled(mixed.map((token) => verify(token, SECRET, { hmac })));
    results.forEach((result, i) => {
      if (i % 3 === 0) {
        expect(result).toMatchObject({ status: "rejected", reason: { code: "ERR_JWT_SIGNATURE" } });
      } else {
        expect(result).toMatchObject({
          status: "fulfilled",
          value: { payload: { sub: subjects[i] } },
        });
      }
    });
  });

  it("serves the whole token flow of createTokens", async () => {
    const tokens = createTokens<{ role: string }>({ secret: SECRET, store: memoryStore(), hmac });
    const pair = await tokens.issue({ sub: "alice", role: "admin" });
    // Tokens of one backend are tokens of the other.
    expect((await verify(pair.accessToken, SECRET)).payload.role).toBe("admin");
    expect((await authenticate(tokens, `Bearer ${pair.accessToken}`)).role).toBe("admin");
    const next = await tokens.refresh(pair.refreshToken);
    expect((await tokens.verifyAccess(next.accessToken)).sub).toBe("alice");
    await tokens.revokeAccess(next.accessToken);
    const forged = await sign({ sub: "alice", type: "ATK", jti: "x" }, `${SECRET}!`, {
      expiresIn: 60,
    });
    await expect(tokens.verifyAccess(forged)).rejects.toMatchObject({ code: "ERR_JWT_SIGNATURE" });
  });

  it("handles payloads that outgrow the first reused buffers", async () => {
    const medium = "m".repeat(3000);
    const token = await sign({ medium }, SECRET, { hmac, expiresIn: 60 });
    expect((await verify(token, SECRET, { hmac })).payload.medium).toBe(medium);
  });

  it("handles payloads larger than the reused buffers", async () => {
    const big = "é".repeat(50_000);
    const token = await sign({ big }, SECRET, { hmac, expiresIn: 60 });
    const { payload } = await verify(token, SECRET, { hmac, maxTokenLength: token.length });
    expect(payload.big).toBe(big);
    // And the small ones after it still work.
    const small = await sign({ sub: "a" }, SECRET, { hmac, expiresIn: 60 });
    expect((await verify(small, SECRET, { hmac })).payload.sub).toBe("a");
  });
});

describe("webCryptoHmac's bursts", () => {
  const key = () =>
    crypto.subtle.importKey(
      "raw",
      encoder.encode(SECRET),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );

  // Calls spaced by other work let Web Crypto's pool fall asleep between them
  // (bench/webcrypto-dispatch.mjs): the calls of one turn are made together, after it.
  it("makes the calls of one turn together, once the turn is over", async () => {
    const k = await key();
    const data = encoder.encode("a.b");
    const spy = vi.spyOn(crypto.subtle, "verify");
    try {
      const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
      spy.mockClear();
      const calls = [1, 2, 3].map(() => webCryptoHmac.verify(k, data, mac));
      expect(spy).not.toHaveBeenCalled();
      expect(await Promise.all(calls)).toEqual([true, true, true]);
      expect(spy).toHaveBeenCalledTimes(3);
    } finally {
      spy.mockRestore();
    }
  });

  // On a server each request is its own task: the calls of the requests that
  // came in together are gathered too, until the event loop has handled them all.
  it("gathers the calls of the tasks of one turn of the event loop", async () => {
    const k = await key();
    const data = encoder.encode("a.b");
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
    const spy = vi.spyOn(crypto.subtle, "verify");
    try {
      spy.mockClear();
      const calls: (boolean | Promise<boolean>)[] = [];
      let madeBeforeSecondTask = -1;
      // Two callbacks queued together run as two tasks of one turn, with
      // microtasks between them (two timers would not always: each is due to
      // the millisecond it was set in).
      await new Promise<void>((resolve) => {
        setImmediate(() => calls.push(webCryptoHmac.verify(k, data, mac)));
        setImmediate(() => {
          madeBeforeSecondTask = spy.mock.calls.length;
          calls.push(webCryptoHmac.verify(k, data, mac));
          resolve();
        });
      });
      expect(madeBeforeSecondTask).toBe(0);
      expect(await Promise.all(calls)).toEqual([true, true]);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  // A hand-made fake, such as Jest's legacy timers, carries no mark to pass it over.
  it("is not held back by a setImmediate replaced after it was loaded", async () => {
    vi.stubGlobal("setImmediate", () => undefined);
    try {
      const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60, now: new Date(0) });
      await expect(verify(token, SECRET, { now: new Date(0) })).resolves.toMatchObject({
        payload: { sub: "a" },
      });
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("copies the caller's bytes at once, so that the caller may reuse them", async () => {
    const k = await key();
    const data = encoder.encode("header.payload");
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
    const verifying = webCryptoHmac.verify(k, data, mac);
    const signing = webCryptoHmac.sign(k, data);
    data.fill(0);
    mac.fill(0);
    expect(await verifying).toBe(true);
    expect(await signing).toEqual(
      new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode("header.payload"))),
    );
  });

  it("keeps apart the calls of a burst larger than its buffer", async () => {
    const pad = "p".repeat(3000);
    const tokens = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        sign({ sub: `user-${i}`, pad }, SECRET, { expiresIn: 60 }),
      ),
    );
    const mixed = tokens.map((token, i) => (i % 2 ? flipLastSignatureChar(token) : token));
    const results = await Promise.allSettled(mixed.map((token) => verify(token, SECRET)));
    results.forEach((result, i) => {
      if (i % 2) expect(result).toMatchObject({ reason: { code: "ERR_JWT_SIGNATURE" } });
      else expect(result).toMatchObject({ value: { payload: { sub: `user-${i}` } } });
    });
  });

  it("copies the bytes of calls that outgrow the burst's buffer too", async () => {
    const k = await key();
    // One view, rewritten before each call, as sign and verify reuse theirs:
    // 30 calls of 3 KB are more than the burst's 64 KB.
    const shared = new Uint8Array(3000);
    const inputs = Array.from({ length: 30 }, (_, i) => new Uint8Array(3000).fill(i));
    const macs = await Promise.all(
      inputs.map(async (input) => new Uint8Array(await crypto.subtle.sign("HMAC", k, input))),
    );
    const calls = inputs.map((input, i) => {
      shared.set(input);
      return webCryptoHmac.verify(k, shared, macs[i] as Uint8Array<ArrayBuffer>);
    });
    expect(await Promise.all(calls)).toEqual(inputs.map(() => true));
  });

  it("rejects the call whose Web Crypto call throws, and still makes the others", async () => {
    const k = await key();
    const data = encoder.encode("a.b");
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
    const failure = new TypeError("refused at once");
    const real = crypto.subtle.verify.bind(crypto.subtle);
    const spy = vi.spyOn(crypto.subtle, "verify").mockImplementationOnce(() => {
      throw failure;
    });
    spy.mockImplementation(real);
    try {
      const results = await Promise.allSettled([
        webCryptoHmac.verify(k, data, mac),
        webCryptoHmac.verify(k, data, mac),
      ]);
      expect(results).toEqual([
        { status: "rejected", reason: failure },
        { status: "fulfilled", value: true },
      ]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe("pickScheduler", () => {
  const immediate = (callback: () => void) => setImmediate(callback);

  // Node 20 has no navigator at all.
  it.each([
    undefined,
    { userAgent: "Node.js/22" },
    { userAgent: "Bun/1.4.5" },
    { userAgent: "Deno/2.9.6" },
  ])("hands bursts to setImmediate under navigator %o", (navigator) => {
    expect(pickScheduler({ setImmediate: immediate, navigator })).toBe(immediate);
  });

  // Workers' timers belong to one request; an agent that only mentions a runtime is another.
  it.each([
    { userAgent: "Cloudflare-Workers" },
    {},
    { userAgent: "Mozilla/5.0 (compatible; Node.js/22)" },
  ])("keeps to the current task under navigator %o", (navigator) => {
    expect(pickScheduler({ setImmediate: immediate, navigator })).not.toBe(immediate);
  });

  // Sinon's fake timers, as Jest and Vitest install them, mark theirs with `clock`.
  it("keeps to the current task with a faked setImmediate", () => {
    const faked = Object.assign((callback: () => void) => setImmediate(callback), { clock: {} });
    expect(pickScheduler({ setImmediate: faked })).not.toBe(faked);
  });

  // Without setImmediate (browsers), and wherever it is not used.
  it("runs the current task's bursts after its microtasks, by a promise that no fake timers hold", async () => {
    vi.useFakeTimers({ toFake: ["queueMicrotask", "setImmediate", "setTimeout"] });
    try {
      const ran: string[] = [];
      pickScheduler({})(() => ran.push("burst"));
      expect(ran).toEqual([]);
      await Promise.resolve();
      expect(ran).toEqual(["burst"]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("key cache", () => {
  function countingBackend(): HmacBackend<CryptoKey> & { imports: number } {
    const backend = {
      ...webCryptoHmac,
      imports: 0,
      importKey(secret: Uint8Array<ArrayBuffer> | CryptoKey) {
        backend.imports++;
        return webCryptoHmac.importKey(secret);
      },
    };
    return backend;
  }

  it("imports a secret once per backend", async () => {
    const hmac = countingBackend();
    const bytes = encoder.encode(SECRET);
    const key = await importSecret(SECRET);
    for (let i = 0; i < 3; i++) {
      await verify(await sign({ sub: "a" }, SECRET, { hmac, expiresIn: 60 }), SECRET, { hmac });
      await verify(await sign({ sub: "a" }, bytes, { hmac, expiresIn: 60 }), bytes, { hmac });
      await verify(await sign({ sub: "a" }, key, { hmac, expiresIn: 60 }), key, { hmac });
    }
    expect(hmac.imports).toBe(3);
    // Another backend has keys of its own: one made by this one would not fit it.
    const token = await sign({ sub: "a" }, SECRET, { hmac: nodeHmac(), expiresIn: 60 });
    expect((await verify(token, SECRET, { hmac })).payload.sub).toBe("a");
  });

  it("shares one pending import between concurrent calls", async () => {
    const hmac = countingBackend();
    const secret = `${SECRET}-concurrent`;
    await Promise.all(
      Array.from({ length: 8 }, () => sign({ sub: "a" }, secret, { hmac, expiresIn: 60 })),
    );
    expect(hmac.imports).toBe(1);
  });

  it.each([
    ["string", () => `${SECRET}-fails`],
    ["Uint8Array", () => encoder.encode(`${SECRET}-fails`)],
  ])("forgets a %s secret whose import failed, and tries again", async (_kind, make) => {
    const failing = vi.fn(webCryptoHmac.importKey).mockRejectedValueOnce(new Error("boom"));
    const hmac: HmacBackend<CryptoKey> = { ...webCryptoHmac, importKey: failing };
    const secret = make();
    await expect(sign({ sub: "a" }, secret, { hmac, expiresIn: 60 })).rejects.toThrow("boom");
    await Promise.resolve();
    const token = await sign({ sub: "a" }, secret, { hmac, expiresIn: 60 });
    expect((await verify(token, secret, { hmac })).payload.sub).toBe("a");
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it("forgets a CryptoKey whose import failed", async () => {
    const failing = vi.fn(webCryptoHmac.importKey).mockRejectedValueOnce(new Error("boom"));
    const hmac: HmacBackend<CryptoKey> = { ...webCryptoHmac, importKey: failing };
    const key = await importSecret(SECRET);
    await expect(sign({ sub: "a" }, key, { hmac, expiresIn: 60 })).rejects.toThrow("boom");
    await Promise.resolve();
    expect(await sign({ sub: "a" }, key, { hmac, expiresIn: 60 })).toMatch(/^ey/);
    expect(failing).toHaveBeenCalledTimes(2);
  });

  it("keeps working past the bound on cached string secrets", async () => {
    const hmac = countingBackend();
    const secrets = Array.from({ length: 70 }, (_, i) => `${SECRET}-${i}`);
    for (const secret of secrets) await sign({ sub: "a" }, secret, { hmac, expiresIn: 60 });
    expect(hmac.imports).toBe(70);
    // The oldest was dropped to stay within the bound, so it is imported again.
    await sign({ sub: "a" }, secrets[0] as string, { hmac, expiresIn: 60 });
    expect(hmac.imports).toBe(71);
    await sign({ sub: "a" }, secrets[69] as string, { hmac, expiresIn: 60 });
    expect(hmac.imports).toBe(71);
  });

  it("rejects a refused secret in importSecret rather than throwing", async () => {
    const imported = importSecret("short");
    expect(imported).toBeInstanceOf(Promise);
    await expect(imported).rejects.toMatchObject({ code: "ERR_JWT_KEY" });
  });

  it("refuses a secret of another type", async () => {
    await expect(
      sign({ sub: "a" }, 42 as unknown as string, { hmac: nodeHmac(), expiresIn: 60 }),
    ).rejects.toThrow(TypeError);
  });
});

describe("nodeHmac", () => {
  it("returns one backend, so that its keys are shared", () => {
    expect(nodeHmac()).toBe(nodeHmac());
  });

  it("signs and verifies synchronously", () => {
    const hmac = nodeHmac();
    const key = hmac.importKey(new Uint8Array(A1_KEY));
    expect(key).not.toBeInstanceOf(Promise);
    const [input, signature] = [
      A1_TOKEN.slice(0, A1_TOKEN.lastIndexOf(".")),
      A1_TOKEN.slice(A1_TOKEN.lastIndexOf(".") + 1),
    ];
    const mac = hmac.sign(key as never, encoder.encode(input));
    expect(Buffer.from(mac as Uint8Array).toString("base64url")).toBe(signature);
    const sig = new Uint8Array(Buffer.from(signature, "base64url"));
    expect(hmac.verify(key as never, encoder.encode(input), sig)).toBe(true);
    expect(hmac.verify(key as never, encoder.encode(`${input}x`), sig)).toBe(false);
    expect(hmac.verify(key as never, encoder.encode(input), sig.subarray(1))).toBe(false);
  });
});

describe("a custom backend", () => {
  // A backend may keep its key elsewhere and hand back none: an absent key is
  // a key like any other, not a pending one.
  it.each([null, undefined])("may make its keys %s", async (none) => {
    const node = nodeHmac();
    let key: unknown;
    const keyless: HmacBackend<null | undefined> = {
      importKey: (secret) => {
        key = node.importKey(secret);
        return none;
      },
      sign: (_none, data) => node.sign(key as never, data),
      verify: (_none, data, signature) => node.verify(key as never, data, signature),
    };
    const token = await sign({ sub: "a" }, SECRET, { hmac: keyless, expiresIn: 60 });
    expect((await verify(token, SECRET, { hmac: keyless })).payload.sub).toBe("a");
  });
});
