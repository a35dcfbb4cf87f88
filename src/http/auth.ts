// Passport authentication for every app endpoint (spec dify-web-api.md §2.2): the passport comes
// from cookie `passport-<code>`, header X-App-Passport, or Authorization: Bearer, in that order
// (an empty header counts as absent: Dify's client sends X-App-Passport empty before it has one).
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { getDb } from "../db/client";
import { getAppContext } from "../services/app-registry";
import { getEndUser } from "../services/end-users";
import { verifyPassport } from "../services/passport";
import type { WebAppEnv } from "./context";
import { BadRequest, NotFound, Unauthorized } from "./errors";

function nonEmpty(value: string | undefined | null): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** The bearer token of an Authorization header, if it is one. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match ? match[1] : null;
}

export function extractPassport(c: Context): string | null {
  const code = c.req.header("X-App-Code") ?? "None";
  return (
    nonEmpty(getCookie(c, `passport-${code}`)) ??
    nonEmpty(getCookie(c, `__Host-passport-${code}`)) ??
    nonEmpty(c.req.header("X-App-Passport")) ??
    bearerToken(c.req.header("Authorization"))
  );
}

export const passportAuth: MiddlewareHandler<WebAppEnv> = async (c, next) => {
  const config = c.get("config");
  const token = extractPassport(c);
  if (!token) throw new Unauthorized("App token is missing.");
  const passport = await verifyPassport(config.secretKey, token);
  // Beyond Dify: a passport presented for another share code is refused rather than silently
  // serving the app it was issued for (the web client always sends both for the same app).
  const code = nonEmpty(c.req.header("X-App-Code"));
  if (code && code !== passport.app_code) throw new Unauthorized("The passport was issued for another app.");
  const db = getDb(c.env.DB);
  const appContext = await getAppContext(db, passport.app_id, config.cacheTtlSeconds);
  if (!appContext) throw new NotFound();
  if (!appContext.site || appContext.site.code !== passport.app_code) throw new BadRequest("Site URL is no longer valid.");
  if (!appContext.app.enableSite) throw new BadRequest("Site is disabled.");
  const endUser = await getEndUser(db, passport.end_user_id, config.cacheTtlSeconds);
  if (!endUser || endUser.appId !== appContext.app.id) throw new NotFound();
  // Web-app login passports only make sense for non-public apps (enforced in full with access control).
  if (passport.token_source === "webapp" && appContext.app.accessMode === "public") throw new Unauthorized("webapp token expired.");
  c.set("appContext", appContext);
  c.set("endUser", endUser);
  c.set("passport", passport);
  await next();
};
