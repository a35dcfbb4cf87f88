// System features (and their console alias), access mode, permission, login status and logout.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { passportResponse } from "../../src/schemas/app-info";
import { accessModeResponse, loginStatusResponse, permissionResponse, successResponse, systemFeaturesResponse } from "../../src/schemas/auth";
import { call, expectError, expectShape, passport as anonymousPassport } from "../helpers/api";
import { appWithAccess, authCall, createAccount, login, passportWithLogin } from "../helpers/auth";

describe("GET /api/system-features and /console/api/system-features", () => {
  it("report web-app sign-in as enabled with the sign-in methods from config", async () => {
    for (const path of ["/api/system-features", "/console/api/system-features"]) {
      const body = await expectShape(await authCall(path), systemFeaturesResponse);
      expect(body.webapp_auth).toEqual({
        enabled: true,
        allow_sso: false,
        sso_config: { protocol: null },
        allow_email_code_login: true,
        allow_email_password_login: true,
        allow_public_access: true,
      });
      expect(body.enable_email_password_login).toBe(true);
      expect(body.enable_email_code_login).toBe(true);
      expect(body.license.status).toBe("none");
      expect(body.branding.enabled).toBe(false);
    }
    // Dify's defaults: code sign-in is off unless ENABLE_EMAIL_CODE_LOGIN is set.
    const defaults = await expectShape(await call("/api/system-features"), systemFeaturesResponse);
    expect(defaults.webapp_auth.allow_email_code_login).toBe(false);
    const off = await expectShape(await authCall("/console/api/system-features", {}, { ENABLE_EMAIL_PASSWORD_LOGIN: "false" }), systemFeaturesResponse);
    expect([off.enable_email_password_login, off.webapp_auth.allow_email_password_login]).toEqual([false, false]);
  });

  it("answers the console account-profile probe with 404, never 401", async () => {
    const res = await call("/console/api/account/profile", { headers: { Authorization: "Bearer whatever" } });
    await expectError(res, 404, "not_found");
    expect(res.headers.get("WWW-Authenticate")).toBeNull();
  });
});

describe("GET /api/webapp/access-mode", () => {
  it("returns the mode by appCode or appId (appCode wins)", async () => {
    const privateApp = await appWithAccess("private");
    const publicApp = await appWithAccess("public");
    expect(await expectShape(await call(`/api/webapp/access-mode?appCode=${privateApp.site_code}`), accessModeResponse)).toEqual({ accessMode: "private" });
    expect(await expectShape(await call(`/api/webapp/access-mode?appId=${publicApp.app_id}`), accessModeResponse)).toEqual({ accessMode: "public" });
    const both = await call(`/api/webapp/access-mode?appId=${publicApp.app_id}&appCode=${privateApp.site_code}`);
    expect(await both.json()).toEqual({ accessMode: "private" });
  });

  it("answers 400 invalid_param without parameters and 404 for an unknown app", async () => {
    await expectError(await call("/api/webapp/access-mode"), 400, "invalid_param", "appId or appCode must be provided");
    await expectError(await call("/api/webapp/access-mode?appCode=nope"), 404, "not_found");
    await expectError(await call("/api/webapp/access-mode?appId=not-a-uuid"), 404, "not_found");
  });
});

describe("GET /api/webapp/permission", () => {
  it("is true for public apps and for granted accounts, false for others", async () => {
    await createAccount("perm-yes@example.com");
    await createAccount("perm-no@example.com");
    const publicApp = await appWithAccess("public");
    const ask = (app: { app_id: string; site_code: string }, passport?: string) =>
      authCall(`/api/webapp/permission?appId=${app.app_id}`, { headers: { "X-App-Code": app.site_code, ...(passport ? { "X-App-Passport": passport } : {}) } });
    expect(await expectShape(await ask(publicApp), permissionResponse)).toEqual({ result: true });

    const app = await appWithAccess("private", { accounts: ["perm-yes@example.com"] });
    const passportOf = async (email: string) => ((await (await passportWithLogin(app.site_code, await login(email))).json()) as { access_token: string }).access_token;
    expect(await expectShape(await ask(app, await passportOf("perm-yes@example.com")), permissionResponse)).toEqual({ result: true });
    expect(await expectShape(await ask(app, await passportOf("perm-no@example.com")), permissionResponse)).toEqual({ result: false });
    // The passport may come from the passport-<code> cookie too.
    const cookie = await authCall(`/api/webapp/permission?appId=${app.app_id}`, {
      headers: { "X-App-Code": app.site_code, Cookie: `passport-${app.site_code}=${await passportOf("perm-yes@example.com")}` },
    });
    expect(await cookie.json()).toEqual({ result: true });
  });

  it("answers 401 web_sso_auth_required without a valid passport and 400 without appId or X-App-Code", async () => {
    const app = await appWithAccess("private_all");
    const noPassport = await authCall(`/api/webapp/permission?appId=${app.app_id}`, { headers: { "X-App-Code": app.site_code } });
    await expectError(noPassport, 401, "web_sso_auth_required");
    const garbage = await authCall(`/api/webapp/permission?appId=${app.app_id}`, { headers: { "X-App-Code": app.site_code, "X-App-Passport": "x.y.z" } });
    await expectError(garbage, 401, "web_sso_auth_required");
    await expectError(await call(`/api/webapp/permission?appId=${app.app_id}`), 400, "invalid_param", "appId must be provided");
    await expectError(await call("/api/webapp/permission", { headers: { "X-App-Code": app.site_code } }), 400, "invalid_param", "appId must be provided");
  });
});

describe("GET /api/login/status", () => {
  const status = async (query: string, headers: Record<string, string> = {}) => expectShape(await authCall(`/api/login/status${query}`, { headers }), loginStatusResponse);

  it("for a private app: both false before sign-in, logged_in after, both true with a valid passport", async () => {
    await createAccount("status@example.com");
    const app = await appWithAccess("private_all");
    expect(await status(`?app_code=${app.site_code}`)).toEqual({ logged_in: false, app_logged_in: false });
    const loginToken = await login("status@example.com");
    const bearer = { Authorization: `Bearer ${loginToken}` };
    expect(await status(`?app_code=${app.site_code}`, bearer)).toEqual({ logged_in: true, app_logged_in: false });
    const passport = (await expectShape(await passportWithLogin(app.site_code, loginToken), passportResponse)).access_token;
    expect(await status(`?app_code=${app.site_code}`, { ...bearer, "X-App-Passport": passport })).toEqual({ logged_in: true, app_logged_in: true });
    expect(await status(`?app_code=${app.site_code}`, { Cookie: `webapp_access_token=${loginToken}; passport-${app.site_code}=${passport}` })).toEqual({
      logged_in: true,
      app_logged_in: true,
    });
    // A passport of another app does not count for this one.
    const other = await appWithAccess("private_all");
    expect(await status(`?app_code=${other.site_code}`, { ...bearer, "X-App-Passport": passport })).toEqual({ logged_in: true, app_logged_in: false });
  });

  it("for a public app: logged_in is true, app_logged_in only for a valid passport of that session", async () => {
    const app = await appWithAccess("public");
    expect(await status(`?app_code=${app.site_code}`)).toEqual({ logged_in: true, app_logged_in: false });
    const passport = await anonymousPassport(app.site_code, "browser-1");
    expect(await status(`?app_code=${app.site_code}`, { "X-App-Passport": passport })).toEqual({ logged_in: true, app_logged_in: true });
    expect(await status(`?app_code=${app.site_code}&user_id=browser-1`, { "X-App-Passport": passport })).toEqual({ logged_in: true, app_logged_in: true });
    expect(await status(`?app_code=${app.site_code}&user_id=browser-2`, { "X-App-Passport": passport })).toEqual({ logged_in: true, app_logged_in: false });
  });

  it("always answers 200 with both booleans, whatever it is sent", async () => {
    expect(await status("")).toEqual({ logged_in: false, app_logged_in: false });
    expect(await status("?app_code=unknown", { Authorization: "Bearer junk", "X-App-Passport": "junk" })).toEqual({ logged_in: false, app_logged_in: false });
    expect(await status(`?app_code=${"x".repeat(5000)}`)).toEqual({ logged_in: false, app_logged_in: false });
    await createAccount("nocode@example.com");
    expect(await status("", { Authorization: `Bearer ${await login("nocode@example.com")}` })).toEqual({ logged_in: true, app_logged_in: false });
  });
});

describe("POST /api/logout", () => {
  it("answers success and clears the webapp_access_token cookie as Dify does", async () => {
    const res = await authCall("/api/logout", { method: "POST", headers: { "Content-Type": "application/json" } });
    await expectShape(res, successResponse);
    const cookies = res.headers.getAll("Set-Cookie");
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^webapp_access_token=; /);
    for (const attr of ["Expires=Thu, 01 Jan 1970 00:00:00 GMT", "Path=/", "HttpOnly", "SameSite=None"]) expect(cookies[0]).toContain(attr);
    expect(cookies[0]).not.toContain("Secure");
  });

  it("over https also clears the __Host- variant; with COOKIE_DOMAIN it sets the domain instead", async () => {
    const https = await exports.default.fetch(new Request("https://api.test/api/logout", { method: "POST" }));
    const cookies = https.headers.getAll("Set-Cookie");
    expect(cookies.map((c) => c.split("=")[0])).toEqual(["webapp_access_token", "__Host-webapp_access_token"]);
    for (const cookie of cookies) expect(cookie).toContain("Secure");
    const withDomain = await authCall("/api/logout", { method: "POST" }, { COOKIE_DOMAIN: ".example.com" });
    expect(withDomain.headers.getAll("Set-Cookie")).toEqual([expect.stringContaining("Domain=example.com")]);
  });
});
