// GET /me: only with a valid Bearer access token.
import { withAuth } from "hs256";
import { tokens } from "../../lib/auth.js";

export const GET = withAuth(tokens, (_request, auth) =>
  Response.json({ sub: auth.sub, role: auth.role }),
);
