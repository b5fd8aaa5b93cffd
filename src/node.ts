/**
 * HMAC SHA-256 on node:crypto, for Node servers. Web Crypto on Node runs each
 * sign and verify on the thread pool, and the hand-off costs more CPU than the
 * HMAC of a token; `createHmac` computes it on the calling thread.
 *
 * @packageDocumentation
 * @module hs256/node
 */
import { createHmac, createSecretKey, KeyObject, timingSafeEqual } from "node:crypto";
import type { HmacBackend } from "./jwt/hmac.js";

export type { HmacBackend } from "./jwt/hmac.js";

const backend: HmacBackend<KeyObject> = {
  // One KeyObject per secret (the library caches it), so the key bytes are not
  // copied into a new key on every call.
  importKey: (secret) =>
    ArrayBuffer.isView(secret) ? createSecretKey(secret) : KeyObject.from(secret),
  sign: (key, data) => createHmac("sha256", key).update(data).digest(),
  verify: (key, data, signature) => {
    const mac = createHmac("sha256", key).update(data).digest();
    // timingSafeEqual needs equal lengths; the length of a MAC is no secret.
    return mac.length === signature.length && timingSafeEqual(mac, signature);
  },
};

/**
 * HMAC SHA-256 on node:crypto: pass it as the `hmac` option of `sign`, `verify`
 * or `createTokens`. Tokens are the same as with the default Web Crypto backend.
 *
 * @category Sign and verify
 */
export function nodeHmac(): HmacBackend<KeyObject> {
  return backend;
}
