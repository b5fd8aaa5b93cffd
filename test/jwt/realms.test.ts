// Values made in another realm (a vm context, as the Edge Runtime uses, or an
// iframe) fail instanceof checks against this realm's classes.
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { type HmacBackend, sign, verify } from "../../src/index.js";
import { webCryptoHmac } from "../../src/jwt/hmac.js";

const foreign = <T>(code: string, context: object = {}): T => runInNewContext(code, context) as T;

describe("values from another realm", () => {
  it("takes a Uint8Array or an ArrayBuffer made there as a secret", async () => {
    const bytes = foreign<Uint8Array>("new Uint8Array(32).fill(7)");
    expect(bytes instanceof Uint8Array).toBe(false);
    const buffer = foreign<ArrayBuffer>("new Uint8Array(32).fill(7).buffer");
    expect(buffer instanceof ArrayBuffer).toBe(false);
    const token = await sign({ sub: "a" }, bytes, { expiresIn: 60 });
    expect((await verify(token, buffer)).payload.sub).toBe("a");
    expect((await verify(token, new Uint8Array(32).fill(7))).payload.sub).toBe("a");
  });

  it("waits for a backend's promise made there", async () => {
    // The Edge Runtime's crypto.subtle hands back the host realm's promises.
    const wrap = <T>(value: Promise<T>) => foreign<Promise<T>>("Promise.resolve(value)", { value });
    const backend: HmacBackend<CryptoKey> = {
      importKey: (secret) => wrap(Promise.resolve(webCryptoHmac.importKey(secret))),
      sign: (key, data) => wrap(Promise.resolve(webCryptoHmac.sign(key, data))),
      verify: (key, data, signature) =>
        wrap(Promise.resolve(webCryptoHmac.verify(key, data, signature))),
    };
    expect(wrap(Promise.resolve(1)) instanceof Promise).toBe(false);
    const secret = "r".repeat(32);
    const token = await sign({ sub: "a" }, secret, { expiresIn: 60, hmac: backend });
    expect(token).toBe(
      await sign({ sub: "a" }, secret, { expiresIn: 60, now: new Date(decodeIat(token) * 1000) }),
    );
    expect((await verify(token, secret, { hmac: backend })).payload.sub).toBe("a");
  });
});

function decodeIat(token: string): number {
  const payload = token.split(".")[1] as string;
  return JSON.parse(Buffer.from(payload, "base64url").toString()).iat;
}
