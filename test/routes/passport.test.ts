import { env } from "cloudflare:workers";
import { decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { passportResponse } from "../../src/schemas/app-info";
import { invalidateAppCache } from "../../src/services/apps/app-registry";
import { forgetEndUsers } from "../../src/services/auth/end-users";
import { admin, call, expectError, expectShape, type Imported, importDsl, json, passport, SECRET_KEY, webHeaders } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";

const secret = new TextEncoder().encode(SECRET_KEY);
let chat: Imported;
let completion: Imported;

beforeAll(async () => {
  chat = await importDsl(demoApp("chat"));
  completion = await importDsl(demoApp("completion"));
});

async function endUserCount(appId: string): Promise<number> {
  return (await env.DB.prepare("SELECT COUNT(*) AS n FROM end_users WHERE app_id = ?").bind(appId).first<number>("n"))!;
}

describe("GET /api/passport", () => {
  it("issues an HS256 passport with Dify's claims, verifiable with the secret", async () => {
    const res = await call("/api/passport?", { headers: { "X-App-Code": chat.site_code } });
    const { access_token } = await expectShape(res, passportResponse);
    expect(decodeProtectedHeader(access_token)).toEqual({ alg: "HS256", typ: "JWT" });
    const { payload } = await jwtVerify(access_token, secret, { algorithms: ["HS256"] });
    expect(Object.keys(payload).sort()).toEqual(["app_code", "app_id", "end_user_id", "iss", "sub"]);
    expect(payload).toMatchObject({ iss: chat.app_id, sub: "Web API Passport", app_id: chat.app_id, app_code: chat.site_code });
    const row = await env.DB.prepare("SELECT * FROM end_users WHERE id = ?").bind(payload.end_user_id).first<Record<string, unknown>>();
    expect(row).toMatchObject({ app_id: chat.app_id, type: "browser", is_anonymous: 1 });
  });

  it("reuses the end user of a user_id and creates a fresh one without it", async () => {
    const before = await endUserCount(chat.app_id);
    const a = await jwtVerify(await passport(chat.site_code, "visitor-1"), secret);
    const b = await jwtVerify(await passport(chat.site_code, "visitor-1"), secret);
    expect(a.payload.end_user_id).toBe(b.payload.end_user_id);
    const c = await jwtVerify(await passport(chat.site_code), secret);
    const d = await jwtVerify(await passport(chat.site_code), secret);
    expect(c.payload.end_user_id).not.toBe(d.payload.end_user_id);
    expect(await endUserCount(chat.app_id)).toBe(before + 3);
    // The same session id in another app is another end user.
    const other = await jwtVerify(await passport(completion.site_code, "visitor-1"), secret);
    expect(other.payload.end_user_id).not.toBe(a.payload.end_user_id);
  });

  it("converges concurrent first visits of one user_id on one end user", async () => {
    const tokens = await Promise.all([1, 2, 3, 4].map(() => passport(chat.site_code, "racer")));
    const ids = new Set(await Promise.all(tokens.map(async (t) => (await jwtVerify(t, secret)).payload.end_user_id)));
    expect(ids.size).toBe(1);
  });

  it("requires X-App-Code (an empty header is absent)", async () => {
    await expectError(await call("/api/passport"), 401, "unauthorized", "X-App-Code header is missing.");
    const res = await call("/api/passport", { headers: { "X-App-Code": "" } });
    await expectError(res, 401, "unauthorized", "X-App-Code header is missing.");
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
  });

  it("answers 404 not_found for an unknown code or a disabled site", async () => {
    await expectError(await call("/api/passport", { headers: { "X-App-Code": "nope" } }), 404, "not_found");
    const app = await importDsl(demoApp("chat"));
    await env.DB.prepare("UPDATE apps SET enable_site = 0 WHERE id = ?").bind(app.app_id).run();
    await expectError(await call("/api/passport", { headers: { "X-App-Code": app.site_code } }), 404, "not_found");
  });
});

describe("passport authentication of app endpoints", () => {
  const site = (token: string, headers: Record<string, string> = {}) => call("/api/site", { headers: { ...webHeaders(chat.site_code, token), ...headers } });

  it("accepts the passport from the cookie, X-App-Passport or Authorization: Bearer", async () => {
    const token = await passport(chat.site_code);
    expect((await call("/api/site", { headers: { "X-App-Code": chat.site_code, "X-App-Passport": token } })).status).toBe(200);
    expect((await call("/api/site", { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await call("/api/site", { headers: { "X-App-Code": chat.site_code, Cookie: `passport-${chat.site_code}=${token}` } })).status).toBe(200);
    // Empty X-App-Passport (what the client sends before it has one) falls through to the bearer token.
    expect((await call("/api/site", { headers: { "X-App-Passport": "", Authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it("answers 401 with WWW-Authenticate when the passport is missing", async () => {
    const res = await call("/api/site", { headers: { "X-App-Code": chat.site_code, "X-App-Passport": "" } });
    await expectError(res, 401, "unauthorized", "App token is missing.");
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
  });

  it("refuses tampered, unsigned, wrong-algorithm, foreign-secret and expired tokens", async () => {
    const token = await passport(chat.site_code);
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(atob(p.replace(/-/g, "+").replace(/_/g, "/")));
    const tamperedPayload = btoa(JSON.stringify({ ...payload, end_user_id: crypto.randomUUID() })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    await expectError(await site(`${h}.${tamperedPayload}.${s}`), 401, "unauthorized", "Invalid token signature.");
    await expectError(await site(new UnsecuredJWT(payload).encode()), 401, "unauthorized", "Invalid token.");
    const rsa = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
    const rs256 = await new SignJWT(payload).setProtectedHeader({ alg: "RS256" }).sign((rsa as CryptoKeyPair).privateKey);
    await expectError(await site(rs256), 401, "unauthorized", "Invalid token.");
    const foreign = await new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("another-deployment-secret"));
    await expectError(await site(foreign), 401, "unauthorized", "Invalid token signature.");
    const expired = await new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).setExpirationTime(Math.floor(Date.now() / 1000) - 10).sign(secret);
    await expectError(await site(expired), 401, "unauthorized", "Token has expired.");
    await expectError(await site("garbage"), 401, "unauthorized", "Invalid token.");
  });

  it("refuses another app's passport and end users that belong to another app", async () => {
    const completionToken = await passport(completion.site_code);
    await expectError(await site(completionToken), 401, "unauthorized", "The passport was issued for another app.");
    const { payload } = await jwtVerify(completionToken, secret);
    const forged = await new SignJWT({ ...payload, iss: chat.app_id, app_id: chat.app_id, app_code: chat.site_code })
      .setProtectedHeader({ alg: "HS256" })
      .sign(secret);
    await expectError(await site(forged), 404, "not_found");
  });

  it("reports a deleted end user, a renamed site and a disabled site as Dify does", async () => {
    const app = await importDsl(demoApp("chat"));
    const token = await passport(app.site_code);
    const get = () => call("/api/site", { headers: { Authorization: `Bearer ${token}` } });
    const { payload } = await jwtVerify(token, secret);
    await admin(`/admin/apps/${app.app_id}`, json({ enable_site: false }, { method: "PATCH" }));
    await expectError(await get(), 400, "bad_request", "Site is disabled.");
    await admin(`/admin/apps/${app.app_id}`, json({ enable_site: true }, { method: "PATCH" }));
    expect((await get()).status).toBe(200);
    // Direct D1 edits: drop this isolate's few-second caches so the change shows at once.
    await env.DB.prepare("UPDATE sites SET code = 'renamed-code' WHERE app_id = ?").bind(app.app_id).run();
    invalidateAppCache();
    await expectError(await get(), 400, "bad_request", "Site URL is no longer valid.");
    await env.DB.prepare("UPDATE sites SET code = ? WHERE app_id = ?").bind(app.site_code, app.app_id).run();
    await env.DB.prepare("DELETE FROM end_users WHERE id = ?").bind(payload.end_user_id).run();
    invalidateAppCache();
    forgetEndUsers();
    await expectError(await get(), 404, "not_found");
  });
});
