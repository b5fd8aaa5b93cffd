// The package through its ESM entry, resolved by name as a consumer would
// (a package may import itself by the name and "exports" of its package.json).
import * as lib from "hs256";
import { report } from "./report.mjs";

await report(lib, "esm");
