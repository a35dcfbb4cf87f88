// GET /api/openapi.json (OpenAPI 3.1 generated from the routes' zod schemas) and GET /docs: Swagger
// UI over that document, served from the Worker's static assets (no CDN, works offline under
// `wrangler dev`), with try-it-out against this origin.
import { Hono } from "hono";
import type { AppEnv } from "../http/context";
import { buildOpenApi } from "../http/openapi";
import { DIFY_COMPAT_VERSION } from "../http/request-context";
import { servePage } from "./pages";

export function docsRoutes(appForSpec: () => Hono<any>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  let spec: Record<string, unknown> | undefined;
  const getSpec = () => (spec ??= buildOpenApi(appForSpec(), { title: "Dify Web API on Cloudflare Workers", version: DIFY_COMPAT_VERSION }));
  routes.get("/api/openapi.json", (c) => c.json(getSpec()));
  routes.get("/docs", (c) => servePage(c, "docs"));
  return routes;
}
