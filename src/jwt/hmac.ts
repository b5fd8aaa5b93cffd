/**
 * An implementation of HMAC SHA-256 for HS256. The default is Web Crypto, which
 * every runtime has; `hs256/node` offers one on node:crypto, which avoids
 * Web Crypto's hop to the thread pool on Node servers.
 *
 * Views passed to `sign` and `verify` are only valid until the method returns
 * (or, for a promise, until it is created): they may be reused by the next call.
 *
 * @category Sign and verify
 */
export interface HmacBackend<K = unknown> {
  /**
   * Makes a key, once per secret: from the secret's bytes (already checked to be
   * at least 32), or from an HMAC SHA-256 CryptoKey (already checked too).
   */
  importKey(secret: Uint8Array<ArrayBuffer> | CryptoKey): K | Promise<K>;
  /** The MAC of the bytes of `data`. */
  sign(key: K, data: Uint8Array<ArrayBuffer>): Uint8Array | Promise<Uint8Array>;
  /** Whether `signature` is the MAC of `data`, compared in constant time. */
  verify(
    key: K,
    data: Uint8Array<ArrayBuffer>,
    signature: Uint8Array<ArrayBuffer>,
  ): boolean | Promise<boolean>;
}

const HMAC_SHA256 = { name: "HMAC", hash: "SHA-256" } as const;

function bytes(buffer: ArrayBuffer): Uint8Array {
  return new Uint8Array(buffer);
}

// Calls made in one turn reach Web Crypto back to back, from one callback.
// On Node it hands each call to a thread pool, and calls spaced by other work
// (ours: base64url, JSON, the claims) let its threads fall asleep between them:
// waking one costs the main thread more than the HMAC does
// (bench/webcrypto-dispatch.mjs). Each call's bytes are first copied into one
// buffer of the burst, so that the caller may reuse its views at once; Web
// Crypto copies them again when called, so the buffer is free after the burst.
const BURST_BYTES = 65536;
const burstBuffer = new Uint8Array(BURST_BYTES);
let burstUsed = 0;
let burst: (() => void)[] = [];

function burstCopy(view: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  // A call that does not fit gets its own copy.
  if (burstUsed + view.length > BURST_BYTES) return view.slice();
  const start = burstUsed;
  burstUsed += view.length;
  const copy = burstBuffer.subarray(start, burstUsed);
  copy.set(view);
  return copy;
}

// When a burst is made. Node, Bun and Deno run setImmediate's callbacks once
// per turn of the event loop, after every socket found ready in it has been
// handled: on a server, the verifies of all the requests that came in together
// (each in its own task, with its own microtasks) make one burst. Elsewhere,
// after the microtasks of the current task, which is safe everywhere: Workers
// have a setImmediate too, but bound to the request that set it, and a burst
// of several requests' calls there hangs every request but that one.
// Read once, when loaded, so that a setImmediate replaced later (fake timers
// in a test) cannot hold a burst back. Fake timers already in place (sinon's,
// which Jest and Vitest use, mark theirs with `clock`) are passed over, and so
// is a faked queueMicrotask: a resolved promise's then, which no timer library fakes.
const laterInTurn = pickScheduler(globalThis as RuntimeGlobals);

/** The globals that {@link pickScheduler} reads. */
export interface RuntimeGlobals {
  setImmediate?: ((callback: () => void) => unknown) | undefined;
  navigator?: { userAgent?: string | undefined } | undefined;
}

/** How bursts are scheduled under these globals (see above). Exported for its tests. */
export function pickScheduler({
  setImmediate,
  navigator,
}: RuntimeGlobals): (callback: () => void) => unknown {
  // Node 20 has no navigator; later ones say "Node.js/22", Bun "Bun/1.1", Deno "Deno/2.0".
  const sharedLoop =
    navigator === undefined || /^(Node\.js|Bun|Deno)\//.test(navigator.userAgent ?? "");
  if (sharedLoop && typeof setImmediate === "function" && !("clock" in setImmediate)) {
    return setImmediate;
  }
  const resolved = Promise.resolve();
  return (callback) => resolved.then(callback);
}

function inBurst<T>(call: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const run = () => {
      try {
        call().then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    };
    if (burst.push(run) === 1) laterInTurn(submitBurst);
  });
}

function submitBurst(): void {
  const calls = burst;
  burst = [];
  for (const call of calls) call();
  burstUsed = 0;
}

/**
 * HMAC SHA-256 on Web Crypto: the default backend.
 *
 * @category Sign and verify
 */
export const webCryptoHmac: HmacBackend<CryptoKey> = {
  // isView, not instanceof: bytes from another realm (a vm context) are bytes too.
  importKey: (secret) =>
    ArrayBuffer.isView(secret)
      ? crypto.subtle.importKey("raw", secret, HMAC_SHA256, false, ["sign", "verify"])
      : secret,
  // Web Crypto copies `data` and `signature` before it returns its promise (the
  // "get a copy of the bytes held by" steps of sign and verify), so the burst's
  // buffer may be reused once every call of the burst is made.
  sign(key, data) {
    const input = burstCopy(data);
    return inBurst(() => crypto.subtle.sign("HMAC", key, input)).then(bytes);
  },
  verify(key, data, signature) {
    const input = burstCopy(data);
    const mac = burstCopy(signature);
    return inBurst(() => crypto.subtle.verify("HMAC", key, mac, input));
  },
};

/**
 * Whether a backend's answer is still to come. Checked by `then` rather than
 * instanceof Promise: a promise from another realm (the Edge Runtime's vm
 * context hands out the host's) is a promise too.
 *
 * @category Sign and verify
 */
export function pending<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}
