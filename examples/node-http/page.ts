// The browser page of the node:http example: the access token lives in a
// variable only (no storage a script injected later could read), the refresh
// token in the HttpOnly cookie that the /auth routes set. A reload loses the
// access token; the cookie brings a new one.
export const page = `<!doctype html>
<meta charset="utf-8">
<title>hs256 example</title>
<form id="login">
  <input name="id" placeholder="ID" autocomplete="username">
  <input name="password" type="password" placeholder="password" autocomplete="current-password">
  <button>Log in</button>
</form>
<button id="me">GET /me</button>
<button id="logout">Log out</button>
<p>Status: <output id="status">starting</output></p>
<script>
  let accessToken;
  const show = (text) => (document.getElementById("status").textContent = text);
  const post = (path, body) =>
    fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body });

  window.login = async (id, password) => {
    const response = await post("/auth/login", JSON.stringify({ id, password }));
    accessToken = response.ok ? (await response.json()).accessToken : undefined;
    show(response.ok ? "logged in" : "login failed");
    return response.status;
  };
  window.refresh = async () => {
    const response = await post("/auth/refresh");
    accessToken = response.ok ? (await response.json()).accessToken : undefined;
    show(response.ok ? "refreshed" : "logged out");
    return response.status;
  };
  window.me = async () => {
    const headers = accessToken ? { authorization: "Bearer " + accessToken } : {};
    const response = await fetch("/me", { headers });
    show(response.ok ? "user " + (await response.json()).sub : "no access (" + response.status + ")");
    return response.status;
  };
  window.logout = async () => {
    const response = await post("/auth/logout");
    accessToken = undefined;
    show(response.ok ? "logged out" : "logout failed");
    return response.status;
  };

  document.getElementById("login").onsubmit = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    login(form.get("id"), form.get("password"));
  };
  document.getElementById("me").onclick = () => me();
  document.getElementById("logout").onclick = () => logout();
  window.ready = refresh();
</script>
`;
