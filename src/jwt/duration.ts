/**
 * A span of time: a number of seconds, or a string such as "30s", "15m", "2h", "7d" or "1w".
 *
 * @category Sign and verify
 */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const DURATION = /^(-?\d+(?:\.\d+)?)(s|m|h|d|w)?$/;

/**
 * Converts a {@link Duration} to seconds. A number is taken as seconds; a string
 * is digits with an optional unit (s, m, h, d, w). Anything else is a TypeError
 * that names the option, so that a typo such as "15min" fails loudly rather than
 * signing a token that never expires.
 *
 * @category Sign and verify
 */
export function toSeconds(value: Duration, option: string): number {
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    throw new TypeError(`${option} must be a finite number of seconds, got ${value}`);
  }
  if (typeof value === "string") {
    const match = DURATION.exec(value);
    if (match) {
      // Hundreds of digits read as Infinity, which would turn a check off.
      const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] ?? "s"] as number);
      if (Number.isFinite(seconds)) return seconds;
      throw new TypeError(`${option} must be a finite duration, got a number too large to hold`);
    }
    throw new TypeError(
      `${option} must be seconds or a duration such as "30s", "15m", "2h", "7d" or "1w", got ${JSON.stringify(value)}`,
    );
  }
  throw new TypeError(`${option} must be a number of seconds or a duration string`);
}

/**
 * Seconds since the epoch, whole, as NumericDate (RFC 7519 section 2) is usually written.
 *
 * @category Sign and verify
 */
export function epochSeconds(now?: Date): number {
  const ms = now === undefined ? Date.now() : now.getTime();
  if (!Number.isFinite(ms)) throw new TypeError("now must be a valid Date");
  return Math.floor(ms / 1000);
}
