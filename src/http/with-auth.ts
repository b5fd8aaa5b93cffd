// The adapter of Fetch runtimes (Next.js route handlers, Workers, Deno, Bun):
// a handler of (request, auth) becomes a handler of the request alone.
import type { AccessClaims, Tokens } from "../session/tokens.js";
import { type AuthOptions, checkAuthSetup, guard } from "./guard.js";

/** A Fetch handler; `rest` is what the runtime passes after the request (Next's `{ params }`, a Worker's `env`). */
export type FetchHandler<A extends unknown[]> = (request: Request, ...rest: A) => Promise<Response>;

/**
 * Wraps `handler` so that it runs only with a verified Bearer access token,
 * whose claims it gets as `auth`. A missing or bad token gets 401/400 with the
 * RFC 6750 challenge, a StoreError 503; any other error rejects, for the
 * runtime's error handling. With `optional: true`, a request without
 * credentials reaches `handler` with `auth` undefined.
 *
 * @example
 * export const GET = withAuth(tokens, (request, auth) => Response.json({ sub: auth.sub }));
 */
export function withAuth<C extends object, A extends unknown[] = []>(
  tokens: Tokens<C>,
  handler: (request: Request, auth: C & AccessClaims, ...rest: A) => Response | Promise<Response>,
  options?: AuthOptions & { optional?: false },
): FetchHandler<A>;
export function withAuth<C extends object, A extends unknown[] = []>(
  tokens: Tokens<C>,
  handler: (
    request: Request,
    auth: (C & AccessClaims) | undefined,
    ...rest: A
  ) => Response | Promise<Response>,
  options: AuthOptions & { optional: true },
): FetchHandler<A>;
export function withAuth<C extends object, A extends unknown[]>(
  tokens: Tokens<C>,
  handler: (request: Request, auth: C & AccessClaims, ...rest: A) => Response | Promise<Response>,
  options?: AuthOptions,
): FetchHandler<A> {
  checkAuthSetup(tokens, options);
  return async (request, ...rest) => {
    const outcome = await guard(tokens, request, options);
    if (!outcome.refusal) return handler(request, outcome.claims as C & AccessClaims, ...rest);
    const { status, headers, body } = outcome.refusal;
    return new Response(body, { status, headers });
  };
}
