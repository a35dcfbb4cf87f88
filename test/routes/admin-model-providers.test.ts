import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { providerList, providerView } from "../../src/schemas/admin";
import { getDb } from "../../src/db/client";
import { resolveProvider } from "../../src/llm/registry";
import { admin, expectError, expectShape, json, SECRET_KEY } from "../helpers/api";

const put = (name: string, body: unknown) => admin(`/admin/model-providers/${name}`, json(body, { method: "PUT" }));

describe("admin model providers", () => {
  it("registers a provider, stores the key encrypted and never returns it", async () => {
    const res = await put("openai", { type: "openai-compatible", base_url: "https://api.openai.example/v1", api_key: "sk-very-secret" });
    expect(await expectShape(res, providerView)).toEqual({ name: "openai", type: "openai-compatible", base_url: "https://api.openai.example/v1" });
    const row = await env.DB.prepare("SELECT api_key_encrypted AS k FROM model_providers WHERE name = 'openai'").first<string>("k");
    expect(row).toBeTruthy();
    expect(row).not.toContain("sk-very-secret");
    const list = await expectShape(await admin("/admin/model-providers"), providerList);
    expect(JSON.stringify(list)).not.toContain("sk-very-secret");
    expect(list.data).toEqual([{ name: "openai", type: "openai-compatible", base_url: "https://api.openai.example/v1" }]);
    const resolved = await resolveProvider(getDb(env.DB), SECRET_KEY, "langgenius/openai/openai", "echo");
    expect(resolved).toMatchObject({ name: "openai", type: "openai-compatible", apiKey: "sk-very-secret" });
  });

  it("replaces a provider on a second PUT and deletes it", async () => {
    await put("ollama", { type: "openai-compatible", base_url: "http://127.0.0.1:11434/v1" });
    const res = await put("ollama", { type: "openai-compatible", base_url: "http://127.0.0.1:11435/v1" });
    expect((await res.json()) as object).toMatchObject({ base_url: "http://127.0.0.1:11435/v1" });
    expect((await admin("/admin/model-providers/ollama", { method: "DELETE" })).status).toBe(204);
    await expectError(await admin("/admin/model-providers/ollama", { method: "DELETE" }), 404, "not_found");
  });

  it("resolves unknown providers to DEFAULT_MODEL_PROVIDER and refuses an unregistered default", async () => {
    const db = getDb(env.DB);
    expect(await resolveProvider(db, SECRET_KEY, "langgenius/tongyi/tongyi", "echo")).toMatchObject({ name: "echo", type: "echo" });
    await expect(resolveProvider(db, SECRET_KEY, "tongyi", "azure")).rejects.toMatchObject({ code: "provider_not_initialize" });
  });

  it("validates the name and body", async () => {
    await expectError(await put("Bad Name!", { type: "echo" }), 400, "invalid_param", /^name:/);
    await expectError(await put("x", { type: "anthropic" }), 400, "invalid_param", /^type:/);
    await expectError(await put("x", { type: "openai-compatible", base_url: "ftp://host" }), 400, "invalid_param", /^base_url:/);
    await expectError(await put("x", { type: "echo", extra: 1 }), 400, "invalid_param");
    await expectError(await put("x", {}), 400, "invalid_param", "type is required");
    const bad = await admin("/admin/model-providers/x", { method: "PUT", headers: { "Content-Type": "application/json" }, body: "{not json" });
    await expectError(bad, 400, "bad_request", "Invalid JSON payload received or JSON payload is empty.");
  });
});
