// Non-public apps: the passport exchange and the per-request checks of mode, grants, bans and token
// cut-off (spec dify-web-auth.md §2.3, §3).
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { passportResponse } from "../../src/schemas/app-info";
import { admin, expectError, expectShape, json, passport as anonymousPassport, SECRET_KEY } from "../helpers/api";
import { appWithAccess, authCall, claimsOf, createAccount, login, passportWithLogin } from "../helpers/auth";

type App = Awaited<ReturnType<typeof appWithAccess>>;

const appCall = (app: App, passport: string | null, path = "/api/parameters", extra: Record<string, string> = {}) =>
  authCall(path, { headers: { "Content-Type": "application/json", "X-CSRF-Token": "", "X-App-Code": app.site_code, "X-App-Passport": passport ?? "", ...extra } });

async function signedInPassport(app: App, loginToken: string): Promise<string> {
  return (await expectShape(await passportWithLogin(app.site_code, loginToken), passportResponse)).access_token;
}

const setAccess = (app: App, body: Record<string, unknown>) => admin(`/admin/apps/${app.app_id}/access`, json(body, { method: "PUT" }));

describe("private app", () => {
  it("asks for sign-in: passport and app calls without a login answer 401 web_sso_auth_required", async () => {
    const app = await appWithAccess("private");
    await expectError(await passportWithLogin(app.site_code), 401, "web_sso_auth_required", "Web app authentication required.");
    const res = await appCall(app, null);
    await expectError(res, 401, "web_sso_auth_required");
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
    await expectError(await appCall(app, "garbage"), 401, "web_sso_auth_required");
  });

  it("issues Dify's signed-in passport for a valid login token", async () => {
    const account = await createAccount("claims@example.com");
    const app = await appWithAccess("private", { accounts: ["claims@example.com"] });
    const loginToken = await login("claims@example.com");
    const claims = claimsOf(await signedInPassport(app, loginToken));
    const site = (await (await admin(`/admin/apps/${app.app_id}`)).json()) as { site: { code: string } };
    expect(site.site.code).toBe(app.site_code);
    expect(claims).toMatchObject({
      sub: "Web API Passport",
      app_id: app.app_id,
      app_code: app.site_code,
      user_id: account.id,
      auth_type: "internal",
      token_source: "webapp",
      exp: claimsOf(loginToken).exp,
    });
    expect(claims.iss).not.toBe(app.app_id); // the site id, as Dify
    expect(typeof claims.end_user_id).toBe("string");
    expect(Math.abs((claims.granted_at as number) - Date.now() / 1000)).toBeLessThan(5);
    // The same account gets the same end user (session id = its email) on every exchange.
    expect(claimsOf(await signedInPassport(app, loginToken)).end_user_id).toBe(claims.end_user_id);
  });

  it("serves a directly granted account and refuses others with 401 web_app_access_denied", async () => {
    await createAccount("granted@example.com");
    await createAccount("outsider@example.com");
    const app = await appWithAccess("private", { accounts: ["granted@example.com"] });
    const granted = await signedInPassport(app, await login("granted@example.com"));
    for (const path of ["/api/parameters", "/api/site", "/api/meta"]) expect((await appCall(app, granted, path)).status, path).toBe(200);
    // Permission is not checked at passport time (as Dify), so the client can show "no permission".
    const outsider = await signedInPassport(app, await login("outsider@example.com"));
    await expectError(await appCall(app, outsider), 401, "web_app_access_denied", "You do not have permission to access this web app.");
    // Revoking the grant takes effect on the next request.
    expect((await setAccess(app, { access_mode: "private", accounts: [] })).status).toBe(200);
    await expectError(await appCall(app, granted), 401, "web_app_access_denied");
  });

  it("serves members of a granted group, and stops when they leave the group", async () => {
    const member = await createAccount("member@example.com");
    const group = (await (await admin("/admin/groups", json({ name: "Support" }))).json()) as { id: string };
    await admin(`/admin/groups/${group.id}/members`, json({ emails: ["member@example.com"] }));
    const app = await appWithAccess("private", { groups: [group.id] });
    const passport = await signedInPassport(app, await login("member@example.com"));
    expect((await appCall(app, passport)).status).toBe(200);
    expect((await admin(`/admin/groups/${group.id}/members/${member.id}`, { method: "DELETE" })).status).toBe(204);
    await expectError(await appCall(app, passport), 401, "web_app_access_denied");
  });

  it("refuses a banned account: existing passports die, sign-in says account_banned", async () => {
    const account = await createAccount("ban@example.com");
    const app = await appWithAccess("private", { accounts: ["ban@example.com"] });
    const loginToken = await login("ban@example.com");
    const passport = await signedInPassport(app, loginToken);
    await admin(`/admin/accounts/${account.id}`, json({ status: "banned" }, { method: "PATCH" }));
    await expectError(await appCall(app, passport), 401, "web_sso_auth_required");
    await expectError(await passportWithLogin(app.site_code, loginToken), 401, "unauthorized");
    // Unbanning does not revive the old sessions; a new sign-in works.
    await admin(`/admin/accounts/${account.id}`, json({ status: "active" }, { method: "PATCH" }));
    await expectError(await appCall(app, passport), 401, "web_sso_auth_required");
    expect((await appCall(app, await signedInPassport(app, await login("ban@example.com")))).status).toBe(200);
  });

  it("refuses passports older than an admin password change, and those of deleted accounts", async () => {
    const account = await createAccount("pw@example.com");
    const app = await appWithAccess("private_all");
    const passport = await signedInPassport(app, await login("pw@example.com"));
    await admin(`/admin/accounts/${account.id}`, json({ password: "An0therPass" }, { method: "PATCH" }));
    await expectError(await appCall(app, passport), 401, "web_sso_auth_required");

    const doomed = await createAccount("doomed@example.com");
    const doomedPassport = await signedInPassport(app, await login("doomed@example.com"));
    await admin(`/admin/accounts/${doomed.id}`, { method: "DELETE" });
    await expectError(await appCall(app, doomedPassport), 401, "web_sso_auth_required");
  });

  it("refuses an anonymous passport, a login token used as passport and another app's passport", async () => {
    await createAccount("mix@example.com");
    const app = await appWithAccess("public");
    const anonymous = await anonymousPassport(app.site_code);
    await setAccess(app, { access_mode: "private", accounts: ["mix@example.com"] });
    await expectError(await appCall(app, anonymous), 401, "web_sso_auth_required");
    const loginToken = await login("mix@example.com");
    await expectError(await appCall(app, loginToken), 401, "web_sso_auth_required");
    const other = await appWithAccess("private_all");
    const otherPassport = await signedInPassport(other, loginToken);
    await expectError(await appCall(app, otherPassport), 401, "web_sso_auth_required");
  });

  it("accepts the login token from the webapp_access_token cookie", async () => {
    await createAccount("cookie@example.com");
    const app = await appWithAccess("private_all");
    const loginToken = await login("cookie@example.com");
    const res = await authCall("/api/passport", { headers: { "X-App-Code": app.site_code, Cookie: `webapp_access_token=${loginToken}` } });
    expect(claimsOf((await expectShape(res, passportResponse)).access_token).token_source).toBe("webapp");
  });
});

describe("token forgery and expiry", () => {
  const sign = async (claims: Record<string, unknown>, secret = SECRET_KEY) =>
    new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(new TextEncoder().encode(secret));
  const unsigned = (claims: Record<string, unknown>) =>
    `${btoa(JSON.stringify({ alg: "none", typ: "JWT" })).replace(/=+$/, "")}.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.`;

  it("refuses alg:none and foreign-secret login tokens at /api/passport", async () => {
    const account = await createAccount("forge@example.com");
    const app = await appWithAccess("private_all");
    const claims = { sub: "Web API Passport", user_id: account.id, session_id: account.email, token_source: "webapp_login_token", auth_type: "internal", iat: Math.floor(Date.now() / 1000) + 5 };
    await expectError(await passportWithLogin(app.site_code, unsigned(claims)), 401, "unauthorized", "Invalid token.");
    await expectError(await passportWithLogin(app.site_code, await sign(claims, "someone-elses-secret")), 401, "unauthorized", "Invalid token signature.");
    await expectError(await passportWithLogin(app.site_code, await sign({ ...claims, exp: 1000 })), 401, "unauthorized", "Token has expired.");
    await expectError(await passportWithLogin(app.site_code, await sign({ ...claims, token_source: "webapp" })), 401, "unauthorized", "Invalid token source. Expected 'webapp_login_token'.");
    // Correctly signed, it works: the refusals above are about the signature alone.
    expect((await passportWithLogin(app.site_code, await sign(claims))).status).toBe(200);
  });

  it("refuses alg:none and foreign-secret passports on app calls", async () => {
    const account = await createAccount("forge2@example.com");
    const app = await appWithAccess("private_all");
    const real = claimsOf(await signedInPassport(app, await login("forge2@example.com")));
    expect(real.user_id).toBe(account.id);
    await expectError(await appCall(app, unsigned(real)), 401, "web_sso_auth_required");
    await expectError(await appCall(app, await sign(real, "someone-elses-secret")), 401, "web_sso_auth_required");
    await expectError(await appCall(app, await sign({ ...real, exp: 1000 })), 401, "web_sso_auth_required");
    await expectError(await appCall(app, await sign({ ...real, auth_type: "external" })), 401, "web_sso_auth_required", "Please login as internal user.");
    expect((await appCall(app, await sign(real))).status).toBe(200);
  });

  it("gives login tokens ACCESS_TOKEN_EXPIRE_MINUTES and passports the login token's expiry", async () => {
    await createAccount("ttl@example.com");
    const res = await authCall("/api/login", json({ email: "ttl@example.com", password: btoa("Passw0rd!") }), { ACCESS_TOKEN_EXPIRE_MINUTES: "5" });
    const token = ((await res.json()) as { data: { access_token: string } }).data.access_token;
    expect((claimsOf(token).exp as number) - Date.now() / 1000).toBeLessThanOrEqual(300);
    const app = await appWithAccess("private_all");
    expect(claimsOf(await signedInPassport(app, token)).exp).toBe(claimsOf(token).exp);
  });
});

describe("other access modes", () => {
  it("private_all serves every active account without grants", async () => {
    await createAccount("all1@example.com");
    await createAccount("all2@example.com");
    const app = await appWithAccess("private_all");
    for (const email of ["all1@example.com", "all2@example.com"]) expect((await appCall(app, await signedInPassport(app, await login(email)))).status).toBe(200);
    await expectError(await appCall(app, null), 401, "web_sso_auth_required");
  });

  it("sso_verified asks for an external sign-in that no provider can give yet", async () => {
    await createAccount("sso@example.com");
    const app = await appWithAccess("sso_verified");
    const loginToken = await login("sso@example.com");
    await expectError(await passportWithLogin(app.site_code, loginToken), 401, "web_sso_auth_required", "Please login as external user.");
    await expectError(await appCall(app, null), 401, "web_sso_auth_required");
  });

  it("public apps refuse a signed-in passport with 'webapp token expired.' so the client fetches a new one", async () => {
    await createAccount("pub@example.com");
    const app = await appWithAccess("private_all");
    const passport = await signedInPassport(app, await login("pub@example.com"));
    await setAccess(app, { access_mode: "public" });
    await expectError(await appCall(app, passport), 401, "unauthorized", "webapp token expired.");
    // Public apps ignore a login token at /passport and hand out an anonymous passport.
    const anonymous = (await expectShape(await passportWithLogin(app.site_code, "stale-or-garbage"), passportResponse)).access_token;
    expect(claimsOf(anonymous).token_source).toBeUndefined();
    expect((await appCall(app, anonymous)).status).toBe(200);
  });

  it("never shares an end user between a signed-in account and a visitor sending its email as user_id", async () => {
    await createAccount("victim@example.com");
    const app = await appWithAccess("public");
    // While public, a visitor claims the session id the account will use.
    const visitor = await anonymousPassport(app.site_code, "victim@example.com");
    await setAccess(app, { access_mode: "private_all" });
    const accountPassport = await signedInPassport(app, await login("victim@example.com"));
    expect(claimsOf(accountPassport).end_user_id).not.toBe(claimsOf(visitor).end_user_id);
    expect(claimsOf(await signedInPassport(app, await login("victim@example.com"))).end_user_id).toBe(claimsOf(accountPassport).end_user_id);
    await setAccess(app, { access_mode: "public" });
    // The visitor keeps only its own end user; asking for the email again gets a fresh anonymous one.
    expect((await appCall(app, visitor)).status).toBe(200);
    const again = await anonymousPassport(app.site_code, "victim@example.com");
    expect([claimsOf(visitor).end_user_id, claimsOf(accountPassport).end_user_id]).not.toContain(claimsOf(again).end_user_id);
  });

  it("does not let an account created later with a deleted account's email inherit its end user", async () => {
    const first = await createAccount("reused@example.com");
    const app = await appWithAccess("private_all");
    const before = claimsOf(await signedInPassport(app, await login("reused@example.com"))).end_user_id;
    await admin(`/admin/accounts/${first.id}`, { method: "DELETE" });
    await createAccount("reused@example.com");
    expect(claimsOf(await signedInPassport(app, await login("reused@example.com"))).end_user_id).not.toBe(before);
  });
});
