// The WWW-Authenticate challenge of the Bearer scheme (RFC 6750 section 3).
// It lives in the core so that every JwtError carries one from the start,
// whichever layer threw it.

/**
 * The `WWW-Authenticate` value of RFC 6750 section 3: `Bearer`, the realm when
 * given, and the error code and description when there is an error. Each value
 * is reduced to the characters RFC 6750 section 3 allows in it (printable
 * ASCII without `"` and `\`), so that no value can end the quoted string or
 * the header line.
 *
 * @category HTTP
 */
export function challenge(realm?: string, error?: string, description?: string): string {
  const params: string[] = [];
  if (realm !== undefined) params.push(`realm="${quotable(realm)}"`);
  if (error !== undefined) params.push(`error="${quotable(error)}"`);
  if (description !== undefined) params.push(`error_description="${quotable(description)}"`);
  return params.length === 0 ? "Bearer" : `Bearer ${params.join(", ")}`;
}

// RFC 6750 section 3: these values may not hold '"' or '\', nor anything
// outside printable ASCII (which also keeps CR and LF out of the header).
function quotable(text: string): string {
  return text.replace(/"/g, "'").replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, "");
}
