// Type-checked by `deno check` in scripts/test-runtimes.mjs: the built files,
// imported by path as Deno users do, keep their types (@ts-self-types). Were
// they untyped, every @ts-expect-error below would be unused, which fails.
import { isJwtError, sign, verify } from "../../dist/index.js";
import { nodeHmac } from "../../dist/node.js";

const secret = "deno-type-check-secret-of-32-bytes!!";
const token: string = await sign({ sub: "alice" }, secret, { expiresIn: "15m", hmac: nodeHmac() });
const { payload } = await verify<{ role?: string }>(token, secret);
const role: string | undefined = payload.role;
// @ts-expect-error sign takes a payload object, not a number
await sign(42, secret);
// @ts-expect-error verify's options have no expiresIn
await verify(token, secret, { expiresIn: 60 });
try {
  await verify(token, `${secret}!`);
} catch (error) {
  // @ts-expect-error not a code
  if (isJwtError(error, "ERR_NOT_A_CODE")) throw error;
  if (isJwtError(error, "ERR_JWT_EXPIRED")) console.log(error.expiredAt.toISOString(), role);
}
