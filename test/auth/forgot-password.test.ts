// POST /api/forgot-password, /validity and /resets (and the console alias): the two-phase reset,
// each error code, the per-address limits and the effect of a reset on older sessions.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loginStatusResponse, resetValidityResponse, sendCodeResponse, successResponse } from "../../src/schemas/auth";
import { call, expectError, expectShape } from "../helpers/api";
import { appWithAccess, authCall, b64, createAccount, latestCode, login, outbox, passportWithLogin, post } from "../helpers/auth";

async function startReset(email: string, path = "/api/forgot-password", language = "en-US") {
  const body = await expectShape(await post(path, { email, language }), sendCodeResponse);
  return { token: body.data, code: await latestCode(email) };
}

async function phaseTwo(email: string): Promise<string> {
  const { token, code } = await startReset(email);
  const body = await expectShape(await post("/api/forgot-password/validity", { email, code, token }), resetValidityResponse);
  return body.token;
}

const reset = (token: string, password: string, confirm = password) =>
  post("/api/forgot-password/resets", { token, new_password: password, password_confirm: confirm });

describe("password reset", () => {
  it("resets in two phases: code → reset token → new password; the old password stops working", async () => {
    await createAccount("rita@example.com");
    const { token, code } = await startReset("Rita@Example.com");
    const [mail] = await outbox("rita@example.com");
    expect(mail.subject).toBe("Reset your password");
    const valid = await expectShape(await post("/api/forgot-password/validity", { email: "RITA@example.com", code, token }), resetValidityResponse);
    expect(valid).toMatchObject({ is_valid: true, email: "rita@example.com" });
    expect(valid.token).not.toBe(token);
    await expectShape(await reset(valid.token, "N3wPassword"), successResponse);
    await expectError(await post("/api/login", { email: "rita@example.com", password: b64("Passw0rd!") }), 401, "authentication_failed");
    await login("rita@example.com", "N3wPassword");
  });

  it("starts at the console path too, as Dify's client does, and mails Chinese for zh-Hans", async () => {
    await createAccount("console@example.com");
    const { token, code } = await startReset("console@example.com", "/console/api/forgot-password", "zh-Hans");
    expect((await outbox("console@example.com"))[0].subject).toBe("重置您的密码");
    expect((await post("/api/forgot-password/validity", { email: "console@example.com", code, token })).status).toBe(200);
  });

  it("refuses the first-phase token at /resets and the second-phase token at /validity", async () => {
    await createAccount("phase@example.com");
    const { token, code } = await startReset("phase@example.com");
    await expectError(await reset(token, "N3wPassword"), 400, "invalid_or_expired_token", "The token is invalid or has expired.");
    const second = (await expectShape(await post("/api/forgot-password/validity", { email: "phase@example.com", code, token }), resetValidityResponse)).token;
    await expectError(await post("/api/forgot-password/validity", { email: "phase@example.com", code, token: second }), 400, "invalid_or_expired_token");
    // The first-phase token was spent by the validity step.
    await expectError(await post("/api/forgot-password/validity", { email: "phase@example.com", code, token }), 400, "invalid_or_expired_token");
    expect((await reset(second, "N3wPassword")).status).toBe(200);
    await expectError(await reset(second, "An0therPass"), 400, "invalid_or_expired_token");
  });

  it("answers each error with Dify's code", async () => {
    await createAccount("errs@example.com");
    const { token, code } = await startReset("errs@example.com");
    await expectError(await post("/api/forgot-password/validity", { email: "x@example.com", code, token }), 400, "invalid_email", "The email address is not valid.");
    const wrong = code === "000000" ? "111111" : "000000";
    await expectError(await post("/api/forgot-password/validity", { email: "errs@example.com", code: wrong, token }), 400, "email_code_error");
    await expectError(await post("/api/forgot-password/validity", { email: "errs@example.com", code, token: "nope" }), 400, "invalid_or_expired_token");
    const second = (await expectShape(await post("/api/forgot-password/validity", { email: "errs@example.com", code, token }), resetValidityResponse)).token;
    await expectError(await reset(second, "N3wPassword", "N3wPassword2"), 400, "password_mismatch", "The passwords do not match.");
    const weak = await expectError(await reset(second, "short1"), 400, "invalid_param");
    expect(weak.params).toBe("new_password");
    await expectError(await post("/api/forgot-password/resets", { token: second, new_password: "N3wPassword" }), 400, "invalid_param", "password_confirm is required");
    // None of the refusals spent the second-phase token.
    expect((await reset(second, "N3wPassword")).status).toBe(200);
  });

  it("refuses with 401 authentication_failed when the account was deleted meanwhile", async () => {
    const account = await createAccount("deleted@example.com");
    const second = await phaseTwo("deleted@example.com");
    await call(`/admin/accounts/${account.id}`, { method: "DELETE", headers: { Authorization: "Bearer test-admin-key" } });
    await expectError(await reset(second, "N3wPassword"), 401, "authentication_failed");
  });

  it("locks the address after 5 wrong codes, refusing the right one (429 email_password_reset_limit)", async () => {
    await createAccount("lock@example.com");
    const { token, code } = await startReset("lock@example.com");
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, "0");
    for (let i = 0; i < 5; i++) await expectError(await post("/api/forgot-password/validity", { email: "lock@example.com", code: wrong, token }), 400, "email_code_error");
    const locked = await post("/api/forgot-password/validity", { email: "lock@example.com", code, token });
    await expectError(locked, 429, "email_password_reset_limit", "Too many failed password reset attempts. Please try again in 24 hours.");
    await env.DB.prepare("UPDATE auth_failures SET expires_at = 0 WHERE scope = 'reset' AND key = 'lock@example.com'").run();
    expect((await post("/api/forgot-password/validity", { email: "lock@example.com", code, token })).status).toBe(200);
  });

  it("sends at most one reset mail per address per minute (429 password_reset_rate_limit_exceeded), known or not", async () => {
    await createAccount("once@example.com");
    for (const email of ["once@example.com", "never@example.com"]) {
      expect((await post("/api/forgot-password", { email })).status).toBe(200);
      const res = await post("/api/forgot-password", { email });
      await expectError(res, 429, "password_reset_rate_limit_exceeded", "Too many password reset emails have been sent. Please try again in 1 minutes.");
    }
    expect(await outbox("once@example.com")).toHaveLength(1);
    expect(await outbox("never@example.com")).toHaveLength(0);
    await env.DB.prepare("UPDATE auth_rate_events SET at = at - 60 WHERE scope = 'reset_mail'").run();
    expect((await post("/api/forgot-password", { email: "once@example.com" })).status).toBe(200);
  });

  it("answers unknown addresses like known ones (Dify says 401 there, revealing accounts)", async () => {
    await createAccount("real@example.com");
    const known = await expectShape(await post("/api/forgot-password", { email: "real@example.com" }), sendCodeResponse);
    const unknown = await expectShape(await post("/api/forgot-password", { email: "fake@example.com" }), sendCodeResponse);
    expect(Object.keys(unknown)).toEqual(Object.keys(known));
    await expectError(await post("/api/forgot-password/validity", { email: "fake@example.com", code: "123456", token: unknown.data }), 400, "email_code_error");
  });

  it("ends every older session: login tokens and app passports issued before the reset are refused", async () => {
    await createAccount("sess@example.com");
    const app = await appWithAccess("private_all");
    const oldLogin = await login("sess@example.com");
    const oldPassport = ((await (await passportWithLogin(app.site_code, oldLogin)).json()) as { access_token: string }).access_token;
    const headers = (passport: string) => ({ "X-App-Code": app.site_code, "X-App-Passport": passport });
    expect((await authCall("/api/parameters", { headers: headers(oldPassport) })).status).toBe(200);

    expect((await reset(await phaseTwo("sess@example.com"), "N3wPassword")).status).toBe(200);

    await expectError(await authCall("/api/parameters", { headers: headers(oldPassport) }), 401, "web_sso_auth_required");
    await expectError(await passportWithLogin(app.site_code, oldLogin), 401, "unauthorized", "Authentication has expired.");
    const status = await authCall(`/api/login/status?app_code=${app.site_code}`, { headers: { Authorization: `Bearer ${oldLogin}`, "X-App-Passport": oldPassport } });
    expect(await expectShape(status, loginStatusResponse)).toEqual({ logged_in: false, app_logged_in: false });
    // A sign-in in the same second as the reset is still valid.
    const fresh = await login("sess@example.com", "N3wPassword");
    const freshPassport = ((await (await passportWithLogin(app.site_code, fresh)).json()) as { access_token: string }).access_token;
    expect((await authCall("/api/parameters", { headers: headers(freshPassport) })).status).toBe(200);
  });

  it("lifts a sign-in lockout, and is forbidden (403) when ENABLE_EMAIL_PASSWORD_LOGIN is false", async () => {
    await createAccount("lifted@example.com");
    for (let i = 0; i < 5; i++) await post("/api/login", { email: "lifted@example.com", password: b64(`Wrong${i}pass`) });
    await expectError(await post("/api/login", { email: "lifted@example.com", password: b64("Passw0rd!") }), 429, "email_code_login_limit");
    expect((await reset(await phaseTwo("lifted@example.com"), "N3wPassword")).status).toBe(200);
    await login("lifted@example.com", "N3wPassword");

    const vars = { ENABLE_EMAIL_PASSWORD_LOGIN: "false" };
    for (const path of ["/api/forgot-password", "/console/api/forgot-password", "/api/forgot-password/validity", "/api/forgot-password/resets"]) {
      await expectError(await post(path, { email: "lifted@example.com" }, { vars }), 403, "forbidden");
    }
  });
});
