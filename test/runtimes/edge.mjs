// The Edge Runtime: the ESM build and the conformance script are evaluated as
// ES modules inside an EdgeVM context, whose globals are the Edge primitives
// (no `process`, no `require`, no code generation). Needs --experimental-vm-modules.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { SourceTextModule } from "node:vm";
import { EdgeVM } from "@edge-runtime/vm";

const root = new URL("../../", import.meta.url);
const files = {
  hs256: new URL("dist/index.js", root),
  "./conformance.mjs": new URL("test/runtimes/conformance.mjs", root),
};
const edge = new EdgeVM();
const version = createRequire(import.meta.url)("@edge-runtime/vm/package.json").version;

function load(specifier) {
  const file = files[specifier];
  if (!file) throw new Error(`the Edge Runtime has no module "${specifier}"`);
  return new SourceTextModule(readFileSync(file, "utf8"), {
    context: edge.context,
    identifier: file.href,
  });
}

const entry = new SourceTextModule(
  `import * as lib from "hs256";
   import { conformance } from "./conformance.mjs";
   globalThis.__results = conformance(lib);`,
  { context: edge.context, identifier: "edge-entry.mjs" },
);
await entry.link(load);
await entry.evaluate();
const results = await edge.context.__results;
const line = { runtime: `edge-runtime ${version}`, entry: "esm", results };
console.log(`CONFORMANCE ${JSON.stringify(line)}`);
