// POST /api/login: success, each error code, the lockout, and equal work for unknown addresses.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LOGIN_TOKEN_SOURCE } from "../../src/services/auth/login-tokens";
import { loginResponse } from "../../src/schemas/auth";
import { admin, expectError, expectShape, json } from "../helpers/api";
import { b64, claimsOf, createAccount, freshIp, post } from "../helpers/auth";

const loginBody = (email: string, password: string) => ({ email, password: b64(password), language: "en-US", remember_me: true });

afterEach(() => vi.restoreAllMocks());

describe("POST /api/login", () => {
  it("signs in with email and base64 password and returns Dify's login token", async () => {
    const account = await createAccount("Alice@Example.com");
    const res = await post("/api/login", loginBody("alice@example.COM", "Passw0rd!"));
    const body = await expectShape(res, loginResponse);
    expect(body.result).toBe("success");
    expect(res.headers.get("Set-Cookie")).toBeNull();
    const claims = claimsOf(body.data.access_token);
    expect(claims).toMatchObject({
      sub: "Web API Passport",
      user_id: account.id,
      session_id: "alice@example.com",
      token_source: LOGIN_TOKEN_SOURCE,
      auth_type: "internal",
    });
    const now = Math.floor(Date.now() / 1000);
    expect(claims.exp).toBeGreaterThanOrEqual(now + 3600 - 5);
    expect(claims.exp).toBeLessThanOrEqual(now + 3600 + 5);
    const detail = (await (await admin(`/admin/accounts/${account.id}`)).json()) as { last_login_at: number | null };
    expect(detail.last_login_at).toBeGreaterThanOrEqual(now - 5);
  });

  it("answers 401 authentication_failed alike for a wrong password and an unknown address", async () => {
    await createAccount("bob@example.com");
    const wrong = await expectError(await post("/api/login", loginBody("bob@example.com", "Wrong0pass")), 401, "authentication_failed", "Invalid email or password.");
    const unknown = await expectError(await post("/api/login", loginBody("nobody@example.com", "Wrong0pass")), 401, "authentication_failed");
    expect(unknown).toEqual(wrong);
  });

  it("spends the same PBKDF2 work on unknown addresses and password-less accounts as on real ones", async () => {
    await createAccount("carol@example.com");
    await createAccount("codeonly@example.com", null);
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    for (const email of ["carol@example.com", "ghost@example.com", "codeonly@example.com"]) {
      derive.mockClear();
      await post("/api/login", loginBody(email, "Wrong0pass"));
      expect(derive, email).toHaveBeenCalledTimes(1);
      expect((derive.mock.calls[0][0] as { iterations: number }).iterations).toBe(100_000);
    }
  });

  it("reveals a ban only after a correct password (400 account_banned)", async () => {
    const account = await createAccount("banned@example.com");
    await admin(`/admin/accounts/${account.id}`, json({ status: "banned" }, { method: "PATCH" }));
    await expectError(await post("/api/login", loginBody("banned@example.com", "Wrong0pass")), 401, "authentication_failed");
    await expectError(await post("/api/login", loginBody("banned@example.com", "Passw0rd!")), 400, "account_banned", "Account is banned.");
  });

  it("refuses a password that is not base64 with 401 authentication_failed 'Invalid encrypted data'", async () => {
    await createAccount("dave@example.com");
    const res = await post("/api/login", { email: "dave@example.com", password: "Passw0rd!" });
    await expectError(res, 401, "authentication_failed", "Invalid encrypted data");
    await expectError(await post("/api/login", { email: "dave@example.com", password: "//79" }), 401, "authentication_failed", "Invalid encrypted data");
  });

  it("validates the email and the decoded password against Dify's rules (400 invalid_param)", async () => {
    const badEmail = await expectError(await post("/api/login", loginBody("not-an-email", "Passw0rd!")), 400, "invalid_param");
    expect(badEmail.message).toBe("email: not-an-email is not a valid email.");
    expect(badEmail.params).toBe("email");
    const weak = await expectError(await post("/api/login", loginBody("dave@example.com", "letters")), 400, "invalid_param");
    expect(weak.message).toBe("password: Password must contain letters and numbers, and the length must be greater than 8.");
    await expectError(await post("/api/login", { password: b64("Passw0rd!") }), 400, "invalid_param", "email is required");
    await expectError(await post("/api/login", { email: "dave@example.com" }), 400, "invalid_param", "password is required");
  });

  it("locks the address after 5 wrong passwords, refusing even the right one (429 email_code_login_limit)", async () => {
    await createAccount("erin@example.com");
    for (let i = 0; i < 5; i++) {
      await expectError(await post("/api/login", loginBody("erin@example.com", `Wrong${i}pass`)), 401, "authentication_failed");
    }
    const locked = await post("/api/login", loginBody("ERIN@example.com", "Passw0rd!"));
    await expectError(locked, 429, "email_code_login_limit", "Too many incorrect password attempts. Please try again later.");
    // Unknown addresses lock the same way, so the lockout does not tell them apart either.
    for (let i = 0; i < 5; i++) await post("/api/login", loginBody("ghost2@example.com", `Wrong${i}pass`));
    await expectError(await post("/api/login", loginBody("ghost2@example.com", "Passw0rd!")), 429, "email_code_login_limit");
  });

  it("lifts the lockout after LOGIN_LOCKOUT_DURATION and resets the count on success", async () => {
    await createAccount("frank@example.com");
    for (let i = 0; i < 5; i++) await post("/api/login", loginBody("frank@example.com", `Wrong${i}pass`));
    await expectError(await post("/api/login", loginBody("frank@example.com", "Passw0rd!")), 429, "email_code_login_limit");
    // The lock runs LOGIN_LOCKOUT_DURATION from the last failure: move that into the past.
    await env.DB.prepare("UPDATE auth_failures SET expires_at = 0 WHERE scope = 'login' AND key = ?").bind("frank@example.com").run();
    expect((await post("/api/login", loginBody("frank@example.com", "Passw0rd!"))).status).toBe(200);
    // Four failures after a success do not lock: the success cleared the count.
    for (let i = 0; i < 4; i++) await post("/api/login", loginBody("frank@example.com", `Wrong${i}pass`));
    expect((await post("/api/login", loginBody("frank@example.com", "Passw0rd!"))).status).toBe(200);
  });

  it("counts attempts exactly under concurrency: of 12 parallel guesses at most 5 are checked", async () => {
    await createAccount("gina@example.com");
    const ip = freshIp();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => post("/api/login", loginBody("gina@example.com", `Wrong${i}pass`), { ip })));
    const codes = await Promise.all(results.map(async (r) => ((await r.json()) as { code: string }).code));
    expect(codes.filter((c) => c === "authentication_failed")).toHaveLength(5);
    expect(codes.filter((c) => c === "email_code_login_limit")).toHaveLength(7);
  });

  it("uses LOGIN_MAX_FAILED_ATTEMPTS and answers 403 when ENABLE_EMAIL_PASSWORD_LOGIN is false", async () => {
    await createAccount("hank@example.com");
    const vars = { LOGIN_MAX_FAILED_ATTEMPTS: "2" };
    for (let i = 0; i < 2; i++) await post("/api/login", loginBody("hank@example.com", `Wrong${i}pass`), { vars });
    await expectError(await post("/api/login", loginBody("hank@example.com", "Passw0rd!"), { vars }), 429, "email_code_login_limit");
    const off = await post("/api/login", loginBody("hank@example.com", "Passw0rd!"), { vars: { ENABLE_EMAIL_PASSWORD_LOGIN: "false" } });
    await expectError(off, 403, "forbidden");
  });
});
