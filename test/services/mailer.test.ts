// The three Mailer backends. Resend is faked at fetch (nothing leaves the test); send_email uses the
// binding that workerd simulates locally.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getConfig } from "../../src/config";
import { getDb } from "../../src/db/client";
import { codeMail } from "../../src/services/auth/mail/auth-messages";
import { createMailer, MailDeliveryError, OutboxMailer, parseSender, ResendMailer, SendEmailMailer } from "../../src/lib/mailer";

const message = codeMail({ to: "Reader@Example.com", code: "123456", purpose: "login", language: "en-US", ttlSeconds: 300 });

afterEach(() => vi.restoreAllMocks());

describe("Mailer backends", () => {
  it("picks the backend from MAIL_PROVIDER and refuses incomplete settings", () => {
    const db = getDb(env.DB);
    const mailerFor = (vars: Record<string, string>) => createMailer(getConfig({ ...env, ...vars }).mail, { ...env, ...vars }, db);
    expect(mailerFor({})).toBeInstanceOf(OutboxMailer);
    expect(mailerFor({ MAIL_PROVIDER: "send_email" })).toBeInstanceOf(SendEmailMailer);
    expect(mailerFor({ MAIL_PROVIDER: "resend", RESEND_API_KEY: "re_test" })).toBeInstanceOf(ResendMailer);
    expect(() => getConfig({ ...env, MAIL_PROVIDER: "resend" })).toThrow(/RESEND_API_KEY/);
    expect(() => getConfig({ ...env, MAIL_PROVIDER: "smtp" })).toThrow(/MAIL_PROVIDER/);
    expect(() => getConfig({ ...env, MAIL_PROVIDER: "send_email", EMAIL: undefined })).toThrow(/EMAIL/);
  });

  it("outbox stores the message in D1 under the lower-cased recipient", async () => {
    await new OutboxMailer(getDb(env.DB)).send(message);
    const row = await env.DB.prepare("SELECT * FROM mail_outbox WHERE recipient = 'reader@example.com'").first<Record<string, string>>();
    expect(row).toMatchObject({ subject: "Your sign-in code", text: message.text, html: message.html });
  });

  it("resend posts Resend's JSON to /emails with the API key and reports failures", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockResolvedValue(Response.json({ id: "msg_1" }));
    const mailer = new ResendMailer({ resendApiKey: "re_test", resendApiUrl: "https://resend.test", from: "Dify <no-reply@example.com>" });
    await mailer.send(message);
    const [url, init] = fetchSpy.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("https://resend.test/emails");
    expect(new Headers(init.headers).get("Authorization")).toBe("Bearer re_test");
    expect(JSON.parse(init.body as string)).toEqual({
      from: "Dify <no-reply@example.com>",
      to: ["Reader@Example.com"],
      subject: "Your sign-in code",
      text: message.text,
      html: message.html,
    });
    fetchSpy.mockResolvedValue(new Response("{}", { status: 422 }));
    await expect(mailer.send(message)).rejects.toThrow(MailDeliveryError);
  });

  it("send_email hands the message to the Email Service binding (simulated locally)", async () => {
    const fake = { send: vi.fn().mockResolvedValue({ messageId: "m1" }) };
    await new SendEmailMailer(fake as unknown as SendEmail, "Dify <no-reply@example.com>").send(message);
    expect(fake.send).toHaveBeenCalledWith({
      from: { email: "no-reply@example.com", name: "Dify" },
      to: "Reader@Example.com",
      subject: "Your sign-in code",
      text: message.text,
      html: message.html,
    });
    // The real binding, as `wrangler dev` runs it: accepted without any network.
    await new SendEmailMailer(env.EMAIL!, "no-reply@example.com").send(message);
  });

  it("parses MAIL_FROM with or without a display name", () => {
    expect(parseSender("no-reply@example.com")).toEqual({ email: "no-reply@example.com" });
    expect(parseSender('"Dify Bot" <bot@example.com>')).toEqual({ email: "bot@example.com", name: "Dify Bot" });
  });
});

describe("sign-in mail texts", () => {
  it("come in English and Simplified Chinese, text and HTML", () => {
    const zh = codeMail({ to: "a@example.com", code: "654321", purpose: "reset", language: "zh-Hans", ttlSeconds: 300 });
    expect(zh.subject).toBe("重置您的密码");
    expect(zh.text).toContain("654321");
    expect(zh.text).toContain("5 分钟");
    expect(zh.html).toContain("654321");
    const en = codeMail({ to: "a@example.com", code: "654321", purpose: "reset", language: "en-US", ttlSeconds: 600 });
    expect(en.text).toContain("expires in 10 minutes");
  });
});
