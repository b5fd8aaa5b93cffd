// POST /auth/logout: revokes the refresh token family and clears the cookie.
import { session } from "../../../lib/auth.js";

export const POST = session.logout;
