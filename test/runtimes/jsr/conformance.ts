// The package as a JSR user imports it: "@hs256/hs256" is a jsr: import in
// deno.json, linked to this repo's deno.json (the JSR package) and so to src/.
// deno publish rewrites src/'s ".js" specifiers to the ".ts" files it ships;
// linked, the sources keep them, hence "sloppy-imports" in deno.json.
import * as lib from "@hs256/hs256";
import jsr from "../../../deno.json" with { type: "json" };
import { report } from "../report.mjs";

// Every other entry point resolves and loads the same way (its checks are the unit tests').
for (const subpath of Object.keys(jsr.exports).filter((subpath) => subpath !== ".")) {
  const specifier = `@hs256/hs256${subpath.slice(1)}`;
  if (Object.keys(await import(specifier)).length === 0) {
    throw new Error(`${specifier} exports nothing`);
  }
}
await report(lib, "jsr");
