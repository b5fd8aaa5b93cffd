// A Worker with login, a protected route, refresh and logout.
// Run it with workerd (see config.capnp) or deploy it with wrangler.
import { authenticate, createTokens, isJwtError, isStoreError, readBearerToken } from "hs256";
import { durableObjectStore } from "hs256/cloudflare";

// The Durable Object that holds each user's logins: wrangler.toml binds it as
// REFRESH_STORE (a durable_objects binding with class_name "RefreshStoreObject").
export { RefreshStoreObject } from "hs256/cloudflare";

// A fixed demo user: a real app checks a password hash from its database.
const DEMO_USER = { username: "alice", password: "wonderland", role: "admin" };

// Every isolate reaches the same Durable Object per user, so a refresh token is
// used once however many isolates serve the app, and its reuse revokes the login.
let tokens;
const tokensFor = (env) =>
  (tokens ??= createTokens({
    secret: env.JWT_SECRET,
    store: durableObjectStore(env.REFRESH_STORE),
    checkRevoked: true,
  }));

export default {
  async fetch(request, env) {
    const auth = tokensFor(env);
    const { pathname } = new URL(request.url);
    try {
      switch (`${request.method} ${pathname}`) {
        case "POST /login": {
          const { username, password } = await request.json();
          if (username !== DEMO_USER.username || password !== DEMO_USER.password) {
            return Response.json({ error: "invalid_grant" }, { status: 401 });
          }
          return Response.json(await auth.issue({ sub: username, role: DEMO_USER.role }));
        }
        case "GET /me": {
          const user = await authenticate(auth, request);
          return Response.json({ sub: user.sub, role: user.role });
        }
        case "POST /refresh": {
          const { refreshToken } = await request.json();
          return Response.json(await auth.refresh(refreshToken));
        }
        case "POST /logout": {
          // Ends the session: its refresh family, and its access token before it expires.
          await auth.revokeAccess(readBearerToken(request));
          const { refreshToken } = await request.json();
          await auth.revoke(refreshToken);
          return new Response(null, { status: 204 });
        }
        default:
          return new Response("Not found", { status: 404 });
      }
    } catch (error) {
      // The store did not answer: the token may be fine, so ask to try again.
      if (isStoreError(error)) return Response.json({ error: error.code }, { status: 503 });
      if (!isJwtError(error)) throw error;
      // RFC 6750 section 3: a 401 names the scheme, and the error, in WWW-Authenticate.
      const headers = new Headers();
      if (error.wwwAuthenticate) headers.set("www-authenticate", error.wwwAuthenticate);
      return Response.json({ error: error.code }, { status: error.status ?? 401, headers });
    }
  },
};
