// A Deno server with login, a protected route, refresh and logout:
//   npm run build && cd examples/deno && deno run --unstable-kv --allow-net --allow-env server.ts
// Here "hs256" is this repo's own package.json, so its build in dist/;
// an app gets the same import with `deno add npm:hs256`.
import { authenticate, createTokens, isJwtError, isStoreError, readBearerToken } from "hs256";
import { denoKvStore } from "hs256/deno-kv";

// A fixed demo user: a real app checks a password hash from its database.
const DEMO_USER = { username: "alice", password: "wonderland", role: "admin" };

const auth = createTokens<{ role: string }>({
  secret: Deno.env.get("JWT_SECRET") ?? "demo-secret-change-me-at-least-32-bytes-long",
  // Deno KV: a local file by default, shared by every instance on Deno Deploy.
  // DENO_KV_PATH picks another database (":memory:" for a throwaway one).
  store: denoKvStore(await Deno.openKv(Deno.env.get("DENO_KV_PATH"))),
  checkRevoked: true,
});

async function route(request: Request): Promise<Response> {
  switch (`${request.method} ${new URL(request.url).pathname}`) {
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
}

Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 8000) },
  async (request) => {
    try {
      return await route(request);
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
);
