// A RefreshStore that lives in another runtime (workerd, Deno), reached over
// HTTP: the runtime serves `answer` (Web APIs only, bundled into it), and the
// tests in Node call it through `remoteStore`, which forwards each method as
// a JSON POST. The caller's clock goes along with every call, so a store in
// the other runtime can run on the same fixed clock as the test.
import { StoreError } from "../../src/session/errors.js";
import type { RefreshStore } from "../../src/session/stores/store.js";

const METHODS = [
  "open",
  "rotate",
  "state",
  "accessState",
  "revokeFamily",
  "revokeSubject",
  "denyAccess",
] as const satisfies readonly (keyof RefreshStore)[];

/** The clock of the store under test, set from each call; undefined: the runtime's own. */
export const clock: { now?: number } = {};

interface Call {
  argument: unknown;
  now?: number;
}

type Reply = { value: unknown } | { error: { name: string; message: string } };

/** Serves `POST /<method>` on `store`, in the other runtime. */
export async function answer(store: RefreshStore, request: Request): Promise<Response> {
  const method = new URL(request.url).pathname.split("/").pop() as (typeof METHODS)[number];
  if (request.method !== "POST" || !METHODS.includes(method)) {
    return new Response("not found", { status: 404 });
  }
  const call = (await request.json()) as Call;
  clock.now = call.now;
  try {
    const value = await (store[method] as (argument: unknown) => Promise<unknown>)(call.argument);
    return Response.json({ value } satisfies Reply);
  } catch (error) {
    const { name, message } = error as Error;
    return Response.json({ error: { name, message } } satisfies Reply);
  }
}

/**
 * The store served at `base` (e.g. `http://127.0.0.1:1234/` or `.../silent/`),
 * as a RefreshStore in Node. Refusals come back as the same kind of error.
 */
export function remoteStore(base: string, now?: () => number): RefreshStore {
  const forward = async (method: string, argument: unknown) => {
    const response = await fetch(new URL(method, base), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ argument, now: now?.() } satisfies Call),
    });
    if (!response.ok) throw new Error(`${method}: bridge answered ${response.status}`);
    const reply = (await response.json()) as Reply;
    // A method that resolves with undefined comes back as `{}`.
    if (!("error" in reply)) return reply.value;
    const { name, message } = reply.error;
    if (name === "TypeError") throw new TypeError(message);
    if (name === "StoreError") throw new StoreError(message);
    throw new Error(`${name}: ${message}`);
  };
  return Object.fromEntries(
    METHODS.map((method) => [method, (argument: unknown) => forward(method, argument)]),
  ) as unknown as RefreshStore;
}
