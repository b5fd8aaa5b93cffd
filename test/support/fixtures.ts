// The one set of fixtures every test shares.

/** 32 bytes exactly: the shortest secret HS256 accepts. */
export const SECRET = "0123456789abcdef0123456789abcdef";
/** Another valid secret, for tokens that must not verify with {@link SECRET}. */
export const OTHER_SECRET = "another-secret-that-is-long-enough-32+";

/** A fixed clock for tests: 2023-11-14T22:13:20Z. */
export const NOW_SECONDS = 1_700_000_000;
export const NOW = new Date(NOW_SECONDS * 1000);
