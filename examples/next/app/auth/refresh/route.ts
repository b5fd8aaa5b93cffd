// POST /auth/refresh: rotates the refresh token of the cookie.
import { session } from "../../../lib/auth.js";

export const POST = session.refresh;
