// POST /api/email-code-login and /validity: codes in the outbox, single use, lockout, mail limits and
// no difference between known and unknown addresses.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loginResponse, sendCodeResponse } from "../../src/schemas/auth";
import { admin, expectError, expectShape, json } from "../helpers/api";
import { authCall, b64, claimsOf, createAccount, freshIp, outbox, post, requestLoginCode } from "../helpers/auth";

const sha256Hex = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("");

const validity = (email: string, code: string, token: string, opts: Parameters<typeof post>[2] = {}) =>
  post("/api/email-code-login/validity", { email, code: b64(code), token }, opts);

describe("POST /api/email-code-login", () => {
  it("mails a 6-digit code (English by default, Chinese for zh-Hans) and returns a token", async () => {
    await createAccount("ann@example.com");
    const res = await post("/api/email-code-login", { email: "Ann@Example.com", language: "en-US" });
    const body = await expectShape(res, sendCodeResponse);
    expect(body.data).toMatch(/^[0-9a-f-]{36}$/);
    const [mail] = await outbox("ann@example.com");
    expect(mail.subject).toBe("Your sign-in code");
    expect(mail.text).toMatch(/^Use this code to sign in:\n\n\d{6}\n/);
    expect(mail.text).toContain("expires in 5 minutes");
    expect(mail.html).toMatch(/<p[^>]*>\d{6}<\/p>/);

    await post("/api/email-code-login", { email: "ann@example.com", language: "zh-Hans" });
    const [zh] = await outbox("ann@example.com");
    expect(zh.subject).toBe("您的登录验证码");
    expect(zh.text).toContain("请使用以下验证码登录");
    expect(zh.html).toContain('lang="zh-Hans"');
  });

  it("keeps only a keyed hash of the code in KV, with the token's TTL, and a D1 row for single use", async () => {
    await createAccount("kv@example.com");
    const { token, code } = await requestLoginCode("kv@example.com");
    const id = await sha256Hex(token);
    const value = await env.KV.get(`auth:token:${id}`);
    expect(value).not.toBeNull();
    expect(value).not.toContain(code);
    expect(value).not.toContain(token);
    expect(JSON.parse(value!)).toMatchObject({ kind: "email_code_login", email: "kv@example.com", phase: null });
    const { keys } = await env.KV.list({ prefix: `auth:token:${id}` });
    expect(keys[0].expiration! - Math.floor(Date.now() / 1000)).toBeGreaterThan(290);
    expect(keys[0].expiration! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(300);
    const row = await env.DB.prepare("SELECT * FROM auth_tokens WHERE id = ?").bind(id).first<{ expires_at: number; consumed_at: number | null }>();
    expect(row!.consumed_at).toBeNull();
    expect(row!.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(290);
  });

  it("answers unknown addresses exactly like known ones and mails nothing", async () => {
    await createAccount("known@example.com");
    const known = await post("/api/email-code-login", { email: "known@example.com" });
    const unknown = await post("/api/email-code-login", { email: "unknown@example.com" });
    expect(unknown.status).toBe(known.status);
    const [a, b] = [await expectShape(known, sendCodeResponse), await expectShape(unknown, sendCodeResponse)];
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(b.data).toMatch(/^[0-9a-f-]{36}$/);
    expect(await outbox("unknown@example.com")).toHaveLength(0);
    expect(await outbox("known@example.com")).toHaveLength(1);
    // Both tokens exist the same way, so a guess at either fails the same way.
    for (const [email, token] of [["known@example.com", a.data], ["unknown@example.com", b.data]]) {
      await expectError(await validity(email, "000000", token), 400, "email_code_error", "Email code is invalid or expired.");
    }
  });

  it("limits sends per address: 3 per 5 minutes (429 email_code_login_rate_limit_exceeded)", async () => {
    for (const email of ["limit@example.com", "limit-unknown@example.com"]) {
      if (email === "limit@example.com") await createAccount(email);
      for (let i = 0; i < 3; i++) expect((await post("/api/email-code-login", { email })).status).toBe(200);
      await expectError(
        await post("/api/email-code-login", { email: email.toUpperCase() }),
        429,
        "email_code_login_rate_limit_exceeded",
        "Too many login emails have been sent. Please try again in 5 minutes.",
      );
    }
    expect(await outbox("limit@example.com")).toHaveLength(3);
    // The window slides: once the oldest send is out of it, one more is allowed.
    await env.DB.prepare("UPDATE auth_rate_events SET at = at - 300 WHERE scope = 'login_code_mail' AND key = 'limit@example.com' AND rowid = (SELECT MIN(rowid) FROM auth_rate_events WHERE key = 'limit@example.com')").run();
    expect((await post("/api/email-code-login", { email: "limit@example.com" })).status).toBe(200);
    await expectError(await post("/api/email-code-login", { email: "limit@example.com" }), 429, "email_code_login_rate_limit_exceeded");
  });

  it("limits mails per client IP (429 email_send_ip_limit), counting sign-in and reset mails together", async () => {
    const ip = freshIp();
    const vars = { EMAIL_SEND_IP_LIMIT_PER_MINUTE: "3" };
    expect((await post("/api/email-code-login", { email: "ip1@example.com" }, { ip, vars })).status).toBe(200);
    expect((await post("/api/forgot-password", { email: "ip2@example.com" }, { ip, vars })).status).toBe(200);
    expect((await post("/api/email-code-login", { email: "ip3@example.com" }, { ip, vars })).status).toBe(200);
    const limited = await post("/api/email-code-login", { email: "ip4@example.com" }, { ip, vars });
    await expectError(limited, 429, "email_send_ip_limit", "Too many emails have been sent from this IP address recently. Please try again later.");
    await expectError(await post("/api/forgot-password", { email: "ip4@example.com" }, { ip, vars }), 429, "email_send_ip_limit");
    // Another client is not affected.
    expect((await post("/api/email-code-login", { email: "ip4@example.com" }, { vars })).status).toBe(200);
  });

  it("falls back to the first X-Forwarded-For address without CF-Connecting-IP", async () => {
    const vars = { EMAIL_SEND_IP_LIMIT_PER_MINUTE: "1" };
    const viaProxy = (email: string, forwarded: string) =>
      authCall("/api/email-code-login", json({ email }, { headers: { "X-Forwarded-For": forwarded } }), vars);
    expect((await viaProxy("xff1@example.com", "203.0.113.9, 10.0.0.1")).status).toBe(200);
    await expectError(await viaProxy("xff2@example.com", "203.0.113.9, 10.0.0.2"), 429, "email_send_ip_limit");
    expect((await viaProxy("xff2@example.com", "203.0.113.10")).status).toBe(200);
  });

  it("validates the body and answers 403 when ENABLE_EMAIL_CODE_LOGIN is false", async () => {
    await expectError(await post("/api/email-code-login", { email: "bad@" }), 400, "invalid_param", "email: bad@ is not a valid email.");
    await expectError(await post("/api/email-code-login", { email: "x@example.com" }, { vars: { ENABLE_EMAIL_CODE_LOGIN: "false" } }), 403, "forbidden");
    await expectError(await validity("x@example.com", "123456", "t", { vars: { ENABLE_EMAIL_CODE_LOGIN: "false" } }), 403, "forbidden");
  });
});

describe("POST /api/email-code-login/validity", () => {
  it("exchanges the code for a login token once; reuse is refused", async () => {
    const account = await createAccount("pat@example.com");
    const { token, code } = await requestLoginCode("pat@example.com");
    const body = await expectShape(await validity("PAT@example.com", code, token), loginResponse);
    expect(claimsOf(body.data.access_token)).toMatchObject({ user_id: account.id, session_id: "pat@example.com", token_source: "webapp_login_token", auth_type: "internal" });
    await expectError(await validity("pat@example.com", code, token), 400, "invalid_or_expired_token", "The token is invalid or has expired.");
  });

  it("refuses reuse even when a stale KV copy of the token is still readable (D1 decides)", async () => {
    await createAccount("stale@example.com");
    const { token, code } = await requestLoginCode("stale@example.com");
    const key = `auth:token:${await sha256Hex(token)}`;
    const copy = await env.KV.get(key);
    expect((await validity("stale@example.com", code, token)).status).toBe(200);
    // Another location may still serve the deleted value for up to a minute.
    await env.KV.put(key, copy!, { expirationTtl: 120 });
    await expectError(await validity("stale@example.com", code, token), 400, "invalid_or_expired_token");
  });

  it("refuses an expired token and a token revoked by a newer send", async () => {
    await createAccount("exp@example.com");
    const first = await requestLoginCode("exp@example.com");
    const second = await requestLoginCode("exp@example.com");
    await expectError(await validity("exp@example.com", first.code, first.token), 400, "invalid_or_expired_token");
    await env.DB.prepare("UPDATE auth_tokens SET expires_at = 1 WHERE id = ?").bind(await sha256Hex(second.token)).run();
    await expectError(await validity("exp@example.com", second.code, second.token), 400, "invalid_or_expired_token");
    await expectError(await validity("exp@example.com", "123456", "no-such-token"), 400, "invalid_or_expired_token");
  });

  it("answers each error with Dify's code", async () => {
    await createAccount("errs@example.com");
    const { token, code } = await requestLoginCode("errs@example.com");
    await expectError(await validity("other@example.com", code, token), 400, "invalid_email", "The email address is not valid.");
    const wrong = code === "000000" ? "111111" : "000000";
    await expectError(await validity("errs@example.com", wrong, token), 400, "email_code_error", "Email code is invalid or expired.");
    const notBase64 = await post("/api/email-code-login/validity", { email: "errs@example.com", code: "12345", token });
    await expectError(notBase64, 400, "email_code_error", "Invalid encrypted code");
    await expectError(await post("/api/email-code-login/validity", { email: "errs@example.com", code: b64(code) }), 400, "invalid_param", "token is required");
    await expectError(await post("/api/email-code-login/validity", { email: "errs@example.com", code: b64(code), token: "" }), 400, "invalid_param");
    // The token survived the failures above.
    expect((await validity("errs@example.com", code, token)).status).toBe(200);
  });

  it("locks after 5 wrong codes and refuses the correct one while locked (429 email_code_login_limit)", async () => {
    await createAccount("lock@example.com");
    const { token, code } = await requestLoginCode("lock@example.com");
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 5; i++) await expectError(await validity("lock@example.com", wrong, token), 400, "email_code_error");
    await expectError(await validity("lock@example.com", code, token), 429, "email_code_login_limit");
    // Password sign-in shares the lock: five guesses per address in all, not five per method.
    await expectError(await post("/api/login", { email: "lock@example.com", password: b64("Passw0rd!") }), 429, "email_code_login_limit");
  });

  it("reports a ban only after a correct code (400 account_banned); a deleted account is authentication_failed", async () => {
    const banned = await createAccount("ban@example.com");
    const { token, code } = await requestLoginCode("ban@example.com");
    await admin(`/admin/accounts/${banned.id}`, json({ status: "banned" }, { method: "PATCH" }));
    await expectError(await validity("ban@example.com", code, token), 400, "account_banned", "Account is banned.");

    const gone = await createAccount("gone@example.com");
    const sent = await requestLoginCode("gone@example.com");
    await admin(`/admin/accounts/${gone.id}`, { method: "DELETE" });
    await expectError(await validity("gone@example.com", sent.code, sent.token), 401, "authentication_failed");
  });

  it("signs in an account without a password (code-only)", async () => {
    await createAccount("nopass@example.com", null);
    const { token, code } = await requestLoginCode("nopass@example.com");
    expect((await validity("nopass@example.com", code, token)).status).toBe(200);
  });
});
