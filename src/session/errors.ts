// The one error of the session layer that is not the client's fault.

const BRAND = Symbol.for("hs256.StoreError");

/**
 * A store that failed to answer: down, past its deadline, or with a reply it
 * did not confirm. Not a JwtError: the token may be fine, so the answer is a
 * 503 (try again), never a 401 (log in again). The store's own error is the
 * `cause`.
 * @category Errors
 */
export class StoreError extends Error {
  override readonly name = "StoreError";
  /** Always `"ERR_STORE_UNAVAILABLE"`. */
  readonly code = "ERR_STORE_UNAVAILABLE";
  /** The HTTP status to answer with: 503. */
  readonly status = 503;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a StoreError from any copy of this package (ESM, CommonJS, another realm). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && BRAND in value;
  }
}

/** True when `error` is a {@link StoreError}, from any copy of this package. @category Errors */
export function isStoreError(error: unknown): error is StoreError {
  return typeof error === "object" && error !== null && BRAND in error;
}
