// Answers any request with the conformance results, run inside workerd.
import * as lib from "hs256";
import { conformance } from "./conformance.mjs";

export default {
  async fetch() {
    return Response.json(await conformance(lib));
  },
};
