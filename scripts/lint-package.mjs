// Packs the package as npm would publish it, then checks the tarball with
// publint (strict) and Are The Types Wrong, with every profile. publint alone would pack and delete
// its own tarball, so we pack once into a folder we keep and point both at it.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const dest = ".pack";
rmSync(dest, { recursive: true, force: true });
mkdirSync(dest);
const run = (cmd, args) =>
  execFileSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"] }).toString();
const [{ filename }] = JSON.parse(run("npm", ["pack", "--json", "--pack-destination", dest]));
const tarball = join(dest, filename);
execFileSync("npx", ["--no", "--", "publint", "run", tarball, "--strict"], { stdio: "inherit" });
// "strict" checks every moduleResolution (node10, node16 from CJS and ESM,
// bundler); the other profiles are subsets, run too so that each is named.
for (const profile of ["strict", "node16", "esm-only"]) {
  execFileSync("npx", ["--no", "--", "attw", tarball, "--profile", profile], { stdio: "inherit" });
}
