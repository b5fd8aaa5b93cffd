// Preloaded into the demo by demo.test.ts to check that it notices a wrong
// answer of GET /me and exits non-zero. SABOTAGE=status turns every answer
// into a 500; SABOTAGE=error keeps a 401 but gives it another error code.
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const response = await realFetch(url, init);
  if (new URL(String(url)).pathname !== "/me") return response;
  if (process.env.SABOTAGE === "status") return new Response(null, { status: 500 });
  if (response.status !== 401) return response;
  return Response.json({ error: "ERR_JWT_MISSING" }, { status: 401 });
};
