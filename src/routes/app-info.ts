// GET /api/site, /api/meta, /api/parameters (spec dify-web-api.md §4.2–4.4).
import { Hono } from "hono";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { fileSigner } from "../http/file-signer";
import { doc } from "../http/validate";
import { metaResponse, parametersResponse, siteResponse } from "../schemas/app-info";
import { appParameters } from "../services/apps/app-params";
import { metaResponse as buildMeta, siteResponse as buildSite } from "../services/apps/site-info";

export const appInfoRoutes = new Hono<WebAppEnv>();

appInfoRoutes.get(
  "/site",
  doc({ summary: "Web app site settings", tags: ["app"], responses: { 200: { description: "Site", schema: siteResponse } } }),
  passportAuth,
  async (c) => c.json(await buildSite(c.get("appContext"), c.get("endUser").id, fileSigner(c.get("config"), c.req.url))),
);

appInfoRoutes.get(
  "/meta",
  doc({ summary: "Tool icons used by the app", tags: ["app"], responses: { 200: { description: "Meta", schema: metaResponse } } }),
  passportAuth,
  (c) => c.json(buildMeta(c.get("appContext"), fileSigner(c.get("config"), c.req.url).baseUrl)),
);

appInfoRoutes.get(
  "/parameters",
  doc({
    summary: "Input form, features and upload limits of the app",
    tags: ["app"],
    responses: { 200: { description: "Parameters", schema: parametersResponse } },
  }),
  passportAuth,
  (c) => c.json(appParameters(c.get("appContext"), c.get("config"))),
);
