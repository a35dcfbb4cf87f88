// End to end over real HTTP against `wrangler dev` (local D1/KV, outbox mail): an account created with
// the admin API signs in to a private app with a password and with a mailed code, resets its
// password, and an account without a grant is refused — the way Dify's web client calls it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../../scripts/lib/local.mjs";
import { type LocalServer, startServer } from "../../scripts/lib/server.mjs";

const JSON_HEADERS = { "Content-Type": "application/json" };
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

let server: LocalServer;
let base = "";
let ADMIN: Record<string, string>;

beforeAll(async () => {
  server = await startServer({ vars: { ENABLE_EMAIL_CODE_LOGIN: "true" } });
  base = server.base;
  ADMIN = { Authorization: `Bearer ${server.adminKey}` };
});

afterAll(async () => {
  await server?.stop();
});

async function request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...JSON_HEADERS, ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** The newest code mailed to `email`; mail is written after the response, so poll briefly. */
async function codeFromOutbox(email: string, after: string | null): Promise<{ id: string; code: string }> {
  for (let i = 0; i < 40; i++) {
    const { body } = await request("GET", `/admin/outbox?to=${encodeURIComponent(email)}&limit=1`, undefined, ADMIN);
    const mail = body.data[0];
    if (mail && mail.id !== after) return { id: mail.id, code: /\b(\d{6})\b/.exec(mail.text)![1] };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no new mail to ${email}`);
}

describe("web-app sign-in through wrangler dev", () => {
  it("signs in to a private app by password and by code, resets the password, refuses the ungranted", async () => {
    const yaml = readFileSync(path.join(root, "demo-apps/chat.yml"), "utf8");
    const imported = await request("POST", "/admin/apps/import", yaml, { ...ADMIN, "Content-Type": "application/yaml" });
    expect(imported.status).toBe(201);
    const { app_id: appId, site_code: code } = imported.body;
    for (const email of ["member@example.com", "stranger@example.com"]) {
      expect((await request("POST", "/admin/accounts", { email, password: "Passw0rd!" }, ADMIN)).status).toBe(201);
    }
    const access = await request("PUT", `/admin/apps/${appId}/access`, { access_mode: "private", accounts: ["member@example.com"] }, ADMIN);
    expect(access.body.access_mode).toBe("private");

    // The client's first visit: sign-in required.
    const app = (passport: string) => ({ "X-App-Code": code, "X-App-Passport": passport, "X-CSRF-Token": "" });
    expect((await request("GET", "/console/api/system-features")).body.webapp_auth.enabled).toBe(true);
    expect((await request("GET", `/api/webapp/access-mode?appCode=${code}`)).body).toEqual({ accessMode: "private" });
    expect((await request("GET", `/api/login/status?app_code=${code}`)).body).toEqual({ logged_in: false, app_logged_in: false });
    expect((await request("GET", "/api/parameters", undefined, app(""))).body.code).toBe("web_sso_auth_required");

    // Password sign-in → passport → the app works.
    const login = await request("POST", "/api/login", { email: "member@example.com", password: b64("Passw0rd!"), language: "en-US", remember_me: true });
    expect(login.status).toBe(200);
    const bearer = { Authorization: `Bearer ${login.body.data.access_token}` };
    const passport = (await request("GET", "/api/passport?", undefined, { "X-App-Code": code, ...bearer })).body.access_token;
    expect((await request("GET", `/api/login/status?app_code=${code}`, undefined, { ...bearer, "X-App-Passport": passport })).body).toEqual({
      logged_in: true,
      app_logged_in: true,
    });
    expect((await request("GET", "/api/parameters", undefined, app(passport))).status).toBe(200);
    expect((await request("GET", `/api/webapp/permission?appId=${appId}`, undefined, app(passport))).body).toEqual({ result: true });

    // Email-code sign-in with the code read from the outbox.
    const sent = await request("POST", "/api/email-code-login", { email: "member@example.com", language: "en-US" });
    const mailed = await codeFromOutbox("member@example.com", null);
    const byCode = await request("POST", "/api/email-code-login/validity", { email: "member@example.com", code: b64(mailed.code), token: sent.body.data });
    expect(byCode.status).toBe(200);

    // Password reset, started at the console path as the client does.
    const reset = await request("POST", "/console/api/forgot-password", { email: "member@example.com", language: "en-US" });
    const resetMail = await codeFromOutbox("member@example.com", mailed.id);
    const valid = await request("POST", "/api/forgot-password/validity", { email: "member@example.com", code: resetMail.code, token: reset.body.data });
    expect(valid.body.is_valid).toBe(true);
    const done = await request("POST", "/api/forgot-password/resets", { token: valid.body.token, new_password: "N3wPassword", password_confirm: "N3wPassword" });
    expect(done.body).toEqual({ result: "success" });
    expect((await request("GET", "/api/parameters", undefined, app(passport))).body.code).toBe("web_sso_auth_required");
    expect((await request("POST", "/api/login", { email: "member@example.com", password: b64("Passw0rd!") })).body.code).toBe("authentication_failed");
    expect((await request("POST", "/api/login", { email: "member@example.com", password: b64("N3wPassword") })).status).toBe(200);

    // An account without a grant signs in but is refused by the app.
    const stranger = await request("POST", "/api/login", { email: "stranger@example.com", password: b64("Passw0rd!") });
    const strangerPassport = (await request("GET", "/api/passport", undefined, { "X-App-Code": code, Authorization: `Bearer ${stranger.body.data.access_token}` })).body.access_token;
    const refused = await request("GET", "/api/parameters", undefined, app(strangerPassport));
    expect(refused).toEqual({ status: 401, body: { code: "web_app_access_denied", message: "You do not have permission to access this web app.", status: 401 } });
    expect((await request("GET", "/console/api/account/profile")).status).toBe(404);
  });
});
