import { encoder } from "./base64url.js";
import { JwtError } from "./errors.js";
import { type HmacBackend, pending, webCryptoHmac } from "./hmac.js";

/**
 * A secret for HS256: a string (its UTF-8 bytes), raw bytes, or an HMAC SHA-256 `CryptoKey`.
 *
 * @category Sign and verify
 */
export type Secret = string | Uint8Array | ArrayBuffer | CryptoKey;

// RFC 7518 section 3.2: "A key of the same size as the hash output (for
// instance, 256 bits for "HS256") or larger MUST be used with this algorithm."
const MIN_SECRET_BYTES = 32;

// Importing a raw secret costs as much as a verify, so keys are kept once made,
// apart for each backend. Strings are cached by value in a small bounded map; byte
// arrays by identity, with a copy of their bytes to notice when the caller changes
// them in place; CryptoKeys (for backends other than Web Crypto) by identity.
// A key is stored as its promise, then as itself once made, so that later calls
// need not wait for it.
const MAX_CACHED_STRINGS = 64;
interface KeyCache<K> {
  strings: Map<string, K | Promise<K>>;
  objects: WeakMap<object, { bytes: Uint8Array | undefined; key: K | Promise<K> }>;
}
const caches = new WeakMap<HmacBackend<unknown>, KeyCache<unknown>>();

/**
 * Imports a secret as a non-extractable HMAC SHA-256 key for sign and verify.
 * A secret shorter than 32 bytes, or a `CryptoKey` of another algorithm, is refused
 * with `ERR_JWT_KEY`. Raw secrets are imported once and cached.
 *
 * @category Sign and verify
 */
export function importSecret(secret: Secret): Promise<CryptoKey> {
  return keyFor(secret, "verify");
}

/**
 * Like {@link importSecret}, and checks that a given `CryptoKey` may be used for `usage`.
 *
 * @category Sign and verify
 */
export function keyFor(secret: Secret, usage: KeyUsage): Promise<CryptoKey> {
  try {
    return Promise.resolve(backendKey(secret, usage, webCryptoHmac));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The key of `backend` for `secret`, made once and then cached. Throws (rather
 * than rejects) a refused secret, and returns the key itself, not a promise,
 * once it is made: the hot path of sign and verify then waits for nothing.
 *
 * @category Sign and verify
 */
export function backendKey<K>(
  secret: Secret,
  usage: KeyUsage,
  backend: HmacBackend<K>,
): K | Promise<K> {
  let cache = caches.get(backend) as KeyCache<K> | undefined;
  if (!cache) {
    cache = { strings: new Map(), objects: new WeakMap() };
    caches.set(backend, cache);
  }
  if (typeof secret === "string") return importString(secret, backend, cache.strings);
  const view = bytesOf(secret);
  if (view) {
    const cached = cache.objects.get(secret);
    if (cached?.bytes && sameBytes(cached.bytes, view)) return cached.key;
    // A copy by construction: a Node Buffer's slice() is a view of the same memory,
    // which would keep the cache from ever seeing a change made in place.
    const bytes = new Uint8Array(view);
    return remember(cache.objects, secret, bytes, importRaw(bytes, backend));
  }
  if (isCryptoKey(secret)) {
    const problem = cryptoKeyProblem(secret, usage);
    if (problem) throw new JwtError("ERR_JWT_KEY", problem);
    const cached = cache.objects.get(secret);
    if (cached) return cached.key;
    return remember(cache.objects, secret, undefined, backend.importKey(secret));
  }
  throw new TypeError("secret must be a string, a Uint8Array, an ArrayBuffer or a CryptoKey");
}

function importString<K>(
  secret: string,
  backend: HmacBackend<K>,
  strings: KeyCache<K>["strings"],
): K | Promise<K> {
  const cached = strings.get(secret);
  if (cached !== undefined) return cached;
  const key = importRaw(encoder.encode(secret), backend);
  if (strings.size >= MAX_CACHED_STRINGS) strings.delete(strings.keys().next().value as string);
  strings.set(secret, key);
  if (pending(key)) {
    key.then(
      (made) => strings.get(secret) === key && strings.set(secret, made),
      () => strings.delete(secret),
    );
  }
  return key;
}

function remember<K>(
  objects: KeyCache<K>["objects"],
  secret: object,
  bytes: Uint8Array | undefined,
  key: K | Promise<K>,
): K | Promise<K> {
  const entry = { bytes, key };
  objects.set(secret, entry);
  if (pending(key)) {
    key.then(
      (made) => {
        entry.key = made;
      },
      () => objects.delete(secret),
    );
  }
  return key;
}

// Both backends get their raw secrets through here, so both refuse short ones.
function importRaw<K>(bytes: Uint8Array<ArrayBuffer>, backend: HmacBackend<K>): K | Promise<K> {
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new JwtError(
      "ERR_JWT_KEY",
      `HS256 secret is ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} are required (RFC 7518 section 3.2)`,
    );
  }
  return backend.importKey(bytes);
}

/**
 * The bytes of a raw secret given as bytes, or undefined for a string or a
 * CryptoKey. Checked by tag rather than instanceof, so that bytes made in
 * another realm (a vm context, as the Edge Runtime uses, or an iframe) are known as bytes.
 *
 * @category Sign and verify
 */
export function bytesOf(secret: unknown): Uint8Array | undefined {
  // This realm's arrays (and Buffers) without building a tag; others by their tag.
  if (secret instanceof Uint8Array) return secret;
  const tag = tagOf(secret);
  if (tag === "Uint8Array") return secret as Uint8Array;
  if (tag === "ArrayBuffer") return new Uint8Array(secret as ArrayBuffer);
  return undefined;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== "undefined" && value instanceof CryptoKey;
}

function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function cryptoKeyProblem(key: CryptoKey, usage: KeyUsage): string | undefined {
  const algorithm = key.algorithm as Partial<HmacKeyAlgorithm>;
  if (algorithm.name !== "HMAC" || algorithm.hash?.name !== "SHA-256") {
    return "CryptoKey must be an HMAC key with SHA-256";
  }
  if ((algorithm.length ?? 0) < MIN_SECRET_BYTES * 8) {
    return `HMAC key is ${algorithm.length} bits; at least ${MIN_SECRET_BYTES * 8} are required (RFC 7518 section 3.2)`;
  }
  if (!key.usages.includes(usage)) return `CryptoKey does not allow "${usage}"`;
  return undefined;
}

/**
 * True when both hold the same bytes.
 *
 * @category Sign and verify
 */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
