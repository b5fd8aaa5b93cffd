import { afterEach, describe, expect, it, vi } from "vitest";
import { JwtError } from "../../src/jwt/errors.js";
import { pending, webCryptoHmac } from "../../src/jwt/hmac.js";
import { sign, verify } from "../../src/jwt/jwt.js";
import { backendKey, importSecret, keyFor } from "../../src/jwt/key.js";
import { expectJwtError } from "../support/expect.js";
import { NOW, SECRET } from "../support/signed.js";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

// The key cache lives for the whole module, so each test uses secrets no other test uses.
let serial = 0;
function freshString(): string {
  serial++;
  return `fresh-secret-${serial}-${"x".repeat(32)}`;
}
function freshBytes(fill = 7): Uint8Array<ArrayBuffer> {
  serial++;
  const bytes = new Uint8Array(32).fill(fill);
  bytes[0] = serial & 255;
  bytes[1] = serial >> 8;
  return bytes;
}

async function roundTrip(
  signWith: Parameters<typeof sign>[1],
  verifyWith: Parameters<typeof verify>[1],
) {
  const token = await sign({ sub: "alice" }, signWith, { now: NOW, expiresIn: 60 });
  return verify(token, verifyWith, { now: NOW });
}

describe("importSecret", () => {
  it("returns a non-extractable HMAC SHA-256 key for sign and verify", async () => {
    const text = freshString();
    const secrets: [string | Uint8Array | ArrayBuffer, number][] = [
      [text, 8 * new TextEncoder().encode(text).length],
      [freshBytes(), 256],
      [new ArrayBuffer(40), 320],
    ];
    for (const [secret, bits] of secrets) {
      const key = await importSecret(secret);
      expect(key).toBeInstanceOf(CryptoKey);
      expect(key.type).toBe("secret");
      expect(key.extractable).toBe(false);
      const algorithm = key.algorithm as HmacKeyAlgorithm;
      expect(algorithm.name).toBe("HMAC");
      expect(algorithm.hash.name).toBe("SHA-256");
      expect(algorithm.length).toBe(bits);
      expect([...key.usages].sort()).toEqual(["sign", "verify"]);
    }
  });

  it("takes the UTF-8 bytes of a string secret", async () => {
    // 16 characters, 32 bytes in UTF-8: accepted, and equal to the same bytes given raw.
    const secret = "é".repeat(16);
    const fromString = await importSecret(secret);
    expect((fromString.algorithm as HmacKeyAlgorithm).length).toBe(256);
    const payload = await roundTrip(secret, new TextEncoder().encode(secret));
    expect(payload.payload.sub).toBe("alice");
  });

  it("gives a key that verifies what the raw secret signed", async () => {
    const secret = freshString();
    const key = await importSecret(secret);
    expect((await roundTrip(secret, key)).payload.sub).toBe("alice");
    expect((await roundTrip(key, secret)).payload.sub).toBe("alice");
  });
});

describe("secret length (RFC 7518 section 3.2)", () => {
  const short: [string, () => string | Uint8Array | ArrayBuffer][] = [
    ["a string of 31 bytes", () => "s".repeat(31)],
    ["a multi-byte string of 31 bytes", () => `${"é".repeat(15)}a`],
    ["a Uint8Array of 31 bytes", () => new Uint8Array(31).fill(1)],
    ["an ArrayBuffer of 31 bytes", () => new ArrayBuffer(31)],
    ["an empty string", () => ""],
    ["an empty Uint8Array", () => new Uint8Array(0)],
  ];

  for (const [what, make] of short) {
    it(`refuses ${what} with ERR_JWT_KEY for sign, verify and importSecret`, async () => {
      const secret = make();
      const error = await expectJwtError(
        sign({ sub: "a" }, secret, { expiresIn: 60 }),
        "ERR_JWT_KEY",
      );
      expect(error.message).toMatch(/at least 32/);
      const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
      await expect(verify(token, secret)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
      await expect(importSecret(secret)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
    });
  }

  it("accepts exactly 32 bytes of each kind", async () => {
    for (const secret of ["s".repeat(32), new Uint8Array(32).fill(2), new ArrayBuffer(32)]) {
      expect((await roundTrip(secret, secret)).payload.sub).toBe("alice");
    }
  });

  it("counts the bytes of a view, not of its buffer", async () => {
    const view = new Uint8Array(new ArrayBuffer(64), 40, 24);
    await expect(importSecret(view)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
    });
  });
});

describe("CryptoKey secrets", () => {
  const hmac = (hash: string, usages: KeyUsage[], length?: number) =>
    crypto.subtle.generateKey(
      { name: "HMAC", hash, ...(length === undefined ? {} : { length }) },
      false,
      usages,
    ) as Promise<CryptoKey>;

  it("accepts an HMAC SHA-256 key of 256 bits or more", async () => {
    for (const length of [256, 512]) {
      const key = await hmac("SHA-256", ["sign", "verify"], length);
      expect(await importSecret(key)).toBe(key);
      expect((await roundTrip(key, key)).payload.sub).toBe("alice");
    }
  });

  it("refuses an HMAC key with another hash", async () => {
    for (const hash of ["SHA-384", "SHA-512", "SHA-1"]) {
      const key = await hmac(hash, ["sign", "verify"]);
      const error = await expectJwtError(sign({}, key, { expiresIn: 60 }), "ERR_JWT_KEY");
      expect(error.message).toBe("CryptoKey must be an HMAC key with SHA-256");
      await expect(verify(await sign({}, SECRET, { expiresIn: 60 }), key)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
      await expect(importSecret(key)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
    }
  });

  it("refuses keys of other algorithms", async () => {
    const aes = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]);
    const ecdsa = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
      "sign",
      "verify",
    ]);
    for (const key of [aes, ecdsa.privateKey, ecdsa.publicKey]) {
      await expect(sign({}, key, { expiresIn: 60 })).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
      await expect(importSecret(key)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
    }
  });

  it("refuses an HMAC SHA-256 key shorter than 256 bits", async () => {
    for (const length of [128, 248]) {
      const key = await hmac("SHA-256", ["sign", "verify"], length);
      const error = await expectJwtError(sign({}, key, { expiresIn: 60 }), "ERR_JWT_KEY");
      expect(error.message).toMatch(new RegExp(`^HMAC key is ${length} bits; at least 256`));
    }
    const raw = await crypto.subtle.importKey(
      "raw",
      new Uint8Array(16),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    await expect(importSecret(raw)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
    });
  });

  it("refuses a CryptoKey whose algorithm reports no length", async () => {
    const odd = Object.create(CryptoKey.prototype, {
      algorithm: { value: { name: "HMAC", hash: { name: "SHA-256" } } },
      usages: { value: ["sign", "verify"] },
    }) as CryptoKey;
    const error = await expectJwtError(importSecret(odd), "ERR_JWT_KEY");
    expect(error.message).toMatch(/at least 256 are required/);
  });

  it("refuses a key that lacks the usage it is needed for", async () => {
    const bytes = freshBytes();
    const signOnly = await crypto.subtle.importKey(
      "raw",
      bytes,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const verifyOnly = await crypto.subtle.importKey(
      "raw",
      bytes,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["verify"],
    );
    const token = await sign({ sub: "a" }, signOnly, { now: NOW, expiresIn: 60 });
    expect((await verify(token, verifyOnly, { now: NOW })).payload.sub).toBe("a");
    const error = await expectJwtError(sign({}, verifyOnly, { expiresIn: 60 }), "ERR_JWT_KEY");
    expect(error.message).toBe('CryptoKey does not allow "sign"');
    await expect(verify(token, signOnly, { now: NOW })).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
    });
    await expect(keyFor(signOnly, "verify")).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
    });
    expect(await keyFor(signOnly, "sign")).toBe(signOnly);
    // importSecret checks a given CryptoKey for verifying, what a key is checked for most.
    expect(await importSecret(verifyOnly)).toBe(verifyOnly);
    await expect(importSecret(signOnly)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
    });
  });
});

describe("values that are not secrets", () => {
  const values: unknown[] = [
    123,
    null,
    undefined,
    {},
    [],
    true,
    new Uint16Array(32),
    new DataView(new ArrayBuffer(32)),
    { type: "secret", algorithm: { name: "HMAC", hash: { name: "SHA-256" }, length: 256 } },
  ];

  it("are a TypeError for sign, verify and importSecret", async () => {
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    for (const value of values) {
      const secret = value as string;
      await expect(importSecret(secret)).rejects.toThrow(
        new TypeError("secret must be a string, a Uint8Array, an ArrayBuffer or a CryptoKey"),
      );
      await expect(sign({}, secret, { expiresIn: 60 })).rejects.toBeInstanceOf(TypeError);
      await expect(verify(token, secret)).rejects.toBeInstanceOf(TypeError);
    }
  });

  it("are a TypeError on a runtime without a CryptoKey global", async () => {
    vi.stubGlobal("CryptoKey", undefined);
    await expect(importSecret({} as string)).rejects.toThrow(
      new TypeError("secret must be a string, a Uint8Array, an ArrayBuffer or a CryptoKey"),
    );
    // Raw secrets still work there.
    await expect(importSecret(freshString())).resolves.toBeDefined();
  });
});

describe("key cache", () => {
  it("imports the same string once", async () => {
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const secret = freshString();
    const first = await importSecret(secret);
    const second = await importSecret(secret);
    await roundTrip(secret, secret);
    expect(second).toBe(first);
    expect(importKey).toHaveBeenCalledTimes(1);
  });

  it("imports the same Uint8Array or ArrayBuffer once", async () => {
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const bytes = freshBytes();
    expect(await importSecret(bytes)).toBe(await importSecret(bytes));
    await roundTrip(bytes, bytes);
    expect(importKey).toHaveBeenCalledTimes(1);
    const buffer = freshBytes().buffer as ArrayBuffer;
    expect(await importSecret(buffer)).toBe(await importSecret(buffer));
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it("re-imports a Uint8Array changed in place, and the old key is not used", async () => {
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const bytes = freshBytes(1);
    const oldToken = await sign({ sub: "old" }, bytes, { now: NOW, expiresIn: 60 });
    bytes.fill(2);
    const newToken = await sign({ sub: "new" }, bytes, { now: NOW, expiresIn: 60 });
    expect(importKey).toHaveBeenCalledTimes(2);
    expect((await verify(newToken, bytes, { now: NOW })).payload.sub).toBe("new");
    await expect(verify(oldToken, bytes, { now: NOW })).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    // The new token is what a fresh copy of the new bytes signs.
    expect((await verify(newToken, new Uint8Array(32).fill(2), { now: NOW })).payload.sub).toBe(
      "new",
    );
  });

  it("re-imports an ArrayBuffer changed in place", async () => {
    const bytes = freshBytes(3);
    const buffer = bytes.buffer as ArrayBuffer;
    const oldToken = await sign({ sub: "old" }, buffer, { now: NOW, expiresIn: 60 });
    bytes[5] = 99;
    await expect(verify(oldToken, buffer, { now: NOW })).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    expect((await verify(oldToken, bytes.slice().fill(3, 5, 6), { now: NOW })).payload.sub).toBe(
      "old",
    );
  });

  it("re-imports a resizable ArrayBuffer whose length changed", async () => {
    // ES2024 resizable buffers, typed here because the project's lib is ES2022.
    const Resizable = ArrayBuffer as unknown as new (
      length: number,
      options: { maxByteLength: number },
    ) => ArrayBuffer & { resize(length: number): void };
    const buffer = new Resizable(32, { maxByteLength: 64 });
    new Uint8Array(buffer).fill(8);
    const token = await sign({ sub: "a" }, buffer, { now: NOW, expiresIn: 60 });
    expect((await verify(token, buffer, { now: NOW })).payload.sub).toBe("a");
    buffer.resize(40);
    new Uint8Array(buffer).fill(8);
    await expect(verify(token, buffer, { now: NOW })).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    buffer.resize(31);
    await expect(verify(token, buffer, { now: NOW })).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
    });
  });

  it("re-imports a Node Buffer changed in place", async () => {
    // Buffer.prototype.slice returns a view, not a copy: the cache must still see the change.
    const secret = Buffer.alloc(32, 4);
    const oldToken = await sign({ sub: "old" }, secret, { now: NOW, expiresIn: 60 });
    secret.fill(5);
    await expect(verify(oldToken, secret, { now: NOW })).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    const newToken = await sign({ sub: "new" }, secret, { now: NOW, expiresIn: 60 });
    await expect(verify(newToken, Buffer.alloc(32, 4), { now: NOW })).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    expect((await verify(newToken, Buffer.alloc(32, 5), { now: NOW })).payload.sub).toBe("new");
  });

  it("does not keep a failed import of a string", async () => {
    const secret = freshString();
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    importKey.mockRejectedValueOnce(new Error("transient failure"));
    await expect(importSecret(secret)).rejects.toThrow("transient failure");
    const key = await importSecret(secret);
    expect(key).toBeInstanceOf(CryptoKey);
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it("does not keep a failed import of bytes", async () => {
    const bytes = freshBytes();
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    importKey.mockRejectedValueOnce(new Error("transient failure"));
    await expect(importSecret(bytes)).rejects.toThrow("transient failure");
    expect(await importSecret(bytes)).toBeInstanceOf(CryptoKey);
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  // The hot path of sign and verify then waits for nothing.
  it("hands out the key itself, not its promise, once it is made", async () => {
    for (const secret of [freshString(), freshBytes()]) {
      const first = backendKey(secret, "verify", webCryptoHmac);
      expect(pending(first)).toBe(true);
      const key = await first;
      expect(backendKey(secret, "verify", webCryptoHmac)).toBe(key);
    }
  });

  it("does not bring back a string dropped while its key was being made", async () => {
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const dropped = freshString();
    const keys = [backendKey(dropped, "verify", webCryptoHmac)];
    for (let i = 0; i < 64; i++) keys.push(backendKey(freshString(), "verify", webCryptoHmac));
    await Promise.all(keys);
    expect(importKey).toHaveBeenCalledTimes(65);
    await importSecret(dropped);
    expect(importKey).toHaveBeenCalledTimes(66);
  });

  it("keeps at most 64 strings, dropping the oldest first", async () => {
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const first = freshString();
    await importSecret(first);
    for (let i = 0; i < 63; i++) await importSecret(freshString());
    expect(importKey).toHaveBeenCalledTimes(64);
    await importSecret(first);
    expect(importKey).toHaveBeenCalledTimes(64);
    await importSecret(freshString());
    await importSecret(first);
    expect(importKey).toHaveBeenCalledTimes(66);
  });

  it("never caches a short secret as a key", async () => {
    const secret = "short secret";
    await expect(importSecret(secret)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
    });
    await expect(importSecret(secret)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
    });
    expect(await importSecret(secret).catch((error: unknown) => error)).toBeInstanceOf(JwtError);
  });
});
