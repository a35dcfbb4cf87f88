// Helpers for the web-app sign-in tests: calls with extra settings, accounts, codes from the outbox.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { expect } from "vitest";
import worker from "../../src";
import { admin, BASE, importDsl, json } from "./api";
import { demoApp } from "./fixtures";

/** Settings every sign-in test runs with on top of vitest.config.ts (Dify's default turns code login off). */
const BASE_VARS: Record<string, string> = { ENABLE_EMAIL_CODE_LOGIN: "true" };

/**
 * Calls the worker with extra variables (small limits, switches) and waits for its background work,
 * so mail sent after the response is in the outbox when this returns.
 */
export async function authCall(path: string, init: RequestInit = {}, vars: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(`${BASE}${path}`, init) as Request<unknown, IncomingRequestCfProperties>;
  const res = await worker.fetch!(request, { ...env, ...BASE_VARS, ...vars } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

let ipCounter = 0;
/** A fresh client IP, so per-IP mail limits of one test do not leak into another. */
export const freshIp = (): string => `198.51.100.${++ipCounter}`;

/** What Dify's client does to passwords and codes before sending them. */
export const b64 = (text: string): string => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

export function post(path: string, body: unknown, opts: { ip?: string; headers?: Record<string, string>; vars?: Record<string, string> } = {}) {
  return authCall(path, json(body, { headers: { "CF-Connecting-IP": opts.ip ?? freshIp(), ...opts.headers } }), opts.vars);
}

export interface AccountJson {
  id: string;
  email: string;
  name: string;
  status: string;
}

export async function createAccount(email: string, password: string | null = "Passw0rd!"): Promise<AccountJson> {
  const res = await admin("/admin/accounts", json(password === null ? { email } : { email, password }));
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body as AccountJson;
}

export async function login(email: string, password = "Passw0rd!"): Promise<string> {
  const res = await post("/api/login", { email, password: b64(password), language: "en-US", remember_me: true });
  const body = (await res.json()) as { data: { access_token: string } };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.data.access_token;
}

export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  created_at: number;
}

export async function outbox(to: string): Promise<OutboxMail[]> {
  const res = await admin(`/admin/outbox?to=${encodeURIComponent(to)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: OutboxMail[] }).data;
}

/** The code of the newest mail to `to`. */
export async function latestCode(to: string): Promise<string> {
  const [mail] = await outbox(to);
  expect(mail, `no mail to ${to}`).toBeDefined();
  return /\b(\d{6})\b/.exec(mail.text)![1];
}

/** Mails a sign-in code and returns the token and the code read from the outbox. */
export async function requestLoginCode(email: string, ip = freshIp()): Promise<{ token: string; code: string }> {
  const res = await post("/api/email-code-login", { email, language: "en-US" }, { ip });
  const body = (await res.json()) as { data: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { token: body.data, code: await latestCode(email) };
}

/** A demo chat app with the given access mode and grants. */
export async function appWithAccess(accessMode: string, grants: { accounts?: string[]; groups?: string[] } = {}) {
  const app = await importDsl(demoApp("chat"));
  const res = await admin(`/admin/apps/${app.app_id}/access`, json({ access_mode: accessMode, ...grants }, { method: "PUT" }));
  expect(res.status, await res.clone().text()).toBe(200);
  return app;
}

/** GET /api/passport with a login token, as the web client does for non-public apps. */
export function passportWithLogin(code: string, loginToken?: string): Promise<Response> {
  return authCall("/api/passport", { headers: { "X-App-Code": code, ...(loginToken ? { Authorization: `Bearer ${loginToken}` } : {}) } });
}

export const claimsOf = (token: string) => decodeJwt(token) as Record<string, unknown>;
