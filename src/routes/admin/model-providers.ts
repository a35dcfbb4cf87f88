// Admin: model providers (PUT/GET/DELETE /admin/model-providers[/{name}]).
import { Hono } from "hono";
import { z } from "zod";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../http/context";
import { NotFound } from "../../lib/errors";
import { doc, validate } from "../../http/validate";
import { invalidateAppCache } from "../../services/apps/app-registry";
import { deleteProvider, listProviders, putProvider } from "../../services/apps/model-providers";
import { providerList, providerName, providerView, putProviderBody } from "../../schemas/admin";

export const modelProviderRoutes = new Hono<AppEnv>();
const nameParam = z.object({ name: providerName });

modelProviderRoutes.put(
  "/model-providers/:name",
  doc({
    summary: "Register or replace a model provider (the api_key is stored encrypted and never returned)",
    tags: ["admin"],
    security: "admin",
    responses: { 200: { description: "Provider", schema: providerView } },
  }),
  validate("param", nameParam),
  validate("json", putProviderBody),
  async (c) => {
    const body = c.req.valid("json");
    const result = await putProvider(getDb(c.env.DB), c.get("config").secretKey, { name: c.req.valid("param").name, ...body });
    invalidateAppCache();
    return c.json(result);
  },
);

modelProviderRoutes.get(
  "/model-providers",
  doc({ summary: "List model providers", tags: ["admin"], security: "admin", responses: { 200: { description: "Providers", schema: providerList } } }),
  async (c) => c.json({ data: await listProviders(getDb(c.env.DB)) }),
);

modelProviderRoutes.delete(
  "/model-providers/:name",
  doc({ summary: "Delete a model provider", tags: ["admin"], security: "admin", responses: { 204: { description: "Deleted" } } }),
  validate("param", nameParam),
  async (c) => {
    if (!(await deleteProvider(getDb(c.env.DB), c.req.valid("param").name))) throw new NotFound("Model provider not found.");
    return c.body(null, 204);
  },
);
