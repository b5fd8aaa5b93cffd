import { JwtError } from "./errors.js";

/**
 * A secret for HS256: a string (its UTF-8 bytes), raw bytes, or an HMAC SHA-256 `CryptoKey`.
 */
export type Secret = string | Uint8Array | ArrayBuffer | CryptoKey;

// RFC 7518 section 3.2: "A key of the same size as the hash output (for
// instance, 256 bits for "HS256") or larger MUST be used with this algorithm."
const MIN_SECRET_BYTES = 32;
const HMAC_SHA256 = { name: "HMAC", hash: "SHA-256" } as const;

const encoder = new TextEncoder();

// Importing a raw secret costs as much as a verify, so keys are kept once made.
// Strings are cached by value in a small bounded map; byte arrays by identity,
// with a copy of their bytes to notice when the caller changes them in place.
const MAX_CACHED_STRINGS = 64;
const stringKeys = new Map<string, Promise<CryptoKey>>();
const byteKeys = new WeakMap<object, { bytes: Uint8Array<ArrayBuffer>; key: Promise<CryptoKey> }>();

/**
 * Imports a secret as a non-extractable HMAC SHA-256 key for sign and verify.
 * A secret shorter than 32 bytes, or a `CryptoKey` of another algorithm, is refused
 * with `ERR_JWT_KEY`. Raw secrets are imported once and cached.
 */
export function importSecret(secret: Secret): Promise<CryptoKey> {
  return keyFor(secret, "verify");
}

/** Like {@link importSecret}, and checks that a given `CryptoKey` may be used for `usage`. */
export function keyFor(secret: Secret, usage: KeyUsage): Promise<CryptoKey> {
  if (typeof secret === "string") return importString(secret);
  if (secret instanceof Uint8Array || secret instanceof ArrayBuffer) return importBytes(secret);
  if (isCryptoKey(secret)) {
    const problem = cryptoKeyProblem(secret, usage);
    return problem ? Promise.reject(new JwtError("ERR_JWT_KEY", problem)) : Promise.resolve(secret);
  }
  return Promise.reject(
    new TypeError("secret must be a string, a Uint8Array, an ArrayBuffer or a CryptoKey"),
  );
}

function importString(secret: string): Promise<CryptoKey> {
  const cached = stringKeys.get(secret);
  if (cached) return cached;
  const key = importRaw(encoder.encode(secret));
  if (stringKeys.size >= MAX_CACHED_STRINGS) {
    stringKeys.delete(stringKeys.keys().next().value as string);
  }
  stringKeys.set(secret, key);
  key.catch(() => stringKeys.delete(secret));
  return key;
}

function importBytes(secret: Uint8Array | ArrayBuffer): Promise<CryptoKey> {
  const view = secret instanceof Uint8Array ? secret : new Uint8Array(secret);
  const cached = byteKeys.get(secret);
  if (cached && sameBytes(cached.bytes, view)) return cached.key;
  // A copy by construction: a Node Buffer's slice() is a view of the same memory,
  // which would keep the cache from ever seeing a change made in place.
  const bytes = new Uint8Array(view);
  const key = importRaw(bytes);
  byteKeys.set(secret, { bytes, key });
  key.catch(() => byteKeys.delete(secret));
  return key;
}

function importRaw(bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (bytes.length < MIN_SECRET_BYTES) {
    return Promise.reject(
      new JwtError(
        "ERR_JWT_KEY",
        `HS256 secret is ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} are required (RFC 7518 section 3.2)`,
      ),
    );
  }
  return crypto.subtle.importKey("raw", bytes, HMAC_SHA256, false, ["sign", "verify"]);
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== "undefined" && value instanceof CryptoKey;
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
