import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";

// A worker configured with an explicit allow-list (WEB_API_CORS_ALLOW_ORIGINS).
const app = buildApp();
const restricted = { ...env, WEB_API_CORS_ALLOW_ORIGINS: "https://allowed.example, https://also.example" };
const call = (path: string, init: RequestInit) => app.fetch(new Request(`http://api.test${path}`, init), restricted);
const preflight = (origin: string) =>
  call("/api/parameters", { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "GET" } });

describe("CORS with an allow-list", () => {
  it("echoes an allowed origin", async () => {
    const res = await preflight("https://also.example");
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://also.example");
  });

  it("gives a disallowed origin no CORS headers at all", async () => {
    const res = await preflight("https://evil.example");
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    expect(res.headers.get("Access-Control-Allow-Methods")).toBeNull();
    const get = await call("/health", { headers: { Origin: "https://evil.example" } });
    expect(get.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
