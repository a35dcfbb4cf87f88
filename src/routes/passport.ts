// GET /api/passport (spec dify-web-api.md §2.1): exchanges a share code for an app passport.
import { Hono } from "hono";
import { z } from "zod";
import { getDb } from "../db/client";
import type { AppEnv } from "../http/context";
import { NotFound, Unauthorized, WebAppAuthRequired } from "../http/errors";
import { doc, validate } from "../http/validate";
import { passportResponse } from "../schemas/app-info";
import { getAppContextByCode } from "../services/app-registry";
import { findOrCreateEndUser } from "../services/end-users";
import { PASSPORT_SUBJECT, signToken } from "../services/passport";

export const passportRoutes = new Hono<AppEnv>();

const passportQuery = z.object({
  user_id: z.string().max(255).optional().describe("End-user session id chosen by the client (sys.user_id)"),
});

passportRoutes.get(
  "/passport",
  doc({
    summary: "Issue an app passport for the share code in X-App-Code",
    tags: ["passport"],
    security: "none",
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
    // Non-public apps need a web-app login token, which only the sign-in endpoints can mint.
    if (ctx.app.accessMode !== "public") throw new WebAppAuthRequired();
    const endUser = await findOrCreateEndUser(db, {
      tenantId: ctx.app.tenantId,
      appId: ctx.app.id,
      sessionId: c.req.valid("query").user_id?.trim() || null,
    });
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
