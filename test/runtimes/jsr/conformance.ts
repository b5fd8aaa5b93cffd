// The package as a JSR user imports it: "@hs256/hs256" is a jsr: import in
// deno.json, linked to this repo's deno.json (the JSR package) and so to src/.
import * as lib from "@hs256/hs256";
import { report } from "../report.mjs";

await report(lib, "jsr");
