// The long help texts of the command line, apart from the code that runs it.

/** Where the secret is read from when no option says otherwise. */
export const DEFAULT_SECRET_ENV = "JWT_SECRET";

const SECRET_OPTIONS_HELP = `Secret:
  --secret-env NAME   read the secret from the environment variable NAME
  --secret-file PATH  read the secret from a file: one trailing newline is ignored;
                      a byte order mark or more newlines are refused
  Default: the environment variable ${DEFAULT_SECRET_ENV}. The secret is used as a string,
  as the library uses process.env.${DEFAULT_SECRET_ENV}, and must be at least 32 bytes.
  It is never taken from the command line, where other users can read it.`;

/** `hs256 sign --help`. */
export const SIGN_HELP = `Usage: hs256 sign [options] [PAYLOAD]

Signs PAYLOAD, a JSON object, as an HS256 JWT and prints the token.
Without PAYLOAD (or with "-"), the payload is read from standard input.
"iat" is set to now unless the payload has it. A token needs "exp" (from
--exp or the payload) unless --no-exp says it never expires.

Options:
  --exp DURATION   expires after DURATION: seconds, or "30s", "15m", "2h", "7d", "1w"
  --no-exp         make a token that never expires (verify refuses it by default)
  --nbf DURATION   not valid until DURATION from now
  --iss ISSUER     sets "iss"
  --aud AUDIENCE   sets "aud"; repeat for several audiences
  --sub SUBJECT    sets "sub"
  --type TYPE      sets the "type" claim, such as ATK or RTK
  --kid KEY_ID     sets the header's "kid"
  -h, --help       show this help

${SECRET_OPTIONS_HELP}

Example:
  JWT_SECRET=$(hs256 secret) hs256 sign --exp 15m --sub alice '{"role":"admin"}'`;

/** `hs256 verify --help`. */
export const VERIFY_HELP = `Usage: hs256 verify [options] [TOKEN]

Verifies TOKEN, an HS256 JWT, and prints its header and payload as JSON.
Without TOKEN (or with "-"), the token is read from standard input.
A pasted "Bearer TOKEN" or "Authorization: Bearer TOKEN" is read as TOKEN.
On any failure it prints the error code and message and exits with 1.

Options:
  --type TYPE                accepted "type" claim; repeat to accept several
  --iss ISSUER               accepted issuer; repeat to accept several
  --aud AUDIENCE             accepted audience; repeat to accept several
  --sub SUBJECT              the only accepted subject
  --clock-tolerance DURATION leeway for "exp", "nbf" and "iat" (default 0)
  --max-token-age DURATION   refuse tokens whose "iat" is older than DURATION
  --require CLAIM            refuse tokens without CLAIM; repeat for several
  --allow-no-exp             accept a token without "exp" (refused by default)
  --max-length CHARS         refuse longer tokens (default 8192)
  -h, --help                 show this help

${SECRET_OPTIONS_HELP}

Example:
  hs256 verify --type ATK --iss https://auth.example.com "$TOKEN"`;

/** `hs256 decode --help`. */
export const DECODE_HELP = `Usage: hs256 decode [TOKEN]

Prints the header and payload of TOKEN as JSON WITHOUT checking its signature
or claims: anyone can forge what it shows. Use it to debug, never to decide.
Without TOKEN (or with "-"), the token is read from standard input.

Options:
  -h, --help   show this help`;

/** `hs256 secret --help`. */
export const SECRET_HELP = `Usage: hs256 secret

Prints a new random 32-byte secret, base64url-encoded (43 characters).

Options:
  -h, --help   show this help

Example (umask 077: the file is readable by its owner alone from the start):
  (umask 077 && hs256 secret > jwt-secret)`;

/** `hs256 --help`, listing each command with its summary. */
export function mainHelp(summaries: Readonly<Record<string, string>>): string {
  const commands = Object.entries(summaries)
    .map(([name, summary]) => `  ${name.padEnd(8)}${summary}`)
    .join("\n");
  return `Usage: hs256 <command> [options]

Signs, verifies and decodes HS256 JSON Web Tokens.

Commands:
${commands}

Options:
  -h, --help      show this help
  -v, --version   print the version

Run "hs256 <command> --help" for the options of a command.
Exit codes: 0 success, 1 failure (invalid token, bad input, no secret), 2 wrong usage.`;
}
