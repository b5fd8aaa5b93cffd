// Preloaded into the demo by demo.test.ts: every answer of GET /me becomes a
// 500, to check that the demo notices an unexpected answer and exits non-zero.
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const response = await realFetch(url, init);
  return new URL(String(url)).pathname === "/me" ? new Response(null, { status: 500 }) : response;
};
