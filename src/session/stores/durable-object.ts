// `hs256/cloudflare`: refresh state for Cloudflare Workers in a Durable Object.
// Workers KV is eventually consistent, so a refresh token there could be used
// twice; a Durable Object runs one instance per id, and its storage is
// strongly consistent, so a read and a write in one request are one step.
// Everything Cloudflare provides is typed here by shape: nothing is imported.
import { StoreError } from "../errors.js";
import {
  accessStateOf,
  checkTimeout,
  type Decision,
  decideDeny,
  decideOpen,
  decideRevoke,
  decideRotate,
  type FamilyRecord,
  liveRecord,
  refreshStateOf,
  withDeadline,
} from "./family-record.js";
import {
  type AccessRef,
  checkAccess,
  checkFamily,
  checkNewFamily,
  checkRotation,
  checkString,
  checkToken,
  type FamilyRef,
  type NewFamily,
  type RefreshState,
  type RefreshStore,
  type Rotation,
  type RotationResult,
  type TokenRef,
} from "./store.js";

/** The part of a Durable Object's `state.storage` that {@link RefreshStoreObject} uses. */
export interface DurableObjectStorageLike {
  /** Reads one value. */
  get(key: string): Promise<unknown>;
  /** Writes one value. */
  put(key: string, value: unknown): Promise<void>;
  /** Deletes the given keys. */
  delete(keys: string[]): Promise<number>;
  /** Reads every value whose key starts with `prefix`. */
  list(options: { prefix: string }): Promise<Map<string, unknown>>;
  /** When the alarm is set for, in milliseconds since the epoch, or null. */
  getAlarm(): Promise<number | null>;
  /** Sets the alarm, in milliseconds since the epoch. */
  setAlarm(scheduledTime: number): Promise<void>;
}

/** The part of a Durable Object's `state` (`ctx`) that {@link RefreshStoreObject} uses. */
export interface DurableObjectStateLike {
  /** The object's transactional storage. */
  storage: DurableObjectStorageLike;
}

/** The part of a Durable Object stub that {@link durableObjectStore} uses. */
export interface DurableObjectStubLike {
  /** Sends a request to the object. */
  fetch(url: string, init: { method: string; body: string }): Promise<Response>;
}

/**
 * The part of a Durable Object namespace binding that {@link durableObjectStore}
 * uses: `env.REFRESH_STORE` when the binding is named so.
 */
export interface DurableObjectNamespaceLike<Id = unknown> {
  /** The id of the object named `name`: here, a subject. */
  idFromName(name: string): Id;
  /** A stub to talk to the object with id `id`. */
  get(id: Id): DurableObjectStubLike;
}

/** Options of {@link durableObjectStore}. */
export interface DurableObjectStoreOptions {
  /**
   * Milliseconds each call may take before it rejects with a StoreError (and
   * the caller refuses). Default 5000: a first call may wake the object.
   */
  timeout?: number;
}

const FAMILY = "family:";
const NAME = "durableObjectStore";
// Rotation results the object may answer with; anything else is not confirmed.
const OUTCOMES = new Set(["rotated", "grace", "reused", "revoked", "unknown"]);
const STATES = new Set(["active", "used", "revoked", "unknown"]);

type Method = keyof RefreshStore;

/**
 * The Durable Object that holds the refresh state of one subject: one record
 * per family (login), under `family:<id>`. Export it from the Worker and bind
 * it as a Durable Object namespace; {@link durableObjectStore} talks to it.
 *
 * Each request reads the family, decides and writes it back with no other I/O
 * in between, so the object's input gate makes the request one atomic step:
 * of concurrent refreshes with one token, exactly one rotates. A family is
 * dropped when its `keepUntil` passes: refused from then on at once, deleted
 * by the object's alarm.
 *
 * @example
 * ```ts
 * // worker.ts; wrangler.toml binds REFRESH_STORE to class_name "RefreshStoreObject".
 * export { RefreshStoreObject } from "hs256/cloudflare";
 * ```
 */
export class RefreshStoreObject {
  readonly #storage: DurableObjectStorageLike;

  /** Called by the runtime with the object's state; `env` is not used. */
  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.#storage = state.storage;
  }

  /** Answers one call of {@link durableObjectStore}: `POST /<method>` with its argument as JSON. */
  async fetch(request: Request): Promise<Response> {
    const method = new URL(request.url).pathname.slice(1);
    try {
      const argument = (await request.json()) as never;
      return Response.json({ result: await this.#answer(method, argument) });
    } catch (error) {
      // The store turns any failure into a StoreError; the message says which.
      return Response.json({ error: String(error) }, { status: 500 });
    }
  }

  /** Deletes the families whose time has passed, and sets the alarm for the next one. */
  async alarm(): Promise<void> {
    const now = this.now() / 1000;
    const families = await this.#storage.list({ prefix: FAMILY });
    const gone = [...families].filter(([, value]) => !liveRecord(value, now)).map(([key]) => key);
    if (gone.length > 0) await this.#storage.delete(gone);
    const left = [...families.values()].flatMap((value) => liveRecord(value, now) ?? []);
    if (left.length > 0) {
      await this.#storage.setAlarm(Math.min(...left.map((record) => record.keepUntil)) * 1000);
    }
  }

  /** The object's clock, in milliseconds since the epoch: every time it compares is read here. */
  protected now(): number {
    return Date.now();
  }

  // The argument comes from the Worker over HTTP: checked here as in the store.
  #answer(method: string, argument: never): Promise<unknown> {
    switch (method) {
      case "open":
        checkNewFamily(argument);
        return this.#update(argument, (record, now) => decideOpen(record, argument, now));
      case "rotate":
        checkRotation(argument);
        return this.#update(argument, (record, now) => decideRotate(record, argument, now));
      case "state":
        checkToken(argument);
        return this.#read(argument).then((record) => refreshStateOf(record, argument));
      case "accessState":
        checkAccess(argument);
        return this.#read(argument).then((record) => accessStateOf(record, argument));
      case "revokeFamily":
        checkFamily(argument);
        return this.#update(argument, decideRevoke);
      case "revokeSubject":
        return this.#revokeAll();
      case "denyAccess":
        checkAccess(argument);
        return this.#update(argument, (record, now) => decideDeny(record, argument, now));
      default:
        throw new TypeError(`unknown method ${method}`);
    }
  }

  async #read(ref: FamilyRef): Promise<FamilyRecord | undefined> {
    return liveRecord(await this.#storage.get(FAMILY + ref.family), this.now() / 1000);
  }

  // Read, decide, write: only storage calls in between, which hold the input gate.
  async #update<R>(
    ref: FamilyRef,
    decide: (record: FamilyRecord | undefined, now: number) => Decision<R>,
  ): Promise<R> {
    const now = this.now() / 1000;
    const record = liveRecord(await this.#storage.get(FAMILY + ref.family), now);
    const { result, write } = decide(record, now);
    if (write) await this.#write(FAMILY + ref.family, write);
    return result;
  }

  async #revokeAll(): Promise<void> {
    const now = this.now() / 1000;
    const families = await this.#storage.list({ prefix: FAMILY });
    for (const [key, value] of families) {
      const { write } = decideRevoke(liveRecord(value, now));
      if (write) await this.#storage.put(key, write);
    }
  }

  async #write(key: string, record: FamilyRecord): Promise<void> {
    await this.#storage.put(key, record);
    const alarm = await this.#storage.getAlarm();
    const due = record.keepUntil * 1000;
    if (alarm === null || alarm > due) await this.#storage.setAlarm(due);
  }
}

/**
 * A {@link RefreshStore} on Durable Objects of class {@link RefreshStoreObject}:
 * one object per subject (`idFromName(sub)`), so that a subject's families
 * live together and `revokeSubject` is one call. Each call has a deadline;
 * a call that fails, times out, or gets a reply it cannot confirm rejects with
 * a StoreError, and the caller refuses.
 *
 * State survives restarts and moves of the object (Durable Object storage is
 * durable and strongly consistent); a family that is gone is refused.
 *
 * @example
 * ```ts
 * import { createTokens } from "hs256";
 * import { durableObjectStore } from "hs256/cloudflare";
 * export { RefreshStoreObject } from "hs256/cloudflare";
 *
 * export default {
 *   async fetch(request: Request, env: Env) {
 *     const tokens = createTokens({ secret: env.JWT_SECRET, store: durableObjectStore(env.REFRESH_STORE) });
 *     // ...
 *   },
 * };
 * ```
 */
export function durableObjectStore<Id>(
  namespace: DurableObjectNamespaceLike<Id>,
  options: DurableObjectStoreOptions = {},
): RefreshStore {
  if (typeof namespace?.idFromName !== "function" || typeof namespace.get !== "function") {
    throw new TypeError(`${NAME}: namespace must be a Durable Object namespace binding`);
  }
  const timeout = checkTimeout(options.timeout ?? 5000, NAME);

  const call = (sub: string, method: Method, argument: unknown) =>
    withDeadline(NAME, timeout, async () => {
      const stub = namespace.get(namespace.idFromName(sub));
      const body = JSON.stringify(argument);
      const response = await stub.fetch(`https://refresh-store/${method}`, {
        method: "POST",
        body,
      });
      const reply = (await response.json()) as { result?: unknown; error?: string };
      if (!response.ok) throw new Error(`${method}: ${response.status} ${reply.error}`);
      return reply.result;
    });

  const confirmed = <T>(method: Method, result: unknown, ok: (value: unknown) => boolean): T => {
    if (!ok(result)) throw new StoreError(`${NAME}: ${method} got a reply it cannot confirm`);
    return result as T;
  };

  return {
    async open(family: NewFamily) {
      checkNewFamily(family);
      await call(family.sub, "open", family);
    },
    async rotate(rotation: Rotation) {
      checkRotation(rotation);
      const result = await call(rotation.sub, "rotate", rotation);
      return confirmed<RotationResult>("rotate", result, isRotationResult);
    },
    async state(token: TokenRef) {
      checkToken(token);
      const result = await call(token.sub, "state", token);
      return confirmed<RefreshState>("state", result, (value) => STATES.has(value as string));
    },
    async accessState(token: AccessRef) {
      checkAccess(token);
      const result = await call(token.sub, "accessState", token);
      return confirmed<"active" | "revoked">("accessState", result, isAccessState);
    },
    async revokeFamily(family: FamilyRef) {
      checkFamily(family);
      await call(family.sub, "revokeFamily", family);
    },
    async revokeSubject(sub: string) {
      checkString(sub, "sub");
      await call(sub, "revokeSubject", {});
    },
    async denyAccess(token: AccessRef) {
      checkAccess(token);
      await call(token.sub, "denyAccess", token);
    },
  };
}

const isAccessState = (value: unknown) => value === "active" || value === "revoked";

function isRotationResult(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const { outcome, next } = value as { outcome?: string; next?: Record<string, unknown> };
  if (!OUTCOMES.has(outcome as string)) return false;
  if (outcome !== "grace") return true;
  return (
    typeof next?.jti === "string" && typeof next.iat === "number" && typeof next.exp === "number"
  );
}
