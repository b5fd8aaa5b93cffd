// Type-checked by `deno check`, never run: the claims type of createTokens<C>
// reaches verifyAccess and issue through the JSR package's TypeScript sources.
import { createTokens, memoryStore, type TokenPair } from "@hs256/hs256";

const tokens = createTokens<{ role: "admin" | "user" }>({
  secret: "jsr-typed-secret-at-least-32-bytes-long",
  store: memoryStore(),
});

export async function roleOf(accessToken: string): Promise<"admin" | "user"> {
  const payload = await tokens.verifyAccess(accessToken);
  const subject: string = payload.sub;
  // @ts-expect-error: the ATK's type claim is "ATK", never "RTK"
  const wrongType: "RTK" = payload.type;
  void [subject, wrongType];
  return payload.role;
}

export function login(sub: string): Promise<TokenPair> {
  // @ts-expect-error: "root" is not a role
  void tokens.issue({ sub, role: "root" });
  // @ts-expect-error: issue needs the role of C
  void tokens.issue({ sub });
  return tokens.issue({ sub, role: "admin" });
}
