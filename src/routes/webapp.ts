// Web-app bootstrap for access control (spec dify-web-auth.md §4.9–4.11): GET /api/system-features,
// GET /api/webapp/access-mode and GET /api/webapp/permission.
import { Hono } from "hono";
import { createFactory } from "hono/factory";
import type { Config } from "../config";
import { getDb } from "../db/client";
import type { Env } from "../env";
import { authenticatePassport } from "../http/auth";
import type { AppEnv } from "../http/context";
import { ApiError, InvalidParam, NotFound, WebAppAuthRequired } from "../lib/errors";
import { appPassportFor } from "../http/sign-in";
import { doc, validate } from "../http/validate";
import { accessModeQuery, accessModeResponse, permissionQuery, permissionResponse, systemFeaturesResponse } from "../schemas/auth";
import { type AppContext, getAppContext, getAppContextByCode } from "../services/apps/app-registry";
import { isUuid } from "../lib/ids";
import { systemFeatures } from "../services/auth/system-features";

const factory = createFactory<AppEnv>();

export const systemFeaturesHandlers = factory.createHandlers(
  doc({
    summary: "Feature switches the web client reads (web-app sign-in is on)",
    tags: ["sign-in"],
    security: "none",
    responses: { 200: { description: "SystemFeatureModel", schema: systemFeaturesResponse } },
  }),
  (c) => c.json(systemFeatures(c.get("config").auth)),
);

export const webappRoutes = new Hono<AppEnv>();

webappRoutes.get("/system-features", ...systemFeaturesHandlers);

async function appById(env: Env, config: Config, appId: string): Promise<AppContext | null> {
  return isUuid(appId) ? getAppContext(getDb(env.DB), appId.toLowerCase(), config.cacheTtlSeconds) : null;
}

webappRoutes.get(
  "/webapp/access-mode",
  doc({
    summary: "Access mode of an app by id or share code",
    tags: ["sign-in"],
    security: "none",
    responses: { 200: { description: "Access mode", schema: accessModeResponse } },
  }),
  validate("query", accessModeQuery),
  async (c) => {
    const { appId, appCode } = c.req.valid("query");
    if (!appId && !appCode) throw new InvalidParam("appId or appCode must be provided");
    const ctx = appCode ? await getAppContextByCode(getDb(c.env.DB), appCode, c.get("config").cacheTtlSeconds) : await appById(c.env, c.get("config"), appId!);
    if (!ctx) throw new NotFound("App not found.");
    return c.json({ accessMode: ctx.app.accessMode });
  },
);

webappRoutes.get(
  "/webapp/permission",
  doc({
    summary: "Whether the signed-in account behind the passport may use the app",
    description: "Always true for public and sso_verified apps; private apps need a grant, private_all an active account.",
    tags: ["sign-in"],
    security: "none",
    responses: { 200: { description: "Permission", schema: permissionResponse } },
  }),
  validate("query", permissionQuery),
  async (c) => {
    const appId = c.req.valid("query").appId;
    const code = c.req.header("X-App-Code")?.trim();
    if (!appId || !code) throw new InvalidParam("appId must be provided");
    const ctx = await appById(c.env, c.get("config"), appId);
    if (!ctx) throw new NotFound("App not found.");
    if (ctx.app.accessMode !== "private" && ctx.app.accessMode !== "private_all") return c.json({ result: true });
    const passport = appPassportFor(c, code);
    if (!passport) throw new WebAppAuthRequired();
    try {
      const session = await authenticatePassport(c.env, c.get("config"), passport, code);
      if (session.appContext.app.id !== ctx.app.id) throw new WebAppAuthRequired();
      return c.json({ result: true });
    } catch (err) {
      // A valid sign-in without a grant is an answer, not an error; anything else means sign in again.
      if (err instanceof ApiError && err.code === "web_app_access_denied") return c.json({ result: false });
      if (err instanceof ApiError && err.status < 500) throw new WebAppAuthRequired();
      throw err;
    }
  },
);
