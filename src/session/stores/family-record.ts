// One family kept as one value, and every decision of the store contract on
// it, for the stores that read a family, decide, and write it back in one
// atomic step (the Durable Object and Deno KV stores). The functions here are
// pure: the store supplies the record it read and its own clock, and writes
// back what they return, or nothing.
import { StoreError } from "../errors.js";
import type {
  AccessRef,
  NewFamily,
  RefreshState,
  Rotation,
  RotationResult,
  Successor,
  TokenRef,
} from "./store.js";

/** A family (one login) as a store keeps it. */
export interface FamilyRecord {
  /** "revoked" once logged out, reused or revoked with its subject; never active again. */
  state: "active" | "revoked";
  /** The `jti` of the family's active refresh token. */
  active: string;
  /** The refresh token replaced last, its successor, and when (store clock, seconds). */
  replaced?: { jti: string; next: Successor; at: number };
  /** Access tokens denied one by one, until their `exp`. */
  denied: { jti: string; exp: number }[];
  /** Seconds since the epoch after which the record counts as gone. */
  keepUntil: number;
}

/** What to answer, and the record to write back (none: write nothing). */
export interface Decision<Result> {
  result: Result;
  write?: FamilyRecord;
}

/** A record that is present and not past its time; anything else counts as missing. */
export function liveRecord(value: unknown, now: number): FamilyRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as FamilyRecord;
  const wellFormed =
    (record.state === "active" || record.state === "revoked") &&
    typeof record.active === "string" &&
    Array.isArray(record.denied) &&
    typeof record.keepUntil === "number";
  // A record this code did not write is not trusted to say "active" (fail closed).
  return wellFormed && now < record.keepUntil ? record : undefined;
}

/** `open`: a new family whose active token is `jti`. A revoked family is never revived. */
export function decideOpen(
  current: FamilyRecord | undefined,
  family: NewFamily,
  now: number,
): Decision<void> {
  if (family.keepUntil <= now) return { result: undefined };
  if (current?.state === "revoked") {
    return { result: undefined, write: { ...current, keepUntil: later(current, family) } };
  }
  const write: FamilyRecord = {
    state: "active",
    active: family.jti,
    denied: [],
    keepUntil: family.keepUntil,
  };
  return { result: undefined, write };
}

/**
 * `rotate`: the whole refresh on one record. RFC 9700 section 4.14.2: a
 * refresh token presented again after it was rotated is reuse, and revokes
 * its family; within `grace` seconds of the rotation it gets the same
 * successor instead (a client retrying a lost reply).
 */
export function decideRotate(
  current: FamilyRecord | undefined,
  rotation: Rotation,
  now: number,
): Decision<RotationResult> {
  if (!current) return { result: { outcome: "unknown" } };
  if (current.state === "revoked") return { result: { outcome: "revoked" } };
  if (rotation.jti === current.active) {
    const replaced = { jti: rotation.jti, next: rotation.next, at: now };
    const write: FamilyRecord = {
      ...current,
      active: rotation.next.jti,
      replaced,
      denied: unexpired(current.denied, now),
      keepUntil: later(current, rotation),
    };
    return { result: { outcome: "rotated" }, write };
  }
  const { replaced } = current;
  if (replaced && replaced.jti === rotation.jti && now - replaced.at < rotation.grace) {
    return { result: { outcome: "grace", next: replaced.next } };
  }
  return { result: { outcome: "reused" }, write: { ...current, state: "revoked" } };
}

/** `state`: what a refresh token of this family is now. */
export function refreshStateOf(current: FamilyRecord | undefined, token: TokenRef): RefreshState {
  if (!current) return "unknown";
  if (current.state === "revoked") return "revoked";
  return current.active === token.jti ? "active" : "used";
}

/** `accessState`: only a present, active family whose token was not denied accepts. */
export function accessStateOf(
  current: FamilyRecord | undefined,
  token: AccessRef,
): "active" | "revoked" {
  const denied = current?.denied.some((entry) => entry.jti === token.jti) ?? true;
  return current?.state === "active" && !denied ? "active" : "revoked";
}

/** `revokeFamily` and `revokeSubject`: a missing family has nothing left to accept. */
export function decideRevoke(current: FamilyRecord | undefined): Decision<void> {
  if (!current || current.state === "revoked") return { result: undefined };
  return { result: undefined, write: { ...current, state: "revoked" } };
}

/** `denyAccess`: the family stays active, and forgets denials whose tokens have expired. */
export function decideDeny(
  current: FamilyRecord | undefined,
  token: AccessRef,
  now: number,
): Decision<void> {
  if (!current || current.state === "revoked" || token.exp <= now) return { result: undefined };
  const denied = unexpired(current.denied, now).filter((entry) => entry.jti !== token.jti);
  denied.push({ jti: token.jti, exp: token.exp });
  const keepUntil = Math.max(current.keepUntil, token.exp);
  return { result: undefined, write: { ...current, denied, keepUntil } };
}

const unexpired = (denied: FamilyRecord["denied"], now: number) =>
  denied.filter((entry) => entry.exp > now);

const later = (current: FamilyRecord, next: { keepUntil: number }) =>
  Math.max(current.keepUntil, next.keepUntil);

/**
 * Settles with `work`, or rejects with a StoreError once `ms` have passed or
 * when `work` fails: a store that cannot answer in time is a store that is down.
 */
export async function withDeadline<T>(
  store: string,
  ms: number,
  work: () => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreError(`${store}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), expired]);
  } catch (error) {
    // Arguments are checked before `work` starts, so a TypeError here (a failed
    // fetch) is the store's failure too.
    if (error instanceof StoreError) throw error;
    throw new StoreError(`${store}: the store failed`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** Refuses a deadline that is not a positive number of milliseconds, at start-up. */
export function checkTimeout(ms: unknown, store: string): number {
  if (typeof ms !== "number" || !(ms > 0) || !Number.isFinite(ms)) {
    throw new TypeError(`${store}: timeout must be a positive number of milliseconds`);
  }
  return ms;
}
