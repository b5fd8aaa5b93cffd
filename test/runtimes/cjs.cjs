// The package through its CommonJS entry, resolved by name through "exports".
const lib = require("hs256");

import("./report.mjs").then(({ report }) => report(lib, "cjs"));
