// OpenAPI 3.1 generated from the mounted routes: each route's `validate()` middlewares give its
// request schemas, its `doc()` middleware the summary and responses. No second copy to drift.
import type { Hono } from "hono";
import { z } from "zod";
import { type DocMeta, OPENAPI_META, type ValidatorMeta } from "./validate";

type Meta = DocMeta | ValidatorMeta;
type JsonSchema = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  metas: Meta[];
}

const UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

/** Route pattern for a UUID path parameter; anything else falls through to 404 not_found (werkzeug's uuid converter). */
export const uuidParam = (name: string) => `:${name}{${UUID_PATTERN}}`;

function toSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
  delete json.$schema;
  return json;
}

function openApiPath(path: string): { path: string; params: { name: string; uuid: boolean }[] } {
  const params: { name: string; uuid: boolean }[] = [];
  const converted = path.replace(/:(\w+)(\{(?:[^{}]|\{[^{}]*\})*\})?/g, (_m, name: string, pattern?: string) => {
    params.push({ name, uuid: pattern === `{${UUID_PATTERN}}` });
    return `{${name}}`;
  });
  return { path: converted, params };
}

function collect(app: Hono<any>): Operation[] {
  const ops = new Map<string, Operation>();
  for (const route of app.routes) {
    if (route.method === "ALL") continue;
    const meta = (route.handler as unknown as Record<symbol, Meta | undefined>)[OPENAPI_META];
    const key = `${route.method} ${route.path}`;
    let op = ops.get(key);
    if (!op) {
      op = { method: route.method.toLowerCase(), path: route.path, metas: [] };
      ops.set(key, op);
    }
    if (meta) op.metas.push(meta);
  }
  return [...ops.values()].filter((op) => op.metas.some((m) => m.kind === "doc"));
}

const errorEnvelope: JsonSchema = {
  type: "object",
  required: ["code", "message", "status"],
  properties: { code: { type: "string" }, message: { type: "string" }, status: { type: "integer" } },
};

export function buildOpenApi(app: Hono<any>, info: { title: string; version: string; serverUrl?: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of collect(app)) {
    const doc = op.metas.find((m): m is DocMeta => m.kind === "doc")!;
    const { path, params } = openApiPath(op.path);
    const parameters: JsonSchema[] = params.map((p) => ({
      name: p.name,
      in: "path",
      required: true,
      schema: p.uuid ? { type: "string", format: "uuid" } : { type: "string" },
    }));
    let requestBody: JsonSchema | undefined;
    for (const meta of op.metas) {
      if (meta.kind !== "validator") continue;
      if (meta.target === "query") {
        const json = toSchema(meta.schema);
        const required = new Set((json.required as string[] | undefined) ?? []);
        for (const [name, schema] of Object.entries((json.properties as Record<string, JsonSchema>) ?? {})) {
          parameters.push({ name, in: "query", required: required.has(name), schema });
        }
      } else if (meta.target === "json") {
        requestBody = { required: true, content: { "application/json": { schema: toSchema(meta.schema) } } };
      } else if (meta.target === "form") {
        requestBody = { required: true, content: { "multipart/form-data": { schema: toSchema(meta.schema) } } };
      }
    }
    const responses: Record<string, JsonSchema> = {};
    for (const [status, res] of Object.entries(doc.responses)) {
      const contentType = res.contentType ?? "application/json";
      responses[status] = res.schema
        ? { description: res.description, content: { [contentType]: { schema: toSchema(res.schema) } } }
        : { description: res.description };
    }
    responses.default = { description: "Error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
    const security =
      doc.security === "admin"
        ? [{ adminKey: [] }]
        : doc.security === "appCode"
          ? [{ appCode: [] }]
          : doc.security === "none"
            ? []
            : [{ passport: [] }, { passportBearer: [] }];
    paths[path] ??= {};
    paths[path][op.method] = {
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: doc.tags ?? [],
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
      security,
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: errorEnvelope },
      securitySchemes: {
        appCode: { type: "apiKey", in: "header", name: "X-App-Code", description: "The app's share code (the last segment of its page URL)" },
        passport: { type: "apiKey", in: "header", name: "X-App-Passport", description: "Passport from GET /api/passport" },
        passportBearer: { type: "http", scheme: "bearer", description: "The passport as a bearer token" },
        adminKey: { type: "http", scheme: "bearer", description: "ADMIN_API_KEY" },
      },
    },
  };
}
