import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";

describe("OpenAPI", () => {
  it("serves an OpenAPI 3.1 document generated from the validating schemas", async () => {
    const res = await call("/api/openapi.json");
    expect(res.status).toBe(200);
    const spec = (await res.json()) as Record<string, any>;
    expect(spec.openapi).toBe("3.1.0");
    const passport = spec.paths["/api/passport"].get;
    expect(passport.parameters).toEqual([expect.objectContaining({ name: "user_id", in: "query", required: false })]);
    expect(passport.security).toEqual([{ appCode: [] }]);
    expect(Object.keys(spec.components.securitySchemes).sort()).toEqual(["adminKey", "appCode", "passport", "passportBearer"]);
    expect(spec.paths["/api/parameters"].get.responses["200"].content["application/json"].schema.required).toContain("system_parameters");
    const put = spec.paths["/admin/model-providers/{name}"].put;
    expect(put.parameters[0]).toMatchObject({ name: "name", in: "path", required: true });
    expect(put.requestBody.content["application/json"].schema.properties.type.enum).toEqual(["openai-compatible", "workers-ai", "echo"]);
    expect(spec.paths["/admin/apps/{id}"].patch.parameters[0].schema).toEqual({ type: "string", format: "uuid" });
    expect(spec.paths["/admin/apps/{id}"].delete.security).toEqual([{ adminKey: [] }]);
  });

  it("serves Swagger UI from the static assets with a CSP and no inline script", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(res.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toMatch(/ src="\/assets\//);
    // The asset store serves the bundle itself (the Worker is not involved).
    const bundle = await env.ASSETS!.fetch("http://assets.test/assets/swagger/swagger-ui-bundle.js");
    expect(bundle.status).toBe(200);
    await bundle.body?.cancel();
  });
});
