// Passport authentication for every app endpoint (spec dify-web-api.md §2.2): the passport comes
// from cookie `passport-<code>`, header X-App-Passport, or Authorization: Bearer, in that order
// (an empty header counts as absent: Dify's client sends X-App-Passport empty before it has one).
// Non-public apps are checked against their access mode on every request (services/access-control).
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { getDb } from "../db/client";
import type { Config } from "../config";
import type { Env } from "../env";
import { enforceWebAppAccess } from "../services/auth/access-control";
import { getAppContext, getAppContextByCode } from "../services/apps/app-registry";
import { getEndUser } from "../services/auth/end-users";
import { verifyPassport } from "../services/auth/passport";
import type { WebAppEnv } from "./context";
import { ApiError, BadRequest, NotFound, Unauthorized, WebAppAuthRequired } from "../lib/errors";

function nonEmpty(value: string | undefined | null): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** The bearer token of an Authorization header, if it is one. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1] : null;
}

/**
 * The `passport-<code>` cookie (the one the worker's own pages hold), honoured only on same-origin
 * requests. Beyond Dify: browsers send `Origin` on every cross-origin fetch, and the default CORS
 * policy echoes any origin with credentials, so without this a page on another origin of the same
 * site (which SameSite=Strict does not stop) could read responses made with the cookie. Dify's own
 * client, wherever it is deployed, sends X-App-Passport instead.
 */
export function passportCookie(c: Context, code: string): string | null {
  const origin = c.req.header("Origin");
  if (origin && origin !== new URL(c.req.url).origin) return null;
  return nonEmpty(getCookie(c, `passport-${code}`)) ?? nonEmpty(getCookie(c, `__Host-passport-${code}`));
}

/** Every passport the request carries, in Dify's order: cookie, X-App-Passport, Authorization. */
export function passportCandidates(c: Context): string[] {
  const code = c.req.header("X-App-Code") ?? "None";
  const tokens = [passportCookie(c, code), nonEmpty(c.req.header("X-App-Passport")), bearerToken(c.req.header("Authorization"))];
  return [...new Set(tokens.filter((t): t is string => t !== null))];
}

/** Verifies `token` as a passport (for share code `code` when given) and applies the app's access mode. */
export async function authenticatePassport(env: Env, config: Config, token: string, code: string | null) {
  const passport = await verifyPassport(config.secretKey, token);
  // Beyond Dify: a passport presented for another share code is refused rather than silently
  // serving the app it was issued for (the web client always sends both for the same app).
  if (code && code !== passport.app_code) throw new Unauthorized("The passport was issued for another app.");
  const db = getDb(env.DB);
  const appContext = await getAppContext(db, passport.app_id, config.cacheTtlSeconds);
  if (!appContext) throw new NotFound();
  if (!appContext.site || appContext.site.code !== passport.app_code) throw new BadRequest("Site URL is no longer valid.");
  if (!appContext.app.enableSite) throw new BadRequest("Site is disabled.");
  const endUser = await getEndUser(db, passport.end_user_id, config.cacheTtlSeconds);
  if (!endUser || endUser.appId !== appContext.app.id) throw new NotFound();
  await enforceWebAppAccess(db, appContext.app, passport, endUser, config.cacheTtlSeconds);
  return { appContext, endUser, passport };
}

/**
 * The first candidate that authenticates. A present but invalid one (a stale cookie, say) does not
 * shadow a valid one later in the order; when none is valid the first one's error answers.
 */
async function firstValidPassport(env: Env, config: Config, tokens: string[], code: string | null) {
  if (tokens.length === 0) throw new Unauthorized("App token is missing.");
  let firstError: unknown = null;
  for (const token of tokens) {
    try {
      return await authenticatePassport(env, config, token, code);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
      firstError ??= err;
    }
  }
  throw firstError;
}

/** Whether the app behind share code `code` needs a web-app sign-in (its access mode is not public). */
async function requiresSignIn(env: Env, config: Config, code: string): Promise<boolean> {
  const ctx = await getAppContextByCode(getDb(env.DB), code, config.cacheTtlSeconds);
  return !!ctx && ctx.app.accessMode !== "public";
}

export const passportAuth: MiddlewareHandler<WebAppEnv> = async (c, next) => {
  const config = c.get("config");
  const code = nonEmpty(c.req.header("X-App-Code"));
  let session: Awaited<ReturnType<typeof authenticatePassport>>;
  try {
    session = await firstValidPassport(c.env, config, passportCandidates(c), code);
  } catch (err) {
    // As Dify: for a non-public app every plain 401 becomes web_sso_auth_required, the code that
    // sends the web client to its sign-in page.
    if (err instanceof ApiError && err.code === "unauthorized" && code && (await requiresSignIn(c.env, config, code))) throw new WebAppAuthRequired();
    throw err;
  }
  c.set("appContext", session.appContext);
  c.set("endUser", session.endUser);
  c.set("passport", session.passport);
  await next();
};
