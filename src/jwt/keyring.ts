// Key rotation by `kid` (RFC 7515 section 4.1.4): the first key of a ring
// signs, every key verifies the tokens that name it.
import { JwtError } from "./errors.js";
import { type JwtHeader, parseHeader, splitToken } from "./jws.js";
import { DEFAULT_MAX_TOKEN_LENGTH, type SecretResolver } from "./jwt.js";
import type { Secret } from "./key.js";
import { createVerifier, type Verifier, type VerifierOptions } from "./verifier.js";

/** One key of a {@link Keyring}: its secret, and the `kid` that tokens signed with it carry. */
export interface KeyringEntry {
  /** The key id written in the header of tokens this key signs. Without one, the key verifies tokens without `kid`. */
  kid?: string;
  /** The key. */
  secret: Secret;
}

/**
 * Keys for rotation: the first entry signs, every entry verifies the tokens
 * that carry its `kid`. To rotate, put the new key first and keep the old one
 * until the tokens it signed have expired, then drop it.
 */
export type Keyring = readonly KeyringEntry[];

/** A single secret, or a {@link Keyring}. */
export type SecretOrKeyring = Secret | Keyring;

/** What signs: a secret, and the `kid` to write with it. */
export interface SigningKey {
  /** The secret that signs. */
  secret: Secret;
  /** The `kid` to write in the header, if any. */
  keyId: string | undefined;
}

/**
 * The key that signs. A single secret signs without `kid`.
 *
 * @throws TypeError when the keyring is malformed (see {@link keyringResolver}).
 */
export function signingKey(keys: SecretOrKeyring, option: string): SigningKey {
  if (!Array.isArray(keys)) return { secret: keys as Secret, keyId: undefined };
  const [first] = checkKeyring(keys, option);
  return { secret: (first as KeyringEntry).secret, keyId: (first as KeyringEntry).kid };
}

/**
 * A {@link SecretResolver} that picks the entry of the token's `kid`; an entry
 * without `kid` answers tokens without one. Any other token is refused with
 * `ERR_JWT_KEY`, before its signature is checked.
 *
 * @throws TypeError at once when the keyring is empty, an entry is not
 *   `{ kid?, secret }`, a `kid` is empty or given twice, or two entries have no `kid`.
 */
export function keyringResolver(keys: Keyring, option: string): (header: JwtHeader) => Secret {
  const byKid = new Map<string | undefined, Secret>();
  for (const entry of checkKeyring(keys, option)) byKid.set(entry.kid, entry.secret);
  return (header) => {
    const kid = typeof header.kid === "string" ? header.kid : undefined;
    const secret = header.kid === kid ? byKid.get(kid) : undefined;
    if (secret === undefined) {
      throw new JwtError("ERR_JWT_KEY", "no key of the keyring has the token's kid");
    }
    return secret;
  };
}

/**
 * A verifier for a secret or a keyring. With a keyring and a cache, each key
 * has a cache of its own (of `cache.max` tokens), since a cache needs a fixed
 * secret; the token's header picks which.
 */
export function keyringVerifier<P extends object>(
  keys: SecretOrKeyring,
  option: string,
  options: VerifierOptions,
): Verifier<P> {
  if (!Array.isArray(keys)) return createVerifier<P>(keys as Secret, options);
  const resolve = keyringResolver(keys, option);
  if (options.cache === undefined) return createVerifier<P>(resolve as SecretResolver, options);
  const verifiers = new Map<Secret, Verifier<P>>();
  for (const { secret } of keys) verifiers.set(secret, createVerifier<P>(secret, options));
  const maxLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  return async (token, now) => {
    const secret = resolve(parseHeader(splitToken(token, maxLength)));
    return (verifiers.get(secret) as Verifier<P>)(token, now);
  };
}

function checkKeyring(keys: Keyring, option: string): Keyring {
  if (keys.length === 0) throw new TypeError(`${option} must hold at least one key`);
  const kids = new Set<string | undefined>();
  for (const entry of keys) {
    if (typeof entry !== "object" || entry === null || entry.secret === undefined) {
      throw new TypeError(`each key of ${option} must be { kid?: string, secret }`);
    }
    const { kid } = entry;
    if (kid !== undefined && (typeof kid !== "string" || kid === "")) {
      throw new TypeError(`a kid of ${option} must be a non-empty string`);
    }
    if (kids.has(kid)) {
      throw new TypeError(
        kid === undefined
          ? `${option} may have only one key without kid`
          : `${option} has the kid ${JSON.stringify(kid)} twice`,
      );
    }
    kids.add(kid);
  }
  return keys;
}
