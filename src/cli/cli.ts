import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type Duration, toSeconds } from "../jwt/duration.js";
import { JwtError } from "../jwt/errors.js";
import {
  decodeUnverified,
  type SignOptions,
  sign,
  type VerifyOptions,
  verify,
} from "../jwt/jwt.js";
import {
  DECODE_HELP,
  DEFAULT_SECRET_ENV,
  mainHelp,
  SECRET_HELP,
  SIGN_HELP,
  VERIFY_HELP,
} from "./help.js";

/** What the command line reads and writes, so that {@link main} runs in tests without a process. */
export interface CliIo {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** All of standard input, or undefined when it is a terminal and nothing was piped. */
  readStdin(): Promise<string | undefined>;
  /** The environment, where secrets are read from. */
  env: Readonly<Record<string, string | undefined>>;
  /** The current time. */
  now(): Date;
}

/** Exit codes: 0 success, 1 failure (bad token, bad input, no secret), 2 wrong usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called: exit code 2, with a pointer to --help. */
class UsageError extends Error {}
/** A failure with a message meant for the user as it is: exit code 1. */
class CliError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | string[] | undefined>;

interface Command {
  summary: string;
  help: string;
  options: Options;
  run(values: Values, input: string | undefined, io: CliIo): Promise<void>;
}

const SECRET_OPTIONS: Options = {
  "secret-env": { type: "string" },
  "secret-file": { type: "string" },
};

const COMMANDS: Record<string, Command> = {
  sign: {
    summary: "sign a JSON payload and print the token",
    help: SIGN_HELP,
    options: {
      ...SECRET_OPTIONS,
      exp: { type: "string" },
      "no-exp": { type: "boolean" },
      nbf: { type: "string" },
      iss: { type: "string" },
      aud: { type: "string", multiple: true },
      sub: { type: "string" },
      type: { type: "string" },
      kid: { type: "string" },
    },
    run: runSign,
  },
  verify: {
    summary: "verify a token and print its header and payload as JSON",
    help: VERIFY_HELP,
    options: {
      ...SECRET_OPTIONS,
      type: { type: "string", multiple: true },
      iss: { type: "string", multiple: true },
      aud: { type: "string", multiple: true },
      sub: { type: "string" },
      "clock-tolerance": { type: "string" },
      "max-token-age": { type: "string" },
      require: { type: "string", multiple: true },
      "allow-no-exp": { type: "boolean" },
      "max-length": { type: "string" },
    },
    run: runVerify,
  },
  decode: {
    summary: "decode a token WITHOUT verifying it",
    help: DECODE_HELP,
    options: {},
    run: runDecode,
  },
  secret: {
    summary: "print a new random 32-byte secret in base64url",
    help: SECRET_HELP,
    options: {},
    run: runSecret,
  },
};

const MAIN_HELP = mainHelp(
  Object.fromEntries(Object.entries(COMMANDS).map(([name, command]) => [name, command.summary])),
);

/**
 * Runs the command line with `argv` (without the node and script paths) and
 * returns the exit code. Never throws: every failure becomes a message on `io.err`.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "-h" || name === "--help" || name === "help") {
    io.out(`${MAIN_HELP}\n`);
    return EXIT_OK;
  }
  if (name === "-v" || name === "--version") {
    io.out(`${version()}\n`);
    return EXIT_OK;
  }
  // Own keys only: "toString" or "constructor" name no command.
  const command = name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(
      name === undefined ? `${MAIN_HELP}\n` : `error: unknown command "${name}"\n\n${MAIN_HELP}\n`,
    );
    return EXIT_USAGE;
  }
  try {
    const { values, input } = parse(command, rest);
    if (values.help) {
      io.out(`${command.help}\n`);
      return EXIT_OK;
    }
    await command.run(values, input, io);
    return EXIT_OK;
  } catch (error) {
    return report(error, name as string, io);
  }
}

function parse(command: Command, args: string[]): { values: Values; input: string | undefined } {
  if (args.some((arg) => arg === "--secret" || arg.startsWith("--secret="))) {
    throw new UsageError(
      "--secret is not accepted: other users can read the command line. Use --secret-env NAME or --secret-file PATH",
    );
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(withSuggestion((error as Error).message.split("\n")[0] ?? "", command));
  }
  // The extra arguments are not shown: one of them may be a secret typed in the wrong place.
  if (parsed.positionals.length > 1) {
    throw new UsageError(
      `too many arguments: expected at most one, got ${parsed.positionals.length}`,
    );
  }
  return { values: parsed.values, input: parsed.positionals[0] };
}

// "Unknown option '--expires-in'" gains "did you mean --exp?": the known option
// the unknown one starts with (or that starts with it), else the nearest by
// edit distance when it is near enough to be a typo.
function withSuggestion(message: string, command: Command): string {
  const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
  if (unknown === undefined) return message;
  const known = [...Object.keys(command.options), "help"];
  const prefixed = known
    .filter((name) => unknown.startsWith(name) || name.startsWith(unknown))
    .sort((a, b) => b.length - a.length)[0];
  const nearest = known
    .map((name) => ({ name, distance: editDistance(unknown, name) }))
    .sort((a, b) => a.distance - b.distance)[0];
  const suggestion = prefixed ?? (nearest && nearest.distance <= 2 ? nearest.name : undefined);
  const unknownOption = `Unknown option '--${unknown}'`;
  return suggestion === undefined
    ? unknownOption
    : `${unknownOption}: did you mean --${suggestion}?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row[j] = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, substitution);
    }
    previous = row;
  }
  return previous[b.length] as number;
}

// The version of the package this file came from: package.json is found by
// walking up from this file, in src/cli as in dist.
function version(): string {
  let dir = new URL(".", import.meta.url);
  for (;;) {
    const file = new URL("package.json", dir);
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "hs256" && pkg.version) return pkg.version;
    }
    const parent = new URL("..", dir);
    if (parent.href === dir.href) return "unknown";
    dir = parent;
  }
}

function report(error: unknown, name: string, io: CliIo): number {
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}\nRun "hs256 ${name} --help" for usage.\n`);
    return EXIT_USAGE;
  }
  if (error instanceof JwtError) {
    const when = error.expiredAt ? ` (expired at ${error.expiredAt.toISOString()})` : "";
    io.err(`error ${error.code}: ${error.message}${when}\n`);
  } else {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return EXIT_FAILURE;
}

async function runSign(values: Values, input: string | undefined, io: CliIo): Promise<void> {
  const payload = parsePayload(await readInput(input, "payload", io));
  for (const claim of ["exp", "nbf", "iss", "aud", "sub", "type"]) {
    if (values[claim] !== undefined && payload[claim] !== undefined) {
      throw new CliError(`--${claim} sets "${claim}", which the payload has`);
    }
  }
  const forever = values["no-exp"] === true;
  if (forever && (values.exp !== undefined || payload.exp !== undefined)) {
    throw new UsageError('--no-exp says the token never expires, yet it has "exp"');
  }
  if (!forever && values.exp === undefined && payload.exp === undefined) {
    throw new UsageError(
      "the token would never expire, and verify refuses that by default: give --exp DURATION (such as --exp 15m), or --no-exp if it is meant",
    );
  }
  const aud = values.aud as string[] | undefined;
  const options: SignOptions = {
    requireExpiration: !forever,
    expiresIn: optionalDuration(values, "exp"),
    notBefore: optionalDuration(values, "nbf"),
    issuer: values.iss as string | undefined,
    audience: aud?.length === 1 ? aud[0] : aud,
    subject: values.sub as string | undefined,
    type: values.type as string | undefined,
    keyId: values.kid as string | undefined,
  };
  io.out(`${await sign(payload, await readSecret(values, io), { ...options, now: io.now() })}\n`);
}

async function runVerify(values: Values, input: string | undefined, io: CliIo): Promise<void> {
  const token = tokenText(await readInput(input, "token", io));
  const maxLength = values["max-length"] as string | undefined;
  const options: VerifyOptions = {
    type: values.type as string[] | undefined,
    issuer: values.iss as string[] | undefined,
    audience: values.aud as string[] | undefined,
    subject: values.sub as string | undefined,
    clockTolerance: optionalDuration(values, "clock-tolerance"),
    maxTokenAge: optionalDuration(values, "max-token-age"),
    requiredClaims: values.require as string[] | undefined,
    requireExpiration: values["allow-no-exp"] !== true,
    maxTokenLength: maxLength === undefined ? undefined : positiveInteger(maxLength, "max-length"),
    now: io.now(),
  };
  const { header, payload } = await verify(token, await readSecret(values, io), options);
  io.out(`${JSON.stringify({ header, payload }, null, 2)}\n`);
}

async function runDecode(_values: Values, input: string | undefined, io: CliIo): Promise<void> {
  const { header, payload } = decodeUnverified(tokenText(await readInput(input, "token", io)));
  io.err("warning: NOT verified: the signature and claims were not checked\n");
  io.out(`${JSON.stringify({ header, payload }, null, 2)}\n`);
}

async function runSecret(_values: Values, input: string | undefined, io: CliIo): Promise<void> {
  if (input !== undefined) throw new UsageError("secret takes no arguments");
  io.out(`${randomBytes(32).toString("base64url")}\n`);
}

// A token copied from a request often comes with its scheme, or the whole header
// line (RFC 6750 section 2.1): "Bearer <token>", "Authorization: Bearer <token>".
function tokenText(text: string): string {
  return text.trim().replace(/^(?:authorization:\s*)?bearer\s+/i, "");
}

/** The positional argument, or standard input when there is none or it is "-". */
async function readInput(arg: string | undefined, what: string, io: CliIo): Promise<string> {
  if (arg !== undefined && arg !== "-") return arg;
  const text = await io.readStdin();
  if (text === undefined || text.trim() === "") {
    throw new UsageError(`no ${what}: give it as an argument or pipe it on standard input`);
  }
  return text;
}

function parsePayload(text: string): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new CliError(`the payload is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new CliError('the payload must be a JSON object, such as {"sub":"alice"}');
  }
  return payload as Record<string, unknown>;
}

function optionalDuration(values: Values, flag: string): Duration | undefined {
  const value = values[flag] as string | undefined;
  if (value === undefined) return undefined;
  try {
    return toSeconds(value, `--${flag}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function positiveInteger(value: string, flag: string): number {
  if (/^[1-9]\d*$/.test(value)) return Number(value);
  throw new UsageError(`--${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
}

async function readSecret(values: Values, io: CliIo): Promise<string> {
  const file = values["secret-file"] as string | undefined;
  const envName = values["secret-env"] as string | undefined;
  if (file !== undefined && envName !== undefined) {
    throw new UsageError("give either --secret-env or --secret-file, not both");
  }
  if (file !== undefined) return readSecretFile(file);
  const name = envName ?? DEFAULT_SECRET_ENV;
  const secret = io.env[name];
  if (secret) return secret;
  if (envName === undefined) {
    throw new CliError(
      `no secret: set the environment variable ${DEFAULT_SECRET_ENV}, or use --secret-env NAME or --secret-file PATH`,
    );
  }
  // A value that is not a variable's name may be the secret itself, given in
  // the wrong place: it is not repeated.
  const shown = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) ? name : "named by --secret-env";
  throw new CliError(`no secret: the environment variable ${shown} is not set or is empty`);
}

async function readSecretFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read the secret file ${path}${code ? ` (${code})` : ""}`);
  }
  // Files written by `echo` or editors end with a newline that is not part of
  // the secret. Anything more (a BOM, blank lines) would silently make another
  // key than the one the servers use, so it is refused.
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "") throw new CliError(`the secret file ${path} is empty`);
  if (secret.startsWith("\uFEFF")) {
    throw new CliError(
      `the secret file ${path} starts with a byte order mark: save it without one`,
    );
  }
  if (/[\r\n]$/.test(secret)) {
    throw new CliError(
      `the secret file ${path} ends with more than one newline: remove the blank lines`,
    );
  }
  return secret;
}

/** The {@link CliIo} of the running process. */
export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readStdin: () => (process.stdin.isTTY ? Promise.resolve(undefined) : readAll(process.stdin)),
    env: process.env,
    now: () => new Date(),
  };
}

/** Reads a stream to its end as UTF-8 text. */
export async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
