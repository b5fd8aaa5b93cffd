// POST /auth/login: the access token in the body, the refresh token in an HttpOnly cookie.
import { checkLogin } from "../../../../users.js";
import { session, tokens, users } from "../../../lib/auth.js";

export async function POST(request: Request): Promise<Response> {
  const body = (await request.json().catch(() => ({}))) as { id?: unknown; password?: unknown };
  const user = await checkLogin(users, body.id, body.password);
  if (!user) return Response.json({ error: "wrong ID or password" }, { status: 401 });
  return session.login(await tokens.issue({ sub: user.id, role: user.role }));
}
