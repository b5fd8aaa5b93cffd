import { expect, vi } from "vitest";
import type { HmacBackend } from "../../src/jwt/hmac.js";

/**
 * Two timers due together run as two tasks of one turn of the event loop, with
 * microtasks between them: how many Web Crypto calls the first task's call has
 * made by the time the second task runs (0 when the calls of a turn are
 * gathered, 1 when those of a task are).
 */
export async function madeBySecondTask(
  hmac: HmacBackend<CryptoKey>,
  key: CryptoKey,
): Promise<number> {
  const data = new TextEncoder().encode("a.b");
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
  const spy = vi.spyOn(crypto.subtle, "verify");
  try {
    spy.mockClear();
    const calls: (boolean | Promise<boolean>)[] = [];
    let made = -1;
    await new Promise<void>((resolve) => {
      setTimeout(() => calls.push(hmac.verify(key, data, mac)), 0);
      setTimeout(() => {
        made = spy.mock.calls.length;
        calls.push(hmac.verify(key, data, mac));
        resolve();
      }, 0);
    });
    expect(await Promise.all(calls)).toEqual([true, true]);
    expect(spy).toHaveBeenCalledTimes(2);
    return made;
  } finally {
    spy.mockRestore();
  }
}

/** An HMAC SHA-256 key for Web Crypto, from `secret`. */
export function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}
