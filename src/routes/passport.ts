// GET /api/passport (spec dify-web-api.md §2.1): exchanges a share code for an app passport;
// for non-public apps, a web-app login token for a signed-in passport (spec dify-web-auth.md §4.12).
import { Hono } from "hono";
import { z } from "zod";
import { getDb } from "../db/client";
import type { AppEnv } from "../http/context";
import { extractLoginToken } from "../http/sign-in";
import { NotFound, Unauthorized, WebAppAuthRequired } from "../lib/errors";
import { doc, validate } from "../http/validate";
import { passportResponse } from "../schemas/app-info";
import { getAppContextByCode } from "../services/apps/app-registry";
import { findOrCreateEndUser } from "../services/auth/end-users";
import { verifyLoginToken } from "../services/auth/login-tokens";
import { issueWebAppPassport } from "../services/auth/webapp-passport";
import { PASSPORT_SUBJECT, signToken } from "../services/auth/passport";

export const passportRoutes = new Hono<AppEnv>();

const passportQuery = z.object({
  user_id: z.string().max(255).optional().describe("End-user session id chosen by the client (sys.user_id)"),
});

passportRoutes.get(
  "/passport",
  doc({
    summary: "Issue an app passport for the share code in X-App-Code",
    tags: ["passport"],
    security: "appCode",
    responses: { 200: { description: "Passport", schema: passportResponse } },
  }),
  validate("query", passportQuery),
  async (c) => {
    const code = c.req.header("X-App-Code")?.trim();
    if (!code) throw new Unauthorized("X-App-Code header is missing.");
    const config = c.get("config");
    const db = getDb(c.env.DB);
    const ctx = await getAppContextByCode(db, code, config.cacheTtlSeconds);
    if (!ctx?.site || ctx.site.status !== "normal" || ctx.app.status !== "normal" || !ctx.app.enableSite) throw new NotFound();
    // Non-public apps exchange a web-app login token (cookie or bearer) for a signed-in passport.
    if (ctx.app.accessMode !== "public") {
      const loginToken = extractLoginToken(c);
      if (!loginToken) throw new WebAppAuthRequired();
      const login = await verifyLoginToken(db, config.secretKey, loginToken);
      return c.json({ access_token: await issueWebAppPassport(db, config.secretKey, ctx, login, config.auth.accessTokenTtl) });
    }
    const scope = { tenantId: ctx.app.tenantId, appId: ctx.app.id };
    let endUser = await findOrCreateEndUser(db, { ...scope, sessionId: c.req.valid("query").user_id?.trim() || null });
    // A signed-in account's end user (session id = its email) is never handed to an anonymous visitor.
    if (!endUser.isAnonymous) endUser = await findOrCreateEndUser(db, scope);
    const accessToken = await signToken(config.secretKey, {
      iss: ctx.app.id,
      sub: PASSPORT_SUBJECT,
      app_id: ctx.app.id,
      app_code: ctx.site.code,
      end_user_id: endUser.id,
    });
    return c.json({ access_token: accessToken });
  },
);
