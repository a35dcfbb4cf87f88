// Request plumbing for the sign-in routes: their service dependencies, the client IP, the login token
// (cookie or bearer) and the logout cookie.
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { getDb } from "../db/client";
import { createMailer } from "../lib/mailer";
import type { SignInDeps } from "../services/auth/sign-in-deps";
import { bearerToken, passportCookie } from "./auth";
import type { AppEnv } from "./context";

export const LOGIN_COOKIE = "webapp_access_token";

export function signInDeps(c: Context<AppEnv>): SignInDeps {
  const config = c.get("config");
  const db = getDb(c.env.DB);
  return { db, kv: c.env.KV, config, mailer: createMailer(config.mail, c.env, db), waitUntil: (p) => c.executionCtx.waitUntil(p) };
}

/** CF-Connecting-IP (set by Cloudflare, not forgeable), then X-Forwarded-For as Dify falls back to. */
export function clientIp(c: Context): string {
  const forwarded = c.req.header("X-Forwarded-For")?.split(",")[0]?.trim();
  return c.req.header("CF-Connecting-IP")?.trim() || forwarded || "unknown";
}

/** The web-app login token: cookie first (as Dify), else `Authorization: Bearer`. */
export function extractLoginToken(c: Context): string | null {
  return getCookie(c, LOGIN_COOKIE) || getCookie(c, `__Host-${LOGIN_COOKIE}`) || bearerToken(c.req.header("Authorization"));
}

/**
 * The app passport for share code `code` from cookie `passport-<code>` or `X-App-Passport`, where
 * /login/status and /webapp/permission look (never `Authorization`: there it is the login token).
 */
export function appPassportFor(c: Context, code: string): string | null {
  return passportCookie(c, code) || c.req.header("X-App-Passport")?.trim() || null;
}

/**
 * Expires the login cookie as Dify's logout does (empty value, epoch expiry, Path=/, HttpOnly,
 * SameSite=None). Over https without COOKIE_DOMAIN Dify names it with the `__Host-` prefix; both
 * names are cleared so either variant goes.
 */
export function clearLoginCookie(c: Context, cookieDomain: string): void {
  const secure = new URL(c.req.url).protocol === "https:";
  const attrs = ["Expires=Thu, 01 Jan 1970 00:00:00 GMT", "Max-Age=0", "Path=/", "HttpOnly", "SameSite=None", ...(secure ? ["Secure"] : [])];
  c.header("Set-Cookie", [`${LOGIN_COOKIE}=`, ...attrs, ...(cookieDomain ? [`Domain=${cookieDomain}`] : [])].join("; "), { append: true });
  if (secure && !cookieDomain) c.header("Set-Cookie", [`__Host-${LOGIN_COOKIE}=`, ...attrs].join("; "), { append: true });
}

/**
 * Dify's client base64-encodes passwords and codes (UTF-8) before sending them. Returns null for a
 * value that is not valid base64 of UTF-8 text.
 */
export function decodeBase64Field(value: string): string | null {
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null;
  try {
    const binary = atob(value);
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}
