// Admin: the app registry (import a Dify DSL, list, get, update, delete, export).
import { Hono } from "hono";
import { getDb } from "../../db/client";
import { MAX_DSL_BYTES, parseDsl } from "../../dsl/parse";
import type { AppEnv } from "../../http/context";
import { InvalidParam, PayloadTooLarge } from "../../lib/errors";
import { uuidParam } from "../../http/openapi";
import { doc, validate } from "../../http/validate";
import { importJsonBody, importResult, listAppsQuery, patchAppBody } from "../../schemas/admin";
import { appDetail, deleteApp, exportApp, listApps, requireApp, updateApp } from "../../services/apps/app-admin";
import { importApp } from "../../services/apps/app-import";
import { invalidateAppCache } from "../../services/apps/app-registry";

export const adminAppRoutes = new Hono<AppEnv>();
const YAML_TYPES = /^(application|text)\/(x-)?yaml$/i;

adminAppRoutes.post(
  "/apps/import",
  doc({
    summary: "Import a Dify DSL (application/yaml body, or JSON {yaml_content})",
    tags: ["admin"],
    security: "admin",
    responses: { 201: { description: "Imported", schema: importResult } },
  }),
  validate("json", importJsonBody),
  async (c) => {
    const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0].trim();
    let yaml: string;
    if (YAML_TYPES.test(mediaType)) {
      if (Number(c.req.header("Content-Length") ?? 0) > MAX_DSL_BYTES) throw new PayloadTooLarge("DSL content exceeds 10 MiB");
      yaml = new TextDecoder().decode(await c.req.arrayBuffer());
    } else {
      const body = c.req.valid("json");
      if (!body.yaml_content) throw new InvalidParam("yaml_content is required (or send the YAML with Content-Type: application/yaml)", "yaml_content");
      yaml = body.yaml_content;
    }
    const config = c.get("config");
    const result = await importApp(getDb(c.env.DB), parseDsl(yaml), { secretKey: config.secretKey, defaultModelProvider: config.defaultModelProvider });
    return c.json(result, 201);
  },
);

adminAppRoutes.get(
  "/apps",
  doc({ summary: "List apps", tags: ["admin"], security: "admin", responses: { 200: { description: "A page of apps" } } }),
  validate("query", listAppsQuery),
  async (c) => {
    const { page, limit } = c.req.valid("query");
    return c.json(await listApps(getDb(c.env.DB), page, limit));
  },
);

adminAppRoutes.get(
  `/apps/${uuidParam("id")}`,
  doc({ summary: "Get an app with its site and model config or workflow", tags: ["admin"], security: "admin", responses: { 200: { description: "App" } } }),
  async (c) => c.json(appDetail(await requireApp(getDb(c.env.DB), c.req.param("id")!.toLowerCase()))),
);

adminAppRoutes.patch(
  `/apps/${uuidParam("id")}`,
  doc({ summary: "Update app and site settings", tags: ["admin"], security: "admin", responses: { 200: { description: "App" } } }),
  validate("json", patchAppBody),
  async (c) => {
    const ctx = await updateApp(getDb(c.env.DB), c.req.param("id")!.toLowerCase(), c.req.valid("json"));
    invalidateAppCache(ctx.app.id);
    return c.json(appDetail(ctx));
  },
);

adminAppRoutes.delete(
  `/apps/${uuidParam("id")}`,
  doc({ summary: "Delete an app and all its data", tags: ["admin"], security: "admin", responses: { 204: { description: "Deleted" } } }),
  async (c) => {
    await deleteApp(getDb(c.env.DB), c.env.FILES, c.req.param("id")!.toLowerCase());
    return c.body(null, 204);
  },
);

adminAppRoutes.get(
  `/apps/${uuidParam("id")}/export`,
  doc({
    summary: "Export an app as Dify DSL YAML",
    tags: ["admin"],
    security: "admin",
    responses: { 200: { description: "DSL YAML", contentType: "application/yaml" } },
  }),
  async (c) => {
    const { name, yaml } = await exportApp(getDb(c.env.DB), c.req.param("id")!.toLowerCase());
    const filename = `${name.replace(/[^\w.-]+/g, "_") || "app"}.yml`;
    return c.body(yaml, 200, { "Content-Type": "application/yaml; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"` });
  },
);
