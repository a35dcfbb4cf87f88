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
    expect(passport.security).toEqual([]);
    expect(spec.paths["/api/parameters"].get.responses["200"].content["application/json"].schema.required).toContain("system_parameters");
    const put = spec.paths["/admin/model-providers/{name}"].put;
    expect(put.parameters[0]).toMatchObject({ name: "name", in: "path", required: true });
    expect(put.requestBody.content["application/json"].schema.properties.type.enum).toEqual(["openai-compatible", "workers-ai", "echo"]);
    expect(spec.paths["/admin/apps/{id}"].patch.parameters[0].schema).toEqual({ type: "string", format: "uuid" });
    expect(spec.paths["/admin/apps/{id}"].delete.security).toEqual([{ adminKey: [] }]);
  });

  it("renders a self-contained docs page", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("/api/passport");
    expect(html).not.toMatch(/<script[^>]+src=/);
  });
});
