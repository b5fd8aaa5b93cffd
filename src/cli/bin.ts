#!/usr/bin/env node
// The `hs256` executable: everything it does is in cli.ts, where tests can run it.
import { main, processIo } from "./cli.js";

process.exitCode = await main(process.argv.slice(2), processIo());
