// Calls into the Worker under test (same isolate, real bindings) and small shared helpers.
import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { z } from "zod";

export const ADMIN_KEY = "test-admin-key";
export const SECRET_KEY = "test-secret-key-0123456789abcdef";
export const BASE = "http://api.test";

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export function json(body: unknown, init: RequestInit = {}): RequestInit {
  return { method: "POST", ...init, headers: { "Content-Type": "application/json", ...(init.headers ?? {}) }, body: JSON.stringify(body) };
}

export function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return call(path, { ...init, headers: { Authorization: `Bearer ${ADMIN_KEY}`, ...(init.headers ?? {}) } });
}

export interface Imported {
  app_id: string;
  site_code: string;
  mode: string;
  name: string;
  warnings: string[];
}

export async function importDsl(yaml: string): Promise<Imported> {
  const res = await admin("/admin/apps/import", { method: "POST", headers: { "Content-Type": "application/yaml" }, body: yaml });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body as Imported;
}

export async function passport(code: string, userId?: string): Promise<string> {
  const res = await call(`/api/passport${userId ? `?user_id=${encodeURIComponent(userId)}` : ""}`, { headers: { "X-App-Code": code } });
  const body = (await res.json()) as { access_token: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token;
}

/** Headers as Dify's web client sends them (empty CSRF token, JSON content type even on GETs). */
export function webHeaders(code: string, token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "Content-Type": "application/json", "X-CSRF-Token": "", "X-App-Code": code, "X-App-Passport": token, ...extra };
}

/** An app, a site code and a passport for one end user. */
export async function appSession(yaml: string, userId?: string) {
  const app = await importDsl(yaml);
  const token = await passport(app.site_code, userId);
  const get = (path: string, init: RequestInit = {}) => call(path, { ...init, headers: { ...webHeaders(app.site_code, token), ...(init.headers ?? {}) } });
  return { app, token, get };
}

export async function expectError(res: Response, status: number, code: string, message?: string | RegExp): Promise<Record<string, unknown>> {
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(typeof body.message).toBe("string");
  if (typeof message === "string") expect(body.message).toBe(message);
  else if (message) expect(body.message).toMatch(message);
  return body;
}

/** Parses with a strict wire schema: fails on any missing or extra key. */
export async function expectShape<S extends z.ZodType>(res: Response, schema: S, status = 200): Promise<z.infer<S>> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(status);
  const parsed = schema.safeParse(body);
  expect(parsed.success, parsed.success ? "" : JSON.stringify(parsed.error.issues)).toBe(true);
  return parsed.data as z.infer<S>;
}

/** Calls a Worker built with extra env settings (e.g. a short MODEL_IDLE_TIMEOUT) over the same bindings. */
export async function callWithEnv(overrides: Record<string, string>, path: string, init: RequestInit = {}): Promise<Response> {
  const { buildApp } = await import("../../src/app");
  const { env } = await import("cloudflare:workers");
  return buildApp().fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides });
}
