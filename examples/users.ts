// Users for the examples. A password is kept only as a scrypt hash with its own
// salt, and checked in constant time, so that neither a leaked user table nor
// the time an answer takes gives the password away.
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface User {
  id: string;
  role: string;
  /** "salt.hash", both base64url. */
  passwordHash: string;
}

const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `${salt.toString("base64url")}.${(await derive(password, salt)).toString("base64url")}`;
}

// An unknown ID is checked against this hash too, so it takes as long as a wrong password.
const unknownUser = hashPassword(randomBytes(16).toString("base64url"));

/** The user with this ID and password, or undefined. */
export async function checkLogin(
  users: ReadonlyMap<string, User>,
  id: unknown,
  password: unknown,
): Promise<User | undefined> {
  if (typeof id !== "string" || typeof password !== "string") return undefined;
  const user = users.get(id);
  const [salt = "", hash = ""] = (user?.passwordHash ?? (await unknownUser)).split(".");
  const actual = await derive(password, Buffer.from(salt, "base64url"));
  const matches = timingSafeEqual(actual, Buffer.from(hash, "base64url"));
  return matches ? user : undefined;
}
